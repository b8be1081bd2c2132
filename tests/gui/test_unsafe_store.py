"""What a user sees when the store's files are unsafe (issue 9 item 7) or the store is
replaced under a running program (issue 14 item 3): one clear message box, never a
traceback, and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.driving import log_on
from helpers import ADMIN_PASSWORD
from tapemaster_qt import app

posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def run_program(folder: Path, program: str = "TapeMaster") -> tuple[int, list[str]]:
    """``tapemaster --data-dir FOLDER`` as a user starts it; the first window it shows
    is cancelled. Its exit code and the windows it showed."""
    shown: list[str] = []

    def cancel_the_first_window() -> None:
        for widget in QApplication.topLevelWidgets():
            name = widget.objectName()
            if name in ("loginDialog", "firstRunDialog") and widget.isVisible():
                shown.append(name)
                poll.stop()
                widget.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).click()
                widget.deleteLater()
                return
        if len(shown) > 500:
            poll.stop()
            QApplication.exit(99)
        shown.append("")

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(cancel_the_first_window)
    poll.start()
    code = app.main(["--data-dir", str(folder)], program)
    poll.stop()
    return code, [s for s in shown if s]


@posix
def test_a_data_folder_anyone_may_write_is_refused_with_a_message(
        qtbot, boxes, tmp_path: Path, package_logging) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    code, _shown = run_program(folder)
    assert code == 1
    assert boxes.names() == ["storeErrorMessage"]  # one box, though the logs are refused too
    box = boxes.last()
    assert box.icon == "Critical"
    assert f"The folder {folder} can be changed by every user" in box.text
    assert f"chmod 700 '{folder}'" in box.text
    assert not (folder / "tapemaster.db").exists()


def test_a_dangling_store_link_is_refused_with_a_message(qtbot, boxes, tmp_path: Path,
                                                         package_logging) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    target = tmp_path / "planted.db"
    (folder / "tapemaster.db").symlink_to(target)
    code, _shown = run_program(folder, "Lite")
    assert code == 1
    assert "symbolic link" in boxes.last().text and boxes.last().icon == "Critical"
    assert not target.exists()


def test_a_log_file_link_is_reported_and_the_program_goes_on(qtbot, boxes, tmp_path: Path,
                                                             package_logging) -> None:
    folder = tmp_path / "data"
    (folder / "logs").mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (folder / "logs" / "tapemaster.log").symlink_to(victim)
    code, shown = run_program(folder)
    assert code == 0 and shown == ["firstRunDialog"]
    assert boxes.names() == ["logFileMessage"] and boxes.last().icon == "Warning"
    assert "tapemaster.log is a symbolic link" in boxes.last().text
    assert victim.read_text() == "precious\n"


# --- a store restored under a running program --------------------------------------------


@pytest.fixture
def key_file() -> Iterator[None]:
    """The key in store.key, so that the CLI in another process finds it."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def admin_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tapemaster_qt.cli", "--data-dir",
                           str(folder), *args], capture_output=True, text=True,
                          env=dict(os.environ), check=False, timeout=120)


@pytest.mark.usefixtures("key_file")
def test_lite_tells_its_user_to_restart_after_a_restore(qtbot, launch, boxes, data_dir: Path,
                                                        tmp_path: Path) -> None:
    lite = launch("Lite", heartbeat_ms=100)
    taken = tmp_path / "taken.db"
    assert admin_cli(data_dir, "backup", str(taken)).returncode == 0
    log_on(qtbot, lite, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: lite.main_window is not None and lite.main_window.isVisible())
    ended: list[int] = []
    lite.finished.connect(ended.append)

    result = admin_cli(data_dir, "restore", str(taken))
    assert result.returncode == 0, result.stderr
    assert "tapemaster in Lite" in result.stdout

    qtbot.waitUntil(lambda: ended == [1], timeout=10_000)
    assert boxes.last().object_name == "storeErrorMessage"
    assert boxes.last().icon == "Critical"
    assert "replaced while this program was running" in boxes.last().text
    assert "start it again" in boxes.last().text
    assert lite.main_window is None


@pytest.mark.usefixtures("key_file")
def test_a_logon_after_a_restore_says_restart(qtbot, launch, boxes, data_dir: Path,
                                              tmp_path: Path) -> None:
    lite = launch("Lite")
    taken = tmp_path / "taken.db"
    assert admin_cli(data_dir, "backup", str(taken)).returncode == 0
    assert admin_cli(data_dir, "restore", str(taken)).returncode == 0
    ended: list[int] = []
    lite.finished.connect(ended.append)
    log_on(qtbot, lite, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: ended == [1], timeout=10_000)
    assert "replaced while this program was running" in boxes.last().text
    assert lite.main_window is None
