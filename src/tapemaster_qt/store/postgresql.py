"""The PostgreSQL backend: a site's shared store (DESIGN.md §7, README "A site's shared
PostgreSQL store").

Only what is PostgreSQL's own lives here; the queries are the table modules'.

- psycopg 3, imported only when a ``postgresql://`` store is opened (the SQLite
  start-up never loads it); one connection per program, in autocommit mode with
  explicit ``BEGIN``/``COMMIT``, as on SQLite;
- the tables live in schema ``tapemaster`` and the audit log in ``tapemaster_audit``
  (``packaging/postgresql/setup.sql`` made both and the two roles); each connection sets
  its ``search_path`` to those two, whatever the server's defaults;
- a write is ``BEGIN``; the rows it will change are read ``FOR UPDATE`` (the
  conditional UPDATEs that stop replays and count failures are the same as SQLite's),
  and a lock that does not come within the busy timeout is :class:`StoreLockedError`;
- the schema version and our application name are in ``tapemaster.schema_version``.
  Opening refuses a database that is not ours, a newer store, a store not created yet
  and one that needs an upgrade, each in one sentence; only ``tapemaster-admin init`` and
  ``upgrade`` (``upgrade=True``), connected as the owner role, run DDL;
- a lost connection (network, server restart) is :class:`StoreConnectionError`: nothing
  was decided, and the next call connects again. A read outside a write transaction is
  simply run again on a new connection; a write transaction is never replayed here (its
  caller decides with fresh data).

The site key never enters the database: on each desktop it is in the OS keyring (by the
store's id), else in an owner-only key file in ``<per-user data folder>/site-keys/<store
id>/`` (:func:`key_folder`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tapemaster_qt.errors import (
    ConflictError,
    StoreAccessError,
    StoreCommitUnknownError,
    StoreConnectionError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreNotCreatedError,
    StoreReadOnlyError,
    StoreTooOldError,
    StoreUnavailableError,
)
from tapemaster_qt.store import migrations
from tapemaster_qt.store.database import Database, Dialect, Params, conflict_message
from tapemaster_qt.store.sqlstore import SQLStore

if TYPE_CHECKING:
    from tapemaster_qt.location import StoreLocation

logger = logging.getLogger(__name__)

APPLICATION = "TapeMaster Qt"
"""What ``tapemaster.schema_version`` says in a database that holds our store."""
SCHEMA = "tapemaster"
AUDIT_SCHEMA = "tapemaster_audit"
SEARCH_PATH = f"{SCHEMA}, {AUDIT_SCHEMA}"
MIGRATION_LOCK = 0x544D5154_0001
"""The advisory lock two programs take to migrate (or create) a store once."""
TABLES = ("schema_version", "settings", "groups", "users", "sessions")
"""Tables of schema tapemaster every store has (integrity_check looks for them)."""
CONNECT_TIMEOUT_S = 10
IDLE_IN_TRANSACTION_MS = 60_000
"""A desktop stopped in the middle of a write (a debugger, a frozen VM) must not hold
its locks for ever: the server ends its session after this long."""
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10",
              "keepalives_count": "3"}
"""A server that vanished (network, power) is noticed within a minute or so rather than
the operating system's two hours."""

_CONNECTION_LOST_STATES = ("08", "57P01", "57P02", "57P03")
"""connection_exception, admin_shutdown, crash_shutdown, cannot_connect_now."""
_LOCK_STATES = ("40001", "40P01", "55P03", "57014")
"""serialization_failure, deadlock_detected, lock_not_available, query_canceled (the
lock_timeout)."""


def key_folder(store_id: str) -> Path:
    """Where the key file of PostgreSQL store ``store_id`` goes on a desktop without a
    working keyring: a folder of its own in the per-user data folder, owner-only."""
    from tapemaster_qt import paths

    return paths.default_data_dir() / "site-keys" / store_id


# --- the dialect ------------------------------------------------------------------------


