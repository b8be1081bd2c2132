"""Backing up and restoring an SQLite store (``tapemaster-admin backup`` / ``restore``).

**A backup** is made with SQLite's backup API from the program's own connection: one
consistent snapshot, taken while other programs go on logging on and saving (in WAL
mode a reader never blocks them). The copy is a plain, standalone file (rollback
journal, no ``-wal`` beside it), readable by its owner only, with a store token of its
own (``settings.STORE_TOKEN``): copied or moved over a store later by hand, it is
recognised as another copy and its journal-less state is never mixed with the
store's journal (``sqlite.refuse_foreign_journal``). A backup never replaces a file.

**A restore** first copies the backup into a scratch file beside the store and checks
it there: that it is a TapeMaster store this program can use (migrated if older),
sound (``integrity_check``), and of this store's key. Then:

- when the current store opens, the backup is written *into* it through SQLite's
  backup API, as one write transaction: the file, its inode and its journal stay, so
  running programs never see half a store, and each notices at its next write or
  heartbeat that the store's token changed ("restart it"). The current store is first
  copied aside as ``tapemaster.db.before-restore-<time>``;
- when it does not open (damaged, or refused because its journal belongs to another
  file), no program may have it open (SQLite's own locks tell): the store file and its
  ``-wal`` and ``-shm`` are renamed aside together (``...before-restore-<time>-wal``),
  and the checked copy is renamed into place. No journal is left to be replayed into
  the restored store.

Sessions are not restored (no program of the backup's time is running); the restored
store gets a new token.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from tapemaster_qt import fileio
from tapemaster_qt.errors import (
    StoreCorruptError,
    StoreError,
    StoreKeyError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreReplacedError,
    StoreTamperedError,
)
from tapemaster_qt.paths import STORE_FILE
from tapemaster_qt.records import SessionRecord
from tapemaster_qt.store import migrations, settings
from tapemaster_qt.store.interface import BackupReport, RestoreReport
from tapemaster_qt.store.sqlite import (
    APPLICATION_ID,
    COMPANIONS,
    SQLiteDatabase,
    SQLiteStore,
    check_files,
    companion,
    refuse_foreign_journal,
    translate,
)

logger = logging.getLogger(__name__)

PENDING_BYTE = 0x40000000
"""Where SQLite's locks on a database file start (pending, reserved, 510 shared)."""
LOCK_BYTES = 512
SHM_DMS_BYTE = 128
"""Every connection to a WAL store holds a shared lock on this byte of ``-shm``."""
CHUNK = 1 << 20


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _aside(path: Path) -> Path:
    """A new name beside the store for the store a restore replaces (with room for its
    journal): ``tapemaster.db.before-restore-<UTC time>``, numbered when taken."""
    base = f"{STORE_FILE}.before-restore-{_stamp()}"
    for n in range(1, 1000):
        aside = path.with_name(base if n == 1 else f"{base}-{n}")
        if not any(os.path.lexists(companion(aside, s)) for s in ("", *COMPANIONS)):
            return aside
    raise StoreError(f"Too many restores of {path} within one second; try again.")


def _scratch(folder: Path, what: str) -> Path:
    return folder / f".{STORE_FILE}.{what}-{secrets.token_hex(6)}"


# --- copies -------------------------------------------------------------------------------


def write_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the store open on ``source`` into a new file ``target`` (created owner-only,
    never through a link) as a standalone backup: one snapshot, rollback journal, a
    token of its own. ``target``'s folder must be one only its owner can change (a
    store folder). A failed copy leaves no file."""
    fileio.create_private(target)
    try:
        with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as dest:
            source.backup(dest)
            _make_standalone(dest)
    except BaseException:
        for file in (target, *(companion(target, s) for s in COMPANIONS)):
            file.unlink(missing_ok=True)
        raise


def _make_standalone(conn: sqlite3.Connection) -> None:
    """A copy's own token, and the rollback journal: one file, nothing beside it."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (settings.STORE_TOKEN, settings.new_token()),
    )
    conn.execute("PRAGMA journal_mode = DELETE")


