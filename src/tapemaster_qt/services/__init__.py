"""Services: plain Python (no Qt) that decide everything; authorization lives here."""

from tapemaster_qt.services.context import Actor, Context

__all__ = ["Actor", "Context"]
