"""Where the store lives on each OS, and moving a store from where 0.1.0 kept it.

The Windows and macOS folders are platformdirs' own answers, computed here on Linux with
the Windows shell's folders mocked. The move itself works on any two folders, so it is
tested on real stores: with a key file and backups beside them, a WAL left by a crash,
another program holding the store, a crash at every step, two programs moving at once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path, PureWindowsPath

import keyring
import platformdirs.windows
import pytest
from keyring.backends import fail

from helpers import ADMIN_PASSWORD, secret_from_uri
from tapemaster_qt import paths
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store, relocate
from tapemaster_qt.store.relocate import Result
from unit.support import PASSWORD

WINDOWS_FOLDERS = {
    "CSIDL_APPDATA": r"C:\Users\ann\AppData\Roaming",
    "CSIDL_LOCAL_APPDATA": r"C:\Users\ann\AppData\Local",
}


# --- the folders on each OS -------------------------------------------------------------


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Windows shell's answers for a user 'ann' (what SHGetKnownFolderPath gives)."""
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", WINDOWS_FOLDERS.__getitem__)


def win(path: Path) -> PureWindowsPath:
    return PureWindowsPath(str(path))


def test_windows_keeps_the_store_in_the_local_folder_with_one_name_level(windows) -> None:
    assert win(paths.default_data_dir("win32")) == PureWindowsPath(
        r"C:\Users\ann\AppData\Local\TapeMaster Qt")
    assert win(paths.default_log_dir("win32")) == PureWindowsPath(
        r"C:\Users\ann\AppData\Local\TapeMaster Qt\Logs")
    # Where 0.1.0 kept them: the roaming folder, the name doubled by appauthor.
    assert [win(p) for p in paths.legacy_data_dirs("win32")] == [PureWindowsPath(
        r"C:\Users\ann\AppData\Roaming\TapeMaster Qt\TapeMaster Qt")]
    assert [win(p) for p in paths.legacy_log_dirs("win32")] == [PureWindowsPath(
        r"C:\Users\ann\AppData\Local\TapeMaster Qt\TapeMaster Qt\Logs")]


def test_macos_folders_are_unchanged(monkeypatch) -> None:
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)  # a Mac has none (platformdirs honours them)
    home = Path(os.environ["HOME"])
    assert paths.default_data_dir("darwin") == home / "Library/Application Support/TapeMaster Qt"
    assert paths.default_log_dir("darwin") == home / "Library/Logs/TapeMaster Qt"
    assert paths.legacy_data_dirs("darwin") == [] and paths.legacy_log_dirs("darwin") == []


