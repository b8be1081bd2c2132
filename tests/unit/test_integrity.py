"""Tamper evidence: security fields changed outside TapeMaster (raw SQL on the file)
refuse the logon, are audited, and are accepted again only by AdminService.reseal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import rfc_totp
from tapemaster_qt.errors import NotAuthorizedError, StoreIntegrityError, StoreTamperedError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.integrity import StoreReview
from unit.support import PASSWORD, enrol, events, raw_db, wrong_code

ATTACKER_PASSWORD = "Attacker-Knows-1"


def _assert_refused_as_tampered(ctx: Context, logon: LogonService, user_id: str,
                                password: str, code: str = "") -> None:
    sessions = len(ctx.store.list_sessions())
    before = len(events(ctx.store, "integrity_failed", user_id))
    outcome = logon.logon(user_id, password, code)
    # What a wrong password gets (DESIGN.md §3 rule 2): the answer tells a guesser
    # nothing; the audit log tells the administrator why.
    assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
    assert outcome.session is None
    assert events(ctx.store, "login_failed", user_id)[-1].detail.startswith(
        "integrity_failed")
    assert len(ctx.store.list_sessions()) == sessions
    assert len(events(ctx.store, "integrity_failed", user_id)) == before + 1
    user = ctx.store.get_user(user_id)
    assert user is not None and not user.integrity_ok


def test_flipping_otp_off_in_the_file_refuses_the_logon(
    ctx: Context, logon: LogonService, otp_alice: bytes, data_dir: Path
) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET otp_enabled = 0, otp_activated = 0, otp_secret = NULL "
                     "WHERE user_id = 'alice'")
    _assert_refused_as_tampered(ctx, logon, "alice", PASSWORD)


def test_swapping_the_password_hash_refuses_the_logon(
    ctx: Context, logon: LogonService, alice: str, data_dir: Path
) -> None:
    forged = ctx.hasher.hash(ATTACKER_PASSWORD)
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE user_id = 'alice'", (forged,))
    _assert_refused_as_tampered(ctx, logon, "alice", ATTACKER_PASSWORD)


def test_copying_hash_and_seal_from_another_user_refuses_the_logon(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path
) -> None:
    admin.add_user({"user_id": "mallory"}, ATTACKER_PASSWORD)
    with raw_db(data_dir) as conn:
        conn.execute(
            "UPDATE users SET (password_hash, mac) = "
            "(SELECT password_hash, mac FROM users WHERE user_id = 'mallory') "
            "WHERE user_id = 'alice'"
        )
    # alice's terms are no longer cut from the seal she now carries: the digest cannot
    # vouch for any other row, so the store is refused as a whole (REVIEW-2 D1) ...
    with pytest.raises(StoreTamperedError, match="users: a row's digest terms were changed"):
        logon.logon("alice", ATTACKER_PASSWORD)
    # ... and after an administrator accepts it, the record is refused on its own.
    StoreReview(ctx, Actor.for_cli()).accept()
    _assert_refused_as_tampered(ctx, logon, "alice", ATTACKER_PASSWORD)


def test_clearing_revoked_in_the_file_refuses_the_logon(
    ctx: Context, logon: LogonService, alice: str, data_dir: Path
) -> None:
    for _ in range(6):
        logon.logon("alice", "Wrong-Password-0")
    assert ctx.store.get_user("alice").revoked
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET revoked = 0, failed_logons = 0 WHERE user_id = 'alice'")
    _assert_refused_as_tampered(ctx, logon, "alice", PASSWORD)


def test_copying_an_otp_secret_to_another_user_refuses_the_logon(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock,
    data_dir: Path,
) -> None:
    admin.add_user({"user_id": "mallory", "otp_enabled": True}, ATTACKER_PASSWORD)
    mallory_secret = enrol(logon, "mallory", ATTACKER_PASSWORD)
    # Mallory copies her own (encrypted) secret into alice's row to use her own codes.
    with raw_db(data_dir) as conn:
        conn.execute(
            "UPDATE users SET otp_secret = (SELECT otp_secret FROM users "
            "WHERE user_id = 'mallory') WHERE user_id = 'alice'"
        )
    _assert_refused_as_tampered(ctx, logon, "alice", PASSWORD,
                                rfc_totp(mallory_secret, clock.now))


def test_granting_rights_in_the_file_does_not_make_an_administrator(
    ctx: Context, alice: str, data_dir: Path
) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET tapemaster_rights = 1 WHERE user_id = 'alice'")
    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("alice")).list_users()
    row = next(r for r in AdminService(ctx, Actor.for_user("tapemaster")).list_users()
               if r.user_id == "alice")
    assert not row.integrity_ok  # the administration table can flag it


def test_wrong_password_on_a_tampered_record_reveals_nothing(
    ctx: Context, logon: LogonService, alice: str, data_dir: Path
) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET disabled = 1 WHERE user_id = 'alice'")
    outcome = logon.logon("alice", "Wrong-Password-0")
    assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
    assert events(ctx.store, "integrity_failed", "alice")


TAMPERS: dict[str, str] = {
    "admin_rights": "UPDATE users SET admin_rights = 1 WHERE user_id = 'alice'",
    "otp_last_step": "UPDATE users SET otp_last_step = 0 WHERE user_id = 'alice'",
    # Counting attempts only ever adds: it cannot bring this back to its sealed value.
    "failed_logons": "UPDATE users SET failed_logons = failed_logons + 10 "
                     "WHERE user_id = 'alice'",
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_ordinary_writes_never_launder_a_tampered_record(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock,
    data_dir: Path, tamper: str,
) -> None:
    logon.logon("alice", "Wrong-Password-0")
    sessions = len(ctx.store.list_sessions())
    with raw_db(data_dir) as conn:
        conn.execute(TAMPERS[tamper])
    assert not ctx.store.get_user("alice").integrity_ok
    # Failed logons, right-password logons and administrator edits all leave it tampered.
    logon.logon("alice", "Wrong-Password-0")
    logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now))
    logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now))
    attempts: list[Callable[[], object]] = [
        lambda: admin.unlock("alice"),
        lambda: admin.update_user("alice", {"name": "Alice Again"}),
        lambda: admin.set_otp("alice", False),
        lambda: admin.reset_password("alice", "Brand-New-Pass-1"),
    ]
    for attempt in attempts:
        with pytest.raises(StoreIntegrityError):
            attempt()
    user = ctx.store.get_user("alice")
    assert user is not None and not user.integrity_ok
    assert user.otp_enabled
    assert len(ctx.store.list_sessions()) == sessions


def test_reseal_needs_an_administrator(
    ctx: Context, admin: AdminService, alice: str, data_dir: Path
) -> None:
    admin.add_user({"user_id": "bob"}, "Bob-Secret-4242")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET disabled = 1 WHERE user_id = 'alice'")
    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("bob")).reseal("alice")
    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("alice")).reseal("alice")
    assert not ctx.store.get_user("alice").integrity_ok
    assert not events(ctx.store, "record_resealed")


def test_reseal_accepts_the_record_without_password_rights_access_or_otp(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock,
    data_dir: Path,
) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET otp_last_step = 0 WHERE user_id = 'alice'")
    done = admin.reseal("alice")
    details = done.user
    assert details.integrity_ok
    assert not details.otp_enabled and not details.otp_activated
    assert details.revoked and not details.password_set and details.programs == frozenset()
    (row,) = events(ctx.store, "record_resealed", "alice")
    assert row.actor == "tapemaster"
    assert "Last accepted code: " in row.detail and " -> 0" in row.detail
    # Nobody logs on with it until an administrator restores it on purpose: revoked,
    # then without a password.
    assert logon.logon("alice", PASSWORD).status is LogonStatus.REVOKED
    admin.unlock("alice")
    assert logon.logon("alice", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    admin.reset_password("alice", "Brand-New-Pass-1")
    assert logon.logon("alice", "Brand-New-Pass-1").status is LogonStatus.PROGRAM_NOT_PERMITTED
    admin.update_user("alice", {"programs": "TapeMaster"})
    assert logon.logon("alice", "Brand-New-Pass-1").status is LogonStatus.SUCCESS
    # OTP can be enabled again: a new secret, enrolment restarts.
    admin.set_otp("alice", True)
    assert enrol(logon, "alice", "Brand-New-Pass-1") != otp_alice