class PostgreSQLDialect(Dialect):
    """PostgreSQL's spelling: ``%s`` placeholders, ``lower()`` for case-insensitive
    comparison (the database's C locale folds ASCII only, as SQLite's NOCASE does), row
    locks for writers, and its own types for portable DDL."""

    name: ClassVar[str] = "postgresql"
    for_update: ClassVar[str] = " FOR UPDATE"
    substring_index: ClassVar[str] = "expression"
    """Migration 6's pg_trgm GIN index on the searched columns joined (``searched_text``
    as the base class writes it); ``ci_like`` (ILIKE) is an operator it serves. Prefixes
    (``starts_with``) stay ranges: the store's database has the C collation."""
    ddl_types: ClassVar[dict[str, str]] = {
        "BLOB": "BYTEA",
        "BIGINT": "BIGINT",
        "ID": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "STRICT": "",
        "RANDOM_UID": "replace(gen_random_uuid()::text, '-', '')",
    }

    def sql(self, text: str) -> str:
        return _placeholders(text)

    def ci_equal(self, column: str) -> str:
        return f"lower({column}) = lower(?)"

    def ci_order(self, column: str) -> str:
        return f"lower({column})"

    def ci_index(self, column: str) -> str:
        return f"lower({column})"

    def ci_like(self, column: str) -> str:
        return f"{column} ILIKE ? ESCAPE '\\'"

    def terms_not_cut(self) -> str:
        # As SQLite's, in PostgreSQL's words. lpad() cuts a longer text, so a term
        # outside 0..2^40-1 (negative, or too wide) is compared as text no seal gives.
        cut = " || ".join(f"lpad(to_hex(dt{i}), 10, '0')" for i in range(3))
        in_range = " AND ".join(f"dt{i} BETWEEN 0 AND {2**40 - 1}" for i in range(3))
        return ("(CASE WHEN length(mac) >= 15 THEN upper(encode(substring(mac from 1 for "
                "15), 'hex')) ELSE '" + "0" * 30 + "' END) "
                f"IS DISTINCT FROM (CASE WHEN {in_range} THEN upper({cut}) "
                "ELSE 'out of range' END) "
                "AND (dt0 <> 0 OR dt1 <> 0 OR dt2 <> 0)")

    def fold(self, text: str) -> str:
        """As ``lower()`` folds in the C locale every store's database has (setup.sql
        creates it so, and :meth:`PostgreSQLDatabase.probe` refuses another): the ASCII
        letters only, exactly as SQLite's NOCASE (``Ä`` and ``ä`` stay apart)."""
        return super().fold(text)


_TOKENS = re.compile(r"""
    '(?:[^']|'')*'            # a string literal
  | "(?:[^"]|"")*"            # a quoted identifier
  | --[^\n]*                  # a comment to the end of the line
  | /\*.*?\*/                 # a block comment
  | \$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$   # a dollar-quoted body
  | [?%]                      # what psycopg must see differently
""", re.VERBOSE | re.DOTALL)


@functools.lru_cache(maxsize=512)
def _placeholders(text: str) -> str:
    """``?`` outside literals and comments becomes ``%s``; every ``%`` is doubled (psycopg
    reads ``%`` anywhere in a query that has parameters, literals included)."""

    def one(match: re.Match[str]) -> str:
        piece = match.group(0)
        return "%s" if piece == "?" else piece.replace("%", "%%")

    return _TOKENS.sub(one, text)


# --- the database -----------------------------------------------------------------------


