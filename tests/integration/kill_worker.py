"""A program that test_faults_kill.py kills with SIGKILL at a random moment.

Run as ``python kill_worker.py DATA_DIR TAG START SEED PREFIX``. It opens the store as
every program does (key file, production code paths, the cheap TESTS_ONLY argon2
profile), then saves and logs on without pause, only ever touching the users whose
User-ID starts with PREFIX (another worker may own others). ``TAG`` is the host name
in its Context, so its audit rows and sessions can be told from everyone else's.

One JSON line per event on stdout, flushed:
- ``{"k": "R"}`` once the store is open (ready);
- ``{"k": "B", "op": ...}`` before an operation;
- ``{"k": "D", "op": ..., "status": ..., "rows": [[id, event, user_id], ...],
  "session": id|null, "user": {...}|null}`` after it returned, i.e. after its COMMIT:
  the audit rows it wrote and the user's state as the store then held it;
- ``{"k": "X", "error": traceback}`` when something unexpected happened (the test fails).

The test reads the lines after the kill: everything reported ``D`` must be in the store,
and the one operation begun but not reported may be there completely or not at all.
"""

from __future__ import annotations

import json
import random
import sys
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: helpers

from helpers import rfc_totp

PASSWORD = "Alice-Secret-42"
WRONG = "Wrong-Password-0"
MAX_OWNED = 8


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def say(kind: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"k": kind, **data}) + "\n")
    sys.stdout.flush()


def state(user: Any) -> dict[str, Any] | None:
    """What the test compares after the kill."""
    if user is None:
        return None
    return {"name": user.name, "description": user.description,
            "otp_enabled": user.otp_enabled, "otp_activated": user.otp_activated,
            "revoked": user.revoked, "failed_logons": user.failed_logons}


def main(argv: list[str]) -> int:
    data_dir, tag, start, seed, prefix = argv[1], argv[2], float(argv[3]), int(argv[4]), argv[5]
    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.auth import LogonService, LogonStatus
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
    from tapemaster_qt.store import open_store

    rng = random.Random(seed)
    clock = Clock(start)
    store = open_store(Path(data_dir))
    ctx = Context(store, program="TapeMaster", host=tag, clock=clock,
                  hasher=PasswordHasher(TESTS_ONLY))
    admin = AdminService(ctx, Actor(name=f"admin@{tag}", cli=True))
    logon = LogonService(ctx)
    _ = store.key
    last_row = max((e.id for e in store.audit_events(limit=1)), default=0)
    sessions: dict[int, str] = {}
    counter = 0
    say("R")

    def rows_since() -> list[list[Any]]:
        """This program's audit rows written since the last call (the other program's
        rows in between are skipped, however many)."""
        nonlocal last_row
        mine, before = [], None
        while True:
            page = store.audit_events(before_id=before, limit=256)
            mine += [e for e in page if e.id > last_row and e.host == tag]
            if not page or page[-1].id <= last_row:
                break
            before = page[-1].id
        if mine:
            last_row = max(e.id for e in mine)
        return [[e.id, e.event, e.user_id] for e in sorted(mine, key=lambda e: e.id)]

    def code_for(user_id: str) -> str:
        user = store.get_user(user_id)
        secret = store.decrypt_otp_secret(user)
        assert secret is not None, user_id
        return rfc_totp(secret, clock.now)

    def expect(outcome: Any, *statuses: Any) -> str:
        if outcome.status not in statuses:
            raise AssertionError(f"{outcome.status} not in {statuses}")
        return str(outcome.status.value)

    while True:
        counter += 1
        clock.now += 30  # every operation in a new time step: fresh codes
        owned = sorted(u.user_id for u in store.list_users() if u.user_id.startswith(prefix))
        user_id = rng.choice(owned)
        user = store.get_user(user_id)
        assert user is not None
        kind = rng.choices(
            ["update", "otp", "add", "delete", "fail", "logon", "logout"],
            weights=[25, 12, 4, 2, 20, 30, 7])[0]
        if user.revoked:
            kind = "unlock"
        elif (kind == "add" and len(owned) >= MAX_OWNED) or (kind == "delete" and len(owned) <= 3):
            kind = "update"
        elif kind == "logout" and not sessions:
            kind = "logon"
        op: dict[str, Any] = {"kind": kind, "user": user_id}
        if kind == "update":
            op["name"] = f"{tag} {counter}"
            op["description"] = f"saved {counter}"
        elif kind == "otp":
            op["otp_enabled"] = not user.otp_enabled
        elif kind == "add":
            op["user"] = user_id = f"{prefix}{tag}n{counter}"
            op["otp_enabled"] = rng.random() < 0.5
            op["name"] = f"added {counter}"
        elif kind == "logon":
            if user.otp_enabled and user.otp_activated:
                op["mode"] = "code"
                op["replay"] = rng.random() < 0.3
            elif user.otp_enabled:
                op["mode"] = rng.choice(["enrol", "activate"])
            else:
                op["mode"] = "password"
        elif kind == "logout":
            op["session"] = rng.choice(sorted(sessions))
            op["user"] = user_id = sessions[op["session"]]
        say("B", op=op)

        session_id = None
        if kind == "update":
            admin.update_user(user_id, {"name": op["name"], "description": op["description"]})
            status = "saved"
        elif kind == "otp":
            admin.set_otp(user_id, op["otp_enabled"])
            status = "saved"
        elif kind == "add":
            admin.add_user({"user_id": user_id, "name": op["name"],
                            "otp_enabled": op["otp_enabled"]}, PASSWORD)
            status = "saved"
        elif kind == "delete":
            admin.delete_users([user_id])
            for sid in [s for s, u in sessions.items() if u == user_id]:
                del sessions[sid]
            status = "saved"
        elif kind == "unlock":
            admin.unlock(user_id)
            status = "saved"
        elif kind == "fail":
            status = expect(logon.logon(user_id, WRONG), LogonStatus.AUTHORIZATION_FAILURE)
        elif kind == "logout":
            sid = op["session"]
            logon.logout(_session(sid, user_id), "kill test")
            del sessions[sid]
            status = "logged_out"
        else:
            mode = op["mode"]
            code = code_for(user_id) if mode in ("code", "activate") else ""
            wanted = {"code": LogonStatus.SUCCESS, "enrol": LogonStatus.ENROLMENT,
                      "activate": LogonStatus.ACTIVATED,
                      "password": LogonStatus.SUCCESS}[mode]
            outcome = logon.logon(user_id, PASSWORD, code)
            status = expect(outcome, wanted)
            assert outcome.session is not None
            session_id = outcome.session.session_id
            sessions[session_id] = user_id
        say("D", op=op, status=status, rows=rows_since(), session=session_id,
            user=state(store.get_user(user_id)))

        if kind == "logon" and op.get("replay"):
            # The same code again, in the same time step: refused, and counted.
            replay = {"kind": "replay", "user": user_id}
            say("B", op=replay)
            status = expect(logon.logon(user_id, PASSWORD, code), LogonStatus.OTP_REPLAY)
            say("D", op=replay, status=status, rows=rows_since(), session=None,
                user=state(store.get_user(user_id)))


def _session(session_id: int, user_id: str) -> Any:
    from tapemaster_qt.services.auth import Session

    return Session(session_id=session_id, user_id=user_id, name="", program="TapeMaster",
                   tapemaster_rights=False, no_timeout=False)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BaseException:
        say("X", error=traceback.format_exc())
        raise
