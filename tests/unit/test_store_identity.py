"""Which store a program has open: its file and its token, checked before every write
and by ``Store.check_same_store()`` (the session heartbeat's call). The processes of
issue 14 item 3 are in tests/integration/test_faults_replaced.py; here, the mechanism."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tapemaster_qt.errors import StoreReplacedError
from tapemaster_qt.store import Store, backup_store, open_store, restore_store
from tapemaster_qt.store import settings as settings_table
from tapemaster_qt.store.sqlite import SQLiteStore, read_identity


def _token(store: Store) -> str:
    assert isinstance(store, SQLiteStore)
    token = settings_table.token(store.db)
    assert token is not None
    return token


def _writes(store: Store) -> int:
    assert isinstance(store, SQLiteStore)
    return int(settings_table.identity(store.db)[settings_table.WRITE_COUNT])


def test_a_new_store_has_a_token_and_counts_its_writes(store: Store) -> None:
    token = _token(store)
    assert len(token) == 32
    before = _writes(store)
    with store.write() as tx:
        tx.set_setting("issuer", "Identity")
    with store.write() as tx:
        tx.set_setting("issuer", "Identity 2")
    assert _writes(store) == before + 2
    assert _token(store) == token
    store.check_same_store()  # nothing changed: no complaint


def test_the_token_and_the_write_count_share_a_page(store: Store) -> None:
    """Every write changes the count, so every journal holds the page with the token:
    that is how a journal tells which store it was written for."""
    assert isinstance(store, SQLiteStore)
    try:
        rows = store.db.connection.execute(
            "SELECT pageno FROM dbstat WHERE name = 'settings'").fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    assert len(rows) == 1  # the settings table is one page


def test_a_store_from_before_tokens_gets_one(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        assert isinstance(store, SQLiteStore)
        store.db.execute("DELETE FROM settings WHERE key IN (?, ?)",
                         (settings_table.STORE_TOKEN, settings_table.WRITE_COUNT))
    with open_store(data_dir) as store:
        token = _token(store)
        with store.write() as tx:
            tx.set_setting("issuer", "Upgraded")
    with open_store(data_dir) as store:
        assert _token(store) == token


def test_another_file_moved_over_the_store_stops_every_write(data_dir: Path,
                                                             tmp_path: Path) -> None:
    store = open_store(data_dir)
    other = tmp_path / "other.db"
    backup_store(store, other)
    os.replace(other, data_dir / "tapemaster.db")
    with pytest.raises(StoreReplacedError) as caught, store.write() as tx:
        tx.set_setting("issuer", "Lost")
    assert caught.value.message == StoreReplacedError.WHILE_RUNNING
    with pytest.raises(StoreReplacedError):
        store.check_same_store()
    with pytest.raises(StoreReplacedError), store.write() as tx:  # and it stays so
        tx.set_setting("issuer", "Lost")
    store.close()


def test_a_restore_into_the_store_stops_its_other_programs(data_dir: Path,
                                                           tmp_path: Path) -> None:
    running = open_store(data_dir)
    with open_store(data_dir) as support:
        assert isinstance(support, SQLiteStore)
        with support.db.transaction():  # what a restore leaves: another copy's token
            settings_table.set_unsealed(support.db, settings_table.STORE_TOKEN, "f" * 32)
    with pytest.raises(StoreReplacedError):
        running.check_same_store()
    with pytest.raises(StoreReplacedError), running.write() as tx:
        tx.set_setting("issuer", "Lost")
    running.close()
    with open_store(data_dir) as store:
        assert store.setting("issuer") == "TapeTrack"  # nothing written


def test_a_copy_written_over_the_file_in_place_is_noticed(data_dir: Path,
                                                          tmp_path: Path) -> None:
    running = open_store(data_dir)
    copy = tmp_path / "copy.db"
    backup_store(running, copy)
    assert isinstance(running, SQLiteStore)
    running.db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    inode = os.stat(data_dir / "tapemaster.db").st_ino
    shutil.copyfile(copy, data_dir / "tapemaster.db")  # cp: the same file, new content
    assert os.stat(data_dir / "tapemaster.db").st_ino == inode
    with pytest.raises(StoreReplacedError):
        running.check_same_store()
    with contextlib.suppress(Exception):
        running.close()


def test_a_backup_is_a_standalone_private_copy_with_its_own_token(store: Store,
                                                                   tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    report = backup_store(store, target)
    assert report.path == target and report.users == 1 and report.size == target.stat().st_size
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    header = target.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # a rollback journal: one file, nothing beside it
    with contextlib.closing(sqlite3.connect(target)) as conn:
        copy_token = conn.execute("SELECT value FROM settings WHERE key = ?",
                                  (settings_table.STORE_TOKEN,)).fetchone()[0]
        store_id = conn.execute("SELECT value FROM settings WHERE key = 'store_id'").fetchone()
    assert copy_token != _token(store) and store_id[0] == store.store_id
    # (home: this test's OS account, whose state folder remembers the store)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.db", "data", "home"]


def test_a_restore_not_yet_in_the_file_is_still_this_store(data_dir: Path,
                                                           tmp_path: Path) -> None:
    """A reader holding the journal keeps SQLite from copying a restore into the file:
    the file alone still has the token from before, and that is no other copy."""
    with open_store(data_dir) as store:
        backup_store(store, tmp_path / "b.db")
    reader = sqlite3.connect(data_dir / "tapemaster.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM users").fetchone()  # a read transaction, open
    try:
        restore_store(data_dir, tmp_path / "b.db", busy_timeout_ms=300)
        after = open_store(data_dir)
        assert isinstance(after, SQLiteStore)
        with after:
            raw = read_identity(after.path, raw=True, busy_timeout_ms=0)
            assert raw is not None and raw[settings_table.STORE_TOKEN] != after.db.token
            after.check_same_store()  # no complaint
            with after.write() as tx:
                tx.set_setting("issuer", "Restored")
    finally:
        reader.execute("COMMIT")
        reader.close()


def test_a_backup_of_an_older_version_is_brought_up_to_date(data_dir: Path,
                                                            tmp_path: Path) -> None:
    """A backup made by the previous release (TapeMaster Qt 1.0's own store,
    tests/fixtures/v1-store) restores into this one: migrated in its scratch copy (no
    migration backup left in the store folder), sealed once with the key as the restore
    accepts it, every seal still holding (bob's record was tampered with under 1.0)."""
    from tapemaster_qt.services import Actor
    from tapemaster_qt.services.maintenance import restore
    from tapemaster_qt.store import migrations

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "v1-store"
    data_dir.mkdir(parents=True)
    for name in ("tapemaster.db", "store.key"):
        shutil.copy(fixture / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    backup_file = tmp_path / "v1.db"
    shutil.copy(fixture / "tapemaster.db", backup_file)
    with open_store(data_dir) as store:
        _ = store.key  # this store today: brought up to date, sealed, trusted
    for old in data_dir.glob("*-backup-*"):
        old.unlink()  # the migration backup of that first opening
    report = restore(data_dir, backup_file, Actor.for_cli(), "tapemaster-admin")
    assert report.from_version == 1 and report.in_place
    with open_store(data_dir) as store:
        assert isinstance(store, SQLiteStore)
        assert store.db.schema_version() == migrations.schema_version()
        assert {u.user_id: u.integrity_ok for u in store.list_users()} == {
            "tapemaster": True, "alice": True, "bob": False, "carol": True}
        newest = [e.event for e in store.audit_events(limit=3)]
        assert newest == ["store_restored", "store_accepted", "store_resealed"]
    assert not list(data_dir.glob("*-backup-*"))
