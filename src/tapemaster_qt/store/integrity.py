"""The keyed procedures over a whole store: checking it when its key is loaded,
sealing an older store once, reporting everything for review, and accepting a store
as it is after review. No SQL of its own: the table modules' queries, the head and the
trust record (``trust.py``) are put together here; ``sqlstore.py`` calls in.

What is checked when a program first uses the key (:func:`check_on_open`), in order:

1. this OS account's trust record of the store: same store id, same key (fingerprint),
   key in the same place (keyring or file), record's MAC; none yet: trust on first use;
2. the head exists and its seal verifies (a store of seal version 1 is sealed instead,
   once: :func:`upgrade`);
3. its generation is not below this account's high-water mark (rollback);
4. its digest matches the sealed tables (a row put back, removed or added).

Each failure is a :class:`~tapemaster_qt.errors.StoreTamperedError` whose message is
one sentence for the person at the screen, saying what to run if it was on purpose.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tapemaster_qt.errors import StoreRollbackError, StoreTamperedError, StoreTrustError
from tapemaster_qt.records import AuditChainStatus, StoreReport
from tapemaster_qt.store import audit, head, recovery_codes, sealing, settings, trust, users
from tapemaster_qt.store.crypto import Sealer
from tapemaster_qt.store.database import Database, utc_now
from tapemaster_qt.store.head import Head, Ledger
from tapemaster_qt.store.interface import BUILTIN_USER
from tapemaster_qt.store.keys import StoreKey
from tapemaster_qt.store.sealing import Digest

logger = logging.getLogger(__name__)

ACCEPT = "tapemaster-admin store accept"
VERIFY = "tapemaster-admin store verify"

AuditWriter = Callable[[Ledger, str, str], None]
"""Appends one audit row (event, detail) through a ledger, with the store's origin."""


# --- the trust record ------------------------------------------------------------------


def trust_problems(stored: trust.Stored, store_id: str, key: StoreKey, sealer: Sealer
                   ) -> list[str]:
    """How the store differs from what this account remembers of it (short forms)."""
    record = stored.record
    problems = []
    if record.store_id != store_id:
        problems.append(f"store id changed from {record.store_id} to {store_id}")
    if record.key_location != key.location:
        problems.append(f"key moved from {record.describe_key()} to the {key.describe()}")
    elif record.key_id != sealer.key_id:
        problems.append("the store is sealed with another key than the one trusted")
    if not problems and not stored.verified(sealer):
        problems.append("the trust record does not match the store key")
    return problems


def _trust_error(location: str, problems: list[str]) -> StoreTrustError:
    what = "; ".join(problems)
    return StoreTrustError(
        f"The user store {location} is not the one this account trusted ({what}) and "
        "tapemaster-admin did not make that change; nothing was opened. If it was on "
        f"purpose, check it with '{VERIFY}' and accept it with '{ACCEPT}'.",
        "trust refused: " + what,
    )


def new_record(identity: str, store_id: str, key: StoreKey, sealer: Sealer,
               generation: int) -> trust.TrustRecord:
    return trust.TrustRecord(
        identity=identity, store_id=store_id, key_location=key.location, key_where=key.where,
        key_id=sealer.key_id, generation=generation, seal_version=sealing.SEAL_VERSION,
        since=utc_now())


# --- checks -----------------------------------------------------------------------------


def digest_error(location: str, sealed: Digest, actual: Digest,
                 missing: list[str] | None = None) -> StoreTamperedError:
    what = "; ".join(sealed.differences(actual))
    if missing:
        what += "; missing: the setting " + ", ".join(missing)
    return StoreTamperedError(
        f"Records of the user store {location} were put back to older copies, removed or "
        f"added outside TapeMaster ({what}); nobody can log on until an administrator "
        f"checks it with '{VERIFY}', then restores a backup or runs '{ACCEPT}'.",
        "digest mismatch: " + what,
    )


