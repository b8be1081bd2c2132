"""Live sessions across programs (issue 14 items 1 and 7; Disconnect, issue 10 item 4):
real programs (``app.main``, separate processes) logged on to one store, an
administrator acting from another program or the CLI; each program logs out at its
next heartbeat and its logon dialog says why. And the faults around a session: a store
key deleted under a running program, a log out on a full disk, two First Run dialogs
racing, a heartbeat that cannot reach the store, a last_seen in the future.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from gui.driving import click, log_on, type_into
from helpers import ADMIN_PASSWORD
from integration.reliability import PASSWORD, cli, make_store, record, use_key_file
from tapemaster_qt.errors import StoreFullError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store

pytestmark = pytest.mark.slow

PROGRAM = Path(__file__).with_name("live_program.py")
BEAT_MS = 250


class Running:
    """One program process and the lines it reports."""

    def __init__(self, folder: Path, program: str, user_id: str) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        self.user_id = user_id
        self.process = subprocess.Popen(
            [sys.executable, str(PROGRAM), str(folder), program, user_id, str(BEAT_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env)
        assert self.process.stdin is not None
        self.process.stdin.write(PASSWORD + "\n")
        self.process.stdin.close()
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def expect(self, kind: str, timeout: float = 120) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"{self.user_id}'s program said nothing for {timeout} s")
        assert line["k"] == kind, line
        return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)  # it reads to the end of the output, then stops
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def site(data_dir: Path) -> Iterator[Path]:
    use_key_file()  # the children find the key in store.key, as on headless Linux
    make_store(data_dir)
    yield data_dir


@pytest.fixture
def running() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for program in started:
        program.stop()


def _admin(store: Any) -> AdminService:
    return AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)),
                        Actor.for_user("tapemaster"))


def test_four_programs_each_log_out_at_their_next_heartbeat_saying_why(
    site: Path, running: list[Running]
) -> None:
    """alice disabled, bob revoked, carol loses Lite, dave gets OTP: every Lite logs
    out within a beat, each with its reason; eve, disconnected from the CLI, too."""
    with open_store(site) as store:
        admin = _admin(store)
        for user_id in ("alice", "bob", "carol", "dave", "eve"):
            admin.add_user({"user_id": user_id}, PASSWORD)
        programs = {u: Running(site, "Lite", u) for u in ("alice", "bob", "carol", "dave", "eve")}
        running.extend(programs.values())
        sessions = {u: p.expect("on")["session"] for u, p in programs.items()}

        listed = json.loads(cli(site, "session", "list", "--json").stdout)
        assert {s["user_id"]: s["state"] for s in listed} == dict.fromkeys(programs, "active")

        admin.set_disabled("alice", True)
        guesser = LogonService(Context(store, program="Checkpoint",
                                       hasher=PasswordHasher(TESTS_ONLY)))
        for _ in range(6):
            guesser.logon("bob", "Wrong-Password-0")
        admin.update_user("carol", {"programs": "TapeMaster,Checkpoint"})
        admin.set_otp("dave", True)
        ended = cli(site, "session", "end", str(sessions["eve"]))
        assert ended.returncode == 0, ended.stderr
        assert ended.stdout.startswith(f"Session {sessions['eve']} of eve (Lite on ")

        said = {u: p.expect("off", timeout=60)["message"] for u, p in programs.items()}
        assert said == {
            "alice": "You were logged out: an administrator disabled your User-ID.",
            "bob": "You were logged out: your User-ID was revoked (Access Revoked).",
            "carol": "You were logged out: an administrator removed your access to Lite.",
            "dave": "You were logged out: an administrator switched on or reset your One "
                    "Time Password; log on again to set it up.",
            "eve": f"You were logged out: an administrator ({Actor.for_cli().name}) ended "
                   "your session.",
        }
        for program in programs.values():
            assert program.process.wait(timeout=60) == 0
        assert store.list_sessions() == []
        ends = {e.user_id: e.detail for e in store.audit_events() if e.event == "session_ended"}
        assert {u: d.split(";")[0] for u, d in ends.items() if u != "eve"} == {
            "alice": "disabled", "bob": "revoked", "carol": "program_removed",
            "dave": "otp_changed"}
        assert "disconnected" in ends["eve"]
        outs = [e for e in store.audit_events() if e.event == "logged_out"]
        assert [(e.user_id, e.detail) for e in outs] == [
            ("eve", f"disconnected by {Actor.for_cli().name}")]
    record("Running session whose user changed", "5 Lite processes; an administrator "
           "disables, revokes, removes Lite, switches OTP on, ends one from the CLI", 5,
           "each Lite logs out at its next heartbeat; its logon dialog says why")


def _suspend_between_writes(process: subprocess.Popen[str], site: Path) -> None:
    """SIGSTOP the program, but not in the middle of its heartbeat's write: a program
    stopped there holds SQLite's write lock until it runs again."""
    for _ in range(200):
        process.send_signal(signal.SIGSTOP)
        with closing(sqlite3.connect(site / "tapemaster.db", timeout=0.2,
                                     isolation_level=None)) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return
            except sqlite3.OperationalError:  # stopped holding the lock: let it finish
                process.send_signal(signal.SIGCONT)
    pytest.fail("the program never let go of the write lock")


