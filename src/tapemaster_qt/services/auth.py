"""The logon engine: DESIGN.md §3's rules, in order, returning an outcome value.

The windows only render a :class:`LogonOutcome`; every decision is made here.

Sequence of one logon:
1. the password is checked outside any transaction (argon2 is slow; holding the
   write lock meanwhile would serialise every desktop on the store);
2. the decision and its consequences (failure count, revocation, OTP step, session,
   audit rows) are written in one short ``BEGIN IMMEDIATE`` transaction that re-reads
   the user, so racing programs see each other's effects;
3. replay protection is one conditional UPDATE ("only while the last accepted step is
   lower"), so two programs racing with one code get exactly one success; a recovery
   code is spent by one conditional DELETE, with the same effect.

A code typed into a One Time Password field is judged in one place,
:meth:`LogonService.judge_code`, whether it comes from the logon dialog, from Verify in
the One Time Password Setup popup or from a self-service step
(``services/self_service.py``): the same replay protection, skew diagnosis, failure
counting and audit rows everywhere.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from enum import Enum

from tapemaster_qt.errors import (
    QT_TRANSLATE_NOOP,
    ConflictError,
    StoreIntegrityError,
    ValidationError,
)
from tapemaster_qt.records import UserRecord
from tapemaster_qt.services import passwords, recovery, totp
from tapemaster_qt.services.audit import Event, FailReason
from tapemaster_qt.services.context import Context
from tapemaster_qt.services.grants import Grants
from tapemaster_qt.services.recovery import CodeEntry, parse_code_field
from tapemaster_qt.services.sessions import (
    Beat,
    Session,
    SessionKeeper,
    otp_mark,
    require_live,
    verdict,
)
from tapemaster_qt.services.validation import check_email, storable, user_id_problem
from tapemaster_qt.store import NewRecoveryCode, Transaction, UserChanges

logger = logging.getLogger(__name__)

BURNED_STEPS_KEPT = 16
CLOCK_BEHIND_STEPS = totp.WINDOW + 1
"""The last accepted step this far ahead of the clock means the clock went back: a
clock that only moves forward stays within WINDOW of every step it accepted."""
UNKNOWN_FORGET_SECONDS = 30 * 24 * 3600
"""A User-ID nobody has is forgotten this long after its last failed logon."""
UNKNOWN_KEPT = 100_000
"""At most this many unknown User-IDs are tracked (the most recently failed)."""
UNREADABLE = ("Your One Time Password secret cannot be read (it failed its integrity "
              "check); contact your administrator.")
MAX_PASSWORD_INPUT = 1024
"""Longer input cannot be a valid password (max 128); argon2 still sees a bounded string."""


class LogonStatus(Enum):
    # Successes: a session was started.
    SUCCESS = "success"
    ENROLMENT = "enrolment"
    """Password accepted, OTP enabled but not activated: show the QR, then carry on."""
    ACTIVATED = "activated"
    """The first valid code: OTP is now activated and required from here on. The
    outcome carries the user's new recovery codes, to be shown once."""
    RECOVERY = "recovery"
    """Logged on with a recovery code (now spent); ``recovery_codes_left`` says how
    many remain, and ``proof`` lets one self-service step follow without another code."""
    CONFIRMED = "confirmed"
    """A self-service step's code was accepted and the step is done (no new session)."""
    # Refusals.
    AUTHORIZATION_FAILURE = "authorization_failure"
    """A wrong password or an unknown User-ID; also any password for a disabled or
    tampered record (rule 2: the audit log holds the true reason)."""
    REVOKED = "revoked"
    """The User-ID is revoked, whatever the password (or an unknown User-ID failed as
    often as a real one is revoked after)."""
    PROGRAM_NOT_PERMITTED = "program_not_permitted"
    OTP_REQUIRED = "otp_required"
    BAD_OTP = "bad_otp"
    BAD_OTP_ENROLMENT = "bad_otp_enrolment"
    """A wrong code while OTP is not yet activated: suggest scanning the QR again."""
    OTP_REPLAY = "otp_replay"
    CLOCK_SKEW = "clock_skew"
    CLOCK_BEHIND = "clock_behind"
    """This computer's clock is behind the user's last accepted code (it went back):
    no code can be accepted until it catches up. Not counted toward revocation."""
    MALFORMED_CODE = "malformed_code"
    """The One Time Password field holds something that cannot be a code."""
    BAD_RECOVERY_CODE = "bad_recovery_code"
    """A well-formed recovery code that is not one of the user's unused ones."""
    BAD_NEW_DEVICE_CODE = "bad_new_device_code"
    """Moving to a new phone: the code is not one the new secret makes now (not
    counted: the user proved who they are before the new secret was made)."""

    @property
    def succeeded(self) -> bool:
        return self in (LogonStatus.SUCCESS, LogonStatus.ENROLMENT, LogonStatus.ACTIVATED,
                        LogonStatus.RECOVERY, LogonStatus.CONFIRMED)


