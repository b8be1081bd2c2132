"""The store over any SQL :class:`~.database.Database`: the one implementation of the
:class:`~.interface.Store` and :class:`~.interface.Transaction` Protocols.

Each method hands its work to a table module (``users``, ``groups``, ``settings``,
``audit``, ``sessions``); what is here is the store key and the write transaction:

- the key is loaded on first use (a keyring is slow and not always needed), and
  loading it checks the store as a whole (``integrity.check_on_open``: this OS
  account's trust record, the sealed head, rollback, the digest), sealing a store of
  an older version once;
- every write transaction reads the sealed head first (locked against other writers),
  checks it and this account's high-water mark, keeps the digest and the audit chain
  up to date through a :class:`~.head.Ledger` (checking the digest against the tables
  the first time it touches a sealed row), and writes the head one generation on; after
  the commit the high-water mark rises (``trust.raise_mark``), and a removed OTP secret
  is scrubbed from the backend's log;
- tampering found anywhere is written to the audit log by the store itself, once per
  program (when the store can still be written), before the error reaches the caller.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Self

from tapemaster_qt.errors import StoreError, StoreKeyError, StoreTamperedError, StoreTrustError
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
from tapemaster_qt.store import (
    audit,
    groups,
    head,
    integrity,
    migrations,
    recovery_codes,
    sealing,
    sessions,
    settings,
    trust,
    unknown_logons,
    users,
)
from tapemaster_qt.store.database import Database, utc_now
from tapemaster_qt.store.head import Ledger
from tapemaster_qt.store.integrity import AuditWriter
from tapemaster_qt.store.interface import (
    AuditRow,
    KeyStatus,
    NewRecoveryCode,
    NewUser,
    UserChanges,
)
from tapemaster_qt.store.sealing import Digest

if TYPE_CHECKING:
    from tapemaster_qt.store.crypto import Sealer
    from tapemaster_qt.store.keys import KeyFolder, StoreKey

logger = logging.getLogger(__name__)

STORE_INTEGRITY_FAILED = "store_integrity_failed"
STORE_TRUSTED = "store_trusted"


class SQLStore:
    """One open user store (see :class:`~.interface.Store`)."""

    def __init__(self, db: Database, *, store_id: str, created: bool,
                 key_folder: Path) -> None:
        self.db = db
        """The backend's connection (tests and benchmarks look inside; services never)."""
        self._store_id = store_id
        self._created = created
        self.key_folder = key_folder
        """Where the key file is when no OS keyring can hold the key."""
        self._key: StoreKey | None = None
        self._sealer: Sealer | None = None
        self._mark = 0
        """The highest generation this program has seen (with the account's record)."""
        self._known: tuple[object, int] | None = None
        """(change token, generation) of the last state whose digest this program
        checked against the tables or kept exact itself: while no other connection has
        committed since (same token) and the head is that generation, the next write
        need not read the tables again (``Database.change_token``)."""
        self._origin = ("-", _hostname())
        self._reported: set[str] = set()

    @classmethod
    def over(cls, db: Database, key_folder: KeyFolder) -> Self:
        """The store in ``db``, which the backend has checked is ours and not newer:
        migrated (or created) as needed (``key_folder``: see :data:`.keys.KeyFolder`). A
        store created here is remembered at once as trusted by this OS account."""
        from tapemaster_qt.store import keys

        created = migrations.migrate(db, key_folder)
        store_id = settings.store_id(db)
        store = cls(db, store_id=store_id, created=created,
                    key_folder=keys.key_folder(key_folder, store_id))
        seen = settings.identity(db)
        token = seen.get(settings.STORE_TOKEN)
        if token is None or settings.WRITE_COUNT not in seen:
            with db.transaction():  # a store from before tokens: it gets one, once
                token = settings.adopt_token(db)
        db.token, db.token_before = token, seen.get(settings.TOKEN_BEFORE)
        if created:
            store._trust_new_store()
        return store

    @property
    def store_id(self) -> str:
        return self._store_id

    @property
    def created(self) -> bool:
        return self._created

    @property
    def location(self) -> str:
        return self.db.location

    @property
    def shared(self) -> bool:
        return self.db.dialect.name != "sqlite"

    @property
    def identity(self) -> str:
        return self.db.identity

    def set_origin(self, program: str, host: str) -> None:
        self._origin = (program, host)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the key ----------------------------------------------------------------------

    def load_key_unchecked(self) -> tuple[StoreKey, Sealer]:
        """The key and its sealer, checked against the store's key check only (not the
        store as a whole: a restore replaces a store refused as a whole too)."""
        from tapemaster_qt.store import keys
        from tapemaster_qt.store.crypto import Sealer

        key = keys.load_key(self.store_id, self.key_folder)
        if key is None:
            raise StoreKeyError(
                "The key that protects this store's One Time Password secrets is not on "
                f"this computer (not in the OS keyring, no key file in {self.key_folder}): "
                f"{keys.MISSING_KEY_HINT}."
            )
        sealer = Sealer(key.raw, self.store_id)
        if not self.accepts_key(key.raw):
            raise StoreKeyError(
                f"The store key found in the {key.describe()} does not belong to this "
                "store. Restore the store's own key."
            )
        return key, sealer

    @property
    def key(self) -> StoreKey:
        """The store key, loaded on first use, the store checked as a whole."""
        if self._key is None:
            key, sealer = self.load_key_unchecked()
            try:
                stored = self._trust_record(sealer)
                # Each group of reads in one snapshot: another program may commit
                # between two statements, and a head read before its write would not
                # match the tables read after it.
                with self.db.snapshot():
                    current = head.read(self.db)
                    if current is None and integrity.already_sealed(self.db, sealer, stored):
                        raise integrity.head_error(self.location, "was removed")
                if current is None:
                    self._upgrade(sealer)
                # The mark first: read inside the snapshot, it could be ahead of it.
                seen: int | None = None
                ref: trust.MarkRef | None = None
                if stored is not None and stored.verified(sealer):
                    seen = trust.mark(self.identity, sealer, stored)
                    ref = trust.mark_ref(self.identity, sealer, stored)
                with self.db.snapshot():
                    checked = integrity.check_on_open(self.db, self.store_id, key, sealer,
                                                      stored, seen, ref)
                    token = self.db.change_token()
                self._known = None if token is None else (token, checked.generation)
                if checked.seal_version < sealing.SEAL_VERSION:
                    self._upgrade_seal_version(sealer)
            except StoreTamperedError as exc:
                self._report(exc, sealer)
                raise
            current = head.read(self.db)
            assert current is not None
            self._key, self._sealer = key, sealer
            self._mark = current.generation
            if stored is None:
                self._trust_first_use(key, sealer, current.generation)
            else:
                trust.raise_mark(self.identity, sealer, current.generation, current.audit_id,
                                 audit.hash_at(self.db, current.audit_id))
        return self._key

    def _trust_record(self, sealer: Sealer) -> trust.Stored | None:
        """This account's record of the store, taken over from its records under other
        names the first time (``trust.adopt``: a server store was once remembered under
        the URL as typed)."""
        return trust.adopt(self.identity, self.store_id, sealer,
                           legacy=self.db.legacy_identities,
                           related=self.db.trust_related if self.db.legacy_identities
                           else None)

    def accepts_key(self, raw: bytes) -> bool:
        from tapemaster_qt.store.crypto import Sealer

        return settings.key_check(self.db) == Sealer(raw, self.store_id).key_check()

    def install_key(self, raw: bytes) -> StoreKey:
        """Keep an imported key where :attr:`key` looks, and remember its new place in
        this account's trust record (the legitimate way a key moves). A key other than
        the one this account trusted for the store is refused before it is kept."""
        from tapemaster_qt.store import keys
        from tapemaster_qt.store.crypto import Sealer

        sealer = Sealer(raw, self.store_id)
        stored = self._trust_record(sealer)
        if stored is not None and (stored.record.key_id != sealer.key_id
                                   or not stored.verified(sealer)):
            raise StoreTrustError(
                f"That key opens the user store {self.location} as it is now, but it is "
                "not the key this account trusted for it; nothing was imported. Check the "
                f"store with '{integrity.VERIFY}', then accept it with '{integrity.ACCEPT}'.",
                "trust refused: the key imported is not the one trusted")
        key = keys.install_key(self.store_id, raw, self.key_folder)
        generation = 0 if stored is None else trust.mark(self.identity, sealer, stored)
        current = head.read(self.db)
        if current is not None:
            generation = max(generation, current.generation)
        trust.save(integrity.new_record(self.identity, self.store_id, key, sealer, generation),
                   sealer)
        self._key = self._sealer = None  # the next use loads (and checks) the new one
        return key

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            _ = self.key
        assert self._sealer is not None
        return self._sealer

    def key_description(self) -> str:
        return self.key.describe()

    def key_status(self) -> KeyStatus:
        if self._key is None:
            return KeyStatus.NOT_LOADED
        from tapemaster_qt.store import keys

        try:
            found = keys.load_key(self.store_id, self.key_folder)
        except StoreKeyError:
            return KeyStatus.UNREADABLE
        if found is None:
            return KeyStatus.MISSING
        if not hmac.compare_digest(found.raw, self._key.raw):
            return KeyStatus.REPLACED
        return KeyStatus.STORED

    def restore_key(self) -> str:
        if self._key is None:
            raise StoreKeyError("The store key was never read by this program; there is "
                                "nothing to write back.")
        from tapemaster_qt.store import keys

        return keys.put_back(self._key, self.store_id, self.key_folder).describe()

    def _upgrade(self, sealer: Sealer) -> None:
        """Seal a store of an older seal version once (another program may be at it)."""
        with self.db.transaction():
            if head.read(self.db, for_update=True) is not None:
                return
            integrity.upgrade(self.db, sealer, self._audit_writer())

    def _upgrade_seal_version(self, sealer: Sealer) -> None:
        """Re-seal over a newer field list once (another program may be at it)."""
        with self.db.transaction():
            current = head.read(self.db, for_update=True)
            if current is None or current.seal_version >= sealing.SEAL_VERSION:
                return
            integrity.upgrade_seal_version(self.db, sealer, current, self._audit_writer())

    def _trust_new_store(self) -> None:
        """Remember a store this program just created (its key is in hand)."""
        key, sealer = self.load_key_unchecked()
        current = head.read(self.db)
        assert current is not None
        trust.save(integrity.new_record(self.identity, self.store_id, key, sealer,
                                        current.generation), sealer)

    def _trust_first_use(self, key: StoreKey, sealer: Sealer, generation: int) -> None:
        """Trust on first use: a store this OS account never opened is taken as found,
        remembered, and that is said in the log and the audit log."""
        trust.save(integrity.new_record(self.identity, self.store_id, key, sealer,
                                        generation), sealer)
        logger.info("First use of the store %s by this account: trusted as found "
                    "(key in the %s)", self.location, key.describe())
        # Said, not required: a store that cannot be written (read-only, damaged log)
        # is still read.
        with contextlib.suppress(StoreError), self.write() as tx:
            tx.append_audit(ts=utc_now(), actor="-", user_id=None,
                            program=self._origin[0], host=self._origin[1],
                            event=STORE_TRUSTED,
                            detail=f"first use by this account; key in the "
                                   f"{key.describe()}")

    def generation(self) -> int:
        """The highest generation known for this store here: its head's (sealed with
        its key, checked or not: a restore asks this of the store it replaces, which
        may be the damaged one) and this account's mark."""
        _, sealer = self.load_key_unchecked()
        current = head.read(self.db)
        found = current.generation if current is not None and current.intact(sealer) else 0
        with contextlib.suppress(StoreTrustError):
            stored = self._trust_record(sealer)
            if stored is not None and stored.verified(sealer):
                found = max(found, trust.mark(stored.record.identity, sealer, stored))
        return found

    def check_store(self) -> None:
        sealer = self.sealer  # the store checked when it was opened
        # This account's mark before the snapshot (see integrity.check_on_open).
        seen = max(self._mark, self._account_mark(sealer))
        ref = self._account_ref(sealer)
        try:
            with self.db.snapshot():
                token = self.db.change_token()
                current = head.read(self.db)
                if (token is not None and current is not None
                        and self._known == (token, current.generation)):
                    return  # nothing else committed since it was last found right
                if current is None or not current.intact(sealer):
                    raise integrity.head_error(
                        self.location, "was removed" if current is None else "was changed")
                if current.generation < seen:
                    raise integrity.rollback_error(self.location, current.generation, seen)
                if integrity.forked(self.db, sealer, current, ref):
                    assert ref is not None
                    raise integrity.fork_error(self.location, ref)
                sealed = Digest.parse(current.digest)
                if sealed is None:
                    raise integrity.head_error(self.location, "was changed")
                integrity.check_digest(self.db, sealed, sealer)
        except StoreTamperedError as exc:
            self._known = None
            self._report(exc, sealer)
            raise
        self._known = None if token is None else (token, current.generation)
        self._mark = max(self._mark, current.generation)

    # --- review and accept -----------------------------------------------------------

    def verify_store(self) -> StoreReport:
        key, sealer = self.load_key_unchecked()
        with contextlib.suppress(StoreTrustError):
            self._trust_record(sealer)  # verify reads the record under its current name
        with self.db.snapshot():
            return integrity.verify(self.db, self.identity, self.store_id, key, sealer)

    def accept_store(self, actor: str, *, floor_generation: int = 0,
                     reason: str = "after review") -> StoreReport:
        key, sealer = self.load_key_unchecked()
        with self.db.transaction():
            if (head.read(self.db, for_update=True) is None
                    and integrity.sealed_by_version_1(self.db, sealer)):
                # A backup from before seal version 2, restored: sealed once, as on
                # the first use of any such store, before it is accepted.
                integrity.upgrade(self.db, sealer, self._audit_writer())
            report = integrity.accept(self.db, self.identity, self.store_id, key, sealer,
                                      self._audit_writer(actor),
                                      floor_generation=floor_generation, reason=reason)
        generation = report.generation or 0
        self._known = None
        trust.save(integrity.new_record(self.identity, self.store_id, key, sealer, generation),
                   sealer)
        self._key, self._sealer, self._mark = key, sealer, generation
        self._reported.clear()
        logger.info("Store %s accepted as it is by %s: %s", self.location, actor,
                    "; ".join(report.accepted) or "nothing to accept")
        return report

    # --- writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[SQLTransaction]:
        sealer = self.sealer  # the store checked as a whole first
        with self._transaction(sealer, checked=True) as tx:
            yield tx

    @contextlib.contextmanager
    def _transaction(self, sealer: Sealer, *, checked: bool) -> Iterator[SQLTransaction]:
        """One write transaction over the sealed head. ``checked``: refuse a head that
        is not intact, a generation below the mark and a digest that does not match
        (the one that reports tampering writes without those checks)."""
        try:
            with self.db.transaction():
                current = head.read(self.db, for_update=True)
                if current is None or not current.intact(sealer):
                    raise integrity.head_error(
                        self.location, "was removed" if current is None else "was changed")
                # A row at the id this transaction would append at was added outside
                # TapeMaster: say so, rather than a unique-key conflict (REVIEW-2 D5).
                extra = audit.rows_after(self.db, current.audit_id)
                if extra:
                    raise integrity.audit_added_error(self.location, extra, current.audit_id)
                token = self.db.change_token()
                if checked:
                    mark = max(self._mark, self._account_mark(sealer))
                    if current.generation < mark:
                        raise integrity.rollback_error(self.location, current.generation, mark)
                # Nothing else committed since this program last knew the digest right:
                # no need to read the tables again (the common case of one program).
                known = (checked and token is not None
                         and self._known == (token, current.generation))
                db = self.db
                ledger = Ledger(current, verify=(
                    (lambda sealed: integrity.check_digest(db, sealed, sealer)) if checked
                    else lambda _d: None), verified=known)
                tx = SQLTransaction(self, sealer, ledger)
                yield tx
                written = ledger.next_head(sealer, bump=checked)
                head.write(self.db, written)
                # What this account's mark remembers of the history (REVIEW-2 D2).
                written_hash = audit.hash_at(self.db, written.audit_id) if checked else None
                token = self.db.own_change_token(token)
        except StoreTamperedError as exc:
            self._known = None
            if checked:
                self._report(exc, sealer)
            raise
        except BaseException:
            self._known = None
            raise
        self._known = (None if not checked or token is None or not ledger.verified
                       else (token, written.generation))
        if checked:  # a refusal's own audit row leaves the mark where it is
            self._mark = max(self._mark, written.generation)
            trust.raise_mark(self.identity, sealer, written.generation, written.audit_id,
                             written_hash)
        if ledger.scrub:
            self.db.scrub()

    def _account_ref(self, sealer: Sealer) -> trust.MarkRef | None:
        """Where this account's mark says it last saw the store's history (None when
        the mark does not say)."""
        try:
            stored = trust.load(self.identity)
        except StoreTrustError:
            return None
        if stored is None or not stored.verified(sealer):
            return None
        return trust.mark_ref(self.identity, sealer, stored)

    def _account_mark(self, sealer: Sealer) -> int:
        """The account's high-water mark as other programs left it (0 when unknown)."""
        try:
            stored = trust.load(self.identity)
        except StoreTrustError:
            return 0
        if stored is None or not stored.verified(sealer):
            return 0
        return trust.mark(self.identity, sealer, stored)

    def _audit_writer(self, actor: str = "-") -> AuditWriter:
        """Appends the store's own audit rows (event, detail) through a ledger."""
        db, origin = self.db, self._origin

        def write(ledger: Ledger, event: str, detail: str) -> None:
            audit.append(db, ledger, ts=utc_now(), actor=actor, user_id=None,
                         program=origin[0], host=origin[1], event=event, detail=detail)
        return write

    def _report(self, exc: StoreTamperedError, sealer: Sealer) -> None:
        """Tampering found: in the log, and once per program in the audit log where the
        store can still be written (a refusal changes nothing else)."""
        if exc.finding in self._reported:
            return
        self._reported.add(exc.finding)
        # The refusal itself reaches the person (a message box, the CLI's one line); the
        # log file keeps it at INFO, so the CLI does not say it twice.
        logger.info("Store %s refused: %s", self.location, exc.finding)
        try:
            with self._transaction(sealer, checked=False) as tx:
                tx.append_audit(ts=utc_now(), actor="-", user_id=None,
                                program=self._origin[0], host=self._origin[1],
                                event=STORE_INTEGRITY_FAILED, detail=exc.finding)
        except Exception as error:
            logger.warning("The refusal could not be written to the audit log: %s", error)

    # --- users ------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        return users.get(self.db, self.sealer, user_id)

    def get_user_by_uid(self, uid: str) -> UserRecord | None:
        return users.get_by_uid(self.db, self.sealer, uid)

    def list_users(self) -> list[UserRecord]:
        return users.list_all(self.db, self.sealer)

    def list_user_rows(self, *, check_seals: bool = True) -> list[UserRow]:
        return users.list_rows(self.db, self.sealer if check_seals else None)

    def seal_failures(self, after: str | None, limit: int) -> tuple[list[str], list[str]]:
        return users.seal_failures(self.db, self.sealer, after, limit)

    def count_users(self) -> int:
        return users.count(self.db)

    def email_owner(self, email: str) -> str | None:
        return users.email_owner(self.db, email)

    def folded_user_ids_and_emails(self) -> tuple[set[str], set[str]]:
        return users.folded_ids_and_emails(self.db)

    def user_id_like(self, user_id: str) -> str | None:
        return users.id_like(self.db, user_id)

    def decrypt_otp_secret(self, user: UserRecord) -> bytes | None:
        if user.otp_secret is None:
            return None
        return self.sealer.decrypt_secret(user.user_id, user.otp_secret)

    def has_password(self, user_id: str) -> bool:
        return users.has_password(self.db, user_id)

    # --- recovery codes ---------------------------------------------------------------

    def recovery_codes(self, user_id: str) -> list[RecoveryCodeRecord]:
        return recovery_codes.of_user(self.db, self.sealer, user_id)

    def find_recovery_code(self, user_id: str, code: str) -> RecoveryCodeRecord | None:
        return recovery_codes.find(self.db, self.sealer, user_id, code)

    def review_user(self, user_id: str) -> RecordReview | None:
        return users.review(self.db, self.sealer, user_id)

    # --- groups -----------------------------------------------------------------------

    def list_groups(self) -> list[GroupRecord]:
        return groups.list_all(self.db, self.sealer)

    def get_group(self, group_id: str) -> GroupRecord | None:
        return groups.get(self.db, self.sealer, group_id)

    def group_id_like(self, group_id: str) -> str | None:
        return groups.id_like(self.db, group_id)

    # --- settings ---------------------------------------------------------------------

    def setting(self, name: str) -> str:
        sealer = self.sealer
        try:
            return settings.get(self.db, sealer, name)
        except StoreTamperedError as exc:
            self._report(exc, sealer)
            raise

    # --- audit ------------------------------------------------------------------------

    def audit_events(self, where: AuditFilter | None = None, *, user_id: str | None = None,
                     limit: int | None = None, before_id: int | None = None,
                     text: str | None = None) -> list[AuditEvent]:
        return audit.events(self.db, _audit_filter(where, user_id, text), limit=limit,
                            before_id=before_id)

    def count_audit(self, where: AuditFilter | None = None, *, user_id: str | None = None,
                    text: str | None = None) -> int:
        return audit.count(self.db, _audit_filter(where, user_id, text))

    def last_audit_event(self, user_id: str, event: str) -> AuditEvent | None:
        return audit.last(self.db, user_id, event)

    def audit_chain(self, *, whole: bool = False) -> AuditChainStatus:
        sealer = self.sealer
        with self.db.snapshot():  # the head and the rows as one program left them
            current = head.read(self.db)
            if current is None or not current.intact(sealer):
                return AuditChainStatus(False, 0, whole, "the store's sealed head record "
                                        "was changed or removed outside TapeMaster")
            if whole:
                return audit.check_all(self.db, current)
            return audit.check_tail(self.db, current)

    # --- sessions and health ----------------------------------------------------------

    def list_sessions(self) -> list[SessionRecord]:
        return sessions.list_all(self.db)

    def get_session(self, session_id: int) -> SessionRecord | None:
        return sessions.get(self.db, session_id)

    def integrity_check(self) -> list[str]:
        return self.db.integrity_check()

    def check_same_store(self) -> None:
        self.db.check_same_store()


