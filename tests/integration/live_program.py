"""A real program (``app.main``, drawn offscreen) that one user logs on to, reporting
what it shows: the multi-process tests of live sessions (test_live_sessions.py).

Run as ``python live_program.py DATA_DIR PROGRAM USER_ID HEARTBEAT_MS`` with the
password on standard input. Everything is the shipped program's: the entry point, the
controller, the windows, the production argon2 parameters; only the heartbeat comes
every HEARTBEAT_MS instead of every minute, so a test need not wait a minute per beat.
The logon dialog is filled in and OK clicked as a user would.

JSON lines on stdout, flushed:
- ``{"k": "on", "session": ID}`` once the main window is up;
- ``{"k": "off", "message": TEXT}`` when the logon dialog is back, with what its
  message line says; the program then closes (exit code 0);
- ``{"k": "X", "error": TEXT}`` when something unexpected happened.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def say(kind: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"k": kind, **data}) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

    from tapemaster_qt import app

    folder, program, user_id, beat_ms = argv[1], argv[2], argv[3], int(argv[4])
    password = sys.stdin.readline().rstrip("\n")
    shipped = app.Controller

    class Controller(shipped):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["heartbeat_ms"] = beat_ms
            super().__init__(*args, **kwargs)
            self._driver = QTimer(self)  # the "user": made once the application is
            self._driver.setInterval(50)
            self._driver.timeout.connect(drive)
            self._driver.start()

    app.Controller = Controller  # type: ignore[misc]
    state = {"step": "logon"}

    def shown(name: str) -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == name and widget.isVisible():
                return widget
        return None

    def drive() -> None:
        try:
            step = state["step"]
            dialog = shown("loginDialog")
            if step == "logon" and dialog is not None:
                dialog.userIdEdit.setText(user_id)  # type: ignore[attr-defined]
                dialog.passwordEdit.setText(password)  # type: ignore[attr-defined]
                ok = dialog.buttonBox.button(  # type: ignore[attr-defined]
                    QDialogButtonBox.StandardButton.Ok)
                state["step"] = "waiting"
                ok.click()
            elif step == "waiting":
                window = shown("mainWindow")
                if window is not None:
                    state["step"] = "on"
                    say("on", session=window.session.session_id)  # type: ignore[attr-defined]
                elif dialog is not None and dialog.messageLabel.text():  # type: ignore[attr-defined]
                    say("X", error="logon refused: " + dialog.messageLabel.text())  # type: ignore[attr-defined]
                    dialog.reject()  # type: ignore[attr-defined]
            elif step == "on" and dialog is not None:
                state["step"] = "off"
                say("off", message=dialog.messageLabel.text())  # type: ignore[attr-defined]
                dialog.reject()  # type: ignore[attr-defined]  # closes the program
        except Exception:
            say("X", error=traceback.format_exc())
            raise

    return app.main(["--data-dir", folder], program=program)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BaseException:
        say("X", error=traceback.format_exc())
        raise