@dataclass(frozen=True)
class LogonOutcome:
    status: LogonStatus
    user_id: str = ""
    program: str = ""
    session: Session | None = None
    provisioning_uri: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    """The Secret Key in groups of four, only for the enrolment popup."""
    account: str = ""
    """The account the authenticator app lists (:func:`totp.account_label`), for a
    window that shows the secret (ENROLMENT) or new recovery codes."""
    skew_seconds: int | None = None
    """For CLOCK_SKEW: how far the device clock is off (positive: ahead)."""
    wait_seconds: int | None = None
    """For CLOCK_BEHIND: how long until this computer's clock passes the last code."""
    previous_logon: str | None = None
    failures_since: int = 0
    """Failed attempts since the previous successful logon (shown after logon)."""
    recovery_codes: tuple[str, ...] = field(default=(), repr=False)
    """New recovery codes (canonical form) to show once: at activation, or made by a
    self-service step. Only their hashes were stored."""
    recovery_codes_left: int | None = None
    """Unused recovery codes after a success with One Time Password activated."""
    revoked: bool = False
    """This refusal was the failure that revoked the User-ID (a session in progress
    ends: its user may no longer log on)."""
    proof: FreshProof | None = field(default=None, repr=False)
    """After a logon with a recovery code: lets one self-service step follow at once
    without asking for another code (single use, a few minutes)."""

    @property
    def succeeded(self) -> bool:
        return self.status.succeeded


__all__ = ["LogonOutcome", "LogonService", "LogonStatus", "PasswordChangeService", "Session"]


@dataclass(frozen=True)
class Accepted:
    """A code that checked out but is not spent yet: a time step of the user's secret
    or one of their recovery codes (:meth:`LogonService.spend` spends it)."""

    step: int | None = None
    recovery_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FreshProof:
    """Who just proved their second factor, in this process, for a short while."""

    nonce: str = field(repr=False)
    store_id: str
    session_id: int
    user_id: str
    until: float


FRESH_PROOF_SECONDS = 300
_fresh_proofs: Grants[bool] = Grants(FRESH_PROOF_SECONDS)
"""Proofs handed out and not yet taken (in memory only: they never outlive the
program, and never leave the process that checked the code)."""


def _issue_proof(ctx: Context, session_id: int, user_id: str) -> FreshProof:
    nonce, until = _fresh_proofs.issue(ctx, session_id, user_id, True)
    return FreshProof(nonce, ctx.store.store_id, session_id, user_id, until)


def take_proof(ctx: Context, session: Session, proof: FreshProof | None) -> bool:
    """Spend ``proof`` for ``session``: True when it was handed out by this process for
    this session of this store, is not spent, and has not expired."""
    if proof is None:
        return False
    return _fresh_proofs.take(ctx, session.session_id, session.user_id,
                              proof.nonce) is True


