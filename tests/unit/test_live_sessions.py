"""Live sessions (issue 14 items 1, 2, 7; issue 10 Disconnect): what an administrator
changes in one program takes effect in every running session, at its next heartbeat
and before its next action, by the user's immutable identity.

The user's program here is Lite on another desk, with its own connection to the store;
the administrator acts through another (tapemaster's AdminService).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import ADMIN_PASSWORD, rfc_totp
from tapemaster_qt.errors import (
    AlreadyInitialisedError,
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
    SessionEndedError,
    StoreCommitUnknownError,
    StoreFullError,
    StoreKeyError,
    StoreLockedError,
    StoreTamperedError,
    ValidationError,
)
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import AuditLog
from tapemaster_qt.services.auth import LogonService, LogonStatus, PasswordChangeService
from tapemaster_qt.services.sessions import (
    SESSION_QUIET_SECONDS,
    EndReason,
    Session,
    SessionState,
)
from tapemaster_qt.services.setup import UNAUTHENTICATED, set_initial_password
from tapemaster_qt.store import KeyStatus, Store, open_store
from unit.support import (
    INTEGRITY_ERRORS,
    PASSWORD,
    enrol,
    events,
    on_postgresql,
    open_again,
    raw_db,
)


@pytest.fixture
def desk(data_dir: Path, ctx: Context, hasher, clock) -> Iterator[Context]:
    """Lite on another desk: its own connection to the same store."""
    with open_again(data_dir) as store:
        yield Context(store, program="Lite", host="desk-2", pid=4242, clock=clock,
                      hasher=hasher)


@pytest.fixture
def lite(desk: Context) -> LogonService:
    return LogonService(desk)


def _on(lite: LogonService, user_id: str, code: str = "") -> Session:
    outcome = lite.logon(user_id, PASSWORD, code)
    assert outcome.succeeded, outcome
    assert outcome.session is not None
    return outcome.session


def _revoke_by_guessing(ctx: Context, user_id: str) -> None:
    guesser = LogonService(ctx)
    for _ in range(6):
        guesser.logon(user_id, "Wrong-Password-0")
    assert ctx.store.get_user(user_id).revoked


CHANGES: dict[str, tuple[Callable[[Context, AdminService], object], EndReason]] = {
    "disabled": (lambda c, a: a.set_disabled("bob", True), EndReason.DISABLED),
    "revoked": (lambda c, a: _revoke_by_guessing(c, "bob"), EndReason.REVOKED),
    "Lite taken away": (lambda c, a: a.update_user("bob", {"programs": "TapeMaster"}),
                        EndReason.PROGRAM_REMOVED),
    "OTP switched on": (lambda c, a: a.set_otp("bob", True), EndReason.OTP_CHANGED),
    "deleted": (lambda c, a: a.delete_users(["bob"]), EndReason.DELETED),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_ends_the_session_at_the_next_heartbeat(
    ctx: Context, admin: AdminService, lite: LogonService, change: str
) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    admin.add_user({"user_id": "carol"}, PASSWORD)
    bob, carol = _on(lite, "bob"), _on(lite, "carol")
    assert lite.heartbeat(bob)
    act, reason = CHANGES[change]
    act(ctx, admin)

    beat = lite.heartbeat(bob)
    assert not beat and beat.ended is reason
    assert [s.user_id for s in ctx.store.list_sessions()] == ["carol"]
    [ended] = events(ctx.store, "session_ended", "bob")
    assert ended.detail.startswith(f"{reason.value}; session {bob.session_id}")
    assert ended.program == "Lite" and ended.host == "desk-2"
    assert not events(ctx.store, "logged_out", "bob")
    assert not lite.heartbeat(bob)  # ended once; never put back
    assert [s.user_id for s in ctx.store.list_sessions()] == ["carol"]
    assert lite.heartbeat(carol)  # nobody else is touched


def test_otp_reset_ends_the_session_but_activation_elsewhere_does_not(
    ctx: Context, admin: AdminService, lite: LogonService, logon: LogonService, clock
) -> None:
    admin.add_user({"user_id": "dave", "otp_enabled": True}, PASSWORD)
    secret = enrol(lite, "dave")  # the QR in Lite: a session under the first secret
    session = lite.logon("dave", PASSWORD).session
    assert session is not None
    # dave activates in TapeMaster: the same secret, so Lite carries on.
    assert logon.logon("dave", PASSWORD, rfc_totp(secret, clock.now)).status \
        is LogonStatus.ACTIVATED
    assert lite.heartbeat(session)
    # The administrator renews it (lost device): a new secret ends the Lite session.
    admin.update_user("dave", {"otp_enabled": True}, renew_otp=True)
    assert lite.heartbeat(session).ended is EndReason.OTP_CHANGED
    # Switching OTP off asks less of a session, not more: that one goes on.
    enrolling = lite.logon("dave", PASSWORD).session
    assert enrolling is not None
    admin.set_otp("dave", False)
    assert lite.heartbeat(enrolling)


def test_a_deleted_user_added_again_is_another_user(
    ctx: Context, admin: AdminService, lite: LogonService, clock
) -> None:
    """dave deleted and added again: the old window's heartbeat must not put its session
    back as the new dave, nor its end be audited as his log out."""
    admin.add_user({"user_id": "dave"}, PASSWORD)
    old = _on(lite, "dave")
    clock.advance(600)
    assert admin.active_sessions() == []  # removed as stale (a suspended laptop)
    admin.delete_users(["dave"])
    admin.add_user({"user_id": "dave", "tapemaster_rights": True}, PASSWORD)
    new = ctx.store.get_user("dave")
    assert new is not None and new.uid != old.uid and len(new.uid) == 32

    beat = lite.heartbeat(old)
    assert beat.ended is EndReason.DELETED and not beat.tapemaster_rights
    assert ctx.store.list_sessions() == []
    [ended] = events(ctx.store, "session_ended", "dave")
    assert f"uid {old.uid[:8]} no longer exists" in ended.detail
    assert not events(ctx.store, "logged_out", "dave")
    lite.logout(old, "user chose Log Out")  # the window closing: nothing more recorded
    assert not events(ctx.store, "logged_out", "dave")
    # Nor can it act as the new dave (who has tapemaster rights).
    with pytest.raises(SessionEndedError):
        AdminService(ctx, Actor.for_session(old)).list_users()


def test_no_time_out_and_rights_follow_at_the_next_beat(
    ctx: Context, admin: AdminService, clock
) -> None:
    admin.add_user({"user_id": "erin"}, PASSWORD)
    program = LogonService(ctx)
    session = _on(program, "erin")
    beat = program.heartbeat(session)
    assert beat and not beat.no_timeout and not beat.tapemaster_rights
    admin.update_user("erin", {"no_timeout": True, "tapemaster_rights": True})
    beat = program.heartbeat(session)
    assert beat and beat.no_timeout and beat.tapemaster_rights
    admin.update_user("erin", {"tapemaster_rights": False})
    beat = program.heartbeat(session)
    assert beat and not beat.tapemaster_rights  # rights lost: windows close, no log out
    assert [s.user_id for s in ctx.store.list_sessions()] == ["erin"]


# --- before every action ---------------------------------------------------------------------


def test_every_action_checks_the_session_first(
    ctx: Context, admin: AdminService, desk: Context, lite: LogonService
) -> None:
    """carol changed her password from Lite after losing access: not any more."""
    admin.add_user({"user_id": "carol"}, PASSWORD)
    session = _on(lite, "carol")
    heard: list[SessionEndedError] = []
    desk.session_listener = heard.append
    admin.update_user("carol", {"programs": "TapeMaster,Checkpoint"})
    stored = ctx.store.get_user("carol").password_hash

    with pytest.raises(SessionEndedError) as ended:
        PasswordChangeService(desk).change_password(session, PASSWORD, "Brand-New-Pass-1")
    assert ended.value.reason == EndReason.PROGRAM_REMOVED
    assert [e.reason for e in heard] == [EndReason.PROGRAM_REMOVED]
    assert ctx.store.get_user("carol").password_hash == stored
    assert not events(ctx.store, "password_changed", "carol")
    assert ctx.store.list_sessions() == []
    [row] = events(ctx.store, "session_ended", "carol")
    assert "before an action" in row.detail


def test_an_administrator_disabled_mid_session_is_refused_and_logged_out(
    ctx: Context, admin: AdminService, desk: Context
) -> None:
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    admin.add_user({"user_id": "bob"}, PASSWORD)
    tapemaster_desk = LogonService(desk)
    session = _on(tapemaster_desk, "deputy")
    acting = AdminService(desk, Actor.for_session(session))
    assert [u.user_id for u in acting.list_users()] == ["bob", "deputy", "tapemaster"]
    admin.set_disabled("deputy", True)
    with pytest.raises(SessionEndedError) as ended:
        acting.update_user("bob", {"name": "Changed by a disabled admin"})
    assert ended.value.reason == EndReason.DISABLED
    assert ctx.store.get_user("bob").name == ""
    with pytest.raises(SessionEndedError):  # and stays refused
        acting.list_users()


def test_the_audit_log_checks_authority_at_every_read(
    ctx: Context, admin: AdminService, desk: Context
) -> None:
    """An admin whose rights are removed loses Refresh and the filter of an open Audit
    Log; a disabled one is logged out at the next read."""
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    session = _on(LogonService(desk), "deputy")
    log = AuditLog(desk, Actor.for_session(session))
    assert log.page(None, 10)
    admin.update_user("deputy", {"tapemaster_rights": False})
    for read in (lambda: log.page(None, 10), lambda: log.page(None, 10, text="deputy"),
                 lambda: log.count(), lambda: log.recent()):
        with pytest.raises(NotAuthorizedError):
            read()
    with pytest.raises(NotAuthorizedError):
        AuditLog(desk, Actor.for_session(session))
    admin.update_user("deputy", {"tapemaster_rights": True})
    assert log.count() > 0
    admin.set_disabled("deputy", True)
    with pytest.raises(SessionEndedError):
        log.page(None, 10)
    # Without a session (the CLI's way of naming a user), the same rule per call.
    plain = AuditLog(ctx, Actor.for_user("tapemaster"))
    assert plain.count() > 0


# --- Disconnect ----------------------------------------------------------------------------------


def test_disconnect_ends_the_session_at_its_next_heartbeat(
    ctx: Context, admin: AdminService, lite: LogonService
) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    session = _on(lite, "bob")
    [shown] = admin.active_sessions()
    assert shown.state is SessionState.ACTIVE and shown.reason is None

    admin.end_session(session.session_id)
    [shown] = admin.active_sessions()
    assert (shown.state, shown.reason, shown.ended_by) == (
        SessionState.ENDING, EndReason.DISCONNECTED, "tapemaster")
    [ended] = events(ctx.store, "session_ended", "bob")
    assert ended.actor == "tapemaster"
    assert f"session {session.session_id} (Lite on desk-2, process 4242)" in ended.detail

    beat = lite.heartbeat(session)
    assert beat.ended is EndReason.DISCONNECTED and beat.ended_by == "tapemaster"
    assert admin.active_sessions() == []
    [out] = events(ctx.store, "logged_out", "bob")
    assert (out.actor, out.detail) == ("bob", "disconnected by tapemaster")
    with pytest.raises(NotFoundError):
        admin.end_session(session.session_id)


def test_disconnect_is_authorized_in_the_service(
    ctx: Context, admin: AdminService, desk: Context, lite: LogonService
) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    bob = _on(lite, "bob")
    deputy_session = _on(LogonService(desk), "deputy")
    boss = LogonService(ctx).logon("tapemaster", ADMIN_PASSWORD).session
    assert boss is not None
    before = ctx.store.list_sessions()

    with pytest.raises(NotAuthorizedError):  # a plain user, even on their own session
        AdminService(desk, Actor.for_session(bob)).end_session(bob.session_id)
    deputy = AdminService(desk, Actor.for_session(deputy_session))
    with pytest.raises(NotAuthorizedError, match="tapemaster"):
        deputy.end_session(boss.session_id)
    with pytest.raises(ValidationError, match="own session"):
        deputy.end_session(deputy_session.session_id)
    with pytest.raises(NotFoundError):
        deputy.end_session(999_999)
    assert ctx.store.list_sessions() == before
    assert not events(ctx.store, "session_ended")

    deputy.end_session(bob.session_id)
    with pytest.raises(ConflictError, match="already ending"):
        admin.end_session(bob.session_id)
    admin.end_session(deputy_session.session_id)  # tapemaster may end anyone's
    with pytest.raises(SessionEndedError):
        deputy.list_users()  # the next action, before the next beat
    assert len(events(ctx.store, "session_ended")) == 2


# --- what Active Users shows -----------------------------------------------------------------


def test_active_users_shows_each_sessions_state(
    ctx: Context, admin: AdminService, lite: LogonService, clock
) -> None:
    for user_id in ("alice", "bob", "carol"):
        admin.add_user({"user_id": user_id}, PASSWORD)
    alice, bob, carol = (_on(lite, u) for u in ("alice", "bob", "carol"))
    clock.advance(SESSION_QUIET_SECONDS + 10)
    assert lite.heartbeat(alice) and lite.heartbeat(carol)
    admin.set_disabled("carol", True)
    states = {s.user_id: (s.state, s.reason) for s in admin.active_sessions()}
    assert states == {
        "alice": (SessionState.ACTIVE, None),
        "bob": (SessionState.NOT_RESPONDING, None),  # no beat for 160 s
        "carol": (SessionState.ENDING, EndReason.DISABLED),  # at her next beat
    }
    assert lite.heartbeat(bob)
    assert {s.user_id: s.state for s in admin.active_sessions()}["bob"] is SessionState.ACTIVE


def test_a_last_seen_in_the_future_is_stale(
    ctx: Context, admin: AdminService, lite: LogonService, data_dir: Path
) -> None:
    """A session row whose last heartbeat is far in the future (a clock set wrong, or a
    hand-made row) is not shown as active for ever."""
    admin.add_user({"user_id": "bob"}, PASSWORD)
    admin.add_user({"user_id": "carol"}, PASSWORD)
    bob = _on(lite, "bob")
    _on(lite, "carol")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE sessions SET last_seen = '2999-01-01T00:00:00.000+00:00' "
                     "WHERE user_id = 'carol'")
        conn.execute("UPDATE sessions SET last_seen = 'not a time' WHERE user_id = 'bob'")
    assert admin.active_sessions() == []
    assert ctx.store.list_sessions() == []
    assert lite.heartbeat(bob)  # a living program puts its own back
    assert [s.user_id for s in admin.active_sessions()] == ["bob"]


# --- a store that cannot be reached -------------------------------------------------------------


def test_a_failed_beat_decides_nothing(ctx: Context, admin: AdminService, data_dir: Path,
                                       hasher, clock) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    with open_again(data_dir, busy_timeout_ms=50) as impatient:
        program = LogonService(Context(impatient, program="Lite", clock=clock, hasher=hasher))
        session = _on(program, "bob")
        admin.set_disabled("bob", True)
        if on_postgresql(data_dir):  # another program holds the rows a heartbeat writes
            import pgfixtures

            holder = pgfixtures.raw_stores.get(data_dir).connect(autocommit=True)
            holder.execute("BEGIN")
            holder.execute("LOCK TABLE users, sessions IN EXCLUSIVE MODE")
        else:  # another program holds the write lock
            holder = sqlite3.connect(data_dir / "tapemaster.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreLockedError):
                program.heartbeat(session)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert [s.user_id for s in ctx.store.list_sessions()] == ["bob"]  # not decided
        assert not events(ctx.store, "session_ended")
        assert program.heartbeat(session).ended is EndReason.DISABLED  # the retry does


# --- smaller faults (item 7) ---------------------------------------------------------------------


def test_a_log_out_refused_by_a_full_disk_is_written_at_the_next_write(
    ctx: Context, admin: AdminService, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    program = LogonService(ctx)
    session = _on(program, "bob")
    store = ctx.store
    real_write = store.write

    def full() -> object:
        raise StoreFullError("The disk holding the user store is full; nothing was changed.")

    monkeypatch.setattr(store, "write", full)
    assert program.logout(session, "user chose Log Out") is False
    assert program.sessions.pending == [("bob", ctx.timestamp())]
    assert not events(store, "logged_out")
    monkeypatch.setattr(store, "write", real_write)

    assert program.logon("bob", PASSWORD).succeeded  # the next write of this program
    [late] = events(store, "logged_out", "bob")
    assert late.detail.startswith("user chose Log Out; logged out at ")
    assert late.detail.endswith(", recorded late")
    assert program.sessions.pending == []
    assert session.session_id not in {s.id for s in store.list_sessions()}


@pytest.mark.parametrize("saved", [True, False], ids=["saved", "not-saved"])
def test_a_log_out_whose_commit_answer_was_lost_is_recorded_once(
    ctx: Context, admin: AdminService, monkeypatch: pytest.MonkeyPatch, saved: bool
) -> None:
    """The connection drops while the log out commits (a server restart): the program
    cannot know whether it was saved. The retry at its next write looks: a session
    already gone was saved (no second logged_out row); one still there was not (the
    log out is written, recorded late)."""
    admin.add_user({"user_id": "bob"}, PASSWORD)
    program = LogonService(ctx)
    session = _on(program, "bob")
    store = ctx.store
    real_write = store.write
    lost = StoreCommitUnknownError("The connection was lost while a change was being "
                                   "saved, so it may or may not have been saved.")

    @contextlib.contextmanager
    def answer_lost() -> Iterator[object]:
        if saved:
            with real_write() as tx:
                yield tx
        else:
            with contextlib.suppress(_Undone), real_write() as tx:
                yield tx
                raise _Undone  # rolled back: nothing of it was saved
        raise lost

    monkeypatch.setattr(store, "write", answer_lost)
    assert program.logout(session, "user chose Log Out") is False
    monkeypatch.setattr(store, "write", real_write)
    assert bool(events(store, "logged_out", "bob")) is saved

    assert program.logon("bob", PASSWORD).succeeded  # the next write of this program
    [logged_out] = events(store, "logged_out", "bob")
    assert logged_out.detail.endswith(", recorded late") is not saved
    assert program.sessions.pending == []
    assert session.session_id not in {s.id for s in store.list_sessions()}


class _Undone(Exception):
    """Rolls a test's transaction back."""


