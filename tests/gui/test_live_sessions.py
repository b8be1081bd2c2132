"""The windows of a live session (issue 14 items 1, 2, 4, 7; Disconnect): what the
heartbeat or a check before an action finds is what the user sees — logged out with
the reason on the logon dialog, administration windows closed, the idle limit from
the logon on (the QR popup included), a store that cannot be reached said and retried.

Each program is a controller with its own connection to the store, beating every
100 ms instead of every minute; the administrator acts from another.
"""

from __future__ import annotations

import sqlite3
import time

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from gui.driving import click, log_on, read_qr, top_level, type_into
from helpers import ADMIN_PASSWORD, rfc_totp, secret_from_uri
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import msgbox, windows

PASSWORD = "alice-tapes-42"
BEAT = {"heartbeat_ms": 100}


def visible_windows() -> list[str]:
    return [w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()]


@pytest.fixture
def admin(launch) -> AdminService:
    """tapemaster, administering from another program on the same store."""
    return AdminService(launch.context("TapeMaster"), Actor.for_user("tapemaster"))


def _lite(qtbot, launch, admin: AdminService, user_id: str = "alice", **fields):
    admin.add_user({"user_id": user_id, **fields}, PASSWORD)
    program = launch("Lite", **BEAT)
    log_on(qtbot, program, user_id, PASSWORD)
    assert program.main_window is not None
    return program


def _logged_out_with(qtbot, program, text: str) -> None:
    qtbot.waitUntil(lambda: program._session is None, timeout=10_000)
    assert program.main_window is None and program.otp_setup_dialog is None
    dialog = program.login_dialog
    assert dialog.isVisible()
    assert dialog.messageLabel.isVisible()
    assert dialog.messageLabel.text() == text


@pytest.mark.parametrize(("change", "said"), [
    (lambda a: a.set_disabled("alice", True),
     "You were logged out: an administrator disabled your User-ID."),
    (lambda a: a.update_user("alice", {"programs": "TapeMaster"}),
     "You were logged out: an administrator removed your access to Lite."),
    (lambda a: a.set_otp("alice", True),
     "You were logged out: an administrator switched on or reset your One Time Password; "
     "log on again to set it up."),
    (lambda a: a.delete_users(["alice"]), "You were logged out: your User-ID was deleted."),
], ids=["disabled", "program removed", "OTP on", "deleted"])
def test_the_heartbeat_logs_out_and_says_why(qtbot, launch, admin, change, said) -> None:
    program = _lite(qtbot, launch, admin)
    change(admin)
    _logged_out_with(qtbot, program, said)
    assert program.ctx.store.list_sessions() == []


def test_disconnect_from_active_users(qtbot, launch, admin, boxes) -> None:
    lite = _lite(qtbot, launch, admin, "bob")
    office = launch("TapeMaster")  # no fast beat: only Lite's is watched here
    log_on(qtbot, office, "tapemaster", ADMIN_PASSWORD)
    lite._heartbeat.stop()  # Lite is busy: its next beat comes when the test says
    office.main_window.actionActiveUsers.trigger()
    window = top_level("activeUsersWindow")
    # The first row (by User-ID) starts selected: Enter and Delete act at once.
    assert [s.user_id for s in window.selected_sessions()] == ["bob"]
    assert window.actionDisconnect.isEnabled()
    view = window.sessionsView
    rows = {view.model().index(r, 0).data(): r for r in range(view.model().rowCount())}
    assert set(rows) == {"bob", "tapemaster"}
    view.selectRow(rows["bob"])
    assert window.actionDisconnect.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # Delete is Disconnect, after a question

    assert boxes.last().object_name == "confirmDisconnectMessage"
    assert "bob (Lite on " in boxes.last().text
    states = {view.model().index(r, 0).data(): view.model().index(r, 6).data()
              for r in range(view.model().rowCount())}
    assert states == {"tapemaster": "Active", "bob": (
        "Ending: disconnected by tapemaster")}
    assert lite.main_window is not None  # still there until its heartbeat
    lite._beat()
    assert lite.main_window is None
    assert lite.login_dialog.messageLabel.text() == (
        "You were logged out: an administrator (tapemaster) ended your session.")
    # bob is offered again, not tapemaster who logged on last in the other program
    assert lite.login_dialog.userIdEdit.text() == "bob"
    window.reload()
    assert [view.model().index(r, 0).data() for r in range(view.model().rowCount())] == [
        "tapemaster"]


