"""Driving the windows like a user: typing, clicking rows, choosing in the grid."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLineEdit, QWidget

from tapemaster_qt.app import Controller
from tapemaster_qt.ui import windows
from tapemaster_qt.ui.otp_setup import OtpSetupDialog


def log_on(qtbot, controller: Controller, user_id: str, password: str, code: str = "") -> None:
    """Type into the logon dialog like a user and click OK."""
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    for edit, text in ((dialog.userIdEdit, user_id), (dialog.passwordEdit, password),
                       (dialog.otpEdit, code)):
        edit.clear()
        if text:
            qtbot.keyClicks(edit, text)
    qtbot.mouseClick(dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def top_level(name: str) -> QWidget:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    raise AssertionError(f"no visible window named {name}")


def open_admin(qtbot, controller):
    controller.main_window.actionGroupUserAdministration.trigger()
    window = top_level("groupUserAdministration")
    qtbot.waitExposed(window)
    return window


def row_rect(window, user_id: str):
    proxy = window.usersProxy
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        if index.data() == user_id:
            return window.usersView.visualRect(index)
    raise AssertionError(f"{user_id} not in the users table")


def open_properties_by_double_click(qtbot, window, user_id: str):
    rect = row_rect(window, user_id)
    viewport = window.usersView.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = window.windows.get(windows.USER_PROPERTIES)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    # A user cannot type into it before it is the active window; a list opened before
    # that would be closed by the activation arriving late.
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def grid_value(dialog, label: str) -> str | None:
    index = dialog.model.value_index(label)
    return index.data() if index.isValid() else None


def open_editor(grid, kind):
    """The grid's open editor of type ``kind`` (closed ones linger until deleted)."""
    editors = [w for w in grid.viewport().findChildren(kind) if w.isVisible()]
    assert len(editors) <= 1, editors
    return editors[0] if editors else None


def click_cell(qtbot, dialog, label: str) -> None:
    """Click a field's value cell, as a user picks a row (no editor opens)."""
    grid = dialog.identityGrid
    qtbot.waitUntil(dialog.isActiveWindow)
    index = dialog.model.value_index(label)
    assert index.isValid(), f"no field {label}"
    grid.scrollTo(index)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.visualRect(index).center())
    assert grid.currentIndex().siblingAtColumn(1) == index


def open_list(qtbot, grid, key=Qt.Key.Key_F2):
    """Open the current choice's editor (F2 by default); its list opens with it."""
    qtbot.keyClick(grid, key)
    combo = open_editor(grid, QComboBox)
    assert combo is not None, "the choice editor did not open"
    qtbot.waitUntil(lambda: combo.view().isVisible())
    return combo


def pick(qtbot, combo, text: str) -> None:
    """In an open list, arrow to ``text`` and press Enter."""
    view = combo.view()
    target = combo.findText(text)
    assert target >= 0, f"{text} is not a choice"
    while view.currentIndex().row() != target:
        key = Qt.Key.Key_Down if target > view.currentIndex().row() else Qt.Key.Key_Up
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key.Key_Return)


def choose_in_grid(qtbot, dialog, label: str, text: str) -> None:
    """Click the field's value cell, press F2 and pick ``text`` from the list."""
    click_cell(qtbot, dialog, label)
    combo = open_list(qtbot, dialog.identityGrid)
    pick(qtbot, combo, text)
    qtbot.waitUntil(lambda: open_editor(dialog.identityGrid, QComboBox) is None)


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttonBox.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)


def read_qr(qtbot, dialog: OtpSetupDialog, tmp_path: Path) -> str:
    """What a phone reads from the QR on screen: zxing-cpp (the decoder family phone
    scanners use; a test dependency, so the check is the same on every machine) reads
    the pixels the label shows; zbarimg, where installed, must read the same."""
    import zxingcpp

    image: QImage = dialog.qrCodeLabel.grab().toImage()
    # Grayscale, 8 bits a pixel: a format zxing-cpp reads straight from a QImage.
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"zxing-cpp found {len(found)} QR codes on screen"
    text = found[0].text
    if shutil.which("zbarimg"):
        png = tmp_path / "qr.png"
        image.save(str(png))
        out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == text, "zbar and zxing-cpp read different QR codes"
    return text


