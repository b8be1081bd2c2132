"""The logon dialog, the first run, and starting a program on a store that cannot open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QLineEdit

from gui.driving import click, log_on, type_into
from helpers import ADMIN_PASSWORD
from tapemaster_qt import __version__, app
from tapemaster_qt.errors import StoreCorruptError
from tapemaster_qt.services import Actor, Context, setup
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store

# --- the dialog ---------------------------------------------------------------------------


def test_logon_dialog_title_and_names(launch) -> None:
    dialog = launch("TapeMaster").login_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.objectName() == "loginDialog"
    assert "Logon" in dialog.windowTitle() and "TapeMaster" in dialog.windowTitle()
    for name in ("userIdEdit", "passwordEdit", "otpEdit"):
        edit = dialog.findChild(QLineEdit, name)
        assert edit is not None and edit.isVisible(), name
    assert dialog.passwordEdit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.findChild(QLabel, "messageLabel") is dialog.messageLabel
    assert not dialog.messageLabel.isVisible()  # nothing to say yet
    box = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert box.button(QDialogButtonBox.StandardButton.Ok).isVisible()
    assert box.button(QDialogButtonBox.StandardButton.Cancel).isVisible()


def test_remembers_the_last_user_id_not_the_password(qtbot, launch, tmp_path) -> None:
    first = launch()
    assert first.login_dialog.userIdEdit.text() == ""
    assert first.login_dialog.focusWidget() is first.login_dialog.userIdEdit
    log_on(qtbot, first, "tapemaster", ADMIN_PASSWORD)
    assert first.main_window is not None
    with qtbot.waitSignal(first.finished):
        first.main_window.actionExit.trigger()

    second = launch()  # the program started again
    dialog = second.login_dialog
    assert dialog.userIdEdit.text() == "tapemaster"
    assert dialog.passwordEdit.text() == ""
    assert dialog.focusWidget() is dialog.passwordEdit  # ready to type the password
    # Kept in the OS user's configuration folder (XDG_CONFIG_HOME in the tests), not in
    # the store folder that other people may share.
    remembered = b"".join(p.read_bytes() for p in (tmp_path / "home" / "config").rglob("*.ini"))
    assert b"tapemaster" in remembered and ADMIN_PASSWORD.encode() not in remembered
    assert not list(launch.data_dir.glob("*.ini"))

    # A failed attempt is not remembered: only a successful logon is.
    log_on(qtbot, second, "nobody", "whatever-it-is")
    assert launch().login_dialog.userIdEdit.text() == "tapemaster"


def test_otp_field_takes_a_code_or_a_recovery_code(qtbot, launch) -> None:
    """Six digits with or without a space, or a recovery code (letters, digits, a dash
    or the dash a web page makes of it); punctuation is not taken, and the field stops
    at 14 characters (a recovery code with spaces around it)."""
    edit = launch().login_dialog.otpEdit
    for typed, shown in (("123456", "123456"), ("123 456", "123 456"),
                         (" 123 456 ", " 123 456 "),  # stray spaces around are harmless
                         ("abcd-2345", "abcd-2345"), ("ABCD 2345", "ABCD 2345"),
                         ("ab;cd.2345!", "abcd2345"), ("x" * 20, "x" * 14)):
        type_into(qtbot, edit, typed)
        assert edit.text() == shown, typed
    # Pasted from a web page that made the dash an en dash: taken as it is.
    QApplication.clipboard().setText("abcd\u20132345")
    type_into(qtbot, edit, "")
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "abcd\u20132345"


def test_otp_field_takes_the_separators_the_logon_engine_reads(qtbot, launch) -> None:
    """A recovery code pasted with any space or dash in it is taken by the field exactly
    when the logon engine reads it, and a 6-digit code the engine reads is taken too:
    before, the field took U+2015 (which the engine refuses) and refused U+FE63 and
    U+FF0D (which it reads) (REVIEW-1 finding 7)."""
    import sys
    import unicodedata

    from tapemaster_qt.services.recovery import parse_code_field

    edit = launch().login_dialog.otpEdit
    candidates = [chr(c) for c in range(sys.maxunicode + 1)
                  if chr(c).isspace() or unicodedata.category(chr(c)) == "Pd"]
    candidates += ["\u2212", "\u2015", "_", ".", "/", "\u00ad", "\u200b"]
    disagree = []

    def taken(text: str) -> bool:
        QApplication.clipboard().setText(text)
        edit.clear()
        qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        return edit.text() == text

    for ch in candidates:
        recovery_code, code = f"abcd{ch}2345", f"123{ch}456"
        if taken(recovery_code) != (parse_code_field(recovery_code) is not None):
            disagree.append(f"U+{ord(ch):04X} in a recovery code")
        if parse_code_field(code) is not None and not taken(code):
            disagree.append(f"U+{ord(ch):04X} in a 6-digit code")
    assert disagree == []
    assert parse_code_field("abcd\u20152345") is None  # the horizontal bar is no dash
    assert parse_code_field("abcd\uff0d2345") is not None


def test_caps_lock_hint(qtbot, launch) -> None:
    dialog = launch().login_dialog
    label = dialog.capsLockLabel
    assert label.objectName() == "capsLockLabel" and not label.isVisible()
    qtbot.keyClicks(dialog.passwordEdit, "ab")
    assert not label.isVisible()
    qtbot.keyClick(dialog.passwordEdit, "C")  # upper case without Shift: Caps Lock is on
    assert label.isVisible() and "Caps Lock" in label.text()
    qtbot.keyClick(dialog.passwordEdit, "D", Qt.KeyboardModifier.ShiftModifier)
    assert not label.isVisible()
    qtbot.keyClick(dialog.passwordEdit, "e", Qt.KeyboardModifier.ShiftModifier)
    assert label.isVisible()  # lower case with Shift: Caps Lock is on
    qtbot.keyClick(dialog.passwordEdit, "1")  # digits tell nothing
    assert label.isVisible()
    assert dialog.passwordEdit.text() == "abCDe1"


def test_caps_lock_hint_when_choosing_a_password(qtbot, launch) -> None:
    first_run = launch(initialise=False).first_run_dialog
    label = first_run.findChild(QLabel, "capsLockLabel")
    assert not label.isVisible()
    qtbot.keyClick(first_run.confirmEdit, "A")
    assert label.isVisible()


def test_empty_fields_ask_for_them(qtbot, launch) -> None:
    controller = launch()
    dialog = controller.login_dialog
    audited = len(controller.ctx.store.audit_events())
    log_on(qtbot, controller, "", "")
    assert dialog.messageLabel.isVisible()
    assert dialog.messageLabel.text() == "Enter your User-ID."
    assert dialog.focusWidget() is dialog.userIdEdit
    log_on(qtbot, controller, "tapemaster", "")
    assert dialog.messageLabel.text() == "Enter your password."
    assert dialog.focusWidget() is dialog.passwordEdit
    assert controller.main_window is None and dialog.isVisible()
    assert len(controller.ctx.store.audit_events()) == audited  # no attempt was made


def test_wrong_password_and_unknown_user_read_the_same(qtbot, launch) -> None:
    controller = launch()
    dialog = controller.login_dialog
    log_on(qtbot, controller, "tapemaster", "not-the-password")
    assert dialog.isVisible() and controller.main_window is None
    assert dialog.messageLabel.isVisible()
    wrong_password = dialog.messageLabel.text()
    assert wrong_password == "Authorization Failure"
    assert dialog.passwordEdit.text() == ""  # cleared for the next try
    assert dialog.userIdEdit.text() == "tapemaster"

    log_on(qtbot, controller, "nobody", "not-the-password")
    assert dialog.isVisible() and controller.main_window is None
    assert dialog.messageLabel.text() == wrong_password
    details = [e.detail for e in controller.ctx.store.audit_events(limit=2)]
    assert details == ["unknown_user", "bad_password"]

    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)  # the dialog takes another try
    assert controller.main_window is not None and not dialog.isVisible()


def test_enter_logs_on_and_escape_cancels(qtbot, launch) -> None:
    controller = launch()
    dialog = controller.login_dialog
    qtbot.keyClicks(dialog.userIdEdit, "tapemaster")
    qtbot.keyClicks(dialog.passwordEdit, ADMIN_PASSWORD)
    qtbot.keyClick(dialog.passwordEdit, Qt.Key.Key_Return)
    assert controller.main_window is not None and not dialog.isVisible()
    controller.main_window.actionLogOut.trigger()
    with qtbot.waitSignal(controller.finished) as finished:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert finished.args == [0]


# --- first run --------------------------------------------------------------------------


def test_first_run_sets_the_tapemaster_password(qtbot, launch) -> None:
    controller = launch(initialise=False)
    dialog = controller.first_run_dialog
    assert dialog is not None and dialog.isVisible() and controller.login_dialog is None
    assert dialog.objectName() == "firstRunDialog" and "First Run" in dialog.windowTitle()
    store = controller.ctx.store
    assert store.get_user("tapemaster").password_hash is None

    def choose(password: str, again: str) -> None:
        type_into(qtbot, dialog.passwordEdit, password)
        type_into(qtbot, dialog.confirmEdit, again)
        click(qtbot, dialog)

    choose(ADMIN_PASSWORD, ADMIN_PASSWORD + "x")
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "The two passwords are not the same."
    assert dialog.confirmEdit.text() == ""
    choose("short", "short")
    assert dialog.isVisible()
    assert dialog.messageLabel.text() == "The password must have at least 8 characters."
    choose("TapeMaster", "TapeMaster")
    assert dialog.messageLabel.text() == "The password must not be the User-ID."
    assert store.get_user("tapemaster").password_hash is None

    choose(ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert not dialog.isVisible() and controller.first_run_dialog is None
    logon = controller.login_dialog
    assert logon is not None and logon.isVisible()
    assert logon.userIdEdit.text() == "tapemaster"
    assert "password is set" in logon.messageLabel.text()
    assert store.get_user("tapemaster").password_hash is not None
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    assert controller.main_window is not None


def test_cancelling_the_first_run_ends_the_program(qtbot, launch) -> None:
    controller = launch(initialise=False)
    with qtbot.waitSignal(controller.finished) as finished:
        click(qtbot, controller.first_run_dialog, QDialogButtonBox.StandardButton.Cancel)
    assert finished.args == [0]
    assert controller.ctx.store.get_user("tapemaster").password_hash is None


# --- whole programs through app.main ------------------------------------------------------




def initialised(folder: Path) -> Path:
    with open_store(folder) as store:
        set_initial_password(Context(store, hasher=PasswordHasher(TESTS_ONLY)), ADMIN_PASSWORD)
    return folder


def test_main_runs_until_the_logon_is_cancelled(qtbot, tmp_path, boxes, package_logging) -> None:
    folder = initialised(tmp_path / "store")
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
    code = app.main(["--data-dir", str(folder)])
    poll.stop()
    assert code == 0
    assert seen and "Logon" in seen[-1] and "TapeMaster" in seen[-1]
    assert boxes.shown == []


def test_main_version(capsys) -> None:
    assert app.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"tapemaster {__version__}"
    assert app.main(["--version"], program="Lite") == 0
    assert capsys.readouterr().out.strip() == f"tapetrack-lite {__version__}"


def _garbage(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "tapemaster.db").write_bytes(b"These are not the tapes you are looking for.\0" * 100)


def _too_new(folder: Path) -> None:
    open_store(folder).close()
    with sqlite3.connect(folder / "tapemaster.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()


@pytest.mark.parametrize(("spoil", "expected"), [
    (_garbage, "is not a TapeMaster user store"),
    (_too_new, "written by a newer version of TapeMaster Qt"),
])
def test_a_store_that_cannot_open_is_refused_calmly(tmp_path, boxes, capfd, package_logging,
                                                    spoil, expected) -> None:
    folder = tmp_path / "store"
    spoil(folder)
    before = (folder / "tapemaster.db").read_bytes()
    assert app.main(["--data-dir", str(folder)]) == 1
    assert boxes.names() == ["storeErrorMessage"]
    box = boxes.last()
    assert box.title == "TapeMaster"
    assert expected in box.text and str(folder / "tapemaster.db") in box.text
    assert "Traceback" not in box.text + capfd.readouterr().err
    assert (folder / "tapemaster.db").read_bytes() == before  # left untouched
    assert not any(w.objectName() == "loginDialog" and w.isVisible()
                   for w in QApplication.topLevelWidgets())


def test_a_store_put_back_to_an_older_copy_is_refused_at_start(
        tmp_path, boxes, capfd, package_logging) -> None:
    """Rolled back behind this account's back: the program says so before anyone types,
    with what to run if it was a restore, and ends; the store is left as found but for
    the audit row of the refusal."""
    import shutil

    folder = tmp_path / "store"
    with open_store(folder) as store:
        set_initial_password(Context(store), ADMIN_PASSWORD)
    shutil.copy(folder / "tapemaster.db", tmp_path / "old.db")
    with open_store(folder) as store:
        AdminService(Context(store), Actor.for_cli()).add_user({"user_id": "alice"},
                                                               "Alice-Secret-42")
    shutil.copy(tmp_path / "old.db", folder / "tapemaster.db")
    assert app.main(["--data-dir", str(folder)]) == 1
    assert boxes.names() == ["storeErrorMessage"]
    text = boxes.last().text
    assert "older than the one this account last used" in text
    assert "tapemaster-admin store accept" in text
    assert "Traceback" not in text + capfd.readouterr().err
    with sqlite3.connect(folder / "tapemaster.db") as conn:
        assert conn.execute("SELECT event FROM audit ORDER BY id DESC LIMIT 1"
                            ).fetchone()[0] == "store_integrity_failed"
    conn.close()


def test_controller_reports_a_store_error_at_start(qtbot, launch, boxes, monkeypatch) -> None:
    def broken(_ctx):
        raise StoreCorruptError("The user store is damaged. Restore it from a backup.")

    monkeypatch.setattr(setup, "needs_first_run", broken)
    monkeypatch.setattr(app, "needs_first_run", broken, raising=False)
    controller = app.Controller(launch.context(), app.UiState(launch.data_dir))
    launch.made.append(controller)
    with qtbot.waitSignal(controller.finished) as finished:
        controller.start()
    assert finished.args == [1]
    assert boxes.names() == ["storeErrorMessage"]
    assert "damaged" in boxes.last().text
    assert controller.login_dialog is None and controller.first_run_dialog is None


def test_last_user_id_is_remembered_per_store(qtbot, launch, tmp_path) -> None:
    first = launch()
    log_on(qtbot, first, "tapemaster", ADMIN_PASSWORD)
    assert first.main_window is not None
    other = app.UiState(tmp_path / "another-store")
    assert other.last_user_id == ""
    other.last_user_id = "bob"
    assert app.UiState(launch.data_dir).last_user_id == "tapemaster"
    assert app.UiState(tmp_path / "another-store").last_user_id == "bob"
