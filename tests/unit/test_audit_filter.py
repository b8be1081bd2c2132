"""The Audit Log's filters in the store and the audit service (issue 11 item 7).

What a filter selects is checked against a plain Python reading of the same rows (an
independent oracle), whatever index the store reads through: the trigram index for a
text of three characters or more, the rows themselves for a shorter one, one index per
kind merged page by page.
"""

from __future__ import annotations

import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapemaster_qt.errors import StoreUnavailableError, ValidationError
from tapemaster_qt.records import AuditEvent, AuditFilter, EventKind, intersect_kinds
from tapemaster_qt.services import Context
from tapemaster_qt.services.audit import (
    FAILURES,
    KINDS,
    OTP_EVENTS,
    AuditLog,
    Event,
    FailReason,
    is_failure,
    kind_of,
)
from tapemaster_qt.services.context import Actor
from tapemaster_qt.store import Store, audit, migrations, open_store
from tapemaster_qt.store import sqlite as sqlite_backend
from unit.support import UNDO_AUDIT_SEARCH

BEFORE = migrations.MIGRATIONS.index(migrations.V6_AUDIT_SEARCH)
"""The store version before the Audit Log's indexes (found by name, not by number)."""
SEARCHED = ("user_id", "event", "actor", "detail", "program", "host")

# (ts, actor, user_id, program, host, event, detail): what the services write, and text
# an attacker would put where the filter looks (FTS5 syntax, LIKE wildcards, quotes).
ROWS = [
    ("2026-03-01T08:00:00.000+00:00", "alice", "alice", "TapeMaster", "desk-1",
     "login_succeeded", "otp"),
    ("2026-03-01T08:01:00.000+00:00", "-", None, "Lite", "desk-2", "login_failed",
     "unknown_user"),
    ("2026-03-01T09:00:00.000+00:00", "bob", "bob", "Checkpoint", "desk-2", "login_failed",
     "bad_password"),
    ("2026-03-02T09:00:00.000+00:00", "bob", "bob", "Checkpoint", "desk-2", "login_failed",
     "disabled; bad_password"),
    ("2026-03-02T10:00:00.000+00:00", "carol", "carol", "TapeMaster", "desk-1",
     "login_failed", "bad_otp; clock skew"),
    ("2026-03-02T10:00:00.000+00:00", "carol", "carol", "TapeMaster", "desk-1",
     "otp_clock_skew", "device clock off by -3600s"),
    ("2026-03-02T11:00:00.000+00:00", "carol", "carol", "TapeMaster", "desk-1",
     "login_failed", "bad_otp"),
    ("2026-03-03T11:00:00.000+00:00", "carol", "carol", "TapeMaster", "desk-1",
     "login_failed", "bad_otp_not_a_reason"),
    ("2026-03-03T12:00:00.000+00:00", "tapemaster", "dan", "TapeMaster", "desk-1",
     "user_updated", 'changed: Name, E-mail "quoted" 100%_done \\ back'),
    ("2026-03-04T12:00:00.000+00:00", "cli:root@h\\x1b[31m", None, "tapemaster-admin",
     "h\\x1b[31m", "group_created", "OPS"),
    ("2026-03-04T13:00:00.000+00:00", "tapemaster", "Ärger", "TapeMaster", "dësk",
     "user_created", "NEAR(a b) AND c* OR ^d col:e -f"),
    ("2026-03-05T13:00:00.000+00:00", "eve", "eve", "Lite", "desk-3", "otp_enrollment_shown",
     ""),
    ("2026-03-05T14:00:00.000+00:00", "eve", "eve", "Lite", "desk-3", "otp_activated", ""),
    ("2026-03-05T15:00:00.000+00:00", "eve", "eve", "Lite", "desk-3", "login_failed",
     "otp_required"),
    ("2026-03-06T15:00:00.000+00:00", "eve", "eve", "Lite", "desk-3", "account_revoked",
     "6 consecutive failed logons"),
]


def ascii_fold(text: str) -> str:
    """What SQLite's LIKE ignores: the case of ASCII letters, and only theirs."""
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


