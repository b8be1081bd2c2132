"""Property tests: whatever text arrives from a keyboard, a paste or a file, the rules
answer with a value or a ValidationError and the logon engine with an outcome."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import rfc_totp
from tapemaster_qt.errors import ValidationError
from tapemaster_qt.services import Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonOutcome, LogonService, LogonStatus
from tapemaster_qt.services.passwords import normalize
from tapemaster_qt.services.validation import check_user_id, user_id_problem
from unit.support import PASSWORD

REFERENCE_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,15}\Z")
"""DESIGN.md §2 read independently: 1-16 ASCII letters/digits, '.' and '-' not first."""

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# Every code point, lone surrogates included: a str can hold them, so a paste can too.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
long_text = st.text(st.characters(exclude_categories=()), min_size=200, max_size=5000)
id_like = st.from_regex(r"[A-Za-z0-9.\-]{1,18}", fullmatch=True)


@SETTINGS
@given(st.one_of(any_text, long_text, id_like))
def test_user_id_rules_agree_with_the_reference(user_id: str) -> None:
    valid = REFERENCE_USER_ID.match(user_id) is not None
    problem = user_id_problem(user_id)
    assert (problem is None) == valid
    if valid:
        assert check_user_id(user_id) == user_id
    else:
        try:
            check_user_id(user_id)
        except ValidationError as exc:
            assert exc.field == "User-ID" and exc.message == problem
        else:
            raise AssertionError(f"{user_id!r} was accepted")


@SETTINGS
@given(st.one_of(any_text, long_text, st.from_regex(r"\s*[0-9０-９٠-٩ ]{0,9}\s*",
                                                    fullmatch=True)))
def test_normalize_code_never_raises(text: str) -> None:
    code = totp.normalize_code(text)
    assert code is None or (len(code) == 6 and code.isascii() and code.isdigit())


codes = st.one_of(st.just(""), any_text, long_text, st.from_regex(r"[0-9]{3} ?[0-9]{3}",
                                                                   fullmatch=True))
user_ids = st.one_of(st.sampled_from(["alice", "otp-new", "otp-on", "tapemaster", "ALICE"]),
                     any_text, long_text)
passwords = st.one_of(st.just(PASSWORD), any_text, long_text,
                      st.just(PASSWORD + "\ud800"), st.just("\x00" * 8))


@SETTINGS
@given(user_id=user_ids, password=passwords, code=codes)
def test_logon_always_answers_with_an_outcome(
    ctx: Context, admin: AdminService, logon: LogonService, clock, user_id: str,
    password: str, code: str,
) -> None:
    # One store for all examples (fixtures are per test): users made at the first.
    if ctx.store.get_user("alice") is None:
        admin.add_user({"user_id": "alice"}, PASSWORD)
        admin.add_user({"user_id": "otp-new", "otp_enabled": True}, PASSWORD)
        admin.add_user({"user_id": "otp-on", "otp_enabled": True}, PASSWORD)
        secret = ctx.store.decrypt_otp_secret(ctx.store.get_user("otp-on"))
        assert logon.logon("otp-on", PASSWORD, rfc_totp(secret, clock.now)).status \
            is LogonStatus.ACTIVATED
    clock.advance(7)
    outcome = logon.logon(user_id, password, code)
    assert isinstance(outcome, LogonOutcome)
    assert isinstance(outcome.status, LogonStatus)
    assert outcome.succeeded == (outcome.session is not None)
    if outcome.succeeded:
        assert normalize(password) == PASSWORD
