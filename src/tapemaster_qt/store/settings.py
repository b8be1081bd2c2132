"""The ``settings`` table: the store's identity, its key check, and sealed settings."""

from __future__ import annotations

import logging

from tapemaster_qt.errors import StoreCorruptError
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.interface import DEFAULT_SETTINGS

logger = logging.getLogger(__name__)

STORE_ID = "store_id"
KEY_CHECK = "key_check"
"""Unsealed rows: the store's identity (it names the key) and the value that tells a
wrong key from a damaged store."""


def store_id(db: Database) -> str:
    found = db.value("SELECT value FROM settings WHERE key = ?", (STORE_ID,))
    if found is None:
        raise StoreCorruptError(f"The user store {db.location} has lost its identity record.")
    return str(found)


def key_check(db: Database) -> bytes | None:
    found = db.value("SELECT value FROM settings WHERE key = ?", (KEY_CHECK,))
    return None if found is None else bytes.fromhex(found)


def get(db: Database, sealer: Sealer, name: str) -> str:
    """A sealed setting; a missing or tampered one gives the default."""
    default = DEFAULT_SETTINGS.get(name, "")
    row = db.row("SELECT value, mac FROM settings WHERE key = ?", (name,))
    if row is None:
        return default
    if not sealing.setting_intact(sealer, name, row["value"], row["mac"]):
        logger.warning("Store setting %r failed its integrity check; using the default", name)
        return default
    return str(row["value"])


# --- writes (inside a write transaction) --------------------------------------------


def insert_identity(db: Database, store_id: str, key_check: bytes) -> None:
    """A new store's identity and key check (written once, when it is created)."""
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (STORE_ID, store_id))
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (KEY_CHECK, key_check.hex()))


def put(db: Database, sealer: Sealer, name: str, value: str) -> None:
    db.execute(
        "INSERT INTO settings (key, value, mac) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, mac = excluded.mac",
        (name, value, sealing.seal_setting(sealer, name, value)),
    )
