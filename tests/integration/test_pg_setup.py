"""packaging/postgresql/setup.sql on a real server: what the application role (every
desktop) may do, and what it may not, whatever a desktop's user tries with its
credentials. Also checks the throwaway cluster the PostgreSQL tests share.

The store's tables come from the PostgreSQL backend's own migrations, run as the owner
role (as ``tapemaster-admin init`` does): tables in schema tapemaster, the audit log in
tapemaster_audit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgcluster import APP, OWNER, ROOT, SETUP_SQL, SUPERUSER, Cluster
from pgfixtures import PgDatabase

psycopg = pytest.importorskip("psycopg")
errors = psycopg.errors

NOW = "2026-01-01T00:00:00.000+00:00"


def _site_database(cluster: Cluster, name: str) -> PgDatabase:
    """A database as the README makes one: setup.sql with psql as a superuser, then the
    store's tables created by its owner."""
    cluster.setup_database(name)
    db = PgDatabase(cluster, name)
    db.create_store()
    return db


@pytest.fixture
def site_db(pg_server: Cluster) -> Iterator[PgDatabase]:
    name = pg_server.new_database_name()
    try:
        yield _site_database(pg_server, name)
    finally:
        pg_server.drop_database(name)


def _append(conn: object, event: str) -> int:
    row = conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO audit (ts, actor, user_id, program, host, event, detail) "
        "VALUES (%s, 'cli:test@host', 'alice', 'TapeMaster', 'desk1', %s, '') RETURNING id",
        [NOW, event]).fetchone()
    return int(row[0])


def _audit(db: PgDatabase) -> list[tuple[int, str, str]]:
    with db.connect(SUPERUSER) as conn:
        return conn.execute("SELECT id, event, detail FROM tapemaster_audit.audit "
                            "ORDER BY id").fetchall()


