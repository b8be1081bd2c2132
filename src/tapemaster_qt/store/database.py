"""The adapter between the table modules and one SQL backend.

The table modules (``users``, ``groups``, ``settings``, ``audit``, ``sessions``) write
their queries once, in portable SQL with ``?`` placeholders, and run them through a
:class:`Database`. A backend subclasses it with what really differs:

- the connection and how a write transaction begins (SQLite: ``BEGIN IMMEDIATE``, which
  takes the one write lock; PostgreSQL: ``BEGIN``, the rows read being locked with
  ``SELECT ... FOR UPDATE``, see :attr:`Dialect.for_update`);
- how the driver's errors become :mod:`tapemaster_qt.errors` (:meth:`Database.translate`);
- where the schema version is kept, and the backend's own health check;
- a :class:`Dialect`: its placeholder style, case-insensitive comparison and ordering,
  and the substitutions of portable DDL (see ``store/migrations.py``).

What is already portable as written needs no hook: ``INSERT ... ON CONFLICT (col) DO
UPDATE SET col = excluded.col`` and ``ON CONFLICT DO NOTHING`` mean the same on SQLite
and PostgreSQL; an INSERT that must return its new id goes through
:meth:`Database.insert` (SQLite's ``lastrowid``, PostgreSQL's ``RETURNING id``).

Rows come back by name (:meth:`Database.rows`: dicts). Only the paths that read
100,000 rows get tuples (:meth:`Database.tuples`), and they unpack them against a
column list written beside the query.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from tapemaster_qt.errors import (
    ConflictError,
    StoreCorruptError,
    StoreError,
    StoreReplacedError,
)

logger = logging.getLogger(__name__)

Row = dict[str, Any]
Params = Sequence[Any]


def utc_now() -> str:
    """Now, as every stored time is written: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Dialect:
    """How one backend spells what the portable SQL cannot. SQLite's spelling is the
    default; a backend overrides what differs."""

    name: ClassVar[str] = "sqlite"

    for_update: ClassVar[str] = ""
    """Appended to a SELECT that reads a row a write transaction will change: nothing
    where the transaction already holds the store's one write lock (SQLite),
    ``" FOR UPDATE"`` where writers lock rows (PostgreSQL)."""

    def sql(self, text: str) -> str:
        """The driver's form of a query written with ``?`` placeholders."""
        return text

    def ci_equal(self, column: str) -> str:
        """``column`` equals the next parameter, ignoring case."""
        return f"{column} = ? COLLATE NOCASE"

    def ci_order(self, column: str) -> str:
        """An ORDER BY term: ``column`` ignoring case."""
        return f"{column} COLLATE NOCASE"

    def ci_like(self, column: str) -> str:
        """``column`` matches the next parameter, a LIKE pattern escaped with ``\\``,
        ignoring (ASCII) case: SQLite's LIKE does, PostgreSQL's ILIKE."""
        return f"{column} LIKE ? ESCAPE '\\'"

    def fold(self, text: str) -> str:
        """``text`` as :meth:`ci_equal` compares it: two texts the database finds equal
        ignoring case fold to the same string, and no others do. SQLite's ``NOCASE``
        folds the ASCII letters only (``Ä`` and ``ä`` differ); a backend comparing with
        ``lower()`` folds as its ``lower()`` does."""
        return text.translate(_ASCII_LOWER)

    def starts_with(self, column: str, prefix: str) -> tuple[str, list[Any]]:
        """``column`` starts with ``prefix``, as a condition an index on ``column`` can
        serve, and its parameters. SQLite compares text byte by byte (BINARY), so the
        prefix is a range; a backend whose default collation is linguistic says it
        another way (PostgreSQL: ``left(column, n) = prefix``)."""
        return f"{column} >= ? AND {column} < ?", [prefix, prefix + "\U0010ffff"]

    substring_index: ClassVar[str] = "fts5"
    """How the Audit Log's text filter finds substrings without reading every row
    (``store/audit.py``, migration 6): ``"fts5"``, a trigram FTS5 table
    ``audit_text``; ``"expression"``, a trigram index on the searched columns joined
    by :meth:`searched_text` (PostgreSQL's pg_trgm); ``""``, none (LIKE on every row)."""

    def searched_text(self, columns: Sequence[str]) -> str:
        """For ``substring_index = "expression"``: the searched columns as one text,
        exactly as the migration's index is written (a filter never holds the separator,
        a control character, so no match spans two columns)."""
        return " || chr(31) || ".join(f"coalesce({c}, '')" for c in columns)

    def terms_not_cut(self) -> str:
        """A WHERE condition true for a row whose digest terms ``dt0``..``dt2`` are not
        the three 40-bit big-endian numbers cut from the first 15 bytes of its ``mac``
        (all 0 for a shorter or missing seal) nor all 0 (a row the digest does not
        count, such as one accepted after it failed its seal): compared as 30 upper-case hex digits
        (PostgreSQL: ``upper(encode(substring(mac from 1 for 15), 'hex'))`` against
        ``upper(lpad(to_hex(dt0), 10, '0') || ...)``, negative terms never matching)."""
        return ("(CASE WHEN length(mac) >= 15 THEN hex(substr(mac, 1, 15)) "
                "ELSE '" + "0" * 30 + "' END) "
                "IS NOT printf('%010X%010X%010X', dt0, dt1, dt2) "
                "AND (dt0 <> 0 OR dt1 <> 0 OR dt2 <> 0)")

    # --- portable DDL (store/migrations.py) ------------------------------------------

    ddl_types: ClassVar[dict[str, str]] = {
        "BLOB": "BLOB",
        "BIGINT": "INTEGER",
        "ID": "INTEGER PRIMARY KEY",
        "STRICT": " STRICT",
        "RANDOM_UID": "lower(hex(randomblob(16)))",
    }
    """``{BLOB}``: binary; ``{BIGINT}``: a 64-bit integer; ``{ID}``: an integer primary key
    the database numbers; ``{STRICT}``: after a CREATE TABLE's closing parenthesis;
    ``{RANDOM_UID}``: an expression that gives each row of an UPDATE its own random
    identity, 32 lowercase hex digits (PostgreSQL:
    ``replace(gen_random_uuid()::text, '-', '')``)."""

    def ci_index(self, column: str) -> str:
        """``{ci[column]}``: an index term that makes a UNIQUE index ignore case."""
        return f"{column} COLLATE NOCASE"

    def ddl(self, script: str) -> str:
        """A portable migration script in this backend's DDL."""
        return script.format_map({**self.ddl_types, "ci": _Terms(self.ci_index)})

    def statements(self, script: str) -> Iterator[str]:
        """A DDL script as the statements to execute one by one (no parameters). A
        server takes a whole script at once; SQLite splits it (triggers included)."""
        if script.strip():
            yield script


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Terms:
    """``{ci[email]}`` in a DDL script: calls the dialect with the column name."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def __getitem__(self, column: str) -> str:
        return str(self._make(column))


class Database(ABC):
    """One connection to one store, in one process (never shared between threads)."""

    dialect: Dialect
    location: str
    """Where the store is, for messages: a file path or a URL without password."""
    identity: str
    """Which store this is, for this OS account's trust record (``store/trust.py``): the
    real folder, or what a server says the database is (never the URL as typed: another
    spelling of it must not start trust afresh)."""
    legacy_identities: tuple[str, ...] = ()
    """Names this store's trust record was kept under before (``trust.adopt``)."""

    def trust_related(self, identity: str) -> bool:
        """Whether a trust record kept under ``identity`` (another form, another server)
        may be this store's, when it also holds its store id (``trust.adopt``). None
        by default: a copy of a store folder elsewhere is another store."""
        del identity
        return False
    driver_errors: tuple[type[Exception], ...]
    """The driver's error classes; :meth:`translate` turns them into ours."""

    def __init__(self) -> None:
        self.damaged = False
        """Set once the backend reported damage: nothing more is written."""
        self.replaced: StoreReplacedError | None = None
        """Set once the store turned out to be another than the one opened (see
        :meth:`check_in_transaction`): nothing more is written."""
        self.token: str | None = None
        """The token of the store this connection opened (``settings.STORE_TOKEN``),
        once known: every write transaction checks the store still has it."""
        self.token_before: str | None = None
        """The token it had before a restore into it (``settings.TOKEN_BEFORE``)."""
        self._files_recorded = False
        self._open_transactions = 0

    # --- what a backend provides ------------------------------------------------------

    @abstractmethod
    def _cursor(self) -> Any:
        """A new DB-API cursor of the connection."""

    @abstractmethod
    def _begin(self) -> None:
        """Begin a write transaction (may wait for other writers, within a limit)."""

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def translate(self, exc: Exception) -> StoreError | ConflictError:
        """A driver error as one of ours, with a message fit for a user."""

    @abstractmethod
    def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT into a table with an ``id`` column; the new row's id."""

    @abstractmethod
    def schema_version(self) -> int:
        """The version of the schema (0: an empty, new store)."""

    @abstractmethod
    def set_schema_version(self, version: int) -> None:
        """Record ``version``, inside the migration's transaction."""

    @abstractmethod
    def integrity_check(self) -> list[str]:
        """The backend's own consistency check; ``["ok"]`` when sound."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def before_migrating(self, version: int) -> None:
        """Called before migrating a store that holds data (``version`` > 0), outside
        any transaction: SQLite copies the file aside; a server's DBA backs up."""

    def check_in_transaction(self) -> None:
        """Called first in every write transaction, with the write lock held: raise
        :class:`StoreReplacedError` when the store is no longer the one this program
        opened (restored from a backup, replaced by another copy), so that nothing is
        written to it. Every write counts itself (``settings.WRITE_COUNT``), in the same
        statement that checks the token: the write lock is held a few microseconds
        longer, by every program on the store.

        The portable check is the store's token; a backend adds what it can see of its
        own (:meth:`check_own_files`, :meth:`record_own_files`)."""
        from tapemaster_qt.store import settings

        self.check_own_files()
        if self.token is None:
            return
        if not settings.count_write(self, self.token):
            raise self.replaced_error(
                "it holds another copy of the store (restored from a backup?)")
        if not self._files_recorded:
            self.record_own_files()
            self._files_recorded = True

    def check_own_files(self) -> None:  # noqa: B027 - an optional hook
        """A backend's own sign that the store was replaced (SQLite: another file at
        the store's path); raise :meth:`replaced_error`. Nothing by default."""

    def record_own_files(self) -> None:  # noqa: B027 - an optional hook
        """In this connection's first write transaction: note what a backend needs to
        recognise its files later (SQLite: the file ids, so that a journal names its
        store file). Nothing by default."""

    def check_same_store(self) -> None:
        """Raise :class:`StoreReplacedError` when the store is no longer the one this
        program opened; reads only (the session heartbeat asks)."""
        from tapemaster_qt.store import settings

        if self.replaced is not None:
            raise self.replaced
        self.check_own_files()
        if self.token is None:
            return
        token = self.value("SELECT value FROM settings WHERE key = ?", (settings.STORE_TOKEN,))
        if token != self.token:
            raise self.replaced_error(
                "it holds another copy of the store (restored from a backup?)")

    def replaced_error(self, why: str) -> StoreReplacedError:
        """Remember (and return) that the store was replaced: no more writes."""
        logger.info("The user store %s is no longer the one this program opened: %s",
                    self.location, why)
        self.replaced = StoreReplacedError(StoreReplacedError.WHILE_RUNNING)
        return self.replaced
    def scrub(self) -> None:  # noqa: B027 - a hook most backends leave empty
        """After a commit that removed or replaced an OTP secret: leave no copy of the
        old one where the backend would keep it (SQLite: its write-ahead log). Nothing
        to do by default."""

    @abstractmethod
    def lock_for_migration(self) -> None:
        """Called first in the migration transaction, so that two programs opening an
        old store at once migrate it once."""

    # --- running SQL ------------------------------------------------------------------

    def error(self, exc: Exception) -> StoreError | ConflictError:
        """:meth:`translate`, remembering damage so that nothing more is written."""
        error = self.translate(exc)
        if isinstance(error, StoreCorruptError):
            self.damaged = True
        return error

    def _run(self, sql: str, params: Params) -> Any:
        cur = self._cursor()
        try:
            cur.execute(self.dialect.sql(sql), params)
        except self.driver_errors as exc:
            raise self.error(exc) from None
        return cur

    def rows(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query, each a dict by column name."""
        cur = self._run(sql, params)
        try:
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        except self.driver_errors as exc:
            raise self.error(exc) from None

    def row(self, sql: str, params: Params = ()) -> Row | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Every row as a plain tuple, in the SELECT's column order: for large reads
        only, unpacked against the column list written beside the query."""
        cur = self._run(sql, params)
        try:
            rows: list[tuple[Any, ...]] = cur.fetchall()
        except self.driver_errors as exc:
            raise self.error(exc) from None
        return rows

    def value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        cur = self._run(sql, params)
        try:
            first = cur.fetchone()
        except self.driver_errors as exc:
            raise self.error(exc) from None
        return None if first is None else first[0]

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; how many rows it changed."""
        return int(self._run(sql, params).rowcount)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        cur = self._cursor()
        try:
            cur.executemany(self.dialect.sql(sql), rows)
        except self.driver_errors as exc:
            raise self.error(exc) from None

    # --- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: commits on success, rolls back on any error."""
        if self.replaced is not None:
            raise self.replaced
        if self.damaged:
            raise StoreCorruptError(
                f"The user store {self.location} is damaged; nothing was changed. Restore "
                "it from a backup or ask your administrator."
            )
        try:
            self._begin()
        except self.driver_errors as exc:
            raise self.error(exc) from None
        self._open_transactions += 1
        try:
            try:
                self.check_in_transaction()
                yield
            except BaseException:
                with contextlib.suppress(*self.driver_errors):
                    self._rollback()
                raise
            try:
                self._commit()
            except self.driver_errors as exc:
                with contextlib.suppress(*self.driver_errors):
                    self._rollback()
                raise self.error(exc) from None
        finally:
            self._open_transactions -= 1

    def change_token(self) -> object | None:
        """A value that changes whenever *another* connection commits to the store (its
        own commits leave it as it is); None where the backend cannot tell, which makes
        every write transaction check the digest against the tables. SQLite: ``PRAGMA
        data_version``."""
        return None

    def own_change_token(self, start: object | None) -> object | None:
        """Called last in a write transaction that read :meth:`change_token` as
        ``start`` first: the token this connection will see after its commit when
        nobody else committed in between, or None when that cannot be told (the next
        write then checks the digest). SQLite: ``start`` (a connection's own commits
        leave ``data_version`` as it is, and the write lock keeps everyone else out)."""
        return start

    def _begin_snapshot(self) -> None:
        """Begin a read-only transaction whose reads all see one state of the store.
        SQLite's deferred ``BEGIN`` does (its first read fixes the snapshot); a server
        overrides this (PostgreSQL: ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``,
        as its ``BEGIN`` gives each statement a snapshot of its own)."""
        self._cursor().execute("BEGIN")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that must agree with each other: the sealed head and the tables it
        describes, read while other programs write. Inside a write transaction they
        already do."""
        if self._open_transactions:
            yield
            return
        try:
            self._begin_snapshot()
        except self.driver_errors as exc:
            raise self.error(exc) from None
        self._open_transactions += 1
        try:
            yield
        finally:
            self._open_transactions -= 1
            with contextlib.suppress(*self.driver_errors):
                self._rollback()


def conflict_message(text: str) -> str:
    """The sentence for a uniqueness or foreign-key violation, from the driver's text
    (which names the index or column on every backend)."""
    if "users.email" in text or "users_email" in text:
        return "That e-mail address already belongs to another user."
    if "users.user_id" in text or "users_id_nocase" in text or "users_pkey" in text:
        return "That User-ID already exists."
    if "groups.group_id" in text or "groups_id_nocase" in text or "groups_pkey" in text:
        return "That Group-ID already exists."
    if "FOREIGN KEY" in text or "foreign key" in text:
        return "The group is in use or does not exist."
    return "The change conflicts with what the store holds."