def test_disconnecting_your_own_session_is_refused(qtbot, launch, boxes) -> None:
    office = launch("TapeMaster")
    log_on(qtbot, office, "tapemaster", ADMIN_PASSWORD)
    office.main_window.actionActiveUsers.trigger()
    window = top_level("activeUsersWindow")
    window.sessionsView.selectRow(0)
    window.actionDisconnect.trigger()
    assert boxes.names()[-2:] == ["confirmDisconnectMessage", "warningMessage"]
    assert "own session" in boxes.last().informative
    assert office.main_window is not None and len(office.ctx.store.list_sessions()) == 1


def test_lost_rights_close_the_administration_windows(qtbot, launch, admin, boxes) -> None:
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    office = launch("TapeMaster", **BEAT)
    log_on(qtbot, office, "deputy", PASSWORD)
    main = office.main_window
    main.actionAuditLog.trigger()
    main.actionGroupUserAdministration.trigger()
    assert {windows.AUDIT_LOG, windows.ADMINISTRATION} <= set(office.windows.keys())

    admin.update_user("deputy", {"tapemaster_rights": False})
    qtbot.waitUntil(lambda: not main.menuAdministration.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: "rightsRemovedMessage" in boxes.names(), timeout=10_000)
    assert set(office.windows.keys()) == {windows.MAIN, windows.LOGON}
    assert not main.actionAuditLog.isEnabled() and not main.adminHintLabel.isVisible()
    assert office.main_window is main  # rights lost: windows closed, still logged on
    admin.update_user("deputy", {"tapemaster_rights": True})
    qtbot.waitUntil(lambda: main.menuAdministration.isEnabled(), timeout=10_000)


def test_an_open_audit_log_reads_nothing_once_rights_are_gone(
    qtbot, launch, admin, boxes
) -> None:
    """Between the change and the next heartbeat the window is still open: Refresh,
    the filter and the menu each ask the service, which refuses."""
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    office = launch("TapeMaster")  # heartbeat once a minute: not within this test
    log_on(qtbot, office, "deputy", PASSWORD)
    main = office.main_window
    main.actionAuditLog.trigger()
    window = top_level("auditLogWindow")
    shown = window.model.rowCount()
    admin.update_user("deputy", {"tapemaster_rights": False})
    admin.add_user({"user_id": "newcomer"}, PASSWORD)  # an event deputy must not see

    qtbot.mouseClick(window.findChild(QPushButton, "refreshButton"),
                     Qt.MouseButton.LeftButton)
    assert boxes.last().text == "Only users with tapemaster rights may read the audit log."
    assert window.model.rowCount() == shown
    type_into(qtbot, window.filterEdit, "newcomer")
    qtbot.waitUntil(lambda: len(boxes.shown) >= 2, timeout=5000)
    assert boxes.last().text == "Only users with tapemaster rights may read the audit log."
    assert all("newcomer" not in (window.model.index(r, 2).data() or "")
               for r in range(window.model.rowCount()))
    main.actionAuditLog.trigger()  # the menu does not bring it back
    assert boxes.last().text.startswith("Only users with tapemaster rights")
    assert office.windows.get(windows.AUDIT_LOG) is None


def test_an_action_checks_the_session_before_the_heartbeat_does(
    qtbot, launch, admin, boxes
) -> None:
    """carol lost Lite: her next password change logs her out, changing nothing."""
    program = launch("Lite")  # no fast beat: the action itself finds out
    admin.add_user({"user_id": "carol"}, PASSWORD)
    log_on(qtbot, program, "carol", PASSWORD)
    admin.update_user("carol", {"programs": "TapeMaster"})
    stored = admin.get_user("carol")
    dialog = program.main_window.reset_password()
    type_into(qtbot, dialog.currentPasswordEdit, PASSWORD)
    type_into(qtbot, dialog.newPasswordEdit, "Brand-New-Pass-1")
    type_into(qtbot, dialog.confirmPasswordEdit, "Brand-New-Pass-1")
    click(qtbot, dialog)
    _logged_out_with(qtbot, program,
                     "You were logged out: an administrator removed your access to Lite.")
    assert admin.get_user("carol") == stored
    assert program.ctx.store.list_sessions() == []
    assert [e.event for e in program.ctx.store.audit_events(user_id="carol", limit=2)] == [
        "session_ended", "user_updated"]


