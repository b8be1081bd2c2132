"""One program on one "desktop", driven like a user from another process.

``python desk_robot.py PROGRAM LOCATION`` runs the real program (``app.main`` with
``--store LOCATION``, offscreen) and takes one command per line on standard input,
answering each with one JSON line on standard output once the windows have settled:

- ``state``: what is on the screen;
- ``logon USER PASSWORD [CODE]``: types into the logon dialog and clicks OK;
- ``ok``: clicks OK in the One Time Password Setup popup;
- ``logout`` / ``exit``: File ▸ Log Out / Exit (``exit`` on the logon dialog: Cancel).

A message box is read and closed with its default button as soon as it shows (a user
reading it and pressing Enter); the next answer lists it under ``boxes``.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

SETTLE_S = 30.0


class Robot:
    def __init__(self) -> None:
        self.commands: queue.Queue[str] = queue.Queue()
        self.boxes: list[dict[str, str]] = []
        self.busy = False
        threading.Thread(target=self._read, daemon=True).start()
        self.poll = QTimer()
        self.poll.setInterval(20)
        self.poll.timeout.connect(self._next)
        self.poll.start()
        self.closer = QTimer()  # runs inside a message box's own event loop too
        self.closer.setInterval(20)
        self.closer.timeout.connect(self._close_boxes)
        self.closer.start()

    def _read(self) -> None:
        for line in sys.stdin:
            self.commands.put(line.rstrip("\n"))
        self.commands.put("exit")

    # --- the screen --------------------------------------------------------------------

    @staticmethod
    def window(name: str) -> Any:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == name and widget.isVisible():
                return widget
        return None

    def state(self) -> dict[str, Any]:
        shown = sorted(w.objectName() for w in QApplication.topLevelWidgets()
                       if w.isVisible() and w.objectName())
        logon, setup, main, codes = (self.window(n) for n in (
            "loginDialog", "otpSetupDialog", "mainWindow", "recoveryCodesDialog"))
        state = {
            "windows": shown,
            "message": logon.messageLabel.text() if logon is not None else None,
            "secret": setup.secretKeyEdit.text() if setup is not None else None,
            "user": main.userStatusLabel.text().strip() if main is not None else None,
            "boxes": self.boxes,
            "codes": (len(codes.recoveryCodesView.toPlainText().split())
                      if codes is not None else None),
        }
        self.boxes = []
        return state

    def _close_boxes(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                self.boxes.append({"name": widget.objectName(), "text": widget.text()})
                button = widget.defaultButton() or widget.buttons()[0]
                button.click()

    def settle(self, done: Any) -> None:
        deadline = time.monotonic() + SETTLE_S
        while not done() and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        for _ in range(10):  # let the last window paint and any box show and close
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    # --- commands ----------------------------------------------------------------------

    def _next(self) -> None:
        if self.busy:
            return
        try:
            line = self.commands.get_nowait()
        except queue.Empty:
            return
        self.busy = True
        try:
            self.run(line)
        finally:
            self.busy = False

    def run(self, line: str) -> None:
        command, *args = line.split(" ")
        if command == "logon":
            self.logon(*args)
        elif command == "ok":  # the recovery codes shown once, else the setup popup
            shown = self.window("recoveryCodesDialog") or self.window("otpSetupDialog")
            shown.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
            self.settle(lambda: self.window("mainWindow") is not None)
        elif command == "logout":
            self.window("mainWindow").actionLogOut.trigger()
            self.settle(lambda: self.window("loginDialog") is not None)
        elif command == "exit":
            main = self.window("mainWindow")
            if main is not None:
                main.actionExit.trigger()
            elif self.window("loginDialog") is not None:
                self.window("loginDialog").reject()
            self.answer({"exiting": True})
            return
        self.answer(self.state())

    def logon(self, user_id: str, password: str, code: str = "") -> None:
        self.settle(lambda: self.window("loginDialog") is not None)
        dialog = self.window("loginDialog")
        dialog.messageLabel.setText("")  # so that the answer's message is this logon's
        for edit, text in ((dialog.userIdEdit, user_id), (dialog.passwordEdit, password),
                           (dialog.otpEdit, code)):
            edit.clear()
            if text:
                QTest.keyClicks(edit, text)
        QTest.mouseClick(dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
        self.settle(lambda: not dialog.isVisible() or bool(dialog.messageLabel.text()))

    @staticmethod
    def answer(data: dict[str, Any]) -> None:
        print(json.dumps(data), flush=True)


def main() -> int:
    program, location = sys.argv[1], sys.argv[2]
    app = QApplication([program])
    robot = Robot()
    from tapemaster_qt import app as programs

    code = programs.main(["--store", location], program)
    robot.poll.stop()
    robot.closer.stop()
    del app
    return code


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The program has ended (its store closed, its exit code known); skip tearing down
    # Qt under a robot thread still blocked on standard input.
    os._exit(status)
