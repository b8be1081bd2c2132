"""The ``settings`` table: the store's identity, its key check, and the store settings.

Every row is sealed over its name and value and carries its digest terms, except the
rows that say which *copy* of the store this is (:data:`IDENTITY_KEYS`: a token and a
write count every write transaction touches, written without the key, so that a
program notices a store replaced under it; they are neither sealed nor in the digest,
and a copy's own token is what tells copies apart, so a forged one only hides a
replacement the digest and this account's high-water mark still see). The store id
(which names the key) and the key check are read before the key is loaded; the others
only through :func:`get`, which refuses a setting that was changed or removed outside
TapeMaster instead of quietly using its default.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from tapemaster_qt.errors import StoreCorruptError, StoreTamperedError
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.head import Ledger
from tapemaster_qt.store.interface import DEFAULT_SETTINGS

STORE_ID = "store_id"
KEY_CHECK = "key_check"
REQUIRED = frozenset({STORE_ID, KEY_CHECK, *DEFAULT_SETTINGS})
"""Settings every store has from its creation: one that is missing was removed."""

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
ACCEPTED = "accepted_generation"
"""Sealed: the generation the store had when an administrator last accepted it (``store
accept``, a restore). A store whose history differs from the one an account's mark
names is a rollback written to again, unless it was accepted after that mark."""
IDENTITY_KEYS = (STORE_TOKEN, WRITE_COUNT, FILE_IDS, TOKEN_BEFORE)
SEALED_ROWS = ("key NOT IN ('" + "', '".join(IDENTITY_KEYS) + "')")
"""The condition that picks the sealed rows of the table (the digest counts these)."""


def store_id(db: Database) -> str:
    found = db.value("SELECT value FROM settings WHERE key = ?", (STORE_ID,))
    if found is None:
        raise StoreCorruptError(f"The user store {db.location} has lost its identity record.")
    return str(found)


def key_check(db: Database) -> bytes | None:
    found = db.value("SELECT value FROM settings WHERE key = ?", (KEY_CHECK,))
    try:
        return None if found is None else bytes.fromhex(found)
    except (TypeError, ValueError):
        return None


def _how_to_fix(name: str, removed: bool) -> str:
    if name not in DEFAULT_SETTINGS:
        return "restore the store from a backup"
    again = (f"what depends on it is refused until it is set again ('tapemaster-admin "
             f"settings set {name} VALUE', default {DEFAULT_SETTINGS[name]})")
    if removed:  # the digest counts it missing too: the store is accepted first
        again += ", after 'tapemaster-admin store accept'"
    return again


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
    """A sealed setting. One that fails its seal, or a setting every store has that is
    missing, raises :class:`StoreTamperedError`: it was changed outside TapeMaster."""
    row = db.row("SELECT value, mac, dt0, dt1, dt2 FROM settings WHERE key = ?", (name,))
    if row is None:
        if name in REQUIRED:
            raise StoreTamperedError(
                f"The store setting '{name}' was removed outside TapeMaster; "
                f"{_how_to_fix(name, True)}.", f"setting {name} removed")
        return DEFAULT_SETTINGS.get(name, "")
    if not sealing.setting_intact(sealer, name, row["value"], row["mac"],
                                  (row["dt0"], row["dt1"], row["dt2"])):
        raise StoreTamperedError(
            f"The store setting '{name}' was changed outside TapeMaster (it fails its "
            f"integrity check); {_how_to_fix(name, False)}.", f"setting {name} changed")
    return str(row["value"])


def accepted_generation(db: Database, sealer: Sealer) -> int:
    """:data:`ACCEPTED` (0: never accepted, or a store from before it was kept)."""
    value = get(db, sealer, ACCEPTED)
    return int(value) if value.isdigit() else 0


def failures(db: Database, sealer: Sealer) -> list[str]:
    """Every setting that fails its seal or is missing, in words (``store verify``)."""
    rows = db.rows("SELECT key, value, mac, dt0, dt1, dt2 FROM settings WHERE "
                   + SEALED_ROWS + " ORDER BY key")
    present = {r["key"] for r in rows}
    out = [f"setting '{name}' is missing" for name in sorted(REQUIRED - present)]
    out += [f"setting '{r['key']}' fails its integrity check" for r in rows
            if not sealing.setting_intact(sealer, r["key"], r["value"], r["mac"],
                                          (r["dt0"], r["dt1"], r["dt2"]))]
    return out


def unaccounted(db: Database, sealer: Sealer) -> list[str]:
    """The sealed settings that fail their seal but carry digest terms (not all 0): the
    digest cannot vouch for the other settings while one of them does (checked with the
    digest each time: a handful of rows)."""
    rows = db.rows("SELECT key, value, mac, dt0, dt1, dt2 FROM settings WHERE "
                   + SEALED_ROWS + " AND (dt0 <> 0 OR dt1 <> 0 OR dt2 <> 0) ORDER BY key")
    return [r["key"] for r in rows
            if not sealing.setting_intact(sealer, r["key"], r["value"], r["mac"],
                                          (r["dt0"], r["dt1"], r["dt2"]))]


def clear_terms(db: Database, names: Iterable[str]) -> None:
    """Count settings out of the digest (an accept after review)."""
    for name in names:
        db.execute("UPDATE settings SET dt0 = 0, dt1 = 0, dt2 = 0 WHERE key = ?", (name,))


# --- writes (inside a write transaction) --------------------------------------------


def insert_identity(db: Database, sealer: Sealer, ledger: Ledger, store_id: str,
                    key_check: bytes) -> None:
    """A new store's identity and key check (written once, when it is created)."""
    put(db, sealer, ledger, STORE_ID, store_id)
    put(db, sealer, ledger, KEY_CHECK, key_check.hex())


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


def put(db: Database, sealer: Sealer, ledger: Ledger, name: str, value: str) -> None:
    ledger.check()
    old = db.row("SELECT dt0, dt1, dt2 FROM settings WHERE key = ?" + db.dialect.for_update,
                 (name,))
    mac = sealing.seal_setting(sealer, name, value)
    new = sealing.terms(mac)
    db.execute(
        "INSERT INTO settings (key, value, mac, dt0, dt1, dt2) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, mac = excluded.mac, "
        "dt0 = excluded.dt0, dt1 = excluded.dt1, dt2 = excluded.dt2",
        (name, value, mac, *new),
    )
    ledger.count("settings", None if old is None else (old["dt0"], old["dt1"], old["dt2"]),
                 new)
