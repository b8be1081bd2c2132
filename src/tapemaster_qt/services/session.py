"""What a logged-on user's windows may call, bound to that user.

The windows get this, never the store: every call goes through a service that checks
the user's rights at the time of the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import AuditLog
from tapemaster_qt.services.auth import PasswordChangeService, Session
from tapemaster_qt.services.context import Actor, Context

if TYPE_CHECKING:
    from tapemaster_qt.services.self_service import OtpSelfService


@dataclass(frozen=True)
class StoreInfo:
    """Where the store and its key are (Help ▸ About)."""

    location: str
    key: str | None
    """Where the store key is kept, or None when it cannot be read (see key_problem)."""
    key_problem: str | None = None


def store_info(ctx: Context) -> StoreInfo:
    store = ctx.store
    try:
        return StoreInfo(store.location, store.key_description())
    except TapeMasterError as exc:
        return StoreInfo(store.location, None, exc.message)


class SessionServices:
    def __init__(self, ctx: Context, session: Session) -> None:
        self._ctx = ctx
        self.session = session
        # With the session: every call checks it (by the user's uid) before acting.
        self._actor = Actor.for_session(session)

    @property
    def program(self) -> str:
        return self._ctx.program

    def admin(self) -> AdminService:
        return AdminService(self._ctx, self._actor)

    def audit_log(self) -> AuditLog:
        """The audit log; raises NotAuthorizedError without tapemaster rights."""
        return AuditLog(self._ctx, self._actor)

    def my_otp(self) -> OtpSelfService:
        """File ▸ One Time Password…: the user's own One Time Password."""
        from tapemaster_qt.services.self_service import OtpSelfService

        return OtpSelfService(self._ctx, self.session)

    def change_own_password(self, current: str, new: str) -> None:
        PasswordChangeService(self._ctx).change_password(self.session, current, new)

    def store_info(self) -> StoreInfo:
        return store_info(self._ctx)
