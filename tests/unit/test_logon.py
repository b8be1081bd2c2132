"""The logon engine, DESIGN.md §3's rules in their order, the OTP life cycle, lockout,
program access, sessions and the Password Change service.

Codes come from ``helpers.rfc_totp`` at the FakeClock's time, as the user's
authenticator app would compute them.
"""

from __future__ import annotations

import pytest

from conftest import ADMIN_PASSWORD
from helpers import label_from_uri, rfc_totp, secret_from_uri
from tapemaster_qt.errors import SessionEndedError, ValidationError
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import (
    LogonOutcome,
    LogonService,
    LogonStatus,
    PasswordChangeService,
    Session,
)
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.store import Store
from unit.support import PASSWORD, enrol, events, skewed_code, wrong_code

WRONG = "Wrong-Password-0"


def _in(ctx: Context, program: str) -> LogonService:
    """The same store, seen from another program (Lite, Checkpoint)."""
    return LogonService(Context(ctx.store, program=program, clock=ctx.clock,
                                hasher=ctx.hasher))


def _failed(store: Store, user_id: str | None = None) -> list[str]:
    return [e.detail for e in events(store, "login_failed", user_id)]


def _user(store: Store, user_id: str = "alice"):
    user = store.get_user(user_id)
    assert user is not None
    return user


class CountingHasher(PasswordHasher):
    def __init__(self, profile) -> None:
        super().__init__(profile)
        self.verified = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, password)


# --- rule 1: unknown User-ID or wrong password -----------------------------------------


def test_unknown_user_and_wrong_password_look_the_same(
    ctx: Context, logon: LogonService, alice: str
) -> None:
    unknown = logon.logon("nobody", PASSWORD)
    wrong = logon.logon("alice", WRONG)
    assert unknown.status is wrong.status is LogonStatus.AUTHORIZATION_FAILURE
    for outcome in (unknown, wrong):
        assert outcome.session is None and outcome.provisioning_uri is None
        assert outcome.secret_key is None and outcome.skew_seconds is None
    unknown_rows = [e for e in events(ctx.store, "login_failed") if e.user_id is None]
    assert [e.detail for e in unknown_rows] == ["unknown_user"]
    assert _failed(ctx.store, "alice") == ["bad_password"]
    assert _user(ctx.store).failed_logons == 1


