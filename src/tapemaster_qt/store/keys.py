"""The store key: 256 bits that encrypt OTP secrets and seal security-relevant records.

Kept in the OS keyring (service ``KEYRING_SERVICE``, user name = the store's id) so
that a copy of the store file alone reveals nothing. Where no keyring backend works
(headless Linux gets ``keyring.backends.fail.Keyring``), the key goes to a key file
beside the store that only its owner may read, and a warning is logged.

A store that already has a key never silently gets a new one: that would strand
every enrolled user. A missing or wrong key is a clear :class:`StoreKeyError`. A key
moves to another desktop or OS account only wrapped with a passphrase
(:mod:`tapemaster_qt.services.keywrap`), and :func:`install_key` puts it in place there.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tapemaster_qt import fileio
from tapemaster_qt.errors import StoreKeyError

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "TapeMaster Qt store key"
KEY_FILE = "store.key"
KEY_BYTES = 32

KeyLocation = Literal["keyring", "file"]

KeyFolder = Path | Callable[[str], Path]
"""Where a store's key file goes when no keyring can hold the key: a folder (beside an
SQLite store), or the folder for a store id (a server's store has no folder of its
own, and its id is only known once it is read or made)."""


def key_folder(folder: KeyFolder, store_id: str) -> Path:
    return folder if isinstance(folder, Path) else folder(store_id)


@dataclass(frozen=True)
class StoreKey:
    raw: bytes = field(repr=False)
    location: KeyLocation
    where: str
    """Human description: the keyring backend's name or the key file's path."""

    def describe(self) -> str:
        if self.location == "keyring":
            return f"OS keyring ({self.where})"
        return f"key file {self.where} (readable by its owner only)"


def _keyring_backend() -> object | None:
    """The usable keyring backend, or None where keyring cannot store anything."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not stop logons
        logger.warning("OS keyring unavailable: %s", type(exc).__name__)
        return None
    if isinstance(backend, fail.Keyring):
        return None
    priority = getattr(backend, "priority", 1)
    try:
        if float(priority) <= 0:
            return None
    except (TypeError, ValueError):
        pass
    # The chainer with nothing behind it cannot store either.
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return None
    return backend


def _backend_name(backend: object) -> str:
    name = getattr(backend, "name", None)
    return str(name) if name else type(backend).__name__


