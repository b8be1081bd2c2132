"""User Properties: tabs (Identity first, a property grid) above Save and Cancel.

Serves both Add (User-ID editable, password fields) and Properties (User-ID read-only).
Save goes through the admin service, which enforces every rule; this dialog only asks
for confirmation before changes that undo a user's OTP enrolment.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, TapeMasterError, ValidationError
from tapemaster_qt.fields import (
    CATEGORY_DESCRIPTIONS,
    FIELDS,
    STATE_FIELDS,
    Kind,
    UserField,
)
from tapemaster_qt.records import UserDetails
from tapemaster_qt.services import passwords
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import msgbox, palette, resources, widgets, windows
from tapemaster_qt.ui.i18n import error_text, field_text
from tapemaster_qt.ui.models.identity import FieldRole, IdentityModel
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.property_grid import PropertyGrid
from tapemaster_qt.ui.random_password import RandomPasswordDialog
from tapemaster_qt.ui.texts import local_time, yes_no
from tapemaster_qt.ui.windows import Draft, WindowRegistry

Index = QModelIndex | QPersistentModelIndex


class IdentityTab(QWidget):
    """The property grid, what the selected field means, and a legend."""

    def __init__(self, model: IdentityModel, groups: Sequence[str], adding: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.identityGrid = PropertyGrid(model, groups)
        self.identityGrid.setObjectName("identityGrid")
        self.identityGrid.setAccessibleName(self.tr("Identity properties"))

        self.fieldDescriptionLabel = QLabel()
        self.fieldDescriptionLabel.setObjectName("fieldDescriptionLabel")
        self.fieldDescriptionLabel.setWordWrap(True)
        self.fieldDescriptionLabel.setTextFormat(Qt.TextFormat.RichText)
        self.fieldDescriptionLabel.setAlignment(Qt.AlignmentFlag.AlignTop
                                                | Qt.AlignmentFlag.AlignLeft)
        self.fieldDescriptionLabel.setAccessibleName(self.tr("Field description"))
        self.fieldDescriptionLabel.setFrameShape(QFrame.Shape.StyledPanel)
        self.fieldDescriptionLabel.setMargin(6)
        lines = self.fieldDescriptionLabel.fontMetrics().lineSpacing()
        self.fieldDescriptionLabel.setMinimumHeight(5 * lines + 12)

        marker = QLabel()
        marker.setPixmap(palette.changed_icon().pixmap(16, 16))
        self.legendLabel = QLabel(
            self.tr("Bold with a dot: changed, not saved yet. Grey: cannot be changed here. "
                    "F2, Enter or typing edits a value; Space switches True and False; Ctrl+S "
                    "saves."))
        self.legendLabel.setObjectName("legendLabel")
        self.legendLabel.setWordWrap(True)
        legend = QHBoxLayout()
        legend.addWidget(marker, 0, Qt.AlignmentFlag.AlignTop)
        legend.addWidget(self.legendLabel, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.identityGrid, 1)
        layout.addWidget(self.fieldDescriptionLabel)
        layout.addLayout(legend)
        self.passwordEdit = QLineEdit()
        self.passwordEdit.setObjectName("newPasswordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passwordEdit.setAccessibleName(self.tr("Password"))
        self.confirmEdit = QLineEdit()
        self.confirmEdit.setObjectName("confirmPasswordEdit")
        self.confirmEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmEdit.setAccessibleName(self.tr("Password (again)"))
        self.randomButton = QPushButton(self.tr("&Random"))
        self.randomButton.setObjectName("randomButton")
        self.randomButton.setToolTip(self.tr("Propose a strong random password, to copy or send "
                                             "(Random Password Set)"))
        if adding:
            box = QGroupBox(self.tr("Password"))
            form = QFormLayout(box)
            row = QHBoxLayout()
            row.addWidget(self.passwordEdit, 1)
            row.addWidget(self.randomButton)
            label = QLabel(self.tr("&Password:"))
            label.setBuddy(self.passwordEdit)  # a row holding a layout gets no buddy
            form.addRow(label, row)
            form.addRow(self.tr("Password (&again):"), self.confirmEdit)
            layout.addWidget(box)
        self.identityGrid.selectionModel().currentChanged.connect(self._describe)
        model.dataChanged.connect(lambda *_: self._describe(self.identityGrid.currentIndex()))
        self._describe(QModelIndex())

    def _describe(self, index: Index, _previous: Index | None = None) -> None:
        """Say what the current row's field means (or its category's)."""
        if not index.isValid():
            self.fieldDescriptionLabel.setText(
                self.tr("Select a field to read what it means."))
            return
        field: UserField | None = index.data(FieldRole)
        if field is None:
            name = str(index.siblingAtColumn(0).data())
            title, text = field_text(name), field_text(CATEGORY_DESCRIPTIONS.get(name, ""))
        else:
            title, text = field_text(field.label), field_text(field.description)
            if not self._model.is_editable(field) and field.key in ("tapemaster_rights",):
                text += " " + self.tr("You cannot change it: you are not tapemaster.")
        self.fieldDescriptionLabel.setText(
            f"<b>{html.escape(title)}</b><br>{html.escape(text)}")


def _status_text(field: UserField, user: UserDetails) -> str:
    value = field.value(user)
    if field.kind is Kind.TIME:
        return local_time(value)  # type: ignore[arg-type]
    if field.kind is Kind.INTEGRITY:
        return (QCoreApplication.translate("StatusTab", "OK") if value
                else QCoreApplication.translate(
                    "StatusTab", "FAILED — changed outside TapeMaster; review, then re-seal"))
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


RECOVERY_CODES = FIELDS["recovery_codes_left"]


class StatusTab(QWidget):
    """Read-only logon state: what an administrator checks before unlocking; and the
    user's recovery codes, which an administrator may revoke."""

    def __init__(self, user: UserDetails | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.recoveryCodesLabel = QLabel()
        self.recoveryCodesLabel.setObjectName("recoveryCodesLabel")
        self.revokeRecoveryCodesButton = QPushButton(self.tr("Re&voke Recovery Codes…"))
        self.revokeRecoveryCodesButton.setObjectName("revokeRecoveryCodesButton")
        self.revokeRecoveryCodesButton.setToolTip(
            self.tr("Destroy the user's unused recovery codes (if someone else may have "
                    "seen them)"))
        if user is None:
            form.addRow(QLabel(self.tr("The status appears once the user is saved.")))
            return
        for field in STATE_FIELDS:
            label = QLabel(self.tr("{label}:").format(label=field_text(field.label)))
            label.setToolTip(field_text(field.description))
            value = QLabel(_status_text(field, user))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setToolTip(field_text(field.description))
            form.addRow(label, value)
        if user.otp_enabled:
            codes = QHBoxLayout()
            codes.addWidget(self.recoveryCodesLabel, 1)
            codes.addWidget(self.revokeRecoveryCodesButton)
            label = QLabel(self.tr("{label}:").format(label=field_text(RECOVERY_CODES.label)))
            label.setToolTip(field_text(RECOVERY_CODES.description))
            self.recoveryCodesLabel.setToolTip(field_text(RECOVERY_CODES.description))
            form.addRow(label, codes)
            self.show_codes_left(user.recovery_codes_left)

    def show_codes_left(self, left: int) -> None:
        self.recoveryCodesLabel.setText(str(left))
        self.revokeRecoveryCodesButton.setEnabled(left > 0)


class UserPropertiesDialog(QDialog):
    saved = Signal(str)

    def __init__(self, admin: AdminService, user: UserDetails | None, groups: Sequence[str],
                 *, parent: QWidget | None = None, windows: WindowRegistry | None = None
                 ) -> None:
        """``windows``: the program's registry, where Random Password Set opens."""
        super().__init__(parent)
        self._windows = windows if windows is not None else WindowRegistry(self)
        self._admin = admin
        self._user = user
        self.adding = user is None
        self.setObjectName("userPropertiesDialog")
        title = self.tr("New User") if user is None else user.user_id
        self.setWindowTitle(self.tr("User Properties — {user}").format(user=title))
        self.setWindowIcon(resources.app_icon())

        locked: set[str] = set()
        if not admin.actor.is_builtin:
            locked.add("tapemaster_rights")
        default_group = ""
        if self.adding and groups:
            default_group = next((g for g in groups if g == "DEFAULT"), groups[0])
        self.model = IdentityModel(user, adding=self.adding, locked=frozenset(locked),
                                   default_group=default_group, parent=self)
        self.identityTab = IdentityTab(self.model, groups, self.adding)
        self.identityGrid = self.identityTab.identityGrid
        self.identityTab.randomButton.clicked.connect(self.random_password)

        self.propertiesTabs = QTabWidget()
        self.propertiesTabs.setObjectName("propertiesTabs")
        self.propertiesTabs.addTab(self.identityTab, self.tr("&Identity"))
        self.statusTab = StatusTab(user)
        self.statusTab.revokeRecoveryCodesButton.clicked.connect(self._revoke_recovery_codes)
        self.propertiesTabs.addTab(self.statusTab, self.tr("S&tatus"))

        self.messageLabel = widgets.message_label()
        self.noteLabel = QLabel()
        self.noteLabel.setObjectName("noteLabel")
        self.noteLabel.setWordWrap(True)
        self.noteLabel.hide()

        self.buttonBox = widgets.button_box(self._on_save, self.reject, save=True)
        save = self.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip(self.tr("Save the changes (Ctrl+S)"))
        # Enter edits in the grid, so the keyboard saves with Ctrl+S.
        self._save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self,
                                        self._on_save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.propertiesTabs, 1)
        layout.addWidget(self.noteLabel)
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self.resize(560, 680)
        # The cursor starts on the first field: a new user's User-ID, ready to type.
        self.identityGrid.setCurrentIndex(self.model.value_index("User-ID"))
        self.identityGrid.setFocus()
        self._discarding = False

    # --- closing with edits -----------------------------------------------------------

    def unsaved_edits(self) -> list[str]:
        """The labels of what was changed and not saved."""
        edits = self.model.changed_labels()
        if self.adding and (self.identityTab.passwordEdit.text()
                            or self.identityTab.confirmEdit.text()):
            edits.append("Password")
        return edits

    def discard_edits(self) -> None:
        """Close without asking (the session is ending)."""
        self._discarding = True

    def draft(self) -> Draft | None:
        """The grid's edits not saved (the password typed for a new user is not kept)."""
        edits = [] if self._discarding else self.model.edits()
        if not edits:
            return None
        return Draft(windows.USER_PROPERTIES, self.windowTitle(),
                     None if self._user is None else self._user.user_id, tuple(edits))

    def restore(self, draft: Draft) -> None:
        """Put a draft's edits back in the grid, marked as changed, for the user to
        review and save; what cannot be set any more is said."""
        refused = self.model.apply_edits(list(draft.values))
        text = self.tr("Your changes from before you were logged out are back (bold, with "
                       "a dot): review them, then Save.")
        if refused:
            text += " " + self.tr("Not restored: {fields}.").format(
                fields=", ".join(field_text(r) for r in refused))
        if self.adding:
            text += " " + self.tr("Type the password again.")
        self.noteLabel.setText(text)
        self.noteLabel.show()

    def reject(self) -> None:
        """Cancel, Esc and the close button: ask before throwing edits away."""
        edits = [] if self._discarding else self.unsaved_edits()
        if edits:
            question = (self.tr("Discard the new user?") if self.adding
                        else self.tr("Discard your changes to {user}?").format(
                            user=self._user.user_id))  # type: ignore[union-attr]
            if not msgbox.confirm(
                self, self.tr("User Properties"), question,
                informative=self.tr("Not saved yet: {fields}.").format(
                    fields=", ".join(field_text(e) for e in edits)),
                yes=self.tr("Discard"), object_name="confirmDiscardMessage",
            ):
                return
        super().reject()

    def show_message(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    @Slot()
    def random_password(self) -> RandomPasswordDialog | None:
        """Add…'s Random: a new random password in both fields, shown in Random
        Password Set to copy or send to the user being added."""
        password = passwords.random_password()
        self.identityTab.passwordEdit.setText(password)
        self.identityTab.confirmEdit.setText(password)
        user_id = str(self.model.value_index("User-ID").data() or "").strip()
        email = str(self.model.value_index("E-mail").data() or "").strip()
        return self._windows.open(windows.RANDOM_PASSWORD, lambda: RandomPasswordDialog(
            password, user_id or None, applies=self.tr("when you save the new user"),
            email=email or None, new_user=True, parent=self), parent=self, modal=True)

    def _confirmations(self, changes: dict[str, Any]) -> bool:
        user = self._user
        if user is None:
            return True
        name = user.user_id
        if changes.get("otp_enabled") is False and user.otp_enabled:
            destroyed = (
                self.tr("Their activated secret is destroyed: the entry in their "
                        "authenticator app stops working for good. Turning it on later makes "
                        "a new secret and they must scan a new QR code.")
                if user.otp_activated else
                self.tr("Their enrolled secret is destroyed: the entry in their "
                        "authenticator app stops working for good. Turning it on later makes "
                        "a new secret and they must scan a new QR code."))
            if not msgbox.confirm(
                self, self.tr("One Time Password"),
                self.tr("Turn One Time Password off for {user}?").format(user=name),
                informative=destroyed,
                yes=self.tr("Turn Off"), object_name="confirmOtpOffMessage",
            ):
                return False
        if self.model.otp_reenabled() and not msgbox.confirm(
            self, self.tr("One Time Password"),
            self.tr("Give {user} a new One Time Password secret?").format(user=name),
            informative=(self.tr("The old secret stops working at once; they must scan the new QR "
                                 "code at their next logon.")),
            yes=self.tr("New Secret"), object_name="confirmOtpRenewMessage",
        ):
            return False
        return changes.get("disabled") is not True or msgbox.confirm(
            self, self.tr("Disable User-ID"),
            self.tr("Disable {user}? They can no longer log on.").format(user=name),
            yes=self.tr("Disable"), object_name="confirmDisableMessage",
        )

    @Slot()
    def _on_save(self) -> None:
        # Finish an edit still open in the grid before reading the values.
        self.identityGrid.finish_editing()
        changes = self.model.changes()
        if self.adding:
            password = self.identityTab.passwordEdit.text()
            if password != self.identityTab.confirmEdit.text():
                self._refused(ValidationError(QT_TRANSLATE_NOOP(
                    "errors", "The two passwords are not the same."), "Password"))
                return
            if not password:
                self._refused(ValidationError(QT_TRANSLATE_NOOP(
                    "errors", "Enter a password for the new user."), "Password"))
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
        self.show_message(error_text(exc))
        self._focus_field(getattr(exc, "field", None))

    @Slot()
    def _revoke_recovery_codes(self) -> None:
        user = self._user
        assert user is not None
        if not msgbox.confirm(
            self, self.tr("Recovery Codes"),
            self.tr("Revoke the recovery codes of {user}?").format(user=user.user_id),
            informative=(self.tr("Their unused recovery codes stop working at once. They can make "
                         "new ones in File ▸ One Time Password…, with a code from their app.")),
            yes=self.tr("Revoke"), object_name="confirmRevokeCodesMessage",
        ):
            return

        def revoke() -> int:
            self._admin.revoke_recovery_codes(user.user_id)
            return self._admin.get_user(user.user_id).recovery_codes_left

        def shown(left: int) -> None:
            self.statusTab.show_codes_left(left)
            self.show_message("")

        Op(self, self.tr("Recovery Codes"), revoke).success(shown).failure(self._refused).run()

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