class LogonService:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.sessions = SessionKeeper(ctx)
        """This program's heartbeat and log outs (one keeper per program)."""

    # --- logon ----------------------------------------------------------------------

    def logon(self, user_id: str, password: str, code: str = "") -> LogonOutcome:
        """One logon attempt; ``user_id`` may also be the user's e-mail address. A
        success names the User-ID (``outcome.user_id``), a refusal what was typed."""
        ctx = self._ctx
        program = ctx.program
        code_given = bool(code and code.strip())
        entry = parse_code_field(code) if code_given else None
        if code_given and entry is None:
            # Cannot be a code whatever the account: say so before anything else,
            # so a typo costs no attempt and tells nothing about the User-ID.
            return LogonOutcome(LogonStatus.MALFORMED_CODE, user_id, program)
        self.sessions.retry_pending()  # a log out a full disk refused: this is a write

        # The lockout rule first: a threshold changed or removed outside TapeMaster
        # refuses every logon alike (StoreTamperedError), before any password is looked
        # at, so that neither a guess goes uncounted nor the refusal tells anything.
        self._threshold()
        user = self._find(user_id)
        if len(password) > MAX_PASSWORD_INPUT:
            password = password[:MAX_PASSWORD_INPUT]
        # Exactly one argon2 check on every path: the time tells nothing either.
        if user is None or user.password_hash is None:
            ctx.hasher.dummy_verify(password)
            password_ok = False
        else:
            password_ok = ctx.hasher.verify(user.password_hash, password)
        if user is None:
            return self._refuse_unknown(user_id)
        # Rule 2: for a tampered, disabled or revoked record the answer never depends on
        # the password, or revocation would stop logons but not password guessing.
        if not password_ok or not user.integrity_ok or user.disabled or user.revoked:
            return self._refuse(user, user_id, password_ok=password_ok)

        # The password is right and the record usable: program access is told.
        if not user.may_run(program):
            self._audit_only(
                user.user_id, Event.LOGIN_FAILED, FailReason.PROGRAM_NOT_PERMITTED
            )
            return LogonOutcome(LogonStatus.PROGRAM_NOT_PERMITTED, user_id, program)

        if not user.otp_enabled:
            outcome = self._succeed(user, LogonStatus.SUCCESS, password=password)
            assert outcome is not None  # None only when an OTP step was taken meanwhile
            return outcome
        return self._logon_otp(user, entry, password)

    def _find(self, typed: str) -> UserRecord | None:
        """The user a typed User-ID or e-mail address names (DESIGN.md §2: users may log
        on with their e-mail address), or None. Either way the caller goes on to one
        argon2 check, so an e-mail address tells no more than a User-ID."""
        store = self._ctx.store
        if not _names_email(typed):
            return store.get_user(typed) if user_id_problem(typed) is None else None
        if typed != typed.strip() or not storable(typed):
            return None
        try:
            email = check_email(typed)
        except ValidationError:
            return None
        owner = store.email_owner(email) if email is not None else None
        return store.get_user(owner) if owner is not None else None

    def _logon_otp(self, user: UserRecord, entry: CodeEntry | None, password: str
                   ) -> LogonOutcome:
        ctx = self._ctx
        secret = ctx.store.decrypt_otp_secret(user)
        if secret is None:
            # The secret does not decrypt for this user: moved from another row or
            # damaged. A failed integrity check, never "no OTP"; answered (and counted)
            # like a wrong password, with the truth in the audit log.
            with ctx.store.write() as tx:
                self._audit(tx, user.user_id, Event.INTEGRITY_FAILED, "otp secret unreadable")
            self.record_failure(user.user_id, FailReason.INTEGRITY_FAILED,
                                detail="otp secret unreadable")
            return LogonOutcome(LogonStatus.AUTHORIZATION_FAILURE, user.user_id, ctx.program)

        if entry is None:
            if user.otp_activated:
                self._audit_only(user.user_id, Event.LOGIN_FAILED, FailReason.OTP_REQUIRED)
                return LogonOutcome(LogonStatus.OTP_REQUIRED, user.user_id, ctx.program)
            issuer = ctx.store.setting("issuer")
            enrolment = self._succeed(
                user, LogonStatus.ENROLMENT, password=password,
                provisioning_uri=totp.provisioning_uri(secret, user.user_id, issuer),
                secret_key=totp.group_secret(totp.to_base32(secret)),
            )
            assert enrolment is not None  # no OTP step to race for
            return enrolment

        judged = self.judge_code(user, secret, entry)
        if isinstance(judged, LogonOutcome):
            return judged
        codes: list[str] = []
        if not user.otp_activated:
            status = LogonStatus.ACTIVATED
            codes = recovery.new_codes()
        elif judged.recovery_code is not None:
            status = LogonStatus.RECOVERY
        else:
            status = LogonStatus.SUCCESS
        outcome = self._succeed(user, status, password=password, accepted=judged,
                                new_codes=codes)
        if outcome is not None:
            return outcome
        return self.refuse_spent(user, judged)

    # --- the one place a code is judged -------------------------------------------------

    def judge_code(self, user: UserRecord, secret: bytes, entry: CodeEntry, *,
                   purpose: str = "") -> Accepted | LogonOutcome:
        """Judge what was typed into a One Time Password field for ``user``, whose
        decrypted secret is ``secret``: at logon, in the setup popup's Verify, before a
        self-service step (``purpose`` says which in the audit log).

        A refusal comes back as an outcome, already audited and counted toward
        revocation (except when this computer's clock is behind the last accepted
        code: no fault of the user's). An accepted code is not spent yet: the caller
        spends it with :meth:`spend` in the transaction that records what it was for.
        """
        ctx = self._ctx
        if entry.recovery:
            # Recovery codes exist only while One Time Password is activated; before
            # that, one cannot stand in for the first code from the app.
            found = (ctx.store.find_recovery_code(user.user_id, entry.value)
                     if user.otp_activated else None)
            if found is not None and not found.integrity_ok:
                self._audit_only(user.user_id, Event.INTEGRITY_FAILED,
                                 "a recovery code failed its integrity check; refused")
                found = None
            # One argon2id check: the keyed fingerprint found the one row it can be.
            if found is not None and ctx.code_hasher.verify(found.code_hash, entry.value):
                return Accepted(recovery_code=entry.value)
            revoked = self.record_failure(user.user_id, FailReason.BAD_OTP,
                                          detail=_detail("recovery code", purpose))
            return LogonOutcome(LogonStatus.BAD_RECOVERY_CODE, user.user_id, ctx.program,
                                revoked=revoked)

        code = entry.value
        now = ctx.now()
        if user.otp_last_step is not None:
            behind = user.otp_last_step - totp.time_step(now)
            if behind >= CLOCK_BEHIND_STEPS:
                # Every step in the window is at or before the last accepted one, so no
                # code can pass (replay protection holds). Say what is wrong instead of
                # "already used", and do not count it: the user is not to blame, and
                # repeated tries would revoke them. The code is not even evaluated, so
                # the answer tells nothing about it.
                self._audit_only(
                    user.user_id, Event.LOGIN_FAILED,
                    f"{FailReason.BAD_OTP}; this computer's clock is {behind * totp.PERIOD}s"
                    " behind the last accepted code (not counted)"
                    + (f"; {purpose}" if purpose else ""),
                )
                wait = (user.otp_last_step + 1) * totp.PERIOD - now
                return LogonOutcome(LogonStatus.CLOCK_BEHIND, user.user_id, ctx.program,
                                    wait_seconds=max(1, round(wait)))
        step = totp.match_step(secret, code, now)
        if step is not None and step not in user.otp_burned_steps:
            return Accepted(step=step)

        skew = totp.diagnose_skew(secret, code, now) if step is None else None
        if skew is not None:
            offset, skew_step = skew
            # The code will be (or was) valid at another time: burn that step so the
            # diagnosis can never hand anyone a usable code.
            revoked = self.record_failure(user.user_id, FailReason.BAD_OTP,
                                          skew=(offset, skew_step), detail=purpose)
            return LogonOutcome(LogonStatus.CLOCK_SKEW, user.user_id, ctx.program,
                                skew_seconds=offset, revoked=revoked)
        revoked = self.record_failure(user.user_id, FailReason.BAD_OTP, detail=purpose)
        status = LogonStatus.BAD_OTP if user.otp_activated else LogonStatus.BAD_OTP_ENROLMENT
        return LogonOutcome(status, user.user_id, ctx.program, revoked=revoked)

    def spend(self, tx: Transaction, fresh: UserRecord, accepted: Accepted,
              changes: UserChanges) -> bool:
        """Spend an accepted code in ``tx`` together with ``changes`` to the user: a
        time step by one conditional UPDATE (only while the last accepted step is
        lower), a recovery code by one conditional DELETE. False when another program
        spent it first; then nothing was written."""
        if accepted.step is not None:
            # Burned steps at or below the accepted one can never come back.
            changes = dataclasses.replace(
                changes, otp_last_step=accepted.step, otp_activated=True,
                otp_burned_steps=tuple(s for s in fresh.otp_burned_steps if s > accepted.step),
            )
            return tx.update_user(fresh.user_id, changes, require_step_below=accepted.step)
        assert accepted.recovery_code is not None
        if not tx.use_recovery_code(fresh.user_id, accepted.recovery_code):
            return False
        if changes:
            tx.update_user(fresh.user_id, changes)
        return True

    def refuse_spent(self, user: UserRecord, accepted: Accepted, purpose: str = ""
                     ) -> LogonOutcome:
        """The answer to a code another program spent between the check and the write:
        a replay, counted like any wrong code."""
        ctx = self._ctx
        if accepted.step is not None:
            revoked = self.record_failure(user.user_id, FailReason.BAD_OTP, replay=True,
                                          detail=_detail("replayed code", purpose))
            return LogonOutcome(LogonStatus.OTP_REPLAY, user.user_id, ctx.program,
                                revoked=revoked)
        revoked = self.record_failure(user.user_id, FailReason.BAD_OTP,
                                      detail=_detail("recovery code already used", purpose))
        return LogonOutcome(LogonStatus.BAD_RECOVERY_CODE, user.user_id, ctx.program,
                            revoked=revoked)

    def hash_codes(self, codes: list[str]) -> list[NewRecoveryCode]:
        """New recovery codes with their argon2id hashes (slow: made before a write
        transaction, never inside one)."""
        hasher = self._ctx.code_hasher
        return [NewRecoveryCode(code, hasher.hash(code)) for code in codes]

    # --- verify now (the One Time Password Setup popup) -----------------------------------

    def verify_enrolment(self, session: Session, code: str) -> LogonOutcome:
        """Verify in the One Time Password Setup popup: a code from the app the user just
        set up activates One Time Password at once, under a logon's rules (the same
        judgement, replay protection and failure counting). The session goes on
        whatever the answer, unless a failure revoked the User-ID (``revoked``)."""
        ctx = self._ctx
        if not code.strip():
            return LogonOutcome(LogonStatus.OTP_REQUIRED, session.user_id, ctx.program)
        entry = parse_code_field(code)
        if entry is None:
            return LogonOutcome(LogonStatus.MALFORMED_CODE, session.user_id, ctx.program)
        # The session first, by the user's uid: one that must end (the secret renewed
        # while this popup shows the old one, the User-ID disabled, revoked or
        # tampered...) ends here, as before every self-service step.
        user = require_live(ctx, session)
        if not user.otp_enabled:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "One Time Password has been switched off for your User-ID meanwhile; "
                    "there is nothing to verify."))
        if user.otp_activated:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "One Time Password is already activated for your User-ID (in another "
                    "program); use a code at your next logon."))
        secret = self.readable_secret(user)
        purpose = "verify in the setup popup"
        judged = self.judge_code(user, secret, entry, purpose=purpose)
        if isinstance(judged, LogonOutcome):
            return judged
        codes = recovery.new_codes()
        hashed = self.hash_codes(codes)
        with ctx.store.write() as tx:
            fresh = tx.get_user(user.user_id)
            if recheck(fresh, user) is not None:
                spent = None  # changed by another program or an administrator meanwhile
            else:
                assert fresh is not None
                spent = self.spend(tx, fresh, judged, UserChanges(failed_logons=0))
            if spent:
                tx.replace_recovery_codes(user.user_id, hashed, ctx.timestamp())
                self._audit(tx, user.user_id, Event.OTP_ACTIVATED, "verified in the setup popup")
                self._audit(tx, user.user_id, Event.RECOVERY_CODES_CREATED,
                            f"{len(codes)} codes, at activation")
        if spent is None:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your One Time Password was changed meanwhile (in another program or by "
                    "an administrator); nothing was activated. Log on again."))
        if not spent:
            return self.refuse_spent(user, judged, purpose)
        return LogonOutcome(LogonStatus.ACTIVATED, user.user_id, ctx.program, session=session,
                            recovery_codes=tuple(codes), recovery_codes_left=len(codes),
                            account=self.account_label(user.user_id))

    def account_label(self, user_id: str) -> str:
        """The account the user's authenticator app lists, under the store's issuer."""
        return totp.account_label(self._ctx.store.setting("issuer"), user_id)

    def readable_secret(self, user: UserRecord) -> bytes:
        """Once logged on: the user's decrypted One Time Password secret, to judge a
        code with; a secret that does not decrypt for this user (moved from another
        row, or damaged) is audited as ``integrity_failed`` and refused in words."""
        secret = self._ctx.store.decrypt_otp_secret(user)
        if secret is None:
            self._audit_only(user.user_id, Event.INTEGRITY_FAILED, "otp secret unreadable")
            raise ValidationError(UNREADABLE)
        return secret

    # --- writing the outcome ----------------------------------------------------------

    def _audit(self, tx: Transaction, user_id: str | None, event: str, detail: str = "") -> int:
        ctx = self._ctx
        return tx.append_audit(
            ts=ctx.timestamp(), actor=user_id or "-", user_id=user_id, program=ctx.program,
            host=ctx.host, event=str(event), detail=str(detail),
        )

    def _audit_only(self, user_id: str | None, event: str, detail: str = "") -> None:
        with self._ctx.store.write() as tx:
            self._audit(tx, user_id, event, detail)

    def record_failure(
        self, user_id: str, reason: FailReason, *, replay: bool = False,
        skew: tuple[int, int] | None = None, detail: str = "",
    ) -> bool:
        """Count one failure toward revocation and audit it, atomically; True when this
        failure revoked the User-ID. Every refused attempt of a logged-on user's is
        counted here too (a wrong code in a window, a wrong current password)."""
        with self._ctx.store.write() as tx:
            user = tx.get_user(user_id)
            if replay:
                self._audit(tx, user_id, Event.OTP_REPLAY_REJECTED)
            if skew is not None:
                self._audit(tx, user_id, Event.OTP_CLOCK_SKEW, f"device clock off by {skew[0]:+d}s")
            text = str(reason) + (f"; {detail}" if detail else "")
            if skew is not None:
                text += "; clock skew"
            self._audit(tx, user_id, Event.LOGIN_FAILED, text)
            if user is None:
                return False
            burned = None
            if skew is not None:
                burned = [s for s in user.otp_burned_steps if s != skew[1]] + [skew[1]]
            return self._count(tx, user,
                               burned=tuple(burned[-BURNED_STEPS_KEPT:]) if burned else None)

    def _count(self, tx: Transaction, user: UserRecord, *,
               burned: tuple[int, ...] | None = None) -> bool:
        """One more failed attempt on ``user`` (read in ``tx``): the consecutive count,
        which revokes past the threshold, and the count since the last logon, which the
        user is shown. A record that failed its integrity check is counted too, without
        re-sealing it: counting must not launder it. True when this one revoked."""
        failures = user.failed_logons + 1
        revoke = failures > self._threshold() and not user.revoked
        changes = UserChanges(
            failed_logons=failures, failures_since_logon=user.failures_since_logon + 1,
            last_failed_logon=self._ctx.timestamp(),
        )
        if revoke:
            changes = dataclasses.replace(changes, revoked=True)
        if not user.integrity_ok:
            tx.update_tampered_user(user.user_id, changes)
        else:
            if burned is not None:
                changes = dataclasses.replace(changes, otp_burned_steps=burned)
            tx.update_user(user.user_id, changes)
        if revoke:
            self._audit(tx, user.user_id, Event.ACCOUNT_REVOKED,
                        f"{failures} consecutive failed logons")
        return revoke

    def _refuse(self, user: UserRecord, typed: str, *, password_ok: bool) -> LogonOutcome:
        """A wrong password, or any password for a tampered, disabled or revoked record:
        counted and audited with the true reasons. The answer is the same for all of
        them, "Authorization Failure", until the record is revoked, then "Access Revoked"
        whatever the password: what an unknown User-ID gets too."""
        ctx = self._ctx
        with ctx.store.write() as tx:
            fresh = tx.get_user(user.user_id) or user
            reasons = [str(r) for r, applies in (
                (FailReason.INTEGRITY_FAILED, not fresh.integrity_ok),
                (FailReason.DISABLED, fresh.disabled), (FailReason.REVOKED, fresh.revoked),
            ) if applies]
            if not password_ok:
                reasons.append(str(FailReason.BAD_PASSWORD))
                if fresh.password_hash is None:
                    reasons.append("no password set")
            if not fresh.integrity_ok:
                self._audit(tx, fresh.user_id, Event.INTEGRITY_FAILED, "logon refused")
            self._audit(tx, fresh.user_id, Event.LOGIN_FAILED, "; ".join(reasons))
            self._count(tx, fresh)
        status = LogonStatus.REVOKED if fresh.revoked else LogonStatus.AUTHORIZATION_FAILURE
        return LogonOutcome(status, typed, ctx.program)

    def _refuse_unknown(self, typed: str) -> LogonOutcome:
        """A User-ID (or e-mail address) nobody has: counted under a keyed hash of it,
        so that it reaches "Access Revoked" after as many failures as a real one. Typed
        names share a count exactly when they would name the same user (:meth:`_find`):
        a User-ID as typed, an e-mail address ignoring case."""
        ctx = self._ctx
        threshold = self._threshold()
        with ctx.store.write() as tx:
            failures = tx.count_unknown_failure(
                typed, email=_names_email(typed), ts=ctx.timestamp(),
                forget_before=ctx.timestamp(ctx.now() - UNKNOWN_FORGET_SECONDS),
                keep=UNKNOWN_KEPT)
            self._audit(tx, None, Event.LOGIN_FAILED, FailReason.UNKNOWN_USER)
            if failures == threshold + 1:
                self._audit(tx, None, Event.ACCOUNT_REVOKED,
                            f"unknown User-ID: {failures} consecutive failed logons")
        status = (LogonStatus.REVOKED if failures - 1 > threshold
                  else LogonStatus.AUTHORIZATION_FAILURE)
        return LogonOutcome(status, typed, ctx.program)

    def _threshold(self) -> int:
        try:
            return max(1, int(self._ctx.store.setting("lockout_threshold")))
        except ValueError:
            return 5

    def _succeed(
        self, user: UserRecord, status: LogonStatus, *, password: str,
        accepted: Accepted | None = None, new_codes: list[str] | None = None,
        provisioning_uri: str | None = None, secret_key: str | None = None,
    ) -> LogonOutcome | None:
        """Record a successful logon; None when its code was spent meanwhile. At
        activation ``new_codes`` become the user's recovery codes."""
        ctx = self._ctx
        assert user.password_hash is not None
        # Upgrade the hash when the parameters changed, and hash new recovery codes
        # (before the write lock: slow).
        new_hash = (ctx.hasher.hash(password)
                    if ctx.hasher.needs_rehash(user.password_hash) else None)
        hashed = self.hash_codes(new_codes) if new_codes else []
        codes_left: int | None = None
        now = ctx.timestamp()
        try:
            with ctx.store.write() as tx:
                fresh = tx.get_user(user.user_id)
                refusal = recheck(fresh, user, password=True)
                if refusal is FailReason.OTP_REQUIRED and status is LogonStatus.ACTIVATED:
                    # Another program activated One Time Password meanwhile (Verify in
                    # its setup popup, or a logon with an earlier code) and showed the
                    # recovery codes it made: this later code still logs on, as a plain
                    # logon, and those codes stay the user's.
                    status, hashed, new_codes, refusal = LogonStatus.SUCCESS, [], None, None
                if refusal is not None:
                    self._audit(tx, user.user_id, Event.LOGIN_FAILED, refusal.value)
                    return LogonOutcome(
                        _REFUSAL_STATUS[refusal], user.user_id, ctx.program
                    )
                assert fresh is not None
                changes = UserChanges(failed_logons=0, failures_since_logon=0, last_logon=now)
                if new_hash is not None:
                    changes = dataclasses.replace(changes, password_hash=new_hash)
                if accepted is not None:
                    if not self.spend(tx, fresh, accepted, changes):
                        return None
                else:
                    tx.update_user(user.user_id, changes)
                if status is LogonStatus.ENROLMENT:
                    self._audit(tx, user.user_id, Event.OTP_ENROLLMENT_SHOWN)
                if status is LogonStatus.ACTIVATED:
                    self._audit(tx, user.user_id, Event.OTP_ACTIVATED)
                    tx.replace_recovery_codes(user.user_id, hashed, now)
                    self._audit(tx, user.user_id, Event.RECOVERY_CODES_CREATED,
                                f"{len(hashed)} codes, at activation")
                if accepted is not None:
                    codes_left = sum(1 for c in tx.recovery_codes(user.user_id)
                                     if c.integrity_ok)
                if status is LogonStatus.RECOVERY:
                    self._audit(tx, user.user_id, Event.RECOVERY_CODE_USED,
                                f"to log on; {codes_left} left")
                logon_row = self._audit(
                    tx, user.user_id, Event.LOGIN_SUCCEEDED,
                    "" if accepted is None else "otp" if accepted.step is not None
                    else "recovery code")
                # The logon's audit row id: never reused, unlike the largest id of a
                # table rows are deleted from, so a program whose session was removed
                # as stale can never touch (or end) another user's session.
                mark = otp_mark(fresh)
                session_id = tx.start_session(
                    user_id=fresh.user_id, user_uid=fresh.uid, otp_mark=mark,
                    program=ctx.program, host=ctx.host, pid=ctx.pid, ts=now,
                    session_id=logon_row)
        except StoreIntegrityError:
            self._audit_only(user.user_id, Event.INTEGRITY_FAILED, "logon refused")
            return LogonOutcome(LogonStatus.AUTHORIZATION_FAILURE, user.user_id, ctx.program)
        session = Session(
            session_id=session_id, user_id=fresh.user_id, name=fresh.name, program=ctx.program,
            tapemaster_rights=fresh.tapemaster_rights, no_timeout=fresh.no_timeout, since=now,
            uid=fresh.uid, otp_mark=mark,
        )
        proof = (_issue_proof(ctx, session_id, fresh.user_id)
                 if status is LogonStatus.RECOVERY else None)
        shows_secrets = status in (LogonStatus.ENROLMENT, LogonStatus.ACTIVATED)
        return LogonOutcome(
            status, fresh.user_id, ctx.program, session=session,
            provisioning_uri=provisioning_uri, secret_key=secret_key,
            account=self.account_label(fresh.user_id) if shows_secrets else "",
            previous_logon=fresh.last_logon, failures_since=fresh.failures_since_logon,
            recovery_codes=tuple(new_codes or ()), recovery_codes_left=codes_left,
            proof=proof,
        )

    # --- sessions -----------------------------------------------------------------------

    def heartbeat(self, session: Session) -> Beat:
        """See :meth:`SessionKeeper.heartbeat`: the session re-checked against the
        store; true while it goes on."""
        return self.sessions.heartbeat(session)

    def logout(self, session: Session, reason: str = "") -> bool:
        """See :meth:`SessionKeeper.logout`; False when the write is pending."""
        return self.sessions.logout(session, reason)


