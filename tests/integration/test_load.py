"""Many programs on one store at once (issue 4, Load): ``benchmarks/load.py`` run as
support staff would run it, its invariants asserted.

The script spawns the worker processes, knows the expected decision of every attempt
in advance (a model per user, synthetic clocks) and checks the store afterwards; these
tests only read its verdict. ``test_load_short`` is part of ``make test`` (16 processes
for 8 seconds); ``test_load_soak`` is the full minute (``make soak``) and writes the
figures to ``build/reliability/load.json``. On a PostgreSQL store (``--postgresql``, a
throwaway server of the script's own), ``test_load_pg_with_faults`` adds programs
killed with SIGKILL and a server restart in the middle of the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "load.py"
INVARIANTS = ("lost_audit_rows", "duplicated_audit_rows", "wrong_decisions", "locked_errors",
              "other_errors", "state_mismatches", "sessions_left")
KINDS = ("right code", "wrong code", "replay", "skewed code", "wrong password",
         "right password", "unknown user", "shared user", "shared failure", "race")


def run_load(processes: int, seconds: int, output: Path, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--processes", str(processes), "--seconds", str(seconds),
         "--output", str(output), *extra],
        capture_output=True, text=True, timeout=seconds + 240, cwd=SCRIPT.parent,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All invariants held." in result.stdout
    return json.loads(output.read_text(encoding="utf-8"))


def check(figures: dict, processes: int) -> None:
    assert figures["processes"] == processes
    for name in INVARIANTS:
        assert figures[name] == 0, (name, figures["findings"])
    assert figures["findings"] == []
    assert figures["store_integrity_ok"]
    assert figures["logons"] > 0 and figures["admin_edits"] > 0
    # Every kind of attempt really happened, or the run proved less than it claims.
    missing = [k for k in KINDS if figures["attempts"].get(k, 0) == 0]
    assert not missing, missing
    for key in ("logons_per_s", "p50_ms", "p99_ms"):
        assert figures[key] > 0


@pytest.mark.slow
def test_load_short(tmp_path: Path) -> None:
    figures = run_load(16, 8, tmp_path / "load.json")
    check(figures, 16)


@pytest.mark.soak
def test_load_soak() -> None:
    output = ROOT / "build" / "reliability" / "load.json"
    figures = run_load(16, 60, output)
    check(figures, 16)


@pytest.mark.slow
def test_load_pg_with_faults(pg_server, tmp_path: Path) -> None:
    """8 desktops on one server; 2 more programs killed with SIGKILL mid-run (each
    replaced), and the server restarted half-way: every invariant still holds, the
    programs told their users and went on, and the server really was away."""
    figures = run_load(8, 10, tmp_path / "load-pg.json", "--postgresql",
                       "--restart-server-at", "0.5", "--kill", "2")
    check(figures, 8)
    assert figures["store"] == "PostgreSQL"
    assert figures["killed_programs"] == 2 and figures["killed_programs_attempts_checked"] > 0
    assert len(figures["server_restarts"]) == 1
    assert figures["connection_errors_told"] > 0
