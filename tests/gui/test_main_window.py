"""The main window: status bar, welcome text, Log Out, the inactivity time-out, closing,
Active Users, the Audit Log and the About box."""

from __future__ import annotations

import os

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from gui.driving import log_on, log_out, top_level, type_into
from helpers import ADMIN_PASSWORD
from tapemaster_qt import app as app_module
from tapemaster_qt import logsetup
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

PASSWORD = "alice-tapes-42"


def add_alice(controller, **fields) -> None:
    AdminService(controller.ctx, Actor.for_user("tapemaster")).add_user(
        {"user_id": "alice", "name": "Alice Archer", **fields}, PASSWORD)


def test_status_bar_and_title(qtbot, launch) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    window = controller.main_window
    assert window.objectName() == "mainWindow" and "TapeMaster" in window.windowTitle()
    assert window.statusBar().currentMessage() == "Ready"
    assert window.userStatusLabel.text().strip() == "tapemaster"
    assert window.programStatusLabel.text().strip() == "TapeMaster"
    assert [m.objectName() for m in (window.menuFile, window.menuAdministration,
                                     window.menuHelp)] == [
        "menuFile", "menuAdministration", "menuHelp"]
    assert window.menuAdministration.isEnabled()
    assert window.actionGroupUserAdministration.isEnabled()


def test_welcome_tells_of_failed_attempts(qtbot, launch) -> None:
    controller = launch()
    add_alice(controller)
    log_on(qtbot, controller, "alice", PASSWORD)
    assert "Welcome, Alice Archer" in controller.main_window.welcomeLabel.text()
    assert "first logon" in controller.main_window.welcomeLabel.text()
    log_out(controller)

    for guess in ("wrong-one-1", "wrong-two-2"):
        log_on(qtbot, controller, "alice", guess)
        assert controller.main_window is None
    log_on(qtbot, controller, "alice", PASSWORD)
    text = controller.main_window.welcomeLabel.text()
    assert "2 failed logon attempts since then" in text
    assert "last successful logon" in text
    log_out(controller)

    log_on(qtbot, controller, "alice", PASSWORD)  # the count starts again
    text = controller.main_window.welcomeLabel.text()
    assert "failed logon attempts since then" not in text.replace("No failed", "")
    assert "No failed logon attempts" in text


def test_failures_before_a_first_logon_are_told_too(qtbot, launch) -> None:
    controller = launch()
    add_alice(controller)
    log_on(qtbot, controller, "alice", "someone-guessing")
    log_on(qtbot, controller, "alice", PASSWORD)
    text = controller.main_window.welcomeLabel.text()
    assert "first logon" in text
    assert "1 failed logon attempt before this logon" in text


def test_log_out_returns_to_the_logon_dialog(qtbot, launch) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    window = controller.main_window
    assert len(controller.ctx.store.list_sessions()) == 1
    assert window.actionLogOut in window.menuFile.actions()
    window.actionLogOut.trigger()
    assert controller.main_window is None and not window.isVisible()
    dialog = controller.login_dialog
    assert dialog.isVisible()
    assert dialog.userIdEdit.text() == "tapemaster" and dialog.passwordEdit.text() == ""
    assert not dialog.messageLabel.isVisible()  # a chosen log out needs no explanation
    assert controller.ctx.store.list_sessions() == []
    event = controller.ctx.store.audit_events(user_id="tapemaster", limit=1)[0]
    assert event.event == "logged_out"
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)  # and back in
    assert controller.main_window is not None


def test_inactivity_logs_out_unless_no_time_out(qtbot, launch) -> None:
    relaxed = launch(inactivity_ms=300)
    add_alice(relaxed, no_timeout=True)
    log_on(qtbot, relaxed, "alice", PASSWORD)
    assert relaxed.main_window is not None
    first = launch(inactivity_ms=300)  # tapemaster, in a second program on the same desk
    log_on(qtbot, first, "tapemaster", ADMIN_PASSWORD)

    qtbot.waitUntil(lambda: first.main_window is None, timeout=10_000)
    dialog = first.login_dialog
    assert dialog.isVisible()
    assert "logged out" in dialog.messageLabel.text()
    assert "without activity" in dialog.messageLabel.text()
    events = [(e.event, e.detail) for e in
              first.ctx.store.audit_events(user_id="tapemaster", limit=2)]
    assert events == [("logged_out", "inactivity"), ("login_succeeded", "")]

    # alice's No Time-Out keeps her logged on well past the same idle time.
    qtbot.wait(600)
    assert relaxed.main_window is not None and relaxed.main_window.isVisible()
    assert [s.user_id for s in relaxed.ctx.store.list_sessions()] == ["alice"]


