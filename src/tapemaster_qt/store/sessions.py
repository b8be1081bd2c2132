"""The ``sessions`` table: who is logged on where (Active Users)."""

from __future__ import annotations

from tapemaster_qt.records import SessionRecord
from tapemaster_qt.store.database import Database

_SELECT = "SELECT id, user_id, program, host, pid, since, last_seen FROM sessions"


def list_all(db: Database, *, ordered: bool = True) -> list[SessionRecord]:
    sql = _SELECT + (" ORDER BY since" if ordered else "")
    return [SessionRecord(**r) for r in db.rows(sql)]


# --- writes (inside a write transaction) --------------------------------------------


def start(db: Database, user_id: str, program: str, host: str, pid: int, ts: str,
          session_id: int | None = None) -> int:
    if session_id is None:
        return db.insert(
            "INSERT INTO sessions (user_id, program, host, pid, since, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)", (user_id, program, host, pid, ts, ts),
        )
    db.execute(
        "INSERT INTO sessions (id, user_id, program, host, pid, since, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, user_id, program, host, pid, ts, ts),
    )
    return session_id


def resume(db: Database, session_id: int, user_id: str, program: str, host: str, pid: int,
           since: str, ts: str) -> bool:
    """Put back a running session's row removed as stale; False when its user is gone
    (or the row is back already)."""
    return db.execute(
        "INSERT INTO sessions (id, user_id, program, host, pid, since, last_seen) "
        "SELECT ?, user_id, ?, ?, ?, ?, ? FROM users WHERE user_id = ? "
        "ON CONFLICT DO NOTHING",
        (session_id, program, host, pid, since, ts, user_id),
    ) == 1


def touch(db: Database, session_id: int, ts: str) -> bool:
    return db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (ts, session_id)) == 1


def end(db: Database, session_id: int) -> bool:
    return db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)) == 1
