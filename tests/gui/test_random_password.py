"""Random Password Set (issue 11 item 5): Random in Password Change and in Add… opens
it with Copy password, Copy message and Email message; copies leave the clipboard;
nothing of it reaches the log."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.driving import (
    click,
    click_user,
    log_on,
    log_out,
    menu_action,
    only_new_password_works,
    open_admin,
    submenu,
    type_in_grid,
)
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import AMBIGUOUS
from tapemaster_qt.ui import clipboard, windows
from tapemaster_qt.ui.random_password import mailto

PASSWORD = "tapes-and-more-42"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def short_interval(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(clipboard, "CLEAR_AFTER_MS", 1000)
    return 1000


@pytest.fixture
def app(launch):
    controller = launch("TapeMaster")
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    admin.add_user({"user_id": "alice", "email": "alice@example.com"}, PASSWORD)
    return controller


@pytest.fixture
def logged(caplog):
    """Everything the program logs during the test, down to DEBUG."""
    caplog.set_level(logging.DEBUG)
    return caplog


def reset_dialog(qtbot, app):
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    click_user(qtbot, window, "alice")
    menu_action(submenu(window.users_menu(), "Management"),
                "actionResetUserPassword").trigger()
    dialog = window.windows.get(windows.RESET_USER_PASSWORD)
    qtbot.waitExposed(dialog)
    return window, dialog


def press_random(qtbot, window, dialog):
    qtbot.mouseClick(dialog.randomButton, LEFT)
    shown = window.windows.get(windows.RANDOM_PASSWORD)
    assert shown is not None
    qtbot.waitExposed(shown)
    assert shown.windowTitle() == "Random Password Set"
    return shown


def test_random_in_an_administrators_reset(qtbot, app, mail, short_interval,
                                           logged) -> None:
    window, dialog = reset_dialog(qtbot, app)
    shown = press_random(qtbot, window, dialog)
    proposal = shown.passwordEdit.text()
    assert proposal == dialog.newPasswordEdit.text() == dialog.confirmPasswordEdit.text()
    assert shown.passwordEdit.isReadOnly()
    assert all(button.isVisible() for button in (
        shown.copyPasswordButton, shown.copyMessageButton, shown.emailMessageButton))

    QApplication.clipboard().setText("before")
    qtbot.mouseClick(shown.copyPasswordButton, LEFT)
    assert QApplication.clipboard().text() == proposal
    assert shown.statusLabel.text() == "Password copied. It leaves the clipboard in 1 second."
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "", timeout=10_000)

    qtbot.mouseClick(shown.copyMessageButton, LEFT)
    message = QApplication.clipboard().text()
    assert "User-ID:  alice\n" in message and f"Password: {proposal}\n" in message
    assert "has been reset" in message and "File ▸ Reset Password" in message
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "", timeout=10_000)

    qtbot.mouseClick(shown.emailMessageButton, LEFT)
    address, items = mail.last()
    assert address == "alice@example.com"
    assert items["subject"] == "Your new TapeMaster password"
    assert items["body"] == message.replace("\n", "\r\n")
    assert set(items) == {"subject", "body"}
    assert shown.statusLabel.text() == "The message is in a new e-mail to alice@example.com."

    qtbot.mouseClick(shown.buttonBox.button(QDialogButtonBox.StandardButton.Close), LEFT)
    qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is None)
    click(qtbot, dialog)  # OK in Password Change: now it is alice's password
    assert not dialog.isVisible()
    assert not [r for r in logged.records
                if proposal in r.getMessage() or "Password:" in r.getMessage()]
    log_out(app)
    only_new_password_works(qtbot, app, "alice", PASSWORD, proposal)


def test_cancel_keeps_the_old_password(qtbot, app) -> None:
    window, dialog = reset_dialog(qtbot, app)
    shown = press_random(qtbot, window, dialog)
    shown.reject()
    qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is None)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    log_out(app)
    log_on(qtbot, app, "alice", PASSWORD)
    assert app.main_window is not None


def test_each_random_is_new_and_reads_without_mix_ups(qtbot, app) -> None:
    window, dialog = reset_dialog(qtbot, app)
    seen = set()
    for _ in range(15):
        shown = press_random(qtbot, window, dialog)
        seen.add(shown.passwordEdit.text())
        shown.reject()
        qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is None)
    assert len(seen) == 15
    assert not set("".join(seen)) & set(AMBIGUOUS)


def test_without_an_email_program_it_says_to_copy(qtbot, app, monkeypatch) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    window, dialog = reset_dialog(qtbot, app)
    shown = press_random(qtbot, window, dialog)
    qtbot.mouseClick(shown.emailMessageButton, LEFT)
    assert shown.statusLabel.text() == ("No e-mail program opened the message; use Copy "
                                        "message and paste it into an e-mail.")


def test_ones_own_password_offers_copy_password_only(qtbot, app) -> None:
    log_on(qtbot, app, "alice", PASSWORD)
    main = app.main_window
    dialog = main.reset_password()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.randomButton, LEFT)
    shown = app.windows.get(windows.RANDOM_PASSWORD)
    qtbot.waitExposed(shown)
    assert shown.copyPasswordButton.isVisible()
    assert not shown.copyMessageButton.isVisible()
    assert not shown.emailMessageButton.isVisible()


def test_random_in_add(qtbot, app, mail) -> None:
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    dialog = window.add_user()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_in_grid(qtbot, dialog, "User-ID", "erin")
    type_in_grid(qtbot, dialog, "E-mail", "erin@example.com")
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.identityGrid, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is not None)
    shown = window.windows.get(windows.RANDOM_PASSWORD)
    assert shown is not None
    qtbot.waitExposed(shown)
    proposal = shown.passwordEdit.text()
    assert dialog.identityTab.passwordEdit.text() == proposal
    assert dialog.identityTab.confirmEdit.text() == proposal
    qtbot.mouseClick(shown.emailMessageButton, LEFT)
    address, items = mail.last()
    assert address == "erin@example.com"
    assert items["subject"] == "Your new TapeMaster User-ID"
    assert "A User-ID has been made for you" in items["body"]
    assert "User-ID:  erin\r\n" in items["body"]
    shown.reject()
    qtbot.waitUntil(lambda: window.windows.get(windows.RANDOM_PASSWORD) is None)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    log_out(app)
    log_on(qtbot, app, "erin", proposal)
    assert app.main_window is not None and app.main_window.session.user_id == "erin"


@pytest.mark.parametrize("address", ["eve?bcc=boss@example.com", "x&cc=a@b.example",
                                     "a@b.example?body=other", "%0D%0Abcc:x@y.example"])
def test_an_address_cannot_add_a_header(qtbot, mail, address: str) -> None:
    QDesktopServices.openUrl(mailto(address, "Subject", "Body+text&more=1"))
    to, items = mail.last()
    assert to == address
    assert items == {"subject": "Subject", "body": "Body+text&more=1"}
