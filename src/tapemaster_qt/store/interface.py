"""The store as the services see it: two Protocols and the typed values they take.

Services, the CLI and the windows type against :class:`Store` and :class:`Transaction`
and never learn which backend they have, nor a column name: a user's changes are a
:class:`UserChanges` in domain words (``programs``, not ``access_*`` columns). Every
backend implements these Protocols (``store/sqlstore.py`` does, over any SQL
:class:`~tapemaster_qt.store.database.Database`); :func:`tapemaster_qt.store.open_store`
hands one out.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from tapemaster_qt import PROGRAMS
from tapemaster_qt.records import (
    AuditChainStatus,
    AuditEvent,
    AuditFilter,
    GroupRecord,
    RecordReview,
    RecoveryCodeRecord,
    SessionRecord,
    StoreReport,
    UserRecord,
    UserRow,
)

if TYPE_CHECKING:
    from tapemaster_qt.store.keys import StoreKey

BUILTIN_USER = "tapemaster"
"""The superuser every store is created with."""
DEFAULT_GROUP = "DEFAULT"
DEFAULT_SETTINGS = {"issuer": "TapeTrack", "lockout_threshold": "5",
                    "default_group": DEFAULT_GROUP}
"""The store settings, with the values a new store gets (and a tampered one falls
back to)."""

AuditRow = tuple[str, str, str | None, str, str, str, str]
"""One audit row for :meth:`Transaction.append_audit_many`:
(ts, actor, user_id, program, host, event, detail)."""


@dataclass(frozen=True)
class BackupReport:
    """What ``tapemaster-admin backup`` wrote."""

    path: Path
    users: int
    audit_events: int
    size: int
    """In bytes."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did (:func:`tapemaster_qt.store.restore_store`)."""

    source: Path
    kept_as: tuple[Path, ...]
    """Where the store it replaced is (with its journal, when it was moved aside)."""
    users: int
    in_place: bool
    """Written into the open store (running programs notice at their next write or
    heartbeat); else the file was replaced, no program having it open."""
    sessions: tuple[SessionRecord, ...]
    """The sessions of programs that had the store open: each must be restarted."""
    from_version: int
    """The backup's schema version (older ones are migrated)."""
    findings: tuple[str, ...] = ()
    """What the backup's own checks found (head, digest, audit chain, seals): restored
    only when the operator accepted them after review (``--accept-findings``)."""


class KeyStatus(enum.Enum):
    """Whether the store key this program holds in memory is still where it was read
    from (:meth:`Store.key_status`)."""

    NOT_LOADED = "not_loaded"
    """Not read yet: nothing to compare."""
    STORED = "stored"
    MISSING = "missing"
    """Gone from the keyring and no key file: it lives only in this program's memory."""
    REPLACED = "replaced"
    """A different key is there now."""
    UNREADABLE = "unreadable"
    """The keyring or the key file cannot be read just now (locked, damaged, unsafe)."""


class _Unchanged(enum.Enum):
    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged.UNCHANGED
