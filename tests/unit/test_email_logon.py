"""Logon with the e-mail address instead of the User-ID (issue 11 item 5, DESIGN.md §2):
the same rules, answers and cost as with the User-ID, so an e-mail address tells an
attacker no more than a User-ID does; the audit log and the session name the User-ID.
"""

from __future__ import annotations

import pytest

from helpers import label_from_uri
from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import PasswordHasher
from unit.support import PASSWORD, events

WRONG = "Wrong-Password-0"
EMAIL = "alice.archer@example.com"


class CountingHasher(PasswordHasher):
    def __init__(self, profile) -> None:
        super().__init__(profile)
        self.verified = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def alice(admin: AdminService) -> str:
    admin.add_user({"user_id": "alice", "name": "Alice Archer", "email": EMAIL}, PASSWORD)
    return "alice"


@pytest.mark.parametrize("typed", [EMAIL, "Alice.Archer@Example.COM", f"  {EMAIL} "])
def test_the_e_mail_address_logs_on_as_the_user(ctx: Context, logon: LogonService,
                                                alice: str, typed: str) -> None:
    outcome = logon.logon(typed.strip(), PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS
    assert outcome.user_id == "alice"  # what the program remembers and shows
    assert outcome.session is not None and outcome.session.user_id == "alice"
    assert [s.user_id for s in ctx.store.list_sessions()] == ["alice"]
    [row] = events(ctx.store, "login_succeeded")
    assert (row.user_id, row.actor) == ("alice", "alice")
    assert EMAIL.casefold() not in (row.detail + row.actor).casefold()


def test_a_wrong_password_counts_against_the_user(ctx: Context, logon: LogonService,
                                                  alice: str) -> None:
    for n in range(1, 7):
        outcome = logon.logon(EMAIL, WRONG)
        assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
        assert outcome.user_id == EMAIL  # a refusal never names the User-ID
        assert ctx.store.get_user("alice").failed_logons == n
    assert ctx.store.get_user("alice").revoked
    assert [e.detail for e in events(ctx.store, "login_failed", "alice")] == ["bad_password"] * 6
    # Failures by e-mail and by User-ID are one count.
    assert logon.logon("alice", PASSWORD).status is LogonStatus.REVOKED


@pytest.mark.parametrize("typed", ["nobody@example.com", "alice@example.com", "@", "a@b",
                                   "x" * 300 + "@example.com", "ali\udcffce@example.com",
                                   "alice.archer@example.com\n", "alice archer@example.com"])
def test_an_unknown_e_mail_is_an_unknown_user(ctx: Context, alice: str, typed: str) -> None:
    """The same answer as a wrong password, at the same cost (one argon2 check)."""
    hasher = CountingHasher(ctx.hasher.profile)
    logon = LogonService(Context(ctx.store, clock=ctx.clock, hasher=hasher))
    outcome = logon.logon(typed, PASSWORD)
    assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
    assert outcome.user_id == typed and outcome.session is None
    assert hasher.verified == 1
    assert logon.logon(EMAIL, WRONG).status is LogonStatus.AUTHORIZATION_FAILURE
    assert hasher.verified == 2
    [unknown] = [e for e in events(ctx.store, "login_failed") if e.user_id is None]
    assert unknown.detail == "unknown_user"
    assert ctx.store.get_user("alice").failed_logons == 1


def test_a_user_without_password_by_e_mail(ctx: Context, admin: AdminService,
                                           logon: LogonService) -> None:
    admin.add_user({"user_id": "imported", "email": "imp@example.com"}, None)
    assert logon.logon("imp@example.com", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE


def test_rule_two_and_otp_by_e_mail(ctx: Context, admin: AdminService, logon: LogonService,
                                    alice: str) -> None:
    admin.update_user("alice", {"programs": "Lite"})
    outcome = logon.logon(EMAIL, PASSWORD)
    assert outcome.status is LogonStatus.PROGRAM_NOT_PERMITTED and outcome.user_id == EMAIL
    admin.update_user("alice", {"programs": "TapeMaster"})
    admin.set_otp("alice", True)
    enrolment = logon.logon(EMAIL, PASSWORD)
    assert enrolment.status is LogonStatus.ENROLMENT and enrolment.user_id == "alice"
    # The authenticator's account is the User-ID, as for a logon by User-ID.
    assert label_from_uri(enrolment.provisioning_uri or "") == "TapeTrack:alice"
