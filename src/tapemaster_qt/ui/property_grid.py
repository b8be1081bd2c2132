"""The property grid of User Properties ▸ Identity, for the keyboard as much as the mouse.

Reading the grid never changes it: ↑/↓, Page Up/Down, Home/End and Tab move between
rows and never open an editor. An editor opens on F2, Enter, a double-click or typing;
Space switches a True/False value; Esc closes an editor without changing the value.
A choice (True/False, Group-ID, Role) opens as a list that stays open until a value is
picked with Enter or a click: arrowing through it changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from tapemaster_qt.ui.models.identity import COL_FIELD, COL_VALUE, FieldKindRole, IdentityModel
from tapemaster_qt.ui.texts import yes_no

Index = QModelIndex | QPersistentModelIndex
_CHOICES = ("bool", "group", "role")


class ChoiceEditor(QComboBox):
    """A choice that opens as its list. Only picking an entry (Enter or a click) takes
    it; closing the list any other way (Esc, a click elsewhere) changes nothing."""

    picked = Signal()
    dropped = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._taken = False
        self._opened = False
        self._done = False
        self.typed = ""
        """Text typed on the grid that opened this editor: its list opens at the
        first entry starting with it (nothing is taken until Enter)."""
        self.activated.connect(self._on_activated)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._opened:
            self._opened = True
            QTimer.singleShot(0, self, self.showPopup)

    def showPopup(self) -> None:
        super().showPopup()
        if self.typed:
            folded = self.typed.casefold()
            for row in range(self.count()):
                if self.itemText(row).casefold().startswith(folded):
                    self.view().setCurrentIndex(self.model().index(row, 0))
                    break
        # The list also closes without hidePopup(), when another window is activated.
        popup = self.view().window()
        if popup is not self.window():
            popup.installEventFilter(self)

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and watched is self.view().window():
            QTimer.singleShot(0, self, self._after_popup)
        return False

    def _on_activated(self, _index: int) -> None:
        if not self._done:
            self._taken = self._done = True
            self.picked.emit()

    def hidePopup(self) -> None:
        super().hidePopup()
        # An entry picked hides the list first and reports it next: wait for that.
        QTimer.singleShot(0, self, self._after_popup)

    def _after_popup(self) -> None:
        if not self._taken and not self._done and not self.view().isVisible():
            self._done = True
            self.dropped.emit()


class PropertyDelegate(QStyledItemDelegate):
    """Editors by field kind: a list for True/False, Group-ID and Role, else a line edit."""

    def __init__(self, groups: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._groups = list(groups)
        self.typed = ""
        """Set by the grid while a typed key opens an editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        kind = index.data(FieldKindRole)
        if kind in _CHOICES:
            combo = ChoiceEditor(parent)
            combo.typed = self.typed
            if kind == "bool":
                # The words in the user's language, the value a bool (setModelData).
                combo.addItem(yes_no(True), True)
                combo.addItem(yes_no(False), False)
            elif kind == "group":
                combo.addItems(self._groups)
            else:
                combo.addItems([str(r) for r in range(8)])
            combo.picked.connect(lambda c=combo: self._finish(c, commit=True))
            combo.dropped.connect(lambda c=combo: self._finish(c, commit=False))
            return combo
        edit = QLineEdit(parent)
        edit.setMaxLength(255)
        return edit

    def _finish(self, editor: QWidget, *, commit: bool) -> None:
        if commit:
            self.commitData.emit(editor)
        hint = (QAbstractItemDelegate.EndEditHint.NoHint if commit
                else QAbstractItemDelegate.EndEditHint.RevertModelCache)
        self.closeEditor.emit(editor, hint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(text)))
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: Index) -> None:
        if isinstance(editor, QComboBox):
            value = editor.currentData()
            model.setData(index, editor.currentText() if value is None else value,
                          Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def eventFilter(self, editor: Any, event: QEvent) -> bool:
        if isinstance(editor, ChoiceEditor) and event.type() in (QEvent.Type.FocusOut,
                                                                 QEvent.Type.Hide):
            # Its list decides when it closes (picked or dropped); the focus moving to
            # the list as it opens is not leaving the editor.
            return False
        # Enter in a line edit takes the text and closes the editor, and goes no
        # further: it must not also press the dialog's Save button.
        if (event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # type: ignore[attr-defined]
                and not event.modifiers()):  # type: ignore[attr-defined]
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            return True
        return bool(super().eventFilter(editor, event))


class PropertyGrid(QTreeView):
    """A two-column tree (Field, Value) that edits only when asked to."""

    def __init__(self, model: IdentityModel, groups: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(PropertyDelegate(groups, self))
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)
        self.setAllColumnsShowFocus(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)
        # Not CurrentChanged: moving onto a row never opens its editor.
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.expandAll()
        model.rowsInserted.connect(lambda *_: self.expandAll())

    def _model(self) -> IdentityModel:
        return self.model()  # type: ignore[return-value]

    @staticmethod
    def _value_cell(index: Index) -> QModelIndex:
        """The Value cell of a field row (the editor and Space act there)."""
        index = QModelIndex(index)
        if index.isValid() and index.column() == COL_FIELD and index.parent().isValid():
            return index.siblingAtColumn(COL_VALUE)
        return index

    def edit(self, index: Index, trigger: Any = None, event: Any = None) -> bool:  # type: ignore[override]
        if trigger is None:  # the public edit(index): open it now
            return bool(super().edit(self._value_cell(index),
                                     QAbstractItemView.EditTrigger.AllEditTriggers, None))
        return bool(super().edit(self._value_cell(index), trigger, event))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() == QAbstractItemView.State.EditingState:
            super().keyPressEvent(event)
            return
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        current = self.currentIndex()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            # Open the editor; Enter in the grid never presses Save.
            if current.isValid() and not current.parent().isValid():
                self.setExpanded(current.siblingAtColumn(COL_FIELD),
                                 not self.isExpanded(current.siblingAtColumn(COL_FIELD)))
            elif current.isValid():
                self.edit(current, QAbstractItemView.EditTrigger.EditKeyPressed, event)
            event.accept()
            return
        if key == Qt.Key.Key_Space and plain:
            self._model().toggle(self._value_cell(current))
            event.accept()  # never an editor opened by a space
            return
        text = event.text()
        typing = (bool(text.strip()) and text.isprintable() and not event.modifiers()
                  & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier))
        choice = self._value_cell(current).data(FieldKindRole) in _CHOICES
        # A character key (not Esc, Tab... whose codes are above the Unicode range).
        character = key < Qt.Key.Key_Escape.value or key == Qt.Key.Key_unknown.value
        if choice and text and character and not typing:
            event.accept()  # an invisible character picks no choice and opens nothing
            return
        if typing and choice:
            # Typing on a choice opens its list at the match; the key itself is not
            # handed to the list, which would take the match at once.
            delegate: PropertyDelegate = self.itemDelegate()  # type: ignore[assignment]
            delegate.typed = text
            try:
                self.edit(current, QAbstractItemView.EditTrigger.AnyKeyPressed, None)
            finally:
                delegate.typed = ""
            event.accept()
            return
        super().keyPressEvent(event)

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        # Tab and Shift+Tab go down and up the rows, as in a form, not across columns.
        if action == QAbstractItemView.CursorAction.MoveNext:
            action = QAbstractItemView.CursorAction.MoveDown
        elif action == QAbstractItemView.CursorAction.MovePrevious:
            action = QAbstractItemView.CursorAction.MoveUp
        return super().moveCursor(action, modifiers)

    def finish_editing(self) -> None:
        """Take what an open line editor holds (Save was clicked while typing); an
        open list takes nothing, as when it is closed without a pick."""
        for editor in self.viewport().findChildren(QWidget):
            if isinstance(editor, QLineEdit) and editor.isVisible():
                self.commitData(editor)
                self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            elif isinstance(editor, ChoiceEditor) and editor.isVisible():
                editor.hidePopup()
                self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        # Tab out of an editor moves to the next row without opening its editor: an
        # editor that opened by itself is how the grid used to change values.
        step = {QAbstractItemDelegate.EndEditHint.EditNextItem: 1,
                QAbstractItemDelegate.EndEditHint.EditPreviousItem: -1}.get(hint)
        if step is None:
            super().closeEditor(editor, hint)
            return
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        target = self.moveCursor(
            QAbstractItemView.CursorAction.MoveDown if step > 0
            else QAbstractItemView.CursorAction.MoveUp, Qt.KeyboardModifier.NoModifier)
        if target.isValid():
            self.setCurrentIndex(target)
