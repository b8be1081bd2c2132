"""Backing up and restoring the store, for support staff (``tapemaster-admin backup`` and
``restore``), audited like every other change.

Both are the store's own work (``tapemaster_qt.store.backup_store``/``restore_store``);
what is here is who may ask and what the audit log says. A restore is refused to
anyone but support staff at the CLI: it replaces every user at once, and it must work
on a store that no longer opens.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from tapemaster_qt.errors import NotAuthorizedError, TapeMasterError
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.context import Actor, Context, require_admin
from tapemaster_qt.store import BackupReport, RestoreReport, backup_store, open_store, restore_store


def backup(ctx: Context, actor: Actor, target: str | os.PathLike[str]) -> BackupReport:
    """Write a consistent backup of the open store to the new file ``target``."""
    require_admin(ctx, actor)
    report = backup_store(ctx.store, target)
    with ctx.store.write() as tx:
        tx.append_audit(ts=ctx.timestamp(), actor=actor.name, user_id=None,
                        program=ctx.program, host=ctx.host, event=str(Event.STORE_BACKED_UP),
                        detail=f"to {report.path} ({report.users} users)")
    return report


def restore(location: Path, source: str | os.PathLike[str], actor: Actor, program: str,
            *, busy_timeout_ms: int = 5000, accept_findings: bool = False) -> RestoreReport:
    """Put the backup ``source`` in place of the store at ``location``; the restored
    store's audit log says who did it, from which file, and where the store it replaced
    was kept.

    A restore is a rollback on purpose: the restored store is accepted as it is
    (``Store.accept_store``) one generation above the store it replaced, so that no OS
    account's high-water mark refuses it, and a backup from before every column was
    sealed is sealed once. A backup whose own checks fail (head, digest, audit chain,
    seals: changed after it was written) is refused, unless ``accept_findings`` (after
    review); what was accepted is in the report and in the accept's audit row."""
    if not actor.cli:
        raise NotAuthorizedError("Only support staff restore a store, with tapemaster-admin.")
    replaced = _generation(location, busy_timeout_ms)
    report = restore_store(location, source, busy_timeout_ms=busy_timeout_ms,
                           accept_findings=accept_findings)
    with open_store(location, busy_timeout_ms=busy_timeout_ms) as store:
        ctx = Context(store, program=program)
        kept = ", ".join(str(p) for p in report.kept_as) or "nothing (there was no store)"
        accepted = store.accept_store(actor.name, floor_generation=replaced,
                                      reason=f"after a restore from {report.source}")
        with store.write() as tx:
            tx.append_audit(ts=ctx.timestamp(), actor=actor.name, user_id=None,
                            program=ctx.program, host=ctx.host,
                            event=str(Event.STORE_RESTORED),
                            detail=f"from {report.source}; the store it replaced kept as "
                                   f"{kept}")
    # Said to the operator: what the accept took in, but its age against this
    # account's mark (expected of a restore; kept in the accept's audit row).
    seen = dict.fromkeys((*report.findings, *(f for f in accepted.accepted
                                              if not f.startswith("rolled back"))))
    return dataclasses.replace(report, findings=tuple(seen))


def _generation(location: Path, busy_timeout_ms: int) -> int:
    """The highest generation known here of the store a restore is about to replace
    (0 when there is none, or it does not open: damaged, say)."""
    from tapemaster_qt.paths import store_path

    path = store_path(location)
    if not path.is_file() or path.stat().st_size == 0:
        return 0  # opening would create a store
    try:
        with open_store(location, busy_timeout_ms=busy_timeout_ms) as current:
            return current.generation()
    except TapeMasterError:
        return 0
