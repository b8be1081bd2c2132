"""The store key wrapped with a passphrase, for carrying it to another desktop.

``tapemaster-admin key export`` writes this file and ``key import`` reads it (README,
"Distributing the site key"). It is UTF-8 JSON, self-describing and versioned::

    {
      "format": "tapemaster-qt-store-key",
      "version": 1,
      "store_id": "<the store's id: a key is only ever imported for its own store>",
      "store": "<where it was exported from, as the programs show it (no password)>",
      "created": "<ISO 8601, UTC>",
      "kdf": {"name": "argon2id", "version": 19, "time_cost": 3, "memory_kib": 131072,
              "parallelism": 4, "salt": "<16 bytes, base64>"},
      "cipher": {"name": "AES-256-GCM", "nonce": "<12 bytes, base64>"},
      "ciphertext": "<the 32-byte key and the 16-byte tag, base64>",
      "note": "<how to import it, for whoever finds the file>"
    }

The passphrase (NFKC-normalised, UTF-8) and the salt give a 256-bit wrapping key
through argon2id; AES-256-GCM encrypts the store key with it. Every field but the
ciphertext is the associated data (as canonical JSON: sorted keys, no spaces, ASCII),
so a file whose store id, parameters or note were changed does not decrypt, exactly like
a wrong passphrase. A reader refuses a newer ``version``, unknown algorithms, and KDF
parameters outside sane bounds (a hostile file must not make it allocate 100 GB).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tapemaster_qt.errors import StoreKeyError

FORMAT = "tapemaster-qt-store-key"
VERSION = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
MAX_FILE_BYTES = 64 * 1024
NOTE = ("A TapeMaster Qt store key, encrypted with a passphrase. Import it on a desktop "
        "of the same store with: tapemaster-admin key import FILE --passphrase-stdin")


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int


EXPORT_PARAMS = KdfParams(time_cost=3, memory_kib=128 * 1024, parallelism=4)
"""About a second on a desktop: a one-off cost for whoever exports or imports, and the
same for each passphrase an attacker with the file tries."""
_BOUNDS = {"time_cost": (1, 10), "memory_kib": (8, 1024 * 1024), "parallelism": (1, 16)}


class KeyFileError(StoreKeyError):
    """The file is not a usable wrapped key (damaged, foreign, newer, wrong passphrase)."""


@dataclass(frozen=True)
class UnwrappedKey:
    store_id: str
    raw: bytes
    store: str
    created: str

    def __repr__(self) -> str:  # never the key
        return f"UnwrappedKey(store_id={self.store_id!r}, store={self.store!r})"


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    secret = unicodedata.normalize("NFKC", passphrase).encode("utf-8", "surrogatepass")
    return bytes(hash_secret_raw(secret, salt, params.time_cost, params.memory_kib,
                                 params.parallelism, KEY_BYTES, Type.ID, 19))


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode("ascii")


def wrap(raw: bytes, store_id: str, passphrase: str, *, store: str = "",
         params: KdfParams = EXPORT_PARAMS) -> bytes:
    """The file's bytes for ``raw``, the key of store ``store_id``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(raw) != KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    header: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "store_id": store_id, "store": store,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kdf": {"name": "argon2id", "version": 19, "time_cost": params.time_cost,
                "memory_kib": params.memory_kib, "parallelism": params.parallelism,
                "salt": base64.b64encode(salt).decode("ascii")},
        "cipher": {"name": "AES-256-GCM", "nonce": base64.b64encode(nonce).decode("ascii")},
        "note": NOTE,
    }
    sealed = AESGCM(_derive(passphrase, salt, params)).encrypt(nonce, raw, _aad(header))
    document = {**header, "ciphertext": base64.b64encode(sealed).decode("ascii")}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


@dataclass(frozen=True)
class _Parsed:
    header: dict[str, Any]
    store_id: str
    store: str
    created: str
    params: KdfParams
    salt: bytes
    nonce: bytes
    sealed: bytes


def _damaged(name: str, why: str = "") -> KeyFileError:
    detail = f" ({why})" if why else ""
    return KeyFileError(f"{name} is not a TapeMaster Qt key file or is damaged{detail}.")


def _parse(data: bytes, name: str) -> _Parsed:
    if len(data) > MAX_FILE_BYTES:
        raise _damaged(name, "larger than 64 KB")
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError):
        raise _damaged(name) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(name)
    version = document.get("version")
    if type(version) is not int:
        raise _damaged(name, "no version")
    if version > VERSION:
        raise KeyFileError(
            f"{name} was written by a newer version of TapeMaster Qt (key file version "
            f"{version}); import it with that version."
        )
    if version != VERSION:
        raise _damaged(name, "unknown version")
    try:
        store_id, store, created = (document[k] for k in ("store_id", "store", "created"))
        kdf, cipher = document["kdf"], document["cipher"]
        if not all(isinstance(v, str) for v in (store_id, store, created)):
            raise _damaged(name)
        if kdf["name"] != "argon2id" or kdf["version"] != 19:
            raise _damaged(name, "unknown key derivation")
        if cipher["name"] != "AES-256-GCM":
            raise _damaged(name, "unknown cipher")
        values = {}
        for field, (low, high) in _BOUNDS.items():
            value = kdf[field]
            if type(value) is not int or not low <= value <= high:
                raise _damaged(name, f"key derivation {field} out of bounds")
            values[field] = value
        parsed = _Parsed(
            header={k: v for k, v in document.items() if k != "ciphertext"},
            store_id=store_id, store=store, created=created, params=KdfParams(**values),
            salt=base64.b64decode(kdf["salt"], validate=True),
            nonce=base64.b64decode(cipher["nonce"], validate=True),
            sealed=base64.b64decode(document["ciphertext"], validate=True),
        )
    except (KeyError, TypeError, binascii.Error):
        raise _damaged(name) from None
    if (len(parsed.salt) != SALT_BYTES or len(parsed.nonce) != NONCE_BYTES
            or len(parsed.sealed) != KEY_BYTES + 16):
        raise _damaged(name)
    return parsed


def store_of(data: bytes, *, name: str = "The key file") -> tuple[str, str]:
    """The store id and store name a key file claims, checked only for its form (the
    passphrase proves them): to refuse another store's file before asking argon2."""
    parsed = _parse(data, name)
    return parsed.store_id, parsed.store


def unwrap(data: bytes, passphrase: str, *, name: str = "The key file") -> UnwrappedKey:
    """The key in ``data``; :class:`KeyFileError` with one sentence naming ``name``."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parsed = _parse(data, name)
    if not passphrase:
        raise KeyFileError(f"No passphrase was given for {name}.")
    try:
        raw = AESGCM(_derive(passphrase, parsed.salt, parsed.params)).decrypt(
            parsed.nonce, parsed.sealed, _aad(parsed.header))
    except InvalidTag:
        raise KeyFileError(
            f"Wrong passphrase for {name}, or the file was changed; nothing was imported."
        ) from None
    return UnwrappedKey(store_id=parsed.store_id, raw=raw, store=parsed.store,
                        created=parsed.created)