def test_the_app_role_appends_to_the_audit_log_but_cannot_change_or_remove_a_row(
        site_db: PgDatabase) -> None:
    with site_db.connect(APP) as conn:
        first = _append(conn, "login_failed")
        second = _append(conn, "login_succeeded")
        assert [r[0] for r in conn.execute("SELECT id FROM audit ORDER BY id")] == [
            first, second]
        for statement in (
            "UPDATE audit SET detail = 'forged' WHERE id = (SELECT min(id) FROM audit)",
            "UPDATE audit SET detail = 'forged' WHERE false",
            "DELETE FROM audit WHERE id = (SELECT min(id) FROM audit)",
            "DELETE FROM audit WHERE event = 'login_failed'",
            "TRUNCATE audit",
            "MERGE INTO audit a USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
    assert _audit(site_db) == [(first, "login_failed", ""), (second, "login_succeeded", "")]


def test_the_app_role_reads_and_writes_users_groups_settings_and_sessions(
        site_db: PgDatabase) -> None:
    with site_db.connect(APP) as conn:
        conn.execute("INSERT INTO groups (group_id, created) VALUES ('OPS', %s)", [NOW])
        conn.execute("INSERT INTO users (user_id, group_id, created, updated) "
                     "VALUES ('alice', 'OPS', %s, %s)", [NOW, NOW])
        conn.execute("UPDATE users SET failed_logons = failed_logons + 1 "
                     "WHERE user_id = 'alice'")
        session = conn.execute(
            "INSERT INTO sessions (user_id, program, host, pid, since, last_seen) "
            "VALUES ('alice', 'Lite', 'desk2', 42, %s, %s) RETURNING id", [NOW, NOW]
        ).fetchone()[0]
        conn.execute("INSERT INTO settings (key, value) VALUES ('issuer', 'ACME') "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        conn.execute("DELETE FROM sessions WHERE id = %s", [session])
        conn.execute("DELETE FROM users WHERE user_id = 'alice'")
        assert conn.execute("SELECT user_id FROM users").fetchall() == [("tapemaster",)]
        assert conn.execute("SELECT value FROM settings WHERE key = 'issuer'"
                            ).fetchall() == [("ACME",)]


def _tables(db: PgDatabase) -> set[str]:
    with db.connect(SUPERUSER) as conn:
        return {r[0] for r in conn.execute(
            "SELECT schemaname || '.' || tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")}


@pytest.mark.parametrize("statement", [
    "CREATE TABLE tapemaster.extra (x int)",
    "CREATE TABLE tapemaster_audit.shadow (x int)",
    "CREATE TABLE public.extra (x int)",
    "CREATE TEMPORARY TABLE scratch (x int)",
    "CREATE SCHEMA mine",
    "CREATE VIEW tapemaster.v AS SELECT 1",
    "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "ALTER TABLE audit DISABLE TRIGGER ALL",
    "ALTER TABLE users ADD COLUMN extra text",
    "DROP TRIGGER audit_no_update_or_delete ON audit",
    "DROP TABLE audit",
    "DROP TABLE users",
    "TRUNCATE users",
    "CREATE INDEX extra ON users (name)",
    "SET ROLE tapemaster_owner",
    "CREATE ROLE intruder",
    "CREATE DATABASE elsewhere",
    "ALTER ROLE tapemaster_app SUPERUSER",
    "COPY audit TO '/tmp/audit.csv'",
])
def test_the_app_role_cannot_change_the_schema_or_gain_powers(
        site_db: PgDatabase, statement: str) -> None:
    before = _tables(site_db)
    assert {"tapemaster.users", "tapemaster_audit.audit"} <= before
    with site_db.connect(APP) as conn:
        with pytest.raises((errors.InsufficientPrivilege, errors.UndefinedObject)) as caught:
            conn.execute(statement)
        # UndefinedObject would mean the statement named something that is not there:
        # then it proves nothing about privileges.
        assert isinstance(caught.value, errors.InsufficientPrivilege), caught.value
    assert _tables(site_db) == before


def test_the_app_role_cannot_grant_itself_what_it_lacks(site_db: PgDatabase) -> None:
    with site_db.connect(APP) as conn:
        _append(conn, "login_failed")
        # PostgreSQL answers a GRANT without the right to grant with a warning only.
        conn.execute("GRANT UPDATE, DELETE ON audit TO tapemaster_app")
        conn.execute("ALTER DEFAULT PRIVILEGES GRANT UPDATE ON TABLES TO tapemaster_app")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit")
    assert [r[1] for r in _audit(site_db)] == ["login_failed"]


def test_even_the_owner_cannot_rewrite_the_audit_log(site_db: PgDatabase) -> None:
    with site_db.connect(APP) as conn:
        first = _append(conn, "account_revoked")
    with site_db.connect(OWNER) as conn:
        for statement in ("UPDATE audit SET event = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(errors.RaiseException, match="append-only"):
                conn.execute(statement)
    assert _audit(site_db) == [(first, "account_revoked", "")]


def test_the_roles_have_no_server_powers(site_db: PgDatabase) -> None:
    with site_db.connect(SUPERUSER) as conn:
        rows = conn.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, "
            "rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname IN (%s, %s) "
            "ORDER BY rolname", [APP, OWNER]).fetchall()
        assert rows == [(APP, False, False, False, False, False, True),
                        (OWNER, False, False, False, False, False, True)]
        assert conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [APP, OWNER]
                            ).fetchone()[0] is False
        owner, collate, encoding = conn.execute(
            "SELECT datdba::regrole::text, datcollate, pg_encoding_to_char(encoding) "
            "FROM pg_database WHERE datname = current_database()").fetchone()
    assert (owner, collate, encoding) == (OWNER, "C", "UTF8")


def test_the_app_role_needs_its_password(site_db: PgDatabase) -> None:
    wrong = site_db.url(APP).replace(site_db.cluster.passwords[APP], "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()


def test_running_setup_again_takes_back_a_grant_given_by_hand(site_db: PgDatabase) -> None:
    with site_db.connect(APP) as conn:
        first = _append(conn, "login_failed")
    with site_db.connect(OWNER) as conn:  # the owner may grant; desktops never are it
        conn.execute("GRANT UPDATE, DELETE ON audit TO tapemaster_app")
    site_db.cluster.setup_database(site_db.name)
    with site_db.connect(APP) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit")
        _append(conn, "login_succeeded")  # and appending still works
    assert [r[1] for r in _audit(site_db)] == ["login_failed", "login_succeeded"]
    assert _audit(site_db)[0][0] == first


def test_setup_refuses_an_app_role_that_can_become_the_owner(site_db: PgDatabase) -> None:
    cluster = site_db.cluster
    with cluster.connect() as conn:
        conn.execute("GRANT tapemaster_owner TO tapemaster_app")
    try:
        result = cluster.psql("-v", f"db={site_db.name}", "-f", str(SETUP_SQL))
        assert result.returncode != 0
        assert ("role tapemaster_app is a member of role tapemaster_owner: "
                "REVOKE tapemaster_owner FROM tapemaster_app") in result.stderr
    finally:
        with cluster.connect() as conn:
            conn.execute("REVOKE tapemaster_owner FROM tapemaster_app")


def test_names_given_to_setup_are_quoted(pg_server: Cluster) -> None:
    name = 'tape "master"; DROP DATABASE postgres; --'
    try:
        db = _site_database(pg_server, name)
        with db.connect(APP) as conn:
            _append(conn, "login_failed")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("DELETE FROM audit")
        with pg_server.connect() as conn:
            names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        assert {"postgres", name} <= names
    finally:
        pg_server.drop_database(name)


def _database_setup(cluster: Cluster, name: str) -> dict[str, object]:
    """Everything setup.sql decides about a database, grantors aside."""
    with cluster.connect() as conn:
        database = conn.execute(
            "SELECT datdba::regrole::text, datcollate, datctype, encoding, "
            "ARRAY(SELECT coalesce(a.grantee::regrole::text, '-') || ':' || a.privilege_type "
            "      FROM aclexplode(datacl) a ORDER BY 1) "
            "FROM pg_database WHERE datname = %s", [name]).fetchone()
        settings = conn.execute(
            "SELECT coalesce(s.setrole::regrole::text, '-'), s.setconfig "
            "FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = %s ORDER BY 1", [name]).fetchall()
    with cluster.connect(name) as conn:
        schemas = conn.execute(
            "SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace "
            "WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema' "
            "ORDER BY 1").fetchall()
        defaults = conn.execute(
            "SELECT defaclrole::regrole::text, defaclnamespace::regnamespace::text, "
            "defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2, 3").fetchall()
    return {"database": database, "settings": settings, "schemas": schemas,
            "defaults": defaults}


def test_each_test_database_is_set_up_exactly_as_setup_sql_makes_one(
        pg_server: Cluster, pg_database: PgDatabase) -> None:
    fresh = pg_server.new_database_name()
    pg_server.setup_database(fresh)
    try:
        expected = _database_setup(pg_server, fresh)
    finally:
        pg_server.drop_database(fresh)
    assert _database_setup(pg_server, pg_database.name) == expected
    assert expected["settings"] == [("-", ["search_path=tapemaster, tapemaster_audit"])]
    with pg_database.connect(APP) as conn:
        assert conn.execute("SELECT current_user, current_setting('search_path')"
                            ).fetchone() == (APP, "tapemaster, tapemaster_audit")


def test_the_test_server_listens_on_its_socket_only(pg_server: Cluster) -> None:
    with pg_server.connect() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        assert conn.execute("SHOW fsync").fetchone()[0] == "off"
        assert conn.execute("SHOW unix_socket_directories").fetchone()[0] == str(
            pg_server.socket_dir)
    assert (pg_server.socket_dir / f".s.PGSQL.{pg_server.port}").exists()
    assert str(pg_server.base).startswith(os.path.realpath(os.environ.get("TMPDIR", "/tmp")))


@pytest.mark.slow
def test_no_server_outlives_a_killed_test_session(pg_server: Cluster) -> None:
    """pytest killed with SIGKILL runs no teardown: the kernel's parent-death signal
    still stops the server (pg_server is asked for only so that this skips without
    PostgreSQL)."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, sys.argv[1]); import pgcluster; "
         "c = pgcluster.Cluster.start(); print(c.postmaster_pid(), c.base, flush=True); "
         "time.sleep(600)", str(ROOT / "tests")],
        stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    pid_text, base = child.stdout.readline().split()
    pid = int(pid_text)
    try:
        os.kill(pid, 0)  # the server runs
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        deadline = time.monotonic() + 60
        while _alive(pid):
            assert time.monotonic() < deadline, "the server outlived its test session"
            time.sleep(0.1)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        if _alive(pid):
            os.kill(pid, signal.SIGQUIT)
        subprocess.run(["rm", "-rf", base], check=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (not yet reaped by its parent) is dead for our purpose.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def test_a_backup_restored_as_the_readme_says_keeps_the_audit_log_append_only(
        site_db: PgDatabase, tmp_path: Path) -> None:
    """pg_dump as the owner; a new database from setup.sql; pg_restore --clean as the
    owner; setup.sql again, which takes back any grant the dump brought along."""
    cluster = site_db.cluster
    with site_db.connect(APP) as conn:
        conn.execute("INSERT INTO groups (group_id, created) VALUES ('OPS', %s)", [NOW])
        first = _append(conn, "user_created")
    with site_db.connect(OWNER) as conn:  # a grant given by hand travels in the dump
        conn.execute("GRANT DELETE ON audit TO tapemaster_app")
    dump = tmp_path / "tapemaster.dump"
    env = {**cluster._env(), "PGPASSWORD": cluster.passwords[OWNER]}
    common = ["--host", str(cluster.socket_dir), "--port", str(cluster.port),
              "--username", OWNER]
    result = subprocess.run([str(cluster.bindir / "pg_dump"), *common, "--format=custom",
                             f"--file={dump}", "--dbname", site_db.name],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    restored = cluster.new_database_name()
    try:
        cluster.setup_database(restored)
        result = subprocess.run(
            [str(cluster.bindir / "pg_restore"), *common, "--clean", "--if-exists",
             "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],
            capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        cluster.setup_database(restored)
        assert _database_setup(cluster, restored) == _database_setup(cluster, site_db.name)
        db = PgDatabase(cluster, restored)
        with db.connect(APP) as conn:
            assert conn.execute("SELECT group_id FROM groups ORDER BY group_id"
                                ).fetchall() == [("DEFAULT",), ("OPS",)]
            assert conn.execute("SELECT id, event FROM audit").fetchall() == [
                (first, "user_created")]
            second = _append(conn, "login_succeeded")
            assert second > first
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("DELETE FROM audit")
            conn.execute("UPDATE groups SET description = 'Operations'")
    finally:
        cluster.drop_database(restored)
