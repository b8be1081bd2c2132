"""Kill -9 in the middle of administrators' saves and users' logons, many times, at
random moments: nothing committed is lost and nothing is half-applied.

Each round starts two programs (``kill_worker.py``, real processes on the production
code paths) on one store; each saves users and logs on without pause, reporting every
operation after it returned (after its COMMIT). Each is killed with SIGKILL at a random
moment, sometimes before it even opened the store. Then the store is opened again (the
WAL is recovered) and must show:

- ``PRAGMA integrity_check`` = ok;
- every operation a program reported, with exactly its audit rows, still there;
- the one operation a program had begun but not reported either complete (all its audit
  rows, its change, its session) or not there at all;
- every user's state (name, description, OTP, activation, revocation, failed logons)
  exactly as the reported operations (and the in-flight one, if it committed) left it;
- every user record sealed, OTP enabled exactly when a secret is there and decrypts,
  activated only when enabled, revoked only after enough failures;
- the sessions of each program exactly those its logons opened and logouts ended.

The next round carries on with the same store. ``make test`` runs a short campaign;
``make soak`` a long one (``TAPEMASTER_SOAK_KILL_ROUNDS``, default 250 rounds). A failure
names its seed; ``TAPEMASTER_KILL_SEED`` replays the same operations and delays (the
exact instant of each kill still depends on the machine).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from integration.reliability import PASSWORD, make_store, record, use_key_file
from tapemaster_qt.services import Actor, Context, totp
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.store import Store, open_store

pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("kill_worker.py")
THRESHOLD = 5  # the store's default lockout threshold: the 6th failure revokes
DEFAULT_ROUNDS = 15  # two programs killed per round
SOAK_ROUNDS = int(os.environ.get("TAPEMASTER_SOAK_KILL_ROUNDS", "250"))
START = 1_800_000_000.0
ROUND_SECONDS = 1_000_000  # each round's clock starts well after the last one's codes


def _events(op: dict[str, Any]) -> tuple[Counter[str], set[str]]:
    """The audit rows an operation writes: (always, possibly)."""
    kind = op["kind"]
    if kind == "update":
        return Counter(["user_updated"]), set()
    if kind == "otp":  # switching off destroys the recovery codes of an activated user
        return Counter(["otp_enabled" if op["otp_enabled"] else "otp_disabled"]), \
            {"recovery_codes_revoked"}
    if kind == "add":
        return Counter(["user_created"] + (["otp_enabled"] if op["otp_enabled"] else [])), set()
    if kind == "delete":
        return Counter(["user_deleted"]), set()
    if kind == "unlock":
        return Counter(["account_unlocked"]), set()
    if kind == "fail":
        return Counter(["login_failed"]), {"account_revoked"}
    if kind == "replay":
        return Counter(["otp_replay_rejected", "login_failed"]), {"account_revoked"}
    if kind == "logout":
        return Counter(["logged_out"]), set()
    extra = {"enrol": ["otp_enrollment_shown"],
             "activate": ["otp_activated", "recovery_codes_created"]}
    return Counter(["login_succeeded", *extra.get(op["mode"], [])]), set()


def _matches(op: dict[str, Any], events: list[str]) -> bool:
    always, possibly = _events(op)
    found = Counter(events)
    return all(found[e] == n for e, n in always.items()) and \
        set(found) <= set(always) | possibly


def _applied(op: dict[str, Any], before: dict[str, Any] | None, events: list[str]
             ) -> dict[str, Any] | None:
    """A user's state after ``op`` committed, from the state before it."""
    kind = op["kind"]
    if kind == "add":
        return {"name": op["name"], "description": "",
                "otp_enabled": op["otp_enabled"], "otp_activated": False, "revoked": False,
                "failed_logons": 0}
    if kind == "delete":
        return None
    assert before is not None, op
    after = dict(before)
    if kind == "update":
        after.update(name=op["name"], description=op["description"])
    elif kind == "otp":
        after.update(otp_enabled=op["otp_enabled"], otp_activated=False)
    elif kind == "unlock":
        after.update(revoked=False, failed_logons=0)
    elif kind in ("fail", "replay"):
        after["failed_logons"] += 1
        if after["failed_logons"] > THRESHOLD:
            after["revoked"] = True
        assert after["revoked"] == before["revoked"] or "account_revoked" in events
    elif kind == "logon":
        after["failed_logons"] = 0
        if op["mode"] == "activate":
            after["otp_activated"] = True
    return after


def _state(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"name": user.name, "description": user.description,
            "otp_enabled": user.otp_enabled, "otp_activated": user.otp_activated,
            "revoked": user.revoked, "failed_logons": user.failed_logons}


