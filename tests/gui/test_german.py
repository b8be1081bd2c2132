"""The programs in German: started with --lang de (or a German system locale), every
window a user meets speaks German, Qt's own buttons included, and no two controls of a
window share a mnemonic (Alt+letter) in German either."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from gui.driving import log_on, open_admin, open_properties_by_double_click
from helpers import ADMIN_PASSWORD
from tapemaster_qt import app
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store
from tapemaster_qt.ui import i18n, msgbox
from tapemaster_qt.ui.logon import FirstRunDialog, LoginDialog
from tapemaster_qt.ui.password_change import PasswordChangeDialog
from tapemaster_qt.ui.recovery_codes import RecoveryCodesDialog


@pytest.fixture
def german() -> None:
    assert i18n.install("de") == "de"


def _form_labels(dialog: QWidget) -> list[str]:
    labels = []
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                labels.append(item.widget().text())
    return labels


def test_a_program_started_with_lang_de_shows_the_logon_dialog_in_german(
        tmp_path, boxes) -> None:
    folder = tmp_path / "store"
    store = open_store(folder)
    from tapemaster_qt.services import Context

    set_initial_password(Context(store, program="TapeMaster"), ADMIN_PASSWORD)
    store.close()
    seen: dict[str, object] = {}

    def read_and_cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginDialog) and widget.isVisible():
                poll.stop()
                seen["title"] = widget.windowTitle()
                seen["labels"] = _form_labels(widget)
                seen["buttons"] = [b.text() for b in widget.buttonBox.buttons()]
                seen["tip"] = widget.otpEdit.toolTip()
                widget.show_message(widget.tr("Enter your password."))
                seen["message"] = widget.messageLabel.text()
                widget.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).click()
                widget.deleteLater()
                return
        seen["polls"] = int(seen.get("polls", 0)) + 1  # type: ignore[call-overload]
        if int(seen["polls"]) > 500:  # type: ignore[call-overload]
            poll.stop()
            QApplication.exit(99)

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(read_and_cancel)
    poll.start()
    try:
        code = app.main(["--lang", "de", "--data-dir", str(folder)])
    finally:
        poll.stop()
    assert code == 0
    assert seen["title"] == "TapeTrack-Anmeldung — TapeMaster"
    assert seen["labels"] == ["&Benutzerkennung:", "&Passwort:", "&Einmalpasswort:"]
    # Qt's own catalogue (qtbase_de.qm) words the standard buttons.
    assert sorted(seen["buttons"]) == ["Abbrechen", "OK"]  # type: ignore[arg-type]
    assert str(seen["tip"]).startswith("Der 6-stellige Code aus Ihrer Authenticator-App")
    assert seen["message"] == "Geben Sie Ihr Passwort ein."
    assert i18n.current() == "de"


CHOOSE = ("from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
          "from tapemaster_qt.ui import i18n; print(i18n.choose(None))")


@pytest.mark.parametrize(("environment", "expected"), [
    ({"LANGUAGE": "", "LC_ALL": "", "LANG": "de_DE.UTF-8"}, "de"),
    ({"LANGUAGE": "", "LC_ALL": "de_AT.UTF-8"}, "de"),
    ({"LANGUAGE": "fr:de", "LANG": "fr_FR.UTF-8"}, "de"),  # French first, none shipped
    ({"LANGUAGE": "", "LC_ALL": "fr_FR.UTF-8"}, "en"),
    ({"LANGUAGE": "en", "LANG": "de_DE.UTF-8"}, "en"),
])
def test_the_system_locale_chooses_the_language(environment, expected) -> None:
    """Qt reads the locale once per process: each case is a program of its own."""
    result = subprocess.run([sys.executable, "-c", CHOOSE], capture_output=True, text=True,
                            env={**os.environ, **environment}, timeout=60, check=False)
    assert result.stdout.strip() == expected, result.stderr


def test_lang_chooses_over_the_system() -> None:
    assert i18n.choose("en") == "en"
    assert i18n.choose("de_CH") == "de"
    assert i18n.choose("DE") == "de"


def test_lang_refuses_a_language_it_does_not_have(capsys) -> None:
    assert app.main(["--lang", "xx"]) == 2
    assert "invalid choice: 'xx'" in capsys.readouterr().err


def test_refusals_and_message_boxes_in_german(qtbot, launch, boxes, german,
                                              monkeypatch) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", "wrong password")
    dialog = controller.login_dialog
    qtbot.waitUntil(lambda: dialog.messageLabel.isVisible())
    assert dialog.messageLabel.text() == "Autorisierungsfehler"
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None)
    window = controller.main_window
    assert window.menuFile.title() == "&Datei"
    assert window.statusBar().currentMessage() == "Bereit"
    assert "Willkommen, " in window.welcomeLabel.text()

    window.about()
    box = boxes.last()
    assert box.title == "Über TapeMaster"
    assert box.informative.startswith("Benutzerdatenbank: ")
    assert "Protokollordner: " in box.informative

    # A question's buttons: Qt's own "Ja" and "Nein" unless the box names its Yes.
    pressed: list[list[str]] = []

    def record(box: QMessageBox) -> QMessageBox.StandardButton:
        pressed.append(sorted(b.text() for b in box.buttons()))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(msgbox, "_exec", record)
    assert not msgbox.confirm(window, "Titel", "Frage?")
    assert pressed == [["&Ja", "&Nein"]] or pressed == [["Ja", "Nein"]]


def test_user_properties_in_german(qtbot, launch, boxes, german) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None)
    window = open_admin(qtbot, controller)
    dialog = open_properties_by_double_click(qtbot, window, "tapemaster")
    assert dialog.windowTitle() == "Benutzereigenschaften — tapemaster"
    model = dialog.model
    texts = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert texts[:3] == ["Identität", "Gruppe", "Optionen"]
    first = model.index(0, 0)
    assert [model.index(r, 0, first).data() for r in range(2)] == ["Benutzerkennung", "Name"]
    assert model.headerData(0, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal
                            ) == "Feld"
    tabs = dialog.findChild(QTabWidget)
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["&Identität", "S&tatus"]
    dialog.reject()


# --- mnemonics ----------------------------------------------------------------------------

MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def _key(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Mnemonics used twice among the window's buttons, labelled fields and tabs (what
    Alt+letter reaches at once); menus are checked one menu at a time."""
    used: dict[str, list[str]] = defaultdict(list)
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and button.window() is window:
            key = _key(button.text())
            if key:
                used[key].append(button.text())
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(window):
            key = _key(label.text())
            if key:
                used[key].append(label.text())
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            key = _key(tabs.tabText(i))
            if key:
                used[key].append(tabs.tabText(i))
    return {k: v for k, v in used.items() if len(v) > 1}


