"""The append-only ``audit`` table (the backend forbids UPDATE and DELETE on it), and
reading it through the Audit Log's filters.

Reading a page (:func:`events`) is newest first, ``limit`` rows below ``before_id``.
What makes it fast over millions of rows:

- **text** (part of any stored field): an index of every three-character sequence
  (trigram) of the searched columns, so a substring is found without reading the
  table. SQLite keeps it in the FTS5 table ``audit_text``, filled by a trigger on every
  INSERT, however the row is written (migration 6); PostgreSQL in a pg_trgm GIN index
  on the columns joined (:attr:`~.database.Dialect.substring_index`). The index only
  finds candidates; each is checked with LIKE, so the answer is exactly LIKE's. Texts
  under three characters have no trigram and are searched by reading the rows;
- **kinds** (an event, and for a failed logon its reason): the indexes
  ``audit_event (event, id)`` and ``audit_failure (event, detail, id)`` (failed logons
  only) read each kind newest first. Kinds are read one query each (given an OR or an
  IN list of them, a database may sort every matching row) and the pages merged here;
- a User-ID uses ``audit_user (user_id, id)``; a date range is a condition on the rows
  read in id order.

**Appending many rows** goes through multi-row INSERTs of :data:`CHUNK` rows, never
``executemany``: FTS5 writes what it has indexed so far to disk at the start of every
statement that touches it within a transaction (its savepoint), so 100,000 single-row
INSERTs leave 100,000 tiny index segments to merge and take ten times as long.

**The hash chain.** Each row appended carries ``hash``: the chain value after it
(``sealing.chain_link(previous, (id, ts, actor, user_id, program, host, event,
detail))``), and ids follow each other. The head (``head.py``, sealed) holds the last
row's id and chain value, and, for a store sealed by an upgrade, the chain value of the
rows that were in the log before the chain began (``audit_base_*``; those rows carry no
hash of their own). So a row removed, changed or inserted anywhere, or appended outside
TapeMaster, breaks the chain: :func:`check_tail` sees it cheaply among the newest rows
and at the end, :func:`check_all` everywhere. Backends refuse UPDATE and DELETE on the
table (SQLite by triggers, PostgreSQL by the application role's grants), which also
keeps the text index (filled on INSERT only) in step with the table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tapemaster_qt.records import (
    AuditChainStatus,
    AuditEvent,
    AuditFilter,
    EventKind,
    intersect_kinds,
)
from tapemaster_qt.store import sealing
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.head import Head, Ledger
from tapemaster_qt.store.interface import AuditRow

_COLUMNS = ("id", "ts", "actor", "user_id", "program", "host", "event", "detail")
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM audit"
_SELECT_A = "SELECT " + ", ".join(f"a.{c}" for c in _COLUMNS)
"""The columns of ``audit a``, for the filters' reads (which may join the index)."""
_INSERT = "INSERT INTO audit (id, ts, actor, user_id, program, host, event, detail, hash) VALUES "
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
CHUNK = 500
"""Rows per multi-row INSERT (9 parameters each: far below any backend's limit)."""
_CHAINED = "SELECT " + ", ".join(_COLUMNS) + ", hash FROM audit"
SEARCHED = ("user_id", "event", "actor", "detail", "program", "host")
"""The columns the Audit Log's filter box searches (and ``audit_text`` indexes)."""
TRIGRAM = 3
"""A text shorter than this has no trigram: the index cannot find it."""
REASON_END = ";"
"""Ends a failed logon's reason in its detail (``bad_otp; clock skew``)."""
FAILED_LOGON = "login_failed"
"""The event whose detail starts with a reason, indexed by it (``audit_failure``)."""
TAIL_ROWS = 1000
"""How many of the newest rows :func:`check_tail` follows link by link."""
_BATCH = 50_000


