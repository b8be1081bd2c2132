"""What child processes run in the multi-process tests (multiprocessing, spawn).

Each child is a separate "program" on the same store (a folder, or a PostgreSQL URL:
another desktop of the site): its own open_store, its own Context with the cheap
TESTS_ONLY hasher (never the production parameters), and a fixed clock the parent
chose. Every outcome, and any exception, goes back through a
queue so that the parent can assert on what really happened in each child.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any


class FixedClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_where(where: str) -> Any:
    """The store at ``where``: a postgresql:// URL, else a folder."""
    from tapemaster_qt.location import parse
    from tapemaster_qt.store import open_store

    if where.startswith("postgresql://"):
        return open_store(parse(where, "--store"))
    return open_store(Path(where))


def _logon_service(data_dir: str, clock: FixedClock, *, host: str | None = None) -> Any:
    from tapemaster_qt.services import Context
    from tapemaster_qt.services.auth import LogonService
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher

    store = open_where(data_dir)
    extra = {"host": host} if host else {}
    return LogonService(Context(store, program="Checkpoint", clock=clock,
                                hasher=PasswordHasher(TESTS_ONLY), **extra))


def race_same_code(data_dir: str, user_id: str, password: str,
                   rounds: list[tuple[float, str]], barrier: Any, results: Any) -> None:
    """Each round: wait for the other program, then log on with the round's code."""
    try:
        clock = FixedClock(rounds[0][0])
        logon = _logon_service(data_dir, clock)
        for number, (now, code) in enumerate(rounds):
            clock.now = now
            barrier.wait(timeout=60)
            outcome = logon.logon(user_id, password, code)
            results.put(("outcome", number, outcome.status.value))
        logon._ctx.store.close()
    except BaseException:
        results.put(("error", -1, traceback.format_exc()))
        raise


def race_recovery_codes(data_dir: str, user_id: str, password: str, codes: list[str],
                        now: float, barrier: Any, results: Any) -> None:
    """Each round: wait for the other programs, then log on with the round's recovery
    code (as typed: the ``xxxx-xxxx`` form)."""
    try:
        logon = _logon_service(data_dir, FixedClock(now))
        for number, code in enumerate(codes):
            barrier.wait(timeout=60)
            outcome = logon.logon(user_id, password, code)
            results.put(("outcome", number, outcome.status.value))
        logon._ctx.store.close()
    except BaseException:
        results.put(("error", -1, traceback.format_exc()))
        raise


def fail_many(data_dir: str, own_user: str, shared_user: str, count: int, now: float,
              start: Any, results: Any) -> None:
    """``count`` wrong passwords for ``own_user`` and as many for ``shared_user``."""
    try:
        logon = _logon_service(data_dir, FixedClock(now))
        start.wait(timeout=60)
        for _ in range(count):
            for user_id in (own_user, shared_user):
                outcome = logon.logon(user_id, "Wrong-Password-0")
                results.put(("outcome", user_id, outcome.status.value))
        logon._ctx.store.close()
    except BaseException:
        results.put(("error", own_user, traceback.format_exc()))
        raise


def hold_a_session(where: str, user_id: str, password: str, host: str, now: float,
                   go: Any, results: Any) -> None:
    """Log on as ``user_id`` from desktop ``host``, report the session, beat once when
    told, then log out when told again."""
    try:
        logon = _logon_service(where, FixedClock(now), host=host)
        outcome = logon.logon(user_id, password)
        results.put(("session", host, outcome.session.session_id if outcome.session else None))
        go.wait(timeout=60)
        beat = logon.heartbeat(outcome.session)  # true while the session lives on
        results.put(("beat", host, bool(beat) and beat.ended is None))
        logon.logout(outcome.session, "exit")
        results.put(("out", host, True))
        logon._ctx.store.close()
    except BaseException:
        results.put(("error", host, traceback.format_exc()))
        raise
