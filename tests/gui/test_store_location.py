"""Where the programs find their store.

A store where version 0.1.0 kept it on Windows is moved at the first start, and the
user is told; one that cannot be moved is used where it is, with a notice. The default
folders are those of the test (paths' answers replaced); the move itself is tested in
tests/unit/test_relocate.py. A store chosen by ``--store``, the environment or a site
file is never moved, and a store the programs cannot use is one calm sentence in a box,
never a traceback or a password.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from helpers import ADMIN_PASSWORD
from tapemaster_qt import app, cli, paths
from tapemaster_qt.location import resolve
from tapemaster_qt.services import Context
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """No folder chosen; the default is 'Local', and 0.1.0's store is in 'Roaming'."""
    old = tmp_path / "Roaming" / "TapeMaster Qt" / "TapeMaster Qt"
    new = tmp_path / "Local" / "TapeMaster Qt"
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(paths, "default_data_dir", lambda system=sys.platform: new)
    monkeypatch.setattr(paths, "legacy_data_dirs", lambda system=sys.platform: [old])
    monkeypatch.setattr(paths, "default_log_dir", lambda system=sys.platform: new / "Logs")
    monkeypatch.setattr(paths, "legacy_log_dirs", lambda system=sys.platform: [])
    with open_store(old) as store:
        set_initial_password(Context(store, hasher=PasswordHasher(TESTS_ONLY)), ADMIN_PASSWORD)
    return old, new


def run_until_the_logon_shows(program: str = "TapeMaster") -> tuple[int, str]:
    """Start the program as its command does, and cancel the logon once it shows."""
    seen: list[str] = []

    def cancel_the_logon() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "loginDialog" and widget.isVisible():
                seen.append(widget.windowTitle())
                poll.stop()
                widget.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).click()
                widget.deleteLater()
                return
        seen.append("")
        if len(seen) > 500:  # no logon dialog for 10 s: fail rather than hang
            poll.stop()
            QApplication.exit(99)

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(cancel_the_logon)
    poll.start()
    code = app.main([], program)
    poll.stop()
    return code, seen[-1] if seen else ""


def test_the_first_start_moves_the_store_and_says_so(qtbot, places, boxes,
                                                     package_logging) -> None:
    old, new = places
    code, title = run_until_the_logon_shows()
    assert code == 0 and "Logon" in title
    assert boxes.names() == ["storeLocationMessage"]
    box = boxes.last()
    assert box.icon == "Information"
    assert f"Your user store was moved from {old} to {new}" in box.text
    assert (new / "tapemaster.db").is_file() and not old.exists()
    # The next start finds it there and says nothing.
    boxes.shown.clear()
    code, title = run_until_the_logon_shows("Lite")
    assert code == 0 and "Logon" in title and boxes.shown == []


HOLDER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("SELECT count(*) FROM users").fetchone()
    print("ready", flush=True)
    sys.stdin.read()
""")


def test_a_store_in_use_is_used_where_it_is_with_a_warning(qtbot, places, boxes,
                                                          package_logging) -> None:
    old, new = places
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(old / "tapemaster.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        code, title = run_until_the_logon_shows("Checkpoint")
    finally:
        holder.communicate(timeout=30)
    assert code == 0 and "Logon" in title
    assert boxes.names() == ["storeLocationMessage"]
    box = boxes.last()
    assert box.icon == "Warning"
    assert f"Your user store is still in {old}" in box.text
    assert "another program is using it" in box.text
    assert not (new / "tapemaster.db").exists()


def test_the_cli_moves_it_too_and_notes_it_on_stderr(places, capsys, package_logging) -> None:
    old, new = places
    assert cli.main(["info"]) == 0
    out, err = capsys.readouterr()
    assert f"Store:       {new / 'tapemaster.db'}" in out
    [note] = [line for line in err.splitlines() if line]
    assert note.startswith(f"tapemaster-admin: note: Your user store was moved from {old}")
    assert cli.main(["info"]) == 0
    assert capsys.readouterr().err == ""

SECRET = "S3cret-Db-Pass"
URL = f"postgresql://tapemaster_app:{SECRET}@127.0.0.1:1/tapemaster?sslmode=verify-full"
SHOWN = "postgresql://tapemaster_app@127.0.0.1:1/tapemaster?sslmode=verify-full"


def _no_logon_left() -> bool:
    return not any(w.objectName() == "loginDialog" and w.isVisible()
                   for w in QApplication.topLevelWidgets())


@pytest.mark.parametrize("program", ["TapeMaster", "Lite"])
def test_an_unreachable_postgresql_store_is_one_calm_sentence(
        boxes, capfd, package_logging, tmp_path: Path, program: str) -> None:
    assert app.main(["--store", URL], program=program) == 1
    assert boxes.names() == ["storeErrorMessage"]
    box = boxes.last()
    assert box.title == program
    assert box.text == (f"The PostgreSQL server of the user store {SHOWN} cannot be "
                        "reached (Connection refused); check the address and that the "
                        "server is running, then try again.")
    err = capfd.readouterr().err
    assert "Traceback" not in err and SECRET not in err
    assert _no_logon_left()
    for log in tmp_path.rglob("*.log"):
        assert SECRET not in log.read_text()


def test_an_ambiguous_environment_is_refused_before_any_window(
        boxes, monkeypatch, package_logging, tmp_path: Path) -> None:
    monkeypatch.setenv("TAPEMASTER_STORE", str(tmp_path / "other"))
    assert app.main([]) == 1
    assert [(b.object_name, b.text) for b in boxes.shown] == [
        ("storeErrorMessage",
         "TAPEMASTER_STORE and TAPEMASTER_DATA_DIR are both set; unset one of them.")]
    assert not (tmp_path / "other").exists() and _no_logon_left()


def test_a_folder_remembers_its_last_user_id_whichever_way_it_was_chosen(
        tmp_path: Path) -> None:
    folder = tmp_path / "store"
    app.UiState(folder).last_user_id = "alice"
    assert app.UiState(resolve(str(folder), environ={})).last_user_id == "alice"
    assert app.UiState(resolve(None, folder, environ={})).last_user_id == "alice"
    assert app.UiState(resolve(URL, environ={})).last_user_id == ""


def test_a_chosen_store_is_never_moved(places, boxes, capsys, package_logging,
                                       tmp_path: Path) -> None:
    """DESK's move is for the per-user default only: --store (a URL or a folder) or
    TAPEMASTER_STORE leaves 0.1.0's store where it is and says nothing about it."""
    old, new = places
    assert app.main(["--store", URL], program="Lite") == 1
    assert boxes.names() == ["storeErrorMessage"]
    chosen = tmp_path / "chosen"
    assert cli.main(["--store", str(chosen), "info"]) == 1
    assert "note:" not in capsys.readouterr().err
    assert (old / "tapemaster.db").is_file() and not (new / "tapemaster.db").exists()
    assert not (chosen / "tapemaster.db").exists()
