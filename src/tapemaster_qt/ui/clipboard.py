"""Secrets on the clipboard: copied for a short while, then taken off again.

Any program of the session can read the clipboard, and clipboard managers keep what
they see; a Secret Key left there for days is a second factor anyone can lift. After
:data:`CLEAR_AFTER_MS` the clipboard is cleared, but only if it still holds what we
put there: something the user copied since is theirs. The timer belongs to the
application, not to the window, so closing the popup at once does not keep the key
on the clipboard forever; and a program that ends before a timer fires takes its
secrets off the clipboard on the way out (:func:`clear_pending`, called when the
program closes and at ``aboutToQuit``), or they would stay there after it.

Every secret a window copies goes through :func:`copy_secret`: the Secret Key, the
recovery codes, a proposed random password.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication

logger = logging.getLogger(__name__)

CLEAR_AFTER_MS = 30_000
"""How long a copied secret stays on the clipboard."""

_pending: dict[QTimer, str] = {}
"""The timers of secrets not yet cleared, with the text each one put there."""
_hooked: list[QCoreApplication] = []
"""The application whose ``aboutToQuit`` clears what is pending."""


def copy_secret(text: str) -> QTimer:
    """Put ``text`` on the clipboard and clear it after :data:`CLEAR_AFTER_MS` if it is
    still there; returns the timer (tests wait for it)."""
    QGuiApplication.clipboard().setText(text)
    app = QCoreApplication.instance()
    if app is not None and app not in _hooked:
        app.aboutToQuit.connect(clear_pending)
        _hooked.append(app)
    timer = QTimer(app)
    timer.setSingleShot(True)
    timer.setInterval(CLEAR_AFTER_MS)
    timer.timeout.connect(lambda: _clear(timer))
    _pending[timer] = text
    timer.start()
    return timer


def _clear(timer: QTimer) -> None:
    """Take ``timer``'s secret off the clipboard if it is still there, and forget it."""
    text = _pending.pop(timer, None)
    if text is None:
        return
    timer.stop()
    board = QGuiApplication.clipboard()
    if board.text() == text:
        board.clear()
        logger.info("Cleared a copied secret from the clipboard")
    timer.deleteLater()


def clear_pending() -> None:
    """Now, not in a while: take every copied secret still on the clipboard off it
    (the program is ending, and its timers would never fire)."""
    for timer in list(_pending):
        _clear(timer)


def pending() -> list[QTimer]:
    """The timers of secrets not yet cleared (newest last)."""
    return list(_pending)
