"""Group/User Administration, Active Users and the Audit Log from the keyboard, and the
Users grid's Status column, legend and colours (issue 11, items 3 and 4)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QMessageBox, QWidget

from gui.driving import cell, click_user, log_on, open_admin, shown_user_ids, top_level
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.ui import palette, windows

PASSWORD = "tapes-and-more-42"
Key = Qt.Key
CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


@pytest.fixture
def app(launch):
    controller = launch("TapeMaster")
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    admin.add_user({"user_id": "alice", "name": "Alice Archer"}, PASSWORD)
    admin.add_user({"user_id": "bob", "name": "Bob Baker", "disabled": True}, PASSWORD)
    admin.add_user({"user_id": "carol", "name": "Carol Cole", "otp_enabled": True}, PASSWORD)
    return controller


@pytest.fixture
def window(qtbot, app):
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    opened = open_admin(qtbot, app)
    qtbot.waitUntil(opened.isActiveWindow)
    qtbot.waitUntil(lambda: not opened._idle.isActive())
    return opened


def dialog(window, key: str):
    return window.windows.get(key)


def back_to(qtbot, window) -> None:
    """The window manager gives the window the keyboard back when a dialog closes; the
    offscreen platform of the tests has none, so the test does it."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def mnemonics(texts: list[str]) -> list[str]:
    return [m.group(1).casefold() for t in texts if (m := re.search(r"&([^&])", t))]


# --- item 4: the keyboard -------------------------------------------------------------------


def test_every_action_is_in_a_menu_with_its_shortcut(qtbot, window) -> None:
    bar = window.findChild(QWidget, "adminMenuBar")
    titles = [a.text() for a in bar.actions()]
    assert [t.replace("&", "") for t in titles] == ["User", "Group", "Edit", "View"]
    in_menus = {a.objectName(): a for m in bar.actions() for a in m.menu().actions()}
    shortcuts = {name: in_menus[name].shortcut().toString() for name in (
        "actionAddUser", "actionUserProperties", "actionDeleteUser", "actionRefresh",
        "actionClose", "actionFilter", "actionSelectAll", "actionInvertSelection")}
    assert shortcuts == {
        "actionAddUser": "Ctrl+N", "actionUserProperties": "Enter",
        "actionDeleteUser": "Del", "actionRefresh": "F5", "actionClose": "Esc",
        "actionFilter": "Ctrl+F", "actionSelectAll": "Ctrl+A",
        "actionInvertSelection": "Ctrl+I"}
    props = in_menus["actionUserProperties"]
    assert QKeySequence("Alt+Return") in props.shortcuts()
    for name in ("actionResetUserPassword", "actionUnlockUser", "actionExportUsers",
                 "actionResealUser"):
        assert name in in_menus, name
    # The right-click menu shows the shortcuts too.
    for action in window.users_menu().actions():
        if not action.shortcut().isEmpty():
            assert action.isShortcutVisibleInContextMenu(), action.objectName()


def test_mnemonics_do_not_clash(qtbot, window) -> None:
    bar = window.findChild(QWidget, "adminMenuBar")
    users_tab = window.adminTabs.widget(0)
    buddies = [label.text() for label in users_tab.findChildren(QLabel) if label.buddy()]
    top = mnemonics([a.text() for a in bar.actions()] + buddies)
    assert len(top) == len(set(top)), top
    for menu in [a.menu() for a in bar.actions()] + [window.users_menu()]:
        letters = mnemonics([a.text() for a in menu.actions() if a.text()])
        assert len(letters) == len(set(letters)), (menu.title(), letters)


def test_ctrl_n_enter_alt_enter_and_del(qtbot, app, window, boxes) -> None:
    qtbot.keyClick(window.usersView, Key.Key_N, CTRL)
    add = dialog(window, windows.USER_PROPERTIES)
    assert add is not None and add.adding
    add.reject()

    click_user(qtbot, window, "alice")
    qtbot.keyClick(window.usersView, Key.Key_Return)
    props = dialog(window, windows.USER_PROPERTIES)
    qtbot.waitUntil(lambda: props is not None and props.isVisible())
    assert props.windowTitle().endswith("alice")
    props.reject()
    qtbot.waitUntil(lambda: dialog(window, windows.USER_PROPERTIES) is None)

    back_to(qtbot, window)
    click_user(qtbot, window, "bob")
    qtbot.keyClick(window.usersView, Key.Key_Return, ALT)
    props = dialog(window, windows.USER_PROPERTIES)
    assert props is not None and props.windowTitle().endswith("bob")
    props.reject()
    qtbot.waitUntil(lambda: dialog(window, windows.USER_PROPERTIES) is None)
    back_to(qtbot, window)

    boxes.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(window.usersView, Key.Key_Delete)
    assert boxes.names()[-1] == "confirmDeleteMessage"
    assert app.ctx.store.get_user("bob") is None
    assert "bob" not in shown_user_ids(window)


def test_keys_of_the_table_do_not_fire_in_the_filter_box(qtbot, app, window, boxes) -> None:
    click_user(qtbot, window, "alice")
    qtbot.keyClick(window.usersView, Key.Key_F, CTRL)
    edit = window.usersFilterEdit
    assert edit.hasFocus()
    qtbot.keyClicks(edit, "alice")
    qtbot.keyClick(edit, Key.Key_Home)
    qtbot.keyClick(edit, Key.Key_Delete)  # deletes a character, not alice
    assert edit.text() == "lice" and boxes.shown == []
    assert app.ctx.store.get_user("alice") is not None
    qtbot.keyClick(edit, Key.Key_A, CTRL)  # selects the text, not every user
    assert edit.selectedText() == "lice"

    qtbot.keyClick(edit, Key.Key_Escape)  # first Esc: clears the filter, back to the table
    assert edit.text() == "" and window.isVisible() and window.usersView.hasFocus()
    qtbot.keyClick(window.usersView, Key.Key_Escape)  # then Esc closes
    qtbot.waitUntil(lambda: not window.isVisible())


