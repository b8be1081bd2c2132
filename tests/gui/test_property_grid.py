"""User Properties ▸ Identity driven from the keyboard (issue 11, items 1 and 2).

Reading the grid never changes it; each way of editing is tried as a user tries it;
a changed value is marked until it is saved; closing with changes asks; the space
under the grid says what the selected field means.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from gui.driving import click, click_cell, grid_value, open_editor, open_list, pick, save
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui.models.identity import ChangedRole, FieldRole
from tapemaster_qt.ui.user_properties import UserPropertiesDialog

PASSWORD = "tapes-and-more-42"
Button = QMessageBox.StandardButton
ALL_ROWS = ["User-ID", "Name", "E-mail", "Description", "Group-ID", "Role",
            "Administrative Rights", "tapemaster Rights", "Disabled", "No Time-Out",
            "TapeMaster", "Lite", "Checkpoint", "One Time Password", "Activated"]


@pytest.fixture(autouse=True)
def _answered(boxes) -> None:
    """Every message box answered in-line: the dialogs are closed at the end of each
    test, and one with changes asks first."""


@pytest.fixture
def alice(admin: AdminService) -> str:
    """A user with a mix of values, One Time Password on (so Activated shows)."""
    admin.add_group("OPS", "Operations")
    admin.add_user({"user_id": "alice", "name": "Alice Archer", "email": "a@example.com",
                    "group_id": "OPS", "role": 3, "admin_rights": True,
                    "programs": "TapeMaster,Checkpoint", "otp_enabled": True}, PASSWORD)
    return "alice"


def show(qtbot, admin: AdminService, user_id: str | None) -> UserPropertiesDialog:
    user = admin.get_user(user_id) if user_id else None
    dialog = UserPropertiesDialog(admin, user, ["DEFAULT", "OPS"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


@pytest.fixture
def props(qtbot, admin: AdminService, alice: str) -> UserPropertiesDialog:
    return show(qtbot, admin, alice)


def editing(grid) -> bool:
    return (grid.state() == QAbstractItemView.State.EditingState
            or open_editor(grid, QWidget) is not None)


def current_label(grid) -> str:
    return str(grid.currentIndex().siblingAtColumn(0).data())


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


# --- reading never changes ----------------------------------------------------------------


def test_walking_the_grid_with_the_keyboard_changes_nothing(qtbot, admin, props,
                                                            boxes) -> None:
    before = admin.get_user("alice")
    grid = props.identityGrid
    assert grid.hasFocus() and current_label(grid) == "User-ID"
    seen = []

    def step(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        press(qtbot, grid, key, modifier)
        assert not editing(grid), f"{key} opened an editor on {current_label(grid)}"
        seen.append(current_label(grid))

    for _ in range(25):  # down past the last row (it stays there)
        step(Qt.Key.Key_Down)
    for _ in range(25):
        step(Qt.Key.Key_Up)
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp, Qt.Key.Key_End, Qt.Key.Key_Home,
                Qt.Key.Key_PageDown, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home):
        step(key)
    for _ in range(19):  # Tab goes down the rows, Shift+Tab up
        step(Qt.Key.Key_Tab)
        assert grid.hasFocus()
    for _ in range(19):
        step(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert set(ALL_ROWS) <= set(seen)

    model = props.model
    assert model.changes() == {} and model.changed_labels() == []
    assert [grid_value(props, label) for label in ("TapeMaster", "Lite", "Checkpoint",
                                                    "Administrative Rights", "Group-ID",
                                                    "Role")] == [
        "True", "False", "True", "True", "OPS", "3"]
    press(qtbot, grid, Qt.Key.Key_Escape)  # nothing changed: closes without asking
    assert not props.isVisible() and boxes.shown == []
    assert admin.get_user("alice") == before


def test_tab_leaves_the_grid_at_its_ends(qtbot, props) -> None:
    grid = props.identityGrid
    press(qtbot, grid, Qt.Key.Key_End)
    press(qtbot, grid, Qt.Key.Key_Tab)
    assert not grid.hasFocus() and not editing(grid)
    assert props.model.changes() == {}


# --- each way of editing --------------------------------------------------------------------


def test_f2_then_enter_edits_text_and_marks_it_until_saved(qtbot, admin, props,
                                                           boxes) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Name")
    press(qtbot, grid, Qt.Key.Key_F2)
    edit = open_editor(grid, QLineEdit)
    assert edit is not None and edit.text() == "Alice Archer"
    edit.selectAll()
    qtbot.keyClicks(edit, "Alice Baker")
    press(qtbot, edit, Qt.Key.Key_Return)
    assert props.isVisible()  # Enter took the text; it did not press Save
    assert not editing(grid) and grid_value(props, "Name") == "Alice Baker"
    index = props.model.value_index("Name")
    assert index.data(ChangedRole) is True
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "changed, not saved" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert props.model.value_index("E-mail").data(ChangedRole) is False
    assert "changed, not saved" in props.identityTab.legendLabel.text()
    assert admin.get_user("alice").name == "Alice Archer"  # not saved yet

    save(qtbot, props)
    assert not props.isVisible() and boxes.shown == []
    assert admin.get_user("alice").name == "Alice Baker"


def test_enter_opens_a_list_and_only_picking_takes(qtbot, props) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Role")
    combo = open_list(qtbot, grid, Qt.Key.Key_Return)
    view = combo.view()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up):  # looking around
        press(qtbot, view, key)
    assert grid_value(props, "Role") == "3"
    pick(qtbot, combo, "5")
    qtbot.waitUntil(lambda: not editing(grid))
    assert grid_value(props, "Role") == "5" and props.isVisible()
    assert props.model.changes() == {"role": 5}


def test_double_click_opens_the_editor(qtbot, props) -> None:
    grid = props.identityGrid
    index = props.model.value_index("E-mail")
    where = grid.visualRect(index).center()
    # A double-click: press and release, then the second press arrives as a double-click.
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert not editing(grid)  # one click selects; it does not edit
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)
    edit = open_editor(grid, QLineEdit)
    assert edit is not None
    edit.selectAll()
    qtbot.keyClicks(edit, "alice@example.com")
    press(qtbot, edit, Qt.Key.Key_Return)
    assert grid_value(props, "E-mail") == "alice@example.com"


def test_typing_opens_the_editor_with_what_was_typed(qtbot, props) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Description")
    qtbot.keyClicks(grid, "N")
    edit = open_editor(grid, QLineEdit)
    assert edit is not None and edit.text() == "N"
    qtbot.keyClicks(edit, "ight shift")
    press(qtbot, edit, Qt.Key.Key_Return)
    assert grid_value(props, "Description") == "Night shift"

    # On a True/False row, typing opens its list at the matching value.
    click_cell(qtbot, props, "TapeMaster")
    qtbot.keyClicks(grid, "f")
    combo = open_editor(grid, QComboBox)
    assert combo is not None
    qtbot.waitUntil(lambda: combo.view().isVisible())
    assert combo.view().currentIndex().data() == "False"
    assert grid_value(props, "TapeMaster") == "True"  # nothing taken yet
    press(qtbot, combo.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editing(grid))
    assert grid_value(props, "TapeMaster") == "False"


def test_space_switches_true_and_false_and_nothing_else(qtbot, props) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Lite")
    press(qtbot, grid, Qt.Key.Key_Space)
    assert grid_value(props, "Lite") == "True" and not editing(grid)
    press(qtbot, grid, Qt.Key.Key_Space)
    assert grid_value(props, "Lite") == "False"
    assert props.model.changes() == {}  # back where it was: nothing to save
    assert props.model.value_index("Lite").data(ChangedRole) is False

    for label in ("Name", "Activated", "Role"):  # text, read-only, a number
        click_cell(qtbot, props, label)
        press(qtbot, grid, Qt.Key.Key_Space)
        assert not editing(grid)
    assert props.model.changes() == {}

    # One Time Password off by Space: Activated goes, as the editor would do it.
    click_cell(qtbot, props, "One Time Password")
    press(qtbot, grid, Qt.Key.Key_Space)
    assert grid_value(props, "Activated") is None
    assert props.model.changes() == {"otp_enabled": False}


def test_esc_cancels_an_edit_and_keeps_the_dialog(qtbot, props, boxes) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Name")
    press(qtbot, grid, Qt.Key.Key_F2)
    edit = open_editor(grid, QLineEdit)
    qtbot.keyClicks(edit, " the Third")
    press(qtbot, edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editing(grid))
    assert grid_value(props, "Name") == "Alice Archer"
    assert props.isVisible() and boxes.shown == []

    click_cell(qtbot, props, "Checkpoint")
    combo = open_list(qtbot, grid)
    press(qtbot, combo.view(), Qt.Key.Key_Down)
    press(qtbot, combo.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editing(grid))
    assert grid_value(props, "Checkpoint") == "True"
    assert props.isVisible() and props.model.changes() == {}


def test_tab_out_of_an_editor_takes_it_and_opens_no_other(qtbot, props) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Name")
    press(qtbot, grid, Qt.Key.Key_F2)
    edit = open_editor(grid, QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "Alice B.")
    press(qtbot, edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not editing(grid))
    assert grid_value(props, "Name") == "Alice B."
    assert current_label(grid) == "E-mail"
    press(qtbot, grid, Qt.Key.Key_Down)
    assert not editing(grid)


def test_a_field_the_admin_may_not_change_takes_no_key(qtbot, admin, alice) -> None:
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    deputy = AdminService(admin._ctx, Actor.for_user("deputy"))
    dialog = show(qtbot, deputy, alice)
    grid = dialog.identityGrid
    while current_label(grid) != "tapemaster Rights":  # reachable, to read why
        press(qtbot, grid, Qt.Key.Key_Down)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_T):
        press(qtbot, grid, key)
        assert not editing(grid)
    assert grid_value(dialog, "tapemaster Rights") == "False"
    assert "you are not tapemaster" in dialog.identityTab.fieldDescriptionLabel.text()


# --- closing with changes -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["Cancel", "Esc", "close button"])
def test_closing_with_changes_asks(qtbot, admin, props, boxes, how: str) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Disabled")
    press(qtbot, grid, Qt.Key.Key_Space)

    def close() -> None:
        if how == "Cancel":
            click(qtbot, props, props.buttonBox.standardButtons()
                  & ~props.buttonBox.standardButtons() | _cancel())
        elif how == "Esc":
            press(qtbot, grid, Qt.Key.Key_Escape)
        else:
            props.close()

    boxes.answer = Button.No
    close()
    assert boxes.names() == ["confirmDiscardMessage"]
    assert boxes.last().text == "Discard your changes to alice?"
    assert boxes.last().informative == "Not saved yet: Disabled."
    assert props.isVisible() and grid_value(props, "Disabled") == "True"
    boxes.answer = Button.Yes
    close()
    assert not props.isVisible()
    assert admin.get_user("alice").disabled is False


def _cancel():
    from PySide6.QtWidgets import QDialogButtonBox

    return QDialogButtonBox.StandardButton.Cancel


def test_a_new_user_asks_too_and_starts_ready_to_type(qtbot, admin, boxes) -> None:
    dialog = show(qtbot, admin, None)
    grid = dialog.identityGrid
    assert current_label(grid) == "User-ID" and not editing(grid)
    qtbot.keyClicks(grid, "d")
    edit = open_editor(grid, QLineEdit)
    qtbot.keyClicks(edit, "ave")
    press(qtbot, edit, Qt.Key.Key_Return)
    assert grid_value(dialog, "User-ID") == "dave"
    assert grid_value(dialog, "Group-ID") == "DEFAULT"
    assert dialog.model.changed_labels() == ["User-ID"]  # the defaults are not edits
    boxes.answer = Button.No
    press(qtbot, grid, Qt.Key.Key_Escape)
    assert boxes.last().text == "Discard the new user?"
    assert dialog.isVisible()


# --- what a field means ---------------------------------------------------------------------


@pytest.mark.parametrize(("label", "words"), [
    ("Role", "from 0 (highest) to 7 (lowest)"),
    ("tapemaster Rights", "Only tapemaster may grant or remove tapemaster Rights."),
    ("One Time Password", "Switching it to True makes a new secret when you save"),
    ("Activated", "True once the user has logged on with a valid code"),
])
def test_the_space_under_the_grid_describes_the_selected_field(qtbot, props, label: str,
                                                               words: str) -> None:
    grid = props.identityGrid
    press(qtbot, grid, Qt.Key.Key_Home)
    while current_label(grid) != label or not grid.currentIndex().parent().isValid():
        press(qtbot, grid, Qt.Key.Key_Down)
    text = props.identityTab.fieldDescriptionLabel.text()
    assert text.startswith(f"<b>{label}</b>") and words in text


def test_every_row_has_a_tooltip(qtbot, props) -> None:
    model = props.model
    for c in range(model.rowCount()):
        category = model.index(c, 0)
        assert category.data(Qt.ItemDataRole.ToolTipRole)
        for r in range(model.rowCount(category)):
            for column in (0, 1):
                index = model.index(r, column, category)
                tip = index.data(Qt.ItemDataRole.ToolTipRole)
                assert tip == index.data(FieldRole).description, index.data()


def test_save_while_typing_takes_the_text(qtbot, admin, props, boxes) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "Description")
    qtbot.keyClicks(grid, "V")
    edit = open_editor(grid, QLineEdit)
    assert edit is not None and edit.hasFocus()  # the keyboard goes on into the editor
    qtbot.keyClicks(edit, "ault courier")  # and it is still open
    save(qtbot, props)
    assert not props.isVisible() and boxes.shown == []
    assert admin.get_user("alice").description == "Vault courier"


def test_ctrl_s_saves(qtbot, admin, props, boxes) -> None:
    grid = props.identityGrid
    click_cell(qtbot, props, "No Time-Out")
    press(qtbot, grid, Qt.Key.Key_Space)
    qtbot.keyClick(grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not props.isVisible() and boxes.shown == []
    assert admin.get_user("alice").no_timeout is True


def type_key(grid, text: str) -> None:
    """One key that types ``text``, sent as the keyboard sends it (QTest's keyClicks
    takes ASCII only)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(grid, QKeyEvent(kind, Qt.Key.Key_unknown,
                                               Qt.KeyboardModifier.NoModifier, text))


@pytest.mark.parametrize("typed", ["é", "9", "?", "x", "\u202e"])
def test_typing_what_no_choice_starts_with_takes_nothing(qtbot, props, typed: str) -> None:
    grid = props.identityGrid
    for label in ("Disabled", "Role", "Group-ID"):
        before = grid_value(props, label)
        click_cell(qtbot, props, label)
        type_key(grid, typed)
        if not typed.isprintable():  # an invisible character opens nothing
            assert not editing(grid)
            continue
        combo = open_editor(grid, QComboBox)
        assert combo is not None
        qtbot.waitUntil(lambda c=combo: c.view().isVisible())
        press(qtbot, combo.view(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not editing(grid))
        assert grid_value(props, label) == before
    click_cell(qtbot, props, "Activated")  # read-only: typing opens nothing
    type_key(grid, typed)
    assert not editing(grid)
    assert props.model.changes() == {}
