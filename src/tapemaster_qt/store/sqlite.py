"""The SQLite user store: the only module that speaks SQL.

Rules kept here (DESIGN.md §4):
- WAL journal, a busy timeout, foreign keys on;
- every write is one short ``BEGIN IMMEDIATE`` transaction (:meth:`Store.write`), so
  readers never block writers and a writer never has to upgrade a read lock;
- migrations run in one transaction after a ``Connection.backup`` copy of the store;
- SQLite's errors become :mod:`tapemaster_qt.errors` with a message fit for a user.

Security-relevant user fields are sealed (:mod:`.sealing`) with a key derived from the
store key; a
record whose seal does not match is reported (``integrity_ok``) and never re-sealed
by an ordinary write, so tampering cannot be laundered by the next logon.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tapemaster_qt import PROGRAMS
from tapemaster_qt.errors import (
    ConflictError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreIntegrityError,
    StoreKeyError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreReadOnlyError,
    StoreTooNewError,
)
from tapemaster_qt.paths import STORE_FILE
from tapemaster_qt.records import (
    AuditEvent,
    GroupRecord,
    SessionRecord,
    UserRecord,
    UserRow,
)
from tapemaster_qt.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tapemaster_qt.store.sealing import USER_SEALED, seal_setting, setting_intact

if TYPE_CHECKING:
    from tapemaster_qt.store.crypto import Sealer
    from tapemaster_qt.store.keys import StoreKey

logger = logging.getLogger(__name__)

BUILTIN_USER = "tapemaster"
DEFAULT_GROUP = "DEFAULT"
DEFAULT_SETTINGS = {"issuer": "TapeTrack", "lockout_threshold": "5"}

_USER_COLUMNS = (
    "user_id", "name", "email", "description", "group_id", "role", "admin_rights",
    "tapemaster_rights", "disabled", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "password_hash", "otp_enabled", "otp_activated", "otp_secret",
    "otp_last_step", "otp_burned_steps", "failed_logons", "revoked", "last_logon",
    "last_failed_logon", "created", "updated", "mac",
)
_USER_SELECT = "SELECT " + ", ".join(_USER_COLUMNS) + " FROM users"
_SEALED = USER_SEALED
_SEALED_INDEX = tuple(_USER_COLUMNS.index(c) for c in _SEALED)
# The administration table: what it shows, then the sealed fields and the seal.
_ROW_DISPLAY = (
    "user_id", "name", "group_id", "role", "email", "description", "otp_enabled",
    "otp_activated", "disabled", "revoked", "last_logon",
)
_ROWS_SELECT = "SELECT " + ", ".join(_ROW_DISPLAY + _SEALED + ("mac",)) + " FROM users"
_ROWS_DISPLAY_SELECT = "SELECT " + ", ".join(_ROW_DISPLAY) + ", NULL FROM users"
_WRITABLE = frozenset(_USER_COLUMNS) - {"user_id", "mac", "created"}
QUICK_CHECKED = ("settings", "users", "sessions")
"""Tables (with their indexes) checked each time a store is opened."""
_PROGRAM_COLUMNS = {
    "TapeMaster": "access_tapemaster",
    "Lite": "access_lite",
    "Checkpoint": "access_checkpoint",
}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# --- error translation -------------------------------------------------------------


def _translate(exc: sqlite3.Error, path: Path) -> StoreError | ConflictError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        return ConflictError(_conflict_message(text))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreLockedError(
            "The user store is in use by another program and did not become free in time; "
            "nothing was changed. Try again in a moment."
        )
    if name == "SQLITE_FULL" or "disk is full" in text or (
        name.startswith("SQLITE_IOERR") and _disk_full(path)
    ):
        return StoreFullError(
            f"The disk holding the user store ({path.parent}) is full; nothing was changed. "
            "Free some space and try again."
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreReadOnlyError(
            f"The user store {path} cannot be written (read-only file or folder); "
            "nothing was changed."
        )
    if name == "SQLITE_NOTADB" or "not a database" in text:
        return StoreNotAStoreError(f"{path} is not a TapeMaster user store.")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return StoreCorruptError(
            f"The user store {path} is damaged. Restore it from a backup "
            "or ask your administrator."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StoreReadOnlyError(
            f"The user store {path} cannot be opened; check that its folder exists "
            "and that you may write to it."
        )
    if name.startswith("SQLITE_IOERR") or "disk I/O" in text:
        return StoreError(
            f"The user store {path} could not be read or written (disk error); "
            "nothing was changed. Check the disk and try again."
        )
    return StoreError(f"The user store {path} reported an error: {text}.")


def _disk_full(path: Path) -> bool:
    """Whether an I/O error is a full disk in disguise: SQLite reports a -shm file it
    cannot grow (opening a store on a full disk) as SQLITE_IOERR_SHMSIZE."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def _conflict_message(text: str) -> str:
    if "users.email" in text or "users_email" in text:
        return "That e-mail address already belongs to another user."
    if "users.user_id" in text or "users_id_nocase" in text:
        return "That User-ID already exists."
    if "groups.group_id" in text or "groups_id_nocase" in text:
        return "That Group-ID already exists."
    if "FOREIGN KEY" in text:
        return "The group is in use or does not exist."
    return "The change conflicts with what the store holds."


