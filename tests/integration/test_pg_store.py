"""The PostgreSQL backend on a real server: creating a store as the owner role, what a
desktop (the app role) may and may not do to the schema, the refusals of a database
that is not ours, newer, not created or older, the sentences for a server that cannot be
reached or refuses us, and a connection lost or a server restarted mid-session."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import ADMIN_PASSWORD
from pgcluster import APP, OWNER, SUPERUSER, Cluster
from pgfixtures import PgDatabase
from tapemaster_qt import paths
from tapemaster_qt.errors import (
    NotAuthorizedError,
    StoreAccessError,
    StoreConnectionError,
    StoreLockedError,
    StoreNotAStoreError,
    StoreNotCreatedError,
    StoreReplacedError,
    StoreTooNewError,
    StoreTooOldError,
)
from tapemaster_qt.location import parse
from tapemaster_qt.services import Context
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import Store, migrations, open_store, sealing, trust
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.keys import KEY_FILE, KEYRING_SERVICE
from tapemaster_qt.store.migrations import Migration

psycopg = pytest.importorskip("psycopg")

SCHEMA_VERSION = migrations.schema_version()


def _tables(db: PgDatabase) -> set[str]:
    with db.connect(SUPERUSER) as conn:
        return {r[0] for r in conn.execute(
            "SELECT schemaname || '.' || tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")}


@pytest.fixture
def created(pg_database: PgDatabase) -> PgDatabase:
    """A database with a store in it, made by its owner as ``init`` makes it."""
    pg_database.create_store()
    return pg_database


@pytest.fixture
def app_store(created: PgDatabase) -> Iterator[Store]:
    """That store as a desktop opens it (the app role), with a short lock wait."""
    with open_store(created.location(APP), busy_timeout_ms=300) as store:
        yield store


# --- creating the store --------------------------------------------------------------------


def test_the_owner_creates_the_store_in_its_two_schemas(pg_database: PgDatabase,
                                                       keyring_backend) -> None:
    with open_store(pg_database.location(OWNER), upgrade=True) as store:
        assert store.created and store.shared
        assert store.location == pg_database.location(OWNER).display
        store_id = store.store_id
        assert store.count_users() == 1 and store.get_user("tapemaster") is not None
        assert store.integrity_check() == ["ok"]
    tables = _tables(pg_database)
    assert {"tapemaster.schema_version", "tapemaster.settings", "tapemaster.groups",
            "tapemaster.users", "tapemaster.sessions", "tapemaster_audit.audit"} <= tables
    # Later migrations add their tables to schema tapemaster; the audit log stays apart,
    # with version 7's change counter (which the desktops may only read, as the log).
    assert {t for t in tables if not t.startswith("tapemaster.")} == {
        "tapemaster_audit.audit", "tapemaster_audit.changes"}
    with pg_database.connect(SUPERUSER) as conn:
        assert conn.execute("SELECT application, version FROM tapemaster.schema_version"
                            ).fetchall() == [("TapeMaster Qt", SCHEMA_VERSION)]
        owners = {r[0] for r in conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname LIKE 'tapemaster%'")}
    assert owners == {OWNER}
    # The site key is in this desktop's keyring, under the store's id; never in the database.
    assert (KEYRING_SERVICE, store_id) in keyring_backend.items
    with pg_database.connect(SUPERUSER) as conn:
        key = keyring_backend.items[(KEYRING_SERVICE, store_id)]
        dump = "".join(str(r) for query in ("SELECT * FROM tapemaster.settings",
                                            "SELECT * FROM tapemaster.users")
                       for r in conn.execute(query))
    assert key not in dump
    # A desktop opens it as the app role: nothing is created again.
    with open_store(pg_database.location(APP)) as store:
        assert not store.created and store.store_id == store_id
        assert store.key.raw is not None


def test_without_a_keyring_the_site_key_is_an_owner_only_file_of_its_own(
        pg_database: PgDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with open_store(pg_database.location(OWNER), upgrade=True) as store:
        store_id = store.store_id
        described = store.key_description()
    path = paths.default_data_dir() / "site-keys" / store_id / KEY_FILE
    assert described == f"key file {path} (readable by its owner only)"
    assert path.stat().st_mode & 0o777 == 0o600
    # Not the per-user SQLite store's key file: that folder keeps its own.
    assert not (paths.default_data_dir() / KEY_FILE).exists()
    with open_store(pg_database.location(APP)) as store:
        assert store.key_description() == described


def test_desktops_never_run_ddl(pg_database: PgDatabase) -> None:
    with pytest.raises(StoreNotCreatedError) as caught:
        open_store(pg_database.location(APP))
    assert caught.value.message == (
        f"The database at {pg_database.location(APP).display} holds no TapeMaster Qt store "
        "yet; create it once with 'tapemaster-admin --store URL init --password-stdin', "
        "connecting as its owner role.")
    with pytest.raises(StoreAccessError) as caught:
        open_store(pg_database.location(APP), upgrade=True)
    assert caught.value.message == (
        f"Creating the store at {pg_database.location(APP).display} needs its owner role "
        "(tapemaster_owner in setup.sql): this role may not create tables there.")
    assert _tables(pg_database) == set()


def test_the_app_role_may_read_the_schema_version_but_not_change_it(
        created: PgDatabase) -> None:
    def try_to_change() -> None:
        with created.connect(APP) as conn:
            assert conn.execute("SELECT version FROM schema_version").fetchone() == (
                SCHEMA_VERSION,)
            for statement in ("UPDATE schema_version SET version = 99",
                              "DELETE FROM schema_version", "TRUNCATE schema_version",
                              "INSERT INTO schema_version (singleton, application, version) "
                              "VALUES (false, 'x', 1)"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)

    try_to_change()
    created.cluster.setup_database(created.name)  # setup.sql again: it grants on all tables
    try_to_change()


def test_the_shared_store_is_first_set_up_by_support_staff_not_by_a_desktop(
        created: PgDatabase, hasher: PasswordHasher) -> None:
    """A desktop's First Run on a shared store would give the store to whoever started
    a program first: refused in the service; tapemaster-admin init sets it."""
    with open_store(created.location(APP)) as store:
        ctx = Context(store, program="TapeMaster", hasher=hasher)
        with pytest.raises(NotAuthorizedError, match="support staff set it with"):
            set_initial_password(ctx, ADMIN_PASSWORD)
        assert not store.has_password("tapemaster")
        set_initial_password(ctx, ADMIN_PASSWORD, actor="cli:support@desk")
        assert store.has_password("tapemaster")


# --- refusals --------------------------------------------------------------------------------


def test_a_database_without_our_schema_is_not_ours(pg_database: PgDatabase) -> None:
    location = parse(pg_database.cluster.conninfo("postgres", APP), "--store")
    with pytest.raises(StoreNotAStoreError) as caught:
        open_store(location, upgrade=True)
    assert caught.value.message == (
        f"The database postgres at {location.display} is not a TapeMaster Qt store (it has "
        "no schema tapemaster; packaging/postgresql/setup.sql makes one).")


def test_a_schema_holding_other_tables_is_not_ours(pg_database: PgDatabase) -> None:
    with pg_database.connect(OWNER) as conn:
        conn.execute("CREATE TABLE tapemaster.invoices (id int)")
    for role, upgrade in ((APP, False), (OWNER, True)):
        with pytest.raises(StoreNotAStoreError, match="its schema tapemaster holds other "
                                                      "tables"):
            open_store(pg_database.location(role), upgrade=upgrade)
    assert _tables(pg_database) == {"tapemaster.invoices"}


def test_another_applications_version_table_is_not_ours(created: PgDatabase) -> None:
    with created.connect(OWNER) as conn:
        conn.execute("UPDATE schema_version SET application = 'TapeMaster Pro'")
    with pytest.raises(StoreNotAStoreError) as caught:
        open_store(created.location(OWNER), upgrade=True)
    assert caught.value.message == (
        f"The database {created.name} at {created.location(OWNER).display} is not a "
        "TapeMaster Qt store.")


def test_a_newer_store_is_refused_and_left_untouched(created: PgDatabase) -> None:
    with created.connect(OWNER) as conn:
        conn.execute("UPDATE schema_version SET version = %s", [SCHEMA_VERSION + 1])
    for role, upgrade in ((APP, False), (OWNER, True)):
        with pytest.raises(StoreTooNewError) as caught:
            open_store(created.location(role), upgrade=upgrade)
        assert caught.value.message == (
            f"The user store {created.location(role).display} was written by a newer "
            f"version of TapeMaster Qt (store version {SCHEMA_VERSION + 1}, this program "
            f"knows up to {SCHEMA_VERSION}). Install the newer version; the store was left "
            "untouched.")
    with created.connect(OWNER) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (
            SCHEMA_VERSION + 1,)


def test_an_older_store_waits_for_its_owner_to_upgrade_it(
        created: PgDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later version's portable migration: desktops refuse until support staff run
    ``tapemaster-admin upgrade`` as the owner; the new table then gets the app role's
    grants from setup.sql's default privileges, and nothing was lost."""
    with open_store(created.location(APP)) as store:
        store_id = store.store_id
    newer = Migration(portable="CREATE TABLE tape_loans (id {ID}, label TEXT NOT NULL, "
                               "photo {BLOB}){STRICT};")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, newer))
    with pytest.raises(StoreTooOldError) as caught:
        open_store(created.location(APP))
    assert caught.value.message == (
        f"The user store at {created.location(APP).display} is at version "
        f"{SCHEMA_VERSION} and this program needs version {SCHEMA_VERSION + 1}: upgrade it "
        "with 'tapemaster-admin --store URL upgrade', connecting as its owner role (back "
        "the database up first).")
    with pytest.raises(StoreAccessError, match=r"^Upgrading the store at"):
        open_store(created.location(APP), upgrade=True)
    with open_store(created.location(OWNER), upgrade=True) as store:
        assert not store.created and store.store_id == store_id
    with open_store(created.location(APP)) as store:
        assert store.count_users() == 1
        with store.write():
            store.db.execute("INSERT INTO tape_loans (label, photo) VALUES (?, ?)",
                             ("LTO-0001", b"\x00\xff"))
        assert store.db.rows("SELECT label, photo FROM tape_loans") == [
            {"label": "LTO-0001", "photo": b"\x00\xff"}]
    assert "tapemaster.tape_loans" in _tables(created)


