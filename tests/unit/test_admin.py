"""User administration: who may do what (enforced by the services, not the windows),
tapemaster's special place, and the audit row every change writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpers import rfc_totp
from tapemaster_qt.errors import (
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
    TapeMasterError,
    ValidationError,
)
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import AuditLog
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.transfer import csv_rows, users_to_csv
from tapemaster_qt.store import Store, open_store
from unit.support import PASSWORD, enrol, events

CALLS: dict[str, Callable[[AdminService], object]] = {
    "check_access": lambda a: a.check_access(),
    "list_users": lambda a: a.list_users(),
    "get_user": lambda a: a.get_user("bob"),
    "add_user": lambda a: a.add_user({"user_id": "eve"}, PASSWORD),
    "update_user": lambda a: a.update_user("bob", {"name": "Changed"}),
    "set_otp": lambda a: a.set_otp("bob", True),
    "set_disabled": lambda a: a.set_disabled("bob", True),
    "delete_users": lambda a: a.delete_users(["bob"]),
    "check_delete": lambda a: a.check_delete(["bob"]),
    "unlock": lambda a: a.unlock("bob"),
    "reset_password": lambda a: a.reset_password("bob", "Brand-New-Pass-1"),
    "reseal": lambda a: a.reseal("bob"),
    "revoke_recovery_codes": lambda a: a.revoke_recovery_codes("bob"),
    "review_record": lambda a: a.review_record("bob"),
    "list_groups": lambda a: a.list_groups(),
    "get_group": lambda a: a.get_group("EMPTY"),
    "group_descriptions": lambda a: a.group_descriptions(),
    "add_group": lambda a: a.add_group("NEW"),
    "update_group": lambda a: a.update_group("EMPTY", "changed"),
    "delete_group": lambda a: a.delete_group("EMPTY"),
    "check_delete_group": lambda a: a.check_delete_group("EMPTY"),
    "settings": lambda a: a.settings(),
    "set_setting": lambda a: a.set_setting("issuer", "Evil Corp"),
    "active_sessions": lambda a: a.active_sessions(),
    "end_session": lambda a: a.end_session(1),
    "export_users": lambda a: a.export_users(),
    "import_users": lambda a: a.import_users([(2, {"user_id": "eve"})]),
    "seal_failures": lambda a: a.seal_failures(None),
}


def _public_methods() -> set[str]:
    return {name for name in vars(AdminService) if not name.startswith("_")
            and callable(getattr(AdminService, name))}


def _refused(call: Callable[[AdminService], object], service: AdminService) -> bool:
    try:
        call(service)
    except NotAuthorizedError:
        return True
    return False


def _snapshot(store: Store) -> tuple[object, ...]:
    return (store.list_users(), store.list_groups(), store.count_audit(),
            {n: store.setting(n) for n in ("issuer", "lockout_threshold")})


@pytest.fixture
def people(ctx: Context, admin: AdminService) -> None:
    """bob (plain), clerk (Administrative Rights only), former (tapemaster rights,
    disabled), locked (tapemaster rights, revoked), an empty group EMPTY."""
    admin.add_group("EMPTY", "nobody here")
    admin.add_user({"user_id": "bob", "name": "Bob"}, PASSWORD)
    admin.add_user({"user_id": "clerk", "admin_rights": True}, PASSWORD)
    admin.add_user({"user_id": "former", "tapemaster_rights": True, "disabled": True},
                   PASSWORD)
    admin.add_user({"user_id": "locked", "tapemaster_rights": True}, PASSWORD)
    for _ in range(6):
        LogonService(ctx).logon("locked", "Wrong-Password-0")
    assert ctx.store.get_user("locked").revoked


def test_the_authorization_table_names_every_public_method() -> None:
    # A new AdminService method must be added to CALLS, so that it is tested below.
    assert _public_methods() - set(CALLS) == set()


@pytest.mark.parametrize("actor", ["bob", "clerk", "former", "locked", "ghost"])
def test_users_without_tapemaster_rights_are_refused_everything(
    ctx: Context, people: None, actor: str
) -> None:
    before = _snapshot(ctx.store)
    service = AdminService(ctx, Actor.for_user(actor))
    not_refused = [name for name in sorted(_public_methods())
                   if not _refused(CALLS[name], service)]
    assert not_refused == []
    with pytest.raises(NotAuthorizedError):
        AuditLog(ctx, Actor.for_user(actor))
    assert _snapshot(ctx.store) == before


def test_administrators_see_no_secrets(admin: AdminService) -> None:
    admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
    details = admin.get_user("bob")
    assert details.otp_enabled and details.password_set
    for hidden in ("password_hash", "otp_secret", "otp_last_step"):
        assert not hasattr(details, hidden)
        assert hidden not in details.as_json()
    assert not hasattr(admin.list_users()[0], "otp_secret")


# --- tapemaster rights -----------------------------------------------------------------


@pytest.fixture
def deputy(ctx: Context, admin: AdminService) -> AdminService:
    """``deputy``: given tapemaster rights by tapemaster; acting as administrator."""
    admin.add_user({"user_id": "carol"}, PASSWORD)
    admin.add_user({"user_id": "deputy"}, PASSWORD)
    admin.update_user("deputy", {"tapemaster_rights": True})
    return AdminService(ctx, Actor.for_user("deputy"))


def test_an_administrator_may_administer(ctx: Context, deputy: AdminService) -> None:
    deputy.add_user({"user_id": "erin", "admin_rights": True}, PASSWORD)
    deputy.update_user("carol", {"role": 3, "disabled": True})
    deputy.reset_password("carol", "Brand-New-Pass-1")
    assert deputy.get_user("carol").role == 3
    assert {e.actor for e in events(ctx.store, user_id="erin")} == {"deputy"}


def test_only_tapemaster_grants_tapemaster_rights(ctx: Context, deputy: AdminService) -> None:
    with pytest.raises(NotAuthorizedError, match="Only tapemaster"):
        deputy.add_user({"user_id": "erin", "tapemaster_rights": True}, PASSWORD)
    with pytest.raises(NotAuthorizedError, match="Only tapemaster"):
        deputy.update_user("carol", {"tapemaster_rights": True})
    with pytest.raises(NotAuthorizedError):
        deputy.update_user("deputy", {"tapemaster_rights": False})
    with pytest.raises(ValidationError, match="Nothing was imported"):
        deputy.import_users([(2, {"user_id": "erin", "tapemaster_rights": "True"})])
    assert ctx.store.get_user("erin") is None
    assert not ctx.store.get_user("carol").tapemaster_rights


def test_the_cli_may_grant_tapemaster_rights(ctx: Context, people: None) -> None:
    cli = AdminService(ctx, Actor.for_cli())
    cli.add_user({"user_id": "erin", "tapemaster_rights": True}, PASSWORD)
    cli.update_user("bob", {"tapemaster_rights": True})
    assert ctx.store.get_user("erin").tapemaster_rights
    assert ctx.store.get_user("bob").tapemaster_rights
    actors = {e.actor for e in events(ctx.store, "user_created", "erin")}
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")
    AdminService(ctx, Actor.for_user("bob")).list_users()  # bob administers now


@pytest.mark.parametrize("who", ["tapemaster", "cli", "deputy"])
def test_tapemaster_cannot_be_deleted_or_disabled(
    ctx: Context, deputy: AdminService, who: str
) -> None:
    actor = {"tapemaster": Actor.for_user("tapemaster"), "cli": Actor.for_cli(),
             "deputy": Actor.for_user("deputy")}[who]
    service = AdminService(ctx, actor)
    with pytest.raises(NotAuthorizedError, match="cannot be deleted"):
        service.delete_users(["tapemaster"])
    with pytest.raises((ValidationError, NotAuthorizedError)):
        service.set_disabled("tapemaster", True)
    with pytest.raises((ValidationError, NotAuthorizedError)):
        service.update_user("tapemaster", {"tapemaster_rights": False})
    with pytest.raises((ValidationError, NotAuthorizedError)):
        service.update_user("tapemaster", {"programs": "Lite"})
    tapemaster = ctx.store.get_user("tapemaster")
    assert tapemaster is not None and not tapemaster.disabled
    assert tapemaster.tapemaster_rights and tapemaster.may_run("TapeMaster")
    assert not events(ctx.store, "user_deleted")


def test_only_tapemaster_changes_tapemaster(ctx: Context, deputy: AdminService,
                                           admin: AdminService) -> None:
    with pytest.raises(NotAuthorizedError):
        deputy.reset_password("tapemaster", "Brand-New-Pass-1")
    with pytest.raises(NotAuthorizedError):
        deputy.set_otp("tapemaster", True)
    assert not ctx.store.get_user("tapemaster").otp_enabled
    admin.set_otp("tapemaster", True)
    assert ctx.store.get_user("tapemaster").otp_enabled


def test_an_administrator_cannot_delete_or_lock_out_themselves(
    ctx: Context, deputy: AdminService
) -> None:
    with pytest.raises(ValidationError, match="logged on with"):
        deputy.delete_users(["deputy"])
    with pytest.raises(ValidationError, match="logged on with"):
        deputy.delete_users(["carol", "deputy"])
    with pytest.raises(ValidationError, match="logged on with"):
        deputy.set_disabled("deputy", True)
    with pytest.raises(ValidationError, match="own access"):
        deputy.update_user("deputy", {"programs": "Lite,Checkpoint"})
    deputy_now = ctx.store.get_user("deputy")
    assert not deputy_now.disabled and deputy_now.may_run("TapeMaster")
    assert ctx.store.get_user("carol") is not None  # all or nothing


def test_rights_removed_take_effect_at_the_next_call(ctx: Context, admin: AdminService,
                                                     deputy: AdminService) -> None:
    assert deputy.list_users()
    admin.update_user("deputy", {"tapemaster_rights": False})
    with pytest.raises(NotAuthorizedError):
        deputy.list_users()
    with pytest.raises(NotAuthorizedError):
        deputy.add_user({"user_id": "erin"}, PASSWORD)
    admin.update_user("deputy", {"tapemaster_rights": True})
    assert deputy.list_users()
    admin.set_disabled("deputy", True)
    with pytest.raises(NotAuthorizedError):
        deputy.list_users()
    admin.set_disabled("deputy", False)
    admin.delete_users(["deputy"])
    with pytest.raises(NotAuthorizedError):
        deputy.list_users()
    assert ctx.store.get_user("erin") is None


# --- every change is audited ---------------------------------------------------------------


def _last(store: Store) -> tuple[str, str | None, str, str, str]:
    e = store.audit_events(limit=1)[0]
    return e.event, e.user_id, e.actor, e.program, e.detail


def test_every_change_writes_its_audit_event(ctx: Context, admin: AdminService) -> None:
    store = ctx.store
    admin.add_user({"user_id": "bob"}, PASSWORD)
    assert _last(store)[:4] == ("user_created", "bob", "tapemaster", "TapeMaster")
    admin.update_user("bob", {"name": "Bob Baker", "role": 2})
    assert _last(store) == ("user_updated", "bob", "tapemaster", "TapeMaster",
                            "changed: Name, Role")
    admin.set_otp("bob", True)
    assert _last(store)[:3] == ("otp_enabled", "bob", "tapemaster")
    admin.set_otp("bob", False)
    assert _last(store)[:3] == ("otp_disabled", "bob", "tapemaster")
    admin.set_disabled("bob", True)
    assert _last(store)[:3] == ("user_updated", "bob", "tapemaster")
    assert "Disabled" in _last(store)[4]
    admin.unlock("bob")
    assert _last(store)[:3] == ("account_unlocked", "bob", "tapemaster")
    admin.reset_password("bob", "Brand-New-Pass-1")
    assert _last(store)[:3] == ("password_changed", "bob", "tapemaster")
    admin.add_group("OPS", "Operations")
    assert _last(store)[0] == "group_created" and "OPS" in _last(store)[4]
    admin.update_group("OPS", "Night operations")
    assert _last(store)[0] == "group_updated"
    admin.delete_users(["bob"])
    assert _last(store)[:3] == ("user_deleted", "bob", "tapemaster")
    admin.delete_group("OPS")
    assert _last(store)[0] == "group_deleted"
    admin.set_setting("issuer", "ACME")
    assert _last(store)[0] == "setting_changed"
    assert admin.import_users([(2, {"user_id": "carol"}), (3, {"user_id": "dave"})]) == 2
    assert [e.user_id for e in events(store, "user_created")][-2:] == ["carol", "dave"]


def test_a_new_user_with_otp_audits_both(ctx: Context, admin: AdminService) -> None:
    admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
    assert [e.event for e in events(ctx.store, user_id="bob")] == ["user_created",
                                                                    "otp_enabled"]


def test_nothing_changed_means_nothing_audited(ctx: Context, admin: AdminService) -> None:
    admin.add_user({"user_id": "bob", "name": "Bob"}, PASSWORD)
    count = ctx.store.count_audit()
    admin.update_user("bob", {"name": "Bob", "disabled": False, "programs": "TapeMaster,Lite,"
                              "Checkpoint"})
    admin.set_otp("bob", False)
    assert ctx.store.count_audit() == count


def test_a_refused_change_changes_and_audits_nothing(ctx: Context, admin: AdminService) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    before = _snapshot(ctx.store)
    failing: list[Callable[[], object]] = [
        lambda: admin.delete_users(["bob", "nobody"]),
        lambda: admin.update_user("nobody", {"name": "X"}),
        lambda: admin.unlock("nobody"),
        lambda: admin.update_user("bob", {"group_id": "NOSUCH"}),
        lambda: admin.add_user({"user_id": "bob"}, PASSWORD),
        lambda: admin.import_users([(2, {"user_id": "carol"}), (3, {"user_id": "bob"})]),
        lambda: admin.import_users([(2, {"user_id": "carol"}), (3, {"user_id": "CAROL"})]),
        lambda: admin.delete_group("DEFAULT"),
        lambda: admin.set_setting("lockout_threshold", "0"),
        lambda: admin.set_setting("colour", "blue"),
    ]
    for attempt in failing:
        with pytest.raises(TapeMasterError):
            attempt()
    assert _snapshot(ctx.store) == before


def test_a_group_in_use_cannot_be_deleted(admin: AdminService) -> None:
    admin.add_group("OPS")
    admin.add_user({"user_id": "bob", "group_id": "OPS"}, PASSWORD)
    for call in (admin.check_delete_group, admin.delete_group):
        with pytest.raises(ConflictError) as refused:
            call("OPS")
        assert refused.value.message == ("Group OPS still has 1 user. Move them to another "
                                         "group first; nothing was deleted.")
    admin.add_user({"user_id": "carl", "group_id": "OPS"}, PASSWORD)
    with pytest.raises(ConflictError, match="still has 2 users"):
        admin.delete_group("OPS")
    admin.delete_users(["carl"])
    with pytest.raises(NotFoundError):
        admin.delete_group("NOSUCH")
    admin.update_user("bob", {"group_id": "DEFAULT"})
    admin.delete_group("OPS")
    assert [g.group_id for g in admin.list_groups()] == ["DEFAULT"]


def test_active_sessions_drop_programs_not_seen_for_long(
    ctx: Context, admin: AdminService, logon: LogonService, clock
) -> None:
    admin.add_user({"user_id": "bob"}, PASSWORD)
    admin.add_user({"user_id": "carol"}, PASSWORD)
    bob = logon.logon("bob", PASSWORD).session
    carol = logon.logon("carol", PASSWORD).session
    clock.advance(240)
    assert logon.heartbeat(carol)
    clock.advance(120)  # bob's program has not been heard of for 6 minutes
    assert [s.user_id for s in admin.active_sessions()] == ["carol"]
    # bob's program was only quiet (a suspended laptop): its next heartbeat puts it back.
    assert logon.heartbeat(bob)
    assert sorted(s.user_id for s in admin.active_sessions()) == ["bob", "carol"]


# --- CSV transfer through the service ---------------------------------------------------------


def test_export_then_import_into_a_fresh_store(ctx: Context, admin: AdminService,
                                               tmp_path, hasher, clock) -> None:
    admin.add_group("OPS", "Operations")
    admin.add_user({"user_id": "bob", "name": 'Bob "the Tape" Baker, Jr.',
                    "email": "bob@example.com", "group_id": "OPS", "role": 2,
                    "no_timeout": True, "programs": "Lite", "otp_enabled": True}, PASSWORD)
    admin.add_user({"user_id": "carol.d", "description": "Vault — night shift ☾"}, PASSWORD)
    exported = users_to_csv(admin.export_users(), admin.group_descriptions())

    with open_store(tmp_path / "fresh") as fresh:
        other = AdminService(Context(fresh, clock=clock, hasher=hasher), Actor.for_cli())
        assert other.import_users(list(csv_rows(exported))) == 2  # OPS is created
        assert users_to_csv(other.export_users(), other.group_descriptions()) == exported
        bob = other.get_user("bob")
        assert bob.otp_enabled and not bob.otp_activated and not bob.password_set
        # Imported users cannot log on until an administrator sets a password.
        logon = LogonService(Context(fresh, clock=clock, hasher=hasher))
        assert logon.logon("bob", "").status is LogonStatus.AUTHORIZATION_FAILURE


def test_import_skips_tapemaster_and_never_changes_it(ctx: Context, admin: AdminService) -> None:
    rows = [(2, {"user_id": "tapemaster", "name": "Mallory", "disabled": "True",
                 "programs": ""}), (3, {"user_id": "bob"})]
    assert admin.import_users(rows) == 1
    tapemaster = ctx.store.get_user("tapemaster")
    assert tapemaster.name == "TapeMaster Administrator"
    assert not tapemaster.disabled and tapemaster.may_run("TapeMaster")
    assert [e.user_id for e in events(ctx.store, "user_created")] == ["bob"]
    with pytest.raises(ValidationError, match="already exists"):
        admin.import_users([(2, {"user_id": "TapeMaster"})])  # a look-alike is no skip



def test_renewing_otp_in_one_edit_makes_a_new_secret(
    ctx: Context, admin: AdminService, logon: LogonService, clock
) -> None:
    """One Time Password True→False→True before Save: a lost device, handled in one go."""
    admin.add_user({"user_id": "bob", "otp_enabled": True}, PASSWORD)
    old = enrol(logon, "bob", PASSWORD)
    assert logon.logon("bob", PASSWORD, rfc_totp(old, clock.now)).status \
        is LogonStatus.ACTIVATED
    details = admin.update_user("bob", {"otp_enabled": True}, renew_otp=True)
    assert details.otp_enabled and not details.otp_activated
    assert [e.event for e in events(ctx.store, user_id="bob")][-3:] == [
        "otp_disabled", "recovery_codes_revoked", "otp_enabled"]
    clock.advance(30)
    assert enrol(logon, "bob", PASSWORD) != old
