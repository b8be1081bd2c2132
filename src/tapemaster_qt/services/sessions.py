"""Live sessions: what the store says now decides whether a running session goes on.

A session is one logged-on user in one program. It names its user by the user's
immutable identity (``uid``), never by the User-ID text alone: a User-ID deleted and
added again is another user, and a program logged on as the first must never act as
the second.

The store is re-read, and the session ended with a reason (:class:`EndReason`), at two
moments:

- **every heartbeat** (:meth:`SessionKeeper.heartbeat`, once a minute): the program
  gets a :class:`Beat` that says whether to log out and why, and what the user may do
  now (tapemaster rights, No Time-Out), which the windows apply at once;
- **before every action** (:func:`require_live`, called by every service that acts for
  a logged-on user): a session that must end is ended there and the action refused
  with :class:`~tapemaster_qt.errors.SessionEndedError`.

A session ends when its user is disabled, revoked, deleted, loses the program, has One
Time Password switched on or renewed, or fails its integrity check, and when an
administrator ends it (Disconnect: the row is marked, the program logs out at its next
heartbeat). A store that cannot be reached is an error the caller reports and retries:
never a decision either way.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tapemaster_qt.errors import (
    SessionEndedError,
    StoreCommitUnknownError,
    StoreReplacedError,
    TapeMasterError,
)
from tapemaster_qt.records import SessionRecord, UserRecord
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.context import Context
from tapemaster_qt.store import KeyStatus, Transaction

logger = logging.getLogger(__name__)

SESSION_STALE_SECONDS = 300
"""A session not seen for this long belongs to a program that crashed or was killed;
so does one whose last heartbeat is this far in the future (a clock set wrong)."""
SESSION_QUIET_SECONDS = 150
"""A session not seen for this long (two and a half heartbeats) is shown as not
responding; it is removed only once stale."""
ENDED_KEPT_SECONDS = 24 * 3600
"""A session an administrator ended stays listed (ending) until its program logs out,
its process is known to be gone, or this long has passed: removing it sooner would let
a program that was only suspended come back and carry on."""


class EndReason(StrEnum):
    """Why a session ended other than by its user's choice."""

    DISABLED = "disabled"
    REVOKED = "revoked"
    DELETED = "deleted"
    PROGRAM_REMOVED = "program_removed"
    """The user's Client Access no longer includes this program."""
    OTP_CHANGED = "otp_changed"
    """One Time Password switched on, or renewed (a new secret), since the logon."""
    INTEGRITY_FAILED = "integrity_failed"
    DISCONNECTED = "disconnected"
    """An administrator ended the session (Active Users ▸ Disconnect, ``session end``)."""
    LOGGED_OUT = "logged_out"
    """This program logged the session out itself (its user chose to, or idled)."""


class SessionState(StrEnum):
    """What Active Users shows for a session."""

    ACTIVE = "active"
    NOT_RESPONDING = "not_responding"
    """No heartbeat for a while (a busy, suspended or killed program)."""
    ENDING = "ending"
    """Its program logs out at its next heartbeat (see the reason)."""


@dataclass(frozen=True)
class Session:
    """A logged-on user in one program (what the program holds in memory)."""

    session_id: int
    user_id: str
    name: str
    program: str
    tapemaster_rights: bool
    """At logon; the heartbeat's :class:`Beat` has the current value."""
    no_timeout: bool
    """At logon; the heartbeat's :class:`Beat` has the current value."""
    since: str = ""
    uid: str = ""
    """The user's immutable identity (``UserRecord.uid``)."""
    otp_mark: str | None = None
    """:func:`otp_mark` of the user at logon."""


@dataclass(frozen=True)
class Beat:
    """One heartbeat's answer. True while the session goes on."""

    ended: EndReason | None = None
    """Set when the session is over: log out and say why."""
    ended_by: str | None = None
    """Who ended it, for DISCONNECTED (the administrator's audit name)."""
    tapemaster_rights: bool = False
    """The user's rights now: the administration windows close when they are gone."""
    no_timeout: bool = False
    """The user's No Time-Out now: the idle limit follows it from this beat on."""
    key: KeyStatus = KeyStatus.NOT_LOADED
    """Whether the store key is still stored where this program read it from."""

    def __bool__(self) -> bool:
        return self.ended is None


