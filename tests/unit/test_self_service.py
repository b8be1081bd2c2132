"""Verify now (the setup popup) and File ▸ One Time Password… (issue 12 items 1 and 3),
at the service level: the same code judgement as a logon (replay, skew diagnosis,
failures counted), each step audited, a new phone activated only by its own code.
"""

from __future__ import annotations

import dataclasses

import pytest

from helpers import rfc_totp, secret_from_uri
from tapemaster_qt.errors import SessionEndedError, ValidationError
from tapemaster_qt.services import Context, auth, self_service, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.recovery import formatted
from tapemaster_qt.services.self_service import NewDevice, OtpSelfService
from unit.support import PASSWORD, enrol, events, raw_db, skewed_code, wrong_code

# --- verify now ---------------------------------------------------------------------------------


@pytest.fixture
def enrolling(alice: str, admin: AdminService, logon: LogonService):
    """alice just logged on without a code and sees the QR: her session and secret."""
    admin.set_otp(alice, True)
    outcome = logon.logon(alice, PASSWORD)
    assert outcome.status is LogonStatus.ENROLMENT
    assert outcome.session is not None and outcome.provisioning_uri is not None
    return outcome.session, secret_from_uri(outcome.provisioning_uri)


def test_verify_now_activates_at_once_with_recovery_codes(
    ctx: Context, logon: LogonService, enrolling, clock
) -> None:
    session, secret = enrolling
    code = rfc_totp(secret, clock.now)
    outcome = logon.verify_enrolment(session, f"{code[:3]} {code[3:]}")
    assert outcome.status is LogonStatus.ACTIVATED
    assert len(outcome.recovery_codes) == 10 and outcome.session == session
    user = ctx.store.get_user("alice")
    assert user.otp_activated and user.otp_last_step == totp.time_step(clock.now)
    assert [e.detail for e in events(ctx.store, "otp_activated", "alice")] == \
        ["verified in the setup popup"]
    assert len(ctx.store.recovery_codes("alice")) == 10
    # The same code at the next logon is a replay; the next one logs on; no QR.
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.OTP_REPLAY
    clock.advance(30)
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.SUCCESS


def test_verify_now_refusals_are_a_logons(ctx: Context, logon: LogonService, enrolling,
                                          clock) -> None:
    session, secret = enrolling
    wrong = logon.verify_enrolment(session, wrong_code(secret, clock.now))
    assert wrong.status is LogonStatus.BAD_OTP_ENROLMENT and not wrong.revoked
    skewed = logon.verify_enrolment(session, skewed_code(secret, clock, 3600))
    assert skewed.status is LogonStatus.CLOCK_SKEW and skewed.skew_seconds == 3600
    assert logon.verify_enrolment(session, "12345").status is LogonStatus.MALFORMED_CODE
    assert logon.verify_enrolment(session, "  ").status is LogonStatus.OTP_REQUIRED
    user = ctx.store.get_user("alice")
    assert user.failed_logons == 2 and not user.otp_activated
    assert totp.time_step(clock.now + 3600) in user.otp_burned_steps
    assert [e.detail for e in events(ctx.store, "login_failed", "alice")] == [
        "bad_otp; verify in the setup popup",
        "bad_otp; verify in the setup popup; clock skew"]


def test_wrong_codes_in_the_popup_revoke_like_wrong_logons(
    ctx: Context, logon: LogonService, enrolling, clock
) -> None:
    session, secret = enrolling
    attempts = int(ctx.store.setting("lockout_threshold")) + 1
    for n in range(1, attempts + 1):
        outcome = logon.verify_enrolment(session, wrong_code(secret, clock.now))
        assert outcome.revoked == (n == attempts)
    assert ctx.store.get_user("alice").revoked
    # Revoked: nothing is judged any more, not even the right code; the session is over.
    with pytest.raises(SessionEndedError) as ended:
        logon.verify_enrolment(session, rfc_totp(secret, clock.now))
    assert ended.value.reason == "revoked"
    assert not ctx.store.get_user("alice").otp_activated


def test_verify_now_after_an_administrator_renewed_the_secret(
    ctx: Context, admin: AdminService, logon: LogonService, enrolling, clock
) -> None:
    session, secret = enrolling
    admin.update_user("alice", {}, renew_otp=True)
    # The popup shows a secret that is no longer hers: the session ends (issue 14).
    with pytest.raises(SessionEndedError) as ended:
        logon.verify_enrolment(session, rfc_totp(secret, clock.now))
    assert ended.value.reason == "otp_changed"
    assert not ctx.store.get_user("alice").otp_activated
    again = logon.logon("alice", PASSWORD).session  # the new QR
    admin.set_otp("alice", False)  # switched off asks less: the session goes on
    with pytest.raises(ValidationError, match="switched off"):
        logon.verify_enrolment(again, rfc_totp(secret, clock.now))


