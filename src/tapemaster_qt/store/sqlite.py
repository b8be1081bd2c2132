"""The SQLite backend: the embedded store, one file in a folder (DESIGN.md §4).

Only what is SQLite's own lives here; the queries are the table modules'.
- the folder must be the owner's alone and no file of the store a link
  (``fileio.folder_problem``); the file is created owner-only, never through a link;
- WAL journal, a busy timeout, foreign keys on;
- every write is one short ``BEGIN IMMEDIATE`` transaction, so readers never block
  writers and a writer never has to upgrade a read lock (:func:`_begin_immediate`);
- opening refuses a file that is not ours, a newer store and a damaged one before
  writing anything; migrating copies the file aside first (``Connection.backup``);
- SQLite's errors become :mod:`tapemaster_qt.errors` with a message fit for a user;
- the schema version is ``PRAGMA user_version``, our files carry an application id;
- a store replaced under a running program is noticed before anything is written
  (:meth:`SQLiteDatabase.check_own_files`), and a journal (``-wal``) that belongs to
  the file a copy replaced is never replayed into it (:func:`refuse_foreign_journal`).

Which store a program has open is its file (device and inode, recorded when opened)
and its token (``settings.STORE_TOKEN``, new in every backup and restored store).
Moving another file over ``tapemaster.db`` changes the first; a restore, or a backup
copied over the file, changes the second. Either way the program writes nothing more
and says it must be restarted (:class:`~tapemaster_qt.errors.StoreReplacedError`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from tapemaster_qt import fileio
from tapemaster_qt.errors import (
    ConflictError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreReadOnlyError,
    StoreReplacedError,
    StoreUnavailableError,
    StoreUnsafeError,
)
from tapemaster_qt.paths import STORE_FILE
from tapemaster_qt.store import migrations, settings
from tapemaster_qt.store.database import Database, Dialect, Params, conflict_message
from tapemaster_qt.store.sqlstore import SQLStore

logger = logging.getLogger(__name__)

APPLICATION_ID = 0x544D5154  # "TMQT": tells our stores from other SQLite files
QUICK_CHECKED = ("settings", "users", "sessions")
"""Tables (with their indexes) checked each time a store is opened."""
COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside the store file (``tapemaster.db-wal``...)."""
WAL_HEADER = 32
"""A WAL file no longer than its header holds no change."""
OPEN_ATTEMPTS = 3


def companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def file_id(path: Path) -> tuple[int, int]:
    """Which file is at ``path`` (device, inode; Windows: volume, file index)."""
    st = os.stat(path)
    return st.st_dev, st.st_ino


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
        # The folder's one real name (REVIEW-2 D6): 'data/../data', another case on
        # Windows or a path through a linked parent must find the same trust record,
        # not trust the store as found.
        self.identity = os.path.normcase(os.path.realpath(path.parent.expanduser()))
        self.connection = conn
        """The sqlite3 connection (autocommit mode: transactions are explicit)."""
        self.busy_timeout = busy_timeout_ms / 1000
        self.file_id: tuple[int, int] | None = None
        """The store file this connection opened (see :func:`file_id`)."""
        self.copy_before_migrating = True
        """Off for a scratch copy (a restore migrates its copy, not the store)."""

    # --- opening ------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, busy_timeout_ms: int) -> SQLiteDatabase:
        """Connect to (creating, owner-only) the store file and check it is ours, not
        newer, not damaged and not joined to another file's journal, before anything is
        written to it."""
        check_files(path)
        if not path.exists():
            # Password hashes and encrypted secrets: readable by the owner only. SQLite
            # gives the -wal and -shm files the same permissions.
            try:
                fileio.create_private(path)
            except FileExistsError:
                check_files(path)  # another program made it first (or a link appeared)
            except PermissionError:
                raise StoreReadOnlyError(
                    f"The store folder {path.parent} cannot be written."
                ) from None
            except OSError as exc:
                raise StoreReadOnlyError(
                    f"The store file {path} cannot be created ({exc.strerror})."
                ) from None
        refuse_foreign_journal(path, busy_timeout_ms)
        for _attempt in range(OPEN_ATTEMPTS):
            # The file SQLite opened must be the one at the path before it opened it
            # and after it read it: a file moved into place meanwhile would go unnoticed.
            try:
                before = file_id(path)
            except FileNotFoundError:
                continue
            db = cls._connect(path, busy_timeout_ms)
            try:
                db._prepare(busy_timeout_ms)
                db.file_id = file_id(path)
            except FileNotFoundError:
                db.close()
                continue
            except BaseException:
                db.close()
                raise
            if db.file_id == before:
                _make_private(path)  # only now that it is known to be a store of ours
                return db
            db.close()
        raise StoreReplacedError(
            f"The user store {path} was replaced again and again while it was being "
            "opened; nothing was changed. Try again once nobody is copying it."
        )

    @classmethod
    def _connect(cls, path: Path, busy_timeout_ms: int) -> SQLiteDatabase:
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise translate(exc, path) from None
        return cls(path, conn, busy_timeout_ms)

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
        require_trigram_search(conn)
        if version > 0:
            self._quick_check()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("The store's journal mode is %s, not WAL", mode)
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL: a commit is on disk before this account's high-water mark records
            # its generation (store/trust.py), so a power cut can never leave the store
            # behind the mark and refused as rolled back.
            conn.execute("PRAGMA synchronous = FULL")
            # Freed space is overwritten: a destroyed OTP secret leaves no copy in the file.
            conn.execute("PRAGMA secure_delete = ON")
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
        if not self.copy_before_migrating:
            return
        from tapemaster_qt.store import backup

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.v{version}-backup-{stamp}")
        try:
            backup.write_copy(self.connection, target)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"The backup {target} cannot be written before migrating ({exc.strerror}); "
                "the store was left untouched."
            ) from None
        logger.info("Backed up the store to %s before migrating", target)

    # --- which store this is --------------------------------------------------------

    def check_own_files(self) -> None:
        """The file at the store's path must still be the one this connection opened
        (a file moved over it, or the folder's store removed, is another store)."""
        if self.file_id is None:
            return
        try:
            now = file_id(self.path)
        except FileNotFoundError:
            raise self.replaced_error("the store file was moved away or removed") from None
        except OSError:
            return  # cannot tell (the folder went away): SQLite will report it
        if now != self.file_id:
            raise self.replaced_error("another file was put in place of the store file")

    def record_own_files(self) -> None:
        """Note the store file's and the journal's inodes in the store, so that a
        journal whose writes name another store file is never replayed into this one
        (:func:`refuse_foreign_journal`). Once per connection: while it is open neither
        can change without :meth:`check_own_files` noticing (SQLite removes the journal
        only when the last connection closes)."""
        try:
            ids = f"{os.stat(self.path).st_ino} {os.stat(companion(self.path, '-wal')).st_ino}"
        except OSError:
            return
        settings.record_unsealed(self, settings.FILE_IDS, ids)

    def check_same_store(self) -> None:
        """Also read the token from the file itself, leaving the journal aside: a copy
        written over the store file in place (same inode) shows there first."""
        super().check_same_store()
        if self.token is not None and _raw_token_differs(self.path, {self.token,
                                                                     self.token_before}):
            raise self.replaced_error("the store file holds another copy of the store")

    def lock_for_migration(self) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds the one write lock."""

    def change_token(self) -> object | None:
        return int(self.value("PRAGMA data_version"))

    def scrub(self) -> None:
        """Copy the write-ahead log into the file and truncate it, so the pages that held
        a destroyed secret are gone from both (``secure_delete`` zeroed them in the
        file). A program reading an older snapshot at that moment keeps the log alive:
        retried briefly, then left to the next checkpoint, with a line in the log."""
        for _ in range(20):
            try:
                busy = self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.Error as exc:
                logger.warning("Checkpoint after destroying a secret failed: %s", exc)
                return
            if not busy:
                return
            time.sleep(0.01)
        logger.warning("Another program was reading the store: the write-ahead log keeps "
                       "the destroyed secret's old page until the next checkpoint")

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


# --- what the SQLite library must offer ---------------------------------------------

TRIGRAM_SINCE = (3, 34, 0)
"""The first SQLite with FTS5's trigram tokenizer (the Audit Log's text index)."""


def require_trigram_search(conn: sqlite3.Connection) -> None:
    """Refuse, before anything is written, an SQLite library without FTS5 or its
    trigram tokenizer: the audit log's index needs them, and without them no audit row
    (so no logon) could be written. Python builds for Windows, macOS and the Linux
    distributions have both; a few minimal builds leave FTS5 out."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.tapemaster_probe USING fts5(x, "
                     "tokenize='trigram')")
        conn.execute("DROP TABLE temp.tapemaster_probe")
    except sqlite3.Error as exc:
        logger.error("SQLite %s cannot make a trigram FTS5 table: %s",
                     sqlite3.sqlite_version, exc)
        raise StoreUnavailableError(
            f"This copy of TapeMaster Qt cannot open user stores: its SQLite library "
            f"(version {sqlite3.sqlite_version}) lacks full-text search (FTS5 with "
            f"trigrams, SQLite {'.'.join(map(str, TRIGRAM_SINCE))} or newer). Install "
            "it with a Python whose sqlite3 module has FTS5; the store was left "
            "untouched."
        ) from None


# --- the files of a store -------------------------------------------------------------


