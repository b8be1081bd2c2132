"""Brute force against the second factor (issue 4), with the odds docs/security.md states.

Someone who knows a user's password and guesses codes gets ``lockout_threshold + 1``
answers before the User-ID is revoked, and each guess is accepted when it equals one
of the ``2 * WINDOW + 1`` codes of the steps around now: the odds per revocation cycle
are (threshold + 1) x 3 / 10^6. The clock-skew diagnosis must never hand out a usable
code: it runs only after the right password, and the step it names is burned.

tests/unit/test_logon.py already shows the sixth wrong password revoking, failures of
both kinds counting together, and one skewed code refused when its time comes after
one good logon; these tests add what the odds and the diagnosis rest on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import rfc_totp
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import BURNED_STEPS_KEPT, LogonService, LogonStatus
from unit.support import PASSWORD, events, skewed_code, wrong_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
WRONG = "Wrong-Password-0"


def odds(threshold: int) -> float:
    """The chance that random codes get in before revocation (one cycle)."""
    attempts = threshold + 1
    accepted_steps = 2 * totp.WINDOW + 1
    return attempts * accepted_steps / 10**totp.DIGITS


def _as_written(value: float) -> str:
    """1.8e-05 as the document writes it: 1.8e-5."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _in(ctx: Context, program: str) -> LogonService:
    return LogonService(Context(ctx.store, program=program, clock=ctx.clock,
                                hasher=ctx.hasher))


# --- the odds -----------------------------------------------------------------------------


def test_the_documented_odds_follow_from_the_store_setting(ctx: Context) -> None:
    threshold = int(ctx.store.setting("lockout_threshold"))
    assert threshold == 5
    assert (totp.WINDOW, totp.DIGITS) == (1, 6)
    assert odds(threshold) == pytest.approx(1.8e-5)
    text = DOC.read_text(encoding="utf-8")
    assert _as_written(odds(threshold)) == "1.8e-5"
    assert re.search(r"6 attempts\s*[×x]\s*3 (accepted )?steps\s*/\s*10\^?6\s*=\s*1\.8e-5", text)
    assert "lockout_threshold" in text


def recovery_odds(threshold: int) -> float:
    """The chance that random recovery-code guesses get in before revocation."""
    from tapemaster_qt.services import recovery

    return (threshold + 1) * recovery.COUNT / 2**recovery.BITS


def test_the_documented_recovery_code_odds_follow_from_the_code_format(ctx: Context) -> None:
    from tapemaster_qt.services import recovery

    threshold = int(ctx.store.setting("lockout_threshold"))
    assert (recovery.COUNT, recovery.BITS, len(recovery.ALPHABET)) == (10, 40, 32)
    assert len(recovery.ALPHABET) ** recovery.LENGTH == 2**recovery.BITS
    text = DOC.read_text(encoding="utf-8")
    assert _as_written(recovery_odds(threshold)) == "5.5e-11"
    assert re.search(r"6 attempts\s*[×x]\s*10 codes\s*/\s*2\^40\s*=\s*5\.5e-11", text)
    assert _as_written(recovery_odds(20)) == "1.9e-10" and "1.9e-10" in text
    ratio = odds(threshold) / recovery_odds(threshold)
    assert f"{round(ratio, -4):,.0f}" == "330,000" and "330,000 times" in text


@pytest.mark.parametrize("threshold", [5, 2, 1])
def test_exactly_threshold_plus_one_codes_are_answered(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock,
    threshold: int,
) -> None:
    """Each wrong code is one attempt; the (threshold+1)th revokes; after that even the
    right code gets only "Access Revoked" and is not used up."""
    if threshold != 5:
        admin.set_setting("lockout_threshold", str(threshold))
    attempts = int(ctx.store.setting("lockout_threshold")) + 1
    assert attempts == threshold + 1
    for n in range(1, attempts + 1):
        clock.advance(30)
        outcome = logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now))
        assert outcome.status is LogonStatus.BAD_OTP and outcome.session is None
        user = ctx.store.get_user("alice")
        assert user.failed_logons == n
        assert user.revoked == (n == attempts)
    [revoked] = events(ctx.store, "account_revoked", "alice")
    assert revoked.detail == f"{attempts} consecutive failed logons"

    right = rfc_totp(otp_alice, clock.now)
    last_step = ctx.store.get_user("alice").otp_last_step
    for _ in range(3):  # more guesses are not even evaluated
        assert logon.logon("alice", PASSWORD, right).status is LogonStatus.REVOKED
        assert logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now)).status \
            is LogonStatus.REVOKED
    assert ctx.store.get_user("alice").otp_last_step == last_step
    assert len(events(ctx.store, "account_revoked", "alice")) == 1

    # An administrator's Unlock starts a new cycle of the same size, no more.
    admin.unlock("alice")
    for n in range(1, attempts + 1):
        logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now))
        assert ctx.store.get_user("alice").revoked == (n == attempts)
    assert len(events(ctx.store, "account_revoked", "alice")) == 2


