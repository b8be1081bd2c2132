"""What the unit tests share: users in a known state, codes, audit look-ups.

Codes are always computed with ``helpers.rfc_totp`` (the RFC written out), never with
the code under test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from helpers import rfc_totp, secret_from_uri
from tapemaster_qt.records import AuditEvent
from tapemaster_qt.services import totp
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.store import Store

PASSWORD = "Alice-Secret-42"


def wrong_code(secret: bytes, now: float) -> str:
    """A well-formed code that matches ``secret`` at no step the service looks at
    (window or skew diagnosis), so "wrong" can never turn into "skewed" by chance."""
    current = totp.time_step(now)
    steps = set(totp.skew_candidates(current)) | set(range(current - 1, current + 2))
    taken = {rfc_totp(secret, s * 30) for s in steps}
    return next(c for c in (f"{n:06d}" for n in range(10**6)) if c not in taken)


def skewed_code(secret: bytes, clock, offset: int) -> str:
    """The code a device whose clock is ``offset`` seconds off shows now. The clock is
    moved on (rarely needed) until no other step the service looks at shares that
    code, so the diagnosis can only find this offset."""
    while True:
        current = totp.time_step(clock.now)
        target = totp.time_step(clock.now + offset)
        code = rfc_totp(secret, clock.now + offset)
        others = set(totp.skew_candidates(current)) | set(range(current - 1, current + 2))
        if all(rfc_totp(secret, s * 30) != code for s in others - {target}):
            return code
        clock.advance(30)


def enrol(logon: LogonService, user_id: str, password: str = PASSWORD) -> bytes:
    """Log on without a code while OTP is not activated; the secret the QR carries."""
    outcome = logon.logon(user_id, password)
    assert outcome.status is LogonStatus.ENROLMENT, outcome
    assert outcome.provisioning_uri is not None
    return secret_from_uri(outcome.provisioning_uri)


def events(store: Store, event: str | None = None, user_id: str | None = None
           ) -> list[AuditEvent]:
    """Audit rows, oldest first, optionally of one event and/or one user."""
    rows = list(reversed(store.audit_events(user_id=user_id)))
    return [e for e in rows if event is None or e.event == event]


def open_again(data_dir: Path, **options: Any) -> Store:
    """Another connection to the test's store, as another program opens it: the SQLite
    store in ``data_dir``, or, for a test on PostgreSQL, the same database as the app
    role."""
    import pgfixtures
    from tapemaster_qt.store import open_store

    db = pgfixtures.raw_stores.get(data_dir)
    return open_store(data_dir if db is None else db.location(), **options)


INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
try:
    import psycopg

    INTEGRITY_ERRORS += (psycopg.errors.IntegrityError,)
except ImportError:  # a machine without psycopg runs the SQLite half only
    pass
"""What the database itself raises for a broken constraint, behind the store."""


def on_postgresql(data_dir: Path) -> bool:
    """Whether the test's store is a PostgreSQL database (see :func:`raw_db`)."""
    import pgfixtures

    return pgfixtures.raw_stores.get(data_dir) is not None


@contextmanager
def raw_db(data_dir: Path) -> Iterator[Any]:
    """The store as an attacker (or another program) with write access sees it: the
    SQLite file, or, for a test on PostgreSQL, the database with a desktop's own
    credentials (the app role). Either answers ``execute(sql, params)`` with ``?``
    placeholders."""
    import pgfixtures

    if pgfixtures.raw_stores.get(data_dir) is not None:
        yield _PgRaw(pgfixtures.raw_stores.connection(data_dir))
        return
    with closing(sqlite3.connect(data_dir / "tapemaster.db", isolation_level=None)) as conn:
        yield conn


class _PgRaw:
    """A psycopg connection taking the portable SQL the tests write for SQLite."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        from tapemaster_qt.store.postgresql import PostgreSQLDialect

        if not params:
            return self._conn.execute(sql)
        return self._conn.execute(PostgreSQLDialect().sql(sql), params)


UNDO_VERSION_4 = """
    DROP TRIGGER users_uid_given; DROP INDEX users_uid; ALTER TABLE users DROP COLUMN uid;
    DROP INDEX sessions_user_uid;
    ALTER TABLE sessions DROP COLUMN user_uid; ALTER TABLE sessions DROP COLUMN otp_mark;
    ALTER TABLE sessions DROP COLUMN end_reason; ALTER TABLE sessions DROP COLUMN ended_by;
    ALTER TABLE sessions DROP COLUMN ended_at;
    PRAGMA user_version = 3;
"""
"""Takes a store back to schema version 3, before users had a uid (an older release)."""
