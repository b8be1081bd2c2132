"""User Properties: tabs (Identity first, a property grid) above Save and Cancel.

Serves both Add (User-ID editable, password fields) and Properties (User-ID read-only).
Save goes through the admin service, which enforces every rule; this dialog only asks
for confirmation before changes that undo a user's OTP enrolment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import TapeMasterError, ValidationError
from tapemaster_qt.records import UserDetails
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import msgbox, resources, widgets
from tapemaster_qt.ui.models.identity import FieldKindRole, IdentityModel
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.texts import local_time, yes_no

Index = QModelIndex | QPersistentModelIndex


class PropertyDelegate(QStyledItemDelegate):
    """Editors by field kind: True/False combo, group combo, role combo, line edit."""

    def __init__(self, groups: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._groups = list(groups)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        kind = index.data(FieldKindRole)
        if kind in ("bool", "group", "role"):
            combo = QComboBox(parent)
            if kind == "bool":
                combo.addItems(["True", "False"])
            elif kind == "group":
                combo.addItems(self._groups)
            else:
                combo.addItems([str(r) for r in range(8)])
            # A choice is final at once, like TapeTrack's grid: commit and close.
            combo.activated.connect(lambda _=0, c=combo: self._commit(c))
            return combo
        edit = QLineEdit(parent)
        edit.setMaxLength(255)
        return edit

    def _commit(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(text)))
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class IdentityTab(QWidget):
    def __init__(self, model: IdentityModel, groups: Sequence[str], adding: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.identityGrid = QTreeView()
        self.identityGrid.setObjectName("identityGrid")
        self.identityGrid.setModel(model)
        self.identityGrid.setItemDelegate(PropertyDelegate(groups, self.identityGrid))
        self.identityGrid.setAlternatingRowColors(True)
        self.identityGrid.setUniformRowHeights(True)
        self.identityGrid.setRootIsDecorated(True)
        self.identityGrid.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.identityGrid.setAccessibleName("Identity properties")
        self.identityGrid.expandAll()
        header = self.identityGrid.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        model.rowsInserted.connect(lambda *_: self.identityGrid.expandAll())

        layout = QVBoxLayout(self)
        layout.addWidget(self.identityGrid, 1)
        self.passwordEdit = QLineEdit()
        self.passwordEdit.setObjectName("newPasswordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passwordEdit.setAccessibleName("Password")
        self.confirmEdit = QLineEdit()
        self.confirmEdit.setObjectName("confirmPasswordEdit")
        self.confirmEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmEdit.setAccessibleName("Password (again)")
        if adding:
            box = QGroupBox("Password")
            form = QFormLayout(box)
            form.addRow("&Password:", self.passwordEdit)
            form.addRow("Password (&again):", self.confirmEdit)
            layout.addWidget(box)


class StatusTab(QWidget):
    """Read-only logon state: what an administrator checks before unlocking."""

    def __init__(self, user: UserDetails | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        if user is None:
            form.addRow(QLabel("The status appears once the user is saved."))
            return
        rows = (
            ("Revoked", yes_no(user.revoked)),
            ("Consecutive failed logons", str(user.failed_logons)),
            # Kept by Unlock and Reset Password: what the user is told at the next logon.
            ("Failed attempts since the last logon", str(user.failures_since_logon)),
            ("Last logon", local_time(user.last_logon)),
            ("Last failed logon", local_time(user.last_failed_logon)),
            ("Password set", yes_no(user.password_set)),
            ("Record integrity", "OK" if user.integrity_ok
             else "FAILED — changed outside TapeMaster; review, then re-seal"),
        )
        for label, value in rows:
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", field)


class UserPropertiesDialog(QDialog):
    saved = Signal(str)

    def __init__(self, admin: AdminService, user: UserDetails | None, groups: Sequence[str],
                 *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._user = user
        self.adding = user is None
        self.setObjectName("userPropertiesDialog")
        title = "New User" if user is None else user.user_id
        self.setWindowTitle(f"User Properties — {title}")
        self.setWindowIcon(resources.app_icon())

        locked: set[str] = set()
        if not admin.actor.is_builtin:
            locked.add("tapemaster_rights")
        self.model = IdentityModel(user, adding=self.adding, locked=frozenset(locked),
                                   parent=self)
        self.identityTab = IdentityTab(self.model, groups, self.adding)
        self.identityGrid = self.identityTab.identityGrid
        if self.adding and groups:
            default = next((g for g in groups if g == "DEFAULT"), groups[0])
            self.model.setData(self.model.value_index("Group-ID"), default)

        self.propertiesTabs = QTabWidget()
        self.propertiesTabs.setObjectName("propertiesTabs")
        self.propertiesTabs.addTab(self.identityTab, "&Identity")
        self.propertiesTabs.addTab(StatusTab(user), "&Status")

        self.messageLabel = widgets.message_label()

        self.buttonBox = widgets.button_box(self._on_save, self.reject, save=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.propertiesTabs, 1)
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self.resize(520, 600)
        self.identityGrid.setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.adding and not self._shown:
            # A new user starts with the cursor in the User-ID cell, ready to type.
            index = self.model.value_index("User-ID")
            self.identityGrid.setCurrentIndex(index)
            # Becoming current opens the editor already; edit() again would warn.
            if self.identityGrid.state() != QAbstractItemView.State.EditingState:
                self.identityGrid.edit(index)
        self._shown = True

    _shown = False

    def show_message(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    def _confirmations(self, changes: dict[str, Any]) -> bool:
        user = self._user
        if user is None:
            return True
        name = user.user_id
        if changes.get("otp_enabled") is False and user.otp_enabled:
            state = "activated" if user.otp_activated else "enrolled"
            if not msgbox.confirm(
                self, "One Time Password",
                f"Turn One Time Password off for {name}?",
                informative=(f"Their {state} secret is destroyed: the entry in their "
                             "authenticator app stops working for good. Turning it on "
                             "later makes a new secret and they must scan a new QR code."),
                yes="Turn Off", object_name="confirmOtpOffMessage",
            ):
                return False
        if self.model.otp_reenabled() and not msgbox.confirm(
            self, "One Time Password",
            f"Give {name} a new One Time Password secret?",
            informative=("The old secret stops working at once; they must scan the new QR "
                         "code at their next logon."),
            yes="New Secret", object_name="confirmOtpRenewMessage",
        ):
            return False
        return changes.get("disabled") is not True or msgbox.confirm(
            self, "Disable User-ID", f"Disable {name}? They can no longer log on.",
            yes="Disable", object_name="confirmDisableMessage",
        )

    @Slot()
    def _on_save(self) -> None:
        # Finish an edit still open in the grid before reading the values.
        self.identityGrid.setCurrentIndex(QModelIndex())
        changes = self.model.changes()
        if self.adding:
            password = self.identityTab.passwordEdit.text()
            if password != self.identityTab.confirmEdit.text():
                self._refused(ValidationError("The two passwords are not the same.",
                                              "Password"))
                return
            if not password:
                self._refused(ValidationError("Enter a password for the new user.",
                                              "Password"))
                return
            call: Callable[[], UserDetails] = partial(self._admin.add_user, changes, password)
        else:
            user = self._user
            assert user is not None
            renew = self.model.otp_reenabled()
            if not changes and not renew:
                self.accept()
                return
            if not self._confirmations(changes):
                return
            call = partial(self._admin.update_user, user.user_id, changes, renew_otp=renew)
        Op(self, self.windowTitle(), call).success(self._saved).failure(self._refused).run()

    def _saved(self, user: UserDetails) -> None:
        self.saved.emit(user.user_id)
        self.accept()

    def _refused(self, exc: TapeMasterError) -> None:
        self.show_message(exc.message)
        self._focus_field(getattr(exc, "field", None))

    def _focus_field(self, label: str | None) -> None:
        if not label:
            return
        if label == "Password":
            self.identityTab.passwordEdit.setFocus()
            return
        index = self.model.value_index(label)
        if index.isValid():
            self.propertiesTabs.setCurrentIndex(0)
            self.identityGrid.setCurrentIndex(index)
            self.identityGrid.scrollTo(index)

