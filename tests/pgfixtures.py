"""pytest fixtures for the throwaway PostgreSQL cluster (tests/pgcluster.py).

- ``pg_server`` (session): the running :class:`pgcluster.Cluster`, started at the first
  test that asks for it and stopped at the end of the session, whatever happened.
- ``pg_template`` (session): the name of a database made by
  ``packaging/postgresql/setup.sql`` (no tables: the store's migrations create those).
- ``pg_database`` (per test): a fresh :class:`PgDatabase` cloned from it, dropped after
  the test. Tests connect as ``tapemaster_app``, the role the README tells sites to
  create (``pg_database.url()``), or as ``tapemaster_owner`` to create the store.
- ``pg_store_template`` (session) and ``pg_store_database`` (per test): the same with a
  store already created by the owner, its key in the test's keyring: what the ``store``
  fixture opens as the app role for the tests that run on both backends
  (``raw_stores`` tells the tests' raw access which database stands for a test's
  store folder).

Without PostgreSQL these tests skip, saying why; with ``TAPEMASTER_REQUIRE_PG=1`` (CI)
they fail instead. Tests that use these fixtures get the ``pg`` marker by themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pgcluster
from pgcluster import APP, OWNER, REQUIRE_ENV, Cluster, Unavailable


@dataclass(frozen=True)
class PgDatabase:
    """One test's database on the shared cluster."""

    cluster: Cluster
    name: str

    def url(self, role: str = APP) -> str:
        """``postgresql://role:password@/name?host=<socket folder>&port=5432``."""
        return self.cluster.conninfo(self.name, role)

    def connect(self, role: str = APP, autocommit: bool = True) -> Any:
        return self.cluster.connect(self.name, role, autocommit=autocommit)

    def psql(self, *args: str, role: str = APP, stdin: str | None = None) -> Any:
        return self.cluster.psql(*args, dbname=self.name, role=role, stdin=stdin)

    def location(self, role: str = APP) -> Any:
        """The :class:`~tapemaster_qt.location.StoreLocation` of :meth:`url`, as
        ``--store URL`` makes it."""
        from tapemaster_qt.location import parse

        return parse(self.url(role), "--store")

    def create_store(self) -> None:
        """What ``tapemaster-admin --store OWNER_URL init`` does to the schema: the
        store's migrations, run as the owner role (the key goes where the test's
        keyring or per-user folder is)."""
        from tapemaster_qt.store import open_store

        open_store(self.location(OWNER), upgrade=True).close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Cluster]:
    try:
        cluster = Cluster.start()
    except Unavailable as exc:
        if pgcluster.require_pg():
            pytest.fail(f"{REQUIRE_ENV}=1, but {exc}", pytrace=False)
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: Cluster) -> str:
    name = "tapemaster_template"
    pg_server.setup_database(name)
    return name


@pytest.fixture
def pg_database(pg_server: Cluster, pg_template: str) -> Iterator[PgDatabase]:
    name = pg_server.new_database_name()
    pg_server.clone_database(pg_template, name)
    try:
        yield PgDatabase(pg_server, name)
    finally:
        pg_server.drop_database(name)


class RawStores:
    """Which PostgreSQL database stands for a test's store folder while a test runs on
    PostgreSQL: helpers that reach behind the store (``unit.support.raw_db``, the
    hostile tests' snapshots) go there instead of the SQLite file."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, PgDatabase] = {}
        self._connections: dict[Path, Any] = {}

    @contextmanager
    def opened(self, folder: Path, db: PgDatabase) -> Iterator[None]:
        self._by_folder[folder] = db
        try:
            yield
        finally:
            self._by_folder.pop(folder, None)
            conn = self._connections.pop(folder, None)
            if conn is not None:
                conn.close()

    def get(self, folder: Path) -> PgDatabase | None:
        return self._by_folder.get(folder)

    def connection(self, folder: Path) -> Any:
        """One autocommit connection as the app role for the whole test (the hostile
        tests read every table before and after each of hundreds of examples)."""
        conn = self._connections.get(folder)
        if conn is None or conn.closed:
            conn = self._connections[folder] = self._by_folder[folder].connect()
        return conn


raw_stores = RawStores()


@dataclass(frozen=True)
class StoreTemplate:
    """A database holding a store just created by its owner (as ``init`` creates one,
    tapemaster without a password yet), and that store's id and key."""

    name: str
    store_id: str
    key: bytes


@pytest.fixture(scope="session")
def pg_store_template(pg_server: Cluster, pg_template: str) -> StoreTemplate:
    from tapemaster_qt.store import open_store

    name = "tapemaster_store_template"
    pg_server.clone_database(pg_template, name)
    db = PgDatabase(pg_server, name)
    with open_store(db.location(OWNER), upgrade=True) as store:
        return StoreTemplate(name, store.store_id, store.key.raw)


@pytest.fixture
def pg_store_database(pg_server: Cluster, pg_store_template: StoreTemplate
                      ) -> Iterator[PgDatabase]:
    """A fresh copy of that store for one test, its key in the test's keyring (as on a
    desktop that imported the site key)."""
    import base64

    import keyring

    from tapemaster_qt.store.keys import KEYRING_SERVICE

    name = pg_server.new_database_name()
    pg_server.clone_database(pg_store_template.name, name)
    keyring.get_keyring().set_password(KEYRING_SERVICE, pg_store_template.store_id,
                                       base64.b64encode(pg_store_template.key).decode())
    try:
        yield PgDatabase(pg_server, name)
    finally:
        pg_server.drop_database(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pg: needs the throwaway PostgreSQL cluster (skips without PostgreSQL, "
                   "fails instead under TAPEMASTER_REQUIRE_PG=1)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.pg)


__all__ = ["APP", "OWNER", "PgDatabase", "StoreTemplate", "pg_database", "pg_server",
           "pg_store_database", "pg_store_template", "pg_template"]