def backup(store: SQLiteStore, target: Path) -> BackupReport:
    """Write a backup of ``store`` to the new file ``target``."""
    target = Path(os.path.abspath(target))
    if os.path.lexists(target):
        raise StoreError(f"{target} already exists; a backup never replaces a file. "
                         "Give a new file name.")
    if not target.parent.is_dir():
        raise StoreError(f"The folder {target.parent} does not exist.")
    # The copy is made in the store's own folder (only its owner can change it), then
    # written to the target through a descriptor that refuses a link and an existing
    # file: the target's folder may be one that others can write (/tmp).
    scratch = _scratch(store.folder, "backup")
    try:
        try:
            write_copy(store.db.connection, scratch)
        except sqlite3.Error as exc:
            raise translate(exc, scratch) from None
        users, events = _check_copy(scratch)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | fileio.NOFOLLOW
                         | getattr(os, "O_BINARY", 0), fileio.PRIVATE_FILE)
        except FileExistsError:
            raise StoreError(f"{target} already exists; a backup never replaces a file. "
                             "Give a new file name.") from None
        try:
            with os.fdopen(fd, "wb") as out, scratch.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    finally:
        scratch.unlink(missing_ok=True)
    size = target.stat().st_size
    logger.info("Backed up the store %s to %s (%d users, %d bytes)", store.path, target,
                users, size)
    return BackupReport(path=target, users=users, audit_events=events, size=size)


def _check_copy(path: Path) -> tuple[int, int]:
    """How many users and audit events a copy holds, after SQLite's own check."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            result = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if result != ["ok"]:
                raise StoreCorruptError(f"The copy {path} did not pass SQLite's check "
                                        f"({result[0]}); nothing was written.")
            users = int(conn.execute("SELECT count(*) FROM users").fetchone()[0])
            events = int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    return users, events


# --- restore ------------------------------------------------------------------------------


def restore(folder: Path, source: Path, *, busy_timeout_ms: int = 5000,
            accept_findings: bool = False) -> RestoreReport:
    """Put the backup ``source`` in place of the store in ``folder`` (see the module's
    docstring); the store it replaces is kept aside. A backup whose own checks fail
    (changed after it was written) is refused, unless ``accept_findings``."""
    source = Path(os.path.abspath(source))
    path = folder / STORE_FILE
    if not source.is_file():
        raise StoreError(f"{source}: no such file." if not source.exists()
                         else f"{source} is not a file.")
    check_files(path)  # a folder only its owner can change; no link among the files
    # The store's own file, or a file whose journal belongs to another (the pair kept
    # aside after a backup was moved over a store): the file alone, journal left aside.
    raw = (path.exists() and os.path.samefile(source, path)) or _foreign_journal(source)
    scratch = _scratch(folder, "restore")
    try:
        store_id, key_check, version = _prepare_copy(source, scratch, folder, raw=raw)
        current, why = _open_current(folder, busy_timeout_ms)
        if current is not None:
            with contextlib.closing(current):
                return _restore_in_place(current, source, scratch, store_id, key_check,
                                         version, accept_findings)
        return _restore_by_rename(folder, source, scratch, store_id, key_check, version,
                                  why, accept_findings)
    finally:
        for file in (scratch, *(companion(scratch, s) for s in COMPANIONS)):
            file.unlink(missing_ok=True)


def _foreign_journal(source: Path) -> bool:
    try:
        refuse_foreign_journal(source, 0)
    except StoreReplacedError:
        return True
    return False


def _prepare_copy(source: Path, scratch: Path, folder: Path, *,
                  raw: bool) -> tuple[str, bytes | None, int]:
    """Copy ``source`` into ``scratch`` and check it is a sound TapeMaster store this
    program can use, migrating it if it is older; its store id, key check and the
    version it had. ``raw``: the store's own file, read without its journal."""
    uri = source.absolute().as_uri() + ("?immutable=1" if raw else "?mode=ro")
    fileio.create_private(scratch)
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as src:
            app_id = src.execute("PRAGMA application_id").fetchone()[0]
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
            if app_id != APPLICATION_ID or version == 0:
                raise StoreNotAStoreError(
                    f"{source} is not a TapeMaster user store (nor a backup of one).")
            migrations.refuse_newer(version, str(source))
            with contextlib.closing(sqlite3.connect(scratch, isolation_level=None)) as dest:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        error = translate(exc, source)
        if isinstance(error, StoreCorruptError):
            raise StoreCorruptError(f"The backup {source} is damaged; nothing was "
                                    "restored. Use another backup.") from None
        raise error from None
    db = SQLiteDatabase(scratch, sqlite3.connect(scratch, isolation_level=None,
                                                 check_same_thread=False), 5000)
    db.copy_before_migrating = False  # the backup itself is the copy
    try:
        problems = db.integrity_check()
        if problems != ["ok"]:
            logger.info("Integrity check of %s: %s", source, "; ".join(problems[:5]))
            raise StoreCorruptError(f"The backup {source} is damaged ({problems[0]}); "
                                    "nothing was restored. Use another backup.")
        migrations.migrate(db, folder)
        store_id = settings.store_id(db)
        key_check = settings.key_check(db)
        with db.transaction():
            # The restored store is a new copy: its own token, and no sessions (no
            # program of the backup's time is running).
            settings.set_unsealed(db, settings.STORE_TOKEN, settings.new_token())
            settings.adopt_token(db)
            db.execute("DELETE FROM settings WHERE key = ?", (settings.TOKEN_BEFORE,))
            db.execute("DELETE FROM sessions")
    finally:
        db.close()
    return store_id, key_check, version


