"""A throwaway PostgreSQL cluster for the tests (and the benchmarks): no pytest here.

One cluster per test session, in a temporary folder, reachable only through a Unix
socket in that folder (``listen_addresses = ''``: no TCP port, so several sessions of
the test suite on one machine never meet). Settings that make it fast and unsafe
(``fsync = off``...) are fine for data that dies with the session and for nothing else.

PostgreSQL refuses to run its server as root: as root, ``initdb`` and ``postgres`` run
through ``runuser -u postgres --`` on a folder owned by that account (Debian's package
creates it); as anyone else, directly.

Every database is made by ``packaging/postgresql/setup.sql`` run with ``psql``, exactly
as the README tells support staff to: the roles ``tapemaster_owner`` and
``tapemaster_app`` (not superusers) with passwords, and the tests connect as them.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SETUP_SQL = ROOT / "packaging" / "postgresql" / "setup.sql"
REQUIRE_ENV = "TAPEMASTER_REQUIRE_PG"
MIN_MAJOR = 15
SUPERUSER = "postgres"
OWNER = "tapemaster_owner"
APP = "tapemaster_app"
ROLES = (SUPERUSER, OWNER, APP)
RUN_AS = "postgres"
"""The OS account that runs the server when the tests run as root."""
PORT = 5432
"""Only names the socket file (.s.PGSQL.5432): nothing listens on TCP."""
START_TIMEOUT = 60.0

# For data that lives as long as one test session: durability off, small memory.
TEST_SETTINGS = {
    "listen_addresses": "''",
    "port": str(PORT),
    "unix_socket_permissions": "0700",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "'1GB'",
    "checkpoint_timeout": "'30min'",
    "shared_buffers": "'64MB'",
    "max_connections": "120",
    "timezone": "'UTC'",
    "log_min_messages": "warning",
    "log_line_prefix": "'%m [%p] %u@%d '",
}


DURABLE_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
}
"""For figures (benchmarks/load.py --postgresql): a commit waits for the disk, as on a
site's server."""


class Unavailable(Exception):
    """PostgreSQL cannot run here; the message says why and what to install."""


def require_pg() -> bool:
    """True when a missing PostgreSQL must fail the run (CI) instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "") == "1"


def _major(postgres: Path) -> int:
    out = subprocess.run([str(postgres), "--version"], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    if match is None:
        raise Unavailable(f"cannot tell the version of {postgres}: {out.strip()!r}")
    return int(match.group(1))


def find_bindir() -> Path:
    """The folder with initdb, postgres and psql: ``pg_config --bindir``, else the
    newest of Debian's ``/usr/lib/postgresql/*/bin``."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=30, check=True).stdout.strip()
            candidates.append(Path(out))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                    reverse=True)
    candidates += debian
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "postgres", "psql")):
            major = _major(folder / "postgres")
            if major >= MIN_MAJOR:
                return folder
    raise Unavailable(
        f"PostgreSQL {MIN_MAJOR} or newer is not installed (no initdb, postgres and psql "
        "from 'pg_config --bindir' or /usr/lib/postgresql/*/bin); install Debian's "
        "'postgresql' package to run these tests"
    )


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise Unavailable(f"psycopg is not installed ({exc}); run 'make test'") from None
    return psycopg


