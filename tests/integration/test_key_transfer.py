"""Moving a store to another computer or OS account with ``tapemaster-admin key export``
and ``key import``, every step a separate process as support staff run it. Each
"desktop" has its own home, and its own keyring (none, or a file-backed one)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tapemaster_qt.services import Context
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
ADMIN_PASSWORD = "Tape-Admin-2026"
ALICE_PASSWORD = "Alice-Secret-42"
PASSPHRASE = "vault tapes move on tuesday"


class Desktop:
    """One computer (or OS account): its home, its keyring, its copy of the store."""

    def __init__(self, root: Path, keyring: str = "none") -> None:
        self.home = root / "home"
        self.store = root / "store"
        self.keyring_file = root / "keyring.json"
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("TAPEMASTER_DATA_DIR", "TAPEMASTER_STORE")}
        self.env.update(HOME=str(self.home), XDG_DATA_HOME=str(self.home / "share"),
                        XDG_STATE_HOME=str(self.home / "state"),
                        XDG_CONFIG_HOME=str(self.home / "config"),
                        XDG_CONFIG_DIRS=str(root / "no-site-file"))
        if keyring == "file":
            self.env.update(
                PYTHON_KEYRING_BACKEND="fault_keyrings.FileKeyring",
                TAPEMASTER_TEST_KEYRING=str(self.keyring_file),
                PYTHONPATH=os.pathsep.join(p for p in (str(HERE), os.environ.get(
                    "PYTHONPATH", "")) if p))
        else:
            self.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tapemaster_qt.cli", "--data-dir", str(self.store), *args],
            input=stdin, capture_output=True, text=True, timeout=120, env=self.env)

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def refused(self, *args: str, stdin: str = "") -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tapemaster-admin: error: "), lines
        return lines[0].removeprefix("tapemaster-admin: error: ")

    def audit(self) -> list[tuple[str, str, str]]:
        events = json.loads(self.ok("audit", "--json", "--limit", "1000"))
        return [(e["event"], e["actor"].split("@")[0], e["detail"]) for e in events]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Desktop:
    """The desktop that made the store: alice has One Time Password enabled (her secret
    is encrypted with the store key), and the key was exported."""
    desk = Desktop(tmp_path_factory.mktemp("office"))
    desk.ok("init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    desk.ok("user", "add", "alice", "--password-stdin", stdin=ALICE_PASSWORD + "\n")
    desk.ok("otp", "enable", "alice")
    out = desk.ok("key", "export", "--output", str(desk.home / "site.key"),
                  "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert f"to {desk.home / 'site.key'}, wrapped with the passphrase" in out
    return desk


def _key_file(office: Desktop) -> Path:
    return office.home / "site.key"


def _moved_to(office: Desktop, tmp_path: Path, keyring: str = "none") -> Desktop:
    """A new computer with a copy of the store file, and not of its key."""
    desk = Desktop(tmp_path / "vault", keyring)
    desk.store.mkdir(parents=True)
    shutil.copy2(office.store / "tapemaster.db", desk.store / "tapemaster.db")
    return desk


def test_export_writes_an_owner_only_self_describing_file(office: Desktop) -> None:
    path = _key_file(office)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    with open_store(office.store) as store:
        store_id = store.store_id
    assert document["format"] == "tapemaster-qt-store-key" and document["version"] == 1
    assert document["store_id"] == store_id
    assert document["kdf"]["name"] == "argon2id" and document["cipher"]["name"] == "AES-256-GCM"
    assert "key import FILE --passphrase-stdin" in document["note"]
    raw_key = base64.b64decode((office.store / "store.key").read_text().split()[1])
    assert raw_key not in path.read_bytes() and base64.b64encode(raw_key) not in path.read_bytes()
    assert ("key_exported", "cli:" + office.audit()[-1][1].removeprefix("cli:"),
            "site.key") == office.audit()[-1]


def test_a_store_moved_without_its_key_says_to_import_it(office: Desktop,
                                                         tmp_path: Path) -> None:
    vault = _moved_to(office, tmp_path)
    line = vault.refused("user", "list")
    assert "is not on this computer" in line
    assert "'tapemaster-admin key import FILE --passphrase-stdin'" in line


def test_import_moves_the_store_to_another_computer(office: Desktop, tmp_path: Path) -> None:
    vault = _moved_to(office, tmp_path)
    out = vault.ok("key", "import", str(_key_file(office)), "--passphrase-stdin",
                   stdin=PASSPHRASE + "\n")
    key_file = vault.store / "store.key"
    assert out.strip() == (f"Imported the key of the store {vault.store}; it is now in the "
                           f"key file {key_file} (readable by its owner only).")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() == (office.store / "store.key").read_bytes()
    assert "alice" in vault.ok("user", "list")
    assert vault.audit()[-1][0::2] == ("key_imported", "file")
    # The encrypted OTP secret opens with the imported key: alice enrols on the new desk.
    with open_store(vault.store) as store:
        ctx = Context(store, program="Lite", hasher=PasswordHasher(TESTS_ONLY))
        outcome = LogonService(ctx).logon("alice", ALICE_PASSWORD, "")
        assert outcome.status is LogonStatus.ENROLMENT and outcome.secret_key
    # Importing again changes nothing and still succeeds.
    vault.ok("key", "import", str(_key_file(office)), "--passphrase-stdin",
             stdin=PASSPHRASE + "\n")
    assert not list(vault.store.glob("store.key.orphaned-*"))


def test_import_into_an_os_keyring(office: Desktop, tmp_path: Path) -> None:
    vault = _moved_to(office, tmp_path, keyring="file")
    out = vault.ok("key", "import", str(_key_file(office)), "--passphrase-stdin",
                   stdin=PASSPHRASE + "\n")
    assert "it is now in the OS keyring" in out
    assert not (vault.store / "store.key").exists()
    entries = json.loads(vault.keyring_file.read_text())
    store_id = json.loads(_key_file(office).read_text())["store_id"]
    assert list(entries) == [f"TapeMaster Qt store key/{store_id}"]
    assert "alice" in vault.ok("user", "list")


def _flip(text: str) -> str:
    return text[:10] + ("B" if text[10] != "B" else "C") + text[11:]


def _tampered(office: Desktop, tmp_path: Path, change) -> Path:
    document = json.loads(_key_file(office).read_text())
    change(document)
    path = tmp_path / "tampered.key"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(("name", "change", "message"), [
    ("store id", lambda d: d.update(store_id="00000000-0000-0000-0000-000000000000"),
     "another store"),
    ("note", lambda d: d.update(note="import me anywhere"), "Wrong passphrase for"),
    ("cost", lambda d: d["kdf"].update(time_cost=1), "Wrong passphrase for"),
    ("ciphertext", lambda d: d.update(ciphertext=_flip(d["ciphertext"])),
     "Wrong passphrase for"),
    ("shortened", lambda d: d.update(ciphertext=d["ciphertext"][:-4] + "AAA="),
     "is not a TapeMaster Qt key file or is damaged"),
    ("huge memory", lambda d: d["kdf"].update(memory_kib=1 << 40),
     "key derivation memory_kib out of bounds"),
    ("newer", lambda d: d.update(version=2), "written by a newer version of TapeMaster Qt"),
    ("truncated", lambda d: d.pop("ciphertext"), "is not a TapeMaster Qt key file or is damaged"),
])
def test_a_changed_key_file_is_refused_and_nothing_is_kept(
        office: Desktop, tmp_path: Path, name: str, change, message: str) -> None:
    vault = _moved_to(office, tmp_path)
    path = _tampered(office, tmp_path, change)
    line = vault.refused("key", "import", str(path), "--passphrase-stdin",
                         stdin=PASSPHRASE + "\n")
    assert message in line and line.endswith(".")
    assert not (vault.store / "store.key").exists()


def test_a_wrong_passphrase_or_another_stores_key_is_refused(office: Desktop,
                                                             tmp_path: Path) -> None:
    vault = _moved_to(office, tmp_path)
    line = vault.refused("key", "import", str(_key_file(office)), "--passphrase-stdin",
                         stdin="vault tapes move on monday\n")
    assert line == (f"Wrong passphrase for {_key_file(office)}, or the file was changed; "
                    "nothing was imported.")
    other = Desktop(tmp_path / "other")
    other.ok("init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    other.ok("key", "export", "--output", str(tmp_path / "other.key"), "--passphrase-stdin",
             stdin=PASSPHRASE + "\n")
    line = vault.refused("key", "import", str(tmp_path / "other.key"), "--passphrase-stdin",
                         stdin=PASSPHRASE + "\n")
    assert "holds the key of another store" in line and "nothing was imported" in line
    assert vault.refused("key", "import", str(tmp_path / "nowhere.key"),
                         "--passphrase-stdin", stdin=PASSPHRASE + "\n") == (
        f"{tmp_path / 'nowhere.key'}: no such file.")
    assert not (vault.store / "store.key").exists()
    assert "is not on this computer" in vault.refused("user", "list")


@pytest.mark.parametrize(("passphrase", "message"), [
    ("", "No passphrase on standard input."),
    ("\n", "The passphrase is empty."),
    ("short pass\n", "at least 12 characters"),
    ("aaaaaaaaaaaaaaaa\n", "too easy to guess"),
    ("1234567890123\n", "too easy to guess"),
    ("QWERTYUIOPASDF\n", "too easy to guess"),
])
def test_export_refuses_a_weak_passphrase(office: Desktop, tmp_path: Path, passphrase: str,
                                          message: str) -> None:
    target = tmp_path / "weak.key"
    assert message in office.refused("key", "export", "--output", str(target),
                                     "--passphrase-stdin", stdin=passphrase)
    assert not target.exists()


def test_export_never_overwrites_or_follows_a_link(office: Desktop, tmp_path: Path) -> None:
    existing = tmp_path / "existing.key"
    existing.write_text("keep me")
    link = tmp_path / "link.key"
    link.symlink_to(tmp_path / "elsewhere.key")  # dangling: O_EXCL must not create its target
    for target in (existing, link):
        line = office.refused("key", "export", "--output", str(target), "--passphrase-stdin",
                              stdin=PASSPHRASE + "\n")
        assert line == f"{target} already exists; nothing was written (choose a new file name)."
    assert existing.read_text() == "keep me"
    assert not (tmp_path / "elsewhere.key").exists()
