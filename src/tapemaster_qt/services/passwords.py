"""Passwords: argon2id hashing (argon2-cffi), the password rules, random passwords.

Passwords are normalised to NFKC before hashing and checking (NIST SP 800-63B §5.1.1.2),
so the same password typed on another keyboard layout or pasted from elsewhere still
matches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128


@dataclass(frozen=True)
class Argon2Profile:
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int

    def describe(self) -> str:
        return (f"argon2id t={self.time_cost}, m={self.memory_cost} KiB, "
                f"p={self.parallelism}")


PRODUCTION = Argon2Profile(time_cost=3, memory_cost=64 * 1024, parallelism=4)
"""argon2-cffi's RFC 9106 low-memory profile."""
TESTS_ONLY = Argon2Profile(time_cost=1, memory_cost=8, parallelism=1)
"""Cheap hashing for unit tests; never used by the programs (no switch reaches it)."""
RECOVERY_CODES = Argon2Profile(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""OWASP's argon2id minimum, for recovery codes: 40 random bits need less stretching
than a password a person chose, and ten of them are hashed at once (docs/security.md
has the arithmetic)."""

# Verified against for unknown User-IDs so that their timing matches a real check.
# A hash of a random password thrown away at generation; params = PRODUCTION.
_PRODUCTION_DUMMY = (
    "$argon2id$v=19$m=65536,t=3,p=4$aqWPr2A760ItnJB+G7P6Vw$"
    "29iKVkmL7JDujJRO9PoalfddhkRo1K1BVgGnlcR16po"
)


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _encode(password: str) -> bytes:
    # argon2 takes bytes. Plain UTF-8 raises on a lone surrogate (pasted or typed junk
    # a str can hold); "surrogatepass" makes that a wrong password instead of a crash,
    # and gives the very same bytes as UTF-8 for every other string.
    return normalize(password).encode("utf-8", "surrogatepass")


class PasswordHasher:
    """argon2id with one profile; ``argon2`` is imported on first use (slow import)."""

    def __init__(self, profile: Argon2Profile = PRODUCTION) -> None:
        self.profile = profile
        self._hasher: Any = None
        self._dummy: str | None = _PRODUCTION_DUMMY if profile == PRODUCTION else None

    def _impl(self) -> Any:
        if self._hasher is None:
            from argon2 import PasswordHasher as Argon2Hasher
            from argon2 import Type

            self._hasher = Argon2Hasher(
                time_cost=self.profile.time_cost, memory_cost=self.profile.memory_cost,
                parallelism=self.profile.parallelism, hash_len=32, salt_len=16,
                type=Type.ID,
            )
        return self._hasher

    def for_recovery_codes(self) -> PasswordHasher:
        """The hasher of recovery codes: :data:`RECOVERY_CODES`, or this hasher's own
        profile when that is cheaper still (the unit tests')."""
        cheaper = self.profile.memory_cost < RECOVERY_CODES.memory_cost
        return PasswordHasher(self.profile if cheaper else RECOVERY_CODES)

    def prepare(self) -> None:
        """Import argon2 now (a second's idle time before the first logon needs it)."""
        self._impl()

    def hash(self, password: str) -> str:
        return str(self._impl().hash(_encode(password)))

    def verify(self, stored_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return bool(self._impl().verify(stored_hash, _encode(password)))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        from argon2.exceptions import InvalidHashError

        try:
            return bool(self._impl().check_needs_rehash(stored_hash))
        except InvalidHashError:
            return True

    def dummy_verify(self, password: str) -> None:
        """Spend what a real check costs, for a User-ID that does not exist."""
        if self._dummy is None:
            import secrets

            self._dummy = self.hash(secrets.token_urlsafe(24))
        self.verify(self._dummy, password)


def check_rules(password: str, user_id: str) -> None:
    """Raise :class:`ValidationError` when ``password`` breaks a rule."""
    pw = normalize(password)
    if len(pw) < MIN_LENGTH:
        raise ValidationError(
            QT_TRANSLATE_NOOP("errors", "The password must have at least {min} characters."),
            "New Password", params={"min": MIN_LENGTH})
    if len(pw) > MAX_LENGTH:
        raise ValidationError(
            QT_TRANSLATE_NOOP("errors", "The password must have at most {max} characters."),
            "New Password", params={"max": MAX_LENGTH})
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in pw):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                    "errors",
                    "The password contains a control character that cannot be typed at logon."),
            "New Password",
        )
    if user_id and pw.casefold() == user_id.casefold():
        raise ValidationError(QT_TRANSLATE_NOOP(
                "errors",
                "The password must not be the User-ID."), "New Password")


RANDOM_SYMBOLS = "!#$%&*+-=?@_"
AMBIGUOUS = "0O1lI"
"""Characters a person reading a password aloud or off a screen mixes up: 0 and O, 1, l
and I. Random passwords leave them out."""


def random_password(length: int = 20) -> str:
    """A strong password with at least one lower, upper, digit and symbol, and no
    character that reads like another (:data:`AMBIGUOUS`): 20 characters from 69, about
    122 bits."""
    import secrets
    import string

    alphabet = "".join(c for c in string.ascii_letters + string.digits + RANDOM_SYMBOLS
                       if c not in AMBIGUOUS)
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw)
                and any(c.isdigit() for c in pw)
                and any(c in RANDOM_SYMBOLS for c in pw)):
            return pw
