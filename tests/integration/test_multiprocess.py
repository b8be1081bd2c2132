"""Several programs on one store at the same moment (DESIGN.md §3 replay rule, §5, §7).

Children are real processes (multiprocessing, spawn) that open the store themselves;
the store key is in the owner-only key file, as on a headless Linux desktop. Each test
runs on a store folder (programs of one desktop) and on a PostgreSQL store (desktops of
a site, connected as the app role).
"""

from __future__ import annotations

import multiprocessing
import queue
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from helpers import rfc_totp, secret_from_uri
from integration import workers
from integration.workers import open_where
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import UNAUTHENTICATED, set_initial_password
from tapemaster_qt.store import open_store, trust

pytestmark = pytest.mark.slow

PASSWORD = "Alice-Secret-42"
SPAWN = multiprocessing.get_context("spawn")


@dataclass
class Shared:
    ctx: Context
    where: str
    """What the children open: the folder, or the PostgreSQL URL (app role)."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def shared(request: pytest.FixtureRequest, data_dir: Path, clock) -> Iterator[Shared]:
    """A store whose key children can find (key file), opened by the test."""
    if request.param == "postgresql":
        db = request.getfixturevalue("pg_store_database")
        key = request.getfixturevalue("pg_store_template").key
        keyring.set_keyring(fail.Keyring())
        where = db.url()
        store = open_where(where)
        store.install_key(key)  # the owner-only file in the per-user folder
        actor = "cli:support@desk"
    else:
        keyring.set_keyring(fail.Keyring())
        where = str(data_dir)
        store = open_store(data_dir)
        actor = UNAUTHENTICATED
    ctx = Context(store, clock=clock, hasher=PasswordHasher(TESTS_ONLY))
    set_initial_password(ctx, "Tape-Admin-2026", actor=actor)
    yield Shared(ctx, where)
    store.close()


def _run(processes: list[Any], results: Any, expected: int,
         release: Callable[[], object] | None = None) -> list[tuple[Any, ...]]:
    """Start the children (then ``release`` them all at once), collect ``expected``
    messages, failing on the first error a child reports, and join them all."""
    for p in processes:
        p.start()
    if release is not None:
        release()
    messages: list[tuple[Any, ...]] = []
    try:
        while len(messages) < expected:
            try:
                message = results.get(timeout=120)
            except queue.Empty:
                pytest.fail(f"children went quiet after {len(messages)} of {expected} results")
            assert message[0] != "error", message[2]
            messages.append(message)
    finally:
        for p in processes:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
                p.join()
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return messages


def test_two_programs_racing_with_one_code_get_exactly_one_success(
    shared: Shared, clock
) -> None:
    ctx = shared.ctx
    admin = AdminService(ctx, Actor.for_cli())
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    logon = LogonService(ctx)
    secret = secret_from_uri(logon.logon("alice", PASSWORD).provisioning_uri)
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    rounds = [(clock.now + 30 * n, rfc_totp(secret, clock.now + 30 * n)) for n in range(1, 6)]

    barrier = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    children = [SPAWN.Process(target=workers.race_same_code,
                              args=(shared.where, "alice", PASSWORD, rounds, barrier, results))
                for _ in range(2)]
    messages = _run(children, results, expected=2 * len(rounds))

    by_round: dict[int, list[str]] = {}
    for _, number, status in messages:
        by_round.setdefault(number, []).append(status)
    assert sorted(by_round) == list(range(len(rounds)))
    for number, statuses in by_round.items():
        assert sorted(statuses) == sorted([LogonStatus.SUCCESS.value,
                                           LogonStatus.OTP_REPLAY.value]), number
    replays = [e for e in ctx.store.audit_events(user_id="alice")
               if e.event == "otp_replay_rejected"]
    assert len(replays) == len(rounds)
    assert {e.program for e in replays} == {"Checkpoint"}
    user = ctx.store.get_user("alice")
    assert user.otp_last_step == int(rounds[-1][0] // 30)
    assert user.integrity_ok and not user.revoked


def test_programs_racing_with_one_recovery_code_get_exactly_one_success(
    shared: Shared, clock
) -> None:
    """Three programs type the same recovery code at the same moment, for each of the
    ten codes: each code logs on exactly once (one conditional DELETE wins)."""
    from tapemaster_qt.services.recovery import formatted

    ctx = shared.ctx
    admin = AdminService(ctx, Actor.for_cli())
    admin.set_setting("lockout_threshold", "20")  # the losers' failures are not the point
    admin.add_user({"user_id": "alice", "otp_enabled": True}, PASSWORD)
    logon = LogonService(ctx)
    secret = secret_from_uri(logon.logon("alice", PASSWORD).provisioning_uri)
    activated = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now))
    codes = [formatted(c) for c in activated.recovery_codes]
    assert len(codes) == 10

    racers = 3
    barrier = SPAWN.Barrier(racers)
    results = SPAWN.Queue()
    children = [SPAWN.Process(target=workers.race_recovery_codes,
                              args=(shared.where, "alice", PASSWORD, codes, clock.now,
                                    barrier, results))
                for _ in range(racers)]
    messages = _run(children, results, expected=racers * len(codes))

    by_round: dict[int, list[str]] = {}
    for _, number, status in messages:
        by_round.setdefault(number, []).append(status)
    assert sorted(by_round) == list(range(len(codes)))
    for number, statuses in by_round.items():
        assert sorted(statuses) == sorted(
            [LogonStatus.RECOVERY.value] + [LogonStatus.BAD_RECOVERY_CODE.value] * 2), number
    used = [e for e in ctx.store.audit_events(user_id="alice")
            if e.event == "recovery_code_used"]
    assert len(used) == len(codes)
    assert ctx.store.recovery_codes("alice") == []
    assert ctx.store.get_user("alice").integrity_ok


def test_concurrent_failures_are_counted_exactly(shared: Shared, clock) -> None:
    ctx = shared.ctx
    admin = AdminService(ctx, Actor.for_cli())
    own = [f"user{n}" for n in range(8)]
    for user_id in [*own, "shared"]:
        admin.add_user({"user_id": user_id}, PASSWORD)
    per_child = 5
    generation = ctx.store.generation()

    start = SPAWN.Event()
    results = SPAWN.Queue()
    children = [SPAWN.Process(target=workers.fail_many,
                              args=(shared.where, user_id, "shared", per_child, clock.now,
                                    start, results))
                for user_id in own]
    messages = _run(children, results, expected=2 * per_child * len(own), release=start.set)

    statuses = Counter(status for _, user_id, status in messages if user_id != "shared")
    assert statuses == {LogonStatus.AUTHORIZATION_FAILURE.value: per_child * len(own)}
    # The shared User-ID: the sixth failure (whichever program made it) revokes it, and
    # every later attempt answers "Access Revoked" (DESIGN.md §3 rule 2), exactly.
    shared_statuses = Counter(status for _, user_id, status in messages if user_id == "shared")
    assert shared_statuses == {LogonStatus.AUTHORIZATION_FAILURE.value: 6,
                               LogonStatus.REVOKED.value: per_child * len(own) - 6}
    for user_id in own:
        user = ctx.store.get_user(user_id)
        assert user.failed_logons == per_child and not user.revoked, user_id
        failed = [e for e in ctx.store.audit_events(user_id=user_id)
                  if e.event == "login_failed"]
        assert len(failed) == per_child, user_id
        assert user.integrity_ok
    shared = ctx.store.get_user("shared")
    assert shared.failed_logons == shared.failures_since_logon == per_child * len(own)
    assert shared.revoked and shared.integrity_ok
    shared_events = Counter(e.event for e in ctx.store.audit_events(user_id="shared"))
    assert shared_events["login_failed"] == per_child * len(own)
    assert shared_events["account_revoked"] == 1
    # Every failure was one write transaction: the sealed head moved on once for each,
    # its digest and the audit chain stayed exact, and this account's high-water mark,
    # raised by eight programs at once, ended at the last generation, never lowered.
    assert ctx.store.generation() == generation + 2 * per_child * len(own)
    assert ctx.store.verify_store().ok
    stored = trust.load(ctx.store.identity)
    assert stored is not None
    assert trust.mark(ctx.store.identity, ctx.store.sealer, stored) == ctx.store.generation()


def test_an_unknown_user_id_failed_by_many_programs_is_counted_exactly(
        shared: Shared, clock) -> None:
    """A User-ID nobody has, failed by 8 programs at once: every failure counted (its
    keyed-hash row is raised in the database, not read and written back), so exactly
    the first six answer "Authorization Failure" and the rest "Access Revoked", as for
    a real User-ID."""
    ctx = shared.ctx
    admin = AdminService(ctx, Actor.for_cli())
    own = [f"user{n}" for n in range(8)]
    for user_id in own:
        admin.add_user({"user_id": user_id}, PASSWORD)
    per_child = 5
    start = SPAWN.Event()
    results = SPAWN.Queue()
    children = [SPAWN.Process(target=workers.fail_many,
                              args=(shared.where, user_id, "Nobody.Here", per_child,
                                    clock.now, start, results))
                for user_id in own]
    messages = _run(children, results, expected=2 * per_child * len(own), release=start.set)
    ghost = Counter(status for _, user_id, status in messages if user_id == "Nobody.Here")
    assert ghost == {LogonStatus.AUTHORIZATION_FAILURE.value: 6,
                     LogonStatus.REVOKED.value: per_child * len(own) - 6}
    unknown = [e for e in ctx.store.audit_events() if e.user_id is None]
    assert Counter(e.event for e in unknown) == {"login_failed": per_child * len(own),
                                                  "account_revoked": 1}


def test_every_desktops_session_is_seen_by_all_and_ends_with_its_program(
        shared: Shared, clock) -> None:
    """Active Users on any desktop lists every program logged on anywhere, with its
    host; a heartbeat keeps each alive and logging out removes exactly that one."""
    ctx = shared.ctx
    admin = AdminService(ctx, Actor.for_cli())
    desks = [f"desk{n}" for n in range(4)]
    for n, _ in enumerate(desks):
        admin.add_user({"user_id": f"op{n}"}, PASSWORD)
    go = SPAWN.Event()
    results = SPAWN.Queue()
    children = [SPAWN.Process(target=workers.hold_a_session,
                              args=(shared.where, f"op{n}", PASSWORD, desk, clock.now, go,
                                    results))
                for n, desk in enumerate(desks)]
    for child in children:
        child.start()
    started = {}
    try:
        while len(started) < len(desks):
            kind, host, session_id = results.get(timeout=120)
            assert kind == "session", session_id
            started[host] = session_id
        listed = {(s.host, s.user_id, s.program) for s in ctx.store.list_sessions()}
        assert listed == {(desk, f"op{n}", "Checkpoint") for n, desk in enumerate(desks)}
        assert {s.id for s in ctx.store.list_sessions()} == set(started.values())
    finally:
        go.set()
    messages = _run([], results, expected=2 * len(desks))
    for child in children:
        child.join(timeout=60)
    assert [c.exitcode for c in children] == [0] * len(desks)
    assert Counter((kind, ok) for kind, _, ok in messages) == {
        ("beat", True): len(desks), ("out", True): len(desks)}
    assert ctx.store.list_sessions() == []
    for n, _ in enumerate(desks):
        events = [e.event for e in ctx.store.audit_events(user_id=f"op{n}")]
        assert events[:2] == ["logged_out", "login_succeeded"]
