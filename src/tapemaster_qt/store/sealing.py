"""Which stored fields are sealed, and sealing or checking them (DESIGN.md §4).

A seal is a keyed MAC (:meth:`Sealer.seal`, keyed BLAKE2b) over some columns of a
record in a fixed order. Nothing here speaks SQL: a record is a mapping from column
names to values in their *stored* form (str, int, bytes or None; flags as 0/1, never
bool), the same on every backend, so that a seal does not depend on where the record
is kept. Each backend hands its rows over in that form.

What is sealed (seal version 2, :data:`SEAL_VERSION`):

- every column of a user (:data:`USER_SEALED`), of a group (:data:`GROUP_SEALED`) and
  of a setting (its name and value), the store's identity and key check included;
- a **last-known-good copy** of each user (:func:`copy_text`), written by every
  legitimate write and sealed on its own, so that re-sealing a tampered record can show
  which fields differ (the password hash and the OTP secret appear in it only as
  fingerprints);
- the **head** (:data:`HEAD_FIELDS`): the store's generation (bumped by every write),
  the digest of every user, group and setting seal (:class:`Digest`), and the position
  of the audit log's hash chain (:func:`chain_link`).

**The digest.** Each sealed row also stores three *digest terms* (columns ``dt0``,
``dt1``, ``dt2``: 40-bit integers cut from its seal, :func:`terms`); the head holds,
per table, the row count and the three sums. A row put back to an older sealed copy
keeps a valid seal but brings its old terms, so the sums no longer match the head;
one SQL aggregate checks them, and a write updates them in O(1). A row that carries
terms not cut from its own seal fails its integrity check like any other edit.

Changing a sealed field list invalidates every seal of every existing store. To seal a
new user column: add it (with the migration that creates it) to :data:`USER_SEALED`, put
the new list under a new version in :data:`USER_SEALED_BY_VERSION` and bump
:data:`SEAL_VERSION`; the store then re-seals itself once, with the key, on first use
(``integrity.upgrade_seal_version``: only records whose seal of the previous version
still verifies; said in the log and a ``store_resealed`` audit row).
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tapemaster_qt.store.crypto import Sealer

USER_KIND = "user"
GROUP_KIND = "group"
SETTING_KIND = "setting"
RECOVERY_CODE_KIND = "recovery_code"
COPY_KIND = "user-copy"
HEAD_KIND = "head"

SEAL_VERSION = 2
"""The version of the sealed field lists this program writes (kept in the head)."""

USER_SEALED_V1: tuple[str, ...] = (
    "user_id", "password_hash", "disabled", "revoked", "failed_logons", "admin_rights",
    "tapemaster_rights", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "otp_enabled", "otp_activated", "otp_secret", "otp_last_step",
    "otp_burned_steps",
)
"""What TapeMaster Qt 1.0 sealed (seal version 1): the security fields only."""

USER_SEALED: tuple[str, ...] = (
    "user_id", "name", "email", "description", "group_id", "role", "admin_rights",
    "tapemaster_rights", "disabled", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "password_hash", "otp_enabled", "otp_activated", "otp_secret",
    "otp_last_step", "otp_burned_steps", "failed_logons", "failures_since_logon",
    "revoked", "last_logon", "last_failed_logon", "created", "updated", "uid",
)
"""Every column of a user but its seal and digest terms, in the order they are sealed."""

USER_SEALED_BY_VERSION: dict[int, tuple[str, ...]] = {1: USER_SEALED_V1, 2: USER_SEALED}

GROUP_SEALED: tuple[str, ...] = ("group_id", "description", "created")

TERMS: tuple[str, ...] = ("dt0", "dt1", "dt2")
"""The digest-term columns of every sealed table."""

HIDDEN_IN_COPY: tuple[str, ...] = ("password_hash", "otp_secret")
"""Kept in the last-known-good copy only as fingerprints: a second copy of a password
hash or an OTP secret would outlive the secret destroyed with OTP switched off."""

HEAD_FIELDS: tuple[str, ...] = (
    "generation", "seal_version", "digest", "audit_id", "audit_hash", "audit_base_id",
    "audit_base_hash",
)
"""The head record's sealed columns."""

SEALED_TABLES: tuple[str, ...] = ("users", "groups", "settings", "recovery_codes")
"""The tables whose seals the digest sums, in the order the digest lists them (of the
settings, the sealed rows only: ``settings.SEALED_ROWS``)."""


# --- digest terms ------------------------------------------------------------------

_TERM_BYTES = 5  # 40 bits: 2**23 rows of a table sum to less than 2**63


def terms(mac: bytes | None) -> tuple[int, int, int]:
    """The digest terms a row sealed with ``mac`` carries (0s for a row without seal)."""
    if not mac or len(mac) < 3 * _TERM_BYTES:
        return (0, 0, 0)
    return (int.from_bytes(mac[0:5], "big"), int.from_bytes(mac[5:10], "big"),
            int.from_bytes(mac[10:15], "big"))


