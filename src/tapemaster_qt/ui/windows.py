"""One way to open a window: a registry that builds it once, brings it to the front
when it is asked for again, and forgets it when it goes.

The program's controller owns the registry; the main window and Group/User
Administration open their windows and dialogs through the same one, so "is it open
already?", "what if building it is refused?" and "close everything at log out" are
answered in one place.

The logon dialog is registered before its first paint, so nothing here touches PySide's
``Qt`` namespace at import time or for a kept window (building it costs tens of ms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from tapemaster_qt.errors import SessionEndedError, TapeMasterError
from tapemaster_qt.ui import msgbox
from tapemaster_qt.ui.i18n import error_text

logger = logging.getLogger(__name__)

W = TypeVar("W", bound=QWidget)

# The keys of the windows the programs open.
FIRST_RUN = "firstRun"
LOGON = "logon"
OTP_SETUP = "otpSetup"
RECOVERY_CODES = "recoveryCodes"
MY_OTP = "myOneTimePassword"
MAIN = "main"
PASSWORD_CHANGE = "passwordChange"  # noqa: S105 - a window key, not a password
ADMINISTRATION = "groupUserAdministration"
ACTIVE_USERS = "activeUsers"
AUDIT_LOG = "auditLog"
USER_PROPERTIES = "userProperties"
RESET_USER_PASSWORD = "resetUserPassword"  # noqa: S105 - a window key
ADD_GROUP = "addGroup"
GROUP_PROPERTIES = "groupProperties"
RANDOM_PASSWORD = "randomPassword"  # noqa: S105 - a window key, not a password
SESSION_PROPERTIES = "sessionProperties"
IDLE_NOTICE = "idleNotice"


@runtime_checkable
class HoldsEdits(Protocol):
    """A window that asks before throwing edits away when it is closed; at log out or
    exit the registry closes it without asking."""

    def discard_edits(self) -> None: ...


@runtime_checkable
class ShowsEdits(Protocol):
    """A window that can say which of its edits are not saved yet."""

    def unsaved_edits(self) -> list[str]: ...


@dataclass(frozen=True)
class Draft:
    """Edits a window held, not saved, when the session ended without its user choosing
    to (logged out for inactivity, or by the store): kept in memory only, and offered
    again when the same user logs back on. Never a password."""

    key: str
    """The registry key of the window (``USER_PROPERTIES``, ``GROUP_PROPERTIES``...)."""
    title: str
    """What the user reads: the window's title ("User Properties — alice")."""
    subject: str | None
    """The User-ID or Group-ID edited; None for one being added."""
    values: tuple[tuple[str, object], ...]
    """The edited values, by the label the window shows them with, in order."""


@runtime_checkable
class KeepsDrafts(Protocol):
    def draft(self) -> Draft | None:
        """The edits not saved, or None (nothing edited, or the edits were discarded)."""
        ...


class WindowRegistry(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._windows: dict[str, QWidget] = {}
        self._kept: set[str] = set()

    def get(self, key: str) -> QWidget | None:
        """The window registered under ``key``, while it exists."""
        window = self._windows.get(key)
        if window is not None and not shiboken6.isValid(window):
            del self._windows[key]
            return None
        return window

    def keys(self) -> list[str]:
        return [key for key in list(self._windows) if self.get(key) is not None]

    def open(self, key: str, factory: Callable[[], W], *, parent: QWidget | None = None,
             title: str = "", modal: bool = False) -> W | None:
        """Bring the window open under ``key`` to the front, or build it with ``factory``,
        register it (deleted when closed) and show it. A refusal from the services while
        building it is shown in a message box over ``parent``; then None is returned."""
        window = self.get(key)
        if window is None or not window.isVisible():
            try:
                window = factory()
            except SessionEndedError:
                return None  # the program logs out; the logon dialog says why
            except TapeMasterError as exc:
                msgbox.warning(parent, title or (parent.windowTitle() if parent else ""),
                               error_text(exc))
                return None
            self.register(key, window)
        self.present(key, modal=modal)
        return window  # type: ignore[return-value]

    def register(self, key: str, window: W, *, keep: bool = False) -> W:
        """Remember ``window`` under ``key``. A kept window is hidden and shown again
        (the logon dialog); any other is deleted when it is closed."""
        previous = self.get(key)
        if previous is not None and previous is not window:
            self._dispose(key, previous)
        self._windows[key] = window
        if keep:
            self._kept.add(key)
        else:
            from PySide6.QtCore import Qt

            self._kept.discard(key)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_: self._forget_if(key, window))
        return window

    def present(self, key: str, *, modal: bool = False) -> QWidget | None:
        """Show the window under ``key`` (window-modal when ``modal``) and raise it."""
        window = self.get(key)
        if window is None:
            return None
        if modal and isinstance(window, QDialog):
            window.open()
        else:
            window.show()
        window.raise_()
        window.activateWindow()
        return window

    def take(self, key: str) -> QWidget | None:
        """Forget the window under ``key`` without closing it; the caller owns it now."""
        window = self.get(key)
        self._windows.pop(key, None)
        self._kept.discard(key)
        return window

    def close(self, key: str) -> None:
        window = self.take(key)
        if window is not None:
            self._dispose(key, window)

    def unsaved(self) -> list[tuple[QWidget, list[str]]]:
        """The open windows holding edits not saved, with what those edits are."""
        found = []
        for key in self.keys():
            window = self.get(key)
            if isinstance(window, ShowsEdits) and window.isVisible():
                edits = window.unsaved_edits()
                if edits:
                    found.append((window, edits))  # type: ignore[arg-type]
        return found

    def discard_all(self) -> None:
        """Let every window's edits go (the user chose to leave without saving)."""
        for key in self.keys():
            window = self.get(key)
            if isinstance(window, HoldsEdits):
                window.discard_edits()

    def drafts(self) -> list[Draft]:
        """What the open windows hold and did not save (see :class:`Draft`)."""
        found = []
        for key in self.keys():
            window = self.get(key)
            if isinstance(window, KeepsDrafts) and window.isVisible():
                draft = window.draft()
                if draft is not None:
                    found.append(draft)
        return found

    def close_all(self, *, kept_too: bool = False) -> None:
        """Close every window, newest first (a dialog before the window it belongs to),
        without asking about edits: the session is ending. Kept windows stay unless
        ``kept_too``."""
        for key in reversed(self.keys()):
            if key in self._kept and not kept_too:
                continue
            self.close(key)

    def _dispose(self, key: str, window: QWidget) -> None:
        if not shiboken6.isValid(window):
            return
        if isinstance(window, HoldsEdits):
            window.discard_edits()
        from PySide6.QtCore import Qt

        if key in self._kept or not window.testAttribute(
                Qt.WidgetAttribute.WA_DeleteOnClose):
            window.hide()
            window.deleteLater()
        else:
            window.close()

    def _forget_if(self, key: str, window: QWidget) -> None:
        # Only if still the same window: a new one may already be registered.
        if self._windows.get(key) is window:
            del self._windows[key]
            self._kept.discard(key)
