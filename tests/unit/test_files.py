"""The files on disk (issue 9 item 7): the store, its journal, its key and the logs are
the owner's only, never written through a link, and only in a folder nobody else can
change. Each attack was tried against the code before this fix: a link at
``logs/tapemaster.log`` was followed and appended to, a dangling ``tapemaster.db``
link made the store at its target with mode 0644, a folder anyone may write was
accepted, and the logs were 0644.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tapemaster_qt import fileio, logsetup
from tapemaster_qt.errors import StoreKeyError, StoreUnsafeError
from tapemaster_qt.store import open_store
from tapemaster_qt.store.sqlite import COMPANIONS

NOBODY = 65534
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="giving a file to another user needs root")
posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def key_file_only() -> Iterator[None]:
    """No keyring: the key goes to store.key, as on headless Linux."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def logs(tmp_path: Path, package_logging: None) -> Path:
    return tmp_path / "data" / "logs"


def _log_once(text: str) -> None:
    logging.getLogger("tapemaster_qt.test").warning("%s", text)
    for handler in logging.getLogger("tapemaster_qt").handlers:
        handler.flush()


# --- logs ----------------------------------------------------------------------------------


def test_a_link_at_the_log_file_is_not_followed(logs: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    logs.mkdir(parents=True, mode=0o700)
    (logs / "tapemaster.log").symlink_to(victim)
    assert logsetup.configure(logs) is None
    _log_once("this must not reach the victim")
    assert victim.read_text() == "precious\n"
    problem = logsetup.problem()
    assert problem is not None and "symbolic link" in problem
    assert str(logs / "tapemaster.log") in problem and "nothing is written" in problem


def test_a_dangling_link_at_the_log_file_creates_nothing(logs: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "planted.log"
    target.parent.mkdir()
    logs.mkdir(parents=True, mode=0o700)
    (logs / "tapemaster.log").symlink_to(target)
    logsetup.configure(logs)
    _log_once("nothing")
    assert not target.exists()


def test_a_link_put_there_after_the_start_is_not_followed(logs: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = logsetup.configure(logs)
    assert path is not None and logsetup.problem() is None
    path.symlink_to(victim)  # before the first record opens the file (delay=True)
    _log_once("dropped, not written through the link")
    assert victim.read_text() == "precious\n"


@posix
def test_logs_are_the_owners_only_rotated_ones_too(logs: Path) -> None:
    logs.mkdir(parents=True)
    old = logs / "tapemaster.log"
    old.write_bytes(b"x" * (logsetup.MAX_BYTES + 1))  # rotated at this start
    old.chmod(0o644)
    older = logs / "tapemaster.log.1"
    older.write_text("older\n")
    older.chmod(0o644)
    path = logsetup.configure(logs)
    assert path is not None
    _log_once("a new log")
    assert path.is_file() and mode(path) == 0o600
    assert mode(logs / "tapemaster.log.1") == 0o600  # the one just rotated
    assert mode(logs / "tapemaster.log.2") == 0o600  # the one before it


@posix
def test_an_existing_log_of_ours_is_made_private(logs: Path) -> None:
    logs.mkdir(parents=True)
    (logs / "tapemaster.log").write_text("from an older version\n")
    (logs / "tapemaster.log").chmod(0o644)
    logsetup.configure(logs)
    _log_once("appended")
    assert mode(logs / "tapemaster.log") == 0o600
    assert "appended" in (logs / "tapemaster.log").read_text()


@posix
def test_logs_in_a_folder_anyone_may_write_are_refused(logs: Path) -> None:
    logs.mkdir(parents=True)
    logs.chmod(0o777)
    assert logsetup.configure(logs) is None
    _log_once("nothing")
    assert not (logs / "tapemaster.log").exists()
    assert "every user" in (logsetup.problem() or "")


@posix
def test_a_new_log_folder_is_private(logs: Path) -> None:
    logsetup.configure(logs)
    assert mode(logs) == 0o700


@posix
def test_no_crash_log_in_a_folder_others_may_write(tmp_path: Path) -> None:
    folder = tmp_path / "crash"
    folder.mkdir()
    folder.chmod(0o777)
    assert logsetup.enable_crash_log(folder, "tapemaster") is None
    assert list(folder.iterdir()) == []


# --- the store -----------------------------------------------------------------------------


def test_a_dangling_store_link_is_refused_and_creates_nothing(data_dir: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "store.db"
    target.parent.mkdir()
    data_dir.mkdir(mode=0o700)
    (data_dir / "tapemaster.db").symlink_to(target)
    with pytest.raises(StoreUnsafeError, match="symbolic link"):
        open_store(data_dir)
    assert not target.exists()
    assert sorted(p.name for p in data_dir.iterdir()) == ["tapemaster.db"]


def test_a_store_link_to_a_real_store_is_refused(tmp_path: Path, data_dir: Path) -> None:
    real = tmp_path / "real"
    open_store(real).close()
    data_dir.mkdir(mode=0o700)
    (data_dir / "tapemaster.db").symlink_to(real / "tapemaster.db")
    with pytest.raises(StoreUnsafeError) as caught:
        open_store(data_dir)
    assert "Replace the link with the real file" in caught.value.message


@pytest.mark.parametrize("suffix", COMPANIONS)
def test_a_link_beside_the_store_is_refused(data_dir: Path, tmp_path: Path,
                                            suffix: str) -> None:
    open_store(data_dir).close()
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (data_dir / f"tapemaster.db{suffix}").symlink_to(victim)
    with pytest.raises(StoreUnsafeError, match=f"tapemaster.db{suffix} is a symbolic link"):
        open_store(data_dir)
    assert victim.read_bytes() == b"precious"


def test_the_data_folder_as_a_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    open_store(real).close()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(StoreUnsafeError) as caught:
        open_store(link)
    assert "is a symbolic link" in caught.value.message
    assert str(real) in caught.value.message  # says which folder to give instead


def test_a_folder_above_may_be_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "real")
    with open_store(tmp_path / "via" / "data") as store:  # like macOS's /tmp
        assert store.count_users() == 1


@posix
@pytest.mark.parametrize("permissions", [0o777, 0o1777, 0o757])
def test_a_data_folder_anyone_may_write_is_refused(data_dir: Path, permissions: int) -> None:
    data_dir.mkdir()
    data_dir.chmod(permissions)
    with pytest.raises(StoreUnsafeError) as caught:
        open_store(data_dir)
    assert "can be changed by every user" in caught.value.message
    assert f"chmod 700 '{data_dir}'" in caught.value.message
    assert list(data_dir.iterdir()) == []  # nothing created


@posix
def test_a_parent_anyone_may_write_is_refused_unless_sticky(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(StoreUnsafeError) as caught:
        open_store(shared / "data")
    assert f"The folder {shared}, which holds {shared / 'data'}," in caught.value.message
    shared.chmod(0o1777)  # like /tmp: nobody else may rename or remove our folder
    with open_store(shared / "data") as store:
        assert store.count_users() == 1


@posix
@as_root
def test_a_folder_another_group_may_write_is_refused(data_dir: Path) -> None:
    data_dir.mkdir()
    os.chown(data_dir, -1, NOBODY)
    data_dir.chmod(0o770)
    with pytest.raises(StoreUnsafeError, match="members of group"):
        open_store(data_dir)


@posix
def test_a_folder_our_own_private_group_may_write_is_accepted(data_dir: Path) -> None:
    if not fileio._own_private_group(os.getegid()):
        pytest.skip("this account's group is not a private one")
    data_dir.mkdir()
    data_dir.chmod(0o770)  # umask 002 on a system with user private groups
    with open_store(data_dir) as store:
        assert store.count_users() == 1


@posix
@as_root
def test_a_folder_of_another_user_is_refused(data_dir: Path) -> None:
    data_dir.mkdir()
    os.chown(data_dir, NOBODY, -1)
    with pytest.raises(StoreUnsafeError, match="belongs to another user"):
        open_store(data_dir)


@posix
@as_root
def test_a_store_file_of_another_user_is_refused(data_dir: Path) -> None:
    open_store(data_dir).close()
    os.chown(data_dir / "tapemaster.db", NOBODY, -1)
    with pytest.raises(StoreUnsafeError, match="belongs to another user"):
        open_store(data_dir)


@posix
def test_a_new_store_is_private(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        with store.write() as tx:
            tx.set_setting("issuer", "Files")
        assert mode(data_dir) == 0o700
        for name in ("tapemaster.db", "tapemaster.db-wal", "tapemaster.db-shm"):
            assert mode(data_dir / name) == 0o600, name


@posix
def test_an_existing_store_readable_by_others_is_made_private(data_dir: Path) -> None:
    open_store(data_dir).close()
    (data_dir / "tapemaster.db").chmod(0o644)  # copied in with the umask's mode
    with open_store(data_dir):
        assert mode(data_dir / "tapemaster.db") == 0o600


@posix
def test_a_file_that_is_not_a_store_is_left_as_it_is(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    odd = data_dir / "tapemaster.db"
    odd.write_text("tape,slot\n")
    odd.chmod(0o644)
    with pytest.raises(Exception, match="not a TapeMaster user store"):
        open_store(data_dir)
    assert mode(odd) == 0o644 and odd.read_text() == "tape,slot\n"


def test_windows_leaves_the_permission_checks_out(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    assert fileio.folder_problem(folder) is not None
    monkeypatch.setattr(sys, "platform", "win32")
    assert fileio.folder_problem(folder) is None  # NTFS ACLs, not mode bits
    link = tmp_path / "link"
    link.symlink_to(folder)
    assert "symbolic link" in (fileio.folder_problem(link) or "")  # links still refused


# --- the key file --------------------------------------------------------------------------


@pytest.mark.usefixtures("key_file_only")
def test_a_key_file_link_is_refused(data_dir: Path, tmp_path: Path) -> None:
    with open_store(data_dir) as store:
        store_id = store.store_id
        _ = store.key
    key_file = data_dir / "store.key"
    copy = tmp_path / "copied.key"
    copy.write_bytes(key_file.read_bytes())
    copy.chmod(0o600)
    key_file.unlink()
    key_file.symlink_to(copy)
    with open_store(data_dir) as store, pytest.raises(StoreKeyError) as caught:
        _ = store.key
    assert store_id in copy.read_text()
    assert "store key file" in caught.value.message and "symbolic link" in caught.value.message


@pytest.mark.usefixtures("key_file_only")
def test_a_dangling_key_file_link_at_creation_writes_no_key(data_dir: Path,
                                                            tmp_path: Path) -> None:
    planted = tmp_path / "planted.key"
    data_dir.mkdir(mode=0o700)
    (data_dir / "store.key").symlink_to(planted)
    with pytest.raises(StoreKeyError, match="symbolic link"):
        open_store(data_dir)
    assert not planted.exists()


@posix
@as_root
@pytest.mark.usefixtures("key_file_only")
def test_a_key_file_of_another_user_is_refused(data_dir: Path) -> None:
    open_store(data_dir).close()
    os.chown(data_dir / "store.key", NOBODY, -1)
    with open_store(data_dir) as store, pytest.raises(StoreKeyError,
                                                      match="belongs to another user"):
        _ = store.key


# --- exports -------------------------------------------------------------------------------


@posix
def test_an_export_never_writes_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    target = tmp_path / "users.csv"
    target.symlink_to(victim)
    fileio.write_text_atomically(target, "user_id\nalice\n")
    assert victim.read_text() == "precious"
    assert not target.is_symlink() and target.read_text() == "user_id\nalice\n"
    assert mode(target) == 0o600


@posix
def test_a_fifo_in_place_of_the_journal_is_refused_not_waited_on(data_dir: Path) -> None:
    open_store(data_dir).close()
    os.mkfifo(data_dir / "tapemaster.db-wal")
    with pytest.raises(StoreUnsafeError, match="not a regular file"):
        open_store(data_dir)
