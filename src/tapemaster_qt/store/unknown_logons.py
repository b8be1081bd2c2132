"""The ``unknown_logons`` table: consecutive failed logons of User-IDs nobody has.

A User-ID that does not exist must reach "Access Revoked" after as many failures as
one that does, or the answer would tell who exists (DESIGN.md §3 rule 2). The typed
User-ID (or e-mail address) is never stored: each row is keyed by a keyed hash of it
(:func:`key_of`), so the table reveals no names, not even to someone with the file but
not the store key. Rows are forgotten a while after their last failure and the table
is bounded, so guessing random names cannot fill the disk.

Two typed names share a count exactly when they would name the same user, or the
count would tell who exists: a User-ID is looked up as typed (``alice`` and ``ALICE``
are different names, and at most one of them can exist), so it is counted as typed; an
e-mail address is looked up ignoring case as the database compares it, so it is
counted in the database's folded form (:meth:`.Dialect.fold`).
"""

from __future__ import annotations

from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database

KIND = "unknown-user-id"


def key_of(db: Database, sealer: Sealer, typed: str, *, email: bool) -> str:
    """The row key of a typed User-ID (exactly as typed, as a user is looked up by it)
    or e-mail address (``email``: folded as the database compares addresses)."""
    return sealer.seal(KIND, (db.dialect.fold(typed) if email else typed,)).hex()


def count_failure(db: Database, sealer: Sealer, typed: str, *, email: bool, ts: str,
                  forget_before: str, keep: int) -> int:
    """Record one more failure of ``typed``; its consecutive failures now.

    The count is raised in the database (not read, then written), so two programs
    failing the same name at once on a server store lose neither failure.
    """
    key = key_of(db, sealer, typed, email=email)
    db.execute("DELETE FROM unknown_logons WHERE last_failed < ?", (forget_before,))
    db.execute(
        "INSERT INTO unknown_logons (id_key, failures, last_failed) VALUES (?, 1, ?) "
        "ON CONFLICT (id_key) DO UPDATE SET failures = unknown_logons.failures + 1, "
        "last_failed = excluded.last_failed", (key, ts))
    failures = int(db.value("SELECT failures FROM unknown_logons WHERE id_key = ?", (key,)))
    if failures == 1:  # a new row: keep the table within its bound
        excess = int(db.value("SELECT count(*) FROM unknown_logons")) - keep
        if excess > 0:
            db.execute(
                "DELETE FROM unknown_logons WHERE id_key IN (SELECT id_key FROM "
                "unknown_logons WHERE id_key <> ? ORDER BY last_failed, id_key LIMIT ?)",
                (key, excess))
    return failures