def terms_match(mac: bytes | None, stored: Sequence[Any]) -> bool:
    """Whether a row's stored digest terms were cut from its seal ``mac``."""
    return tuple(stored) == terms(mac)


@dataclass
class Digest:
    """Per sealed table: the row count and the sums of the three digest terms."""

    sums: dict[str, list[int]] = field(
        default_factory=lambda: {t: [0, 0, 0, 0] for t in SEALED_TABLES})

    def add(self, table: str, row_terms: Sequence[int], sign: int = 1) -> None:
        """Count a row in (``sign`` 1) or out (-1)."""
        entry = self.sums[table]
        entry[0] += sign
        for i, value in enumerate(row_terms):
            entry[i + 1] += sign * int(value)

    def replace(self, table: str, old: Sequence[int], new: Sequence[int]) -> None:
        self.add(table, old, -1)
        self.add(table, new, 1)

    def text(self) -> str:
        """The form kept in the head (and sealed there)."""
        return ";".join(f"{t}=" + ",".join(str(v) for v in self.sums[t])
                        for t in SEALED_TABLES)

    @classmethod
    def parse(cls, text: str) -> Digest | None:
        """The digest in ``text``; None when it is not one (a damaged head)."""
        digest = cls()
        try:
            parts = dict(part.split("=", 1) for part in text.split(";"))
            for table in SEALED_TABLES:
                values = [int(v) for v in parts[table].split(",")]
                if len(values) != 4:
                    return None
                digest.sums[table] = values
        except (KeyError, ValueError):
            return None
        return digest

    def copy(self) -> Digest:
        return Digest({t: list(v) for t, v in self.sums.items()})

    def differences(self, other: Digest) -> list[str]:
        """In words, where ``other`` (what the store holds) differs from this (sealed)."""
        out = []
        for table in SEALED_TABLES:
            mine, theirs = self.sums[table], other.sums[table]
            if mine == theirs:
                continue
            rows = theirs[0] - mine[0]
            if rows:
                out.append(f"{table}: {abs(rows)} row(s) {'more' if rows > 0 else 'fewer'} "
                           "than sealed")
            else:
                out.append(f"{table}: a row holds an older or foreign sealed copy")
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Digest) and self.sums == other.sums

    __hash__ = None  # type: ignore[assignment]


# --- users -------------------------------------------------------------------------

user_values: Callable[[Mapping[str, Any]], tuple[Any, ...]] = operator.itemgetter(*USER_SEALED)
"""The sealed fields of a stored user record, in sealing order (picked in C: the
administration window checks 100,000 records)."""
_user_terms: Callable[[Mapping[str, Any]], tuple[Any, ...]] = operator.itemgetter(*TERMS)


def seal_user(sealer: Sealer, row: Mapping[str, Any]) -> bytes:
    """The seal of a user over :data:`USER_SEALED` (this program's seal version)."""
    return sealer.seal(USER_KIND, user_values(row))


def user_intact(sealer: Sealer, row: Mapping[str, Any], mac: bytes | None) -> bool:
    """Whether a stored user record still matches its seal ``mac`` (and carries the
    digest terms cut from it)."""
    return (terms_match(mac, _user_terms(row))
            and sealer.verify(USER_KIND, user_values(row), mac))


def user_intact_as(sealer: Sealer, row: Mapping[str, Any], version: int) -> bool:
    """Whether a user's seal verifies over the fields of seal ``version`` (an upgrade)."""
    fields = USER_SEALED_BY_VERSION[version]
    return sealer.verify(USER_KIND, tuple(row[f] for f in fields), row["mac"])


def user_values_intact(sealer: Sealer, values: Sequence[Any], mac: bytes | None,
                       row_terms: Sequence[Any]) -> bool:
    """:func:`user_intact` for the sealed values already in :data:`USER_SEALED` order
    (a query that selected exactly those columns): the path that checks 100,000."""
    return terms_match(mac, row_terms) and sealer.verify(USER_KIND, values, mac)


# --- the last-known-good copy of a user ---------------------------------------------


def _fingerprint(value: Any) -> str | None:
    if value is None:
        return None
    data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    return "fingerprint:" + hashlib.blake2b(data, digest_size=16).hexdigest()


def copy_value(name: str, value: Any) -> Any:
    """A stored value as the copy keeps it (JSON: str, int or None)."""
    if name in HIDDEN_IN_COPY:
        return _fingerprint(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def copy_text(row: Mapping[str, Any]) -> str:
    """The last-known-good copy of a user row: every sealed field, as JSON (the same as
    :func:`copy_value` field by field; written for every user of a bulk import)."""
    fields = dict(zip(USER_SEALED, user_values(row), strict=True))
    for name in HIDDEN_IN_COPY:
        fields[name] = _fingerprint(fields[name])
    # The digest terms the head counts for this row: a row that fails its seal later
    # must still carry them, or its terms were changed to balance the digest (D1).
    fields[COPY_TERMS] = [int(row[t]) for t in TERMS]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=_hex)


