"""The Groups tab (issue 11 item 5): a group's description edited, an empty group
deleted, a group with users refused saying how many; from the keyboard and the mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenuBar, QMessageBox

from gui.driving import log_on, menu_action, open_admin, type_into
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import windows

PASSWORD = "tapes-and-more-42"
Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def app(launch):
    controller = launch("TapeMaster")
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    admin.add_group("OPS", "Operations")
    admin.add_group("SPARE", "Nobody yet")
    for user_id in ("alice", "bob"):
        admin.add_user({"user_id": user_id, "group_id": "OPS"}, PASSWORD)
    return controller


@pytest.fixture
def window(qtbot, app):
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    opened = open_admin(qtbot, app)
    qtbot.waitUntil(opened.isActiveWindow)
    qtbot.keyClick(opened.usersView, Key.Key_Tab, CTRL)  # to the Groups tab
    assert opened.adminTabs.currentIndex() == 1
    opened.groupsView.setFocus()
    return opened


def groups(window) -> dict[str, tuple[str, str]]:
    model = window.groupsModel
    return {model.index(r, 0).data(): (model.index(r, 1).data(), model.index(r, 2).data())
            for r in range(model.rowCount())}


def arrow_to(qtbot, window, group_id: str) -> None:
    """Down the Groups table with the arrow keys until ``group_id`` is selected."""
    view = window.groupsView
    qtbot.keyClick(view, Key.Key_End)  # a move selects (Home alone may not move)
    qtbot.keyClick(view, Key.Key_Home)
    for _ in range(window.groupsModel.rowCount()):
        chosen = window.selected_group()
        if chosen is not None and chosen.group_id == group_id:
            return
        qtbot.keyClick(view, Key.Key_Down)
    raise AssertionError(f"{group_id} not reached")


def opened(qtbot, window, key: str):
    dialog = window.windows.get(key)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_edit_a_description_from_the_keyboard(qtbot, app, window) -> None:
    assert groups(window) == {"DEFAULT": ("Default group", "0"), "OPS": ("Operations", "2"),
                              "SPARE": ("Nobody yet", "0")}
    arrow_to(qtbot, window, "OPS")
    qtbot.keyClick(window.groupsView, Key.Key_Return)
    dialog = opened(qtbot, window, windows.GROUP_PROPERTIES)
    assert dialog.windowTitle() == "Group Properties — OPS"
    assert dialog.groupIdEdit.isReadOnly() and dialog.groupIdEdit.text() == "OPS"
    assert dialog.descriptionEdit.hasFocus()
    type_into(qtbot, dialog.descriptionEdit, "Night operations")
    qtbot.keyClick(dialog.descriptionEdit, Key.Key_Return)  # Save
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert app.ctx.store.get_group("OPS").description == "Night operations"
    assert groups(window)["OPS"] == ("Night operations", "2")
    assert window.selected_group().group_id == "OPS"  # still where the admin was
    last = app.ctx.store.audit_events(limit=1)[0]
    assert (last.event, last.detail, last.actor) == ("group_updated", "OPS: description",
                                                     "tapemaster")


def test_a_double_click_opens_a_group_and_esc_asks_about_edits(qtbot, app, window,
                                                               boxes) -> None:
    view = window.groupsView
    rect = view.visualRect(window.groupsModel.index(2, 0))  # SPARE
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = opened(qtbot, window, windows.GROUP_PROPERTIES)
    assert dialog.windowTitle() == "Group Properties — SPARE"
    qtbot.keyClicks(dialog.descriptionEdit, " (soon)")
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(dialog.descriptionEdit, Key.Key_Escape)
    assert boxes.last().object_name == "confirmDiscardMessage"
    assert boxes.last().informative == "Not saved yet: Description."
    assert dialog.isVisible()  # kept
    boxes.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(dialog.descriptionEdit, Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert app.ctx.store.get_group("SPARE").description == "Nobody yet"


def test_a_group_with_users_is_refused_saying_how_many(qtbot, app, window, boxes) -> None:
    arrow_to(qtbot, window, "OPS")
    qtbot.keyClick(window.groupsView, Key.Key_Delete)
    assert boxes.names() == ["warningMessage"]  # said at once, nothing asked
    assert boxes.last().text == ("Group OPS still has 2 users. Move them to another group "
                                 "first; nothing was deleted.")
    assert "OPS" in groups(window)
    assert app.ctx.store.get_group("OPS") is not None


def test_delete_an_empty_group(qtbot, app, window, boxes) -> None:
    arrow_to(qtbot, window, "SPARE")
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(window.groupsView, Key.Key_Delete)
    assert boxes.last().object_name == "confirmDeleteGroupMessage"
    assert boxes.last().text == "Delete group SPARE?"
    assert "SPARE" in groups(window)  # No keeps it
    boxes.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(window.groupsView, Key.Key_Delete)
    assert "SPARE" not in groups(window)
    assert app.ctx.store.get_group("SPARE") is None
    last = app.ctx.store.audit_events(limit=1)[0]
    assert (last.event, last.detail) == ("group_deleted", "SPARE")


def test_the_default_group_stays(qtbot, window, boxes) -> None:
    arrow_to(qtbot, window, "DEFAULT")
    qtbot.mouseClick(window.deleteGroupButton, Qt.MouseButton.LeftButton)
    assert boxes.names() == ["warningMessage"]
    assert boxes.last().text == "DEFAULT is the default group: it cannot be deleted."


def test_a_group_someone_else_deleted_meanwhile(qtbot, app, window, boxes) -> None:
    arrow_to(qtbot, window, "SPARE")
    AdminService(app.ctx, Actor.for_cli()).delete_group("SPARE")  # another desk
    qtbot.keyClick(window.groupsView, Key.Key_Return)
    assert boxes.last().text == "There is no group 'SPARE'."
    assert window.windows.get(windows.GROUP_PROPERTIES) is None
    assert "SPARE" not in groups(window)  # read again


@pytest.mark.parametrize("pasted", ["Night\u202eshift", "two\nlines", "x" * 256])
def test_a_hostile_description_is_refused_in_the_dialog(qtbot, app, window,
                                                        pasted: str) -> None:
    arrow_to(qtbot, window, "OPS")
    qtbot.keyClick(window.groupsView, Key.Key_Return)
    dialog = opened(qtbot, window, windows.GROUP_PROPERTIES)
    dialog.descriptionEdit.setMaxLength(1000)  # a paste longer than the box allows
    QGuiApplication.clipboard().setText(pasted)
    dialog.descriptionEdit.selectAll()
    qtbot.keyClick(dialog.descriptionEdit, Key.Key_V, CTRL)
    # The paste reaches the box as it was: the dialog, not the line edit, must refuse it.
    assert dialog.descriptionEdit.text() == pasted
    qtbot.keyClick(dialog.descriptionEdit, Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.messageLabel.text().startswith("Description ")
    assert app.ctx.store.get_group("OPS").description == "Operations"


def test_a_lone_group_opens_with_enter_at_once(qtbot, window) -> None:
    """The first group is selected when the tab shows: Enter needs no arrow first."""
    assert window.selected_group().group_id == "DEFAULT"
    qtbot.keyClick(window.groupsView, Key.Key_Return)
    assert opened(qtbot, window, windows.GROUP_PROPERTIES).windowTitle() == (
        "Group Properties — DEFAULT")


def test_the_group_menu_and_right_click_menu_offer_it(qtbot, window) -> None:
    window.groupsView.clearSelection()
    menu = window.groups_menu()
    for name in ("actionAddGroup", "actionGroupProperties", "actionDeleteGroup",
                 "actionRefresh"):
        assert menu_action(menu, name) is not None, name
    assert not window.actionGroupProperties.isEnabled()  # nothing selected
    assert not window.deleteGroupButton.isEnabled()
    arrow_to(qtbot, window, "OPS")
    assert window.actionDeleteGroup.isEnabled() and window.deleteGroupButton.isEnabled()
    assert window.actionDeleteGroup.shortcut().toString() == "Del"
    assert window.actionGroupProperties.shortcut().toString() == "Enter"
    bar = window.findChild(QMenuBar, "adminMenuBar")
    bar_group = next(a.menu() for a in bar.actions() if a.text() == "&Group")
    assert [a.objectName() for a in bar_group.actions()] == [
        "actionAddGroup", "actionGroupProperties", "actionDeleteGroup"]
