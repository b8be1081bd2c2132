"""What this OS account remembers about each store it has opened, outside the store.

Whoever can write a store's folder can forge anything in it: swap the store's id and
key check, re-seal every record with a key of their own and drop that key beside the
store as ``store.key``, or put an older copy of the whole file back. So the defence
lives where they cannot write: the state folder of the OS account that runs the
programs (:func:`tapemaster_qt.paths.trust_dir`), one small file per store, named by
the store's identity (its real folder, or what its PostgreSQL server says it is; never
the URL as typed, see :func:`adopt`):

- the store's id, where its key lives (OS keyring or key file) and the key's
  fingerprint: a store whose id, key or key location changed without
  ``tapemaster-admin`` is refused (:class:`~tapemaster_qt.errors.StoreTrustError`);
- the **high-water mark**: the highest generation of the store this account has seen
  (``head.py``); a store whose generation is lower was rolled back and is refused;
- a MAC with a sub-key of the store key over all of it (``Sealer.trust_mac``).

The record (``<name>.json``) changes rarely (first use, ``store accept``, ``key
import``): it is written whole to a temporary file, flushed and renamed over the old
one. The mark rises after every commit, so it has a file of its own (``<name>.mark``):
two fixed-size slots, each a generation with the id and hash of the newest audit row
then (:class:`MarkRef`: the mark names the history, not only its length, so a copy
rolled back and written to again past the mark is told apart) and their MAC, the lower
one overwritten in place
(no rename, no flush: a write lost in a power cut leaves the mark lower, which only
makes a later check less strict, and a torn slot fails its MAC while the other holds).
The mark is the highest of the record's and the valid slots'. Everything is owner-only,
never written through a symlink, and changed under an exclusive lock on ``<name>.lock``,
so programs committing at once never lower the mark. A store this account has never
opened is trusted as it is found (trust on first use) and remembered.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tapemaster_qt.errors import StoreTrustError
from tapemaster_qt.store.crypto import Sealer

logger = logging.getLogger(__name__)

FORMAT = 1
MAX_BYTES = 16 * 1024
SLOT = 128
_MAGIC = b"TMQh"
# magic, generation, audit id, that audit row's hash, HMAC over identity and the rest
_SLOT_FORMAT = ">4sQQ32s32s"
_OLD_SLOT, _OLD_MAGIC, _OLD_FORMAT = 64, b"TMQm", ">4sQ32s"
"""Mark files written before the mark named its history: two 64-byte slots of a
generation and its MAC (read for the generation; the next commit writes the new form)."""
_NO_HASH = bytes(32)


@dataclass(frozen=True)
class MarkRef:
    """Where this account last saw the store's history (REVIEW-2 D2): the generation,
    and the id and hash of the newest audit row then. A store rolled back and written
    to again (by another account's programs) reaches the generation but holds other
    rows at that id, or none."""

    generation: int
    audit_id: int
    audit_hash: bytes


@dataclass(frozen=True)
class TrustRecord:
    identity: str
    """The store's real folder, or what its PostgreSQL server says it is
    (``postgresql:system=…;database=…``; records written before that are keyed by the
    URL without password, see :func:`adopt`)."""
    store_id: str
    key_location: str
    """``keyring`` or ``file``."""
    key_where: str
    """For people: the keyring backend's name, or the key file's path."""
    key_id: str
    """The key's fingerprint (``Sealer.key_id``)."""
    generation: int
    """The high-water mark: the highest generation of the store seen by this account."""
    seal_version: int
    since: str
    """When this account began to trust the store as it is (first use or an accept)."""

    def message(self) -> bytes:
        return json.dumps({"format": FORMAT, **asdict(self)}, sort_keys=True,
                          separators=(",", ":")).encode()

    def describe_key(self) -> str:
        if self.key_location == "keyring":
            return f"the OS keyring ({self.key_where})"
        return f"the key file {self.key_where}"


@dataclass(frozen=True)
class Stored:
    """A trust record as read from its file, not yet checked against a key."""

    record: TrustRecord
    mac: bytes
    _checked: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def verified(self, sealer: Sealer) -> bool:
        """Whether the record's MAC is right for ``sealer``'s key (checked once per key:
        every write transaction asks)."""
        known = self._checked.get(sealer.key_id)
        if known is None:
            known = hmac.compare_digest(sealer.trust_mac(self.record.message()), self.mac)
            self._checked[sealer.key_id] = known
        return known


def folder() -> Path:
    return _folder(*(os.environ.get(name) for name in _FOLDER_ENV))


_FOLDER_ENV = ("XDG_STATE_HOME", "HOME", "LOCALAPPDATA", "USERPROFILE")


@functools.lru_cache(maxsize=8)
def _folder(*_environment: str | None) -> Path:
    """platformdirs' answer, kept while the variables it reads stay the same (asked
    after every commit)."""
    from tapemaster_qt import paths

    return paths.trust_dir()


def record_path(identity: str) -> Path:
    return _record_path(identity, folder())


@functools.lru_cache(maxsize=64)
def _record_path(identity: str, where: Path) -> Path:
    name = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return where / f"{name}.json"


_loaded: dict[Path, tuple[tuple[int, int, int], Stored]] = {}
"""The last record read from each file, by the file's (inode, size, mtime): a file that
has not changed is not read and parsed again."""


def _damaged(path: Path, why: str) -> StoreTrustError:
    return StoreTrustError(
        f"This account's record of the user store, {path}, {why}; nothing was opened. "
        "If you trust the store as it is now, run 'tapemaster-admin store accept'.",
        f"trust record {why}",
    )


def load(identity: str) -> Stored | None:
    """The record of the store ``identity``; None when this account never opened it."""
    path = record_path(identity)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _damaged(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        version = (info.st_ino, info.st_size, info.st_mtime_ns)
        cached = _loaded.get(path)
        if cached is not None and cached[0] == version:
            return cached[1]
        data = fh.read(MAX_BYTES + 1)
    stored = _parse(path, data)
    _loaded[path] = (version, stored)
    return stored


def _parse(path: Path, data: bytes) -> Stored:
    try:
        fields = json.loads(data.decode("utf-8"))
        mac = bytes.fromhex(fields.pop("mac"))
        if fields.pop("format") != FORMAT or len(data) > MAX_BYTES:
            raise ValueError("format")
        record = TrustRecord(**fields)
        if not all(isinstance(getattr(record, f), t) for f, t in (
                ("identity", str), ("store_id", str), ("key_location", str),
                ("key_where", str), ("key_id", str), ("generation", int),
                ("seal_version", int), ("since", str))):
            raise ValueError("types")
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        raise _damaged(path, "is damaged") from None
    return Stored(record, mac)


@contextlib.contextmanager
def _locked(identity: str) -> Iterator[Path]:
    """An exclusive lock on the store's record, across the programs of this account."""
    path = record_path(identity)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".lock"),
                 os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:  # LK_LOCK gives up after 10 s: keep waiting
                    continue
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        os.close(fd)  # releases the lock


def _write(path: Path, stored: Stored) -> None:
    data = json.loads(stored.record.message())
    data["mac"] = stored.mac.hex()
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".trust-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(record: TrustRecord, sealer: Sealer) -> None:
    """Remember ``record`` (first use, or an administrator's accept)."""
    with _locked(record.identity) as path:
        _write(path, Stored(record, sealer.trust_mac(record.message())))


def _slot_mac(sealer: Sealer, identity: str, generation: int) -> bytes:
    return sealer.trust_mac(b"mark\x00" + identity.encode("utf-8", "surrogatepass")
                            + b"\x00" + str(generation).encode())


def _ref_mac(sealer: Sealer, identity: str, ref: MarkRef) -> bytes:
    return sealer.trust_mac(b"mark2\x00" + identity.encode("utf-8", "surrogatepass")
                            + b"\x00" + f"{ref.generation}\x00{ref.audit_id}\x00".encode()
                            + ref.audit_hash)


def _slots(fd: int, identity: str, sealer: Sealer) -> tuple[list[MarkRef | None], int]:
    """Each slot of the open mark file (None: empty, torn, or written with another
    key), and the highest generation in a mark file of the old form (-1: none)."""
    os.lseek(fd, 0, os.SEEK_SET)  # not pread: Windows has none
    data = os.read(fd, 2 * SLOT)
    found: list[MarkRef | None] = []
    size = struct.calcsize(_SLOT_FORMAT)
    for n in range(2):
        chunk = data[n * SLOT:n * SLOT + size]
        ref = None
        if len(chunk) == size:
            magic, generation, audit_id, audit_hash, mac = struct.unpack(_SLOT_FORMAT, chunk)
            candidate = MarkRef(generation, audit_id, audit_hash)
            if magic == _MAGIC and hmac.compare_digest(mac, _ref_mac(sealer, identity,
                                                                     candidate)):
                ref = candidate
        found.append(ref)
    old, size = -1, struct.calcsize(_OLD_FORMAT)
    for n in range(2):
        chunk = data[n * _OLD_SLOT:n * _OLD_SLOT + size]
        if len(chunk) == size:
            magic, value, mac = struct.unpack(_OLD_FORMAT, chunk)
            if (magic == _OLD_MAGIC
                    and hmac.compare_digest(mac, _slot_mac(sealer, identity, value))):
                old = max(old, value)
    return found, old


def _open_mark(identity: str, create: bool) -> int | None:
    path = record_path(identity).with_suffix(".mark")
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(path, flags | (os.O_CREAT if create else 0), 0o600)
    except FileNotFoundError:
        return None


def _read(identity: str, sealer: Sealer) -> tuple[list[MarkRef | None], int]:
    fd = _open_mark(identity, create=False)
    if fd is None:
        return [None, None], -1
    try:
        return _slots(fd, identity, sealer)
    except OSError:
        return [None, None], -1
    finally:
        os.close(fd)


def mark(identity: str, sealer: Sealer, stored: Stored) -> int:
    """This account's high-water mark for the store: the highest generation it saw."""
    refs, old = _read(identity, sealer)
    return max(stored.record.generation, old,
               *(-1 if r is None else r.generation for r in refs))


def mark_ref(identity: str, sealer: Sealer, stored: Stored) -> MarkRef | None:
    """Where this account last saw the store's history, when the mark names it: the
    slot at the mark itself (None after a first use or an accept, until the next
    commit, and for a mark file of the old form)."""
    refs, old = _read(identity, sealer)
    best = max((r for r in refs if r is not None), key=lambda r: r.generation, default=None)
    if (best is None or best.audit_id <= 0 or best.generation < stored.record.generation
            or best.generation < old):
        return None
    return best


def raise_mark(identity: str, sealer: Sealer, generation: int, audit_id: int = 0,
               audit_hash: bytes | None = None) -> None:
    """Raise the high-water mark to ``generation`` (never lower it): after every commit,
    with the id and hash of the newest audit row then (``audit.hash_at``; 0 and None:
    unknown). Without a record of the store made with this key (never trusted here, or
    a key other than the trusted one) nothing is written: a foreign key must not
    overwrite the slots, and the next open says why."""
    if audit_hash is not None and len(audit_hash) != 32:
        audit_id, audit_hash = 0, None
    ref = MarkRef(generation, audit_id if audit_hash is not None else 0,
                  audit_hash if audit_hash is not None else _NO_HASH)
    try:
        with _locked(identity):
            try:
                stored = load(identity)
            except StoreTrustError:
                return
            if stored is None or not stored.verified(sealer):
                return
            fd = _open_mark(identity, create=True)
            assert fd is not None
            try:
                refs, old = _slots(fd, identity, sealer)
                gens = [-1 if r is None else r.generation for r in refs]
                if max(*gens, old) >= generation:
                    return
                lower = 0 if gens[0] <= gens[1] else 1
                os.lseek(fd, lower * SLOT, os.SEEK_SET)
                os.write(fd, struct.pack(_SLOT_FORMAT, _MAGIC, ref.generation, ref.audit_id,
                                         ref.audit_hash, _ref_mac(sealer, identity, ref)))
            finally:
                os.close(fd)
    except OSError as exc:
        # The write that led here is committed; a mark that stays lower only makes a
        # later rollback check less strict. Said in the log.
        logger.warning("Could not raise the store's high-water mark in %s (%s)",
                       record_path(identity).parent, exc.strerror or type(exc).__name__)


def adopt(identity: str, store_id: str, sealer: Sealer, *, legacy: Sequence[str] = (),
          related: Callable[[str], bool] | None = None) -> Stored | None:
    """The record of the store ``identity``, made from this account's records of the same
    store under other names when it has none yet: a PostgreSQL store was remembered under
    the URL as typed (``legacy``), so another spelling of the same server started trust
    afresh and a rolled-back server store was trusted on first use. Every record of this
    account under ``legacy`` or whose identity ``related`` accepts (another spelling of
    the URL, another server holding the database under its name: a restore into a new
    cluster) and that holds the same store id counts: the new record takes the highest
    mark of those made with this key (and the history that mark names), so no
    legitimate user is locked out and no spelling, old or new, lowers the mark. Records
    made with another key are not taken over; the first of them is returned as found,
    and the store is refused for its key as it was under that name (``store accept``
    then writes a record under ``identity``). None: this account has no record of the
    store under any name (trust on first use)."""
    stored = load(identity)
    if stored is not None or not (legacy or related):
        return stored
    found: list[Stored] = []
    names: list[str] = []
    for name in legacy:
        with contextlib.suppress(StoreTrustError):
            old = load(name)
            if old is not None and old.record.store_id == store_id:
                found.append(old)
                names.append(name)
    if related is not None:
        with contextlib.suppress(OSError):
            for path in sorted(folder().glob("*.json")):
                try:
                    data = path.read_bytes()[:MAX_BYTES + 1]
                    old = _parse(path, data)
                except (OSError, StoreTrustError):
                    continue
                name = old.record.identity
                if (name != identity and name not in names and old.record.store_id == store_id
                        and related(name)
                        and record_path(name) == path):
                    found.append(old)
                    names.append(name)
    ours = [s for s in found if s.verified(sealer)]
    if not ours:
        return found[0] if found else None
    marks = [(mark(s.record.identity, sealer, s), n, s) for n, s in enumerate(ours)]
    generation, _, best = max(marks, key=lambda m: (m[0], -m[1]))
    ref = mark_ref(best.record.identity, sealer, best)
    record = replace(best.record, identity=identity, generation=generation)
    with _locked(identity) as path:
        if load(identity) is None:
            _write(path, Stored(record, sealer.trust_mac(record.message())))
            logger.info("This account's record of the store %s is now kept under %s "
                        "(taken from %d record(s) under other names, mark %d)",
                        store_id, identity, len(ours), generation)
    if ref is not None and ref.generation >= generation:
        raise_mark(identity, sealer, ref.generation, ref.audit_id, ref.audit_hash)
    return load(identity)


def forget(identity: str) -> None:
    """Remove this account's record of a store that no longer exists (a temporary store:
    the self-test's). Never for a store still in use: it would be trusted anew."""
    path = record_path(identity)
    for item in (path, path.with_suffix(".mark"), path.with_suffix(".lock")):
        item.unlink(missing_ok=True)
