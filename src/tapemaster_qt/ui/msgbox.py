"""Every message box and file dialog goes through here (after qutebrowser's msgbox).

Tests replace :func:`_exec` and :func:`_file_dialog` to answer without a modal loop,
so no test can hang on a dialog nobody sees.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

logger = logging.getLogger(__name__)



def __getattr__(name: str) -> object:
    # ``msgbox.Button`` is QMessageBox.StandardButton, looked up on first use: touching
    # a Qt enum at import time would slow the start of every program.
    if name == "Button":
        return QMessageBox.StandardButton
    raise AttributeError(name)


def _exec(box: QMessageBox) -> QMessageBox.StandardButton:
    """Show ``box`` modally and return the button pressed (the seam tests patch)."""
    return QMessageBox.StandardButton(box.exec())


def _file_dialog(
    parent: QWidget | None, caption: str, directory: str, filters: str
) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, directory, filters)
    return path


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
    buttons: QMessageBox.StandardButton, default: QMessageBox.StandardButton,
    object_name: str, informative: str = "",
) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setObjectName(object_name)
    box.setDefaultButton(default)
    if informative:
        box.setInformativeText(informative)
    return box


def _ok_button() -> QMessageBox.StandardButton:
    return QMessageBox.StandardButton.Ok


def information(parent: QWidget | None, title: str, text: str, *,
                object_name: str = "informationMessage", informative: str = "") -> None:
    _exec(_box(parent, QMessageBox.Icon.Information, title, text, _ok_button(), _ok_button(),
               object_name, informative))


def warning(parent: QWidget | None, title: str, text: str, *,
            object_name: str = "warningMessage", informative: str = "") -> None:
    logger.info("Warning shown: %s", title)
    _exec(_box(parent, QMessageBox.Icon.Warning, title, text, _ok_button(), _ok_button(),
               object_name, informative))


def critical(parent: QWidget | None, title: str, text: str, *,
             object_name: str = "criticalMessage", informative: str = "") -> None:
    logger.warning("Error shown: %s: %s", title, text)
    _exec(_box(parent, QMessageBox.Icon.Critical, title, text, _ok_button(), _ok_button(),
               object_name, informative))


def confirm(parent: QWidget | None, title: str, text: str, *, yes: str | None = None,
            no: str = "", object_name: str = "confirmMessage", informative: str = "",
            yes_is_safe: bool = False) -> bool:
    """Ask before something that cannot be undone; the safe answer is the default (No,
    unless ``yes_is_safe``: saying yes undoes nothing, saying no would lose work).
    ``yes`` and ``no`` name the buttons (default: Qt's own words, in the user's
    language)."""
    button = QMessageBox.StandardButton
    box = _box(parent, QMessageBox.Icon.Question, title, text, button.Yes | button.No,
               button.Yes if yes_is_safe else button.No, object_name, informative)
    if yes:
        box.button(button.Yes).setText(yes)
    if no:
        box.button(button.No).setText(no)
    return _exec(box) == button.Yes


def choose(parent: QWidget | None, title: str, text: str,
           choices: dict[QMessageBox.StandardButton, str], *,
           default: QMessageBox.StandardButton, object_name: str = "chooseMessage",
           informative: str = "") -> QMessageBox.StandardButton:
    """Offer a few ways on: standard buttons with the given texts; the one pressed
    (Escape gives the box's Close or Cancel button, when it has one)."""
    buttons = QMessageBox.StandardButton.NoButton
    for button in choices:
        buttons |= button
    box = _box(parent, QMessageBox.Icon.Question, title, text, buttons, default, object_name,
               informative)
    for button, label in choices.items():
        box.button(button).setText(label)
    return _exec(box)


def save_file(parent: QWidget | None, caption: str, directory: str, filters: str) -> str | None:
    path = _file_dialog(parent, caption, directory, filters)
    return path or None