def check_digest(db: Database, sealed: Digest, sealer: Sealer) -> None:
    """The sums match the head, and no row's terms could have been chosen to make them
    match: no row carries terms not cut from its seal, and no setting or group (a
    handful of rows, each checked) fails its seal with terms counted."""
    actual = head.aggregate(db)
    if actual != sealed:
        raise digest_error(db.location, sealed, actual, _missing_settings(db))
    found = unvouched(db, sealer, full=False)
    if found:
        raise unvouched_error(db.location, found)


def unvouched(db: Database, sealer: Sealer, *, full: bool) -> list[str]:
    """Rows whose digest terms the head cannot have counted, so that the digest cannot
    vouch for any other row (one forged row balances any row put back): terms not cut
    from the row's seal (one query per table), settings and groups that fail their
    seal with terms counted, and with ``full`` (once per program start: a seal check
    of every row) users and recovery codes too (a user's counted terms are those its
    last-known-good copy recorded)."""
    out = [f"{table}: a row's digest terms were changed without its seal"
           for table in head.forged_terms(db)]
    out += [f"the setting '{name}' fails its seal" for name in settings.unaccounted(db, sealer)]
    from tapemaster_qt.store import groups as groups_table

    out += [f"the group '{g}' fails its seal" for g in groups_table.unaccounted(db, sealer)]
    if full:
        out += [f"the record of User-ID {u} fails its seal and its digest terms changed"
                for u in users.terms_unaccounted(db, sealer)]
        out += [f"a recovery code of User-ID {u} fails its seal"
                for u in recovery_codes.unaccounted(db, sealer)]
    return out


def unvouched_error(location: str, found: list[str]) -> StoreTamperedError:
    """A row that fails its seal with terms the head may not have counted: the store
    is refused as a whole. A setting or group has no last-known-good copy, so a value
    changed in place cannot be told from a made-up seal carrying chosen terms."""
    what = "; ".join(found)
    again = ""
    if any(f.startswith("the setting ") for f in found):
        again += " and set that setting again ('tapemaster-admin settings set')"
    if any(f.startswith("the group ") for f in found):
        again += " and save that group again (Group/User Administration)"
    return StoreTamperedError(
        f"Records of the user store {location} were changed outside TapeMaster so that "
        f"the digest cannot vouch for the others ({what}): any record may have been put "
        f"back to an older copy; nobody can log on until an administrator checks it with "
        f"'{VERIFY}', then restores a backup, or runs '{ACCEPT}'{again}.",
        "digest cannot vouch: " + what,
    )


def _missing_settings(db: Database) -> list[str]:
    present = {r["key"] for r in db.rows("SELECT key FROM settings")}
    return sorted(settings.REQUIRED - present)


def rollback_error(location: str, generation: int, mark: int) -> StoreRollbackError:
    return StoreRollbackError(
        f"The user store {location} is older than the one this account last used "
        f"(generation {generation}; this account has seen {mark}): it was rolled back or "
        "replaced by an older copy, and was not opened. If you restored a backup on "
        f"purpose, run '{ACCEPT}'.",
        f"rolled back: generation {generation} below {mark}",
    )


def audit_added_error(location: str, extra: int, audit_id: int) -> StoreTamperedError:
    """Audit rows beyond the sealed head's last one (REVIEW-2 D5): they were added
    outside TapeMaster, and no write can append after them until the store is accepted."""
    what = f"{extra} audit row(s) after row {audit_id} were added outside TapeMaster"
    return StoreTamperedError(
        f"The audit log of the user store {location} was tampered with ({what}); nothing "
        f"can be written until an administrator checks it with '{VERIFY}' (and "
        f"'tapemaster-admin audit --verify'), then restores a backup or runs '{ACCEPT}'.",
        "audit log tampered: " + what,
    )


