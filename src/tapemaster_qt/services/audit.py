"""The audit log: event names (UI-CONTRACT.md), which of them are failures or about
One Time Passwords, and reading the log through filters.

Events are written by the other services inside the same transaction as the change
they describe, so an audit row exists exactly when its change does.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from enum import StrEnum

from tapemaster_qt.errors import NotAuthorizedError, ValidationError
from tapemaster_qt.records import AuditChainStatus, AuditEvent, AuditFilter, EventKind
from tapemaster_qt.services.context import Actor, Context, require_admin
from tapemaster_qt.services.validation import storable, user_id_problem


class Event(StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    OTP_ENROLLMENT_SHOWN = "otp_enrollment_shown"
    OTP_ACTIVATED = "otp_activated"
    OTP_ENABLED = "otp_enabled"
    OTP_DISABLED = "otp_disabled"
    OTP_REPLAY_REJECTED = "otp_replay_rejected"
    OTP_CLOCK_SKEW = "otp_clock_skew"
    ACCOUNT_REVOKED = "account_revoked"
    ACCOUNT_UNLOCKED = "account_unlocked"
    PASSWORD_CHANGED = "password_changed"
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    USER_DELETED = "user_deleted"
    GROUP_CREATED = "group_created"
    GROUP_UPDATED = "group_updated"
    GROUP_DELETED = "group_deleted"
    LOGGED_OUT = "logged_out"
    INTEGRITY_FAILED = "integrity_failed"
    RECORD_RESEALED = "record_resealed"
    SETTING_CHANGED = "setting_changed"
    KEY_EXPORTED = "key_exported"
    KEY_IMPORTED = "key_imported"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_CREATED = "recovery_codes_created"
    RECOVERY_CODES_REVOKED = "recovery_codes_revoked"
    STORE_BACKED_UP = "store_backed_up"
    STORE_RESTORED = "store_restored"
    SESSION_ENDED = "session_ended"
    """A session ended by an administrator (Disconnect) or because its user may no
    longer be logged on (disabled, revoked, deleted, program or OTP changed)."""
    STORE_KEY_RESTORED = "store_key_restored"
    # Written by the store itself (store/sqlstore.py, store/integrity.py):
    STORE_INTEGRITY_FAILED = "store_integrity_failed"
    """The store as a whole was refused: rolled back, records put back or removed, its
    head or a sealed setting changed, its identity or key moved."""
    STORE_TRUSTED = "store_trusted"
    """An OS account opened the store for the first time and trusts it as found."""
    STORE_RESEALED = "store_resealed"
    """A store of an older version was sealed over every column, once, with its key."""
    STORE_ACCEPTED = "store_accepted"
    """An administrator accepted the store as it is (tapemaster-admin store accept)."""


class FailReason(StrEnum):
    """The detail of a ``login_failed`` event."""

    UNKNOWN_USER = "unknown_user"
    BAD_PASSWORD = "bad_password"
    OTP_REQUIRED = "otp_required"
    BAD_OTP = "bad_otp"
    DISABLED = "disabled"
    REVOKED = "revoked"
    PROGRAM_NOT_PERMITTED = "program_not_permitted"
    INTEGRITY_FAILED = "integrity_failed"


def kind_of(event: str, detail: str) -> EventKind:
    """An audit row's kind: its event, and for a failed logon the reason its detail
    starts with (``bad_otp`` for ``bad_otp; clock skew``)."""
    if event == Event.LOGIN_FAILED:
        return event, detail.split(";", 1)[0].strip()
    return event, None


KINDS: tuple[EventKind, ...] = (
    *((str(e), None) for e in Event if e is not Event.LOGIN_FAILED),
    *((str(Event.LOGIN_FAILED), str(r)) for r in FailReason),
)
"""Every kind of row the services write."""

FAILURES: frozenset[EventKind] = frozenset((str(e), None) for e in (
    Event.LOGIN_FAILED, Event.ACCOUNT_REVOKED, Event.OTP_REPLAY_REJECTED,
    Event.OTP_CLOCK_SKEW, Event.INTEGRITY_FAILED))
"""What went wrong: a refused logon, a revocation, a rejected code, a record that
failed its integrity check."""

OTP_EVENTS: frozenset[EventKind] = frozenset({
    *((str(e), None) for e in (
        Event.OTP_ENROLLMENT_SHOWN, Event.OTP_ACTIVATED, Event.OTP_ENABLED,
        Event.OTP_DISABLED, Event.OTP_REPLAY_REJECTED, Event.OTP_CLOCK_SKEW,
        Event.RECOVERY_CODE_USED, Event.RECOVERY_CODES_CREATED,
        Event.RECOVERY_CODES_REVOKED)),
    (str(Event.LOGIN_FAILED), str(FailReason.OTP_REQUIRED)),
    (str(Event.LOGIN_FAILED), str(FailReason.BAD_OTP)),
})
"""Everything about One Time Passwords, wrong and missing codes and recovery codes
included."""


def is_failure(kind: EventKind) -> bool:
    return kind in FAILURES or (kind[0], None) in FAILURES


FILTER_MAX = 200
"""The longest text the Audit Log's filter takes (a stored field is shorter)."""


