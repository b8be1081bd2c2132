"""Logging: one log file per data folder (or the platform's log folder), rotated at start.

Nothing logged by this package ever contains a password, a code or an OTP secret;
the tests scan the log file after a full OTP life cycle to hold us to that.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

LOG_FILE = "tapemaster.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def _rotate(path: Path) -> None:
    """Keep ``BACKUPS`` old logs. Done once per start rather than per record (cheaper
    than logging.handlers, and one program's run never splits across two files)."""
    try:
        if path.stat().st_size < MAX_BYTES:
            return
    except OSError:
        return
    try:
        for n in range(BACKUPS - 1, 0, -1):
            older = path.with_name(f"{path.name}.{n}")
            if older.exists():
                older.replace(path.with_name(f"{path.name}.{n + 1}"))
        path.replace(path.with_name(f"{path.name}.1"))
    except OSError:
        pass  # another program rotated it first, or the folder is read-only


class _LogFile(logging.FileHandler):
    """The log file. When it cannot be written (a full disk, a folder that went away)
    the record is dropped: the program reports its own errors in one clear line or
    box, and logging's traceback on stderr would only bury that line."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def configure(log_folder: Path, *, stderr_prefix: str | None = None,
              level: int = logging.INFO) -> Path | None:
    """Send this package's logs to ``log_folder/tapemaster.log``; return its path.

    With ``stderr_prefix`` warnings also go to stderr as one line each (the CLI).
    A folder that cannot be written costs the log file, never the program.
    """
    root = logging.getLogger("tapemaster_qt")
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_tapemaster", False):
            root.removeHandler(handler)
            handler.close()
    path: Path | None = log_folder / LOG_FILE
    try:
        log_folder.mkdir(parents=True, exist_ok=True)
        assert path is not None
        _rotate(path)
        file_handler: logging.Handler | None = _LogFile(path, encoding="utf-8", delay=True)
    except OSError:
        file_handler = None
        path = None
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
    stream.setFormatter(logging.Formatter(
        f"{stderr_prefix}: warning: %(message)s" if stderr_prefix else _FORMAT
    ))
    stream._tapemaster = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    root.propagate = False
    return path