@dataclass(frozen=True)
class ActiveSession:
    """A session as Active Users shows it: the stored row and its state now."""

    record: SessionRecord
    state: SessionState
    reason: EndReason | None = None
    """For ENDING: why its program will log out."""
    ended_by: str | None = None

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def user_id(self) -> str:
        return self.record.user_id

    @property
    def program(self) -> str:
        return self.record.program

    @property
    def host(self) -> str:
        return self.record.host

    @property
    def pid(self) -> int:
        return self.record.pid

    @property
    def since(self) -> str:
        return self.record.since

    @property
    def last_seen(self) -> str:
        return self.record.last_seen


def otp_mark(user: UserRecord) -> str:
    """What a session remembers of its user's One Time Password: '' without OTP, else
    a digest of the stored (encrypted) secret, which tells a renewed secret from the
    same one and says nothing about either."""
    if not user.otp_enabled or user.otp_secret is None:
        return ""
    return hashlib.sha256(b"tapemaster-qt session otp mark\0" + user.otp_secret).hexdigest()[:32]


def verdict(user: UserRecord | None, *, user_id: str, program: str,
            mark: str | None) -> EndReason | None:
    """Why a session of ``user_id`` in ``program``, begun with OTP mark ``mark``, must
    end now that its user's record (read by uid) is ``user``; None: it goes on."""
    if user is None or user.user_id != user_id:
        # Deleted (a User-ID added again has another uid), or a uid moved to another
        # record by hand: either way not the user who logged on.
        return EndReason.DELETED
    if not user.integrity_ok:
        return EndReason.INTEGRITY_FAILED
    if user.revoked:
        return EndReason.REVOKED
    if user.disabled:
        return EndReason.DISABLED
    if not user.may_run(program):
        return EndReason.PROGRAM_REMOVED
    if mark is not None and user.otp_enabled and otp_mark(user) != mark:
        return EndReason.OTP_CHANGED
    return None


def _stored_reason(row: SessionRecord) -> EndReason | None:
    if row.end_reason is None:
        return None
    try:
        return EndReason(row.end_reason)
    except ValueError:  # written by a newer version: still an end
        return EndReason.DISCONNECTED


def _end(ctx: Context, tx: Transaction, session: Session, reason: EndReason,
         by: str | None, when: str) -> None:
    """End this program's own session in ``tx``: remove its row and audit why."""
    tx.end_session(session.session_id)
    if reason is EndReason.DISCONNECTED:
        # The administrator's session_ended row was written at Disconnect; this one
        # says the program did log out.
        event, detail = Event.LOGGED_OUT, f"disconnected by {by or 'an administrator'}"
    else:
        event = Event.SESSION_ENDED
        detail = f"{reason}; session {session.session_id} ended {when}"
        if reason is EndReason.DELETED:
            detail += f" (user uid {session.uid[:8]} no longer exists)"
    tx.append_audit(ts=ctx.timestamp(), actor=session.user_id, user_id=session.user_id,
                    program=ctx.program, host=ctx.host, event=str(event), detail=detail)


def require_live(ctx: Context, session: Session) -> UserRecord:
    """The session's user as the store holds it now, before an action is done for them.

    A session that must end is ended here (row removed, audited), the program's
    ``ctx.session_listener`` told, and :class:`SessionEndedError` raised. Reads first
    without a write transaction: almost every check finds nothing to do.
    """
    store = ctx.store
    row = store.get_session(session.session_id)
    user = store.get_user_by_uid(session.uid)
    reason = _reason(row, user, session)
    if reason is None:
        assert user is not None
        return user
    with store.write() as tx:  # again under the lock: what is ended is what is there
        row = tx.get_session(session.session_id)
        user = tx.get_user_by_uid(session.uid)
        reason = _reason(row, user, session)
        if reason is None:
            assert user is not None
            return user
        by = row.ended_by if row is not None else None
        _end(ctx, tx, session, reason, by, "before an action")
    error = SessionEndedError(reason, by, session.session_id)
    logger.info("Session %d of %s ended before an action: %s", session.session_id,
                session.user_id, reason)
    if ctx.session_listener is not None:
        ctx.session_listener(error)
    raise error


