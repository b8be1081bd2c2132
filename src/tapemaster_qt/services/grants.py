"""What this process hands one session for a short while, under a random nonce.

A caller (a window) gets only the nonce; what it stands for stays here, bound to the
store, the session and its user, until it is taken or expires. Holding a nonce is the
only way to use it, and a nonce is good only for the session it was handed to, in
this process: a value made up by the caller, or copied from another session, is
worth nothing. Kept in memory only, so nothing outlives the program.

Two kinds use it: the fresh proof of a logon with a recovery code
(:class:`~tapemaster_qt.services.auth.FreshProof`), and a new phone being set up
(:meth:`~tapemaster_qt.services.self_service.OtpSelfService.begin_new_device`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Generic, TypeVar

from tapemaster_qt.services.context import Context

T = TypeVar("T")


@dataclass(frozen=True)
class _Grant(Generic[T]):
    store_id: str
    session_id: int
    user_id: str
    until: float
    value: T


class Grants(Generic[T]):
    """Values handed out under nonces, each for one session and ``seconds`` long."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._grants: dict[str, _Grant[T]] = {}

    def issue(self, ctx: Context, session_id: int, user_id: str, value: T
              ) -> tuple[str, float]:
        """Keep ``value`` for the session; its new nonce and until when it is good."""
        now = ctx.now()
        for nonce, old in list(self._grants.items()):  # never taken: dropped once expired
            if old.until < now:
                del self._grants[nonce]
        nonce = secrets.token_hex(16)
        until = now + self.seconds
        self._grants[nonce] = _Grant(ctx.store.store_id, session_id, user_id, until, value)
        return nonce, until

    def get(self, ctx: Context, session_id: int, user_id: str, nonce: str) -> T | None:
        """The value of ``nonce`` when it was handed to this session of this store and
        has not expired (it stays until taken); None otherwise. A nonce shown to
        another session, or expired, is dropped: it can never be used again."""
        grant = self._grants.get(nonce)
        if grant is None:
            return None
        if (grant.store_id != ctx.store.store_id or grant.session_id != session_id
                or grant.user_id != user_id or ctx.now() > grant.until):
            del self._grants[nonce]
            return None
        return grant.value

    def take(self, ctx: Context, session_id: int, user_id: str, nonce: str) -> T | None:
        """:meth:`get`, and the nonce is spent whatever the answer."""
        value = self.get(ctx, session_id, user_id, nonce)
        self._grants.pop(nonce, None)
        return value

    def __len__(self) -> int:
        return len(self._grants)
