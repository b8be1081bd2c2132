"""Recovery codes (DESIGN.md §3a, issue 12 item 2): made at activation, shown once,
stored as argon2id hashes only, each logs on once, wrong ones count like wrong codes,
administrators see how many are left and revoke them, OTP off destroys them.

Codes are always typed as a user would type them (the strings the outcome carried,
in their ``xxxx-xxxx`` form, any case); 6-digit codes come from ``helpers.rfc_totp``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from helpers import rfc_totp
from tapemaster_qt.errors import NotAuthorizedError, StoreTamperedError
from tapemaster_qt.services import Actor, Context, recovery
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.services.recovery import formatted
from tapemaster_qt.store import migrations, open_store
from tapemaster_qt.store.migrations import MIGRATIONS
from unit.support import PASSWORD, enrol, events, on_postgresql, raw_db

SHOWN = re.compile(r"^[0-9abcdefghjkmnpqrstvwxyz]{4}-[0-9abcdefghjkmnpqrstvwxyz]{4}$")


class CountingHasher(PasswordHasher):
    def __init__(self, profile) -> None:
        super().__init__(profile)
        self.verified = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(stored_hash, password)


@pytest.fixture
def codes(alice: str, admin: AdminService, logon: LogonService, clock) -> list[str]:
    """alice, OTP activated by her first code: the ten codes she was shown, as shown."""
    admin.set_otp(alice, True)
    secret = enrol(logon, alice)
    outcome = logon.logon(alice, PASSWORD, rfc_totp(secret, clock.now))
    assert outcome.status is LogonStatus.ACTIVATED
    clock.advance(30)
    return [formatted(c) for c in outcome.recovery_codes]


def _rows(data_dir: Path, user_id: str = "alice") -> list[tuple]:
    with raw_db(data_dir) as conn:
        return conn.execute("SELECT id, user_id, fingerprint, code_hash, created, mac "
                            "FROM recovery_codes WHERE user_id = ? ORDER BY id",
                            (user_id,)).fetchall()


# --- made at activation, stored as hashes ----------------------------------------------------


def test_activation_gives_ten_different_codes_shown_once(
    ctx: Context, codes: list[str], data_dir: Path
) -> None:
    assert len(codes) == len(set(codes)) == 10
    assert all(SHOWN.match(c) for c in codes), codes
    rows = _rows(data_dir)
    assert len(rows) == 10
    assert all(r[3].startswith("$argon2id$") for r in rows)
    assert [e.detail for e in events(ctx.store, "recovery_codes_created", "alice")] == \
        ["10 codes, at activation"]
    assert ctx.store.get_user("alice").otp_activated


def test_codes_are_never_in_the_store_files_in_the_clear(
    ctx: Context, codes: list[str], logon: LogonService, data_dir: Path
) -> None:
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY
    if on_postgresql(data_dir):  # every row of every table, as a desktop's role reads it
        import hostile

        data = repr(hostile.snapshot(data_dir)).encode()
    else:
        ctx.store.close()
        files = [p for p in data_dir.iterdir() if p.name.startswith("tapemaster.db")]
        data = b"".join(p.read_bytes() for p in files)
    for code in codes:
        for form in (code, code.replace("-", ""), code.upper(), code.replace("-", "").upper()):
            assert form.encode() not in data, form


def test_each_code_has_at_least_forty_random_bits(codes: list[str]) -> None:
    from tapemaster_qt.services import recovery

    assert len(recovery.ALPHABET) == len(set(recovery.ALPHABET)) == 32
    assert recovery.BITS == 40 and recovery.LENGTH * 5 == 40
    assert not set("ilou") & set(recovery.ALPHABET)  # the symbols people confuse


# --- logging on with a recovery code --------------------------------------------------------


@pytest.mark.parametrize("typed", [
    lambda c: c, lambda c: c.upper(), lambda c: c.replace("-", ""),
    lambda c: f"  {c[:4]} {c[5:]} ", lambda c: c.replace("-", "\u2013"),
])
def test_a_recovery_code_logs_on_once_however_typed(
    ctx: Context, codes: list[str], logon: LogonService, typed
) -> None:
    outcome = logon.logon("alice", PASSWORD, typed(codes[3]))
    assert outcome.status is LogonStatus.RECOVERY and outcome.session is not None
    assert outcome.recovery_codes_left == 9
    [used] = events(ctx.store, "recovery_code_used", "alice")
    assert used.detail == "to log on; 9 left"
    assert events(ctx.store, "login_succeeded", "alice")[-1].detail == "recovery code"
    # Never again, in any spelling.
    again = logon.logon("alice", PASSWORD, codes[3].upper())
    assert again.status is LogonStatus.BAD_RECOVERY_CODE and again.session is None
    assert ctx.store.get_user("alice").failed_logons == 1
    assert events(ctx.store, "login_failed", "alice")[-1].detail == "bad_otp; recovery code"


@pytest.fixture
def a_code_with_0_and_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next codes made start their first one with 0 and 1 (about one set in 170
    has neither, which would leave the look-alike test nothing to type)."""
    made = recovery.new_codes

    def with_digits(count: int = recovery.COUNT) -> list[str]:
        codes = made(count)
        codes[0] = "01" + codes[0][2:]
        return codes

    monkeypatch.setattr(recovery, "new_codes", with_digits)


