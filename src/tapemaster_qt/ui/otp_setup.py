"""One Time Password Setup: the QR popup shown at every logon until activation.

The QR is painted module by module from the QR matrix, on whole device pixels, so
it stays sharp at any size and any screen scaling (a scaled bitmap would blur, and a
blurred QR is what phones fail to read).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.ui import clipboard, resources
from tapemaster_qt.ui.texts import APPS

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
        self.setAccessibleName("QR code")
        self.setAccessibleDescription("Scan this code with your authenticator app")
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
    """The QR, the account, the Secret Key (groups of four) with Copy, instructions, OK."""

    def __init__(self, provisioning_uri: str, secret_key: str, account: str,
                 program: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("otpSetupDialog")
        self.setWindowTitle(f"One Time Password Setup — {program}")
        self.setWindowIcon(resources.app_icon())

        intro = QLabel(
            "<b>Your User-ID now uses a One Time Password.</b> Add it to the "
            "authenticator app on your phone:"
        )
        intro.setWordWrap(True)
        steps = QLabel(
            f"<ol style='margin-left:-20px'>"
            f"<li>Open your authenticator app ({APPS}).</li>"
            "<li>Add an account and scan this QR code, or type the Secret Key below.</li>"
            "<li>Click <b>OK</b> to carry on. Next time you log on, type the 6-digit code "
            "the app shows into <i>One Time Password</i>; this QR code is shown at each "
            "logon until you do.</li></ol>"
        )
        steps.setWordWrap(True)
        warning = QLabel(
            "Codes depend on the time: make sure your computer and your phone show the "
            "correct date, time and time zone."
        )
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a5a00;")

        self.qrCodeLabel = QrCodeLabel(qr_matrix(provisioning_uri))

        self.accountLabel = QLabel(account)
        self.accountLabel.setObjectName("accountLabel")
        self.accountLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secretKeyEdit = QLineEdit(secret_key)
        self.secretKeyEdit.setObjectName("secretKeyEdit")
        self.secretKeyEdit.setReadOnly(True)
        self.secretKeyEdit.setAccessibleName("Secret Key")
        mono = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        mono.setPointSizeF(max(mono.pointSizeF(), 10.5))
        self.secretKeyEdit.setFont(mono)
        self.secretKeyEdit.setMinimumWidth(
            self.secretKeyEdit.fontMetrics().horizontalAdvance(secret_key + "MM") + 12
        )
        self.copySecretButton = QPushButton("&Copy")
        self.copySecretButton.setObjectName("copySecretButton")
        seconds = max(1, clipboard.CLEAR_AFTER_MS // 1000)
        self.copySecretButton.setToolTip(
            "Copy the Secret Key to the clipboard (taken off it again after "
            f"{seconds} second{'s' if seconds != 1 else ''})")
        self.copySecretButton.clicked.connect(self._copy_secret)
        key_row = QHBoxLayout()
        key_row.addWidget(self.secretKeyEdit, 1)
        key_row.addWidget(self.copySecretButton)
        details = QFormLayout()
        details.addRow("Account:", self.accountLabel)
        details.addRow("Secret Key:", key_row)
        details.addRow("Type:", QLabel("Time based, 6 digits, every 30 seconds"))

        self.buttonBox = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(steps)
        layout.addWidget(self.qrCodeLabel, 1, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(details)
        layout.addWidget(warning)
        layout.addWidget(self.buttonBox)
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setFocus()

    @Slot()
    def _copy_secret(self) -> None:
        clipboard.copy_secret(self.secretKeyEdit.text().replace(" ", ""))
        self.copySecretButton.setText("Copied")