def _decode(text: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise StoreKeyError(f"The store key in {source} is damaged (not a 256-bit key).")
    return raw


def _check_key_file(path: Path, st: os.stat_result) -> None:
    """The key file must be a regular file of this user's, readable by them alone."""
    if not stat.S_ISREG(st.st_mode):
        raise StoreKeyError(f"The store key file {path} is not a regular file.")
    if sys.platform == "win32":
        return  # NTFS ACLs: the file lives in the user's profile folder
    problem = fileio.owner_problem(path, st, "store key file")
    if problem:
        raise StoreKeyError(problem)
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StoreKeyError(
            f"The store key file {path} can be read by other users; "
            f"make it private (chmod 600 '{path}') and try again."
        )


def read_key_file(path: Path, store_id: str) -> bytes | None:
    """The key in ``path`` for store ``store_id``; None when there is no key file."""
    problem = fileio.link_problem(path, "store key file")
    if problem:
        raise StoreKeyError(problem)
    try:
        fd = os.open(path, os.O_RDONLY | fileio.NOFOLLOW | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreKeyError(
            f"The store key file {path} cannot be read ({type(exc).__name__})."
        ) from None
    try:
        with os.fdopen(fd, "rb") as fh:
            _check_key_file(path, os.fstat(fh.fileno()))
            text = fh.read(4096).decode("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreKeyError(
            f"The store key file {path} cannot be read ({type(exc).__name__})."
        ) from None
    owner, _, encoded = text.strip().partition(" ")
    if owner != store_id:
        raise StoreKeyError(
            f"The store key file {path} belongs to another store; "
            "restore this store's own key file."
        )
    return _decode(encoded, str(path))


MISSING_KEY_HINT = (
    "import it from a desktop that has it (there: 'tapemaster-admin key export --output "
    "FILE --passphrase-stdin'; here: 'tapemaster-admin key import FILE "
    "--passphrase-stdin'); a new key would lock out every enrolled user"
)
"""What a desktop without the store's key tells its user to do."""


def write_key_file(path: Path, store_id: str, raw: bytes) -> None:
    fileio.make_private_folder(path.parent)
    problem = fileio.link_problem(path, "store key file")
    if problem:
        raise StoreKeyError(problem)
    if path.exists():
        # A key file without its store: left by a deleted store or an interrupted
        # creation. Never destroy a key; move it aside so it can still be restored.
        aside = path.with_name(f"{path.name}.orphaned-{secrets.token_hex(4)}")
        path.rename(aside)
        logger.warning("Moved an orphaned store key file aside to %s", aside)
    data = f"{store_id} ".encode("ascii") + base64.b64encode(raw) + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | fileio.NOFOLLOW
                 | getattr(os, "O_BINARY", 0), fileio.PRIVATE_FILE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def load_key(store_id: str, folder: Path) -> StoreKey | None:
    """Find the key of store ``store_id``: keyring first, then the key file."""
    backend = _keyring_backend()
    keyring_error: str | None = None
    if backend is not None:
        try:
            text = backend.get_password(KEYRING_SERVICE, store_id)  # type: ignore[attr-defined]
        except Exception as exc:  # any backend failure: fall through to the file
            keyring_error = type(exc).__name__
            text = None
        if text:
            return StoreKey(_decode(text, "the OS keyring"), "keyring", _backend_name(backend))
    path = folder / KEY_FILE
    raw = read_key_file(path, store_id)
    if raw is not None:
        if keyring_error:
            logger.warning("Reading the store key from the OS keyring failed (%s); "
                           "using the key file %s", keyring_error, path)
        return StoreKey(raw, "file", str(path))
    if keyring_error:
        # Said once, in the error itself (the CLI's one line), not in a warning first.
        raise StoreKeyError(
            f"The store key could not be read from the OS keyring ({keyring_error}) "
            "and there is no key file; unlock the keyring and try again."
        )
    return None


def create_key(store_id: str, folder: Path) -> StoreKey:
    """Make a new key for a new store and keep it in the keyring, or the key file."""
    raw = secrets.token_bytes(KEY_BYTES)
    backend = _keyring_backend()
    if backend is not None:
        try:
            backend.set_password(  # type: ignore[attr-defined]
                KEYRING_SERVICE, store_id, base64.b64encode(raw).decode("ascii")
            )
            return StoreKey(raw, "keyring", _backend_name(backend))
        except Exception as exc:
            logger.warning(
                "Storing the store key in the OS keyring failed (%s); using a key file",
                type(exc).__name__,
            )
    path = folder / KEY_FILE
    write_key_file(path, store_id, raw)
    logger.warning(
        "No working OS keyring: the store key is kept in %s, readable by its owner only", path
    )
    return StoreKey(raw, "file", str(path))


def install_key(store_id: str, raw: bytes, folder: Path) -> StoreKey:
    """Keep an imported key (``tapemaster-admin key import``) where :func:`load_key`
    looks: the OS keyring, else the owner-only key file in ``folder``. The caller has
    checked that it is this store's key, so whatever was there before was not: a key
    file is moved aside (never destroyed), a keyring entry replaced."""
    if len(raw) != KEY_BYTES:
        raise StoreKeyError("A store key has 256 bits; this one does not.")
    backend = _keyring_backend()
    if backend is not None:
        encoded = base64.b64encode(raw).decode("ascii")
        try:
            keyring: Any = backend
            if keyring.get_password(KEYRING_SERVICE, store_id) != encoded:
                keyring.set_password(KEYRING_SERVICE, store_id, encoded)
            return StoreKey(raw, "keyring", _backend_name(backend))
        except Exception as exc:
            logger.warning("Storing the imported key in the OS keyring failed (%s); "
                           "using a key file", type(exc).__name__)
    path = folder / KEY_FILE
    try:
        present = read_key_file(path, store_id)
    except StoreKeyError:  # another store's, damaged or unsafe: moved aside below
        present = None
    if present != raw:
        write_key_file(path, store_id, raw)
    return StoreKey(raw, "file", str(path))


def put_back(key: StoreKey, store_id: str, folder: Path) -> StoreKey:
    """Write ``key`` (held in a running program's memory) back to where it was read
    from, after it went missing there: its keyring entry, or a new owner-only key file.

    Never over another key: a key file that has appeared meanwhile is left alone (and
    reported), since overwriting it could destroy the only copy of some other key.
    """
    if key.location == "keyring":
        backend = _keyring_backend()
        if backend is None:
            raise StoreKeyError("The OS keyring cannot be written just now; the store key "
                                "was not written back.")
        try:
            if backend.get_password(KEYRING_SERVICE, store_id):  # type: ignore[attr-defined]
                raise StoreKeyError("A store key is in the OS keyring again; it was left "
                                    "as it is.")
            backend.set_password(  # type: ignore[attr-defined]
                KEYRING_SERVICE, store_id, base64.b64encode(key.raw).decode("ascii"))
        except StoreKeyError:
            raise
        except Exception as exc:  # any backend failure: one clear sentence
            raise StoreKeyError(f"The store key could not be written to the OS keyring "
                                f"({type(exc).__name__}).") from None
        written = StoreKey(key.raw, "keyring", _backend_name(backend))
    else:
        path = folder / KEY_FILE
        if path.exists() or path.is_symlink():
            raise StoreKeyError(f"There is a key file at {path} again; it was left as it is.")
        try:
            write_key_file(path, store_id, key.raw)
        except OSError as exc:
            raise StoreKeyError(f"The store key file {path} could not be written "
                                f"({exc.strerror or type(exc).__name__}).") from None
        written = StoreKey(key.raw, "file", str(path))
    logger.warning("The store key had gone missing; wrote it back to the %s",
                   written.describe())
    return written