def test_two_owners_creating_one_store_at_once_create_it_once(
        pg_database: PgDatabase) -> None:
    results: list[object] = []

    def create() -> None:
        try:
            with open_store(pg_database.location(OWNER), upgrade=True) as store:
                results.append((store.created, store.store_id))
        except Exception as exc:  # collected, asserted below
            results.append(exc)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(r[0] for r in results) == [False, False, False, True]  # type: ignore[index]
    assert len({r[1] for r in results}) == 1  # type: ignore[index]


# --- connecting ------------------------------------------------------------------------------


def test_a_wrong_password_is_one_sentence_without_it(created: PgDatabase) -> None:
    secret = created.cluster.passwords[APP]
    wrong = parse(created.url(APP).replace(secret, "Not-The-Password"), "--store")
    with pytest.raises(StoreAccessError) as caught:
        open_store(wrong)
    assert caught.value.message == (
        f"The PostgreSQL server of {wrong.display} refused the user name or password "
        '(password authentication failed for user "tapemaster_app"); check them (the '
        "password may come from the URL, PGPASSWORD or the pgpass file).")
    assert "Not-The-Password" not in caught.value.message


def test_a_database_the_server_does_not_have_is_one_sentence(created: PgDatabase) -> None:
    missing = parse(created.cluster.conninfo("tapemaster_nowhere", APP), "--store")
    with pytest.raises(StoreNotAStoreError) as caught:
        open_store(missing)
    assert caught.value.message == (
        f"The PostgreSQL server of {missing.display} has no such database (database "
        '"tapemaster_nowhere" does not exist); check the store URL, or create the database '
        "with packaging/postgresql/setup.sql.")


