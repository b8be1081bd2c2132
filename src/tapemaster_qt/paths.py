"""Where the store, its key file and the logs live.

Resolution order for the store folder: ``--data-dir``, then ``TAPEMASTER_DATA_DIR``,
then the per-user data folder from platformdirs.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "TapeMaster Qt"
APP_AUTHOR = "TapeMaster Qt"
DATA_DIR_ENV = "TAPEMASTER_DATA_DIR"
STORE_FILE = "tapemaster.db"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the store (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=True))


def log_dir(data_folder: Path, explicit: bool) -> Path:
    """Logs sit beside an explicitly chosen store, else in the platform's log folder.

    Keeping them beside an explicit ``--data-dir`` makes test runs and portable
    installations self-contained.
    """
    if explicit:
        return data_folder / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def store_path(data_folder: Path) -> Path:
    return data_folder / STORE_FILE