class PostgreSQLDatabase(Database):
    """One connection to the store at ``location`` (reconnected when lost)."""

    dialect = PostgreSQLDialect()

    def __init__(self, location: StoreLocation, *, busy_timeout_ms: int = 5000,
                 program: str = "") -> None:
        super().__init__()
        psycopg = _psycopg(location)
        self.driver_errors = (psycopg.Error,)
        self._psycopg = psycopg
        self._url = location.url or ""
        self.location = location.display
        self.legacy_identities = (location.identity(),)
        self.busy_timeout_ms = int(busy_timeout_ms)
        self._program = program or APPLICATION
        self._conn: Any = None
        self._in_transaction = False
        self._identity: tuple[Any, Any] | None = None
        """What the first connection found (:meth:`_database_identity`)."""
        self._connected_to: tuple[Any, Any] | None = None
        """What the current connection found: another value is another database."""
        self._settings_oid: int | None = None
        self._database_name = ""
        self._has_changes = False
        """Whether the store has version 7's change counter (found once)."""
        self._connect()
        self.identity = self._trust_identity()

    # --- connecting -------------------------------------------------------------------

    def _connect(self) -> None:
        """A new connection, its session set up; StoreConnectionError/StoreAccessError
        with one sentence when the server cannot be reached or refuses us."""
        psycopg = self._psycopg
        try:
            given = psycopg.conninfo.conninfo_to_dict(self._url)
        except psycopg.ProgrammingError:
            raise StoreNotAStoreError(
                f"The store URL {self.location} cannot be read as a PostgreSQL connection "
                "string."
            ) from None
        extra: dict[str, Any] = {k: v for k, v in KEEPALIVES.items() if k not in given}
        if "connect_timeout" not in given:
            extra["connect_timeout"] = str(CONNECT_TIMEOUT_S)
        if "application_name" not in given:
            extra["application_name"] = self._program[:63]
        try:
            conn = psycopg.connect(self._url, autocommit=True, **extra)
        except psycopg.Error as exc:
            raise connect_error(exc, self.location) from None
        except OSError as exc:  # name resolution in psycopg itself
            raise StoreConnectionError(_unreachable(self.location, str(exc))) from None
        try:
            conn.execute(f"SET search_path = {SEARCH_PATH}")
            conn.execute(f"SET lock_timeout = {self.busy_timeout_ms}")
            conn.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
        except psycopg.Error as exc:
            with contextlib.suppress(Exception):
                conn.close()
            raise self.error(exc) from None
        self._conn = conn
        try:
            self._connected_to = self._database_identity()
        except psycopg.Error as exc:
            self._drop()
            raise self.error(exc) from None
        if self._identity is None:
            self._identity = self._connected_to

    def _database_identity(self) -> tuple[Any, Any]:
        """Which database this connection reached, as the server knows it: the cluster's
        system identifier (the same on a primary and its physical standbys, so a
        failover is the same store; another on a cluster a dump was restored into;
        None where the role may not read it) and the database's oid (another for a
        database dropped and made again under its name)."""
        conn = self._conn
        system = None
        if conn.execute("SELECT has_function_privilege('pg_control_system()', 'EXECUTE')"
                        ).fetchone()[0]:
            system = conn.execute(
                "SELECT system_identifier FROM pg_control_system()").fetchone()[0]
        database = conn.execute("SELECT oid FROM pg_database "
                                "WHERE datname = current_database()").fetchone()[0]
        return system, database

    def _trust_identity(self) -> str:
        """Which store this is for this account's trust record, as the server says it:
        the cluster's system identifier and the database's name. The same for every
        spelling of the URL (host name or socket, port left out, parameters in another
        order, the owner or the app role, a password in it or not) and for a database
        dropped and restored under its name (whose oid is another); another after a
        restore into another cluster (``trust.adopt`` then finds the record by the
        store's id). Where the role may not read the system identifier, the server's
        address as the connection resolved it stands in for it."""
        conn = self._conn
        name = self._database_name = str(
            conn.execute("SELECT current_database()").fetchone()[0])
        system = self._connected_to[0] if self._connected_to is not None else None
        if system is not None:
            return f"postgresql:system={system};database={name}"
        info = conn.info
        return f"postgresql:host={info.host};port={info.port};database={name}"

    def trust_related(self, identity: str) -> bool:
        """A record of a database of this name: under a URL (as kept before records
        were named by the server) or under another server's system identifier or
        address (a restore into a new cluster, ``pg_upgrade``, another route to the
        server). A copy under another name (a test database cloned from this one) is
        another store, as a copy of a store folder is."""
        if identity.startswith(("postgresql://", "postgres://")):
            try:
                given = self._psycopg.conninfo.conninfo_to_dict(identity)
            except self._psycopg.ProgrammingError:
                return False
            return bool(given.get("dbname") == self._database_name)
        if identity.startswith("postgresql:") and ";database=" in identity:
            return identity.rsplit(";database=", 1)[1] == self._database_name
        return False

    def _tables_identity(self) -> None:
        """The settings table's oid, another once ``pg_restore --clean`` (or anyone)
        made the tables again: noted the first time the table is there, compared
        after."""
        now = self.value("SELECT to_regclass(?)::oid", (f"{SCHEMA}.settings",))
        if self._settings_oid is None:
            self._settings_oid = now
        elif now != self._settings_oid:
            raise self.replaced_error("its tables were made again (restored from a dump?)")

    def check_own_files(self) -> None:
        """The database this connection reached must be the one the program first
        opened (a reconnection may reach a database restored under the same name)."""
        if self._connected_to != self._identity:
            raise self.replaced_error(
                "the server now has another database under its name (restored from a "
                "dump?)")

    def check_in_transaction(self) -> None:
        """First in every write transaction: the connection's database is the one first
        opened and its tables are still the ones it had (one catalog read). The store's
        token is read by :meth:`check_same_store`; SQLite's write counter would be one
        row every writer of the site queues on, where here writers of different rows
        run side by side."""
        self.check_own_files()
        self._tables_identity()

    def check_same_store(self) -> None:
        """The heartbeat's question, read-only: the same database (asked again now), the
        same tables, and the store's token."""
        if self.replaced is not None:
            raise self.replaced
        self.value("SELECT 1")  # connects again if the connection was lost
        self.check_own_files()
        try:
            self._connected_to = self._database_identity()
        except self._psycopg.Error as exc:
            raise self.error(exc) from None
        self.check_own_files()
        self._tables_identity()
        super().check_same_store()

    def _alive(self) -> Any:
        """The connection, made again when it was lost (never inside a transaction)."""
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            if self._in_transaction:
                raise _lost(self.location)
            self._drop()
            self._connect()
            logger.info("Connected again to the store %s", self.location)
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    @property
    def connection(self) -> Any:
        """The psycopg connection (tests and benchmarks look inside; services never)."""
        return self._alive()

    # --- running SQL ------------------------------------------------------------------

    def _cursor(self) -> Any:
        return self._alive().cursor()

    def _run(self, sql: str, params: Params, *, binary: bool = False) -> Any:
        # Outside a write transaction a statement that met a lost connection did
        # nothing and may simply run again, once, on a new connection.
        retry = not self._in_transaction
        while True:
            cur = self._alive().cursor(binary=binary)
            try:
                if params:
                    cur.execute(self.dialect.sql(sql), params)
                else:  # no parameters: sent as written (DDL scripts, several statements)
                    cur.execute(sql)
                return cur
            except self._psycopg.Error as exc:
                if retry and _connection_lost(exc, self._conn):
                    retry = False
                    logger.warning("The connection to the store %s was lost (%s); "
                                   "connecting again", self.location, _reason(exc))
                    self._drop()
                    continue
                raise self.error(exc) from None

    def tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """The large reads (100,000 users) in PostgreSQL's binary format: the same
        Python values as text (str, int, bytes, None), a third less time to convert."""
        cur = self._run(sql, params, binary=True)
        try:
            rows: list[tuple[Any, ...]] = cur.fetchall()
        except self._psycopg.Error as exc:
            raise self.error(exc) from None
        return rows

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        cur = self._cursor()
        try:
            cur.executemany(self.dialect.sql(sql), rows)
        except self._psycopg.Error as exc:
            raise self.error(exc) from None

    def insert(self, sql: str, params: Params = ()) -> int:
        return int(self._run(sql + " RETURNING id", params).fetchone()[0])

    # --- transactions -----------------------------------------------------------------

    def _begin(self) -> None:
        self._begin_as("BEGIN")

    def _begin_as(self, statement: str) -> None:
        """Begin a transaction. A BEGIN on a connection the server dropped while we
        were idle (a restart, say) fails having done nothing: connect again and begin
        there, once; a transaction is never silently run again on another once begun."""
        for attempt in (1, 2):
            conn = self._alive()
            try:
                conn.execute(statement)
            except self._psycopg.Error as exc:
                if attempt == 1 and _connection_lost(exc, conn):
                    self._drop()
                    continue
                raise
            self._in_transaction = True
            return

    def change_token(self) -> object | None:
        """How many transactions ever changed a sealed table (store version 7's counter,
        moved by the owner's triggers whoever writes: the desktops' role can neither
        move it back nor keep its own change from moving it); None on an older store."""
        if not self._has_changes:
            self._has_changes = self.value(
                "SELECT to_regclass('tapemaster_audit.changes') IS NOT NULL") is True
            if not self._has_changes:
                return None
        found = self.value("SELECT n FROM tapemaster_audit.changes WHERE id = 1")
        return None if found is None else int(found)

    def own_change_token(self, start: object | None) -> object | None:
        """The counter after this transaction when everything that moved it since
        ``start`` was this transaction's own: it moved it first from ``start`` (the
        row is then locked by it until the commit: nobody else moves it after), or
        nobody moved it at all. Another writer that committed in between, to any
        sealed table, gives None: the next write sums the digest."""
        if start is None or not self._has_changes:
            return None
        row = self.row("SELECT n, prev, last_xid = txid_current() AS ours "
                       "FROM tapemaster_audit.changes WHERE id = 1")
        if row is None:
            return None
        if row["ours"]:
            return row["n"] if row["prev"] == start else None
        return row["n"] if row["n"] == start else None

    def _begin_snapshot(self) -> None:
        """Reads that must agree (the sealed head and the tables it describes): one
        snapshot for the whole transaction, where a plain ``BEGIN`` gives each statement
        its own. Begun like a write (:meth:`_begin_as`)."""
        self._begin_as("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except self._psycopg.Error as exc:
            if _connection_lost(exc, self._conn):
                self._in_transaction = False
                self._drop()
                raise StoreCommitUnknownError(
                    f"The connection to the user store {self.location} was lost while a "
                    "change was being saved, so it may or may not have been saved; check, "
                    "then try again."
                ) from None
            raise
        self._in_transaction = False

    def _rollback(self) -> None:
        self._in_transaction = False
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            self._drop()
            return
        conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with super().transaction():
                yield
        finally:
            self._in_transaction = False

    # --- errors -----------------------------------------------------------------------

    def translate(self, exc: Exception) -> StoreError | ConflictError:
        return translate(exc, self.location, self._conn)

    # --- the version, health and migrations -------------------------------------------

    def probe(self) -> tuple[int, bool]:
        """(the schema version, whether this role may create tables in the schema),
        after refusing a database that is not ours; 0 for a database ready for a store
        (setup.sql ran) that holds none yet."""
        found = self.row(
            "SELECT n.oid IS NOT NULL AS has_schema, "
            "n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS may_use, "
            "n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE') AS may_create, "
            "current_user AS role, current_database() AS database, "
            "(SELECT datctype FROM pg_database WHERE datname = current_database()) AS ctype, "
            "(SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid "
            " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) AS relations "
            "FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = ?", (SCHEMA,))
        assert found is not None
        if not found["has_schema"]:
            raise StoreNotAStoreError(
                f"The database {found['database']} at {self.location} is not a TapeMaster "
                f"Qt store (it has no schema {SCHEMA}; packaging/postgresql/setup.sql "
                "makes one)."
            )
        if not found["may_use"]:
            raise StoreAccessError(
                f"The role {found['role']} may not use the TapeMaster Qt store at "
                f"{self.location}; run packaging/postgresql/setup.sql again to grant it."
            )
        if found["ctype"] not in ("C", "POSIX"):
            raise StoreNotAStoreError(
                f"The database {found['database']} at {self.location} was created with the "
                f"character type {found['ctype']}, not the C locale TapeMaster Qt needs (so "
                "that every desktop compares User-IDs and e-mail addresses alike); create "
                "it with packaging/postgresql/setup.sql."
            )
        may_create = bool(found["may_create"])
        if not self._has_table(SCHEMA, "schema_version"):
            if found["relations"]:
                raise StoreNotAStoreError(
                    f"The database {found['database']} at {self.location} is not a "
                    f"TapeMaster Qt store (its schema {SCHEMA} holds other tables)."
                )
            return 0, may_create
        row = self.row(f"SELECT application, version FROM {SCHEMA}.schema_version")
        if row is None or row["application"] != APPLICATION:
            raise StoreNotAStoreError(
                f"The database {found['database']} at {self.location} is not a TapeMaster "
                "Qt store."
            )
        return int(row["version"]), may_create

    def _has_table(self, schema: str, name: str) -> bool:
        """Read from pg_class with this statement's snapshot, not through the name cache
        (``to_regclass``), which inside a transaction that began before another program
        created the table may still say it is not there."""
        return bool(self.value(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
            "n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?)",
            (schema, name)))

    def schema_version(self) -> int:
        if not self._has_table(SCHEMA, "schema_version"):
            return 0
        return int(self.value(f"SELECT version FROM {SCHEMA}.schema_version") or 0)

    def set_schema_version(self, version: int) -> None:
        self.execute(
            f"INSERT INTO {SCHEMA}.schema_version (application, version) VALUES (?, ?) "
            "ON CONFLICT (singleton) DO UPDATE SET application = excluded.application, "
            "version = excluded.version", (APPLICATION, int(version)))

    def integrity_check(self) -> list[str]:
        """What the server can tell us about the store's own structure: every table
        there, the unique indexes valid, and the audit log's append-only triggers in
        place and enabled. ``["ok"]`` when all is well."""
        problems: list[str] = []
        present = {r["relname"] for r in self.rows(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ? AND c.relkind = 'r'", (SCHEMA,))}
        problems += [f"table {SCHEMA}.{t} is missing" for t in TABLES if t not in present]
        if not self.value("SELECT to_regclass(?) IS NOT NULL", (f"{AUDIT_SCHEMA}.audit",)):
            problems.append(f"table {AUDIT_SCHEMA}.audit is missing")
        else:
            triggers = {r["tgname"]: r["tgenabled"] for r in self.rows(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = to_regclass(?) AND NOT tgisinternal",
                (f"{AUDIT_SCHEMA}.audit",))}
            for name in ("audit_no_update_or_delete", "audit_no_truncate"):
                if name not in triggers:
                    problems.append(f"the audit log's trigger {name} is missing")
                elif triggers[name] == "D":
                    problems.append(f"the audit log's trigger {name} is disabled")
        problems += [f"index {r['name']} is not valid" for r in self.rows(
            "SELECT i.indexrelid::regclass::text AS name FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname IN (?, ?) "
            "AND NOT (i.indisvalid AND i.indisready)", (SCHEMA, AUDIT_SCHEMA))]
        return problems or ["ok"]

    def before_migrating(self, version: int) -> None:
        """The server's data is the DBA's to back up (README, "Backups"): say so."""
        logger.info("Upgrading the store %s from version %d; its database should have been "
                    "backed up first (pg_dump)", self.location, version)

    def lock_for_migration(self) -> None:
        self.value("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self._in_transaction = False
        self._drop()


class PostgreSQLStore(SQLStore):
    """A site's store in a PostgreSQL database."""

    db: PostgreSQLDatabase

    @classmethod
    def open(cls, location: StoreLocation, *, busy_timeout_ms: int = 5000,
             upgrade: bool = False, program: str = "") -> PostgreSQLStore:
        """Connect and check the store; with ``upgrade`` (``tapemaster-admin init`` and
        ``upgrade``, as the owner role) create or migrate it first. Anything else refuses
        a store that is not there yet or needs an upgrade: desktops never run DDL."""
        db = PostgreSQLDatabase(location, busy_timeout_ms=busy_timeout_ms, program=program)
        try:
            version, may_create = db.probe()
            migrations.refuse_newer(version, db.location)
            current = migrations.schema_version()
            if version < current:
                if not upgrade:
                    raise _needs_ddl(version, db.location)
                if not may_create:
                    raise StoreAccessError(
                        f"{'Creating' if version == 0 else 'Upgrading'} the store at "
                        f"{db.location} needs its owner role (tapemaster_owner in "
                        "setup.sql): this role may not create tables there."
                    )
            return cls.over(db, key_folder)
        except BaseException:
            db.close()
            raise


def _needs_ddl(version: int, location: str) -> StoreError:
    if version == 0:
        return StoreNotCreatedError(
            f"The database at {location} holds no TapeMaster Qt store yet; create it once "
            "with 'tapemaster-admin --store URL init --password-stdin', connecting as its "
            "owner role."
        )
    return StoreTooOldError(
        f"The user store at {location} is at version {version} and this program needs "
        f"version {migrations.schema_version()}: upgrade it with 'tapemaster-admin --store "
        "URL upgrade', connecting as its owner role (back the database up first)."
    )


# --- psycopg, errors ----------------------------------------------------------------------


def _psycopg(location: StoreLocation) -> Any:
    try:
        import psycopg
        import psycopg.conninfo
    except ImportError:
        raise StoreUnavailableError(
            f"This installation of TapeMaster Qt cannot open PostgreSQL stores "
            f"({location.display}): the psycopg package is missing."
        ) from None
    return psycopg


def _reason(exc: BaseException) -> str:
    """The server's or libpq's own words, on one line, without the connection details
    libpq puts first (a socket path, a host and port)."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = str(primary or exc).strip()
    text = re.sub(r"^connection (?:failed|is bad):\s*", "", text)
    text = re.sub(r'^connection to server (?:on socket "[^"]*"|at "[^"]*"(?:\s*\([^)]*\))?,'
                  r' port \d+) failed:\s*', "", text)
    text = text.replace("FATAL:", "").strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".") or type(exc).__name__


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", None) or "")


def _connection_lost(exc: BaseException, conn: Any) -> bool:
    state = _sqlstate(exc)
    if state.startswith(_CONNECTION_LOST_STATES):
        return True
    return conn is not None and bool(conn.closed or conn.broken)


def _lost(location: str) -> StoreConnectionError:
    return StoreConnectionError(
        f"The connection to the user store {location} was lost; nothing was changed. "
        "Try again in a moment."
    )


def _unreachable(location: str, reason: str) -> str:
    return (f"The PostgreSQL server of the user store {location} cannot be reached "
            f"({reason}); check the address and that the server is running, then try "
            "again.")


_CREDENTIALS = ("password authentication failed", "no password supplied",
                "authentication failed", "password is required", "role \"",
                "no pg_hba.conf entry", "permission denied for database",
                "not permitted to log in")
_UNREACHABLE = ("connection refused", "no such file or directory", "timeout expired",
                "could not translate host name", "failed to resolve host",
                "name or service not known", "network is unreachable", "no route to host",
                "server closed the connection", "the database system is starting up",
                "the database system is shutting down", "the database system is in recovery",
                "connection timed out", "temporary failure in name resolution")
_TLS = ("ssl", "certificate", "tls")


def connect_error(exc: BaseException, location: str) -> StoreError:
    """A failed connection as one sentence: wrong credentials, no such database, a TLS
    failure, or a server that cannot be reached. The password is never in it (libpq
    does not repeat it; the location is the display form)."""
    reason = _reason(exc)
    low = reason.lower()
    if "does not exist" in low and "database" in low:
        return StoreNotAStoreError(
            f"The PostgreSQL server of {location} has no such database ({reason}); check "
            "the store URL, or create the database with packaging/postgresql/setup.sql."
        )
    if any(word in low for word in _CREDENTIALS):
        return StoreAccessError(
            f"The PostgreSQL server of {location} refused the user name or password "
            f"({reason}); check them (the password may come from the URL, PGPASSWORD or "
            "the pgpass file)."
        )
    if any(word in low for word in _UNREACHABLE):
        return StoreConnectionError(_unreachable(location, reason))
    if any(word in low for word in _TLS):
        return StoreConnectionError(
            f"The secure (TLS) connection to the PostgreSQL server of {location} failed "
            f"({reason}); check sslmode, sslrootcert and the server's certificate."
        )
    return StoreConnectionError(
        f"TapeMaster Qt cannot connect to the user store {location} ({reason})."
    )


def translate(exc: BaseException, location: str, conn: Any = None
              ) -> StoreError | ConflictError:
    """A psycopg error as one of ours, with a sentence fit for a user."""
    state = _sqlstate(exc)
    reason = _reason(exc)
    if _connection_lost(exc, conn):
        return _lost(location)
    if state.startswith("23"):  # integrity_constraint_violation
        text = f"{reason} {getattr(getattr(exc, 'diag', None), 'constraint_name', '')}"
        return ConflictError(conflict_message(text))
    if state in _LOCK_STATES:
        return StoreLockedError(
            "The user store is in use by another program and did not become free in time; "
            "nothing was changed. Try again in a moment."
        )
    if state == "53100":  # disk_full
        return StoreFullError(
            f"The server of the user store {location} has run out of disk space; nothing "
            "was changed. Ask your database administrator."
        )
    if state == "25006":  # read_only_sql_transaction: a standby, or a read-only server
        return StoreReadOnlyError(
            f"The user store {location} is read-only (a standby server?); nothing was "
            "changed. Point the programs at the primary server."
        )
    if state == "42501":  # insufficient_privilege
        return StoreAccessError(
            f"The user store {location} refused this ({reason}); nothing was changed. "
            "Run packaging/postgresql/setup.sql again if its grants were changed."
        )
    if state.startswith("XX"):  # internal_error, data_corrupted, index_corrupted
        return StoreCorruptError(
            f"The server reports that the user store {location} is damaged ({reason}). "
            "Ask your database administrator to restore it."
        )
    if state in ("42P01", "42703"):  # undefined table or column: not our schema
        return StoreNotAStoreError(
            f"The user store {location} does not have the tables this program expects "
            f"({reason}); was it changed by hand?"
        )
    if "NUL" in reason and "0x00" in reason:  # psycopg's own DataError
        return StoreError("Text with a NUL character cannot be stored; nothing was changed.")
    return StoreError(f"The user store {location} reported an error: {reason}.")
