"""A long day at one desktop: thousands of keystrokes, edits and timers in one process.

PySide6 6.12.0 on Python 3.11 returns ``True`` from every Python-side signal ``emit()``
(and ``None`` from ``QTimer.singleShot`` with a callable) without the reference it owes,
so each call takes one reference away from the interpreter's ``True`` (or ``None``).
After a few hundred letters typed into a password field (each one emits
``capsLockChanged``), the count reaches zero and the program dies with "Fatal Python
error: bool_dealloc". Python 3.12 and later make these objects immortal, which hides it;
the programs ship on 3.11. pyproject.toml therefore excludes PySide6 6.12.0.

This runs a real logon dialog, property grid and timers in a child process (a crash
must not take the test run with it) and checks that it survives and that the counts of
``True``, ``False`` and ``None`` did not drain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from integration.reliability import record

pytestmark = pytest.mark.slow

LETTERS = 3000
EDITS = 1500
TIMERS = 1500

DAY = f"""
import json
import sys
from PySide6 import __version__
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

app = QApplication([])
from tapemaster_qt.ui.logon import LoginDialog

counts = lambda: (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
dialog = LoginDialog("TapeMaster", "")
dialog.show()
app.processEvents()
before = counts()
for _ in range({LETTERS} // 20):
    QTest.keyClicks(dialog.passwordEdit, "TapeMasterPassphrase")
    dialog.passwordEdit.clear()
for _ in range({TIMERS}):
    QTimer.singleShot(0, lambda: None)
    app.processEvents()
for _ in range({EDITS}):
    dialog.userIdEdit.textChanged.emit("alice")
after = counts()
print(json.dumps({{"version": __version__, "before": before, "after": after}}), flush=True)
"""


def test_a_long_session_does_not_wear_out_the_interpreter() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", DAY], capture_output=True, text=True,
                            env=env, timeout=300, check=False)
    assert "Fatal Python error" not in result.stderr, (
        "the program crashed after a long session: a PySide6 build that drops references "
        "(see this test's docstring):\n" + result.stderr[-2000:])
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    version = figures["version"]
    for name, was, now in zip(("True", "False", "None"), figures["before"], figures["after"],
                              strict=True):
        assert now >= was - 100, f"{name}: {was} references before, {now} after ({version})"
    record("Long session in one process",
           f"{LETTERS} letters typed in the password field, {TIMERS} timers, {EDITS} "
           f"signal emits (PySide6 {version})", LETTERS + TIMERS + EDITS,
           "the program survives; True/False/None keep their references")
