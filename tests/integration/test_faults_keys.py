"""The store key unusable: a keyring backend that raises, a key that is missing, wrong
for this store or damaged, a key file others can read.

Each time the CLI prints one clear line and exits 1, the GUI's logon says the same in
the logon dialog, and no new key is made silently (that would strand every enrolled
user): the keyring and the store folder hold exactly what they held before. Once the
fault is fixed, everything works with the store's own key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
from pathlib import Path

import keyring
import pytest

from gui.driving import log_on
from integration import fault_keyrings
from integration.reliability import (
    PASSWORD,
    cli,
    cli_refused,
    make_store,
    record,
    use_key_file,
)
from tapemaster_qt.store import open_store
from tapemaster_qt.store.keys import KEY_FILE, KEYRING_SERVICE

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file behind FileKeyring, for this process and the CLI it starts."""
    path = tmp_path / "keyring.json"
    monkeypatch.setenv(fault_keyrings.ENV, str(path))
    return path


def _env(backend: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHON_KEYRING_BACKEND=f"fault_keyrings.{backend}", PYTHONPATH=path)


@pytest.fixture
def keyring_store(tmp_path: Path, keyring_file: Path) -> Path:
    """A store whose key is in the (file-backed) OS keyring."""
    keyring.set_keyring(fault_keyrings.FileKeyring())
    folder = tmp_path / "store"
    make_store(folder, users=3)
    assert json.loads(keyring_file.read_text())
    assert not (folder / KEY_FILE).exists()
    return folder


@pytest.fixture
def file_store(tmp_path: Path) -> Path:
    """A store whose key is in its owner-only key file."""
    use_key_file()
    folder = tmp_path / "store"
    make_store(folder, users=3)
    assert (folder / KEY_FILE).exists()
    return folder


def _keys(folder: Path, keyring_file: Path | None = None) -> dict[str, bytes]:
    """Every place a key could be: the key file(s) beside the store and the keyring."""
    found = {p.name: p.read_bytes() for p in folder.glob(f"{KEY_FILE}*")}
    if keyring_file is not None and keyring_file.exists():
        found["keyring"] = keyring_file.read_bytes()
    return found


def _gui_logon(qtbot, programs, folder: Path) -> str:
    """What the logon dialog says when u001 logs on with the right password."""
    tapemaster = programs.start(folder)
    log_on(qtbot, tapemaster, "u001", PASSWORD)
    assert tapemaster.main_window is None and tapemaster.login_dialog.isVisible()
    return tapemaster.login_dialog.messageLabel.text()


@pytest.mark.parametrize(("backend", "error"), [("LockedKeyring", "KeyringError"),
                                                ("CrashingKeyring", "RuntimeError")])
def test_a_keyring_that_raises(keyring_store: Path, keyring_file: Path, qtbot, programs,
                               backend: str, error: str) -> None:
    before = _keys(keyring_store, keyring_file)
    expected = (f"The store key could not be read from the OS keyring ({error}) and there is "
                "no key file; unlock the keyring and try again.")
    line = cli_refused(keyring_store, "user", "list", env=_env(backend))
    assert line.endswith(expected), line
    keyring.set_keyring(getattr(fault_keyrings, backend)())
    assert _gui_logon(qtbot, programs, keyring_store) == expected
    assert _keys(keyring_store, keyring_file) == before  # no new key anywhere
    # The keyring works again: so does everything, with the store's own key.
    result = cli(keyring_store, "user", "show", "u000", env=_env("FileKeyring"))
    assert result.returncode == 0, result.stderr
    record("Keyring backend raising errors", f"get_password raises {error}", 2,
           f"CLI and GUI logon: '…could not be read from the OS keyring ({error})…; unlock "
           "the keyring…'; no new key; works once the keyring does")


