"""Load: many programs on one store at once, every decision and audit row accounted for.

``--processes`` worker processes (default 16, multiprocessing spawn, each its own
``open_store``: separate programs as far as SQLite can tell) hammer one store for
``--seconds`` (default 60) with a mix of

- logons with the right password and a fresh code (expected: success, then log out),
- wrong codes, replays of the code just used, codes of a skewed clock (burning that
  step), wrong passwords, unknown User-IDs (expected: the refusal DESIGN.md §3 names,
  the sixth consecutive failure revoking, then "Access Revoked" whatever the password,
  an unknown User-ID included),
- races: the two workers of a pair submit the same code for a shared user at a barrier
  (expected: exactly one success and one ``OTP_REPLAY`` per round),
- right-password logons of one user shared by every worker (a hot row),
- administrator edits (names, descriptions, No Time-Out) of owned and shared users, and
  Unlock of users the mix revoked.

Each worker has its own synthetic clock per user (``Context(clock=...)``) and a model
of its users (failure count, revocation, last and burned time steps), so the expected
decision of every attempt is known in advance whatever the timing; shared users only
get attempts whose outcome does not depend on the interleaving. Afterwards the parent
checks against the store: the audit rows are exactly those the attempts should have
written (counted per user, event and detail: none lost, none duplicated), each user's
failure count, revocation and OTP steps are what the model says, no session is left
and no worker saw "database is locked" (or any other error).

Passwords are hashed with the cheap TESTS_ONLY argon2 profile unless
``--production-hash``: the point is the load on the store, not on argon2.

``--postgresql`` (``make load-pg``) runs the same against a site's PostgreSQL store: a
throwaway PostgreSQL cluster (tests/pgcluster.py, with durable settings: fsync and
synchronous commit on), the database made by setup.sql, the store created by its owner,
every worker connected as the app role (a desktop of the site). Two faults may be added
there:

- ``--restart-server-at F``: the server is stopped (fast shutdown, every session ended)
  at fraction F of the run and started again two seconds later. A program then tells
  its user that the server cannot be reached or that the connection was lost, nothing
  being decided, and its next attempt works: a worker counts those answers, takes the
  attempt back from its model (it decided nothing) and goes on. Should a commit's
  answer be lost with the connection ("it may or may not have been saved"), the worker
  reads what the store holds for that user and takes that; any audit rows of such an
  attempt are allowed but not required.
- ``--kill N``: N more programs ("casualties", own users, right passwords and now and
  then a wrong one) are killed with SIGKILL at random moments, each replaced by a new
  program on the same users. Each reports an attempt before making it and once it is
  decided: the rows of a decided attempt must be there exactly once; those of the one
  in flight when it died may or may not be (its transaction committed or not, never in
  part); a killed program's session row may stay (no program is left to end it).

Prints a table and writes ``build/reliability/load.json``; exits 1 when an invariant
fails.
"""

from __future__ import annotations

import os

# Before anything imports keyring: the store key goes to the owner-only key file in the
# throwaway store folder (children inherit this), never to the real OS keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import argparse
import base64
import hashlib
import hmac
import json
import logging
import multiprocessing
import queue
import random
import re
import shutil
import struct
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from common import ROOT, table

# The package's warnings (the key file fallback) are expected here; keep the output clean.
logging.getLogger("tapemaster_qt").addHandler(logging.NullHandler())

BASE_STEP = 60_000_000
"""The synthetic clocks start at 1,800,000,000 s (2027), one 30-second step each."""
ADMIN_PASSWORD = "Load-Admin-2026"
RACE_EVERY = 8
"""A paired worker races its partner once every this many operations."""
OWN_OTP_USERS = 3
SKEW_OFFSETS = (10, -10, 20, 120, -120)
"""Steps of 30 s: 5 minutes ahead/behind, 10 minutes ahead, 1 hour ahead/behind."""
OUTPUT = ROOT / "build" / "reliability" / "load.json"
OUTPUT_PG = ROOT / "build" / "reliability" / "load-pg.json"


def password_of(user_id: str) -> str:
    return f"Load-Pass-{user_id}"


def rfc_totp(secret: bytes, step: int) -> str:
    """RFC 6238 (SHA1, 6 digits) written out, independent of the code under load."""
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**6).zfill(6)


def unambiguous(secret: bytes, step: int) -> bool:
    """The code of ``step`` differs from its neighbours' (else the window would match
    the later one: 2 in 10^6, skipped so that every expectation is exact)."""
    code = rfc_totp(secret, step)
    return code not in (rfc_totp(secret, step - 1), rfc_totp(secret, step + 1))


def looked_at(current: int) -> set[int]:
    """Every step a logon at ``current`` compares a code with: the window and the
    skew diagnosis (DESIGN.md §3)."""
    from tapemaster_qt.services import totp

    return set(totp.skew_candidates(current)) | {current - 1, current, current + 1}


def open_where(where: str) -> Any:
    """The store at ``where``: a postgresql:// URL (the app role), else a folder."""
    from tapemaster_qt.location import parse
    from tapemaster_qt.store import open_store

    if where.startswith("postgresql://"):
        return open_store(parse(where, "--store"))
    return open_store(Path(where))


def connection_trouble(exc: BaseException) -> str:
    """'' for any other error; 'none' when the program said nothing was decided (the
    server could not be reached, or the connection was lost before the commit);
    'unknown' when the connection was lost while the commit's answer was on its way."""
    from tapemaster_qt.errors import StoreConnectionError

    if not isinstance(exc, StoreConnectionError):
        return ""
    return "unknown" if "may or may not" in exc.message else "none"


# --- the worker's model of its users ----------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = BASE_STEP * 30 + 5.0

    def __call__(self) -> float:
        return self.now

    def at_step(self, step: int) -> None:
        self.now = step * 30 + 5.0


