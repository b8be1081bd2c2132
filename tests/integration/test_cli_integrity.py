"""``tapemaster-admin`` on a store tampered by someone who may write its folder but has
not its key (issue 9 items 2 to 4): refusals are one line with what to run, `store
verify` shows what changed, `store accept` and `user reseal` are the ways back, and
`audit --verify` checks the whole hash chain."""

from __future__ import annotations

import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from integration.test_cli import ALICE_PASSWORD, Cli, Templates, _logon, _open
from tapemaster_qt.services.auth import LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from unit.support import reseal_everything

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """test_cli.py's stores, in folders: these tests tamper with the file itself."""
    made = Templates(tmp_path_factory.mktemp("cli-templates"))
    made.build()
    return made


@pytest.fixture
def site(templates: Templates, tmp_path: Path) -> Cli:
    """test_cli.py's site (group OPS, alice, bob), a copy of its own."""
    return templates.copy("site", tmp_path)


def _sql(cli: Cli, *statements: str | tuple[str, tuple[object, ...]]) -> None:
    with closing(sqlite3.connect(cli.data_dir / "tapemaster.db", isolation_level=None)) as db:
        for statement in statements:
            if isinstance(statement, tuple):
                db.execute(*statement)
            else:
                db.execute(statement)


def test_user_reseal_shows_what_differs_and_launders_nothing(site: Cli) -> None:
    site.ok("user", "list")
    planted = PasswordHasher(TESTS_ONLY).hash("Attacker-Knows-1")
    _sql(site, ("UPDATE users SET password_hash = ?, role = 0 WHERE user_id = 'bob'",
                (planted,)))
    assert "TAMPERED" in site.ok("user", "list")
    out = site.ok("user", "reseal", "bob")
    assert "How it differed from its last-known-good copy:" in out
    assert "  Password: changed\n" in out and "  Role: 7 -> 0\n" in out
    assert "password cleared" in out and "revoked" in out
    assert planted not in out
    with _open(site) as store:
        assert _logon(store, "bob", "Attacker-Knows-1").status is LogonStatus.REVOKED
    site.ok("user", "unlock", "bob")
    with _open(site) as store:  # unlocked, still no password: the planted one is gone
        assert _logon(store, "bob", "Attacker-Knows-1").status is \
            LogonStatus.AUTHORIZATION_FAILURE
    assert "nothing to re-seal" in site.refused("user", "reseal", "bob")
    # tapemaster: only with its new password, at once.
    _sql(site, "UPDATE users SET name = 'x' WHERE user_id = 'tapemaster'")
    assert "new password" in site.refused("user", "reseal", "tapemaster")
    out = site.ok("user", "reseal", "tapemaster", "--password-stdin",
                  stdin="Brand-New-Admin-1\n")
    assert "Name: 'TapeMaster Administrator' -> 'x'" in out


def test_a_swapped_key_and_store_id_are_refused_until_accepted(site: Cli) -> None:
    site.ok("user", "list")  # this account has opened the store: it remembers it
    new_id = reseal_everything(site.data_dir, secrets.token_bytes(32), "attacker-id")
    line = site.refused("user", "list")
    assert "store id changed from" in line and f"to {new_id}" in line
    assert "tapemaster-admin store accept" in line
    info = site.ok("info")
    assert "Store key:   REFUSED: " in info
    verify = site("store", "verify")
    assert verify.returncode == 1
    assert "PROBLEM: store id changed" in verify.stdout
    assert "Trusted key:    the key file" in verify.stdout
    accepted = site.ok("store", "accept")
    assert "Accepted the store" in accepted and "accepted: store id changed" in accepted
    site.ok("user", "list")
    events = [e["event"] for e in site.json("audit", "--limit", "20")]
    assert "store_integrity_failed" in events and "store_accepted" in events


def test_audit_verify_checks_the_whole_chain(site: Cli) -> None:
    assert "hash chain is intact" in site.ok("audit", "--verify")
    _sql(site, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 2")
    assert "broken at row 3" in site.refused("audit", "--verify")
    shown = site("audit")
    assert shown.returncode == 0
    assert "warning: the audit log was changed outside TapeMaster" in shown.stderr


def test_store_verify_passes_on_a_sound_store_and_changes_nothing(site: Cli) -> None:
    before = (site.data_dir / "tapemaster.db").read_bytes()
    out = site.ok("store", "verify")
    assert out.rstrip().endswith("Every check passed.")
    assert "hash chain intact" in out
    assert (site.data_dir / "tapemaster.db").read_bytes() == before


def test_a_tampered_group_and_setting_are_named(site: Cli) -> None:
    _sql(site, "UPDATE groups SET description = 'Owned' WHERE group_id = 'OPS'",
         "UPDATE settings SET value = '20' WHERE key = 'lockout_threshold'")
    # Neither has a last-known-good copy: the store as a whole is refused, the message
    # names both and says what to run (REVIEW-2 D1).
    line = site.refused("group", "list")
    assert "the setting 'lockout_threshold' fails its seal" in line
    assert "the group 'OPS' fails its seal" in line
    assert "store verify" in line and "store accept" in line and "set that setting" in line
    assert "Traceback" not in line and "\n" not in line.strip()
    verify = site("store", "verify")
    assert verify.returncode == 1
    assert "lockout_threshold" in verify.stdout and "'OPS'" in verify.stdout
    site.ok("store", "accept")
    assert "OPS" in site.ok("group", "list") and "TAMPERED" in site.ok("group", "list")
    assert "'lockout_threshold' was changed outside" in site.refused("settings", "show")
    site.ok("settings", "set", "lockout_threshold", "5")
    assert "lockout_threshold = 5" in site.ok("settings", "show")
    site.ok("settings", "set", "default_group", "OPS")
    assert "There is no group" in site.refused("settings", "set", "default_group", "NOPE")
    with _open(site) as store:
        assert _logon(store, "alice", ALICE_PASSWORD).status is LogonStatus.SUCCESS
