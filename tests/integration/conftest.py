"""Fixtures of the fault tests (defined in integration/reliability.py)."""

from integration.reliability import boxes, main_logging, programs, tmpfs  # noqa: F401
