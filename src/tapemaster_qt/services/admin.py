"""User and group administration, with every rule of DESIGN.md §2 enforced here.

The acting user is a parameter (:class:`Actor`); the windows grey out menus for
convenience only. Each change and its audit rows are written in one transaction.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tapemaster_qt import PROGRAMS
from tapemaster_qt.errors import (
    QT_TRANSLATE_NOOP,
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
    StoreKeyError,
    ValidationError,
)
from tapemaster_qt.fields import INPUT_FIELDS, Kind
from tapemaster_qt.records import (
    FieldChange,
    GroupRecord,
    RecordReview,
    SessionRecord,
    UserDetails,
    UserRecord,
    UserRow,
)
from tapemaster_qt.services import passwords, sessions, totp
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.context import Actor, Context, require_admin
from tapemaster_qt.services.sessions import SESSION_STALE_SECONDS, ActiveSession, EndReason
from tapemaster_qt.services.validation import (
    check_description,
    check_email,
    check_group_description,
    check_group_id,
    check_name,
    check_role,
    check_user_id,
    storable,
)
from tapemaster_qt.store import (
    BUILTIN_USER,
    KeyStatus,
    NewUser,
    Store,
    Transaction,
    UserChanges,
)

logger = logging.getLogger(__name__)

__all__ = ["SESSION_STALE_SECONDS", "AdminService", "parse_bool", "parse_programs", "pid_alive"]

FIELD_LABELS = {key: f.label for key, f in INPUT_FIELDS.items()}
"""The fields a user is added or changed with, and their labels for messages."""
BOOLEAN_FIELDS = frozenset(key for key, f in INPUT_FIELDS.items() if f.kind is Kind.BOOL)
SETTINGS = {"issuer": "Issuer shown in authenticator apps",
            "lockout_threshold": "Failed logons allowed before the next one revokes",
            "default_group": "Group of new users when none is given"}
RECORD_LABELS = {
    **FIELD_LABELS, "password_hash": "Password", "otp_enabled": "One Time Password",
    "otp_activated": "Activated", "otp_secret": "One Time Password secret",
    "otp_last_step": "Last accepted code", "otp_burned_steps": "Refused code steps",
    "failed_logons": "Failed logons",
    "failures_since_logon": "Failed attempts since the last logon", "revoked": "Revoked",
    "last_logon": "Last logon",
    "last_failed_logon": "Last failed logon", "created": "Created", "updated": "Updated",
    "uid": "Identity (uid)",
}
"""Every field of a user record, as the administrator reads it (re-seal review)."""
RESEAL_RESETS = ("password cleared", "administrative and tapemaster rights removed",
                 "no client access", "time-out on", "One Time Password switched off",
                 "User-ID revoked until unlocked")
"""What re-sealing does to a record, whatever it held (in this order, for messages)."""


@dataclass(frozen=True)
class Resealed:
    """A record accepted after review: as stored now, and how it differed from its
    last-known-good copy before."""

    user: UserDetails
    review: RecordReview
    resets: tuple[str, ...]


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, frozenset):
        return ", ".join(p for p in PROGRAMS if p in value) or "(none)"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "(none)"
    text = str(value)
    if isinstance(value, str):
        text = "'" + "".join(
            ch.encode("unicode_escape").decode("ascii")
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else ch
            for ch in text) + "'"
    return text


def describe_change(change: FieldChange) -> str:
    """One difference, for the administrator: ``tapemaster Rights: False -> True``."""
    label = RECORD_LABELS.get(change.field, change.field)
    if change.hidden:
        return f"{label}: changed"
    return f"{label}: {_shown(change.known_good)} -> {_shown(change.now)}"


def describe_review(review: RecordReview) -> list[str]:
    """What the administrator reads before (and the audit log keeps after) a re-seal."""
    if review.copy_state == "missing":
        return ["no last-known-good copy of this record exists: every field is suspect"]
    if review.copy_state == "damaged":
        return ["its last-known-good copy was changed too: every field is suspect"]
    if not review.changes:
        return ["no field differs from the last-known-good copy (its seal or digest "
                "terms were changed)"]
    return [describe_change(c) for c in review.changes]


def parse_bool(value: object, label: str) -> bool:
    """``True``/``False`` as the property grid and CSV files write them."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "y", "t"):
        return True
    if text in ("false", "no", "0", "n", "f", ""):
        return False
    raise ValidationError(QT_TRANSLATE_NOOP("errors", "{field} is True or False."), label,
                          params={"field": label})


