"""Logging: one log file per data folder (or the platform's log folder), rotated at start;
and crash logs for the windowed programs.

Log files are the owner's only (0600; older ones are made so), never written through a
symbolic link, and only in a folder that no one else can change (``fileio``). When the
log file or its folder is unsafe nothing is logged there, and :func:`problem` says why
in one sentence (the CLI prints it as a warning, the windows show it once).

Nothing logged by this package ever contains a password, a code or an OTP secret;
the tests scan the log file after a full OTP life cycle to hold us to that.

A windowed program has no console, so a native crash (a segmentation fault in Qt, an
abort inside Python such as PySide6 6.12.0's reference-count bug) would leave nothing
behind. :func:`enable_crash_log` points :mod:`faulthandler` at a file of its own in the
log folder, kept open for the program's whole life (a crashing process cannot open
one): ``crash-<start time>-<program>-<pid>.log``, readable by its owner only. It stays
empty unless the program crashes, and an empty one is removed at a normal exit, or by a
later start once its program is gone (killed), so a crash log that is there is a crash.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO

from tapemaster_qt import fileio

LOG_FILE = "tapemaster.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
CRASH_PREFIX = "crash-"

_folder: Path | None = None
_problem: str | None = None
_crash_file: IO[str] | None = None
_crash_path: Path | None = None


def log_folder() -> Path | None:
    """The folder this process logs to (Help ▸ About shows it); None before
    :func:`configure`, or when that folder could not be written."""
    return _folder


def problem() -> str | None:
    """Why this process writes no log file, in one sentence for a person, when the
    reason is one they should fix (a link, a folder others can change); else None."""
    return _problem


def _rotate(path: Path) -> None:
    """Keep ``BACKUPS`` old logs. Done once per start rather than per record (cheaper
    than logging.handlers, and one program's run never splits across two files).
    Renaming moves a link itself, never what it points to."""
    try:
        if os.lstat(path).st_size < MAX_BYTES:
            return
    except OSError:
        return
    try:
        for n in range(BACKUPS - 1, 0, -1):
            older = path.with_name(f"{path.name}.{n}")
            if os.path.lexists(older):
                older.replace(path.with_name(f"{path.name}.{n + 1}"))
        path.replace(path.with_name(f"{path.name}.1"))
    except OSError:
        pass  # another program rotated it first, or the folder is read-only


class _OneLine(logging.Formatter):
    """A warning on the CLI's stderr: one line, whatever a path or a name in it holds."""

    def format(self, record: logging.LogRecord) -> str:
        from tapemaster_qt import terminal

        return terminal.escape(super().format(record))


def _log_problem(folder: Path, path: Path) -> str | None:
    """Why ``path`` must not be written, for a person; None when it may."""
    return fileio.folder_problem(folder) or fileio.link_problem(path, "log file")


def _make_private(path: Path) -> None:
    """Logs written by an older version (0644), rotated ones included: owner-only."""
    for name in (path.name, *(f"{path.name}.{n}" for n in range(1, BACKUPS + 2))):
        with contextlib.suppress(OSError):
            fileio.make_private(path.with_name(name))


class _LogFile(logging.FileHandler):
    """The log file, owner-only and never through a link. When it cannot be written
    (a full disk, a folder that went away, a link put there meanwhile) the record is
    dropped: the program reports its own errors in one clear line or box, and
    logging's traceback on stderr would only bury that line."""

    def _open(self) -> IO[str]:
        fd = fileio.open_private_append(Path(self.baseFilename))
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is None:  # opened at the first record (delay=True)
            try:
                self.stream = self._open()
            except OSError:
                self.handleError(record)
                return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def configure(log_folder: Path, *, stderr_prefix: str | None = None,
              level: int = logging.INFO) -> Path | None:
    """Send this package's logs to ``log_folder/tapemaster.log``; return its path.

    With ``stderr_prefix`` warnings also go to stderr as one line each (the CLI).
    A folder that cannot be written costs the log file, never the program.
    """
    global _folder, _problem
    root = logging.getLogger("tapemaster_qt")
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_tapemaster", False):
            root.removeHandler(handler)
            handler.close()
    path: Path | None = log_folder / LOG_FILE
    _problem = None
    try:
        fileio.make_private_folder(log_folder)
        assert path is not None
        unsafe = _log_problem(log_folder, path)
        if unsafe:
            _problem = f"{unsafe} Until then nothing is written to the log."
            raise OSError(unsafe)
        _rotate(path)
        _make_private(path)
        file_handler: logging.Handler | None = _LogFile(path, encoding="utf-8", delay=True)
    except OSError:
        file_handler = None
        path = None
    _folder = log_folder if path is not None else None
    if file_handler is not None:
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        file_handler._tapemaster = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
    stream = logging.StreamHandler(sys.stderr)
    stream.setLevel(logging.WARNING)
    if stderr_prefix:
        # A record with a traceback is for the log file; the CLI reports the failure
        # itself, in one line, and a traceback on a support engineer's screen is noise.
        stream.addFilter(lambda record: record.exc_info is None)
    stream.setFormatter(_OneLine(f"{stderr_prefix}: warning: %(message)s") if stderr_prefix
                        else logging.Formatter(_FORMAT))
    stream._tapemaster = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    root.propagate = False
    return path


# --- crash logs ---------------------------------------------------------------------------


def _lock(fd: int) -> bool:
    """Hold (or probe) an exclusive lock on a crash log: its owner holds one for as long
    as it lives. Windows needs none: a file another process has open cannot be removed
    there. Returns whether the lock was taken."""
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _sweep(folder: Path) -> None:
    """Remove the empty crash logs of programs that are gone (killed, or the machine
    went down); keep every one with something in it, and those still in use."""
    for path in folder.glob(f"{CRASH_PREFIX}*.log"):
        try:
            if path.is_symlink() or path.stat().st_size:
                continue
            if sys.platform == "win32":
                path.unlink()  # refused while its program (or anyone) has it open
                continue
            fd = fileio.open_regular_file(path)  # a planted FIFO must not hang the start
        except OSError:
            continue
        try:
            if _lock(fd) and os.fstat(fd).st_size == 0:
                path.unlink()
        except OSError:
            pass  # in use (Windows), or another program removed it first
        finally:
            os.close(fd)


def enable_crash_log(folder: Path, program: str) -> Path | None:
    """Send a native crash's Python traceback (every thread) to a crash log in
    ``folder``; returns its path, or None when the folder cannot be written (the
    program runs on without one)."""
    global _crash_file, _crash_path
    if _crash_file is not None:
        return _crash_path
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{CRASH_PREFIX}{stamp}-{program}-{os.getpid()}.log"
    try:
        fileio.make_private_folder(folder)
        unsafe = fileio.folder_problem(folder)
        if unsafe:
            raise OSError(unsafe)
        _sweep(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
                     | fileio.NOFOLLOW, fileio.PRIVATE_FILE)
    except OSError as exc:
        logging.getLogger(__name__).warning("No crash log in %s (%s)", folder,
                                            exc.strerror or str(exc) or type(exc).__name__)
        return None
    _lock(fd)
    _crash_file, _crash_path = os.fdopen(fd, "w", encoding="utf-8"), path
    faulthandler.enable(file=_crash_file, all_threads=True)
    atexit.register(_close_crash_log)
    return path


def _close_crash_log() -> None:
    """At a normal exit: stop writing, and remove the crash log if nothing crashed."""
    global _crash_file, _crash_path
    crash_file, _crash_file = _crash_file, None
    path, _crash_path = _crash_path, None
    if crash_file is None or path is None:
        return
    with contextlib.suppress(Exception):
        faulthandler.disable()
    try:
        empty = os.fstat(crash_file.fileno()).st_size == 0
    except OSError:
        empty = False
    crash_file.close()
    if empty:
        with contextlib.suppress(OSError):
            path.unlink()
