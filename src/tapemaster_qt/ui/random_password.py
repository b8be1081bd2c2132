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

from tapemaster_qt.ui import clipboard, resources, widgets
from tapemaster_qt.ui.texts import random_password_message

logger = logging.getLogger(__name__)

TITLE = "Random Password Set"


def mailto(address: str | None, subject: str, body: str) -> QUrl:
    """A ``mailto:`` link (RFC 6068) to ``address`` with ``subject`` and ``body``. Every
    character that is not a letter or digit is percent-encoded (``+`` included, which
    some programs would read as a space), so nothing in the text adds a header."""
    to = quote(address or "", safe="@")
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    text = f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return QUrl.fromEncoded(text.encode("ascii"), QUrl.ParsingMode.StrictMode)


def _seconds() -> str:
    """How long a copy stays on the clipboard, in words."""
    seconds = max(1, clipboard.CLEAR_AFTER_MS // 1000)
    return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"


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
        self.setWindowTitle(TITLE)
        self.setWindowIcon(resources.app_icon())
        self._password = password
        self._user_id = user_id or ""
        self._email = email or None
        self._new_user = new_user

        whom = f"for {user_id}" if user_id else "for the new user"
        intro = QLabel(f"A new password {whom}:")
        self.passwordEdit = QLineEdit(password)
        self.passwordEdit.setObjectName("randomPasswordEdit")
        self.passwordEdit.setReadOnly(True)
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.passwordEdit.setFont(font)
        self.passwordEdit.setAccessibleName("New password")
        self.passwordEdit.setMinimumWidth(self.passwordEdit.fontMetrics().horizontalAdvance(
            password) + 24)
        note = QLabel(f"It becomes the password {applies}. Letters and digits that look "
                      "alike (0 and O, 1, l and I) are left out.")
        note.setWordWrap(True)
        intro.setBuddy(self.passwordEdit)

        seconds = _seconds()
        self.copyPasswordButton = self._button(
            "copyPasswordButton", "Copy &password", self.copy_password,
            f"Copy the password (taken off the clipboard again after {seconds})")
        self.copyMessageButton = self._button(
            "copyMessageButton", "Copy &message", self.copy_message,
            "Copy a ready message for the user, password included (taken off the "
            f"clipboard again after {seconds})")
        self.emailMessageButton = self._button(
            "emailMessageButton", "&Email message", self.email_message,
            "Open the message in a new e-mail" + (f" to {email}" if email else ""))
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

    def _copied(self, what: str) -> None:
        self._say(f"{what} copied. It leaves the clipboard in {_seconds()}.")

    @Slot()
    def copy_password(self) -> None:
        clipboard.copy_secret(self._password)
        self._copied("Password")

    @Slot()
    def copy_message(self) -> None:
        _subject, body = self.message()
        clipboard.copy_secret(body)
        self._copied("Message")

    @Slot()
    def email_message(self) -> None:
        subject, body = self.message()
        if QDesktopServices.openUrl(mailto(self._email, subject, body)):
            logger.info("Opened a new e-mail with the new password of %s", self._user_id)
            self._say("The message is in a new e-mail"
                      + (f" to {self._email}." if self._email else
                         "; add the user's address."))
        else:
            self._say("No e-mail program opened the message; use Copy message and paste "
                      "it into an e-mail.")

    def _say(self, text: str) -> None:
        self.statusLabel.setText(text)
        widgets.grow_to_fit(self)  # taller for a second line, never squeezed
