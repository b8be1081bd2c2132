"""A program on a store, in a process of its own, that the test drives line by line.

    python -m integration.program_worker DATA_DIR PROGRAM

Each line on stdin is one command; each answer is one JSON line on stdout:

    logon USER PASSWORD   {"status": "success"} (LogonStatus value) or an error
    add N PREFIX          N users PREFIX000... added by the CLI actor: {"added": N}
    heartbeat             the session of the last successful logon: {"alive": bool}
    check                 Store.check_same_store(): {"same": true}
    users                 {"users": [...]} as this program reads them
    close                 closes the store: {"closed": true}

An error is ``{"error": "<class name>", "message": "..."}``; the worker goes on.
It uses the cheap TESTS_ONLY hasher and the key file beside the store.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(data_dir: str, program: str) -> None:
    from tapemaster_qt.errors import TapeMasterError
    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.auth import LogonService
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
    from tapemaster_qt.store import open_store

    store = open_store(Path(data_dir))
    ctx = Context(store, program=program, hasher=PasswordHasher(TESTS_ONLY))
    logon = LogonService(ctx)
    admin = AdminService(ctx, Actor.for_cli())
    session = None
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        answer: dict[str, Any]
        try:
            if words[0] == "logon":
                outcome = logon.logon(words[1], words[2])
                if outcome.session is not None:
                    session = outcome.session
                answer = {"status": outcome.status.value}
            elif words[0] == "add":
                for n in range(int(words[1])):
                    admin.add_user({"user_id": f"{words[2]}{n:03d}", "name": "X" * 60},
                                   "Alice-Secret-42")
                answer = {"added": int(words[1])}
            elif words[0] == "heartbeat":
                assert session is not None
                answer = {"alive": logon.heartbeat(session)}
            elif words[0] == "check":
                store.check_same_store()
                answer = {"same": True}
            elif words[0] == "users":
                answer = {"users": sorted(u.user_id for u in store.list_users())}
            elif words[0] == "close":
                store.close()
                print(json.dumps({"closed": True}), flush=True)
                return
            else:
                answer = {"error": "Usage", "message": line}
        except TapeMasterError as exc:
            answer = {"error": type(exc).__name__, "message": exc.message}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
