"""``ui-state.ini``: what the windows remember between runs (never a password).

Only the last User-ID typed, per operating-system user (their configuration folder) and
per store, so a shared store folder never shows one person's User-ID to the next.

The file is read as plain text, never through QSettings: QSettings turns a value
written as ``@Variant(...)`` into a Qt type by deserialising it, and a crafted one (a
list claiming two billion entries) makes Qt throw ``std::bad_alloc`` and abort every
program at start, or right after a logon when a crafted entry sits in ``[General]``.
Here each entry is a string that must be a valid User-ID; anything else is ignored
with a line in the log, and dropped when the file is next written. The file is written
atomically (a temporary file renamed over it) and readable by its owner only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from tapemaster_qt import paths
from tapemaster_qt.fileio import read_regular_file
from tapemaster_qt.location import StoreLocation
from tapemaster_qt.services.validation import user_id_problem

logger = logging.getLogger(__name__)

FILE_NAME = "ui-state.ini"
SECTION = "lastUserId"
MAX_BYTES = 64 * 1024
"""Far more than any real file (one short line per store); a larger one is ignored."""
_KEY = re.compile(r"[0-9a-f]{16}")


def config_folder() -> Path:
    """The per-user configuration folder (``~/.config/TapeMaster Qt`` on Linux)."""
    from PySide6.QtCore import QStandardPaths

    config = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(config) / paths.APP_NAME


def store_key(store: Path | StoreLocation) -> str:
    """The entry name of one store: a hash of its identity, not the path or URL itself.
    A folder keeps the key it always had, so nobody's remembered User-ID is lost."""
    identity = (store.identity() if isinstance(store, StoreLocation)
                else str(store.expanduser().absolute()))
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_entries(path: Path) -> dict[str, str]:
    """The valid ``[lastUserId]`` entries of ``path``; everything else is logged and
    left out. A missing, unreadable or oversized file reads as empty."""
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        return {}
    except OSError as exc:  # a symlink (ELOOP), a folder, a FIFO, no permission
        logger.warning("Ignoring %s: it cannot be read as a plain file (%s)", path,
                       exc.strerror or type(exc).__name__)
        return {}
    if len(raw) > MAX_BYTES:
        logger.warning("Ignoring %s: larger than %d bytes", path, MAX_BYTES)
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        logger.warning("Ignoring %s: not UTF-8 text", path)
        return {}
    entries: dict[str, str] = {}
    ignored = 0
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if (section == SECTION and sep and _KEY.fullmatch(key)
                and user_id_problem(value) is None):
            entries[key] = value
        else:
            ignored += 1
    if ignored:
        # Counted, never quoted: the garbage may be huge or hold anything.
        logger.warning("Ignored %d entr%s of %s that %s not a remembered User-ID",
                       ignored, "y" if ignored == 1 else "ies", path,
                       "is" if ignored == 1 else "are")
    return entries


def write_entries(path: Path, entries: dict[str, str]) -> None:
    from tapemaster_qt.fileio import write_text_atomically  # tempfile: not at start-up

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = [f"[{SECTION}]", *(f"{key}={value}" for key, value in sorted(entries.items()))]
    # mkstemp makes the temporary file 0600; the rename keeps that mode and replaces a
    # symlink planted at the path instead of writing through it.
    write_text_atomically(path, "\n".join(lines) + "\n")


class UiState:
    """The last User-ID typed at this store's logon, kept in ``ui-state.ini``."""

    def __init__(self, store: Path | StoreLocation, config: Path | None = None) -> None:
        self.path = (config or config_folder()) / FILE_NAME
        self._key = store_key(store)

    @property
    def last_user_id(self) -> str:
        return read_entries(self.path).get(self._key, "")

    @last_user_id.setter
    def last_user_id(self, value: str) -> None:
        if user_id_problem(value) is not None:
            return  # only a valid User-ID is remembered (an e-mail logon stores the ID)
        # Other stores' entries as they are now; written even when ours is unchanged,
        # so that garbage goes and an older 0644 file becomes 0600.
        entries = read_entries(self.path)
        entries[self._key] = value
        try:
            write_entries(self.path, entries)
        except OSError as exc:  # a convenience: never worth a failed logon
            logger.warning("Could not remember the User-ID in %s (%s)", self.path,
                           exc.strerror or type(exc).__name__)