def check_filter(where: AuditFilter) -> AuditFilter:
    """``where`` with its text trimmed, or a :class:`ValidationError` saying what is
    wrong with it (nothing is read then)."""
    text = (where.text or "").strip()
    if len(text) > FILTER_MAX:
        raise ValidationError(f"The filter has at most {FILTER_MAX} characters.", "Filter")
    if not storable(text) or (not text.isprintable() and any(
            unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
            for ch in text)):
        raise ValidationError("The filter cannot hold control or invisible characters; "
                              "type the text as it is shown.", "Filter")
    if where.user_id is not None:
        problem = user_id_problem(where.user_id) if storable(where.user_id) else (
            "A User-ID may hold only letters A-Z, digits, '.' and '-'.")
        if problem:
            raise ValidationError(problem, "User-ID")
    if where.since is not None and where.until is not None and where.since >= where.until:
        raise ValidationError("The date range ends before it starts: pick a From date "
                              "on or before the To date.", "Date")
    return dataclasses.replace(where, text=text or None)


class AuditLog:
    """Reading the audit log: administrators and the CLI only, checked at every call
    (an open Audit Log window stops reading the moment its user loses the right)."""

    def __init__(self, ctx: Context, actor: Actor) -> None:
        self._ctx = ctx
        self._actor = actor
        self._authorize()  # refused at once: no window opens for nothing

    def _authorize(self) -> None:
        try:
            require_admin(self._ctx, self._actor)
        except NotAuthorizedError:
            raise NotAuthorizedError("Only users with tapemaster rights may read the audit "
                                     "log.") from None

    def recent(self, *, user_id: str | None = None, limit: int | None = 100) -> list[AuditEvent]:
        """The newest ``limit`` events, oldest first (as ``tail`` would show them)."""
        self._authorize()
        if user_id is not None and not storable(user_id):
            return []  # no row can name it (see validation.storable)
        events = self._ctx.store.audit_events(user_id=user_id, limit=limit)
        events.reverse()
        return events

    def count(self, *, user_id: str | None = None, text: str | None = None) -> int:
        self._authorize()
        if not all(storable(t) for t in (user_id, text) if t is not None):
            return 0
        return self._ctx.store.count_audit(user_id=user_id, text=text)

    def page(self, before_id: int | None, limit: int, *, text: str | None = None,
             where: AuditFilter | None = None) -> list[AuditEvent]:
        """Newest first, ``limit`` events older than ``before_id`` (None: the newest)
        that ``where`` selects (``text`` adds to it). A filter that cannot match
        anything sensible (control characters, a date range the wrong way round) is
        refused with a :class:`ValidationError`."""
        self._authorize()
        where = where or AuditFilter()
        if text:
            where = dataclasses.replace(where, text=text)
        return self._ctx.store.audit_events(check_filter(where), before_id=before_id,
                                            limit=limit)

    def all(self, where: AuditFilter | None = None, *, batch: int = 5000
            ) -> Iterator[AuditEvent]:
        """Every event ``where`` selects, newest first, read ``batch`` at a time (an
        export); the filter is checked before the first read."""
        checked = check_filter(where or AuditFilter())
        before: int | None = None
        while True:
            self._authorize()
            page = self._ctx.store.audit_events(checked, before_id=before, limit=batch)
            yield from page
            if len(page) < batch:
                return
            before = page[-1].id

    def chain(self, *, whole: bool = False) -> AuditChainStatus:
        """Whether rows were removed, changed or inserted outside TapeMaster: the end of
        the log and its newest rows (cheap, each time it is shown), or every row."""
        return self._ctx.store.audit_chain(whole=whole)