def _open_current(folder: Path, busy_timeout_ms: int) -> tuple[SQLiteStore | None, str]:
    """The current store, open, when it can be restored in place; else None and why
    (then it is replaced file by file). Other refusals (a folder others can change, a
    store in use too long, a newer store, its key) stop the restore."""
    path = folder / STORE_FILE
    if not path.exists():
        return None, "there was no store"
    if path.stat().st_size == 0:  # opening would make a new store (and a new key)
        return None, "the store file was empty"
    try:
        return SQLiteStore.open(folder, busy_timeout_ms=busy_timeout_ms), ""
    except (StoreCorruptError, StoreNotAStoreError, StoreReplacedError) as exc:
        logger.info("The current store cannot be restored in place: %s", exc.message)
        return None, exc.message


def _verify_copy(scratch: Path, source: Path, store_id: str, key_raw: bytes,
                 accept_findings: bool) -> tuple[str, ...]:
    """The backup's own checks (``integrity.copy_findings``), on the prepared copy:
    refused when any fails, unless the operator accepted them after review."""
    from tapemaster_qt.store import integrity
    from tapemaster_qt.store.crypto import Sealer

    db = SQLiteDatabase(scratch, sqlite3.connect(scratch, isolation_level=None,
                                                 check_same_thread=False), 5000)
    try:
        found = tuple(integrity.copy_findings(db, Sealer(key_raw, store_id)))
    finally:
        db.close()
    if found and not accept_findings:
        what = "; ".join(found)
        raise StoreTamperedError(
            f"The backup {source} was changed after it was written ({what}); nothing was "
            "restored. Use another backup, or, after review, restore it with "
            "'tapemaster-admin restore --accept-findings FILE' and re-seal or set again "
            "what it names.", "backup refused: " + what)
    return found


def _check_key(store_id: str, key_check: bytes | None, source: Path, *,
               current_id: str | None, key_raw: bytes | None, folder: Path) -> bytes:
    """The backup must be this store's (same id) and sealed with the key it has; that
    key."""
    from tapemaster_qt.store import keys
    from tapemaster_qt.store.crypto import Sealer

    if current_id is not None and current_id != store_id:
        raise StoreError(
            f"{source} is a backup of another store (id {store_id}), not of this one "
            f"(id {current_id}); its records and secrets need that store's key. "
            "Restore it into an empty folder of its own, with its key, using --data-dir."
        )
    if key_raw is None:
        key = keys.load_key(store_id, folder)
        if key is None:
            raise StoreKeyError(
                f"The key of the store in {source} (id {store_id}) is not on this computer "
                f"(not in the OS keyring, no key file in {folder}). Put its key back "
                "first (its store.key file, or 'tapemaster-admin key import'), then "
                "restore again."
            )
        key_raw = key.raw
    if key_check is None or Sealer(key_raw, store_id).key_check() != key_check:
        raise StoreKeyError(
            f"{source} was not written with this store's key (its key check does not "
            "match); nothing was restored. Use a backup of this store."
        )
    return key_raw