# --- the QR popup is part of the session (item 4) -----------------------------------------


def test_idle_closes_the_qr_popup_and_logs_out(qtbot, launch, admin) -> None:
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    program = launch("Lite", inactivity_ms=300)
    log_on(qtbot, program, "alice", PASSWORD)
    popup = program.otp_setup_dialog
    assert popup is not None and popup.isVisible()
    assert program._heartbeat.isActive() and program._idle_timer.isActive()
    qtbot.waitUntil(lambda: program._session is None, timeout=10_000)
    assert program.otp_setup_dialog is None and program.main_window is None
    assert "otpSetupDialog" not in visible_windows()
    assert program.login_dialog.isVisible()
    assert "without activity" in program.login_dialog.messageLabel.text()
    assert program.ctx.store.list_sessions() == []
    events = [(e.event, e.detail) for e in
              program.ctx.store.audit_events(user_id="alice", limit=3)]
    assert events[0] == ("logged_out", "inactivity")


def test_an_otp_reset_closes_the_qr_popup(qtbot, launch, admin) -> None:
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    program = launch("Lite", **BEAT)
    log_on(qtbot, program, "alice", PASSWORD)
    popup = program.otp_setup_dialog
    assert popup is not None and popup.isVisible()
    admin.update_user("alice", {"otp_enabled": True}, renew_otp=True)  # a new secret
    _logged_out_with(qtbot, program,
                     "You were logged out: an administrator switched on or reset your One "
                     "Time Password; log on again to set it up.")
    assert "otpSetupDialog" not in visible_windows()


def test_no_time_out_removed_takes_effect_at_the_next_beat(qtbot, launch, admin) -> None:
    admin.add_user({"user_id": "alice", "no_timeout": True}, PASSWORD)
    program = launch("Lite", inactivity_ms=300, **BEAT)
    log_on(qtbot, program, "alice", PASSWORD)
    assert not program._idle_timer.isActive()
    admin.update_user("alice", {"no_timeout": False})
    qtbot.waitUntil(lambda: program.main_window is None, timeout=10_000)
    assert "without activity" in program.login_dialog.messageLabel.text()


# --- faults (item 7) ---------------------------------------------------------------------