def menu_clashes(window: QWidget) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    bar = window.menuBar()  # type: ignore[attr-defined]
    groups = [[a.text() for a in bar.actions()]]
    groups += [[a.text() for a in menu.actions() if not a.isSeparator()]
               for menu in window.findChildren(QMenu)]
    for texts in groups:
        used: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            key = _key(text)
            if key:
                used[key].append(text)
        found.update({k: v for k, v in used.items() if len(v) > 1})
    return found


def test_german_mnemonics_do_not_clash(qtbot, launch, boxes, german) -> None:
    checked: list[QWidget] = []
    for dialog in (LoginDialog("TapeMaster", "alice"),
                   FirstRunDialog("TapeMaster", "/tmp/store"),
                   PasswordChangeDialog("alice", lambda _c, _n: None, own=True),
                   PasswordChangeDialog("alice", lambda _c, _n: None, own=False),
                   RecoveryCodesDialog(["abcd2345"] * 10, "TapeMaster:alice", "Codes")):
        qtbot.addWidget(dialog)
        checked.append(dialog)
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None)
    main = controller.main_window
    assert menu_clashes(main) == {}
    admin = open_admin(qtbot, controller)
    checked.append(admin)
    assert menu_clashes(admin) == {} if hasattr(admin, "menuBar") else True
    properties = open_properties_by_double_click(qtbot, admin, "tapemaster")
    checked.append(properties)
    for window in checked:
        assert clashes(window) == {}, window.objectName()
    properties.reject()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_compiled_catalogue_answers_every_lookup(language) -> None:
    """What the program asks (context, text, plural count) finds its translation in the
    .qm it loads."""
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(i18n.catalogue_path(language))
    source = i18n.catalogue_path(language).removesuffix(".qm") + ".ts"
    missing = []
    for context in ET.parse(source).getroot().iter("context"):  # noqa: S314 (our own file)
        name = context.findtext("name")
        for message in context.iter("message"):
            text = message.findtext("source")
            n = 2 if message.get("numerus") == "yes" else -1
            if not translator.translate(name, text, None, n):
                missing.append(f"{name}: {text}")
    assert missing == []


def test_service_refusals_reach_a_german_user_in_german(german) -> None:
    """A service's refusal carries its English message (the CLI, the logs) and its
    template: the window words it in German, with the values and the field's label."""
    from tapemaster_qt.errors import ValidationError
    from tapemaster_qt.services import passwords, validation

    with pytest.raises(ValidationError) as short:
        passwords.check_rules("kurz", "alice")
    assert short.value.message == "The password must have at least 8 characters."
    assert i18n.error_text(short.value) == "Das Passwort muss mindestens 8 Zeichen haben."
    with pytest.raises(ValidationError) as long_name:
        validation.check_name("x" * 65)
    assert long_name.value.message == "Name has at most 64 characters."
    assert i18n.error_text(long_name.value) == "Name hat höchstens 64 Zeichen."
    with pytest.raises(ValidationError) as bad_id:
        validation.check_user_id("x" * 17)
    assert i18n.error_text(bad_id.value) == "Eine Benutzerkennung hat höchstens 16 Zeichen."
    # A value that looks like a field stays a value: only the template is formatted.
    with pytest.raises(ValidationError) as odd:
        validation.check_description("{field}\x00")
    assert i18n.error_text(odd.value) == (
        "Beschreibung enthält ein Steuerzeichen oder ein unsichtbares Zeichen.")


def test_a_broken_translation_falls_back_to_the_english_sentence() -> None:
    from tapemaster_qt.errors import ValidationError

    error = ValidationError("{field} has at most {limit} characters.", "Name",
                            params={"field": "Name", "limit": 64})
    assert error.translated(lambda _t: "{feld} hat höchstens {limit} Zeichen.") == (
        "Name has at most 64 characters.")
    assert error.translated(lambda _t: "{0} kaputt") == "Name has at most 64 characters."
    assert error.translated(lambda t: t, lambda label: label.upper()) == (
        "NAME has at most 64 characters.")