def test_first_run_twice_is_told_apart(ctx: Context) -> None:
    # A shared store has no First Run at all: only tapemaster-admin init sets it.
    actor = "cli:support@desk" if ctx.store.shared else UNAUTHENTICATED
    with pytest.raises(AlreadyInitialisedError):
        set_initial_password(ctx, "Another-Pass-2026", actor=actor)


def test_a_deleted_key_file_is_noticed_and_can_be_written_back(
    data_dir: Path, hasher, clock
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # headless: the key is in store.key
    with open_store(data_dir) as store:
        ctx = Context(store, program="TapeMaster", clock=clock, hasher=hasher)
        set_initial_password(ctx, ADMIN_PASSWORD)
        admin = AdminService(ctx, Actor.for_cli())
        admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
        program = LogonService(ctx)
        session = program.logon("tapemaster", ADMIN_PASSWORD).session
        assert session is not None
        assert program.heartbeat(session).key is KeyStatus.STORED
        key_file = data_dir / "store.key"
        original = key_file.read_bytes()
        key_file.unlink()

        beat = program.heartbeat(session)
        assert beat and beat.key is KeyStatus.MISSING
        with pytest.raises(StoreKeyError, match="gone missing"):
            admin.add_user({"user_id": "carol", "otp_enabled": True}, PASSWORD)
        admin.set_otp("bob", False)
        with pytest.raises(StoreKeyError):
            admin.set_otp("bob", True)  # nor a renewed one
        assert store.get_user("carol") is None

        where = program.sessions.restore_key(session)
        assert where == f"key file {key_file} (readable by its owner only)"
        assert key_file.read_bytes() == original
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert program.heartbeat(session).key is KeyStatus.STORED
        [restored] = events(store, "store_key_restored")
        assert restored.actor == "tapemaster"
        admin.add_user({"user_id": "carol", "otp_enabled": True}, PASSWORD)
    with open_store(data_dir) as reopened:  # the next start finds the same key
        assert LogonService(Context(reopened, clock=clock, hasher=hasher)).logon(
            "carol", PASSWORD).status is LogonStatus.ENROLMENT


def test_a_key_removed_from_the_keyring_is_written_back_there(
    store: Store, keyring_backend, ctx: Context
) -> None:
    program = LogonService(ctx)
    session = program.logon("tapemaster", ADMIN_PASSWORD).session
    assert session is not None
    [(entry, value)] = list(keyring_backend.items.items())
    keyring_backend.items.clear()
    assert program.heartbeat(session).key is KeyStatus.MISSING
    assert program.sessions.restore_key(session).startswith("OS keyring")
    assert keyring_backend.items == {entry: value}
    keyring_backend.items[entry] = "AAAA" + value[4:]  # now someone else's key
    assert program.heartbeat(session).key is KeyStatus.REPLACED
    with pytest.raises(StoreKeyError, match="left as it is"):
        program.sessions.restore_key(session)


# --- the uid, and stores made before it ----------------------------------------------------------


def test_a_store_from_before_uids_gets_a_uid_for_every_user(
    data_dir: Path, hasher, clock
) -> None:
    """TapeMaster Qt 1.0's own store (tests/fixtures/v1-store), from before uids, with
    the sessions its logons left: every user gets a uid, each session its user's."""
    import json
    import os
    import shutil

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "v1-store"
    data_dir.mkdir(parents=True)
    for name in ("tapemaster.db", "store.key"):
        shutil.copy(fixture / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    passwords = json.loads((fixture / "fixture.json").read_text())["passwords"]

    with open_store(data_dir) as store:
        users = store.list_users()
        uids = [u.uid for u in users]
        assert len(set(uids)) == len(users) == 4
        assert all(len(u) == 32 and int(u, 16) >= 0 for u in uids)
        # bob's record was tampered with under 1.0: it stays so, uid or not.
        assert [u.user_id for u in users if not u.integrity_ok] == ["bob"]
        sessions = store.list_sessions()  # 1.0 left its logons' sessions (alice, bob)
        assert sorted({s.user_id for s in sessions}) == ["alice", "bob"]
        assert all(s.user_uid == store.get_user(s.user_id).uid for s in sessions)
        assert all(s.otp_mark is None for s in sessions)  # unknown: never "no OTP"
        program = LogonService(Context(store, clock=clock, hasher=hasher))
        assert program.logon("tapemaster", passwords["tapemaster"]).succeeded
    assert list(data_dir.glob("tapemaster.db.v1-backup-*"))


def test_uids_are_unique_in_the_store(ctx: Context, admin: AdminService,
                                      data_dir: Path) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    with raw_db(data_dir) as conn, pytest.raises(INTEGRITY_ERRORS):
        conn.execute("UPDATE users SET uid = (SELECT uid FROM users WHERE user_id = "
                     "'tapemaster') WHERE user_id = 'bob'")


def test_a_user_inserted_without_a_uid_gets_one(ctx: Context, data_dir: Path) -> None:
    """By hand, or by an older program still running after the store was migrated."""
    with raw_db(data_dir) as conn:
        for user_id in ("old1", "old2"):
            conn.execute("INSERT INTO users (user_id, group_id, created, updated) "
                         "VALUES (?, 'DEFAULT', 'now', 'now')", (user_id,))
        uids = [r[0] for r in conn.execute("SELECT uid FROM users")]
    assert len(set(uids)) == len(uids) == 3 and all(len(u) == 32 for u in uids)
    # Unsealed rows added behind the store's back: it is refused as a whole until
    # reviewed (tapemaster-admin store accept), uid or not.
    with pytest.raises(StoreTamperedError, match="users: 2 row"):
        ctx.store.check_store()


# --- the One Time Password windows act for the session too ----------------------------------


def test_self_service_of_a_deleted_user_added_again_is_refused(
    ctx: Context, admin: AdminService, lite: LogonService, clock
) -> None:
    """File ▸ One Time Password… of an old dave must not make recovery codes (or move
    a phone) for the new dave."""
    from tapemaster_qt.services.self_service import OtpSelfService

    admin.add_user({"user_id": "dave", "otp_enabled": True}, PASSWORD)
    secret = enrol(lite, "dave")
    old = lite.logon("dave", PASSWORD, rfc_totp(secret, clock.now)).session
    assert old is not None
    admin.delete_users(["dave"])
    admin.add_user({"user_id": "dave", "otp_enabled": True}, PASSWORD)
    clock.advance(30)
    with pytest.raises(SessionEndedError) as ended:
        OtpSelfService(lite._ctx, old).new_recovery_codes(rfc_totp(secret, clock.now))
    assert ended.value.reason == EndReason.DELETED
    with pytest.raises(SessionEndedError):
        OtpSelfService(lite._ctx, old).state()
    assert ctx.store.get_user("dave").failed_logons == 0
    assert len(events(ctx.store, "recovery_codes_created", "dave")) == 1  # the first dave


def test_verify_in_the_setup_popup_after_the_secret_was_renewed(
    ctx: Context, admin: AdminService, lite: LogonService, clock
) -> None:
    """The popup shows the old QR: its Verify ends the session instead of judging a
    code against a secret the user no longer has on screen."""
    admin.add_user({"user_id": "dave", "otp_enabled": True}, PASSWORD)
    outcome = lite.logon("dave", PASSWORD)
    assert outcome.session is not None
    admin.update_user("dave", {"otp_enabled": True}, renew_otp=True)
    with pytest.raises(SessionEndedError) as ended:
        lite.verify_enrolment(outcome.session, "123456")
    assert ended.value.reason == EndReason.OTP_CHANGED
    assert ctx.store.get_user("dave").failed_logons == 0
    assert ctx.store.list_sessions() == []
