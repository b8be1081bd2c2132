"""Random Password Set: what TapeTrack's Random opens (DESIGN.md §2).

The proposed password, with **Copy password**, **Copy message** (a ready text to send
the user) and **Email message** (the same text in a new message of the computer's
e-mail program, through a ``mailto:`` link). Both copies leave the clipboard after
:data:`~tapemaster_qt.ui.clipboard.CLEAR_AFTER_MS` if they are still there. Neither
the password nor the message is ever written to the log.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tapemaster_qt.errors import QT_TRANSLATE_NOOP
from tapemaster_qt.ui import clipboard, resources, widgets
from tapemaster_qt.ui.texts import random_password_message

logger = logging.getLogger(__name__)

TITLE = QT_TRANSLATE_NOOP("RandomPasswordDialog", "Random Password Set")


def mailto(address: str | None, subject: str, body: str) -> QUrl:
    """A ``mailto:`` link (RFC 6068) to ``address`` with ``subject`` and ``body``. Every
    character that is not a letter or digit is percent-encoded (``+`` included, which
    some programs would read as a space), so nothing in the text adds a header."""
    to = quote(address or "", safe="@")
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    text = f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return QUrl.fromEncoded(text.encode("ascii"), QUrl.ParsingMode.StrictMode)


def _seconds() -> int:
    """How long a copy stays on the clipboard, in seconds."""
    return max(1, clipboard.CLEAR_AFTER_MS // 1000)


class RandomPasswordDialog(QDialog):
    """The proposed ``password`` for ``user_id`` (None: a user not named yet);
    ``email``: where Email message addresses it; ``applies``: when the password takes
    effect ("when you press OK in Password Change"); ``for_others``: offer the message
    for the user (an administrator's reset or a new user), not only Copy password."""

    def __init__(self, password: str, user_id: str | None, *, applies: str,
                 email: str | None = None, for_others: bool = True, new_user: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("randomPasswordSetDialog")
        self.setWindowTitle(self.tr(TITLE))
        self.setWindowIcon(resources.app_icon())
        self._password = password
        self._user_id = user_id or ""
        self._email = email or None
        self._new_user = new_user

        intro = QLabel(self.tr("A new password for {user}:").format(user=user_id) if user_id
                       else self.tr("A new password for the new user:"))
        self.passwordEdit = QLineEdit(password)
        self.passwordEdit.setObjectName("randomPasswordEdit")
        self.passwordEdit.setReadOnly(True)
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.passwordEdit.setFont(font)
        self.passwordEdit.setAccessibleName(self.tr("New password"))
        self.passwordEdit.setMinimumWidth(self.passwordEdit.fontMetrics().horizontalAdvance(
            password) + 24)
        note = QLabel(self.tr("It becomes the password {when}. Letters and digits that look "
                              "alike (0 and O, 1, l and I) are left out.").format(when=applies))
        note.setWordWrap(True)
        intro.setBuddy(self.passwordEdit)

        seconds = _seconds()
        self.copyPasswordButton = self._button(
            "copyPasswordButton", self.tr("Copy &password"), self.copy_password,
            self.tr("Copy the password (taken off the clipboard again after %n second(s))",
                    "", seconds))
        self.copyMessageButton = self._button(
            "copyMessageButton", self.tr("Copy &message"), self.copy_message,
            self.tr("Copy a ready message for the user, password included (taken off the "
                    "clipboard again after %n second(s))", "", seconds))
        self.emailMessageButton = self._button(
            "emailMessageButton", self.tr("&Email message"), self.email_message,
            self.tr("Open the message in a new e-mail to {address}").format(address=email)
            if email else self.tr("Open the message in a new e-mail"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.copyPasswordButton)
        for button in (self.copyMessageButton, self.emailMessageButton):
            buttons.addWidget(button)
            button.setVisible(for_others)
        buttons.addStretch(1)
        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("statusLabel")
        self.statusLabel.setWordWrap(True)
        self.buttonBox = QDialogButtonBox()
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttonBox.rejected.connect(self.reject)

        layout = widgets.WrappingLayout(self, 440)
        layout.addWidget(intro)
        layout.addWidget(self.passwordEdit)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.statusLabel)
        layout.addWidget(self.buttonBox)
        self.copyPasswordButton.setFocus()

    def _button(self, name: str, text: str, slot: object, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def message(self) -> tuple[str, str]:
        """The subject and text sent to the user."""
        return random_password_message(self._user_id, self._password,
                                       new_user=self._new_user)

    @Slot()
    def copy_password(self) -> None:
        clipboard.copy_secret(self._password)
        self._say(self.tr("Password copied. It leaves the clipboard in %n second(s).", "",
                          _seconds()))

    @Slot()
    def copy_message(self) -> None:
        _subject, body = self.message()
        clipboard.copy_secret(body)
        self._say(self.tr("Message copied. It leaves the clipboard in %n second(s).", "",
                          _seconds()))

    @Slot()
    def email_message(self) -> None:
        subject, body = self.message()
        if QDesktopServices.openUrl(mailto(self._email, subject, body)):
            logger.info("Opened a new e-mail with the new password of %s", self._user_id)
            self._say(self.tr("The message is in a new e-mail to {address}.").format(
                address=self._email) if self._email else
                self.tr("The message is in a new e-mail; add the user's address."))
        else:
            self._say(self.tr("No e-mail program opened the message; use Copy message and paste "
                              "it into an e-mail."))

    def _say(self, text: str) -> None:
        self.statusLabel.setText(text)
        widgets.grow_to_fit(self)  # taller for a second line, never squeezed
