"""Idle log out without surprise (issue 11 item 6): the countdown notice and Stay logged
on, the status bar's time, and edits not saved kept for the user's next logon.

The controller's idle clock is moved by hand (as in test_main_window.py), so nothing
races a busy machine; the test waits for what the user sees.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.driving import (
    grid_value,
    log_on,
    open_admin,
    open_properties_by_double_click,
    save,
    type_in_grid,
    type_into,
)
from helpers import ADMIN_PASSWORD
from tapemaster_qt import app as app_module
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import windows
from tapemaster_qt.ui.models.identity import ChangedRole

PASSWORD = "tapes-and-more-42"
INACTIVITY_MS = 10_000
WARNING_MS = 4_000


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_800_000_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall + self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(app_module, "time", fake)
    return fake


@pytest.fixture
def app(launch, clock):
    controller = launch("TapeMaster", inactivity_ms=INACTIVITY_MS,
                        idle_warning_ms=WARNING_MS)
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    admin.add_user({"user_id": "alice", "name": "Alice Archer"}, PASSWORD)
    admin.add_user({"user_id": "relaxed", "no_timeout": True}, PASSWORD)
    admin.add_group("OPS", "Operations")
    return controller


def idle_for(qtbot, controller, clock: FakeClock, seconds: float) -> None:
    """Nobody touches anything for ``seconds``; then the idle check runs (at once: the
    real timer waits as long as the hand-moved clock says, in real time)."""
    clock.now += seconds
    with qtbot.waitSignal(controller._idle_timer.timeout, timeout=20_000):
        controller._idle_timer.start(1)


def notice(controller):
    return controller.windows.get(windows.IDLE_NOTICE)


def status(controller) -> str:
    return controller.main_window.idleStatusLabel.text().strip()


def at(clock: FakeClock, seconds_from_now: float) -> str:
    when = datetime.fromtimestamp(clock.time() + seconds_from_now)
    return f"Idle log out at {when.strftime('%H:%M')}"


def test_a_countdown_a_minute_before_and_stay_logged_on(qtbot, app, clock) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = app.main_window
    assert status(app) == at(clock, 10)
    assert "without using the keyboard or the mouse" in (
        window.idleStatusLabel.toolTip())
    idle_for(qtbot, app, clock, 5.0)
    assert notice(app) is None  # 5 s left: more than the warning
    idle_for(qtbot, app, clock, 2.0)
    shown = notice(app)
    assert shown is not None and shown.isVisible()
    assert not shown.isActiveWindow()  # it took nothing from the user
    assert shown.windowTitle() == "TapeMaster — Still there?"
    assert shown.countdownLabel.text() == ("TapeMaster logs you out in 3 seconds because "
                                           "it has not been used for a while.")
    assert not shown.editsLabel.isVisible()
    qtbot.mouseClick(shown.stayButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: notice(app) is None)
    assert app.main_window is window
    assert status(app) == at(clock, 10)  # ten minutes again from now


def test_any_key_also_keeps_the_session(qtbot, app, clock) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    idle_for(qtbot, app, clock, 8.0)
    assert notice(app) is not None
    qtbot.keyClick(app.main_window, Qt.Key.Key_Shift)
    qtbot.waitUntil(lambda: notice(app) is None)
    idle_for(qtbot, app, clock, 5.0)
    assert app.main_window is not None


def test_the_countdown_ends_in_a_log_out(qtbot, app, clock) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    idle_for(qtbot, app, clock, 8.0)
    assert notice(app) is not None
    idle_for(qtbot, app, clock, 2.5)
    qtbot.waitUntil(lambda: app.main_window is None)
    assert notice(app) is None
    assert app.login_dialog.isVisible()
    assert app.login_dialog.messageLabel.text() == (
        "You were logged out after 1 minute without activity.")  # 10 s, rounded up


def test_no_time_out_says_so_and_never_counts_down(qtbot, app, clock) -> None:
    log_on(qtbot, app, "relaxed", PASSWORD)
    assert status(app) == "No Time-Out"
    assert "never logged out for inactivity" in app.main_window.idleStatusLabel.toolTip()
    clock.now += 3600
    app._check_idle()  # as if its timer ran: it does not (nothing to count)
    assert not app._idle_timer.isActive()
    assert notice(app) is None and app.main_window is not None
    assert status(app) == "No Time-Out"


def test_unsaved_properties_are_kept_for_the_next_logon(qtbot, app, clock, boxes) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    admin = open_admin(qtbot, app)
    dialog = open_properties_by_double_click(qtbot, admin, "alice")
    type_in_grid(qtbot, dialog, "Name", "Alice Archer-Smith")
    idle_for(qtbot, app, clock, 8.0)
    shown = notice(app)
    assert shown.editsLabel.isVisible()
    assert shown.editsLabel.text() == (
        "Not saved yet: User Properties — alice. Your changes are kept and offered again "
        "when you log back on.")
    idle_for(qtbot, app, clock, 2.5)
    qtbot.waitUntil(lambda: app.main_window is None)
    assert "confirmDiscardMessage" not in boxes.names()  # nobody was there to ask
    assert app.ctx.store.get_user("alice").name == "Alice Archer"  # nothing saved

    # Someone else logs on at this desk: not offered to them.
    log_on(qtbot, app, "relaxed", PASSWORD)
    qtbot.wait(50)
    assert "restoreDraftsMessage" not in boxes.names()
    app.main_window.actionLogOut.trigger()

    boxes.answer = QMessageBox.StandardButton.Yes
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: "restoreDraftsMessage" in boxes.names())
    offer = boxes.last()
    assert offer.text == ("You were logged out with changes not saved: User Properties "
                          "— alice.")
    again = app.windows.get(windows.USER_PROPERTIES)
    assert again is not None and again.windowTitle() == "User Properties — alice"
    assert grid_value(again, "Name") == "Alice Archer-Smith"
    assert again.model.value_index("Name").data(ChangedRole)  # marked: not saved
    assert "are back" in again.noteLabel.text()
    qtbot.waitExposed(again)
    save(qtbot, again)
    assert app.ctx.store.get_user("alice").name == "Alice Archer-Smith"


def test_drafts_discarded_are_gone(qtbot, app, clock, boxes) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    admin = open_admin(qtbot, app)
    dialog = open_properties_by_double_click(qtbot, admin, "alice")
    type_in_grid(qtbot, dialog, "Name", "Changed")
    idle_for(qtbot, app, clock, 11)
    qtbot.waitUntil(lambda: app.main_window is None)
    boxes.answer = QMessageBox.StandardButton.No  # Discard
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: "restoreDraftsMessage" in boxes.names())
    assert app.windows.get(windows.USER_PROPERTIES) is None
    app.main_window.actionLogOut.trigger()
    boxes.shown.clear()
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.wait(50)
    assert boxes.names() == []
    assert app.ctx.store.get_user("alice").name == "Alice Archer"


def test_a_new_user_and_a_group_description_are_kept_too(qtbot, app, clock,
                                                         boxes) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    admin = open_admin(qtbot, app)
    adding = admin.add_user()
    qtbot.waitUntil(adding.isActiveWindow)
    type_in_grid(qtbot, adding, "User-ID", "erin")
    type_into(qtbot, adding.identityTab.passwordEdit, "a-secret-never-kept")
    idle_for(qtbot, app, clock, 11)
    qtbot.waitUntil(lambda: app.main_window is None)
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: "restoreDraftsMessage" in boxes.names())
    again = app.windows.get(windows.USER_PROPERTIES)
    assert again.adding and grid_value(again, "User-ID") == "erin"
    assert again.identityTab.passwordEdit.text() == ""  # passwords are never kept
    assert again.noteLabel.text().endswith("Type the password again.")
    again.discard_edits()
    again.reject()

    admin = app.windows.get(windows.ADMINISTRATION)
    admin.adminTabs.setCurrentIndex(1)
    group = admin.open_group_named("OPS")
    qtbot.waitUntil(group.isActiveWindow)
    type_into(qtbot, group.descriptionEdit, "Night operations")
    boxes.shown.clear()
    idle_for(qtbot, app, clock, 11)
    qtbot.waitUntil(lambda: app.main_window is None)
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: "restoreDraftsMessage" in boxes.names())
    assert boxes.last().text.endswith("Group Properties — OPS.")
    group = app.windows.get(windows.GROUP_PROPERTIES)
    assert group.descriptionEdit.text() == "Night operations"
    qtbot.keyClick(group.descriptionEdit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.ctx.store.get_group("OPS").description == "Night operations")


def test_a_question_open_at_the_log_out_goes_with_it(qtbot, app, clock, boxes,
                                                     monkeypatch) -> None:
    """The idle log out comes while "Discard your changes?" waits for an answer (a
    real modal box, its own event loop): the box goes with the dialog it belongs to
    (Qt ends a dialog's loop when it is hidden), the edits are kept, and nothing of the
    session is left over the logon dialog."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tapemaster_qt.ui import msgbox

    fake = msgbox._exec
    asked: list[str] = []

    def real_then_fake(box: QMessageBox) -> QMessageBox.StandardButton:
        if box.objectName() != "confirmDiscardMessage":
            return fake(box)
        asked.append(box.text())
        # While it waits: nobody answers, and the idle time runs out.
        QTimer.singleShot(0, lambda: idle_for(qtbot, app, clock, 11))
        return QMessageBox.StandardButton(box.exec())

    monkeypatch.setattr(msgbox, "_exec", real_then_fake)
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    admin = open_admin(qtbot, app)
    dialog = open_properties_by_double_click(qtbot, admin, "alice")
    type_in_grid(qtbot, dialog, "Name", "Alice Kept")
    dialog.reject()  # Esc: asks, and the answer never comes
    assert asked == ["Discard your changes to alice?"]
    qtbot.waitUntil(lambda: app.main_window is None)
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()]
    assert app.login_dialog.isVisible()
    boxes.answer = QMessageBox.StandardButton.Yes
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: app.windows.get(windows.USER_PROPERTIES) is not None)
    assert grid_value(app.windows.get(windows.USER_PROPERTIES), "Name") == "Alice Kept"
