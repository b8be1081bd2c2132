"""The ``groups`` table and its queries (portable SQL, rows by name).

Every column is sealed (``sealing.GROUP_SEALED``) and each row carries its digest
terms; writes keep the head's digest up to date through the transaction's ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tapemaster_qt.records import GroupRecord
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, Row, utc_now
from tapemaster_qt.store.head import Ledger

_SEALED = "g.group_id, g.description, g.created, g.mac, g.dt0, g.dt1, g.dt2"


def _record(sealer: Sealer, row: Row) -> GroupRecord:
    return GroupRecord(row["group_id"], row["description"], row["members"],
                       sealing.group_intact(sealer, row))


def list_all(db: Database, sealer: Sealer) -> list[GroupRecord]:
    # One count per group from the users_group index (a join and GROUP BY over 100,000
    # users is three times slower on PostgreSQL, and no faster on SQLite).
    rows = db.rows(
        f"SELECT {_SEALED}, "
        "(SELECT count(*) FROM users u WHERE u.group_id = g.group_id) AS members "
        "FROM groups g ORDER BY g.group_id"
    )
    return [_record(sealer, r) for r in rows]


def unaccounted(db: Database, sealer: Sealer) -> list[str]:
    """The groups that fail their seal but carry digest terms (not all 0)."""
    rows = db.rows(f"SELECT {_SEALED} FROM groups g "
                   "WHERE g.dt0 <> 0 OR g.dt1 <> 0 OR g.dt2 <> 0 ORDER BY g.group_id")
    return [r["group_id"] for r in rows if not sealing.group_intact(sealer, r)]


def clear_terms(db: Database, group_ids: Iterable[str]) -> None:
    """Count groups out of the digest (an accept after review)."""
    for group_id in group_ids:
        db.execute("UPDATE groups SET dt0 = 0, dt1 = 0, dt2 = 0 WHERE group_id = ?",
                   (group_id,))


def get(db: Database, sealer: Sealer, group_id: str) -> GroupRecord | None:
    row = db.row(
        f"SELECT {_SEALED}, "
        "(SELECT count(*) FROM users u WHERE u.group_id = g.group_id) AS members "
        "FROM groups g WHERE g.group_id = ?", (group_id,)
    )
    return None if row is None else _record(sealer, row)


def id_like(db: Database, group_id: str) -> str | None:
    found = db.value("SELECT group_id FROM groups WHERE " + db.dialect.ci_equal("group_id"),
                     (group_id,))
    return None if found is None else str(found)


def members(db: Database, group_id: str) -> int:
    return int(db.value("SELECT count(*) FROM users WHERE group_id = ?", (group_id,)))


# --- writes (inside a write transaction) --------------------------------------------


def _sealed_row(sealer: Sealer, group_id: str, description: str, created: str
                ) -> dict[str, Any]:
    row: dict[str, Any] = {"group_id": group_id, "description": description,
                           "created": created}
    mac = sealing.seal_group(sealer, row)
    row["mac"] = mac
    row.update(zip(sealing.TERMS, sealing.terms(mac), strict=True))
    return row


def _terms(row: Row) -> tuple[int, int, int]:
    return (int(row["dt0"]), int(row["dt1"]), int(row["dt2"]))


def insert(db: Database, sealer: Sealer, ledger: Ledger, group_id: str, description: str,
           created: str | None = None) -> None:
    ledger.check()
    row = _sealed_row(sealer, group_id, description, created or utc_now())
    db.execute("INSERT INTO groups (group_id, description, created, mac, dt0, dt1, dt2) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", list(row.values()))
    ledger.count("groups", None, _terms(row))


def update(db: Database, sealer: Sealer, ledger: Ledger, group_id: str, description: str
           ) -> bool:
    """A new description, the group re-sealed (a group holds nothing a user's rights
    depend on: its administrator may set the description of a tampered one again)."""
    ledger.check()
    old = db.row("SELECT created, dt0, dt1, dt2 FROM groups WHERE group_id = ?"
                 + db.dialect.for_update, (group_id,))
    if old is None:
        return False
    row = _sealed_row(sealer, group_id, description, old["created"])
    db.execute("UPDATE groups SET description = ?, mac = ?, dt0 = ?, dt1 = ?, dt2 = ? "
               "WHERE group_id = ?", (description, row["mac"], row["dt0"], row["dt1"],
                                      row["dt2"], group_id))
    ledger.count("groups", _terms(old), _terms(row))
    return True


def delete(db: Database, ledger: Ledger, group_id: str) -> bool:
    ledger.check()
    old = db.row("SELECT dt0, dt1, dt2 FROM groups WHERE group_id = ?" + db.dialect.for_update,
                 (group_id,))
    if old is None or db.execute("DELETE FROM groups WHERE group_id = ?", (group_id,)) != 1:
        return False
    ledger.count("groups", _terms(old), None)
    return True
