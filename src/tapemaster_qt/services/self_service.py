"""File ▸ One Time Password…: what a logged-on user may do about their own One Time
Password without an administrator (DESIGN.md §3a).

- see when it was activated and how many recovery codes are left;
- make new recovery codes (the old ones die);
- move to a new phone: a new secret and QR, which replaces the old secret only when a
  code from the new phone verifies (until then the old one keeps working).

Each step first takes a current code from the app, or a recovery code, judged by the
logon engine (:meth:`LogonService.judge_code`: replay protection, skew diagnosis, the
failure counted toward revocation as at logon) and spent in the transaction that does
the step; each step is audited. Right after a logon with a recovery code, that logon's
proof (:class:`~tapemaster_qt.services.auth.FreshProof`) stands in for the code once,
so someone who lost their phone spends one recovery code, not two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, ValidationError
from tapemaster_qt.records import UserRecord
from tapemaster_qt.services import recovery, totp
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.auth import (
    Accepted,
    FreshProof,
    LogonOutcome,
    LogonService,
    LogonStatus,
    Session,
    recheck,
    take_proof,
)
from tapemaster_qt.services.context import Context
from tapemaster_qt.services.grants import Grants
from tapemaster_qt.services.recovery import parse_code_field
from tapemaster_qt.services.sessions import otp_mark, require_live
from tapemaster_qt.store import Transaction, UserChanges


@dataclass(frozen=True)
class OtpState:
    """What the window shows about the user's own One Time Password."""

    user_id: str
    enabled: bool
    activated: bool
    activated_at: str | None
    """When it was last activated (first code, Verify, or a new phone); None if unknown."""
    recovery_codes_left: int
    recovery_codes_made: str | None
    """When the current recovery codes were made; None without any."""


NEW_DEVICE_MINUTES = 15
"""How long a new phone's set-up lasts once begun, to scan the QR and verify a code."""


@dataclass(frozen=True)
class NewDevice:
    """A new phone being set up, as the window shows it, and the nonce that names it.
    Its secret exists only in this process's registry, for the session that began the
    move and for :data:`NEW_DEVICE_MINUTES`, until a code from it verifies
    (:meth:`OtpSelfService.finish_new_device`): nothing the caller holds or makes up
    can choose the secret that replaces the user's."""

    nonce: str = field(repr=False)
    provisioning_uri: str = field(repr=False)
    secret_key: str = field(repr=False)
    account: str


@dataclass(frozen=True)
class _PendingDevice:
    secret: bytes = field(repr=False)
    replaces: bytes | None = field(repr=False)
    """The stored (encrypted) secret it replaces: if that changes meanwhile (an
    administrator renewed it), the move is refused."""


_new_devices: Grants[_PendingDevice] = Grants(NEW_DEVICE_MINUTES * 60)


