"""This computer's clock jumps between logons, backwards and forwards.

Replay protection must hold whatever the clock does: a code, once accepted, is never
accepted again, and no code for a time step at or before the last accepted one is.
A clock that went back must not lock anyone out without telling them why: the logon
says that this computer's clock is behind their last logon, how long until a code can
be accepted, and whom to ask; those attempts do not count toward revocation; and an
administrator can reset the user's One Time Password meanwhile.

Codes come from ``helpers.rfc_totp`` (the RFC written out), as the user's
authenticator app computes them: for the time the app's own clock shows.
"""

from __future__ import annotations

import pytest

from gui.driving import log_on
from helpers import rfc_totp, secret_from_uri
from integration.reliability import PASSWORD, record
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.store import Store
from tapemaster_qt.ui.texts import logon_message

BEHIND = "This computer's clock is behind the time of your last logon"


def _enrol(logon: LogonService, user_id: str) -> bytes:
    outcome = logon.logon(user_id, PASSWORD)
    assert outcome.status is LogonStatus.ENROLMENT
    return secret_from_uri(outcome.provisioning_uri)


@pytest.fixture
def logon(ctx: Context) -> LogonService:
    return LogonService(ctx)


@pytest.fixture
def alice(admin: AdminService, logon: LogonService, clock) -> bytes:
    """alice, OTP activated a minute ago; her secret."""
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    secret = _enrol(logon, "alice")
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    clock.advance(60)
    return secret


def _user(store: Store):  # type: ignore[no-untyped-def]
    user = store.get_user("alice")
    assert user is not None
    return user


@pytest.mark.parametrize(("back", "wait_text"), [
    (90, "about 2 minutes"), (600, "about 10 minutes"), (3600, "about 1 hour")])
def test_a_clock_gone_back_refuses_every_code_and_says_why(
    ctx: Context, logon: LogonService, alice: bytes, clock, back: int, wait_text: str
) -> None:
    used = rfc_totp(alice, clock.now)
    assert logon.logon("alice", PASSWORD, used).status is LogonStatus.SUCCESS
    sessions = len(ctx.store.list_sessions())
    last_step = _user(ctx.store).otp_last_step
    clock.advance(-back)
    # The app on a phone whose clock went back with this one, the app on a phone with
    # the right time, and the code already used: all refused, and the same words.
    tries = [rfc_totp(alice, clock.now + d) for d in (-30, 0, 30)]
    tries += [rfc_totp(alice, clock.now + back + 30), used, used, "000000"]
    for attempt in range(3):
        for code in tries:
            outcome = logon.logon("alice", PASSWORD, code)
            assert outcome.status is LogonStatus.CLOCK_BEHIND, (attempt, code)
            assert outcome.session is None
            message = logon_message(outcome)
            assert message.startswith(BEHIND) and f"Try again in {wait_text}" in message
            assert "administrator" in message and "already been used" not in message
    user = _user(ctx.store)
    assert (user.failed_logons, user.revoked) == (0, False)  # 21 tries: nobody locked out
    assert user.otp_last_step == last_step
    assert len(ctx.store.list_sessions()) == sessions
    # Once the clock has passed the last accepted code, the next code works.
    clock.advance(back + 30)
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).status \
        is LogonStatus.SUCCESS
    record("Clock jumps backwards between logons", f"{back} s back after a logon; 7 codes "
           "(old window, right time, the used one, a wrong one) x 3", 21,
           f"all refused: '{BEHIND}… Try again in {wait_text}…'; not counted (0 failures, "
           "not revoked); the next code after the clock catches up works")


def test_thirty_seconds_back_is_an_ordinary_replay(logon: LogonService, alice: bytes,
                                                   clock) -> None:
    """One step back is what a phone slightly ahead looks like: 'wait for the next one'
    is right, and it is."""
    used = rfc_totp(alice, clock.now)
    assert logon.logon("alice", PASSWORD, used).status is LogonStatus.SUCCESS
    clock.advance(-30)
    outcome = logon.logon("alice", PASSWORD, used)
    assert outcome.status is LogonStatus.OTP_REPLAY
    assert "wait for the next one" in logon_message(outcome)
    clock.advance(60)
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).status \
        is LogonStatus.SUCCESS
    record("Clock jumps backwards between logons", "30 s back, the used code again", 1,
           "'This code has already been used — wait for the next one'; next code works")


