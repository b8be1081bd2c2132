"""The logon dialog takes an e-mail address in the User-ID field (issue 11 item 5)."""

from __future__ import annotations

from gui.driving import log_on
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

PASSWORD = "Alice-Secret-42"
EMAIL = "alice.archer.of.the.night.shift@vault.example.com"  # longer than a User-ID


def test_log_on_with_the_e_mail_address(qtbot, launch) -> None:
    app = launch("Lite")
    AdminService(app.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": "alice", "name": "Alice Archer", "email": EMAIL}, PASSWORD)
    log_on(qtbot, app, EMAIL, "Wrong-Password-0")
    assert app.main_window is None
    assert app.login_dialog.messageLabel.text() == "Authorization Failure"
    log_on(qtbot, app, EMAIL, PASSWORD)
    assert app.main_window is not None
    assert app.main_window.windowTitle() == "Lite — alice"
    # The program remembers the User-ID, as after a logon with it.
    app.main_window.actionLogOut.trigger()
    assert app.login_dialog.userIdEdit.text() == "alice"
