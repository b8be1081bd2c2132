"""Plain data that flows between the store, the services and the windows.

Kept free of imports from any layer so that every layer may use these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from tapemaster_qt import PROGRAMS
from tapemaster_qt.fields import user_json


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One user as the store holds it.

    ``password_hash`` and ``otp_secret`` are the stored (hashed / encrypted) forms;
    they are kept out of ``repr`` so that they never land in a log by accident.
    """

    user_id: str
    name: str = ""
    email: str | None = None
    description: str = ""
    group_id: str | None = None
    role: int = 7
    admin_rights: bool = False
    tapemaster_rights: bool = False
    disabled: bool = False
    no_timeout: bool = False
    programs: frozenset[str] = frozenset(PROGRAMS)
    password_hash: str | None = field(default=None, repr=False)
    otp_enabled: bool = False
    otp_activated: bool = False
    otp_secret: bytes | None = field(default=None, repr=False)
    otp_last_step: int | None = None
    otp_burned_steps: tuple[int, ...] = ()
    failed_logons: int = 0
    """Consecutive failed logons (revocation counts these)."""
    revoked: bool = False
    last_logon: str | None = None
    last_failed_logon: str | None = None
    failures_since_logon: int = 0
    """Failed attempts since the last successful logon; kept by Unlock."""
    created: str = ""
    updated: str = ""
    integrity_ok: bool = True
    uid: str = ""
    """The user's immutable identity: never reused, even for the same User-ID added
    again after a delete. Sessions name the user by it."""

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def may_run(self, program: str) -> bool:
        return program in self.programs


class UserRow(NamedTuple):
    """The slim, display-only view of a user for large tables (no hashes, no secrets).

    A named tuple, not a dataclass: 100,000 of them are built to open Group/User
    Administration, and a tuple is built in C. The flags may be SQLite's 0/1.
    """

    user_id: str
    name: str
    group_id: str | None
    role: int
    email: str | None
    description: str
    otp_enabled: bool
    otp_activated: bool
    disabled: bool
    revoked: bool
    last_logon: str | None
    integrity_ok: bool | None = True
    """False: the record's seal failed; None: not checked yet (checked in the background
    for large tables)."""


@dataclass(frozen=True, slots=True)
class GroupRecord:
    group_id: str
    description: str = ""
    members: int = 0
    integrity_ok: bool = True
    """False: the group's seal failed (changed outside TapeMaster)."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a user record that differs from its last-known-good copy."""

    field: str
    """A :class:`UserRecord` field name (``programs`` for Client Access)."""
    known_good: object
    now: object
    hidden: bool = False
    """The password hash or the OTP secret: only *that* it changed is told, never a
    value (both values are None)."""


@dataclass(frozen=True, slots=True)
class RecordReview:
    """A user record compared with the last copy TapeMaster wrote of it (what the
    administrator sees before re-sealing a tampered record)."""

    user_id: str
    copy_state: str
    """``ok``; ``missing`` (no copy: every field is suspect); ``damaged`` (the copy was
    changed outside TapeMaster too: every field is suspect)."""
    changes: tuple[FieldChange, ...] = ()
    copy_written: str | None = None
    """When TapeMaster last wrote the record legitimately (the copy's ``updated``)."""

    @property
    def every_field_suspect(self) -> bool:
        return self.copy_state != "ok"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    ts: str
    actor: str
    user_id: str | None
    program: str
    host: str
    event: str
    detail: str


EventKind = tuple[str, str | None]
"""An audit event name, and for ``login_failed`` the reason its detail starts with
(the first ``;``-separated part: ``"bad_otp"`` for ``"bad_otp; clock skew"``); None
means any detail."""