def test_three_steps_are_accepted_at_any_moment(logon: LogonService, otp_alice: bytes,
                                                clock) -> None:
    """The window is the current step and one either side; the next ones out are
    diagnosed as clock skew, which refuses them."""
    clock.advance(600)
    now = clock.now
    step = totp.time_step(now)
    accepted = [s for s in range(step - 3, step + 4)
                if totp.match_step(otp_alice, rfc_totp(otp_alice, s * 30), now) == s]
    assert accepted == [step - 1, step, step + 1]
    for offset in (-60, 60):
        clock.now = now
        outcome = logon.logon("alice", PASSWORD, skewed_code(otp_alice, clock, offset))
        assert outcome.status is LogonStatus.CLOCK_SKEW and outcome.session is None


def test_failures_count_only_until_a_success(ctx: Context, logon: LogonService,
                                             otp_alice: bytes, clock) -> None:
    """"Consecutive": the owner's own good logon resets the count, so someone who has
    the password and tries codes between the owner's logons is not revoked; the owner
    is told how many failures there were (docs/security.md says so)."""
    for _ in range(2):
        for _ in range(5):
            clock.advance(30)
            assert logon.logon("alice", PASSWORD, wrong_code(otp_alice, clock.now)).status \
                is LogonStatus.BAD_OTP
        clock.advance(30)
        outcome = logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now))
        assert outcome.status is LogonStatus.SUCCESS
        assert outcome.failures_since == 5
    assert not ctx.store.get_user("alice").revoked
    assert len(events(ctx.store, "login_failed", "alice")) == 10


# --- the skew diagnosis never hands out a usable code ---------------------------------------


def test_a_diagnosed_code_is_refused_whenever_it_would_be_in_the_window(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    """A phone an hour ahead shows the code of a step an hour from now. Once diagnosed,
    that step is burned: refused in every program at each of the three moments it
    would be accepted, however many good logons come in between."""
    code = skewed_code(otp_alice, clock, 3600)
    target = totp.time_step(clock.now + 3600)
    outcome = logon.logon("alice", PASSWORD, code)
    assert outcome.status is LogonStatus.CLOCK_SKEW and outcome.skew_seconds == 3600
    assert outcome.provisioning_uri is None and outcome.secret_key is None
    assert target in ctx.store.get_user("alice").otp_burned_steps
    assert all(code not in e.detail for e in events(ctx.store))
    # Good logons every few minutes until the hour is nearly up.
    while clock.now + 300 < (target - 1) * 30:
        clock.advance(300)
        assert logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now)).status \
            is LogonStatus.SUCCESS
    assert target in ctx.store.get_user("alice").otp_burned_steps
    sessions = len(ctx.store.list_sessions())
    for when, program in ((target - 1, "Lite"), (target, "Checkpoint"),
                          (target + 1, "TapeMaster")):
        clock.now = when * 30 + 10
        assert rfc_totp(otp_alice, target * 30) == code
        outcome = _in(ctx, program).logon("alice", PASSWORD, code)
        assert outcome.status is LogonStatus.BAD_OTP, (when - target, program)
        assert outcome.session is None
    assert len(ctx.store.list_sessions()) == sessions
    # The step after the burned one works as usual, and forgets the burned one.
    clock.now = (target + 2) * 30 + 10
    assert logon.logon("alice", PASSWORD, rfc_totp(otp_alice, clock.now)).status \
        is LogonStatus.SUCCESS
    assert target not in ctx.store.get_user("alice").otp_burned_steps


def test_a_burned_step_survives_revocation_and_unlock(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock
) -> None:
    code = skewed_code(otp_alice, clock, 600)
    when = clock.now + 600
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.CLOCK_SKEW
    for _ in range(5):
        logon.logon("alice", WRONG)
    assert ctx.store.get_user("alice").revoked
    admin.unlock("alice")
    admin.reset_password("alice", "Another-Pass-77")
    clock.now = when
    assert logon.logon("alice", "Another-Pass-77", code).status is LogonStatus.BAD_OTP


