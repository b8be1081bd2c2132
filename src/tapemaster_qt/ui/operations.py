"""One way for a window to run a service call (after Anki's ``aqt.operations``).

``Op(window, "Unlock", lambda: admin.unlock(user_id)).refresh(window.reload).run()``:
a wait cursor while the call runs, a refusal shown through :mod:`ui.msgbox` (or where
the window says, with :meth:`Op.failure`), then the window's refresh, whatever
happened, because a refused call may still find the store changed by someone else.

Calls run on the GUI thread: the services answer in milliseconds (argon2 in a logon
or a password reset is the slowest, on purpose, and the wait cursor says so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from tapemaster_qt.errors import SessionEndedError, TapeMasterError
from tapemaster_qt.ui import msgbox
from tapemaster_qt.ui.i18n import error_text

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Op(Generic[T]):
    def __init__(self, parent: QWidget | None, title: str, call: Callable[[], T]) -> None:
        """``title`` heads the message box that shows a refusal."""
        self._parent = parent
        self._title = title
        self._call = call
        self._success: Callable[[T], object] | None = None
        self._failure: Callable[[TapeMasterError], object] | None = None
        self._refresh: Callable[[], object] | None = None

    def success(self, handler: Callable[[T], object]) -> Op[T]:
        """Called with the call's result when it succeeded."""
        self._success = handler
        return self

    def failure(self, handler: Callable[[TapeMasterError], object]) -> Op[T]:
        """Called with the refusal instead of a message box (a dialog's message line)."""
        self._failure = handler
        return self

    def refresh(self, handler: Callable[[], object]) -> Op[T]:
        """Called last, after success or refusal."""
        self._refresh = handler
        return self

    def run(self) -> bool:
        """Run the call now; True when it succeeded."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            try:
                result = self._call()
            finally:
                QGuiApplication.restoreOverrideCursor()
        except TapeMasterError as exc:
            logger.info("%s refused: %s", self._title, type(exc).__name__)
            if isinstance(exc, SessionEndedError):
                # The session is over: the program logs out and the logon dialog says
                # why; a box here would only come first and say less.
                return False
            if self._failure is not None:
                self._failure(exc)
            else:
                msgbox.warning(self._parent, self._title, error_text(exc))
            if self._refresh is not None:
                self._refresh()
            return False
        if self._success is not None:
            self._success(result)
        if self._refresh is not None:
            self._refresh()
        return True
