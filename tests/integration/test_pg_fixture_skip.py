"""Without PostgreSQL the PostgreSQL tests skip with a reason, except under
TAPEMASTER_REQUIRE_PG=1 (CI), where they fail: run on a machine made to lack it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent

CONFTEST = '''
import pgcluster

def _missing():
    raise pgcluster.Unavailable("PostgreSQL 15 or newer is not installed (test)")

pgcluster.find_bindir = _missing
'''


@pytest.mark.parametrize(("require", "exit_code", "expected"), [
    ("", 0, "SKIPPED [1] test_needs_pg.py:1: PostgreSQL 15 or newer is not installed (test)"),
    ("1", 1, "TAPEMASTER_REQUIRE_PG=1, but PostgreSQL 15 or newer is not installed (test)"),
])
def test_a_machine_without_postgresql(tmp_path: Path, require: str, exit_code: int,
                                      expected: str) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_needs_pg.py").write_text("def test_it(pg_database):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env.update(PYTHONPATH=os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]),
               TAPEMASTER_REQUIRE_PG=require)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pgfixtures", "-p", "no:cacheprovider",
         "-rs", "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert expected in result.stdout
    assert "warning" not in result.stdout.lower()