def fork_error(location: str, ref: trust.MarkRef) -> StoreRollbackError:
    return StoreRollbackError(
        f"The user store {location} does not hold the history this account last used "
        f"(its audit row {ref.audit_id}, seen at generation {ref.generation}, is not "
        "there any more): it was put back to an older copy and written to again since "
        "(from another account, or another desktop), and was not opened. If you "
        f"restored a backup on purpose, run '{ACCEPT}'.",
        f"rolled back: history forked before generation {ref.generation} "
        f"(audit row {ref.audit_id})",
    )


def forked(db: Database, sealer: Sealer, current: Head, ref: trust.MarkRef | None) -> bool:
    """Whether the store reached this account's mark through another history (REVIEW-2
    D2): the audit row the mark names is not there as it was, and no administrator
    accepted the store since (a restore, or ``store accept``). One primary-key lookup."""
    if ref is None or current.generation < ref.generation:
        return False
    if audit.hash_at(db, ref.audit_id) == ref.audit_hash:
        return False
    return settings.accepted_generation(db, sealer) <= ref.generation


def head_error(location: str, why: str) -> StoreTamperedError:
    return StoreTamperedError(
        f"The sealed head record of the user store {location} {why} outside TapeMaster; "
        f"nothing was opened. Check the store with '{VERIFY}', then restore a backup or "
        f"run '{ACCEPT}'.", f"head {why}",
    )


def check_on_open(db: Database, store_id: str, key: StoreKey, sealer: Sealer,
                  stored: trust.Stored | None, seen: int | None,
                  ref: trust.MarkRef | None = None) -> Head:
    """Steps 1 to 4 of the module docstring for a store that has a head; raises.
    ``seen``: this account's high-water mark, read *before* the snapshot these reads
    share began (read after, it could hold a generation another program committed
    since, and a store read before that commit would look rolled back)."""
    if stored is not None:
        problems = trust_problems(stored, store_id, key, sealer)
        if problems:
            raise _trust_error(db.location, problems)
    current = head.read(db)
    if current is None:
        raise head_error(db.location, "was removed")
    if not current.intact(sealer):
        raise head_error(db.location, "was changed")
    if seen is not None and current.generation < seen:
        raise rollback_error(db.location, current.generation, seen)
    if forked(db, sealer, current, ref):
        assert ref is not None
        raise fork_error(db.location, ref)
    sealed = Digest.parse(current.digest)
    if sealed is None:
        raise head_error(db.location, "was changed")
    check_digest(db, sealed, sealer)
    # Once per program start, every row's seal: a row that fails it with terms the
    # head did not count could balance any row put back (the check above sees only
    # terms not cut from a seal; a forged seal carries terms cut from itself).
    found = unvouched(db, sealer, full=True)
    if found:
        raise unvouched_error(db.location, found)
    return current


def already_sealed(db: Database, sealer: Sealer, stored: trust.Stored | None) -> bool:
    """Whether a store without head was sealed before (so its head was removed): this
    account saw it sealed, or the built-in user's record bears a current seal."""
    if stored is not None and stored.record.seal_version >= 2:
        return True
    row = db.row("SELECT " + ", ".join(users.COLUMNS) + " FROM users WHERE user_id = ?",
                 (BUILTIN_USER,))
    return row is not None and sealing.user_intact_as(sealer, row, sealing.SEAL_VERSION)


def sealed_by_version_1(db: Database, sealer: Sealer) -> bool:
    """Whether the built-in user's record bears a seal of version 1 (a store from before
    every column was sealed, or a backup of one)."""
    row = db.row("SELECT " + ", ".join(users.COLUMNS) + " FROM users WHERE user_id = ?",
                 (BUILTIN_USER,))
    return row is not None and sealing.user_intact_as(sealer, row, 1)


# --- sealing an older store, once -----------------------------------------------------