def test_linux_folders_follow_xdg_and_are_unchanged(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert paths.default_data_dir("linux") == tmp_path / "xdg-data" / "TapeMaster Qt"
    assert paths.default_log_dir("linux") == tmp_path / "xdg-state" / "TapeMaster Qt" / "log"
    assert paths.legacy_data_dirs("linux") == [] and paths.legacy_log_dirs("linux") == []


def test_the_store_folder_is_the_option_then_the_environment_then_the_default(
        monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert paths.data_dir(str(tmp_path / "from-option")) == tmp_path / "from-option"
    assert paths.data_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    assert paths.data_dir(None) == paths.default_data_dir()
    assert paths.log_dir(tmp_path / "chosen", explicit=True) == tmp_path / "chosen" / "logs"
    assert paths.log_dir(tmp_path / "chosen", explicit=False) == paths.default_log_dir()


# --- moving a store ---------------------------------------------------------------------


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """The 0.1.0 folder: roaming, the name doubled."""
    return tmp_path / "Roaming" / "TapeMaster Qt" / "TapeMaster Qt"


@pytest.fixture
def new(tmp_path: Path) -> Path:
    return tmp_path / "Local" / "TapeMaster Qt"


@pytest.fixture
def key_file_keyring() -> None:
    """No OS keyring (headless Linux): the store key is a file beside the store."""
    keyring.set_keyring(fail.Keyring())


def make_store(folder: Path) -> bytes:
    """A store as 0.1.0 left it: tapemaster, alice with One Time Password enabled (her
    secret encrypted with the store key) and a migration backup; returns her secret."""
    with open_store(folder) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        set_initial_password(ctx, ADMIN_PASSWORD)
        admin = AdminService(ctx, Actor.for_user("tapemaster"))
        admin.add_user({"user_id": "alice", "name": "Alice Archer"}, PASSWORD)
        admin.set_otp("alice", True)
        outcome = LogonService(ctx).logon("alice", PASSWORD, "")
        assert outcome.status is LogonStatus.ENROLMENT
    (folder / "tapemaster.db.v1-backup-20261128-101500").write_bytes(b"an old backup")
    return secret_from_uri(outcome.provisioning_uri or "")


def check_store(folder: Path, secret: bytes) -> None:
    """The store opens where it is now, alice is there, and her secret still decrypts
    (the key came along): her logon offers the same QR."""
    with open_store(folder) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        users = [u.user_id for u in AdminService(ctx, Actor.for_user("tapemaster")).list_users()]
        assert users == ["alice", "tapemaster"]
        outcome = LogonService(ctx).logon("alice", PASSWORD, "")
        assert outcome.status is LogonStatus.ENROLMENT
        assert secret_from_uri(outcome.provisioning_uri or "") == secret


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_store_is_moved_with_its_key_file_and_backups(old, new, key_file_keyring) -> None:
    secret = make_store(old)
    assert "store.key" in names(old)
    before = {name: (old / name).read_bytes() for name in names(old)
              if not name.startswith("tapemaster.db")}

    outcome = relocate.settle_default_store(new, [old])

    assert outcome.result is Result.MOVED and outcome.folder == new and outcome.old == old
    assert f"moved from {old} to {new}" in outcome.notice
    assert names(new) == [relocate.LOCK_FILE, "store.key", "tapemaster.db",
                          "tapemaster.db.v1-backup-20261128-101500"]
    for name, data in before.items():
        assert (new / name).read_bytes() == data
    # Nothing left at the old place, not even the doubled folder.
    assert not old.exists() and not old.parent.exists()
    check_store(new, secret)
    for name in ("store.key", "tapemaster.db"):
        assert (new / name).stat().st_mode & 0o077 == 0  # the owner's only


def test_what_a_crash_left_in_the_wal_is_moved_too(old, new, tmp_path) -> None:
    """A program killed with the WAL not yet written back: the move checkpoints it."""
    secret = make_store(tmp_path / "live")
    with open_store(tmp_path / "live") as store:
        AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)),
                     Actor.for_user("tapemaster")).add_user({"user_id": "bob"}, PASSWORD)
        assert (tmp_path / "live" / "tapemaster.db-wal").stat().st_size > 0
        shutil.copytree(tmp_path / "live", old)  # the files as a crash leaves them
    assert (old / "tapemaster.db-wal").stat().st_size > 0

    assert relocate.settle_default_store(new, [old]).result is Result.MOVED

    assert "tapemaster.db-wal" not in names(new) and not old.exists()
    with open_store(new) as store:
        assert store.get_user("bob") is not None
    with open_store(new) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        assert secret_from_uri(LogonService(ctx).logon("alice", PASSWORD, "")
                               .provisioning_uri or "") == secret


HOLDER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("SELECT count(*) FROM users").fetchone()  # open, as a running program
    print("ready", flush=True)
    sys.stdin.read()