COPY_TERMS = "digest_terms"
"""The key under which a copy keeps the row's digest terms (not a column)."""


def copy_terms(copy: Mapping[str, Any] | None) -> tuple[int, int, int] | None:
    """The digest terms a last-known-good copy recorded (None: none, or malformed)."""
    found = None if copy is None else copy.get(COPY_TERMS)
    if (not isinstance(found, list) or len(found) != 3
            or not all(type(v) is int for v in found)):
        return None
    return (found[0], found[1], found[2])


def _hex(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


def seal_copy(sealer: Sealer, user_id: str, text: str) -> bytes:
    return sealer.seal(COPY_KIND, (user_id, text))


def read_copy(sealer: Sealer, user_id: str, text: str | None, mac: bytes | None
              ) -> dict[str, Any] | None:
    """The copy's fields when it is this user's and TapeMaster wrote it; else None."""
    if text is None or not sealer.verify(COPY_KIND, (user_id, text), mac):
        return None
    try:
        fields = json.loads(text)
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def copy_differences(copy: Mapping[str, Any], row: Mapping[str, Any]
                     ) -> list[tuple[str, Any, Any]]:
    """(column, value in the copy, value now) for every sealed field that differs; the
    hidden fields give their fingerprints, which only say *whether* they changed."""
    out = []
    for name in USER_SEALED:
        now = copy_value(name, row[name])
        if name not in copy or copy[name] != now:
            out.append((name, copy.get(name), now))
    return out


# --- groups and settings --------------------------------------------------------------


def seal_group(sealer: Sealer, row: Mapping[str, Any]) -> bytes:
    return sealer.seal(GROUP_KIND, tuple(row[f] for f in GROUP_SEALED))


def group_intact(sealer: Sealer, row: Mapping[str, Any]) -> bool:
    return (terms_match(row["mac"], tuple(row[t] for t in TERMS))
            and sealer.verify(GROUP_KIND, tuple(row[f] for f in GROUP_SEALED), row["mac"]))


RECOVERY_CODE_SEALED: tuple[str, ...] = ("id", "user_id", "fingerprint", "code_hash", "created")
"""Every column of a recovery code but its seal: a row copied to another user, another
row id or another store, or a hash swapped for one whose code the attacker knows,
fails its check and is never accepted."""

recovery_code_values: Callable[[Mapping[str, Any]], tuple[Any, ...]] = operator.itemgetter(
    *RECOVERY_CODE_SEALED)


def seal_recovery_code(sealer: Sealer, row: Mapping[str, Any]) -> bytes:
    return sealer.seal(RECOVERY_CODE_KIND, recovery_code_values(row))


def recovery_code_intact(sealer: Sealer, row: Mapping[str, Any], mac: bytes | None) -> bool:
    return sealer.verify(RECOVERY_CODE_KIND, recovery_code_values(row), mac)


def seal_setting(sealer: Sealer, name: str, value: str) -> bytes:
    return sealer.seal(SETTING_KIND, (name, value))


def setting_intact(sealer: Sealer, name: str, value: str, mac: bytes | None,
                   row_terms: Sequence[Any] | None = None) -> bool:
    """Whether a setting matches its seal (and, given ``row_terms``, carries the digest
    terms cut from it)."""
    if row_terms is not None and not terms_match(mac, row_terms):
        return False
    return sealer.verify(SETTING_KIND, (name, value), mac)


# --- the head ---------------------------------------------------------------------------


def seal_head(sealer: Sealer, values: Sequence[Any]) -> bytes:
    """The seal of the head's :data:`HEAD_FIELDS`, in that order."""
    return sealer.seal(HEAD_KIND, values)


def head_intact(sealer: Sealer, values: Sequence[Any], mac: bytes | None) -> bool:
    return sealer.verify(HEAD_KIND, values, mac)


# --- the audit log's hash chain ----------------------------------------------------------

CHAIN_START = hashlib.blake2b(b"TapeMaster Qt audit chain v1", digest_size=32).digest()
"""The chain value before the first audit row."""


def chain_link(previous: bytes, row: Sequence[Any]) -> bytes:
    """The chain value after an audit row ``(id, ts, actor, user_id, program, host,
    event, detail)`` that follows ``previous``. Not keyed: whoever reads the log may
    recompute it; what makes it evidence is that the head, which holds the last value,
    is sealed."""
    return hashlib.blake2b(previous + repr(tuple(row)).encode("utf-8", "surrogatepass"),
                           digest_size=32).digest()


def chain_fold(previous: bytes, rows: Iterable[Sequence[Any]]) -> bytes:
    """:func:`chain_link` over ``rows`` in order."""
    value = previous
    for row in rows:
        value = chain_link(value, row)
    return value
