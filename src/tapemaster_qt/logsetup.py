"""Logging: one rotating log file per data folder (or the platform's log folder).

Nothing logged by this package ever contains a password, a code or an OTP secret;
the tests scan the log file after a full OTP life cycle to hold us to that.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE = "tapemaster.log"
_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


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
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        file_handler = None
        path = None
    if file_handler is not None:
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        file_handler._tapemaster = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
    stream = logging.StreamHandler(sys.stderr)
    stream.setLevel(logging.WARNING)
    stream.setFormatter(logging.Formatter(
        f"{stderr_prefix}: warning: %(message)s" if stderr_prefix else _FORMAT
    ))
    stream._tapemaster = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    root.propagate = False
    return path
