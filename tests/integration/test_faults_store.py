"""The store file damaged or unusable: corrupt, truncated, not SQLite at all, on a
read-only folder or disk, on a full disk, locked by another program for longer than
the busy timeout.

Each time: the CLI prints one clear line and exits 1 (no traceback), the GUI shows a
message box (or, for a logon, the logon dialog's message) and exits 1 when it cannot
go on, nothing is written to a damaged file, and once the fault is gone every change
made before it is still there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from gui.driving import log_on
from integration.reliability import (
    PASSWORD,
    cli,
    cli_refused,
    gui_start,
    make_store,
    record,
    store_files,
    visible_windows,
)
from tapemaster_qt.errors import StoreCorruptError, StoreFullError, StoreLockedError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import Store, open_store
from tapemaster_qt.store.sqlite import SQLiteStore

pytestmark = pytest.mark.slow

DAMAGED = "is damaged. Restore it from a backup"
NOT_A_STORE = "is not a TapeMaster user store"
PAGE = 4096


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised store with 300 users (every third with OTP), key in a key file."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        folder = tmp_path_factory.mktemp("faults-store") / "store"
        make_store(folder, users=300)
    finally:
        keyring.set_keyring(previous)
    return folder


@pytest.fixture
def site(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    shutil.copytree(template, folder)
    return folder


def _admin(store: Store) -> AdminService:
    return AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)), Actor.for_cli())


# --- damage ------------------------------------------------------------------------------


def _pages(db: Path, *names: str) -> list[int]:
    """The pages of these tables/indexes (SQLite's dbstat); skip where it is missing."""
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            marks = ", ".join("?" * len(names))
            rows = conn.execute(f"SELECT pageno FROM dbstat WHERE name IN ({marks})",  # noqa: S608
                                names).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a table's pages")
    return sorted(r[0] for r in rows)


def _overwrite(db: Path, pages: list[int], filler: Callable[[int], bytes]) -> None:
    data = bytearray(db.read_bytes())
    for page in pages:
        start = (page - 1) * PAGE
        data[start:start + PAGE] = filler(PAGE)
    db.write_bytes(bytes(data))


def users_pages_random(folder: Path) -> None:
    db = folder / "tapemaster.db"
    pages = _pages(db, "users")
    _overwrite(db, pages[len(pages) // 3: len(pages) // 3 + 3], os.urandom)


def users_index_zeroed(folder: Path) -> None:
    db = folder / "tapemaster.db"
    _overwrite(db, _pages(db, "users_id_nocase", "sqlite_autoindex_users_1"), bytes)


def settings_page_random(folder: Path) -> None:
    db = folder / "tapemaster.db"
    _overwrite(db, _pages(db, "settings"), os.urandom)


def header_page_random(folder: Path) -> None:
    _overwrite(folder / "tapemaster.db", [1], os.urandom)


def schema_page_zeroed(folder: Path) -> None:
    db = folder / "tapemaster.db"
    data = bytearray(db.read_bytes())
    data[100:PAGE] = bytes(PAGE - 100)  # page 1 after the 100-byte header: the schema
    db.write_bytes(bytes(data))


def middle_third_random(folder: Path) -> None:
    db = folder / "tapemaster.db"
    pages = db.stat().st_size // PAGE
    _overwrite(db, list(range(pages // 3 + 1, 2 * pages // 3 + 1)), os.urandom)


def truncated(keep: float | int) -> Callable[[Path], None]:
    def cut(folder: Path) -> None:
        db = folder / "tapemaster.db"
        data = db.read_bytes()
        db.write_bytes(data[:int(len(data) * keep)] if isinstance(keep, float) else data[:keep])

    return cut


def replaced(content: Callable[[int], bytes]) -> Callable[[Path], None]:
    def replace(folder: Path) -> None:
        db = folder / "tapemaster.db"
        db.write_bytes(content(db.stat().st_size))

    return replace


def folder_in_its_place(folder: Path) -> None:
    db = folder / "tapemaster.db"
    db.unlink()
    db.mkdir()
    (db / "README.txt").write_text("not a store")


CASES = [
    ("Store file corrupt", "3 pages of the users table overwritten with random bytes",
     users_pages_random, DAMAGED),
    ("Store file corrupt", "the User-ID indexes zeroed", users_index_zeroed, DAMAGED),
    ("Store file corrupt", "the settings page overwritten with random bytes",
     settings_page_random, DAMAGED),
    ("Store file corrupt", "page 1 (file header) overwritten with random bytes",
     header_page_random, NOT_A_STORE),
    ("Store file corrupt", "the schema on page 1 zeroed", schema_page_zeroed, DAMAGED),
    ("Store file corrupt", "the middle third of the file overwritten with random bytes",
     middle_third_random, DAMAGED),
    ("Store file truncated", "cut to 90%", truncated(0.9), DAMAGED),
    ("Store file truncated", "cut to 50%", truncated(0.5), DAMAGED),
    ("Store file truncated", "cut to its first page (4096 bytes)", truncated(PAGE), DAMAGED),
    ("Store file truncated", "cut to 50 bytes (half the header)", truncated(50), DAMAGED),
    ("Store replaced by a non-SQLite file", "random bytes of the same size",
     replaced(os.urandom), NOT_A_STORE),
    ("Store replaced by a non-SQLite file", "a CSV text file",
     replaced(lambda n: b"tape,slot,status\n" + b"A00001,17,vault\n" * (n // 16)), NOT_A_STORE),
    ("Store replaced by a non-SQLite file", "an SQLite header followed by random bytes",
     replaced(lambda n: b"SQLite format 3\0" + os.urandom(n - 16)), NOT_A_STORE),
    ("Store replaced by a non-SQLite file", "a folder named tapemaster.db",
     folder_in_its_place, "is a folder, not a TapeMaster user store"),
]


@pytest.mark.parametrize(("fault", "how", "spoil", "expected"), CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_a_damaged_store_is_refused_and_left_alone(
    qapp, site: Path, boxes, package_logging, capfd, fault: str, how: str,
    spoil: Callable[[Path], None], expected: str,
) -> None:
    spoil(site)
    db = site / "tapemaster.db"
    before = db.read_bytes() if db.is_file() else None

    listed = cli_refused(site, "user", "list")
    added = cli_refused(site, "user", "add", "carol", "--password-stdin",
                        stdin=PASSWORD + "\n")
    for line in (listed, added):
        assert expected in line and str(db) in line, line
    assert gui_start(site) == 1
    assert boxes.names() == ["storeErrorMessage"]
    assert expected in boxes.text() and str(db) in boxes.text()
    assert "Traceback" not in boxes.text() + capfd.readouterr().err
    assert "loginDialog" not in visible_windows()
    # Nothing was written to the damaged file (nor a journal left with changes in it).
    if before is not None:
        assert db.read_bytes() == before
    for journal in (site / "tapemaster.db-wal", site / "tapemaster.db-journal"):
        assert not journal.exists() or journal.stat().st_size == 0, journal.name
    record(fault, how, 1, f"CLI: exit 1, one line ('…{expected}…'); GUI: message box, "
           "exit 1; file untouched")


def test_damage_in_the_audit_log_stops_writes_after_it_is_seen(site: Path) -> None:
    """The audit log is not checked at start (it may be huge): damage there shows when
    it is read or appended to, and from then on this program writes nothing more."""
    db = site / "tapemaster.db"
    _overwrite(db, _pages(db, "audit"), os.urandom)
    before = db.read_bytes()
    assert DAMAGED in cli_refused(site, "audit")
    users = cli(site, "user", "show", "u001")
    assert users.returncode == 0, users.stderr  # the users are intact and readable
    with open_store(site) as store:
        admin = _admin(store)
        with pytest.raises(StoreCorruptError, match="is damaged"):
            admin.update_user("u001", {"name": "Changed"})
        # A write that would not touch the damaged pages is refused too.
        with pytest.raises(StoreCorruptError, match="is damaged; nothing was changed"), \
                store.write() as tx:
            tx.insert_group("OPS", "")
        assert store.get_user("u001").name == "User 1"
    assert db.read_bytes() == before
    record("Store file corrupt", "every audit-log page overwritten with random bytes",
           1, "starts (users intact); reading or appending the log: 'is damaged'; no write "
           "after that; file untouched")


def test_an_empty_store_file_is_a_creation_that_was_interrupted(site: Path) -> None:
    """0 bytes is what an interrupted first start leaves (the file is made before its
    tables): the store is created again. A key file beside it is kept aside, never
    destroyed, in case it belonged to a store that was lost."""
    old_key = (site / "store.key").read_bytes()
    (site / "tapemaster.db").write_bytes(b"")
    result = cli(site, "info")
    assert result.returncode == 0, result.stderr
    assert "Users:       1" in result.stdout
    [aside] = site.glob("store.key.orphaned-*")
    assert aside.read_bytes() == old_key
    assert (aside.stat().st_mode & 0o077) == 0
    record("Store file truncated", "cut to 0 bytes", 1,
           "taken as an interrupted creation: a new store (First Run); the old key file "
           "kept as store.key.orphaned-*")


# --- read-only -----------------------------------------------------------------------------


def _leave_unclean(folder: Path) -> None:
    """A program killed while the store was open: -wal and -shm stay behind."""
    code = ("import os, sys\n"
            "from tapemaster_qt.services import Actor, Context\n"
            "from tapemaster_qt.services.admin import AdminService\n"
            "from tapemaster_qt.store import open_store\n"
            "store = open_store(sys.argv[1])\n"
            "store.db.connection.execute('PRAGMA wal_autocheckpoint = 0')\n"
            "AdminService(Context(store), Actor.for_cli()).add_group('LATE', 'written last')\n"
            "os.kill(os.getpid(), 9)\n")
    subprocess.run([sys.executable, "-c", code, str(folder)], check=False)
    assert (folder / "tapemaster.db-wal").stat().st_size > 0


def test_a_read_only_disk(template: Path, tmpfs, qapp, boxes, package_logging, capfd) -> None:
    fs = tmpfs(4096)
    folder = fs.where / "store"
    shutil.copytree(template, folder)
    before = store_files(folder)
    fs.remount("ro")
    try:
        listed = cli_refused(folder, "user", "list")
        assert "cannot be opened" in listed and str(folder / "tapemaster.db") in listed, listed
        assert gui_start(folder) == 1
        assert boxes.names() == ["storeErrorMessage"]
        assert "cannot be opened" in boxes.text() and "write" in boxes.text()
        assert "Traceback" not in capfd.readouterr().err
    finally:
        fs.remount("rw")
    assert store_files(folder) == before
    with open_store(folder) as store:  # writable again: everything is there
        assert store.integrity_check() == ["ok"]
        assert store.count_users() == 301
    record("Store on a read-only folder", "disk remounted read-only, store closed cleanly", 2,
           "CLI: exit 1, '…cannot be opened; check that its folder exists and that you may "
           "write to it'; GUI: message box, exit 1; all data there once writable")


def test_a_read_only_disk_under_a_store_left_open(template: Path, tmpfs, qtbot, programs,
                                                  capfd) -> None:
    """A program was killed with the store open (its -wal and -shm are there) and the
    disk then went read-only: what it holds can be read, nothing can be written."""
    fs = tmpfs(4096)
    folder = fs.where / "store"
    shutil.copytree(template, folder)
    _leave_unclean(folder)
    before = store_files(folder)
    fs.remount("ro")
    try:
        groups = cli(folder, "group", "list")
        assert groups.returncode == 0 and "LATE" in groups.stdout, groups.stderr
        added = cli_refused(folder, "user", "add", "carol", "--password-stdin",
                            stdin=PASSWORD + "\n")
        assert "cannot be written" in added and "nothing was changed" in added, added
        tapemaster = programs.start(folder)
        log_on(qtbot, tapemaster, "u001", PASSWORD)
        assert tapemaster.login_dialog.messageLabel.text() == added.split(": error: ")[1]
        assert tapemaster.main_window is None
        assert "Traceback" not in capfd.readouterr().err
        programs.close()
        programs.made.clear()
    finally:
        fs.remount("rw")
    after = store_files(folder)
    assert after["tapemaster.db"] == before["tapemaster.db"]
    with open_store(folder) as store:
        assert store.integrity_check() == ["ok"]
        assert store.count_users() == 301 and store.get_group("LATE") is not None
        assert store.get_user("carol") is None
    record("Store on a read-only folder",
           "disk remounted read-only under a store left open by a killed program", 2,
           "reads work (CLI 'group list'); CLI 'user add' and a GUI logon: 'cannot be "
           "written (read-only…); nothing was changed'; all data there once writable")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores folder permissions; the read-only disk test covers it")
def test_a_read_only_folder(template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    shutil.copytree(template, folder)
    folder.chmod(0o555)
    try:
        listed = cli_refused(folder, "user", "list")
        assert "cannot be" in listed
    finally:
        folder.chmod(0o700)
    record("Store on a read-only folder", "folder chmod 555 (not root)", 1,
           "CLI: exit 1, 'cannot be opened…'")


# --- full disk -------------------------------------------------------------------------------


def test_a_disk_that_fills_up_while_programs_run(template: Path, tmpfs, qtbot, programs,
                                                 boxes, capfd) -> None:
    fs = tmpfs(4096)
    folder = fs.where / "store"
    shutil.copytree(template, folder)
    tapemaster = programs.start(folder)
    admin_store = open_store(folder)
    admin = _admin(admin_store)
    admin.add_user({"user_id": "before"}, PASSWORD)
    filler = fs.fill()
    try:
        # An administrator's save, the CLI and a logon: refused, nothing changed.
        with pytest.raises(StoreFullError, match="is full; nothing was changed"):
            for n in range(200):  # a page may still have room for a row or two
                admin.update_user("u001", {"description": f"save {n} " + "x" * 200})
        line = cli_refused(folder, "user", "add", "carol", "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert "is full; nothing was changed" in line, line
        log_on(qtbot, tapemaster, "u001", PASSWORD)
        message = tapemaster.login_dialog.messageLabel.text()
        assert "is full; nothing was changed" in message
        assert tapemaster.main_window is None and tapemaster.login_dialog.isVisible()
        saved = admin_store.get_user("u001").description
    finally:
        filler.unlink()
    # Space again: the same program logs on, and nothing written before was lost.
    log_on(qtbot, tapemaster, "u001", PASSWORD)
    assert tapemaster.main_window is not None
    admin.add_user({"user_id": "after"}, PASSWORD)
    assert admin_store.integrity_check() == ["ok"]
    assert admin_store.get_user("u001").description == saved
    assert admin_store.get_user("carol") is None
    assert {"before", "after", "u299"} <= {u.user_id for u in admin_store.list_users()}
    logons = [e for e in admin_store.audit_events(user_id="u001")
              if e.event.startswith("login")]
    assert [e.event for e in logons] == ["login_succeeded"]  # the refused one left nothing
    admin_store.close()
    assert "Traceback" not in capfd.readouterr().err
    record("Store on a full disk", "4 MiB tmpfs filled while a program and the CLI run", 3,
           "admin save, CLI 'user add' and a GUI logon each: 'is full; nothing was "
           "changed'; after freeing space the logon works and every earlier change is there")


def test_starting_on_a_full_disk(template: Path, tmpfs, qapp, boxes, package_logging,
                                 capfd) -> None:
    fs = tmpfs(4096)
    folder = fs.where / "store"
    shutil.copytree(template, folder)
    before = store_files(folder)
    filler = fs.fill()
    try:
        line = cli_refused(folder, "user", "list")
        assert "is full" in line, line
        assert gui_start(folder) == 1
        assert boxes.names() == ["storeErrorMessage"] and "is full" in boxes.text()
        assert "Traceback" not in capfd.readouterr().err
    finally:
        filler.unlink()
    after = store_files(folder)
    for name in ("tapemaster.db", "store.key"):
        assert after[name] == before[name], name
    assert not after.get("tapemaster.db-wal")  # SQLite's scratch files, nothing in them
    assert cli(folder, "user", "show", "u299").returncode == 0
    record("Store on a full disk", "4 MiB tmpfs full before the program starts", 2,
           "CLI and GUI: 'is full…' (exit 1, message box); store untouched")


def test_a_store_at_its_size_limit(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no small disk can be mounted: SQLite's max_page_count as the full disk."""
    with open_store(site) as store:
        pages = store.db.value("PRAGMA page_count")
    real = sqlite3.connect

    def limited(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real(*args, **kwargs)
        conn.execute(f"PRAGMA max_page_count = {pages + 4}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", limited)
    added: list[str] = []
    with open_store(site) as store:
        admin = _admin(store)
        with pytest.raises(StoreFullError, match="is full; nothing was changed") as full:
            for n in range(100_000):
                admin.add_user({"user_id": f"fill{n}", "name": "x" * 60,
                                "description": "y" * 250}, PASSWORD)
                added.append(f"fill{n}")
        assert "Traceback" not in full.value.message
        refused = f"fill{len(added)}"
        assert store.get_user(refused) is None
        assert store.count_audit(text=refused) == 0
    monkeypatch.undo()
    with open_store(site) as store:
        assert store.integrity_check() == ["ok"]
        assert {u.user_id for u in store.list_users()} >= set(added) | {"u000", "u299"}
        _admin(store).add_user({"user_id": refused}, PASSWORD)
    record("Store on a full disk", "SQLite max_page_count reached by adding users", 1,
           f"user {len(added) + 1}: 'is full; nothing was changed', no row, no audit row; "
           f"the {len(added)} before it kept")


# --- locked ------------------------------------------------------------------------------------

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE" if sys.argv[2] == "exclusive" else "BEGIN IMMEDIATE")
conn.execute("INSERT INTO groups (group_id, description, created) "
             "VALUES ('HOLDER', 'never committed', 'now')")
print("held", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def locked(folder: Path, mode: str = "immediate") -> Iterator[None]:
    """Another program holds the store's write lock (``exclusive``: every lock) until
    the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / "tapemaster.db"),
                               mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()


def test_a_store_locked_longer_than_the_busy_timeout(site: Path, qtbot, programs) -> None:
    tapemaster = programs.start(site, busy_timeout_ms=300)
    with open_store(site, busy_timeout_ms=300) as store:
        admin = _admin(store)
        audit_rows = store.count_audit()
        with locked(site):
            with pytest.raises(StoreLockedError) as refused:
                admin.update_user("u001", {"name": "Renamed"})
            message = refused.value.message
            assert "in use by another program" in message and "nothing was changed" in message
            log_on(qtbot, tapemaster, "u001", PASSWORD)
            assert tapemaster.login_dialog.messageLabel.text() == message
            assert tapemaster.main_window is None
            assert store.get_user("u001").name == "User 1"  # reading still works
        assert store.count_audit() == audit_rows  # the refused attempts left nothing
        assert store.get_group("HOLDER") is None
        # Free again: both go through.
        admin.update_user("u001", {"name": "Renamed"})
        log_on(qtbot, tapemaster, "u001", PASSWORD)
        assert tapemaster.main_window is not None
        assert store.get_user("u001").name == "Renamed"
    record("Store locked longer than the busy timeout",
           "another process holds BEGIN IMMEDIATE; busy timeout 300 ms", 2,
           "admin save and GUI logon: 'in use by another program…; nothing was changed'; "
           "reads work meanwhile; both succeed once it lets go; no partial write")


def test_the_cli_waits_out_its_busy_timeout_then_says_so(site: Path) -> None:
    with locked(site):
        line = cli_refused(site, "user", "add", "carol", "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert "in use by another program" in line and "nothing was changed" in line
    assert cli(site, "user", "show", "carol").returncode == 1
    assert cli(site, "user", "add", "carol", "--password-stdin",
               stdin=PASSWORD + "\n").returncode == 0
    record("Store locked longer than the busy timeout",
           "another process holds BEGIN IMMEDIATE; the CLI's own 5 s busy timeout", 1,
           "CLI: exit 1 after 5 s, 'in use by another program…'; works once free")


def test_an_exclusively_locked_store_cannot_even_open(site: Path, qapp, boxes, package_logging,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = SQLiteStore.open.__func__  # type: ignore[attr-defined]

    def impatient(cls, folder, *, busy_timeout_ms=5000):  # type: ignore[no-untyped-def]
        return real_open(cls, folder, busy_timeout_ms=300)

    monkeypatch.setattr(SQLiteStore, "open", classmethod(impatient))
    before = (site / "tapemaster.db").read_bytes()
    with locked(site, "exclusive"):
        assert gui_start(site) == 1
    assert boxes.names() == ["storeErrorMessage"]
    assert "in use by another program" in boxes.text()
    assert (site / "tapemaster.db").read_bytes() == before
    record("Store locked longer than the busy timeout",
           "another process holds an EXCLUSIVE lock (locking_mode=EXCLUSIVE); GUI start", 1,
           "message box 'in use by another program…', exit 1; file untouched")
