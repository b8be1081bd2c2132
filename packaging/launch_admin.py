"""Frozen entry point of the admin CLI, tapemaster-admin (see tapemaster.spec)."""

import sys

from tapemaster_qt.cli import main

if __name__ == "__main__":
    sys.exit(main())