def upgrade(db: Database, sealer: Sealer, write_audit: AuditWriter) -> tuple[Head, list[str]]:
    """Seal a store of seal version 1 (inside a write transaction): every record whose
    old seal still verifies is sealed over all its columns and gets its copy; one that
    fails stays as it is (tampered, for an administrator to review); groups (never
    sealed before) and the store's identity and key check are sealed as found; the
    audit log's rows so far become the chain's base. Returns the head and the User-IDs
    left tampered."""
    tampered: list[str] = []
    sealed_users = 0
    for row in db.rows("SELECT " + ", ".join(users.COLUMNS) + " FROM users ORDER BY user_id"):
        if not sealing.user_intact_as(sealer, row, 1):
            tampered.append(row["user_id"])
            continue
        users.reseal_as_found(db, sealer, row)
        sealed_users += 1
    groups = db.rows("SELECT group_id, description, created FROM groups")
    for group in groups:
        mac = sealing.seal_group(sealer, group)
        db.execute("UPDATE groups SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE group_id = ?",
                   (mac, *sealing.terms(mac), group["group_id"]))
    left: list[str] = []
    for setting in db.rows("SELECT key, value, mac FROM settings WHERE "
                           + settings.SEALED_ROWS):
        name, value = setting["key"], setting["value"]
        if name in (settings.STORE_ID, settings.KEY_CHECK):
            mac = sealing.seal_setting(sealer, name, value)  # checked by the key check
        elif sealing.setting_intact(sealer, name, value, setting["mac"]):
            mac = setting["mac"]
        else:
            left.append(name)
            continue
        db.execute("UPDATE settings SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? WHERE key = ?",
                   (mac, *sealing.terms(mac), name))
    for code in db.rows("SELECT " + ", ".join(recovery_codes.COLUMNS)
                        + " FROM recovery_codes"):
        if sealing.recovery_code_intact(sealer, code, code["mac"]):
            db.execute("UPDATE recovery_codes SET dt0 = ?, dt1 = ?, dt2 = ? WHERE id = ?",
                       (*sealing.terms(code["mac"]), code["id"]))
        # one that fails its seal keeps no terms: it stays refused when typed
    last_id, value = audit.fold_all(db)
    start = Head(generation=0, seal_version=sealing.SEAL_VERSION,
                 digest=head.aggregate(db).text(), audit_id=last_id, audit_hash=value,
                 audit_base_id=last_id, audit_base_hash=value)
    ledger = Ledger(start, verify=lambda _d: None)
    detail = (f"sealed every column with the store key (seal version 1 to "
              f"{sealing.SEAL_VERSION}): {sealed_users} user(s), {len(groups)} group(s), "
              "the settings; the audit log's hash chain begins after row "
              f"{last_id}")
    if tampered:
        detail += ("; left as they were because their seal already failed: users "
                   + ", ".join(tampered))
    if left:
        detail += "; settings " + ", ".join(left)
    write_audit(ledger, "store_resealed", detail)
    sealed_head = ledger.next_head(sealer)
    head.write(db, sealed_head)
    logger.warning("Sealed the store %s once with its key: %s", db.location, detail)
    return sealed_head, tampered


def upgrade_seal_version(db: Database, sealer: Sealer, current: Head,
                         write_audit: AuditWriter) -> Head:
    """Re-seal a sealed store whose seal version is older than this program's (a user
    column was added to the sealed fields), inside a write transaction: only records
    whose seal of the older version verifies are re-sealed, with their copy; the head
    gets the new version and the digest of the new seals."""
    old = current.seal_version
    tampered: list[str] = []
    resealed = 0
    for row in db.rows("SELECT " + ", ".join(users.COLUMNS) + " FROM users ORDER BY user_id"):
        if not (sealing.user_intact_as(sealer, row, old)
                and sealing.terms_match(row["mac"], (row["dt0"], row["dt1"], row["dt2"]))):
            tampered.append(row["user_id"])
            continue
        users.reseal_as_found(db, sealer, row)
        resealed += 1
    start = Head(generation=current.generation, seal_version=sealing.SEAL_VERSION,
                 digest=head.aggregate(db).text(), audit_id=current.audit_id,
                 audit_hash=current.audit_hash, audit_base_id=current.audit_base_id,
                 audit_base_hash=current.audit_base_hash)
    ledger = Ledger(start, verify=lambda _d: None)
    detail = (f"sealed every user column with the store key (seal version {old} to "
              f"{sealing.SEAL_VERSION}): {resealed} user(s)")
    if tampered:
        detail += "; left as they were because their seal already failed: " + ", ".join(tampered)
    write_audit(ledger, "store_resealed", detail)
    sealed_head = ledger.next_head(sealer)
    head.write(db, sealed_head)
    logger.warning("Sealed the store %s once with its key: %s", db.location, detail)
    return sealed_head


