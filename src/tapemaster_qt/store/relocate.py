"""Moving a store from where an earlier version kept it to today's default folder.

Version 0.1.0 kept the default store on Windows in the roaming
``%APPDATA%\\TapeMaster Qt\\TapeMaster Qt``; it now lives in the local
``%LOCALAPPDATA%\\TapeMaster Qt`` (``paths.py`` says why). A store found at the old place
is moved at the first start, with everything beside it (the key file, migration backups,
moved-aside key files), and the program says so. It is never silently left behind:

- When another program still has it open (an older version, or one that could not move
  it either), it cannot be moved safely: it is used where it is, with a notice, and
  moved at a later start. SQLite itself tells: a store in WAL mode can leave WAL mode
  only when no other connection has it open, which is the first step of a move.
- Two programs of this version starting together: one moves, the other waits for it
  (a lock file in the new folder) and then uses the moved store.
- A crash (or a power cut) at any point loses nothing. The files are copied into a
  staging folder inside the new folder and checked; a manifest (names, sizes, SHA-256
  of the originals) marks the copy complete; the store file is renamed into place
  last (the commit point); only then are the originals deleted, each only while it
  still matches the manifest. The next start finishes or restarts whatever was cut
  short, from the manifest.
- A store at both places (an older program made a new one at the old place after the
  move) is never merged or overwritten: the new place is used and the notice names
  the other one.

The move copies instead of renaming because Folder Redirection puts the old folder on
another disk (a file server) in exactly the case the move is for. Moving the store's
OS-keyring entry is not needed: it is keyed by the store's id, not its folder.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tapemaster_qt import paths

logger = logging.getLogger(__name__)

STAGING = ".moving-store"
MANIFEST = "manifest.json"
LOCK_FILE = ".store-move.lock"
# The outcome tells the user what happened (a box, a note on stderr); the log says it at
# INFO, and WARNING is kept for what nobody expects (a file that changed under us).
# Files SQLite makes and removes by itself beside the store: never copied (the move
# checkpoints the WAL into the store first), removed with the original.
TRANSIENT_SUFFIXES = ("-wal", "-shm", "-journal")
WAIT_FOR_OTHER_MOVER_S = 120.0


class Result(enum.Enum):
    NOTHING = "nothing"  # no store at an old place
    MOVED = "moved"
    KEPT = "kept"  # could not move now: the old place is used, with a notice
    BOTH = "both"  # a store at both places: the new one is used, with a notice


@dataclass(frozen=True)
class Outcome:
    result: Result
    folder: Path
    """The store folder to use."""
    old: Path | None = None
    reason: str = ""

    @property
    def notice(self) -> str:
        """What to tell the user, in a sentence or three; empty when nothing happened."""
        if self.result is Result.MOVED:
            return (f"Your user store was moved from {self.old} to {self.folder}, a folder "
                    "on this computer's own disk (the old one can roam to a file server, "
                    "where the store is not safe). Nothing else changes.")
        if self.result is Result.KEPT:
            return (f"Your user store is still in {self.old}: it could not be moved to "
                    f"{self.folder} now ({self.reason}). TapeMaster uses it where it is "
                    "and moves it at a later start; close the other TapeMaster, Checkpoint "
                    "and Lite windows first.")
        if self.result is Result.BOTH:
            return (f"There is a user store in {self.old} as well as in {self.folder}, "
                    f"which TapeMaster uses. The one in {self.old} was probably made by "
                    "an older version after the move; it is left as it is. Ask your "
                    "administrator to remove it, or to keep what it holds.")
        return ""


def settle_default_store(new: Path | None = None,
                         legacy: Sequence[Path] | None = None) -> Outcome:
    """Decide the default store folder, moving a store from an old place first.

    Called only when no folder was chosen (``--data-dir``, ``TAPEMASTER_DATA_DIR``).
    Never raises for a move that cannot be made: the outcome says what happened.
    """
    new = paths.default_data_dir() if new is None else new
    legacy = paths.legacy_data_dirs() if legacy is None else legacy
    outcome = Outcome(Result.NOTHING, new)
    for old in legacy:
        if (old / paths.STORE_FILE).exists() or (new / STAGING).exists():
            outcome = move_store(old, new)
            break
    if legacy:
        _move_old_logs()
    return outcome


def move_store(old: Path, new: Path, *,
               wait_s: float = WAIT_FOR_OTHER_MOVER_S) -> Outcome:
    """Move the store in ``old`` to ``new`` (see the module's docstring)."""
    try:
        _make_folder(new)
        with _move_lock(new, wait_s):
            return _move_locked(old, new)
    except _Busy as exc:
        return _kept(old, new, str(exc))
    except OSError as exc:
        logger.warning("Moving the store from %s to %s failed: %s", old, new, exc)
        reason = f"{exc.strerror or type(exc).__name__}: {exc.filename or ''}".rstrip(": ")
        return _kept(old, new, reason)


class _Busy(Exception):
    """The old store cannot be taken now; the message says why."""


def _kept(old: Path, new: Path, reason: str) -> Outcome:
    if (new / paths.STORE_FILE).exists():
        # Another program's move got past its commit point (it reports the move), or a
        # store is at both places (the next start, with the lock, says so).
        logger.info("Using the store in %s (%s)", new, reason)
        return Outcome(Result.NOTHING, new)
    if not (old / paths.STORE_FILE).exists():
        return Outcome(Result.NOTHING, new)
    logger.info("The store stays in %s for now: %s", old, reason)
    return Outcome(Result.KEPT, old, old, reason)


def _move_locked(old: Path, new: Path) -> Outcome:
    staging = new / STAGING
    manifest = _read_manifest(staging)
    if manifest is not None and Path(str(manifest["from"])) != old:
        raise _Busy(f"an unfinished move from {manifest['from']} is in {staging}")
    new_store = new / paths.STORE_FILE
    old_store = old / paths.STORE_FILE
    if manifest is not None and new_store.exists() and not (staging / paths.STORE_FILE).exists():
        # Cut short after the commit point: only the originals are left to remove.
        _clean_up(old, staging, manifest)
        logger.info("Finished moving the store from %s to %s", old, new)
        return Outcome(Result.MOVED, new, old)
    if new_store.exists():
        _remove_staging(staging)
        if old_store.exists():
            logger.info("A store is in %s and in %s; using %s", old, new, new)
            return Outcome(Result.BOTH, new, old)
        return Outcome(Result.NOTHING, new)
    if not old_store.exists():
        _remove_staging(staging)
        return Outcome(Result.NOTHING, new)
    if old_store.is_symlink() or old.is_symlink():
        raise _Busy(f"{old_store} is a symbolic link, which TapeMaster does not follow")

    with _exclusive(old_store) as names:
        if manifest is None or not _originals_match(old, manifest):
            # Nothing copied yet, or the copy is stale or incomplete: copy again.
            _remove_staging(staging)
            manifest = _copy(old, staging, names)
        _commit(staging, new, manifest)
    # The old store is closed now (SQLite's lock released): remove the originals.
    _clean_up(old, staging, manifest)
    logger.info("Moved the store from %s to %s", old, new)
    return Outcome(Result.MOVED, new, old)


def _clean_up(old: Path, staging: Path, manifest: dict[str, object]) -> None:
    """After the commit point the move has happened: what is left cannot fail it, only
    wait for the next start (which finds the manifest and tries again)."""
    try:
        if _remove_originals(old, manifest):
            _remove_staging(staging)
    except OSError as exc:
        logger.warning("Cleaning up after moving the store from %s failed: %s", old, exc)


# --- steps ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _exclusive(store: Path) -> Iterator[list[str]]:
    """Hold the old store so that no program can read or write it, its WAL checkpointed
    into the file; yield the names of the files to move. Raises _Busy when another
    program has it open."""
    try:
        conn = sqlite3.connect(store, timeout=1.0, isolation_level=None)
    except sqlite3.Error as exc:
        raise _Busy(f"it cannot be opened: {exc}") from None
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            # Leaving WAL mode needs every other connection closed: the test that no
            # other program uses the store. It checkpoints the WAL into the file.
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise _Busy("another program is using it")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _Busy("another program is using it") from None
            raise _Busy(f"SQLite cannot take it: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise _Busy(f"SQLite cannot read it: {exc}") from None
        wal = store.with_name(store.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            raise _Busy("its journal could not be written into it")
        names = sorted(
            p.name for p in store.parent.iterdir()
            if p.is_file() and not p.is_symlink()
            and not (p.name.startswith(store.name) and p.name.endswith(TRANSIENT_SUFFIXES)))
        yield names
    finally:
        conn.close()


def _copy(old: Path, staging: Path, names: list[str]) -> dict[str, object]:
    """Copy ``names`` from ``old`` into ``staging``, each checked against its original,
    then write the manifest that marks the copy complete."""
    _make_folder(staging)
    files = {}
    for name in names:
        size, digest = _copy_file(old / name, staging / name)
        files[name] = {"size": size, "sha256": digest}
    manifest: dict[str, object] = {"from": str(old), "files": files,
                                   "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    tmp = staging / (MANIFEST + ".tmp")
    _write_synced(tmp, json.dumps(manifest, indent=1).encode())
    os.replace(tmp, staging / MANIFEST)
    _sync_folder(staging)
    return manifest


def _commit(staging: Path, new: Path, manifest: dict[str, object]) -> None:
    """Rename the staged files into ``new``, the store last (the commit point). A file
    of the same name already there with other contents is renamed aside, never lost."""
    names = sorted(_files(manifest), key=lambda n: n == paths.STORE_FILE)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in names:
        staged, target = staging / name, new / name
        if not staged.exists():
            continue  # renamed before a crash
        if target.exists() and _digest(target) != _digest(staged):
            aside = new / f"{name}.before-move-{stamp}"
            os.replace(target, aside)
            logger.warning("%s was in the way of the moved store; kept as %s", target, aside)
        os.replace(staged, target)
    _sync_folder(new)


def _remove_originals(old: Path, manifest: dict[str, object]) -> bool:
    """Delete the originals that still match the manifest (the store first, so that
    nothing opens a half-removed store), SQLite's leftovers, then the old folder and
    its parent when empty. An original that changed since the copy is a store of its
    own now: it is kept (and reported as a second store from then on). Returns False
    when an unchanged original could not be removed (Windows: a program has it open),
    so that the manifest stays and a later start tries again."""
    files = _files(manifest)
    complete = True
    for name in sorted(files, key=lambda n: n != paths.STORE_FILE):
        path = old / name
        try:
            if not path.exists():
                continue
            expected = files[name]
            if path.stat().st_size != expected["size"] or _digest(path) != expected["sha256"]:
                logger.warning("%s changed after it was copied; it is left there", path)
                continue
            path.unlink()
        except OSError as exc:
            logger.warning("Could not remove %s after the move: %s", path, exc)
            complete = False
    for suffix in TRANSIENT_SUFFIXES:
        leftover = old / (paths.STORE_FILE + suffix)
        with contextlib.suppress(OSError):
            if leftover.exists() and (suffix != "-wal" or leftover.stat().st_size == 0):
                leftover.unlink()
    for folder in (old, old.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return complete


def _remove_staging(staging: Path) -> None:
    if not staging.is_dir() or staging.is_symlink():
        return
    for path in staging.iterdir():
        if path.name != MANIFEST:
            path.unlink()
    (staging / MANIFEST).unlink(missing_ok=True)  # last: it marks the copy complete
    staging.rmdir()


def _move_old_logs() -> None:
    """Best effort: the logs of an earlier version join today's log folder."""
    target = paths.default_log_dir()
    for old in paths.legacy_log_dirs():
        if not old.is_dir() or old.is_symlink():
            continue
        with contextlib.suppress(OSError):
            target.mkdir(parents=True, exist_ok=True)
            for path in old.iterdir():
                if path.is_file() and not path.is_symlink():
                    destination = target / path.name
                    if destination.exists():
                        destination = target / f"{path.name}.old"
                    os.replace(path, destination)
            old.rmdir()
            old.parent.rmdir()


# --- small helpers --------------------------------------------------------------------------


def _read_manifest(staging: Path) -> dict[str, object] | None:
    try:
        data = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None
    return data


def _files(manifest: dict[str, object]) -> dict[str, dict[str, object]]:
    files = manifest["files"]
    assert isinstance(files, dict)
    return files


def _originals_match(old: Path, manifest: dict[str, object]) -> bool:
    """The originals are what was copied: same names, sizes and SHA-256."""
    files = _files(manifest)
    present = {p.name for p in old.iterdir() if p.is_file() and not p.is_symlink()
               and not (p.name.startswith(paths.STORE_FILE)
                        and p.name.endswith(TRANSIENT_SUFFIXES))}
    if present != set(files):
        return False
    return all((old / n).stat().st_size == f["size"] and _digest(old / n) == f["sha256"]
               for n, f in files.items())


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy, flush to disk and read back: (size, SHA-256) of what was copied."""
    sha = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            sha.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    digest = sha.hexdigest()
    if _digest(target) != digest:
        raise OSError(f"the copy of {source} does not read back the same")
    return size, digest


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; Windows has no folder handles to sync)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_folder(folder: Path) -> None:
    """Create a folder readable by its owner only; refuse a symbolic link."""
    if folder.is_symlink():
        raise _Busy(f"{folder} is a symbolic link, which TapeMaster does not follow")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


@contextlib.contextmanager
def _move_lock(folder: Path, wait_s: float) -> Iterator[None]:
    """One mover at a time: an OS lock on a file in the new folder, released by the OS
    if the mover dies. Waits ``wait_s`` for another mover, then gives up (_Busy)."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise _Busy("another program was still moving it")
            time.sleep(0.1)
        logger.info("Moving the store into %s", folder)
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
