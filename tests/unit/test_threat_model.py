"""docs/security.md in tests: a sealed setting, and the limits of a local store.

The "limit" tests pin behaviour the threat model says a local store *cannot* prevent
(whoever may write the file can roll a record back or, after dropping the triggers,
delete audit rows). They pass today on purpose: if one starts failing, the protection
got better and docs/security.md must say so.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from helpers import rfc_totp
from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.store import open_store
from unit.support import PASSWORD, events, raw_db

WRONG = "Wrong-Password-0"


def test_settings_changed_in_the_file_are_ignored(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Raising lockout_threshold (more guesses) or the issuer with plain SQL breaks the
    setting's seal: the store falls back to the default and says so in the log."""
    with raw_db(data_dir) as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('lockout_threshold', '20') "
                     "ON CONFLICT(key) DO UPDATE SET value = '20'")
        conn.execute("INSERT INTO settings (key, value) VALUES ('issuer', 'Evil') "
                     "ON CONFLICT(key) DO UPDATE SET value = 'Evil'")
    logger = logging.getLogger("tapemaster_qt")
    propagate, logger.propagate = logger.propagate, True
    try:
        with caplog.at_level(logging.WARNING, logger="tapemaster_qt"):
            assert ctx.store.setting("lockout_threshold") == "5"
            assert ctx.store.setting("issuer") == "TapeTrack"
    finally:
        logger.propagate = propagate
    assert "failed its integrity check" in caplog.text
    for _ in range(6):
        logon.logon("alice", WRONG)
    assert ctx.store.get_user("alice").revoked
    # Set through the service (tapemaster or the CLI), the same value is sealed and used.
    admin.set_setting("lockout_threshold", "20")
    assert ctx.store.setting("lockout_threshold") == "20"


def test_limit_a_record_rolled_back_to_an_older_sealed_state_is_not_detected(
    ctx: Context, logon: LogonService, otp_alice: bytes, clock, data_dir: Path
) -> None:
    """Seals prove a record was written by TapeMaster, not that it is the latest one.
    Copying an older row back (here: before a logon) is accepted -- and so is the
    code that logon used. Only a store that keeps the latest state out of reach (a
    server) can refuse it."""
    with raw_db(data_dir) as conn:
        old_row = conn.execute("SELECT * FROM users WHERE user_id = 'alice'").fetchone()
        columns = [d[0] for d in conn.execute("SELECT * FROM users LIMIT 0").description]
    code = rfc_totp(otp_alice, clock.now)
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.OTP_REPLAY
    with raw_db(data_dir) as conn:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(f"UPDATE users SET {assignments} WHERE user_id = 'alice'",  # noqa: S608
                     old_row)
    user = ctx.store.get_user("alice")
    assert user.integrity_ok and user.failed_logons == 0  # the replay's failure is gone too
    assert logon.logon("alice", PASSWORD, code).status is LogonStatus.SUCCESS


def test_limit_audit_rows_deleted_after_dropping_the_triggers_are_not_noticed(
    ctx: Context, logon: LogonService, alice: str, data_dir: Path
) -> None:
    """The triggers stop the program (and a careless tool) from changing the audit log;
    they do not stop someone who may write the file: no hash chain, no copy elsewhere."""
    logon.logon("alice", WRONG)
    logon.logon("alice", PASSWORD)
    assert len(events(ctx.store, user_id="alice")) >= 3
    with raw_db(data_dir) as conn:
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute("DELETE FROM audit WHERE user_id = 'alice'")
    ctx.store.close()
    with open_store(data_dir) as store:
        assert store.integrity_check() == ["ok"]
        assert events(store, user_id="alice") == []
