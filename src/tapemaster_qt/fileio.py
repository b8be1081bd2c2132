"""The files the programs write: never half a file, never through a link, owner-only.

Where the store, its key and the logs live must be a folder that only its owner (or
the system) can change: whoever else can write there could put a link where the store
or a log will be written, plant a journal beside the store, or swap the store itself.
:func:`folder_problem` says what is wrong with a folder (and with the folders that hold
it); :func:`link_problem` refuses a symbolic link where a file of ours goes;
:func:`create_private` and :func:`open_private_append` make files owner-only (0600),
never following a link and, for a new file, never taking over one that appeared
(``O_EXCL``). :func:`open_regular_file` opens a file someone else may have planted
(a FIFO would make the program wait for a writer forever) only when it is a regular
file.

On Windows the permission checks do not apply: the folders are in the user's profile,
protected by NTFS ACLs that mode bits do not describe. Links are still refused there.
Every check returns a sentence for a person (or None), so that the store, the logs and
the CLI can each say it their own way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
"""Opening fails (ELOOP) where the last part of the path is a symbolic link."""
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def posix_permissions() -> bool:
    """Whether mode bits and owners say who may change a file (not on Windows)."""
    return sys.platform != "win32"


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write beside the target, flush to disk, then rename over it in one step.

    The new file is created owner-only (``mkstemp``: ``O_EXCL``, 0600) and the rename
    replaces whatever was at ``path`` (a link included) without following it."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def text_written_atomically(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """A text file to write (UTF-8, newlines as written) that appears at ``path`` in
    one step when the block ends, flushed to disk; an error leaves no file behind. For
    files too large to build in memory first (an export of a million audit rows)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new_private_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Create ``path`` for its owner only (0600) and write ``data``; never replace or
    follow anything already there (FileExistsError). A failed write leaves no file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


# --- checks ------------------------------------------------------------------------------


def link_problem(path: Path, what: str = "") -> str | None:
    """A sentence when ``path`` is a symbolic link (dangling or not); None otherwise."""
    if not path.is_symlink():
        return None
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    name = f"{what} {path}" if what else str(path)
    return (f"The {name} is a symbolic link (to {target}). TapeMaster Qt never writes "
            "through a link where it keeps the user store, its key and its logs: another "
            "user could point it anywhere. Replace the link with the real file or folder.")


def owner_problem(path: Path, st: os.stat_result, what: str) -> str | None:
    """A sentence when a file of ours belongs to another user (who could change it)."""
    if not posix_permissions() or st.st_uid in (os.geteuid(), 0):
        return None
    return (f"The {what} {path} belongs to another user ({_user_name(st.st_uid)}), who "
            "could change it at will. Use files and folders of your own.")


