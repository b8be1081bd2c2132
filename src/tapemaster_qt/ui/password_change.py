"""Password Change: File ▸ Reset Password (own) and Management ▸ Reset Password (admin)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.services.passwords import MAX_LENGTH, MIN_LENGTH, random_password
from tapemaster_qt.ui import clipboard, resources, widgets
from tapemaster_qt.ui.logon import PasswordEdit, caps_lock_hint
from tapemaster_qt.ui.operations import Op

Apply = Callable[[str, str], None]
"""Called with (current, new); raises TapeMasterError to refuse with a message."""


class PasswordChangeDialog(QDialog):
    def __init__(self, user_id: str, apply: Apply, *, own: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordChangeDialog")
        self.setWindowTitle(f"Password Change — {user_id}")
        self.setWindowIcon(resources.app_icon())
        self._apply = apply
        self._user_id = user_id

        def password_edit(name: str, accessible: str) -> PasswordEdit:
            edit = PasswordEdit()
            edit.setObjectName(name)
            edit.setMaxLength(256)
            edit.setAccessibleName(accessible)
            return edit

        self.currentPasswordEdit = password_edit("currentPasswordEdit", "Current Password")
        self.newPasswordEdit = password_edit("newPasswordEdit", "New Password")
        self.confirmPasswordEdit = password_edit("confirmPasswordEdit", "New Password (again)")
        self.randomButton = QPushButton("&Random")
        self.randomButton.setObjectName("randomButton")
        self.randomButton.setToolTip("Propose a strong random password")
        self.randomButton.clicked.connect(self._on_random)

        self.randomEdit = QLineEdit()
        self.randomEdit.setObjectName("randomPasswordEdit")
        self.randomEdit.setReadOnly(True)
        self.randomEdit.setFont(QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)))
        self.randomEdit.setAccessibleName("Proposed password")
        self.copyButton = QPushButton("&Copy")
        self.copyButton.setObjectName("copyPasswordButton")
        seconds = max(1, clipboard.CLEAR_AFTER_MS // 1000)
        self.copyButton.setToolTip(
            "Copy the proposed password to the clipboard (taken off it again after "
            f"{seconds} second{'s' if seconds != 1 else ''})")
        self.copyButton.clicked.connect(self._on_copy)
        self._random_row = QWidget()
        row = QHBoxLayout(self._random_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.randomEdit, 1)
        row.addWidget(self.copyButton)
        self._random_row.hide()

        self.messageLabel = widgets.message_label()

        form = QFormLayout()
        form.addRow("User-ID:", QLabel(user_id))
        if own:
            form.addRow("&Current Password:", self.currentPasswordEdit)
        else:
            self.currentPasswordEdit.hide()
        new_row = QHBoxLayout()
        new_row.addWidget(self.newPasswordEdit, 1)
        new_row.addWidget(self.randomButton)
        new_label = QLabel("&New Password:")
        new_label.setBuddy(self.newPasswordEdit)  # a row holding a layout gets no buddy
        form.addRow(new_label, new_row)
        form.addRow("New Password (&again):", self.confirmPasswordEdit)
        self.capsLockLabel = caps_lock_hint(self.currentPasswordEdit, self.newPasswordEdit,
                                            self.confirmPasswordEdit)
        form.addRow("", self.capsLockLabel)
        form.addRow("", self._random_row)
        rules = QLabel(f"{MIN_LENGTH} to {MAX_LENGTH} characters, not the User-ID."
                       + ("" if own else " Resetting also restores a revoked User-ID."))
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
    def _on_random(self) -> None:
        password = random_password()
        self.newPasswordEdit.setText(password)
        self.confirmPasswordEdit.setText(password)
        self.randomEdit.setText(password)
        self._random_row.show()
        self.copyButton.setText("&Copy")

    @Slot()
    def _on_copy(self) -> None:
        clipboard.copy_secret(self.randomEdit.text())
        self.copyButton.setText("Copied")

    @Slot()
    def _on_ok(self) -> None:
        new = self.newPasswordEdit.text()
        if new != self.confirmPasswordEdit.text():
            self.show_message("The new passwords are not the same.")
            self.confirmPasswordEdit.clear()
            self.confirmPasswordEdit.setFocus()
            return
        Op(self, self.windowTitle(),
           lambda: self._apply(self.currentPasswordEdit.text(), new)).success(
            lambda _none: self.accept()).failure(self._refused).run()

    def _refused(self, exc: TapeMasterError) -> None:
        self.show_message(exc.message)
        if self._own and "current" in exc.message.lower():
            self.currentPasswordEdit.clear()
            self.currentPasswordEdit.setFocus()
        else:
            self.newPasswordEdit.setFocus()
