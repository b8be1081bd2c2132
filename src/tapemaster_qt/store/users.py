"""The ``users`` table: its columns, the domain <-> stored form, and its queries.

Each query is portable SQL run through a :class:`~.database.Database`; rows are read by
column name. The domain words of :class:`~.interface.UserChanges` become columns here
and nowhere else (``programs`` is three ``access_*`` flags, ``otp_burned_steps`` a
comma-separated text, flags 0/1).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tapemaster_qt.errors import StoreIntegrityError
from tapemaster_qt.records import UserRecord, UserRow
from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, Row, utc_now
from tapemaster_qt.store.interface import NewUser, UserChanges

COLUMNS: tuple[str, ...] = (
    "user_id", "name", "email", "description", "group_id", "role", "admin_rights",
    "tapemaster_rights", "disabled", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "password_hash", "otp_enabled", "otp_activated", "otp_secret",
    "otp_last_step", "otp_burned_steps", "failed_logons", "revoked", "last_logon",
    "last_failed_logon", "created", "updated", "mac", "failures_since_logon", "uid",
)
PROGRAM_COLUMNS = {
    "TapeMaster": "access_tapemaster",
    "Lite": "access_lite",
    "Checkpoint": "access_checkpoint",
}
ROW_SHOWN: tuple[str, ...] = UserRow._fields[:-1]
"""What the administration table shows: a :class:`UserRow` without ``integrity_ok``,
selected by these names in this order, so each row becomes a UserRow as it is."""

_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM users"
_INSERT = (f"INSERT INTO users ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(COLUMNS))})")
_SEAL_CHECK_SELECT = ("SELECT " + ", ".join(("user_id", "mac", *sealing.USER_SEALED))
                      + " FROM users")


# --- stored form --------------------------------------------------------------------


def new_uid() -> str:
    """A new user's immutable identity: 128 random bits as 32 lowercase hex digits (the
    form migration 2's ``{RANDOM_UID}`` gives existing users)."""
    return uuid.uuid4().hex


def _stored(name: str, value: Any) -> Any:
    """A domain value as the column holds it (and as it is sealed)."""
    if isinstance(value, bool):
        return int(value)
    if name == "otp_burned_steps":
        return ",".join(str(step) for step in value)
    return value


