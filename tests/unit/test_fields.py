"""The user-field catalogue and what derives from it.

The CSV columns, the XML export and the ``user show --json`` keys are written out here
literally, as they were before the catalogue existed: scripts depend on them
(UI-CONTRACT.md), so deriving them from one list must not change a byte. The text of
``tapemaster-admin user show`` follows the catalogue's order and labels (the labels
of User Properties).
"""

from __future__ import annotations

import argparse
import json

import pytest

from tapemaster_qt import cli
from tapemaster_qt.fields import (
    CATEGORY_DESCRIPTIONS,
    FIELDS,
    GRID_CATEGORIES,
    INPUT_FIELDS,
    STATE,
    USER_COLUMNS,
    Editable,
    Status,
    user_status,
)
from tapemaster_qt.records import UserDetails
from tapemaster_qt.services.admin import BOOLEAN_FIELDS, FIELD_LABELS, AdminService
from tapemaster_qt.services.transfer import CSV_COLUMNS, users_to_csv, users_to_xml


def details(user_id: str, **kw: object) -> UserDetails:
    values: dict[str, object] = dict(
        name="", email=None, description="", group_id="DEFAULT", role=7,
        admin_rights=False, tapemaster_rights=False, disabled=False, no_timeout=False,
        programs=frozenset({"TapeMaster", "Lite", "Checkpoint"}), otp_enabled=False,
        otp_activated=False, revoked=False, failed_logons=0, last_logon=None,
        last_failed_logon=None, password_set=True, integrity_ok=True)
    values.update(kw)
    return UserDetails(user_id=user_id, **values)  # type: ignore[arg-type]


USERS = [
    details("alice", name="Alice Archer", email="alice@example.com",
            description='Night shift, "vault"', group_id="OPS", role=3, admin_rights=True,
            no_timeout=True, programs=frozenset({"Checkpoint", "TapeMaster"}),
            otp_enabled=True, otp_activated=True, last_logon="2026-01-02T03:04:05.000+00:00",
            failures_since_logon=2, recovery_codes_left=7),
    details("bob", disabled=True, revoked=True, failed_logons=6,
            programs=frozenset(), tapemaster_rights=True),
]
GROUPS = {"OPS": "Operations", "NIGHT": "=cmd|' /C calc'!A0"}

CSV = "".join(line + "\n" for line in (
    "user_id,name,email,description,group_id,role,admin_rights,tapemaster_rights,disabled,"
    "no_timeout,programs,otp_enabled,group_description",
    'alice,Alice Archer,alice@example.com,"Night shift, ""vault""",OPS,3,True,False,False,'
    'True,"TapeMaster,Checkpoint",True,Operations',
    "bob,,,,DEFAULT,7,False,True,True,False,,False,",
    "carol,'=HYPERLINK(1),,,NIGHT,7,False,False,False,False,\"TapeMaster,Lite,Checkpoint\","
    "False,'=cmd|' /C calc'!A0",
))

XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<TapeTrack Export="Users">
  <UserList>
    <User UserID="alice">
      <Name>Alice Archer</Name>
      <EMail>alice@example.com</EMail>
      <Description>Night shift, "vault"</Description>
      <GroupID>OPS</GroupID>
      <Role>3</Role>
      <AdministrativeRights>True</AdministrativeRights>
      <TapemasterRights>False</TapemasterRights>
      <Disabled>False</Disabled>
      <NoTimeOut>True</NoTimeOut>
      <ClientAccess>
        <TapeMaster>True</TapeMaster>
        <Lite>False</Lite>
        <Checkpoint>True</Checkpoint>
      </ClientAccess>
      <OneTimePassword>
        <Enabled>True</Enabled>
        <Activated>True</Activated>
      </OneTimePassword>
    </User>
    <User UserID="bob">
      <Name />
      <EMail />
      <Description />
      <GroupID>DEFAULT</GroupID>
      <Role>7</Role>
      <AdministrativeRights>False</AdministrativeRights>
      <TapemasterRights>True</TapemasterRights>
      <Disabled>True</Disabled>
      <NoTimeOut>False</NoTimeOut>
      <ClientAccess>
        <TapeMaster>False</TapeMaster>
        <Lite>False</Lite>
        <Checkpoint>False</Checkpoint>
      </ClientAccess>
      <OneTimePassword>
        <Enabled>False</Enabled>
        <Activated>False</Activated>
      </OneTimePassword>
    </User>
  </UserList>
