"""``tapemaster-admin`` driven as support staff drive it: a separate process, passwords
on standard input, exit codes 0/1/2, one line on stderr when refused (UI-CONTRACT.md).

The child processes hash with the production argon2 parameters, so an initialised
store is built once per module and each test works on its own copy. The tests on such
copies run twice: on a store folder (SQLite) and on a site's PostgreSQL store
(``--store URL`` as the app role, created with ``init`` as the owner role).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime as dt
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import secret_from_uri
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import Store, UserChanges, open_store

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Tape-Admin-2026"
ALICE_PASSWORD = "Alice-Secret-42"
BOB_PASSWORD = "Bob-Secret-4242"
USER_KEYS = {"user_id", "name", "email", "description", "group_id", "role", "admin_rights",
             "tapemaster_rights", "disabled", "no_timeout", "programs", "revoked",
             "failed_logons", "otp_enabled", "otp_activated", "last_logon",
             "failures_since_logon"}
AUDIT_KEYS = {"ts", "actor", "user_id", "program", "host", "event", "detail"}


class Cli:
    """Runs the admin CLI against one store (a folder, or a PostgreSQL ``url``) and keeps
    every output it saw."""

    def __init__(self, data_dir: Path, home: Path, url: str | None = None,
                 owner_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.url = url
        self.owner_url = owner_url
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if k != "TAPEMASTER_DATA_DIR"}
        self.env.update(
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HOME=str(home),
            XDG_DATA_HOME=str(home / "share"), XDG_STATE_HOME=str(home / "state"),
            XDG_CONFIG_HOME=str(home / "config"),
        )
        self.seen: list[str] = []

    def __call__(self, *args: str, stdin: str | None = None, data_dir: bool = True,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tapemaster_qt.cli"]
        if data_dir:
            command += (["--store", self.url] if self.url
                        else ["--data-dir", str(self.data_dir)])
        result = subprocess.run(
            [*command, *args], input=stdin if stdin is not None else "",
            capture_output=True, text=True, timeout=120, env=env or self.env,
        )
        self.seen += [result.stdout, result.stderr]
        return result

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """One statement behind the CLI's back, as another tool with write access to
        the store would run it (``?`` placeholders): on the SQLite file, or on the
        PostgreSQL database as the app role."""
        if self.url is None:
            with closing(sqlite3.connect(self.data_dir / "tapemaster.db")) as db, db:
                db.execute(sql, params)
            return
        import psycopg

        from tapemaster_qt.store.postgresql import SEARCH_PATH, PostgreSQLDialect

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"SET search_path = {SEARCH_PATH}")
            conn.execute(PostgreSQLDialect().sql(sql), params)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json"))

    def refused(self, *args: str, stdin: str | None = None, code: int = 1) -> str:
        """Exit ``code`` with one clear line on stderr (no traceback); that line."""
        result = self(*args, stdin=stdin)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("tapemaster-admin: error: ")
        return lines[0]


class Templates:
    """``empty``: only initialised. ``site``: group OPS, alice (in OPS, chosen options)
    and bob (all defaults). On PostgreSQL, databases to clone, and the folder with the
    site key that ``init`` made (no keyring in the children: an owner-only key file)."""

    def __init__(self, base: Path, pg: Any = None, pg_template: str = "") -> None:
        self.base = base
        self.pg = pg
        self.pg_template = pg_template
        self.names = {"empty": "cli_empty_template", "site": "cli_site_template"}

    def build(self) -> None:
        empty = self._cli("empty", self.base / "home", owner=True)
        empty.ok("init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        if self.pg is None:
            shutil.copytree(empty.data_dir, self.base / "site")
        else:
            self.pg.clone_database(self.names["empty"], self.names["site"])
        site = self._cli("site", self.base / "home")
        site.ok("group", "add", "OPS", "--description", "Operations")
        site.ok("user", "add", "alice", "--name", 'Alice "Vault" Archer, Jr.', "--email",
                "alice@example.com", "--group", "OPS", "--role", "3", "--admin-rights",
                "--no-timeout", "--programs", "TapeMaster,Lite", "--password-stdin",
                stdin=ALICE_PASSWORD + "\n")
        site.ok("user", "add", "bob", "--password-stdin", stdin=BOB_PASSWORD + "\n")
        for folder in (empty.data_dir, site.data_dir):
            shutil.rmtree(folder / "logs", ignore_errors=True)

    def _cli(self, name: str, home: Path, *, owner: bool = False,
             database: str | None = None) -> Cli:
        if self.pg is None:
            return Cli(self.base / name, home)
        from pgcluster import APP, OWNER

        database = database or self.names[name]
        if owner:
            self.pg.clone_database(self.pg_template, database)
        return Cli(self.base / name, home, self.pg.conninfo(database, OWNER if owner else APP),
                   self.pg.conninfo(database, OWNER))

    def copy(self, name: str, tmp_path: Path) -> Cli:
        if self.pg is None:
            target = tmp_path / name
            shutil.copytree(self.base / name, target)  # copy2: the 0600 modes come along
            return Cli(target, tmp_path / "home")
        database = self.pg.new_database_name()
        self.pg.clone_database(self.names[name], database)
        keys = Path("share", "TapeMaster Qt", "site-keys")
        shutil.copytree(self.base / "home" / keys, tmp_path / "home" / keys,
                        dirs_exist_ok=True)
        return self._cli(name, tmp_path / "home", database=database)

    def drop(self, cli: Cli) -> None:
        if self.pg is not None and cli.url:
            self.pg.drop_database(cli.url.split("@/", 1)[1].split("?", 1)[0])


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.pg)])
def templates(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    base = tmp_path_factory.mktemp(f"cli-templates-{request.param}")
    made = (Templates(base, request.getfixturevalue("pg_server"),
                      request.getfixturevalue("pg_template"))
            if request.param == "postgresql" else Templates(base))
    try:
        made.build()
        yield made
    finally:
        if made.pg is not None:
            for name in made.names.values():
                made.pg.drop_database(name)


@pytest.fixture
def site(templates: Templates, tmp_path: Path) -> Iterator[Cli]:
    cli = templates.copy("site", tmp_path)
    yield cli
    templates.drop(cli)


@pytest.fixture
def empty(templates: Templates, tmp_path: Path) -> Iterator[Cli]:
    cli = templates.copy("empty", tmp_path)
    yield cli
    templates.drop(cli)


def _open(cli: Cli) -> Store:
    if cli.url:
        from tapemaster_qt.location import parse

        return open_store(parse(cli.url, "--store"))
    return open_store(cli.data_dir)


def _logon(store: Store, user_id: str, password: str, code: str = "") -> object:
    ctx = Context(store, program="Lite", hasher=PasswordHasher(TESTS_ONLY))
    return LogonService(ctx).logon(user_id, password, code)


# --- init ------------------------------------------------------------------------------


def test_init_creates_a_store_with_tapemaster_password(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "new", tmp_path / "home")
    result = cli("init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "Initialised the store" in result.stdout and "key file" in result.stdout
    for name in ("tapemaster.db", "store.key"):
        assert (cli.data_dir / name).stat().st_mode & 0o077 == 0, name
    with _open(cli) as store:
        assert _logon(store, "tapemaster", ADMIN_PASSWORD).status is LogonStatus.SUCCESS
    tapemaster = cli.json("user", "show", "tapemaster")
    assert tapemaster["tapemaster_rights"] is True and tapemaster["group_id"] is None
    assert "already initialised" in cli.refused("init", "--password-stdin",
                                                stdin="Another-Pass-99\n")


def test_init_needs_a_good_password_on_stdin(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "new", tmp_path / "home")
    assert "No password" in cli.refused("init", "--password-stdin", stdin="")
    assert "at least 8" in cli.refused("init", "--password-stdin", stdin="short\n")
    assert "User-ID" in cli.refused("init", "--password-stdin", stdin="TAPEMASTER\n")
    # Nothing half-made is left behind: no store, no key without its store.
    assert not (cli.data_dir / "tapemaster.db").exists()
    assert not (cli.data_dir / "store.key").exists()


# --- users -----------------------------------------------------------------------------


def test_user_add_defaults_and_show_json(site: Cli) -> None:
    out = site.ok("user", "add", "carol", "--password-stdin", stdin="Carol-Secret-77\n")
    assert "carol" in out and "DEFAULT" in out
    carol = site.json("user", "show", "carol")
    assert set(carol) == USER_KEYS
    assert carol == {
        "user_id": "carol", "name": "", "email": None, "description": "",
        "group_id": "DEFAULT", "role": 7, "admin_rights": False, "tapemaster_rights": False,
        "disabled": False, "no_timeout": False,
        "programs": ["TapeMaster", "Lite", "Checkpoint"], "revoked": False,
        "failed_logons": 0, "otp_enabled": False, "otp_activated": False, "last_logon": None,
        "failures_since_logon": 0,
    }
    alice = site.json("user", "show", "alice")
    assert set(alice) == USER_KEYS
    assert (alice["name"], alice["email"], alice["group_id"], alice["role"]) == (
        'Alice "Vault" Archer, Jr.', "alice@example.com", "OPS", 3)
    assert alice["admin_rights"] and alice["no_timeout"] and not alice["tapemaster_rights"]
    assert alice["programs"] == ["TapeMaster", "Lite"]
    text = site.ok("user", "show", "alice")
    assert "E-mail:" in text and "alice@example.com" in text


def test_user_list(site: Cli) -> None:
    users = site.json("user", "list")
    assert [u["user_id"] for u in users] == ["alice", "bob", "tapemaster"]
    assert all(set(u) == USER_KEYS for u in users)
    text = site.ok("user", "list")
    assert text.splitlines()[0].startswith("User-ID")
    assert len(text.splitlines()) == 4


def test_user_add_refusals(site: Cli) -> None:
    assert "already exists" in site.refused("user", "add", "ALICE", "--password-stdin",
                                            stdin="Carol-Secret-77\n")
    assert "e-mail" in site.refused("user", "add", "carol", "--email", "ALICE@example.com",
                                    "--password-stdin", stdin="Carol-Secret-77\n")
    assert "User-ID" in site.refused("user", "add", ".carol", "--password-stdin",
                                     stdin="Carol-Secret-77\n")
    assert "NOSUCH" in site.refused("user", "add", "carol", "--group", "NOSUCH",
                                    "--password-stdin", stdin="Carol-Secret-77\n")
    assert [u["user_id"] for u in site.json("user", "list")] == ["alice", "bob", "tapemaster"]


def test_passwd_sets_the_password_and_restores_access(site: Cli) -> None:
    with _open(site) as store, store.write() as tx:
        tx.update_user("bob", {"revoked": True, "failed_logons": 6})
    assert site.json("user", "show", "bob")["revoked"] is True
    site.ok("user", "passwd", "bob", "--password-stdin", stdin="Brand-New-Pass-1\n")
    bob = site.json("user", "show", "bob")
    assert bob["revoked"] is False and bob["failed_logons"] == 0
    with _open(site) as store:
        assert _logon(store, "bob", "Brand-New-Pass-1").status is LogonStatus.SUCCESS
    assert "at least 8" in site.refused("user", "passwd", "bob", "--password-stdin",
                                        stdin="short\n")
    events = [(e["event"], e["user_id"]) for e in site.json("audit", "--user", "bob")]
    assert ("password_changed", "bob") in events and ("account_unlocked", "bob") in events


def test_unlock(site: Cli) -> None:
    with _open(site) as store, store.write() as tx:
        tx.update_user("alice", UserChanges(revoked=True, failed_logons=6,
                                            failures_since_logon=14))
    site.ok("user", "unlock", "alice")
    alice = site.json("user", "show", "alice")
    assert alice["revoked"] is False and alice["failed_logons"] == 0
    # The attempts since her last logon stay: she is told at her next logon.
    assert alice["failures_since_logon"] == 14
    assert "Failed Since Last Logon: 14" in site.ok("user", "show", "alice").splitlines()
    assert site.json("audit", "--limit", "1")[0]["event"] == "account_unlocked"


def test_disable_enable_and_delete(site: Cli) -> None:
    site.ok("user", "disable", "bob")
    assert site.json("user", "show", "bob")["disabled"] is True
    site.ok("user", "enable", "bob")
    assert site.json("user", "show", "bob")["disabled"] is False
    site.refused("user", "disable", "tapemaster")
    site.refused("user", "delete", "tapemaster")
    site.ok("user", "delete", "bob")
    assert "bob" in site.refused("user", "show", "bob")
    assert [u["user_id"] for u in site.json("user", "list")] == ["alice", "tapemaster"]
    assert site.json("user", "show", "tapemaster")["disabled"] is False


# --- groups ------------------------------------------------------------------------------


def test_groups(site: Cli) -> None:
    site.ok("group", "add", "NIGHT", "--description", "Night shift")
    assert site.json("group", "list") == [
        {"group_id": "DEFAULT", "description": "Default group", "members": 1},
        {"group_id": "NIGHT", "description": "Night shift", "members": 0},
        {"group_id": "OPS", "description": "Operations", "members": 1},
    ]
    assert "already exists" in site.refused("group", "add", "night")
    site.refused("group", "add", "night-shift")
    assert "NIGHT" in site.ok("group", "list")


# --- OTP ---------------------------------------------------------------------------------


def test_otp_enable_status_disable(site: Cli) -> None:
    assert site.json("otp", "status", "bob") == {
        "user_id": "bob", "otp_enabled": False, "otp_activated": False,
        "recovery_codes_left": 0}
    site.ok("otp", "enable", "bob")
    assert site.json("otp", "status", "bob") == {
        "user_id": "bob", "otp_enabled": True, "otp_activated": False,
        "recovery_codes_left": 0}
    with _open(site) as store:
        assert _logon(store, "bob", BOB_PASSWORD).status is LogonStatus.ENROLMENT
    site.ok("otp", "disable", "bob")
    assert site.json("otp", "status", "bob")["otp_enabled"] is False
    events = [e["event"] for e in site.json("audit", "--user", "bob")]
    assert events[-1] == "otp_disabled" and "otp_enabled" in events


def test_user_show_says_how_many_recovery_codes_are_left(site: Cli) -> None:
    """``user show`` prints every field of the catalogue; the recovery codes left were
    only in ``otp status`` and Properties (REVIEW-1 finding 7)."""
    site.ok("otp", "enable", "alice")
    with _open(site) as store:
        secret = secret_from_uri(_logon(store, "alice", ALICE_PASSWORD).provisioning_uri)
        activated = _logon(store, "alice", ALICE_PASSWORD,
                           totp.code_at(secret, totp.time_step(dt.now().timestamp())))
        assert activated.status is LogonStatus.ACTIVATED
        assert _logon(store, "alice", ALICE_PASSWORD, activated.recovery_codes[0]).status \
            is LogonStatus.RECOVERY
    assert "Recovery Codes Left:     9\n" in site.ok("user", "show", "alice")
    assert site.json("otp", "status", "alice")["recovery_codes_left"] == 9
    assert "Recovery Codes Left:     0\n" in site.ok("user", "show", "bob")
    # Not a --json key: user list --json (the same objects) would count every user's codes.
    assert "recovery_codes_left" not in site.json("user", "show", "alice")


def test_the_cli_never_prints_the_otp_secret(site: Cli) -> None:
    site.ok("otp", "enable", "alice")
    with _open(site) as store:
        outcome = _logon(store, "alice", ALICE_PASSWORD)
        assert outcome.status is LogonStatus.ENROLMENT
        secret = secret_from_uri(outcome.provisioning_uri)
    for args in (["user", "show", "alice"], ["user", "show", "alice", "--json"],
                 ["user", "list"], ["user", "list", "--json"], ["otp", "status", "alice"],
                 ["otp", "status", "alice", "--json"], ["audit"], ["audit", "--json"],
                 ["user", "export"], ["user", "export", "--format", "xml"], ["info"]):
        site.ok(*args)
    b32 = totp.to_base32(secret)
    forms = {b32, b32.lower(), totp.group_secret(b32), secret.hex(),
             base64.b64encode(secret).decode(), ALICE_PASSWORD}
    # The log beside an explicit --data-dir (the per-user one for a server's store).
    logs = [p.read_text(encoding="utf-8") for folder in (site.data_dir, site.home)
            for p in folder.rglob("*.log*")]
    for text in site.seen + logs:
        for form in forms:
            assert form not in text


# --- audit --------------------------------------------------------------------------------


def test_audit_json(site: Cli) -> None:
    site.ok("user", "disable", "bob")
    events = site.json("audit")
    assert events and all(set(e) == AUDIT_KEYS for e in events)
    for e in events:
        when = dt.fromisoformat(e["ts"])
        assert when.utcoffset() == timedelta(0)
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)  # newest last
    # (The store's own rows, such as store_trusted when this account first opened the
    # copy, have no acting user.)
    cli_events = [e for e in events if e["program"] == "tapemaster-admin"
                  and not e["event"].startswith("store_")]
    assert {e["event"] for e in cli_events} >= {"password_changed", "group_created",
                                                 "user_created", "user_updated"}
    assert all(e["actor"].startswith("cli:") and "@" in e["actor"] for e in cli_events)
    assert events[-1]["event"] == "user_updated" and events[-1]["user_id"] == "bob"
    alice = site.json("audit", "--user", "alice")
    assert alice and {e["user_id"] for e in alice} == {"alice"}
    assert site.json("audit", "--limit", "2") == events[-2:]
    assert "user_updated" in site.ok("audit", "--limit", "1")


# --- import and export ------------------------------------------------------------------------


def test_csv_export_imports_into_a_fresh_store(site: Cli, empty: Cli, tmp_path: Path) -> None:
    site.ok("otp", "enable", "bob")
    exported = tmp_path / "users.csv"
    site.ok("user", "export", "--format", "csv", "--output", str(exported))
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert [r["user_id"] for r in rows] == ["alice", "bob", "tapemaster"]

    # Another store, without the group OPS: the import creates it, as it was described.
    out = empty.ok("user", "import", str(exported))
    assert "Created group(s) OPS." in out and "Imported 2 user(s)" in out
    assert empty.json("group", "list") == [
        {"group_id": "DEFAULT", "description": "Default group", "members": 1},
        {"group_id": "OPS", "description": "Operations", "members": 1}]
    assert empty.ok("user", "export") == exported.read_text(encoding="utf-8")
    bob = empty.json("user", "show", "bob")
    assert bob["otp_enabled"] is True and bob["otp_activated"] is False


def test_xml_export_parses_with_one_user_element_per_user(site: Cli, tmp_path: Path) -> None:
    root = ET.fromstring(site.ok("user", "export", "--format", "xml"))  # noqa: S314 - ours
    users = root.findall(".//User")
    assert sorted(u.get("UserID") for u in users) == ["alice", "bob", "tapemaster"]
    alice = next(u for u in users if u.get("UserID") == "alice")
    assert alice.findtext("EMail") == "alice@example.com"
    assert alice.findtext("GroupID") == "OPS"
    assert alice.findtext("ClientAccess/Lite") == "True"
    assert alice.findtext("ClientAccess/Checkpoint") == "False"
    assert alice.findtext("OneTimePassword/Enabled") == "False"
    target = tmp_path / "users.xml"
    site.ok("user", "export", "--format", "xml", "--output", str(target))
    assert len(ET.parse(target).getroot().findall(".//User")) == 3  # noqa: S314 - ours


@pytest.mark.parametrize("field, column, value", [
    ("Name", "name", "Alice\x01Archer"), ("Description", "description", "tapes\x0b"),
    ("Name", "name", "\ufffe"),
])
def test_xml_export_refuses_what_xml_cannot_carry(site: Cli, tmp_path: Path, field: str,
                                                  column: str, value: str) -> None:
    """A record written by another tool may hold a control character in a field the
    program would refuse; XML 1.0 cannot carry it even escaped. The export wrote a file
    no XML reader opens and said it worked (rc 0): it now refuses, naming the user and
    the field, and writes nothing (REVIEW-1 finding 7). CSV keeps the value."""
    site.execute({"name": "UPDATE users SET name = ? WHERE user_id = 'bob'",
                  "description": "UPDATE users SET description = ? WHERE user_id = 'bob'",
                  }[column], (value,))
    target = tmp_path / "users.xml"
    line = site.refused("user", "export", "--format", "xml", "--output", str(target))
    assert f"The {field} of User-ID bob holds a control character" in line
    assert "nothing was exported" in line and not target.exists()
    site.refused("user", "export", "--format", "xml")
    rows = list(csv.DictReader(io.StringIO(site.ok("user", "export", "--format", "csv"))))
    assert next(r for r in rows if r["user_id"] == "bob")[column] == value


BAD_CSV = {
    "unknown column": "user_id,username\ncarol,Carol\n",
    "short row": "user_id,name,role\ncarol,Carol,3\ndave,Dave\n",
    "duplicate user": "user_id,name\ncarol,Carol\ndave,Dave\nCAROL,Carol again\n",
    "existing user": "user_id,name\ncarol,Carol\nalice,Alice\n",
    "bad role": "user_id,role\ncarol,3\ndave,9\n",
}


@pytest.mark.parametrize("problem", sorted(BAD_CSV))
def test_bad_csv_imports_nothing(site: Cli, tmp_path: Path, problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV[problem], encoding="utf-8")
    site.refused("user", "import", str(path))
    with _open(site) as store:
        assert store.count_users() == 3


# --- usage errors and unusable stores -----------------------------------------------------------


@pytest.mark.parametrize("args", [["user", "show", "nobody"], ["user", "unlock", "nobody"],
                                  ["otp", "enable", "nobody"], ["user", "delete", "nobody"]])
def test_unknown_user_is_one_clear_line(site: Cli, args: list[str]) -> None:
    assert "nobody" in site.refused(*args)


@pytest.mark.parametrize("args", [["user", "list", "--jsn"], ["user", "add", "carol"],
                                  ["user", "add", "carol", "--role", "9", "--password-stdin"],
                                  ["frobnicate"], []])
def test_wrong_usage_exits_2(site: Cli, args: list[str]) -> None:
    result = site(*args)
    assert result.returncode == 2, result
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_missing_store(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nothing-here", tmp_path / "home")
    assert "init" in cli.refused("user", "list")
    assert not (cli.data_dir / "tapemaster.db").exists()


def test_store_from_a_newer_version(site: Cli) -> None:
    if site.url:
        import psycopg

        assert site.owner_url
        with psycopg.connect(site.owner_url, autocommit=True) as conn:
            conn.execute("UPDATE schema_version SET version = 99")
        with _open_raw(site) as conn:
            before = conn.execute("SELECT * FROM users ORDER BY user_id").fetchall()
        assert "newer" in site.refused("user", "list")
        assert "newer" in site.refused("user", "add", "carol", "--password-stdin",
                                       stdin="Carol-Secret-77\n")
        with _open_raw(site) as conn:
            assert conn.execute("SELECT * FROM users ORDER BY user_id").fetchall() == before
        return
    with closing(sqlite3.connect(site.data_dir / "tapemaster.db")) as conn:
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
    before = (site.data_dir / "tapemaster.db").read_bytes()
    assert "newer" in site.refused("user", "list")
    assert (site.data_dir / "tapemaster.db").read_bytes() == before


def _open_raw(cli: Cli) -> Any:
    import psycopg

    assert cli.url
    return psycopg.connect(cli.url, autocommit=True)


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "odd", tmp_path / "home")
    cli.data_dir.mkdir()
    (cli.data_dir / "tapemaster.db").write_text("tape,slot\nA00001,1\n")
    assert "not a TapeMaster user store" in cli.refused("user", "list")


def test_data_dir_from_the_environment_and_version(site: Cli) -> None:
    env = (dict(site.env, TAPEMASTER_STORE=site.url) if site.url
           else dict(site.env, TAPEMASTER_DATA_DIR=str(site.data_dir)))
    result = site("user", "list", "--json", data_dir=False, env=env)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3
    version = site("--version", data_dir=False)
    assert version.returncode == 0 and version.stdout.startswith("tapemaster-admin ")
