"""The store as a whole, for support staff: check everything, or accept it as it is.

A store whose identity, key or key location changed without ``tapemaster-admin``, that
was rolled back, or whose records no longer match its sealed digest is refused by every
program (the store raises :class:`~tapemaster_qt.errors.StoreTamperedError`). After
review, ``tapemaster-admin store accept`` trusts it as it is (audited), and a restore
from a backup does the same with the generation of the store it replaced
(:func:`accept_restored`), so that no account's high-water mark refuses the restored
copy. Administrators only: the CLI, or a user with tapemaster rights.
"""

from __future__ import annotations

from tapemaster_qt.records import StoreReport
from tapemaster_qt.services.context import Actor, Context, require_admin


class StoreReview:
    def __init__(self, ctx: Context, actor: Actor) -> None:
        # A refused store lets nobody log on, so in practice this is the CLI.
        require_admin(ctx, actor)
        self._ctx = ctx
        self._actor = actor

    def verify(self) -> StoreReport:
        """Every check, the whole audit chain included; refuses nothing."""
        return self._ctx.store.verify_store()

    def accept(self, *, floor_generation: int = 0) -> StoreReport:
        """Trust the store as it is now; records failing their own seal stay tampered
        (re-seal each after review), settings that fail theirs stay refused (set each)."""
        return self._ctx.store.accept_store(self._actor.name,
                                            floor_generation=floor_generation)


def accept_restored(ctx: Context, actor: Actor, replaced_generation: int) -> StoreReport:
    """After a backup was restored over a store whose generation was
    ``replaced_generation``: trust the restored copy, one generation above it."""
    return StoreReview(ctx, actor).accept(floor_generation=replaced_generation)
