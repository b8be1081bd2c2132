"""No two Alt+letter keys clash in a window (issue 11 item 5-7's windows): a clash makes
Alt+letter only move the focus between the two, and neither button is pressed."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMenuBar,
    QTabBar,
    QWidget,
)

from gui.driving import log_on, open_admin
from helpers import ADMIN_PASSWORD
from tapemaster_qt.ui import i18n, windows
from tapemaster_qt.ui.idle import IdleNotice

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonics(window: QWidget) -> list[str]:
    """The Alt+letter keys a window offers: its visible buttons, labels of a field,
    group boxes, tabs and menu titles (menu entries count only inside their menu)."""
    texts: list[str] = []
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and button.window() is window:
            texts.append(button.text())
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(window) and label.window() is window:
            texts.append(label.text())
    for box in window.findChildren(QGroupBox):
        if box.isVisibleTo(window) and box.window() is window:
            texts.append(box.title())
    for bar in window.findChildren(QTabBar):
        if bar.window() is window:
            texts += [bar.tabText(i) for i in range(bar.count())]
    for bar in window.findChildren(QMenuBar):
        texts += [action.text() for action in bar.actions()]
    return [m.group(1).casefold() for t in texts if (m := MNEMONIC.search(t))]


def clashes(window: QWidget) -> dict[str, int]:
    return {k: n for k, n in Counter(mnemonics(window)).items() if n > 1}


@pytest.fixture(params=["en", "de"])
def language(request) -> str:
    """Each window in English and in German (the German words have their own keys)."""
    assert i18n.install(request.param) == request.param
    return request.param


@pytest.fixture
def main(qtbot, launch, language):
    controller = launch("TapeMaster")
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    return controller


def test_the_new_windows_have_no_clashing_keys(qtbot, main) -> None:
    admin = open_admin(qtbot, main)
    seen = {"Group/User Administration": admin}
    admin.adminTabs.setCurrentIndex(1)
    seen["Groups tab"] = admin
    admin.groupsView.selectRow(0)
    seen["Group Properties"] = admin.open_group()
    seen["Group Properties"].reject()
    seen["Add Group"] = admin.add_group()
    seen["Add Group"].reject()
    adding = admin.add_user()
    seen["Add…"] = adding
    adding.random_password()
    seen["Random Password Set"] = main.windows.get(windows.RANDOM_PASSWORD)
    seen["Random Password Set"].reject()
    adding.discard_edits()
    adding.reject()
    window = main.main_window
    active = window.open_active_users()
    seen["Active Users"] = active
    active.sessionsView.selectRow(0)
    seen["Session Properties"] = active.open_session()
    seen["Session Properties"].reject()
    seen["Audit Log"] = window.open_audit_log()
    seen["Password Change"] = window.reset_password()
    seen["Idle notice"] = IdleNotice("TapeMaster")
    seen["Main window"] = window
    for name, shown in seen.items():
        assert shown is not None, name
        assert mnemonics(shown) or name == "Session Properties", name  # read-only
        assert clashes(shown) == {}, (name, mnemonics(shown))
    seen["Idle notice"].deleteLater()


def test_the_check_finds_a_clash(qtbot) -> None:
    """The check itself: two buttons with Alt+R."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(QPushButton("&Refresh"))
    layout.addWidget(QPushButton("&Random"))
    assert clashes(window) == {"r": 2}
