"""The ``head`` table: one sealed record that says what the store holds as a whole.

- ``generation``: bumped by every write transaction; this OS account keeps the highest
  it has seen outside the store (``store/trust.py``), so a store put back to an older
  copy is told from the latest one;
- ``digest``: per sealed table, the row count and the sums of the rows' digest terms
  (:class:`~.sealing.Digest`), so one row put back to an older sealed copy, removed or
  added is seen by one aggregate query (:func:`aggregate`);
- the audit log's hash chain: the last chained row and its chain value, and the rows
  that were in the log before the chain began (``audit_base_*``, see ``audit.py``);
- ``seal_version``: which field lists the seals cover (``sealing.SEAL_VERSION``).

On PostgreSQL the head lives outside the audit table, whose rows the application role
may only insert. A :class:`Ledger` carries one write transaction's changes to the head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tapemaster_qt.store import sealing
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database
from tapemaster_qt.store.sealing import Digest

_COLUMNS = (*sealing.HEAD_FIELDS, "mac")


@dataclass(frozen=True)
class Head:
    generation: int
    seal_version: int
    digest: str
    audit_id: int
    audit_hash: bytes
    audit_base_id: int
    audit_base_hash: bytes
    mac: bytes = b""

    def values(self) -> tuple[object, ...]:
        """The sealed fields, in :data:`~.sealing.HEAD_FIELDS` order."""
        return (self.generation, self.seal_version, self.digest, self.audit_id,
                self.audit_hash, self.audit_base_id, self.audit_base_hash)

    def intact(self, sealer: Sealer) -> bool:
        return sealing.head_intact(sealer, self.values(), self.mac)

    def sealed(self, sealer: Sealer) -> Head:
        return replace(self, mac=sealing.seal_head(sealer, self.values()))


def read(db: Database, *, for_update: bool = False) -> Head | None:
    """The head, or None when there is none (a store not yet sealed, or one whose head
    was removed)."""
    lock = db.dialect.for_update if for_update else ""
    rows = db.rows("SELECT " + ", ".join(_COLUMNS) + " FROM head WHERE id = 1" + lock)
    if not rows:
        return None
    row = rows[0]
    try:
        return Head(int(row["generation"]), int(row["seal_version"]), str(row["digest"]),
                    int(row["audit_id"]), bytes(row["audit_hash"]), int(row["audit_base_id"]),
                    bytes(row["audit_base_hash"]), bytes(row["mac"]))
    except (TypeError, ValueError):  # a column of the wrong type: damaged, or forged
        return Head(-1, -1, "", -1, b"", -1, b"", b"")


def write(db: Database, head: Head) -> None:
    """Put the (sealed) head in place."""
    if db.execute("UPDATE head SET " + ", ".join(f"{c} = ?" for c in _COLUMNS)
                  + " WHERE id = 1", [*head.values(), head.mac]) == 1:
        return
    db.execute("INSERT INTO head (id, " + ", ".join(_COLUMNS) + ") VALUES (1, "
               + ", ".join("?" * len(_COLUMNS)) + ")", [*head.values(), head.mac])


def aggregate(db: Database) -> Digest:
    """What the sealed tables hold now, in the digest's terms: one aggregate per table
    (the users' is answered from the index ``users_digest``)."""
    from tapemaster_qt.store.settings import SEALED_ROWS  # (settings imports this module)

    digest = Digest()
    for table in sealing.SEALED_TABLES:
        where = f" WHERE {SEALED_ROWS}" if table == "settings" else ""
        row = db.tuples(f"SELECT count(*), coalesce(sum(dt0), 0), coalesce(sum(dt1), 0), "
                        f"coalesce(sum(dt2), 0) FROM {table}{where}")[0]
        digest.sums[table] = [int(v) for v in row]
    return digest


def forged_terms(db: Database) -> list[str]:
    """The sealed tables holding a row whose digest terms were not cut from its seal
    (nor are all 0): terms changed without the seal, to make the sums match again."""
    from tapemaster_qt.store.settings import SEALED_ROWS

    out = []
    for table in sealing.SEALED_TABLES:
        where = f" AND {SEALED_ROWS}" if table == "settings" else ""
        if db.value(f"SELECT count(*) FROM {table} WHERE "
                    f"{db.dialect.terms_not_cut()}{where}"):
            out.append(table)
    return out


def clear_forged_terms(db: Database) -> None:
    """Count out of the digest every row whose terms were not cut from its seal (an
    accept after review): such a row fails its seal, and stays tampered for a re-seal."""
    from tapemaster_qt.store.settings import SEALED_ROWS

    for table in sealing.SEALED_TABLES:
        where = f" AND {SEALED_ROWS}" if table == "settings" else ""
        db.execute(f"UPDATE {table} SET dt0 = 0, dt1 = 0, dt2 = 0 WHERE "
                   f"{db.dialect.terms_not_cut()}{where}")


class Ledger:
    """One write transaction's changes to the head: the digest, checked against the
    tables the first time the transaction touches a sealed row (``verify``), and the
    audit chain, advanced by each appended row."""

    def __init__(self, head: Head, verify: Callable[[Digest], None], *,
                 verified: bool = False) -> None:
        """``verified``: the head's digest is already known to match the tables (this
        program checked it, or wrote it, and nothing else has committed since)."""
        self.head = head
        self._verify = verify
        self._digest: Digest | None = None
        if verified:
            self._digest = Digest.parse(head.digest)
        self.audit_id = head.audit_id
        self.audit_hash = head.audit_hash
        self.changed = False
        self.scrub = False
        """A write removed or replaced an OTP secret: after the commit, the backend
        leaves no copy of the old one behind (SQLite: checkpoint and truncate the WAL)."""

    @property
    def verified(self) -> bool:
        """Whether the digest is known to match the tables now."""
        return self._digest is not None

    @property
    def digest(self) -> Digest:
        """The running digest; the first use checks the head's against the tables."""
        if self._digest is None:
            sealed = Digest.parse(self.head.digest) or Digest()
            self._verify(sealed)
            self._digest = sealed
        return self._digest

    def check(self) -> None:
        """Check the digest now (before reading a sealed row the writes depend on)."""
        _ = self.digest

    def count(self, table: str, old: Sequence[int] | None, new: Sequence[int] | None) -> None:
        """A row of ``table`` changed: its old terms out (None: it is new), its new in
        (None: it was removed)."""
        digest = self.digest
        if old is not None:
            digest.add(table, old, -1)
        if new is not None:
            digest.add(table, new, 1)
        self.changed = True

    def chain(self, rows: Sequence[Sequence[object]]) -> list[tuple[int, bytes]]:
        """Ids and chain values for audit rows ``(ts, actor, user_id, program, host,
        event, detail)`` appended in this order."""
        out = []
        for row in rows:
            self.audit_id += 1
            self.audit_hash = sealing.chain_link(self.audit_hash, (self.audit_id, *row))
            out.append((self.audit_id, self.audit_hash))
        return out

    def next_head(self, sealer: Sealer, *, bump: bool = True) -> Head:
        """The head to write at commit: one generation on (``bump``), sealed. The audit
        row that records a refusal does not bump it: a store refused as rolled back
        must not climb back to this account's mark by saying so."""
        digest = self.head.digest if self._digest is None else self._digest.text()
        generation = self.head.generation + (1 if bump else 0)
        return replace(self.head, generation=generation, digest=digest,
                       audit_id=self.audit_id, audit_hash=self.audit_hash).sealed(sealer)
