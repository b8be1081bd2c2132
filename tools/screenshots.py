"""Screenshots of every window for the README: ``make screenshots`` (runs under xvfb-run).

Builds a demo store in a temporary folder (nothing touches your own store), walks the
windows the way a user would and saves each as docs/screenshots/<name>.png.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tapemaster_qt.app import Controller, UiState
from tapemaster_qt.services import Actor, Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store
from tapemaster_qt.ui import i18n, msgbox, windows
from tapemaster_qt.ui.idle import IdleNotice

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ADMIN_PASSWORD = "Tape-Admin-2026"
DEMO_USERS = [
    ("alice", "Alice Archer", "alice@example.com", "OPS", "Night shift operator"),
    ("bob", "Bob Baker", "bob@example.com", "OPS", "Vault courier"),
    ("carol.d", "Carol Diaz", "carol@example.com", "AUDIT", "Compliance"),
    ("dave-k", "Dave Kim", "", "OPS", "Library robot maintenance"),
    ("erin", "Erin Ford", "erin@example.com", "DEFAULT", ""),
    ("frank", "Frank Green", "frank@example.com", "AUDIT", "External auditor"),
]
_pending_boxes: list[QMessageBox] = []


def settle(app: QApplication, seconds: float = 0.2) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(app: QApplication, widget: QWidget, name: str) -> None:
    widget.show()
    widget.raise_()
    settle(app)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"saved {path.relative_to(OUT.parent.parent)}")


def dark_palette() -> QPalette:
    """A dark theme, as a desktop's dark mode gives the programs."""
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, color in ((role.Window, "#2b2b2b"), (role.WindowText, "#e6e6e6"),
                     (role.Base, "#1e1e1e"), (role.AlternateBase, "#262626"),
                     (role.Text, "#e6e6e6"), (role.Button, "#353535"),
                     (role.ButtonText, "#e6e6e6"), (role.Highlight, "#2f65ca"),
                     (role.HighlightedText, "#ffffff"), (role.ToolTipBase, "#353535"),
                     (role.ToolTipText, "#e6e6e6"), (role.PlaceholderText, "#8c8c8c"),
                     (role.Mid, "#3c3c3c"), (role.Dark, "#151515"), (role.Light, "#4a4a4a")):
        palette.setColor(r, QColor(color))
    for r in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(group.Disabled, r, QColor("#7f7f7f"))
    return palette


def shown_codes(dialog: QWidget) -> list[str]:
    """The recovery codes a dialog shows, as bob reads them off the screen."""
    import re

    return re.findall(r"[0-9a-z]{4}-[0-9a-z]{4}",
                      dialog.recoveryCodesView.toPlainText())  # type: ignore[attr-defined]


