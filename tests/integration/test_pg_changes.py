"""PostgreSQL's "did anyone else commit to the sealed tables?" signal (store version 7):
a counter in the append-only schema, moved by statement triggers the owner role owns on
every sealed table, that lets a program skip summing the digest over every user when
nothing but itself wrote since it last found the digest right (SQLite: ``PRAGMA
data_version``). An attacker holding the desktops' role can neither move it back nor
keep a change of theirs from moving it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgcluster import APP, OWNER
from pgfixtures import PgDatabase
from tapemaster_qt.errors import StoreTamperedError
from tapemaster_qt.store import Store, integrity, open_store

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def created(pg_database: PgDatabase) -> PgDatabase:
    pg_database.create_store()
    return pg_database


@pytest.fixture
def app_store(created: PgDatabase) -> Iterator[Store]:
    with open_store(created.location(APP)) as store:
        _ = store.key
        yield store


@pytest.fixture
def digest_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the digest was summed over the tables."""
    calls: list[int] = []
    real = integrity.check_digest

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(integrity, "check_digest", counted)
    return calls


def _add(store: Store, group: str) -> None:
    with store.write() as tx:
        tx.insert_group(group, group.title())


def test_a_program_writing_alone_does_not_sum_the_digest_again(
        app_store: Store, digest_checks: list[int]) -> None:
    _add(app_store, "OPS")
    first = len(digest_checks)
    for name in ("VAULT", "SITE", "TAPES"):
        _add(app_store, name)
    assert len(digest_checks) == first
    assert [g.group_id for g in app_store.list_groups()] == [
        "DEFAULT", "OPS", "SITE", "TAPES", "VAULT"]


def test_another_programs_write_makes_the_next_one_sum_it(
        created: PgDatabase, app_store: Store, digest_checks: list[int]) -> None:
    _add(app_store, "OPS")
    with open_store(created.location(APP)) as other:
        _add(other, "VAULT")
    before = len(digest_checks)
    _add(app_store, "SITE")
    assert len(digest_checks) == before + 1


@pytest.mark.parametrize("attack", [
    # A row put back to an older copy carries that copy's terms: the digest no longer
    # sums up (a field changed under its seal alone is the row's own check's, at its
    # next read).
    "UPDATE users SET dt0 = dt0 + 1 WHERE user_id = 'tapemaster'",
    "UPDATE groups SET description = 'x' WHERE group_id = 'OPS'",
    "UPDATE settings SET value = value || '0' "
    "WHERE key = (SELECT min(key) FROM settings WHERE mac IS NOT NULL)",
    "DELETE FROM recovery_codes",
])
def test_an_app_role_change_outside_the_program_is_caught_at_the_next_write(
        created: PgDatabase, app_store: Store, attack: str) -> None:
    from tapemaster_qt.store.interface import NewRecoveryCode

    _add(app_store, "OPS")
    with app_store.write() as tx:  # stands for the codes a user was given
        tx.replace_recovery_codes(
            "tapemaster", [NewRecoveryCode(f"code{n}", f"hash{n}") for n in range(3)],
            "2026-11-29T00:00:00Z")
    with created.connect(APP) as conn:
        assert conn.execute(attack).rowcount >= 1
    with pytest.raises(StoreTamperedError), app_store.write() as tx:
        tx.insert_group("VAULT", "The vault")


def test_a_change_committed_inside_a_programs_write_is_caught_at_the_next(
        created: PgDatabase, app_store: Store) -> None:
    """The attacker commits after the program read the counter and before its own
    statements moved it: the program does not take the counter as its own."""
    _add(app_store, "OPS")
    with app_store.write() as tx, created.connect(APP) as conn:
        conn.execute("UPDATE groups SET description = 'x' WHERE group_id = 'OPS'")
        tx.insert_group("VAULT", "The vault")
    with pytest.raises(StoreTamperedError), app_store.write() as tx:
        tx.insert_group("SITE", "The site")


def test_the_app_role_cannot_move_the_counter_or_silence_its_triggers(
        created: PgDatabase, app_store: Store) -> None:
    _add(app_store, "OPS")
    token = app_store.db.change_token()
    attempts = [
        "UPDATE tapemaster_audit.changes SET n = n - 1",
        "DELETE FROM tapemaster_audit.changes",
        "TRUNCATE tapemaster_audit.changes",
        "INSERT INTO tapemaster_audit.changes VALUES (2, 0, 0, 0)",
        "ALTER TABLE users DISABLE TRIGGER users_changed",
        "DROP TRIGGER users_changed ON users",
        "SET session_replication_role = replica",
        "SELECT tapemaster_audit.count_change()",
        "CREATE OR REPLACE FUNCTION tapemaster_audit.count_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ]
    for sql in attempts:
        with created.connect(APP) as conn, pytest.raises(psycopg.Error):
            conn.execute(sql)
    assert app_store.db.change_token() == token
    with created.connect(OWNER) as conn:  # the owner's own triggers are all on
        enabled = conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_changed' "
            "AND tgenabled = 'O'").fetchone()[0]
    assert enabled == 4