"""A :class:`UserChanges` field left alone (None is a value: "no e-mail")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanges:
    """What to change in one user, in domain terms; fields left UNCHANGED stay as
    they are. The store sets ``updated`` and re-seals the record."""

    name: str | _Unchanged = UNCHANGED
    email: str | _Unchanged | None = UNCHANGED
    description: str | _Unchanged = UNCHANGED
    group_id: str | _Unchanged | None = UNCHANGED
    role: int | _Unchanged = UNCHANGED
    admin_rights: bool | _Unchanged = UNCHANGED
    tapemaster_rights: bool | _Unchanged = UNCHANGED
    disabled: bool | _Unchanged = UNCHANGED
    no_timeout: bool | _Unchanged = UNCHANGED
    programs: frozenset[str] | _Unchanged = UNCHANGED
    password_hash: str | _Unchanged | None = UNCHANGED
    otp_enabled: bool | _Unchanged = UNCHANGED
    otp_activated: bool | _Unchanged = UNCHANGED
    otp_secret: bytes | _Unchanged | None = UNCHANGED
    """Encrypted (:meth:`Transaction.encrypt_otp_secret`), never the plain secret."""
    otp_last_step: int | _Unchanged | None = UNCHANGED
    otp_burned_steps: tuple[int, ...] | _Unchanged = UNCHANGED
    failed_logons: int | _Unchanged = UNCHANGED
    """Consecutive failed logons: a success, an Unlock or a password reset zeroes them."""
    failures_since_logon: int | _Unchanged = UNCHANGED
    """Failed attempts since the last successful logon: only a success zeroes them."""
    revoked: bool | _Unchanged = UNCHANGED
    last_logon: str | _Unchanged | None = UNCHANGED
    last_failed_logon: str | _Unchanged | None = UNCHANGED

    def items(self) -> Iterator[tuple[str, Any]]:
        """The changed fields, as (name, value)."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is not UNCHANGED:
                yield f.name, value

    def __bool__(self) -> bool:
        return any(True for _ in self.items())

    def __repr__(self) -> str:
        # Hashes and encrypted secrets stay out of logs, as in UserRecord.
        shown = ", ".join(
            f"{name}=<hidden>" if name in ("password_hash", "otp_secret") else f"{name}={v!r}"
            for name, v in self.items()
        )
        return f"UserChanges({shown})"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewUser:
    """A user to create, in domain terms; the store seals it."""

    user_id: str
    name: str = ""
    email: str | None = None
    description: str = ""
    group_id: str | None = None
    role: int = 7
    admin_rights: bool = False
    tapemaster_rights: bool = False
    disabled: bool = False
    no_timeout: bool = False
    programs: frozenset[str] = frozenset(PROGRAMS)
    password_hash: str | None = dataclasses.field(default=None, repr=False)
    otp_enabled: bool = False
    otp_secret: bytes | None = dataclasses.field(default=None, repr=False)
    """Encrypted (:meth:`Transaction.encrypt_otp_secret`); set exactly when OTP is on."""
    created: str = ""
    """When; empty means now (an import passes one time for all its users)."""


@dataclass(frozen=True, slots=True)
class NewRecoveryCode:
    """A recovery code to store: the code (canonical form, to make its fingerprint;
    never stored) and its argon2id hash (made by the services)."""

    code: str = dataclasses.field(repr=False)
    code_hash: str = dataclasses.field(repr=False)