def test_look_alike_symbols_are_read_as_crockford_says(
    a_code_with_0_and_1: None, codes: list[str], logon: LogonService
) -> None:
    """o is 0, i and l are 1: a code with a 0 or 1 still works typed with the letter."""
    typed = codes[0].replace("0", "O").replace("1", "l")
    assert typed != codes[0]
    assert logon.logon("alice", PASSWORD, typed).status is LogonStatus.RECOVERY


def test_every_code_works_once_and_the_count_goes_down(
    ctx: Context, codes: list[str], logon: LogonService, admin: AdminService
) -> None:
    for n, code in enumerate(codes, 1):
        outcome = logon.logon("alice", PASSWORD, code)
        assert outcome.status is LogonStatus.RECOVERY
        assert outcome.recovery_codes_left == 10 - n
        assert admin.get_user("alice").recovery_codes_left == 10 - n
    # Used up: each one again is a wrong code, counted, until the sixth revokes.
    for n, code in enumerate(codes[:6], 1):
        outcome = logon.logon("alice", PASSWORD, code)
        assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
        assert outcome.revoked == (n == 6)


def test_a_code_is_checked_against_one_hash_and_a_wrong_one_against_none(
    ctx: Context, codes: list[str]
) -> None:
    """The keyed fingerprint finds the one row a code can be: one argon2id check for a
    right code, none for a wrong one, however many codes are stored."""
    counting = CountingHasher(ctx.hasher.profile)
    ctx.__dict__["code_hasher"] = counting  # the cached property, replaced
    logon = LogonService(ctx)
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY
    assert counting.verified == 1
    assert logon.logon("alice", PASSWORD, "zzzz-zzzz").status is LogonStatus.BAD_RECOVERY_CODE
    assert counting.verified == 1


