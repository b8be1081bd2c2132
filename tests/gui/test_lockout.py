"""Revocation after too many failures, and an administrator restoring the User-ID through
Group/User Administration (Management ▸ Unlock and Management ▸ Reset Password…).
Also: what a user without tapemaster rights can (not) reach."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.driving import (
    cell,
    click,
    click_user,
    log_on,
    log_out,
    menu_action,
    only_new_password_works,
    open_admin,
    submenu,
    type_into,
)
from helpers import ADMIN_PASSWORD
from tapemaster_qt.errors import NotAuthorizedError
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import windows

ALICE_PASSWORD = "alice-tapes-42"


@pytest.fixture
def app(launch):
    controller = launch("TapeMaster")
    AdminService(controller.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": "alice", "name": "Alice Archer"}, ALICE_PASSWORD)
    return controller


def revoke_alice(qtbot, app) -> None:
    """Six wrong passwords in a row: the sixth failure revokes the User-ID."""
    dialog = app.login_dialog
    for attempt in range(6):
        log_on(qtbot, app, "alice", f"wrong-guess-{attempt}")
        assert dialog.messageLabel.text() == "Authorization Failure", attempt
    assert app.ctx.store.get_user("alice").revoked


def test_sixth_failure_revokes_and_unlock_restores(qtbot, app) -> None:
    revoke_alice(qtbot, app)
    log_on(qtbot, app, "alice", ALICE_PASSWORD)  # the right password, too late
    assert app.main_window is None and app.login_dialog.isVisible()
    assert app.login_dialog.messageLabel.text() == "Access Revoked"

    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    assert cell(window, "alice", "Status") == "Revoked"
    assert cell(window, "tapemaster", "Status") == ""
    click_user(qtbot, window, "tapemaster")
    assert not menu_action(submenu(window.users_menu(), "Management"),
                           "actionUnlockUser").isEnabled()  # nothing to unlock there
    click_user(qtbot, window, "alice")
    assert window.selected_user_ids() == ["alice"]

    menu = window.users_menu()  # what a right-click shows
    management = submenu(menu, "Management")
    unlock = menu_action(management, "actionUnlockUser")
    assert unlock is window.actionUnlockUser and unlock.isEnabled()
    unlock.trigger()
    assert not app.ctx.store.get_user("alice").revoked
    assert cell(window, "alice", "Status") == ""
    assert window.selected_user_ids() == ["alice"]  # the selection survives the reload
    events = [(e.event, e.actor) for e in app.ctx.store.audit_events(user_id="alice", limit=1)]
    assert events == [("account_unlocked", "tapemaster")]
    log_out(app)

    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    assert app.main_window is not None and app.main_window.session.user_id == "alice"


def test_reset_password_restores_with_a_random_password(qtbot, app) -> None:
    revoke_alice(qtbot, app)
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    click_user(qtbot, window, "alice")
    reset = menu_action(submenu(window.users_menu(), "Management"), "actionResetUserPassword")
    assert reset.isEnabled()
    reset.trigger()
    dialog = window.windows.get(windows.RESET_USER_PASSWORD)
    qtbot.waitExposed(dialog)
    assert dialog.objectName() == "passwordChangeDialog"
    assert "Password Change" in dialog.windowTitle() and "alice" in dialog.windowTitle()
    assert not dialog.currentPasswordEdit.isVisible()  # an administrator needs no old one
    assert dialog.newPasswordEdit.isVisible() and dialog.confirmPasswordEdit.isVisible()

    def random() -> str:
        """Random, then Copy password and Close in Random Password Set."""
        qtbot.mouseClick(dialog.randomButton, Qt.MouseButton.LeftButton)
        shown = window.windows.get(windows.RANDOM_PASSWORD)
        qtbot.waitExposed(shown)
        qtbot.mouseClick(shown.copyPasswordButton, Qt.MouseButton.LeftButton)
        shown.reject()
        qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is None)
        return QApplication.clipboard().text()

    proposal = random()
    assert len(proposal) >= 16
    assert dialog.newPasswordEdit.text() == dialog.confirmPasswordEdit.text() == proposal
    assert random() != proposal  # another one each time
    proposal = dialog.newPasswordEdit.text()

    click(qtbot, dialog)
    assert not dialog.isVisible()
    assert not app.ctx.store.get_user("alice").revoked  # a reset also restores access
    assert cell(window, "alice", "Status") == ""
    log_out(app)

    only_new_password_works(qtbot, app, "alice", ALICE_PASSWORD, proposal)


def test_reset_password_refuses_a_short_one(qtbot, app) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    click_user(qtbot, window, "alice")
    window.actionResetUserPassword.trigger()
    dialog = window.windows.get(windows.RESET_USER_PASSWORD)
    type_into(qtbot, dialog.newPasswordEdit, "short")
    type_into(qtbot, dialog.confirmPasswordEdit, "short")
    click(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "The password must have at least 8 characters."
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    log_out(app)
    log_on(qtbot, app, "alice", ALICE_PASSWORD)  # unchanged
    assert app.main_window is not None


# --- a user without tapemaster rights -----------------------------------------------------


def test_administration_is_out_of_reach_without_rights(qtbot, app, boxes) -> None:
    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    window = app.main_window
    assert window is not None
    assert window.menuAdministration is not None
    assert not window.menuAdministration.isEnabled()
    for action in (window.actionGroupUserAdministration, window.actionActiveUsers,
                   window.actionAuditLog):
        assert not action.isEnabled(), action.objectName()
    assert window.menuFile.isEnabled() and window.actionResetPassword.isEnabled()

    # The services are the boundary, not the greyed menu.
    with pytest.raises(NotAuthorizedError):
        AdminService(app.ctx, Actor.for_user("alice")).list_users()

    # Even when the window is asked for directly: a warning, and no window.
    for open_window, name in ((window.open_group_user_administration, "groupUserAdministration"),
                              (window.open_active_users, "activeUsersWindow"),
                              (window.open_audit_log, "auditLogWindow")):
        boxes.shown.clear()
        assert open_window() is None, name
        assert boxes.names() == ["warningMessage"], name
        assert "tapemaster rights" in boxes.last().text
        assert not any(w.objectName() == name and w.isVisible()
                       for w in QApplication.topLevelWidgets()), name