def _set_parent_death_signal(sig: int) -> None:
    """Run in the child before exec: the kernel sends ``sig`` when the test process
    dies, even by SIGKILL, so no server outlives an interrupted session."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, sig)


class Cluster:
    """A running throwaway cluster. :meth:`start` makes one; :meth:`stop` removes it."""

    def __init__(self, bindir: Path, base: Path, durable: bool = False) -> None:
        self.bindir = bindir
        self.base = base
        self.data = base / "data"
        self.socket_dir = base / "socket"
        self.log_file = base / "server.log"
        self.port = PORT
        self.passwords = {role: secrets.token_urlsafe(18) for role in ROLES}
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self._process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self.durable = durable

    # --- life -------------------------------------------------------------------------

    @classmethod
    def start(cls, *, durable: bool = False) -> Cluster:
        """initdb, start the server, run setup.sql once (the roles); raises Unavailable.
        ``durable``: commits wait for the disk (figures), not the tests' fast settings."""
        bindir = find_bindir()
        _psycopg()
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if as_root:
            import pwd

            try:
                account = pwd.getpwnam(RUN_AS)
            except KeyError:
                raise Unavailable(
                    f"running as root, and there is no '{RUN_AS}' account to run the "
                    "PostgreSQL server as (Debian's postgresql package creates it)"
                ) from None
            if shutil.which("runuser") is None:
                raise Unavailable("running as root, and runuser (util-linux) is missing")
        base = Path(tempfile.mkdtemp(prefix="tapemaster-pg-"))
        cluster = cls(bindir, base, durable)
        try:
            cluster.socket_dir.mkdir()
            if as_root:
                for path in (base, cluster.socket_dir):
                    os.chown(path, account.pw_uid, account.pw_gid)
            cluster._initdb()
            cluster._run_server()
            cluster._bootstrap_roles()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _server_command(self, *command: str) -> list[str]:
        if self._as_root:
            return ["runuser", "-u", RUN_AS, "--", *command]
        return list(command)

    def _env(self) -> dict[str, str]:
        # No PG* variable of the caller's may point our tools at another server.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        return env

    def _initdb(self) -> None:
        pwfile = self.base / "superuser-password"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.passwords[SUPERUSER] + "\n")
        if self._as_root:
            import pwd

            account = pwd.getpwnam(RUN_AS)
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        try:
            result = subprocess.run(
                self._server_command(
                    str(self.bindir / "initdb"), "--pgdata", str(self.data),
                    "--username", SUPERUSER, "--pwfile", str(pwfile),
                    "--auth-local", "scram-sha-256", "--auth-host", "reject",
                    "--encoding", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
                ),
                capture_output=True, text=True, timeout=120, env=self._env(),
            )
        finally:
            pwfile.unlink()
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}): {result.stderr.strip()}")
        settings = dict(TEST_SETTINGS, unix_socket_directories=f"'{self.socket_dir}'")
        if self.durable:
            settings.update(DURABLE_SETTINGS)
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# TapeMaster Qt tests: a throwaway cluster, never for real data\n")
            for name, value in settings.items():
                conf.write(f"{name} = {value}\n")

    def _run_server(self) -> None:
        # The server runs in the foreground as our child (not daemonised by pg_ctl), in
        # its own session so that Ctrl-C reaches pytest, whose teardown stops it.
        log = self.log_file.open("ab")
        try:
            self._process = subprocess.Popen(
                self._server_command(str(self.bindir / "postgres"), "-D", str(self.data)),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self._env(), start_new_session=True,
                preexec_fn=lambda: _set_parent_death_signal(signal.SIGTERM),
            )
        finally:
            log.close()
        psycopg = _psycopg()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"the PostgreSQL server exited at start:\n{self.log()}")
            try:
                psycopg.connect(self.conninfo("postgres", SUPERUSER), connect_timeout=5).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the PostgreSQL server did not accept connections within "
                        f"{START_TIMEOUT:.0f} s:\n{self.log()}"
                    ) from None
                time.sleep(0.05)

    def _bootstrap_roles(self) -> None:
        self.setup_database("tapemaster_bootstrap")
        with self.connect() as conn:
            for role in (OWNER, APP):
                conn.execute(
                    _sql().SQL("ALTER ROLE {} PASSWORD {}").format(
                        _sql().Identifier(role), _sql().Literal(self.passwords[role]))
                )
            conn.execute("DROP DATABASE tapemaster_bootstrap")

    def postmaster_pid(self) -> int | None:
        try:
            first = (self.data / "postmaster.pid").read_text().splitlines()[0]
            return int(first)
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Fast shutdown (then immediate, then kill), and remove every file."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            pid = self.postmaster_pid()
            for sig, wait in ((signal.SIGINT, 20), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
                target = pid if pid is not None else process.pid
                with contextlib.suppress(ProcessLookupError):
                    os.kill(target, sig)
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(self.base, ignore_errors=True)

    def stop_server(self) -> None:
        """Stop the server as an administrator would for a restart (fast shutdown:
        every session is ended), keeping its data."""
        process, self._process = self._process, None
        if process is None:
            return
        pid = self.postmaster_pid() or process.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        process.wait(timeout=60)

    def start_server(self) -> None:
        """Start a server stopped with :meth:`stop_server` (same data, same socket)."""
        if self._process is None:
            self._run_server()

    def restart(self) -> None:
        self.stop_server()
        self.start_server()

    def pg_version(self) -> str:
        return str(_major(self.bindir / "postgres"))

    def log(self, tail: int = 40) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-tail:])

    # --- connecting -------------------------------------------------------------------

    def conninfo(self, dbname: str, role: str = APP) -> str:
        """A libpq URL for ``role`` on ``dbname``, with its password, over the socket."""
        return (f"postgresql://{quote(role, safe='')}:{quote(self.passwords[role], safe='')}"
                f"@/{quote(dbname, safe='')}?host={quote(str(self.socket_dir), safe='')}"
                f"&port={self.port}")

    def connect(self, dbname: str = "postgres", role: str = SUPERUSER,
                autocommit: bool = True) -> Any:
        return _psycopg().connect(self.conninfo(dbname, role), autocommit=autocommit)

    def psql(self, *args: str, dbname: str = "postgres", role: str = SUPERUSER,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """psql as support staff run it (ON_ERROR_STOP, no .psqlrc), as ``role``."""
        env = self._env()
        env["PGPASSWORD"] = self.passwords[role]
        return subprocess.run(
            [str(self.bindir / "psql"), "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1",
             "--host", str(self.socket_dir), "--port", str(self.port), "--username", role,
             "--dbname", dbname, *args],
            input=stdin, capture_output=True, text=True, timeout=120, env=env,
        )

    # --- databases --------------------------------------------------------------------

    def setup_database(self, name: str) -> None:
        """Create database ``name`` with packaging/postgresql/setup.sql, as the README's
        procedure does (roles included the first time)."""
        result = self.psql("-v", f"db={name}", "-f", str(SETUP_SQL))
        if result.returncode != 0:
            raise RuntimeError(f"setup.sql failed ({result.returncode}): "
                               f"{result.stderr.strip()}")

    def clone_database(self, template: str, name: str) -> None:
        """A copy of ``template`` (a database setup.sql made), with the grants and
        settings CREATE DATABASE does not copy: as if setup.sql had made ``name``, in a
        third of the time (tests/integration/test_pg_setup.py checks that)."""
        sql = _sql()
        with self.connect() as conn:
            owner, acl_set = conn.execute(
                "SELECT datdba::regrole::text, datacl IS NOT NULL FROM pg_database "
                "WHERE datname = %s", [template]).fetchone()
            conn.execute(sql.SQL(
                "CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template), sql.SQL(owner)))
            target = sql.Identifier(name)
            if acl_set:
                conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(target))
            grants = conn.execute(
                "SELECT coalesce(r.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable "
                "FROM pg_database d CROSS JOIN aclexplode(d.datacl) a "
                "LEFT JOIN pg_roles r ON r.oid = a.grantee "
                "WHERE d.datname = %s AND a.grantee <> d.datdba", [template]).fetchall()
            for grantee, privilege, grantable in grants:
                who = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
                conn.execute(sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
                    sql.SQL(privilege), target, who,
                    sql.SQL(" WITH GRANT OPTION" if grantable else "")))
            settings = conn.execute(
                "SELECT r.rolname, unnest(s.setconfig) FROM pg_db_role_setting s "
                "JOIN pg_database d ON d.oid = s.setdatabase "
                "LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = %s",
                [template]).fetchall()
            for role, setting in settings:
                key, _, value = setting.partition("=")
                # List settings (search_path) are stored as "a, b": one literal each.
                values = sql.SQL(", ").join(sql.Literal(v.strip()) for v in value.split(","))
                scope = (sql.SQL("ALTER DATABASE {}").format(target) if role is None else
                         sql.SQL("ALTER ROLE {} IN DATABASE {}").format(
                             sql.Identifier(role), target))
                conn.execute(sql.SQL("{} SET {} TO {}").format(
                    scope, sql.Identifier(key), values))

    def new_database_name(self) -> str:
        return f"tapemaster_test_{next(self._names)}"

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(_sql().SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                _sql().Identifier(name)))


def _sql() -> Any:
    from psycopg import sql

    return sql
