"""REVIEW-2 D1: one forged row must not balance the digest over a row put back.

The attacks are the reviewer's (an attacker who may write the store file but has not
its key): a row is put back to an older sealed copy, and the digest's sums are made to
match again through the terms, or the terms and a seal made up to carry them, of one
or more other rows. Each must now be refused.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from helpers import rfc_totp
from tapemaster_qt.errors import StoreTamperedError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.store import open_store, sealing
from unit.support import PASSWORD, enrol, put_row_back, raw_db, snapshot_row

_IDENTITY = "key NOT IN ('store_token', 'write_count', 'sqlite_files', 'store_token_before')"
_TERM = 1 << 40


def _reopen(ctx: Context, data_dir: Path) -> Context:
    ctx.store.close()
    return Context(open_store(data_dir), program="TapeMaster", clock=ctx.clock,
                   hasher=ctx.hasher)


def _balance(data_dir: Path, table: str, where: str, *, forge_seal: bool = False) -> None:
    """Make the table's sums match the sealed head again through the rows ``where``:
    their terms only, or (``forge_seal``) made-up seals whose first bytes are terms."""
    with raw_db(data_dir) as conn:
        digest = conn.execute("SELECT digest FROM head").fetchone()[0]
        parts = dict(p.split("=", 1) for p in digest.split(";"))
        sealed = [int(v) for v in parts[table].split(",")]
        filt = f" WHERE {_IDENTITY}" if table == "settings" else ""
        actual = conn.execute(f"SELECT count(*), sum(dt0), sum(dt1), sum(dt2) "  # noqa: S608
                              f"FROM {table}{filt}").fetchone()
        assert sealed[0] == actual[0]
        delta = [s - a for s, a in zip(sealed[1:], actual[1:], strict=True)]
        rows = conn.execute(f"SELECT rowid, dt0, dt1, dt2 FROM {table} "  # noqa: S608
                            f"WHERE {where} ORDER BY rowid").fetchall()
        if not forge_seal:
            conn.execute(f"UPDATE {table} SET dt0 = dt0 + ?, dt1 = dt1 + ?, "  # noqa: S608
                         f"dt2 = dt2 + ? WHERE rowid = ?", (*delta, rows[0][0]))
            return
        # Terms cut from a made-up seal must be 40-bit: spread each target sum.
        new = [[0, 0, 0] for _ in rows]
        for i in range(3):
            target = sum(r[i + 1] for r in rows) + delta[i]
            assert 0 <= target < len(rows) * (_TERM - 1)
            for row in new:
                row[i] = min(target, _TERM - 1)
                target -= row[i]
        for (rowid, *_), t in zip(rows, new, strict=True):
            mac = b"".join(v.to_bytes(5, "big") for v in t) + secrets.token_bytes(17)
            conn.execute(f"UPDATE {table} SET mac = ?, dt0 = ?, dt1 = ?, dt2 = ? "  # noqa: S608
                         "WHERE rowid = ?", (mac, *t, rowid))


def _alice_put_back_before_otp(admin: AdminService, logon: LogonService, clock,
                               data_dir: Path) -> None:
    before = snapshot_row(data_dir, "users", "user_id = 'alice'")
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).succeeded
    clock.advance(60)
    put_row_back(data_dir, "users", "user_id = 'alice'", before)


def test_a_row_put_back_is_not_hidden_by_the_terms_of_a_dormant_user(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path,
) -> None:
    admin.add_user({"user_id": "zz-dormant"}, "Dormant-Secret-42")
    _alice_put_back_before_otp(admin, logon, clock, data_dir)
    _balance(data_dir, "users", "user_id = 'zz-dormant'")
    ctx2 = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match="digest cannot vouch") as caught:
        LogonService(ctx2).logon("alice", PASSWORD)
    assert "users: a row's digest terms were changed" in str(caught.value)
    report = ctx2.store.verify_store()
    assert any("may have been put back" in f for f in report.findings)


def test_nor_by_seals_made_up_to_carry_the_terms(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path,
) -> None:
    for n in range(8):
        admin.add_user({"user_id": f"zz-dormant{n}"}, "Dormant-Secret-42")
    _alice_put_back_before_otp(admin, logon, clock, data_dir)
    _balance(data_dir, "users", "user_id LIKE 'zz-dormant%'", forge_seal=True)
    ctx2 = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match="digest cannot vouch"):
        LogonService(ctx2).logon("alice", PASSWORD)


def test_re_sealing_the_sacrifice_does_not_launder_the_row_put_back(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path,
) -> None:
    """The forgery done under a running program, which re-seals the forged rows."""
    for n in range(8):
        admin.add_user({"user_id": f"zz-dormant{n}"}, "Dormant-Secret-42")
    _alice_put_back_before_otp(admin, logon, clock, data_dir)
    _balance(data_dir, "users", "user_id LIKE 'zz-dormant%'", forge_seal=True)
    cli = AdminService(ctx, Actor.for_cli())
    for n in range(8):
        cli.reseal(f"zz-dormant{n}")
    ctx2 = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match="put back to older copies"):
        LogonService(ctx2).logon("alice", PASSWORD)
    report = ctx2.store.verify_store()
    assert any("records put back" in f for f in report.findings)
    assert not report.ok


def test_a_setting_put_back_is_not_hidden_by_the_terms_of_the_store_id_row(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
) -> None:
    before = snapshot_row(data_dir, "settings", "key = 'lockout_threshold'")
    admin.set_setting("lockout_threshold", "3")
    put_row_back(data_dir, "settings", "key = 'lockout_threshold'", before)
    _balance(data_dir, "settings", "key = 'store_id'")
    # Refused by the program that runs (at its next logon) and by a new one.
    with pytest.raises(StoreTamperedError, match="digest cannot vouch"):
        logon.logon("alice", "Wrong-Password-0")
    ctx2 = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match="digest cannot vouch"):
        LogonService(ctx2).logon("alice", "Wrong-Password-0")


def test_a_spent_recovery_code_put_back_is_refused(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path,
) -> None:
    admin.set_otp("alice", True)
    secret = enrol(logon, "alice")
    codes = logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).recovery_codes
    assert len(codes) == 10
    clock.advance(60)
    with raw_db(data_dir) as conn:
        cur = conn.execute("SELECT * FROM recovery_codes WHERE user_id = 'alice' ORDER BY id")
        cols = [d[0] for d in cur.description]
        saved = cur.fetchall()
    assert logon.logon("alice", PASSWORD, codes[0]).status is LogonStatus.RECOVERY
    with raw_db(data_dir) as conn:
        present = {r[0] for r in conn.execute("SELECT id FROM recovery_codes")}
        gone = [r for r in saved if r[0] not in present]
        assert len(gone) == 1
        conn.execute(f"INSERT INTO recovery_codes ({', '.join(cols)}) "  # noqa: S608
                     f"VALUES ({', '.join('?' * len(cols))})", gone[0])
        others = [r[0] for r in conn.execute(
            "SELECT id FROM recovery_codes WHERE id <> ? ORDER BY id", (gone[0][0],))]
        conn.execute("DELETE FROM recovery_codes WHERE id = ?", (others[-1],))
    keep = ",".join(str(i) for i in others[:8])
    _balance(data_dir, "recovery_codes", f"id IN ({keep})", forge_seal=True)
    ctx2 = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError, match="digest cannot vouch"):
        LogonService(ctx2).logon("alice", PASSWORD, codes[0])


def test_accept_after_review_counts_the_forged_rows_out_and_keeps_them_tampered(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, clock,
    data_dir: Path,
) -> None:
    admin.add_user({"user_id": "zz-dormant"}, "Dormant-Secret-42")
    _alice_put_back_before_otp(admin, logon, clock, data_dir)
    _balance(data_dir, "users", "user_id = 'zz-dormant'")
    ctx2 = _reopen(ctx, data_dir)
    accepted = ctx2.store.accept_store("cli:test")
    assert any("may have been put back" in f for f in accepted.accepted)
    assert "zz-dormant" in accepted.tampered_users
    ctx3 = _reopen(ctx2, data_dir)
    assert ctx3.store.verify_store().findings == ()
    assert not ctx3.store.get_user("zz-dormant").integrity_ok
    AdminService(ctx3, Actor.for_cli()).reseal("zz-dormant")
    ctx4 = _reopen(ctx3, data_dir)
    assert ctx4.store.verify_store().ok


_ORIGINAL_COPY_TEXT = sealing.copy_text


def _copy_text_before_the_fix(row: dict[str, object]) -> str:
    """A last-known-good copy as main wrote it before this fix: no digest terms."""
    fields = json.loads(_ORIGINAL_COPY_TEXT(row))
    del fields[sealing.COPY_TERMS]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def test_a_store_whose_copies_hold_no_terms_opens_after_the_upgrade(
    ctx: Context, admin: AdminService, data_dir: Path, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stores made by main before this fix keep copies without digest terms: an
    ordinary upgrade must not lock a legitimate user out (no 'store accept' needed when
    no row fails its seal), and such a store still refuses a row put back."""
    monkeypatch.setattr(sealing, "copy_text", _copy_text_before_the_fix)
    admin.add_user({"user_id": "alice"}, PASSWORD)
    admin.add_user({"user_id": "bob"}, PASSWORD)
    admin.add_group("OPS", "Operations")
    admin.set_setting("lockout_threshold", "3")
    before = snapshot_row(data_dir, "users", "user_id = 'alice'")
    admin.set_otp("alice", True)
    secret = enrol(LogonService(ctx), "alice")
    assert LogonService(ctx).logon("alice", PASSWORD, rfc_totp(secret, clock.now)).succeeded
    clock.advance(60)
    with raw_db(data_dir) as conn:
        assert "digest_terms" not in conn.execute(
            "SELECT copy FROM user_copies WHERE user_id = 'alice'").fetchone()[0]
    monkeypatch.undo()  # the upgraded program

    ctx = _reopen(ctx, data_dir)
    logon = LogonService(ctx)
    assert logon.logon("bob", PASSWORD).status is LogonStatus.SUCCESS
    assert logon.logon("alice", PASSWORD, rfc_totp(secret, clock.now)).succeeded
    AdminService(ctx, Actor.for_cli()).update_user("bob", {"name": "Bob"})
    with raw_db(data_dir) as conn:  # the upgraded program writes copies with terms
        assert "digest_terms" in conn.execute(
            "SELECT copy FROM user_copies WHERE user_id = 'bob'").fetchone()[0]
    # A row put back is still refused, in a store upgraded this way.
    put_row_back(data_dir, "users", "user_id = 'alice'", before)
    ctx = _reopen(ctx, data_dir)
    with pytest.raises(StoreTamperedError):
        LogonService(ctx).logon("alice", PASSWORD)