def oracle(events: list[AuditEvent], where: AuditFilter) -> list[int]:
    """The ids ``where`` selects, newest first, read row by row in Python."""
    def kind_matches(event: AuditEvent, kinds: frozenset[EventKind]) -> bool:
        kind = kind_of(event.event, event.detail)
        return kind in kinds or (kind[0], None) in kinds

    chosen = []
    for e in events:
        if where.user_id is not None and e.user_id != where.user_id:
            continue
        if where.since is not None and e.ts < where.since:
            continue
        if where.until is not None and e.ts >= where.until:
            continue
        if where.kinds is not None and not kind_matches(e, where.kinds):
            continue
        if where.text:
            needle = ascii_fold(where.text)
            found = any(needle in ascii_fold(getattr(e, c) or "") for c in SEARCHED)
            if not found and not kind_matches(e, where.worded):
                continue
        chosen.append(e.id)
    return sorted(chosen, reverse=True)


@pytest.fixture
def filled(store: Store) -> tuple[Store, list[AuditEvent]]:
    with store.write() as tx:
        tx.append_audit_many(ROWS[:5])
        for row in ROWS[5:]:
            ts, actor, user_id, program, host, event, detail = row
            tx.append_audit(ts=ts, actor=actor, user_id=user_id, program=program, host=host,
                            event=event, detail=detail)
    events = sorted(store.audit_events(), key=lambda e: e.id)
    return store, events


def ids(events: list[AuditEvent]) -> list[int]:
    return [e.id for e in events]


TEXTS = ["alice", "ALICE", "Bad_Pass", "bad_otp", "otp", "desk-2", "clock", "lock",
         "ok", "o", "e", "_", "%", "\\", '"', '"quoted"', "100%_d", "%_", "NEAR(a",
         "AND c*", "^d", "col:e", "-f", "OR", "x1b[31", "h\\x", "ärger", "Ärger", "ÄRGER",
         "dësk", "zzz", "zz", "  alice  ", "e;", "bad_otp;", "a b", "ed: N"]


@pytest.mark.parametrize("text", TEXTS)
def test_the_text_filter_finds_what_like_finds(filled, text: str) -> None:
    store, events = filled
    where = AuditFilter(text=text.strip())
    assert ids(store.audit_events(where)) == oracle(events, where)
    assert store.count_audit(where) == len(oracle(events, where))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(text=st.text(alphabet='abcdeklorstu_-;:*^()"%\\ ÄäëO1', min_size=1, max_size=8))
def test_any_text_finds_what_like_finds(filled, text: str) -> None:
    store, events = filled
    where = AuditFilter(text=text)
    assert ids(store.audit_events(where)) == oracle(events, where)


def test_the_index_follows_every_way_of_appending(store: Store) -> None:
    """One row, many rows in several multi-row chunks, and a row written by another
    program straight into the table: each is found by its text at once."""
    many = [("2026-01-01T00:00:00.000+00:00", "bulk", f"imp{i:05d}", "TapeMaster", "h",
             "user_created", "imported; no password") for i in range(audit.CHUNK * 2 + 7)]
    with store.write() as tx:
        tx.append_audit(ts="2026-01-01T00:00:00.000+00:00", actor="one", user_id="solo",
                        program="Lite", host="h", event="logged_out", detail="inactivity")
        tx.append_audit_many(many)
    store.db.connection.execute(  # (the id after the chain's: a server takes none other)
        "INSERT INTO audit (id, ts, actor, user_id, program, host, event, detail) "
        "SELECT max(id) + 1, '2026-01-02T00:00:00.000+00:00', 'other', 'raw-row', 'X', 'h', "
        "'e', 'd' FROM audit")
    assert ids(store.audit_events(text="solo")) != []
    assert [e.user_id for e in store.audit_events(text="imp01007")] == []
    assert [e.user_id for e in store.audit_events(text="imp01006")] == ["imp01006"]
    assert store.count_audit(text="imp0") == len(many)
    assert [e.user_id for e in store.audit_events(text="raw-row")] == ["raw-row"]
    if store.db.dialect.substring_index == "fts5":
        # FTS5's own check: raises unless the index holds exactly the table's rows.
        store.db.connection.execute(
            "INSERT INTO audit_text(audit_text) VALUES ('integrity-check')")


