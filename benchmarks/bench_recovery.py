"""What recovery codes cost (docs/security.md, "Recovery codes: the cost and the odds").

With the production argon2 profiles, the median wall time of:

- hashing one code with the recovery-code profile, against one password hash;
- a logon that activates One Time Password (it hashes ten new codes), against a logon
  with a 6-digit code;
- a logon with a right recovery code (one argon2id check of a code, thanks to the keyed
  fingerprint) and with a wrong one (none), against a logon with a 6-digit code.

Every logon also verifies the password (the production profile), which is most of
each figure. Run: ``.venv/bin/python benchmarks/bench_recovery.py [ROUNDS]`` (default
7). Not part of make test.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import shutil
import statistics
import sys
import time
from collections.abc import Callable

from common import ms, table, temp_dir

from tapemaster_qt.services import Actor, Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonOutcome, LogonService, LogonStatus
from tapemaster_qt.services.passwords import PRODUCTION, RECOVERY_CODES, PasswordHasher
from tapemaster_qt.services.recovery import formatted
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store

PASSWORD = "Bench-Pass-2026"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def timed(fn: Callable[[], LogonOutcome]) -> tuple[float, LogonOutcome]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(rounds: int) -> None:
    folder = temp_dir("recovery")
    clock = Clock()
    times: dict[str, list[float]] = {}

    def record(kind: str, seconds: float) -> None:
        times.setdefault(kind, []).append(seconds)

    try:
        store = open_store(folder)
        ctx = Context(store, hasher=PasswordHasher(PRODUCTION), clock=clock)
        set_initial_password(ctx, "Bench-Admin-2026")
        admin = AdminService(ctx, Actor.for_cli())
        logon = LogonService(ctx)

        def run_one(user_id: str) -> None:
            """One user: activated by a logon, then a logon with a code, with a recovery
            code and with a wrong one."""
            admin.add_user({"user_id": user_id, "otp_enabled": True}, PASSWORD)
            secret = ctx.store.decrypt_otp_secret(ctx.store.get_user(user_id))
            assert secret is not None
            clock.now += 30
            seconds, outcome = timed(lambda: logon.logon(
                user_id, PASSWORD, totp.code_at(secret, totp.time_step(clock.now))))
            assert outcome.status is LogonStatus.ACTIVATED
            record("logon that activates (10 codes hashed)", seconds)
            codes = outcome.recovery_codes
            clock.now += 30
            seconds, outcome = timed(lambda: logon.logon(
                user_id, PASSWORD, totp.code_at(secret, totp.time_step(clock.now))))
            assert outcome.status is LogonStatus.SUCCESS
            record("logon with a 6-digit code (baseline)", seconds)
            seconds, outcome = timed(lambda: logon.logon(user_id, PASSWORD,
                                                         formatted(codes[0])))
            assert outcome.status is LogonStatus.RECOVERY
            record("logon with a recovery code", seconds)
            seconds, outcome = timed(lambda: logon.logon(user_id, PASSWORD, "zzzz-zzzz"))
            assert outcome.status is LogonStatus.BAD_RECOVERY_CODE
            record("logon with a wrong recovery code", seconds)

        for n in range(rounds):
            start = time.perf_counter()
            ctx.hasher.hash(PASSWORD)
            record("hash a password (production profile)", time.perf_counter() - start)
            start = time.perf_counter()
            ctx.code_hasher.hash("abcd2345")
            record("hash a recovery code (recovery profile)", time.perf_counter() - start)
            run_one(f"user{n}")
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    base = statistics.median(times["logon with a 6-digit code (baseline)"])
    rows = [("what", "median", "ratio to a logon with a code", "spread (min–max)")]
    for kind, samples in times.items():
        median = statistics.median(samples)
        rows.append((kind, ms(median), f"{median / base:.2f}×",
                     f"{ms(min(samples))}–{ms(max(samples))}"))
    print(table(f"Recovery codes: passwords {PRODUCTION.describe()}, codes "
                f"{RECOVERY_CODES.describe()}, {rounds} rounds", rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
