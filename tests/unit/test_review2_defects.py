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


# --- D2: the mark names the history, so a fork is refused ------------------------------


def _put_back(data_dir: Path, copy: Path) -> None:
    import shutil

    for name in ("tapemaster.db", "tapemaster.db-wal", "tapemaster.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    shutil.copy(copy, data_dir / "tapemaster.db")


def _save_copy(data_dir: Path, copy: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(data_dir / "tapemaster.db")) as src, \
            closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)


def _forked_by_account_b(ctx: Context, admin: AdminService, logon: LogonService,
                         clock, data_dir: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                         monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The reviewer's attack: account B opens the store once; a copy is kept; on account
    A alice gets OTP; the copy is put back (A refuses it: generation below its mark);
    12 unknown User-IDs typed at B's logon window push the generation past A's mark."""
    from helpers import rfc_totp
    from tapemaster_qt.errors import StoreRollbackError
    from unit.support import enrol

    state_a, state_b = Path(str(tmp_path / "home" / "state")), tmp_path / "state-b"
    monkeypatch.setenv("XDG_STATE_HOME", str(state_b))
    with open_store(data_dir) as b:
        _ = b.key
    monkeypatch.setenv("XDG_STATE_HOME", str(state_a))
    _save_copy(data_dir, tmp_path / "old.db")
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).succeeded
    mark_a = ctx.store.generation()
    ctx.store.close()
    _put_back(data_dir, tmp_path / "old.db")
    with open_store(data_dir) as a, pytest.raises(StoreRollbackError, match="older than"):
        _ = a.key
    monkeypatch.setenv("XDG_STATE_HOME", str(state_b))
    with open_store(data_dir) as b:
        other = LogonService(Context(b, program="Lite", clock=clock, hasher=ctx.hasher))
        for n in range(12):
            other.logon(f"nobody{n}", "Wrong-Password-0")
        assert b.generation() > mark_a  # past A's mark: the generation alone says nothing
    monkeypatch.setenv("XDG_STATE_HOME", str(state_a))
    return state_a, state_b


def test_a_rollback_pushed_past_the_mark_by_another_account_is_refused(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tapemaster_qt.errors import StoreRollbackError

    _forked_by_account_b(ctx, admin, logon, clock, data_dir, tmp_path, monkeypatch)
    forked = r"does not hold the history this account last used.*store accept"
    with open_store(data_dir) as a, pytest.raises(StoreRollbackError, match=forked):
        LogonService(Context(a, program="TapeMaster", clock=clock,
                             hasher=ctx.hasher)).logon("alice", PASSWORD)
    with open_store(data_dir) as a:  # store verify names it; accept is the way back
        review = StoreReview(Context(a, program="tapemaster-admin", clock=clock,
                                     hasher=ctx.hasher), Actor.for_cli())
        assert any(f.startswith("rolled back: history forked")
                   for f in review.verify().findings)
        review.accept()
    with open_store(data_dir) as a:  # accepted on purpose: the old copy is what it is
        outcome = LogonService(Context(a, program="TapeMaster", clock=clock,
                                       hasher=ctx.hasher)).logon("alice", PASSWORD)
        assert outcome.status is LogonStatus.SUCCESS


def test_a_fork_made_under_a_running_program_ends_it_at_the_heartbeat(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The copy is written back into the store file itself (same file, same token: the
    running program cannot tell it was replaced), then B pushes it past A's mark: A's
    heartbeat (``check_store``) refuses it, the mark's audit row not being there."""
    import sqlite3
    from contextlib import closing

    from helpers import rfc_totp
    from tapemaster_qt.errors import StoreRollbackError
    from unit.support import enrol

    state_a, state_b = str(tmp_path / "home" / "state"), str(tmp_path / "state-b")
    monkeypatch.setenv("XDG_STATE_HOME", state_b)
    with open_store(data_dir) as b:
        _ = b.key
    monkeypatch.setenv("XDG_STATE_HOME", state_a)
    _save_copy(data_dir, tmp_path / "old.db")
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).succeeded
    ctx.store.check_store()  # A's running program, store as it wrote it: fine
    mark_a = ctx.store.generation()
    with closing(sqlite3.connect(tmp_path / "old.db")) as src, \
            closing(sqlite3.connect(data_dir / "tapemaster.db")) as dst:
        src.backup(dst)
    monkeypatch.setenv("XDG_STATE_HOME", state_b)
    with open_store(data_dir) as b:
        other = LogonService(Context(b, program="Lite", clock=clock, hasher=ctx.hasher))
        for n in range(12):
            other.logon(f"nobody{n}", "Wrong-Password-0")
        pushed = b.generation()
    monkeypatch.setenv("XDG_STATE_HOME", state_a)
    assert pushed > mark_a  # past A's mark: the generation alone says nothing
    with pytest.raises(StoreRollbackError, match="history this account last used"):
        ctx.store.check_store()


