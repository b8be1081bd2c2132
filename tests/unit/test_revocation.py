"""Revocation stops password guessing (issue 9 item 1, DESIGN.md §3 rule 2).

Before: once revoked, wrong passwords still answered "Authorization Failure" and the
right one "Access Revoked", so an attacker went on guessing at argon2 speed, learnt
the password and waited for an Unlock; disabled and tampered records leaked the same
way, a tampered record counted no failures, and Unlock reset the count the user saw.

Now, for a revoked, disabled or tampered record the answer never depends on the
password (the hash is still verified, so the time does not either):
- revoked: "Access Revoked", whatever the password;
- disabled or tampered: what a wrong password gets ("Authorization Failure", counted,
  revoking at the threshold), the true reason only in the audit log;
- an unknown User-ID reaches "Access Revoked" after the same number of failures, so
  the answer tells nothing about whether a User-ID exists.
Every attempt is counted; Unlock keeps the count of attempts since the last logon, which
the user is shown after logging on and the administrator sees beforehand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import PasswordHasher
from unit.support import PASSWORD, events, raw_db

WRONG = "Wrong-Password-0"
GUESSES = (PASSWORD, WRONG, "", "Another-Guess-9", PASSWORD.upper())
AF, REVOKED = LogonStatus.AUTHORIZATION_FAILURE, LogonStatus.REVOKED


class CountingHasher(PasswordHasher):
    """Counts argon2 verifications: the time a logon takes is one of them, whatever
    the account's state (the project's measure of enumeration timing)."""

    def __init__(self, profile) -> None:
        super().__init__(profile)
        self.verified = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def counting(ctx: Context) -> tuple[LogonService, CountingHasher]:
    hasher = CountingHasher(ctx.hasher.profile)
    return LogonService(Context(ctx.store, clock=ctx.clock, hasher=hasher)), hasher


def _revoke(logon: LogonService, user_id: str = "alice") -> None:
    for _ in range(6):
        assert logon.logon(user_id, WRONG).status is AF


def _tamper(data_dir: Path, user_id: str) -> None:
    """An edit made without the key: the record no longer matches its seal."""
    with raw_db(data_dir) as db:
        db.execute("UPDATE users SET admin_rights = 1 - admin_rights WHERE user_id = ?",
                   (user_id,))


def _details(store, user_id: str) -> list[str]:
    return [e.detail for e in events(store, "login_failed", user_id)]


# --- revoked: "Access Revoked", whatever the password ------------------------------------


def test_a_revoked_user_id_answers_the_same_to_every_password(
        ctx: Context, logon: LogonService, alice: str, counting) -> None:
    _revoke(logon)
    probe, hasher = counting
    outcomes = []
    for password in GUESSES * 2:
        before = hasher.verified
        outcome = probe.logon("alice", password)
        assert hasher.verified == before + 1  # the hash is still checked: same time
        outcomes.append((outcome.status, outcome.session, outcome.provisioning_uri,
                         outcome.skew_seconds, outcome.failures_since))
    assert set(outcomes) == {(REVOKED, None, None, None, 0)}
    assert not ctx.store.list_sessions()


def test_every_attempt_on_a_revoked_user_id_is_counted_and_audited(
        ctx: Context, logon: LogonService, alice: str) -> None:
    _revoke(logon)
    for password in GUESSES:
        logon.logon("alice", password)
    user = ctx.store.get_user("alice")
    assert user.failures_since_logon == 6 + len(GUESSES)
    # The audit log keeps the truth for administrators: which guesses were right.
    assert _details(ctx.store, "alice")[6:] == [
        "revoked", "revoked; bad_password", "revoked; bad_password",
        "revoked; bad_password", "revoked; bad_password"]


# --- disabled and tampered: the answer a wrong password gets ----------------------------


@pytest.mark.parametrize("state", ["disabled", "tampered"])
def test_disabled_and_tampered_answer_like_a_wrong_password(
        ctx: Context, admin: AdminService, alice: str, data_dir: Path, counting,
        state: str) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)  # the same story with wrong passwords
    if state == "disabled":
        admin.set_disabled("alice", True)
    else:
        _tamper(data_dir, "alice")
    probe, hasher = counting
    seen, control = [], []
    for n in range(10):
        password = GUESSES[n % len(GUESSES)]
        before = hasher.verified
        seen.append(probe.logon("alice", password).status)
        assert hasher.verified == before + 1
        control.append(probe.logon("bob", WRONG).status)
    assert seen == control == [AF] * 6 + [REVOKED] * 4
    assert not ctx.store.list_sessions()
    reason = "disabled" if state == "disabled" else "integrity_failed"
    details = _details(ctx.store, "alice")
    assert len(details) == 10 and all(d.startswith(reason) for d in details)
    assert details[0] == reason and details[1] == f"{reason}; bad_password"
    user = ctx.store.get_user("alice")
    assert user.failures_since_logon == 10 and user.revoked
    assert len(events(ctx.store, "account_revoked", "alice")) == 1


def test_counting_never_launders_a_tampered_record(
        ctx: Context, admin: AdminService, logon: LogonService, alice: str,
        data_dir: Path) -> None:
    _tamper(data_dir, "alice")
    for _ in range(8):
        logon.logon("alice", PASSWORD)
    user = ctx.store.get_user("alice")
    assert user.failures_since_logon == 8 and user.revoked
    assert not user.integrity_ok  # still red: only an administrator's re-seal accepts it
    assert logon.logon("alice", PASSWORD).status is REVOKED
    admin.reseal("alice")
    assert ctx.store.get_user("alice").integrity_ok


# --- an unknown User-ID looks the same -----------------------------------------------------


def test_an_unknown_user_id_reaches_access_revoked_like_a_real_one(
        ctx: Context, logon: LogonService, alice: str, counting) -> None:
    probe, hasher = counting
    unknown = []
    for n in range(10):
        before = hasher.verified
        unknown.append(probe.logon("nobody", GUESSES[n % 5]).status)
        assert hasher.verified == before + 1  # the dummy hash
    known = [probe.logon("alice", WRONG).status for _ in range(10)]
    assert unknown == known == [AF] * 6 + [REVOKED] * 4
    revoked = [e for e in events(ctx.store, "account_revoked") if e.user_id is None]
    assert len(revoked) == 1 and "unknown User-ID" in revoked[0].detail


def test_case_variants_of_a_user_id_answer_alike_whether_it_exists_or_not(
        ctx: Context, admin: AdminService, logon: LogonService, alice: str) -> None:
    """User-IDs are looked up as typed: ``ALICE`` is nobody's even though ``alice``
    exists. Their counts must be apart too, or failures on ``ALICE`` would revoke
    ``alice`` only if she does not exist (REVIEW-1 finding 1)."""
    def probe(name: str) -> list[LogonStatus]:
        return [logon.logon(name if n % 2 else name.upper(), WRONG).status
                for n in range(10)]

    assert probe("alice") == probe("zoe") == [AF] * 10  # 5 each, apart
    assert ctx.store.get_user("alice").failed_logons == 5 and not \
        ctx.store.get_user("alice").revoked

    def after_seven_on_a_variant(name: str) -> LogonStatus:
        for _ in range(7):
            logon.logon(name.upper(), WRONG)
        return logon.logon(name, WRONG).status

    admin.add_user({"user_id": "bob"}, PASSWORD)
    assert after_seven_on_a_variant("bob") == after_seven_on_a_variant("yann") == AF
    assert logon.logon("BOB", WRONG).status == logon.logon("YANN", WRONG).status == REVOKED


def test_case_variants_of_an_e_mail_address_share_a_count_as_the_store_compares(
        ctx: Context, admin: AdminService, logon: LogonService) -> None:
    """An e-mail address names its user ignoring case as the database compares
    (SQLite: the ASCII letters only), and an unknown one is counted folded the same
    way: the answers are alike for addresses that exist and addresses that do not."""
    admin.add_user({"user_id": "alice", "email": "alice@example.com"}, PASSWORD)
    admin.add_user({"user_id": "elise", "email": "élise@example.com"}, PASSWORD)

    def after_seven(variant: str, typed: str) -> LogonStatus:
        for _ in range(7):
            logon.logon(variant, WRONG)
        return logon.logon(typed, WRONG).status

    # ASCII case: one address, one count, whether it exists or not.
    assert after_seven("ALICE@Example.COM", "alice@example.com") == REVOKED
    assert after_seven("ZOE@Example.COM", "zoe@example.com") == REVOKED
    assert ctx.store.get_user("alice").revoked
    # É and é are different addresses to SQLite: different counts, whether or not.
    assert after_seven("ÉLISE@example.com", "élise@example.com") == AF
    assert after_seven("ÉLOI@example.com", "éloi@example.com") == AF
    assert not ctx.store.get_user("elise").revoked
    assert [logon.logon(t, WRONG).status for t in ("ÉLISE@example.com",
                                                    "ÉLOI@example.com")] == [REVOKED] * 2


def test_failures_by_e_mail_address_count_on_its_user_and_say_so(
        ctx: Context, admin: AdminService, logon: LogonService) -> None:
    """The one link left, by design (docs/security.md): an address names its user, so
    failures typed with the address revoke the User-ID, as failures typed with the
    User-ID do. It is visible (the User-ID is revoked, the user and the administrator
    are told) and audited under the User-ID."""
    admin.add_user({"user_id": "alice", "email": "alice@example.com"}, PASSWORD)
    _revoke(logon, "alice@example.com")
    assert logon.logon("alice", PASSWORD).status is REVOKED
    assert ctx.store.get_user("alice").revoked
    assert len(events(ctx.store, "account_revoked", "alice")) == 1
    assert len(events(ctx.store, "login_failed", "alice")) == 7


def test_an_unknown_user_id_is_tracked_by_a_keyed_hash_never_by_name(
        ctx: Context, logon: LogonService, data_dir: Path) -> None:
    for user_id in ("zz-nobody-zz", "ghost@example.org"):
        for _ in range(7):
            logon.logon(user_id, WRONG)
    ctx.store.close()
    files = b"".join(p.read_bytes() for p in data_dir.glob("tapemaster.db*"))
    for text in ("zz-nobody-zz", "ghost@example.org", "ghost"):
        assert text.encode() not in files and text.upper().encode() not in files


def test_unknown_user_ids_are_forgotten_after_a_while(
        ctx: Context, logon: LogonService, clock) -> None:
    from tapemaster_qt.services import auth

    for _ in range(7):
        logon.logon("nobody", WRONG)
    assert logon.logon("nobody", WRONG).status is REVOKED
    clock.advance(auth.UNKNOWN_FORGET_SECONDS + 60)
    assert logon.logon("nobody", WRONG).status is AF


def test_unknown_user_ids_are_bounded(ctx: Context, logon: LogonService, clock,
                                      data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tapemaster_qt.services import auth

    monkeypatch.setattr(auth, "UNKNOWN_KEPT", 5)
    for n in range(12):
        clock.advance(1)
        logon.logon(f"ghost{n}", WRONG)
    with raw_db(data_dir) as db:
        [(kept,)] = db.execute("SELECT count(*) FROM unknown_logons").fetchall()
    assert kept == 5


# --- the count the user and the administrator see ----------------------------------------


def test_unlock_keeps_the_count_and_the_user_is_told(
        ctx: Context, admin: AdminService, logon: LogonService, alice: str) -> None:
    _revoke(logon)
    for password in (PASSWORD, WRONG) * 4:  # guessing on while revoked
        assert logon.logon("alice", password).status is REVOKED
    admin.unlock("alice")
    seen = admin.get_user("alice")
    assert (seen.revoked, seen.failed_logons, seen.failures_since_logon) == (False, 0, 14)
    assert seen.as_json()["failures_since_logon"] == 14
    outcome = logon.logon("alice", PASSWORD)
    assert outcome.status is LogonStatus.SUCCESS and outcome.failures_since == 14
    assert admin.get_user("alice").failures_since_logon == 0


def test_a_password_reset_keeps_the_count_too(
        ctx: Context, admin: AdminService, logon: LogonService, alice: str) -> None:
    _revoke(logon)
    logon.logon("alice", WRONG)
    admin.reset_password("alice", "Brand-New-Pass-77")
    assert admin.get_user("alice").failures_since_logon == 7
    assert logon.logon("alice", "Brand-New-Pass-77").failures_since == 7


def test_the_lockout_counter_stays_consecutive(
        ctx: Context, admin: AdminService, logon: LogonService, alice: str) -> None:
    """Unlock restarts the consecutive count (a new cycle of six) but not the other."""
    _revoke(logon)
    admin.unlock("alice")
    for n in range(1, 6):
        assert logon.logon("alice", WRONG).status is AF
        user = ctx.store.get_user("alice")
        assert (user.failed_logons, user.failures_since_logon, user.revoked) == (n, 6 + n, False)
    assert logon.logon("alice", PASSWORD).failures_since == 11
    user = ctx.store.get_user("alice")
    assert (user.failed_logons, user.failures_since_logon) == (0, 0)


# --- the migration --------------------------------------------------------------------------


def test_a_version_1_store_migrates_and_the_counts_work_at_once(
        data_dir: Path, clock) -> None:
    """A store made by the previous release (TapeMaster Qt 1.0's own code, kept in
    tests/fixtures/v1-store: no failures_since_logon column, no unknown_logons table,
    user_version 1) opens, is backed up and migrated; its records keep their seals
    (tests/unit/test_upgrade.py has the re-sealing itself), the counts start at 0 and
    work at once."""
    import json
    import os
    import shutil

    from tapemaster_qt.services.passwords import TESTS_ONLY
    from tapemaster_qt.store import migrations, open_store

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "v1-store"
    data_dir.mkdir(parents=True)
    for name in ("tapemaster.db", "store.key"):
        shutil.copy(fixture / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    passwords = json.loads((fixture / "fixture.json").read_text())["passwords"]
    with open_store(data_dir) as store:
        assert migrations.schema_version() == len(migrations.MIGRATIONS)
        assert len(list(data_dir.glob("tapemaster.db.v1-backup-*"))) == 1
        intact = {u.user_id: u.integrity_ok for u in store.list_users()}
        assert intact == {"tapemaster": True, "alice": True, "carol": True,
                          "bob": False}  # bob was tampered with under 1.0
        assert store.get_user("carol").failures_since_logon == 0
        migrated = LogonService(Context(store, clock=clock,
                                        hasher=PasswordHasher(TESTS_ONLY)))
        for _ in range(6):
            assert migrated.logon("carol", WRONG).status is AF  # disabled: as if wrong
        assert migrated.logon("carol", passwords["carol"]).status is REVOKED
        assert migrated.logon("nobody", WRONG).status is AF
        assert store.get_user("carol").failures_since_logon == 7
    with raw_db(data_dir) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
        assert db.execute("SELECT count(*) FROM unknown_logons").fetchone()[0] == 1
