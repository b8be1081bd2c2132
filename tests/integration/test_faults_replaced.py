"""A store replaced under running programs (issue 14 item 3), and the backup and
restore commands that replace it safely.

Each scenario runs as it happens on a desk: a program (Lite) in a process of its own
(``program_worker``), the CLI as support staff type it, and the files moved or copied
in between. Before this fix: a backup moved over ``tapemaster.db`` while Lite was open
let Lite's next five logons report success while their audit rows were lost; with a
larger store the next program left the file "malformed"; and after a kill -9 a backup
copied over the file alone was silently undone by the old journal (a user the backup
did not have logged on again).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from helpers import ADMIN_PASSWORD
from integration.reliability import PASSWORD, cli, cli_refused, make_store, record

pytestmark = pytest.mark.slow

REPLACED_RUNNING = "The user store was replaced while this program was running"
REPLACED_JOURNAL = "was replaced while its journal (tapemaster.db-wal) still held changes"
TESTS = Path(__file__).resolve().parent.parent


class Program:
    """A program (Lite by default) running on the store in a process of its own."""

    def __init__(self, folder: Path, program: str = "Lite") -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(TESTS), os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "integration.program_worker", str(folder), program],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        assert self.read() == {"ready": True}

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise AssertionError(f"the program stopped: {self.proc.stderr.read()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def __call__(self, command: str) -> dict[str, Any]:
        self.send(command)
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self("close") == {"closed": True}
        self._end()

    def kill(self) -> None:
        self.proc.kill()
        self._end()

    def _end(self) -> None:
        self.proc.wait(timeout=30)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def started() -> Iterator[list[Program]]:
    made: list[Program] = []
    yield made
    for program in made:
        with contextlib.suppress(Exception):
            program.kill()


def start(started: list[Program], folder: Path, program: str = "Lite") -> Program:
    made = Program(folder, program)
    started.append(made)
    return made


@pytest.fixture
def key_file() -> Iterator[None]:
    """The key in store.key, as on headless Linux, so that every process finds it."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def site(tmp_path: Path, key_file: None) -> Path:
    folder = tmp_path / "site"
    make_store(folder, users=5)
    return folder


@pytest.fixture(scope="module")
def large_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        folder = tmp_path_factory.mktemp("replaced") / "store"
        make_store(folder, users=300)
    finally:
        keyring.set_keyring(previous)
    return folder


def backup(folder: Path, target: Path) -> Path:
    result = cli(folder, "backup", str(target))
    assert result.returncode == 0, result.stderr
    return target


