"""This OS account's trust record of a PostgreSQL store (store/trust.py) is keyed by what
the server says the database is, never by the URL as typed: another spelling of the
same server and database (the port left out, the parameters in another order, the owner
role instead of the app role, the password elsewhere) is the same record, so a rolled-back
store is refused under every spelling, and records kept under the URL before this are
taken over (the same defect as REVIEW-2 D6, which SQLite fixed with the real folder)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest

from pgcluster import APP, OWNER, SUPERUSER, Cluster
from pgfixtures import PgDatabase
from tapemaster_qt.errors import StoreRollbackError
from tapemaster_qt.location import parse
from tapemaster_qt.store import Store, open_store, trust

pytest.importorskip("psycopg")


def _spellings(db: PgDatabase) -> list[str]:
    """Four ways to write the same server and database."""
    cluster: Cluster = db.cluster
    socket = quote(str(cluster.socket_dir), safe="")
    app, owner = (quote(cluster.passwords[r], safe="") for r in (APP, OWNER))
    return [
        db.url(APP),
        f"postgresql://{APP}:{app}@/{db.name}?host={socket}",  # the port left out
        f"postgresql:///{db.name}?port={cluster.port}&password={app}&user={APP}"
        f"&host={socket}&application_name=other",  # parameters, in another order
        f"postgresql://{OWNER}:{owner}@/{db.name}?host={socket}&port={cluster.port}",
    ]


def _open(url: str) -> Store:
    return open_store(parse(url, "--store"))


def _write(url: str, groups: list[str]) -> int:
    """Groups added under ``url``: the store's generation after them."""
    with _open(url) as store:
        _ = store.key
        for group in groups:
            with store.write() as tx:
                tx.insert_group(group, group.title())
        return store.generation()


def _copy(db: PgDatabase, name: str) -> None:
    """An older copy of the store, as a pg_dump of it would hold it."""
    db.cluster.clone_database(db.name, name)


def _put_back(db: PgDatabase, name: str) -> None:
    """The older copy restored under the store's name (its rows put back)."""
    cluster = db.cluster
    with cluster.connect(role=SUPERUSER) as conn:
        conn.execute(f'DROP DATABASE "{db.name}" WITH (FORCE)')
    cluster.clone_database(name, db.name)


@pytest.fixture
def created(pg_database: PgDatabase) -> PgDatabase:
    pg_database.create_store()
    return pg_database


def test_every_spelling_of_the_url_is_one_trust_record(created: PgDatabase) -> None:
    urls = _spellings(created)
    names = set()
    for url in urls:
        with _open(url) as store:
            _ = store.key
            names.add(store.identity)
    assert len(names) == 1
    (identity,) = names
    assert identity.startswith("postgresql:") and created.name in identity
    assert created.cluster.passwords[APP] not in identity
    assert trust.load(identity) is not None
    assert not any(trust.record_path(parse(u, "--store").identity()).exists() for u in urls)


def test_a_rolled_back_store_is_refused_under_another_spelling(created: PgDatabase) -> None:
    first, *others = _spellings(created)
    _write(first, [])
    older = created.cluster.new_database_name()
    _copy(created, older)
    try:
        assert _write(first, ["OPS", "VAULT"]) > 0
        _put_back(created, older)
    finally:
        created.cluster.drop_database(older)
    for url in [first, *others]:
        with _open(url) as store, pytest.raises(StoreRollbackError):
            _ = store.key


def _as_before(identity: str, url: str) -> None:
    """Keep this account's record as programs before this fix kept it: under the URL's
    display form, with its mark; nothing under the server's name."""
    with _open(url) as store:
        _, sealer = store.load_key_unchecked()
    stored = trust.load(identity)
    assert stored is not None
    legacy = parse(url, "--store").identity()
    refs = trust.mark_ref(identity, sealer, stored)
    generation = trust.mark(identity, sealer, stored)
    trust.save(replace(stored.record, identity=legacy, generation=generation), sealer)
    if refs is not None:
        trust.raise_mark(legacy, sealer, refs.generation, refs.audit_id, refs.audit_hash)
    trust.forget(identity)
    assert trust.load(identity) is None and trust.load(legacy) is not None