@pytest.mark.parametrize("user_id", ["nobody", "-bad-id", "x" * 40, ""])
def test_unknown_user_costs_a_password_check(ctx: Context, alice: str, user_id: str) -> None:
    hasher = CountingHasher(ctx.hasher.profile)
    logon = LogonService(Context(ctx.store, clock=ctx.clock, hasher=hasher))
    assert logon.logon(user_id, PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert hasher.verified == 1  # the dummy hash, as for a real user
    assert logon.logon("alice", WRONG).status is LogonStatus.AUTHORIZATION_FAILURE
    assert hasher.verified == 2


def test_a_user_without_password_cannot_log_on(ctx: Context, admin: AdminService,
                                               logon: LogonService) -> None:
    admin.add_user({"user_id": "imported"}, None)
    for password in ("", PASSWORD, "imported"):
        assert logon.logon("imported", password).status is LogonStatus.AUTHORIZATION_FAILURE
    assert not ctx.store.list_sessions()


def test_right_password_logs_on(ctx: Context, logon: LogonService, alice: str) -> None:
    outcome = logon.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS and outcome.succeeded
    assert outcome.session is not None and outcome.session.user_id == "alice"
    assert outcome.session.name == "Alice Archer"
    assert not outcome.session.tapemaster_rights
    assert [e.user_id for e in events(ctx.store, "login_succeeded")] == ["alice"]
    assert _user(ctx.store).last_logon == ctx.timestamp()


# --- rule 2: revoked, disabled, program; only after the right password ------------------


def test_revoked_answers_the_same_to_any_password(
    ctx: Context, logon: LogonService, alice: str
) -> None:
    """Rule 2: once revoked, the answer no longer depends on the password, or guessing
    would go on (tests/unit/test_revocation.py has the whole story)."""
    for _ in range(6):
        assert logon.logon("alice", WRONG).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", WRONG).status is LogonStatus.REVOKED
    assert logon.logon("alice", PASSWORD).status is LogonStatus.REVOKED
    assert _failed(ctx.store, "alice")[-2:] == ["revoked; bad_password", "revoked"]
    assert not ctx.store.list_sessions()


def test_disabled_answers_as_a_wrong_password_does(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str
) -> None:
    admin.set_disabled("alice", True)
    assert logon.logon("alice", WRONG).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert _failed(ctx.store, "alice") == ["disabled; bad_password", "disabled"]
    admin.set_disabled("alice", False)
    outcome = logon.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS and outcome.failures_since == 2


@pytest.mark.parametrize("program", ["Lite", "Checkpoint"])
def test_program_without_client_access_is_refused(
    ctx: Context, admin: AdminService, alice: str, program: str
) -> None:
    admin.update_user("alice", {"programs": "TapeMaster"})
    other = _in(ctx, program)
    assert other.logon("alice", WRONG).status is LogonStatus.AUTHORIZATION_FAILURE
    outcome = other.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.PROGRAM_NOT_PERMITTED
    assert outcome.program == program
    refused = events(ctx.store, "login_failed", "alice")[-1]
    assert (refused.detail, refused.program) == ("program_not_permitted", program)
    assert LogonService(ctx).logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    admin.update_user("alice", {"programs": ["TapeMaster", program]})
    assert other.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    assert {s.program for s in ctx.store.list_sessions()} == {"TapeMaster", program}


def test_rule_two_checks_in_order(ctx: Context, admin: AdminService, alice: str) -> None:
    """Disabled before program access (which is only told to a usable record), and
    revoked whatever else."""
    lite = _in(ctx, "Lite")
    admin.update_user("alice", {"programs": "TapeMaster", "disabled": True})
    assert lite.logon("alice", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    for _ in range(5):
        lite.logon("alice", WRONG)
    assert lite.logon("alice", PASSWORD).status is LogonStatus.REVOKED
    admin.update_user("alice", {"disabled": False})
    assert lite.logon("alice", PASSWORD).status is LogonStatus.REVOKED


def test_attempts_on_a_disabled_user_id_count_like_wrong_passwords(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str
) -> None:
    """The right password on a disabled User-ID is still a refused attempt: counting it
    differently would let a later answer tell which guess was right."""
    admin.set_disabled("alice", True)
    statuses = [logon.logon("alice", PASSWORD).status for _ in range(8)]
    assert statuses == [LogonStatus.AUTHORIZATION_FAILURE] * 6 + [LogonStatus.REVOKED] * 2
    user = _user(ctx.store)
    assert (user.failed_logons, user.failures_since_logon, user.revoked) == (8, 8, True)


def test_program_refusals_after_the_right_password_do_not_count(
    ctx: Context, admin: AdminService, alice: str
) -> None:
    admin.update_user("alice", {"programs": "TapeMaster"})
    lite = _in(ctx, "Lite")
    for _ in range(8):
        assert lite.logon("alice", PASSWORD).status is LogonStatus.PROGRAM_NOT_PERMITTED
    user = _user(ctx.store)
    assert (user.failed_logons, user.failures_since_logon, user.revoked) == (0, 0, False)


# --- rule 3: OTP enabled and activated ---------------------------------------------------


@pytest.mark.parametrize("code", ["", "   "])
def test_empty_code_asks_for_one_and_is_not_counted(
    ctx: Context, logon: LogonService, otp_alice: bytes, code: str
) -> None:
    for _ in range(8):
        outcome = logon.logon("alice", PASSWORD, code)
        assert outcome.status is LogonStatus.OTP_REQUIRED
        assert outcome.provisioning_uri is None and outcome.session is None
    user = _user(ctx.store)
    assert user.failed_logons == 0 and not user.revoked
    assert _failed(ctx.store, "alice") == ["otp_required"] * 8


def test_wrong_code_is_counted(ctx: Context, logon: LogonService, otp_alice: bytes,
                               clock) -> None:
    outcome = logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now))
    assert outcome.status is LogonStatus.BAD_OTP and outcome.session is None
    assert _user(ctx.store).failed_logons == 1
    assert _failed(ctx.store, "alice")[-1] == "bad_otp"