class Transaction(Protocol):
    """The writes of one short write transaction (:meth:`Store.write`): all of them
    happen, or none. Reads inside it see the transaction's own writes and hold the
    rows they read against other writers until it ends."""

    # --- users ---------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None: ...

    def encrypt_otp_secret(self, user_id: str, secret: bytes) -> bytes:
        """The stored form of an OTP secret, bound to this user and the store key."""
        ...

    def insert_user(self, user: NewUser) -> None: ...

    def insert_users(self, users: Iterable[NewUser]) -> int:
        """Many new users at once (bulk import); returns how many."""
        ...

    def update_user(self, user_id: str, changes: UserChanges, *, reseal: bool = False,
                    require_step_below: int | None = None) -> bool:
        """Apply ``changes`` and re-seal the record, in one conditional UPDATE.

        With ``require_step_below`` the change only happens while the stored last OTP
        step is lower (replay protection); the result says whether the user changed.
        A record that failed its integrity check is refused with
        :class:`~tapemaster_qt.errors.StoreIntegrityError` unless ``reseal``.
        """
        ...

    def update_tampered_user(self, user_id: str, changes: UserChanges) -> bool:
        """Count a refused attempt on a record that failed its integrity check: write
        ``changes`` (only the failure counters, ``last_failed_logon`` and ``revoked``)
        and leave the record's seal as it is, so counting never re-seals (launders) it.
        An intact record is refused (ValueError): it is updated with
        :meth:`update_user`. False when there is no such user."""
        ...

    def delete_user(self, user_id: str) -> bool: ...

    def count_unknown_failure(self, user_id: str, *, email: bool, ts: str,
                              forget_before: str, keep: int) -> int:
        """One more failed logon for a User-ID (or, with ``email``, an e-mail address)
        no user has; the consecutive failures counted for it now, this one included.
        It is recorded under a keyed hash, never as typed: of the User-ID exactly as
        typed (users are looked up by it exactly), of an e-mail address as the store
        compares addresses, ignoring case. So two names share a count only when they
        would name the same user. Counts last failed before ``forget_before`` are
        forgotten first, and only the ``keep`` most recent are kept."""
        ...

    def get_user_by_uid(self, uid: str) -> UserRecord | None:
        """The user whose immutable identity is ``uid``, held for this transaction."""
        ...

    # --- recovery codes --------------------------------------------------------------

    def recovery_codes(self, user_id: str) -> list[RecoveryCodeRecord]:
        """The user's unused codes, locked against other writers until the end."""
        ...

    def replace_recovery_codes(self, user_id: str, codes: Iterable[NewRecoveryCode],
                               created: str) -> int:
        """Store ``codes`` as the user's only recovery codes (sealed); returns how many
        old ones were destroyed."""
        ...

    def use_recovery_code(self, user_id: str, code: str) -> bool:
        """Spend a code (canonical form): True only for the one caller that removed it,
        however many programs race with it."""
        ...

    def delete_recovery_codes(self, user_id: str) -> int:
        """Destroy every recovery code of the user; returns how many."""
    def review_user(self, user_id: str) -> RecordReview | None:
        """The user's record compared with its last-known-good copy (what re-sealing a
        tampered record shows the administrator); None when there is no such user."""
        ...

    # --- groups --------------------------------------------------------------------

    def insert_group(self, group_id: str, description: str) -> None: ...

    def update_group(self, group_id: str, description: str) -> bool: ...

    def delete_group(self, group_id: str) -> bool: ...

    def group_members(self, group_id: str) -> int: ...

    # --- settings ------------------------------------------------------------------

    def set_setting(self, name: str, value: str) -> None: ...

    # --- audit ---------------------------------------------------------------------

    def append_audit(self, *, ts: str, actor: str, user_id: str | None, program: str,
                     host: str, event: str, detail: str = "") -> int:
        """Append one row to the append-only audit log; returns its id, which is never
        reused."""
        ...

    def append_audit_many(self, rows: Iterable[AuditRow]) -> None: ...

    # --- sessions ------------------------------------------------------------------

    def start_session(self, *, user_id: str, user_uid: str, otp_mark: str, program: str,
                      host: str, pid: int, ts: str, session_id: int | None = None) -> int:
        """A new session of the user ``user_uid``; ``session_id`` (its logon's audit row
        id) makes its id one no earlier session had, even one removed since."""
        ...

    def resume_session(self, *, session_id: int, user_id: str, user_uid: str,
                       otp_mark: str | None, program: str, host: str, pid: int, since: str,
                       ts: str) -> bool:
        """Put back a running session removed as stale; False when its user (that uid
        with that User-ID) is gone."""
        ...

    def get_session(self, session_id: int) -> SessionRecord | None:
        """One session, held for this transaction."""
        ...

    def touch_session(self, session_id: int, ts: str) -> bool: ...

    def set_session_otp_mark(self, session_id: int, mark: str) -> bool:
        """The session goes on under the user's new OTP secret (they moved to a new
        phone in this session); ``mark`` is what the services derive from it."""
        ...

    def request_session_end(self, session_id: int, reason: str, by: str, ts: str) -> bool:
        """Mark a session as ended by ``by`` (an administrator's Disconnect): its program
        logs out at its next heartbeat. False when it is gone or already ending."""
        ...

    def end_session(self, session_id: int) -> bool: ...

    def sessions(self) -> list[SessionRecord]: ...


