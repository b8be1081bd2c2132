"""Carrying the store key to another desktop or OS account (DESIGN.md §7, "the site key").

The key never enters the store (nor a shared server's database): ``export_key`` writes
it wrapped with a passphrase (argon2id + AES-GCM, :mod:`tapemaster_qt.services.keywrap`),
and ``import_key`` checks a wrapped key against the store it is meant for before
keeping it in this desktop's keyring (or owner-only key file). Both are audited.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from tapemaster_qt.errors import StoreKeyError, ValidationError
from tapemaster_qt.fileio import write_new_private_file
from tapemaster_qt.services import keywrap
from tapemaster_qt.services.audit import Event
from tapemaster_qt.services.context import Actor, Context, require_admin

MIN_PASSPHRASE = 12
MAX_PASSPHRASE = 1024
MIN_DISTINCT = 6
_SEQUENCES = ("01234567890123456789", "abcdefghijklmnopqrstuvwxyz",
              "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn")


def check_passphrase(passphrase: str) -> None:
    """Raise :class:`ValidationError` for a passphrase too weak to guard the store key:
    whoever has the file may try passphrases offline for as long as they like."""
    text = unicodedata.normalize("NFKC", passphrase)
    if not text:
        raise ValidationError("The passphrase is empty.")
    if len(text) < MIN_PASSPHRASE:
        raise ValidationError(
            f"The passphrase must have at least {MIN_PASSPHRASE} characters; a few words "
            "are easy to type and hard to guess.")
    if len(text) > MAX_PASSPHRASE:
        raise ValidationError(f"The passphrase must have at most {MAX_PASSPHRASE} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise ValidationError("The passphrase contains a control character.")
    folded = text.casefold()
    if len(set(folded)) < MIN_DISTINCT or any(folded in seq or seq in folded
                                              for seq in _SEQUENCES):
        raise ValidationError(
            "The passphrase is too easy to guess (repeated characters or a keyboard "
            "sequence); use a few unrelated words.")


def export_key(ctx: Context, actor: Actor, passphrase: str, output: Path,
               *, params: keywrap.KdfParams = keywrap.EXPORT_PARAMS) -> None:
    """Write the store key to ``output`` (a new file, 0600), wrapped with ``passphrase``."""
    require_admin(ctx, actor)
    check_passphrase(passphrase)
    store = ctx.store
    key = store.key  # this desktop's key, checked against the store
    data = keywrap.wrap(key.raw, store.store_id, passphrase, store=store.location,
                        params=params)
    try:
        write_new_private_file(output, data)
    except FileExistsError:
        raise ValidationError(
            f"{output} already exists; nothing was written (choose a new file name)."
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"{output} cannot be written ({exc.strerror or type(exc).__name__}); "
            "nothing was exported."
        ) from None
    try:
        with store.write() as tx:
            tx.append_audit(ts=ctx.timestamp(), actor=actor.name, user_id=None,
                            program=ctx.program, host=ctx.host, event=Event.KEY_EXPORTED,
                            detail=os.path.basename(output))
    except BaseException:
        output.unlink(missing_ok=True)  # an export that is not in the audit log is none
        raise


def import_key(ctx: Context, actor: Actor, passphrase: str, data: bytes,
               *, name: str = "The key file") -> str:
    """Unwrap ``data`` and keep the key for this store on this desktop; refuses a wrong
    passphrase, a damaged file and a key of another store, changing nothing. Returns
    where the key is now kept, for people ("OS keyring (...)", "key file ...")."""
    require_admin(ctx, actor)
    store = ctx.store
    # Another store's file is told apart before the passphrase is tried; a file whose
    # store id was changed to this one's still fails below (the id is authenticated).
    store_id, exported_from = keywrap.store_of(data, name=name)
    if store_id != store.store_id:
        raise StoreKeyError(
            f"{name} holds the key of another store (id {store_id}, exported from "
            f"{exported_from or 'an unnamed store'}), not of this one (id "
            f"{store.store_id}); nothing was imported."
        )
    unwrapped = keywrap.unwrap(data, passphrase, name=name)
    if not store.accepts_key(unwrapped.raw):
        raise StoreKeyError(
            f"{name} names this store but its key does not open it; nothing was imported."
        )
    key = store.install_key(unwrapped.raw)
    with store.write() as tx:
        tx.append_audit(ts=ctx.timestamp(), actor=actor.name, user_id=None,
                        program=ctx.program, host=ctx.host, event=Event.KEY_IMPORTED,
                        detail=key.location)
    return key.describe()