def test_a_new_store_when_the_keyring_cannot_store(tmp_path: Path, keyring_file: Path
                                                   ) -> None:
    folder = tmp_path / "store"
    result = cli(folder, "init", "--password-stdin", stdin="Tape-Admin-2026\n",
                 env=_env("LockedKeyring"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "key file" in result.stdout
    key_file = folder / KEY_FILE
    assert key_file.stat().st_mode & 0o077 == 0
    assert not keyring_file.exists()
    # Later the keyring works, but the key stays where it is: in the key file.
    shown = cli(folder, "info", env=_env("FileKeyring"))
    assert shown.returncode == 0 and str(key_file) in shown.stdout, shown.stderr
    record("Keyring backend raising errors", "set_password raises KeyringError at init", 1,
           "new store's key goes to an owner-only key file (said on stdout); found there "
           "later")


def test_a_missing_key(keyring_store: Path, keyring_file: Path, qtbot, programs) -> None:
    saved = keyring_file.read_bytes()
    keyring_file.write_text("{}")
    line = cli_refused(keyring_store, "user", "list", env=_env("FileKeyring"))
    assert "is not on this computer" in line
    assert "a new key would lock out every enrolled user" in line
    assert "'tapemaster-admin key import FILE --passphrase-stdin'" in line
    keyring.set_keyring(fault_keyrings.FileKeyring())
    message = _gui_logon(qtbot, programs, keyring_store)
    assert message == line.split(": error: ")[1]
    assert _keys(keyring_store, keyring_file) == {"keyring": b"{}"}
    keyring_file.write_bytes(saved)
    assert cli(keyring_store, "user", "list", env=_env("FileKeyring")).returncode == 0
    record("Store key missing", "the keyring entry deleted", 2,
           "CLI and GUI logon: '…key… is not on this computer…: import it…(key import "
           "FILE…); a new key would lock out every enrolled user'; no new key; works once "
           "restored")


def _other_store_key(tmp_path: Path) -> tuple[str, bytes]:
    other = tmp_path / "other"
    make_store(other)
    store_id, _, encoded = (other / KEY_FILE).read_text().strip().partition(" ")
    return store_id, base64.b64decode(encoded)


def wrong_key_in_keyring(folder: Path, keyring_file: Path, tmp_path: Path) -> None:
    with open_store(folder) as store:
        store_id = store.store_id
    items = json.loads(keyring_file.read_text())
    items[f"{KEYRING_SERVICE}/{store_id}"] = base64.b64encode(secrets.token_bytes(32)).decode()
    keyring_file.write_text(json.dumps(items))


def wrong_key_in_key_file(folder: Path, keyring_file: Path, tmp_path: Path) -> None:
    store_id = (folder / KEY_FILE).read_text().split(" ")[0]
    _, raw = _other_store_key(tmp_path)
    (folder / KEY_FILE).write_text(f"{store_id} {base64.b64encode(raw).decode()}\n")


def key_file_of_another_store(folder: Path, keyring_file: Path, tmp_path: Path) -> None:
    _other_store_key(tmp_path)
    shutil.copy2(tmp_path / "other" / KEY_FILE, folder / KEY_FILE)


def damaged_key_file(folder: Path, keyring_file: Path, tmp_path: Path) -> None:
    store_id = (folder / KEY_FILE).read_text().split(" ")[0]
    (folder / KEY_FILE).write_text(f"{store_id} bm90IGEga2V5\n")


def damaged_key_in_keyring(folder: Path, keyring_file: Path, tmp_path: Path) -> None:
    items = json.loads(keyring_file.read_text())
    for name in items:
        items[name] = "not base64 at all!"
    keyring_file.write_text(json.dumps(items))


WRONG = [
    ("keyring", "a random key under this store's name in the keyring", wrong_key_in_keyring,
     "does not belong to this store"),
    ("file", "the key file holds this store's id with another store's key",
     wrong_key_in_key_file, "does not belong to this store"),
    ("file", "another store's key file copied in", key_file_of_another_store,
     "belongs to another store"),
    ("file", "the key file's key is not 256 bits", damaged_key_file, "is damaged"),
    ("keyring", "the keyring entry is not base64", damaged_key_in_keyring, "is damaged"),
]


@pytest.mark.parametrize(("where", "how", "spoil", "expected"), WRONG,
                         ids=[w[1] for w in WRONG])
def test_a_key_wrong_for_this_store(tmp_path: Path, keyring_file: Path, qtbot, programs,
                                    where: str, how: str, spoil, expected: str) -> None:
    if where == "keyring":
        keyring.set_keyring(fault_keyrings.FileKeyring())
        env = _env("FileKeyring")
    else:
        use_key_file()
        env = dict(os.environ)
    folder = tmp_path / "store"
    make_store(folder, users=3)
    spoil(folder, keyring_file, tmp_path)
    before = _keys(folder, keyring_file)
    line = cli_refused(folder, "user", "list", env=env)
    assert expected in line, line
    assert _gui_logon(qtbot, programs, folder) == line.split(": error: ")[1]
    assert _keys(folder, keyring_file) == before
    fault = "Store key damaged" if "damaged" in expected else "Store key wrong for this store"
    record(fault, how, 2, f"CLI and GUI logon: '…{expected}…'; nothing replaced")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_key_file_others_can_read(file_store: Path, qtbot, programs, mode: int) -> None:
    key_file = file_store / KEY_FILE
    key_file.chmod(mode)
    line = cli_refused(file_store, "user", "list")
    assert f"chmod 600 '{key_file}'" in line, line
    assert _gui_logon(qtbot, programs, file_store) == line.split(": error: ")[1]
    assert key_file.stat().st_mode & 0o777 == mode  # told, not silently changed
    key_file.chmod(0o600)
    assert cli(file_store, "user", "list").returncode == 0
    record("Key file with loose permissions", f"key file mode {mode:o}", 2,
           "CLI and GUI logon: '…can be read by other users; make it private (chmod 600 …)'; "
           "works after chmod 600")
