"""The audit log: event names (UI-CONTRACT.md) and reading the log.

Events are written by the other services inside the same transaction as the change
they describe, so an audit row exists exactly when its change does.
"""

from __future__ import annotations

from enum import StrEnum

from tapemaster_qt.errors import NotAuthorizedError
from tapemaster_qt.records import AuditChainStatus, AuditEvent
from tapemaster_qt.services.context import Actor, Context, require_admin
from tapemaster_qt.services.validation import storable


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

    def page(self, before_id: int | None, limit: int, *, text: str | None = None
             ) -> list[AuditEvent]:
        """Newest first, ``limit`` events older than ``before_id`` (None: the newest)."""
        self._authorize()
        if text is not None and not storable(text):
            return []
        return self._ctx.store.audit_events(before_id=before_id, limit=limit, text=text)

    def chain(self, *, whole: bool = False) -> AuditChainStatus:
        """Whether rows were removed, changed or inserted outside TapeMaster: the end of
        the log and its newest rows (cheap, each time it is shown), or every row."""
        return self._ctx.store.audit_chain(whole=whole)
