"""TapeTrack's identity rules: User-ID, Group-ID, e-mail, role; uniqueness ignoring case."""

from __future__ import annotations

import pytest

from tapemaster_qt.errors import ConflictError, ValidationError
from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.services.validation import (
    check_email,
    check_group_id,
    check_role,
    check_user_id,
    user_id_problem,
)
from unit.support import PASSWORD


@pytest.mark.parametrize(
    "user_id", ["a", "Z", "7", "alice", "Alice.Smith", "op-7", "a" * 16, "x.", "x-", "0.0-0"]
)
def test_valid_user_ids(user_id: str) -> None:
    assert user_id_problem(user_id) is None
    assert check_user_id(user_id) == user_id


@pytest.mark.parametrize(
    ("user_id", "why"),
    [("", "Enter a User-ID"), ("a" * 17, "at most 16"), (".alice", "must not start"),
     ("-alice", "must not start"), ("al ice", "only letters"), ("al_ice", "only letters"),
     ("alice@x", "only letters"), ("jürgen", "only letters"), ("ａｌｉｃｅ", "only letters"),
     ("alice\n", "only letters"), (" alice", "only letters")],
)
def test_invalid_user_ids(user_id: str, why: str) -> None:
    assert why in (user_id_problem(user_id) or "")
    with pytest.raises(ValidationError, match=why) as info:
        check_user_id(user_id)
    assert info.value.field == "User-ID"


@pytest.mark.parametrize("group_id", ["A", "OPS", "Night2", "G" * 10, "0123456789"])
def test_valid_group_ids(group_id: str) -> None:
    assert check_group_id(group_id) == group_id


@pytest.mark.parametrize("group_id", ["", "G" * 11, "ops-day", "ops.day", "ops day", "ÖPS"])
def test_invalid_group_ids(group_id: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_group_id(group_id)
    assert info.value.field == "Group-ID"


@pytest.mark.parametrize(("email", "stored"),
                         [("a@b.co", "a@b.co"), (" Alice@Example.com ", "Alice@Example.com"),
                          ("", None), ("   ", None), (None, None)])
def test_valid_emails(email: str | None, stored: str | None) -> None:
    assert check_email(email) == stored


@pytest.mark.parametrize("email", ["alice", "alice@", "@example.com", "a@b", "a b@c.de",
                                   "a@@b.co", "a@b.co\u200b"])
def test_invalid_emails(email: str) -> None:
    with pytest.raises(ValidationError):
        check_email(email)


@pytest.mark.parametrize("role", [0, 7, "3", " 5 "])
def test_valid_roles(role: object) -> None:
    assert check_role(role) == int(str(role))


@pytest.mark.parametrize("role", [-1, 8, "eight", True, None, "1.5"])
def test_invalid_roles(role: object) -> None:
    with pytest.raises(ValidationError, match="0 to 7"):
        check_role(role)


def test_service_refuses_invalid_fields(admin: AdminService, ctx: Context) -> None:
    bad = [{"user_id": "-alice"}, {"user_id": "alice", "group_id": "no-such"},
           {"user_id": "alice", "group_id": "NOSUCH"}, {"user_id": "alice", "role": 9},
           {"user_id": "alice", "email": "not-an-address"},
           {"user_id": "alice", "programs": "TapeMaster,Excel"},
           {"user_id": "alice", "name": "bell\x07"}]
    for fields in bad:
        with pytest.raises(ValidationError):
            admin.add_user(fields, PASSWORD)
    assert ctx.store.get_user("alice") is None
    assert ctx.store.get_user("-alice") is None


def test_every_user_but_tapemaster_needs_a_group(admin: AdminService) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    with pytest.raises(ValidationError, match="belongs to a group"):
        admin.update_user("alice", {"group_id": ""})
    assert admin.get_user("alice").group_id == "DEFAULT"


def test_user_ids_differing_only_in_case_are_refused(admin: AdminService, ctx: Context) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    for twin in ("Alice", "ALICE", "aLiCe"):
        with pytest.raises(ConflictError, match="'alice' already exists"):
            admin.add_user({"user_id": twin}, PASSWORD)
    with pytest.raises(ConflictError):
        admin.add_user({"user_id": "TapeMaster"}, PASSWORD)
    with pytest.raises(ConflictError, match="already exists"):
        admin.add_user({"user_id": "alice"}, PASSWORD)
    assert [u.user_id for u in ctx.store.list_users()] == ["alice", "tapemaster"]


def test_logon_user_id_is_case_sensitive(admin: AdminService, logon: LogonService) -> None:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    assert logon.logon("ALICE", PASSWORD).status is LogonStatus.AUTHORIZATION_FAILURE
    assert logon.logon("alice", PASSWORD).status is LogonStatus.SUCCESS


def test_email_is_unique_ignoring_case(admin: AdminService) -> None:
    admin.add_user({"user_id": "alice", "email": "Alice@Example.com"}, PASSWORD)
    admin.add_user({"user_id": "bob", "email": "bob@example.com"}, PASSWORD)
    with pytest.raises(ConflictError, match="e-mail"):
        admin.add_user({"user_id": "carol", "email": "alice@EXAMPLE.com"}, PASSWORD)
    with pytest.raises(ConflictError, match="e-mail"):
        admin.update_user("bob", {"email": "ALICE@example.COM"})
    assert admin.get_user("bob").email == "bob@example.com"
    # The owner may change the case of their own address; no e-mail at all is fine for many.
    assert admin.update_user("alice", {"email": "alice@example.com"}).email == "alice@example.com"
    admin.add_user({"user_id": "dave"}, PASSWORD)
    admin.add_user({"user_id": "erin", "email": ""}, PASSWORD)
    assert admin.get_user("erin").email is None


def test_group_ids_are_unique_ignoring_case(admin: AdminService) -> None:
    admin.add_group("OPS", "Operations")
    with pytest.raises(ConflictError, match="'OPS' already exists"):
        admin.add_group("ops")
    with pytest.raises(ValidationError):
        admin.add_group("night-shift")
    assert [g.group_id for g in admin.list_groups()] == ["DEFAULT", "OPS"]