class Store(Protocol):
    """One open user store. Not shared between threads; each process opens its own."""

    @property
    def store_id(self) -> str:
        """The store's identity (it names its key)."""
        ...

    @property
    def created(self) -> bool:
        """Whether opening it created it."""
        ...

    @property
    def location(self) -> str:
        """Where it is, for people: a file path, or a database URL without password."""
        ...

    @property
    def shared(self) -> bool:
        """A site's store on a server, shared by many desktops (no First Run there:
        ``tapemaster-admin init`` sets tapemaster's password)."""
        ...

    @property
    def identity(self) -> str:
        """Which store this is for this OS account's trust record: the folder's real
        path, or what a PostgreSQL server says the database is (never the URL as
        typed)."""
        ...

    @property
    def key(self) -> StoreKey:
        """The store key, loaded on first use; raises StoreKeyError when missing/wrong.
        Loading it checks the store as a whole (its identity and key against what this
        OS account remembers, rollback, the digest): StoreTamperedError when it fails."""
        ...

    def set_origin(self, program: str, host: str) -> None:
        """Who writes the audit rows the store adds on its own (tampering it detects)."""
        ...

    def generation(self) -> int:
        """The highest generation known for this store on this account (its head's,
        bumped by every write, and this account's high-water mark), whether or not the
        store passes its checks: a restore reads it from the store it replaces and
        passes it to :meth:`accept_store` of the restored copy."""
        ...

    def check_store(self) -> None:
        """The store as a whole again, as when it was opened (its sealed head, its
        generation against this account's mark, the digest of every seal), in one read
        snapshot outside the write lock; nothing is read when nothing else committed
        since this program last found it right. A running program's heartbeat asks, so
        that a record put back or removed meanwhile ends its session too. Raises
        :class:`~tapemaster_qt.errors.StoreTamperedError`."""
        ...

    def verify_store(self) -> StoreReport:
        """Every check of the whole store, for review; loads the key without trusting
        the store and raises only when the key itself is missing or wrong."""
        ...

    def accept_store(self, actor: str, *, floor_generation: int = 0,
                     reason: str = "after review") -> StoreReport:
        """Trust the store as it is now (after review, or after a restore: ``reason``
        says which in the audit row): this OS account's record of it is rewritten and
        its generation moves above ``floor_generation``. A backup from before seal
        version 2 is sealed first, as any such store is at its first use. Records
        failing their own seal stay tampered."""
        ...

    def key_description(self) -> str: ...

    def accepts_key(self, raw: bytes) -> bool:
        """Whether ``raw`` is this store's key (checked against the value kept with the
        store at its creation); for a key being imported, before it is kept anywhere."""
        ...

    def install_key(self, raw: bytes) -> StoreKey:
        """Keep ``raw`` (checked with :meth:`accepts_key`) where :attr:`key` looks on
        this desktop: the OS keyring, else the owner-only key file; this OS account's
        trust record then expects it there. Refuses (StoreTrustError) a key other than
        the one this account trusted for the store."""
        ...

    def key_status(self) -> KeyStatus:
        """Whether the key in memory is still stored where it was read from (read again
        from there; a keyring may be slow)."""
        ...

    def restore_key(self) -> str:
        """Write the key in memory back to where it was read from (its keyring entry or
        its owner-only key file) after it went missing; returns where, for people.
        Raises StoreKeyError when the key was never loaded or cannot be written."""
        ...

    def write(self) -> AbstractContextManager[Transaction]:
        """One short write transaction; commits on success, rolls back on any error."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # --- users ---------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None: ...

    def get_user_by_uid(self, uid: str) -> UserRecord | None:
        """The user whose immutable identity is ``uid`` (None: deleted)."""
        ...

    def list_users(self) -> list[UserRecord]:
        """Every user, in User-ID order."""
        ...

    def list_user_rows(self, *, check_seals: bool = True) -> list[UserRow]:
        """Every user, slim, for the administration table (User-ID order, ignoring
        case); without ``check_seals``, ``integrity_ok`` is None (see
        :meth:`seal_failures`) so that a window over 100,000 users shows first."""
        ...

    def seal_failures(self, after: str | None, limit: int) -> tuple[list[str], list[str]]:
        """Check the seals of up to ``limit`` users after User-ID ``after``; returns
        (the User-IDs checked, those whose seal failed)."""
        ...

    def count_users(self) -> int: ...

    def email_owner(self, email: str) -> str | None:
        """The User-ID whose e-mail equals ``email`` ignoring case."""
        ...

    def folded_user_ids_and_emails(self) -> tuple[set[str], set[str]]:
        """Every User-ID and e-mail, case-folded (a bulk import's clash checks)."""
        ...

    def user_id_like(self, user_id: str) -> str | None:
        """The existing User-ID that equals ``user_id`` ignoring case."""
        ...

    def decrypt_otp_secret(self, user: UserRecord) -> bytes | None:
        """The plain secret, or None when it does not decrypt for this user."""
        ...

    def has_password(self, user_id: str) -> bool: ...

    # --- recovery codes --------------------------------------------------------------

    def recovery_codes(self, user_id: str) -> list[RecoveryCodeRecord]:
        """The user's unused recovery codes, oldest first (hashes only)."""
        ...

    def find_recovery_code(self, user_id: str, code: str) -> RecoveryCodeRecord | None:
        """The unused code ``code`` (canonical form) of the user, found by its keyed
        fingerprint: the one hash the typed code must match, or None."""
    def review_user(self, user_id: str) -> RecordReview | None:
        """See :meth:`Transaction.review_user`."""
        ...

    # --- groups --------------------------------------------------------------------

    def list_groups(self) -> list[GroupRecord]: ...

    def get_group(self, group_id: str) -> GroupRecord | None: ...

    def group_id_like(self, group_id: str) -> str | None: ...

    # --- settings ------------------------------------------------------------------

    def setting(self, name: str) -> str:
        """A sealed store setting; one changed or removed outside TapeMaster raises
        StoreTamperedError (never a quiet default)."""
        ...

    # --- audit ---------------------------------------------------------------------

    def audit_events(self, where: AuditFilter | None = None, *, user_id: str | None = None,
                     limit: int | None = None, before_id: int | None = None,
                     text: str | None = None) -> list[AuditEvent]:
        """The rows ``where`` selects (``user_id`` and ``text`` add to it), newest
        first; ``before_id`` pages backwards through a large log."""
        ...

    def count_audit(self, where: AuditFilter | None = None, *, user_id: str | None = None,
                    text: str | None = None) -> int: ...

    def last_audit_event(self, user_id: str, event: str) -> AuditEvent | None:
        """The newest event named ``event`` about ``user_id``."""
    def audit_chain(self, *, whole: bool = False) -> AuditChainStatus:
        """The audit log's hash chain against the sealed head: its end and newest rows
        (cheap), or every row (``whole``)."""
        ...

    # --- sessions and health -------------------------------------------------------

    def list_sessions(self) -> list[SessionRecord]: ...

    def check_same_store(self) -> None:
        """Raise :class:`~tapemaster_qt.errors.StoreReplacedError` when the store is no
        longer the one this program opened (a backup restored, another copy put in its
        place): the session heartbeat asks, and every write transaction checks the same
        before it writes anything. Reads only; after it has failed once, every write
        fails the same way."""
        ...

    def get_session(self, session_id: int) -> SessionRecord | None: ...

    def integrity_check(self) -> list[str]:
        """The backend's own consistency check; ``["ok"]`` when sound."""
        ...
