"""One Time Password Setup: the QR popup shown at every logon until activation (and,
as One Time Password New Phone, when a user moves to a new phone).

The QR is painted module by module from the QR matrix, on whole device pixels, so
it stays sharp at any size and any screen scaling (a scaled bitmap would blur, and a
blurred QR is what phones fail to read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QRegularExpression,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QImage,
    QKeyEvent,
    QPainter,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from tapemaster_qt.ui import clipboard, resources, widgets
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.texts import apps

if TYPE_CHECKING:
    from tapemaster_qt.services.auth import LogonOutcome

QUIET_ZONE = 4


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR symbol for ``data`` (error correction M) with its 4-module quiet zone."""
    import qrcode  # off the start-up path: only enrolment needs it
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


class QrCodeLabel(QLabel):
    """Paints a QR matrix crisply: an integer number of device pixels per module."""

    MODULE = 6
    """Logical pixels per module: about 6 cm across on a common screen, easy to scan."""

    def __init__(self, matrix: list[list[bool]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = matrix
        self.setObjectName("qrCodeLabel")
        self.setAccessibleName(self.tr("QR code"))
        self.setAccessibleDescription(self.tr("Scan this code with your authenticator app"))
        side = len(matrix) * self.MODULE
        self.setFixedSize(QSize(side, side))

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        try:
            self.paint_matrix(painter, self.width(), self.height(), self.devicePixelRatioF())
        finally:
            painter.end()

    def paint_matrix(self, painter: QPainter, width: int, height: int, ratio: float) -> None:
        n = len(self.matrix)
        # Whole device pixels per module; the rest of the widget stays white.
        module_px = max(1, int(min(width, height) * ratio) // n)
        module = module_px / ratio
        side = module * n
        left = (width - side) / 2
        top = (height - side) / 2
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        # Snap the origin to a device pixel too.
        origin = QPointF(round(left * ratio) / ratio, round(top * ratio) / ratio)
        painter.fillRect(QRectF(origin.x(), origin.y(), side, side), QColor("white"))
        black = QColor("black")
        for y, row in enumerate(self.matrix):
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    painter.fillRect(
                        QRectF(origin.x() + start * module, origin.y() + y * module,
                               (x - start) * module, module), black,
                    )
                else:
                    x += 1

    def to_image(self, module_px: int = 8) -> QImage:
        """The QR as an image, ``module_px`` pixels per module (for saving or tests)."""
        n = len(self.matrix)
        image = QImage(n * module_px, n * module_px, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(x * module_px, y * module_px, module_px, module_px,
                                     QColor("black"))
        painter.end()
        return image


class OtpSetupDialog(QDialog):
    """The QR first, then the Secret Key under "Can't scan? Type this key" (groups of
    four, with Copy), then "Code from your app" with Verify, and OK.

    At enrolment Verify is optional: a valid code activates One Time Password at once
    (``verify``, the logon engine's own rules); OK without a code carries on as the
    technote says (activation at the next logon). Moving to a new phone
    (``new_phone``), a code from the new phone must verify: there is no OK, only
    Cancel, which leaves the old phone in use.

    ``verify`` gets the typed code and returns the outcome. A refusal is explained
    under the field and the QR stays; a success (or a failure that revoked the User-ID)
    is emitted as ``finishedWith`` and the dialog closes.
    """

    finishedWith = Signal(object)
    """The outcome that ended the dialog: CONFIRMED/ACTIVATED, or a refusal that revoked."""

    def __init__(self, provisioning_uri: str, secret_key: str, account: str,
                 program: str, parent: QWidget | None = None, *,
                 verify: Callable[[str], LogonOutcome] | None = None,
                 new_phone: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("otpSetupDialog")
        self.setWindowTitle(
            (self.tr("One Time Password New Phone — {program}") if new_phone
             else self.tr("One Time Password Setup — {program}")).format(program=program))
        self.setWindowIcon(resources.app_icon())
        self._verify = verify
        self.new_phone = new_phone

        if new_phone:
            intro_text = self.tr("<b>Add your User-ID to the authenticator app on your new "
                                 "phone.</b> Your current phone keeps working until the new "
                                 "one is verified here.")
            last_step = self.tr("<li>Type the 6-digit code the <b>new</b> phone shows and "
                                "click <b>Verify</b>. From then on only the new phone's "
                                "codes work.</li>")
        else:
            intro_text = self.tr("<b>Your User-ID now uses a One Time Password.</b> Add it "
                                 "to the authenticator app on your phone:")
            last_step = self.tr("<li>Type the 6-digit code the app shows and click "
                                "<b>Verify</b> to switch it on now, or click <b>OK</b> to "
                                "carry on and use a code the next time you log on; this QR "
                                "code is shown at each logon until you do.</li>")
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        steps = QLabel(
            "<ol style='margin-left:-20px'>"
            + self.tr("<li>Open your authenticator app ({apps}).</li>").format(apps=apps())
            + self.tr("<li>Add an account and scan this QR code (or type the key below "
                      "it).</li>")
            + f"{last_step}</ol>"
        )
        steps.setWordWrap(True)
        warning = QLabel(self.tr(
            "Codes depend on the time: make sure your computer and your phone show the "
            "correct date, time and time zone."
        ))
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a5a00;")

        self.qrCodeLabel = QrCodeLabel(qr_matrix(provisioning_uri))

        self.accountLabel = QLabel(account)
        self.accountLabel.setObjectName("accountLabel")
        self.accountLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secretKeyEdit = QLineEdit(secret_key)
        self.secretKeyEdit.setObjectName("secretKeyEdit")
        self.secretKeyEdit.setReadOnly(True)
        self.secretKeyEdit.setAccessibleName(self.tr("Secret Key"))
        mono = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        mono.setPointSizeF(max(mono.pointSizeF(), 10.5))
        self.secretKeyEdit.setFont(mono)
        self.secretKeyEdit.setMinimumWidth(
            self.secretKeyEdit.fontMetrics().horizontalAdvance(secret_key + "MM") + 12
        )
        self.copySecretButton = QPushButton(self.tr("&Copy"))
        self.copySecretButton.setObjectName("copySecretButton")
        seconds = max(1, clipboard.CLEAR_AFTER_MS // 1000)
        self.copySecretButton.setToolTip(self.tr(
            "Copy the Secret Key to the clipboard (taken off it again after %n second(s))",
            "", seconds))
        self.copySecretButton.clicked.connect(self._copy_secret)
        key_row = QHBoxLayout()
        key_row.addWidget(self.secretKeyEdit, 1)
        key_row.addWidget(self.copySecretButton)
        cant_scan = QLabel(self.tr("<b>Can't scan?</b> Type this key into the app instead:"))
        cant_scan.setObjectName("cantScanLabel")
        cant_scan.setWordWrap(True)
        details = QFormLayout()
        details.addRow(self.tr("Account:"), self.accountLabel)
        key_label = QLabel(self.tr("Secret &Key:"))
        key_label.setBuddy(self.secretKeyEdit)
        details.addRow(key_label, key_row)
        details.addRow(self.tr("Type:"), QLabel(self.tr("Time based, 6 digits, every 30 seconds")))

        self.verifyCodeEdit = QLineEdit()
        self.verifyCodeEdit.setObjectName("verifyCodeEdit")
        self.verifyCodeEdit.setPlaceholderText("123 456")
        self.verifyCodeEdit.setMaxLength(9)
        self.verifyCodeEdit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r" ?[0-9]{0,3} ?[0-9]{0,3} ?"),
                                        self.verifyCodeEdit))
        self.verifyCodeEdit.setAccessibleName(self.tr("Code from your new phone") if new_phone
                                              else self.tr("Code from your app"))
        self.verifyCodeEdit.installEventFilter(self)
        self.verifyButton = QPushButton(self.tr("&Verify"))
        self.verifyButton.setObjectName("verifyButton")
        self.verifyButton.setToolTip(
            self.tr("Check the code now") if new_phone
            else self.tr("Check the code now: a right one switches One Time Password on at "
                         "once"))
        self.verifyButton.clicked.connect(self._on_verify)
        verify_row = QHBoxLayout()
        verify_row.addWidget(self.verifyCodeEdit, 1)
        verify_row.addWidget(self.verifyButton)
        verify_form = QFormLayout()
        code_label = QLabel(self.tr("Code from your &new phone:") if new_phone
                            else self.tr("Code from your &app:"))
        code_label.setBuddy(self.verifyCodeEdit)
        verify_form.addRow(code_label, verify_row)
        self.messageLabel = widgets.message_label()

        self.buttonBox = QDialogButtonBox()
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.setStandardButtons(
            QDialogButtonBox.StandardButton.Cancel if new_phone
            else QDialogButtonBox.StandardButton.Ok)
        self.buttonBox.accepted.connect(self.accept)
        self.buttonBox.rejected.connect(self.reject)

        # Grow with a message under the code field rather than squeeze the QR.
        layout = widgets.WrappingLayout(self)
        layout.addWidget(intro)
        layout.addWidget(steps)
        layout.addWidget(self.qrCodeLabel, 1, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(cant_scan)
        layout.addLayout(details)
        if verify is not None:
            layout.addLayout(verify_form)
            layout.addWidget(self.messageLabel)
        else:
            for widget in (self.verifyCodeEdit, self.verifyButton, code_label):
                widget.hide()
        layout.addWidget(warning)
        layout.addWidget(self.buttonBox)
        if verify is not None:
            self.verifyCodeEdit.setFocus()
        else:
            self.buttonBox.buttons()[0].setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in the code field verifies what was typed; in an empty field it does
        # what it always did, the dialog's default button (OK: carry on).
        if (watched is self.verifyCodeEdit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and (self.verifyCodeEdit.text().strip() or self.new_phone)):
            self._on_verify()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_verify(self) -> None:
        from tapemaster_qt.ui.i18n import error_text
        from tapemaster_qt.ui.texts import verify_message

        assert self._verify is not None
        code = self.verifyCodeEdit.text()
        if not code.strip():
            self._show(self.tr("Type the 6-digit code your new phone shows.") if self.new_phone
                       else self.tr("Type the 6-digit code your app shows, or click OK to "
                                    "carry on without one."))
            self.verifyCodeEdit.setFocus()
            return
        verify = self._verify
        done: list[LogonOutcome] = []
        if not Op(self, self.windowTitle(), lambda: verify(code)).success(done.append).failure(
                lambda exc: self._show(error_text(exc))).run():
            return
        outcome = done[0]
        if outcome.succeeded or outcome.revoked:
            # Off the screen first: what comes next (a notice, the recovery codes) must
            # not appear over a QR that no longer matters.
            self.hide()
            self.finishedWith.emit(outcome)
            self.done(QDialog.DialogCode.Accepted if outcome.succeeded
                      else QDialog.DialogCode.Rejected)
            return
        self._show(verify_message(outcome))
        self.verifyCodeEdit.clear()
        self.verifyCodeEdit.setFocus()

    def _show(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)
        if text:  # room for the message below the field; never squeeze the QR
            widgets.grow_to_fit(self)

    @Slot()
    def _copy_secret(self) -> None:
        clipboard.copy_secret(self.secretKeyEdit.text().replace(" ", ""))
        self.copySecretButton.setText(self.tr("Copied"))
