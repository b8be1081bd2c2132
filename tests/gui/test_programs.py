"""The sibling programs: Lite and Checkpoint share the store and the logon rules with
TapeMaster; an OTP activated in one program is enforced in every other."""

from __future__ import annotations

import time

import pytest
from PySide6.QtGui import QAction

from gui.driving import click, log_on, log_out, read_qr, take_recovery_codes
from helpers import ADMIN_PASSWORD, rfc_totp, secret_from_uri
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

PASSWORD = "alice-tapes-42"


def add_user(controller, user_id: str, **fields) -> None:
    AdminService(controller.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": user_id, "name": user_id.title(), **fields}, PASSWORD)


@pytest.mark.parametrize("program", ["Lite", "Checkpoint"])
def test_sibling_program_logon_and_main_window(qtbot, launch, program) -> None:
    controller = launch(program)
    add_user(controller, "alice")
    dialog = controller.login_dialog
    assert "Logon" in dialog.windowTitle() and program in dialog.windowTitle()
    log_on(qtbot, controller, "alice", PASSWORD)
    window = controller.main_window
    assert window is not None and window.isVisible()
    assert program in window.windowTitle()
    assert window.menuAdministration is None
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Help"]
    assert window.findChild(QAction, "actionGroupUserAdministration") is None
    assert window.menuFile.isEnabled()
    assert [a.objectName() for a in window.menuFile.actions() if not a.isSeparator()] == [
        "actionResetPassword", "actionMyOneTimePassword", "actionLogOut", "actionExit"]
    assert window.statusBar().currentMessage() == "Ready"
    assert window.userStatusLabel.text().strip() == "alice"
    assert window.programStatusLabel.text().strip() == program
    session = controller.ctx.store.list_sessions()
    assert [(s.user_id, s.program) for s in session] == [("alice", program)]


def test_otp_activated_in_lite_is_needed_in_tapemaster(qtbot, launch, boxes, tmp_path) -> None:
    lite = launch("Lite")
    add_user(lite, "alice")
    AdminService(lite.ctx, Actor.for_user("tapemaster")).set_otp("alice", True)

    # Enrol in Lite: password only shows the QR; OK lets alice in this once.
    log_on(qtbot, lite, "alice", PASSWORD)
    setup = lite.otp_setup_dialog
    assert setup is not None and setup.isVisible()
    secret = secret_from_uri(read_qr(qtbot, setup, tmp_path))
    click(qtbot, setup)
    assert lite.main_window is not None
    log_out(lite)

    # Activate in Lite with a code from the "phone".
    log_on(qtbot, lite, "alice", PASSWORD, rfc_totp(secret, time.time()))
    assert boxes.names() == ["otpActivatedMessage"]
    assert lite.otp_setup_dialog is None
    take_recovery_codes(qtbot, lite.recovery_codes_dialog)
    assert lite.main_window is not None
    assert lite.ctx.store.get_user("alice").otp_activated

    # TapeMaster, running at the same time on the same store, now wants the code.
    tapemaster = launch("TapeMaster")
    log_on(qtbot, tapemaster, "alice", PASSWORD)
    assert tapemaster.main_window is None and tapemaster.otp_setup_dialog is None
    assert tapemaster.login_dialog.messageLabel.text() == "One Time Password required"
    assert tapemaster.login_dialog.passwordEdit.text() == PASSWORD  # only the code is missing
    assert tapemaster.login_dialog.focusWidget() is tapemaster.login_dialog.otpEdit
    # The next code (the one already used in Lite cannot come back) logs on.
    code = rfc_totp(secret, time.time() + 30)
    log_on(qtbot, tapemaster, "alice", PASSWORD, f"{code[:3]} {code[3:]}")
    assert tapemaster.main_window is not None
    assert tapemaster.main_window.session.user_id == "alice"
    assert boxes.names() == ["otpActivatedMessage"]  # told once, not again


def test_checkpoint_needs_client_access(qtbot, launch) -> None:
    checkpoint = launch("Checkpoint")
    add_user(checkpoint, "dan", programs=frozenset({"TapeMaster", "Lite"}))
    log_on(qtbot, checkpoint, "dan", PASSWORD)
    dialog = checkpoint.login_dialog
    assert checkpoint.main_window is None and dialog.isVisible()
    assert dialog.messageLabel.text() == "Access to Checkpoint is not permitted"
    assert dialog.passwordEdit.text() == ""
    event = checkpoint.ctx.store.audit_events(user_id="dan", limit=1)[0]
    assert (event.event, event.detail, event.program) == (
        "login_failed", "program_not_permitted", "Checkpoint")

    log_on(qtbot, checkpoint, "tapemaster", ADMIN_PASSWORD)
    assert checkpoint.main_window is not None
    log_out(checkpoint)
    lite = launch("Lite")
    log_on(qtbot, lite, "dan", PASSWORD)
    assert lite.main_window is not None


def test_lite_and_tapemaster_log_on_side_by_side(qtbot, launch) -> None:
    lite, tapemaster = launch("Lite"), launch("TapeMaster")
    log_on(qtbot, lite, "tapemaster", ADMIN_PASSWORD)
    log_on(qtbot, tapemaster, "tapemaster", ADMIN_PASSWORD)
    sessions = sorted(s.program for s in tapemaster.ctx.store.list_sessions())
    assert sessions == ["Lite", "TapeMaster"]
    with qtbot.waitSignal(lite.finished):
        lite.main_window.actionExit.trigger()
    assert [s.program for s in tapemaster.ctx.store.list_sessions()] == ["TapeMaster"]
    assert tapemaster.main_window is not None  # the other program carries on
