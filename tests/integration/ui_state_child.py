"""A real program started on a store whose ``ui-state.ini`` may be hostile.

Run as ``python ui_state_child.py DATA_DIR PROGRAM USER_ID PASSWORD``: it starts the
program through ``app.main`` (the code path of ``tapetrack-lite --data-dir DATA_DIR``),
waits for the logon dialog, prints the User-ID the dialog offers, logs on as a user
would, and once the main window is up logs out and ends the program. One JSON line
per step on stdout, flushed; a native crash (Qt's ``std::bad_alloc``) shows as the exit
code and the missing lines.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tapemaster_qt import app


def say(**data: Any) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def visible(name: str) -> Any:
    return next((w for w in QApplication.topLevelWidgets()
                 if w.objectName() == name and w.isVisible()), None)


def main() -> int:
    folder, program, user_id, password = sys.argv[1:5]
    QApplication([program])
    state = {"step": "logon"}

    def drive() -> None:
        if state["step"] == "logon" and (dialog := visible("loginDialog")) is not None:
            say(step="logon dialog", user_id=dialog.userIdEdit.text())
            dialog.userIdEdit.setText(user_id)
            dialog.passwordEdit.setText(password)
            state["step"] = "main"
            dialog.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
        elif state["step"] == "main" and (window := visible("mainWindow")) is not None:
            say(step="logged on", title=window.windowTitle())
            state["step"] = "done"
            window.exitRequested.emit()
        elif state["step"] == "main" and (dialog := visible("loginDialog")) is not None \
                and dialog.messageLabel.text():
            say(step="refused", message=dialog.messageLabel.text())
            state["step"] = "done"
            QApplication.exit(1)

    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(drive)
    poll.start()
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: (say(step="stuck", windows=[
        (w.objectName(), type(w).__name__, w.isVisible()) for w in QApplication.topLevelWidgets()
        if w.isVisible()]), QApplication.exit(99)))
    guard.start(int(sys.argv[5]) if len(sys.argv) > 5 else 60_000)
    code = app.main(["--data-dir", folder], program=program)
    say(step="ended", code=code)
    return code


if __name__ == "__main__":
    sys.exit(main())