def test_a_restore_is_taken_by_every_account_below_it_without_an_accept(
    ctx: Context, admin: AdminService, alice: str, clock, data_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A backup restored on purpose is a fork too: an account whose mark lies below the
    restore's accept takes it (the accept is sealed in the store), as before D2."""
    from tapemaster_qt.services.integrity import accept_restored

    state_a, state_b = Path(str(tmp_path / "home" / "state")), tmp_path / "state-b"
    _save_copy(data_dir, tmp_path / "backup.db")
    admin.update_user("alice", {"name": "Later"})
    monkeypatch.setenv("XDG_STATE_HOME", str(state_b))
    with open_store(data_dir) as b:  # B's mark names the history with "Later"
        LogonService(Context(b, program="Lite", clock=clock,
                             hasher=ctx.hasher)).logon("nobody", "Wrong-Password-0")
    monkeypatch.setenv("XDG_STATE_HOME", str(state_a))
    admin.update_user("alice", {"name": "Even later"})
    replaced = ctx.store.generation()
    ctx.store.close()
    _put_back(data_dir, tmp_path / "backup.db")
    with open_store(data_dir) as a:
        accept_restored(Context(a, program="tapemaster-admin", clock=clock,
                                hasher=ctx.hasher), Actor.for_cli(), replaced)
    for state in (state_a, state_b):
        monkeypatch.setenv("XDG_STATE_HOME", str(state))
        with open_store(data_dir) as store:
            outcome = LogonService(Context(store, program="TapeMaster", clock=clock,
                                           hasher=ctx.hasher)).logon("alice", PASSWORD)
            assert outcome.status is LogonStatus.SUCCESS
            assert store.get_user("alice").name == "Alice Archer"


def test_a_mark_file_of_the_old_form_still_refuses_a_rollback(
    ctx: Context, admin: AdminService, alice: str, data_dir: Path, tmp_path: Path,
) -> None:
    """Mark files written before the mark named its history (two 64-byte slots of a
    generation): their generation still counts; the next commit writes the new form."""
    import struct

    from tapemaster_qt.errors import StoreRollbackError
    from tapemaster_qt.store import trust

    identity, sealer = ctx.store.identity, ctx.store.sealer
    _save_copy(data_dir, tmp_path / "old.db")
    admin.set_disabled("alice", True)
    latest = ctx.store.generation()
    mark_file = trust.record_path(identity).with_suffix(".mark")
    old_slot = struct.pack(">4sQ32s", b"TMQm", latest,
                           trust._slot_mac(sealer, identity, latest))
    mark_file.write_bytes(old_slot.ljust(64, b"\0") + bytes(64))
    stored = trust.load(identity)
    assert stored is not None
    assert trust.mark(identity, sealer, stored) == latest
    assert trust.mark_ref(identity, sealer, stored) is None
    ctx.store.close()
    _put_back(data_dir, tmp_path / "old.db")
    with open_store(data_dir) as store, pytest.raises(StoreRollbackError, match="older"):
        _ = store.key