def test_the_migration_indexes_what_a_store_already_holds(data_dir: Path) -> None:
    """A store of the version before the Audit Log's indexes, with audit rows, opened
    by this version: its rows are found by text and by kind without anyone appending
    again."""
    open_store(data_dir).close()
    with sqlite3.connect(data_dir / "tapemaster.db") as conn:
        conn.executescript(UNDO_AUDIT_SEARCH + f"PRAGMA user_version = {BEFORE};")
        conn.executemany(
            "INSERT INTO audit (ts, actor, user_id, program, host, event, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    with open_store(data_dir) as store:
        assert store.db.schema_version() == len(migrations.MIGRATIONS)
        events = sorted(store.audit_events(), key=lambda e: e.id)
        for text in ("carol", "skew", "NEAR(a"):
            where = AuditFilter(text=text)
            assert ids(store.audit_events(where)) == oracle(events, where) != []
        otp = AuditFilter(kinds=OTP_EVENTS)
        assert ids(store.audit_events(otp)) == oracle(events, otp) != []
    assert list(data_dir.glob(f"tapemaster.db.v{BEFORE}-backup-*"))  # backed up first


KIND_SETS = {
    "failures": FAILURES,
    "otp": OTP_EVENTS,
    "failures and otp": intersect_kinds(FAILURES, OTP_EVENTS),
    "wrong password": frozenset({("login_failed", "bad_password")}),
    "wrong code": frozenset({("login_failed", "bad_otp")}),
    "nothing": frozenset(),
}


@pytest.mark.parametrize("name", KIND_SETS)
def test_kinds_select_what_the_rows_say(filled, name: str) -> None:
    store, events = filled
    where = AuditFilter(kinds=KIND_SETS[name])
    assert ids(store.audit_events(where)) == oracle(events, where)


def test_a_reason_is_the_first_part_of_the_detail_only(filled) -> None:
    """"bad_otp" is the reason of "bad_otp" and "bad_otp; clock skew", not of
    "bad_otp_not_a_reason" nor of "disabled; bad_password"'s second part."""
    store, _events = filled
    wrong_code = store.audit_events(AuditFilter(kinds=KIND_SETS["wrong code"]))
    assert sorted(e.detail for e in wrong_code) == ["bad_otp", "bad_otp; clock skew"]
    wrong_password = store.audit_events(AuditFilter(kinds=KIND_SETS["wrong password"]))
    assert [e.detail for e in wrong_password] == ["bad_password"]


def test_otp_events_and_failures_meet_where_both_hold() -> None:
    both = intersect_kinds(FAILURES, OTP_EVENTS)
    assert ("login_failed", "bad_otp") in both
    assert ("otp_clock_skew", None) in both
    assert ("otp_activated", None) not in both
    assert ("login_failed", None) not in both
    assert all(is_failure(k) for k in both)


@pytest.mark.parametrize("where", [
    AuditFilter(user_id="carol"),
    AuditFilter(user_id="carol", kinds=OTP_EVENTS),
    AuditFilter(since="2026-03-02T00:00:00.000+00:00", until="2026-03-05T00:00:00.000+00:00"),
    AuditFilter(since="2026-03-02T10:00:00.000+00:00", kinds=FAILURES),
    AuditFilter(text="desk", kinds=FAILURES, until="2026-03-05T00:00:00.000+00:00"),
    AuditFilter(text="wrong", worded=frozenset({("login_failed", "bad_password")})),
    AuditFilter(text="wrong", worded=frozenset({("login_failed", "bad_password")}),
                kinds=OTP_EVENTS),
    AuditFilter(text="carol", worded=frozenset({("account_revoked", None)}),
                kinds=FAILURES),
], ids=str)
def test_filters_combine(filled, where: AuditFilter) -> None:
    store, events = filled
    assert ids(store.audit_events(where)) == oracle(events, where)


@pytest.mark.parametrize("where", [
    AuditFilter(), AuditFilter(kinds=FAILURES), AuditFilter(kinds=OTP_EVENTS),
    AuditFilter(text="desk", worded=frozenset({("otp_activated", None)})),
], ids=str)
@pytest.mark.parametrize("page", [1, 2, 3, 50])
def test_pages_read_backwards_without_gap_or_repeat(filled, where: AuditFilter,
                                                    page: int) -> None:
    store, events = filled
    read: list[int] = []
    before = None
    while True:
        got = store.audit_events(where, before_id=before, limit=page)
        read += ids(got)
        if len(got) < page:
            break
        before = got[-1].id
    assert read == oracle(events, where)


# --- the service -------------------------------------------------------------------------


@pytest.fixture
def log(ctx: Context) -> AuditLog:
    return AuditLog(ctx, Actor.for_user("tapemaster"))


@pytest.mark.parametrize(("where", "says"), [
    (AuditFilter(text="bad\x00"), "control or invisible"),
    (AuditFilter(text="a\u202eb"), "control or invisible"),
    (AuditFilter(text="\ud800x"), "control or invisible"),
    (AuditFilter(text="x" * 201), "at most 200"),
    (AuditFilter(user_id="no such id!"), "User-ID may hold only"),
    (AuditFilter(user_id="\udcff"), "User-ID may hold only"),
    (AuditFilter(since="2026-03-05T00:00:00.000+00:00",
                 until="2026-03-01T00:00:00.000+00:00"), "ends before it starts"),
    (AuditFilter(since="2026-03-05T00:00:00.000+00:00",
                 until="2026-03-05T00:00:00.000+00:00"), "ends before it starts"),
])
def test_the_service_refuses_a_filter_it_cannot_answer(log: AuditLog, where, says) -> None:
    with pytest.raises(ValidationError, match=says):
        log.page(None, 50, where=where)
    with pytest.raises(ValidationError, match=says):
        list(log.all(where))


def test_the_service_reads_everything_for_an_export(log: AuditLog, ctx: Context) -> None:
    with ctx.store.write() as tx:
        tx.append_audit_many(ROWS * 5)
    everything = list(log.all(AuditFilter(kinds=FAILURES), batch=4))
    assert len(everything) == 5 * sum(1 for r in ROWS if is_failure(kind_of(r[5], r[6])))
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    assert log.page(None, 3, where=AuditFilter(text="  carol  "))[0].user_id == "carol"


def test_every_kind_the_services_write_is_known() -> None:
    assert ("login_failed", "bad_otp") in KINDS
    assert ("login_failed", None) not in KINDS
    assert {k[0] for k in KINDS} == {str(e) for e in Event}
    assert {k[1] for k in KINDS if k[0] == "login_failed"} == {str(r) for r in FailReason}
    assert kind_of("login_failed", "disabled; bad_password") == ("login_failed", "disabled")
    assert kind_of("user_updated", "bad_otp") == ("user_updated", None)


# --- the SQLite library ------------------------------------------------------------------


class _NoFts5:
    """A connection whose SQLite was built without FTS5."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):  # type: ignore[no-untyped-def]
        if "fts5" in sql:
            raise sqlite3.OperationalError("no such module: fts5")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._conn, name)


def test_an_sqlite_without_fts5_is_refused_before_anything_is_written(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(data_dir).close()
    with sqlite3.connect(data_dir / "tapemaster.db") as conn:
        conn.executescript(UNDO_AUDIT_SEARCH + f"PRAGMA user_version = {BEFORE};")
    real = sqlite_backend.require_trigram_search
    monkeypatch.setattr(sqlite_backend, "require_trigram_search",
                        lambda conn: real(_NoFts5(conn)))  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailableError, match="lacks full-text search") as refused:
        open_store(data_dir)
    assert "store was left untouched" in refused.value.message
    with sqlite3.connect(data_dir / "tapemaster.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE
    assert not list(data_dir.glob("*backup*"))
