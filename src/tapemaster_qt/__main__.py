"""``python -m tapemaster_qt`` starts TapeMaster, like the ``tapemaster`` command."""

import sys

from tapemaster_qt.app import run_tapemaster

if __name__ == "__main__":
    sys.exit(run_tapemaster())
