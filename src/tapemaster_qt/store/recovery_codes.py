"""The ``recovery_codes`` table: each user's single-use recovery codes (DESIGN.md §3a).

A row holds one code's argon2id hash (made by the services; the code itself is never
stored), its fingerprint (keyed BLAKE2b, :meth:`~.crypto.Sealer.fingerprint`: the
index a typed code is looked up by, so one hash is verified, not ten) and a seal over
every column. Using a code deletes its row: a conditional DELETE, so of two programs
racing with one code exactly one sees its row go.
"""

from __future__ import annotations

from collections.abc import Iterable

from tapemaster_qt.records import RecoveryCodeRecord
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, Row
from tapemaster_qt.store.interface import NewRecoveryCode

COLUMNS: tuple[str, ...] = ("id", "user_id", "fingerprint", "code_hash", "created", "mac")
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM recovery_codes"


def record(sealer: Sealer, row: Row) -> RecoveryCodeRecord:
    return RecoveryCodeRecord(
        id=row["id"], user_id=row["user_id"], code_hash=row["code_hash"],
        created=row["created"],
        integrity_ok=sealing.recovery_code_intact(sealer, row, row["mac"]),
    )


# --- reads --------------------------------------------------------------------------


def of_user(db: Database, sealer: Sealer, user_id: str, *, for_update: bool = False
            ) -> list[RecoveryCodeRecord]:
    """A user's unused codes, oldest first, each with its seal checked."""
    lock = db.dialect.for_update if for_update else ""
    rows = db.rows(_SELECT + " WHERE user_id = ? ORDER BY id" + lock, (user_id,))
    return [record(sealer, r) for r in rows]


def find(db: Database, sealer: Sealer, user_id: str, code: str) -> RecoveryCodeRecord | None:
    """The unused code ``code`` (canonical form) of ``user_id``, by its fingerprint."""
    row = db.row(_SELECT + " WHERE user_id = ? AND fingerprint = ?",
                 (user_id, sealer.fingerprint(user_id, code)))
    return None if row is None else record(sealer, row)


# --- writes (inside a write transaction) --------------------------------------------


def replace(db: Database, sealer: Sealer, user_id: str, codes: Iterable[NewRecoveryCode],
            created: str) -> int:
    """Delete the user's codes and store ``codes`` instead; how many were deleted."""
    deleted = delete_all(db, user_id)
    for code in codes:
        row: Row = {"user_id": user_id, "fingerprint": sealer.fingerprint(user_id, code.code),
                    "code_hash": code.code_hash, "created": created}
        # The row id is sealed too (a copy of a row under another id fails its check),
        # and the database chooses it: insert, then seal.
        row["id"] = db.insert(
            "INSERT INTO recovery_codes (user_id, fingerprint, code_hash, created) "
            "VALUES (?, ?, ?, ?)",
            (row["user_id"], row["fingerprint"], row["code_hash"], row["created"]))
        db.execute("UPDATE recovery_codes SET mac = ? WHERE id = ?",
                   (sealing.seal_recovery_code(sealer, row), row["id"]))
    return deleted


def use(db: Database, sealer: Sealer, user_id: str, code: str) -> bool:
    """Spend ``code``: True when this call deleted it (False: already used, or taken by
    another program meanwhile). Every row with its fingerprint goes, so a row copied
    in from outside cannot keep a used code alive."""
    return db.execute("DELETE FROM recovery_codes WHERE user_id = ? AND fingerprint = ?",
                      (user_id, sealer.fingerprint(user_id, code))) > 0


def delete_all(db: Database, user_id: str) -> int:
    return db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
