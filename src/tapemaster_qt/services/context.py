"""What every service call needs: the store, who and where we are, a clock, a hasher."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tapemaster_qt import terminal
from tapemaster_qt.errors import QT_TRANSLATE_NOOP, NotAuthorizedError, SessionEndedError
from tapemaster_qt.records import UserRecord
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.store import BUILTIN_USER, Store

if TYPE_CHECKING:
    from tapemaster_qt.services.sessions import Session


def hostname() -> str:
    """This machine's name for the audit log (without importing socket at start-up).

    Self-reported: whoever runs a program chooses what it says (docs/security.md).
    """
    if hasattr(os, "uname"):
        name = os.uname().nodename
    else:
        import socket

        name = socket.gethostname()
    return terminal.escape(name)


@dataclass
class Context:
    store: Store
    program: str = "TapeMaster"
    host: str = field(default_factory=hostname)
    pid: int = field(default_factory=os.getpid)
    clock: Callable[[], float] = time.time
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    session_listener: Callable[[SessionEndedError], None] | None = None
    """Told when a check before an action ended this program's session (the windows
    log out and say why); a heartbeat says so in its own result."""

    @functools.cached_property
    def code_hasher(self) -> PasswordHasher:
        """Hashes and checks recovery codes (a lighter argon2id profile than passwords)."""
        return self.hasher.for_recovery_codes()
    def __post_init__(self) -> None:
        # Tampering the store finds on its own is audited as this program, on this host.
        self.store.set_origin(self.program, self.host)

    def now(self) -> float:
        return self.clock()

    def timestamp(self, at: float | None = None) -> str:
        """ISO 8601 UTC with milliseconds: the form of every stored time."""
        moment = self.clock() if at is None else at
        return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: a logged-on user, or support staff at the CLI.

    For a logged-on user the rights are read from the store at every request, so a
    right taken away takes effect at once, whatever the window on screen shows; with
    the user's session, the session is checked too (by the user's immutable uid, see
    ``services.sessions.require_live``) and ended when it must end.
    """

    name: str
    """The audit actor: the User-ID, or ``cli:<os-user>@<host>``."""
    user_id: str | None = None
    cli: bool = False
    session: Session | None = None
    """The logged-on user's session, for a program's windows."""

    @classmethod
    def for_user(cls, user_id: str) -> Actor:
        return cls(name=user_id, user_id=user_id)

    @classmethod
    def for_session(cls, session: Session) -> Actor:
        return cls(name=session.user_id, user_id=session.user_id, session=session)

    @classmethod
    def for_cli(cls) -> Actor:
        import getpass

        try:
            # LOGNAME, USER... first: self-reported, and may hold a line break or
            # escape codes meant to forge a line where the audit log is printed.
            who = terminal.escape(getpass.getuser())
        except Exception:  # no login name (some containers): still audit something useful
            who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
        return cls(name=f"cli:{who}@{hostname()}", cli=True)

    @property
    def is_builtin(self) -> bool:
        """Acts with the built-in ``tapemaster`` user's authority."""
        return self.cli or self.user_id == BUILTIN_USER


def require_admin(ctx: Context, actor: Actor) -> UserRecord | None:
    """The actor's current record; raises unless they hold tapemaster rights now."""
    if actor.cli:
        return None
    if actor.session is not None:
        # Imported here: the sessions module builds on this one.
        from tapemaster_qt.services.sessions import require_live

        record: UserRecord | None = require_live(ctx, actor.session)
    else:
        record = ctx.store.get_user(actor.user_id or "")
    if (record is None or not record.integrity_ok or not record.tapemaster_rights
            or record.disabled or record.revoked):
        raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                "errors",
                "Only users with tapemaster rights may administer users."))
    return record
