"""Which stored fields are sealed, and sealing or checking them (DESIGN.md §4).

A seal is a keyed MAC (:meth:`Sealer.seal`, keyed BLAKE2b) over some columns of a
record in a fixed order. Nothing here speaks SQL: a record is a mapping from column
names to values in their *stored* form (str, int, bytes or None; flags as 0/1, never
bool), the same on every backend, so that a seal does not depend on where the record
is kept. Each backend hands its rows over in that form.

Changing :data:`USER_SEALED` (or the kind names) invalidates every seal of every
existing store; add a field only together with a migration that re-seals.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tapemaster_qt.store.crypto import Sealer

USER_KIND = "user"
SETTING_KIND = "setting"
RECOVERY_CODE_KIND = "recovery_code"

USER_SEALED: tuple[str, ...] = (
    "user_id", "password_hash", "disabled", "revoked", "failed_logons", "admin_rights",
    "tapemaster_rights", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "otp_enabled", "otp_activated", "otp_secret", "otp_last_step",
    "otp_burned_steps",
)
"""The user columns an attacker with write access to the store would want to change,
in the order they are sealed."""


user_values: Callable[[Mapping[str, Any]], tuple[Any, ...]] = operator.itemgetter(*USER_SEALED)
"""The sealed fields of a stored user record, in sealing order (picked in C: the
administration window checks 100,000 records)."""


def seal_user(sealer: Sealer, row: Mapping[str, Any]) -> bytes:
    return sealer.seal(USER_KIND, user_values(row))


def user_intact(sealer: Sealer, row: Mapping[str, Any], mac: bytes | None) -> bool:
    """Whether a stored user record still matches its seal ``mac``."""
    return sealer.verify(USER_KIND, user_values(row), mac)


def user_values_intact(sealer: Sealer, values: Sequence[Any], mac: bytes | None) -> bool:
    """:func:`user_intact` for the sealed values already in :data:`USER_SEALED` order
    (a query that selected exactly those columns): the path that checks 100,000."""
    return sealer.verify(USER_KIND, values, mac)


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


def setting_intact(sealer: Sealer, name: str, value: str, mac: bytes | None) -> bool:
    return sealer.verify(SETTING_KIND, (name, value), mac)