@dataclass
class Tally:
    rounds: int = 0
    kills: int = 0
    before_ready: int = 0
    committed: int = 0
    in_flight: int = 0
    in_flight_committed: int = 0
    in_flight_absent: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    audit_rows: int = 0

    def summary(self) -> str:
        return (f"{self.kills} kills in {self.rounds} rounds ({self.before_ready} before the "
                f"store was open); {self.committed} reported operations all present; "
                f"{self.in_flight} killed mid-operation: {self.in_flight_committed} found "
                f"complete, {self.in_flight_absent} found absent, 0 half-applied")


@dataclass
class Worker:
    tag: str
    prefix: str
    out: Path
    process: subprocess.Popen[bytes]
    kill_at: float
    """Seconds after it reported ready (or, when ``early``, after it started)."""
    early: bool
    started: float
    ready_at: float | None = None
    killed: bool = False

    def lines(self) -> list[dict[str, Any]]:
        raw = self.out.read_bytes().split(b"\n")
        lines = []
        for n, chunk in enumerate(raw):
            if not chunk.strip():
                continue
            try:
                lines.append(json.loads(chunk))
            except ValueError:
                # Only the line being written when the kill came may be cut short.
                assert n == len(raw) - 1, (self.tag, chunk)
        return lines


class Campaign:
    def __init__(self, data_dir: Path, seed: int) -> None:
        self.data_dir = data_dir
        self.rng = random.Random(seed)
        self.seed = seed
        self.tally = Tally()

    def run(self, rounds: int) -> Tally:
        for number in range(rounds):
            self.round(number)
        return self.tally

    def round(self, number: int) -> None:
        with open_store(self.data_dir) as store:
            snapshot = {u.user_id: _state(u) for u in store.list_users()}
            last_row = max((e.id for e in store.audit_events(limit=1)), default=0)
        workers = [self.start(f"k{number}{letter}", letter, number)
                   for letter in ("a", "b")]
        self.kill_all(workers)
        with open_store(self.data_dir) as store:
            problems = store.integrity_check()
            assert problems == ["ok"], (self.seed, number, problems)
            rows = self.rows_since(store, last_row)
            for worker in workers:
                self.verify(store, worker, snapshot, rows)
            self.check_invariants(store)
        self.tally.rounds += 1

    def start(self, tag: str, prefix: str, number: int) -> Worker:
        out = self.data_dir.parent / f"{tag}.out"
        err = self.data_dir.parent / f"{tag}.err"
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(WORKER), str(self.data_dir), tag,
                 str(START + number * ROUND_SECONDS), str(self.rng.randrange(1 << 30)), prefix],
                stdout=stdout, stderr=stderr,
            )
        early = self.rng.random() < 0.15
        kill_at = self.rng.uniform(0.0, 0.35) if early else self.rng.uniform(0.0, 0.6)
        return Worker(tag, prefix, out, process, kill_at, early, time.monotonic())

    def kill_all(self, workers: list[Worker]) -> None:
        deadline = time.monotonic() + 60
        while not all(w.killed for w in workers):
            now = time.monotonic()
            assert now < deadline, "a worker never became ready"
            for w in workers:
                if w.killed:
                    continue
                if w.process.poll() is not None:
                    pytest.fail(f"{w.tag} ended by itself (seed {self.seed}):\n"
                                + w.out.read_text() + w.out.with_suffix(".err").read_text())
                if w.ready_at is None and w.out.stat().st_size:
                    w.ready_at = now
                due = (w.started if w.early else w.ready_at)
                if due is not None and now - due >= w.kill_at:
                    w.process.send_signal(signal.SIGKILL)
                    w.process.wait()
                    w.killed = True
                    self.tally.kills += 1
                    if w.ready_at is None:
                        self.tally.before_ready += 1
            time.sleep(0.002)

    @staticmethod
    def rows_since(store: Store, last_row: int) -> dict[int, Any]:
        rows: dict[int, Any] = {}
        before = None
        while True:
            page = store.audit_events(before_id=before, limit=500)
            fresh = [e for e in page if e.id > last_row]
            rows.update((e.id, e) for e in fresh)
            if len(fresh) < len(page) or not page:
                return rows
            before = page[-1].id

    def verify(self, store: Store, worker: Worker, snapshot: dict[str, Any],
               rows: dict[int, Any]) -> None:
        where = f"seed {self.seed}, {worker.tag}"
        lines = worker.lines()
        errors = [line["error"] for line in lines if line["k"] == "X"]
        assert not errors, (where, errors)
        done = [line for line in lines if line["k"] == "D"]
        in_flight = lines[-1]["op"] if lines and lines[-1]["k"] == "B" else None
        mine = {i: e for i, e in rows.items() if e.host == worker.tag}
        self.tally.audit_rows += len(mine)

        # Every reported operation is there, with exactly the audit rows it wrote.
        reported: set[int] = set()
        for line in done:
            events = []
            for row_id, event, user_id in line["rows"]:
                row = mine.get(row_id)
                assert row is not None, (where, "lost audit row", line)
                assert (row.event, row.user_id) == (event, user_id), (where, row, line)
                reported.add(row_id)
                events.append(event)
            assert _matches(line["op"], events), (where, line)
            self.tally.kinds[line["op"]["kind"]] += 1
        self.tally.committed += len(done)

        # The operation in flight: all of it or none of it.
        extra = sorted((i, e) for i, e in mine.items() if i not in reported)
        extra_events = [e.event for _, e in extra]
        committed = False
        if in_flight is None:
            assert not extra, (where, "audit rows of no operation", extra)
        else:
            self.tally.in_flight += 1
            if extra:
                assert _matches(in_flight, extra_events), (where, in_flight, extra)
                committed = True
                self.tally.in_flight_committed += 1
            else:
                self.tally.in_flight_absent += 1

        # Users: as the reported operations (and the in-flight one, if any) left them.
        model = {u: s for u, s in snapshot.items() if u.startswith(worker.prefix)}
        sessions: dict[int, str] = {}
        for line in done:
            op = line["op"]
            if line["user"] is None:
                model.pop(op["user"], None)
            else:
                model[op["user"]] = line["user"]
            if op["kind"] == "logon":
                sessions[line["session"]] = op["user"]
            elif op["kind"] == "logout":
                sessions.pop(op["session"], None)
            elif op["kind"] == "delete":
                sessions = {s: u for s, u in sessions.items() if u != op["user"]}
        if committed:
            op = in_flight
            after = _applied(op, model.get(op["user"]), extra_events)
            if after is None:
                model.pop(op["user"], None)
                sessions = {s: u for s, u in sessions.items() if u != op["user"]}
            else:
                model[op["user"]] = after
            if op["kind"] == "logon":
                [logon_row] = [i for i, e in extra if e.event == "login_succeeded"]
                sessions[logon_row] = op["user"]
            elif op["kind"] == "logout":
                sessions.pop(op["session"], None)
        actual = {u.user_id: _state(u) for u in store.list_users()
                  if u.user_id.startswith(worker.prefix)}
        assert actual == model, (where, in_flight, committed)
        held = {s.id: s.user_id for s in store.list_sessions() if s.host == worker.tag}
        assert held == sessions, (where, in_flight, committed)

    @staticmethod
    def check_invariants(store: Store) -> None:
        for user in store.list_users():
            where = user.user_id
            assert user.integrity_ok, where
            assert user.otp_enabled == (user.otp_secret is not None), where
            if user.otp_enabled:
                secret = store.decrypt_otp_secret(user)
                assert secret is not None and len(secret) == totp.SECRET_BYTES, where
            else:
                assert not user.otp_activated and user.otp_last_step is None, where
                assert user.otp_burned_steps == (), where
            if user.otp_activated:
                assert user.otp_last_step is not None, where
            # Recovery codes come with activation (ten, nobody spends one here) and go
            # when One Time Password is switched off: never half a set.
            codes = store.recovery_codes(user.user_id)
            assert len(codes) == (10 if user.otp_activated else 0), where
            assert all(c.integrity_ok for c in codes), where
            assert user.revoked == (user.failed_logons > THRESHOLD), where