def _reason(row: SessionRecord | None, user: UserRecord | None,
            session: Session) -> EndReason | None:
    stored = _stored_reason(row) if row is not None else None
    if stored is not None:
        return stored
    # The row's mark, when there is a row: a move to a new phone in this session
    # updates it there (the Session in memory keeps the mark of the logon).
    mark = row.otp_mark if row is not None else session.otp_mark
    return verdict(user, user_id=session.user_id, program=session.program, mark=mark)


@dataclass
class _PendingLogout:
    session: Session
    reason: str
    at: str
    maybe_saved: bool = False
    """The first write's commit lost its answer: it may have been saved already."""


@dataclass
class SessionKeeper:
    """This program's side of its sessions: the heartbeat, logging out, and log outs
    that could not be written yet (a full disk), retried at the next write and at exit."""

    ctx: Context
    _ended: set[int] = field(default_factory=set)
    _pending: list[_PendingLogout] = field(default_factory=list)

    # --- the heartbeat ------------------------------------------------------------------

    def heartbeat(self, session: Session) -> Beat:
        """Re-read the session and its user, end it when it must end, else mark it alive.

        A session removed as stale while this program was suspended (or the clock
        jumped) is put back, so Active Users shows it again. Raises StoreError when
        the store cannot be reached: the caller says so and tries again; nothing is
        decided on a beat that did not happen. Raises StoreTamperedError when the
        store is refused as a whole (rolled back, a record put back or removed, its
        head changed): the program says so and stops, as it would at start.
        """
        ctx = self.ctx
        if session.session_id in self._ended:
            return Beat(ended=EndReason.LOGGED_OUT)
        self.retry_pending()
        # The store as a whole first (a record put back or removed since the last
        # check is refused, StoreTamperedError), in a read snapshot: the digest is
        # read outside the write lock every program waits for.
        ctx.store.check_store()
        now = ctx.timestamp()
        resumed = False
        with ctx.store.write() as tx:
            row = tx.get_session(session.session_id)
            user = tx.get_user_by_uid(session.uid)
            reason = _reason(row, user, session)
            by = row.ended_by if row is not None else None
            if reason is not None:
                _end(ctx, tx, session, reason, by, "at its heartbeat")
            elif row is not None:
                tx.touch_session(session.session_id, now)
            else:
                resumed = tx.resume_session(
                    session_id=session.session_id, user_id=session.user_id,
                    user_uid=session.uid, otp_mark=session.otp_mark, program=ctx.program,
                    host=ctx.host, pid=ctx.pid, since=session.since or now, ts=now)
        if reason is not None:
            self._ended.add(session.session_id)
            logger.info("Session %d of %s ended at its heartbeat: %s", session.session_id,
                        session.user_id, reason)
            return Beat(ended=reason, ended_by=by)
        if resumed:
            logger.info("Session %d of %s was removed as stale; registered it again",
                        session.session_id, session.user_id)
        assert user is not None
        # Outside the write lock: a keyring may take a moment to answer.
        return Beat(tapemaster_rights=user.tapemaster_rights, no_timeout=user.no_timeout,
                    key=ctx.store.key_status())

    # --- logging out --------------------------------------------------------------------

    def mark_ended(self, session_id: int) -> None:
        """The session was ended elsewhere (a check before an action ended it, and
        recorded why): its log out must not be recorded a second time."""
        self._ended.add(session_id)

    def logout(self, session: Session, reason: str = "") -> bool:
        """End the session by its user's choice (or idling). False when the store
        refused the write (a full disk): the log out is kept and written at the next
        write of this program or at exit (:meth:`retry_pending`). A session that has
        ended already (at a heartbeat, or logged out before) is not logged out again:
        its end is recorded once."""
        if session.session_id in self._ended:
            return True
        self._ended.add(session.session_id)
        at = self.ctx.timestamp()
        try:
            self._write_logout(session, reason)
        except StoreReplacedError as exc:
            # Not this program's store any more: nothing may be written to it, now or
            # later (the program says so and closes).
            logger.warning("The log out of %s (session %d) at %s is not recorded: %s",
                           session.user_id, session.session_id, at, exc.message)
            return False
        except TapeMasterError as exc:
            logger.warning("Could not record the log out of %s (session %d) at %s: %s; "
                           "retrying at the next write", session.user_id,
                           session.session_id, at, exc.message)
            self._pending.append(_PendingLogout(
                session, reason, at, maybe_saved=isinstance(exc, StoreCommitUnknownError)))
            return False
        return True

    def _write_logout(self, session: Session, reason: str, *,
                      unless_saved: bool = False) -> None:
        """End the session and audit the log out, in one transaction. With
        ``unless_saved`` (an earlier attempt's commit lost its answer), a session row
        already gone means that attempt was saved: nothing more is written, so the log
        out is recorded once."""
        ctx = self.ctx
        with ctx.store.write() as tx:
            if not tx.end_session(session.session_id) and unless_saved:
                logger.info("The log out of %s (session %d) had been saved before its "
                            "answer was lost", session.user_id, session.session_id)
                return
            tx.append_audit(ts=ctx.timestamp(), actor=session.user_id,
                            user_id=session.user_id, program=ctx.program, host=ctx.host,
                            event=str(Event.LOGGED_OUT), detail=reason)

    @property
    def pending(self) -> list[tuple[str, str]]:
        """Log outs not recorded yet: (User-ID, when), oldest first."""
        return [(p.session.user_id, p.at) for p in self._pending]

    def retry_pending(self) -> None:
        """Write the log outs that failed earlier, oldest first; stop at the first that
        fails again (the store still refuses: the rest would too)."""
        while self._pending:
            first = self._pending[0]
            late = f"logged out at {first.at}, recorded late"
            reason = f"{first.reason}; {late}" if first.reason else late
            try:
                self._write_logout(first.session, reason, unless_saved=first.maybe_saved)
            except StoreCommitUnknownError:
                first.maybe_saved = True  # this answer was lost too: look again next time
                logger.warning("The log out of %s (session %d) may or may not have been "
                               "recorded; looking again at the next write",
                               first.session.user_id, first.session.session_id)
                return
            except TapeMasterError as exc:
                logger.warning("The log out of %s (session %d) still cannot be recorded: %s",
                               first.session.user_id, first.session.session_id, exc.message)
                return
            self._pending.pop(0)
            logger.info("Recorded the log out of %s (session %d) from %s",
                        first.session.user_id, first.session.session_id, first.at)

    # --- the store key ------------------------------------------------------------------

    def restore_key(self, session: Session) -> str:
        """Write the store key in memory back where it went missing from (offered when
        a heartbeat found it gone); audited. Returns where it went, for people."""
        require_live(self.ctx, session)
        where = self.ctx.store.restore_key()
        ctx = self.ctx
        with ctx.store.write() as tx:
            tx.append_audit(ts=ctx.timestamp(), actor=session.user_id, user_id=None,
                            program=ctx.program, host=ctx.host,
                            event=str(Event.STORE_KEY_RESTORED), detail=f"to the {where}")
        return where