def test_verify_now_when_another_program_activated_meanwhile(
    ctx: Context, logon: LogonService, enrolling, clock
) -> None:
    session, secret = enrolling
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    clock.advance(30)
    with pytest.raises(ValidationError, match="already activated"):
        logon.verify_enrolment(session, rfc_totp(secret, clock.now))


def test_a_logon_racing_verify_now_keeps_the_codes_the_popup_showed(
    ctx: Context, logon: LogonService, enrolling, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TapeMaster's setup popup verifies (step t) and shows ten recovery codes; Lite's
    logon with the next step's code was judged before TapeMaster committed. Lite logs
    on, and the codes shown stay the user's: no second set replaces them unseen
    (REVIEW-1 finding 2b)."""
    session, secret = enrolling
    lite = LogonService(Context(ctx.store, program="Lite", clock=clock, hasher=ctx.hasher))
    shown: list[str] = []
    hashing = lite.hash_codes

    def hash_while_the_popup_verifies(codes):
        if not shown:
            verified = logon.verify_enrolment(session, rfc_totp(secret, clock.now))
            assert verified.status is LogonStatus.ACTIVATED
            shown.extend(verified.recovery_codes)
        return hashing(codes)

    monkeypatch.setattr(lite, "hash_codes", hash_while_the_popup_verifies)
    outcome = lite.logon("alice", PASSWORD, rfc_totp(secret, clock.now + 30))
    assert outcome.status is LogonStatus.SUCCESS and outcome.session is not None
    assert outcome.recovery_codes == () and outcome.recovery_codes_left == 10
    assert len(shown) == 10
    assert [(e.program, e.detail) for e in events(ctx.store, "recovery_codes_created",
                                                  "alice")] == [
        ("TapeMaster", "10 codes, at activation")]
    assert len(events(ctx.store, "otp_activated", "alice")) == 1
    clock.advance(60)
    assert logon.logon("alice", PASSWORD, formatted(shown[0])).status \
        is LogonStatus.RECOVERY


def test_a_logon_with_the_popups_own_code_meanwhile_is_a_replay(
    ctx: Context, logon: LogonService, enrolling, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race with the same code: one of the two wins, never both."""
    session, secret = enrolling
    lite = LogonService(Context(ctx.store, program="Lite", clock=clock, hasher=ctx.hasher))
    code = rfc_totp(secret, clock.now)
    hashing = lite.hash_codes

    def hash_while_the_popup_verifies(codes):
        assert logon.verify_enrolment(session, code).status is LogonStatus.ACTIVATED
        return hashing(codes)

    monkeypatch.setattr(lite, "hash_codes", hash_while_the_popup_verifies)
    assert lite.logon("alice", PASSWORD, code).status is LogonStatus.OTP_REPLAY
    assert len(ctx.store.recovery_codes("alice")) == 10


# --- self-service -------------------------------------------------------------------------------


@pytest.fixture
def me(ctx: Context, alice: str, admin: AdminService, logon: LogonService, clock):
    """alice, activated by logging on with her first code; her session, secret and codes."""
    admin.set_otp(alice, True)
    secret = enrol(logon, alice)
    outcome = logon.logon(alice, PASSWORD, rfc_totp(secret, clock.now))
    assert outcome.status is LogonStatus.ACTIVATED and outcome.session is not None
    clock.advance(30)
    return outcome.session, secret, [formatted(c) for c in outcome.recovery_codes]


def test_state_says_when_activated_and_how_many_codes(ctx: Context, me, logon) -> None:
    session, _secret, codes = me
    mine = OtpSelfService(ctx, session)
    state = mine.state()
    assert state.enabled and state.activated and state.recovery_codes_left == 10
    assert state.activated_at == events(ctx.store, "otp_activated", "alice")[-1].ts
    assert state.recovery_codes_made is not None
    logon.logon("alice", PASSWORD, codes[0])
    assert mine.state().recovery_codes_left == 9


def test_new_recovery_codes_after_a_current_code(ctx: Context, me, logon, clock) -> None:
    session, secret, old = me
    mine = OtpSelfService(ctx, session)
    code = rfc_totp(secret, clock.now)
    outcome = mine.new_recovery_codes(code)
    assert outcome.status is LogonStatus.CONFIRMED and len(outcome.recovery_codes) == 10
    assert not set(outcome.recovery_codes) & {c.replace("-", "") for c in old}
    assert events(ctx.store, "recovery_codes_created", "alice")[-1].detail == (
        "10 codes, made by the user (confirmed with a code from the app); 10 old ones "
        "revoked")
    # The code is spent (a logon with it is a replay); old codes are dead, new ones work.
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.OTP_REPLAY
    assert logon.logon("alice", PASSWORD, old[0]).status is LogonStatus.BAD_RECOVERY_CODE
    assert logon.logon("alice", PASSWORD, formatted(outcome.recovery_codes[0])).status \
        is LogonStatus.RECOVERY


def test_new_recovery_codes_with_a_recovery_code(ctx: Context, me, logon) -> None:
    session, _secret, old = me
    outcome = OtpSelfService(ctx, session).new_recovery_codes(old[4].upper())
    assert outcome.status is LogonStatus.CONFIRMED
    assert events(ctx.store, "recovery_code_used", "alice")[-1].detail == \
        "to confirm: new recovery codes; 9 left"
    assert logon.logon("alice", PASSWORD, old[4]).status is LogonStatus.BAD_RECOVERY_CODE


def test_a_step_refuses_a_wrong_code_and_counts_it(ctx: Context, me, clock) -> None:
    session, secret, _codes = me
    mine = OtpSelfService(ctx, session)
    attempts = int(ctx.store.setting("lockout_threshold")) + 1
    for n in range(1, attempts + 1):
        outcome = mine.new_recovery_codes(wrong_code(secret, clock.now))
        assert outcome.status is LogonStatus.BAD_OTP and outcome.revoked == (n == attempts)
    assert events(ctx.store, "login_failed", "alice")[-1].detail == \
        "bad_otp; new recovery codes"
    with pytest.raises(SessionEndedError) as ended:  # revoked: the session is over
        mine.new_recovery_codes(rfc_totp(secret, clock.now))
    assert ended.value.reason == "revoked"
    assert len(ctx.store.recovery_codes("alice")) == 10  # nothing changed


def test_a_step_without_a_code_asks_for_one(ctx: Context, me) -> None:
    session, _secret, _codes = me
    mine = OtpSelfService(ctx, session)
    assert mine.new_recovery_codes("").status is LogonStatus.OTP_REQUIRED
    assert mine.begin_new_device(" ")[0].status is LogonStatus.OTP_REQUIRED
    assert mine.new_recovery_codes("12-34").status is LogonStatus.MALFORMED_CODE
    assert ctx.store.get_user("alice").failed_logons == 0


def test_move_to_a_new_phone(ctx: Context, me, logon: LogonService, clock) -> None:
    session, old_secret, codes = me
    mine = OtpSelfService(ctx, session)
    outcome, device = mine.begin_new_device(rfc_totp(old_secret, clock.now))
    assert outcome.status is LogonStatus.CONFIRMED and device is not None
    new_secret = secret_from_uri(device.provisioning_uri)
    assert new_secret != old_secret and device.account == "TapeTrack:alice"
    assert events(ctx.store, "otp_enrollment_shown", "alice")[-1].detail.startswith("new phone")
    # Until the new phone verifies, the old one keeps working.
    clock.advance(30)
    assert logon.logon("alice", PASSWORD, rfc_totp(old_secret, clock.now)).status \
        is LogonStatus.SUCCESS
    # The old phone's code, a wrong one, a skewed one: explained, not counted.
    assert mine.finish_new_device(device, rfc_totp(old_secret, clock.now)).status \
        is LogonStatus.BAD_NEW_DEVICE_CODE
    assert mine.finish_new_device(device, codes[0]).status is LogonStatus.BAD_NEW_DEVICE_CODE
    skewed = mine.finish_new_device(device, skewed_code(new_secret, clock, -7200))
    assert skewed.status is LogonStatus.CLOCK_SKEW and skewed.skew_seconds == -7200
    assert ctx.store.get_user("alice").failed_logons == 0
    # The new phone's code: the new secret replaces the old one.
    new_code = rfc_totp(new_secret, clock.now)
    assert mine.finish_new_device(device, new_code).status is LogonStatus.CONFIRMED
    assert events(ctx.store, "otp_activated", "alice")[-1].detail == \
        "new phone verified; the previous secret was destroyed"
    assert logon.logon("alice", PASSWORD, new_code).status is LogonStatus.OTP_REPLAY
    clock.advance(30)
    assert logon.logon("alice", PASSWORD, rfc_totp(old_secret, clock.now)).status \
        is LogonStatus.BAD_OTP
    clock.advance(30)
    assert logon.logon("alice", PASSWORD, rfc_totp(new_secret, clock.now)).status \
        is LogonStatus.SUCCESS
    # The recovery codes belong to the user, not the phone: they still work.
    assert logon.logon("alice", PASSWORD, codes[1]).status is LogonStatus.RECOVERY


def test_moving_is_refused_when_an_administrator_renewed_meanwhile(
    ctx: Context, admin: AdminService, me, clock
) -> None:
    session, secret, _codes = me
    mine = OtpSelfService(ctx, session)
    _, device = mine.begin_new_device(rfc_totp(secret, clock.now))
    admin.update_user("alice", {}, renew_otp=True)
    new_secret = secret_from_uri(device.provisioning_uri)
    # A renewal by an administrator ends the session (issue 14): nothing is moved.
    with pytest.raises(SessionEndedError) as ended:
        mine.finish_new_device(device, rfc_totp(new_secret, clock.now))
    assert ended.value.reason == "otp_changed"
    assert ctx.store.decrypt_otp_secret(ctx.store.get_user("alice")) != new_secret


def test_a_new_phone_is_finished_only_by_the_session_that_began_it(
    ctx: Context, me, logon: LogonService, clock
) -> None:
    """The new secret stays in the service, bound to the session that proved the
    current code: another session of the same user (another program, or anyone holding
    the service of one) cannot swap in a secret of its choosing without a code
    (REVIEW-1 finding 3)."""
    session, secret, _codes = me
    lite = LogonService(Context(ctx.store, program="Lite", clock=clock, hasher=ctx.hasher))
    other = lite.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).session
    clock.advance(30)
    _, theirs = OtpSelfService(ctx, other).begin_new_device(rfc_totp(secret, clock.now))
    their_secret = secret_from_uri(theirs.provisioning_uri)
    mine = OtpSelfService(ctx, session)
    with pytest.raises(ValidationError, match="has ended"):
        mine.finish_new_device(theirs, rfc_totp(their_secret, clock.now))
    # ...and, shown to the wrong session, it is gone for its own session too.
    with pytest.raises(ValidationError, match="has ended"):
        OtpSelfService(ctx, other).finish_new_device(theirs, rfc_totp(their_secret,
                                                                      clock.now))
    assert ctx.store.decrypt_otp_secret(ctx.store.get_user("alice")) == secret
    assert not events(ctx.store, "otp_activated", "alice")[1:]