class OtpSelfService:
    """The logged-on user's own One Time Password; every call re-reads their record."""

    def __init__(self, ctx: Context, session: Session) -> None:
        self._ctx = ctx
        self.session = session
        self._engine = LogonService(ctx)

    # --- reading --------------------------------------------------------------------------

    def state(self) -> OtpState:
        store = self._ctx.store
        user = self._user()
        codes = [c for c in store.recovery_codes(user.user_id) if c.integrity_ok]
        activated = store.last_audit_event(user.user_id, Event.OTP_ACTIVATED)
        return OtpState(
            user_id=user.user_id, enabled=user.otp_enabled, activated=user.otp_activated,
            activated_at=activated.ts if activated is not None and user.otp_activated
            else None,
            recovery_codes_left=len(codes) if user.otp_enabled else 0,
            recovery_codes_made=codes[0].created if codes and user.otp_enabled else None,
        )

    # --- the steps ------------------------------------------------------------------------

    def new_recovery_codes(self, code: str, *, proof: FreshProof | None = None
                           ) -> LogonOutcome:
        """Make new recovery codes (the old ones die). CONFIRMED carries the new codes,
        to be shown once; any other status is a refusal of ``code``."""
        purpose = "new recovery codes"
        checked = self._confirm(code, proof, purpose)
        if isinstance(checked, LogonOutcome):
            return checked
        user, accepted = checked
        ctx = self._ctx
        codes = recovery.new_codes()
        hashed = self._engine.hash_codes(codes)
        with ctx.store.write() as tx:
            fresh = self._fresh(tx, user)
            if not self._spend(tx, fresh, accepted, purpose):
                spent = False
            else:
                spent = True
                old = tx.replace_recovery_codes(user.user_id, hashed, ctx.timestamp())
                self._audit(tx, Event.RECOVERY_CODES_CREATED,
                            f"{len(codes)} codes, made by the user ({_how(accepted)}); "
                            f"{old} old ones revoked")
        if not spent:
            assert accepted is not None
            return self._engine.refuse_spent(user, accepted, purpose)
        return LogonOutcome(LogonStatus.CONFIRMED, user.user_id, ctx.program,
                            recovery_codes=tuple(codes), recovery_codes_left=len(codes),
                            account=self._engine.account_label(user.user_id))

    def begin_new_device(self, code: str, *, proof: FreshProof | None = None
                         ) -> tuple[LogonOutcome, NewDevice | None]:
        """Start moving to a new phone: after ``code`` checks out, a new secret to scan.
        Nothing is stored but the spent code and the audit row: the old secret keeps
        working until :meth:`finish_new_device` verifies a code from the new phone."""
        purpose = "move to a new phone"
        checked = self._confirm(code, proof, purpose)
        if isinstance(checked, LogonOutcome):
            return checked, None
        user, accepted = checked
        ctx = self._ctx
        with ctx.store.write() as tx:
            fresh = self._fresh(tx, user)
            spent = self._spend(tx, fresh, accepted, purpose)
            if spent:
                self._audit(tx, Event.OTP_ENROLLMENT_SHOWN,
                            f"new phone ({_how(accepted)}); the current one works until "
                            "the new one is verified")
        if not spent:
            assert accepted is not None
            return self._engine.refuse_spent(user, accepted, purpose), None
        secret = totp.new_secret()
        issuer = ctx.store.setting("issuer")
        nonce, _until = _new_devices.issue(ctx, self.session.session_id, user.user_id,
                                           _PendingDevice(secret, user.otp_secret))
        device = NewDevice(
            nonce=nonce, provisioning_uri=totp.provisioning_uri(secret, user.user_id, issuer),
            secret_key=totp.group_secret(totp.to_base32(secret)),
            account=totp.account_label(issuer, user.user_id),
        )
        return LogonOutcome(LogonStatus.CONFIRMED, user.user_id, ctx.program), device

    def finish_new_device(self, device: NewDevice, code: str) -> LogonOutcome:
        """Verify a code from the new phone; CONFIRMED means the new secret replaced the
        old one (the old phone's codes stop working now). A wrong code is explained
        and not counted: the user proved who they are when the move began, and the
        new secret is only on their screen.

        ``device`` must be one :meth:`begin_new_device` handed to this session, not
        verified yet, begun less than :data:`NEW_DEVICE_MINUTES` ago.
        """
        ctx = self._ctx
        session = self.session
        pending = _new_devices.get(ctx, session.session_id, session.user_id, device.nonce)
        if pending is None:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "errors",
                    "This move to a new phone has ended (it lasts {minutes} minutes, in the "
                    "window it was started from); nothing was changed. Start again."),
                params={"minutes": NEW_DEVICE_MINUTES})

        def forget() -> None:
            _new_devices.take(ctx, session.session_id, session.user_id, device.nonce)

        try:
            user = self._usable(replacing=pending.replaces)
        except ValidationError:
            forget()
            raise
        entry = parse_code_field(code) if code.strip() else None
        if entry is None or entry.recovery:
            status = (LogonStatus.OTP_REQUIRED if not code.strip() else
                      LogonStatus.BAD_NEW_DEVICE_CODE if entry is not None
                      else LogonStatus.MALFORMED_CODE)
            return LogonOutcome(status, user.user_id, ctx.program)
        now = ctx.now()
        step = totp.match_step(pending.secret, entry.value, now)
        if step is None:
            skew = totp.diagnose_skew(pending.secret, entry.value, now)
            with ctx.store.write() as tx:
                if skew is not None:
                    self._audit(tx, Event.OTP_CLOCK_SKEW,
                                f"new phone's clock off by {skew[0]:+d}s (not counted)")
                self._audit(tx, Event.LOGIN_FAILED,
                            "bad_otp; code from the new phone (not counted)")
            if skew is not None:
                return LogonOutcome(LogonStatus.CLOCK_SKEW, user.user_id, ctx.program,
                                    skew_seconds=skew[0])
            return LogonOutcome(LogonStatus.BAD_NEW_DEVICE_CODE, user.user_id, ctx.program)
        try:
            with ctx.store.write() as tx:
                fresh = self._fresh(tx, user)
                if fresh.otp_secret != pending.replaces:
                    raise ValidationError(QT_TRANSLATE_NOOP(
                            "errors",
                            "Your One Time Password was changed meanwhile; nothing was "
                            "changed. Start again."))
                # A new secret starts a new replay history: its first accepted step.
                tx.update_user(user.user_id, UserChanges(
                    otp_secret=tx.encrypt_otp_secret(user.user_id, pending.secret),
                    otp_activated=True, otp_last_step=step, otp_burned_steps=()))
                # The user renewed it themselves: this session goes on under the new
                # secret (a renewal by an administrator ends sessions; this one does not).
                moved = tx.get_user_by_uid(user.uid)
                assert moved is not None
                tx.set_session_otp_mark(self.session.session_id, otp_mark(moved))
                self._audit(tx, Event.OTP_ACTIVATED,
                            "new phone verified; the previous secret was destroyed")
        except ValidationError:  # changed meanwhile: this move can never finish
            forget()
            raise
        forget()  # verified: used once
        return LogonOutcome(LogonStatus.CONFIRMED, user.user_id, ctx.program)

    # --- helpers --------------------------------------------------------------------------

    def _user(self) -> UserRecord:
        # By the user's uid, with the session: a session that must end (the User-ID
        # deleted and added again, disabled, the secret renewed...) ends here.
        return require_live(self._ctx, self.session)

    def _usable(self, *, replacing: bytes | None = None) -> UserRecord:
        """The user's record, when it may take a self-service step at all: the session
        first, as Verify in the setup popup checks it, before any code is judged (a
        revoked, disabled or tampered User-ID ends it: guesses stop being answered).
        ``replacing``: the stored secret a new phone's replaces, which must still be."""
        user = self._user()
        if replacing is not None and user.otp_secret != replacing:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your One Time Password was changed meanwhile (by an administrator, or in"
                    " another program); nothing was changed. Start again."))
        if not user.otp_enabled:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your User-ID does not use a One Time Password."))
        if not user.otp_activated:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your One Time Password is not activated yet: log on once with a code "
                    "from your app (or use Verify in the One Time Password Setup) first."))
        return user

    def _confirm(self, code: str, proof: FreshProof | None, purpose: str
                 ) -> tuple[UserRecord, Accepted | None] | LogonOutcome:
        """The user and their accepted (not yet spent) code, or the refusal. A fresh
        proof from a logon with a recovery code stands in for the code, once."""
        ctx = self._ctx
        user = self._usable()
        if not code.strip() and take_proof(ctx, self.session, proof):
            return user, None
        if not code.strip():
            return LogonOutcome(LogonStatus.OTP_REQUIRED, user.user_id, ctx.program)
        entry = parse_code_field(code)
        if entry is None:
            return LogonOutcome(LogonStatus.MALFORMED_CODE, user.user_id, ctx.program)
        secret = self._engine.readable_secret(user)
        judged = self._engine.judge_code(user, secret, entry, purpose=purpose)
        if isinstance(judged, LogonOutcome):
            return judged
        return user, judged

    def _fresh(self, tx: Transaction, seen: UserRecord) -> UserRecord:
        """The record again, inside the write: unchanged in what the step relies on."""
        fresh = tx.get_user(seen.user_id)
        if fresh is None or recheck(fresh, seen) is not None:
            raise ValidationError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Your User-ID was changed meanwhile (by an administrator, or in another "
                    "program); nothing was changed."))
        return fresh

    def _spend(self, tx: Transaction, fresh: UserRecord, accepted: Accepted | None,
               purpose: str) -> bool:
        if accepted is None:  # the fresh proof of a recovery-code logon
            return True
        # A verified second factor is a success: consecutive failures start again.
        if not self._engine.spend(tx, fresh, accepted, UserChanges(failed_logons=0)):
            return False
        if accepted.recovery_code is not None:
            left = sum(1 for c in tx.recovery_codes(fresh.user_id) if c.integrity_ok)
            self._audit(tx, Event.RECOVERY_CODE_USED, f"to confirm: {purpose}; {left} left")
        return True

    def _audit(self, tx: Transaction, event: str, detail: str) -> None:
        ctx = self._ctx
        tx.append_audit(ts=ctx.timestamp(), actor=self.session.user_id,
                        user_id=self.session.user_id, program=ctx.program, host=ctx.host,
                        event=str(event), detail=detail)


def _how(accepted: Accepted | None) -> str:
    """How a self-service step was confirmed, for its audit row."""
    if accepted is None:
        return "right after a logon with a recovery code"
    if accepted.recovery_code is not None:
        return "confirmed with a recovery code"
    return "confirmed with a code from the app"
