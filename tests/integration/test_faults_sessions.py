"""Sessions of programs that crashed, were killed or went quiet.

Active Users must not show ghosts forever: a session of a killed program on this
computer goes as soon as anyone looks (its process is gone), one on another computer
once it has not been seen for SESSION_STALE_SECONDS. And the clean-up must not hurt
the living: a program that was only quiet (a suspended laptop, a clock jump) shows up
again at its next heartbeat, and never touches another user's session.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from integration.reliability import PASSWORD, make_store, record, use_key_file
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import SESSION_STALE_SECONDS, AdminService
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store

pytestmark = pytest.mark.slow

PROGRAM = """
import sys
from pathlib import Path
from tapemaster_qt.services import Context
from tapemaster_qt.services.auth import LogonService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import open_store, Store

store = open_store(Path(sys.argv[1]))
logon = LogonService(Context(store, program="Checkpoint", hasher=PasswordHasher(TESTS_ONLY)))
outcome = logon.logon(sys.argv[2], sys.argv[3])
print(outcome.session.session_id, flush=True)
sys.stdin.read()  # logged on until killed
"""


@pytest.fixture
def site(data_dir: Path) -> Iterator[Path]:
    use_key_file()
    make_store(data_dir, users=6)
    yield data_dir


def _start_program(folder: Path, user_id: str) -> tuple[subprocess.Popen[str], int]:
    program = subprocess.Popen([sys.executable, "-c", PROGRAM, str(folder), user_id, PASSWORD],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert program.stdout is not None
    return program, int(program.stdout.readline())


def _end(program: subprocess.Popen[str]) -> None:
    for pipe in (program.stdin, program.stdout):
        if pipe is not None:
            pipe.close()
    program.wait(timeout=30)


def test_sessions_of_killed_programs_leave_active_users(site: Path, qtbot) -> None:
    from tapemaster_qt.ui.activity import ActiveUsersWindow

    running = [_start_program(site, f"u00{n}") for n in range(5)]
    with open_store(site) as store:
        admin = AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)), Actor.for_cli())
        assert {s.user_id for s in admin.active_sessions()} == {f"u00{n}" for n in range(5)}
        killed = running[:4]
        for program, _ in killed:
            program.send_signal(signal.SIGKILL)
            _end(program)
        window = ActiveUsersWindow(admin)
        qtbot.addWidget(window)
        shown = [window.model.index(row, 0).data() for row in range(window.model.rowCount())]
        assert shown == ["u004"]
        assert window.countLabel.text() == "1 active session"
        assert [s.id for s in store.list_sessions()] == [running[4][1]]
        _end(running[4][0])
    record("Stale session of a crashed process", "4 of 5 logged-on programs killed -9 on "
           "this computer; Active Users opened", 4,
           "the 4 removed at once (their processes are gone), the living one shown")


def test_a_session_not_seen_for_long_is_removed(data_dir: Path, ctx: Context, admin,
                                                clock, qtbot) -> None:
    from tapemaster_qt.ui.activity import ActiveUsersWindow

    admin.add_user({"user_id": "alice"}, PASSWORD)
    admin.add_user({"user_id": "bob"}, PASSWORD)
    elsewhere = LogonService(Context(ctx.store, program="Lite", host="other-pc", pid=4242,
                                     clock=clock, hasher=ctx.hasher))
    gone = elsewhere.logon("alice", PASSWORD).session
    alive = elsewhere.logon("bob", PASSWORD).session
    assert gone is not None and alive is not None
    for _ in range(SESSION_STALE_SECONDS // 60):
        clock.advance(60)
        assert elsewhere.heartbeat(alive)  # bob's program beats every minute
    clock.advance(60)
    window = ActiveUsersWindow(admin)
    qtbot.addWidget(window)
    shown = [window.model.index(row, 0).data() for row in range(window.model.rowCount())]
    assert shown == ["bob"]
    assert [s.user_id for s in ctx.store.list_sessions()] == ["bob"]
    record("Stale session of a crashed process", f"program on another computer silent for "
           f"{SESSION_STALE_SECONDS + 60} s (clock moved)", 1,
           "removed from Active Users; a program beating every minute stays")


def test_a_quiet_program_comes_back_and_never_touches_another_session(
    ctx: Context, admin, clock
) -> None:
    """A laptop suspended for ten minutes: its session was removed as stale, and bob
    logged on meanwhile. When it wakes, its heartbeat puts its own session back, and its
    log out ends its own session, not bob's."""
    admin.add_user({"user_id": "alice"}, PASSWORD)
    admin.add_user({"user_id": "bob"}, PASSWORD)
    laptop = LogonService(Context(ctx.store, program="TapeMaster", host="laptop", pid=77,
                                  clock=clock, hasher=ctx.hasher))
    desktop = LogonService(ctx)
    alice = laptop.logon("alice", PASSWORD).session
    assert alice is not None
    clock.advance(600)
    assert [s.user_id for s in admin.active_sessions()] == []
    bob = desktop.logon("bob", PASSWORD).session
    assert bob is not None and bob.session_id != alice.session_id
    assert laptop.heartbeat(alice)  # awake again
    sessions = {s.user_id: s for s in admin.active_sessions()}
    assert set(sessions) == {"alice", "bob"}
    assert sessions["alice"].id == alice.session_id and sessions["alice"].host == "laptop"
    assert sessions["alice"].since == alice.since  # the logon's time, not the wake-up's
    laptop.logout(alice, "user chose Log Out")
    assert not laptop.heartbeat(alice)  # logged out: not brought back
    assert [s.user_id for s in admin.active_sessions()] == ["bob"]
    assert desktop.heartbeat(bob)
    record("Stale session of a crashed process",
           "program quiet for 10 min (suspended), removed as stale, another user logs on", 1,
           "its next heartbeat shows it again; its log out ends only its own session")


def test_a_deleted_users_session_is_not_brought_back(ctx: Context, admin, clock) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    logon = LogonService(ctx)
    session = logon.logon("alice", PASSWORD).session
    assert session is not None
    admin.delete_users(["alice"])
    assert not logon.heartbeat(session)
    assert ctx.store.list_sessions() == []