def test_a_server_that_is_not_running_is_one_sentence(created: PgDatabase,
                                                     tmp_path: Path) -> None:
    socket = str(created.cluster.socket_dir)
    elsewhere = parse(created.url(APP).replace(socket.replace("/", "%2F"),
                                               str(tmp_path).replace("/", "%2F")), "--store")
    assert str(tmp_path) in elsewhere.display
    with pytest.raises(StoreConnectionError) as caught:
        open_store(elsewhere)
    assert caught.value.message == (
        f"The PostgreSQL server of the user store {elsewhere.display} cannot be reached "
        "(No such file or directory); check the address and that the server is running, "
        "then try again.")


# --- a lost connection, a restarted server -----------------------------------------------------


def _terminate(db: PgDatabase, store: Store) -> None:
    """The server ends the desktop's session (as a DBA, a failover or a crash would)."""
    pid = store.db.connection.info.backend_pid
    with db.connect(SUPERUSER) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def test_a_read_after_the_connection_was_lost_simply_connects_again(
        created: PgDatabase, app_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    before = app_store.db.connection.info.backend_pid
    _terminate(created, app_store)
    assert app_store.count_users() == 1
    assert app_store.db.connection.info.backend_pid != before
    assert "was lost" in caplog.text and "connecting again" in caplog.text


def test_a_write_whose_connection_is_lost_changes_nothing_and_the_next_one_works(
        created: PgDatabase, app_store: Store) -> None:
    with pytest.raises(StoreConnectionError) as caught, app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
        _terminate(created, app_store)
        tx.insert_group("VAULT", "The vault")
    assert caught.value.message == (
        f"The connection to the user store {app_store.location} was lost; nothing was "
        "changed. Try again in a moment.")
    assert [g.group_id for g in app_store.list_groups()] == ["DEFAULT"]
    with app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
    assert [g.group_id for g in app_store.list_groups()] == ["DEFAULT", "OPS"]


def test_a_write_after_an_idle_disconnect_begins_on_a_new_connection(
        created: PgDatabase, app_store: Store) -> None:
    _terminate(created, app_store)
    with app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
    assert app_store.get_group("OPS") is not None


def test_a_restarted_server_is_unreachable_while_down_and_used_again_after(
        created: PgDatabase, app_store: Store) -> None:
    cluster: Cluster = created.cluster
    assert app_store.count_users() == 1
    cluster.stop_server()
    try:
        with pytest.raises(StoreConnectionError) as caught:
            app_store.count_users()
        assert "cannot be reached" in caught.value.message
        assert app_store.location in caught.value.message
        with pytest.raises(StoreConnectionError), app_store.write() as tx:
            tx.insert_group("OPS", "Operations")
    finally:
        cluster.start_server()
    assert app_store.count_users() == 1
    with app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
    assert [g.group_id for g in app_store.list_groups()] == ["DEFAULT", "OPS"]


def test_a_row_held_by_another_desktop_for_too_long_is_a_busy_store(
        created: PgDatabase, app_store: Store) -> None:
    from tapemaster_qt.store import UserChanges

    with created.connect(APP, autocommit=False) as other:
        other.execute("SELECT * FROM users WHERE user_id = 'tapemaster' FOR UPDATE")
        with (pytest.raises(StoreLockedError, match="in use by another program"),
              app_store.write() as tx):
            tx.update_user("tapemaster", UserChanges(name="Changed"))
        other.rollback()
    with app_store.write() as tx:
        assert tx.update_user("tapemaster", UserChanges(name="Changed"))
    user = app_store.get_user("tapemaster")
    assert user is not None and user.name == "Changed" and user.integrity_ok


def test_the_search_path_is_ours_whatever_the_server_says(created: PgDatabase) -> None:
    """A database whose default search_path was changed (or a role's) still finds the
    store's tables, and never a look-alike table in another schema."""
    with created.connect(SUPERUSER) as conn:
        conn.execute(f'ALTER DATABASE "{created.name}" SET search_path = public')
        conn.execute(f'ALTER ROLE tapemaster_app IN DATABASE "{created.name}" '
                     "SET search_path = public")
    try:
        with open_store(created.location(APP)) as store:
            assert store.count_users() == 1
            assert store.db.value("SELECT current_setting('search_path')") == (
                "tapemaster, tapemaster_audit")
    finally:
        with created.connect(SUPERUSER) as conn:
            conn.execute(f'ALTER ROLE tapemaster_app IN DATABASE "{created.name}" RESET '
                         "search_path")


def test_the_integrity_check_notices_a_disabled_audit_trigger(created: PgDatabase) -> None:
    with created.connect(OWNER) as conn:
        conn.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update_or_delete")
        conn.execute("DROP TRIGGER audit_no_truncate ON audit")
    with open_store(created.location(APP)) as store:
        assert store.integrity_check() == [
            "the audit log's trigger audit_no_update_or_delete is disabled",
            "the audit log's trigger audit_no_truncate is missing"]


# --- the admin CLI -----------------------------------------------------------------------------


def _cli(db: PgDatabase, tmp_path: Path, role: str, *args: str, stdin: str = ""
         ) -> subprocess.CompletedProcess[str]:
    import os

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAPEMASTER_", "PG"))}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HOME=str(home),
               XDG_DATA_HOME=str(home / "share"), XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_CONFIG_DIRS=str(tmp_path / "xdg"))
    return subprocess.run([sys.executable, "-m", "tapemaster_qt.cli", "--store",
                           db.url(role), *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.slow
def test_support_staff_create_inspect_and_upgrade_a_store_with_the_cli(
        pg_database: PgDatabase, tmp_path: Path) -> None:
    secret = pg_database.cluster.passwords
    shown = {role: pg_database.location(role).display for role in (APP, OWNER)}
    refused = _cli(pg_database, tmp_path, APP, "info")
    assert refused.returncode == 1 and refused.stderr == (
        f"tapemaster-admin: error: The database at {shown[APP]} holds no TapeMaster Qt "
        "store yet; create it once with 'tapemaster-admin --store URL init "
        "--password-stdin', connecting as its owner role.\n")
    made = _cli(pg_database, tmp_path, OWNER, "init", "--password-stdin",
                stdin=ADMIN_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Initialised the store in {shown[OWNER]}; the store key "
                                  "is in the key file ")
    again = _cli(pg_database, tmp_path, OWNER, "init", "--password-stdin",
                 stdin=ADMIN_PASSWORD + "\n")
    assert again.returncode == 1 and "already initialised" in again.stderr
    info = _cli(pg_database, tmp_path, APP, "info")
    assert info.returncode == 0, info.stderr
    assert info.stdout.splitlines()[0] == f"Store:       {shown[APP]}"
    assert "site-keys" in info.stdout.splitlines()[1]
    upgraded = _cli(pg_database, tmp_path, OWNER, "upgrade")
    assert upgraded.stdout == (f"The store {shown[OWNER]} is at schema version "
                               f"{SCHEMA_VERSION}, this program's.\n")
    for result in (refused, made, again, info, upgraded):
        assert "Traceback" not in result.stderr
        for password in secret.values():
            assert password not in result.stdout + result.stderr
    for log in (tmp_path / "home").rglob("*.log"):
        text = log.read_text()
        assert all(password not in text for password in secret.values())


def test_the_password_may_come_from_the_pgpass_file(
        created: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the README tells sites: the URL without a password, the password in the
    user's pgpass file (0600), which libpq reads."""
    secret = created.cluster.passwords[APP]
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:{created.name}:{APP}:{secret}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    url = created.url(APP).replace(f":{secret}@", "@")
    assert secret not in url
    with open_store(parse(url, "--store")) as store:
        assert store.count_users() == 1
    pgpass.unlink()
    with pytest.raises(StoreAccessError, match="refused the user name or password"):
        open_store(parse(url, "--store"))


def test_a_version_1_store_upgraded_by_its_owner_keeps_every_seal(
        pg_database: PgDatabase, hasher) -> None:
    """A site's store as the previous release left it (schema version 1: no
    failures_since_logon, no unknown_logons), with users in it: desktops of this release
    refuse it until the owner upgrades it (versions 2 to 7); then every record's seal
    still holds and every user has a uid of its own."""
    from tapemaster_qt.services import Actor
    from tapemaster_qt.services.admin import AdminService

    with open_store(pg_database.location(OWNER), upgrade=True) as store:
        ctx = Context(store, program="tapemaster-admin", hasher=hasher)
        set_initial_password(ctx, ADMIN_PASSWORD, actor="cli:support@desk")
        admin = AdminService(ctx, Actor.for_user("tapemaster"))
        admin.add_user({"user_id": "alice", "email": "alice@example.com"}, "Alice-Secret-42")
        admin.set_otp("alice", True)
        raw_key, store_id = store.key.raw, store.store_id
        # Version 1 kept no trust record (store/trust.py came with version 5); every
        # role's programs share the one of this server's database.
        trust.forget(store.identity)
    with pg_database.connect(OWNER) as conn:  # what version 1 had
        conn.execute("DROP FUNCTION tapemaster_audit.count_change() CASCADE")  # version 7
        conn.execute("DROP TABLE tapemaster_audit.changes")
        conn.execute("DROP INDEX audit_failure, audit_text_trgm")  # version 6
        conn.execute("DROP TABLE head, user_copies")  # version 5
        conn.execute("ALTER TABLE users DROP COLUMN dt0, DROP COLUMN dt1, DROP COLUMN dt2")
        conn.execute("ALTER TABLE groups DROP COLUMN mac, DROP COLUMN dt0, DROP COLUMN dt1, "
                     "DROP COLUMN dt2")
        conn.execute("ALTER TABLE settings DROP COLUMN dt0, DROP COLUMN dt1, "
                     "DROP COLUMN dt2")
        conn.execute("ALTER TABLE audit DROP COLUMN hash, "
                     "ALTER COLUMN id SET GENERATED ALWAYS")
        conn.execute("ALTER TABLE sessions DROP COLUMN user_uid, DROP COLUMN otp_mark, "
                     "DROP COLUMN end_reason, DROP COLUMN ended_by, DROP COLUMN ended_at")
        conn.execute("ALTER TABLE users DROP COLUMN uid")  # version 4
        conn.execute("DROP TABLE recovery_codes")  # version 3
        conn.execute("DROP TABLE unknown_logons")  # version 2
        conn.execute("ALTER TABLE users DROP COLUMN failures_since_logon")
        conn.execute("UPDATE schema_version SET version = 1")
        # Sealed as version 1 sealed a user: its security fields only.
        sealer = Sealer(raw_key, store_id)
        cur = conn.execute("SELECT * FROM users")
        names = [d[0] for d in cur.description]
        for values in cur.fetchall():
            row = dict(zip(names, values, strict=True))
            mac = sealer.seal(sealing.USER_KIND,
                              tuple(row[f] for f in sealing.USER_SEALED_V1))
            conn.execute("UPDATE users SET mac = %s WHERE user_id = %s",
                         [mac, row["user_id"]])
    with pytest.raises(StoreTooOldError):
        open_store(pg_database.location(APP))
    with open_store(pg_database.location(OWNER), upgrade=True) as store:
        assert not store.created
    with open_store(pg_database.location(APP)) as store:
        users = store.list_users()
        assert [u.user_id for u in users] == ["alice", "tapemaster"]
        assert all(u.integrity_ok for u in users)
        assert store.decrypt_otp_secret(users[0]) is not None
    with pg_database.connect(APP) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (
            SCHEMA_VERSION,)
        assert conn.execute("SELECT count(*) FROM unknown_logons").fetchone() == (0,)
        uids = [r[0] for r in conn.execute("SELECT uid FROM users").fetchall()]
        assert len(set(uids)) == 2 and all(len(u) == 32 for u in uids), uids


# --- is it still the same store? (the heartbeat asks; every write checks) ------------------------


def test_an_unchanged_store_is_the_same_store_after_a_lost_connection(
        created: PgDatabase, app_store: Store) -> None:
    app_store.check_same_store()
    _terminate(created, app_store)
    app_store.check_same_store()  # connected again: the same database, the same tables
    with app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
    assert app_store.get_group("OPS") is not None


def test_tables_made_again_under_a_running_program_stop_its_writes(
        created: PgDatabase, app_store: Store) -> None:
    """What ``pg_restore --clean`` does to a store in use: the same database, the same
    store token (the dump's), tables made again with older rows."""
    assert app_store.count_users() == 1
    with app_store.write() as tx:
        tx.insert_group("OPS", "Operations")
    with created.connect(OWNER) as conn:
        conn.execute("ALTER TABLE settings RENAME TO settings_before")
        conn.execute("CREATE TABLE settings (LIKE settings_before INCLUDING ALL)")
        conn.execute("INSERT INTO settings SELECT * FROM settings_before")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON settings TO tapemaster_app")
    with pytest.raises(StoreReplacedError) as caught, app_store.write() as tx:
        tx.insert_group("VAULT", "The vault")
    assert caught.value.message == StoreReplacedError.WHILE_RUNNING
    with pytest.raises(StoreReplacedError):
        app_store.check_same_store()
    assert [g.group_id for g in app_store.list_groups()] == ["DEFAULT", "OPS"]
    with open_store(created.location(APP)) as restarted:  # a program started again is fine
        restarted.check_same_store()
        with restarted.write() as tx:
            tx.insert_group("VAULT", "The vault")


def test_a_database_made_again_under_its_name_is_another_store(
        created: PgDatabase, app_store: Store) -> None:
    """Dropped and restored under the same name while programs ran: each program's next
    connection reaches another database, and nothing is written there."""
    cluster: Cluster = created.cluster
    template = cluster.new_database_name()
    _terminate(created, app_store)  # a template may have no connection
    cluster.clone_database(created.name, template)
    try:
        with cluster.connect(role=SUPERUSER) as conn:
            conn.execute(f'DROP DATABASE "{created.name}" WITH (FORCE)')
        cluster.clone_database(template, created.name)
        with pytest.raises(StoreReplacedError), app_store.write() as tx:
            tx.insert_group("VAULT", "The vault")
        with pytest.raises(StoreReplacedError):
            app_store.check_same_store()
    finally:
        cluster.drop_database(template)
    with created.connect(APP) as conn:
        assert conn.execute("SELECT group_id FROM groups").fetchall() == [("DEFAULT",)]


def test_backup_and_restore_point_a_server_store_to_pg_dump(
        created: PgDatabase, tmp_path: Path) -> None:
    result = _cli(created, tmp_path, APP, "backup", str(tmp_path / "b.db"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "pg_dump" in result.stderr
    assert not (tmp_path / "b.db").exists()
    result = _cli(created, tmp_path, APP, "restore", str(tmp_path / "b.db"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "pg_restore" in result.stderr


def test_the_dialect_folds_text_as_the_database_compares_it(app_store: Store) -> None:
    """Unknown logons are counted per folded e-mail address (Dialect.fold): it must
    fold exactly as the server's lower() in the store's C locale."""
    texts = ["Alice@Example.COM", "ÄÖÜ@straße.de", "İstanbul", "ǅemal", "ΣΊΣΥΦΟΣ",
             "ＦＵＬＬ", "K\u212aelvin", "mIxEd-123_x"]
    db = app_store.db
    for text in texts:
        assert db.value("SELECT lower(?)", (text,)) == db.dialect.fold(text), text
    assert db.dialect.fold("ÄB") == "Äb"


def test_a_database_in_another_locale_is_refused(pg_server: Cluster) -> None:
    """A database made by hand with a locale whose lower() folds more than ASCII would
    let desktops disagree with the store about which User-IDs are the same."""
    name = pg_server.new_database_name()
    with pg_server.connect(role=SUPERUSER) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER {OWNER} TEMPLATE template0 '
                     "LOCALE 'C.UTF-8' ENCODING 'UTF8'")
    try:
        with pg_server.connect(name, role=SUPERUSER) as conn:
            conn.execute(f"CREATE SCHEMA tapemaster AUTHORIZATION {OWNER}")
            conn.execute(f"CREATE SCHEMA tapemaster_audit AUTHORIZATION {OWNER}")
        db = PgDatabase(pg_server, name)
        with pytest.raises(StoreNotAStoreError, match="not the C locale"):
            open_store(db.location(OWNER), upgrade=True)
    finally:
        pg_server.drop_database(name)


def test_the_audit_text_filter_reads_the_trigram_index(app_store: Store) -> None:
    """Migration 6 on PostgreSQL: the text filter's query is one the pg_trgm GIN index
    serves (the planner is told not to scan, as it would on a table this small)."""
    from tapemaster_qt.store import audit

    with app_store.write() as tx:
        tx.append_audit_many([("2026-01-01T00:00:00.000+00:00", "bulk", f"imp{i:05d}",
                               "TapeMaster", "h", "user_created", "imported")
                              for i in range(50)])
    db = app_store.db
    source, condition, params, _ident = audit._text_source(db, "imp00042")
    db.execute("SET enable_seqscan = off")
    plan = "\n".join(r[0] for r in db.tuples(
        f"EXPLAIN SELECT a.id FROM {source} WHERE {condition}",  # noqa: S608 - ours
        params))
    db.execute("RESET enable_seqscan")
    assert "audit_text_trgm" in plan, plan
    assert [e.user_id for e in app_store.audit_events(text="IMP00042")] == ["imp00042"]


@pytest.mark.parametrize(("mac", "terms", "counted"), [
    (None, (0, 0, 0), False),
    (bytes(range(1, 33)), (0x0102030405, 0x060708090A, 0x0B0C0D0E0F), False),
    (bytes(range(1, 33)), (0x0102030405, 0x060708090A, 0x0B0C0D0E0E), True),
    (b"\xff" * 32, (2**40 - 1, 2**40 - 1, 2**40 - 1), False),
    (b"\xff" * 32, (-1, 2**40 - 1, 2**40 - 1), True),  # lpad would cut -1's 16 digits
    (b"\xff" * 32, (2**40 - 1, 2**48 - 1, 2**40 - 1), True),
    (b"\x01" * 8, (1, 0, 0), True),  # too short a seal: its terms are 0
])
def test_the_terms_check_reads_as_on_sqlite(app_store: Store, mac: bytes | None,
                                            terms: tuple[int, int, int], counted: bool
                                            ) -> None:
    """Dialect.terms_not_cut (REVIEW-2 D1) in PostgreSQL's words, against the same cases
    SQLite's printf form answers."""
    import sqlite3

    from tapemaster_qt.store.database import Dialect

    db = app_store.db
    server = ("SELECT count(*) FROM (SELECT ?::bytea AS mac, ?::bigint AS dt0, "  # noqa: S608
              "?::bigint AS dt1, ?::bigint AS dt2) t WHERE " + db.dialect.terms_not_cut())
    found = db.value(server, (mac, *terms))
    with sqlite3.connect(":memory:") as lite:
        file = ("SELECT count(*) FROM (SELECT ? AS mac, ? AS dt0, ? AS dt1, "  # noqa: S608
                "? AS dt2) WHERE " + Dialect().terms_not_cut())
        expected = lite.execute(file, (mac, *terms)).fetchone()[0]
    assert (found, expected) == (int(counted), int(counted))