""")


def test_a_store_another_program_uses_is_used_where_it_is_and_moved_later(old, new) -> None:
    secret = make_store(old)

    def files() -> dict[str, bytes]:  # the holder's own -wal and -shm aside
        return {n: (old / n).read_bytes() for n in names(old) if not n.endswith(("-wal", "-shm"))}

    before = files()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(old / "tapemaster.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        outcome = relocate.settle_default_store(new, [old])
        assert outcome.result is Result.KEPT and outcome.folder == old
        assert "another program is using it" in outcome.notice
        assert f"still in {old}" in outcome.notice
        # Untouched, and nothing half-made at the new place.
        assert files() == before
        assert not (new / "tapemaster.db").exists() and not (new / relocate.STAGING).exists()
    finally:
        holder.communicate(timeout=30)  # closes its stdin: it ends
    # The next start, with the other program gone, moves it.
    assert relocate.settle_default_store(new, [old]).result is Result.MOVED
    check_store(new, secret)


class Crash(BaseException):
    """The process dies here (not an error the code could catch and handle)."""


def crash_on_second_copy(monkeypatch):
    real, calls = relocate._copy_file, []

    def copy(source, target):
        calls.append(source)
        if len(calls) == 2:
            raise Crash
        return real(source, target)

    monkeypatch.setattr(relocate, "_copy_file", copy)


def crash_before_commit(monkeypatch):
    def commit(*_args):
        raise Crash

    monkeypatch.setattr(relocate, "_commit", commit)


def crash_before_the_store_is_renamed(monkeypatch):
    real = os.replace

    def replace(source, target):
        if Path(target).name == "tapemaster.db" and relocate.STAGING in str(source):
            raise Crash
        return real(source, target)

    monkeypatch.setattr(relocate.os, "replace", replace)


def crash_after_the_commit(monkeypatch):
    def remove(*_args):
        raise Crash

    monkeypatch.setattr(relocate, "_remove_originals", remove)


def crash_after_removing_the_old_store(monkeypatch):
    real = Path.unlink

    def unlink(self, missing_ok=False):
        real(self, missing_ok)
        if self.name == "tapemaster.db" and "Roaming" in str(self):
            raise Crash

    monkeypatch.setattr(Path, "unlink", unlink)


@pytest.mark.parametrize("crash", [
    crash_on_second_copy, crash_before_commit, crash_before_the_store_is_renamed,
    crash_after_the_commit, crash_after_removing_the_old_store,
])
def test_a_crash_at_any_step_loses_nothing_and_the_next_start_finishes(
        old, new, monkeypatch, key_file_keyring, crash) -> None:
    secret = make_store(old)
    expected = {name: (old / name).read_bytes() for name in names(old)
                if not name.startswith("tapemaster.db")}
    with monkeypatch.context() as patch:
        crash(patch)
        with pytest.raises(Crash):
            relocate.settle_default_store(new, [old])
    # Whatever the crash left, one store is complete: the old one, or the new one.
    complete = new if (new / "tapemaster.db").exists() else old
    check_store(complete, secret)

    outcome = relocate.settle_default_store(new, [old])

    assert outcome.result is Result.MOVED and outcome.folder == new
    assert not old.exists() and not (new / relocate.STAGING).exists()
    for name, data in expected.items():
        assert (new / name).read_bytes() == data
    assert not [n for n in names(new) if "before-move" in n]
    check_store(new, secret)
    assert relocate.settle_default_store(new, [old]).result is Result.NOTHING


def test_a_store_changed_after_a_cut_short_copy_is_copied_again(old, new, monkeypatch) -> None:
    make_store(old)
    with monkeypatch.context() as patch:
        crash_before_commit(patch)
        with pytest.raises(Crash):
            relocate.settle_default_store(new, [old])
    # An older program writes to the old store before the next start of this version.
    with open_store(old) as store:
        AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)),
                     Actor.for_user("tapemaster")).add_user({"user_id": "carol"}, PASSWORD)

    assert relocate.settle_default_store(new, [old]).result is Result.MOVED
    with open_store(new) as store:
        assert store.get_user("carol") is not None


def test_a_store_at_both_places_is_neither_merged_nor_overwritten(old, new) -> None:
    make_store(old)
    make_store(new)
    before = {d: {n: (d / n).read_bytes() for n in names(d)} for d in (old, new)}

    outcome = relocate.settle_default_store(new, [old])

    assert outcome.result is Result.BOTH and outcome.folder == new
    assert f"There is a user store in {old} as well as in {new}" in outcome.notice
    assert {d: {n: (d / n).read_bytes() for n in names(d) if n != relocate.LOCK_FILE}
            for d in (old, new)} == before


def test_a_file_in_the_way_is_kept_aside(old, new, key_file_keyring) -> None:
    secret = make_store(old)
    new.mkdir(parents=True)
    (new / "store.key").write_text("someone else's key\n", encoding="utf-8")

    assert relocate.settle_default_store(new, [old]).result is Result.MOVED

    [aside] = [n for n in names(new) if n.startswith("store.key.before-move-")]
    assert (new / aside).read_text(encoding="utf-8") == "someone else's key\n"
    check_store(new, secret)


MOVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tapemaster_qt.store import relocate, open_store
    outcome = relocate.settle_default_store(Path(sys.argv[1]), [Path(sys.argv[2])])
    print(outcome.result.value, outcome.folder)
""")


@pytest.mark.slow
def test_two_programs_starting_together_move_it_once(old, new) -> None:
    secret = make_store(old)
    movers = [subprocess.Popen([sys.executable, "-c", MOVER, str(new), str(old)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    results = sorted(m.communicate(timeout=120)[0].strip() for m in movers)
    assert results == sorted([f"moved {new}"] + [f"nothing {new}"] * 3), results
    check_store(new, secret)


def test_a_symlinked_old_store_is_not_followed(old, new, tmp_path) -> None:
    make_store(tmp_path / "elsewhere")
    old.mkdir(parents=True)
    (old / "tapemaster.db").symlink_to(tmp_path / "elsewhere" / "tapemaster.db")

    outcome = relocate.settle_default_store(new, [old])

    assert outcome.result is Result.KEPT and "symbolic link" in outcome.reason
    assert (old / "tapemaster.db").is_symlink()
    assert not (new / "tapemaster.db").exists()


def test_nothing_happens_without_a_store_at_the_old_place(old, new) -> None:
    outcome = relocate.settle_default_store(new, [old])
    assert outcome == relocate.Outcome(Result.NOTHING, new) and outcome.notice == ""
    assert not new.exists() and not old.exists()


def test_an_old_store_that_is_not_a_database_stays_for_the_store_to_report(old, new) -> None:
    old.mkdir(parents=True)
    (old / "tapemaster.db").write_bytes(b"not a database at all" * 100)
    outcome = relocate.settle_default_store(new, [old])
    assert outcome.result is Result.KEPT and outcome.folder == old
    assert "SQLite cannot" in outcome.reason
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(old / "tapemaster.db").execute("SELECT 1 FROM sqlite_schema").fetchone()
