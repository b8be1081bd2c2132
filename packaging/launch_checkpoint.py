"""Frozen entry point of Checkpoint (PyInstaller runs this script; see tapemaster.spec)."""

import sys

from tapemaster_qt.app import main

if __name__ == "__main__":
    sys.exit(main(None, "Checkpoint"))