def test_a_made_up_new_phone_is_refused(ctx: Context, me, clock) -> None:
    """A NewDevice holds only a nonce: one made up names nothing."""
    session, secret, _codes = me
    mine = OtpSelfService(ctx, session)
    _, real = mine.begin_new_device(rfc_totp(secret, clock.now))
    forged = NewDevice(nonce="0" * 32, provisioning_uri=real.provisioning_uri,
                       secret_key=real.secret_key, account=real.account)
    with pytest.raises(ValidationError, match="has ended"):
        mine.finish_new_device(forged, rfc_totp(secret_from_uri(real.provisioning_uri),
                                                clock.now))
    assert ctx.store.decrypt_otp_secret(ctx.store.get_user("alice")) == secret
    assert "secret" not in repr(real).lower() and real.nonce not in repr(real)


def test_a_new_phone_must_be_verified_within_its_time_and_once(
    ctx: Context, me, clock
) -> None:
    session, secret, _codes = me
    mine = OtpSelfService(ctx, session)
    _, late = mine.begin_new_device(rfc_totp(secret, clock.now))
    clock.advance(self_service.NEW_DEVICE_MINUTES * 60 + 1)
    with pytest.raises(ValidationError, match="has ended"):
        mine.finish_new_device(late, rfc_totp(secret_from_uri(late.provisioning_uri),
                                              clock.now))
    _, device = mine.begin_new_device(rfc_totp(secret, clock.now))
    new_secret = secret_from_uri(device.provisioning_uri)
    assert mine.finish_new_device(device, rfc_totp(new_secret, clock.now)).status \
        is LogonStatus.CONFIRMED
    clock.advance(30)
    with pytest.raises(ValidationError, match="has ended"):
        mine.finish_new_device(device, rfc_totp(new_secret, clock.now))