def test_wrong_password_with_a_valid_code_does_not_use_the_code(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    code = rfc_totp(otp_alice, clock.now)
    assert logon.logon("alice", WRONG, code).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS


@pytest.mark.parametrize("typed", ["{code}", "{a} {b}", " {code} ", "{a}\u00a0{b}"])
def test_valid_code_logs_on_typed_with_or_without_space(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock, typed: str
) -> None:
    code = rfc_totp(otp_alice, clock.now)
    outcome = logon.logon("alice", PASSWORD, typed.format(code=code, a=code[:3], b=code[3:]))
    assert outcome.status is LogonStatus.SUCCESS
    assert outcome.provisioning_uri is None and outcome.secret_key is None
    assert _user(ctx.store).otp_last_step == totp.time_step(clock.now)
    assert events(ctx.store, "login_succeeded", "alice")[-1].detail == "otp"


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_neighbouring_steps_are_accepted(
    logon: LogonService, otp_alice: bytes, clock, offset: int
) -> None:
    clock.advance(60)  # well past the activation step
    code = rfc_totp(otp_alice, clock.now + offset)
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS


def test_a_code_cannot_be_used_twice(ctx: Context, logon: LogonService, otp_alice: bytes,
                                     clock) -> None:
    code = rfc_totp(otp_alice, clock.now)
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS
    sessions = len(ctx.store.list_sessions())
    clock.advance(10)  # same step, a few seconds later
    replay = logon.logon("alice", PASSWORD, code)
    assert replay.status is LogonStatus.OTP_REPLAY and replay.session is None
    assert len(events(ctx.store, "otp_replay_rejected", "alice")) == 1
    assert _user(ctx.store).failed_logons == 1
    assert len(ctx.store.list_sessions()) == sessions


def test_an_older_code_after_a_newer_one_is_a_replay(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    clock.advance(60)
    newer = rfc_totp(otp_alice, clock.now + 30)
    older = rfc_totp(otp_alice, clock.now)
    assert newer != older
    assert logon.logon("alice", PASSWORD, newer).status is LogonStatus.SUCCESS
    assert logon.logon("alice", PASSWORD, older).status is LogonStatus.OTP_REPLAY


@pytest.mark.parametrize("offset", [3600, -3600, 300, -300, -5 * 3600 - 1800, 14 * 3600])
def test_skewed_clock_is_diagnosed_and_counted(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock, offset: int
) -> None:
    code = skewed_code(otp_alice, clock, offset)
    outcome = logon.logon("alice", PASSWORD, code)
    assert outcome.status is LogonStatus.CLOCK_SKEW
    assert outcome.skew_seconds == offset
    assert outcome.session is None
    assert _user(ctx.store).failed_logons == 1
    skew_rows = events(ctx.store, "otp_clock_skew", "alice")
    assert len(skew_rows) == 1 and f"{offset:+d}s" in skew_rows[0].detail


def test_skewed_code_is_burned_for_when_its_time_comes(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    ahead = skewed_code(otp_alice, clock, 300)  # the device is 5 minutes ahead
    assert logon.logon("alice", PASSWORD, ahead).status is LogonStatus.CLOCK_SKEW
    # A good logon in between must not forget the burned step.
    assert logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now)).status \
        is LogonStatus.SUCCESS
    sessions = len(ctx.store.list_sessions())
    clock.advance(300)
    assert rfc_totp(otp_alice, clock.now) == ahead
    assert logon.logon("alice", PASSWORD, ahead).status is LogonStatus.BAD_OTP
    assert len(ctx.store.list_sessions()) == sessions
    clock.advance(30)
    assert logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now)).status \
        is LogonStatus.SUCCESS


