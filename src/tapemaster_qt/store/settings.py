"""The ``settings`` table: the store's identity, its key check, and sealed settings."""

from __future__ import annotations

import logging
import secrets

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

STORE_TOKEN = "store_token"  # noqa: S105 - a setting's name, not a secret
"""Unsealed: which copy of the store this is. A new store, every backup file and every
restored store get a new random token, which never changes otherwise; so a running
program (and a journal left beside the file) can tell the store it opened from one put
in its place, even one with the same ``store_id``."""
WRITE_COUNT = "write_count"
"""Unsealed: how many write transactions the store has seen. Every write transaction
changes it, so every journal (SQLite's WAL) holds the page with the token."""
FILE_IDS = "sqlite_files"
"""Unsealed, SQLite only: the file ids (inodes) of the store file and of its journal
when a program last wrote; a journal whose writes name another store file does not
belong to this one."""
TOKEN_BEFORE = "store_token_before"  # noqa: S105 - a setting's name, not a secret
"""Unsealed: after a restore written into the open store, the token the store had
before. Until SQLite copies the restore from the journal into the file, the file alone
still holds that one: it is the restored store's, not another copy's."""
IDENTITY_KEYS = (STORE_TOKEN, WRITE_COUNT, FILE_IDS, TOKEN_BEFORE)


def store_id(db: Database) -> str:
    found = db.value("SELECT value FROM settings WHERE key = ?", (STORE_ID,))
    if found is None:
        raise StoreCorruptError(f"The user store {db.location} has lost its identity record.")
    return str(found)


def key_check(db: Database) -> bytes | None:
    found = db.value("SELECT value FROM settings WHERE key = ?", (KEY_CHECK,))
    return None if found is None else bytes.fromhex(found)


def identity(db: Database) -> dict[str, str]:
    """The rows that say which copy of the store this is (:data:`IDENTITY_KEYS`)."""
    marks = ", ".join("?" * len(IDENTITY_KEYS))
    rows = db.rows(f"SELECT key, value FROM settings WHERE key IN ({marks})",
                   IDENTITY_KEYS)
    return {str(r["key"]): str(r["value"]) for r in rows}


def token(db: Database) -> str | None:
    found = db.value("SELECT value FROM settings WHERE key = ?", (STORE_TOKEN,))
    return None if found is None else str(found)


def new_token() -> str:
    return secrets.token_hex(16)


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


def set_unsealed(db: Database, name: str, value: str) -> None:
    """Write one of the unsealed identity rows (:data:`IDENTITY_KEYS`)."""
    assert name in IDENTITY_KEYS
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def adopt_token(db: Database) -> str:
    """This store's token, giving it one if it has none (a store made before tokens;
    two programs doing it at once agree on the first)."""
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
               (STORE_TOKEN, new_token()))
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
               (WRITE_COUNT, "0"))
    return str(db.value("SELECT value FROM settings WHERE key = ?", (STORE_TOKEN,)))


def count_write(db: Database, token: str) -> bool:
    """Count one more write transaction, if the store still has ``token``: whether it
    had (one statement, for it runs in every write transaction)."""
    return db.execute(
        "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
        "WHERE key = ? AND EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = ?)",
        (WRITE_COUNT, STORE_TOKEN, token),
    ) == 1


def record_unsealed(db: Database, name: str, value: str) -> None:
    """Write one of the unsealed identity rows unless it already holds ``value``
    (so that an unchanged one costs no page write)."""
    assert name in IDENTITY_KEYS
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
        "WHERE settings.value <> excluded.value",
        (name, value),
    )


def put(db: Database, sealer: Sealer, name: str, value: str) -> None:
    db.execute(
        "INSERT INTO settings (key, value, mac) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, mac = excluded.mac",
        (name, value, sealing.seal_setting(sealer, name, value)),
    )
