"""Revocation stops password guessing in the windows too (issue 9 item 1): once revoked,
every password gets "Access Revoked"; the attempts are counted and kept by Unlock, the
administrator sees them in Properties and the user is told after logging on."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gui.driving import (
    click_user,
    log_on,
    log_out,
    menu_action,
    open_admin,
    open_properties_by_double_click,
    submenu,
)
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

ALICE_PASSWORD = "alice-tapes-42"


def _status_value(dialog, label: str) -> str:
    labels = dialog.findChildren(QLabel)
    for n, widget in enumerate(labels):
        if widget.text() == f"{label}:":
            return labels[n + 1].text()
    raise AssertionError(f"no {label!r} in {[w.text() for w in labels]}")


def test_guesses_after_revocation_are_answered_alike_and_shown(qtbot, launch) -> None:
    app = launch("TapeMaster")
    AdminService(app.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": "alice", "name": "Alice Archer"}, ALICE_PASSWORD)
    dialog = app.login_dialog
    for attempt in range(6):
        log_on(qtbot, app, "alice", f"wrong-guess-{attempt}")
        assert dialog.messageLabel.text() == "Authorization Failure"
    # Guessing on: the right password is no longer told from a wrong one.
    for password in ("wrong-guess-6", ALICE_PASSWORD, "wrong-guess-7", ALICE_PASSWORD):
        log_on(qtbot, app, "alice", password)
        assert app.main_window is None
        assert dialog.messageLabel.text() == "Access Revoked"

    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    click_user(qtbot, window, "alice")
    menu_action(submenu(window.users_menu(), "Management"), "actionUnlockUser").trigger()
    props = open_properties_by_double_click(qtbot, window, "alice")
    assert _status_value(props, "Revoked") == "False"
    assert _status_value(props, "Failed Logons in a Row") == "0"
    assert _status_value(props, "Failed Since Last Logon") == "10"
    props.reject()
    log_out(app)

    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    assert app.main_window is not None
    assert "10 failed logon attempts before this logon" in \
        app.main_window.welcomeLabel.text()