# --- what Active Users shows ---------------------------------------------------------------


def session_age(record: SessionRecord, now: float) -> float | None:
    """Seconds since the session's last heartbeat (negative: in the future), or None
    when the stored time cannot be read."""
    try:
        return now - datetime.fromisoformat(record.last_seen).timestamp()
    except ValueError:
        return None


def is_stale(record: SessionRecord, now: float, *, process_gone: bool) -> bool:
    """Whether Active Users removes this session: its process is gone, or it has not
    been seen for too long, or its last heartbeat is far in the future (a clock set
    wrong would otherwise keep it "active" for ever)."""
    if process_gone:
        return True
    age = session_age(record, now)
    if age is None:
        return True
    limit = ENDED_KEPT_SECONDS if record.end_reason is not None else SESSION_STALE_SECONDS
    return age > limit or age < -SESSION_STALE_SECONDS


def describe(record: SessionRecord, user: UserRecord | None, now: float) -> ActiveSession:
    """The state Active Users shows for one live (not stale) session."""
    stored = _stored_reason(record)
    if stored is not None:
        return ActiveSession(record, SessionState.ENDING, stored, record.ended_by)
    reason = verdict(user, user_id=record.user_id, program=record.program,
                     mark=record.otp_mark)
    if reason is not None:
        return ActiveSession(record, SessionState.ENDING, reason)
    age = session_age(record, now) or 0.0
    if age > SESSION_QUIET_SECONDS:
        return ActiveSession(record, SessionState.NOT_RESPONDING)
    return ActiveSession(record, SessionState.ACTIVE)