def _campaign(data_dir: Path, rounds: int, how: str) -> None:
    use_key_file()
    make_store(data_dir)
    with open_store(data_dir) as store:
        admin = AdminService(Context(store, hasher=PasswordHasher(TESTS_ONLY)), Actor.for_cli())
        for prefix in ("a", "b"):
            for n in range(4):
                admin.add_user({"user_id": f"{prefix}{n}", "otp_enabled": n % 2 == 1},
                               PASSWORD)
    seed = int(os.environ.get("TAPEMASTER_KILL_SEED", "0")) or random.randrange(1 << 30)
    started = time.monotonic()
    tally = Campaign(data_dir, seed).run(rounds)
    seconds = time.monotonic() - started
    print(f"kill -9 campaign (seed {seed}): {tally.summary()}; {tally.kinds}; "
          f"{seconds:.1f} s")
    assert tally.kills == 2 * rounds
    record("Kill -9 during admin saves and logons", how, tally.kills, tally.summary(),
           seed=seed, seconds=round(seconds, 1), operations=dict(tally.kinds),
           audit_rows=tally.audit_rows)


def test_kill_9_during_saves_and_logons(data_dir: Path) -> None:
    _campaign(data_dir, DEFAULT_ROUNDS,
              f"2 programs per round, SIGKILL 0-0.6 s after ready (15%: 0-0.35 s after start), "
              f"{DEFAULT_ROUNDS} rounds (make test)")


@pytest.mark.soak
def test_kill_9_soak(data_dir: Path) -> None:
    _campaign(data_dir, SOAK_ROUNDS,
              f"as above, {SOAK_ROUNDS} rounds (make soak)")