def stored_changes(changes: UserChanges) -> dict[str, Any]:
    """The columns ``changes`` writes, with their stored values."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "programs":
            for program, column in PROGRAM_COLUMNS.items():
                out[column] = int(program in value)
        else:
            out[name] = _stored(name, value)
    return out


def new_row(sealer: Sealer, user: NewUser) -> Row:
    """Every column of a new user, sealed."""
    now = utc_now()
    row: Row = {
        "user_id": user.user_id, "name": user.name, "email": user.email,
        "description": user.description, "group_id": user.group_id, "role": user.role,
        "admin_rights": int(user.admin_rights),
        "tapemaster_rights": int(user.tapemaster_rights),
        "disabled": int(user.disabled), "no_timeout": int(user.no_timeout),
        **{column: int(program in user.programs)
           for program, column in PROGRAM_COLUMNS.items()},
        "password_hash": user.password_hash, "otp_enabled": int(user.otp_enabled),
        "otp_activated": 0, "otp_secret": user.otp_secret, "otp_last_step": None,
        "otp_burned_steps": "", "failed_logons": 0, "revoked": 0, "last_logon": None,
        "last_failed_logon": None, "failures_since_logon": 0, "created": user.created or now,
        "updated": user.created or now, "uid": new_uid(),
    }
    row["mac"] = sealing.seal_user(sealer, row)
    return row


def record(sealer: Sealer, row: Mapping[str, Any]) -> UserRecord:
    """A stored row as a :class:`UserRecord`, its seal checked."""
    return UserRecord(
        user_id=row["user_id"], name=row["name"], email=row["email"],
        description=row["description"], group_id=row["group_id"], role=row["role"],
        admin_rights=bool(row["admin_rights"]),
        tapemaster_rights=bool(row["tapemaster_rights"]),
        disabled=bool(row["disabled"]), no_timeout=bool(row["no_timeout"]),
        programs=frozenset(p for p, column in PROGRAM_COLUMNS.items() if row[column]),
        password_hash=row["password_hash"], otp_enabled=bool(row["otp_enabled"]),
        otp_activated=bool(row["otp_activated"]), otp_secret=row["otp_secret"],
        otp_last_step=row["otp_last_step"],
        otp_burned_steps=tuple(int(s) for s in row["otp_burned_steps"].split(",") if s),
        failed_logons=row["failed_logons"], revoked=bool(row["revoked"]),
        last_logon=row["last_logon"], last_failed_logon=row["last_failed_logon"],
        failures_since_logon=row["failures_since_logon"],
        created=row["created"], updated=row["updated"],
        integrity_ok=sealing.user_intact(sealer, row, row["mac"]), uid=row["uid"],
    )


# --- reads --------------------------------------------------------------------------


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while 100,000 rows become objects: their
    many new containers would set it off again and again, for nothing (strings,
    numbers and tuples of them hold no cycles)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def get(db: Database, sealer: Sealer, user_id: str, *, for_update: bool = False
        ) -> UserRecord | None:
    found = _get_row(db, user_id, for_update=for_update)
    return None if found is None else record(sealer, found)


def _get_row(db: Database, user_id: str, *, for_update: bool) -> Row | None:
    lock = db.dialect.for_update if for_update else ""
    return db.row(_SELECT + " WHERE user_id = ?" + lock, (user_id,))


def get_by_uid(db: Database, sealer: Sealer, uid: str, *, for_update: bool = False
               ) -> UserRecord | None:
    """The user whose immutable identity is ``uid`` (None: deleted, or never existed)."""
    if not uid:
        return None
    lock = db.dialect.for_update if for_update else ""
    found = db.row(_SELECT + " WHERE uid = ?" + lock, (uid,))
    return None if found is None else record(sealer, found)


def list_all(db: Database, sealer: Sealer) -> list[UserRecord]:
    with _gc_paused():  # 100,000 records on a large site; none holds a cycle
        return [record(sealer, r) for r in db.rows(_SELECT + " ORDER BY user_id")]


def list_rows(db: Database, sealer: Sealer | None) -> list[UserRow]:
    """Every user as a :class:`UserRow`, in User-ID order ignoring case; with no
    ``sealer``, ``integrity_ok`` is None (checked later by :func:`seal_failures`).

    The flags stay the stored 0/1 (they only ever meet truth tests) and each row becomes
    a UserRow in C (``tuple.__new__``): 100,000 of them open Group/User Administration.
    """
    order = " ORDER BY " + db.dialect.ci_order("user_id")
    make = functools.partial(tuple.__new__, UserRow)
    if sealer is None:
        with _gc_paused():
            rows = db.tuples("SELECT " + ", ".join(ROW_SHOWN) + ", NULL FROM users" + order)
            return list(map(make, rows))
    columns = (*ROW_SHOWN, "mac", *sealing.USER_SEALED)
    rows = db.tuples("SELECT " + ", ".join(columns) + " FROM users" + order)
    shown = len(ROW_SHOWN)
    intact = sealing.user_values_intact
    # Each row: the shown columns, the seal, then the sealed columns in sealing order.
    return [make((*r[:shown], intact(sealer, r[shown + 1:], r[shown]))) for r in rows]


def seal_failures(db: Database, sealer: Sealer, after: str | None, limit: int
                  ) -> tuple[list[str], list[str]]:
    """Check the seals of up to ``limit`` users after User-ID ``after`` (in User-ID
    order); return (the User-IDs checked, those whose seal failed)."""
    where, params = (" WHERE user_id > ?", (after, limit)) if after is not None else ("", (limit,))
    rows = db.tuples(_SEAL_CHECK_SELECT + where + " ORDER BY user_id LIMIT ?", params)
    checked: list[str] = []
    failed: list[str] = []
    intact = sealing.user_values_intact
    for user_id, mac, *sealed in rows:  # as _SEAL_CHECK_SELECT names them
        checked.append(user_id)
        if not intact(sealer, sealed, mac):
            failed.append(user_id)
    return checked, failed


def count(db: Database) -> int:
    return int(db.value("SELECT count(*) FROM users"))


def email_owner(db: Database, email: str) -> str | None:
    found = db.value("SELECT user_id FROM users WHERE " + db.dialect.ci_equal("email"),
                     (email,))
    return None if found is None else str(found)


def folded_ids_and_emails(db: Database) -> tuple[set[str], set[str]]:
    rows = db.rows("SELECT user_id, email FROM users")
    return ({r["user_id"].casefold() for r in rows},
            {r["email"].casefold() for r in rows if r["email"] is not None})


def id_like(db: Database, user_id: str) -> str | None:
    found = db.value("SELECT user_id FROM users WHERE " + db.dialect.ci_equal("user_id"),
                     (user_id,))
    return None if found is None else str(found)


def has_password(db: Database, user_id: str) -> bool:
    found = db.value("SELECT password_hash IS NOT NULL FROM users WHERE user_id = ?",
                     (user_id,))
    return bool(found)


# --- writes (inside a write transaction) --------------------------------------------


def insert(db: Database, sealer: Sealer, user: NewUser) -> None:
    row = new_row(sealer, user)
    db.execute(_INSERT, [row[c] for c in COLUMNS])


def insert_many(db: Database, sealer: Sealer, users: Iterable[NewUser]) -> int:
    prepared = [[row[c] for c in COLUMNS] for row in (new_row(sealer, u) for u in users)]
    db.executemany(_INSERT, prepared)
    return len(prepared)


def update(db: Database, sealer: Sealer, user_id: str, changes: UserChanges, *,
           reseal: bool = False, require_step_below: int | None = None) -> bool:
    """Apply ``changes`` and re-seal, in one conditional UPDATE (see
    :meth:`.interface.Transaction.update_user`)."""
    row = _get_row(db, user_id, for_update=True)
    if row is None:
        return False
    if not reseal and not sealing.user_intact(sealer, row, row["mac"]):
        raise StoreIntegrityError(
            f"The record of User-ID {user_id} failed its integrity check; "
            "an administrator must review and re-seal it first.", user_id,
        )
    written = stored_changes(changes)
    written.setdefault("updated", utc_now())
    row.update(written)
    written["mac"] = sealing.seal_user(sealer, row)
    sql = "UPDATE users SET " + ", ".join(f"{name} = ?" for name in written)
    sql += " WHERE user_id = ?"
    params: list[Any] = [*written.values(), user_id]
    if require_step_below is not None:
        sql += " AND (otp_last_step IS NULL OR otp_last_step < ?)"
        params.append(require_step_below)
    return db.execute(sql, params) == 1


TAMPERED_WRITABLE = frozenset(
    {"failed_logons", "failures_since_logon", "last_failed_logon", "revoked"})
"""What counting a refused attempt may write into a record that failed its seal."""


def update_tampered(db: Database, sealer: Sealer, user_id: str, changes: UserChanges
                    ) -> bool:
    """Write failure counters into a record that failed its seal, leaving the seal as
    it is (see :meth:`.interface.Transaction.update_tampered_user`)."""
    row = _get_row(db, user_id, for_update=True)
    if row is None:
        return False
    written = stored_changes(changes)
    if not written.keys() <= TAMPERED_WRITABLE:
        raise ValueError(f"not for a tampered record: {sorted(written.keys() - TAMPERED_WRITABLE)}")
    if sealing.user_intact(sealer, row, row["mac"]):
        # Keeping the seal of an intact record while changing a sealed field would
        # make it look tampered with: an intact record goes through update().
        raise ValueError(f"the record of {user_id} is intact; use update()")
    sql = "UPDATE users SET " + ", ".join(f"{name} = ?" for name in written)
    return db.execute(sql + " WHERE user_id = ?", [*written.values(), user_id]) == 1


def delete(db: Database, user_id: str) -> bool:
    return db.execute("DELETE FROM users WHERE user_id = ?", (user_id,)) == 1
