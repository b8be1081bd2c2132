"""TOTP (RFC 6238) as every authenticator app honours it: SHA1, 6 digits, 30 seconds.

Pure functions: secrets, the provisioning URI, verification returning the matched
time step (for replay protection) and the clock-skew diagnosis.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import quote

import pyotp

from tapemaster_qt.services.code_field import SPACES

DIGITS = 6
PERIOD = 30
WINDOW = 1
"""Steps accepted either side of the current one."""
SECRET_BYTES = 20
"""160 bits, as RFC 4226 recommends and every app accepts."""
SKEW_FINE_STEPS = 30
"""The diagnosis looks at every step within ±15 minutes..."""
SKEW_ZONE_QUARTERS = 56
"""...and at whole quarter-hours up to ±14 hours (time-zone mistakes)."""

DigestFactory = Callable[..., "hashlib._Hash"]


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    """The secret as apps expect it: RFC 4648 base32, upper case, no padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def group_secret(b32: str) -> str:
    """``ABCDEFGH...`` as ``ABCD EFGH ...`` for reading aloud and typing by hand."""
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def account_label(issuer: str, user_id: str) -> str:
    """``<issuer>:<user-id>``: the account an authenticator app lists, as the windows
    that show a secret or recovery codes name it."""
    return f"{issuer}:{user_id}"


def provisioning_uri(secret: bytes, user_id: str, issuer: str) -> str:
    """``otpauth://totp/<issuer>:<user-id>?secret=<BASE32>&issuer=<issuer>``.

    Both label parts and the issuer parameter are percent-encoded (spaces as
    ``%20``, which Google's Key URI format asks for; ``+`` would show as a plus).
    """
    label = quote(issuer, safe="") + ":" + quote(user_id, safe="")
    return (
        f"otpauth://totp/{label}?secret={to_base32(secret)}&issuer={quote(issuer, safe='')}"
    )


def time_step(now: float) -> int:
    return int(now // PERIOD)


def code_at(
    secret: bytes, step: int, *, digits: int = DIGITS, digest: DigestFactory = hashlib.sha1
) -> str:
    """The code of one time step (HOTP with the step as counter)."""
    return pyotp.HOTP(to_base32(secret), digits=digits, digest=digest).at(step)


def normalize_code(text: str) -> str | None:
    """The code the user meant, or None when the text cannot be a code.

    Accepts ``123456`` and ``123 456`` (any Unicode spaces), and digits from other
    scripts (fullwidth, Arabic-Indic...) as their ASCII values. Anything else -- letters,
    punctuation, the wrong number of digits -- is not a code.
    """
    if len(text) > 64:
        return None
    folded = "".join(ch for ch in text if ch not in SPACES)
    digits = []
    for ch in folded:
        if not ch.isdigit():
            return None
        try:
            digits.append(str(unicodedata.decimal(ch)))
        except ValueError:  # superscripts and the like are digits but not decimals
            return None
    code = "".join(digits)
    return code if len(code) == DIGITS else None


def _matching(secret: bytes, code: str, steps: Iterable[int]) -> list[int]:
    hotp = pyotp.HOTP(to_base32(secret), digits=DIGITS)
    # compare_digest on every candidate: no early exit that timing could reveal.
    return [s for s in steps if hmac.compare_digest(hotp.at(s), code)]


def match_step(secret: bytes, code: str, now: float, window: int = WINDOW) -> int | None:
    """The time step ``code`` belongs to within ±window of now, or None.

    When two steps in the window share the code (1 in 10^6), the later wins:
    accepting it also burns the earlier.
    """
    current = time_step(now)
    matches = _matching(secret, code, range(current - window, current + window + 1))
    return max(matches) if matches else None


def skew_candidates(current: int) -> list[int]:
    """Steps outside the accepted window that a skewed device clock would produce."""
    offsets = {d for d in range(-SKEW_FINE_STEPS, SKEW_FINE_STEPS + 1) if abs(d) > WINDOW}
    quarter = 15 * 60 // PERIOD
    for q in range(1, SKEW_ZONE_QUARTERS + 1):
        for sign in (-1, 1):
            centre = sign * q * quarter
            offsets.update({centre - 1, centre, centre + 1})
    return sorted((current + d for d in offsets), key=lambda s: (abs(s - current), s))


def diagnose_skew(secret: bytes, code: str, now: float) -> tuple[int, int] | None:
    """For a code outside the window: ``(offset_seconds, step)`` of the nearest match.

    A positive offset means the device's clock is ahead. None when the code matches
    no plausible clock error (then it is simply wrong).
    """
    current = time_step(now)
    candidates = skew_candidates(current)
    matches = set(_matching(secret, code, candidates))
    for step in candidates:  # nearest first
        if step in matches:
            return (step - current) * PERIOD, step
    return None


def describe_skew(offset_seconds: int) -> str:
    """``about 1 hour behind``, ``about 3 minutes ahead``... for the diagnosis message."""
    direction = "ahead" if offset_seconds > 0 else "behind"
    seconds = abs(offset_seconds)
    if seconds < 90 * 60:
        minutes = max(1, round(seconds / 60))
        if seconds >= 55 * 60:
            return f"about 1 hour {direction}"
        return f"about {minutes} minute{'s' if minutes != 1 else ''} {direction}"
    quarters = round(seconds / 900)
    hours, rest = divmod(quarters * 15, 60)
    text = f"about {hours} hour{'s' if hours != 1 else ''}"
    if rest:
        text += f" {rest} minutes"
    return f"{text} {direction}"
