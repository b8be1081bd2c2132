"""First run: the built-in ``tapemaster`` user gets its password.

Unauthenticated by nature, so it only ever works while tapemaster has no password, and
the audit log says so: whoever started a program (or ran ``tapemaster-admin init``) on a
new store chose that password, and nobody proved to be tapemaster.
"""

from __future__ import annotations

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, AlreadyInitialisedError, NotAuthorizedError
from tapemaster_qt.services import passwords
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.context import Context
from tapemaster_qt.store import BUILTIN_USER, UserChanges

SHARED_FIRST_RUN = (
    "This site's shared user store has no tapemaster password yet; support staff set it "
    "with 'tapemaster-admin --store URL init --password-stdin'."
)
"""Why no desktop sets a shared store's first password: whoever started a program first
would own the store."""


def needs_first_run(ctx: Context) -> bool:
    return not ctx.store.has_password(BUILTIN_USER)


UNAUTHENTICATED = "unauthenticated"
"""The audit actor of the first run in a program: nobody has logged on yet."""
FIRST_RUN_DETAIL = "first run, unauthenticated: set by whoever opened the new store"


def set_initial_password(ctx: Context, password: str, actor: str = UNAUTHENTICATED) -> None:
    """Set tapemaster's first password: the First Run window (``actor`` unauthenticated)
    on a store of this computer, or ``tapemaster-admin init`` (its own actor) on any."""
    if ctx.store.shared and actor == UNAUTHENTICATED:
        raise NotAuthorizedError(SHARED_FIRST_RUN)
    passwords.check_rules(password, BUILTIN_USER)
    new_hash = ctx.hasher.hash(password)
    with ctx.store.write() as tx:
        user = tx.get_user(BUILTIN_USER)
        if user is None or user.has_password:
            raise AlreadyInitialisedError(
                QT_TRANSLATE_NOOP(
                        "errors",
                        "This store is already initialised; tapemaster has a password."))
        tx.update_user(BUILTIN_USER, UserChanges(password_hash=new_hash))
        tx.append_audit(
            ts=ctx.timestamp(), actor=actor, user_id=BUILTIN_USER, program=ctx.program,
            host=ctx.host, event=str(Event.PASSWORD_CHANGED), detail=FIRST_RUN_DETAIL,
        )
