"""The user store: the only package that knows SQL (docs/architecture.md).

Services, the CLI and the windows see two Protocols, :class:`Store` and
:class:`Transaction` (``interface.py``), get a store from :func:`open_store`, and speak
in domain terms (:class:`UserChanges`, :class:`NewUser`): no column name and no backend
leaves this package.

Modules, by concern:

- ``interface.py``  the Protocols, the typed changes, ``BUILTIN_USER`` and the defaults;
- ``sqlstore.py``   the one implementation of the Protocols over any SQL ``Database``;
- ``database.py``   that adapter: running SQL, rows by name, write transactions, and
                    the ``Dialect`` hooks where backends differ;
- ``users.py``, ``groups.py``, ``settings.py``, ``audit.py``, ``sessions.py``,
  ``recovery_codes.py``: one module per table, its queries in portable SQL;
- ``sealing.py``    which fields are sealed, the digest terms, the last-known-good copy,
                    the audit hash chain: sealing and checking (no SQL);
- ``head.py``       the sealed head record (generation, digest, audit chain's end) and
                    the :class:`~.head.Ledger` every write transaction keeps it with;
- ``trust.py``      this OS account's record of each store, outside it (identity, key
                    location and fingerprint, high-water mark);
- ``integrity.py``  the checks on first use of the key, sealing a 1.0 store once,
                    ``store verify`` and ``store accept``;
- ``crypto.py``     the key's sub-keys: OTP secret encryption, the seal MAC, the
                    recovery-code fingerprints, the trust record's MAC, the key's
                    fingerprint;
- ``keys.py``       where the store key lives (OS keyring or an owner-only file);
- ``migrations.py`` every schema version for every backend, and creating a store;
- ``sqlite.py``     the SQLite backend: the file, its pragmas, errors, backups;
- ``postgresql.py`` the PostgreSQL backend: a site's shared store (psycopg 3, loaded
                    only when such a store is opened), its errors and reconnection;
- ``relocate.py``   moving an SQLite store from an earlier version's default folder.

A backend (SQLite, PostgreSQL) is a ``Database`` subclass (connection, how a write begins,
error translation, where the version is kept), a ``Dialect`` (placeholders,
case-insensitive comparison, DDL substitutions), its version 1 in ``migrations.py``,
and a branch in :func:`open_store`; the table modules and ``SQLStore`` are shared.

**Adding a migration** (a column, a table): append one ``Migration`` to
``migrations.MIGRATIONS``, written once in portable DDL (``{BLOB}``, ``{BIGINT}``,
``{ID}``, ``{STRICT}``, ``{ci[column]}``; see the ``migrations`` docstring), plus
``sqlite=``/``postgresql=`` extras only for what one backend alone needs (a trigger,
a grant). Never edit a released migration. Then teach the table module the new
column (its ``COLUMNS`` and the record it builds), extend ``records.py``/``interface.py``
if services see it. Every column of users, groups and settings is sealed: a new user
column goes into a new entry of ``sealing.USER_SEALED_BY_VERSION`` (with
``sealing.SEAL_VERSION`` bumped); the store then re-seals itself once, with the key, on
first use (``integrity.upgrade``, generalised from version 1 to the previous version).
A new sealed table also needs the digest-term columns ``dt0``..``dt2`` and a place in
``sealing.SEALED_TABLES``. The test ``test_migration_backs_up_then_migrates`` shows the
SQLite side of the mechanism.

**Every write goes through the ledger**: a table module's write function takes the
transaction's :class:`~.head.Ledger`, calls ``ledger.check()`` before touching a sealed
row, and ``ledger.count(table, old_terms, new_terms)`` after, so the head's digest stays
exact; audit rows are appended only through ``audit.append`` (the hash chain).

**Adding a store method**: the query goes into its table module as a function taking
the ``Database`` (portable SQL, ``?`` placeholders, rows by name, dialect hooks for
case-insensitive comparison or row locks); declare the method on the Protocol in
``interface.py``; delegate to it from ``SQLStore`` (reads) or ``SQLTransaction``
(writes). Services then call it through the Protocol, and mypy checks both sides.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from tapemaster_qt.store.interface import (
    BUILTIN_USER,
    DEFAULT_GROUP,
    UNCHANGED,
    BackupReport,
    KeyStatus,
    NewRecoveryCode,
    NewUser,
    RestoreReport,
    Store,
    Transaction,
    UserChanges,
)

if TYPE_CHECKING:
    from tapemaster_qt.location import StoreLocation

__all__ = [
    "BUILTIN_USER", "DEFAULT_GROUP", "UNCHANGED", "BackupReport", "KeyStatus",
    "NewRecoveryCode", "NewUser", "RestoreReport", "Store", "Transaction", "UserChanges",
    "backup_store", "open_store", "restore_store",
]


def open_store(location: StoreLocation | str | os.PathLike[str], *,
               busy_timeout_ms: int = 5000, upgrade: bool = False,
               program: str = "") -> Store:
    """Open the store at ``location``: the one place where the programs and the CLI
    turn a location (DESIGN.md §7) into a store. A plain path is a folder, which holds
    an SQLite store, created or migrated as needed. A ``postgresql://`` location is a
    site's shared store, which only ``upgrade=True`` (``tapemaster-admin init`` and
    ``upgrade``, as the owner role) creates or migrates. ``busy_timeout_ms``: how long
    a write waits for another program's; ``program`` names us to a server."""
    if not isinstance(location, str | os.PathLike):  # a StoreLocation
        if location.folder is None:
            # psycopg and the backend are imported only here: never on SQLite's way.
            from tapemaster_qt.store.postgresql import PostgreSQLStore

            return PostgreSQLStore.open(location, busy_timeout_ms=busy_timeout_ms,
                                        upgrade=upgrade, program=program)
        location = location.folder
    # Imported here: the sqlite3 module and the table modules are not needed until a
    # store is opened (start-up shows the logon window first).
    from tapemaster_qt.store.sqlite import SQLiteStore

    return SQLiteStore.open(Path(location), busy_timeout_ms=busy_timeout_ms)


def backup_store(store: Store, target: str | os.PathLike[str]) -> BackupReport:
    """Write a consistent copy of ``store`` to the new file ``target`` (owner-only, never
    replacing a file) while other programs keep working (``store/backup.py``)."""
    from tapemaster_qt.errors import StoreError
    from tapemaster_qt.store import backup
    from tapemaster_qt.store.sqlite import SQLiteStore

    if not isinstance(store, SQLiteStore):
        raise StoreError("A shared PostgreSQL store is backed up by its database server "
                         "(pg_dump), not by TapeMaster Qt.")
    return backup.backup(store, Path(target))


def restore_store(location: str | os.PathLike[str], source: str | os.PathLike[str], *,
                  busy_timeout_ms: int = 5000, accept_findings: bool = False
                  ) -> RestoreReport:
    """Put the backup ``source`` in place of the store at ``location`` after checking
    it (a sound store of this store's key whose own head, digest, audit chain and seals
    hold, unless ``accept_findings``); the current store is kept aside and running
    programs notice they must restart (``store/backup.py``). The one function a restore
    goes through: whatever must follow a legitimate rollback belongs in it."""
    from tapemaster_qt.store import backup

    return backup.restore(Path(location), Path(source), busy_timeout_ms=busy_timeout_ms,
                          accept_findings=accept_findings)
