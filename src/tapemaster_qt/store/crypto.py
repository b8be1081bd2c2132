"""Encryption of OTP secrets and sealing of records with keys derived from the store key.

Sub-keys are derived with HKDF-SHA256 so that one purpose can never be confused with
another: AES-256-GCM for OTP secrets (the user-id is the associated data, so a secret
moved to another user's row fails to decrypt), keyed BLAKE2b for record seals (tamper
evidence; :mod:`.sealing` says which fields are sealed), keyed BLAKE2b for
recovery-code fingerprints (the index that finds the one stored argon2id hash a typed
recovery code must be checked against), HMAC-SHA256 for this OS account's trust record
of the store (:mod:`.trust`), and a fingerprint that names the key without revealing
it.
``cryptography`` is imported on first use, off the start-up path.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

_NONCE = 12
_KEY_CHECK_PLAINTEXT = b"TapeMaster Qt store key check v1"


def _hkdf(key: bytes, info: bytes) -> bytes:
    # HKDF (RFC 5869) with an all-zero salt, one block: enough for a 32-byte sub-key.
    prk = hmac.new(b"\x00" * 32, key, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


class Sealer:
    """All cryptography the store does, bound to one store key."""

    def __init__(self, store_key: bytes, store_id: str) -> None:
        self._enc_key = _hkdf(store_key, b"tapemaster-qt otp-secret v1")
        self._mac_key = _hkdf(store_key, b"tapemaster-qt record-seal v1")
        self._code_key = _hkdf(store_key, b"tapemaster-qt recovery-code v1")
        self._trust_key = _hkdf(store_key, b"tapemaster-qt trust-record v1")
        self.key_id = _hkdf(store_key, b"tapemaster-qt key-id v1")[:12].hex()
        """The key's fingerprint: tells two keys apart, reveals nothing of either."""
        self._store_id = store_id.encode()

    # --- OTP secrets ------------------------------------------------------------

    def encrypt_secret(self, user_id: str, secret: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(_NONCE)
        return nonce + AESGCM(self._enc_key).encrypt(nonce, secret, self._aad(user_id))

    def decrypt_secret(self, user_id: str, blob: bytes) -> bytes | None:
        """The plaintext secret, or None when the blob does not belong to this user/key."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(blob) <= _NONCE:
            return None
        try:
            return AESGCM(self._enc_key).decrypt(
                blob[:_NONCE], blob[_NONCE:], self._aad(user_id)
            )
        except InvalidTag:
            return None

    def _aad(self, user_id: str) -> bytes:
        return b"user:" + user_id.encode("utf-8")

    # --- recovery codes ---------------------------------------------------------

    def fingerprint(self, user_id: str, code: str) -> bytes:
        """A recovery code's index value: keyed BLAKE2b of the store, the user and the
        code (in its one canonical form). Without the store key it says nothing about
        the code; with it, a typed code finds its row in one lookup, so a logon verifies
        one argon2id hash instead of ten."""
        message = b"\x00".join((b"recovery-code", self._store_id,
                                 user_id.encode("utf-8", "surrogatepass"),
                                 code.encode("utf-8", "surrogatepass")))
        return hashlib.blake2b(message, key=self._code_key, digest_size=32).digest()

    # --- key check --------------------------------------------------------------

    def key_check(self) -> bytes:
        """A value stored with the store so that a wrong key is told from a damaged one."""
        return hmac.new(
            self._mac_key, b"key-check\x00" + self._store_id + _KEY_CHECK_PLAINTEXT,
            hashlib.sha256,
        ).digest()

    # --- the trust record outside the store ---------------------------------------

    def trust_mac(self, message: bytes) -> bytes:
        """HMAC-SHA256 of this account's trust record of the store (store/trust.py)."""
        return hmac.new(self._trust_key, b"trust\x00" + message, hashlib.sha256).digest()

    # --- seals ------------------------------------------------------------------

    def seal(self, kind: str, values: Sequence[Any]) -> bytes:
        """HMAC over ``values`` in a fixed order; the caller fixes which fields and order.

        The message is the ``repr`` of the tuple of values as SQLite holds them (str,
        int, bytes or None; never bool): unambiguous, since quotes and separators are
        escaped. The MAC is keyed BLAKE2b. Both run in C, which matters when 100,000
        records are checked to open Group/User Administration.
        """
        message = (kind.encode() + b"\x00" + self._store_id + b"\x00"
                   + repr(tuple(values)).encode("utf-8", "surrogatepass"))
        return hashlib.blake2b(message, key=self._mac_key, digest_size=32).digest()

    def verify(self, kind: str, values: Sequence[Any], mac: bytes | None) -> bool:
        if not mac:
            return False
        return hmac.compare_digest(self.seal(kind, values), mac)

