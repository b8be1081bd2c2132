"""What the fault tests (test_faults_*.py) share: building stores, running the CLI and
the GUI against a damaged store, and the record behind docs/reliability.md.

``record`` appends one JSON line per fault class tried to the file named by
``TAPEMASTER_RELIABILITY_RESULTS`` (benchmarks/reliability_report.py sets it); without
it nothing is written. A test records only after its assertions passed.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from helpers import ADMIN_PASSWORD

RESULTS_ENV = "TAPEMASTER_RELIABILITY_RESULTS"
PASSWORD = "Alice-Secret-42"


def record(fault: str, how: str, times: int, result: str, **extra: Any) -> None:
    """One row of the reliability report: a fault, how it was caused, how many times,
    and what a user saw (or what the store held) each time."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    row = {"fault": fault, "how": how, "times": times, "result": result, **extra}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


# --- stores ------------------------------------------------------------------------------


def use_key_file() -> None:
    """The key in an owner-only file beside the store, as on headless Linux, so that
    child processes (CLI, workers) find it."""
    keyring.set_keyring(fail.Keyring())


def make_store(folder: Path, users: int = 0, otp_every: int = 3) -> None:
    """An initialised store: tapemaster's password, ``users`` users (u000, u001...;
    every ``otp_every``-th one with OTP enabled), all with password PASSWORD."""
    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
    from tapemaster_qt.services.setup import set_initial_password
    from tapemaster_qt.store import open_store

    with open_store(folder) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        set_initial_password(ctx, ADMIN_PASSWORD)
        admin = AdminService(ctx, Actor.for_cli())
        for n in range(users):
            admin.add_user({"user_id": f"u{n:03d}", "name": f"User {n}",
                            "otp_enabled": n % otp_every == 0}, PASSWORD)


def store_files(folder: Path) -> dict[str, bytes]:
    """Every file of the store folder that SQLite or the key may write, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and (p.name.startswith("tapemaster.db") or p.name == "store.key")}


# --- the CLI as support staff run it -----------------------------------------------------


def cli(data_dir: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tapemaster_qt.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env or dict(os.environ), check=False)


def cli_refused(data_dir: Path, *args: str, **kwargs: Any) -> str:
    """Exit code 1 and one clear line on stderr, no traceback: that line."""
    result = cli(data_dir, *args, **kwargs)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tapemaster-admin: error: "), lines
    return lines[0]


# --- the GUI -----------------------------------------------------------------------------


@dataclass
class Boxes:
    shown: list[tuple[str, str, str]] = field(default_factory=list)
    """(objectName, title, text + informative text) of every message box shown."""
    answer: Any = None
    """The button a question is answered with (None: OK, which declines a question)."""

    def names(self) -> list[str]:
        return [b[0] for b in self.shown]

    def text(self) -> str:
        return "\n".join(b[2] for b in self.shown)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    """Message boxes answered in-line (OK) and recorded: no test waits on a modal box."""
    from PySide6.QtWidgets import QMessageBox

    from tapemaster_qt.ui import msgbox

    seen = Boxes()

    def fake_exec(box: QMessageBox) -> QMessageBox.StandardButton:
        seen.shown.append((box.objectName(), box.windowTitle(),
                           (box.text() + "\n" + box.informativeText()).strip()))
        if seen.answer is not None and seen.answer & box.standardButtons():
            return seen.answer
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(msgbox, "_exec", fake_exec)
    return seen




def gui_start(folder: Path, program: str = "TapeMaster") -> int:
    """``tapemaster --data-dir FOLDER`` in this process, as a user starts it; its exit
    code. Only for stores that cannot be used: a logon dialog would wait for a user,
    so after 20 s without an end the program is stopped (exit code 99)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tapemaster_qt import app

    guard = QTimer()
    guard.setSingleShot(True)
    guard.setInterval(20_000)
    guard.timeout.connect(lambda: QApplication.exit(99))
    guard.start()
    try:
        return app.main(["--data-dir", str(folder)], program=program)
    finally:
        guard.stop()


def visible_windows() -> list[str]:
    from PySide6.QtWidgets import QApplication

    return [w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()]


class Programs:
    """Programs (controllers) a user started on a store folder; closed afterwards."""

    def __init__(self) -> None:
        self.made: list[Any] = []

    def start(self, folder: Path, program: str = "TapeMaster", *,
              busy_timeout_ms: int = 5000, clock: Any = None, **controller_args: Any) -> Any:
        from tapemaster_qt.app import Controller, UiState
        from tapemaster_qt.services import Context
        from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
        from tapemaster_qt.store import open_store

        ctx = Context(open_store(folder, busy_timeout_ms=busy_timeout_ms), program=program,
                      hasher=PasswordHasher(TESTS_ONLY))
        if clock is not None:
            ctx.clock = clock
        controller = Controller(ctx, UiState(folder), **controller_args)
        self.made.append(controller)
        controller.start()
        return controller

    def close(self) -> None:
        for controller in self.made:
            try:
                controller.close()
            except Exception:  # a store on a damaged disk may refuse the log out
                logging.getLogger(__name__).info("closing a program failed", exc_info=True)


@pytest.fixture
def programs(qtbot: Any, boxes: Boxes) -> Iterator[Programs]:
    made = Programs()
    yield made
    made.close()


# --- a store on its own file system --------------------------------------------------------


def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and sys.platform.startswith("linux")


class Tmpfs:
    """A small tmpfs mounted for one test (root only): a disk that fills up, or that
    is remounted read-only under a running store."""

    def __init__(self, where: Path, size_kib: int) -> None:
        self.where = where
        where.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(where)],
            capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.where)], check=True)

    def fill(self) -> Path:
        """Take every free byte with a filler file; the file (delete it to free them)."""
        filler = self.where / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError:
                    continue
        finally:
            os.close(fd)
        return filler

    def unmount(self) -> None:
        if subprocess.run(["umount", str(self.where)], capture_output=True,
                          check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(self.where)], check=False)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Any]:
    """``tmpfs(size_kib)`` mounts one under tmp_path (skips unless root on Linux)."""
    if not can_mount():
        pytest.skip("mounting a small file system needs root on Linux")
    mounted: list[Tmpfs] = []

    def mount(size_kib: int = 2048) -> Tmpfs:
        fs = Tmpfs(tmp_path / f"fs{len(mounted)}", size_kib)
        mounted.append(fs)
        return fs

    yield mount
    for fs in mounted:
        fs.unmount()
