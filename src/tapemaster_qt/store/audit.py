"""The append-only ``audit`` table (the backend forbids UPDATE and DELETE on it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tapemaster_qt.records import AuditEvent
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.interface import AuditRow

_COLUMNS = ("id", "ts", "actor", "user_id", "program", "host", "event", "detail")
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM audit"
_INSERT = ("INSERT INTO audit (ts, actor, user_id, program, host, event, detail) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")
_SEARCHED = ("user_id", "event", "actor", "detail", "program", "host")
"""The columns the Audit Log's filter box searches."""


def _where(db: Database, user_id: str | None, before_id: int | None, text: str | None
           ) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        clauses.append("user_id = ?")
        params.append(user_id)
    if before_id is not None:
        clauses.append("id < ?")
        params.append(int(before_id))
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(" + " OR ".join(db.dialect.ci_like(c) for c in _SEARCHED) + ")")
        params.extend([like] * len(_SEARCHED))
    return ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params


def events(db: Database, *, user_id: str | None = None, limit: int | None = None,
           before_id: int | None = None, text: str | None = None) -> list[AuditEvent]:
    """Newest first; ``before_id`` pages backwards through a large log."""
    where, params = _where(db, user_id, before_id, text)
    sql = _SELECT + where + " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [AuditEvent(**r) for r in db.rows(sql, params)]


def count(db: Database, *, user_id: str | None = None, text: str | None = None) -> int:
    where, params = _where(db, user_id, None, text)
    return int(db.value("SELECT count(*) FROM audit" + where, params))


def last(db: Database, user_id: str, event: str) -> AuditEvent | None:
    """The newest ``event`` about ``user_id`` (the ``audit_user`` index finds it)."""
    row = db.row(_SELECT + " WHERE user_id = ? AND event = ? ORDER BY id DESC LIMIT 1",
                 (user_id, event))
    return None if row is None else AuditEvent(**row)


# --- writes (inside a write transaction) --------------------------------------------


def append(db: Database, *, ts: str, actor: str, user_id: str | None, program: str,
           host: str, event: str, detail: str = "") -> int:
    return db.insert(_INSERT, (ts, actor, user_id, program, host, event, detail))


def append_many(db: Database, rows: Iterable[AuditRow]) -> None:
    db.executemany(_INSERT, rows)