def test_a_deleted_user_added_again_never_inherits_a_sleeping_session(
    site: Path, running: list[Running]
) -> None:
    """dave's Lite is suspended, its session removed as stale, dave deleted and added
    again (with tapemaster rights): when Lite wakes, it logs out as the old dave."""
    with open_store(site) as store:
        admin = _admin(store)
        admin.add_user({"user_id": "dave"}, PASSWORD)
        lite = Running(site, "Lite", "dave")
        running.append(lite)
        session = lite.expect("on")["session"]
        _suspend_between_writes(lite.process, site)  # a laptop lid closed
        try:
            with closing(sqlite3.connect(site / "tapemaster.db")) as conn, conn:
                conn.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00+00:00'")
            assert admin.active_sessions() == []  # removed as stale
            admin.delete_users(["dave"])
            admin.add_user({"user_id": "dave", "tapemaster_rights": True}, PASSWORD)
        finally:
            lite.process.send_signal(signal.SIGCONT)
        assert lite.expect("off", timeout=60)["message"] == (
            "You were logged out: your User-ID was deleted.")
        assert lite.process.wait(timeout=60) == 0
        assert store.list_sessions() == []
        dave = [e for e in store.audit_events(user_id="dave")]
        assert [e.event for e in dave][:2] == ["session_ended", "user_created"]
        assert dave[0].detail.startswith(f"deleted; session {session} ended at its heartbeat")
        assert "logged_out" not in [e.event for e in dave]
    record("Running session whose user changed", "Lite suspended (SIGSTOP), its session "
           "removed as stale, its user deleted and added again, Lite resumed", 1,
           "logs out as the deleted user; never comes back as the new one")


def test_session_list_and_end_at_the_cli(site: Path) -> None:
    from integration.reliability import cli_refused

    with open_store(site) as store:
        admin = _admin(store)
        admin.add_user({"user_id": "bob"}, PASSWORD)
        desk = LogonService(Context(store, program="Checkpoint", host="vault\x1b[2J\npc",
                                    pid=4242, hasher=PasswordHasher(TESTS_ONLY)))
        bob = desk.logon("bob", PASSWORD).session
        assert bob is not None
        admin.update_user("bob", {"programs": "Lite"})

        listed = cli(site, "session", "list")
        assert listed.returncode == 0, listed.stderr
        header, row = listed.stdout.splitlines()
        assert header.split() == ["ID", "User-ID", "Program", "Host", "PID", "Last", "seen",
                                  "(UTC)", "State"]
        assert row.split()[:5] == [str(bob.session_id), "bob", "Checkpoint",
                                   "vault\\x1b[2J\\npc", "4242"]
        assert row.endswith("ending: program access removed")
        [shown] = json.loads(cli(site, "session", "list", "--json").stdout)
        assert shown == {"id": bob.session_id, "user_id": "bob", "program": "Checkpoint",
                         "host": "vault\x1b[2J\npc", "pid": 4242, "since": bob.since,
                         "last_seen": bob.since, "state": "ending",
                         "reason": "program_removed", "ended_by": None}

        assert "no session 99" in cli_refused(site, "session", "end", "99")
        for bad in ("abc", "-1", "0", "1e3", str(2**63)):
            refused = cli(site, "session", "end", bad)
            assert refused.returncode == 2 and "not a session id" in refused.stderr, bad
        admin.update_user("bob", {"programs": "Checkpoint"})
        ended = cli(site, "session", "end", str(bob.session_id))
        assert ended.returncode == 0 and "ends at its next heartbeat" in ended.stdout
        assert "already ending" in cli_refused(site, "session", "end", str(bob.session_id))
        [shown] = json.loads(cli(site, "session", "list", "--json").stdout)
        assert (shown["state"], shown["reason"], shown["ended_by"]) == (
            "ending", "disconnected", Actor.for_cli().name)
        assert not desk.heartbeat(bob)
        assert json.loads(cli(site, "session", "list", "--json").stdout) == []


