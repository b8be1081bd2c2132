"""Password Change: File ▸ Reset Password (own) and Management ▸ Reset Password (admin)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.services.passwords import MAX_LENGTH, MIN_LENGTH, random_password
from tapemaster_qt.ui import resources, widgets, windows
from tapemaster_qt.ui.i18n import error_text
from tapemaster_qt.ui.logon import PasswordEdit, caps_lock_hint
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.random_password import RandomPasswordDialog
from tapemaster_qt.ui.windows import WindowRegistry

Apply = Callable[[str, str], None]
"""Called with (current, new); raises TapeMasterError to refuse with a message."""


class PasswordChangeDialog(QDialog):
    def __init__(self, user_id: str, apply: Apply, *, own: bool,
                 parent: QWidget | None = None, windows: WindowRegistry | None = None,
                 email: str | None = None) -> None:
        """``windows``: the program's registry, where Random Password Set opens;
        ``email``: the user's address, for Email message (an administrator's reset)."""
        super().__init__(parent)
        self._windows = windows if windows is not None else WindowRegistry(self)
        self._email = email
        self.setObjectName("passwordChangeDialog")
        self.setWindowTitle(self.tr("Password Change — {user}").format(user=user_id))
        self.setWindowIcon(resources.app_icon())
        self._apply = apply
        self._user_id = user_id

        def password_edit(name: str, accessible: str) -> PasswordEdit:
            edit = PasswordEdit()
            edit.setObjectName(name)
            edit.setMaxLength(256)
            edit.setAccessibleName(accessible)
            return edit

        self.currentPasswordEdit = password_edit("currentPasswordEdit",
                                                 self.tr("Current Password"))
        self.newPasswordEdit = password_edit("newPasswordEdit", self.tr("New Password"))
        self.confirmPasswordEdit = password_edit("confirmPasswordEdit",
                                                 self.tr("New Password (again)"))
        self.randomButton = QPushButton(self.tr("&Random"))
        self.randomButton.setObjectName("randomButton")
        self.randomButton.setToolTip(self.tr("Propose a strong random password, to copy or "
                                             "send (Random Password Set)"))
        self.randomButton.clicked.connect(self._on_random)

        self.messageLabel = widgets.message_label()

        form = QFormLayout()
        form.addRow(self.tr("User-ID:"), QLabel(user_id))
        if own:
            form.addRow(self.tr("&Current Password:"), self.currentPasswordEdit)
        else:
            self.currentPasswordEdit.hide()
        new_row = QHBoxLayout()
        new_row.addWidget(self.newPasswordEdit, 1)
        new_row.addWidget(self.randomButton)
        new_label = QLabel(self.tr("&New Password:"))
        new_label.setBuddy(self.newPasswordEdit)  # a row holding a layout gets no buddy
        form.addRow(new_label, new_row)
        form.addRow(self.tr("New Password (&again):"), self.confirmPasswordEdit)
        self.capsLockLabel = caps_lock_hint(self.currentPasswordEdit, self.newPasswordEdit,
                                            self.confirmPasswordEdit)
        form.addRow("", self.capsLockLabel)
        rules = QLabel(self.tr("{min} to {max} characters, not the User-ID.").format(
            min=MIN_LENGTH, max=MAX_LENGTH)
            + ("" if own else " " + self.tr("Resetting also restores a revoked User-ID.")))
        rules.setWordWrap(True)

        self.buttonBox = widgets.button_box(self._on_ok, self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(rules)
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self.setMinimumWidth(460)
        (self.currentPasswordEdit if own else self.newPasswordEdit).setFocus()
        self._own = own

    def show_message(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    @Slot()
    def _on_random(self) -> RandomPasswordDialog | None:
        """A new random password in both fields, shown in Random Password Set to copy
        or send; OK in this dialog still decides."""
        password = random_password()
        self.newPasswordEdit.setText(password)
        self.confirmPasswordEdit.setText(password)
        return self._windows.open(windows.RANDOM_PASSWORD, lambda: RandomPasswordDialog(
            password, self._user_id, applies=self.tr("when you press OK in Password Change"),
            email=self._email, for_others=not self._own, parent=self),
            parent=self, modal=True)

    @Slot()
    def _on_ok(self) -> None:
        new = self.newPasswordEdit.text()
        if new != self.confirmPasswordEdit.text():
            self.show_message(self.tr("The new passwords are not the same."))
            self.confirmPasswordEdit.clear()
            self.confirmPasswordEdit.setFocus()
            return
        Op(self, self.windowTitle(),
           lambda: self._apply(self.currentPasswordEdit.text(), new)).success(
            lambda _none: self.accept()).failure(self._refused).run()

    def _refused(self, exc: TapeMasterError) -> None:
        self.show_message(error_text(exc))
        if self._own and "current" in exc.message.lower():
            self.currentPasswordEdit.clear()
            self.currentPasswordEdit.setFocus()
        else:
            self.newPasswordEdit.setFocus()