# --- row conversion ----------------------------------------------------------------


def _programs(row: Sequence[Any]) -> frozenset[str]:
    flags = (row[10], row[11], row[12])
    return frozenset(p for p, on in zip(PROGRAMS, flags, strict=True) if on)


def _burned(text: str) -> tuple[int, ...]:
    return tuple(int(s) for s in text.split(",") if s)


class Store:
    """One open user store. Not shared between threads; each process opens its own."""

    def __init__(
        self, folder: Path, conn: sqlite3.Connection, store_id: str, created: bool,
        busy_timeout_ms: int = 5000,
    ) -> None:
        self.folder = folder
        self.busy_timeout = busy_timeout_ms / 1000
        self.path = folder / STORE_FILE
        self._conn = conn
        self.store_id = store_id
        self.created = created
        self._key: StoreKey | None = None
        self._sealer: Sealer | None = None
        self._damaged = False
        """Set once SQLite reported damage: nothing more is written to the file."""

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, *, busy_timeout_ms: int = 5000) -> Store:
        """Open (creating or migrating as needed) the store in ``folder``."""
        path = folder / STORE_FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"The store folder {folder} cannot be created ({exc.strerror})."
            ) from None
        if path.exists() and path.is_dir():
            raise StoreNotAStoreError(f"{path} is a folder, not a TapeMaster user store.")
        if not path.exists():
            # Password hashes and encrypted secrets: readable by the owner only. SQLite
            # gives the -wal and -shm files the same permissions.
            with contextlib.suppress(FileExistsError):
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except PermissionError:
                    raise StoreReadOnlyError(
                        f"The store folder {folder} cannot be written."
                    ) from None
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        try:
            store_id, created = cls._prepare(conn, folder, path, busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return cls(folder, conn, store_id, created, busy_timeout_ms)

    @classmethod
    def _prepare(
        cls, conn: sqlite3.Connection, folder: Path, path: Path, busy_timeout_ms: int
    ) -> tuple[str, bool]:
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            ).fetchone()[0]
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        if app_id != APPLICATION_ID and (app_id != 0 or tables or version):
            raise StoreNotAStoreError(
                f"{path} is an SQLite database but not a TapeMaster user store."
            )
        if version > SCHEMA_VERSION:
            raise StoreTooNewError(
                f"The user store {path} was written by a newer version of TapeMaster Qt "
                f"(store version {version}, this program knows up to {SCHEMA_VERSION}). "
                "Install the newer version; the store was left untouched."
            )
        if version > 0:
            cls._quick_check(conn, path)
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("The store's journal mode is %s, not WAL", mode)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        created = False
        if version < SCHEMA_VERSION:
            if version > 0:
                cls._backup(conn, path, version)
            created = cls._migrate(conn, folder, path, busy_timeout_ms / 1000)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'store_id'").fetchone()
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        if row is None:
            raise StoreCorruptError(f"The user store {path} has lost its identity record.")
        return str(row[0]), created

    @staticmethod
    def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
        """Refuse a store whose users, settings or sessions are damaged before anything
        is written to it. The audit log is left out: it may hold millions of rows, and
        damage there shows when it is read or appended to."""
        try:
            results = [row[0] for table in QUICK_CHECKED
                       for row in conn.execute(f"PRAGMA quick_check({table})")]
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        if any(result != "ok" for result in results):
            # The details are for the log file; the user gets the one sentence below.
            logger.info("Quick check of %s failed: %s", path, "; ".join(results[:5]))
            raise StoreCorruptError(
                f"The user store {path} is damaged. Restore it from a backup "
                "or ask your administrator."
            )

    @staticmethod
    def _backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.v{version}-backup-{stamp}")
        try:
            # The copy holds the same hashes and encrypted secrets: owner-only, like
            # the store (sqlite3.connect alone would create it with the umask's mode).
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(target, 0o600)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"The backup {target} cannot be written before migrating ({exc.strerror}); "
                "the store was left untouched."
            ) from None
        try:
            with contextlib.closing(sqlite3.connect(target)) as dest:
                conn.backup(dest)
        except sqlite3.Error as exc:
            raise _translate(exc, target) from None
        logger.info("Backed up the store to %s before migrating", target)
        return target

    @classmethod
    def _migrate(
        cls, conn: sqlite3.Connection, folder: Path, path: Path, busy_timeout: float
    ) -> bool:
        """Bring the schema up to date; True when this call created a new store."""
        try:
            _begin_immediate(conn, busy_timeout)
            try:
                # Another process may have migrated while we waited for the lock.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                for script in MIGRATIONS[version:]:
                    for statement in _statements(script):
                        conn.execute(statement)
                created = bool(version == 0)
                if created:
                    cls._bootstrap(conn, folder)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _translate(exc, path) from None
        if created:
            logger.info("Created a new user store at %s", path)
        return created

    @staticmethod
    def _bootstrap(conn: sqlite3.Connection, folder: Path) -> None:
        import uuid

        from tapemaster_qt.store import keys
        from tapemaster_qt.store.crypto import Sealer

        store_id = str(uuid.uuid4())
        key = keys.create_key(store_id, folder)
        sealer = Sealer(key.raw, store_id)
        now = utc_now()
        conn.execute("INSERT INTO settings (key, value) VALUES ('store_id', ?)", (store_id,))
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('key_check', ?)",
            (sealer.key_check().hex(),),
        )
        for name, value in {**DEFAULT_SETTINGS, "default_group": DEFAULT_GROUP}.items():
            conn.execute(
                "INSERT INTO settings (key, value, mac) VALUES (?, ?, ?)",
                (name, value, seal_setting(sealer, name, value)),
            )
        conn.execute(
            "INSERT INTO groups (group_id, description, created) VALUES (?, ?, ?)",
            (DEFAULT_GROUP, "Default group", now),
        )
        values = {
            "user_id": BUILTIN_USER, "name": "TapeMaster Administrator",
            "description": "Built-in superuser", "group_id": None, "role": 0,
            "admin_rights": 1, "tapemaster_rights": 1, "created": now, "updated": now,
        }
        _insert_user(conn, sealer, values)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the key --------------------------------------------------------------------

    @property
    def key(self) -> StoreKey:
        """The store key, loaded on first use (keyring access is slow and optional)."""
        if self._key is None:
            from tapemaster_qt.store import keys
            from tapemaster_qt.store.crypto import Sealer

            key = keys.load_key(self.store_id, self.folder)
            if key is None:
                raise StoreKeyError(
                    "The key that protects this store's One Time Password secrets is missing "
                    f"(not in the OS keyring, no key file in {self.folder}). Restore it; "
                    "a new key would lock out every enrolled user."
                )
            sealer = Sealer(key.raw, self.store_id)
            check = self._read("SELECT value FROM settings WHERE key = 'key_check'")
            if not check or bytes.fromhex(check[0][0]) != sealer.key_check():
                raise StoreKeyError(
                    f"The store key found in the {key.describe()} does not belong to this "
                    "store. Restore the store's own key."
                )
            self._key, self._sealer = key, sealer
        return self._key

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            _ = self.key
        assert self._sealer is not None
        return self._sealer

    def key_description(self) -> str:
        return self.key.describe()

    # --- plumbing -------------------------------------------------------------------

    def _error(self, exc: sqlite3.Error) -> StoreError | ConflictError:
        error = _translate(exc, self.path)
        if isinstance(error, StoreCorruptError):
            self._damaged = True
        return error

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        """One short write transaction; commits on success, rolls back on any error."""
        if self._damaged:
            raise StoreCorruptError(
                f"The user store {self.path} is damaged; nothing was changed. Restore it "
                "from a backup or ask your administrator."
            )
        try:
            _begin_immediate(self._conn, self.busy_timeout)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        tx = Transaction(self)
        try:
            yield tx
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise self._error(exc) from None

    def _record(self, row: Sequence[Any]) -> UserRecord:
        return UserRecord(
            user_id=row[0], name=row[1], email=row[2], description=row[3], group_id=row[4],
            role=row[5], admin_rights=bool(row[6]), tapemaster_rights=bool(row[7]),
            disabled=bool(row[8]), no_timeout=bool(row[9]), programs=_programs(row),
            password_hash=row[13], otp_enabled=bool(row[14]), otp_activated=bool(row[15]),
            otp_secret=row[16], otp_last_step=row[17], otp_burned_steps=_burned(row[18]),
            failed_logons=row[19], revoked=bool(row[20]), last_logon=row[21],
            last_failed_logon=row[22], created=row[23], updated=row[24],
            integrity_ok=self._row_sealed(row),
        )

    def _row_sealed(self, row: Sequence[Any]) -> bool:
        return self.sealer.verify("user", [row[i] for i in _SEALED_INDEX], row[25])

    # --- users (reads) ----------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        rows = self._read(_USER_SELECT + " WHERE user_id = ?", (user_id,))
        return self._record(rows[0]) if rows else None

    def list_users(self) -> list[UserRecord]:
        return [self._record(r) for r in self._read(_USER_SELECT + " ORDER BY user_id")]

    def list_user_rows(self, *, check_seals: bool = True) -> list[UserRow]:
        """Every user, slim, for the administration table, in one query.

        With ``check_seals`` each record's seal is verified (a tampered record must
        show); without, ``integrity_ok`` is None and :meth:`seal_failures` checks them
        in slices, so a window over 100,000 users can show first.
        """
        if not check_seals:
            # The flags stay SQLite's 0/1 (they only ever meet truth tests) and each row
            # becomes a UserRow in C. The cyclic garbage collector is paused meanwhile:
            # 200,000 new tuples would otherwise set it off again and again, for nothing
            # (tuples of strings and numbers hold no cycles).
            paused = gc.isenabled()
            gc.disable()
            try:
                rows = self._read(_ROWS_DISPLAY_SELECT + " ORDER BY user_id COLLATE NOCASE")
                return list(map(functools.partial(tuple.__new__, UserRow), rows))
            finally:
                if paused:
                    gc.enable()
        rows = self._read(_ROWS_SELECT + " ORDER BY user_id COLLATE NOCASE")
        verify = self.sealer.verify
        n = len(_ROW_DISPLAY)
        return [
            UserRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]), bool(r[8]),
                    bool(r[9]), r[10], verify("user", r[n:-1], r[-1]))
            for r in rows
        ]

    def seal_failures(self, after: str | None, limit: int) -> tuple[list[str], list[str]]:
        """Check the seals of up to ``limit`` users after User-ID ``after`` (in User-ID
        order); return (the User-IDs checked, those whose seal failed)."""
        rows = self._read(
            "SELECT " + ", ".join((*_SEALED, "mac")) + " FROM users"
            + (" WHERE user_id > ?" if after is not None else "")
            + " ORDER BY user_id LIMIT ?",
            ((after, limit) if after is not None else (limit,)),
        )
        verify = self.sealer.verify
        failed = [r[0] for r in rows if not verify("user", r[:-1], r[-1])]
        return [r[0] for r in rows], failed

    def count_users(self) -> int:
        return int(self._read("SELECT count(*) FROM users")[0][0])

    def email_owner(self, email: str) -> str | None:
        rows = self._read("SELECT user_id FROM users WHERE email = ? COLLATE NOCASE", (email,))
        return rows[0][0] if rows else None

    def folded_user_ids_and_emails(self) -> tuple[set[str], set[str]]:
        """Every User-ID and e-mail, case-folded: one query for a bulk import's checks
        instead of two per imported row."""
        rows = self._read("SELECT user_id, email FROM users")
        return ({r[0].casefold() for r in rows},
                {r[1].casefold() for r in rows if r[1] is not None})

    def user_id_like(self, user_id: str) -> str | None:
        """The existing User-ID that equals ``user_id`` ignoring case, if any."""
        rows = self._read(
            "SELECT user_id FROM users WHERE user_id = ? COLLATE NOCASE", (user_id,)
        )
        return rows[0][0] if rows else None

    def decrypt_otp_secret(self, user: UserRecord) -> bytes | None:
        if user.otp_secret is None:
            return None
        return self.sealer.decrypt_secret(user.user_id, user.otp_secret)

    def has_password(self, user_id: str) -> bool:
        rows = self._read("SELECT password_hash IS NOT NULL FROM users WHERE user_id = ?",
                          (user_id,))
        return bool(rows and rows[0][0])

    # --- groups (reads) ---------------------------------------------------------------

    def list_groups(self) -> list[GroupRecord]:
        rows = self._read(
            "SELECT g.group_id, g.description, count(u.user_id) FROM groups g "
            "LEFT JOIN users u ON u.group_id = g.group_id GROUP BY g.group_id "
            "ORDER BY g.group_id"
        )
        return [GroupRecord(r[0], r[1], r[2]) for r in rows]

    def get_group(self, group_id: str) -> GroupRecord | None:
        rows = self._read(
            "SELECT g.group_id, g.description, "
            "(SELECT count(*) FROM users u WHERE u.group_id = g.group_id) "
            "FROM groups g WHERE g.group_id = ?", (group_id,)
        )
        return GroupRecord(rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def group_id_like(self, group_id: str) -> str | None:
        rows = self._read(
            "SELECT group_id FROM groups WHERE group_id = ? COLLATE NOCASE", (group_id,)
        )
        return rows[0][0] if rows else None

    # --- settings ---------------------------------------------------------------------

    def setting(self, name: str) -> str:
        """A sealed store setting; a tampered value is refused in favour of the default."""
        rows = self._read("SELECT value, mac FROM settings WHERE key = ?", (name,))
        default = DEFAULT_SETTINGS.get(name, DEFAULT_GROUP if name == "default_group" else "")
        if not rows:
            return default
        value, mac = rows[0]
        if not setting_intact(self.sealer, name, value, mac):
            logger.warning("Store setting %r failed its integrity check; using the default",
                           name)
            return default
        return str(value)

    # --- audit (reads) ----------------------------------------------------------------

    def audit_events(
        self, *, user_id: str | None = None, limit: int | None = None,
        before_id: int | None = None, text: str | None = None,
    ) -> list[AuditEvent]:
        """Newest first; ``before_id`` pages backwards through a large log."""
        where, params = _audit_where(user_id, before_id, text)
        sql = "SELECT id, ts, actor, user_id, program, host, event, detail FROM audit"
        sql += where + " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [AuditEvent(*r) for r in self._read(sql, params)]

    def count_audit(self, *, user_id: str | None = None, text: str | None = None) -> int:
        where, params = _audit_where(user_id, None, text)
        return int(self._read("SELECT count(*) FROM audit" + where, params)[0][0])

    # --- sessions (reads) -------------------------------------------------------------

    def list_sessions(self) -> list[SessionRecord]:
        rows = self._read(
            "SELECT id, user_id, program, host, pid, since, last_seen FROM sessions "
            "ORDER BY since"
        )
        return [SessionRecord(*r) for r in rows]

    def integrity_check(self) -> list[str]:
        """SQLite's own ``PRAGMA integrity_check``; ``["ok"]`` when the file is sound."""
        return [r[0] for r in self._read("PRAGMA integrity_check")]


def _audit_where(
    user_id: str | None, before_id: int | None, text: str | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        clauses.append("user_id = ?")
        params.append(user_id)
    if before_id is not None:
        clauses.append("id < ?")
        params.append(int(before_id))
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(user_id LIKE ? ESCAPE '\\' OR event LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\'"
            " OR detail LIKE ? ESCAPE '\\' OR program LIKE ? ESCAPE '\\' OR host LIKE ? ESCAPE"
            " '\\')"
        )
        params.extend([like] * 6)
    return ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params


class Transaction:
    """The writes available inside :meth:`Store.write`; all in one ``BEGIN IMMEDIATE``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn = store._conn

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._store._error(exc) from None

    # --- users ------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        rows = self._exec(_USER_SELECT + " WHERE user_id = ?", (user_id,)).fetchall()
        return self._store._record(rows[0]) if rows else None

    def encrypt_otp_secret(self, user_id: str, secret: bytes) -> bytes:
        return self._store.sealer.encrypt_secret(user_id, secret)

    def insert_user(self, values: dict[str, Any]) -> None:
        try:
            _insert_user(self._conn, self._store.sealer, values)
        except sqlite3.Error as exc:
            raise self._store._error(exc) from None

    def insert_users(self, rows: Iterable[dict[str, Any]]) -> int:
        """Many new users in one ``executemany`` (bulk import)."""
        sealer = self._store.sealer
        prepared = [_user_row(sealer, values) for values in rows]
        try:
            self._conn.executemany(_USER_INSERT, prepared)
        except sqlite3.Error as exc:
            raise self._store._error(exc) from None
        return len(prepared)

    def update_user(
        self, user_id: str, changes: dict[str, Any], *, reseal: bool = False,
        require_step_below: int | None = None,
    ) -> bool:
        """Apply ``changes`` to one user and re-seal it, in one conditional UPDATE.

        ``programs`` may be given as a set of program names. With
        ``require_step_below`` the UPDATE only happens while the stored last OTP step
        is lower (replay protection); the return value says whether a row changed.
        A record that failed its integrity check is refused unless ``reseal``.
        """
        current = self._exec(_USER_SELECT + " WHERE user_id = ?", (user_id,)).fetchall()
        if not current:
            return False
        row = list(current[0])
        sealer = self._store.sealer
        if not reseal and not sealer.verify("user", [row[i] for i in _SEALED_INDEX], row[25]):
            raise StoreIntegrityError(
                f"The record of User-ID {user_id} failed its integrity check; "
                "an administrator must review and re-seal it first.", user_id,
            )
        changes = _expand_programs(changes)
        unknown = set(changes) - _WRITABLE
        if unknown:
            raise ValueError(f"not writable: {sorted(unknown)}")
        changes.setdefault("updated", utc_now())
        if "otp_burned_steps" in changes:
            changes["otp_burned_steps"] = ",".join(str(s) for s in changes["otp_burned_steps"])
        for name, value in changes.items():
            row[_USER_COLUMNS.index(name)] = _to_sql(value)
        mac = sealer.seal("user", [row[i] for i in _SEALED_INDEX])
        assignments = ", ".join(f"{name} = ?" for name in changes)
        params: list[Any] = [row[_USER_COLUMNS.index(n)] for n in changes]
        params += [mac, user_id]
        sql = f"UPDATE users SET {assignments}, mac = ? WHERE user_id = ?"
        if require_step_below is not None:
            sql += " AND (otp_last_step IS NULL OR otp_last_step < ?)"
            params.append(require_step_below)
        return self._exec(sql, params).rowcount == 1

    def delete_user(self, user_id: str) -> bool:
        return self._exec("DELETE FROM users WHERE user_id = ?", (user_id,)).rowcount == 1

    # --- groups -----------------------------------------------------------------------

    def insert_group(self, group_id: str, description: str) -> None:
        self._exec(
            "INSERT INTO groups (group_id, description, created) VALUES (?, ?, ?)",
            (group_id, description, utc_now()),
        )

    def update_group(self, group_id: str, description: str) -> bool:
        return self._exec(
            "UPDATE groups SET description = ? WHERE group_id = ?", (description, group_id)
        ).rowcount == 1

    def delete_group(self, group_id: str) -> bool:
        return self._exec("DELETE FROM groups WHERE group_id = ?", (group_id,)).rowcount == 1

    def group_members(self, group_id: str) -> int:
        return int(self._exec(
            "SELECT count(*) FROM users WHERE group_id = ?", (group_id,)
        ).fetchone()[0])

    # --- settings ---------------------------------------------------------------------

    def set_setting(self, name: str, value: str) -> None:
        mac = seal_setting(self._store.sealer, name, value)
        self._exec(
            "INSERT INTO settings (key, value, mac) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, mac = excluded.mac",
            (name, value, mac),
        )

    # --- audit ------------------------------------------------------------------------

    def append_audit(
        self, *, ts: str, actor: str, user_id: str | None, program: str, host: str,
        event: str, detail: str = "",
    ) -> int:
        cur = self._exec(
            "INSERT INTO audit (ts, actor, user_id, program, host, event, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ts, actor, user_id, program, host, event, detail),
        )
        return int(cur.lastrowid or 0)

    def append_audit_many(self, rows: Iterable[tuple[str, str, str | None, str, str, str, str]]
                          ) -> None:
        try:
            self._conn.executemany(
                "INSERT INTO audit (ts, actor, user_id, program, host, event, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows,
            )
        except sqlite3.Error as exc:
            raise self._store._error(exc) from None

    # --- sessions ---------------------------------------------------------------------

    def start_session(self, user_id: str, program: str, host: str, pid: int, ts: str,
                      session_id: int | None = None) -> int:
        """A new session row; ``session_id`` (e.g. its logon's audit row id) makes the
        id one that no earlier session had, even one removed since."""
        cur = self._exec(
            "INSERT INTO sessions (id, user_id, program, host, pid, since, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, user_id, program, host, pid, ts, ts),
        )
        return int(cur.lastrowid or 0)

    def resume_session(self, session_id: int, user_id: str, program: str, host: str,
                       pid: int, since: str, ts: str) -> bool:
        """Put back the row of a running session that was removed as stale; False when
        its user no longer exists."""
        return self._exec(
            "INSERT OR IGNORE INTO sessions (id, user_id, program, host, pid, since, last_seen) "
            "SELECT ?, user_id, ?, ?, ?, ?, ? FROM users WHERE user_id = ?",
            (session_id, program, host, pid, since, ts, user_id),
        ).rowcount == 1

    def touch_session(self, session_id: int, ts: str) -> bool:
        return self._exec(
            "UPDATE sessions SET last_seen = ? WHERE id = ?", (ts, session_id)
        ).rowcount == 1

    def end_session(self, session_id: int) -> bool:
        return self._exec("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 1

    def sessions(self) -> list[SessionRecord]:
        rows = self._exec(
            "SELECT id, user_id, program, host, pid, since, last_seen FROM sessions"
        ).fetchall()
        return [SessionRecord(*r) for r in rows]


def _expand_programs(changes: dict[str, Any]) -> dict[str, Any]:
    changes = dict(changes)
    programs = changes.pop("programs", None)
    if programs is not None:
        for program, column in _PROGRAM_COLUMNS.items():
            changes[column] = program in programs
    return changes


def _to_sql(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


_USER_DEFAULTS = {
    "name": "", "description": "", "role": 7, "admin_rights": 0, "tapemaster_rights": 0,
    "disabled": 0, "no_timeout": 0, "access_tapemaster": 1, "access_lite": 1,
    "access_checkpoint": 1, "otp_enabled": 0, "otp_activated": 0, "otp_burned_steps": "",
    "failed_logons": 0, "revoked": 0,
}
_USER_INSERT = (f"INSERT INTO users ({', '.join(_USER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_USER_COLUMNS))})")


def _user_row(sealer: Sealer, values: dict[str, Any]) -> list[Any]:
    """The INSERT parameters of a new user, sealed."""
    values = _expand_programs(values)
    now = utc_now()
    values.setdefault("created", now)
    values.setdefault("updated", now)
    if "otp_burned_steps" in values and not isinstance(values["otp_burned_steps"], str):
        values["otp_burned_steps"] = ",".join(str(s) for s in values["otp_burned_steps"])
    row = [_to_sql(values.get(name, _USER_DEFAULTS.get(name))) for name in _USER_COLUMNS]
    row[25] = sealer.seal("user", [row[i] for i in _SEALED_INDEX])
    return row


def _insert_user(conn: sqlite3.Connection, sealer: Sealer, values: dict[str, Any]) -> None:
    conn.execute(_USER_INSERT, _user_row(sealer, values))


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers included) without executescript,
    which would commit the surrounding transaction."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement:
                yield statement
    if buffer.strip():
        raise ValueError("incomplete statement at the end of a migration")


def _begin_immediate(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """``BEGIN IMMEDIATE``, retried with jitter until the busy timeout has passed.

    SQLite's busy handler covers most waits; a few (e.g. WAL recovery in another
    process) return BUSY at once, so those are retried here within the same budget.
    """
    deadline = time.monotonic() + busy_timeout
    delay = 0.005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if not (name.startswith("SQLITE_BUSY") or "locked" in str(exc)):
                raise
            if time.monotonic() >= deadline:
                raise
            import random

            time.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter, not a secret
            delay = min(delay * 2, 0.2)