# --- faults around a session (item 7) --------------------------------------------------------


def test_a_store_key_deleted_under_a_running_program(site: Path, qtbot, programs, boxes,
                                                      capfd) -> None:
    from PySide6.QtWidgets import QMessageBox

    boxes.answer = QMessageBox.StandardButton.Yes  # "Write It Back"
    program = programs.start(site, heartbeat_ms=100)
    log_on(qtbot, program, "tapemaster", ADMIN_PASSWORD)
    key_file = site / "store.key"
    original = key_file.read_bytes()
    key_file.unlink()
    # The CLI, a program that has not read the key yet, cannot make a secret now...
    assert "key" in cli(site, "otp", "enable", "tapemaster").stderr
    qtbot.waitUntil(lambda: "storeKeyRestoredMessage" in boxes.names(), timeout=10_000)
    assert boxes.names()[-2:] == ["storeKeyMissingMessage", "storeKeyRestoredMessage"]
    assert key_file.read_bytes() == original and key_file.stat().st_mode & 0o777 == 0o600
    # ...and once it is written back, everyone can again.
    assert cli(site, "user", "add", "bob", "--password-stdin",
               stdin=PASSWORD + "\n").returncode == 0
    assert cli(site, "otp", "enable", "bob").returncode == 0
    with open_store(site) as store:
        assert [e.event for e in store.audit_events(limit=3)][2] == "store_key_restored"
    assert "Traceback" not in capfd.readouterr().err
    record("Store key deleted while a program runs", "store.key removed under a logged-on "
           "TapeMaster (the key in its memory)", 1,
           "noticed at the next heartbeat; 'Write It Back' restores the same key, 0600; "
           "audited store_key_restored")


def test_a_log_out_on_a_full_disk_is_recorded_later(tmpfs, qtbot, programs, boxes) -> None:
    use_key_file()
    fs = tmpfs(4096)
    folder = fs.where / "store"
    make_store(folder, users=2)
    program = programs.start(folder, "Lite")
    log_on(qtbot, program, "u001", PASSWORD)
    with open_store(folder) as store:
        admin = _admin(store)
        filler = fs.fill()
        try:
            with pytest.raises(StoreFullError):
                for n in range(200):  # the WAL may still have room for a few writes
                    admin.update_user("u000", {"description": f"save {n} " + "x" * 200})
            program.main_window.actionLogOut.trigger()
            assert program.login_dialog.isVisible() and program.main_window is None
            assert program.logon.sessions.pending != []
            assert [e.event for e in store.audit_events(user_id="u001")
                    ].count("logged_out") == 0
        finally:
            filler.unlink()
        log_on(qtbot, program, "u000", PASSWORD)  # the next write of this program
        outs = [e for e in store.audit_events(user_id="u001") if e.event == "logged_out"]
        assert len(outs) == 1 and outs[0].detail.endswith(", recorded late")
        assert [s.user_id for s in store.list_sessions()] == ["u000"]
    record("Log out on a full disk", "4 MiB tmpfs filled, then Log Out in Lite", 1,
           "the log out is kept; written at the program's next logon ('recorded late'); "
           "at exit a message says when it still cannot be")


