"""Where the store, its key file and the logs live.

Resolution order for the store folder: ``--data-dir``, then ``TAPEMASTER_DATA_DIR``,
then the per-user data folder from platformdirs (:func:`default_data_dir`).
:mod:`tapemaster_qt.location` builds the whole choice on these (``--store``,
``TAPEMASTER_STORE``, the site file).

The per-user folders, with one name level (no separate "author" folder):

=========  ============================================  ==================================
           store (data)                                  logs
=========  ============================================  ==================================
Windows    ``%LOCALAPPDATA%\\TapeMaster Qt``             ``%LOCALAPPDATA%\\TapeMaster Qt\\Logs``
macOS      ``~/Library/Application Support/TapeMaster Qt``  ``~/Library/Logs/TapeMaster Qt``
Linux      ``$XDG_DATA_HOME/TapeMaster Qt``                ``$XDG_STATE_HOME/TapeMaster Qt/log``
=========  ============================================  ==================================

On Windows the store is in the *local* folder, not the roaming one: Folder Redirection
can put a roaming folder on a file server, where SQLite's WAL journal is not safe.
Version 0.1.0 used the roaming ``%APPDATA%\\TapeMaster Qt\\TapeMaster Qt`` (the name
doubled by platformdirs' appauthor); :func:`legacy_data_dirs` names it, and
``store/relocate.py`` moves a store found there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

APP_NAME = "TapeMaster Qt"
APP_AUTHOR = "TapeMaster Qt"
"""Qt's organization name (QSettings of the windows); no longer a folder level."""
DATA_DIR_ENV = "TAPEMASTER_DATA_DIR"
STORE_FILE = "tapemaster.db"


def _platform_dirs(system: str, *, appauthor: str | bool = False,
                   roaming: bool = False) -> PlatformDirsABC:
    """platformdirs' folders for ``system`` (a ``sys.platform`` value), whatever this
    machine runs: the tests check the Windows and macOS answers on Linux."""
    if system == "win32":
        from platformdirs.windows import Windows as Dirs
    elif system == "darwin":
        from platformdirs.macos import MacOS as Dirs  # type: ignore[assignment]
    else:
        from platformdirs.unix import Unix as Dirs  # type: ignore[assignment]
    return Dirs(APP_NAME, appauthor=appauthor, roaming=roaming)


def default_data_dir(system: str = sys.platform) -> Path:
    """The per-user folder for the store: local (never roaming), one name level."""
    return Path(_platform_dirs(system).user_data_dir)


def default_log_dir(system: str = sys.platform) -> Path:
    return Path(_platform_dirs(system).user_log_dir)


def legacy_data_dirs(system: str = sys.platform) -> list[Path]:
    """Where earlier versions kept the store by default, when that is not
    :func:`default_data_dir` (only on Windows: the roaming folder, name doubled)."""
    old = Path(_platform_dirs(system, appauthor=APP_AUTHOR, roaming=True).user_data_dir)
    return [] if old == default_data_dir(system) else [old]


def legacy_log_dirs(system: str = sys.platform) -> list[Path]:
    """Where earlier versions wrote their logs by default, when that differs."""
    old = Path(_platform_dirs(system, appauthor=APP_AUTHOR).user_log_dir)
    return [] if old == default_log_dir(system) else [old]


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the store (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def log_dir(data_folder: Path, explicit: bool) -> Path:
    """Logs sit beside an explicitly chosen store, else in the platform's log folder.

    Keeping them beside an explicit ``--data-dir`` makes test runs and portable
    installations self-contained.
    """
    if explicit:
        return data_folder / "logs"
    return default_log_dir()


def store_path(data_folder: Path) -> Path:
    return data_folder / STORE_FILE


def trust_dir(system: str = sys.platform) -> Path:
    """Where this OS account remembers each store it opened (``store/trust.py``): its
    own state folder, never a store folder (``$XDG_STATE_HOME/TapeMaster Qt/trust`` on
    Linux; on Windows and macOS, where the state folder is the per-user data folder,
    a ``trust`` folder inside it)."""
    return Path(_platform_dirs(system).user_state_dir) / "trust"