def recheck(fresh: UserRecord | None, seen: UserRecord, *, password: bool = False
            ) -> FailReason | None:
    """Why a step judged on ``seen`` must not be written now that the record reads
    ``fresh`` (again, inside the write transaction): another program or an
    administrator changed what the judgement rested on meanwhile. None when nothing
    did. The one re-check of a logon, of Verify in the setup popup and of every
    self-service step.

    ``password``: the step checked the password (a logon), so a new one refuses it.
    One Time Password activated meanwhile refuses a step judged without it: a logon
    without a code (OTP_REQUIRED: a code is needed now), Verify, or a first code that
    would make new recovery codes over the ones the other program showed (a logon
    carries on as a plain logon instead, see ``_succeed``); deactivated meanwhile, it
    refuses a code judged as an activated user's.
    """
    if (fresh is None or fresh.uid != seen.uid  # deleted, or deleted and added again
            or (password and fresh.password_hash != seen.password_hash)):
        return FailReason.BAD_PASSWORD
    if not fresh.integrity_ok:
        return FailReason.INTEGRITY_FAILED
    if fresh.revoked:
        return FailReason.REVOKED
    if fresh.disabled:
        return FailReason.DISABLED
    if fresh.otp_secret != seen.otp_secret or fresh.otp_enabled != seen.otp_enabled:
        return FailReason.BAD_OTP
    if fresh.otp_activated != seen.otp_activated:
        return FailReason.OTP_REQUIRED if fresh.otp_activated else FailReason.BAD_OTP
    return None