def test_after_a_recovery_logon_one_step_needs_no_second_code(
    ctx: Context, me, logon: LogonService, clock
) -> None:
    """Someone who lost their phone logs on with a recovery code and moves to a new
    phone at once, without spending a second recovery code; the proof works once,
    for that session only, and not after a few minutes."""
    _session, _secret, codes = me
    outcome = logon.logon("alice", PASSWORD, codes[0])
    assert outcome.status is LogonStatus.RECOVERY and outcome.proof is not None
    other = dataclasses.replace(outcome.session, session_id=outcome.session.session_id + 1000)
    assert OtpSelfService(ctx, other).begin_new_device("", proof=outcome.proof)[0].status \
        is LogonStatus.OTP_REQUIRED  # and the proof is gone
    outcome = logon.logon("alice", PASSWORD, codes[1])
    mine = OtpSelfService(ctx, outcome.session)
    started, device = mine.begin_new_device("", proof=outcome.proof)
    assert started.status is LogonStatus.CONFIRMED and device is not None
    assert mine.new_recovery_codes("", proof=outcome.proof).status is LogonStatus.OTP_REQUIRED
    assert len(ctx.store.recovery_codes("alice")) == 8
    outcome = logon.logon("alice", PASSWORD, codes[2])
    clock.advance(301)
    assert OtpSelfService(ctx, outcome.session).new_recovery_codes(
        "", proof=outcome.proof).status is LogonStatus.OTP_REQUIRED


