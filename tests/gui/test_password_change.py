"""File ▸ Reset Password…: a logged-on user changes their own password."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from gui.driving import click, log_on, log_out, only_new_password_works, type_into
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

OLD = "alice-tapes-42"
NEW = "a-brand-new-passphrase"


@pytest.fixture
def app(qtbot, launch):
    controller = launch("TapeMaster")
    AdminService(controller.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": "alice", "name": "Alice Archer"}, OLD)
    log_on(qtbot, controller, "alice", OLD)
    assert controller.main_window is not None
    return controller


def open_password_change(qtbot, app) -> QDialog:
    window = app.main_window
    assert window.actionResetPassword in window.menuFile.actions()
    window.actionResetPassword.trigger()
    dialog = window.findChild(QDialog, "passwordChangeDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert "Password Change" in dialog.windowTitle()
    return dialog


def fill(qtbot, dialog, current: str, new: str, again: str) -> None:
    type_into(qtbot, dialog.currentPasswordEdit, current)
    type_into(qtbot, dialog.newPasswordEdit, new)
    type_into(qtbot, dialog.confirmPasswordEdit, again)
    click(qtbot, dialog)


def password_is(app, password: str) -> bool:
    return app.ctx.hasher.verify(app.ctx.store.get_user("alice").password_hash, password)


def test_wrong_current_password_changes_nothing(qtbot, app) -> None:
    dialog = open_password_change(qtbot, app)
    assert dialog.currentPasswordEdit.isVisible()
    assert dialog.focusWidget() is dialog.currentPasswordEdit
    fill(qtbot, dialog, "not-my-password", NEW, NEW)
    assert dialog.isVisible()
    assert dialog.messageLabel.text().startswith("The current password is not correct.")
    assert "count toward revoking" in dialog.messageLabel.text()
    assert dialog.currentPasswordEdit.text() == ""
    assert dialog.focusWidget() is dialog.currentPasswordEdit
    assert password_is(app, OLD)
    # A wrong guess here counts like a failed logon (an unattended desk is no free pass).
    assert app.ctx.store.get_user("alice").failed_logons == 1


def test_new_passwords_must_match(qtbot, app) -> None:
    dialog = open_password_change(qtbot, app)
    fill(qtbot, dialog, OLD, NEW, NEW + "?")
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "The new passwords are not the same."
    assert dialog.confirmPasswordEdit.text() == ""
    fill(qtbot, dialog, OLD, "short", "short")
    assert dialog.messageLabel.text() == "The password must have at least 8 characters."
    fill(qtbot, dialog, OLD, OLD, OLD)
    assert dialog.messageLabel.text() == "The new password must differ from the current one."
    assert password_is(app, OLD)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    assert not dialog.isVisible() and password_is(app, OLD)


def test_changed_password_is_the_one_that_logs_on(qtbot, app) -> None:
    dialog = open_password_change(qtbot, app)
    fill(qtbot, dialog, OLD, NEW, NEW)
    assert not dialog.isVisible()
    assert app.main_window.statusBar().currentMessage() == "Password changed"
    assert password_is(app, NEW)
    event = app.ctx.store.audit_events(user_id="alice", limit=1)[0]
    assert (event.event, event.actor) == ("password_changed", "alice")
    log_out(app)

    only_new_password_works(qtbot, app, "alice", OLD, NEW)


def test_log_out_after_the_dialog_was_closed(qtbot, app) -> None:
    dialog = open_password_change(qtbot, app)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    qtbot.waitUntil(lambda: app.main_window.findChild(QDialog, "passwordChangeDialog") is None)
    log_out(app)  # the closed (deleted) dialog must not trip the log out
    assert app.main_window is None and app.ctx.store.list_sessions() == []
