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


UNDO_AUDIT_SEARCH = """
    DROP TRIGGER audit_text_insert; DROP TABLE audit_text; DROP INDEX audit_failure;
"""
"""Takes away what the Audit Log's indexes added (migrations.V6_AUDIT_SEARCH); the test
then sets ``PRAGMA user_version`` to the version before it, found by name."""


# --- an attacker with write access to the store folder, without its key ------------------


def reseal_everything(data_dir: Path, raw_key: bytes, store_id: str | None = None) -> str:
    """What someone who may write the store folder, but has not its key, does with a key
    of their own (the attack of issue 9 item 3): optionally a new store id, then the
    key check, every seal and digest term, every last-known-good copy and the head made
    with their key, which they drop beside the store as ``store.key``. This project's
    own crypto stands in for their offline tools. Returns the store id now in force."""
    import base64
    import os

    from tapemaster_qt.store import sealing
    from tapemaster_qt.store.crypto import Sealer

    with raw_db(data_dir) as conn:
        conn.row_factory = sqlite3.Row
        current = conn.execute("SELECT value FROM settings WHERE key = 'store_id'").fetchone()[0]
        sid = store_id or current
        sealer = Sealer(raw_key, sid)
        conn.execute("BEGIN")
        conn.execute("UPDATE settings SET value = ? WHERE key = 'store_id'", (sid,))
        conn.execute("UPDATE settings SET value = ? WHERE key = 'key_check'",
                     (sealer.key_check().hex(),))
        from tapemaster_qt.store.settings import SEALED_ROWS

        for row in conn.execute("SELECT key, value FROM settings WHERE "  # noqa: S608
                                + SEALED_ROWS).fetchall():
            mac = sealing.seal_setting(sealer, row["key"], row["value"])
            conn.execute("UPDATE settings SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE key = ?",
                         (mac, *sealing.terms(mac), row["key"]))
        for row in conn.execute("SELECT * FROM users").fetchall():
            user = dict(row)
            mac = sealing.seal_user(sealer, user)
            conn.execute("UPDATE users SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE user_id = ?",
                         (mac, *sealing.terms(mac), user["user_id"]))
            text = sealing.copy_text(user)
            conn.execute("UPDATE user_copies SET copy = ?, mac = ? WHERE user_id = ?",
                         (text, sealing.seal_copy(sealer, user["user_id"], text),
                          user["user_id"]))
        for row in conn.execute("SELECT * FROM groups").fetchall():
            mac = sealing.seal_group(sealer, dict(row))
            conn.execute("UPDATE groups SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? "
                         "WHERE group_id = ?", (mac, *sealing.terms(mac), row["group_id"]))
        for row in conn.execute("SELECT * FROM recovery_codes").fetchall():
            mac = sealing.seal_recovery_code(sealer, dict(row))
            conn.execute("UPDATE recovery_codes SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? "
                         "WHERE id = ?", (mac, *sealing.terms(mac), row["id"]))
        digest = sealing.Digest()
        for table in sealing.SEALED_TABLES:
            where = f" WHERE {SEALED_ROWS}" if table == "settings" else ""
            digest.sums[table] = list(conn.execute(
                f"SELECT count(*), coalesce(sum(dt0), 0), coalesce(sum(dt1), 0), "  # noqa: S608
                f"coalesce(sum(dt2), 0) FROM {table}{where}").fetchone())
        head = dict(conn.execute("SELECT * FROM head").fetchone())
        head["digest"] = digest.text()
        values = [head[f] for f in sealing.HEAD_FIELDS]
        conn.execute("UPDATE head SET digest = ?, mac = ?",
                     (head["digest"], sealing.seal_head(sealer, values)))
        conn.execute("COMMIT")
    key_file = data_dir / "store.key"
    key_file.unlink(missing_ok=True)
    key_file.write_text(f"{sid} {base64.b64encode(raw_key).decode()}\n")
    os.chmod(key_file, 0o600)
    return sid


def snapshot_row(data_dir: Path, table: str, where: str) -> tuple[list[str], tuple[object, ...]]:
    """Every column of one row as the file holds it now (to put it back later)."""
    with raw_db(data_dir) as conn:
        cur = conn.execute(f"SELECT * FROM {table} WHERE {where}")  # noqa: S608 - test input
        return [d[0] for d in cur.description], cur.fetchone()


def put_row_back(data_dir: Path, table: str, where: str,
                 saved: tuple[list[str], tuple[object, ...]]) -> None:
    """Write an older copy of a row over it, every column (a row rolled back)."""
    columns, values = saved
    with raw_db(data_dir) as conn:
        conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} "  # noqa: S608
                     f"WHERE {where}", values)