# --- more of the same: buttons, the grid's text fields, rows, menus ----------------------


def click(qtbot, dialog, button=QDialogButtonBox.StandardButton.Ok) -> None:
    """Click one of the dialog's standard buttons (OK, Save, Cancel...)."""
    widget = dialog.buttonBox.button(button)
    assert widget is not None and widget.isVisible(), f"no visible {button} button"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, edit, text: str) -> None:
    """Replace what a line edit holds by typing, as a user who selects all first."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


def type_in_grid(qtbot, dialog, label: str, text: str) -> None:
    """Click a text field's value cell, press F2, replace the text, press Enter."""
    click_cell(qtbot, dialog, label)
    grid = dialog.identityGrid
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    edit = open_editor(grid, QLineEdit)
    assert edit is not None, f"the editor of {label} did not open"
    type_into(qtbot, edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: open_editor(grid, QLineEdit) is None)


def log_out(controller: Controller) -> None:
    controller.main_window.actionLogOut.trigger()
    assert controller.login_dialog is not None and controller.login_dialog.isVisible()


def only_new_password_works(qtbot, controller: Controller, user_id: str, old: str,
                            new: str) -> None:
    """At the logon dialog: the old password is refused, the new one logs on."""
    log_on(qtbot, controller, user_id, old)
    assert controller.main_window is None
    assert controller.login_dialog.messageLabel.text() == "Authorization Failure"
    log_on(qtbot, controller, user_id, new)
    assert controller.main_window is not None
    assert controller.main_window.session.user_id == user_id


def shown_user_ids(window) -> list[str]:
    """The User-ID column, top to bottom, as the Users tab shows it."""
    proxy = window.usersProxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def cell(window, user_id: str, header: str) -> str:
    """What the Users grid shows in ``header``'s column of ``user_id``'s row."""
    proxy = window.usersProxy
    columns = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == user_id:
            return proxy.index(row, columns.index(header)).data()
    raise AssertionError(f"{user_id} not in the users table")


def click_user(qtbot, window, user_id: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Click a user's row (with Ctrl or Shift to extend the selection)."""
    rect = row_rect(window, user_id)
    qtbot.mouseClick(window.usersView.viewport(), Qt.MouseButton.LeftButton, modifier,
                     rect.center())


def menu_action(menu, object_name: str):
    """The action named ``object_name`` in ``menu`` or one of its submenus."""
    for action in menu.actions():
        if action.objectName() == object_name:
            return action
        sub = action.menu()
        if sub is not None:
            found = menu_action(sub, object_name)
            if found is not None:
                return found
    return None


def submenu(menu, title: str):
    for action in menu.actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    raise AssertionError(f"no submenu {title}")


# --- One Time Password: recovery codes, the setup popup's Verify, self-service ---------

RECOVERY_CODE = re.compile(r"\b[0-9a-z]{4}-[0-9a-z]{4}\b")


def shown_recovery_codes(dialog) -> list[str]:
    """The codes the Recovery Codes dialog shows, as a user reads them off the screen."""
    assert dialog is not None and dialog.objectName() == "recoveryCodesDialog"
    return RECOVERY_CODE.findall(dialog.recoveryCodesView.toPlainText())


def take_recovery_codes(qtbot, dialog) -> list[str]:
    """Read the codes off the Recovery Codes dialog, then click OK."""
    assert dialog is not None and dialog.isVisible()
    codes = shown_recovery_codes(dialog)
    assert len(codes) == 10, codes
    click(qtbot, dialog)
    return codes


def verify_in_popup(qtbot, dialog, code: str) -> None:
    """Type a code into the setup popup's "Code from your app" field and click Verify."""
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.verifyCodeEdit, code)
    qtbot.mouseClick(dialog.verifyButton, Qt.MouseButton.LeftButton)


def open_my_otp(qtbot, controller):
    """File ▸ One Time Password…"""
    controller.main_window.actionMyOneTimePassword.trigger()
    window = top_level("myOneTimePasswordDialog")
    qtbot.waitExposed(window)
    return window