def capture_box(box: QMessageBox) -> QMessageBox.StandardButton:
    _pending_boxes.append(box)
    return QMessageBox.StandardButton.Ok


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    OUT.mkdir(parents=True, exist_ok=True)
    msgbox._exec = capture_box  # type: ignore[assignment]
    folder = Path(tempfile.mkdtemp(prefix="tapemaster-shots-"))
    ctx = Context(open_store(folder), program="TapeMaster")

    # First run, as a brand-new store shows it.
    first = Controller(ctx, UiState(folder))
    first.start()
    assert first.first_run_dialog is not None
    shoot(app, first.first_run_dialog, "first-run")
    first.first_run_dialog.close()

    set_initial_password(ctx, ADMIN_PASSWORD)
    admin = AdminService(ctx, Actor.for_user("tapemaster"))
    admin.add_group("OPS", "Operations")
    admin.add_group("AUDIT", "Auditors")
    for user_id, name, email, group, description in DEMO_USERS:
        admin.add_user({"user_id": user_id, "name": name, "email": email or None,
                        "group_id": group, "description": description,
                        "role": 3 if group == "OPS" else 5}, f"{user_id}-pass-2026")
    admin.set_otp("bob", True)
    admin.set_otp("alice", True)
    logon = LogonService(ctx)
    enrol = logon.logon("alice", "alice-pass-2026")
    assert enrol.provisioning_uri
    import base64
    from urllib.parse import parse_qs, urlparse

    b32 = parse_qs(urlparse(enrol.provisioning_uri).query)["secret"][0]
    alice_secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    logon.logon("alice", "alice-pass-2026",
                totp.code_at(alice_secret, totp.time_step(time.time())))
    for _ in range(6):
        logon.logon("dave-k", "wrong password")
    logon.logon("erin", "wrong password")
    # Someone gives frank tapemaster rights by editing the file with another tool:
    # his record fails its integrity check and shows in red.
    import sqlite3

    with sqlite3.connect(ctx.store.location) as raw:
        raw.execute("UPDATE users SET tapemaster_rights = 1 WHERE user_id = 'frank'")

    # Logon with a refusal in messageLabel.
    controller = Controller(ctx, UiState(folder))
    controller.start()
    dialog = controller.login_dialog
    assert dialog is not None
    dialog.userIdEdit.setText("alice")
    dialog.passwordEdit.setText("alice-pass-2026")
    dialog._on_ok()
    shoot(app, dialog, "logon")

    # Enrolment: bob sees the QR popup (and mistypes the code he verifies).
    dialog.userIdEdit.setText("bob")
    dialog.passwordEdit.setText("bob-pass-2026")
    dialog.otpEdit.clear()
    dialog._on_ok()
    setup = controller.otp_setup_dialog
    assert setup is not None
    shoot(app, setup, "otp-setup")
    setup.verifyCodeEdit.setText("123 456")
    setup.verifyButton.click()
    shoot(app, setup, "otp-setup-verify")
    setup.accept()
    settle(app)
    controller.log_out()

    # Activation notice: the message box the controller shows after the first code.
    enrol = LogonService(ctx).logon("bob", "bob-pass-2026")
    b32 = parse_qs(urlparse(enrol.provisioning_uri or "").query)["secret"][0]
    bob_secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    dialog.userIdEdit.setText("bob")
    dialog.passwordEdit.setText("bob-pass-2026")
    dialog.otpEdit.setText(totp.code_at(bob_secret, totp.time_step(time.time()) + 1))
    _pending_boxes.clear()
    dialog._on_ok()
    activated = next(b for b in _pending_boxes if b.objectName() == "otpActivatedMessage")
    shoot(app, activated, "otp-activated")
    activated.close()
    codes_dialog = controller.recovery_codes_dialog
    assert codes_dialog is not None
    codes = shown_codes(codes_dialog)
    shoot(app, codes_dialog, "recovery-codes")
    codes_dialog.accept()
    settle(app)
    controller.log_out()

    # Bob lost his phone: a recovery code logs him on, and he is told what to do.
    dialog.userIdEdit.setText("bob")
    dialog.passwordEdit.setText("bob-pass-2026")
    dialog.otpEdit.setText(codes[0])
    _pending_boxes.clear()
    dialog._on_ok()
    settle(app)  # the question comes once the main window is on screen
    offer = next(b for b in _pending_boxes if b.objectName() == "recoveryLogonMessage")
    shoot(app, offer, "recovery-logon")
    offer.close()
    window = controller.main_window
    assert window is not None
    mine = window.open_my_one_time_password()
    assert mine is not None
    shoot(app, mine, "my-one-time-password")
    mine.currentCodeEdit.setText(codes[1])
    mine.newPhoneButton.click()
    settle(app)
    assert mine.new_phone_dialog is not None
    shoot(app, mine.new_phone_dialog, "otp-new-phone")
    mine.new_phone_dialog.reject()
    mine.close()
    controller.log_out()

    # tapemaster's main window and the administration windows.
    dialog.userIdEdit.setText("tapemaster")
    dialog.passwordEdit.setText(ADMIN_PASSWORD)
    dialog.otpEdit.clear()
    dialog._on_ok()
    window = controller.main_window
    assert window is not None
    shoot(app, window, "main-window")
    admin_window = window.open_group_user_administration()
    assert admin_window is not None
    while admin_window._idle.isActive():  # record seals are checked in slices
        app.processEvents()
    admin_window.usersView.selectRow(1)
    shoot(app, admin_window, "group-user-administration")
    light = app.palette()
    app.setPalette(dark_palette())
    settle(app)
    shoot(app, admin_window, "group-user-administration-dark")
    app.setPalette(light)
    settle(app)
    menu = admin_window.users_menu()
    shoot(app, menu, "users-context-menu")
    menu.close()
    admin_window.adminTabs.setCurrentIndex(1)
    admin_window.groupsView.selectRow(2)  # OPS
    shoot(app, admin_window, "groups")
    group = admin_window.open_group()
    assert group is not None
    group.descriptionEdit.setText("Operations, night shift")
    shoot(app, group, "group-properties")
    group.discard_edits()
    group.reject()
    admin_window.adminTabs.setCurrentIndex(0)
    row = next(r for r in range(admin_window.usersProxy.rowCount())
               if admin_window.usersProxy.index(r, 0).data() == "alice")
    admin_window.usersView.selectRow(row)
    props = admin_window.open_properties()
    assert props is not None
    # An edit not saved yet (marked), and the cursor on One Time Password: the space
    # under the grid says what switching it does.
    props.model.setData(props.model.value_index("No Time-Out"), True)
    props.identityGrid.setCurrentIndex(props.model.value_index("One Time Password"))
    settle(app)
    shoot(app, props, "user-properties")
    props.discard_edits()
    props.reject()
    row = next(r for r in range(admin_window.usersProxy.rowCount())
               if admin_window.usersProxy.index(r, 0).data() == "bob")
    admin_window.usersView.selectRow(row)
    props = admin_window.open_properties()
    assert props is not None
    props.propertiesTabs.setCurrentWidget(props.statusTab)
    shoot(app, props, "user-properties-status")
    props.reject()
    add = admin_window.add_user()
    shoot(app, add, "add-user")
    add.reject()
    reset = admin_window.reset_password()
    assert reset is not None
    reset.randomButton.click()
    shoot(app, reset, "password-change")
    random_set = admin_window.windows.get(windows.RANDOM_PASSWORD)
    assert random_set is not None
    random_set.copyPasswordButton.click()  # the status line says it leaves the clipboard
    shoot(app, random_set, "random-password-set")
    random_set.reject()
    reset.reject()
    active = window.open_active_users()
    assert active is not None
    active.sessionsView.selectRow(0)
    shoot(app, active, "active-users")
    session = active.open_session()
    assert session is not None
    shoot(app, session, "session-properties")
    session.reject()
    audit = window.open_audit_log()
    assert audit is not None
    shoot(app, audit, "audit-log")
    audit.failuresCheck.setChecked(True)
    audit.fromCheck.setChecked(True)
    shoot(app, audit, "audit-log-failures")
    # A minute before an idle log out, with an edit not saved in User Properties.
    notice = IdleNotice("TapeMaster")
    notice.count_down(42, ["User Properties — alice"])
    shoot(app, notice, "idle-notice")
    notice.close()
    controller.exit()

    # Lite: the same logon under its own name, a small main window.
    lite_ctx = Context(ctx.store, program="Lite")
    lite = Controller(lite_ctx, UiState(folder))
    lite.start()
    assert lite.login_dialog is not None
    lite.login_dialog.userIdEdit.setText("erin")
    lite.login_dialog.passwordEdit.setText("erin-pass-2026")
    lite.login_dialog._on_ok()
    assert lite.main_window is not None
    shoot(app, lite.main_window, "lite-main-window")
    lite.exit()
    german(app, ctx, folder)
    ctx.store.close()
    return 0


