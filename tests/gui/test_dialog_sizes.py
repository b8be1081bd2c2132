"""Dialogs with wrapped texts are never narrower than their design width, nor shorter
than their texts need (REVIEW-1 finding 7).

``setSizeConstraint(SetMinimumSize)`` gave the window the layout's own minimum, which
overrode ``setMinimumWidth(420)`` and ignored height-for-width: the logon dialog came
up 305 px wide (the self-test printed 305x222, the README 420x222) and a window manager
could shrink it to 189 px, where the header and a message were cut off. A window
manager does what the minimum size allows, so each dialog is shrunk as far as it lets
itself be, and every wrapped label must still have the height its text needs.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from gui.driving import log_on, open_my_otp
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import totp
from tapemaster_qt.services.recovery import new_codes
from tapemaster_qt.ui.logon import FirstRunDialog, LoginDialog
from tapemaster_qt.ui.otp_setup import OtpSetupDialog
from tapemaster_qt.ui.recovery_codes import RecoveryCodesDialog

LONG_MESSAGE = ("Authorization Failure: the User-ID or password is not correct, or the "
                "User-ID may not log on. Try again, or ask your administrator.")


def clipped(window: QWidget) -> list[str]:
    """The visible wrapped labels shorter than their text needs at their width."""
    return [f"{label.objectName() or label.text()[:40]!r}: {label.height()} px of "
            f"{label.heightForWidth(label.width())}"
            for label in window.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width())]


def shrunk(qtbot, window: QWidget) -> QWidget:
    """Shown, then made as small as its minimum size lets a window manager make it."""
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(1, 1)
    assert window.size() == window.minimumSize()
    return window


SECRET = bytes(range(20))
DIALOGS = {
    "logon": (lambda: LoginDialog("TapeMaster", "alice"), 420),
    "first run": (lambda: FirstRunDialog("Checkpoint", "/srv/tapes/a/long/store/folder"),
                  440),
    "recovery codes": (lambda: RecoveryCodesDialog(new_codes(), "TapeTrack:alice",
                                                   "One Time Password activated."), 460),
    "setup": (lambda: OtpSetupDialog(
        totp.provisioning_uri(SECRET, "alice", "TapeTrack"),
        totp.group_secret(totp.to_base32(SECRET)), "TapeTrack:alice", "TapeMaster",
        verify=lambda code: None), 0),
}


@pytest.mark.parametrize("name", DIALOGS)
def test_a_dialog_shrunk_to_its_minimum_clips_no_text(qtbot, name: str) -> None:
    make, width = DIALOGS[name]
    window = shrunk(qtbot, make())
    assert window.width() >= width
    assert clipped(window) == []
    message = window.findChild(QLabel, "messageLabel")
    if message is not None:  # a refusal under the fields: the minimum grows with it
        message.setText(LONG_MESSAGE)
        message.show()
        window.resize(1, 1)
        assert window.size() == window.minimumSize()
        assert clipped(window) == []


def test_the_logon_dialog_is_420_px_wide(qtbot) -> None:
    """What the README's self-test example prints (``logon dialog rendered (420x222
    px)``); the height follows the font."""
    dialog = LoginDialog("TapeMaster", "alice")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() == 420


def test_file_one_time_password_shrunk_clips_no_text(qtbot, launch, boxes) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    window = open_my_otp(qtbot, controller)
    window.resize(1, 1)
    assert window.size() == window.minimumSize() and window.width() >= 520
    assert clipped(window) == []