def _restore_in_place(current: SQLiteStore, source: Path, scratch: Path, store_id: str,
                      key_check: bytes | None, version: int,
                      accept_findings: bool) -> RestoreReport:
    key_raw = _check_key(store_id, key_check, source, current_id=current.store_id,
                         # unchecked: a store refused as a whole is restored too
                         key_raw=current.load_key_unchecked()[0].raw, folder=current.folder)
    findings = _verify_copy(scratch, source, store_id, key_raw, accept_findings)
    sessions: list[SessionRecord] = current.list_sessions()
    conn = current.db.connection
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    with contextlib.closing(sqlite3.connect(scratch, isolation_level=None)) as src:
        if int(src.execute("PRAGMA page_size").fetchone()[0]) != page_size:
            # A WAL store cannot change its page size: bring the copy to the store's.
            src.execute(f"PRAGMA page_size = {page_size}")
            src.execute("VACUUM")
    with contextlib.closing(sqlite3.connect(scratch, isolation_level=None)) as src:
        # Until the restore is copied from the journal into the file, the file alone
        # still holds the current token: let programs opening it meanwhile know it.
        src.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value",
                    (settings.TOKEN_BEFORE, current.db.token or ""))
    aside = _aside(current.path)
    try:
        write_copy(conn, aside)
    except sqlite3.Error as exc:
        raise translate(exc, aside) from None
    # The restored store is older than this account's high-water mark: the restore
    # service accepts it afterwards (services.maintenance.restore).
    try:
        with contextlib.closing(sqlite3.connect(scratch, isolation_level=None)) as src:
            # One write transaction into the live store (other writers wait, readers
            # go on with what they had): every program sees the old store or the
            # restored one, never a mixture, and the file and its journal stay.
            src.backup(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise translate(exc, current.path) from None
    users = int(conn.execute("SELECT count(*) FROM users").fetchone()[0])
    logger.info("Restored %s into %s in place; the store before kept as %s", source,
                current.path, aside)
    return RestoreReport(source=source, kept_as=(aside,), users=users, in_place=True,
                         sessions=tuple(sessions), from_version=version, findings=findings)


def _store_id_of(path: Path) -> str | None:
    """The store id in the file alone (its journal left aside), if it can be read."""
    try:
        with contextlib.closing(sqlite3.connect(path.absolute().as_uri() + "?immutable=1",
                                                uri=True)) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?",
                               (settings.STORE_ID,)).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def _restore_by_rename(folder: Path, source: Path, scratch: Path, store_id: str,
                       key_check: bytes | None, version: int, why: str,
                       accept_findings: bool) -> RestoreReport:
    path = folder / STORE_FILE
    current_id = _store_id_of(path) if path.exists() else None
    key_raw = _check_key(store_id, key_check, source, current_id=current_id, key_raw=None,
                         folder=folder)
    findings = _verify_copy(scratch, source, store_id, key_raw, accept_findings)
    kept: list[Path] = []
    with _nobody_has_it_open(path):
        aside = _aside(path)
        for suffix in ("", *COMPANIONS):
            file = companion(path, suffix)
            if file.exists():
                target = companion(aside, suffix)
                try:
                    os.replace(file, target)
                except PermissionError:  # Windows: a program still has it open
                    raise StoreLockedError(_IN_USE) from None
                kept.append(target)
        # (This account's high-water mark: accepted afterwards, see services.maintenance.)
        os.replace(scratch, path)
        fileio.sync_folder(folder)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        users = int(conn.execute("SELECT count(*) FROM users").fetchone()[0])
    logger.info("Restored %s into %s by replacing the file (%s); kept %s", source, path,
                why, ", ".join(map(str, kept)) or "nothing")
    return RestoreReport(source=source, kept_as=tuple(kept), users=users, in_place=False,
                         sessions=(), from_version=version, findings=findings)


_IN_USE = ("A program still has the user store open; nothing was restored. Close every "
           "TapeMaster, Checkpoint and Lite window on this store, then restore again.")


@contextlib.contextmanager
def _nobody_has_it_open(path: Path) -> Iterator[None]:
    """Hold SQLite's exclusive lock on the store file and on its ``-shm``, or refuse:
    every program with the store open holds a shared lock on both. A program starting
    meanwhile waits for them (its busy timeout) and then finds the restored file.
    (Windows: SQLite locks differently; there a file in use cannot be renamed.)"""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    fds: list[int] = []
    try:
        for file, start, length in ((path, PENDING_BYTE, LOCK_BYTES),
                                    (companion(path, "-shm"), SHM_DMS_BYTE, 1)):
            try:
                fd = os.open(file, os.O_RDWR | fileio.NOFOLLOW)
            except FileNotFoundError:
                continue
            fds.append(fd)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, length, start, os.SEEK_SET)
            except OSError:
                raise StoreLockedError(_IN_USE) from None
        yield
    finally:
        for fd in fds:
            os.close(fd)  # releases the locks