def test_a_store_that_cannot_be_reached_is_said_and_retried(
    qtbot, launch, admin, data_dir
) -> None:
    program = launch("Lite", **BEAT)
    program.ctx.store.close()
    from tapemaster_qt.store import open_store

    program.ctx.store = open_store(data_dir, busy_timeout_ms=20)  # a short wait
    admin.add_user({"user_id": "alice"}, PASSWORD)
    log_on(qtbot, program, "alice", PASSWORD)
    window = program.main_window
    holder = sqlite3.connect(data_dir / "tapemaster.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the store
    try:
        before = program.ctx.store.list_sessions()
        qtbot.waitUntil(lambda: window.storeProblemLabel.isVisible(), timeout=10_000)
        assert window.storeProblemLabel.text().startswith(
            "The user store cannot be reached; trying again every")
        assert program.main_window is window  # not logged out on a beat that failed
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    qtbot.waitUntil(lambda: not window.storeProblemLabel.isVisible(), timeout=10_000)
    assert program.main_window is window
    assert [s.id for s in program.ctx.store.list_sessions()] == [s.id for s in before]


def test_a_deleted_key_file_is_offered_back(qtbot, launch, boxes, data_dir) -> None:
    keyring.set_keyring(fail.Keyring())  # headless: the key is in store.key
    program = launch("TapeMaster", **BEAT)
    log_on(qtbot, program, "tapemaster", ADMIN_PASSWORD)
    key_file = data_dir / "store.key"
    original = key_file.read_bytes()
    key_file.unlink()
    qtbot.waitUntil(lambda: "storeKeyRestoredMessage" in boxes.names(), timeout=10_000)
    assert boxes.names()[-2:] == ["storeKeyMissingMessage", "storeKeyRestoredMessage"]
    assert key_file.read_bytes() == original
    assert boxes.last().text == f"The store key was written back to the key file {key_file} " \
                                "(readable by its owner only)."
    assert program.main_window is not None


def test_a_key_not_written_back_is_asked_about_once(qtbot, launch, boxes, data_dir) -> None:
    keyring.set_keyring(fail.Keyring())
    boxes.answer = QMessageBox.StandardButton.No
    program = launch("TapeMaster", **BEAT)
    log_on(qtbot, program, "tapemaster", ADMIN_PASSWORD)
    (data_dir / "store.key").unlink()
    qtbot.waitUntil(lambda: "storeKeyMissingMessage" in boxes.names(), timeout=10_000)
    for _ in range(3):  # several more beats
        with qtbot.waitSignal(program._heartbeat.timeout, timeout=10_000):
            pass
    assert boxes.names().count("storeKeyMissingMessage") == 1
    assert not (data_dir / "store.key").exists()


def test_the_first_run_dialog_that_loses_the_race_moves_to_logon(qtbot, launch) -> None:
    first = launch(initialise=False)
    second = launch(initialise=False)
    assert first.first_run_dialog.isVisible() and second.first_run_dialog.isVisible()
    for program, password in ((first, ADMIN_PASSWORD), (second, "Second-Try-2026")):
        dialog = program.first_run_dialog
        type_into(qtbot, dialog.passwordEdit, password)
        type_into(qtbot, dialog.confirmEdit, password)
        click(qtbot, dialog)
    assert first.first_run_dialog is None and second.first_run_dialog is None
    assert second.login_dialog.isVisible()
    assert second.login_dialog.messageLabel.text() == (
        "Another program set the tapemaster password first. Log on with that password.")
    log_on(qtbot, second, "tapemaster", ADMIN_PASSWORD)  # the winner's password
    assert second.main_window is not None


def test_a_log_out_the_disk_refused_is_said_at_exit(
    qtbot, launch, admin, boxes, monkeypatch
) -> None:
    from tapemaster_qt.errors import StoreFullError

    program = _lite(qtbot, launch, admin)
    store = program.ctx.store

    def full():
        raise StoreFullError("The disk holding the user store is full; nothing was changed.")

    monkeypatch.setattr(store, "write", full)
    program.close()
    assert boxes.last().object_name == "logoutNotRecordedMessage"
    assert boxes.last().text.startswith("The log out of alice at ")
    assert [s.user_id for s in admin._ctx.store.list_sessions()] == ["alice"]


def test_a_session_ended_while_the_activation_notice_is_open(
    qtbot, launch, admin, monkeypatch, tmp_path
) -> None:
    """The notice is modal: a heartbeat that ends the session meanwhile wins, and OK
    then opens no main window."""
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    program = launch("Lite")
    log_on(qtbot, program, "alice", PASSWORD)
    secret = secret_from_uri(read_qr(qtbot, program.otp_setup_dialog, tmp_path))
    click(qtbot, program.otp_setup_dialog)
    program.main_window.actionLogOut.trigger()

    def notice(box: QMessageBox) -> QMessageBox.StandardButton:
        assert box.objectName() == "otpActivatedMessage"
        admin.set_disabled("alice", True)
        program._beat()  # the heartbeat fires while the notice waits for OK
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(msgbox, "_exec", notice)
    log_on(qtbot, program, "alice", PASSWORD, rfc_totp(secret, time.time()))
    assert program.main_window is None and program._session is None
    assert program.login_dialog.messageLabel.text() == (
        "You were logged out: an administrator disabled your User-ID.")


def test_a_record_put_back_meanwhile_stops_the_program_at_its_heartbeat(
    qtbot, launch, admin, boxes, data_dir
) -> None:
    """alice is disabled while Lite is logged on; her enabled row is then put back in
    the file (its own seal holds). The heartbeat refuses the store, as a start would:
    said, and the program stops, instead of keeping her on the older record."""
    from unit.support import put_row_back, snapshot_row

    program = _lite(qtbot, launch, admin)
    program._heartbeat.stop()  # the next beat comes when the test says
    ended: list[int] = []
    program.finished.connect(ended.append)
    enabled = snapshot_row(data_dir, "users", "user_id = 'alice'")
    admin.set_disabled("alice", True)
    put_row_back(data_dir, "users", "user_id = 'alice'", enabled)

    program._beat()
    qtbot.waitUntil(lambda: ended == [1], timeout=10_000)
    assert boxes.last().object_name == "storeErrorMessage"
    assert boxes.last().icon == "Critical"
    assert "users: a row holds an older or foreign sealed copy" in boxes.last().text
    assert program.main_window is None
