"""The ``sessions`` table: who is logged on where (Active Users), under which user
identity (``user_uid``), and whether an administrator has ended the session."""

from __future__ import annotations

from tapemaster_qt.records import SessionRecord
from tapemaster_qt.store.database import Database

COLUMNS: tuple[str, ...] = (
    "id", "user_id", "program", "host", "pid", "since", "last_seen", "user_uid",
    "otp_mark", "end_reason", "ended_by", "ended_at",
)
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM sessions"


def list_all(db: Database, *, ordered: bool = True) -> list[SessionRecord]:
    sql = _SELECT + (" ORDER BY since" if ordered else "")
    return [SessionRecord(**r) for r in db.rows(sql)]


def get(db: Database, session_id: int, *, for_update: bool = False) -> SessionRecord | None:
    lock = db.dialect.for_update if for_update else ""
    found = db.row(_SELECT + " WHERE id = ?" + lock, (session_id,))
    return None if found is None else SessionRecord(**found)


# --- writes (inside a write transaction) --------------------------------------------


def start(db: Database, *, user_id: str, user_uid: str, otp_mark: str, program: str,
          host: str, pid: int, ts: str, session_id: int | None = None) -> int:
    values = (user_id, user_uid, otp_mark, program, host, pid, ts, ts)
    names = "user_id, user_uid, otp_mark, program, host, pid, since, last_seen"
    if session_id is None:
        return db.insert(f"INSERT INTO sessions ({names}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         values)
    db.execute(f"INSERT INTO sessions (id, {names}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (session_id, *values))
    return session_id


def resume(db: Database, *, session_id: int, user_id: str, user_uid: str,
           otp_mark: str | None, program: str, host: str, pid: int, since: str,
           ts: str) -> bool:
    """Put back a running session's row removed as stale; False when its user is gone
    (no user has that uid and User-ID any more) or the row is back already."""
    return db.execute(
        "INSERT INTO sessions (id, user_id, user_uid, otp_mark, program, host, pid, since, "
        "last_seen) SELECT ?, user_id, uid, ?, ?, ?, ?, ?, ? FROM users "
        "WHERE uid = ? AND user_id = ? ON CONFLICT DO NOTHING",
        (session_id, otp_mark, program, host, pid, since, ts, user_uid, user_id),
    ) == 1


def touch(db: Database, session_id: int, ts: str) -> bool:
    return db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (ts, session_id)) == 1


def set_otp_mark(db: Database, session_id: int, mark: str) -> bool:
    return db.execute("UPDATE sessions SET otp_mark = ? WHERE id = ?", (mark, session_id)) == 1


def request_end(db: Database, session_id: int, reason: str, by: str, ts: str) -> bool:
    """Mark a session as ended by ``by``; False when it is gone or already ending."""
    return db.execute(
        "UPDATE sessions SET end_reason = ?, ended_by = ?, ended_at = ? "
        "WHERE id = ? AND end_reason IS NULL", (reason, by, ts, session_id),
    ) == 1


def end(db: Database, session_id: int) -> bool:
    return db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)) == 1