# --- the conditions ---------------------------------------------------------------------


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_query(text: str) -> str:
    """The FTS5 query for ``text``: each of its trigrams, quoted (so that no character
    of the text is FTS5 syntax), all of them required."""
    grams = dict.fromkeys(text[i:i + TRIGRAM] for i in range(len(text) - TRIGRAM + 1))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _text_source(db: Database, text: str) -> tuple[str, str, list[Any], str]:
    """Where rows matching ``text`` come from: the FROM clause, the condition, its
    parameters and the id column to order and page by (``a`` is the audit table)."""
    dialect = db.dialect
    pattern = _like_pattern(text)
    if dialect.substring_index == "expression":
        joined = dialect.searched_text([f"a.{c}" for c in SEARCHED])
        return "audit a", dialect.ci_like(f"({joined})"), [pattern], "a.id"
    exact = "(" + " OR ".join(dialect.ci_like(f"a.{c}") for c in SEARCHED) + ")"
    likes = [pattern] * len(SEARCHED)
    if dialect.substring_index == "fts5" and len(text) >= TRIGRAM:
        return ("audit_text JOIN audit a ON a.id = audit_text.rowid",
                f"audit_text MATCH ? AND {exact}", [_fts_query(text), *likes],
                "audit_text.rowid")
    return "audit a", exact, likes, "a.id"


def _kind_condition(db: Database, kind: EventKind) -> tuple[str, list[Any]]:
    """Rows of one kind, as a condition (used where another index drives the read)."""
    event, reason = kind
    if reason is None:
        return "a.event = ?", [event]
    starts, params = db.dialect.starts_with("a.detail", reason + REASON_END)
    return f"(a.event = ? AND (a.detail = ? OR {starts}))", [event, reason, *params]


def _kinds_condition(db: Database, kinds: Iterable[EventKind]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for kind in sorted(kinds, key=_kind_order):
        sql, values = _kind_condition(db, kind)
        parts.append(sql)
        params += values
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), params


def _kind_order(kind: EventKind) -> tuple[str, str]:
    return kind[0], kind[1] or ""


def _kind_arms(db: Database, kinds: Iterable[EventKind]) -> list[tuple[str, list[Any]]]:
    """Conditions that each read one index newest first; together, ``kinds``."""
    whole = sorted({event for event, reason in kinds if reason is None})
    # One read per event: given a list of events, a database may pick the index on
    # (event, detail, id) and sort every row of them.
    arms: list[tuple[str, list[Any]]] = [("a.event = ?", [event]) for event in whole]
    for event, reason in sorted((k for k in kinds if k[1] is not None), key=_kind_order):
        if event in whole:
            continue  # the whole event is read already
        assert reason is not None
        # The index of failed logons by reason is partial: a database uses it only for
        # a query that names the event as it does, a literal.
        named = f"a.event = '{FAILED_LOGON}'" if event == FAILED_LOGON else "a.event = ?"
        given = [] if event == FAILED_LOGON else [event]
        arms.append((f"{named} AND a.detail = ?", [*given, reason]))
        starts, params = db.dialect.starts_with("a.detail", reason + REASON_END)
        arms.append((f"{named} AND {starts}", [*given, *params]))
    return arms


