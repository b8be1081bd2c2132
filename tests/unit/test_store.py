"""The SQLite store: a new store's contents, pragmas, refusals, migration, file modes,
the append-only audit table, and the store key (keyring, key file, refusals)."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tapemaster_qt.errors import (
    ConflictError,
    StoreError,
    StoreKeyError,
    StoreNotAStoreError,
    StoreTooNewError,
)
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.store import (
    BUILTIN_USER,
    DEFAULT_GROUP,
    NewUser,
    Store,
    migrations,
    open_store,
)
from tapemaster_qt.store.keys import KEY_FILE, KEYRING_SERVICE
from tapemaster_qt.store.migrations import MIGRATIONS, Migration
from tapemaster_qt.store.sqlite import APPLICATION_ID, SQLiteStore
from unit.support import enrol, raw_db

SCHEMA_VERSION = migrations.schema_version()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _use_key_file() -> None:
    """What headless Linux has: a keyring that cannot store anything."""
    keyring.set_keyring(fail.Keyring())


def _store_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir() if p.name.startswith("tapemaster.db"))


# --- a new store ----------------------------------------------------------------------


def test_new_store_has_builtin_tapemaster_without_password(store: Store) -> None:
    assert store.created
    user = store.get_user(BUILTIN_USER)
    assert user is not None
    assert user.tapemaster_rights and user.admin_rights
    assert user.password_hash is None and not user.has_password
    assert user.group_id is None
    assert user.integrity_ok
    assert [u.user_id for u in store.list_users()] == [BUILTIN_USER]


def test_new_store_has_default_group(store: Store) -> None:
    assert [g.group_id for g in store.list_groups()] == [DEFAULT_GROUP]
    assert store.setting("default_group") == DEFAULT_GROUP
    assert store.setting("issuer") == "TapeTrack"


def test_reopening_does_not_create_again(data_dir: Path) -> None:
    with open_store(data_dir) as first:
        store_id = first.store_id
    with open_store(data_dir) as again:
        assert not again.created
        assert again.store_id == store_id
        assert again.count_users() == 1


def test_pragmas_wal_version_and_application_id(store: Store, data_dir: Path) -> None:
    with raw_db(data_dir) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_foreign_keys_are_enforced(store: Store) -> None:
    # A user in a group that does not exist is what foreign keys forbid.
    with pytest.raises(ConflictError, match="group"), store.write() as tx:
        tx.insert_user(NewUser(user_id="orphan", group_id="NOSUCH"))
    assert store.get_user("orphan") is None


def test_store_and_its_journal_files_are_private(store: Store, data_dir: Path) -> None:
    with store.write() as tx:  # make sure the -wal and -shm files exist
        tx.insert_group("OPS", "")
    files = _store_files(data_dir)
    assert {p.name for p in files} >= {"tapemaster.db", "tapemaster.db-wal"}
    for path in files:
        assert _mode(path) == 0o600, path.name


# --- files that are not (our) stores ------------------------------------------------------


def test_store_from_a_newer_version_is_refused_untouched(data_dir: Path) -> None:
    open_store(data_dir).close()
    with raw_db(data_dir) as conn:
        conn.execute("PRAGMA user_version = 99")
    db = data_dir / "tapemaster.db"
    before = db.read_bytes()
    with pytest.raises(StoreTooNewError, match="newer version"):
        open_store(data_dir)
    assert db.read_bytes() == before
    assert [p.name for p in _store_files(data_dir)] == ["tapemaster.db"]


def test_a_file_that_is_not_sqlite_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / "tapemaster.db"
    content = b"Quarterly tape rotation plan\n" * 200
    db.write_bytes(content)
    with pytest.raises(StoreNotAStoreError, match="not a TapeMaster user store"):
        open_store(data_dir)
    assert db.read_bytes() == content


@pytest.mark.parametrize(("application_id", "with_table"),
                         [(0, True), (0x12345678, True), (0x12345678, False)])
def test_another_programs_database_is_refused(
    data_dir: Path, application_id: int, with_table: bool
) -> None:
    data_dir.mkdir(parents=True)
    with raw_db(data_dir) as conn:
        conn.execute(f"PRAGMA application_id = {application_id}")
        if with_table:
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
            conn.execute("INSERT INTO invoices (amount) VALUES (9.5)")
    with pytest.raises(StoreNotAStoreError, match="not a TapeMaster user store"):
        open_store(data_dir)
    with raw_db(data_dir) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema")]
        assert tables == (["invoices"] if with_table else [])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


# --- migration ------------------------------------------------------------------------


# The next migration as one would be written: once, in portable DDL.
NEXT = """
ALTER TABLE users ADD COLUMN favourite_tape TEXT NOT NULL DEFAULT 'LTO-9';
CREATE TABLE tape_loans (
    id      {ID},
    user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    photo   {BLOB},
    since   {BIGINT} NOT NULL
){STRICT};
CREATE UNIQUE INDEX tape_loans_label ON tape_loans({ci[label]});
"""


def _pretend_newer_schema(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """This program, one release later: one more migration."""
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, Migration(portable=script)))


def test_migration_backs_up_then_migrates(
    ctx: Context, admin: AdminService, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.add_user({"user_id": "alice"}, "Alice-Secret-42")
    ctx.store.close()
    _pretend_newer_schema(monkeypatch, NEXT)

    with open_store(data_dir) as migrated:
        user = migrated.get_user("alice")
        assert user is not None and user.integrity_ok
    backups = sorted(data_dir.glob(f"tapemaster.db.v{SCHEMA_VERSION}-backup-*"))
    assert len(backups) == 1
    assert _mode(backups[0]) == 0o600  # it holds the same hashes and secrets as the store
    with raw_db(data_dir) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute(
            "SELECT favourite_tape FROM users WHERE user_id = 'alice'"
        ).fetchone()[0] == "LTO-9"
        table = conn.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'tape_loans'").fetchone()[0]
        assert "id      INTEGER PRIMARY KEY," in table and ") STRICT" in table
        conn.execute("INSERT INTO tape_loans (user_id, label, since) VALUES ('alice', 'A1', 1)")
        with pytest.raises(sqlite3.IntegrityError):  # the {ci[label]} index ignores case
            conn.execute("INSERT INTO tape_loans (user_id, label, since) "
                         "VALUES ('alice', 'a1', 2)")
    with closing(sqlite3.connect(backups[0])) as backup:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        users = {r[0] for r in backup.execute("SELECT user_id FROM users")}
        assert users == {BUILTIN_USER, "alice"}
        columns = {r[1] for r in backup.execute("PRAGMA table_info(users)")}
        assert "favourite_tape" not in columns


def test_failed_migration_leaves_the_old_version(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(data_dir).close()
    _pretend_newer_schema(
        monkeypatch, NEXT + "CREATE TABLE users (clash INTEGER);\n"  # fails after NEXT's DDL
    )
    with pytest.raises(StoreError):
        open_store(data_dir)
    with raw_db(data_dir) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {r[1] for r in conn.execute("PRAGMA table_info(users)")}
        assert "favourite_tape" not in columns
        assert conn.execute(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'tape_loans'").fetchone()[0] == 0
    assert len(list(data_dir.glob(f"tapemaster.db.v{SCHEMA_VERSION}-backup-*"))) == 1


def test_the_released_sqlite_schema_never_changes(store: Store, data_dir: Path) -> None:
    """Stores in the field were created by this exact text; a change belongs in a new
    migration. A new store's schema is version 1's text with every later migration
    run over it, exactly as an upgraded store's."""
    v1 = migrations.SQLITE_V1
    assert hashlib.sha256(v1.encode()).hexdigest() == (
        "8e9579f2ad41de896a3aa8fa276fdbd8af9ce17cd7166cebbd4b7e2bc681e646")
    assert MIGRATIONS[0] == Migration(sqlite=v1, postgresql=migrations.POSTGRESQL_V1)
    schema = "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name"
    with raw_db(data_dir) as conn:
        recorded = conn.execute(schema).fetchall()
    assert isinstance(store, SQLiteStore)
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as replay:
        for migration in MIGRATIONS:
            for statement in store.db.dialect.statements(migration.script(store.db)):
                replay.execute(statement)
        assert replay.execute(schema).fetchall() == recorded


