"""Recovery codes (DESIGN.md §3a) and what the One Time Password field may hold.

A recovery code is 8 symbols of Crockford's base32 alphabet (digits and letters
without I, L, O and U), shown ``xxxx-xxxx``: 40 random bits, typed with or without the
dash, in any case; an ``o`` is read as ``0`` and ``i``/``l`` as ``1``, as Crockford
intends, so the symbols people confuse cannot make a right code wrong. Pure
functions: making codes and reading what was typed.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

from tapemaster_qt.services import totp
from tapemaster_qt.services.code_field import DASHES, SPACES

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
"""Crockford's base32, lower case: 32 symbols, so each one is 5 bits."""
LENGTH = 8
BITS = LENGTH * 5
COUNT = 10
"""Codes made at once (GitHub, GitLab and Keycloak give 10 or so)."""
_READ_AS = {"o": "0", "i": "1", "l": "1"}
_SKIPPED = frozenset(SPACES + DASHES)


def new_codes(count: int = COUNT) -> list[str]:
    """``count`` different random codes, in their canonical form (``formatted`` shows
    them)."""
    made: list[str] = []
    while len(made) < count:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if code not in made:
            made.append(code)
    return made


def formatted(code: str) -> str:
    """``abcd2345`` as ``abcd-2345``."""
    return f"{code[:4]}-{code[4:]}"


def normalize(text: str) -> str | None:
    """The canonical form (8 lower-case symbols, no dash) of a typed recovery code, or
    None when the text cannot be one."""
    if len(text) > 64:
        return None
    symbols: list[str] = []
    for ch in text:
        if ch in _SKIPPED:
            continue
        if ch.isdigit():
            try:
                ch = str(unicodedata.decimal(ch))
            except ValueError:  # superscripts and the like are digits but not decimals
                return None
        else:
            ch = unicodedata.normalize("NFKC", ch).casefold()
            ch = _READ_AS.get(ch, ch)
        if len(ch) != 1 or ch not in ALPHABET:
            return None
        symbols.append(ch)
    code = "".join(symbols)
    return code if len(code) == LENGTH else None


class CodeKind(Enum):
    TOTP = "totp"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class CodeEntry:
    """What the One Time Password field held: a 6-digit code or a recovery code, in
    its canonical form."""

    kind: CodeKind
    value: str = field(repr=False)

    @property
    def recovery(self) -> bool:
        return self.kind is CodeKind.RECOVERY


def parse_code_field(text: str) -> CodeEntry | None:
    """A 6-digit code (``123456``, ``123 456``), a recovery code, or None when the text
    can be neither. The two never overlap: a code has 6 digits, a recovery code 8
    symbols."""
    code = totp.normalize_code(text)
    if code is not None:
        return CodeEntry(CodeKind.TOTP, code)
    recovery = normalize(text)
    if recovery is not None:
        return CodeEntry(CodeKind.RECOVERY, recovery)
    return None