def test_skew_is_diagnosed_only_after_the_password(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    code = skewed_code(otp_alice, clock, 3600)
    outcome = logon.logon("alice", WRONG, code)
    assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
    assert outcome.skew_seconds is None
    assert not events(ctx.store, "otp_clock_skew")


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", "one two", "12-34-56"])
def test_malformed_code_costs_no_attempt(ctx: Context, logon: LogonService,
                                         otp_alice: bytes, code: str) -> None:
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.MALFORMED_CODE
    assert logon.logon("nobody", PASSWORD, code).status is LogonStatus.MALFORMED_CODE
    assert _user(ctx.store).failed_logons == 0


# --- rule 4: OTP enabled, not activated ---------------------------------------------------


def test_enrolment_shows_the_qr_then_lets_the_user_in(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str
) -> None:
    admin.set_otp("alice", True)
    outcome = logon.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.ENROLMENT and outcome.succeeded
    assert outcome.session is not None
    uri = outcome.provisioning_uri
    assert uri is not None and uri.startswith("otpauth://totp/TapeTrack:alice?secret=")
    assert label_from_uri(uri) == "TapeTrack:alice"
    secret = secret_from_uri(uri)
    assert len(secret) == 20
    assert outcome.secret_key == totp.group_secret(totp.to_base32(secret))
    assert [e.event for e in events(ctx.store, user_id="alice")][-2:] == [
        "otp_enrollment_shown", "login_succeeded"]
    # Shown again at every logon until activated, with the same secret.
    again = logon.logon("alice", PASSWORD)
    assert again.status is LogonStatus.ENROLMENT
    assert secret_from_uri(again.provisioning_uri) == secret
    assert not _user(ctx.store).otp_activated


def test_enrolment_uses_the_issuer_setting(admin: AdminService, logon: LogonService,
                                           alice: str) -> None:
    admin.set_setting("issuer", "ACME Tape Vault")
    admin.set_otp("alice", True)
    uri = logon.logon("alice", PASSWORD).provisioning_uri
    assert label_from_uri(uri) == "ACME Tape Vault:alice"
    assert uri.endswith("&issuer=ACME%20Tape%20Vault")


def test_every_window_showing_a_secret_or_codes_gets_the_account_from_the_service(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock
) -> None:
    """The account the app lists ("issuer:User-ID") comes with the outcome, so no window
    builds it from the store's settings by hand (REVIEW-1 finding 7): the QR popup,
    the recovery codes at activation (a logon, or Verify) and those made in File ▸ One
    Time Password…, and a new phone."""
    from tapemaster_qt.services.self_service import OtpSelfService

    admin.set_setting("issuer", "ACME Tape Vault")
    admin.set_otp("alice", True)
    enrolment = logon.logon("alice", PASSWORD)
    assert enrolment.account == "ACME Tape Vault:alice"
    secret = secret_from_uri(enrolment.provisioning_uri)
    verified = logon.verify_enrolment(enrolment.session, rfc_totp(secret, clock.now))
    assert verified.status is LogonStatus.ACTIVATED
    assert verified.account == "ACME Tape Vault:alice"
    admin.update_user("alice", {}, renew_otp=True)
    secret = enrol(logon, "alice")
    clock.advance(30)
    activated = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now))
    assert activated.status is LogonStatus.ACTIVATED
    assert activated.account == "ACME Tape Vault:alice"
    clock.advance(30)
    mine = OtpSelfService(ctx, activated.session)
    made = mine.new_recovery_codes(rfc_totp(secret, clock.now))
    assert made.recovery_codes and made.account == "ACME Tape Vault:alice"
    clock.advance(30)
    _, device = mine.begin_new_device(rfc_totp(secret, clock.now))
    assert device.account == "ACME Tape Vault:alice"
    clock.advance(30)
    plain = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now))
    assert plain.status is LogonStatus.SUCCESS and plain.account == ""


