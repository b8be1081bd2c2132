"""The technote (shared/seed/one-time-password.txt), step by step, driven like a user.

Admin enables OTP in Properties ▸ Identity → the user logs on and sees the QR → the QR
read back from the screen gives the secret → a code computed independently logs the
user on and activates → Identity shows Activated True → a later logon without a code
fails → lost device: OTP False then True → the secret changed and the old code fails.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.driving import (
    choose_in_grid,
    grid_value,
    log_on,
    open_admin,
    open_properties_by_double_click,
    read_qr,
    save,
    take_recovery_codes,
)
from helpers import ADMIN_PASSWORD, rfc_totp, secret_from_uri
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.totp import group_secret, to_base32
from tapemaster_qt.ui.otp_setup import OtpSetupDialog, qr_matrix

ALICE_PASSWORD = "alice-tapes-42"


def test_painted_qr_matches_its_matrix(qtbot) -> None:
    uri = "otpauth://totp/TapeTrack:alice?secret=JBSWY3DPEHPK3PXP&issuer=TapeTrack"
    dialog = OtpSetupDialog(uri, "JBSW Y3DP EHPK 3PXP", "TapeTrack:alice", "TapeMaster")
    qtbot.addWidget(dialog)
    dialog.resize(600, 900)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.qrCodeLabel
    matrix = qr_matrix(uri)
    assert label.matrix == matrix
    image = label.grab().toImage()
    n = len(matrix)
    ratio = label.devicePixelRatioF()
    module = int(min(label.width(), label.height()) * ratio) // n
    assert module >= 3
    left = (image.width() - module * n) // 2
    top = (image.height() - module * n) // 2
    for y in range(n):
        for x in range(n):
            pixel = image.pixelColor(left + x * module + module // 2,
                                     top + y * module + module // 2)
            assert (pixel.lightness() < 128) == matrix[y][x], (x, y)


def test_seed_walkthrough(qtbot, launch, boxes, tmp_path: Path) -> None:
    # --- Setup: tapemaster adds alice (a user with a password, no OTP yet). ---
    app = launch("TapeMaster")
    admin = AdminService(app.ctx, Actor.for_user("tapemaster"))
    admin.add_user({"user_id": "alice", "name": "Alice Archer"}, ALICE_PASSWORD)

    # --- Enabling One Time Password: Administration ▸ Group/User Administration. ---
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    assert app.main_window is not None
    window = open_admin(qtbot, app)
    props = open_properties_by_double_click(qtbot, window, "alice")
    assert props.propertiesTabs.tabText(0).replace("&", "") == "Identity"
    assert grid_value(props, "One Time Password") == "False"
    assert grid_value(props, "Activated") is None
    choose_in_grid(qtbot, props, "One Time Password", "True")
    assert grid_value(props, "Activated") == "False"  # the extra field appears
    save(qtbot, props)
    assert not props.isVisible()
    stored = app.ctx.store.get_user("alice")
    assert stored.otp_enabled and not stored.otp_activated and stored.otp_secret
    app.main_window.actionLogOut.trigger()

    # --- Setting up the authenticator: log on with user-id and password, see the QR. ---
    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    qr_dialog = app.otp_setup_dialog
    assert qr_dialog is not None and qr_dialog.isVisible()
    assert "One Time Password Setup" in qr_dialog.windowTitle()
    uri = read_qr(qtbot, qr_dialog, tmp_path)
    assert uri.startswith("otpauth://totp/TapeTrack:alice?secret=")
    secret = secret_from_uri(uri)
    assert qr_dialog.secretKeyEdit.text() == group_secret(to_base32(secret))
    assert qr_dialog.secretKeyEdit.isReadOnly()
    assert qr_dialog.accountLabel.text() == "TapeTrack:alice"
    qtbot.mouseClick(qr_dialog.copySecretButton, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == to_base32(secret)
    qtbot.mouseClick(qr_dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert app.main_window is not None and app.main_window.session.user_id == "alice"
    assert not app.ctx.store.get_user("alice").otp_activated  # grace: not yet required

    # The QR is shown at every logon until activated.
    app.main_window.actionLogOut.trigger()
    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    again = app.otp_setup_dialog
    assert again is not None and read_qr(qtbot, again, tmp_path) == uri
    qtbot.mouseClick(again.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    app.main_window.actionLogOut.trigger()

    # --- Activate: user-id, password and OTP (computed independently, typed "123 456"). ---
    code = rfc_totp(secret, time.time())
    log_on(qtbot, app, "alice", ALICE_PASSWORD, f"{code[:3]} {code[3:]}")
    assert "otpActivatedMessage" in boxes.names()
    assert app.otp_setup_dialog is None  # no second QR popup
    take_recovery_codes(qtbot, app.recovery_codes_dialog)  # beyond the technote: §3a
    assert app.main_window is not None and app.main_window.session.user_id == "alice"
    assert app.ctx.store.get_user("alice").otp_activated
    app.main_window.actionLogOut.trigger()

    # --- The identity tab now displays Activated True. ---
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    props = open_properties_by_double_click(qtbot, window, "alice")
    assert grid_value(props, "Activated") == "True"
    props.reject()
    app.main_window.actionLogOut.trigger()

    # --- Enforced: a later logon without a code fails and the dialog stays. ---
    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    assert app.login_dialog.isVisible()
    assert app.login_dialog.messageLabel.text() == "One Time Password required"
    assert app.main_window is None

    # --- Lost access: OTP False (confirmed, Save), then True (Save): a new secret. ---
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    props = open_properties_by_double_click(qtbot, window, "alice")
    choose_in_grid(qtbot, props, "One Time Password", "False")
    assert grid_value(props, "Activated") is None
    save(qtbot, props)
    assert "confirmOtpOffMessage" in boxes.names()
    assert not app.ctx.store.get_user("alice").otp_enabled
    props = open_properties_by_double_click(qtbot, window, "alice")
    choose_in_grid(qtbot, props, "One Time Password", "True")
    assert grid_value(props, "Activated") == "False"
    save(qtbot, props)
    app.main_window.actionLogOut.trigger()

    # The old secret never works again; logging on without a code shows a new QR.
    old_code = rfc_totp(secret, time.time())
    log_on(qtbot, app, "alice", ALICE_PASSWORD, old_code)
    assert app.main_window is None
    assert "not valid" in app.login_dialog.messageLabel.text()
    log_on(qtbot, app, "alice", ALICE_PASSWORD)
    new_uri = read_qr(qtbot, app.otp_setup_dialog, tmp_path)
    assert secret_from_uri(new_uri) != secret
    qtbot.mouseClick(app.otp_setup_dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert app.main_window.session.user_id == "alice"