def test_two_first_run_dialogs_racing(tmp_path: Path, qtbot, boxes) -> None:
    from tapemaster_qt.app import Controller, UiState
    from tapemaster_qt.services.passwords import PasswordHasher as Hasher

    folder = tmp_path / "new-store"
    made = []
    for _ in range(2):
        ctx = Context(open_store(folder), hasher=Hasher(TESTS_ONLY))
        made.append(Controller(ctx, UiState(folder)))
        made[-1].start()
    try:
        first, second = made
        for program, password in ((first, ADMIN_PASSWORD), (second, "Second-Try-2026")):
            dialog = program.first_run_dialog
            assert dialog is not None and dialog.isVisible()
            type_into(qtbot, dialog.passwordEdit, password)
            type_into(qtbot, dialog.confirmEdit, password)
            click(qtbot, dialog)
        assert second.first_run_dialog is None and second.login_dialog.isVisible()
        assert "Another program set the tapemaster password first" in (
            second.login_dialog.messageLabel.text())
        log_on(qtbot, second, "tapemaster", ADMIN_PASSWORD)
        assert second.main_window is not None
        firsts = [e for e in second.ctx.store.audit_events() if e.detail.startswith("first run")]
        assert len(firsts) == 1
    finally:
        for program in made:
            program.close()
    record("Two First Run dialogs racing", "two programs on a new store; both choose a "
           "tapemaster password, one after the other", 1,
           "the second moves to the logon dialog ('Another program set the tapemaster "
           "password first…'); the first's password works there")


def test_a_heartbeat_that_cannot_reach_the_store(site: Path, qtbot, programs) -> None:
    with open_store(site) as store:
        _admin(store).add_user({"user_id": "bob"}, PASSWORD)
    program = programs.start(site, "Lite", busy_timeout_ms=50, heartbeat_ms=100)
    log_on(qtbot, program, "bob", PASSWORD)
    window = program.main_window
    with open_store(site) as store:
        _admin(store).set_disabled("bob", True)
        holder = sqlite3.connect(site / "tapemaster.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            qtbot.waitUntil(lambda: window.storeProblemLabel.isVisible(), timeout=10_000)
            assert program.main_window is window  # nothing decided on a failed beat
            assert "in use by another program" in window.storeProblemLabel.text()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        qtbot.waitUntil(lambda: program.main_window is None, timeout=10_000)
        assert program.login_dialog.messageLabel.text() == (
            "You were logged out: an administrator disabled your User-ID.")
    record("Store locked longer than the busy timeout", "heartbeat while another process "
           "holds BEGIN IMMEDIATE; the user disabled meanwhile", 1,
           "'cannot be reached; trying again every…' in a banner, still logged on; "
           "the first beat that gets through logs out with the reason")


def test_a_session_seen_in_the_future_is_stale(site: Path) -> None:
    with open_store(site) as store:
        admin = _admin(store)
        admin.add_user({"user_id": "bob"}, PASSWORD)
        desk = LogonService(Context(store, program="Lite", host="elsewhere", pid=1,
                                    hasher=PasswordHasher(TESTS_ONLY)))
        bob = desk.logon("bob", PASSWORD).session
        assert bob is not None
        with closing(sqlite3.connect(site / "tapemaster.db")) as conn, conn:
            conn.execute("UPDATE sessions SET last_seen = '2999-12-31T23:59:59.000+00:00'")
        assert json.loads(cli(site, "session", "list", "--json").stdout) == []
        assert desk.heartbeat(bob)  # still running: it registers again, with a sane time
        [shown] = admin.active_sessions()
        assert shown.user_id == "bob" and str(shown.state) == "active"
    record("Stale session of a crashed process", "a session's last_seen set to 2999", 1,
           "removed as stale (not shown active for ever); its program, still running, "
           "registers again at its next heartbeat")