def german(app: QApplication, ctx: Context, folder: Path) -> None:
    """The logon dialog and User Properties as a program started with --lang de shows
    them (the README's German pictures; docs/translations.md)."""
    i18n.install("de")
    controller = Controller(ctx, UiState(folder))
    controller.start()
    dialog = controller.login_dialog
    assert dialog is not None
    dialog.userIdEdit.setText("alice")
    dialog.passwordEdit.setText("alice-pass-2026")
    dialog._on_ok()
    shoot(app, dialog, "logon-de")
    dialog.userIdEdit.setText("tapemaster")
    dialog.passwordEdit.setText(ADMIN_PASSWORD)
    dialog.otpEdit.clear()
    dialog._on_ok()
    window = controller.main_window
    assert window is not None
    admin_window = window.open_group_user_administration()
    assert admin_window is not None
    while admin_window._idle.isActive():
        app.processEvents()
    row = next(r for r in range(admin_window.usersProxy.rowCount())
               if admin_window.usersProxy.index(r, 0).data() == "alice")
    admin_window.usersView.selectRow(row)
    props = admin_window.open_properties()
    assert props is not None
    props.model.setData(props.model.value_index("No Time-Out"), True)
    props.identityGrid.setCurrentIndex(props.model.value_index("One Time Password"))
    settle(app)
    shoot(app, props, "user-properties-de")
    props.discard_edits()
    props.reject()
    controller.exit()
    i18n.install("en")


if __name__ == "__main__":
    sys.exit(main())