def audit_json(folder: Path) -> list[dict[str, Any]]:
    result = cli(folder, "audit", "--limit", "100000", "--json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def file_alone(db: Path) -> tuple[list[str], list[str]]:
    """The store file read by itself, its journal left aside: SQLite's integrity check
    and the users it holds."""
    with contextlib.closing(sqlite3.connect(db.absolute().as_uri() + "?immutable=1",
                                            uri=True)) as conn:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        users = [r[0] for r in conn.execute("SELECT user_id FROM users ORDER BY user_id")]
    return check, users


# --- moved or copied over a running program ------------------------------------------------


def test_a_backup_moved_over_the_store_under_lite(site: Path, tmp_path: Path,
                                                  started: list[Program]) -> None:
    moved = backup(site, tmp_path / "moved.db")
    kept = backup(site, tmp_path / "kept.db")
    before = audit_json(site)
    lite = start(started, site)
    assert lite("logon u001 " + PASSWORD) == {"status": "success"}

    os.replace(moved, site / "tapemaster.db")  # mv moved.db tapemaster.db

    answers = [lite("logon u001 " + PASSWORD) for _ in range(5)]
    assert all(a["error"] == "StoreReplacedError" for a in answers), answers
    assert all(REPLACED_RUNNING in a["message"] and "start it again" in a["message"]
               for a in answers)
    assert lite("check")["error"] == "StoreReplacedError"
    # Every other program refuses the store: its journal still holds Lite's logon.
    assert REPLACED_JOURNAL in cli_refused(site, "audit")
    lite.close()
    assert REPLACED_JOURNAL in cli_refused(site, "user", "list")
    assert file_alone(site / "tapemaster.db")[0] == ["ok"]

    result = cli(site, "restore", str(kept))
    assert result.returncode == 0, result.stderr
    assert "Restored the store" in result.stdout
    after = audit_json(site)
    # The backup's audit log (all but the row saying it was taken, written after the
    # copy), then the restored store accepted and the restore: nothing of the backup
    # lost, nothing of Lite's added.
    assert before[-1]["event"] == "store_backed_up"
    assert after[:-2] == before[:-1]
    assert after[-2]["event"] == "store_accepted" and "after a restore" in after[-2]["detail"]
    assert after[-1]["event"] == "store_restored" and after[-1]["actor"].startswith("cli:")
    assert not (site / "tapemaster.db-wal").exists() or \
        (site / "tapemaster.db-wal").stat().st_size == 0
    # What was set aside (the moved backup with Lite's stale journal) restores as the
    # backup it was, its journal left out.
    aside = next(p for p in site.iterdir() if p.name.endswith("Z") and "before-restore" in p.name)
    assert Path(f"{aside}-wal").exists()
    again = cli(site, "restore", str(aside))
    assert again.returncode == 0, again.stderr
    restored = audit_json(site)  # the moved backup was taken before the kept one
    assert restored[:-2] == before[:-2] and restored[-1]["event"] == "store_restored"
    assert restored[-2]["event"] == "store_accepted"
    record("Store replaced under a running program",
           "a backup moved over tapemaster.db while Lite is logged on; 5 more logons",
           5, "each logon refused ('…replaced while this program was running…restart'); "
              "the CLI refuses the store until 'restore'; nothing lost, nothing malformed")


def test_a_larger_store_moved_over_is_not_left_malformed(large_template: Path, tmp_path: Path,
                                                         key_file: None,
                                                         started: list[Program]) -> None:
    site = tmp_path / "site"
    shutil.copytree(large_template, site)
    moved = backup(site, tmp_path / "moved.db")
    kept = backup(site, tmp_path / "kept.db")
    lite = start(started, site)
    assert lite("add 200 x") == {"added": 200}  # pages of the old layout in the journal

    os.replace(moved, site / "tapemaster.db")

    line = cli_refused(site, "user", "disable", "u003")
    assert REPLACED_JOURNAL in line and "damaged" not in line
    assert lite("add 5 y")["error"] == "StoreReplacedError"
    lite.close()
    check, users = file_alone(site / "tapemaster.db")
    assert check == ["ok"] and len(users) == 301  # the backup, untouched

    assert cli(site, "restore", str(kept)).returncode == 0
    result = cli(site, "user", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 301
    assert sorted(p.name for p in site.iterdir() if "before-restore" in p.name) != []
    record("Store replaced under a running program",
           "a backup moved over a 300-user store after Lite added 200 users",
           1, "the next program refuses it (journal of another file), Lite's saves "
              "refused; the file stays sound; restore gives the backup's 301 users")


@pytest.mark.parametrize("how", ["cp", "mv"])
def test_after_kill_9_a_backup_put_over_the_store_is_not_undone(site: Path, tmp_path: Path,
                                                               started: list[Program],
                                                               how: str) -> None:
    taken = backup(site, tmp_path / "before-dave.db")
    program = start(started, site, "TapeMaster")
    assert program("add 1 dave") == {"added": 1}
    assert program("logon dave000 " + PASSWORD) == {"status": "success"}
    program.kill()  # kill -9: its journal stays, with dave in it
    assert (site / "tapemaster.db-wal").stat().st_size > 32

    if how == "cp":  # cp before-dave.db tapemaster.db: the same file, new content
        copy = tmp_path / "copy.db"
        shutil.copyfile(taken, copy)
        shutil.copyfile(copy, site / "tapemaster.db")
    else:
        shutil.copyfile(taken, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", site / "tapemaster.db")

    assert REPLACED_JOURNAL in cli_refused(site, "user", "show", "dave000")
    # A program starting now refuses it too (the worker cannot even open it).
    env = dict(os.environ, PYTHONPATH=str(TESTS))
    result = subprocess.run([sys.executable, "-m", "integration.program_worker", str(site),
                             "Lite"], input="", capture_output=True, text=True, env=env,
                            check=False, timeout=60)
    assert result.returncode != 0 and "StoreReplacedError" in result.stderr

    assert cli(site, "restore", str(taken)).returncode == 0
    assert "There is no User-ID" in cli_refused(site, "user", "show", "dave000")
    again = start(started, site)
    assert again("logon dave000 " + PASSWORD) == {"status": "authorization_failure"}
    assert again("logon u001 " + PASSWORD) == {"status": "success"}
    record("Store replaced under a running program",
           f"kill -9 with a user added in the journal, then the backup {how}'d over the file",
           1, "refused at the next start (journal of another file): no user comes back; "
              "restore puts the backup in place without the old journal")


# --- restore while programs run --------------------------------------------------------------


def test_restore_while_lite_runs_tells_it_to_restart(site: Path, tmp_path: Path,
                                                     started: list[Program]) -> None:
    taken = backup(site, tmp_path / "taken.db")
    lite = start(started, site)
    assert lite("logon u001 " + PASSWORD) == {"status": "success"}
    assert lite("add 2 late") == {"added": 2}

    result = cli(site, "restore", str(taken))
    assert result.returncode == 0, result.stderr
    assert "1 program(s) had the store open" in result.stdout
    assert "u001 in Lite on" in result.stdout
    kept = next(p for p in site.iterdir() if p.name.startswith("tapemaster.db.before-restore-"))
    assert f"kept as {kept}" in result.stdout

    assert lite("check")["error"] == "StoreReplacedError"
    assert lite("heartbeat")["error"] == "StoreReplacedError"
    assert lite("logon u002 " + PASSWORD)["error"] == "StoreReplacedError"
    lite.close()

    users = json.loads(cli(site, "user", "list", "--json").stdout)
    assert [u["user_id"] for u in users if u["user_id"].startswith("late")] == []
    assert file_alone(site / "tapemaster.db")[0] == ["ok"]
    events = audit_json(site)
    assert events[-1]["event"] == "store_restored"
    assert str(taken) in events[-1]["detail"] and str(kept) in events[-1]["detail"]
    # What was replaced is itself a backup: it restores the two late users.
    assert cli(site, "restore", str(kept)).returncode == 0
    users = json.loads(cli(site, "user", "list", "--json").stdout)
    assert [u["user_id"] for u in users if u["user_id"].startswith("late")] == ["late000",
                                                                               "late001"]
    record("Store restored while a program runs",
           "tapemaster-admin restore with Lite logged on", 1,
           "restored in place; restore names Lite's session; Lite's next check, heartbeat "
           "and logon: '…replaced…start it again'; the store before is kept and restorable")


def test_a_backup_is_consistent_while_a_program_writes(site: Path, tmp_path: Path,
                                                       started: list[Program]) -> None:
    program = start(started, site, "TapeMaster")
    program.send("add 300 busy")  # keeps writing while the backup is taken
    target = backup(site, tmp_path / "busy.db")
    assert program.read() == {"added": 300}
    check, users = file_alone(target)
    assert check == ["ok"]
    busy = [u for u in users if u.startswith("busy")]
    assert busy == [f"busy{n:03d}" for n in range(len(busy))]  # a prefix: one moment
    assert stat_mode(target) == 0o600
    assert not Path(f"{target}-wal").exists() and not Path(f"{target}-journal").exists()
    assert cli(site, "restore", str(target)).returncode == 0


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- refusals ----------------------------------------------------------------------------


def test_backup_never_replaces_a_file_nor_follows_a_link(site: Path, tmp_path: Path) -> None:
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    assert "already exists" in cli_refused(site, "backup", str(existing))
    assert existing.read_text() == "keep me"
    planted = tmp_path / "planted"
    (tmp_path / "link.db").symlink_to(planted)
    assert "already exists" in cli_refused(site, "backup", str(tmp_path / "link.db"))
    assert not planted.exists()
    assert "does not exist" in cli_refused(site, "backup", str(tmp_path / "no" / "x.db"))


def _unchanged(site: Path) -> tuple[list[str], str]:
    names = sorted(p.name for p in site.iterdir() if p.name != "logs")
    return names, cli(site, "user", "list", "--json").stdout


def test_restore_refuses_what_is_not_a_backup_of_this_store(site: Path, tmp_path: Path,
                                                            key_file: None) -> None:
    good = backup(site, tmp_path / "good.db")
    before = _unchanged(site)

    other = tmp_path / "other"
    make_store(other)
    foreign = backup(other, tmp_path / "foreign.db")
    assert "is a backup of another store" in cli_refused(site, "restore", str(foreign))

    wrong_key = tmp_path / "wrong-key.db"
    shutil.copyfile(good, wrong_key)
    with contextlib.closing(sqlite3.connect(wrong_key)) as conn, conn:
        conn.execute("UPDATE settings SET value = ? WHERE key = 'key_check'", ("00" * 16,))
    assert "not written with this store's key" in cli_refused(site, "restore", str(wrong_key))

    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096 * 3:4096 * 6] = os.urandom(4096 * 3)
    damaged.write_bytes(bytes(data))
    assert "is damaged" in cli_refused(site, "restore", str(damaged))

    text = tmp_path / "users.csv"
    text.write_text("user_id\nalice\n")
    assert "not a TapeMaster user store" in cli_refused(site, "restore", str(text))

    newer = tmp_path / "newer.db"
    shutil.copyfile(good, newer)
    with contextlib.closing(sqlite3.connect(newer)) as conn:
        conn.execute("PRAGMA user_version = 99")
    assert "newer version" in cli_refused(site, "restore", str(newer))

    assert "no such file" in cli_refused(site, "restore", str(tmp_path / "missing.db"))
    assert _unchanged(site) == before
    record("Restore refused", "a backup of another store, another key, damaged pages, "
           "a CSV file, a newer store, a missing file", 6,
           "exit 1, one line naming the problem; the store and its folder unchanged")


def test_restore_over_a_damaged_store_keeps_it_aside(site: Path, tmp_path: Path) -> None:
    taken = backup(site, tmp_path / "taken.db")
    db = site / "tapemaster.db"
    data = bytearray(db.read_bytes())
    data[4096:4096 * 4] = os.urandom(4096 * 3)
    db.write_bytes(bytes(data))
    assert "damaged" in cli_refused(site, "user", "list")

    result = cli(site, "restore", str(taken))
    assert result.returncode == 0, result.stderr
    aside = [p for p in site.iterdir() if p.name.startswith("tapemaster.db.before-restore-")]
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(data)
    assert len(json.loads(cli(site, "user", "list", "--json").stdout)) == 6


def test_restore_waits_for_programs_holding_a_store_it_must_replace(
        site: Path, tmp_path: Path, started: list[Program]) -> None:
    moved = backup(site, tmp_path / "moved.db")
    kept = backup(site, tmp_path / "kept.db")
    lite = start(started, site)
    assert lite("logon u001 " + PASSWORD) == {"status": "success"}
    os.replace(moved, site / "tapemaster.db")
    line = cli_refused(site, "restore", str(kept))
    assert "A program still has the user store open" in line
    lite.close()
    assert cli(site, "restore", str(kept)).returncode == 0
    assert cli(site, "user", "show", "u001").returncode == 0


def test_restore_into_an_empty_folder_needs_the_key(site: Path, tmp_path: Path) -> None:
    taken = backup(site, tmp_path / "taken.db")
    fresh = tmp_path / "fresh"
    line = cli_refused(fresh, "restore", str(taken))
    assert "is not on this computer" in line and "store.key" in line
    fresh.mkdir(exist_ok=True)
    shutil.copy2(site / "store.key", fresh / "store.key")
    result = cli(fresh, "restore", str(taken))
    assert result.returncode == 0, result.stderr
    logon = cli(fresh, "user", "show", "tapemaster")
    assert logon.returncode == 0
    assert ADMIN_PASSWORD not in logon.stdout


def test_two_restores_in_one_second_keep_both_stores(site: Path, tmp_path: Path) -> None:
    from tapemaster_qt.store import restore_store

    taken = backup(site, tmp_path / "taken.db")
    for _ in range(2):  # in this process: well within one second
        restore_store(site, taken)
    kept = sorted(p.name for p in site.iterdir() if "before-restore" in p.name)
    assert len(kept) == 2, kept


def test_a_backup_changed_after_it_was_written_is_refused(site: Path, tmp_path: Path,
                                                          key_file: None) -> None:
    """REVIEW-2 D3, the reviewer's restore attack: someone who may write the backups
    folder (no key) copies u001's row and the lockout_threshold row of an older backup
    into the newer one; the restore took it silently and store verify then passed."""
    b0 = backup(site, tmp_path / "b0.db")  # u001 without OTP
    assert cli(site, "otp", "enable", "u001").returncode == 0
    assert cli(site, "settings", "set", "lockout_threshold", "3").returncode == 0
    b1 = backup(site, tmp_path / "b1.db")
    with contextlib.closing(sqlite3.connect(b0)) as old, \
            contextlib.closing(sqlite3.connect(b1)) as new, new:
        cur = old.execute("SELECT * FROM users WHERE user_id = 'u001'")
        columns = [d[0] for d in cur.description]
        new.execute(f"UPDATE users SET {', '.join(c + ' = ?' for c in columns)} "  # noqa: S608
                    "WHERE user_id = 'u001'", cur.fetchone())
        new.execute("UPDATE settings SET (value, mac, dt0, dt1, dt2) = (?, ?, ?, ?, ?) "
                    "WHERE key = 'lockout_threshold'", old.execute(
                        "SELECT value, mac, dt0, dt1, dt2 FROM settings "
                        "WHERE key = 'lockout_threshold'").fetchone())
    before = _unchanged(site)
    line = cli_refused(site, "restore", str(b1))
    assert "was changed after it was written" in line and "nothing was restored" in line
    assert "users:" in line and "settings:" in line and "--accept-findings" in line
    assert _unchanged(site) == before
    assert "One Time Password True" in cli(site, "otp", "status", "u001").stdout

    # A sound backup restores as before, older than this account's mark: exit 0, and no
    # finding printed (that age is what a restore is for).
    good = cli(site, "restore", str(b0))
    assert good.returncode == 0, good.stderr
    assert "accepted:" not in good.stdout
    assert cli(site, "store", "verify").returncode == 0

    # After review, the operator may take the changed one: each finding is printed.
    taken = cli(site, "restore", "--accept-findings", str(b1))
    assert taken.returncode == 0, taken.stderr
    accepted = [s for s in taken.stdout.splitlines() if s.strip().startswith("accepted:")]
    assert any("users:" in s for s in accepted) and any("settings:" in s for s in accepted)