def test_one_users_code_does_not_work_for_another(
    ctx: Context, codes: list[str], admin: AdminService, logon: LogonService, clock
) -> None:
    admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
    secret = enrol(logon, "bob")
    assert logon.logon("bob", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    assert logon.logon("bob", PASSWORD, codes[0]).status is LogonStatus.BAD_RECOVERY_CODE
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY


def test_wrong_recovery_codes_count_toward_revocation(
    ctx: Context, codes: list[str], logon: LogonService, admin: AdminService
) -> None:
    attempts = int(ctx.store.setting("lockout_threshold")) + 1
    for n in range(1, attempts + 1):
        outcome = logon.logon("alice", PASSWORD, f"zzzz-zz{n:02d}")
        assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
        assert outcome.revoked == (n == attempts)
    assert ctx.store.get_user("alice").revoked
    # Revoked: a right code is not even looked at, and is not spent.
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.REVOKED
    assert admin.get_user("alice").recovery_codes_left == 10
    admin.unlock("alice")
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY


def test_wrong_password_with_a_recovery_code_spends_nothing(
    ctx: Context, codes: list[str], logon: LogonService
) -> None:
    outcome = logon.logon("alice", "Wrong-Password-0", codes[0])
    assert outcome.status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY


def test_a_recovery_code_gets_in_while_this_computers_clock_is_behind(
    ctx: Context, codes: list[str], logon: LogonService, clock
) -> None:
    """The way out when no 6-digit code can pass until the clock catches up."""
    clock.advance(-3600)
    assert logon.logon("alice", PASSWORD, "123456").status is LogonStatus.CLOCK_BEHIND
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY


def test_no_recovery_code_before_activation(
    ctx: Context, alice: str, admin: AdminService, logon: LogonService
) -> None:
    admin.set_otp(alice, True)
    enrol(logon, alice)
    outcome = logon.logon(alice, PASSWORD, "abcd-2345")
    assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
    assert not ctx.store.get_user(alice).otp_activated
    assert ctx.store.get_user(alice).failed_logons == 1


def test_a_user_without_otp_logs_on_whatever_the_field_holds(
    ctx: Context, alice: str, logon: LogonService
) -> None:
    assert logon.logon(alice, PASSWORD, "abcd-2345").status is LogonStatus.SUCCESS


# --- administrators --------------------------------------------------------------------------


def test_administrator_sees_the_count_and_revokes(
    ctx: Context, codes: list[str], admin: AdminService, logon: LogonService
) -> None:
    assert admin.get_user("alice").recovery_codes_left == 10
    assert admin.revoke_recovery_codes("alice") == 10
    assert admin.get_user("alice").recovery_codes_left == 0
    [revoked] = events(ctx.store, "recovery_codes_revoked", "alice")
    assert revoked.detail == "10 codes, by an administrator" and revoked.actor == "tapemaster"
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.BAD_RECOVERY_CODE


def test_only_administrators_revoke(ctx: Context, codes: list[str], admin: AdminService
                                    ) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("bob")).revoke_recovery_codes("alice")
    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("alice")).get_user("alice")
    assert admin.get_user("alice").recovery_codes_left == 10


@pytest.mark.parametrize("how", ["off", "renew", "reseal", "delete"])
def test_switching_otp_off_destroys_the_codes(
    ctx: Context, codes: list[str], admin: AdminService, logon: LogonService,
    data_dir: Path, how: str
) -> None:
    if how == "off":
        admin.set_otp("alice", False)
        admin.set_otp("alice", True)
    elif how == "renew":
        admin.update_user("alice", {}, renew_otp=True)
    elif how == "reseal":
        with raw_db(data_dir) as conn:
            conn.execute("UPDATE users SET no_timeout = 1 WHERE user_id = 'alice'")
        admin.reseal("alice")
        # Re-sealing clears the password and client access: given back on purpose.
        admin.reset_password("alice", PASSWORD)
        admin.update_user("alice", {"programs": "TapeMaster,Lite,Checkpoint"})
        admin.set_otp("alice", True)
    else:
        admin.delete_users(["alice"])
        assert _rows(data_dir) == []
        return
    assert _rows(data_dir) == []
    assert admin.get_user("alice").recovery_codes_left == 0
    assert events(ctx.store, "recovery_codes_revoked", "alice")[-1].detail.startswith("10 codes")
    enrol(logon, "alice")
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.BAD_RECOVERY_CODE


# --- tampering with the table -------------------------------------------------------------------


