"""The ``users`` table: its columns, the domain <-> stored form, and its queries.

Each query is portable SQL run through a :class:`~.database.Database`; rows are read by
column name. The domain words of :class:`~.interface.UserChanges` become columns here
and nowhere else (``programs`` is three ``access_*`` flags, ``otp_burned_steps`` a
comma-separated text, flags 0/1).

Every column is sealed (``sealing.USER_SEALED``) and each row carries the digest terms
cut from its seal (``dt0``..``dt2``); every write keeps the head's digest up to date
through the transaction's :class:`~.head.Ledger` and writes the user's last-known-good
copy (table ``user_copies``) beside the row.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tapemaster_qt.errors import StoreIntegrityError
from tapemaster_qt.records import FieldChange, RecordReview, UserRecord, UserRow
from tapemaster_qt.store import recovery_codes, sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, Row, utc_now
from tapemaster_qt.store.head import Ledger
from tapemaster_qt.store.interface import NewUser, UserChanges

COLUMNS: tuple[str, ...] = (
    "user_id", "name", "email", "description", "group_id", "role", "admin_rights",
    "tapemaster_rights", "disabled", "no_timeout", "access_tapemaster", "access_lite",
    "access_checkpoint", "password_hash", "otp_enabled", "otp_activated", "otp_secret",
    "otp_last_step", "otp_burned_steps", "failed_logons", "revoked", "last_logon",
    "last_failed_logon", "created", "updated", "mac", "failures_since_logon", "uid",
    *sealing.TERMS,
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
_SEAL_CHECK_SELECT = ("SELECT " + ", ".join(("user_id", "mac", *sealing.TERMS,
                                             *sealing.USER_SEALED)) + " FROM users")
_COPY_UPSERT = ("INSERT INTO user_copies (user_id, copy, mac) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET copy = excluded.copy, mac = excluded.mac")
FLAGS = frozenset({"admin_rights", "tapemaster_rights", "disabled", "no_timeout",
                   "otp_enabled", "otp_activated", "revoked"})


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
    _seal(sealer, row)
    return row


def _seal(sealer: Sealer, row: Row) -> None:
    """Seal ``row`` in place: its MAC and the digest terms cut from it."""
    mac = sealing.seal_user(sealer, row)
    row["mac"] = mac
    row.update(zip(sealing.TERMS, sealing.terms(mac), strict=True))


def _terms(row: Mapping[str, Any]) -> tuple[int, int, int]:
    return (int(row["dt0"]), int(row["dt1"]), int(row["dt2"]))


def _copy_params(sealer: Sealer, row: Mapping[str, Any]) -> tuple[str, str, bytes]:
    text = sealing.copy_text(row)
    return (row["user_id"], text, sealing.seal_copy(sealer, row["user_id"], text))


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
        otp_burned_steps=_burned_steps(row["otp_burned_steps"]),
        failed_logons=row["failed_logons"], revoked=bool(row["revoked"]),
        last_logon=row["last_logon"], last_failed_logon=row["last_failed_logon"],
        failures_since_logon=row["failures_since_logon"],
        created=row["created"], updated=row["updated"],
        integrity_ok=sealing.user_intact(sealer, row, row["mac"]), uid=row["uid"],
    )


def _burned_steps(text: object) -> tuple[int, ...]:
    """The burned time steps kept as comma-separated text; a malformed value (written
    outside TapeMaster: the record then fails its seal) keeps only what parses, so the
    record is listed, shown, refused at logon and re-sealed like any tampered one."""
    if not isinstance(text, str):
        return ()
    steps = []
    for part in text.split(","):
        with contextlib.suppress(ValueError):
            steps.append(int(part))
    return tuple(steps)


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
    columns = (*ROW_SHOWN, "mac", *sealing.TERMS, *sealing.USER_SEALED)
    rows = db.tuples("SELECT " + ", ".join(columns) + " FROM users" + order)
    shown = len(ROW_SHOWN)
    first = shown + 1 + len(sealing.TERMS)
    intact = sealing.user_values_intact
    # Each row: the shown columns, the seal, its digest terms, then the sealed columns
    # in sealing order.
    return [make((*r[:shown], intact(sealer, r[first:], r[shown], r[shown + 1:first])))
            for r in rows]


def seal_failures(db: Database, sealer: Sealer, after: str | None, limit: int
                  ) -> tuple[list[str], list[str]]:
    """Check the seals of up to ``limit`` users after User-ID ``after`` (in User-ID
    order); return (the User-IDs checked, those whose seal failed)."""
    where, params = (" WHERE user_id > ?", (after, limit)) if after is not None else ("", (limit,))
    rows = db.tuples(_SEAL_CHECK_SELECT + where + " ORDER BY user_id LIMIT ?", params)
    checked: list[str] = []
    failed: list[str] = []
    intact = sealing.user_values_intact
    for user_id, mac, dt0, dt1, dt2, *sealed in rows:  # as _SEAL_CHECK_SELECT names them
        checked.append(user_id)
        if not intact(sealer, sealed, mac, (dt0, dt1, dt2)):
            failed.append(user_id)
    return checked, failed


def counted_terms(db: Database, sealer: Sealer, row: Mapping[str, Any]
                  ) -> tuple[int, int, int] | None:
    """The digest terms the head counts for a stored row: its own when it is intact or
    they are all 0 or they are what its last-known-good copy recorded; else the copy's
    (its terms were changed: to balance a row put back elsewhere), None when there is
    no usable copy to say."""
    stored = _terms(row)
    if stored == (0, 0, 0) or sealing.user_intact(sealer, row, row["mac"]):
        return stored
    found = db.row("SELECT copy, mac FROM user_copies WHERE user_id = ?", (row["user_id"],))
    copy = (None if found is None
            else sealing.read_copy(sealer, row["user_id"], found["copy"], found["mac"]))
    return sealing.copy_terms(copy)


def terms_unaccounted(db: Database, sealer: Sealer) -> list[str]:
    """Every User-ID whose record fails its seal *and* carries digest terms the head
    cannot have counted (not all 0, not those of its last-known-good copy): a row whose
    terms were changed makes the digest unable to vouch for any other row."""
    out = []
    for user_id in all_seal_failures(db, sealer):
        row = _get_row(db, user_id, for_update=False)
        if row is not None and counted_terms(db, sealer, row) != _terms(row):
            out.append(user_id)
    return out


def clear_terms(db: Database, user_ids: Iterable[str]) -> None:
    """Count records out of the digest (an accept after review: rows that fail their
    seal with terms nobody can vouch for); the caller takes the digest afterwards."""
    for user_id in user_ids:
        db.execute("UPDATE users SET dt0 = 0, dt1 = 0, dt2 = 0 WHERE user_id = ?",
                   (user_id,))


def all_seal_failures(db: Database, sealer: Sealer) -> list[str]:
    """Every User-ID whose record fails its seal (``store verify``)."""
    failed: list[str] = []
    after: str | None = None
    while True:
        checked, bad = seal_failures(db, sealer, after, 20_000)
        failed += bad
        if len(checked) < 20_000:
            return failed
        after = checked[-1]


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


# --- the last-known-good copy --------------------------------------------------------


def review(db: Database, sealer: Sealer, user_id: str) -> RecordReview | None:
    """The user's record compared with its last-known-good copy; None: no such user."""
    row = _get_row(db, user_id, for_update=False)
    if row is None:
        return None
    found = db.row("SELECT copy, mac FROM user_copies WHERE user_id = ?", (user_id,))
    if found is None:
        return RecordReview(user_id, "missing")
    copy = sealing.read_copy(sealer, user_id, found["copy"], found["mac"])
    if copy is None:
        return RecordReview(user_id, "damaged")
    return RecordReview(user_id, "ok", _domain_changes(sealing.copy_differences(copy, row),
                                                       copy, row),
                        copy_written=copy.get("updated"))