def test_captured_codes_never_work_again_whatever_the_clock(
    ctx: Context, logon: LogonService, alice: bytes, clock
) -> None:
    """Someone watched six logons and replays each code after the clock went back far
    enough to bring it into the window again, then after it came forward again."""
    captured = []
    for _ in range(6):
        code = rfc_totp(alice, clock.now)
        assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS
        captured.append((clock.now, code))
        clock.advance(30)
    successes = len([e for e in ctx.store.audit_events(user_id="alice")
                     if e.event == "login_succeeded"])
    tried = 0
    for when, code in captured:
        clock.now = when  # the clock back at exactly the moment the code was shown
        for attempt in (code, code):
            tried += 1
            assert not logon.logon("alice", PASSWORD, attempt).succeeded
    clock.now = captured[-1][0] + 30
    for _, code in captured:
        tried += 1
        assert not logon.logon("alice", PASSWORD, code).succeeded
    assert len([e for e in ctx.store.audit_events(user_id="alice")
                if e.event == "login_succeeded"]) == successes
    record("Clock jumps backwards between logons",
           "6 captured codes replayed with the clock set back to each one's own time", tried,
           "none accepted (replay protection holds at every clock position)")


def test_an_administrator_can_reset_a_stranded_user(
    admin: AdminService, logon: LogonService, alice: bytes, clock
) -> None:
    """The clock went forward an hour (a wrong time zone), alice logged on, the clock
    was put right: she would wait an hour. Her administrator resets her One Time
    Password instead; she scans the new QR and logs on at once."""
    clock.advance(3600)
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).status \
        is LogonStatus.SUCCESS
    clock.advance(-3600)
    outcome = logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now))
    assert outcome.status is LogonStatus.CLOCK_BEHIND
    assert "about 1 hour" in logon_message(outcome)
    admin.set_otp("alice", False)
    admin.set_otp("alice", True)
    secret = _enrol(logon, "alice")
    assert secret != alice
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    # The old secret's codes, even the one used an hour "ahead", are dead.
    clock.advance(3600)
    assert not logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).succeeded
    record("Clock jumps backwards between logons",
           "1 h forward, logon, 1 h back (clock put right); administrator resets OTP", 1,
           "'…Try again in about 1 hour…'; after the reset the new QR's code activates at "
           "once; the old secret never works again")


def test_forward_jumps_keep_the_window_and_the_burned_steps(
    ctx: Context, logon: LogonService, alice: bytes, clock
) -> None:
    from unit.support import skewed_code

    # A phone 5 minutes ahead: its code is refused, and burned for when its time comes.
    ahead = skewed_code(alice, clock, 300)
    assert logon.logon("alice", PASSWORD, ahead).status is LogonStatus.CLOCK_SKEW
    used = rfc_totp(alice, clock.now)
    assert logon.logon("alice", PASSWORD, used).status is LogonStatus.SUCCESS
    # This computer's clock jumps forward 5 minutes (a suspended laptop catching up).
    clock.advance(300)
    assert rfc_totp(alice, clock.now) == ahead
    assert logon.logon("alice", PASSWORD, ahead).status is LogonStatus.BAD_OTP
    # The code used before the jump, five minutes old now: refused.
    assert not logon.logon("alice", PASSWORD, used).succeeded
    # The window still works after the jump: one step behind, then ahead.
    clock.advance(60)
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now - 30)).status \
        is LogonStatus.SUCCESS
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now + 30)).status \
        is LogonStatus.SUCCESS
    # A day forward: the window works at once.
    clock.advance(86_400)
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).status \
        is LogonStatus.SUCCESS
    user = ctx.store.get_user("alice")
    assert user is not None and not user.revoked and user.integrity_ok
    record("Clock jumps forwards between logons",
           "5 min forward onto a burned step, then +1 day; window -30/+30 s", 6,
           "burned and used codes refused; window codes accepted after each jump")


def test_what_the_logon_dialog_says_when_the_clock_went_back(
    ctx: Context, data_dir, logon: LogonService, alice: bytes, clock, qtbot, programs
) -> None:
    assert logon.logon("alice", PASSWORD, rfc_totp(alice, clock.now)).status \
        is LogonStatus.SUCCESS
    clock.advance(-600)
    tapemaster = programs.start(data_dir, clock=clock)
    log_on(qtbot, tapemaster, "alice", PASSWORD, rfc_totp(alice, clock.now))
    dialog = tapemaster.login_dialog
    assert tapemaster.main_window is None and dialog.isVisible()
    assert dialog.messageLabel.text() == (
        "This computer's clock is behind the time of your last logon, so no One Time "
        "Password can be accepted yet. Try again in about 10 minutes, or ask your "
        "administrator to check this computer's date and time.")
    assert dialog.passwordEdit.text() == PASSWORD and dialog.otpEdit.text() == ""
    assert totp.time_step(clock.now) < ctx.store.get_user("alice").otp_last_step
    record("Clock jumps backwards between logons", "10 min back; the GUI logon dialog", 1,
           "the dialog stays open with the clock message; password kept, code cleared")
