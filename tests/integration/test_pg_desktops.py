"""Issue 10's "done": the seed's One Time Password walkthrough across two desktops of a
site. Two programs run as two separate processes with ``--store postgresql://...``
(each its own per-user folder, as two computers have), the site key carried from one to
the other with ``key export``/``key import``; alice enrols and activates in Lite on one
desktop, and TapeMaster on the other then wants her code and refuses the one she used.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import ADMIN_PASSWORD, rfc_totp
from pgcluster import APP, OWNER
from pgfixtures import PgDatabase

pytestmark = pytest.mark.slow

ROBOT = Path(__file__).with_name("desk_robot.py")
ALICE = "Alice-Secret-42"
PASSPHRASE = "carry the key in two pieces"


class Desktop:
    """One computer of the site: its own home (keyring-less: the key file lives there)."""

    def __init__(self, home: Path, db: PgDatabase) -> None:
        self.home = home
        self.db = db
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TAPEMASTER_", "PG"))}
        self.env.update(
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HOME=str(home),
            XDG_DATA_HOME=str(home / "share"), XDG_STATE_HOME=str(home / "state"),
            XDG_CONFIG_HOME=str(home / "config"), XDG_CONFIG_DIRS=str(home / "etc"),
            QT_QPA_PLATFORM="offscreen",
        )

    def admin(self, *args: str, role: str = APP, stdin: str = "") -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tapemaster_qt.cli", "--store", self.db.url(role), *args],
            input=stdin, capture_output=True, text=True, timeout=120, env=self.env)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
        return result.stdout

    def start(self, program: str) -> Program:
        return Program(subprocess.Popen(
            [sys.executable, str(ROBOT), program, self.db.url(APP)], env=self.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True))


class Program:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def __call__(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read() if self.process.stderr else "no answer"
        return dict(json.loads(line))

    def exit(self) -> str:
        try:
            self("exit")
            _, err = self.process.communicate(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.communicate()
        assert self.process.returncode == 0, err
        return err


@pytest.fixture
def desks(pg_database: PgDatabase, tmp_path: Path) -> Iterator[tuple[Desktop, Desktop]]:
    office, vault = Desktop(tmp_path / "office", pg_database), Desktop(tmp_path / "vault",
                                                                       pg_database)
    yield office, vault


def test_enrol_on_one_desktop_and_the_other_enforces_activation(
        desks: tuple[Desktop, Desktop], tmp_path: Path) -> None:
    office, vault = desks
    # Support staff: create the store as the owner, add alice with OTP, carry the key.
    office.admin("init", "--password-stdin", role=OWNER, stdin=ADMIN_PASSWORD + "\n")
    office.admin("user", "add", "alice", "--name", "Alice Archer", "--password-stdin",
                 stdin=ALICE + "\n")
    office.admin("otp", "enable", "alice")
    key_file = tmp_path / "site.key"
    office.admin("key", "export", "--output", str(key_file), "--passphrase-stdin",
                 stdin=PASSPHRASE + "\n")
    assert "Imported the key" in vault.admin("key", "import", str(key_file),
                                             "--passphrase-stdin", stdin=PASSPHRASE + "\n")

    lite = vault.start("Lite")
    tapemaster = office.start("TapeMaster")
    try:
        # The vault's Lite: password only shows the setup popup with the secret.
        shown = lite("logon alice " + ALICE)
        assert "otpSetupDialog" in shown["windows"], shown
        typed = shown["secret"].replace(" ", "")  # as the user types it into the phone
        secret = base64.b32decode(typed + "=" * (-len(typed) % 8))
        assert lite("ok")["user"] == "alice"
        assert "loginDialog" in lite("logout")["windows"]
        # Activation with a code from the phone.
        code = rfc_totp(secret, time.time())
        activated = lite(f"logon alice {ALICE} {code}")
        assert [b["name"] for b in activated["boxes"]] == ["otpActivatedMessage"]
        assert "recoveryCodesDialog" in activated["windows"], activated
        assert activated["codes"] == 10  # shown once, before the main window
        assert lite("ok")["user"] == "alice"

        # The office's TapeMaster, another process on another desktop, now wants a code…
        refused = tapemaster("logon alice " + ALICE)
        assert refused["message"] == "One Time Password required", refused
        assert "mainWindow" not in refused["windows"]
        # …refuses the code Lite just used, and takes the next one.
        replayed = tapemaster(f"logon alice {ALICE} {code}")
        assert replayed["message"] == ("This code has already been used — wait for the "
                                       "next one"), replayed
        assert "mainWindow" not in replayed["windows"]
        later = tapemaster(f"logon alice {ALICE} {rfc_totp(secret, time.time() + 30)}")
        assert later["user"] == "alice" and later["boxes"] == [], later
    finally:
        errors = {}
        for name, program in (("Lite", lite), ("TapeMaster", tapemaster)):
            try:
                errors[name] = program.exit()
            except AssertionError as exc:
                errors[name] = f"exit: {exc}"
    for name, err in errors.items():
        assert "Traceback" not in err and not err.startswith("exit:"), (name, err)
    audit = json.loads(office.admin("audit", "--user", "alice", "--json"))
    seen = [(e["event"], e["program"]) for e in audit]  # oldest first
    assert seen == [
        ("user_created", "tapemaster-admin"), ("otp_enabled", "tapemaster-admin"),
        ("otp_enrollment_shown", "Lite"), ("login_succeeded", "Lite"), ("logged_out", "Lite"),
        ("otp_activated", "Lite"), ("recovery_codes_created", "Lite"), ("login_succeeded", "Lite"),
        ("login_failed", "TapeMaster"), ("otp_replay_rejected", "TapeMaster"),
        ("login_failed", "TapeMaster"), ("login_succeeded", "TapeMaster"),
        ("logged_out", "Lite"), ("logged_out", "TapeMaster")], seen
    failed = [e["detail"] for e in audit if e["event"] == "login_failed"]
    assert failed[0] == "otp_required" and failed[1].startswith("bad_otp"), failed