# --- review and accept ------------------------------------------------------------------


def verify(db: Database, identity: str, store_id: str, key: StoreKey, sealer: Sealer
           ) -> StoreReport:
    """Every check, nothing raised: for ``tapemaster-admin store verify``."""
    try:
        stored: trust.Stored | None = trust.load(identity)
        trust_findings: list[str] = []
    except StoreTrustError as exc:
        stored, trust_findings = None, [exc.finding]
    findings = list(trust_findings)
    seen: int | None = None
    ref: trust.MarkRef | None = None
    if stored is not None:
        findings += trust_problems(stored, store_id, key, sealer)
        if stored.verified(sealer):  # the mark is MAC'd with the trusted key
            seen = trust.mark(identity, sealer, stored)
            ref = trust.mark_ref(identity, sealer, stored)
    current = head.read(db)
    chain: AuditChainStatus | None = None
    generation = None
    if current is None:
        findings.append("the head record is missing")
    elif not current.intact(sealer):
        findings.append("the head record fails its integrity check")
    else:
        generation = current.generation
        if seen is not None and current.generation < seen:
            findings.append(f"rolled back: generation {current.generation} is below "
                            f"{seen}, seen by this account")
        else:
            try:
                if forked(db, sealer, current, ref):
                    assert ref is not None
                    findings.append(fork_error(db.location, ref).finding)
            except StoreTamperedError:
                pass  # the setting that says so fails its seal: listed below
        sealed = Digest.parse(current.digest)
        actual = head.aggregate(db)
        if sealed is None:
            findings.append("the head record's digest is damaged")
        elif sealed != actual:
            findings += ["records put back, removed or added: " + d
                         for d in sealed.differences(actual)]
        unsure = unvouched(db, sealer, full=True)
        if unsure:
            findings.append("records may have been put back (the digest cannot vouch for "
                            "them): " + "; ".join(unsure))
        chain = audit.check_all(db, current)
    tampered = users.all_seal_failures(db, sealer)
    from tapemaster_qt.store import groups as groups_table

    bad_groups = [g.group_id for g in groups_table.list_all(db, sealer) if not g.integrity_ok]
    return StoreReport(
        location=db.location, store_id=store_id, key=key.describe(),
        trusted_key=None if stored is None else stored.record.describe_key(),
        generation=generation, mark=seen,
        findings=tuple(findings), setting_problems=tuple(settings.failures(db, sealer)),
        tampered_users=tuple(tampered), tampered_groups=tuple(bad_groups), audit=chain,
    )


