"""``ui-state.ini`` cannot crash a program (issue 14 item 5).

QSettings deserialises a value written as ``@Variant(...)``; a crafted one (a list
that claims 2,147,483,632 entries) made Qt throw ``std::bad_alloc`` and abort Lite and
TapeMaster (exit code 134, nothing in the log): at start when it sat under
``[lastUserId]``, right after a logon when it sat under ``[General]``. The crash is
native, so each case runs a real program in a child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from integration.reliability import PASSWORD, make_store, use_key_file
from tapemaster_qt.ui.ui_state import FILE_NAME, store_key

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("ui_state_child.py")
# A QVariantList (type 9) of 0x7ffffff0 entries, as QSettings writes a variant
# (QDataStream version Qt_4_0: the type, then the count; escaped as QSettings does).
CRAFTED = r"@Variant(\0\0\0\t\x7f\xff\xff\xf0\0\0\0\0)"


def ui_state_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "TapeMaster Qt" / FILE_NAME


def run_program(folder: Path, program: str = "Lite") -> tuple[int, list[dict], str]:
    result = subprocess.run(
        [sys.executable, str(CHILD), str(folder), program, "u001", PASSWORD],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, lines, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    use_key_file()
    site = tmp_path / "site"
    make_store(site, users=2)  # u001: a password, no OTP
    return site


@pytest.mark.parametrize(("where", "offered"), [
    ("this store's entry", ""),
    ("another store's entry", "u001"),
    ("[General]", "u001"),
])
def test_a_crafted_variant_is_ignored_not_fatal(folder: Path, where: str,
                                                offered: str) -> None:
    ours = store_key(folder)
    ini = ui_state_file()
    ini.parent.mkdir(parents=True)
    entries = {
        "this store's entry": f"[lastUserId]\n{ours}={CRAFTED}\n",
        "another store's entry": f"[lastUserId]\n{ours}=u001\n0123456789abcdef={CRAFTED}\n",
        "[General]": f"[General]\nfoo={CRAFTED}\n[lastUserId]\n{ours}=u001\n",
    }
    ini.write_text(entries[where], encoding="latin-1")
    ini.chmod(0o644)  # as QSettings left it

    code, lines, stderr = run_program(folder)

    assert code == 0, (code, stderr[-2000:])
    assert [line["step"] for line in lines] == ["logon dialog", "logged on", "ended"]
    assert lines[0]["user_id"] == offered
    # Rewritten after the logon: only the valid entry, owner-only, the variant gone.
    text = ini.read_text(encoding="utf-8")
    assert "@Variant" not in text and f"{ours}=u001" in text
    assert ini.stat().st_mode & 0o777 == 0o600
    log = (folder / "logs" / "tapemaster.log").read_text(encoding="utf-8")
    assert "Ignored 1 entry of" in log and CRAFTED not in log


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_planted_at_ui_state_ini_does_not_hang_the_program(folder: Path) -> None:
    """Opening a FIFO for reading waits for a writer: one planted at ui-state.ini hung
    every program before its first window (REVIEW-1 finding 6). The child's timeout
    is only the safeguard that turns such a hang into a failure."""
    fifo = ui_state_file()
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo, 0o600)

    code, lines, stderr = run_program(folder)

    assert code == 0, (code, stderr[-2000:])
    assert [line["step"] for line in lines] == ["logon dialog", "logged on", "ended"]
    # Written after the logon, as a file in the FIFO's place.
    assert fifo.is_file() and f"{store_key(folder)}=u001" in fifo.read_text("utf-8")