def test_a_hash_swapped_for_one_the_attacker_knows_is_refused(
    ctx: Context, codes: list[str], logon: LogonService, data_dir: Path
) -> None:
    """Someone who can write the file but has no key puts the hash of a code they
    chose into a row: the row's seal fails, the code is refused and that is audited."""
    mine = ctx.code_hasher.hash("abcd2345")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE recovery_codes SET code_hash = ? WHERE id = "
                     "(SELECT min(id) FROM recovery_codes)", (mine,))
    # The attacker cannot make the fingerprint of their own code without the key,
    # so they try one of alice's codes whose row they changed: refused.
    first = codes[0]
    outcome = logon.logon("alice", PASSWORD, first)
    assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
    assert events(ctx.store, "integrity_failed", "alice")[-1].detail == \
        "a recovery code failed its integrity check; refused"


@pytest.mark.parametrize("change", [
    "UPDATE recovery_codes SET user_id = 'bob'",
    "UPDATE recovery_codes SET id = id + 100",
    "UPDATE recovery_codes SET created = '2020-01-01T00:00:00.000+00:00'",
])
def test_a_moved_or_edited_row_is_never_accepted(
    ctx: Context, codes: list[str], admin: AdminService, logon: LogonService, clock,
    data_dir: Path, change: str
) -> None:
    admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
    secret = enrol(logon, "bob")
    logon.logon("bob", PASSWORD, rfc_totp(secret, clock.now))
    with raw_db(data_dir) as conn:
        conn.execute(change + " WHERE user_id = 'alice'")
    for user_id in ("alice", "bob"):
        assert logon.logon(user_id, PASSWORD, codes[0]).status is LogonStatus.BAD_RECOVERY_CODE
    if "bob" not in change:
        assert admin.get_user("alice").recovery_codes_left == 0  # none it can trust


def test_a_used_code_copied_back_under_another_id_is_refused(
    ctx: Context, codes: list[str], logon: LogonService, data_dir: Path
) -> None:
    """Copying every row aside before the owner uses a code and putting the copy back
    afterwards under a new id: the store's digest counts the rows put back (the store
    is refused as a whole), and once an administrator accepts the store as it is, the
    seal, which covers the id, still refuses the code."""
    with raw_db(data_dir) as conn:
        saved = conn.execute("SELECT user_id, fingerprint, code_hash, created, mac, "
                             "dt0, dt1, dt2 FROM recovery_codes").fetchall()
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY
    with raw_db(data_dir) as conn:  # the unused ones are still there: the used one
        for row in saved:
            conn.execute("INSERT INTO recovery_codes (user_id, fingerprint, code_hash, "
                         "created, mac, dt0, dt1, dt2) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT DO NOTHING", row)
        assert conn.execute("SELECT count(*) FROM recovery_codes").fetchone()[0] == len(saved)
    with pytest.raises(StoreTamperedError, match=r"recovery_codes: 1 row\(s\) more"):
        logon.logon("alice", PASSWORD, codes[0])
    ctx.store.accept_store("tapemaster")
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.BAD_RECOVERY_CODE


# --- the migration ------------------------------------------------------------------------------


def test_a_store_of_the_previous_version_gains_the_table_and_keeps_its_users(
    data_dir: Path
) -> None:
    """A store made by TapeMaster Qt 1.0's own code (tests/fixtures/v1-store), from
    before recovery codes: it gains the table, keeps its users and their seals."""
    import os
    import shutil

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "v1-store"
    data_dir.mkdir(parents=True)
    for name in ("tapemaster.db", "store.key"):
        shutil.copy(fixture / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    with raw_db(data_dir) as conn:
        before = conn.execute("PRAGMA user_version").fetchone()[0]
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("SELECT count(*) FROM recovery_codes")
    assert before < MIGRATIONS.index(migrations.V3_RECOVERY_CODES) + 1
    with open_store(data_dir) as new:
        assert new.get_user("alice").integrity_ok
        assert new.recovery_codes("alice") == []
    with raw_db(data_dir) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert len(list(data_dir.glob(f"tapemaster.db.v{before}-backup-*"))) == 1
