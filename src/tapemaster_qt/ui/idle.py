"""Idle log out without surprise (DESIGN.md §2, issue 11 item 6).

A minute before the logout a program makes after ten minutes without activity, a
notice that takes nothing from the user (no focus, no modal loop) counts down and offers
**Stay logged on**; any key or mouse use does the same. Edits not saved when the time
runs out are kept (see :class:`~tapemaster_qt.ui.windows.Draft`) and offered again when
the same user logs back on. The main window's status bar says when the user will be
logged out, or *No Time-Out*.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from tapemaster_qt.ui import resources, widgets
from tapemaster_qt.ui.i18n import plural_context

idle = plural_context("idle")
"""The status bar's idle texts (context "idle")."""


def deadline_text(deadline: float | None) -> str:
    """The status bar's words: when the user will be logged out if idle (``deadline``,
    a time.time() value), or that they never will be."""
    if deadline is None:
        return idle.tr("No Time-Out")
    return idle.tr("Idle log out at {time}").format(
        time=datetime.fromtimestamp(deadline).strftime("%H:%M"))


def deadline_tip(minutes: int) -> str:
    return idle.tr("You are logged out after %n minute(s) without using the keyboard or "
                   "the mouse; using them moves this time on.", "", minutes)


def no_timeout_tip() -> str:
    return idle.tr("Your No Time-Out option is True: you are never logged out for "
                   "inactivity.")


class IdleNotice(QWidget):
    """The countdown before an idle log out. Shown without taking the focus, so that
    whatever the user was typing into still has it when they come back."""

    stayRequested = Signal()

    def __init__(self, program: str) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("idleNotice")
        self.setWindowTitle(self.tr("{program} — Still there?").format(program=program))
        self.setWindowIcon(resources.app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self._program = program
        self._deadline = 0.0  # time.monotonic() of the log out
        self.countdownLabel = QLabel()
        self.countdownLabel.setObjectName("countdownLabel")
        self.countdownLabel.setWordWrap(True)
        font = self.countdownLabel.font()
        font.setBold(True)
        self.countdownLabel.setFont(font)
        hint = QLabel(self.tr("Press any key or move the mouse to stay logged on."))
        hint.setWordWrap(True)
        self.editsLabel = QLabel()
        self.editsLabel.setObjectName("editsLabel")
        self.editsLabel.setWordWrap(True)
        self.editsLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.editsLabel.hide()
        self.stayButton = QPushButton(self.tr("&Stay logged on"))
        self.stayButton.setObjectName("stayLoggedOnButton")
        self.stayButton.setDefault(True)
        self.stayButton.clicked.connect(self.stayRequested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stayButton)
        layout = widgets.WrappingLayout(self, 380)
        layout.addWidget(self.countdownLabel)
        layout.addWidget(hint)
        layout.addWidget(self.editsLabel)
        layout.addLayout(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_seconds)

    def count_down(self, seconds_left: float, unsaved: list[str]) -> None:
        """Show (or keep showing) the countdown to a log out ``seconds_left`` away;
        ``unsaved``: the windows holding edits not saved, said to be kept."""
        self._deadline = time.monotonic() + seconds_left
        if unsaved:
            self.editsLabel.setText(self.tr(
                "Not saved yet: {windows}. Your changes are kept and offered again when you "
                "log back on.").format(windows=", ".join(unsaved)))
        self.editsLabel.setVisible(bool(unsaved))
        self._show_seconds()
        if self.isVisible():
            widgets.grow_to_fit(self)  # a line of unsaved windows came or went
        if not self._tick.isActive():
            self._tick.start()
        if not self.isVisible():
            self.adjustSize()
            self.show()
            self.raise_()

    def seconds_left(self) -> int:
        return max(0, round(self._deadline - time.monotonic()))

    @Slot()
    def _show_seconds(self) -> None:
        left = self.seconds_left()
        self.countdownLabel.setText(self.tr(
            "{program} logs you out in %n second(s) because it has not been used for a "
            "while.", "", left).format(program=self._program))

    def hideEvent(self, event: object) -> None:
        self._tick.stop()
        super().hideEvent(event)  # type: ignore[arg-type]