def check_files(path: Path) -> None:
    """Refuse a store folder that others could change and any file of the store that
    is a link (``fileio``); create the folder, owner-only, when it is missing; take
    group and other permissions away from the store's own files."""
    folder = path.parent
    problem = fileio.folder_problem(folder)
    if problem is None and not folder.exists():
        try:
            fileio.make_private_folder(folder)
        except OSError as exc:
            raise StoreReadOnlyError(
                f"The store folder {folder} cannot be created ({exc.strerror})."
            ) from None
        problem = fileio.folder_problem(folder)
    if problem:
        raise StoreUnsafeError(problem)
    for file in (path, *(companion(path, suffix) for suffix in COMPANIONS)):
        problem = fileio.link_problem(file, "user store file")
        if problem:
            raise StoreUnsafeError(problem)
        try:
            st = os.lstat(file)
        except FileNotFoundError:
            continue
        if file == path and stat.S_ISDIR(st.st_mode):
            raise StoreNotAStoreError(f"{path} is a folder, not a TapeMaster user store.")
        if not stat.S_ISREG(st.st_mode):  # a FIFO would hang the program, a device worse
            raise StoreUnsafeError(f"{file} is not a regular file; TapeMaster Qt does not "
                                   "open it. Remove it.")
        problem = fileio.owner_problem(file, st, "user store file")
        if problem:
            raise StoreUnsafeError(problem)


def _make_private(path: Path) -> None:
    """Take group and other permissions away from a store's files (made by an older
    version, or copied in with the umask's mode): they hold password hashes."""
    for file in (path, *(companion(path, suffix) for suffix in COMPANIONS)):
        try:
            if fileio.make_private(file):
                logger.info("%s could be read by other users; made it private", file)
        except OSError as exc:
            logger.info("Could not make %s private (%s)", file, exc.strerror)


def read_identity(path: Path, *, raw: bool, busy_timeout_ms: int) -> dict[str, str] | None:
    """The identity rows (``settings.IDENTITY_KEYS``) of the store file at ``path``,
    read on a connection of their own: with ``raw``, from the file alone, leaving its
    journal aside (``immutable``); else as a program sees the store, journal included,
    read-only (closing a read-only connection never writes the journal into the file).
    None when they cannot be read."""
    uri = path.absolute().as_uri() + ("?immutable=1" if raw else "?mode=ro")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        marks = ", ".join("?" * len(settings.IDENTITY_KEYS))
        rows = conn.execute(
            f"SELECT key, value FROM settings WHERE key IN ({marks})",
            settings.IDENTITY_KEYS,
        ).fetchall()
    except sqlite3.Error as exc:
        logger.info("Could not read the identity of %s (%s): %s", path,
                    "file alone" if raw else "with its journal", exc)
        return None
    finally:
        conn.close()
    return {str(key): str(value) for key, value in rows}


def _raw_token_differs(path: Path, tokens: set[str | None]) -> bool:
    """Whether the file alone holds another token than those of this store (its token,
    and the one it had before a restore that the journal may not yet have written into
    the file), read three times: a page read while another program was writing it into
    the file must not pass for another store."""
    for attempt in range(3):
        raw = read_identity(path, raw=True, busy_timeout_ms=0)
        found = None if raw is None else raw.get(settings.STORE_TOKEN)
        if found is None or found in tokens:
            return False
        if attempt < 2:
            time.sleep(0.05)
    return True


def refuse_foreign_journal(path: Path, busy_timeout_ms: int) -> None:
    """Refuse, before anything replays it, a journal (``-wal``) that holds changes made
    to another file than the one now at ``path``: a backup copied or moved over the
    store while a program had it open, or after one was killed. SQLite would lay those
    changes over the copy: the copy's restore silently undone, or a damaged store.

    Two signs, each left by every write of this version (``Database.check_in_transaction``):
    the journal's writes name another store token than the file's own (a copy made by
    ``tapemaster-admin backup``, which gets a new token); or they name another store
    file while the journal itself is the same file (something moved over the store
    file: its inode changed, the journal's did not). A folder copied whole, journal
    and all, changes both and is accepted."""
    wal = companion(path, "-wal")
    try:
        if os.stat(wal).st_size <= WAL_HEADER:
            return
    except FileNotFoundError:
        return
    view = read_identity(path, raw=False, busy_timeout_ms=busy_timeout_ms)
    if not view:
        return  # not readable read-only (a read-only disk...): opening will tell
    token = view.get(settings.STORE_TOKEN)
    foreign = token is not None and _raw_token_differs(
        path, {token, view.get(settings.TOKEN_BEFORE)})
    ids = view.get(settings.FILE_IDS, "").split()
    if not foreign and len(ids) == 2 and all(i.isdigit() for i in ids):
        try:
            foreign = (int(ids[1]) == os.stat(wal).st_ino
                       and int(ids[0]) != os.stat(path).st_ino)
        except OSError:
            foreign = False
    if foreign:
        logger.info("Refused to open %s: its journal %s holds changes of another "
                    "store file", path, wal)
        raise StoreReplacedError(
            f"The user store {path} was replaced while its journal ({wal.name}) still "
            "held changes made to the file it replaced; opening it would undo the "
            "replacement or damage the store, so nothing was opened or changed. Close "
            "every TapeMaster program, then put the backup in place with "
            "'tapemaster-admin restore FILE'."
        )


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
