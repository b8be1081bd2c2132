"""Refusals take the same time: what a guesser can time, per kind of refusal.

DESIGN.md §3: an unknown User-ID and a wrong password look the same, and for a
revoked, disabled or tampered record the answer never depends on the password. The
tests hold the cause of equal timing (exactly one argon2 check on every path, counted
by a hasher in tests/unit/test_revocation.py and test_logon.py); this script measures
the effect with the production argon2 profile: the median wall time of each kind of
refused logon, and its ratio to a wrong password for an existing, usable User-ID.

Run: ``.venv/bin/python benchmarks/bench_refusals.py [ROUNDS]`` (default 15 rounds,
interleaved so that a noisy machine affects every kind alike). Not part of make test.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import closing

from common import ms, table, temp_dir

from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.passwords import PRODUCTION, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store

PASSWORD = "Bench-Pass-2026"
WRONG = "Not-The-Pass-1"


def main(rounds: int) -> None:
    folder = temp_dir("refusals")
    try:
        store = open_store(folder)
        ctx = Context(store, hasher=PasswordHasher(PRODUCTION))
        set_initial_password(ctx, "Bench-Admin-2026")
        admin = AdminService(ctx, Actor.for_cli())
        for user_id in ("plain", "revoked", "disabled", "tampered"):
            admin.add_user({"user_id": user_id}, PASSWORD)
        admin.set_disabled("disabled", True)
        logon = LogonService(ctx)
        for _ in range(6):
            logon.logon("revoked", WRONG)
            logon.logon("ghost-revoked", WRONG)
        with closing(sqlite3.connect(folder / "tapemaster.db")) as db, db:
            db.execute("UPDATE users SET admin_rights = 1 WHERE user_id = 'tampered'")

        kinds: dict[str, tuple[Callable[[], object], LogonStatus]] = {
            "wrong password (baseline)": (lambda: logon.logon("plain", WRONG),
                                          LogonStatus.AUTHORIZATION_FAILURE),
            "unknown User-ID": (lambda: logon.logon(f"ghost{time.perf_counter_ns()}", WRONG),
                                LogonStatus.AUTHORIZATION_FAILURE),
            "unknown e-mail address": (
                lambda: logon.logon(f"g{time.perf_counter_ns()}@example.com", WRONG),
                LogonStatus.AUTHORIZATION_FAILURE),
            "unknown User-ID, revoked": (lambda: logon.logon("ghost-revoked", PASSWORD),
                                         LogonStatus.REVOKED),
            "revoked, right password": (lambda: logon.logon("revoked", PASSWORD),
                                        LogonStatus.REVOKED),
            "revoked, wrong password": (lambda: logon.logon("revoked", WRONG),
                                        LogonStatus.REVOKED),
            "disabled, right password": (lambda: logon.logon("disabled", PASSWORD), None),
            "tampered, right password": (lambda: logon.logon("tampered", PASSWORD), None),
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(rounds):
            for kind, (attempt, expected) in kinds.items():
                if kind.startswith("wrong password"):
                    admin.unlock("plain")  # stays a usable User-ID (not timed)
                start = time.perf_counter()
                outcome = attempt()
                times[kind].append(time.perf_counter() - start)
                status = getattr(outcome, "status", None)
                # Disabled and tampered answer as a wrong password does: AF, then
                # revoked once six attempts have been counted.
                assert expected is None or status is expected, (kind, status)
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    base = statistics.median(times["wrong password (baseline)"])
    rows = [("refusal", "median", "ratio to a wrong password", "spread (min–max)")]
    for kind, samples in times.items():
        median = statistics.median(samples)
        rows.append((kind, ms(median), f"{median / base:.2f}×",
                     f"{ms(min(samples))}–{ms(max(samples))}"))
    print(table(f"Refused logons, {PRODUCTION.describe()}, {rounds} rounds", rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
