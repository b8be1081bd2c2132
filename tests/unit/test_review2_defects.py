"""REVIEW-2 D2 to D6: each attack of the red-team review, kept as a test that it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapemaster_qt.errors import StoreTamperedError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.integrity import StoreReview
from tapemaster_qt.store import open_store
from unit.support import PASSWORD, events, raw_db

BOB_PASSWORD = "Bob-Secret-4242"


def _reopen(ctx: Context, data_dir: Path) -> Context:
    ctx.store.close()
    return Context(open_store(data_dir), program="TapeMaster", clock=ctx.clock,
                   hasher=ctx.hasher)


# --- D4: a malformed sealed value makes the record tampered, never an error ----------


@pytest.mark.parametrize("junk", ["x", "x,y", "1,,2,z", "9" * 40])
def test_junk_burned_steps_make_a_tampered_record_that_still_works(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
    junk: str,
) -> None:
    admin.add_user({"user_id": "bob"}, BOB_PASSWORD)
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET otp_burned_steps = ? WHERE user_id = 'bob'", (junk,))
    rows = {r.user_id: r for r in admin.list_users()}
    assert rows["bob"].integrity_ok is False
    assert admin.get_user("bob").integrity_ok is False
    assert "bob" in [u.user_id for u in admin.export_users()]
    # the logon answers as for any tampered record, and counts the attempt
    assert logon.logon("bob", BOB_PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert ctx.store.get_user("bob").failed_logons == 1
    assert events(ctx.store, "integrity_failed", "bob")
    cli = AdminService(ctx, Actor.for_cli())
    cli.reseal("bob")
    assert ctx.store.get_user("bob").integrity_ok
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET otp_burned_steps = ? WHERE user_id = 'bob'", (junk,))
    assert admin.delete_users(["bob"]) == 1
    assert ctx.store.get_user("bob") is None


# --- D6: another spelling of the store's folder finds the same trust record ----------


def test_another_spelling_of_the_folder_is_not_a_first_use(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
    tmp_path: Path,
) -> None:
    import shutil
    import sqlite3
    from contextlib import closing

    from tapemaster_qt.errors import StoreRollbackError

    old = tmp_path / "old.db"
    with closing(sqlite3.connect(data_dir / "tapemaster.db")) as src, \
            closing(sqlite3.connect(old)) as dst:
        src.backup(dst)
    admin.set_disabled("alice", True)
    ctx.store.close()
    for name in ("tapemaster.db", "tapemaster.db-wal", "tapemaster.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    shutil.copy(old, data_dir / "tapemaster.db")
    for spelling in (data_dir, data_dir / ".." / data_dir.name,
                     data_dir.parent / "." / data_dir.name):
        with open_store(Path(spelling)) as store, pytest.raises(StoreRollbackError):
            LogonService(Context(store, program="Lite", clock=ctx.clock,
                                 hasher=ctx.hasher)).logon("alice", PASSWORD)


# --- D5: an audit row added at the next id is named as audit-log tampering ------------


def test_an_audit_row_added_at_the_next_id_is_named_as_tampering(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
) -> None:
    """The reviewer's attack: one row inserted at head.audit_id + 1 (no trigger touched)
    made every write fail with 'The change conflicts with what the store holds.'"""
    with raw_db(data_dir) as conn:
        conn.execute("INSERT INTO audit (id, ts, actor, user_id, program, host, event, "
                     "detail) SELECT audit_id + 1, '2020', 'x', NULL, 'p', 'h', 'e', 'd' "
                     "FROM head")
    said = r"audit log .* was tampered with \(1 audit row\(s\) after row \d+ were added"
    for attempt in (lambda: logon.logon("alice", PASSWORD),
                    lambda: logon.logon("nobody", "Wrong-Password-0"),
                    lambda: admin.unlock("alice")):
        with pytest.raises(StoreTamperedError, match=said) as refused:
            attempt()
        assert "store verify" in str(refused.value) and "store accept" in str(refused.value)
    # a new program says the same at its first write
    ctx = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match=said):
        LogonService(ctx).logon("alice", PASSWORD)
    # the way back: verify names it, accept takes the row into the chain, writes work
    review = StoreReview(ctx, Actor.for_cli())
    report = review.verify()
    assert report.audit is not None and "added outside TapeMaster" in report.audit.problem
    review.accept()
    assert LogonService(ctx).logon("alice", PASSWORD).status is LogonStatus.SUCCESS
