"""GUI fixtures: a controller over a fresh store, and message boxes answered in-line.

Message boxes go through ``tapemaster_qt.ui.msgbox``; ``boxes`` replaces its modal
``exec`` so a test sees every box (objectName, title, text) and answers it, and no
test can hang on a dialog nobody sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from helpers import ADMIN_PASSWORD
from tapemaster_qt.app import Controller, UiState
from tapemaster_qt.services import Context
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.services.setup import needs_first_run, set_initial_password
from tapemaster_qt.store import open_store
from tapemaster_qt.ui import i18n, msgbox


@dataclass
class Box:
    object_name: str
    title: str
    text: str
    informative: str
    icon: str = ""  # "Information", "Warning", "Critical", "Question"


@dataclass
class Boxes:
    shown: list[Box] = field(default_factory=list)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    save_path: str = ""

    def names(self) -> list[str]:
        return [b.object_name for b in self.shown]

    def last(self) -> Box:
        return self.shown[-1]


@pytest.fixture(autouse=True)
def english(qapp: QApplication) -> Iterator[None]:
    """Windows in English, with its plural forms ("1 second"), as a program started in
    English has them; a test that switches the language is put back afterwards."""
    i18n.install("en")
    yield
    if i18n.current() != "en":
        i18n.install("en")


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    record = Boxes()

    def fake_exec(box: QMessageBox) -> QMessageBox.StandardButton:
        record.shown.append(Box(box.objectName(), box.windowTitle(), box.text(),
                                box.informativeText(), box.icon().name))
        buttons = box.standardButtons()
        if record.answer & buttons:
            return record.answer
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(msgbox, "_exec", fake_exec)
    monkeypatch.setattr(msgbox, "_file_dialog", lambda *a: record.save_path)
    return record


class Launcher:
    """Starts controllers (programs) on the test's store folder and cleans them up."""

    def __init__(self, qtbot, data_dir: Path, hasher: PasswordHasher) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.hasher = hasher
        self.made: list[Controller] = []

    def context(self, program: str = "TapeMaster", clock=None) -> Context:
        if clock is None:
            return Context(open_store(self.data_dir), program=program, hasher=self.hasher)
        return Context(open_store(self.data_dir), program=program, hasher=self.hasher,
                       clock=clock)

    def __call__(self, program: str = "TapeMaster", *, initialise: bool = True,
                 clock=None, **kwargs) -> Controller:
        """``clock``: a FakeClock for the program (codes at a moment the test chooses)."""
        ctx = self.context(program, clock)
        if initialise and needs_first_run(ctx):
            set_initial_password(ctx, ADMIN_PASSWORD)
        controller = Controller(ctx, UiState(self.data_dir), **kwargs)
        self.made.append(controller)
        controller.start()
        return controller

    def close(self) -> None:
        for c in self.made:
            c._end_session("test over")
            for w in (c.login_dialog, c.first_run_dialog, c.otp_setup_dialog,
                      c.recovery_codes_dialog):
                if w is not None:
                    w.close()
                    w.deleteLater()
            c.ctx.store.close()


@pytest.fixture
def launch(qtbot, data_dir: Path, hasher: PasswordHasher, boxes: Boxes) -> Iterator[Launcher]:
    launcher = Launcher(qtbot, data_dir, hasher)
    yield launcher
    launcher.close()


class MailCatcher(QObject):
    """Stands in for the computer's e-mail program: every ``mailto:`` link the program
    opens lands here (QDesktopServices' own hook for a URL scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)

    def last(self) -> tuple[str, dict[str, str]]:
        """The last message's address and its query items (subject, body...), decoded."""
        url = self.urls[-1]
        assert url.scheme() == "mailto"
        query = QUrlQuery(url)
        items = {key: QUrl.fromPercentEncoding(value.encode())
                 for key, value in query.queryItems(QUrl.ComponentFormattingOption.FullyEncoded)}
        return url.path(QUrl.ComponentFormattingOption.FullyDecoded), items


@pytest.fixture
def mail() -> Iterator[MailCatcher]:
    catcher = MailCatcher()
    QDesktopServices.setUrlHandler("mailto", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("mailto")