def _common(where: AuditFilter) -> tuple[list[str], list[Any]]:
    """The conditions every read shares: User-ID and date range."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.user_id is not None:
        clauses.append("a.user_id = ?")
        params.append(where.user_id)
    if where.since is not None:
        clauses.append("a.ts >= ?")
        params.append(where.since)
    if where.until is not None:
        clauses.append("a.ts < ?")
        params.append(where.until)
    return clauses, params


# --- reading ----------------------------------------------------------------------------


def _read(db: Database, source: str, clauses: list[str], params: list[Any], ident: str,
          before_id: int | None, limit: int | None) -> list[AuditEvent]:
    clauses, params = list(clauses), list(params)
    if before_id is not None:
        clauses.append(f"{ident} < ?")
        params.append(int(before_id))
    sql = f"{_SELECT_A} FROM {source}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {ident} DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [AuditEvent(*row) for row in db.tuples(sql, params)]


def _plans(db: Database, where: AuditFilter) -> list[tuple[str, list[str], list[Any], str]]:
    """The reads whose rows, merged, are the rows ``where`` selects: (FROM clause,
    conditions, parameters, id column)."""
    common, common_params = _common(where)
    plans: list[tuple[str, list[str], list[Any], str]] = []
    text = where.text or None
    if text is not None:
        source, condition, params, ident = _text_source(db, text)
        clauses, values = [*common, condition], [*common_params, *params]
        if where.kinds is not None:
            kinds_sql, kinds_params = _kinds_condition(db, where.kinds)
            clauses.append(kinds_sql)
            values += kinds_params
        plans.append((source, clauses, values, ident))
        worded = (where.worded if where.kinds is None
                  else intersect_kinds(where.worded, where.kinds))
        kinds: frozenset[EventKind] | None = worded
    else:
        kinds = where.kinds
    if kinds is None:
        plans.append(("audit a", common, common_params, "a.id"))
    else:
        for condition, params in _kind_arms(db, kinds):
            plans.append(("audit a", [*common, condition], [*common_params, *params],
                          "a.id"))
    return plans


def events(db: Database, where: AuditFilter | None = None, *, limit: int | None = None,
           before_id: int | None = None) -> list[AuditEvent]:
    """The rows ``where`` selects, newest first: ``limit`` of them below ``before_id``
    (None: from the newest), so a large log is read a page at a time."""
    plans = _plans(db, where or AuditFilter())
    pages = [_read(db, source, clauses, params, ident, before_id, limit)
             for source, clauses, params, ident in plans]
    if len(pages) == 1:
        return pages[0]
    merged: list[AuditEvent] = []
    seen: set[int] = set()
    for event in heapq.merge(*pages, key=lambda e: e.id, reverse=True):
        if event.id not in seen:
            seen.add(event.id)
            merged.append(event)
            if limit is not None and len(merged) >= limit:
                break
    return merged


def iterate(db: Database, where: AuditFilter | None = None, *, batch: int = 5000
            ) -> Iterator[AuditEvent]:
    """Every row ``where`` selects, newest first, read ``batch`` at a time."""
    before: int | None = None
    while True:
        page = events(db, where, limit=batch, before_id=before)
        yield from page
        if len(page) < batch:
            return
        before = page[-1].id


def count(db: Database, where: AuditFilter | None = None) -> int:
    """How many rows ``where`` selects."""
    plans = _plans(db, where or AuditFilter())
    if len(plans) == 1:
        source, clauses, params, _ident = plans[0]
        sql = f"SELECT count(*) FROM {source}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return int(db.value(sql, params))
    return sum(1 for _ in iterate(db, where))  # the reads may overlap: count each once


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


def hash_at(db: Database, audit_id: int) -> bytes | None:
    """The chain hash stored with audit row ``audit_id`` (32 zero bytes for a row from
    before the chain; None: no such row): what this account's mark remembers."""
    if audit_id <= 0:
        return None
    row = db.tuples("SELECT hash FROM audit WHERE id = ?", (audit_id,))
    if not row:
        return None
    value = row[0][0]
    return bytes(32) if value is None else bytes(value)


def rows_after(db: Database, audit_id: int) -> int:
    """How many audit rows lie beyond ``audit_id`` (the sealed head's last row): any is
    a row added outside TapeMaster. A primary-key lookup first, counted only then."""
    last = db.value("SELECT max(id) FROM audit")
    if last is None or int(last) <= audit_id:
        return 0
    return int(db.value("SELECT count(*) FROM audit WHERE id > ?", (audit_id,)))


def append(db: Database, ledger: Ledger, *, ts: str, actor: str, user_id: str | None,
           program: str, host: str, event: str, detail: str = "") -> int:
    row = (ts, actor, user_id, program, host, event, detail)
    ((row_id, value),) = ledger.chain([row])
    db.execute(_INSERT + _ROW, (row_id, *row, value))
    return row_id


def append_many(db: Database, ledger: Ledger, rows: Iterable[AuditRow]) -> None:
    """Append rows, chained, in multi-row INSERTs of :data:`CHUNK` (see the module
    docstring: FTS5 flushes at every statement)."""
    listed = list(rows)
    chained = ledger.chain(listed)
    linked = [(row_id, *row, value)
              for (row_id, value), row in zip(chained, listed, strict=True)]
    for chunk in _chunks(linked, CHUNK):
        db.execute(_INSERT + ", ".join([_ROW] * len(chunk)),
                   [value for row in chunk for value in row])


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