def _names_email(typed: str) -> bool:
    """Whether the logon's User-ID field holds an e-mail address (a User-ID cannot
    hold an ``@``)."""
    return "@" in typed


def _detail(text: str, purpose: str) -> str:
    """An audit detail, with what the code was for when it was not a logon."""
    return "; ".join(part for part in (text, purpose) if part)


_REFUSAL_STATUS = {
    FailReason.BAD_PASSWORD: LogonStatus.AUTHORIZATION_FAILURE,
    FailReason.INTEGRITY_FAILED: LogonStatus.AUTHORIZATION_FAILURE,
    FailReason.REVOKED: LogonStatus.REVOKED,
    FailReason.DISABLED: LogonStatus.AUTHORIZATION_FAILURE,
    FailReason.BAD_OTP: LogonStatus.BAD_OTP,
    FailReason.OTP_REQUIRED: LogonStatus.OTP_REQUIRED,
}
"""What a logon refused by a change made meanwhile answers (see recheck); disabled
and tampered answer as a wrong password does (rule 2)."""


class PasswordChangeService:
    """File ▸ Reset Password: a logged-on user changes their own password."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._engine = LogonService(ctx)

    def change_password(self, session: Session, current: str, new: str) -> None:
        """Raise ValidationError when the current password is wrong or the new one
        breaks a rule. A wrong current password counts toward revocation, as at logon:
        someone at an unattended desktop must not get unlimited guesses."""
        ctx = self._ctx
        # Checked before the password, by the user's uid: a session that must end (the
        # User-ID revoked, disabled, deleted, the program taken away...) ends here, so
        # guesses stop being answered once revocation is reached.
        user = require_live(ctx, session)
        if user.password_hash is None or not ctx.hasher.verify(user.password_hash, current):
            self._engine.record_failure(user.user_id, FailReason.BAD_PASSWORD,
                                        detail="password change")
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                        "errors",
                        "The current password is not correct. Like failed logons, wrong "
                        "current passwords count toward revoking the User-ID."), "Current Password")
        passwords.check_rules(new, user.user_id)
        if ctx.hasher.verify(user.password_hash, new):
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "The new password must differ from the current one."),
                                  "New Password")
        new_hash = ctx.hasher.hash(new)
        with ctx.store.write() as tx:
            # Hashing took a moment: the user is read again by uid, in the transaction
            # that writes, so the new password goes to the same user, still allowed.
            fresh = tx.get_user_by_uid(session.uid)
            allowed = verdict(fresh, user_id=session.user_id, program=session.program,
                              mark=session.otp_mark) is None
            if allowed:
                tx.update_user(user.user_id, UserChanges(password_hash=new_hash))
                tx.append_audit(
                    ts=ctx.timestamp(), actor=user.user_id, user_id=user.user_id,
                    program=ctx.program, host=ctx.host, event=str(Event.PASSWORD_CHANGED),
                    detail="own password",
                )
        if not allowed:
            require_live(ctx, session)  # ends the session and says why
            raise ConflictError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your User-ID changed while the password was being changed; nothing was "
                    "changed. Try again."))
