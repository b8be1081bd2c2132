"""Child process for bench_startup: start a program and exit the moment its first window
has been shown and painted. Argument: 'baseline' (a bare PySide6 QDialog) or 'app'."""

import os
import sys


def _exit_after_paint(widget_class):  # type: ignore[no-untyped-def]
    original = widget_class.paintEvent

    def paint(self, event):  # type: ignore[no-untyped-def]
        original(self, event)
        sys.stdout.write("shown\n")
        sys.stdout.flush()
        os._exit(0)

    widget_class.paintEvent = paint


if sys.argv[1] == "baseline":
    from PySide6.QtWidgets import QApplication, QDialog

    _exit_after_paint(QDialog)
    app = QApplication(sys.argv[:1])
    dialog = QDialog()
    dialog.setWindowTitle("Baseline")
    dialog.show()
    app.exec()
else:
    from tapemaster_qt.app import main
    from tapemaster_qt.ui.logon import LoginDialog

    _exit_after_paint(LoginDialog)
    sys.exit(main(sys.argv[2:]))