def parse_programs(value: object) -> frozenset[str]:
    """Client Access from a set of names or text like ``TapeMaster,Lite``."""
    if isinstance(value, str):
        names: Iterable[str] = [p.strip() for p in value.replace(";", ",").split(",")]
    else:
        names = value  # type: ignore[assignment]
    chosen = set()
    by_fold = {p.casefold(): p for p in PROGRAMS}
    for name in names:
        if not name:
            continue
        program = by_fold.get(str(name).casefold())
        if program is None:
            raise ValidationError(
                f"Unknown program {name!r}; choose from {', '.join(PROGRAMS)}.", "Client Access"
            )
        chosen.add(program)
    return frozenset(chosen)


class AdminService:
    """What an administrator (a user with tapemaster rights, or the CLI) may do."""

    def __init__(self, ctx: Context, actor: Actor) -> None:
        self._ctx = ctx
        self.actor = actor

    # --- helpers ----------------------------------------------------------------------

    def _authorize(self) -> UserRecord | None:
        return require_admin(self._ctx, self.actor)

    def _audit(self, tx: Transaction, user_id: str | None, event: str, detail: str = "") -> None:
        ctx = self._ctx
        tx.append_audit(
            ts=ctx.timestamp(), actor=self.actor.name, user_id=user_id, program=ctx.program,
            host=ctx.host, event=str(event), detail=detail,
        )

    def _require_user(self, tx_or_store: Store | Transaction, user_id: str) -> UserRecord:
        user = tx_or_store.get_user(user_id) if storable(user_id) else None
        if user is None:
            raise NotFoundError(QT_TRANSLATE_NOOP("errors", "There is no User-ID {user}."),
                                params={"user": repr(user_id)})
        return user

    def _guard_builtin(self, user_id: str, what: str) -> None:
        if user_id == BUILTIN_USER and not self.actor.is_builtin:
            raise NotAuthorizedError(f"Only tapemaster itself may {what} the tapemaster User-ID.")

    def _clean(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and normalise field values (labels as the windows name them)."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            label = FIELD_LABELS.get(name, name)
            if name == "user_id":
                out[name] = check_user_id(str(value))
            elif name == "name":
                out[name] = check_name(str(value or ""))
            elif name == "email":
                out[name] = check_email(None if value is None else str(value))
            elif name == "description":
                out[name] = check_description(str(value or ""))
            elif name == "group_id":
                out[name] = None if value in (None, "") else check_group_id(str(value).strip())
            elif name == "role":
                out[name] = check_role(value)
            elif name in BOOLEAN_FIELDS:
                out[name] = parse_bool(value, label)
            elif name == "programs":
                out[name] = parse_programs(value)
            else:
                raise ValidationError(f"{label} cannot be changed here.", label)
        return out

    def _check_group(self, group_id: str | None, user_id: str) -> str | None:
        if group_id is None:
            if user_id != BUILTIN_USER:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "Every user except tapemaster belongs to a group."),
                                      "Group-ID")
            return None
        if self._ctx.store.get_group(group_id) is None:
            raise ValidationError(QT_TRANSLATE_NOOP("errors", "There is no group {group}."),
                                  "Group-ID", params={"group": repr(group_id)})
        return group_id

    def _check_email_free(self, email: str | None, user_id: str) -> None:
        if email is None:
            return
        owner = self._ctx.store.email_owner(email)
        if owner is not None and owner != user_id:
            raise ConflictError(QT_TRANSLATE_NOOP(
                    "errors",
                    "That e-mail address already belongs to another user."))

    def check_access(self) -> None:
        """Raise unless the actor may administer now (a window asked for again checks
        this rather than trusting that it is open)."""
        self._authorize()

    # --- users --------------------------------------------------------------------------

    def list_users(self, *, check_seals: bool = True) -> list[UserRow]:
        """All users for the table; without ``check_seals`` their ``integrity_ok`` is
        None until :meth:`seal_failures` has checked them (large sites)."""
        self._authorize()
        return self._ctx.store.list_user_rows(check_seals=check_seals)

    def seal_failures(self, after: str | None, limit: int = 5000
                      ) -> tuple[list[str], list[str]]:
        """Check a slice of record seals: (User-IDs checked, those that failed)."""
        self._authorize()
        return self._ctx.store.seal_failures(after, limit)

    def get_user(self, user_id: str) -> UserDetails:
        self._authorize()
        user = self._require_user(self._ctx.store, user_id)
        return UserDetails.of(user, recovery_codes_left=self._codes_left(user))

    def _codes_left(self, user: UserRecord) -> int:
        if not user.otp_enabled:
            return 0
        return sum(1 for c in self._ctx.store.recovery_codes(user.user_id) if c.integrity_ok)

    def revoke_recovery_codes(self, user_id: str) -> int:
        """Destroy a user's recovery codes (someone else may have seen them); returns
        how many there were. The user makes new ones with File ▸ One Time Password."""
        self._authorize()
        self._guard_builtin(user_id, "revoke the recovery codes of")
        with self._ctx.store.write() as tx:
            self._require_user(tx, user_id)
            count = tx.delete_recovery_codes(user_id)
            self._audit(tx, user_id, Event.RECOVERY_CODES_REVOKED,
                        f"{count} code{'s' if count != 1 else ''}, by an administrator")
        return count

    def add_user(self, fields: Mapping[str, Any], password: str | None = None) -> UserDetails:
        """Create a user; ``password`` None leaves it unable to log on until reset."""
        self._authorize()
        values = self._clean(fields)
        user_id = values.get("user_id", "")
        if not user_id:
            raise ValidationError(QT_TRANSLATE_NOOP("errors", "Enter a User-ID."), "User-ID")
        existing = self._ctx.store.user_id_like(user_id)
        if existing is not None:
            raise ConflictError(
                QT_TRANSLATE_NOOP("errors", "That User-ID already exists.") if existing == user_id
                else QT_TRANSLATE_NOOP("errors", "User-ID {user} already exists (User-IDs "
                                                 "differing only in case are not allowed)."),
                params=None if existing == user_id else {"user": repr(existing)})
        if values.get("tapemaster_rights") and not self.actor.is_builtin:
            raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Only tapemaster may grant tapemaster rights."))
        values.setdefault("group_id", self._ctx.store.setting("default_group"))
        values["group_id"] = self._check_group(values["group_id"], user_id)
        self._check_email_free(values.get("email"), user_id)
        values.setdefault("programs", frozenset(PROGRAMS))
        if password is not None:
            passwords.check_rules(password, user_id)
            values["password_hash"] = self._ctx.hasher.hash(password)
        otp = values.pop("otp_enabled", False)
        if otp:
            self._require_key_stored()
        with self._ctx.store.write() as tx:
            if otp:
                values["otp_enabled"] = True
                values["otp_secret"] = tx.encrypt_otp_secret(user_id, totp.new_secret())
            tx.insert_user(NewUser(**values))
            self._audit(tx, user_id, Event.USER_CREATED, "no password" if password is None else "")
            if otp:
                self._audit(tx, user_id, Event.OTP_ENABLED)
            created = self._require_user(tx, user_id)
        return UserDetails.of(created)

    def update_user(self, user_id: str, fields: Mapping[str, Any], *,
                    renew_otp: bool = False) -> UserDetails:
        """Apply the fields that differ; OTP False→True makes a new secret, True→False
        destroys it. ``renew_otp`` (OTP switched off and on again in one edit) replaces
        the secret of a user whose OTP stays on. Returns the user as stored afterwards."""
        actor_rec = self._authorize()
        values = self._clean({k: v for k, v in fields.items() if k != "user_id"})
        current = self._require_user(self._ctx.store, user_id)
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        renew = renew_otp and values.get("otp_enabled", current.otp_enabled) is True
        if renew:
            changed["otp_enabled"] = True
        if not changed:
            return UserDetails.of(current, recovery_codes_left=self._codes_left(current))
        self._check_update_rules(current, changed, actor_rec)
        if changed.get("otp_enabled") is True:
            self._require_key_stored()
        if "group_id" in changed:
            changed["group_id"] = self._check_group(changed["group_id"], user_id)
        if "email" in changed:
            self._check_email_free(changed["email"], user_id)
        with self._ctx.store.write() as tx:
            fresh = self._require_user(tx, user_id)
            changes: dict[str, Any] = {k: v for k, v in changed.items() if k != "otp_enabled"}
            otp = changed.get("otp_enabled")
            new_secret = otp is True and (renew or not fresh.otp_enabled)
            if new_secret:
                changes.update(
                    otp_enabled=True, otp_activated=False, otp_last_step=None,
                    otp_burned_steps=(),
                    otp_secret=tx.encrypt_otp_secret(user_id, totp.new_secret()),
                )
            elif otp is False and fresh.otp_enabled:
                changes.update(
                    otp_enabled=False, otp_activated=False, otp_secret=None,
                    otp_last_step=None, otp_burned_steps=(),
                )
            tx.update_user(user_id, UserChanges(**changes))
            # A new secret or none: the recovery codes of the old one go with it.
            destroyed = tx.delete_recovery_codes(user_id) if fresh.otp_enabled and (
                new_secret or otp is False) else 0
            labels = [FIELD_LABELS[k] for k in changed if k != "otp_enabled"]
            if labels:
                self._audit(tx, user_id, Event.USER_UPDATED, "changed: " + ", ".join(labels))
            if fresh.otp_enabled and (new_secret or otp is False):
                self._audit(tx, user_id, Event.OTP_DISABLED,
                            "secret destroyed (renewed)" if new_secret else "secret destroyed")
            if destroyed:
                self._audit(tx, user_id, Event.RECOVERY_CODES_REVOKED,
                            f"{destroyed} code{'s' if destroyed != 1 else ''}, with the secret")
            if new_secret:
                self._audit(tx, user_id, Event.OTP_ENABLED, "new secret")
            updated = self._require_user(tx, user_id)
        return UserDetails.of(updated, recovery_codes_left=self._codes_left(updated))

    def _check_update_rules(
        self, current: UserRecord, changed: Mapping[str, Any], actor_rec: UserRecord | None
    ) -> None:
        user_id = current.user_id
        self._guard_builtin(user_id, "change")
        if "tapemaster_rights" in changed and not self.actor.is_builtin:
            raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Only tapemaster may grant or remove tapemaster rights."))
        if user_id == BUILTIN_USER:
            if changed.get("tapemaster_rights") is False:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "tapemaster always keeps tapemaster rights."),
                                      "tapemaster Rights")
            if changed.get("disabled") is True:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "tapemaster cannot be disabled."), "Disabled")
            if "programs" in changed and "TapeMaster" not in changed["programs"]:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "tapemaster always keeps access to TapeMaster."),
                                      "Client Access")
        if actor_rec is not None and actor_rec.user_id == user_id:
            if changed.get("disabled") is True:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "You cannot disable the User-ID you are logged on with."),
                                      "Disabled")
            if "programs" in changed and "TapeMaster" not in changed["programs"]:
                raise ValidationError(
                    QT_TRANSLATE_NOOP(
                            "errors",
                            "You cannot take away your own access to TapeMaster."), "Client Access"
                )

    def set_otp(self, user_id: str, enabled: bool) -> UserDetails:
        return self.update_user(user_id, {"otp_enabled": enabled})

    def set_disabled(self, user_id: str, disabled: bool) -> UserDetails:
        return self.update_user(user_id, {"disabled": disabled})

    def check_delete(self, user_ids: Sequence[str]) -> None:
        """Raise when any of ``user_ids`` may not be deleted (asked before confirming)."""
        actor_rec = self._authorize()
        for user_id in user_ids:
            if user_id == BUILTIN_USER:
                raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                        "errors",
                        "The tapemaster User-ID cannot be deleted; nothing was deleted."))
            if actor_rec is not None and actor_rec.user_id == user_id:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "You cannot delete the User-ID you are logged on with; nothing was "
                        "deleted."))

    def delete_users(self, user_ids: Sequence[str]) -> int:
        """Delete users (all or none); returns how many."""
        self.check_delete(user_ids)
        with self._ctx.store.write() as tx:
            for user_id in user_ids:
                self._require_user(tx, user_id)
                tx.delete_user(user_id)
                self._audit(tx, user_id, Event.USER_DELETED)
        return len(user_ids)

    def unlock(self, user_id: str) -> UserDetails:
        """Restore a revoked User-ID (Management ▸ Unlock)."""
        self._authorize()
        with self._ctx.store.write() as tx:
            user = self._require_user(tx, user_id)
            tx.update_user(user_id, UserChanges(revoked=False, failed_logons=0))
            self._audit(tx, user_id, Event.ACCOUNT_UNLOCKED,
                        "was revoked" if user.revoked else "was not revoked")
            updated = self._require_user(tx, user_id)
        return UserDetails.of(updated)

    def reset_password(self, user_id: str, password: str) -> UserDetails:
        """Set a user's password (Management ▸ Reset Password); also restores access."""
        self._authorize()
        self._guard_builtin(user_id, "reset the password of")
        self._require_user(self._ctx.store, user_id)
        passwords.check_rules(password, user_id)
        new_hash = self._ctx.hasher.hash(password)
        with self._ctx.store.write() as tx:
            user = self._require_user(tx, user_id)
            tx.update_user(user_id, UserChanges(password_hash=new_hash, revoked=False,
                                                failed_logons=0))
            self._audit(tx, user_id, Event.PASSWORD_CHANGED, "reset by administrator")
            if user.revoked:
                self._audit(tx, user_id, Event.ACCOUNT_UNLOCKED, "password reset")
            updated = self._require_user(tx, user_id)
        return UserDetails.of(updated)

    def review_record(self, user_id: str) -> RecordReview:
        """How a record differs from its last-known-good copy (shown before re-sealing)."""
        self._authorize()
        self._guard_builtin(user_id, "re-seal")
        review = self._ctx.store.review_user(user_id) if storable(user_id) else None
        if review is None:
            raise NotFoundError(f"There is no User-ID {user_id!r}.")
        return review

    def reseal(self, user_id: str, password: str | None = None) -> Resealed:
        """Accept a record that failed its integrity check, after review, without
        laundering it: whatever it holds, its password is cleared (a planted hash must
        not log anyone on), its rights and client access drop to nothing, its One Time
        Password is switched off and it stays revoked until an administrator unlocks it
        and sets a password on purpose. What differed from the last-known-good copy is
        returned and audited. The built-in tapemaster keeps its rights and TapeMaster
        access and must get a new ``password`` at once (without one, anyone at a
        program's First Run could claim it)."""
        self._authorize()
        self._guard_builtin(user_id, "re-seal")
        builtin = user_id == BUILTIN_USER
        new_hash: str | None = None
        if builtin:
            if password is None:
                raise ValidationError("Re-sealing tapemaster needs its new password at once.",
                                      "Password")
            passwords.check_rules(password, user_id)
            new_hash = self._ctx.hasher.hash(password)
        elif password is not None:
            raise ValidationError("A re-sealed User-ID gets its password from Reset Password, "
                                  "after it was unlocked.", "Password")
        with self._ctx.store.write() as tx:
            user = self._require_user(tx, user_id)
            if user.integrity_ok:
                raise ConflictError(f"The record of {user_id} passes its integrity check; "
                                    "there is nothing to re-seal.")
            review = tx.review_user(user_id)
            assert review is not None
            tx.update_user(
                user_id,
                UserChanges(
                    password_hash=new_hash, admin_rights=builtin, tapemaster_rights=builtin,
                    programs=frozenset({"TapeMaster"}) if builtin else frozenset(),
                    no_timeout=False, otp_enabled=False, otp_activated=False,
                    otp_secret=None, otp_last_step=None, otp_burned_steps=(), revoked=True),
                reseal=True,
            )
            destroyed = tx.delete_recovery_codes(user_id)
            resets = RESEAL_RESETS if not builtin else (
                "password replaced", "One Time Password switched off",
                "User-ID revoked until unlocked")
            self._audit(tx, user_id, Event.RECORD_RESEALED,
                        "; ".join(resets) + ". Differences from the last-known-good copy: "
                        + "; ".join(describe_review(review)))
            if destroyed:
                self._audit(tx, user_id, Event.RECOVERY_CODES_REVOKED,
                            f"{destroyed} code{'s' if destroyed != 1 else ''}, at re-sealing")
            updated = self._require_user(tx, user_id)
        return Resealed(UserDetails.of(updated), review, resets)

    # --- groups -------------------------------------------------------------------------

    def list_groups(self) -> list[GroupRecord]:
        self._authorize()
        return self._ctx.store.list_groups()

    def get_group(self, group_id: str) -> GroupRecord:
        """One group as it is now, with how many users it has."""
        self._authorize()
        group = self._ctx.store.get_group(group_id) if storable(group_id) else None
        if group is None:
            raise NotFoundError(f"There is no group {group_id!r}.")
        return group

    def group_descriptions(self) -> dict[str, str]:
        """Group-ID to description, for exports that carry the groups."""
        self._authorize()
        return {g.group_id: g.description for g in self._ctx.store.list_groups()}

    def add_group(self, group_id: str, description: str = "") -> GroupRecord:
        self._authorize()
        group_id = check_group_id(group_id.strip())
        description = check_description(description)
        existing = self._ctx.store.group_id_like(group_id)
        if existing is not None:
            raise ConflictError(QT_TRANSLATE_NOOP("errors", "Group-ID {group} already exists."),
                                params={"group": repr(existing)})
        with self._ctx.store.write() as tx:
            tx.insert_group(group_id, description)
            self._audit(tx, None, Event.GROUP_CREATED, f"{group_id}")
        return GroupRecord(group_id, description, 0)

    def update_group(self, group_id: str, description: str) -> None:
        self._authorize()
        description = check_description(description)
        if not storable(group_id):
            raise NotFoundError(QT_TRANSLATE_NOOP("errors", "There is no group {group}."),
                                params={"group": repr(group_id)})
        with self._ctx.store.write() as tx:
            if not tx.update_group(group_id, description):
                raise NotFoundError(QT_TRANSLATE_NOOP("errors", "There is no group {group}."),
                                params={"group": repr(group_id)})
            self._audit(tx, None, Event.GROUP_UPDATED, f"{group_id}: description")

    def check_delete_group(self, group_id: str) -> None:
        """Raise when ``group_id`` may not be deleted (asked before confirming): it does
        not exist, it is the default group, or users belong to it (saying how many)."""
        self._authorize()
        group = self._ctx.store.get_group(group_id) if storable(group_id) else None
        if group is None:
            raise NotFoundError(QT_TRANSLATE_NOOP("errors", "There is no group {group}."),
                                params={"group": repr(group_id)})
        if group_id == self._ctx.store.setting("default_group"):
            raise ConflictError(QT_TRANSLATE_NOOP(
                "errors", "{group} is the default group: it cannot be deleted."),
                params={"group": group_id})
        if group.members:
            raise _in_use(group_id, group.members)

    def delete_group(self, group_id: str) -> None:
        """Delete an empty group; one that still has users is refused, with how many."""
        self.check_delete_group(group_id)
        with self._ctx.store.write() as tx:
            members = tx.group_members(group_id)  # a user may have joined meanwhile
            if members:
                raise _in_use(group_id, members)
            if not tx.delete_group(group_id):
                raise NotFoundError(QT_TRANSLATE_NOOP("errors", "There is no group {group}."),
                                params={"group": repr(group_id)})
            self._audit(tx, None, Event.GROUP_DELETED, group_id)

    # --- settings -----------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        self._authorize()
        return {name: self._ctx.store.setting(name) for name in SETTINGS}

    def set_setting(self, name: str, value: str) -> None:
        """Change a store setting; only tapemaster (or the CLI)."""
        self._authorize()
        if not self.actor.is_builtin:
            raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                    "errors",
                    "Only tapemaster may change store settings."))
        value = value.strip()
        if name == "issuer":
            if not 1 <= len(value) <= 64 or any(not ch.isprintable() for ch in value):
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "The issuer has 1 to 64 printable characters."), "Issuer")
        elif name == "lockout_threshold":
            if not value.isdigit() or not 1 <= int(value) <= 20:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "The lockout threshold is a number from 1 to 20."),
                                      "Lockout threshold")
            value = str(int(value))
        elif name == "default_group":
            group = self._ctx.store.get_group(value) if storable(value) else None
            if group is None:
                raise ValidationError(f"There is no group {value!r}.", "Default group")
        else:
            raise ValidationError(f"Unknown setting {name!r}; known: {', '.join(SETTINGS)}.")
        with self._ctx.store.write() as tx:
            tx.set_setting(name, value)
            self._audit(tx, None, Event.SETTING_CHANGED, f"{name} = {value}")

    # --- sessions -----------------------------------------------------------------------

    def active_sessions(self) -> list[ActiveSession]:
        """Sessions of running programs with their state (active, not responding, or
        ending and why); those of crashed programs are removed first."""
        self._authorize()
        ctx = self._ctx
        now = ctx.now()
        with ctx.store.write() as tx:
            for s in tx.sessions():
                gone = s.host == ctx.host and not pid_alive(s.pid)
                if sessions.is_stale(s, now, process_gone=gone):
                    tx.end_session(s.id)
                    logger.info("Removed stale session %d of %s (%s)", s.id, s.user_id,
                                "process gone" if gone else "not seen for long")
        store = ctx.store
        shown: list[ActiveSession] = []
        for record in store.list_sessions():
            user = (store.get_user_by_uid(record.user_uid) if record.user_uid
                    else store.get_user(record.user_id))  # a session from before uids
            shown.append(sessions.describe(record, user, now))
        return shown

    def end_session(self, session_id: int) -> SessionRecord:
        """Disconnect: end another user's session. Its program logs out at its next
        heartbeat (within a minute) and says why; audited ``session_ended``."""
        self._authorize()
        ctx = self._ctx
        own = self.actor.session
        with ctx.store.write() as tx:
            record = tx.get_session(session_id)
            if record is None:
                raise NotFoundError(QT_TRANSLATE_NOOP(
                    "errors", "There is no session {session}; it may have ended already."),
                    params={"session": session_id})
            if own is not None and own.session_id == session_id:
                raise ValidationError(QT_TRANSLATE_NOOP(
                        "errors",
                        "That is your own session; use File ▸ Log Out."))
            if record.user_id == BUILTIN_USER and not self.actor.is_builtin:
                raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                        "errors",
                        "Only tapemaster itself may end a session of the tapemaster User-ID."))
            if record.end_reason is not None:
                raise ConflictError(QT_TRANSLATE_NOOP(
                    "errors", "Session {session} is already ending; its program logs out at "
                              "its next heartbeat."), params={"session": session_id})
            tx.request_session_end(session_id, EndReason.DISCONNECTED, self.actor.name,
                                   ctx.timestamp())
            self._audit(tx, record.user_id, Event.SESSION_ENDED,
                        f"session {session_id} ({record.program} on {record.host}, process "
                        f"{record.pid}) disconnected; it logs out at its next heartbeat")
            ended = tx.get_session(session_id)
        assert ended is not None
        return ended

    def _require_key_stored(self) -> None:
        """Before a new OTP secret is made: the key that encrypts it must still be
        stored, or the secret would die with this program (the key file deleted while
        it runs)."""
        store = self._ctx.store
        if store.key_status() is KeyStatus.MISSING:
            raise StoreKeyError(
                QT_TRANSLATE_NOOP(
                        "errors",
                        "The store key has gone missing from where this program read it; no "
                        "new One Time Password secret can be made until it is written back "
                        "(the program offers to at its next heartbeat) or restored."))

    # --- import / export ----------------------------------------------------------------

    def export_users(self, user_ids: Sequence[str] | None = None) -> list[UserDetails]:
        self._authorize()
        users = [UserDetails.of(u) for u in self._ctx.store.list_users()]
        if user_ids is not None:
            wanted = set(user_ids)
            users = [u for u in users if u.user_id in wanted]
        return users

    def import_users(self, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> int:
        """Create users from ``(line number, fields)`` rows: all, or none when any is bad.

        Imported users get no password (nobody hashes 100,000 passwords nobody knows):
        an administrator sets one with Reset Password before they can log on. OTP
        enabled in the file means a fresh secret here: secrets are never exported.
        A row for the built-in ``tapemaster`` is skipped (the store has its own).
        A group this store lacks is created, with the row's ``group_description``
        (an export from another store carries it); an existing group is left as it is.
        """
        self._authorize()
        store = self._ctx.store
        problems: list[str] = []
        seen: dict[str, int] = {}
        emails: dict[str, int] = {}
        groups = {g.group_id for g in store.list_groups()}
        plan = _GroupPlan(groups)
        default_group = store.setting("default_group")
        # One read for the clash checks (a unique index still guards the insert).
        existing_ids, existing_emails = store.folded_user_ids_and_emails()
        cleaned: list[dict[str, Any]] = []
        for line, fields in rows:
            try:
                values = self._clean({k: v for k, v in fields.items() if k in FIELD_LABELS})
                user_id = values.get("user_id") or check_user_id("")
                if user_id == BUILTIN_USER:
                    # Every store has its own tapemaster and every full export lists
                    # it; an import never creates or changes it.
                    continue
                if user_id.casefold() in seen:
                    first = seen[user_id.casefold()]
                    raise ValidationError(
                        f"User-ID {user_id} appears again (first on line {first})."
                    )
                seen[user_id.casefold()] = line
                if user_id.casefold() in existing_ids:
                    raise ConflictError(f"User-ID {user_id} already exists.")
                if values.get("tapemaster_rights") and not self.actor.is_builtin:
                    raise NotAuthorizedError(QT_TRANSLATE_NOOP(
                            "errors",
                            "Only tapemaster may grant tapemaster rights."))
                group = values.get("group_id") or default_group
                if group not in groups:
                    plan.add(group, str(fields.get("group_description") or ""), line)
                values["group_id"] = group
                email = values.get("email")
                if email:
                    if email.casefold() in emails or email.casefold() in existing_emails:
                        raise ConflictError(f"E-mail {email} already belongs to another user.")
                    emails[email.casefold()] = line
                values.setdefault("programs", frozenset(PROGRAMS))
                cleaned.append(values)
            except (ValidationError, ConflictError, NotAuthorizedError) as exc:
                problems.append(f"line {line}: {exc.message}")
                if len(problems) >= 20:
                    break
        if problems:
            more = " (stopped after 20 problems)" if len(problems) >= 20 else ""
            raise ValidationError(
                "Nothing was imported. " + "; ".join(problems) + more
            )
        ctx = self._ctx
        ts = ctx.timestamp()
        if any(values.get("otp_enabled") for values in cleaned):
            self._require_key_stored()
        with store.write() as tx:
            for group_id, description in plan.groups():
                tx.insert_group(group_id, description)
                self._audit(tx, None, Event.GROUP_CREATED, f"{group_id} (imported)")
            for values in cleaned:
                if values.pop("otp_enabled", False):
                    values["otp_enabled"] = True
                    values["otp_secret"] = tx.encrypt_otp_secret(values["user_id"],
                                                                 totp.new_secret())
            tx.insert_users(NewUser(**values, created=ts) for values in cleaned)
            tx.append_audit_many(
                (ts, self.actor.name, v["user_id"], ctx.program, ctx.host,
                 str(Event.USER_CREATED), "imported; no password")
                for v in cleaned
            )
        return len(cleaned)


def _in_use(group_id: str, members: int) -> ConflictError:
    return ConflictError(
        QT_TRANSLATE_NOOP("errors", "Group {group} still has 1 user. Move them to another "
                          "group first; nothing was deleted.") if members == 1
        else QT_TRANSLATE_NOOP("errors", "Group {group} still has {count} users. Move them "
                               "to another group first; nothing was deleted."),
        params={"group": group_id, "count": members})


class _GroupPlan:
    """The groups an import will create: each checked once, the first line that names
    it remembered, so a file cannot describe one group two ways or name it in two
    spellings that differ only in case (Group-IDs are unique ignoring case)."""

    def __init__(self, existing: Iterable[str]) -> None:
        self._existing = {g.casefold(): g for g in existing}
        self._new: dict[str, tuple[str, str, int]] = {}  # folded: (id, description, line)

    def add(self, group_id: str, description: str, line: int) -> None:
        description = check_group_description(description)
        folded = group_id.casefold()
        existing = self._existing.get(folded)
        if existing is not None:
            raise ValidationError(f"Group-ID {existing!r} already exists (Group-IDs that "
                                  "differ only in case are not allowed).")
        planned = self._new.get(folded)
        if planned is None:
            self._new[folded] = (group_id, description, line)
            return
        first_id, first_description, first_line = planned
        if first_id != group_id:
            raise ValidationError(f"Group-ID {first_id!r} (line {first_line}) differs only "
                                  f"in case from {group_id!r}.")
        if description and first_description and description != first_description:
            raise ValidationError(f"group {group_id} is described differently than on "
                                  f"line {first_line}.")
        if description and not first_description:
            self._new[folded] = (group_id, description, first_line)

    def groups(self) -> list[tuple[str, str]]:
        return [(group_id, description) for group_id, description, _ in self._new.values()]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (stale session clean-up)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
