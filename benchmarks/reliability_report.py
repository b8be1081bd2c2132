"""docs/reliability.md from a run: the fault tests, what each tried, how often, and what
a user saw or the store held.

Runs ``tests/integration/test_faults_*.py`` with pytest (``--soak``: their long
variants too), collecting the rows each test records once its assertions passed
(``TAPEMASTER_RELIABILITY_RESULTS``), and writes the table. The "Load" and "Hostile
input" sections come from ``build/reliability/load.json`` and
``build/reliability/hostile.json`` when those exist (written by the load test and the
hostile-input tests; ``make soak`` runs the long load).

    .venv/bin/python benchmarks/reliability_report.py            # about a minute
    .venv/bin/python benchmarks/reliability_report.py --soak     # about 5 minutes more

Exits 1 when a test failed (the report then says so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from common import ROOT

OUT_DIR = ROOT / "build" / "reliability"
RESULTS = OUT_DIR / "faults.jsonl"
JUNIT = OUT_DIR / "faults-junit.xml"
LOAD = OUT_DIR / "load.json"
HOSTILE = OUT_DIR / "hostile.json"
REPORT = ROOT / "docs" / "reliability.md"
TESTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "integration").glob(
    "test_faults_*.py"))
ORDER = [
    "Kill -9 during admin saves and logons", "Store file corrupt", "Store file truncated",
    "Store replaced by a non-SQLite file", "Store on a read-only folder",
    "Store on a full disk", "Store locked longer than the busy timeout",
    "Keyring backend raising errors", "Store key missing", "Store key wrong for this store",
    "Store key damaged", "Key file with loose permissions",
    "Clock jumps backwards between logons", "Clock jumps forwards between logons",
    "Stale session of a crashed process", "Running session whose user changed",
    "Store key deleted while a program runs", "Log out on a full disk",
    "Two First Run dialogs racing", "Long session in one process",
]
SESSIONS = [
    "## Running sessions", "",
    "A logged-on program re-reads its session and its user (by the user's immutable "
    "uid) at every heartbeat, once a minute, and the services do the same before every "
    "action done for the user. What each beat can find, and what the program does:", "",
    "| The heartbeat finds | The program |", "|---|---|",
    "| the user disabled, revoked, deleted (even if added again), without Client Access "
    "to this program, with One Time Password switched on or renewed, or failing the "
    "integrity check | logs out; the logon dialog says why (\"You were logged out: an "
    "administrator disabled your User-ID.\"); audited `session_ended` |",
    "| the session ended by an administrator (Disconnect, `session end`) | logs out; "
    "\"…an administrator (NAME) ended your session.\"; audited `logged_out` "
    "(\"disconnected by NAME\") after the administrator's `session_ended` |",
    "| tapemaster rights removed | closes the administration windows and greys the "
    "Administration menu, says so; stays logged on (rights given back: the menu "
    "returns) |",
    "| No Time-Out changed | the idle limit follows from this beat on |",
    "| the store key gone from the keyring or key file | asks once to write it back "
    "from memory; no new OTP secret is made until it is there |",
    "| its own session row removed as stale (suspended, clock jump) | puts it back, "
    "for the same user only |",
    "| the store replaced (a backup restored, another copy put in its place) | says so "
    "and closes: nothing more is written to it, not even the log out |",
    "| **the store cannot be reached** (locked, full, a lost connection) | decides "
    "nothing: stays as it was, says so in a banner in the main window (\"The user "
    "store cannot be reached; trying again every 10 seconds…\") and tries again every "
    "10 s until a "
    "beat gets through, which then decides; actions meanwhile fail with the store's "
    "own message |", "",
    "A log out the store refuses (a full disk) is kept and written at the program's "
    "next write (its next logon or beat) with the time it happened (\"recorded "
    "late\"), or at exit, where a message says so if it still cannot be. The One Time "
    "Password Setup popup belongs to the session: the heartbeat and the idle limit run "
    "while it is open. A session whose last heartbeat is more than 5 minutes in the "
    "future is stale, like one not seen for 5 minutes.", "",
]


def run_tests(soak: bool) -> tuple[int, float, str]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for path in (RESULTS, JUNIT):
        path.unlink(missing_ok=True)
    marker = "not dist" if soak else "not dist and not soak"
    command = [sys.executable, "-m", "pytest", *TESTS, "-m", marker, "-q", "-rs",
               "-p", "no:cacheprovider", f"--junitxml={JUNIT}"]
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["TAPEMASTER_RELIABILITY_RESULTS"] = str(RESULTS)
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    return result.returncode, time.monotonic() - started, " ".join(command[1:])


def junit_summary() -> dict[str, Any]:
    if not JUNIT.exists():
        return {"tests": 0, "failures": 0, "errors": 0, "skipped": [], "time": 0.0}
    suite = ET.parse(JUNIT).getroot()  # noqa: S314 - our own pytest run's file
    suite = suite.find("testsuite") if suite.tag == "testsuites" else suite
    assert suite is not None
    skipped = []
    for case in suite.iter("testcase"):
        skip = case.find("skipped")
        if skip is not None:
            skipped.append((case.get("name", ""), skip.get("message", "")))
    return {"tests": int(suite.get("tests", 0)), "failures": int(suite.get("failures", 0)),
            "errors": int(suite.get("errors", 0)), "skipped": skipped,
            "time": float(suite.get("time", 0.0))}


def rows() -> list[dict[str, Any]]:
    if not RESULTS.exists():
        return []
    return [json.loads(line) for line in RESULTS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def fault_table(records: list[dict[str, Any]]) -> list[str]:
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        key = (r["fault"], r["how"])
        entry = grouped.setdefault(key, {"times": 0, "results": []})
        entry["times"] += r["times"]
        if r["result"] not in entry["results"]:
            entry["results"].append(r["result"])
    rank = {name: n for n, name in enumerate(ORDER)}
    lines = ["| Fault | How it was caused | Times | Result |", "|---|---|---:|---|"]
    totals: dict[str, int] = defaultdict(int)
    for (fault, how), entry in sorted(grouped.items(),
                                      key=lambda kv: (rank.get(kv[0][0], 99), kv[0][1])):
        totals[fault] += entry["times"]
        result = "; ".join(entry["results"]).replace("|", "\\|")
        lines.append(f"| {fault} | {how.replace('|', '/')} | {entry['times']} | {result} |")
    lines += ["", "| Fault class | Times tried, all passed |", "|---|---:|"]
    lines += [f"| {fault} | {n} |" for fault, n in
              sorted(totals.items(), key=lambda kv: rank.get(kv[0], 99))]
    return lines


def kill_details(records: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in records:
        if not r["fault"].startswith("Kill -9"):
            continue
        ops = ", ".join(f"{k} {v}" for k, v in sorted(r.get("operations", {}).items(),
                                                        key=lambda kv: -kv[1]))
        lines.append(f"- {r['how']}: seed {r.get('seed')}, {r.get('seconds')} s, "
                     f"{r.get('audit_rows')} audit rows checked; operations reported "
                     f"committed: {ops}.")
    return lines


def load_section() -> list[str]:
    lines = ["## Load", "",
             "<!-- Filled from build/reliability/load.json (benchmarks/load.py, or the load "
             "test under make soak). -->", ""]
    if not LOAD.exists():
        return [*lines, "Not run with this report: `make soak` (or "
                "`.venv/bin/python benchmarks/load.py`) writes "
                "`build/reliability/load.json`; then rerun this script."]
    figures = json.loads(LOAD.read_text(encoding="utf-8"))
    stamp = datetime.fromtimestamp(LOAD.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    keys = [("processes", "Processes"), ("seconds", "Seconds"), ("logons", "Logons"),
            ("logons_per_s", "Logons/s"), ("p50_ms", "p50 (ms)"), ("p99_ms", "p99 (ms)"),
            ("lost_audit_rows", "Lost audit rows"),
            ("duplicated_audit_rows", "Duplicated audit rows"),
            ("wrong_decisions", "Wrong decisions"), ("locked_errors", "'Locked' errors")]
    header = [label for key, label in keys if key in figures]
    values = []
    for key, _ in keys:
        if key in figures:
            value = figures[key]
            values.append(f"{value:.1f}" if isinstance(value, float) else str(value))
    return [*lines, f"From `build/reliability/load.json` written {stamp}.", "",
            "| " + " | ".join(header) + " |", "|" + "---:|" * len(header),
            "| " + " | ".join(values) + " |"]


def hostile_section() -> list[str]:
    lines = ["## Hostile input", "",
             "<!-- Filled from build/reliability/hostile.json (the hostile-input tests). -->",
             ""]
    if not HOSTILE.exists():
        return [*lines, "Not run with this report: the hostile-input tests write "
                "`build/reliability/hostile.json`; then rerun this script."]
    data = json.loads(HOSTILE.read_text(encoding="utf-8"))
    stamp = datetime.fromtimestamp(HOSTILE.stat().st_mtime, UTC).strftime(
        "%Y-%m-%d %H:%M UTC")
    lines += [f"From `build/reliability/hostile.json` written {stamp}.", "",
              "| Input class | Examples | Result |", "|---|---:|---|"]
    for c in data.get("classes", []):
        lines.append(f"| {c.get('name', '')} | {c.get('examples', '')} | "
                     f"{str(c.get('result', '')).replace('|', '/')} |")
    return lines


def machine() -> str:
    try:
        from PySide6 import __version__ as pyside
    except ImportError:  # the report does not need Qt itself
        pyside = "not installed"
    return (f"{platform.system()} {platform.release()} ({platform.machine()}), "
            f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, PySide6 {pyside}; "
            f"running as {'root' if hasattr(os, 'geteuid') and os.geteuid() == 0 else 'a user'}")


def write_report(code: int, seconds: float, soak: bool, command: str) -> None:
    records = rows()
    summary = junit_summary()
    passed = summary["tests"] - summary["failures"] - summary["errors"] - len(
        summary["skipped"])
    rerun = "`.venv/bin/python benchmarks/reliability_report.py" + (" --soak`" if soak else "`")
    lines = [
        "# Reliability",
        "",
        "What happens to TapeMaster Qt's store, logons and windows when things go wrong: "
        "each fault below is a test in `tests/integration/test_faults_*.py`; the table "
        "says how the fault was caused, how many times, and what a user saw or the store "
        "held each time. Generated by `benchmarks/reliability_report.py` from the run "
        "described here; do not edit by hand.",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        f"- Command: {rerun} (runs `python {command}`)",
        f"- Outcome: {passed} passed, {summary['failures'] + summary['errors']} failed, "
        f"{len(summary['skipped'])} skipped; {seconds:.0f} s wall time "
        f"({'with' if soak else 'without'} the soak variants)",
        "",
        "`make test` runs the short variants (the kill -9 campaign: 15 rounds, 30 kills); "
        "`make soak` runs the long ones (`pytest -m soak`: 250 rounds, 500 kills, "
        "`TAPEMASTER_SOAK_KILL_ROUNDS` to change; and the one-minute load run).",
        "",
    ]
    if code != 0 and summary["failures"] + summary["errors"]:
        lines += ["**Some tests failed in this run: the figures below are incomplete.**", ""]
    elif code != 0:
        lines += [f"**pytest exited with code {code} although every test passed (a crash "
                  "at exit?): this run does not count.**", ""]
    lines += ["## Faults", "", *fault_table(records), "", *SESSIONS]
    details = kill_details(records)
    if details:
        lines += [
            "### Kill -9 campaigns", "",
            "Each round: two programs on one store, each saving users (names, descriptions, "
            "One Time Password on/off, new users, deletions, unlocks) and logging on "
            "(passwords, codes, enrolment, activation, wrong passwords, replays, log outs) "
            "without pause, each killed with SIGKILL at a random moment; then the store is "
            "reopened and every operation reported committed, its audit rows, each user's "
            "state, every session and the store's invariants are checked (see the test's "
            "docstring).", "", *details, ""]
    if summary["skipped"]:
        lines += ["### Skipped here", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in summary["skipped"]] + [""]
    lines += [*load_section(), "", *hostile_section(), ""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print(f"Report written to {REPORT.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak", action="store_true", help="run the soak variants too")
    parser.add_argument("--no-run", action="store_true",
                        help="write the report from the results of the last run")
    args = parser.parse_args(argv)
    if args.no_run:
        code, seconds, command = 0, junit_summary()["time"], "-m pytest (earlier run)"
    else:
        code, seconds, command = run_tests(args.soak)
    write_report(code, seconds, args.soak, command)
    return 1 if code else 0


if __name__ == "__main__":
    sys.exit(main())