def intersect_kinds(first: frozenset[EventKind], second: frozenset[EventKind]
                    ) -> frozenset[EventKind]:
    """The kinds in both sets, where ``(event, None)`` stands for every reason of
    ``event``: {(login_failed, None)} and {(login_failed, "bad_otp")} share the second."""
    both = set(first & second)
    for mine, other in ((first, second), (second, first)):
        both.update((event, reason) for event, reason in mine
                    if reason is not None and (event, None) in other)
    return frozenset(both)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which audit rows to read; every condition given must hold.

    ``text`` is part of a stored field (User-ID, event, detail, actor, program, host),
    ignoring case; a row also matches it when its kind is in ``worded`` (the kinds whose
    words on screen contain the text: the window knows the words, the store does not).
    """

    text: str | None = None
    worded: frozenset[EventKind] = frozenset()
    user_id: str | None = None
    """Exactly this User-ID."""
    kinds: frozenset[EventKind] | None = None
    """Only rows of these kinds (None: every kind)."""
    since: str | None = None
    """From this time on (a stored time: ISO 8601 UTC), inclusive."""
    until: str | None = None
    """Before this time, exclusive."""


@dataclass(frozen=True, slots=True)
class RecoveryCodeRecord:
    """One unused recovery code as stored: its argon2id hash, never the code."""

    id: int
    user_id: str
    code_hash: str = field(repr=False)
    created: str
    integrity_ok: bool = True


@dataclass(frozen=True, slots=True)
class AuditChainStatus:
    """What checking the audit log's hash chain found."""

    ok: bool
    checked: int
    """How many rows were checked (the newest ones, or all)."""
    whole: bool
    """Whether the whole log was checked, or only its newest rows (the tail)."""
    problem: str = ""
    """In words, when not ok: what is wrong and from which row on."""
    first_bad_id: int | None = None


@dataclass(frozen=True)
class StoreReport:
    """Everything checking a whole store found, for an administrator's review
    (``tapemaster-admin store verify`` and ``store accept``)."""

    location: str
    store_id: str
    key: str
    """Where the key was found now."""
    trusted_key: str | None
    """Where this account last trusted it to be (None: never opened here)."""
    generation: int | None
    mark: int | None
    """This account's high-water mark (None: never opened here)."""
    findings: tuple[str, ...] = ()
    """What is wrong with the store as a whole, in words (what ``store accept`` accepts)."""
    setting_problems: tuple[str, ...] = ()
    """Settings changed or removed: set each again (``settings set``)."""
    tampered_users: tuple[str, ...] = ()
    tampered_groups: tuple[str, ...] = ()
    audit: AuditChainStatus | None = None
    accepted: tuple[str, ...] = field(default=())
    """After ``store accept``: what was accepted."""

    @property
    def ok(self) -> bool:
        return (not self.findings and not self.setting_problems and not self.tampered_users
                and not self.tampered_groups and (self.audit is None or self.audit.ok))


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    user_id: str
    program: str
    host: str
    pid: int
    since: str
    last_seen: str
    user_uid: str = ""
    """The uid of the user who logged on (``UserRecord.uid``)."""
    otp_mark: str | None = None
    """A digest of the user's stored OTP secret at logon ('' without OTP; None: unknown,
    a session older than the column)."""
    end_reason: str | None = None
    """Set when an administrator ended the session; the program logs out at its next
    heartbeat."""
    ended_by: str | None = None
    ended_at: str | None = None


@dataclass(frozen=True, slots=True)
class UserDetails:
    """A user as administrators see it: everything but the password hash and OTP secret."""

    user_id: str
    name: str
    email: str | None
    description: str
    group_id: str | None
    role: int
    admin_rights: bool
    tapemaster_rights: bool
    disabled: bool
    no_timeout: bool
    programs: frozenset[str]
    otp_enabled: bool
    otp_activated: bool
    revoked: bool
    failed_logons: int
    last_logon: str | None
    last_failed_logon: str | None
    password_set: bool
    integrity_ok: bool
    failures_since_logon: int = 0
    recovery_codes_left: int = 0
    """Unused recovery codes (DESIGN.md §3a); 0 while One Time Password is off."""

    @classmethod
    def of(cls, rec: UserRecord, *, recovery_codes_left: int = 0) -> UserDetails:
        return cls(
            user_id=rec.user_id, name=rec.name, email=rec.email, description=rec.description,
            group_id=rec.group_id, role=rec.role, admin_rights=rec.admin_rights,
            tapemaster_rights=rec.tapemaster_rights, disabled=rec.disabled,
            no_timeout=rec.no_timeout, programs=rec.programs, otp_enabled=rec.otp_enabled,
            otp_activated=rec.otp_activated, revoked=rec.revoked,
            failed_logons=rec.failed_logons, last_logon=rec.last_logon,
            last_failed_logon=rec.last_failed_logon, password_set=rec.has_password,
            integrity_ok=rec.integrity_ok, failures_since_logon=rec.failures_since_logon,
            recovery_codes_left=recovery_codes_left,
        )

    def program_list(self) -> list[str]:
        return [p for p in PROGRAMS if p in self.programs]

    def as_json(self) -> dict[str, object]:
        """The ``user show --json`` object (keys fixed by UI-CONTRACT.md)."""
        return user_json(self)
