"""Passwords: the rules (8-128, not the User-ID), argon2id hashing, rehash on logon when
the parameters change, and the Random button's proposals."""

from __future__ import annotations

import pytest

from tapemaster_qt.errors import ValidationError
from tapemaster_qt.services import Context, passwords
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, Argon2Profile, PasswordHasher
from tapemaster_qt.store import Store
from unit.support import PASSWORD, events

STRONGER = Argon2Profile(time_cost=2, memory_cost=16, parallelism=1)


@pytest.mark.parametrize("password",
                         ["a" * 8, "Ab3$" * 32, "pass word", "Пароль-2026", "密码密码密码密码"])
def test_acceptable_passwords(password: str) -> None:
    passwords.check_rules(password, "alice")


@pytest.mark.parametrize(
    ("password", "why"),
    [("a" * 7, "at least 8"), ("", "at least 8"), ("a" * 129, "at most 128"),
     ("alice.smith", "not be the User-ID"), ("ALICE.SMITH", "not be the User-ID"),
     ("line\nbreak-1", "control character"), ("tab\there-12", "control character")],
)
def test_unacceptable_passwords(password: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why) as info:
        passwords.check_rules(password, "alice.smith")
    assert info.value.field == "New Password"


def test_length_counts_characters_after_normalisation() -> None:
    # NFKC folds the ligature "ﬃ" into three letters: 6 typed characters become 8.
    passwords.check_rules("ﬃ12345", "alice")
    with pytest.raises(ValidationError):
        passwords.check_rules("ﬃ1234", "alice")


def test_hash_is_argon2id_and_verifies(hasher: PasswordHasher) -> None:
    stored = hasher.hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert hasher.verify(stored, PASSWORD)
    assert not hasher.verify(stored, PASSWORD + "x")
    assert hasher.hash(PASSWORD) != stored  # salted


def test_verify_refuses_garbage_hashes(hasher: PasswordHasher) -> None:
    assert not hasher.verify("not a hash", PASSWORD)
    assert not hasher.verify("", PASSWORD)
    assert hasher.needs_rehash("not a hash")


def test_same_password_typed_in_another_form_matches(hasher: PasswordHasher) -> None:
    stored = hasher.hash("Password-12")
    assert hasher.verify(stored, "Ｐａｓｓｗｏｒｄ－１２")  # fullwidth, as some IMEs type


def test_a_lone_surrogate_is_a_wrong_password_not_a_crash(hasher: PasswordHasher) -> None:
    stored = hasher.hash(PASSWORD)
    assert not hasher.verify(stored, PASSWORD + "\ud800")
    hasher.dummy_verify("\udfff")


def test_hashes_made_from_text_still_verify(hasher: PasswordHasher) -> None:
    # What argon2-cffi stores when handed the (normalised) text itself, as earlier
    # versions did: hashing bytes must not have changed a single stored hash.
    from argon2 import PasswordHasher as Argon2Hasher

    text_hash = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1).hash(
        passwords.normalize("Pässwörd-12 東京")
    )
    assert hasher.verify(text_hash, "Pässwörd-12 東京")
    assert not hasher.verify(text_hash, "Passwort-12 東京")


def test_service_refuses_weak_passwords(admin: AdminService, ctx: Context) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        admin.add_user({"user_id": "alice"}, "short")
    with pytest.raises(ValidationError, match="not be the User-ID"):
        admin.add_user({"user_id": "alice.archer"}, "Alice.Archer")
    assert ctx.store.get_user("alice") is None and ctx.store.get_user("alice.archer") is None
    admin.add_user({"user_id": "alice"}, PASSWORD)
    with pytest.raises(ValidationError, match="at most 128"):
        admin.reset_password("alice", "x" * 129)


def test_logon_rehashes_when_the_parameters_change(
    ctx: Context, admin: AdminService, store: Store
) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    old_hash = store.get_user("alice").password_hash
    assert "m=8,t=1,p=1" in old_hash

    upgraded = LogonService(Context(store, clock=ctx.clock, hasher=PasswordHasher(STRONGER)))
    assert upgraded.logon("alice", "Wrong-Password-0").status \
        is LogonStatus.AUTHORIZATION_FAILURE
    assert store.get_user("alice").password_hash == old_hash  # never on a failure

    assert upgraded.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    user = store.get_user("alice")
    assert user.password_hash != old_hash
    assert "m=16,t=2,p=1" in user.password_hash
    assert user.integrity_ok
    assert PasswordHasher(STRONGER).verify(user.password_hash, PASSWORD)
    # And the next logon, with the same parameters, keeps the hash as it is.
    assert upgraded.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    assert store.get_user("alice").password_hash == user.password_hash


def test_no_rehash_when_parameters_match(ctx: Context, admin: AdminService,
                                         logon: LogonService) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    stored = ctx.store.get_user("alice").password_hash
    assert logon.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
    assert ctx.store.get_user("alice").password_hash == stored
    assert ctx.hasher.profile == TESTS_ONLY


def test_random_passwords_pass_the_rules_and_differ() -> None:
    proposals = {passwords.random_password() for _ in range(20)}
    assert len(proposals) == 20
    for pw in proposals:
        assert len(pw) == 20
        passwords.check_rules(pw, "alice")
        assert any(c.islower() for c in pw) and any(c.isupper() for c in pw)
        assert any(c.isdigit() for c in pw)
        assert any(c in "!#$%&*+-=?@_" for c in pw)


def test_random_passwords_hold_no_character_that_reads_like_another() -> None:
    """0 and O, 1, l and I: never in a proposal (500 proposals hold every other
    character of the alphabet many times over)."""
    drawn = "".join(passwords.random_password() for _ in range(500))
    assert not set(drawn) & set(passwords.AMBIGUOUS)
    assert {"o", "L", "i", "2", "9"} <= set(drawn)


def test_admin_reset_password_takes_effect(ctx: Context, admin: AdminService,
                                           logon: LogonService) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    admin.reset_password("alice", "Brand-New-Pass-1")
    assert logon.logon("alice", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", "Brand-New-Pass-1").status is LogonStatus.SUCCESS
    changed = events(ctx.store, "password_changed", "alice")
    assert [(e.actor, e.detail) for e in changed] == [("tapemaster", "reset by administrator")]