def copy_findings(db: Database, sealer: Sealer) -> list[str]:
    """What a backup's own sealed state says was changed after it was written
    (REVIEW-2 D3): its head, digest, audit chain and record seals, checked against
    nothing outside it (its age against this account's mark is no finding: a restore
    is a rollback on purpose). A backup from before the head holds none of these: it
    is sealed once when restored."""
    current = head.read(db)
    if current is None:
        return (["the head record is missing"] if already_sealed(db, sealer, None)
                else [])
    if not current.intact(sealer):
        return ["the head record fails its integrity check"]
    findings: list[str] = []
    sealed = Digest.parse(current.digest)
    if sealed is None:
        findings.append("the head record's digest is damaged")
    else:
        actual = head.aggregate(db)
        if sealed != actual:
            findings += ["records put back, removed or added: " + d
                         for d in sealed.differences(actual)]
    unsure = unvouched(db, sealer, full=True)
    if unsure:
        findings.append("records may have been put back (the digest cannot vouch for "
                        "them): " + "; ".join(unsure))
    chain = audit.check_all(db, current)
    if not chain.ok:
        findings.append(chain.problem)
    findings += [f"the record of User-ID {u} fails its integrity check"
                 for u in users.all_seal_failures(db, sealer)]
    from tapemaster_qt.store import groups as groups_table

    findings += [f"the group '{g.group_id}' fails its integrity check"
                 for g in groups_table.list_all(db, sealer) if not g.integrity_ok]
    findings += settings.failures(db, sealer)
    return findings


def accept(db: Database, identity: str, store_id: str, key: StoreKey, sealer: Sealer,
           write_audit: AuditWriter, *, floor_generation: int = 0,
           reason: str = "after review") -> StoreReport:
    """Trust the store as it is now, after an administrator's review (inside a write
    transaction; the caller saves the trust record after the commit): the digest is
    taken from the tables, a broken audit chain starts again after its last row (the
    break stays described in the audit row), and the generation moves above both this
    account's mark and ``floor_generation`` (a restore passes the generation of the
    store it replaced, so every account's mark stays below it). Records that fail their
    own seal stay tampered: re-seal each after review."""
    before = verify(db, identity, store_id, key, sealer)
    current = head.read(db, for_update=True)
    # Rows that fail their seal with terms nobody can vouch for are counted out (they
    # stay tampered, for a re-seal), so that the digest taken below vouches again.
    head.clear_forged_terms(db)
    users.clear_terms(db, users.terms_unaccounted(db, sealer))
    recovery_codes.clear_terms(db, sealer)
    settings.clear_terms(db, settings.unaccounted(db, sealer))
    from tapemaster_qt.store import groups as groups_table

    groups_table.clear_terms(db, groups_table.unaccounted(db, sealer))
    usable = current is not None and current.intact(sealer)
    chain_ok = before.audit is not None and before.audit.ok
    if usable and chain_ok:
        assert current is not None
        audit_id, audit_hash = current.audit_id, current.audit_hash
        base_id, base_hash = current.audit_base_id, current.audit_base_hash
    else:
        audit_id, audit_hash = audit.fold_all(db)
        base_id, base_hash = audit_id, audit_hash
    generation = max(before.generation or 0, before.mark or 0, floor_generation)
    start = Head(generation=generation, seal_version=sealing.SEAL_VERSION,
                 digest=head.aggregate(db).text(), audit_id=audit_id, audit_hash=audit_hash,
                 audit_base_id=base_id, audit_base_hash=base_hash)
    accepted = list(before.findings)
    if before.audit is not None and not before.audit.ok:
        accepted.append(before.audit.problem)
    ledger = Ledger(start, verify=lambda _d: None)
    # Every account whose mark lies below this accept takes the history it starts, a
    # restored backup's included (see ``forked``).
    settings.put(db, sealer, ledger, settings.ACCEPTED, str(generation + 1))
    write_audit(ledger, "store_accepted",
                f"accepted as it is {reason}: " + ("; ".join(accepted) or "nothing to accept")
                + f"; key in the {key.describe()}")
    sealed_head = ledger.next_head(sealer)
    assert sealed_head.generation == generation + 1
    head.write(db, sealed_head)
    return StoreReport(
        location=before.location, store_id=store_id, key=before.key,
        trusted_key=key.describe(), generation=sealed_head.generation,
        mark=sealed_head.generation, findings=(), setting_problems=before.setting_problems,
        tampered_users=before.tampered_users,
        tampered_groups=before.tampered_groups, audit=None, accepted=tuple(accepted))