def _domain_changes(columns: list[tuple[str, Any, Any]], copy: Mapping[str, Any],
                    row: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Column differences in domain words: the three access flags are ``programs``."""
    out: list[FieldChange] = []
    programs_done = False
    for name, old, new in columns:
        if name in PROGRAM_COLUMNS.values():
            if not programs_done:
                programs_done = True
                out.append(FieldChange(
                    "programs",
                    frozenset(p for p, c in PROGRAM_COLUMNS.items() if copy.get(c)),
                    frozenset(p for p, c in PROGRAM_COLUMNS.items() if row[c])))
        elif name in sealing.HIDDEN_IN_COPY:
            out.append(FieldChange(name, None, None, hidden=True))
        else:
            out.append(FieldChange(name, _domain(name, old), _domain(name, new)))
    return tuple(out)


def _domain(name: str, value: Any) -> object:
    if name in FLAGS:
        return None if value is None else bool(value)
    if name == "otp_burned_steps" and isinstance(value, str):
        return tuple(int(s) for s in value.split(",") if s.strip().lstrip("-").isdigit())
    return value


# --- writes (inside a write transaction) --------------------------------------------


def reseal_as_found(db: Database, sealer: Sealer, row: Row) -> None:
    """Seal a record as it is, with its copy (sealing an older store, once: only
    records whose old seal verified come here). Outside the digest: the caller takes
    the digest from the tables afterwards."""
    row = dict(row)
    _seal(sealer, row)
    db.execute("UPDATE users SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE user_id = ?",
               (row["mac"], row["dt0"], row["dt1"], row["dt2"], row["user_id"]))
    db.execute(_COPY_UPSERT, _copy_params(sealer, row))


def insert(db: Database, sealer: Sealer, ledger: Ledger, user: NewUser) -> None:
    ledger.check()
    row = new_row(sealer, user)
    db.execute(_INSERT, [row[c] for c in COLUMNS])
    db.execute(_COPY_UPSERT, _copy_params(sealer, row))
    ledger.count("users", None, _terms(row))


def insert_many(db: Database, sealer: Sealer, ledger: Ledger, users: Iterable[NewUser]
                ) -> int:
    ledger.check()
    rows = [new_row(sealer, u) for u in users]
    db.executemany(_INSERT, ([row[c] for c in COLUMNS] for row in rows))
    db.executemany(_COPY_UPSERT, (_copy_params(sealer, row) for row in rows))
    for row in rows:
        ledger.count("users", None, _terms(row))
    return len(rows)


def update(db: Database, sealer: Sealer, ledger: Ledger, user_id: str, changes: UserChanges,
           *, reseal: bool = False, require_step_below: int | None = None) -> bool:
    """Apply ``changes`` and re-seal, in one conditional UPDATE (see
    :meth:`.interface.Transaction.update_user`); the copy follows the record."""
    ledger.check()
    row = _get_row(db, user_id, for_update=True)
    if row is None:
        return False
    if not reseal and not sealing.user_intact(sealer, row, row["mac"]):
        raise StoreIntegrityError(
            f"The record of User-ID {user_id} failed its integrity check; "
            "an administrator must review and re-seal it first.", user_id,
        )
    # A tampered record's terms may have been changed to balance a row put back
    # elsewhere: count out what the head counted, so re-sealing it leaves that seen.
    old_terms, old_secret = counted_terms(db, sealer, row) or (0, 0, 0), row["otp_secret"]
    written = stored_changes(changes)
    written.setdefault("updated", utc_now())
    row.update(written)
    _seal(sealer, row)
    written["mac"] = row["mac"]
    written.update((t, row[t]) for t in sealing.TERMS)
    sql = "UPDATE users SET " + ", ".join(f"{name} = ?" for name in written)
    sql += " WHERE user_id = ?"
    params: list[Any] = [*written.values(), user_id]
    if require_step_below is not None:
        sql += " AND (otp_last_step IS NULL OR otp_last_step < ?)"
        params.append(require_step_below)
    if db.execute(sql, params) != 1:
        return False
    db.execute(_COPY_UPSERT, _copy_params(sealer, row))
    ledger.count("users", old_terms, _terms(row))
    if old_secret is not None and row["otp_secret"] != old_secret:
        ledger.scrub = True  # a secret destroyed or replaced: leave no copy behind
    return True


TAMPERED_WRITABLE = frozenset(
    {"failed_logons", "failures_since_logon", "last_failed_logon", "revoked"})
"""What counting a refused attempt may write into a record that failed its seal."""


def update_tampered(db: Database, sealer: Sealer, ledger: Ledger, user_id: str,
                    changes: UserChanges) -> bool:
    """Write failure counters into a record that failed its seal, leaving the seal as
    it is (see :meth:`.interface.Transaction.update_tampered_user`): its digest terms
    and its last-known-good copy stay as they are too."""
    ledger.check()
    row = _get_row(db, user_id, for_update=True)
    if row is None:
        return False
    written = stored_changes(changes)
    if not written.keys() <= TAMPERED_WRITABLE:
        raise ValueError(
            f"not for a tampered record: {sorted(written.keys() - TAMPERED_WRITABLE)}")
    if sealing.user_intact(sealer, row, row["mac"]):
        # Keeping the seal of an intact record while changing a sealed field would
        # make it look tampered with: an intact record goes through update().
        raise ValueError(f"the record of {user_id} is intact; use update()")
    sql = "UPDATE users SET " + ", ".join(f"{name} = ?" for name in written)
    return db.execute(sql + " WHERE user_id = ?", [*written.values(), user_id]) == 1


def delete(db: Database, sealer: Sealer, ledger: Ledger, user_id: str) -> bool:
    ledger.check()
    row = _get_row(db, user_id, for_update=True)
    if row is None:
        return False
    counted = counted_terms(db, sealer, row) or (0, 0, 0)  # see update()
    db.execute("DELETE FROM user_copies WHERE user_id = ?", (user_id,))
    # Its recovery codes would go by ON DELETE CASCADE, unseen by the digest: first.
    recovery_codes.delete_all(db, sealer, ledger, user_id)
    if db.execute("DELETE FROM users WHERE user_id = ?", (user_id,)) != 1:
        return False
    ledger.count("users", counted, None)
    if row["otp_secret"] is not None:
        ledger.scrub = True
    return True
