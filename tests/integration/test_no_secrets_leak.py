"""No OTP secret, password or code ever reaches a log file, the audit log, an error
message, the CLI's output or an export (issue 4, Hostile input).

One whole OTP life cycle, as people would live it, with the package logging to
``logs/tapemaster.log`` at DEBUG: the CLI creates the store and alice and enables her
OTP; alice mistypes her password, enrols in the GUI (QR popup, Copy), activates and
gets her recovery codes, replays a code, types a wrong code, a skewed one and a
malformed one, logs on, logs on with a recovery code and tries it again, types a wrong
one, makes new recovery codes and moves to a new phone in File ▸ One Time Password…,
changes her password (wrong current password, weak new one, then right), gets revoked;
support unlocks her, resets her password, looks at and revokes her recovery codes and
gives her a new secret at the CLI; she enrols again and verifies in the popup;
tapemaster resets her password and exports the users in Group/User Administration;
the CLI exports CSV and XML and prints users and the audit log.

Then every place that could hold a leak is scanned for every form of every secret
(raw, base32 plain/lower/grouped, hex, base64, a 16-character prefix), every password
typed (right or wrong), every code entered and every recovery code made (as shown,
without the dash, in capitals): the log files, the store file and its -wal/-shm, the
key file, the configuration folder, the exported files, every audit row, everything the
CLI printed, every message box and message line shown, and every error raised. The QR
popup itself shows the secret and the Recovery Codes dialog the codes: that is their
job, so it is not a leak; nor is the file the user saved the codes in on purpose
(it is checked to be readable by its owner only).
"""

from __future__ import annotations

import base64
import io
import logging
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from gui.driving import (
    click,
    click_user,
    log_on,
    log_out,
    open_admin,
    open_my_otp,
    shown_recovery_codes,
    type_into,
    verify_in_popup,
)
from helpers import rfc_totp
from tapemaster_qt import cli, logsetup
from tapemaster_qt.app import Controller, UiState
from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.services import Actor, Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store
from tapemaster_qt.ui import msgbox
from unit.support import skewed_code

pytestmark = pytest.mark.slow

ADMIN_PW = "Tape-Admin-Leak-2026"
ALICE_PW = ["Alice-Leak-First-42", "Alice-Leak-Second-43", "Alice-Leak-Third-44",
            "Alice-Leak-Fourth-45"]
BOB_PW = "Bob-Leak-Only-4242"
WRONG_PW = ["Wrong-Leak-Typo-101", "Wrong-Leak-Current-102", "Wrong-Leak-Guess-103",
            "Wrong-Leak-Admin-104"]