def test_a_new_store_is_not_backed_up(data_dir: Path) -> None:
    open_store(data_dir).close()
    assert not list(data_dir.glob("*backup*"))


# --- the audit table --------------------------------------------------------------------


def test_audit_table_is_append_only(ctx: Context, data_dir: Path) -> None:
    count = ctx.store.count_audit()
    assert count >= 1  # the first-run password
    with raw_db(data_dir) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit SET event = 'nothing_happened'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit")
        events = [r[0] for r in conn.execute("SELECT event FROM audit")]
    assert "nothing_happened" not in events
    assert ctx.store.count_audit() == count


# --- the store key --------------------------------------------------------------------------


def test_key_goes_to_the_keyring_when_one_works(store: Store, keyring_backend, data_dir: Path
                                                ) -> None:
    _ = store.key
    assert (KEYRING_SERVICE, store.store_id) in keyring_backend.items
    assert not (data_dir / KEY_FILE).exists()
    assert store.key.location == "keyring"
    assert "OS keyring" in store.key_description()


def test_key_file_fallback_is_owner_only(data_dir: Path, keyring_backend) -> None:
    _use_key_file()
    with open_store(data_dir) as store:
        key_file = data_dir / KEY_FILE
        assert key_file.exists()
        assert _mode(key_file) == 0o600
        assert key_file.read_text(encoding="ascii").startswith(store.store_id + " ")
        assert store.key.location == "file"
        assert "key file" in store.key_description()
    assert keyring_backend.items == {}