def test_a_record_kept_under_the_url_before_is_taken_over(created: PgDatabase) -> None:
    """A user who trusted the store under the URL as typed is not locked out, and the
    mark held there still refuses a rolled-back store, under that spelling and any
    other."""
    first, second, *_ = _spellings(created)
    with _open(first) as store:
        _ = store.key
        identity = store.identity
    older = created.cluster.new_database_name()
    _copy(created, older)
    try:
        high = _write(first, ["OPS", "VAULT"])
        _as_before(identity, first)
        with _open(first) as store:  # the legitimate user: the record moves, with its mark
            assert store.get_group("OPS") is not None
            _ = store.key
        moved = trust.load(identity)
        assert moved is not None and moved.record.identity == identity
        with _open(second) as store:
            assert trust.mark(identity, store.sealer, moved) >= high
        # Put back to the legacy form again, then the store rolled back.
        _as_before(identity, first)
        _put_back(created, older)
    finally:
        created.cluster.drop_database(older)
    with _open(second) as store, pytest.raises(StoreRollbackError):
        _ = store.key  # a spelling that never had a record: the old one is found
    with _open(first) as store, pytest.raises(StoreRollbackError):
        _ = store.key


def test_without_the_system_identifier_the_servers_address_names_the_store(
        created: PgDatabase) -> None:
    """A site that revoked pg_control_system() from the app role: the address the
    connection resolved (socket folder or host, and port) and the database's name stand
    in, the same for every spelling of it."""
    with created.connect(SUPERUSER) as conn:
        conn.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC")
    names = set()
    for url in _spellings(created):
        with _open(url) as store:
            _ = store.key
            names.add(store.identity)
    assert len(names) == 1
    (identity,) = names
    assert identity == (f"postgresql:host={created.cluster.socket_dir};"
                        f"port={created.cluster.port};database={created.name}")


def test_a_record_under_the_url_made_with_another_key_is_honoured_not_taken_over(
        created: PgDatabase) -> None:
    """The account trusted the store, under the URL, with another key than the one it
    finds now: refused as it was before this fix, until support staff accept it."""
    import os

    from tapemaster_qt.errors import StoreTrustError
    from tapemaster_qt.store.crypto import Sealer

    first, second, *_ = _spellings(created)
    with _open(first) as store:
        _ = store.key
        identity, store_id = store.identity, store.store_id
    stored = trust.load(identity)
    assert stored is not None
    foreign = Sealer(os.urandom(32), store_id)
    trust.save(replace(stored.record, identity=parse(first, "--store").identity(),
                       key_id=foreign.key_id), foreign)
    trust.forget(identity)
    for url in (first, second):
        with _open(url) as store, pytest.raises(StoreTrustError):
            _ = store.key
    assert trust.load(identity) is None
    with _open(second) as store:
        store.accept_store("cli:support@desk")
    with _open(first) as store:
        assert store.get_group("DEFAULT") is not None
        _ = store.key


def test_a_copy_under_another_database_name_is_another_store(created: PgDatabase) -> None:
    """A test database cloned from the site's (the same store id, an older generation)
    is trusted as found, as a copy of a store folder elsewhere is; the site's record
    keeps its mark."""
    first, *_ = _spellings(created)
    _write(first, [])
    copy = created.cluster.new_database_name()
    _copy(created, copy)
    try:
        high = _write(first, ["OPS"])
        url = first.replace(f"/{created.name}?", f"/{copy}?")
        with _open(url) as store:
            _ = store.key
            assert store.get_group("OPS") is None  # the older copy, opened
    finally:
        created.cluster.drop_database(copy)
    with _open(first) as store:
        assert store.generation() >= high
