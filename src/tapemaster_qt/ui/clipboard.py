"""Secrets on the clipboard: copied for a short while, then taken off again.

Any program of the session can read the clipboard, and clipboard managers keep what
they see; a Secret Key left there for days is a second factor anyone can lift. After
:data:`CLEAR_AFTER_MS` the clipboard is cleared, but only if it still holds what we
put there: something the user copied since is theirs. The timer belongs to the
application, not to the window, so closing the popup at once does not keep the key
on the clipboard forever.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication

logger = logging.getLogger(__name__)

CLEAR_AFTER_MS = 30_000
"""How long a copied secret stays on the clipboard."""

_pending: list[QTimer] = []


def copy_secret(text: str) -> QTimer:
    """Put ``text`` on the clipboard and clear it after :data:`CLEAR_AFTER_MS` if it is
    still there; returns the timer (tests wait for it)."""
    QGuiApplication.clipboard().setText(text)
    timer = QTimer(QCoreApplication.instance())
    timer.setSingleShot(True)
    timer.setInterval(CLEAR_AFTER_MS)

    def clear() -> None:
        board = QGuiApplication.clipboard()
        if board.text() == text:
            board.clear()
            logger.info("Cleared a copied secret from the clipboard")
        _pending.remove(timer)
        timer.deleteLater()

    timer.timeout.connect(clear)
    _pending.append(timer)
    timer.start()
    return timer


def pending() -> list[QTimer]:
    """The timers of secrets not yet cleared (newest last)."""
    return list(_pending)