class Model:
    """What DESIGN.md §3 says one owned user's state is after each attempt."""

    def __init__(self, user_id: str, secret: bytes | None, threshold: int,
                 kept: int) -> None:
        self.user_id = user_id
        self.password = password_of(user_id)
        self.secret = secret
        self.threshold = threshold
        self.kept = kept
        self.step = BASE_STEP  # the user's synthetic "now"
        self.last_step: int | None = BASE_STEP if secret is not None else None
        self.burned: list[int] = []
        self.failed = 0
        self.since = 0
        """Failed attempts since the last logon (kept by Unlock)."""
        self.revoked = False
        self.can_replay = False

    def fail(self, audit: Counter, detail: str, *extra: tuple[str, str]) -> None:
        for event, text in extra:
            audit[(self.user_id, event, text)] += 1
        audit[(self.user_id, "login_failed", detail)] += 1
        self.failed += 1
        self.since += 1
        if self.failed > self.threshold and not self.revoked:
            self.revoked = True
            audit[(self.user_id, "account_revoked",
                   f"{self.failed} consecutive failed logons")] += 1
        self.can_replay = False

    def succeed(self, audit: Counter, detail: str, step: int | None = None) -> None:
        audit[(self.user_id, "login_succeeded", detail)] += 1
        audit[(self.user_id, "logged_out", "load")] += 1
        self.failed = self.since = 0
        if step is not None:
            self.last_step = step
            self.burned = [s for s in self.burned if s > step]
            self.can_replay = True

    def refused_revoked(self, audit: Counter, detail: str = "revoked") -> str:
        """Any attempt on a revoked User-ID: "Access Revoked", whatever the password,
        and counted (DESIGN.md §3 rule 2)."""
        audit[(self.user_id, "login_failed", detail)] += 1
        self.failed += 1
        self.since += 1
        self.can_replay = False
        return "revoked"

    def state(self) -> dict[str, Any]:
        return {"failed_logons": self.failed, "failures_since_logon": self.since,
                "revoked": self.revoked,
                "otp_last_step": self.last_step, "otp_burned_steps": list(self.burned)}


