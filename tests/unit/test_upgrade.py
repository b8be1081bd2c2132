"""A store made by the previous release (TapeMaster Qt 1.0, commit 3ca2d97, seal version
1: tests/fixtures/v1-store) opened by this one: it is sealed over every column once,
with its key, and says so; nobody is locked out; a record already tampered stays so."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from helpers import rfc_totp
from tapemaster_qt.errors import StoreTamperedError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store
from unit.support import events, raw_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v1-store"


@pytest.fixture
def facts(data_dir: Path) -> dict[str, Any]:
    """The 1.0 store copied into this test's data folder; what fixture.json says of it."""
    data_dir.mkdir(parents=True)
    for name in ("tapemaster.db", "store.key"):
        shutil.copy(FIXTURE / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    with closing(sqlite3.connect(data_dir / "tapemaster.db")) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    facts: dict[str, Any] = json.loads((FIXTURE / "fixture.json").read_text())
    return facts


@pytest.fixture
def old(facts: dict[str, Any], data_dir: Path, clock) -> Iterator[Context]:  # type: ignore[no-untyped-def]
    clock.now = facts["now"] + 3600
    with open_store(data_dir) as store:
        yield Context(store, program="TapeMaster", clock=clock,
                      hasher=PasswordHasher(TESTS_ONLY))


def _secret(facts: dict[str, Any]) -> bytes:
    import base64

    b32 = facts["alice_secret_base32"]
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def test_an_old_store_is_sealed_once_with_its_key_and_says_so(
    old: Context, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("tapemaster_qt")
    propagate, logger.propagate = logger.propagate, True
    try:
        with caplog.at_level(logging.WARNING, logger="tapemaster_qt"):
            _ = old.store.key
    finally:
        logger.propagate = propagate
    assert "Sealed the store" in caplog.text and "seal version 1 to 2" in caplog.text
    (row,) = events(old.store, "store_resealed")
    assert "4 user(s)" not in row.detail  # bob's seal had failed: 3 sealed, bob left
    assert "3 user(s)" in row.detail and "left as they were" in row.detail
    assert row.detail.endswith("users bob")
    store = old.store
    assert {u.user_id: u.integrity_ok for u in store.list_users()} == {
        "tapemaster": True, "alice": True, "bob": False, "carol": True}
    assert [(g.group_id, g.integrity_ok) for g in store.list_groups()] == [
        ("DEFAULT", True), ("OPS", True)]
    assert store.setting("issuer") == "Example Corp"
    assert store.verify_store().findings == ()
    store.close()
    with open_store(data_dir) as again:  # once: the next program finds it sealed
        _ = again.key
        assert len(events(again, "store_resealed")) == 1
    backups = list(data_dir.glob("tapemaster.db.v1-backup-*"))
    assert len(backups) == 1


def test_nobody_is_locked_out_by_the_upgrade(
    old: Context, facts: dict[str, Any], clock
) -> None:
    logon = LogonService(old)
    passwords = facts["passwords"]
    assert logon.logon("alice", passwords["alice"]).status is LogonStatus.OTP_REQUIRED
    code = rfc_totp(_secret(facts), clock.now)
    assert logon.logon("alice", passwords["alice"], code).status is LogonStatus.SUCCESS
    assert logon.logon("alice", passwords["alice"], code).status is LogonStatus.OTP_REPLAY
    assert logon.logon("tapemaster", passwords["tapemaster"]).status is LogonStatus.SUCCESS
    assert logon.logon("carol", passwords["carol"]).status is LogonStatus.AUTHORIZATION_FAILURE
    assert events(old.store, "login_failed", "carol")[-1].detail.startswith("disabled")
    # The record tampered under 1.0 is still refused, as it was.
    assert logon.logon("bob", passwords["bob"]).status is LogonStatus.AUTHORIZATION_FAILURE
    assert events(old.store, "integrity_failed", "bob")


def test_a_record_tampered_before_the_upgrade_is_not_laundered_by_it(
    old: Context, facts: dict[str, Any]
) -> None:
    admin = AdminService(old, Actor.for_user("tapemaster"))
    review = admin.review_record("bob")
    assert review.copy_state == "missing" and review.every_field_suspect
    done = admin.reseal("bob")
    assert done.user.integrity_ok and not done.user.tapemaster_rights
    assert not done.user.password_set and done.user.revoked
    (row,) = events(old.store, "record_resealed", "bob")
    assert "every field is suspect" in row.detail


def test_the_old_audit_log_becomes_the_base_of_the_chain(old: Context, data_dir: Path) -> None:
    _ = old.store.key
    whole = old.store.audit_chain(whole=True)
    assert whole.ok and whole.checked == old.store.count_audit()
    with raw_db(data_dir) as conn:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit WHERE id = 3")  # a row from before the upgrade
    whole = old.store.audit_chain(whole=True)
    assert not whole.ok and "before the hash chain began" in whole.problem
    assert old.store.audit_chain().ok  # the newest rows alone are intact


@pytest.mark.parametrize("other_account", [False, True])
def test_a_removed_head_is_not_taken_for_an_old_store(
    old: Context, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    other_account: bool,
) -> None:
    """Sealing an old store re-seals what verifies and restarts the digest: were a
    store whose head was removed taken for an old one, that would launder every
    rollback. It is refused instead, by an account that knows it and by one that
    does not (the built-in user's record bears a current seal)."""
    _ = old.store.key
    old.store.close()
    with raw_db(data_dir) as conn:
        conn.execute("DELETE FROM head")
    if other_account:
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-account"))
    with open_store(data_dir) as store, pytest.raises(StoreTamperedError,
                                                      match=r"head record .* was removed"):
        _ = store.key
    with raw_db(data_dir) as conn:
        assert conn.execute("SELECT count(*) FROM audit WHERE event = 'store_resealed'"
                            ).fetchone()[0] == 1


def test_a_newer_seal_version_reseals_once_and_launders_nothing(
    ctx: Context, admin: AdminService, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next release seals one more user column (what a new column needs): the store
    re-seals itself once on first use, records whose current seal fails stay tampered."""
    import operator

    from tapemaster_qt.store import sealing

    admin.add_user({"user_id": "alice"}, "Alice-Secret-42")
    admin.add_user({"user_id": "bob"}, "Bob-Secret-4242")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET admin_rights = 1 WHERE user_id = 'bob'")
    ctx.store.close()
    fields = tuple(reversed(sealing.USER_SEALED))  # stands in for a longer list
    monkeypatch.setattr(sealing, "USER_SEALED", fields)
    monkeypatch.setattr(sealing, "user_values", operator.itemgetter(*fields))
    monkeypatch.setattr(sealing, "SEAL_VERSION", 3)
    monkeypatch.setitem(sealing.USER_SEALED_BY_VERSION, 3, fields)
    for _ in range(2):
        with open_store(data_dir) as store:
            assert {u.user_id: u.integrity_ok for u in store.list_users()} == {
                "tapemaster": True, "alice": True, "bob": False}
            (row,) = events(store, "store_resealed")
            assert "seal version 2 to 3" in row.detail and row.detail.endswith("bob")
            assert store.verify_store().findings == ()
