"""The SQLite backend: the embedded store, one file in a folder (DESIGN.md §4).

Only what is SQLite's own lives here; the queries are the table modules'.
- WAL journal, a busy timeout, foreign keys on; the file is created owner-only;
- every write is one short ``BEGIN IMMEDIATE`` transaction, so readers never block
  writers and a writer never has to upgrade a read lock (:func:`_begin_immediate`);
- opening refuses a file that is not ours, a newer store and a damaged one before
  writing anything; migrating copies the file aside first (``Connection.backup``);
- SQLite's errors become :mod:`tapemaster_qt.errors` with a message fit for a user;
- the schema version is ``PRAGMA user_version``, our files carry an application id.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from tapemaster_qt.errors import (
    ConflictError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreReadOnlyError,
)
from tapemaster_qt.paths import STORE_FILE
from tapemaster_qt.store import migrations
from tapemaster_qt.store.database import Database, Dialect, Params, conflict_message
from tapemaster_qt.store.sqlstore import SQLStore

logger = logging.getLogger(__name__)

APPLICATION_ID = 0x544D5154  # "TMQT": tells our stores from other SQLite files
QUICK_CHECKED = ("settings", "users", "sessions")
"""Tables (with their indexes) checked each time a store is opened."""


class SQLiteDialect(Dialect):
    """SQLite spells everything the default way; only splitting scripts is its own."""

    name: ClassVar[str] = "sqlite"

    def statements(self, script: str) -> Iterator[str]:
        """Split a script into statements (triggers included) without executescript,
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


class SQLiteDatabase(Database):
    """One connection to the store file at ``path``."""

    dialect = SQLiteDialect()
    driver_errors = (sqlite3.Error,)

    def __init__(self, path: Path, conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
        super().__init__()
        self.path = path
        self.location = str(path)
        self.connection = conn
        """The sqlite3 connection (autocommit mode: transactions are explicit)."""
        self.busy_timeout = busy_timeout_ms / 1000

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, busy_timeout_ms: int) -> SQLiteDatabase:
        """Connect to (creating, owner-only) the store file and check it is ours, not
        newer and not damaged, before anything is written to it."""
        folder = path.parent
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
            raise translate(exc, path) from None
        db = cls(path, conn, busy_timeout_ms)
        try:
            db._prepare(busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return db

    def _prepare(self, busy_timeout_ms: int) -> None:
        conn, path = self.connection, self.path
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            ).fetchone()[0]
        except sqlite3.Error as exc:
            raise translate(exc, path) from None
        if app_id != APPLICATION_ID and (app_id != 0 or tables or version):
            raise StoreNotAStoreError(
                f"{path} is an SQLite database but not a TapeMaster user store."
            )
        migrations.refuse_newer(version, str(path))
        if version > 0:
            self._quick_check()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("The store's journal mode is %s, not WAL", mode)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise translate(exc, path) from None

    def _quick_check(self) -> None:
        """Refuse a store whose users, settings or sessions are damaged before anything
        is written to it. The audit log is left out: it may hold millions of rows, and
        damage there shows when it is read or appended to."""
        try:
            results = [row[0] for table in QUICK_CHECKED
                       for row in self.connection.execute(f"PRAGMA quick_check({table})")]
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        if any(result != "ok" for result in results):
            # The details are for the log file; the user gets the one sentence below.
            logger.info("Quick check of %s failed: %s", self.path, "; ".join(results[:5]))
            raise StoreCorruptError(
                f"The user store {self.path} is damaged. Restore it from a backup "
                "or ask your administrator."
            )

    # --- the Database hooks -------------------------------------------------------

    def _cursor(self) -> sqlite3.Cursor:
        return self.connection.cursor()

    def _begin(self) -> None:
        _begin_immediate(self.connection, self.busy_timeout)

    def _commit(self) -> None:
        self.connection.execute("COMMIT")

    def _rollback(self) -> None:
        self.connection.execute("ROLLBACK")

    def translate(self, exc: Exception) -> StoreError | ConflictError:
        assert isinstance(exc, sqlite3.Error)
        return translate(exc, self.path)

    def insert(self, sql: str, params: Params = ()) -> int:
        return int(self._run(sql, params).lastrowid or 0)

    def schema_version(self) -> int:
        return int(self.value("PRAGMA user_version"))

    def set_schema_version(self, version: int) -> None:
        self.execute(f"PRAGMA user_version = {int(version)}")
        self.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def integrity_check(self) -> list[str]:
        """SQLite's own ``PRAGMA integrity_check``; ``["ok"]`` when the file is sound."""
        return [str(r[0]) for r in self.tuples("PRAGMA integrity_check")]

    def before_migrating(self, version: int) -> None:
        """Copy the store aside (owner-only, like the store) before migrating it."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.v{version}-backup-{stamp}")
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
                self.connection.backup(dest)
        except sqlite3.Error as exc:
            raise translate(exc, target) from None
        logger.info("Backed up the store to %s before migrating", target)

    def lock_for_migration(self) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds the one write lock."""

    def close(self) -> None:
        self.connection.close()


class SQLiteStore(SQLStore):
    """The store in one SQLite file, ``folder/tapemaster.db``."""

    db: SQLiteDatabase

    @classmethod
    def open(cls, folder: Path, *, busy_timeout_ms: int = 5000) -> SQLiteStore:
        """Open (creating or migrating as needed) the store in ``folder``."""
        db = SQLiteDatabase.open(folder / STORE_FILE, busy_timeout_ms)
        try:
            return cls.over(db, folder)
        except BaseException:
            db.close()
            raise

    @property
    def folder(self) -> Path:
        return self.key_folder

    @property
    def path(self) -> Path:
        return self.db.path


# --- error translation -------------------------------------------------------------


def translate(exc: sqlite3.Error, path: Path) -> StoreError | ConflictError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        return ConflictError(conflict_message(text))
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
            import random  # only when contended: off the start-up path

            time.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter, not a secret
            delay = min(delay * 2, 0.2)