class Worker:
    def __init__(self, plan: dict[str, Any]) -> None:
        from tapemaster_qt.services import Actor, Context
        from tapemaster_qt.services.admin import AdminService
        from tapemaster_qt.services.auth import BURNED_STEPS_KEPT, LogonService
        from tapemaster_qt.services.passwords import PRODUCTION, TESTS_ONLY, PasswordHasher

        self.plan = plan
        self.index: int = plan["index"]
        self.rng = random.Random(plan["seed"])
        profile = PRODUCTION if plan["production_hash"] else TESTS_ONLY
        hasher = PasswordHasher(profile)
        self.store = open_where(plan["folder"])
        self.clock = Clock()
        program = ("TapeMaster", "Lite", "Checkpoint")[self.index % 3]
        self.logon_service = LogonService(Context(self.store, program=program,
                                                  clock=self.clock, hasher=hasher))
        self.admin = AdminService(Context(self.store, program="TapeMaster", hasher=hasher),
                                  Actor.for_user("tapemaster"))
        threshold = plan["threshold"]
        self.otp_users = [Model(u, bytes.fromhex(s), threshold, BURNED_STEPS_KEPT)
                          for u, s in plan["otp_users"]]
        self.pw_user = Model(plan["pw_user"], None, threshold, BURNED_STEPS_KEPT)
        self.edit_user: str = plan["edit_user"]
        self.edit_no_timeout = False
        self.race = plan.get("race")
        self.race_step = BASE_STEP
        self.audit: Counter = Counter()
        self.latencies: list[float] = []
        self.counts: Counter = Counter()
        self.wrong: list[str] = []
        self.errors: list[str] = []
        self.locked = 0
        self.admin_edits = 0
        self.race_outcomes: list[tuple[int, int, str]] = []
        self.threshold: int = threshold
        self.ghost_failures = 0
        """Failures of this worker's unknown User-ID (counted like a real one's)."""
        self.optional: Counter = Counter()
        """Audit rows of attempts whose commit's answer was lost: there, or not."""
        self.unreachable = 0
        """Attempts the program answered with 'cannot be reached'/'connection lost'."""
        self.uncertain = 0
        """Attempts whose commit's answer was lost with the connection."""
        self.uncertain_users: set[str] = set()
        """Users (shared ones) whose totals are not known exactly after such a loss."""
        self.unconfirmed_logons: list[str] = []
        """Users of logons whose commit's answer was lost: a session the program never
        heard of may have been opened (Active Users shows it until it is swept)."""

    # --- one attempt ------------------------------------------------------------------

    def attempt(self, kind: str, expected: str | None, user_id: str, password: str,
                code: str = "") -> Any:
        """One logon; ``expected`` None when only the totals are known in advance."""
        start = time.perf_counter()
        outcome = self.logon_service.logon(user_id, password, code)
        self.latencies.append(time.perf_counter() - start)
        self.counts[kind] += 1
        actual = outcome.status.value
        if expected is not None and actual != expected:
            if len(self.wrong) < 20:
                self.wrong.append(f"{kind} {user_id}: expected {expected}, got {actual}")
            else:
                self.wrong.append("")
        if outcome.session is not None:
            self.log_out(outcome.session)
        return outcome

    def log_out(self, session: Any) -> None:
        """Log out, as a program does on Log Out: while the server is away it says so
        and the user tries again; a commit whose answer was lost is checked (the
        session row gone means it was saved) so the audit gets one row, not two."""
        deadline = time.monotonic() + 120
        while True:
            try:
                self.logon_service.logout(session, "load")
                return
            except Exception as exc:
                trouble = connection_trouble(exc)
                if not trouble or time.monotonic() > deadline:
                    raise
                self.unreachable += 1
                time.sleep(0.2)
                if trouble == "unknown":
                    still = any(s.id == session.session_id
                                for s in self.when_back(self.store.list_sessions))
                    if not still:
                        self.uncertain += 1
                        return

    def when_back(self, read: Any, *args: Any) -> Any:
        """``read(*args)`` once the server answers again (a user trying again)."""
        deadline = time.monotonic() + 120
        while True:
            try:
                return read(*args)
            except Exception as exc:
                if not connection_trouble(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def otp_ok(self, m: Model) -> None:
        assert m.secret is not None
        m.step += 1
        while not unambiguous(m.secret, m.step):
            m.step += 1
        self.clock.at_step(m.step)
        code = rfc_totp(m.secret, m.step)
        if m.revoked:
            expected = m.refused_revoked(self.audit)
        elif m.step in m.burned:
            expected = "bad_otp"
            m.fail(self.audit, "bad_otp")
        else:
            expected = "success"
            m.succeed(self.audit, "otp", m.step)
        self.attempt("right code", expected, m.user_id, m.password, code)

    def otp_wrong(self, m: Model) -> None:
        assert m.secret is not None
        self.clock.at_step(m.step)
        # A code that matches no step the logon looks at: plainly wrong, never skewed.
        taken = {rfc_totp(m.secret, s) for s in looked_at(m.step)}
        code = f"{self.rng.randrange(10**6):06d}"
        while code in taken:
            code = f"{self.rng.randrange(10**6):06d}"
        if m.revoked:
            expected = m.refused_revoked(self.audit)
        else:
            expected = "bad_otp"
            m.fail(self.audit, "bad_otp")
        self.attempt("wrong code", expected, m.user_id, m.password,
                     f"{code[:3]} {code[3:]}" if self.rng.random() < 0.3 else code)

    def otp_replay(self, m: Model) -> None:
        assert m.secret is not None and m.last_step == m.step
        self.clock.at_step(m.step)
        code = rfc_totp(m.secret, m.step)
        if m.revoked:
            expected = m.refused_revoked(self.audit)
        else:
            expected = "otp_replay"
            m.fail(self.audit, "bad_otp; replayed code", ("otp_replay_rejected", ""))
        self.attempt("replay", expected, m.user_id, m.password, code)

    def otp_skew(self, m: Model) -> None:
        assert m.secret is not None
        offset = self.rng.choice(SKEW_OFFSETS)
        target = m.step + offset
        code = rfc_totp(m.secret, target)
        others = looked_at(m.step) - {target}
        if any(rfc_totp(m.secret, s) == code for s in others):
            return  # the diagnosis could name another offset; skip this rare code
        self.clock.at_step(m.step)
        if m.revoked:
            expected = m.refused_revoked(self.audit)
        else:
            expected = "clock_skew"
            m.fail(self.audit, "bad_otp; clock skew",
                   ("otp_clock_skew", f"device clock off by {offset * 30:+d}s"))
            m.burned = ([s for s in m.burned if s != target] + [target])[-m.kept:]
        self.attempt("skewed code", expected, m.user_id, m.password, code)

    def wrong_password(self, m: Model) -> None:
        code = ""
        if m.secret is not None:
            # A valid code with a wrong password must not be used up (nor diagnosed).
            m.step += 1
            self.clock.at_step(m.step)
            code = rfc_totp(m.secret, m.step)
        if m.revoked:
            expected = m.refused_revoked(self.audit, "revoked; bad_password")
        else:
            expected = "authorization_failure"
            m.fail(self.audit, "bad_password")
        self.attempt("wrong password", expected, m.user_id, m.password + "x", code)

    def password_ok(self, m: Model) -> None:
        if m.revoked:
            expected = m.refused_revoked(self.audit)
        else:
            expected = "success"
            m.succeed(self.audit, "")
        self.attempt("right password", expected, m.user_id, m.password)

    def unknown(self) -> None:
        """A User-ID nobody has: the answers a real one gets to wrong passwords."""
        if "ghost" in self.uncertain_users:
            return  # its count is not known exactly any more (a lost commit answer)
        self.ghost_failures += 1
        self.audit[(None, "login_failed", "unknown_user")] += 1
        if self.ghost_failures == self.threshold + 1:
            self.audit[(None, "account_revoked", "unknown User-ID: "
                        f"{self.ghost_failures} consecutive failed logons")] += 1
        expected = ("revoked" if self.ghost_failures - 1 > self.threshold
                    else "authorization_failure")
        self.attempt("unknown user", expected, f"ghost{self.index}", "Some-Password-1",
                     "123456")

    def shared(self) -> None:
        user = self.plan["common_user"]
        self.audit[(user, "login_succeeded", "")] += 1
        self.audit[(user, "logged_out", "load")] += 1
        self.attempt("shared user", "success", user, password_of(user))

    def shared_failure(self) -> None:
        """A wrong password for the user every program fails at: only the total count
        (and one revocation) is known in advance, which is what a lost update breaks."""
        user = self.plan["victim_user"]
        # Which answer each program gets depends on who failed first: the parent
        # checks the totals (the first threshold + 1 failures answered and audited as
        # wrong passwords, every later one as revoked).
        outcome = self.attempt("shared failure", None, user, "Not-The-Password-1")
        self.counts[f"shared failure answered {outcome.status.value}"] += 1

    def unlock(self, m: Model) -> None:
        self.admin.unlock(m.user_id)
        self.audit[(m.user_id, "account_unlocked", "was revoked")] += 1
        m.revoked, m.failed, m.can_replay = False, 0, False
        self.admin_edits += 1

    def admin_edit(self) -> None:
        n = self.admin_edits
        choice = self.rng.random()
        if choice < 0.5:
            self.edit_no_timeout = not self.edit_no_timeout
            self.admin.update_user(self.edit_user, {
                "name": f"Edited {self.index}.{n}", "description": f"Load edit {n}",
                "no_timeout": self.edit_no_timeout})
            self.audit[(self.edit_user, "user_updated",
                        "changed: Name, Description, No Time-Out")] += 1
        else:
            # A shared user, while other programs log it on: a unique name, so the
            # edit always changes something and writes exactly one row.
            target = self.race["user"] if (self.race and choice < 0.75) \
                else self.plan["common_user"]
            self.admin.update_user(target, {"name": f"Shared {self.index}.{n}"})
            self.audit[(target, "user_updated", "changed: Name")] += 1
        self.admin_edits += 1

    def race_round(self, number: int) -> None:
        race = self.race
        secret = bytes.fromhex(race["secret"])
        self.race_step += 1
        while not unambiguous(secret, self.race_step):
            self.race_step += 1
        self.clock.at_step(self.race_step)
        code = rfc_totp(secret, self.race_step)
        start = time.perf_counter()
        try:
            outcome = self.logon_service.logon(race["user"], password_of(race["user"]),
                                               code)
        except Exception as exc:
            if connection_trouble(exc) == "unknown":  # this side's decision is unknown
                self.race_outcomes.append((race["pair"], number, "uncertain"))
            raise
        self.latencies.append(time.perf_counter() - start)
        self.counts["race"] += 1
        if outcome.session is not None:
            self.log_out(outcome.session)
        self.race_outcomes.append((race["pair"], number, outcome.status.value))

    # --- the loop -----------------------------------------------------------------------

    def one_operation(self) -> None:
        rng = self.rng
        revoked = [m for m in [*self.otp_users, self.pw_user] if m.revoked]
        if revoked and rng.random() < 0.3:
            self.unlock(rng.choice(revoked))
            return
        roll = rng.random()
        m = rng.choice(self.otp_users)
        if roll < 0.30:
            self.otp_ok(m)
        elif roll < 0.40:
            self.otp_wrong(m)
        elif roll < 0.48:
            if m.can_replay and m.last_step == m.step:
                self.otp_replay(m)
            else:
                self.otp_ok(m)
        elif roll < 0.53:
            self.otp_skew(m)
        elif roll < 0.60:
            self.wrong_password(m if rng.random() < 0.5 else self.pw_user)
        elif roll < 0.70:
            self.password_ok(self.pw_user)
        elif roll < 0.73:
            self.unknown()
        elif roll < 0.78:
            self.shared_failure()
        elif roll < 0.85:
            self.shared()
        else:
            self.admin_edit()

    def _save(self) -> dict[str, Any]:
        models = [*self.otp_users, self.pw_user]
        return {"audit": self.audit, "counts": Counter(self.counts),
                "models": [dict(vars(m), burned=list(m.burned)) for m in models],
                "ghost": self.ghost_failures, "edits": self.admin_edits,
                "no_timeout": self.edit_no_timeout, "race_step": self.race_step,
                "races": len(self.race_outcomes)}

    def _restore(self, saved: dict[str, Any]) -> None:
        for m, state in zip([*self.otp_users, self.pw_user], saved["models"], strict=True):
            vars(m).update(state)
        self.counts = saved["counts"]
        self.ghost_failures = saved["ghost"]
        self.admin_edits = saved["edits"]
        self.edit_no_timeout = saved["no_timeout"]
        del self.race_outcomes[saved["races"]:]

    def _adopt_the_store(self, saved: dict[str, Any], delta: Counter) -> None:
        """The commit's answer was lost: what the store holds is what happened. Owned
        users take their state from it; the attempt's rows become optional, and a
        shared total it touched is no longer known exactly."""
        self.uncertain += 1
        self.optional.update(delta)
        self.unconfirmed_logons += [key[0] for key in delta
                                    if key[1] == "login_succeeded" and key[0] is not None]
        for m in [*self.otp_users, self.pw_user]:
            user = self.when_back(self.store.get_user, m.user_id)
            m.failed, m.since, m.revoked = (user.failed_logons, user.failures_since_logon,
                                            user.revoked)
            m.last_step, m.burned = user.otp_last_step, list(user.otp_burned_steps)
            m.can_replay = False
        touched = {key[0] for key in delta} - {m.user_id for m in
                                               [*self.otp_users, self.pw_user]}
        self.uncertain_users |= {u if u is not None else "ghost" for u in touched}
        if len(self.race_outcomes) > saved["races"]:
            self.race_outcomes[-1] = (*self.race_outcomes[-1][:2], "uncertain")
            self.unconfirmed_logons.append(self.race["user"])

    def guarded(self, operation: Any, *args: Any) -> None:
        """Run one operation; a store error is what a user would have seen: count it.
        A lost server (``--restart-server-at``) is what a user would see too: the
        attempt decided nothing, so it comes out of the model, and the next goes on."""
        from tapemaster_qt.errors import StoreLockedError, TapeMasterError

        saved = self._save()
        self.audit = Counter()
        try:
            operation(*args)
        except TapeMasterError as exc:
            delta, self.audit = self.audit, saved["audit"]
            trouble = connection_trouble(exc)
            if trouble == "none":
                self.unreachable += 1
                self._restore(saved)
                time.sleep(0.05)  # the user reads the message, then tries again
                return
            if trouble == "unknown":
                self.unreachable += 1
                self._adopt_the_store(saved, delta)
                return
            self.audit.update(delta)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            if isinstance(exc, StoreLockedError) or "locked" in str(exc).lower():
                self.locked += 1
            return
        except BaseException:
            saved["audit"].update(self.audit)
            self.audit = saved["audit"]
            raise
        saved["audit"].update(self.audit)
        self.audit = saved["audit"]

    def run(self, start: Any, deadline: Any, pair: tuple[Any, Any] | None) -> None:
        start.wait()
        end = deadline.value
        operations = 0
        rounds = 0
        while True:
            if pair is not None and operations % RACE_EVERY == 0:
                barrier, go = pair
                # Both partners must agree on stopping: one decides, both read it.
                if barrier.wait(timeout=120) == 0:
                    go.value = 1 if time.time() < end else 0
                barrier.wait(timeout=120)
                if not go.value:
                    break
                self.guarded(self.race_round, rounds)
                rounds += 1
            elif pair is None and time.time() >= end:
                break
            else:
                self.guarded(self.one_operation)
            operations += 1

    def result(self) -> dict[str, Any]:
        states = {m.user_id: m.state() for m in [*self.otp_users, self.pw_user]}
        return {
            "index": self.index, "audit": list(self.audit.items()),
            "latencies": self.latencies, "counts": dict(self.counts),
            "wrong": self.wrong, "errors": self.errors, "locked": self.locked,
            "admin_edits": self.admin_edits, "race": self.race_outcomes, "states": states,
            "race_last_step": self.race_step if self.race else None,
            "optional": list(self.optional.items()), "unreachable": self.unreachable,
            "uncertain": self.uncertain, "uncertain_users": sorted(self.uncertain_users),
            "unconfirmed_logons": self.unconfirmed_logons,
        }


def worker_main(plan: dict[str, Any], start: Any, deadline: Any, pair: Any,
                results: Any) -> None:
    from tapemaster_qt.errors import StoreLockedError

    worker = None
    try:
        worker = Worker(plan)
        results.put(("ready", plan["index"], None))
        worker.run(start, deadline, pair)
        results.put(("done", plan["index"], worker.result()))
    except BaseException as exc:  # report it: the parent counts and shows it
        text = traceback.format_exc()
        locked = isinstance(exc, StoreLockedError) or "locked" in str(exc).lower()
        if pair is not None:
            pair[0].abort()  # the partner must not wait for us at the barrier
        result = worker.result() if worker is not None else {"index": plan["index"]}
        result.setdefault("errors", []).append(text)
        result["locked"] = result.get("locked", 0) + int(locked)
        results.put(("failed", plan["index"], result))
    finally:
        if worker is not None:
            worker.store.close()


def casualty_main(where: str, index: int, users: list[str], pipe: Any) -> None:
    """A program that will be killed with SIGKILL at any moment: logons of its own users
    (each first with the right password, which clears what an earlier casualty left;
    then now and then a wrong one), each reported before it is made and once it is
    decided, so that the parent knows which rows must be there. A pipe, written at
    once, not a queue, whose feeder thread dies with the process."""
    from tapemaster_qt.services import Context
    from tapemaster_qt.services.auth import LogonService
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher

    def patiently(call: Any, *args: Any) -> Any:
        """As a user does when told the server cannot be reached: try again."""
        while True:
            try:
                return call(*args)
            except Exception as exc:
                if connection_trouble(exc) != "none":
                    raise
                time.sleep(0.2)

    store = patiently(open_where, where)
    logon = LogonService(Context(store, program="Lite", hasher=PasswordHasher(TESTS_ONLY)))
    rng = random.Random(index)
    n = 0

    def attempt(user: str, right: bool) -> None:
        """One logon (and its log out), reported before and once decided. Nothing
        decided (the server away): taken back and tried again. A commit's answer lost:
        left undecided (its rows may or may not be there) and the next one goes on."""
        nonlocal n
        rows = ([(user, "login_succeeded", ""), (user, "logged_out", "load")] if right
                else [(user, "login_failed", "bad_password")])
        while True:
            pipe.send(("intent", n, rows))
            try:
                outcome = logon.logon(user, password_of(user) + ("" if right else "x"))
            except Exception as exc:
                trouble = connection_trouble(exc)
                if not trouble:
                    raise
                if trouble == "none":
                    pipe.send(("withdrawn", n, None))
                    time.sleep(0.2)
                    continue
                n += 1
                return
            break
        if outcome.session is not None:
            try:
                patiently(logon.logout, outcome.session, "load")
            except Exception as exc:
                if connection_trouble(exc) != "unknown":
                    raise
                n += 1  # its log out's answer was lost: left undecided
                return
        pipe.send(("decided", n, outcome.status.value))
        n += 1

    for user in users:
        attempt(user, True)
    while True:
        user = rng.choice(users)
        if rng.random() < 0.3:
            attempt(user, False)
        attempt(user, True)


# --- the parent -------------------------------------------------------------------------


def set_up(folder: Path, processes: int, production_hash: bool,
           server: Any = None, casualties: int = 0) -> dict[str, Any]:
    """Create the store, its users (OTP ones enrolled and activated) and the plans."""
    from urllib.parse import parse_qs, urlparse

    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.auth import LogonService, LogonStatus
    from tapemaster_qt.services.passwords import PRODUCTION, TESTS_ONLY, PasswordHasher
    from tapemaster_qt.services.setup import set_initial_password
    from tapemaster_qt.store import open_store

    hasher = PasswordHasher(PRODUCTION if production_hash else TESTS_ONLY)
    clock = Clock()
    where = str(folder)
    if server is not None:
        # As support staff do: setup.sql, then init as the owner; desktops use the app role.
        server.setup_database("tapemaster")
        from tapemaster_qt.location import parse

        open_store(parse(server.conninfo("tapemaster", "tapemaster_owner"), "--store"),
                   upgrade=True).close()
        where = server.conninfo("tapemaster", "tapemaster_app")
    with open_where(where) as store:
        ctx = Context(store, program="TapeMaster", clock=clock, hasher=hasher)
        set_initial_password(ctx, ADMIN_PASSWORD, actor="cli:load@bench")
        admin = AdminService(ctx, Actor.for_user("tapemaster"))
        logon = LogonService(ctx)

        def otp_user(user_id: str) -> str:
            admin.add_user({"user_id": user_id, "name": user_id, "otp_enabled": True},
                           password_of(user_id))
            enrol = logon.logon(user_id, password_of(user_id))
            assert enrol.status is LogonStatus.ENROLMENT and enrol.session is not None
            logon.logout(enrol.session, "set-up")
            b32 = parse_qs(urlparse(enrol.provisioning_uri or "").query)["secret"][0]
            secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
            assert unambiguous(secret, BASE_STEP), "an unlucky secret; run again"
            activated = logon.logon(user_id, password_of(user_id), rfc_totp(secret, BASE_STEP))
            assert activated.status is LogonStatus.ACTIVATED and activated.session is not None
            logon.logout(activated.session, "set-up")
            return secret.hex()

        common, victim = "common", "victim"
        admin.add_user({"user_id": common, "name": "Shared by all"}, password_of(common))
        admin.add_user({"user_id": victim, "name": "Failed by all"}, password_of(victim))
        races = {}
        for pair in range(processes // 2):
            races[pair] = {"pair": pair, "user": f"race{pair}", "secret": otp_user(f"race{pair}")}
        plans = []
        for i in range(processes):
            own = [(f"w{i}o{k}", otp_user(f"w{i}o{k}")) for k in range(OWN_OTP_USERS)]
            admin.add_user({"user_id": f"w{i}p"}, password_of(f"w{i}p"))
            admin.add_user({"user_id": f"w{i}e", "name": "To be edited"}, None)
            plan = {
                "index": i, "seed": 1000 + i, "folder": where,
                "production_hash": production_hash,
                "threshold": max(1, int(store.setting("lockout_threshold"))),
                "otp_users": own, "pw_user": f"w{i}p", "edit_user": f"w{i}e",
                "common_user": common, "victim_user": victim,
            }
            if i // 2 in races:
                plan["race"] = races[i // 2]
            plans.append(plan)
        casualty_users = [f"c{k}" for k in range(max(casualties, 0) and 4)]
        for user_id in casualty_users:
            admin.add_user({"user_id": user_id}, password_of(user_id))
        start_id = max((e.id for e in store.audit_events(limit=1)), default=0)
    return {"plans": plans, "races": races, "start_id": start_id, "where": where,
            "casualty_users": casualty_users,
            "profile": hasher.profile.describe(), "threshold": plans[0]["threshold"]}


class Casualties:
    """The programs ``--kill`` kills: each with its own pipe; what each reported."""

    def __init__(self, spawn: Any, where: str, users: list[str]) -> None:
        self.spawn, self.where, self.users = spawn, where, users
        self.live: dict[int, tuple[Any, Any]] = {}
        self.intents: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        self.decided: dict[tuple[int, int], str] = {}
        self.killed = 0
        self._next = 0

    def start(self) -> None:
        reader, writer = self.spawn.Pipe(duplex=False)
        index = 10_000 + self._next
        self._next += 1
        process = self.spawn.Process(target=casualty_main, name=f"load-casualty-{index}",
                                     args=(self.where, index, self.users, writer))
        process.start()
        writer.close()
        self.live[index] = (process, reader)

    def drain(self) -> None:
        for index, (_, reader) in list(self.live.items()):
            self._read(index, reader)

    def _read(self, index: int, reader: Any) -> None:
        try:
            while reader.poll():
                kind, n, data = reader.recv()
                if kind == "intent":
                    self.intents[(index, n)] = [tuple(r) for r in data]
                elif kind == "withdrawn":
                    self.intents.pop((index, n), None)
                else:
                    self.decided[(index, n)] = data
        except (EOFError, OSError):
            pass

    def kill_one(self, rng: random.Random) -> None:
        import signal

        if not self.live:
            return
        index = rng.choice(sorted(self.live))
        process, reader = self.live.pop(index)
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=30)
        self._read(index, reader)  # what it wrote before it died is in the pipe
        reader.close()
        self.killed += 1

    def stop(self, rng: random.Random) -> None:
        while self.live:
            self.kill_one(rng)

    def rows(self) -> tuple[Counter, Counter]:
        """(rows that must be there: decided attempts; rows that may be: the attempt
        each killed program had in flight)."""
        must: Counter = Counter()
        may: Counter = Counter()
        for key, rows in self.intents.items():
            target = must if key in self.decided else may
            for row in rows:
                target[row] += 1
        return must, may


def run_load(processes: int, seconds: float, folder: Path,
             production_hash: bool = False, server: Any = None,
             restart_at: float | None = None, kill: int = 0) -> dict[str, Any]:
    """Set up, run the workers, verify against the store; the figures and findings."""
    setup = set_up(folder, processes, production_hash, server, kill)
    spawn = multiprocessing.get_context("spawn")
    start, deadline, results = spawn.Event(), spawn.Value("d", 0.0), spawn.Queue()
    pairs = {p: (spawn.Barrier(2), spawn.Value("i", 1)) for p in setup["races"]}
    children = [
        spawn.Process(target=worker_main, name=f"load-worker-{plan['index']}",
                      args=(plan, start, deadline, pairs.get(plan["index"] // 2)
                            if "race" in plan else None, results))
        for plan in setup["plans"]
    ]
    for child in children:
        child.start()
    casualties = Casualties(spawn, setup["where"], setup["casualty_users"])
    rng = random.Random(7)
    kill_at: list[float] = []
    restarts: list[dict[str, float]] = []
    down_since: float | None = None
    reports: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    ready: set[int] = set()
    limit = time.monotonic() + 300
    began = time.perf_counter()
    while len(reports) < len(children):
        casualties.drain()
        if start.is_set():
            now = time.perf_counter() - began
            while kill_at and now >= kill_at[0]:
                kill_at.pop(0)
                casualties.kill_one(rng)
                casualties.start()  # the program is started again on that desktop
            if (restart_at is not None and server is not None and not restarts
                    and down_since is None and now >= restart_at * seconds):
                down_since = _stop_server(server)
            if down_since is not None and time.perf_counter() - down_since >= 2.0:
                restarts.append(_start_server(server, down_since))
                down_since = None
        try:
            kind, index, report = results.get(timeout=0.1)
        except queue.Empty:
            if time.monotonic() > limit or not any(c.is_alive() for c in children):
                problems.append(f"only {len(reports)} of {len(children)} workers reported")
                break
            continue
        if kind == "ready":
            ready.add(index)
            if len(ready) == len(children):
                # Every program has opened the store: the clock starts for all at once.
                for _ in range(min(kill, 2)):
                    casualties.start()
                kill_at = sorted(rng.uniform(0.1, 0.9) * seconds for _ in range(kill))
                deadline.value = time.time() + seconds
                began = time.perf_counter()
                limit = time.monotonic() + seconds + 300
                start.set()
            continue
        reports[index] = report
        if kind != "done":
            problems.append(f"worker {index} stopped with an error")
            if not start.is_set():  # let the others finish at once instead of waiting
                deadline.value = time.time()
                start.set()
    elapsed = time.perf_counter() - began
    killed_mid_run = casualties.killed
    casualties.stop(rng)
    if down_since is not None:  # the run ended while the server was down
        restarts.append(_start_server(server, down_since))
    for child in children:
        child.join(timeout=60)
        if child.is_alive():
            child.terminate()
            child.join()
    figures = verify(setup, reports, elapsed, seconds, processes, problems, casualties)
    figures["killed_programs"] = killed_mid_run
    figures["killed_programs_attempts_checked"] = len(casualties.decided)
    figures["server_restarts"] = restarts
    return figures


def _stop_server(server: Any) -> float:
    """Stop the server as its administrator would for a restart: fast shutdown, every
    session ended. From this (the main) thread: the server process is told to stop when
    the thread that started it ends (tests/pgcluster.py's parent-death signal)."""
    began = time.perf_counter()
    server.stop_server()
    return began


def _start_server(server: Any, began: float) -> dict[str, float]:
    server.start_server()
    return {"down_s": round(time.perf_counter() - began, 2)}


def verify(setup: dict[str, Any], reports: dict[int, dict[str, Any]],
           elapsed: float, seconds: float, processes: int,
           problems: list[str], casualties: Casualties) -> dict[str, Any]:
    expected: Counter = Counter()
    optional: Counter = Counter()
    unreachable = uncertain = 0
    uncertain_users: set[str] = set()
    unconfirmed: list[str] = []
    latencies: list[float] = []
    wrong = locked = admin_edits = 0
    examples: list[str] = []
    errors: list[str] = []
    counts: Counter = Counter()
    by_round: dict[tuple[int, int], list[str]] = {}
    for report in reports.values():
        for key, n in report.get("audit", []):
            expected[tuple(key)] += n
        latencies += report.get("latencies", [])
        wrong += len(report.get("wrong", []))
        examples += [w for w in report.get("wrong", []) if w][:5]
        locked += report.get("locked", 0)
        errors += report.get("errors", [])
        admin_edits += report.get("admin_edits", 0)
        counts.update(report.get("counts", {}))
        for pair, number, status in report.get("race", []):
            by_round.setdefault((pair, number), []).append(status)
        for key, n in report.get("optional", []):
            optional[tuple(key)] += n
        unreachable += report.get("unreachable", 0)
        uncertain += report.get("uncertain", 0)
        uncertain_users |= set(report.get("uncertain_users", []))
        unconfirmed += report.get("unconfirmed_logons", [])
    # Races: exactly one success and one replay per round, whoever won. A partner whose
    # attempt met a server that was away decided nothing: the other one then wins alone.
    race_rounds: Counter = Counter()
    last_round: dict[str, list[str]] = {}
    rows_of = {"success": [("login_succeeded", "otp"), ("logged_out", "load")],
               "otp_replay": [("otp_replay_rejected", ""),
                              ("login_failed", "bad_otp; replayed code")]}
    for (pair, number), statuses in sorted(by_round.items()):
        user = setup["races"][pair]["user"]
        race_rounds[user] += 1
        decided = sorted(statuses)
        if "uncertain" in decided:
            uncertain_users.add(user)
            for status in ("success", "otp_replay"):
                for event, detail in rows_of[status]:
                    optional[(user, event, detail)] += 1
            continue
        if decided not in (["otp_replay", "success"], ["success"]):
            wrong += 1
            examples.append(f"race {user} round {number}: {decided}")
        for status in decided:
            for event, detail in rows_of.get(status, []):
                expected[(user, event, detail)] += 1
        last_round[user] = decided

    # The shared victim: every failure counted once, the (threshold+1)th revoking, every
    # later one answered "Access Revoked" (in whichever program it happened).
    victim_failures = counts["shared failure"]
    first = min(victim_failures, setup["threshold"] + 1)
    expected[("victim", "login_failed", "bad_password")] += first
    expected[("victim", "login_failed", "revoked; bad_password")] += victim_failures - first
    answered = (counts["shared failure answered authorization_failure"],
                counts["shared failure answered revoked"])
    if answered != (first, victim_failures - first) and "victim" not in uncertain_users:
        wrong += 1
        examples.append(f"victim: answers {answered}, expected {(first, victim_failures - first)}")
    if victim_failures > setup["threshold"]:
        expected[("victim", "account_revoked",
                  f"{setup['threshold'] + 1} consecutive failed logons")] += 1
    # The killed programs: what they decided must be there; what each had in flight
    # when it died may be (all of its rows, or none).
    must, may = casualties.rows()
    expected.update(must)
    optional.update(may)

    mismatches: list[str] = []
    with open_where(setup["where"]) as store:
        actual: Counter = Counter()
        for e in store.audit_events():
            if e.id > setup["start_id"]:
                actual[(e.user_id, e.event, _as_asked(e.event, e.detail))] += 1
        lost, duplicated = expected - actual, actual - (expected + optional)
        for report in reports.values():
            for user_id, state in report.get("states", {}).items():
                user = store.get_user(user_id)
                held = {"failed_logons": user.failed_logons,
                        "failures_since_logon": user.failures_since_logon,
                        "revoked": user.revoked,
                        "otp_last_step": user.otp_last_step,
                        "otp_burned_steps": list(user.otp_burned_steps)}
                if held != state or not user.integrity_ok:
                    mismatches.append(f"{user_id}: store {held}, expected {state}")
        for pair, race in setup["races"].items():
            if race["user"] in uncertain_users:
                continue
            user = store.get_user(race["user"])
            steps = [r.get("race_last_step") for r in reports.values()
                     if r.get("race_last_step") and r["index"] // 2 == pair]
            # Each round's winner clears the failures, its loser leaves one; a round
            # whose partner met a server that was away has a winner alone.
            want_failed = last_round.get(race["user"], []).count("otp_replay")
            # (Rounds nobody decided, the server being away, still moved the clocks.)
            last_step_ok = not steps or (user.otp_last_step == max(steps) if not unreachable
                                         else user.otp_last_step <= max(steps))
            if (user.failed_logons != want_failed or user.revoked or not user.integrity_ok
                    or not last_step_ok):
                mismatches.append(f"{race['user']}: failed {user.failed_logons}, "
                                  f"last step {user.otp_last_step}, revoked {user.revoked}")
        common = store.get_user("common")
        if common.failed_logons or common.revoked or not common.integrity_ok:
            mismatches.append("common: a failure was counted or its seal broke")
        victim = store.get_user("victim")
        if "victim" not in uncertain_users and (
                victim.failed_logons != victim_failures
                or victim.revoked != (victim_failures > setup["threshold"])
                or not victim.integrity_ok):
            mismatches.append(f"victim: {victim.failed_logons} failures counted of "
                              f"{victim_failures}, revoked {victim.revoked}")
        for user_id in setup["casualty_users"]:
            user = store.get_user(user_id)
            if user.revoked or user.failed_logons > 2 or not user.integrity_ok:
                mismatches.append(f"{user_id} (killed programs' user): "
                                  f"{user.failed_logons} failures, revoked {user.revoked}")
        left = store.list_sessions()
        # A program killed while logged on leaves its session (nobody is left to end
        # it); anything else must have been ended.
        orphans = [s for s in left if s.user_id in setup["casualty_users"]]
        if len(orphans) > casualties.killed:
            mismatches.append(f"{len(orphans)} sessions of killed programs, "
                              f"{casualties.killed} killed")
        # A logon whose commit's answer was lost may have opened a session its program
        # never heard of (the program said so; the row waits to be swept as stale).
        unheard = Counter(unconfirmed)
        unheard_left = []
        for session in left:
            if unheard[session.user_id] > 0 and session not in orphans:
                unheard[session.user_id] -= 1
                unheard_left.append(session)
        sessions = len(left) - len(orphans) - len(unheard_left)
        sound = store.integrity_check() == ["ok"]
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    logons = len(latencies)
    figures = {
        "processes": processes,
        "seconds": int(seconds) if float(seconds).is_integer() else seconds,
        "logons": logons,
        "logons_per_s": round(logons / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(0.50), 2), "p99_ms": round(percentile(0.99), 2),
        "admin_edits": admin_edits,
        "lost_audit_rows": sum(lost.values()),
        "duplicated_audit_rows": sum(duplicated.values()),
        "wrong_decisions": wrong, "locked_errors": locked,
        "other_errors": len(errors) - locked, "state_mismatches": len(mismatches),
        "sessions_left": sessions, "store_integrity_ok": sound,
        "store": "PostgreSQL" if setup["where"].startswith("postgresql://") else "SQLite",
        "connection_errors_told": unreachable, "commits_unconfirmed": uncertain,
        "killed_programs_sessions_left": len(orphans),
        "unconfirmed_logons_sessions_left": len(unheard_left),
        "audit_rows_checked": sum(actual.values()),
        "attempts": dict(sorted(counts.items())),
        "password_hashing": setup["profile"],
    }
    findings = list(problems)
    findings += [f"wrong decision: {w}" for w in examples[:10]]
    findings += [f"lost audit row x{n}: {k}" for k, n in list(lost.items())[:10]]
    findings += [f"duplicated audit row x{n}: {k}" for k, n in list(duplicated.items())[:10]]
    findings += [f"state: {m}" for m in mismatches[:10]]
    findings += [f"error: {e.strip().splitlines()[-1]}" for e in errors[:10]]
    if sessions:
        findings.append(f"{sessions} session(s) left open")
    if not sound:
        findings.append("the store's integrity check failed")
    figures["findings"] = findings
    figures["ok"] = not findings and all(
        figures[k] == 0 for k in ("lost_audit_rows", "duplicated_audit_rows",
                                  "wrong_decisions", "locked_errors", "other_errors",
                                  "state_mismatches", "sessions_left"))
    return figures


def report(figures: dict[str, Any]) -> str:
    rows = [
        ("processes", "seconds", "logons", "logons/s", "p50 latency", "p99 latency",
         "admin edits", "lost audit rows", "duplicated audit rows", "wrong decisions",
         "locked errors"),
        (str(figures["processes"]), f"{figures['seconds']:g}", str(figures["logons"]),
         f"{figures['logons_per_s']:.0f}", f"{figures['p50_ms']:.1f} ms",
         f"{figures['p99_ms']:.1f} ms", str(figures["admin_edits"]),
         str(figures["lost_audit_rows"]), str(figures["duplicated_audit_rows"]),
         str(figures["wrong_decisions"]), str(figures["locked_errors"])),
    ]
    attempts = ", ".join(f"{k} {v}" for k, v in figures["attempts"].items())
    lines = [
        table(f"Load: one {figures.get('store', 'SQLite')} store, many programs", rows), "",
        f"Attempts: {attempts}.",
        f"Audit rows checked: {figures['audit_rows_checked']}; other errors: "
        f"{figures['other_errors']}; state mismatches: {figures['state_mismatches']}; "
        f"sessions left: {figures['sessions_left']}; "
        f"integrity_check: {'ok' if figures['store_integrity_ok'] else 'FAILED'}.",
        f"Password hashing: {figures['password_hashing']}"
        + ("" if "t=3" in figures["password_hashing"] else
           " (the cheap test profile: the load is on the store, not on argon2; "
           "--production-hash for the real parameters)") + ".",
        "Latency: one logon() call (password check, decision, audit), log out excluded; "
        f"{os.cpu_count()} CPU(s).",
    ]
    if figures.get("server_restarts") or figures.get("killed_programs"):
        restarts = figures.get("server_restarts", [])
        lines.append(
            f"Faults: {figures.get('killed_programs', 0)} program(s) killed with SIGKILL "
            f"mid-run ({figures.get('killed_programs_attempts_checked', 0)} of their "
            f"attempts checked, {figures.get('killed_programs_sessions_left', 0)} of their "
            f"sessions left behind); {len(restarts)} server restart(s)"
            + (f" (down {', '.join(str(r['down_s']) for r in restarts)} s)" if restarts
               else "")
            + f"; {figures.get('connection_errors_told', 0)} attempts answered 'cannot be "
            f"reached'/'connection lost' (nothing decided), "
            f"{figures.get('commits_unconfirmed', 0)} whose commit's answer was lost "
            f"({figures.get('unconfirmed_logons_sessions_left', 0)} session(s) of such "
            "logons left for the stale-session sweep).")
    if figures["findings"]:
        lines += ["", "INVARIANTS FAILED:"] + [f"  {f}" for f in figures["findings"]]
    else:
        lines += ["", "All invariants held."]
    return "\n".join(lines)


_LATE = re.compile(r"; logged out at [0-9T:.+-]+, recorded late$")


def _as_asked(event: str, detail: str) -> str:
    """A log out the store could not take at once (the server away) is kept by the
    program and written with its next write, the detail saying when it really
    happened: it is the log out the worker asked for."""
    return _LATE.sub("", detail) if event == "logged_out" else detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--production-hash", action="store_true",
                        help="hash passwords with the production argon2 parameters")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"where to write the figures as JSON (default {OUTPUT}, "
                             f"{OUTPUT_PG} with --postgresql)")
    parser.add_argument("--data-dir", type=Path,
                        help="store folder to create (default: a temporary one, removed)")
    parser.add_argument("--postgresql", action="store_true",
                        help="a PostgreSQL store on a throwaway server (tests/pgcluster.py)")
    parser.add_argument("--restart-server-at", type=float, metavar="F",
                        help="with --postgresql: restart the server at this fraction of "
                             "the run (0-1)")
    parser.add_argument("--kill", type=int, default=0, metavar="N",
                        help="kill N extra programs with SIGKILL at random moments, each "
                             "replaced by a new one")
    args = parser.parse_args(argv)
    if args.processes < 1 or args.seconds <= 0:
        parser.error("--processes and --seconds must be positive")
    if args.restart_server_at is not None and not (
            args.postgresql and 0 < args.restart_server_at < 1):
        parser.error("--restart-server-at needs --postgresql and a fraction between 0 and 1")
    if args.kill < 0:
        parser.error("--kill must not be negative")
    output = args.output or (OUTPUT_PG if args.postgresql else OUTPUT)
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="tapemaster-load-"))
    if args.data_dir and (folder / "tapemaster.db").exists():
        parser.error(f"{folder} already holds a store; give a new folder")
    server = None
    try:
        if args.postgresql:
            # The site key goes to an owner-only file in the per-user folder: make that
            # the throwaway folder, for this process and the programs it starts.
            os.environ["XDG_DATA_HOME"] = str(folder / "home")
            sys.path.insert(0, str(ROOT / "tests"))
            import pgcluster

            try:
                server = pgcluster.Cluster.start(durable=True)
            except pgcluster.Unavailable as exc:
                print(f"load.py: PostgreSQL cannot run here: {exc}", file=sys.stderr)
                return 1
        figures = run_load(args.processes, args.seconds, folder, args.production_hash,
                           server, args.restart_server_at, args.kill)
    finally:
        if server is not None:
            server.stop()
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(figures))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nFigures written to {output}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
