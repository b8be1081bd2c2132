"""``user export`` → ``user import`` on another store (issue 11 item 5): the export
carries each user's group with its description, and the import creates the groups the
other store lacks, in the same all-or-nothing transaction as the users. Files written
before the description column existed still import.
"""

from __future__ import annotations

import csv
import io

import pytest

from tapemaster_qt.errors import ValidationError
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.transfer import csv_rows, users_to_csv
from tapemaster_qt.store import open_store
from unit.support import PASSWORD, events

OLD_HEADER = ("user_id,name,email,description,group_id,role,admin_rights,tapemaster_rights,"
              "disabled,no_timeout,programs,otp_enabled")


@pytest.fixture
def other(tmp_path, hasher, clock):
    """A second, fresh store (another site) and its administrator."""
    with open_store(tmp_path / "other") as store:
        yield AdminService(Context(store, clock=clock, hasher=hasher), Actor.for_cli())


def _site(admin: AdminService) -> str:
    admin.add_group("OPS", "Operations")
    admin.add_group("NIGHT", "=Night shift, vault 2")
    admin.add_group("EMPTY", "nobody in it")
    admin.add_user({"user_id": "bob", "group_id": "OPS", "role": 2}, PASSWORD)
    admin.add_user({"user_id": "carol", "group_id": "NIGHT"}, PASSWORD)
    admin.add_user({"user_id": "dave", "group_id": "NIGHT"}, PASSWORD)
    admin.add_user({"user_id": "erin"}, PASSWORD)  # DEFAULT
    return users_to_csv(admin.export_users(), admin.group_descriptions())


def test_the_export_names_each_users_group_and_its_description(admin: AdminService) -> None:
    rows = list(csv.DictReader(io.StringIO(_site(admin))))
    by_user = {r["user_id"]: (r["group_id"], r["group_description"]) for r in rows}
    assert by_user == {"bob": ("OPS", "Operations"), "carol": ("NIGHT", "'=Night shift, vault 2"),
                       "dave": ("NIGHT", "'=Night shift, vault 2"),
                       "erin": ("DEFAULT", "Default group"), "tapemaster": ("", "")}


def test_import_on_another_store_creates_the_missing_groups(admin: AdminService,
                                                            other: AdminService) -> None:
    exported = _site(admin)
    assert other.import_users(list(csv_rows(exported))) == 4
    groups = {g.group_id: (g.description, g.members) for g in other.list_groups()}
    assert groups == {"DEFAULT": ("Default group", 1), "OPS": ("Operations", 1),
                      "NIGHT": ("=Night shift, vault 2", 2)}  # an empty group is not a user's
    assert other.get_user("carol").group_id == "NIGHT"
    created = events(other._ctx.store, "group_created")
    assert sorted(e.detail for e in created) == ["NIGHT (imported)", "OPS (imported)"]
    assert users_to_csv(other.export_users(), other.group_descriptions()) == exported


def test_an_existing_group_keeps_its_own_description(admin: AdminService,
                                                     other: AdminService) -> None:
    other.add_group("OPS", "Operators (ours)")
    other.import_users(list(csv_rows(_site(admin))))
    assert {g.group_id: g.description for g in other.list_groups()}["OPS"] == "Operators (ours)"
    assert [e.detail for e in events(other._ctx.store, "group_created")] == [
        "OPS", "NIGHT (imported)"]


def test_a_file_from_before_the_description_column_still_imports(other: AdminService) -> None:
    old = (OLD_HEADER + "\n"
           "bob,Bob,,,OPS,2,False,False,False,False,\"TapeMaster,Lite\",False\n"
           "carol,Carol,,,DEFAULT,7,False,False,False,False,Lite,True\n")
    assert other.import_users(list(csv_rows(old))) == 2
    assert {g.group_id: g.description for g in other.list_groups()} == {
        "DEFAULT": "Default group", "OPS": ""}


@pytest.mark.parametrize(("text", "says"), [
    ("user_id,group_id,group_description\nbob,OPS,Ops\ncarol,OPS,Operations\n",
     "line 3: group OPS is described differently than on line 2"),
    ("user_id,group_id\nbob,default\n", "Group-ID 'DEFAULT' already exists"),
    ("user_id,group_id\nbob,OPS\ncarol,ops\n", "Group-ID 'OPS' (line 2) differs only in case"),
    ("user_id,group_id\nbob,OPS-1\n", "Group-ID"),
    ("user_id,group_id,group_description\nbob,OPS,\"two\nlines\"\n", "control"),
    ("user_id,group_id,name\nbob,OPS,Bob\nbob,NEW,Bob again\n", "appears again"),
])
def test_a_bad_file_creates_neither_groups_nor_users(other: AdminService, text: str,
                                                     says: str) -> None:
    before = [(g.group_id, g.description) for g in other.list_groups()]
    with pytest.raises(ValidationError, match="Nothing was imported") as refused:
        other.import_users(list(csv_rows(text)))
    assert says in refused.value.message
    assert [(g.group_id, g.description) for g in other.list_groups()] == before
    assert other._ctx.store.count_users() == 1
    assert not events(other._ctx.store, "group_created")


def test_group_descriptions_need_an_administrator(ctx: Context) -> None:
    from tapemaster_qt.errors import NotAuthorizedError

    with pytest.raises(NotAuthorizedError):
        AdminService(ctx, Actor.for_user("nobody")).group_descriptions()
