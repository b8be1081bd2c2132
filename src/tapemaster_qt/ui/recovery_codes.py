"""Recovery Codes: the user's new single-use recovery codes, shown once (DESIGN.md §3a).

Copy puts them on the clipboard (for 30 seconds, like the Secret Key); Save… writes
them to a text file that only its owner can read, atomically (a temporary file created
0600 beside the target, then renamed over it), so a full disk or a crash never leaves
half the codes, and a file that was readable by others is replaced, not reused. Only
their hashes were stored: once this dialog is closed, nobody can show them again.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from tapemaster_qt.fileio import write_text_atomically
from tapemaster_qt.services.recovery import formatted
from tapemaster_qt.ui import clipboard, msgbox, resources, widgets
from tapemaster_qt.ui.texts import keep_codes_safe

logger = logging.getLogger(__name__)


def codes_text(codes: Sequence[str], account: str) -> str:
    """What Copy and Save… give: a heading, the codes one a line, and the rule."""
    lines = [QCoreApplication.translate("RecoveryCodesDialog",
                                        "TapeMaster recovery codes for {account}"
                                        ).format(account=account), ""]
    lines += [formatted(c) for c in codes]
    lines += ["", QCoreApplication.translate(
        "RecoveryCodesDialog",
        "Each code works once, in place of a code from your authenticator app.")]
    return "\n".join(lines) + "\n"


def save_codes(path: str, text: str) -> None:
    """Write ``text`` to ``path`` for its owner only, atomically: the temporary file
    is created 0600 (``mkstemp``) and renamed over the target, so the codes are never
    in a file someone else could open, even for a moment; a symlink at ``path`` is
    replaced, not followed."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(target))
    write_text_atomically(target, text)


class RecoveryCodesDialog(QDialog):
    def __init__(self, codes: Sequence[str], account: str, heading: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodesDialog")
        self.setWindowTitle(self.tr("Recovery Codes — {account}").format(account=account))
        self.setWindowIcon(resources.app_icon())
        self._text = codes_text(codes, account)
        self._account = account

        title = QLabel(f"<b>{heading}</b>")
        title.setObjectName("headingLabel")
        title.setWordWrap(True)
        intro = QLabel(self.tr("These are your %n recovery code(s).", "", len(codes))
                       + " " + keep_codes_safe())
        intro.setObjectName("keepSafeLabel")
        intro.setWordWrap(True)

        self.recoveryCodesView = QPlainTextEdit()
        self.recoveryCodesView.setObjectName("recoveryCodesView")
        self.recoveryCodesView.setReadOnly(True)
        self.recoveryCodesView.setAccessibleName(self.tr("Recovery codes"))
        self.recoveryCodesView.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        mono = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        mono.setPointSizeF(max(mono.pointSizeF(), 11.0))
        self.recoveryCodesView.setFont(mono)
        # Two columns of five, as GitHub shows them: easy to copy onto paper.
        half = (len(codes) + 1) // 2
        rows = [f"{formatted(codes[i])}    {formatted(codes[i + half])}"
                if i + half < len(codes) else formatted(codes[i]) for i in range(half)]
        self.recoveryCodesView.setPlainText("\n".join(rows))
        metrics = self.recoveryCodesView.fontMetrics()
        self.recoveryCodesView.setFixedHeight(metrics.lineSpacing() * (half + 1) + 16)
        self.recoveryCodesView.setMinimumWidth(
            metrics.horizontalAdvance("xxxx-xxxx    xxxx-xxxx") + 40)

        self.copyCodesButton = QPushButton(self.tr("&Copy"))
        self.copyCodesButton.setObjectName("copyCodesButton")
        self.copyCodesButton.setToolTip(self.tr(
            "Copy the codes to the clipboard (taken off it again after {seconds} s)"
        ).format(seconds=max(1, clipboard.CLEAR_AFTER_MS // 1000)))
        self.copyCodesButton.clicked.connect(self._copy)
        self.saveCodesButton = QPushButton(self.tr("&Save…"))
        self.saveCodesButton.setObjectName("saveCodesButton")
        self.saveCodesButton.setToolTip(self.tr("Save the codes in a text file only you can read"))
        self.saveCodesButton.clicked.connect(self._save)
        actions = QHBoxLayout()
        actions.addWidget(self.copyCodesButton)
        actions.addWidget(self.saveCodesButton)
        actions.addStretch(1)

        self.statusLabel = QLabel()
        self.statusLabel.setObjectName("statusLabel")
        self.statusLabel.setWordWrap(True)
        self.statusLabel.hide()
        self.messageLabel = widgets.message_label()

        self.buttonBox = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.accepted.connect(self.accept)

        layout = widgets.WrappingLayout(self, 460)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.recoveryCodesView)
        layout.addLayout(actions)
        layout.addWidget(self.statusLabel)
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self.copyCodesButton.setFocus()

    @Slot()
    def _copy(self) -> None:
        clipboard.copy_secret(self._text)
        self.copyCodesButton.setText(self.tr("Copied"))
        seconds = max(1, clipboard.CLEAR_AFTER_MS // 1000)
        self._say(self.tr("The codes are on the clipboard for %n second(s): paste them "
                          "into your password manager now.", "", seconds))

    @Slot()
    def _save(self) -> None:
        name = f"tapemaster-recovery-codes-{self._account.split(':')[-1]}.txt"
        start = str(Path.home() / name)
        path = msgbox.save_file(self, self.tr("Save Recovery Codes"), start,
                                self.tr("Text files (*.txt)"))
        if path is None:
            return
        try:
            save_codes(path, self._text)
        except OSError as exc:
            logger.info("Recovery codes not saved: %s", type(exc).__name__)
            widgets.show_message(self.messageLabel, self.tr(
                "The codes could not be saved in {path} ({reason}); nothing was written. "
                "Choose another place.").format(path=path,
                                                reason=exc.strerror or type(exc).__name__))
            widgets.grow_to_fit(self)
            return
        widgets.show_message(self.messageLabel, "")
        self.saveCodesButton.setText(self.tr("Saved"))
        self._say(self.tr("Saved in {path}, readable by you only. Move it somewhere safe."
                          ).format(path=path))

    def _say(self, text: str) -> None:
        self.statusLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.statusLabel.setText(text)
        self.statusLabel.show()
        widgets.grow_to_fit(self)