def test_self_service_needs_otp_activated(ctx: Context, alice: str, admin: AdminService,
                                          logon: LogonService) -> None:
    session = logon.logon(alice, PASSWORD).session
    mine = OtpSelfService(ctx, session)
    assert not mine.state().enabled and mine.state().recovery_codes_left == 0
    with pytest.raises(ValidationError, match="does not use"):
        mine.new_recovery_codes("123456")
    admin.set_otp(alice, True)  # which ends that session (issue 14): log on again
    mine = OtpSelfService(ctx, logon.logon(alice, PASSWORD).session)
    with pytest.raises(ValidationError, match="not activated"):
        mine.begin_new_device("123456")


# --- the record's state: refused as Verify refuses it (REVIEW-1 finding 4) ----------------------


def _steps(mine: OtpSelfService, device, code: str, new_code: str):
    """Every self-service step, each with a code that would otherwise pass."""
    return {
        "new recovery codes": lambda: mine.new_recovery_codes(code),
        "begin new device": lambda: mine.begin_new_device(code)[0],
        "finish new device": lambda: mine.finish_new_device(device, new_code),
    }


@pytest.mark.parametrize("change", ["tampered", "revoked", "disabled"])
def test_the_records_state_ends_the_session_at_every_step_as_verify_does(
    ctx: Context, me, admin: AdminService, clock, data_dir, change: str
) -> None:
    """Self-service kept its own copy of the state checks: a tampered record was
    refused without an audit row, and a revoked User-ID got a message while the session
    went on, where Verify in the setup popup logged it out. Both now check the session
    first (require_live): every step ends it, audited, before any code is judged."""
    session, secret, _codes = me
    mine = OtpSelfService(ctx, session)
    _, device = mine.begin_new_device(rfc_totp(secret, clock.now))
    clock.advance(30)
    new_code = rfc_totp(secret_from_uri(device.provisioning_uri), clock.now)
    if change == "tampered":
        with raw_db(data_dir) as db:
            db.execute("UPDATE users SET admin_rights = 1 WHERE user_id = 'alice'")
    elif change == "revoked":
        lite = LogonService(Context(ctx.store, program="Lite", clock=clock,
                                    hasher=ctx.hasher))
        for _ in range(6):
            lite.logon("alice", "Wrong-Password-0")
    else:
        admin.set_disabled("alice", True)
    failures = ctx.store.get_user("alice").failed_logons
    reason = "integrity_failed" if change == "tampered" else change
    for name, step in _steps(mine, device, rfc_totp(secret, clock.now), new_code).items():
        with pytest.raises(SessionEndedError) as ended:
            step()
        assert ended.value.reason == reason, name
    assert events(ctx.store, "session_ended", "alice")[0].detail.startswith(reason)
    user = ctx.store.get_user("alice")
    assert user.failed_logons == failures  # no code was judged
    assert ctx.store.decrypt_otp_secret(user) == secret
    assert user.otp_last_step < totp.time_step(clock.now)


def test_an_unreadable_secret_is_audited_and_told_as_verify_does(
    ctx: Context, me, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, secret, _codes = me
    monkeypatch.setattr(ctx.store, "decrypt_otp_secret", lambda user: None)
    with pytest.raises(ValidationError) as refused:
        OtpSelfService(ctx, session).new_recovery_codes(rfc_totp(secret, clock.now))
    assert refused.value.message == auth.UNREADABLE
    assert [e.detail for e in events(ctx.store, "integrity_failed", "alice")] == \
        ["otp secret unreadable"]