def test_one_cycle_of_diagnoses_never_pushes_a_burned_step_out(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock
) -> None:
    """Burned steps are kept BURNED_STEPS_KEPT deep; one revocation cycle can burn at
    most threshold + 1 of them, so none is forgotten before the User-ID is revoked."""
    attempts = int(ctx.store.setting("lockout_threshold")) + 1
    assert attempts <= BURNED_STEPS_KEPT
    start = clock.now
    burned = []
    for minutes in range(1, attempts + 1):
        clock.now = start
        outcome = logon.logon("alice", PASSWORD, skewed_code(otp_alice, clock, 60 * minutes + 60))
        assert outcome.status is LogonStatus.CLOCK_SKEW
        burned.append(totp.time_step(clock.now + 60 * minutes + 60))
    user = ctx.store.get_user("alice")
    assert user.revoked and set(burned) <= set(user.otp_burned_steps)


def test_no_diagnosis_and_nothing_burned_without_the_right_password(
    ctx: Context, admin: AdminService, logon: LogonService, otp_alice: bytes, clock
) -> None:
    """A wrong password with a skewed code: Authorization Failure, no diagnosis, no
    burned step -- and when that code's time comes it logs the owner on, proving the
    refusal touched nothing the code depends on. The same for an unknown User-ID and,
    after the right password, for a revoked or disabled one."""
    code = skewed_code(otp_alice, clock, 300)
    when = clock.now + 300
    before = ctx.store.get_user("alice")
    for user_id, password in (("alice", WRONG), ("nobody", PASSWORD), ("ALICE", PASSWORD)):
        outcome = logon.logon(user_id, password, code)
        assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
        assert outcome.skew_seconds is None
    admin.set_disabled("alice", True)
    disabled = logon.logon("alice", PASSWORD, code)
    assert disabled.status is LogonStatus.AUTHORIZATION_FAILURE
    assert disabled.skew_seconds is None
    admin.set_disabled("alice", False)
    assert not events(ctx.store, "otp_clock_skew")
    after = ctx.store.get_user("alice")
    assert after.otp_burned_steps == before.otp_burned_steps == ()
    assert after.otp_last_step == before.otp_last_step
    clock.now = when
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS


def test_a_revoked_user_gets_no_diagnosis(ctx: Context, logon: LogonService,
                                          otp_alice: bytes, clock) -> None:
    for _ in range(6):
        logon.logon("alice", WRONG)
    code = skewed_code(otp_alice, clock, 3600)
    outcome = logon.logon("alice", PASSWORD, code)
    assert outcome.status is LogonStatus.REVOKED and outcome.skew_seconds is None
    assert not events(ctx.store, "otp_clock_skew")
    assert ctx.store.get_user("alice").otp_burned_steps == ()


# --- guessing the password of a revoked User-ID ---------------------------------------------


@pytest.mark.parametrize("threshold", [5, 2, 1])
def test_a_password_guesser_gets_threshold_plus_one_answers_per_cycle(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, threshold: int,
) -> None:
    """The revoked-account case docs/security.md states: per revocation cycle only the
    first lockout_threshold + 1 guesses get an answer that depends on the password;
    after that the right password gets the same "Access Revoked" as any other. An Unlock
    starts a cycle of the same size, and the attempts since the last logon survive it."""
    if threshold != 5:
        admin.set_setting("lockout_threshold", str(threshold))
    answered = threshold + 1
    guesses = [f"Guess-{n:03d}-pass" for n in range(3 * answered)]
    guesses.insert(answered + 2, PASSWORD)  # the right one, found too late
    statuses = [logon.logon("alice", guess).status for guess in guesses]
    assert statuses == [LogonStatus.AUTHORIZATION_FAILURE] * answered \
        + [LogonStatus.REVOKED] * (len(guesses) - answered)
    assert not ctx.store.list_sessions()

    admin.unlock("alice")
    again = [logon.logon("alice", f"Guess-again-{n}").status for n in range(answered + 1)]
    assert again == [LogonStatus.AUTHORIZATION_FAILURE] * answered + [LogonStatus.REVOKED]
    assert ctx.store.get_user("alice").failures_since_logon == len(guesses) + answered + 1

    text = DOC.read_text(encoding="utf-8")
    assert re.search(r"6 guesses\s*/\s*N per revocation cycle", text)
    assert "lockout_threshold + 1" in text
