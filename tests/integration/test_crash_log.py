"""Crash logs: a windowed program that dies natively leaves its Python traceback in the
log folder; one that ends normally leaves nothing; leftovers of killed programs go.

The programs run as processes (a native crash ends the process), started through
``app.main`` exactly as the installed ``tapemaster`` command starts them.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tapemaster_qt import logsetup

pytestmark = pytest.mark.slow

# Controller.start is what main() runs first in its event loop; replacing it gives
# a program that is fully set up (QApplication, logging, crash log) and then crashes
# or ends.
PROGRAM = """
import faulthandler, sys
from tapemaster_qt import app

def crash(self):
    faulthandler._sigsegv()  # a segmentation fault, as in a Qt library

def end(self):
    self.finished.emit(0)

app.Controller.start = {start}
sys.exit(app.main(["--data-dir", sys.argv[1]], "Checkpoint"))
"""


def run_program(data_dir: Path, start: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    environment.pop("PYTHONFAULTHANDLER", None)
    return subprocess.run([sys.executable, "-c", PROGRAM.format(start=start), str(data_dir)],
                          capture_output=True, text=True, timeout=120, env=environment,
                          check=False)


def crash_logs(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "logs").glob("crash-*.log"))


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX signal")
def test_a_native_crash_leaves_its_traceback_in_the_log_folder(tmp_path: Path) -> None:
    result = run_program(tmp_path, "crash")
    assert result.returncode != 0
    # Nothing on the console a windowed program does not have...
    assert "Fatal Python error" not in result.stderr
    # ...everything in one crash log named after the program and its process.
    [log] = crash_logs(tmp_path)
    assert log.name.endswith(".log") and "-tapetrack-checkpoint-" in log.name
    text = log.read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in text
    assert "most recent call first" in text and "in crash" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600  # the owner's only
    assert (tmp_path / "logs" / "tapemaster.log").is_file()


def test_a_normal_exit_leaves_no_crash_log(tmp_path: Path) -> None:
    result = run_program(tmp_path, "end")
    assert result.returncode == 0, result.stderr
    assert crash_logs(tmp_path) == []
    log = (tmp_path / "logs" / "tapemaster.log").read_text(encoding="utf-8")
    assert "Checkpoint" in log and "exiting with 0" in log


def test_a_start_removes_empty_crash_logs_of_programs_that_are_gone(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    killed = folder / "crash-20261128-100000-tapemaster-4242.log"  # kill -9: empty, no owner
    killed.touch()
    crashed = folder / "crash-20261128-090000-tapemaster-4241.log"
    crashed.write_text("Fatal Python error: Aborted\n", encoding="utf-8")
    running = folder / "crash-20261128-110000-tapetrack-lite-4243.log"
    running.touch()
    other = folder / "tapemaster.log"
    other.touch()
    if sys.platform == "win32":
        pytest.skip("Windows: a running program's crash log cannot be removed at all")
    import fcntl

    # The running program holds its crash log locked for as long as it lives.
    with running.open("r") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        logsetup._sweep(folder)
    assert not killed.exists()
    assert crashed.read_text(encoding="utf-8") == "Fatal Python error: Aborted\n"
    assert running.exists() and other.exists()


def test_a_symlinked_crash_log_is_left_alone(tmp_path: Path) -> None:
    """A link planted in the log folder is neither followed nor removed."""
    folder = tmp_path / "logs"
    folder.mkdir()
    target = tmp_path / "precious"
    target.write_text("", encoding="utf-8")
    link = folder / "crash-20261128-100000-tapemaster-1.log"
    link.symlink_to(target)
    logsetup._sweep(folder)
    assert link.is_symlink() and target.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_planted_as_a_crash_log_does_not_hang_the_start(tmp_path: Path) -> None:
    """The start sweeps empty crash logs, and opened each for reading: a FIFO planted
    in the log folder (beside a store chosen with --data-dir, maybe a shared one) made
    every program wait for a writer before its first window (REVIEW-1 finding 6). The
    child's timeout is only the safeguard that turns such a hang into a failure."""
    (tmp_path / "logs").mkdir()
    fifo = tmp_path / "logs" / "crash-20261128-100000-tapemaster-4242.log"
    os.mkfifo(fifo, 0o600)
    result = run_program(tmp_path, "end")
    assert result.returncode == 0, result.stderr[-2000:]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # not ours to remove: left alone
