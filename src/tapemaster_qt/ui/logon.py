"""The TapeTrack Logon dialog and the First Run dialog.

Both only collect input and show what the controller tells them; the decisions are
the services'. OK does not close the dialog: it asks the controller, which closes it
on success or puts the message in ``messageLabel`` for another try.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Not ``Qt``: PySide builds that namespace on first use (tens of milliseconds), so the
# logon dialog is built without it and uses it only after it is on screen.
from PySide6.QtCore import QCoreApplication, QEvent, QRegularExpression, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent, QPaintEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.services import code_field
from tapemaster_qt.services.passwords import MAX_LENGTH, MIN_LENGTH
from tapemaster_qt.ui import widgets

if TYPE_CHECKING:
    from tapemaster_qt.services.auth import LogonOutcome

# A code, "123456" or "123 456", or a recovery code, "abcd-2345" in any case, with or
# without the dash (or a dash a web page or word processor made of it); a space pasted
# before or after is harmless. The characters are the logon engine's own
# (services/code_field.py); what cannot be a code even so is refused there before
# anything is counted.
OTP_PATTERN = QRegularExpression(code_field.FIELD_PATTERN)


class PasswordEdit(QLineEdit):
    """A password field that notices Caps Lock.

    Qt cannot ask the keyboard for Caps Lock, so it is inferred from typed letters: an
    upper-case letter without Shift (or lower-case with it) means Caps Lock is on.
    """

    capsLockChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if len(text) == 1 and text.isalpha() and text.lower() != text.upper():
            from PySide6.QtCore import Qt

            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.capsLockChanged.emit(text.isupper() != shift)
        super().keyPressEvent(event)


def caps_lock_hint(*edits: PasswordEdit) -> QLabel:
    """A "Caps Lock is on" label that follows what is typed into ``edits``."""
    label = QLabel(QCoreApplication.translate("LoginDialog", "Caps Lock is on"))
    label.setObjectName("capsLockLabel")
    label.setStyleSheet("color: #8a5a00;")
    label.hide()
    for edit in edits:
        edit.capsLockChanged.connect(label.setVisible)
    return label


def _header(program: str, text: str) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 6)
    icon = QLabel()
    icon.setObjectName("headerIcon")
    icon.setFixedSize(48, 48)
    layout.addWidget(icon)
    words = QVBoxLayout()
    title = QLabel(program)
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    title.setFont(font)
    words.addWidget(title)
    hint = QLabel(text)
    hint.setWordWrap(True)
    words.addWidget(hint)
    layout.addLayout(words, 1)
    return box


def _set_icons(dialog: QDialog) -> None:
    """Window and header icons, set once the dialog is on screen: rendering the SVG
    (and importing QtSvg) is kept off the path to the first window."""
    from tapemaster_qt.ui import resources

    icon = resources.app_icon()
    dialog.setWindowIcon(icon)
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.windowIcon().isNull():
        app.setWindowIcon(icon)
    header = dialog.findChild(QLabel, "headerIcon")
    if header is not None:
        header.setPixmap(icon.pixmap(48, 48))


class _IconsOnShow(QDialog):
    """Emits ``firstPainted`` once the dialog is on screen; then loads its icons."""

    firstPainted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:  # after the first paint, so the dialog is seen at once
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        _set_icons(self)
        self.firstPainted.emit()

    _painted = False


class LoginDialog(_IconsOnShow):
    """TapeTrack Logon: User-ID, Password, One Time Password."""

    logonRequested = Signal(str, str, str)

    def __init__(self, program: str, last_user_id: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("TapeTrack Logon — {program}").format(program=program))
        self.program = program

        self.userIdEdit = QLineEdit(last_user_id)
        self.userIdEdit.setObjectName("userIdEdit")
        self.userIdEdit.setMaxLength(254)  # a User-ID (16) or an e-mail address (254)
        self.userIdEdit.setAccessibleName(self.tr("User-ID"))
        self.userIdEdit.setToolTip(self.tr("Your User-ID, or the e-mail address your "
                                           "administrator entered for you"))
        self.passwordEdit = PasswordEdit()
        self.passwordEdit.setObjectName("passwordEdit")
        self.passwordEdit.setMaxLength(256)
        self.passwordEdit.setAccessibleName(self.tr("Password"))
        self.capsLockLabel = caps_lock_hint(self.passwordEdit)
        self.otpEdit = QLineEdit()
        self.otpEdit.setObjectName("otpEdit")
        self.otpEdit.setPlaceholderText("123 456")
        self.otpEdit.setMaxLength(code_field.FIELD_MAX)
        self.otpEdit.setValidator(QRegularExpressionValidator(OTP_PATTERN, self.otpEdit))
        self.otpEdit.setAccessibleName(self.tr("One Time Password"))
        self.otpEdit.setToolTip(self.tr(
            "The 6-digit code from your authenticator app, if your User-ID uses one,\n"
            "or one of your recovery codes (like abcd-2345) if you lost your phone.\n"
            "Leave it empty the first time, to see the QR code to scan."
        ))
        self.messageLabel = widgets.message_label()

        form = QFormLayout()
        form.addRow(self.tr("&User-ID:"), self.userIdEdit)
        form.addRow(self.tr("&Password:"), self.passwordEdit)
        form.addRow("", self.capsLockLabel)
        form.addRow(self.tr("&One Time Password:"), self.otpEdit)

        self.buttonBox = widgets.button_box(self._on_ok, self.reject)

        # Never narrower than 420 px, nor shorter than the wrapped texts need there: a
        # window manager may otherwise size the dialog below them and clip the header.
        layout = widgets.WrappingLayout(self, 420)
        layout.addWidget(_header(
            program,
            self.tr("Enter your User-ID and password, and the One Time Password from your "
                    "authenticator app if your User-ID uses one."),
        ))
        layout.addLayout(form)
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self._focus_first_empty()

    def _focus_first_empty(self) -> None:
        target = self.passwordEdit if self.userIdEdit.text() else self.userIdEdit
        target.setFocus()

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self._focus_first_empty()

    def show_message(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    @Slot()
    def _on_ok(self) -> None:
        user_id = self.userIdEdit.text().strip()
        if not user_id:
            self.show_message(self.tr("Enter your User-ID."))
            self.userIdEdit.setFocus()
            return
        if not self.passwordEdit.text():
            self.show_message(self.tr("Enter your password."))
            self.passwordEdit.setFocus()
            return
        self.logonRequested.emit(user_id, self.passwordEdit.text(), self.otpEdit.text())

    def show_outcome(self, outcome: LogonOutcome) -> None:
        """Show a refusal and put the cursor where the user types next."""
        from tapemaster_qt.services.auth import LogonStatus
        from tapemaster_qt.ui.texts import logon_message

        self.show_message(logon_message(outcome))
        status = outcome.status
        if status is LogonStatus.AUTHORIZATION_FAILURE:
            self.passwordEdit.clear()
            self.otpEdit.clear()
            self.passwordEdit.setFocus()
        elif status in (LogonStatus.REVOKED, LogonStatus.PROGRAM_NOT_PERMITTED):
            self.passwordEdit.clear()
            self.userIdEdit.setFocus()
            self.userIdEdit.selectAll()
        else:  # a problem with the code: keep the password, retype the code
            self.otpEdit.clear()
            self.otpEdit.setFocus()

    def reset_for_next_user(self, last_user_id: str) -> None:
        """After a log out: an empty form but the last User-ID."""
        self.userIdEdit.setText(last_user_id)
        self.passwordEdit.clear()
        self.otpEdit.clear()
        self.capsLockLabel.hide()
        self.show_message("")
        self._focus_first_empty()


class FirstRunDialog(_IconsOnShow):
    """A new store: choose the built-in tapemaster user's password."""

    passwordChosen = Signal(str)

    def __init__(self, program: str, store_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("{program} — First Run").format(program=program))

        self.passwordEdit = PasswordEdit()
        self.passwordEdit.setObjectName("passwordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passwordEdit.setAccessibleName(self.tr("Password"))
        self.confirmEdit = PasswordEdit()
        self.confirmEdit.setObjectName("confirmEdit")
        self.confirmEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmEdit.setAccessibleName(self.tr("Password (again)"))
        self.messageLabel = widgets.message_label()
        rules = QLabel(self.tr(
            "The password needs {min} to {max} characters and must not be the User-ID. A "
            "passphrase of a few words is easy to type and hard to guess."
        ).format(min=MIN_LENGTH, max=MAX_LENGTH))
        rules.setWordWrap(True)
        location = QLabel(self.tr("Store: {location}").format(location=store_path))
        location.setWordWrap(True)
        location.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow(self.tr("User-ID:"), QLabel("<b>tapemaster</b>"))
        form.addRow(self.tr("&Password:"), self.passwordEdit)
        form.addRow(self.tr("Password (&again):"), self.confirmEdit)
        form.addRow("", caps_lock_hint(self.passwordEdit, self.confirmEdit))

        self.buttonBox = widgets.button_box(self._on_ok, self.reject)

        # Never smaller than the wrapped texts need: a window manager may otherwise
        # size the dialog below its height-for-width and clip the header.
        layout = widgets.WrappingLayout(self, 440)
        layout.addWidget(_header(
            program,
            self.tr("This is a new user store. Choose the password of the built-in "
                    "tapemaster user: the administrator who adds every other user."),
        ))
        layout.addLayout(form)
        layout.addWidget(rules)
        layout.addWidget(self.messageLabel)
        layout.addWidget(location)
        layout.addWidget(self.buttonBox)
        self.passwordEdit.setFocus()

    def show_message(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    @Slot()
    def _on_ok(self) -> None:
        if self.passwordEdit.text() != self.confirmEdit.text():
            self.show_message(self.tr("The two passwords are not the same."))
            self.confirmEdit.clear()
            self.confirmEdit.setFocus()
            return
        self.passwordChosen.emit(self.passwordEdit.text())