def test_missing_key_in_keyring_is_an_error_not_a_new_key(data_dir: Path, keyring_backend
                                                          ) -> None:
    with open_store(data_dir) as store:
        _ = store.key
    keyring_backend.items.clear()
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="missing"):
        store.get_user(BUILTIN_USER)
    assert keyring_backend.items == {}
    assert not (data_dir / KEY_FILE).exists()


def test_missing_key_file_is_an_error_not_a_new_key(data_dir: Path) -> None:
    _use_key_file()
    open_store(data_dir).close()
    (data_dir / KEY_FILE).unlink()
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="missing"):
        store.list_users()
    assert not (data_dir / KEY_FILE).exists()


def test_wrong_key_in_keyring_is_refused(data_dir: Path, keyring_backend) -> None:
    with open_store(data_dir) as store:
        store_id = store.store_id
        _ = store.key
    wrong = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    keyring_backend.items[(KEYRING_SERVICE, store_id)] = wrong
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="does not belong"):
        store.get_user(BUILTIN_USER)


def test_wrong_key_in_key_file_is_refused(data_dir: Path) -> None:
    _use_key_file()
    with open_store(data_dir) as store:
        store_id = store.store_id
    key_file = data_dir / KEY_FILE
    key_file.write_text(f"{store_id} {base64.b64encode(secrets.token_bytes(32)).decode()}\n")
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="does not belong"):
        store.get_user(BUILTIN_USER)


def test_key_file_of_another_store_is_refused(data_dir: Path, tmp_path: Path) -> None:
    _use_key_file()
    open_store(data_dir).close()
    other = tmp_path / "other"
    open_store(other).close()
    os.replace(other / KEY_FILE, data_dir / KEY_FILE)
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="another store"):
        store.get_user(BUILTIN_USER)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_key_file_readable_by_others_is_refused(data_dir: Path, mode: int) -> None:
    _use_key_file()
    open_store(data_dir).close()
    key_file = data_dir / KEY_FILE
    key_file.chmod(mode)
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="chmod 600"):
        store.get_user(BUILTIN_USER)
    key_file.chmod(0o600)
    with open_store(data_dir) as store:
        assert store.get_user(BUILTIN_USER) is not None


def test_damaged_key_file_is_refused(data_dir: Path) -> None:
    _use_key_file()
    with open_store(data_dir) as store:
        store_id = store.store_id
    (data_dir / KEY_FILE).write_text(f"{store_id} not-base64-at-all!\n")
    with open_store(data_dir) as store, pytest.raises(StoreKeyError, match="damaged"):
        store.get_user(BUILTIN_USER)


@pytest.mark.parametrize("key_in", ["keyring", "file"])
def test_otp_secrets_are_not_in_the_store_files_in_the_clear(
    ctx: Context, admin: AdminService, data_dir: Path, key_in: str
) -> None:
    if key_in == "file":
        # A store whose key sits in a key file beside it (same folder, same copy).
        ctx.store.close()
        for p in data_dir.iterdir():
            p.unlink()
        keyring.set_keyring(fail.Keyring())
        ctx.store = open_store(data_dir)
    logon = LogonService(ctx)
    found = []
    for user_id in ("alice", "bob", "carol"):
        admin.add_user({"user_id": user_id, "otp_enabled": True}, "Alice-Secret-42")
        found.append(enrol(logon, user_id))
    forms = []
    for secret in found:
        b32 = totp.to_base32(secret)
        forms += [secret, b32.encode(), b32.lower().encode(), secret.hex().encode(),
                  totp.group_secret(b32).encode(), base64.b64encode(secret)]

    def scan() -> None:
        for path in _store_files(data_dir):
            data = path.read_bytes()
            for form in forms:
                assert form not in data, path.name

    scan()  # while open: much of it is still in the -wal file
    ctx.store.close()
    scan()
