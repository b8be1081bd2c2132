"""``--self-test`` from the installed package (the frozen programs run it in tests/dist).

A separate process, as support staff run it: a whole OTP logon on a temporary store
with the production argon2 profile, the logon dialog and the QR popup rendered
offscreen, exit code 0; a failed check prints why and exits 1; nothing is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tapemaster_qt import __version__

pytestmark = pytest.mark.slow


def self_test(tmp_path: Path, code: str | None = None,
              program: str = "TapeMaster") -> subprocess.CompletedProcess[str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch))
    if code is None:
        command = [sys.executable, "-m", "tapemaster_qt", "--self-test"]
    else:
        command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_self_test_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = self_test(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lines = result.stdout.splitlines()
    assert lines[0] == f"TapeMaster {__version__} self-test"
    assert lines[-1] == "self-test passed"
    body = lines[1:-1]
    assert len(body) >= 9 and all(line.startswith("ok    ") for line in body), output
    assert any("argon2id t=3, m=65536 KiB, p=4" in line for line in body)
    assert any("45x45 QR matches the provisioning URI" in line for line in body)
    assert any("One Time Password activated" in line for line in body)
    assert any("refused as a replay" in line for line in body)
    # The temporary store (and its key file) is gone; the real store was never opened.
    assert list((tmp_path / "scratch").iterdir()) == []
    assert not (tmp_path / "data").exists()


def test_self_test_in_german_renders_the_windows_in_german(tmp_path: Path) -> None:
    code = ("import sys\nfrom tapemaster_qt.app import main\n"
            "sys.exit(main(['--self-test', '--lang', 'de'], 'Checkpoint'))")
    result = self_test(tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert ("ok    translations: de (TapeTrack-Anmeldung — Checkpoint; Abbrechen); the "
            "windows speak de") in lines
    assert any(line.startswith("ok    logon dialog rendered") and
               line.endswith(": TapeTrack-Anmeldung — Checkpoint") for line in lines)


def test_every_program_has_the_option(tmp_path: Path) -> None:
    code = ("import sys\nfrom tapemaster_qt.app import main\n"
            "sys.exit(main(['--self-test'], 'Lite'))")
    result = self_test(tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Lite {__version__} self-test\n")


def test_a_failed_check_says_why_and_exits_1(tmp_path: Path) -> None:
    # The QR popup paints a blank square over the code: what a phone could not read.
    code = (
        "import sys\n"
        "from PySide6.QtGui import QColor\n"
        "from tapemaster_qt.app import main\n"
        "from tapemaster_qt.ui.otp_setup import QrCodeLabel\n"
        "paint = QrCodeLabel.paint_matrix\n"
        "def spoiled(self, painter, width, height, ratio):\n"
        "    paint(self, painter, width, height, ratio)\n"
        "    painter.fillRect(0, 0, width // 2, height // 2, QColor('white'))\n"
        "QrCodeLabel.paint_matrix = spoiled\n"
        "sys.exit(main(['--self-test'], 'Checkpoint'))\n"
    )
    result = self_test(tmp_path, code)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "self-test FAILED"
    failure = next(line for line in lines if line.startswith("FAIL"))
    assert failure.startswith("FAIL  QR popup: ") and "QR modules are painted wrongly" in failure
    assert not any("self-test passed" in line for line in lines)
    assert list((tmp_path / "scratch").iterdir()) == []