class FakeMonotonic:
    """The controller's idle clock, moved by hand: no race with a busy machine."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_800_000_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        """The wall clock (for the status bar's time of the log out), moved with it."""
        return self.wall + self.now


def test_activity_keeps_the_session(qtbot, launch, monkeypatch) -> None:
    clock = FakeMonotonic()
    monkeypatch.setattr(app_module, "time", clock)
    controller = launch(inactivity_ms=400)
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    window = controller.main_window
    ticks = controller._idle_timer  # the check runs on every tick of this timer

    clock.now += 0.3
    with qtbot.waitSignal(ticks.timeout):
        pass
    assert controller.main_window is window  # idle 0.3 s of 0.4 s
    qtbot.keyClick(window, Qt.Key.Key_Shift)  # any key or mouse use is activity
    clock.now += 0.3
    with qtbot.waitSignal(ticks.timeout):
        pass
    assert controller.main_window is window  # 0.6 s since logon, 0.3 s since the key
    clock.now += 0.2
    qtbot.waitUntil(lambda: controller.main_window is None)
    assert controller.login_dialog.isVisible()


def test_closing_the_main_window_ends_the_program(qtbot, launch) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    window = controller.main_window
    with qtbot.waitSignal(controller.finished) as finished:
        window.close()
    assert finished.args == [0]
    assert not window.isVisible() and controller.main_window is None
    assert controller.ctx.store.list_sessions() == []
    event = controller.ctx.store.audit_events(user_id="tapemaster", limit=1)[0]
    assert (event.event, event.detail) == ("logged_out", "exit")


# --- Active Users and Audit Log -------------------------------------------------------------


def test_active_users_lists_the_sessions(qtbot, launch) -> None:
    controller = launch()
    add_alice(controller)
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    controller.main_window.actionActiveUsers.trigger()
    window = top_level("activeUsersWindow")
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Active Users"
    view = window.sessionsView

    def rows() -> list[tuple[str, str, str]]:
        model = view.model()
        return sorted((model.index(r, 0).data(), model.index(r, 1).data(),
                       model.index(r, 3).data()) for r in range(model.rowCount()))

    assert rows() == [("tapemaster", "TapeMaster", str(os.getpid()))]
    assert window.countLabel.text() == "1 active session"

    lite = launch("Lite")
    log_on(qtbot, lite, "alice", PASSWORD)
    refresh = next(b for b in window.findChildren(QPushButton)
                   if b.text().replace("&", "") == "Refresh")
    qtbot.mouseClick(refresh, Qt.MouseButton.LeftButton)
    assert [r[:2] for r in rows()] == [("alice", "Lite"), ("tapemaster", "TapeMaster")]
    assert window.countLabel.text() == "2 active sessions"
    qtbot.keyClicks(window.filterEdit, "lite")
    assert view.model().rowCount() == 1

    # The same window comes to the front again rather than a second one.
    controller.main_window.actionActiveUsers.trigger()
    assert top_level("activeUsersWindow") is window


def test_audit_log_shows_recent_events_and_filters(qtbot, launch) -> None:
    controller = launch()
    add_alice(controller)
    log_on(qtbot, controller, "alice", "wrong-guess-1")
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    controller.main_window.actionAuditLog.trigger()
    window = top_level("auditLogWindow")
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Audit Log"
    model = window.auditView.model()

    def events() -> list[tuple[str, str]]:
        return [(model.index(r, 1).data(), model.index(r, 2).data())
                for r in range(model.rowCount())]

    assert events()[0] == ("Logged on", "tapemaster")  # newest first, in words
    assert ("Wrong password", "alice") in events()
    assert ("User added", "alice") in events()
    assert window.countLabel.text() == f"{model.rowCount()} events"

    type_into(qtbot, window.filterEdit, "alice")
    qtbot.waitUntil(lambda: {user for _, user in events()} == {"alice"})
    assert [event for event, _ in events()] == ["Wrong password", "User added"]
    assert window.countLabel.text() == "2 events match the filters"
    type_into(qtbot, window.filterEdit, "no-such-thing")
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    assert window.countLabel.text() == "No events match the filters."


# --- About ----------------------------------------------------------------------------------


def test_about_names_the_store_the_key_and_the_log_folder(qtbot, launch, boxes, data_dir,
                                                          package_logging) -> None:
    logsetup.configure(data_dir / "logs")  # as app.main does before the first window
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    controller.main_window.actionAbout.trigger()
    assert boxes.names() == ["aboutMessage"]
    about = boxes.last()
    assert about.title == "About TapeMaster"
    assert f"User store: {controller.ctx.store.path}" in about.informative
    key_line = about.informative.splitlines()[1]
    assert key_line.startswith("Store key: OS keyring (") and "MemoryKeyring" in key_line
    # Where support staff find tapemaster.log and any crash log.
    assert about.informative.splitlines()[2] == f"Log folder: {data_dir / 'logs'}"


@pytest.fixture
def no_keyring():
    """Headless Linux: keyring has no backend that can store anything."""
    keyring.set_keyring(fail.Keyring())


def test_about_says_when_the_key_is_in_a_file(qtbot, no_keyring, launch, boxes) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    controller.main_window.actionAbout.trigger()
    key_file = controller.ctx.store.folder / "store.key"
    assert key_file.exists()
    assert f"Store key: key file {key_file} (readable by its owner only)" in (
        boxes.last().informative)
