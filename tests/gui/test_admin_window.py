"""Group/User Administration driven like an administrator: the Users grid (filter, sort,
selection, keys, context menu, Add, Delete, Export), the Groups tab, and the User
Properties dialog's confirmations and refusals."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QMessageBox,
    QWidget,
)

from gui.driving import (
    cell,
    choose_in_grid,
    click,
    click_cell,
    click_user,
    grid_value,
    log_on,
    menu_action,
    open_admin,
    open_editor,
    open_list,
    open_properties_by_double_click,
    save,
    shown_user_ids,
    type_in_grid,
    type_into,
)
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import windows

PASSWORD = "tapes-and-more-42"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def app(launch):
    controller = launch("TapeMaster")
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    # Names sort in another order than User-IDs, so a sort by Name shows.
    for user_id, name in (("alice", "Mona Archer"), ("bob", "Zed Baker"),
                          ("carol", "Abe Cole")):
        admin.add_user({"user_id": user_id, "name": name, "email": f"{user_id}@example.com"},
                       PASSWORD)
    return controller


@pytest.fixture
def window(qtbot, app):
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    return open_admin(qtbot, app)


def click_header(qtbot, window, title: str) -> None:
    header = window.usersView.horizontalHeader()
    model = window.usersProxy
    column = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(model.columnCount())].index(title)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


def button(window, text: str) -> QAbstractButton:
    """A visible button or tool bar button showing ``text``."""
    for candidate in window.findChildren(QAbstractButton):
        shown = candidate.text().replace("&", "")
        if shown in (text, text.rstrip("…")) and candidate.isVisible():
            return candidate
    raise AssertionError(f"no visible button {text}")


# --- the Users grid -------------------------------------------------------------------------


def test_columns_filter_and_count(qtbot, window) -> None:
    assert window.objectName() == "groupUserAdministration"
    assert window.windowTitle() == "Group/User Administration"
    assert [window.adminTabs.tabText(i) for i in range(window.adminTabs.count())] == [
        "Users", "Groups"]
    proxy = window.usersProxy
    assert [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())
            ] == ["User-ID", "Name", "Group-ID", "Role", "E-mail", "Status", "Last Logon",
                  "Description"]
    assert shown_user_ids(window) == ["alice", "bob", "carol", "tapemaster"]
    assert cell(window, "alice", "Group-ID") == "DEFAULT"
    assert cell(window, "tapemaster", "Last Logon") != ""  # logged on just now
    assert cell(window, "alice", "Last Logon") == ""
    assert window.usersCountLabel.text() == "4 users"

    qtbot.keyClicks(window.usersFilterEdit, "bo")
    assert shown_user_ids(window) == ["bob"]
    assert window.usersCountLabel.text() == "1 of 4 users"
    type_into(qtbot, window.usersFilterEdit, "COLE")  # any column, any case
    assert shown_user_ids(window) == ["carol"]
    type_into(qtbot, window.usersFilterEdit, "nobody-at-all")
    assert shown_user_ids(window) == []
    type_into(qtbot, window.usersFilterEdit, "")
    assert shown_user_ids(window) == ["alice", "bob", "carol", "tapemaster"]


def test_clicking_a_header_sorts(qtbot, window) -> None:
    click_header(qtbot, window, "User-ID")  # already ascending: now descending
    assert shown_user_ids(window) == ["tapemaster", "carol", "bob", "alice"]
    click_header(qtbot, window, "Name")
    assert shown_user_ids(window) == ["carol", "alice", "tapemaster", "bob"]
    assert window.usersView.horizontalHeader().sortIndicatorSection() == 1
    click_header(qtbot, window, "Name")
    assert shown_user_ids(window) == ["bob", "tapemaster", "alice", "carol"]
    # The filter keeps working on the sorted rows.
    qtbot.keyClicks(window.usersFilterEdit, "example.com")
    assert shown_user_ids(window) == ["bob", "alice", "carol"]  # still by Name, descending


def test_selection_select_all_and_invert(qtbot, window) -> None:
    click_user(qtbot, window, "alice")
    click_user(qtbot, window, "carol", CTRL)
    assert sorted(window.selected_user_ids()) == ["alice", "carol"]
    menu = window.users_menu()
    assert not menu_action(menu, "actionUserProperties").isEnabled()  # one user only
    assert menu_action(menu, "actionDeleteUser").isEnabled()
    assert not menu_action(menu, "actionResetUserPassword").isEnabled()

    menu_action(menu, "actionInvertSelection").trigger()
    assert sorted(window.selected_user_ids()) == ["bob", "tapemaster"]
    menu_action(window.users_menu(), "actionSelectAll").trigger()
    assert sorted(window.selected_user_ids()) == ["alice", "bob", "carol", "tapemaster"]
    menu_action(window.users_menu(), "actionInvertSelection").trigger()
    assert window.selected_user_ids() == []
    menu = window.users_menu()
    assert not menu_action(menu, "actionDeleteUser").isEnabled()
    assert not menu_action(menu, "actionUnlockUser").isEnabled()
    assert menu_action(menu, "actionAddUser").isEnabled()

    # Select All and Invert work on what the filter shows.
    qtbot.keyClicks(window.usersFilterEdit, "a")
    window.actionSelectAll.trigger()
    assert sorted(window.selected_user_ids()) == sorted(shown_user_ids(window))


def test_enter_opens_properties(qtbot, window) -> None:
    click_user(qtbot, window, "bob")
    qtbot.keyClick(window.usersView, Qt.Key.Key_Return)
    dialog = window.windows.get(windows.USER_PROPERTIES)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.objectName() == "userPropertiesDialog"
    assert "User Properties" in dialog.windowTitle() and "bob" in dialog.windowTitle()
    assert dialog.propertiesTabs.tabText(0).replace("&", "") == "Identity"
    assert grid_value(dialog, "User-ID") == "bob"
    assert grid_value(dialog, "Name") == "Zed Baker"
    # The User-ID of a saved user is read-only: no editor opens on it.
    index = dialog.model.value_index("User-ID")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    dialog.identityGrid.setCurrentIndex(index)
    qtbot.keyClick(dialog.identityGrid, Qt.Key.Key_F2)
    assert open_editor(dialog.identityGrid, QWidget) is None
    qtbot.keyClick(dialog.identityGrid, Qt.Key.Key_Down)  # Name
    assert open_editor(dialog.identityGrid, QWidget) is None  # moving opens nothing
    qtbot.keyClick(dialog.identityGrid, Qt.Key.Key_F2)
    assert open_editor(dialog.identityGrid, QWidget) is not None  # where one can type
    assert not dialog.identityTab.passwordEdit.isVisible()  # no password fields either
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    assert not dialog.isVisible()


def test_delete_asks_first(qtbot, app, window, boxes) -> None:
    store = app.ctx.store
    click_user(qtbot, window, "bob")
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(window.usersView, Qt.Key.Key_Delete)
    assert boxes.names() == ["confirmDeleteMessage"]
    assert boxes.last().text == "Delete bob?"
    assert store.get_user("bob") is not None and "bob" in shown_user_ids(window)

    boxes.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(window.usersView, Qt.Key.Key_Delete)
    assert store.get_user("bob") is None
    assert shown_user_ids(window) == ["alice", "carol", "tapemaster"]

    click_user(qtbot, window, "alice")
    click_user(qtbot, window, "carol", CTRL)
    boxes.answer = QMessageBox.StandardButton.No
    menu_action(window.users_menu(), "actionDeleteUser").trigger()
    assert boxes.last().text == "Delete these 2 users?"
    assert store.get_user("alice") is not None and store.get_user("carol") is not None


def test_tapemaster_cannot_be_deleted(qtbot, app, window, boxes) -> None:
    click_user(qtbot, window, "tapemaster")
    click_user(qtbot, window, "alice", CTRL)
    qtbot.keyClick(window.usersView, Qt.Key.Key_Delete)
    # Refused before the confirmation: nobody is asked to confirm what will not happen.
    assert boxes.names() == ["warningMessage"]
    assert boxes.last().text == ("The tapemaster User-ID cannot be deleted; "
                                 "nothing was deleted.")
    # All or nothing: alice was selected too and stays.
    assert app.ctx.store.get_user("tapemaster") is not None
    assert app.ctx.store.get_user("alice") is not None
    assert shown_user_ids(window) == ["alice", "bob", "carol", "tapemaster"]


def test_add_user_through_properties(qtbot, app, window) -> None:
    qtbot.mouseClick(button(window, "Add…"), Qt.MouseButton.LeftButton)
    dialog = window.windows.get(windows.USER_PROPERTIES)
    qtbot.waitExposed(dialog)
    assert "New User" in dialog.windowTitle()
    assert dialog.model.value_index("User-ID").flags() & Qt.ItemFlag.ItemIsEditable
    assert dialog.identityTab.passwordEdit.isVisible()
    assert dialog.identityTab.confirmEdit.isVisible()
    assert grid_value(dialog, "Group-ID") == "DEFAULT"
    assert grid_value(dialog, "TapeMaster") == "True"

    type_in_grid(qtbot, dialog, "User-ID", "dave")
    type_in_grid(qtbot, dialog, "Name", "Dave Walker")
    type_in_grid(qtbot, dialog, "E-mail", "dave@example.com")
    choose_in_grid(qtbot, dialog, "Checkpoint", "False")
    assert grid_value(dialog, "User-ID") == "dave"

    type_into(qtbot, dialog.identityTab.passwordEdit, PASSWORD)
    type_into(qtbot, dialog.identityTab.confirmEdit, PASSWORD + "!")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "The two passwords are not the same."
    assert app.ctx.store.get_user("dave") is None

    type_into(qtbot, dialog.identityTab.confirmEdit, PASSWORD)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    dave = app.ctx.store.get_user("dave")
    assert dave is not None and dave.name == "Dave Walker"
    assert dave.email == "dave@example.com" and dave.group_id == "DEFAULT"
    assert dave.programs == frozenset({"TapeMaster", "Lite"})
    assert app.ctx.hasher.verify(dave.password_hash, PASSWORD)
    assert "dave" in shown_user_ids(window)
    assert window.selected_user_ids() == ["dave"]  # the new user is selected


def test_add_user_refuses_a_taken_user_id(qtbot, app, window) -> None:
    window.actionAddUser.trigger()
    dialog = window.windows.get(windows.USER_PROPERTIES)
    type_in_grid(qtbot, dialog, "User-ID", "ALICE")
    type_into(qtbot, dialog.identityTab.passwordEdit, PASSWORD)
    type_into(qtbot, dialog.identityTab.confirmEdit, PASSWORD)
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "already exists" in dialog.messageLabel.text()
    assert app.ctx.store.get_user("ALICE") is None


def test_export_writes_the_selected_users(qtbot, window, boxes, tmp_path) -> None:
    target = tmp_path / "export" / "users.xml"
    target.parent.mkdir()
    boxes.save_path = str(target)
    click_user(qtbot, window, "alice")
    click_user(qtbot, window, "carol", CTRL)
    menu_action(window.users_menu(), "actionExportUsers").trigger()
    assert boxes.last().text == f"Exported 2 users to {target}."
    root = ET.parse(target).getroot()  # noqa: S314 - the file this test just wrote
    users = root.findall("./UserList/User")
    assert [u.get("UserID") for u in users] == ["alice", "carol"]
    assert users[0].findtext("Name") == "Mona Archer"
    assert users[0].findtext("EMail") == "alice@example.com"
    text = target.read_text()
    assert "argon2" not in text and "Secret" not in text  # no hashes, no secrets

    # Cancelling the file dialog writes nothing.
    boxes.save_path = ""
    shown = len(boxes.shown)
    target.unlink()
    window.actionExportUsers.trigger()
    assert not target.exists() and len(boxes.shown) == shown


# --- the Groups tab -------------------------------------------------------------------------


def test_add_group_appears_in_the_list_and_in_properties(qtbot, app, window) -> None:
    tabs = window.adminTabs
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(1).center())
    assert tabs.currentIndex() == 1 and window.groupsView.isVisible()
    groups = window.groupsModel
    assert [groups.index(r, 0).data() for r in range(groups.rowCount())] == ["DEFAULT"]

    qtbot.mouseClick(window.addGroupButton, Qt.MouseButton.LeftButton)
    dialog = window.windows.get(windows.ADD_GROUP)
    qtbot.waitExposed(dialog)
    assert dialog.objectName() == "groupDialog"
    qtbot.keyClicks(dialog.groupIdEdit, "night-1")
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "A Group-ID has 1 to 10 letters A-Z or digits."
    type_into(qtbot, dialog.groupIdEdit, "NIGHT")
    qtbot.keyClicks(dialog.descriptionEdit, "Night shift")
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert not dialog.isVisible()
    rows = {groups.index(r, 0).data(): groups.index(r, 1).data()
            for r in range(groups.rowCount())}
    assert rows == {"DEFAULT": rows["DEFAULT"], "NIGHT": "Night shift"}
    assert app.ctx.store.get_group("NIGHT").description == "Night shift"

    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(0).center())
    props = open_properties_by_double_click(qtbot, window, "alice")
    click_cell(qtbot, props, "Group-ID")
    combo = open_list(qtbot, props.identityGrid, Qt.Key.Key_Return)
    assert [combo.itemText(i) for i in range(combo.count())] == ["DEFAULT", "NIGHT"]
    qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_editor(props.identityGrid, QComboBox) is None)
    choose_in_grid(qtbot, props, "Group-ID", "NIGHT")
    save(qtbot, props)
    assert not props.isVisible()
    assert app.ctx.store.get_user("alice").group_id == "NIGHT"
    assert cell(window, "alice", "Group-ID") == "NIGHT"


# --- Properties: confirmations and refusals -------------------------------------------------


def test_turning_otp_off_asks_and_no_saves_nothing(qtbot, app, window, boxes) -> None:
    AdminService(app.ctx, Actor.for_user("tapemaster")).set_otp("alice", True)
    window.reload()
    assert cell(window, "alice", "Status") == "OTP pending"
    props = open_properties_by_double_click(qtbot, window, "alice")
    choose_in_grid(qtbot, props, "One Time Password", "False")
    boxes.answer = QMessageBox.StandardButton.No
    save(qtbot, props)
    assert boxes.names() == ["confirmOtpOffMessage"]
    assert "alice" in boxes.last().text
    assert props.isVisible()  # still open, the choice still on screen
    assert grid_value(props, "One Time Password") == "False"
    alice = app.ctx.store.get_user("alice")
    assert alice.otp_enabled and alice.otp_secret is not None

    # Cancel asks before throwing the change away; No keeps the dialog, Yes closes it.
    click(qtbot, props, QDialogButtonBox.StandardButton.Cancel)
    assert boxes.names()[-1] == "confirmDiscardMessage"
    assert boxes.last().text == "Discard your changes to alice?"
    assert boxes.last().informative == "Not saved yet: One Time Password."
    assert props.isVisible()
    boxes.answer = QMessageBox.StandardButton.Yes
    click(qtbot, props, QDialogButtonBox.StandardButton.Cancel)
    assert not props.isVisible() and app.ctx.store.get_user("alice").otp_enabled

    # Disabling asks too; No keeps the user enabled and the OTP secret untouched.
    boxes.answer = QMessageBox.StandardButton.No
    props = open_properties_by_double_click(qtbot, window, "bob")
    choose_in_grid(qtbot, props, "Disabled", "True")
    save(qtbot, props)
    assert boxes.names()[-1] == "confirmDisableMessage"
    assert props.isVisible() and not app.ctx.store.get_user("bob").disabled
    boxes.answer = QMessageBox.StandardButton.Yes
    save(qtbot, props)
    assert not props.isVisible() and app.ctx.store.get_user("bob").disabled
    assert cell(window, "bob", "Status") == "Disabled"


def test_invalid_input_is_shown_in_the_dialog_and_saves_nothing(qtbot, app, window,
                                                               boxes) -> None:
    before = app.ctx.store.get_user("bob")
    props = open_properties_by_double_click(qtbot, window, "bob")
    type_in_grid(qtbot, props, "Name", "Robert Young")
    type_in_grid(qtbot, props, "E-mail", "not-an-email")
    save(qtbot, props)
    assert props.isVisible()
    assert props.messageLabel.isVisible()
    assert props.messageLabel.text() == "That is not an e-mail address (name@example.com)."
    assert props.identityGrid.currentIndex() == props.model.value_index("E-mail")
    after = app.ctx.store.get_user("bob")
    assert (after.name, after.email, after.updated) == (before.name, before.email,
                                                        before.updated)
    assert boxes.shown == []

    type_in_grid(qtbot, props, "E-mail", "carol@example.com")  # taken by carol
    save(qtbot, props)
    assert props.messageLabel.text() == "That e-mail address already belongs to another user."
    assert app.ctx.store.get_user("bob").email == "bob@example.com"

    type_in_grid(qtbot, props, "E-mail", "robert@example.com")
    save(qtbot, props)
    assert not props.isVisible()
    after = app.ctx.store.get_user("bob")
    assert (after.name, after.email) == ("Robert Young", "robert@example.com")


def test_export_to_a_folder_that_is_gone_says_so(qtbot, window, boxes, tmp_path) -> None:
    boxes.save_path = str(tmp_path / "no-such-folder" / "users.csv")
    window.actionExportUsers.trigger()
    assert boxes.names() == ["warningMessage"]
    assert boxes.last().title == "Export Users"
    assert boxes.last().text == "The file could not be written: No such file or directory."
    assert not (tmp_path / "no-such-folder").exists()