def test_first_valid_code_activates(ctx: Context, admin: AdminService, logon: LogonService,
                                    alice: str, clock) -> None:
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    outcome = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now))
    assert outcome.status is LogonStatus.ACTIVATED and outcome.session is not None
    assert outcome.provisioning_uri is None and outcome.secret_key is None
    assert _user(ctx.store).otp_activated
    assert admin.get_user("alice").otp_activated
    assert len(events(ctx.store, "otp_activated", "alice")) == 1
    clock.advance(30)
    assert logon.logon("alice", PASSWORD).status is LogonStatus.OTP_REQUIRED


def test_wrong_code_before_activation_hints_to_rescan(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock
) -> None:
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    outcome = logon.logon("alice", PASSWORD, wrong_code(secret, clock.now))
    assert outcome.status is LogonStatus.BAD_OTP_ENROLMENT and outcome.session is None
    user = _user(ctx.store)
    assert user.failed_logons == 1 and not user.otp_activated


def test_activation_in_one_program_is_enforced_in_all(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock
) -> None:
    admin.set_otp("alice", True)
    secret = enrol(_in(ctx, "Checkpoint"), "alice")
    assert _in(ctx, "Checkpoint").logon(
        "alice", PASSWORD, rfc_totp(secret, clock.now)).status is LogonStatus.ACTIVATED
    clock.advance(30)
    for program in ("TapeMaster", "Lite", "Checkpoint"):
        assert _in(ctx, program).logon("alice", PASSWORD).status is LogonStatus.OTP_REQUIRED
    code = rfc_totp(secret, clock.now)
    assert _in(ctx, "Lite").logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.OTP_REPLAY


