"""What tamper evidence costs on a large site: 100,000 users, 1,000,000 audit rows.

Prints a table of figures (median of several runs, the machine is shared and noisy):

- opening the store: the first use of the key checks this account's trust record, the
  sealed head and the digest (one aggregate per sealed table), against the aggregate
  alone and against loading the key without any check;
- one write transaction that touches a user (a logon's success or failure does), one
  that only appends to the audit log, and what each part of them costs: the digest
  aggregate, raising this account's high-water mark (a small file written and flushed);
- the audit log at 1,000,000 rows: appending (in bulk and one by one), paging, the
  cheap check of its newest rows and end, and the whole hash chain.

Run: .venv/bin/python benchmarks/bench_integrity.py [--users N] [--events N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, ms, table, temp_dir

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


def median_of(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = temp_dir("integrity")
    os.environ["XDG_STATE_HOME"] = str(folder / "state")  # this run's own trust records

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.audit import AuditLog
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
    from tapemaster_qt.services.setup import set_initial_password
    from tapemaster_qt.store import UserChanges, head, open_store, trust

    store_dir = folder / "store"
    print(f"store: {store_dir}  (python {sys.version.split()[0]}, {os.cpu_count()} cpus)\n")
    store = open_store(store_dir)
    ctx = Context(store, program="bench", hasher=PasswordHasher(TESTS_ONLY))
    set_initial_password(ctx, "Bench-Admin-2026")
    admin = AdminService(ctx, Actor.for_cli())
    start = time.perf_counter()
    admin.import_users([(i + 2, {"user_id": f"u{i:06d}", "name": f"User {i}"})
                        for i in range(args.users)])
    imported = time.perf_counter() - start
    rows: list[tuple[str, ...]] = [("measure", "figure", "note")]
    rows.append((f"import {args.users:,} users (sealed, copies, digest)", f"{imported:.1f} s",
                 f"{args.users / imported:,.0f} users/s"))
    store.close()

    # --- opening -------------------------------------------------------------------------
    def first_key_use() -> None:
        with open_store(store_dir) as s:
            _ = s.key

    def key_without_checks() -> None:
        with open_store(store_dir) as s:
            s.load_key_unchecked()  # type: ignore[attr-defined]

    checked = median_of(first_key_use)
    bare = median_of(key_without_checks)
    probe = open_store(store_dir)
    aggregate = median_of(lambda: head.aggregate(probe.db), 9)  # type: ignore[attr-defined]
    from tapemaster_qt.store import integrity

    probe_sealer = probe.sealer  # type: ignore[attr-defined]
    full = median_of(lambda: integrity.unvouched(probe.db, probe_sealer, full=True), 3)
    cheap = median_of(lambda: integrity.unvouched(probe.db, probe_sealer, full=False), 9)
    rows += [
        ("open + first key use, every check (trust, head, digest)", ms(checked),
         "includes the start-up seal check below"),
        ("  of which every seal checked once per start (REVIEW-2 D1)", ms(full),
         "users and recovery codes: a forged row cannot balance the digest"),
        ("  terms cut from seals, settings and groups (each digest check)", ms(cheap),
         "open, a write reading the tables, a heartbeat"),
        ("open + key loaded without the checks", ms(bare), "baseline"),
        ("  of which the digest aggregate (users, groups, settings)", ms(aggregate),
         f"{args.users + 1:,} users"),
    ]

    # --- write transactions --------------------------------------------------------------
    ctx = Context(probe, program="bench", hasher=PasswordHasher(TESTS_ONLY))
    _ = probe.key
    counter = iter(range(10**9))
    target = f"u{args.users // 2:06d}"

    def logon_like_write() -> None:
        n = next(counter)
        with probe.write() as tx:
            user = tx.get_user(target)
            assert user is not None
            tx.update_user(target, UserChanges(failed_logons=n % 3, last_logon="x"))
            tx.append_audit(ts="2026-11-28T10:00:00.000+00:00", actor=target,
                            user_id=target, program="bench", host="h",
                            event="login_succeeded", detail="")

    def audit_only_write() -> None:
        with probe.write() as tx:
            tx.append_audit(ts="2026-11-28T10:00:00.000+00:00", actor="-", user_id=None,
                            program="bench", host="h", event="login_failed",
                            detail="unknown_user")

    # The mark of a record of its own, so the store's own mark stays where it is.
    from dataclasses import replace

    sealer = probe.sealer  # type: ignore[attr-defined]
    stored = trust.load(probe.identity)
    assert stored is not None
    trust.save(replace(stored.record, identity="bench-mark"), sealer)

    def raise_mark() -> None:
        trust.raise_mark("bench-mark", sealer, 10**6 + next(counter))

    import sqlite3

    other = sqlite3.connect(store_dir / "tapemaster.db", isolation_level=None)

    def after_another_program() -> float:
        # Another program commits (a session comes and goes): the next write of this
        # one reads the digest from the tables again.
        other.execute("INSERT INTO sessions (user_id, program, host, pid, since, last_seen) "
                      f"VALUES ('{target}', 'bench', 'other', 1, 'x', 'x')")
        other.execute("DELETE FROM sessions WHERE host = 'other'")
        start = time.perf_counter()
        logon_like_write()
        return time.perf_counter() - start

    def heartbeat_check_after_another_program() -> float:
        other.execute("INSERT INTO sessions (user_id, program, host, pid, since, last_seen) "
                      f"VALUES ('{target}', 'bench', 'other', 1, 'x', 'x')")
        other.execute("DELETE FROM sessions WHERE host = 'other'")
        start = time.perf_counter()
        probe.check_store()
        return time.perf_counter() - start

    logon_write = median_of(logon_like_write, 21)
    after_other = statistics.median(after_another_program() for _ in range(21))
    beat_other = statistics.median(heartbeat_check_after_another_program()
                                   for _ in range(21))
    beat_quiet = median_of(probe.check_store, 21)
    other.close()
    audit_write = median_of(audit_only_write, 21)
    mark = median_of(raise_mark, 21)
    rows += [
        ("write touching a user (a logon's), this program wrote last", ms(logon_write),
         f"{logon_write * 1000:.1f} ms: digest known, not read"),
        ("the same after another program committed", ms(after_other),
         f"{after_other * 1000:.1f} ms: digest aggregate"),
        ("a heartbeat's store check (Store.check_store), nothing else committed",
         ms(beat_quiet), f"{beat_quiet * 1000:.2f} ms: nothing read but the head"),
        ("the same after another program committed", ms(beat_other),
         f"{beat_other * 1000:.1f} ms: digest aggregate, read snapshot, no write lock"),
        ("write appending only to the audit log (digest not needed)", ms(audit_write),
         f"{audit_write * 1000:.1f} ms"),
        ("  of which raising the high-water mark (a slot of the mark file)", ms(mark),
         f"{mark * 1000:.2f} ms"),
    ]
    trust.forget("bench-mark")

    # --- the audit log ---------------------------------------------------------------------
    start = time.perf_counter()
    batch = 100_000
    for first in range(0, args.events, batch):
        events = [("2026-11-28T10:00:00.000+00:00", "bench", f"u{(first + i) % 100000:06d}",
                   "TapeMaster", "bench-host", "login_failed", "bad_password")
                  for i in range(min(batch, args.events - first))]
        with probe.write() as tx:
            tx.append_audit_many(events)
    bulk = time.perf_counter() - start
    one = median_of(audit_only_write, 21)
    log = AuditLog(ctx, Actor.for_cli())
    newest = median_of(lambda: log.page(None, 500), 9)
    middle = median_of(lambda: log.page(args.events // 2, 500), 9)
    tail = median_of(lambda: log.chain(), 9)
    start = time.perf_counter()
    whole = log.chain(whole=True)
    verify = time.perf_counter() - start
    assert whole.ok, whole.problem
    rows += [
        (f"append {args.events:,} audit rows in batches of {batch:,}", f"{bulk:.1f} s",
         f"{args.events / bulk:,.0f} rows/s, chained"),
        (f"append one audit row at {args.events:,} rows (a whole write)", ms(one),
         f"{one * 1000:.1f} ms"),
        ("page of the newest 500 rows", ms(newest), ""),
        ("page of 500 rows in the middle of the log", ms(middle), ""),
        ("chain check of the newest 1,000 rows and the end (each time the log shows)",
         ms(tail), ""),
        (f"whole chain verified ({whole.checked:,} rows)", f"{verify:.1f} s",
         f"{whole.checked / verify:,.0f} rows/s"),
    ]
    probe.close()
    print(table("Tamper evidence at scale", rows))
    print(f"\nRerun: .venv/bin/python {Path(__file__).relative_to(ROOT)} "
          "[--users N] [--events N]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