WEAK_PW = "Wk-7!q"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Witness:
    """Everything the programs said and every secret anyone typed or was shown."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.secrets: list[bytes] = []
        self.passwords: list[str] = [ADMIN_PW, *ALICE_PW, BOB_PW, *WRONG_PW, WEAK_PW]
        self.codes: list[str] = []
        self.recovery_codes: list[str] = []

    def say(self, where: str, text: str) -> None:
        if text:
            self.said.append((where, text))

    def error(self, where: str, exc: BaseException) -> None:
        self.say(f"error from {where}", f"{exc!s}\n{exc!r}\n{exc.args!r}")

    def needles(self) -> Iterator[tuple[str, bytes]]:
        for n, secret in enumerate(self.secrets, 1):
            b32 = totp.to_base32(secret)
            forms = {
                "raw bytes": secret, "base32": b32.encode(), "base32 lower": b32.lower().encode(),
                "grouped base32": totp.group_secret(b32).encode(),
                "hex": secret.hex().encode(), "HEX": secret.hex().upper().encode(),
                "base64": base64.b64encode(secret),
                "urlsafe base64": base64.urlsafe_b64encode(secret),
                "base32 prefix": b32[:16].encode(),
            }
            for form, needle in forms.items():
                yield f"OTP secret #{n} ({form})", needle
        for password in dict.fromkeys(self.passwords):
            yield f"password {password!r}", password.encode()
        for code in dict.fromkeys(self.codes):
            yield f"code {code!r}", code.encode()
        for code in dict.fromkeys(self.recovery_codes):
            for form in (code, code.replace("-", ""), code.upper(),
                         code.replace("-", "").upper()):
                yield f"code (recovery code {code!r} as {form!r})", form.encode()


def _pattern(needle: bytes, is_code: bool) -> re.Pattern[bytes]:
    # A code is six characters: only a whole token counts (not six digits inside a hex
    # id or a base64 hash, which random data would show now and then).
    edge = rb"[0-9A-Za-z+/]"
    body = re.escape(needle)
    return re.compile(rb"(?<!" + edge + rb")" + body + rb"(?!" + edge + rb")" if is_code
                      else body)


def leaks(witness: Witness, places: dict[str, bytes]) -> list[str]:
    found = []
    for what, needle in witness.needles():
        pattern = _pattern(needle, what.startswith("code"))
        for where, data in places.items():
            if pattern.search(data):
                found.append(f"{what} found in {where}")
    return found




def test_no_secret_password_or_code_leaks(qtbot, tmp_path: Path, data_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch, capsys,
                                          package_logging: None) -> None:
    keyring.set_keyring(fail.Keyring())  # the key in store.key: one more file to scan
    witness = Witness()
    rng = random.Random(4)
    exports = tmp_path / "exports"
    exports.mkdir()

    def debug_logging() -> None:
        logging.getLogger("tapemaster_qt").setLevel(logging.DEBUG)

    def admin_cli(*args: str, stdin: str = "", ok: bool = True) -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        witness.say(f"tapemaster-admin {' '.join(args)} (stdout)", out.out)
        witness.say(f"tapemaster-admin {' '.join(args)} (stderr)", out.err)
        debug_logging()
        assert (code == 0) == ok, (args, code, out.err)
        return out.out

    answers: list[QMessageBox.StandardButton] = []

    def answer_box(box: QMessageBox) -> QMessageBox.StandardButton:
        witness.say(f"message box {box.objectName()}",
                    f"{box.windowTitle()}\n{box.text()}\n{box.informativeText()}")
        if answers:
            return answers.pop(0)
        yes = QMessageBox.StandardButton.Yes
        return yes if box.standardButtons() & yes else QMessageBox.StandardButton.Ok

    save_to: list[str] = []
    monkeypatch.setattr(msgbox, "_exec", answer_box)
    monkeypatch.setattr(msgbox, "_file_dialog", lambda *a: save_to.pop(0))

    # --- support staff set up the store at the CLI -------------------------------------
    logsetup.configure(data_dir / "logs", level=logging.DEBUG)
    admin_cli("init", "--password-stdin", stdin=ADMIN_PW + "\n")
    admin_cli("group", "add", "OPS", "--description", "Operations")
    admin_cli("user", "add", "alice", "--name", "Alice Archer", "--email",
              "alice@example.com", "--group", "OPS", "--password-stdin",
              stdin=ALICE_PW[0] + "\n")
    admin_cli("user", "add", "bob", "--password-stdin", stdin=BOB_PW + "\n")
    admin_cli("user", "add", "carol", "--password-stdin", stdin=WEAK_PW + "\n", ok=False)
    admin_cli("user", "passwd", "alice", "--password-stdin", stdin=WEAK_PW + "\n", ok=False)
    admin_cli("otp", "enable", "alice")

    # --- alice at the desktop ---------------------------------------------------------
    clock = FakeClock()
    ctx = Context(open_store(data_dir), program="TapeMaster", clock=clock,
                  hasher=PasswordHasher(TESTS_ONLY))
    app = Controller(ctx, UiState(data_dir))
    app.start()
    dialog = app.login_dialog

    def attempt(user_id: str, password: str, code: str = "") -> None:
        if code:
            witness.codes.append(code)
        log_on(qtbot, app, user_id, password, code)
        if app.login_dialog is not None and app.login_dialog.isVisible():
            witness.say(f"logon message for {user_id}", dialog.messageLabel.text())

    def wrong_code(secret: bytes) -> str:
        step = totp.time_step(clock.now)
        taken = {rfc_totp(secret, s * 30) for s in totp.skew_candidates(step)}
        taken |= {rfc_totp(secret, (step + d) * 30) for d in (-1, 0, 1)}
        while True:
            code = f"{rng.randrange(10**6):06d}"
            if code not in taken:
                return code

    def secret_shown(qr) -> bytes:
        b32 = qr.secretKeyEdit.text().replace(" ", "")
        secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
        witness.secrets.append(secret)
        qtbot.mouseClick(qr.copySecretButton, Qt.MouseButton.LeftButton)
        return secret

    def enrol(verify: bool = False) -> bytes:
        qr = app.otp_setup_dialog
        assert qr is not None and qr.isVisible()
        secret = secret_shown(qr)
        if verify:  # a wrong code first, then the app's
            for code in (wrong_code(secret), rfc_totp(secret, clock.now)):
                witness.codes.append(code)
                verify_in_popup(qtbot, qr, code)
                witness.say("setup popup message", qr.messageLabel.text())
            take_codes(app.recovery_codes_dialog)
        else:
            qtbot.mouseClick(qr.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                             Qt.MouseButton.LeftButton)
        assert app.main_window is not None
        log_out(app)
        return secret

    private = tmp_path / "private"  # where alice saves her codes on purpose: not scanned
    private.mkdir()

    def take_codes(dialog) -> list[str]:
        codes = shown_recovery_codes(dialog)
        assert len(codes) == 10
        witness.recovery_codes += codes
        qtbot.mouseClick(dialog.copyCodesButton, Qt.MouseButton.LeftButton)
        save_to.append(str(private / f"codes-{len(witness.recovery_codes)}.txt"))
        qtbot.mouseClick(dialog.saveCodesButton, Qt.MouseButton.LeftButton)
        witness.say("Recovery Codes status", dialog.statusLabel.text())
        click(qtbot, dialog)
        return codes

    attempt("alice", WRONG_PW[0])
    attempt("alice", ALICE_PW[0])
    first = enrol()
    activation = rfc_totp(first, clock.now)
    attempt("alice", ALICE_PW[0], activation)
    first_codes = take_codes(app.recovery_codes_dialog)
    assert app.main_window is not None
    log_out(app)
    attempt("alice", ALICE_PW[0], activation)  # a replay
    attempt("alice", ALICE_PW[0], wrong_code(first))
    attempt("alice", ALICE_PW[0], skewed_code(first, clock, 3600))
    attempt("alice", ALICE_PW[0], "12a456")
    clock.advance(30)
    attempt("alice", ALICE_PW[0], f"{rfc_totp(first, clock.now)[:3]} "
                                  f"{rfc_totp(first, clock.now)[3:]}")
    witness.codes.append(rfc_totp(first, clock.now))
    assert app.main_window is not None

    # File ▸ Reset Password: a wrong current password, a weak new one, then a good one.
    app.main_window.actionResetPassword.trigger()
    change = app.main_window.findChild(QDialog, "passwordChangeDialog")
    for current, new in ((WRONG_PW[1], ALICE_PW[1]), (ALICE_PW[0], WEAK_PW),
                         (ALICE_PW[0], ALICE_PW[1])):
        type_into(qtbot, change.currentPasswordEdit, current)
        type_into(qtbot, change.newPasswordEdit, new)
        type_into(qtbot, change.confirmPasswordEdit, new)
        click(qtbot, change)
        witness.say("Password Change message", change.messageLabel.text())

    # File ▸ One Time Password…: a wrong code, new recovery codes, a new phone.
    mine = open_my_otp(qtbot, app)
    clock.advance(30)
    for code, button in (("zzzz-zzzz", mine.newRecoveryCodesButton),
                         (first_codes[0], mine.newRecoveryCodesButton),
                         (rfc_totp(first, clock.now), mine.newPhoneButton)):
        witness.codes.append(code)
        type_into(qtbot, mine.currentCodeEdit, code)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        witness.say("One Time Password window message", mine.messageLabel.text())
        if mine.recovery_codes_dialog is not None:
            codes = take_codes(mine.recovery_codes_dialog)
    popup = mine.new_phone_dialog
    phone = secret_shown(popup)
    for code in (rfc_totp(first, clock.now), rfc_totp(phone, clock.now)):
        witness.codes.append(code)
        verify_in_popup(qtbot, popup, code)
        witness.say("new phone popup message", popup.messageLabel.text())
    assert mine.new_phone_dialog is None
    witness.say("One Time Password window", f"{mine.stateLabel.text()}\n"
                                            f"{mine.codesLabel.text()}")
    mine.close()
    log_out(app)

    # A recovery code at logon ("Not Now" to the offer), again, and a wrong one.
    answers.append(QMessageBox.StandardButton.Close)
    for code in (codes[1].upper(), codes[1], "zzzz-2345"):
        attempt("alice", ALICE_PW[1], code)
        if app.main_window is not None:
            qtbot.waitUntil(lambda: not answers)  # the offer, answered "Not Now"
            log_out(app)

    # Guessing until revoked; then even the right password is told "Access Revoked".
    for _ in range(6):
        clock.advance(30)
        attempt("alice", WRONG_PW[2], rfc_totp(first, clock.now))
    attempt("alice", ALICE_PW[1], rfc_totp(first, clock.now))
    assert ctx.store.get_user("alice").revoked

    # --- support at the CLI: unlock, a new password, a new secret ----------------------
    admin_cli("user", "unlock", "alice")
    admin_cli("user", "passwd", "alice", "--password-stdin", stdin=ALICE_PW[2] + "\n")
    admin_cli("otp", "recovery", "alice")
    admin_cli("otp", "recovery", "alice", "--revoke")
    admin_cli("otp", "disable", "alice")
    admin_cli("otp", "enable", "alice")
    clock.advance(30)
    attempt("alice", ALICE_PW[2])
    second = enrol(verify=True)
    clock.advance(30)
    attempt("alice", ALICE_PW[2], rfc_totp(second, clock.now))
    log_out(app)

    # --- tapemaster in Group/User Administration ---------------------------------------
    attempt("tapemaster", WRONG_PW[3])
    attempt("tapemaster", ADMIN_PW)
    window = open_admin(qtbot, app)
    click_user(qtbot, window, "alice")
    reset = window.reset_password()
    type_into(qtbot, reset.newPasswordEdit, WEAK_PW)
    type_into(qtbot, reset.confirmPasswordEdit, WEAK_PW)
    click(qtbot, reset)
    witness.say("Reset Password message", reset.messageLabel.text())
    type_into(qtbot, reset.newPasswordEdit, ALICE_PW[3])
    type_into(qtbot, reset.confirmPasswordEdit, ALICE_PW[3])
    click(qtbot, reset)
    for name in ("gui.xml", "gui.csv"):
        save_to.append(str(exports / name))
        window.export_selected()
    log_out(app)

    # The services directly: a renewed secret nobody is shown, refusals with passwords.
    admin = AdminService(ctx, Actor.for_user("tapemaster"))
    admin.update_user("alice", {"otp_enabled": True}, renew_otp=True)
    witness.secrets.append(ctx.store.decrypt_otp_secret(ctx.store.get_user("alice")))
    for call in (lambda: admin.reset_password("alice", WEAK_PW),
                 lambda: admin.reset_password("alice", "alice"),
                 lambda: admin.add_user({"user_id": "dave"}, WEAK_PW)):
        with pytest.raises(TapeMasterError) as info:
            call()
        witness.error("AdminService", info.value)

    # --- the CLI's reports and exports ---------------------------------------------------
    admin_cli("user", "export", "--format", "csv", "--output", str(exports / "cli.csv"))
    admin_cli("user", "export", "--format", "xml", "--output", str(exports / "cli.xml"))
    for args in (["user", "export"], ["user", "export", "--format", "xml"],
                 ["user", "show", "alice"], ["user", "show", "alice", "--json"],
                 ["user", "list", "--json"], ["otp", "status", "alice", "--json"],
                 ["audit", "--json", "--limit", "100000"], ["audit"], ["info"],
                 ["settings", "show"], ["group", "list", "--json"]):
        admin_cli(*args)

    # --- scan ---------------------------------------------------------------------------
    assert len(witness.secrets) == 4 and len(set(witness.secrets)) == 4
    assert len(witness.recovery_codes) == 30 and len(set(witness.recovery_codes)) == 30
    audit = ctx.store.audit_events()
    assert {"otp_replay_rejected", "otp_clock_skew", "account_revoked", "otp_activated",
            "password_changed", "account_unlocked", "recovery_code_used",
            "recovery_codes_created", "recovery_codes_revoked"} <= {e.event for e in audit}
    saved = sorted(private.iterdir())
    assert len(saved) == 3 and all(p.stat().st_mode & 0o077 == 0 for p in saved)

    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(tmp_path)): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    def places() -> dict[str, bytes]:
        found = files(data_dir) | files(exports) | files(tmp_path / "home")
        found |= {f"audit row {e.id} ({e.event})": repr(e).encode("utf-8", "surrogatepass")
                  for e in audit}
        found |= {where: text.encode("utf-8", "surrogatepass")
                  for where, text in witness.said}
        return found

    open_places = places()
    assert any(name.endswith("tapemaster.db-wal") for name in open_places)
    assert any(name.endswith("tapemaster.log") for name in open_places)
    assert any(name.endswith("store.key") for name in open_places)
    problems = leaks(witness, open_places)

    app.close()
    capsys.readouterr()
    problems += leaks(witness, files(data_dir))  # after the WAL was checkpointed
    assert not problems, "\n".join(problems)
    assert len(witness.said) > 40  # the scan looked at what it claims to have looked at