def _hostname() -> str:
    import os

    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


class SQLTransaction:
    """The writes inside :meth:`SQLStore.write` (see :class:`~.interface.Transaction`).
    Every change to a sealed table goes through the ledger, which checks the digest
    before the first one."""

    def __init__(self, store: SQLStore, sealer: Sealer, ledger: Ledger) -> None:
        self._store = store
        self._db = store.db
        self._sealer = sealer
        self._ledger = ledger

    # --- users ------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        self._ledger.check()  # what this transaction decides must rest on the latest rows
        return users.get(self._db, self._sealer, user_id, for_update=True)

    def encrypt_otp_secret(self, user_id: str, secret: bytes) -> bytes:
        return self._sealer.encrypt_secret(user_id, secret)

    def insert_user(self, user: NewUser) -> None:
        users.insert(self._db, self._sealer, self._ledger, user)

    def insert_users(self, new_users: Iterable[NewUser]) -> int:
        return users.insert_many(self._db, self._sealer, self._ledger, new_users)

    def update_user(self, user_id: str, changes: UserChanges, *, reseal: bool = False,
                    require_step_below: int | None = None) -> bool:
        return users.update(self._db, self._sealer, self._ledger, user_id, changes,
                            reseal=reseal, require_step_below=require_step_below)

    def update_tampered_user(self, user_id: str, changes: UserChanges) -> bool:
        return users.update_tampered(self._db, self._sealer, self._ledger, user_id, changes)

    def delete_user(self, user_id: str) -> bool:
        return users.delete(self._db, self._sealer, self._ledger, user_id)

    def review_user(self, user_id: str) -> RecordReview | None:
        self._ledger.check()
        return users.review(self._db, self._sealer, user_id)

    def count_unknown_failure(self, user_id: str, *, email: bool, ts: str,
                              forget_before: str, keep: int) -> int:
        return unknown_logons.count_failure(self._db, self._sealer, user_id,
                                            email=email, ts=ts,
                                            forget_before=forget_before, keep=keep)

    def get_user_by_uid(self, uid: str) -> UserRecord | None:
        # As get_user: a decision must rest on the latest rows. Free when nothing else
        # committed since this program last found the store right (the heartbeat checks
        # it first, outside the write lock: Store.check_store).
        self._ledger.check()
        return users.get_by_uid(self._db, self._sealer, uid, for_update=True)

    # --- recovery codes ---------------------------------------------------------------

    def recovery_codes(self, user_id: str) -> list[RecoveryCodeRecord]:
        self._ledger.check()
        return recovery_codes.of_user(self._db, self._sealer, user_id, for_update=True)

    def replace_recovery_codes(self, user_id: str, codes: Iterable[NewRecoveryCode],
                               created: str) -> int:
        return recovery_codes.replace(self._db, self._sealer, self._ledger, user_id, codes,
                                      created)

    def use_recovery_code(self, user_id: str, code: str) -> bool:
        return recovery_codes.use(self._db, self._sealer, self._ledger, user_id, code)

    def delete_recovery_codes(self, user_id: str) -> int:
        return recovery_codes.delete_all(self._db, self._sealer, self._ledger, user_id)

    # --- groups -----------------------------------------------------------------------

    def insert_group(self, group_id: str, description: str) -> None:
        groups.insert(self._db, self._sealer, self._ledger, group_id, description)

    def update_group(self, group_id: str, description: str) -> bool:
        return groups.update(self._db, self._sealer, self._ledger, group_id, description)

    def delete_group(self, group_id: str) -> bool:
        return groups.delete(self._db, self._ledger, group_id)

    def group_members(self, group_id: str) -> int:
        return groups.members(self._db, group_id)

    # --- settings ---------------------------------------------------------------------

    def set_setting(self, name: str, value: str) -> None:
        settings.put(self._db, self._sealer, self._ledger, name, value)

    # --- audit ------------------------------------------------------------------------

    def append_audit(self, *, ts: str, actor: str, user_id: str | None, program: str,
                     host: str, event: str, detail: str = "") -> int:
        return audit.append(self._db, self._ledger, ts=ts, actor=actor, user_id=user_id,
                            program=program, host=host, event=event, detail=detail)

    def append_audit_many(self, rows: Iterable[AuditRow]) -> None:
        audit.append_many(self._db, self._ledger, rows)

    # --- sessions ---------------------------------------------------------------------

    def start_session(self, *, user_id: str, user_uid: str, otp_mark: str, program: str,
                      host: str, pid: int, ts: str, session_id: int | None = None) -> int:
        return sessions.start(self._db, user_id=user_id, user_uid=user_uid,
                              otp_mark=otp_mark, program=program, host=host, pid=pid, ts=ts,
                              session_id=session_id)

    def resume_session(self, *, session_id: int, user_id: str, user_uid: str,
                       otp_mark: str | None, program: str, host: str, pid: int, since: str,
                       ts: str) -> bool:
        return sessions.resume(self._db, session_id=session_id, user_id=user_id,
                               user_uid=user_uid, otp_mark=otp_mark, program=program,
                               host=host, pid=pid, since=since, ts=ts)

    def get_session(self, session_id: int) -> SessionRecord | None:
        return sessions.get(self._db, session_id, for_update=True)

    def touch_session(self, session_id: int, ts: str) -> bool:
        return sessions.touch(self._db, session_id, ts)

    def set_session_otp_mark(self, session_id: int, mark: str) -> bool:
        return sessions.set_otp_mark(self._db, session_id, mark)

    def request_session_end(self, session_id: int, reason: str, by: str, ts: str) -> bool:
        return sessions.request_end(self._db, session_id, reason, by, ts)

    def end_session(self, session_id: int) -> bool:
        return sessions.end(self._db, session_id)

    def sessions(self) -> list[SessionRecord]:
        return sessions.list_all(self._db, ordered=False)


def _audit_filter(where: AuditFilter | None, user_id: str | None, text: str | None
                  ) -> AuditFilter:
    where = where or AuditFilter()
    if user_id is not None:
        where = dataclasses.replace(where, user_id=user_id)
    if text:
        where = dataclasses.replace(where, text=text)
    return where
