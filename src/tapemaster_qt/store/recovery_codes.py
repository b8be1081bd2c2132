"""The ``recovery_codes`` table: each user's single-use recovery codes (DESIGN.md §3a).

A row holds one code's argon2id hash (made by the services; the code itself is never
stored), its fingerprint (keyed BLAKE2b, :meth:`~.crypto.Sealer.fingerprint`: the
index a typed code is looked up by, so one hash is verified, not ten) and a seal over
every column, with the digest terms cut from it (``sealing.terms``): the head's digest
counts the codes, so a used code's row put back is seen like any row put back. Using a
code deletes its row: a conditional DELETE, so of two programs racing with one code
exactly one sees its row go (and only the rows it deleted leave the digest).
"""

from __future__ import annotations

from collections.abc import Iterable

from tapemaster_qt.records import RecoveryCodeRecord
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, Row
from tapemaster_qt.store.head import Ledger
from tapemaster_qt.store.interface import NewRecoveryCode

COLUMNS: tuple[str, ...] = ("id", "user_id", "fingerprint", "code_hash", "created", "mac",
                            *sealing.TERMS)
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM recovery_codes"


def record(sealer: Sealer, row: Row) -> RecoveryCodeRecord:
    return RecoveryCodeRecord(
        id=row["id"], user_id=row["user_id"], code_hash=row["code_hash"],
        created=row["created"],
        integrity_ok=(sealing.recovery_code_intact(sealer, row, row["mac"])
                      and sealing.terms_match(row["mac"], (row["dt0"], row["dt1"], row["dt2"]))),
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


def replace(db: Database, sealer: Sealer, ledger: Ledger, user_id: str,
            codes: Iterable[NewRecoveryCode], created: str) -> int:
    """Delete the user's codes and store ``codes`` instead; how many were deleted."""
    deleted = delete_all(db, sealer, ledger, user_id)
    for code in codes:
        row: Row = {"user_id": user_id, "fingerprint": sealer.fingerprint(user_id, code.code),
                    "code_hash": code.code_hash, "created": created}
        # The row id is sealed too (a copy of a row under another id fails its check),
        # and the database chooses it: insert, then seal.
        row["id"] = db.insert(
            "INSERT INTO recovery_codes (user_id, fingerprint, code_hash, created) "
            "VALUES (?, ?, ?, ?)",
            (row["user_id"], row["fingerprint"], row["code_hash"], row["created"]))
        mac = sealing.seal_recovery_code(sealer, row)
        terms = sealing.terms(mac)
        db.execute("UPDATE recovery_codes SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE id = ?",
                   (mac, *terms, row["id"]))
        ledger.count("recovery_codes", None, terms)
    return deleted


def _delete(db: Database, sealer: Sealer, ledger: Ledger, where: str,
            params: tuple[object, ...]) -> int:
    """Delete rows, taking out of the digest exactly those this statement removed: a
    row that fails its seal counts as 0 (its terms may have been changed to balance a
    row put back elsewhere; removing it must leave that seen)."""
    ledger.check()
    gone = db.rows("DELETE FROM recovery_codes WHERE " + where
                   + " RETURNING " + ", ".join(COLUMNS), params)
    for row in gone:
        ledger.count("recovery_codes",
                     counted_terms(sealer, row), None)
    return len(gone)


def counted_terms(sealer: Sealer, row: Row) -> tuple[int, int, int]:
    """The digest terms the head counts for a stored code: its own when it is intact,
    0 when it is not (a code row that fails its seal with other terms than 0 refuses
    the store when it is opened: ``unaccounted``)."""
    return (sealing.terms(row["mac"]) if record(sealer, row).integrity_ok else (0, 0, 0))


def unaccounted(db: Database, sealer: Sealer) -> list[str]:
    """The owners of code rows that fail their seal but carry digest terms."""
    rows = db.rows(_SELECT + " WHERE dt0 <> 0 OR dt1 <> 0 OR dt2 <> 0 ORDER BY id")
    return sorted({r["user_id"] for r in rows if not record(sealer, r).integrity_ok})


def clear_terms(db: Database, sealer: Sealer) -> None:
    """Count every code row that fails its seal out of the digest (an accept)."""
    for row in db.rows(_SELECT):
        if not record(sealer, row).integrity_ok:
            db.execute("UPDATE recovery_codes SET dt0 = 0, dt1 = 0, dt2 = 0 WHERE id = ?",
                       (row["id"],))


def use(db: Database, sealer: Sealer, ledger: Ledger, user_id: str, code: str) -> bool:
    """Spend ``code``: True when this call deleted it (False: already used, or taken by
    another program meanwhile). Every row with its fingerprint goes, so a row copied
    in from outside cannot keep a used code alive."""
    return _delete(db, sealer, ledger, "user_id = ? AND fingerprint = ?",
                   (user_id, sealer.fingerprint(user_id, code))) > 0


def delete_all(db: Database, sealer: Sealer, ledger: Ledger, user_id: str) -> int:
    return _delete(db, sealer, ledger, "user_id = ?", (user_id,))
