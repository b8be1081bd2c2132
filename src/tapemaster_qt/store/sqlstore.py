"""The store over any SQL :class:`~.database.Database`: the one implementation of the
:class:`~.interface.Store` and :class:`~.interface.Transaction` Protocols.

Each method hands its work to a table module (``users``, ``groups``, ``settings``,
``audit``, ``sessions``); what is here is the store key (loaded on first use: a keyring
is slow and not always needed) and the write transaction. A backend only provides the
Database (connection, errors, dialect) and how it is opened.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Self

from tapemaster_qt.errors import StoreKeyError
from tapemaster_qt.records import (
    AuditEvent,
    GroupRecord,
    RecoveryCodeRecord,
    SessionRecord,
    UserRecord,
    UserRow,
)
from tapemaster_qt.store import (
    audit,
    groups,
    migrations,
    recovery_codes,
    sessions,
    settings,
    unknown_logons,
    users,
)
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.interface import (
    AuditRow,
    KeyStatus,
    NewRecoveryCode,
    NewUser,
    UserChanges,
)

if TYPE_CHECKING:
    from tapemaster_qt.store.crypto import Sealer
    from tapemaster_qt.store.keys import KeyFolder, StoreKey


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

    @classmethod
    def over(cls, db: Database, key_folder: KeyFolder) -> Self:
        """The store in ``db``, which the backend has checked is ours and not newer:
        migrated (or created) as needed. ``key_folder``: see :data:`.keys.KeyFolder`."""
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

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the key ----------------------------------------------------------------------

    @property
    def key(self) -> StoreKey:
        """The store key, loaded on first use (keyring access is slow and optional)."""
        if self._key is None:
            from tapemaster_qt.store import keys
            from tapemaster_qt.store.crypto import Sealer

            key = keys.load_key(self.store_id, self.key_folder)
            if key is None:
                raise StoreKeyError(
                    "The key that protects this store's One Time Password secrets is not on "
                    f"this computer (not in the OS keyring, no key file in {self.key_folder}): "
                    f"{keys.MISSING_KEY_HINT}."
                )
            if not self.accepts_key(key.raw):
                raise StoreKeyError(
                    f"The store key found in the {key.describe()} does not belong to this "
                    "store. Restore the store's own key."
                )
            self._key, self._sealer = key, Sealer(key.raw, self.store_id)
        return self._key

    def accepts_key(self, raw: bytes) -> bool:
        from tapemaster_qt.store.crypto import Sealer

        return settings.key_check(self.db) == Sealer(raw, self.store_id).key_check()

    def install_key(self, raw: bytes) -> StoreKey:
        from tapemaster_qt.store import keys

        key = keys.install_key(self.store_id, raw, self.key_folder)
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

    # --- writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[SQLTransaction]:
        with self.db.transaction():
            yield SQLTransaction(self)

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

    # --- groups -----------------------------------------------------------------------

    def list_groups(self) -> list[GroupRecord]:
        return groups.list_all(self.db)

    def get_group(self, group_id: str) -> GroupRecord | None:
        return groups.get(self.db, group_id)

    def group_id_like(self, group_id: str) -> str | None:
        return groups.id_like(self.db, group_id)

    # --- settings ---------------------------------------------------------------------

    def setting(self, name: str) -> str:
        return settings.get(self.db, self.sealer, name)

    # --- audit ------------------------------------------------------------------------

    def audit_events(self, *, user_id: str | None = None, limit: int | None = None,
                     before_id: int | None = None, text: str | None = None
                     ) -> list[AuditEvent]:
        return audit.events(self.db, user_id=user_id, limit=limit, before_id=before_id,
                            text=text)

    def count_audit(self, *, user_id: str | None = None, text: str | None = None) -> int:
        return audit.count(self.db, user_id=user_id, text=text)

    def last_audit_event(self, user_id: str, event: str) -> AuditEvent | None:
        return audit.last(self.db, user_id, event)

    # --- sessions and health ----------------------------------------------------------

    def list_sessions(self) -> list[SessionRecord]:
        return sessions.list_all(self.db)

    def get_session(self, session_id: int) -> SessionRecord | None:
        return sessions.get(self.db, session_id)

    def integrity_check(self) -> list[str]:
        return self.db.integrity_check()

    def check_same_store(self) -> None:
        self.db.check_same_store()


class SQLTransaction:
    """The writes inside :meth:`SQLStore.write` (see :class:`~.interface.Transaction`)."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store
        self._db = store.db

    # --- users ------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        return users.get(self._db, self._store.sealer, user_id, for_update=True)

    def encrypt_otp_secret(self, user_id: str, secret: bytes) -> bytes:
        return self._store.sealer.encrypt_secret(user_id, secret)

    def insert_user(self, user: NewUser) -> None:
        users.insert(self._db, self._store.sealer, user)

    def insert_users(self, new_users: Iterable[NewUser]) -> int:
        return users.insert_many(self._db, self._store.sealer, new_users)

    def update_user(self, user_id: str, changes: UserChanges, *, reseal: bool = False,
                    require_step_below: int | None = None) -> bool:
        return users.update(self._db, self._store.sealer, user_id, changes, reseal=reseal,
                            require_step_below=require_step_below)

    def update_tampered_user(self, user_id: str, changes: UserChanges) -> bool:
        return users.update_tampered(self._db, self._store.sealer, user_id, changes)

    def delete_user(self, user_id: str) -> bool:
        return users.delete(self._db, user_id)

    def count_unknown_failure(self, user_id: str, *, email: bool, ts: str,
                              forget_before: str, keep: int) -> int:
        return unknown_logons.count_failure(self._db, self._store.sealer, user_id,
                                            email=email, ts=ts,
                                            forget_before=forget_before, keep=keep)

    def get_user_by_uid(self, uid: str) -> UserRecord | None:
        return users.get_by_uid(self._db, self._store.sealer, uid, for_update=True)

    # --- recovery codes ---------------------------------------------------------------

    def recovery_codes(self, user_id: str) -> list[RecoveryCodeRecord]:
        return recovery_codes.of_user(self._db, self._store.sealer, user_id, for_update=True)

    def replace_recovery_codes(self, user_id: str, codes: Iterable[NewRecoveryCode],
                               created: str) -> int:
        return recovery_codes.replace(self._db, self._store.sealer, user_id, codes, created)

    def use_recovery_code(self, user_id: str, code: str) -> bool:
        return recovery_codes.use(self._db, self._store.sealer, user_id, code)

    def delete_recovery_codes(self, user_id: str) -> int:
        return recovery_codes.delete_all(self._db, user_id)

    # --- groups -----------------------------------------------------------------------

    def insert_group(self, group_id: str, description: str) -> None:
        groups.insert(self._db, group_id, description)

    def update_group(self, group_id: str, description: str) -> bool:
        return groups.update(self._db, group_id, description)

    def delete_group(self, group_id: str) -> bool:
        return groups.delete(self._db, group_id)

    def group_members(self, group_id: str) -> int:
        return groups.members(self._db, group_id)

    # --- settings ---------------------------------------------------------------------

    def set_setting(self, name: str, value: str) -> None:
        settings.put(self._db, self._store.sealer, name, value)

    # --- audit ------------------------------------------------------------------------

    def append_audit(self, *, ts: str, actor: str, user_id: str | None, program: str,
                     host: str, event: str, detail: str = "") -> int:
        return audit.append(self._db, ts=ts, actor=actor, user_id=user_id, program=program,
                            host=host, event=event, detail=detail)

    def append_audit_many(self, rows: Iterable[AuditRow]) -> None:
        audit.append_many(self._db, rows)

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
