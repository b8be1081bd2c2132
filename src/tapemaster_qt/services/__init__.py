"""Services: plain Python (no Qt) that decide everything; authorization lives here.

``Actor`` and ``Context`` are loaded on first use, so that importing one light module
of this package (say ``services.passwords``) does not pull in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tapemaster_qt.services.context import Actor, Context

__all__ = ["Actor", "Context"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tapemaster_qt.services import context

        return getattr(context, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
