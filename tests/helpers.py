"""Small helpers the tests share (an independent view of what users see)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from urllib.parse import parse_qs, unquote, urlparse

ADMIN_PASSWORD = "Tape-Admin-2026"
"""tapemaster's password in every initialised test store."""


def secret_from_uri(uri: str) -> bytes:
    """The raw secret an authenticator app would take from a provisioning URI."""
    query = parse_qs(urlparse(uri).query)
    b32 = query["secret"][0]
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def label_from_uri(uri: str) -> str:
    return unquote(urlparse(uri).path.lstrip("/"))


def rfc_totp(secret: bytes, unix_time: float, digits: int = 6, digest=hashlib.sha1) -> str:
    """RFC 6238 written out from the RFC, independent of pyotp and of our code."""
    counter = int(unix_time // 30)
    mac = hmac.new(secret, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)

