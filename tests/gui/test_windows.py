"""The one way to open a window (ui/windows.py) and to run a service call
(ui/operations.py), on their own and as the programs use them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from gui.driving import log_on, log_out
from helpers import ADMIN_PASSWORD
from tapemaster_qt.errors import NotFoundError
from tapemaster_qt.ui import windows
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.windows import WindowRegistry


class EditsDialog(QDialog):
    """Asks before closing with edits, like User Properties."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asked = 0
        self.dirty = True

    def discard_edits(self) -> None:
        self.dirty = False

    def reject(self) -> None:
        if self.dirty:
            self.asked += 1
            return  # "No, keep my edits"
        super().reject()


def test_open_builds_once_and_raises_it_again(qtbot) -> None:
    registry = WindowRegistry()
    made: list[QWidget] = []

    def factory() -> QWidget:
        made.append(QWidget())
        return made[-1]

    first = registry.open("w", factory)
    assert first is made[0] and first.isVisible()
    assert registry.open("w", factory) is first and len(made) == 1
    assert first.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    first.close()  # deleted on close: the next open builds a new one
    qtbot.waitUntil(lambda: registry.get("w") is None)
    second = registry.open("w", factory)
    assert second is made[1] and len(made) == 2
    registry.close_all()
    qtbot.waitUntil(lambda: registry.keys() == [])


def test_a_refused_window_is_a_message_and_nothing_opens(qtbot, boxes) -> None:
    registry = WindowRegistry()
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.setWindowTitle("TapeMaster — alice")

    def refused() -> QWidget:
        raise NotFoundError("There is no User-ID 'bob'.")

    assert registry.open("w", refused, parent=parent) is None
    assert [(b.object_name, b.title, b.text) for b in boxes.shown] == [
        ("warningMessage", "TapeMaster — alice", "There is no User-ID 'bob'.")]
    assert registry.keys() == []


def test_close_all_keeps_kept_windows_and_asks_nobody(qtbot) -> None:
    registry = WindowRegistry()
    logon = registry.register("logon", QWidget(), keep=True)
    owner = registry.open("owner", QWidget)
    dialog = registry.open("dialog", lambda: EditsDialog(owner), modal=True)
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    dialog.close()  # the close button: the dialog asks, the user keeps the edits
    assert dialog.asked == 1 and dialog.isVisible()

    registry.close_all()  # log out: nobody is asked
    qtbot.waitUntil(lambda: registry.keys() == ["logon"])
    assert dialog.asked == 1
    assert registry.get("logon") is logon
    registry.close_all(kept_too=True)
    qtbot.waitUntil(lambda: registry.keys() == [])


def test_op_success_then_refresh(qtbot) -> None:
    calls: list[str] = []
    ok = Op(None, "Unlock", lambda: 42).success(lambda v: calls.append(f"ok {v}")).refresh(
        lambda: calls.append("refresh")).run()
    assert ok and calls == ["ok 42", "refresh"]
    assert QGuiApplication.overrideCursor() is None


def test_op_refusal_is_a_message_then_refresh(qtbot, boxes) -> None:
    calls: list[str] = []

    def refused() -> None:
        raise NotFoundError("There is no User-ID 'bob'.")

    ok = Op(None, "Unlock", refused).success(lambda _v: calls.append("ok")).refresh(
        lambda: calls.append("refresh")).run()
    assert not ok and calls == ["refresh"]
    assert [(b.title, b.text) for b in boxes.shown] == [("Unlock",
                                                         "There is no User-ID 'bob'.")]
    assert QGuiApplication.overrideCursor() is None

    # A dialog shows the refusal itself, on its message line: no box.
    seen: list[str] = []
    Op(None, "Save", refused).failure(lambda exc: seen.append(exc.message)).run()
    assert seen == ["There is no User-ID 'bob'."] and len(boxes.shown) == 1


def test_op_lets_a_bug_through_with_the_cursor_back(qtbot) -> None:
    def bug() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        Op(None, "Unlock", bug).run()
    assert QGuiApplication.overrideCursor() is None


def test_log_out_closes_what_the_session_opened(qtbot, launch) -> None:
    controller = launch()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    main = controller.main_window
    admin = main.open_group_user_administration()
    main.open_audit_log()
    admin.usersView.selectRow(0)
    props = admin.open_properties()
    assert props is not None and props.isVisible()
    assert set(controller.windows.keys()) == {
        windows.LOGON, windows.MAIN, windows.ADMINISTRATION, windows.AUDIT_LOG,
        windows.USER_PROPERTIES}
    log_out(controller)
    qtbot.waitUntil(lambda: controller.windows.keys() == [windows.LOGON])
    assert controller.login_dialog.isVisible()
