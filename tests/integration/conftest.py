"""Fixtures of the fault tests (defined in integration/reliability.py)."""

from integration.reliability import boxes, programs, tmpfs  # noqa: F401
