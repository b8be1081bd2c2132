"""The append-only ``audit`` table and its hash chain.

Each row appended carries ``hash``: the chain value after it
(``sealing.chain_link(previous, (id, ts, actor, user_id, program, host, event,
detail))``), and ids follow each other. The head (``head.py``, sealed) holds the last
row's id and chain value, and, for a store sealed by an upgrade, the chain value of the
rows that were in the log before the chain began (``audit_base_*``; those rows carry no
hash of their own). So a row removed, changed or inserted anywhere, or appended outside
TapeMaster, breaks the chain: :func:`check_tail` sees it cheaply among the newest rows
and at the end, :func:`check_all` everywhere. Backends refuse UPDATE and DELETE on the
table (SQLite by triggers, PostgreSQL by the application role's grants).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tapemaster_qt.records import AuditChainStatus, AuditEvent
from tapemaster_qt.store import sealing
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.head import Head, Ledger
from tapemaster_qt.store.interface import AuditRow

_COLUMNS = ("id", "ts", "actor", "user_id", "program", "host", "event", "detail")
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM audit"
_INSERT = ("INSERT INTO audit (id, ts, actor, user_id, program, host, event, detail, hash) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_CHAINED = "SELECT " + ", ".join(_COLUMNS) + ", hash FROM audit"
_SEARCHED = ("user_id", "event", "actor", "detail", "program", "host")
"""The columns the Audit Log's filter box searches."""
TAIL_ROWS = 1000
"""How many of the newest rows :func:`check_tail` follows link by link."""
_BATCH = 50_000


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
# --- the chain ----------------------------------------------------------------------


def _broken(checked: int, whole: bool, problem: str, row_id: int | None) -> AuditChainStatus:
    return AuditChainStatus(False, checked, whole, problem, row_id)


def _link_problem(row_id: int) -> str:
    return (f"the audit log's hash chain is broken at row {row_id}: a row there or just "
            "before it was changed, removed or inserted outside TapeMaster")


def _check_end(db: Database, head: Head, whole: bool, checked: int
               ) -> AuditChainStatus | None:
    last = db.value("SELECT max(id) FROM audit")
    last = 0 if last is None else int(last)
    if last > head.audit_id:
        extra = int(db.value("SELECT count(*) FROM audit WHERE id > ?", (head.audit_id,)))
        return _broken(checked, whole, f"{extra} audit row(s) after row {head.audit_id} were "
                       "added outside TapeMaster", head.audit_id + 1)
    if last < head.audit_id:
        return _broken(checked, whole, f"the newest audit rows (up to row {head.audit_id}) "
                       "were removed outside TapeMaster", last + 1)
    return None


def check_tail(db: Database, head: Head, rows: int = TAIL_ROWS) -> AuditChainStatus:
    """The end of the log against the sealed head, and the links of its newest
    ``rows`` rows: cheap enough for every time the log is shown."""
    end = _check_end(db, head, False, 0)
    if end is not None:
        return end
    first = max(head.audit_base_id, head.audit_id - rows) + 1
    if first > head.audit_id:
        return AuditChainStatus(True, 0, False)
    chained = db.tuples(_CHAINED + " WHERE id >= ? ORDER BY id", (first,))
    if first == head.audit_base_id + 1:
        previous: bytes | None = head.audit_base_hash
    else:
        found = db.value("SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1",
                         (first,))
        previous = None if found is None else bytes(found)
    checked, previous, bad = _links(chained, previous)
    return _verdict(head, checked, previous, bad, whole=False)


def _links(chained: list[tuple[Any, ...]], previous: bytes | None
           ) -> tuple[int, bytes | None, int | None]:
    """Follow chained rows (``*row, hash``) from ``previous``: (rows checked, the last
    chain value, the id of the first row whose link is broken)."""
    for checked, (*row, stored) in enumerate(chained, 1):
        if previous is None or stored is None or sealing.chain_link(previous, row) != stored:
            return checked, previous, int(row[0])
        previous = bytes(stored)
    return len(chained), previous, None


def _verdict(head: Head, checked: int, previous: bytes | None, bad: int | None, *,
             whole: bool) -> AuditChainStatus:
    if bad is not None:
        return _broken(checked, whole, _link_problem(bad), bad)
    if previous != head.audit_hash:
        return _broken(checked, whole, "the audit log's newest row does not match its "
                       "sealed end: rows were replaced outside TapeMaster", head.audit_id)
    return AuditChainStatus(True, checked, whole)


def check_all(db: Database, head: Head) -> AuditChainStatus:
    """Every row of the log, from the first: on demand (``audit --verify``)."""
    end = _check_end(db, head, True, 0)
    if end is not None:
        return end
    value, last, checked = sealing.CHAIN_START, 0, 0
    # The rows from before the chain began: their fold must give the sealed base value.
    while last < head.audit_base_id:
        batch = db.tuples(_SELECT + " WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                          (last, head.audit_base_id, _BATCH))
        if not batch:
            break
        value = sealing.chain_fold(value, batch)
        last, checked = int(batch[-1][0]), checked + len(batch)
    if value != head.audit_base_hash:
        return _broken(checked, True, "audit rows from before the hash chain began were "
                       "changed or removed outside TapeMaster", None)
    previous: bytes | None = value
    bad: int | None = None
    while bad is None:
        batch = db.tuples(_CHAINED + " WHERE id > ? ORDER BY id LIMIT ?", (last, _BATCH))
        if not batch:
            break
        done, previous, bad = _links(batch, previous)
        checked += done
        last = int(batch[-1][0])
    return _verdict(head, checked, previous, bad, whole=True)


def fold_all(db: Database) -> tuple[int, bytes]:
    """The last id and the chain value over every row as it is now (a store sealed by an
    upgrade, or accepted after review, starts its chain there)."""
    value, last = sealing.CHAIN_START, 0
    while True:
        batch = db.tuples(_SELECT + " WHERE id > ? ORDER BY id LIMIT ?", (last, _BATCH))
        if not batch:
            return last, value
        value = sealing.chain_fold(value, batch)
        last = int(batch[-1][0])


# --- writes (inside a write transaction) --------------------------------------------


def append(db: Database, ledger: Ledger, *, ts: str, actor: str, user_id: str | None,
           program: str, host: str, event: str, detail: str = "") -> int:
    row = (ts, actor, user_id, program, host, event, detail)
    ((row_id, value),) = ledger.chain([row])
    db.execute(_INSERT, (row_id, *row, value))
    return row_id


def append_many(db: Database, ledger: Ledger, rows: Iterable[AuditRow]) -> None:
    listed = list(rows)
    chained = ledger.chain(listed)
    db.executemany(_INSERT, ((row_id, *row, value)
                             for (row_id, value), row in zip(chained, listed, strict=True)))
