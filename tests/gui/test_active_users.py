"""Active Users ▸ Properties (issue 11 item 5): a session's details, from the keyboard,
a double-click and the right-click menu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu

from gui.driving import log_on, menu_action
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.ui import windows
from tapemaster_qt.ui.texts import local_time

PASSWORD = "tapes-and-more-42"
Key = Qt.Key


def test_properties_shows_a_sessions_details(qtbot, launch, hasher) -> None:
    app = launch("TapeMaster")
    AdminService(app.ctx, Actor.for_user("tapemaster")).add_user({"user_id": "alice"},
                                                                   PASSWORD)
    lite = Context(app.ctx.store, program="Lite", host="desk-7", pid=4242, hasher=hasher)
    outcome = LogonService(lite).logon("alice", PASSWORD)  # alice on another desk
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = app.main_window.open_active_users()
    qtbot.waitUntil(window.isActiveWindow)
    # The first row is selected from the start: Enter works at once, even on one row.
    assert len(window.selected_sessions()) == 1 and window.propertiesButton.isEnabled()
    view = window.sessionsView
    qtbot.keyClick(view, Key.Key_End)
    qtbot.keyClick(view, Key.Key_Home)
    while window.selected_sessions()[0].user_id != "alice":
        qtbot.keyClick(view, Key.Key_Down)
    assert view.hasFocus()
    qtbot.keyClick(view, Key.Key_Return)
    dialog = window.windows.get(windows.SESSION_PROPERTIES)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Session Properties — alice"
    shown = {label: value.text() for label, value in dialog.values.items()}
    session = outcome.session
    assert shown["User-ID"] == "alice" and shown["Program"] == "Lite"
    assert shown["Computer"] == "desk-7" and shown["Process ID"] == "4242"
    assert shown["Session"] == str(session.session_id)
    assert shown["Logged on"].startswith(local_time(session.since, seconds=True))
    assert shown["Logged on"].endswith("ago)") or shown["Logged on"].endswith("(just now)")
    qtbot.mouseClick(dialog.buttonBox.button(QDialogButtonBox.StandardButton.Close),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.windows.get(windows.SESSION_PROPERTIES) is None)

    # The same from a double-click, and in the right-click menu with its key.
    row = next(r for r in range(window.proxy.rowCount())
               if window.proxy.index(r, 0).data() == "tapemaster")
    rect = view.visualRect(window.proxy.index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = window.windows.get(windows.SESSION_PROPERTIES)
    qtbot.waitExposed(dialog)
    assert dialog.values["User-ID"].text() == "tapemaster"
    assert dialog.values["Program"].text() == "TapeMaster"
    assert dialog.values["State"].text() == "Active"
    dialog.reject()
    window.reload()  # the 30-second refresh keeps the selection
    assert [s.user_id for s in window.selected_sessions()] == ["tapemaster"]
    action = window.actionSessionProperties
    assert action.shortcut().toString() == "Enter" and action.isEnabled()
    window._row_menu(rect.center())
    menu = window.findChild(QMenu, "sessionsContextMenu")
    assert menu_action(menu, "actionSessionProperties") is action
    menu.close()
