"""The ``groups`` table and its queries (portable SQL, rows by name)."""

from __future__ import annotations

from tapemaster_qt.records import GroupRecord
from tapemaster_qt.store.database import Database, Row, utc_now


def _record(row: Row) -> GroupRecord:
    return GroupRecord(row["group_id"], row["description"], row["members"])


def list_all(db: Database) -> list[GroupRecord]:
    # One count per group from the users_group index (a join and GROUP BY over 100,000
    # users is three times slower on PostgreSQL, and no faster on SQLite).
    rows = db.rows(
        "SELECT g.group_id, g.description, "
        "(SELECT count(*) FROM users u WHERE u.group_id = g.group_id) AS members "
        "FROM groups g ORDER BY g.group_id"
    )
    return [_record(r) for r in rows]


def get(db: Database, group_id: str) -> GroupRecord | None:
    row = db.row(
        "SELECT g.group_id, g.description, "
        "(SELECT count(*) FROM users u WHERE u.group_id = g.group_id) AS members "
        "FROM groups g WHERE g.group_id = ?", (group_id,)
    )
    return None if row is None else _record(row)


def id_like(db: Database, group_id: str) -> str | None:
    found = db.value("SELECT group_id FROM groups WHERE " + db.dialect.ci_equal("group_id"),
                     (group_id,))
    return None if found is None else str(found)


def members(db: Database, group_id: str) -> int:
    return int(db.value("SELECT count(*) FROM users WHERE group_id = ?", (group_id,)))


# --- writes (inside a write transaction) --------------------------------------------


def insert(db: Database, group_id: str, description: str, created: str | None = None) -> None:
    db.execute("INSERT INTO groups (group_id, description, created) VALUES (?, ?, ?)",
               (group_id, description, created or utc_now()))


def update(db: Database, group_id: str, description: str) -> bool:
    return db.execute("UPDATE groups SET description = ? WHERE group_id = ?",
                      (description, group_id)) == 1


def delete(db: Database, group_id: str) -> bool:
    return db.execute("DELETE FROM groups WHERE group_id = ?", (group_id,)) == 1