def folder_problem(folder: Path) -> str | None:
    """What makes ``folder`` unfit to hold the store, its key or the logs, in one
    sentence; None when it is fit (or does not exist yet: create it first).

    Unfit: a symbolic link; not a folder; on POSIX systems, a folder that another user
    could change: one owned by someone other than this user or root, one that its
    group (unless it is this user's own private group) or everyone may write, or one
    held by such a folder (a parent writable by others is fine with the sticky bit,
    as ``/tmp`` is: then nobody else may rename or remove what is ours in it)."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"The folder {folder} cannot be examined ({exc.strerror})."
    if stat.S_ISLNK(st.st_mode):
        return (f"The folder {folder} is a symbolic link (to {os.path.realpath(folder)}). "
                "TapeMaster Qt does not follow a link to where it keeps the user store, its "
                "key and its logs; give the real folder instead.")
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder."
    if not posix_permissions():
        return None
    problem = _changeable_by_others(folder, st, holder=None)
    if problem:
        return problem
    # Every folder on the way there: the written path and the real one (links resolved).
    seen: set[Path] = set()
    for parent in (*Path(os.path.abspath(folder)).parents,
                   *Path(os.path.realpath(folder)).parents):
        if parent in seen:
            continue
        seen.add(parent)
        try:
            pst = os.stat(parent)
        except OSError as exc:
            return f"The folder {parent} cannot be examined ({exc.strerror})."
        problem = _changeable_by_others(parent, pst, holder=folder)
        if problem:
            return problem
    return None


def _changeable_by_others(folder: Path, st: os.stat_result, holder: Path | None) -> str | None:
    mode = stat.S_IMODE(st.st_mode)
    which = (f"The folder {folder}, which holds {holder}," if holder is not None
             else f"The folder {folder}")
    if st.st_uid not in (os.geteuid(), 0):
        return (f"{which} belongs to another user ({_user_name(st.st_uid)}), who could "
                "replace the user store, its key or the logs in it. Use a folder of "
                "your own.")
    if holder is not None and mode & stat.S_ISVTX:
        return None  # sticky (like /tmp): others cannot rename or remove our folder
    fix = f"chmod 700 '{folder}'" if holder is None else f"chmod go-w '{folder}'"
    if mode & stat.S_IWOTH:
        return (f"{which} can be changed by every user of this computer (permissions "
                f"{mode:04o}), so anyone could replace the user store, its key or the "
                f"logs. Make it private ({fix}) and try again.")
    if mode & stat.S_IWGRP and not _own_private_group(st.st_gid):
        return (f"{which} can be changed by the members of group "
                f"'{_group_name(st.st_gid)}' (permissions {mode:04o}), so they could "
                f"replace the user store, its key or the logs. Make it private ({fix}) "
                "and try again.")
    return None


def _own_private_group(gid: int) -> bool:
    """A group named after this user with nobody else in it (a user private group, as
    Debian and Fedora give every account): its write permission is the owner's own."""
    try:
        import grp
        import pwd

        group = grp.getgrgid(gid)
        me = pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return False
    return group.gr_name == me and set(group.gr_mem) <= {me}


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def _group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return f"gid {gid}"


# --- making files ----------------------------------------------------------------------------


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and what is missing above it) if needed; the folder itself
    is created owner-only (0700). An existing folder is left as it is."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def create_private(path: Path) -> None:
    """Create an empty file ``path``, owner-only, never following a link and never
    taking over a file that is already there (FileExistsError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | _CLOEXEC | _BINARY,
                 PRIVATE_FILE)
    os.close(fd)


def open_private_append(path: Path) -> int:
    """A descriptor for appending to ``path`` (created owner-only when new). Refuses a
    link (OSError, ELOOP) and another user's file (PermissionError); an existing file of
    ours that others may read is made owner-only."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW | _CLOEXEC | _BINARY,
                 PRIVATE_FILE)
    try:
        if posix_permissions():
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise IsADirectoryError(f"{path} is not a regular file")
            problem = owner_problem(path, st, "file")
            if problem:
                raise PermissionError(problem)
            if stat.S_IMODE(st.st_mode) & 0o077:
                os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private(path: Path) -> bool:
    """Take group and other permissions away from an existing regular file of ours
    (never through a link); True when something changed."""
    if not posix_permissions():
        return False
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(st.st_mode) or not stat.S_IMODE(st.st_mode) & 0o077:
        return False
    os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
    return True


def sync_folder(folder: Path) -> None:
    """Make renames and new files in ``folder`` durable (a no-op where folders cannot
    be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading ---------------------------------------------------------------------------------


def open_regular_file(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of ``path``, which must be a regular file: a symbolic
    link is not followed (ELOOP), and a FIFO or a device is refused (EINVAL) instead of
    being waited on. Opened non-blocking, so a FIFO planted at the path cannot hang the
    program before it is checked (``open`` of a FIFO blocks until a writer comes).
    Raises FileNotFoundError or another OSError; the caller closes the descriptor."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
                 | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file ``path`` (one more than allowed
    tells the caller it is too large); see :func:`open_regular_file`."""
    with os.fdopen(open_regular_file(path), "rb") as fh:
        return fh.read(limit + 1)
