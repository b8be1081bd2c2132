"""File ▸ One Time Password…: a logged-on user's own One Time Password (DESIGN.md §3a).

Shows when it was activated and how many recovery codes are left; makes new recovery
codes; moves it to a new phone. Each step first takes a current code from the app (or
a recovery code) in ``currentCodeEdit``; the service judges it as a logon would, and a
failure that revokes the User-ID ends the session (``sessionRevoked``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
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

from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.services import code_field
from tapemaster_qt.services.auth import FreshProof, LogonOutcome, LogonStatus
from tapemaster_qt.services.self_service import NewDevice, OtpSelfService
from tapemaster_qt.ui import msgbox, resources, widgets
from tapemaster_qt.ui.i18n import error_text
from tapemaster_qt.ui.logon import OTP_PATTERN
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.texts import local_time, logon_message

NEW_CODES = "codes"
NEW_PHONE = "phone"

Step = Callable[[str, FreshProof | None], LogonOutcome]
"""A self-service step: the code typed (or "") and the fresh proof, if any."""


class MyOneTimePasswordDialog(QDialog):
    sessionRevoked = Signal(str)
    """A wrong code revoked the User-ID: the program logs out with this message."""

    def __init__(self, service: OtpSelfService, program: str, *,
                 proof: FreshProof | None = None, parent: QWidget | None = None) -> None:
        """``proof``: from a logon with a recovery code just now, so the first step
        needs no second code."""
        super().__init__(parent)
        self.setObjectName("myOneTimePasswordDialog")
        self.setWindowTitle(self.tr("One Time Password — {user}").format(
            user=service.session.user_id))
        self.setWindowIcon(resources.app_icon())
        self._service = service
        self._program = program
        self._proof = proof
        self.recovery_codes_dialog: QDialog | None = None
        self.new_phone_dialog: QDialog | None = None

        self.stateLabel = QLabel()
        self.stateLabel.setObjectName("stateLabel")
        self.stateLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.stateLabel.setWordWrap(True)
        self.codesLabel = QLabel()
        self.codesLabel.setObjectName("codesLabel")
        self.codesLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.codesLabel.setWordWrap(True)
        status = QFormLayout()
        status.addRow(self.tr("One Time Password:"), self.stateLabel)
        status.addRow(self.tr("Recovery codes:"), self.codesLabel)

        self.confirmLabel = QLabel()
        self.confirmLabel.setObjectName("confirmLabel")
        self.confirmLabel.setWordWrap(True)
        self.currentCodeEdit = QLineEdit()
        self.currentCodeEdit.setObjectName("currentCodeEdit")
        self.currentCodeEdit.setPlaceholderText(self.tr("123 456 or abcd-2345"))
        self.currentCodeEdit.setMaxLength(code_field.FIELD_MAX)
        self.currentCodeEdit.setValidator(
            QRegularExpressionValidator(QRegularExpression(OTP_PATTERN), self.currentCodeEdit))
        self.currentCodeEdit.setAccessibleName(self.tr("Current code or recovery code"))
        code_row = QFormLayout()
        code_label = QLabel(self.tr("&Current code:"))
        code_label.setBuddy(self.currentCodeEdit)
        code_row.addRow(code_label, self.currentCodeEdit)

        self.newRecoveryCodesButton = QPushButton(self.tr("Make New &Recovery Codes…"))
        self.newRecoveryCodesButton.setObjectName("newRecoveryCodesButton")
        self.newRecoveryCodesButton.setToolTip(
            self.tr("Ten new recovery codes; the ones you have now stop working"))
        self.newRecoveryCodesButton.clicked.connect(self.make_new_codes)
        self.newPhoneButton = QPushButton(self.tr("Move to a New &Phone…"))
        self.newPhoneButton.setObjectName("newPhoneButton")
        self.newPhoneButton.setToolTip(
            self.tr("A new QR code for your new phone; the current phone works until the new one "
                    "is verified"))
        self.newPhoneButton.clicked.connect(self.move_to_new_phone)
        for button in (self.newRecoveryCodesButton, self.newPhoneButton):
            # Enter in the code field must not pick a step (making new codes kills the
            # old ones): a step is chosen on purpose, by click, Space or its Alt key.
            button.setAutoDefault(False)
        steps = QHBoxLayout()
        steps.addWidget(self.newRecoveryCodesButton)
        steps.addWidget(self.newPhoneButton)
        steps.addStretch(1)

        self.messageLabel = widgets.message_label()
        self.buttonBox = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.rejected.connect(self.reject)
        self.buttonBox.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)

        layout = widgets.WrappingLayout(self, 520)
        layout.addLayout(status)
        layout.addWidget(self.confirmLabel)
        layout.addLayout(code_row)
        layout.addLayout(steps)
        layout.addWidget(self.messageLabel)
        layout.addStretch(1)
        layout.addWidget(self.buttonBox)
        self.refresh()

    # --- what the window shows ------------------------------------------------------------

    def refresh(self) -> None:
        try:
            state = self._service.state()
        except TapeMasterError as exc:
            self._show(error_text(exc))
            return
        usable = state.enabled and state.activated
        if not state.enabled:
            self.stateLabel.setText(self.tr("Not used: your User-ID logs on with its password "
                                            "alone. An administrator can switch it on."))
        elif not state.activated:
            self.stateLabel.setText(self.tr("Switched on, not activated yet: log on once with a "
                                            "code from your app (or use Verify in the setup)."))
        elif state.activated_at:
            self.stateLabel.setText(self.tr("Activated on {time}").format(
                time=local_time(state.activated_at)))
        else:
            self.stateLabel.setText(self.tr("Activated"))
        if not usable:
            self.codesLabel.setText(self.tr("None (they come with an activated One Time Password)"))
        elif state.recovery_codes_left:
            made = local_time(state.recovery_codes_made) if state.recovery_codes_made else ""
            left = state.recovery_codes_left
            self.codesLabel.setText(
                self.tr("%n left (made on {time})", "", left).format(time=made) if made
                else self.tr("%n left", "", left))
        else:
            self.codesLabel.setText(self.tr("None left: make new ones, so that a lost phone "
                                            "does not lock you out."))
        if self._proof is not None:
            self.confirmLabel.setText(self.tr("You just logged on with a recovery code: your next "
                                              "step here needs no code."))
        else:
            self.confirmLabel.setText(self.tr("Each step below first needs a current code from "
                                              "your app, or one of your recovery codes."))
        for widget in (self.currentCodeEdit, self.newRecoveryCodesButton,
                       self.newPhoneButton, self.confirmLabel):
            widget.setEnabled(usable)
        if usable:
            self.currentCodeEdit.setFocus()

    def _show(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)
        if text:
            widgets.grow_to_fit(self)

    # --- the steps --------------------------------------------------------------------------

    @Slot()
    def make_new_codes(self) -> None:
        outcome = self._run(lambda code, proof: self._service.new_recovery_codes(
            code, proof=proof))
        if outcome is None:
            return
        from tapemaster_qt.ui.recovery_codes import RecoveryCodesDialog

        dialog = RecoveryCodesDialog(
            outcome.recovery_codes, outcome.account,
            self.tr("New recovery codes made: the ones you had before no longer work."), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "recovery_codes_dialog", None))
        self.recovery_codes_dialog = dialog
        dialog.open()

    @Slot()
    def move_to_new_phone(self) -> None:
        started: list[NewDevice] = []

        def begin(code: str, proof: FreshProof | None) -> LogonOutcome:
            outcome, device = self._service.begin_new_device(code, proof=proof)
            if device is not None:
                started.append(device)
            return outcome

        if self._run(begin) is None or not started:
            return
        from tapemaster_qt.ui.otp_setup import OtpSetupDialog

        device = started[0]
        dialog = OtpSetupDialog(
            device.provisioning_uri, device.secret_key, device.account, self._program, self,
            verify=lambda code: self._service.finish_new_device(device, code), new_phone=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finishedWith.connect(self._after_new_phone)
        dialog.finished.connect(lambda _r: setattr(self, "new_phone_dialog", None))
        self.new_phone_dialog = dialog
        dialog.open()

    @Slot(object)
    def _after_new_phone(self, outcome: LogonOutcome) -> None:
        self.refresh()
        if outcome.status is LogonStatus.CONFIRMED:
            msgbox.information(
                self, self.tr("One Time Password"), self.tr("Your new phone is set up."),
                informative=(self.tr("From now on, log on with the codes your new phone shows; the "
                                     "old phone's codes no longer work. Your recovery codes are "
                                     "unchanged.")),
                object_name="newPhoneMessage")

    def _run(self, step: Step) -> LogonOutcome | None:
        """Run a step with the code typed (or the fresh proof); show a refusal; None
        unless it went through."""
        code = self.currentCodeEdit.text()
        proof, self._proof = self._proof, None  # a proof is good for one step
        done: list[LogonOutcome] = []
        # A refusal in words (a changed record, a revoked User-ID) goes on the message
        # line, and the window shows the state as it is now, whatever happened.
        Op(self, self.tr("One Time Password"),
           lambda: step(code, proof if not code.strip() else None)).success(
            done.append).failure(lambda exc: self._show(error_text(exc))).refresh(
            self.refresh).run()
        if not done:
            return None
        outcome = done[0]
        self.currentCodeEdit.clear()
        if outcome.revoked:
            self.sessionRevoked.emit(self.tr(
                "Access Revoked: too many wrong codes in a row. Ask your administrator."))
            return None
        if not outcome.succeeded:
            text = logon_message(outcome)
            if outcome.status is LogonStatus.OTP_REQUIRED:
                text = self.tr("Type a current code from your app, or one of your recovery "
                               "codes.")
            self._show(text)
            return None
        self._show("")
        return outcome