def test_f5_reads_what_another_program_changed(qtbot, app, window) -> None:
    other = AdminService(app.ctx, Actor.for_cli())
    other.add_user({"user_id": "dave"}, PASSWORD)
    assert "dave" not in shown_user_ids(window)
    qtbot.keyClick(window.usersView, Key.Key_F5)
    assert "dave" in shown_user_ids(window)


def test_active_users_and_audit_log_take_f5_and_esc(qtbot, launch, app, window) -> None:
    main = app.main_window
    main.activateWindow()
    active = main.open_active_users()
    qtbot.waitUntil(active.isActiveWindow)
    assert active.countLabel.text() == "1 active session"
    lite = launch("Lite")
    log_on(qtbot, lite, "alice", PASSWORD)
    qtbot.waitUntil(active.isActiveWindow)
    qtbot.keyClick(active.sessionsView, Key.Key_F5)
    assert active.countLabel.text() == "2 active sessions"
    qtbot.keyClick(active.sessionsView, Key.Key_Escape)
    qtbot.waitUntil(lambda: not active.isVisible())

    audit = main.open_audit_log()
    qtbot.waitUntil(audit.isActiveWindow)
    before = audit.model.rowCount()
    AdminService(app.ctx, Actor.for_cli()).add_user({"user_id": "erin"}, PASSWORD)
    qtbot.keyClick(audit.auditView, Key.Key_F5)
    assert audit.model.rowCount() == before + 1
    assert audit.model.index(0, 2).data() == "erin"
    qtbot.keyClick(audit.auditView, Key.Key_F, CTRL)
    assert audit.filterEdit.hasFocus()
    qtbot.keyClick(audit.filterEdit, Key.Key_Escape)  # an empty filter: Esc closes
    qtbot.waitUntil(lambda: not audit.isVisible())


# --- item 3: the Users grid -----------------------------------------------------------------


def test_status_column_and_legend(qtbot, app, window) -> None:
    assert cell(window, "alice", "Status") == ""
    assert cell(window, "bob", "Status") == "Disabled"
    assert cell(window, "carol", "Status") == "OTP pending"
    legend = window.usersLegend
    words = [label.text() for label in legend.findChildren(QLabel) if label.text()]
    assert words[:5] == ["OTP active", "OTP pending", "Revoked", "Disabled", "Tampered"]
    assert "Grey rows" in legend.rowsLabel.text() and "Red rows" in legend.rowsLabel.text()
    assert all(not label.pixmap().isNull() for label in legend.findChildren(QLabel)
               if not label.text())


def test_columns_fit_their_content(qtbot, app, window) -> None:
    admin = AdminService(app.ctx, Actor.for_user("tapemaster"))
    long_name = "Maximiliane Wolkenstein-Trostburg"
    admin.add_user({"user_id": "maxi", "name": long_name}, PASSWORD)
    window.reload()
    window.fit_columns()
    view = window.usersView
    metrics = view.fontMetrics()
    proxy = window.usersProxy
    headers = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]
    name = headers.index("Name")
    assert view.columnWidth(name) > metrics.horizontalAdvance(long_name)
    role = headers.index("Role")
    header_metrics = view.horizontalHeader().fontMetrics()
    assert header_metrics.horizontalAdvance("Role") < view.columnWidth(role) < (
        metrics.horizontalAdvance(long_name))  # a one-digit column stays narrow


def test_row_colours_follow_a_dark_palette(qtbot, app, window) -> None:
    light = QGuiApplication.palette()
    proxy = window.usersProxy
    bob = next(proxy.index(r, 0) for r in range(proxy.rowCount())
               if proxy.index(r, 0).data() == "bob")
    grey_on_light = bob.data(Qt.ItemDataRole.ForegroundRole).color()
    dark = QPalette(light)
    for role, color in ((QPalette.ColorRole.Base, "#1e1e1e"),
                        (QPalette.ColorRole.Text, "#e6e6e6"),
                        (QPalette.ColorRole.Window, "#2b2b2b")):
        dark.setColor(role, QColor(color))
    QApplication.setPalette(dark)
    try:
        qtbot.waitUntil(lambda: bob.data(Qt.ItemDataRole.ForegroundRole).color()
                        != grey_on_light)
        grey_on_dark = bob.data(Qt.ItemDataRole.ForegroundRole).color()
        base = QColor("#1e1e1e")
        assert grey_on_dark.lightness() > base.lightness() + 80  # light grey on black
        assert palette.danger().lightness() > 150  # a light red on a dark base
    finally:
        QApplication.setPalette(light)
    assert palette.danger().lightness() < 128


def test_the_menus_enable_what_the_selection_allows(qtbot, app, window) -> None:
    for _ in range(6):
        LogonService(app.ctx).logon("alice", "wrong-password-1")
    window.reload()
    click_user(qtbot, window, "carol")
    assert not window.actionUnlockUser.isEnabled()
    assert window.actionUserProperties.isEnabled()
    click_user(qtbot, window, "alice", Qt.KeyboardModifier.ControlModifier)
    assert window.actionUnlockUser.isEnabled()  # alice is revoked
    assert not window.actionUserProperties.isEnabled()  # two users
    qtbot.keyClick(window.usersView, Key.Key_A, CTRL)
    assert window.actionDeleteUser.isEnabled() and window.actionUnlockUser.isEnabled()
    assert len(window.selected_user_ids()) == len(shown_user_ids(window))
    assert isinstance(window.users_menu(), QMenu)
    assert top_level("groupUserAdministration") is window
