"""The One Time Password field holding a recovery code (issue 12 item 4): property-based.

- Reading what was typed (``recovery.normalize``, ``parse_code_field``) never fails,
  and accepts exactly what the documented rule says, written out here independently:
  drop spaces and dashes, fold case, read o as 0 and i/l as 1, then 8 symbols of
  Crockford's alphabet; a 6-digit code is always a 6-digit code, never a recovery code.
- At logon, whatever is typed, a recovery code logs on exactly when it is one of the
  user's unused codes however it is spelt, spends exactly that one, and anything else
  is a counted refusal or (for what cannot be a code at all) costs nothing.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import rfc_totp
from hostile import PROPERTY, hostile_class, mostly, odd_text, snapshot
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.recovery import (
    ALPHABET,
    CodeKind,
    formatted,
    new_codes,
    normalize,
    parse_code_field,
)
from unit.support import PASSWORD, enrol

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # from crockford.com/base32, upper case
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"


def expected(text: str) -> str | None:
    """The documented reading, written out without the code under test."""
    if len(text) > 64:
        return None
    out = []
    for ch in text:
        if ch.isspace() or ch in DASHES:
            continue
        if ch.isdigit():
            try:
                ch = str(unicodedata.decimal(ch))
            except ValueError:
                return None
        else:
            ch = unicodedata.normalize("NFKC", ch).upper()
            ch = {"O": "0", "I": "1", "L": "1"}.get(ch, ch)
        if len(ch) != 1 or ch not in CROCKFORD:
            return None
        out.append(ch.lower())
    return "".join(out) if len(out) == 8 else None


symbol = st.sampled_from(CROCKFORD + CROCKFORD.lower() + "oOiIlL")
separator = st.sampled_from([" ", "-", "\u2013", "\u00a0", "\t", "", ""])
typed_code = st.lists(st.tuples(symbol, separator), min_size=6, max_size=10).map(
    lambda pairs: "".join(a + b for a, b in pairs))


def test_alphabet_is_crockfords() -> None:
    assert CROCKFORD.lower() == ALPHABET


def test_reading_the_field() -> None:
    with hostile_class("recovery-code field reading") as tally:

        @settings(PROPERTY, max_examples=400)
        @given(text=st.one_of(typed_code, odd_text, st.text(max_size=12),
                              st.from_regex(r"[0-9 ]{6,9}", fullmatch=True)))
        @example("abcd-2345")
        @example("ABCD 2345")
        @example("ｏｌｉ１-２３４５")
        @example("abcd\u20132345")
        @example("ab-cd-23-45")
        @example("abcu2345")  # u is not in the alphabet
        @example("abcd²345")
        @example("ﬁbcd2345")  # a ligature becomes two letters
        @example("123 456")
        @example("12345678")
        @example("1" * 10_000)
        def run(text: str) -> None:
            tally()
            got = normalize(text)
            assert got == expected(text)
            if got is not None:
                assert len(got) == 8 and set(got) <= set(ALPHABET)
                assert normalize(formatted(got)) == got
                tally.accept()
            entry = parse_code_field(text)
            digits = "".join(ch for ch in text if not ch.isspace())
            if len(digits) == 6 and digits.isascii() and digits.isdigit():
                assert entry is not None and entry.kind is CodeKind.TOTP
            elif entry is not None and entry.kind is CodeKind.RECOVERY:
                assert entry.value == got

        run()


@settings(PROPERTY, max_examples=100)
@given(st.integers(1, 20))
def test_made_codes_read_back_in_every_spelling(count: int) -> None:
    codes = new_codes(count)
    assert len(set(codes)) == count
    for code in codes:
        shown = formatted(code)
        for typed in (shown, shown.upper(), code, f" {shown} ", shown.replace("-", " "),
                      shown.replace("0", "o").replace("1", "l")):
            entry = parse_code_field(typed)
            assert entry is not None and entry.kind is CodeKind.RECOVERY
            assert entry.value == code


# --- at logon ---------------------------------------------------------------------------------


@pytest.fixture
def site(ctx: Context, admin: AdminService, logon: LogonService, clock) -> dict:
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    secret = enrol(logon, "alice")
    outcome = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now))
    return {"unused": list(outcome.recovery_codes), "used": []}


def mutate(code: str, how: int, where: int, symbol: str) -> str:
    shown = formatted(code)
    if how == 0:
        return shown.upper()
    if how == 1:  # one symbol changed: another code, almost surely not one of hers
        i = where % 8
        return code[:i] + symbol + code[i + 1:]
    if how == 2:  # one symbol dropped
        i = where % 8
        return code[:i] + code[i + 1:]
    if how == 3:
        return " ".join(shown)
    return shown


def test_recovery_codes_at_logon(ctx: Context, logon: LogonService, site: dict,
                                 data_dir: Path, clock) -> None:
    unused, used = site["unused"], site["used"]
    support = AdminService(ctx, Actor.for_cli())
    threshold = int(ctx.store.setting("lockout_threshold"))
    with hostile_class("recovery code at logon") as tally:

        @settings(PROPERTY, max_examples=60)
        @given(pick=st.integers(0, 9), how=st.integers(0, 5), where=st.integers(0, 7),
               symbol=st.sampled_from(ALPHABET),
               junk=mostly(st.just(None), odd_text, 7), reuse=st.booleans())
        def run(pick: int, how: int, where: int, symbol: str, junk: str | None,
                reuse: bool) -> None:
            tally()
            clock.advance(30)
            if ctx.store.get_user("alice").revoked:
                support.unlock("alice")
            pool = used if reuse and used else unused
            if not pool:
                return
            code = pool[pick % len(pool)]
            typed = junk if junk is not None else mutate(code, how, where, symbol)
            meant = normalize(typed)
            entry = parse_code_field(typed)
            failed = ctx.store.get_user("alice").failed_logons
            before = snapshot(data_dir)
            outcome = logon.logon("alice", PASSWORD, typed)
            after = snapshot(data_dir)
            if meant is not None and meant in unused:
                assert outcome.status is LogonStatus.RECOVERY
                assert len(after["recovery_codes"]) == len(before["recovery_codes"]) - 1
                unused.remove(meant)
                used.append(meant)
                tally.accept()
                return
            assert after["recovery_codes"] == before["recovery_codes"]  # nothing spent
            if typed.strip() and entry is None:
                assert outcome.status is LogonStatus.MALFORMED_CODE and after == before
            elif entry is not None and entry.kind is CodeKind.RECOVERY:
                assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
                user = ctx.store.get_user("alice")
                assert user.failed_logons == failed + 1
                assert user.revoked == (failed + 1 > threshold)
            else:  # empty, or six digits (almost surely not the current code)
                assert outcome.status in (LogonStatus.OTP_REQUIRED, LogonStatus.BAD_OTP,
                                          LogonStatus.CLOCK_SKEW, LogonStatus.SUCCESS)

        run()


def test_self_service_code_field(ctx: Context, logon: LogonService, site: dict,
                                 data_dir: Path, clock) -> None:
    """Whatever is typed before a File ▸ One Time Password… step: an outcome or a
    one-line refusal; what can be no code costs nothing; a wrong code is counted once;
    nothing but a right code changes the recovery codes."""
    from tapemaster_qt.errors import TapeMasterError
    from tapemaster_qt.services.self_service import OtpSelfService

    session = logon.logon("alice", PASSWORD, site["unused"].pop()).session
    assert session is not None
    mine = OtpSelfService(ctx, session)
    support = AdminService(ctx, Actor.for_cli())
    with hostile_class("self-service code field") as tally:

        @settings(PROPERTY, max_examples=80)
        @given(text=mostly(st.one_of(typed_code, st.from_regex(r"[0-9]{3} ?[0-9]{3}",
                                                              fullmatch=True)),
                           odd_text, 6),
               step=st.sampled_from(["codes", "phone"]))
        @example(text="", step="codes")
        @example(text="\x00" * 6, step="phone")
        @example(text="x" * 10_000, step="codes")
        def run(text: str, step: str) -> None:
            tally()
            clock.advance(30)
            if ctx.store.get_user("alice").revoked:
                support.unlock("alice")
            failed = ctx.store.get_user("alice").failed_logons
            before = snapshot(data_dir)
            try:
                if step == "codes":
                    outcome = mine.new_recovery_codes(text)
                else:
                    outcome = mine.begin_new_device(text)[0]
            except TapeMasterError as exc:
                assert exc.message and "\n" not in exc.message
                assert snapshot(data_dir) == before
                return
            after = snapshot(data_dir)
            entry = parse_code_field(text) if text.strip() else None
            if outcome.succeeded:  # the one way the codes may change
                tally.accept()
                return
            assert after["recovery_codes"] == before["recovery_codes"]
            if not text.strip() or entry is None:
                assert outcome.status in (LogonStatus.OTP_REQUIRED,
                                          LogonStatus.MALFORMED_CODE)
                assert after == before
            else:
                assert ctx.store.get_user("alice").failed_logons == failed + 1

        run()