</TapeTrack>
"""

JSON_KEYS = ["user_id", "name", "email", "description", "group_id", "role", "admin_rights",
             "tapemaster_rights", "disabled", "no_timeout", "programs", "revoked",
             "failed_logons", "otp_enabled", "otp_activated", "last_logon",
             "failures_since_logon"]

SHOW = "".join(line + "\n" for line in (
    "User-ID:                 alice",
    "Name:                    Alice Archer",
    "E-mail:                  alice@example.com",
    'Description:             Night shift, "vault"',
    "Group-ID:                OPS",
    "Role:                    3",
    "Administrative Rights:   True",
    "tapemaster Rights:       False",
    "Disabled:                False",
    "No Time-Out:             True",
    "Client Access:           TapeMaster, Checkpoint",
    "Revoked:                 False",
    "Failed Logons in a Row:  0",
    "One Time Password:       True",
    "Activated:               True",
    "Recovery Codes Left:     7",
    "Last Logon:              2026-01-02T03:04:05.000+00:00",
    "Failed Since Last Logon: 2",
    "Last Failed Logon:       never",
    "Password Set:            True",
    "Record Integrity:        ok",
))

SHOW_BOB = "".join(line + "\n" for line in (
    "User-ID:                 bob",
    "Name:                    ",
    "E-mail:                  ",
    "Description:             ",
    "Group-ID:                DEFAULT",
    "Role:                    7",
    "Administrative Rights:   False",
    "tapemaster Rights:       True",
    "Disabled:                True",
    "No Time-Out:             False",
    "Client Access:           (none)",
    "Revoked:                 True",
    "Failed Logons in a Row:  6",
    "One Time Password:       False",
    "Activated:               False",
    "Recovery Codes Left:     0",
    "Last Logon:              never",
    "Failed Since Last Logon: 0",
    "Last Failed Logon:       never",
    "Password Set:            True",
    "Record Integrity:        ok",
))


def test_csv_export_is_unchanged() -> None:
    assert CSV_COLUMNS == ("user_id", "name", "email", "description", "group_id", "role",
                           "admin_rights", "tapemaster_rights", "disabled", "no_timeout",
                           "programs", "otp_enabled", "group_description")
    carol = details("carol", name="=HYPERLINK(1)", group_id="NIGHT")  # a formula cell
    assert users_to_csv([*USERS, carol], GROUPS) == CSV


def test_xml_export_is_unchanged() -> None:
    assert users_to_xml(USERS) == XML


def test_show_json_keys_and_values_are_unchanged() -> None:
    alice = USERS[0].as_json()
    assert list(alice) == JSON_KEYS
    assert alice == {
        "user_id": "alice", "name": "Alice Archer", "email": "alice@example.com",
        "description": 'Night shift, "vault"', "group_id": "OPS", "role": 3,
        "admin_rights": True, "tapemaster_rights": False, "disabled": False,
        "no_timeout": True, "programs": ["TapeMaster", "Checkpoint"], "revoked": False,
        "failed_logons": 0, "otp_enabled": True, "otp_activated": True,
        "last_logon": "2026-01-02T03:04:05.000+00:00", "failures_since_logon": 2}
    assert json.loads(json.dumps(USERS[1].as_json()))["email"] is None


class _OneUser:
    """Stands in for the admin service: ``user show`` asks it for one user."""

    def __init__(self, user: UserDetails) -> None:
        self._user = user

    def get_user(self, user_id: str) -> UserDetails:
        assert user_id == self._user.user_id
        return self._user


@pytest.mark.parametrize(("user", "expected"), [(USERS[0], SHOW), (USERS[1], SHOW_BOB)])
def test_cli_show_text_is_unchanged(capsys, user: UserDetails, expected: str) -> None:
    args = argparse.Namespace(user_id=user.user_id, json=False)
    cli._user_command(args, "show", _OneUser(user), None, None, None)
    assert capsys.readouterr().out == expected


def test_cli_show_of_a_stored_user(capsys, admin: AdminService) -> None:
    admin.add_group("OPS", "Operations")
    admin.add_user({"user_id": "carol", "name": "Carol", "group_id": "OPS"}, None)
    args = argparse.Namespace(user_id="carol", json=True)
    cli._user_command(args, "show", admin, None, None, None)
    shown = json.loads(capsys.readouterr().out)
    assert list(shown) == JSON_KEYS
    assert (shown["group_id"], shown["programs"]) == ("OPS", ["TapeMaster", "Lite",
                                                               "Checkpoint"])


# --- the catalogue itself ---------------------------------------------------------------

CONTRACT_LABELS = ["User-ID", "Name", "E-mail", "Description", "Group-ID", "Role",
                   "Administrative Rights", "tapemaster Rights", "Disabled", "No Time-Out",
                   "TapeMaster", "Lite", "Checkpoint", "One Time Password", "Activated"]


def test_the_grid_rows_are_labelled_as_the_contract_says() -> None:
    assert [c for c, _ in GRID_CATEGORIES] == ["Identity", "Group", "Options",
                                               "Client Access", "One Time Password"]
    assert [f.label for _, rows in GRID_CATEGORIES for f in rows] == CONTRACT_LABELS
    assert [FIELDS[key].label for key in USER_COLUMNS] == [
        "User-ID", "Name", "Group-ID", "Role", "E-mail", "Status", "Last Logon",
        "Description"]


def test_every_field_is_described_in_whole_sentences() -> None:
    for field in FIELDS.values():
        text = field.description
        assert text[:1].isupper() and text.endswith("."), field.key
        assert "  " not in text and len(text) < 400, field.key
    for status in Status:
        assert status.description.endswith("."), status
    assert set(CATEGORY_DESCRIPTIONS) >= {c for c, _ in GRID_CATEGORIES} | {STATE}


def test_the_services_take_exactly_the_csv_columns() -> None:
    assert set(INPUT_FIELDS) == set(CSV_COLUMNS) - {"group_description"} == set(FIELD_LABELS)
    assert sorted(BOOLEAN_FIELDS) == ["admin_rights", "disabled", "no_timeout",
                                      "otp_enabled", "tapemaster_rights"]
    assert FIELD_LABELS["programs"] == "Client Access"
    assert {k for k, f in INPUT_FIELDS.items() if f.editable is not Editable.ALWAYS} == {
        "user_id"}


@pytest.mark.parametrize(("flags", "words"), [
    ((False, False, False, False, True), []),
    ((True, False, False, False, True), ["OTP pending"]),
    ((True, True, False, False, None), ["OTP active"]),  # None: seal not checked yet
    ((True, True, True, True, False), ["Tampered", "Revoked", "Disabled", "OTP active"]),
    ((0, 0, 1, 0, True), ["Disabled"]),  # SQLite's 0/1
])
def test_user_status(flags: tuple[object, ...], words: list[str]) -> None:
    assert [s.value for s in user_status(*flags)] == words