def test_a_password_only_logon_racing_an_activation_asks_for_a_code(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lite logs on with the password alone (the grace before activation); while its
    argon2 check runs, TapeMaster activates One Time Password with a code. Lite's
    write sees it: a code is needed now, and no QR (secret) is shown, no session
    starts (REVIEW-1 finding 2a)."""
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    lite_hasher = PasswordHasher(ctx.hasher.profile)
    lite = LogonService(Context(ctx.store, program="Lite", clock=clock, hasher=lite_hasher))
    checking = lite_hasher.verify

    def verify_while_tapemaster_activates(stored: str, password: str) -> bool:
        right = checking(stored, password)
        assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
            is LogonStatus.ACTIVATED
        return right

    monkeypatch.setattr(lite_hasher, "verify", verify_while_tapemaster_activates)
    outcome = lite.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.OTP_REQUIRED
    assert outcome.session is None and outcome.secret_key is None
    assert outcome.provisioning_uri is None
    assert "Lite" not in [s.program for s in ctx.store.list_sessions()]
    assert _failed(ctx.store, "alice") == ["otp_required"]
    assert not events(ctx.store, "otp_enrollment_shown", "alice")[1:]  # only enrol()'s


def test_the_whole_otp_life_cycle(ctx: Context, admin: AdminService, logon: LogonService,
                                  alice: str, clock) -> None:
    # enable: a fresh secret, Activated False
    details = admin.set_otp("alice", True)
    assert details.otp_enabled and not details.otp_activated
    # enrol: QR shown, let in
    first = enrol(logon, "alice")
    # activate
    assert logon.logon("alice", PASSWORD, rfc_totp(first, clock.now)).status \
        is LogonStatus.ACTIVATED
    # enforce
    clock.advance(30)
    assert logon.logon("alice", PASSWORD).status is LogonStatus.OTP_REQUIRED
    assert logon.logon("alice", PASSWORD, rfc_totp(first, clock.now)).status \
        is LogonStatus.SUCCESS
    # lost device: disable; the secret is destroyed and no code is needed
    details = admin.set_otp("alice", False)
    assert not details.otp_enabled and not details.otp_activated
    assert _user(ctx.store).otp_secret is None
    assert logon.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    # re-enable: a new secret, enrolment restarts
    admin.set_otp("alice", True)
    second = enrol(logon, "alice")
    assert second != first
    clock.advance(30)
    _move_to_plainly_wrong(first, second, clock)
    assert logon.logon("alice", PASSWORD, rfc_totp(first, clock.now)).status \
        is LogonStatus.BAD_OTP_ENROLMENT
    assert logon.logon("alice", PASSWORD, rfc_totp(second, clock.now)).status \
        is LogonStatus.ACTIVATED
    clock.advance(30)
    _move_to_plainly_wrong(first, second, clock)
    assert logon.logon("alice", PASSWORD, rfc_totp(first, clock.now)).status \
        is LogonStatus.BAD_OTP
    otp_events = [e.event for e in events(ctx.store, user_id="alice")
                  if e.event.startswith("otp_")]
    assert otp_events == ["otp_enabled", "otp_enrollment_shown", "otp_activated",
                          "otp_disabled", "otp_enabled", "otp_enrollment_shown",
                          "otp_activated"]


def _move_to_plainly_wrong(old: bytes, new: bytes, clock) -> None:
    """Move the clock on (rarely needed) until the old secret's current code means
    nothing to the new secret: not in the window, not a skew candidate."""
    while True:
        step = totp.time_step(clock.now)
        steps = {*totp.skew_candidates(step), step - 1, step, step + 1}
        if rfc_totp(old, clock.now) not in {rfc_totp(new, s * 30) for s in steps}:
            return
        clock.advance(30)


# --- rule 5: consecutive failures revoke; a success resets -------------------------------


def test_sixth_consecutive_failure_revokes(ctx: Context, logon: LogonService,
                                           alice: str) -> None:
    for n in range(1, 6):
        logon.logon("alice", WRONG)
        user = _user(ctx.store)
        assert user.failed_logons == n and not user.revoked
    logon.logon("alice", WRONG)
    user = _user(ctx.store)
    assert user.revoked and user.failed_logons == 6
    revoked = events(ctx.store, "account_revoked", "alice")
    assert len(revoked) == 1 and "6 consecutive" in revoked[0].detail
    logon.logon("alice", WRONG)
    assert len(events(ctx.store, "account_revoked", "alice")) == 1
    assert logon.logon("alice", PASSWORD).status is LogonStatus.REVOKED


def test_a_success_resets_the_count(ctx: Context, logon: LogonService, alice: str) -> None:
    for _ in range(5):
        logon.logon("alice", WRONG)
    outcome = logon.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS
    assert outcome.failures_since == 5
    assert _user(ctx.store).failed_logons == 0
    for _ in range(5):
        logon.logon("alice", WRONG)
    user = _user(ctx.store)
    assert user.failed_logons == 5 and not user.revoked
    assert logon.logon("alice", PASSWORD).status is LogonStatus.SUCCESS


def test_password_and_code_failures_count_together(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    for _ in range(3):
        logon.logon("alice", WRONG)
    for _ in range(3):
        logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now))
    assert _user(ctx.store).revoked
    assert logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now)).status \
        is LogonStatus.REVOKED


@pytest.mark.parametrize("restore", ["unlock", "reset_password"])
def test_administrator_restores_a_revoked_user(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, restore: str
) -> None:
    for _ in range(6):
        logon.logon("alice", WRONG)
    password = PASSWORD
    if restore == "unlock":
        admin.unlock("alice")
    else:
        password = "Brand-New-Pass-1"
        admin.reset_password("alice", password)
    user = _user(ctx.store)
    assert not user.revoked and user.failed_logons == 0
    assert [e.actor for e in events(ctx.store, "account_unlocked", "alice")] == ["tapemaster"]
    assert logon.logon("alice", password).status is LogonStatus.SUCCESS


def test_lockout_threshold_is_a_store_setting(ctx: Context, admin: AdminService,
                                              logon: LogonService, alice: str) -> None:
    admin.set_setting("lockout_threshold", "2")
    logon.logon("alice", WRONG)
    logon.logon("alice", WRONG)
    assert not _user(ctx.store).revoked
    logon.logon("alice", WRONG)
    assert _user(ctx.store).revoked


# --- outcome details and sessions ---------------------------------------------------------


def test_outcome_reports_previous_logon_and_failures(
    ctx: Context, logon: LogonService, alice: str, clock
) -> None:
    first = logon.logon("alice", PASSWORD)
    assert first.previous_logon is None
    first_time = ctx.timestamp()
    clock.advance(3600)
    logon.logon("alice", WRONG)
    logon.logon("alice", WRONG)
    second = logon.logon("alice", PASSWORD)
    assert second.previous_logon == first_time
    assert second.failures_since == 2


def test_success_starts_a_session_and_logout_ends_it(
    ctx: Context, logon: LogonService, alice: str
) -> None:
    outcome = logon.logon("alice", PASSWORD)
    session = outcome.session
    assert isinstance(session, Session)
    [record] = ctx.store.list_sessions()
    assert (record.id, record.user_id, record.program, record.host, record.pid) == (
        session.session_id, "alice", "TapeMaster", ctx.host, ctx.pid)
    assert logon.heartbeat(session)
    logon.logout(session, "user chose Log Out")
    assert ctx.store.list_sessions() == []
    [out] = events(ctx.store, "logged_out", "alice")
    assert out.detail == "user chose Log Out"
    assert not logon.heartbeat(session)  # ended: the program learns it must log on again


def test_failures_start_no_session(ctx: Context, logon: LogonService, otp_alice: bytes) -> None:
    before = ctx.store.list_sessions()
    logon.logon("alice", WRONG)
    logon.logon("alice", PASSWORD)
    logon.logon("nobody", PASSWORD)
    assert ctx.store.list_sessions() == before


def test_tapemaster_session_carries_its_rights(ctx: Context, logon: LogonService) -> None:
    outcome = logon.logon("tapemaster", ADMIN_PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS
    assert outcome.session.tapemaster_rights


# --- File ▸ Reset Password (Password Change) ---------------------------------------------


def _session_of(logon: LogonService, user_id: str = "alice",
                password: str = PASSWORD) -> Session:
    outcome: LogonOutcome = logon.logon(user_id, password)
    assert outcome.session is not None, outcome
    return outcome.session


def test_password_change(ctx: Context, logon: LogonService, alice: str) -> None:
    session = _session_of(logon)
    PasswordChangeService(ctx).change_password(session, PASSWORD, "Brand-New-Pass-1")
    assert logon.logon("alice", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", "Brand-New-Pass-1").status is LogonStatus.SUCCESS
    [changed] = events(ctx.store, "password_changed", "alice")
    assert (changed.actor, changed.detail) == ("alice", "own password")
    assert _user(ctx.store).integrity_ok


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [(WRONG, "Brand-New-Pass-1", "Current Password"), (PASSWORD, "short", "New Password"),
     (PASSWORD, "ALICE", "New Password"), (PASSWORD, PASSWORD, "New Password")],
)
def test_password_change_refusals(ctx: Context, logon: LogonService, alice: str,
                                  current: str, new: str, field: str) -> None:
    session = _session_of(logon)
    stored = _user(ctx.store).password_hash
    with pytest.raises(ValidationError) as info:
        PasswordChangeService(ctx).change_password(session, current, new)
    assert info.value.field == field
    assert _user(ctx.store).password_hash == stored
    assert not events(ctx.store, "password_changed", "alice")


def test_wrong_current_password_counts_toward_revocation(
    ctx: Context, logon: LogonService, alice: str
) -> None:
    session = _session_of(logon)
    change = PasswordChangeService(ctx)
    for _ in range(6):
        with pytest.raises(ValidationError):
            change.change_password(session, WRONG, "Brand-New-Pass-1")
    assert _user(ctx.store).revoked
    assert len(events(ctx.store, "account_revoked", "alice")) == 1
    # Revoked: the dialog must not go on telling right from wrong passwords, and the
    # session is over (the program logs out and says why).
    with pytest.raises(SessionEndedError) as ended:
        change.change_password(session, PASSWORD, "Brand-New-Pass-1")
    assert ended.value.reason == "revoked"
    assert not events(ctx.store, "password_changed", "alice")
    assert ctx.store.list_sessions() == []
    with pytest.raises(SessionEndedError):
        change.change_password(session, PASSWORD, "Brand-New-Pass-1")
    assert logon.logon("alice", PASSWORD).status is LogonStatus.REVOKED
