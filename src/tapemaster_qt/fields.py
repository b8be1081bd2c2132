"""A user's fields, written down once.

Each field has its key, the label people read (exactly as TapeTrack and UI-CONTRACT.md
spell it), its kind, whether an administrator may change it, its name in exports, and
a description for tooltips and the Properties dialog. The Identity grid, the Users
columns, ``tapemaster-admin user show``, ``user show --json``, and the CSV and XML
exports all derive from :data:`USER_FIELDS`, so a field is added or renamed here and
nowhere else.

Free of any layer's imports (no Qt, no store), like :mod:`tapemaster_qt.records`,
so that every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from tapemaster_qt import PROGRAMS
from tapemaster_qt.errors import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from tapemaster_qt.records import UserDetails


class Kind(Enum):
    """What a field's value is, which decides its editor and how it is written."""

    TEXT = "text"
    GROUP = "group"
    ROLE = "role"
    BOOL = "bool"
    PROGRAMS = "programs"  # Client Access as a set of program names
    COUNT = "count"
    TIME = "time"  # an ISO 8601 UTC timestamp, or None for never
    INTEGRITY = "integrity"
    STATUS = "status"  # derived from other fields; see user_status()


class Editable(Enum):
    ALWAYS = "always"
    WHEN_ADDING = "when adding"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class UserField:
    key: str
    """The attribute of :class:`UserDetails` (``access:<program>`` for one program of
    Client Access), and the key the admin service takes for fields it changes."""
    label: str
    kind: Kind
    category: str
    description: str
    editable: Editable = Editable.ALWAYS
    export: str | None = None
    """The CSV column (what ``user import`` reads back) and the ``--json`` key."""
    csv: bool = False
    json: bool = False
    xml: str | None = None
    """The element of TapeTrack's XML export, ``Parent/Child`` when nested."""
    grid: bool = False
    """A row of User Properties ▸ Identity."""

    def value(self, user: UserDetails) -> object:
        if self.key.startswith("access:"):
            return self.key.removeprefix("access:") in user.programs
        if self.kind is Kind.PROGRAMS:
            return user.program_list()
        if self.kind is Kind.STATUS:
            return user_status(user.otp_enabled, user.otp_activated, user.disabled,
                               user.revoked, user.integrity_ok)
        return getattr(user, self.key)

    def text(self, user: UserDetails) -> str:
        """The value as the CLI prints it (times in UTC, as stored)."""
        value = self.value(user)
        if self.kind is Kind.PROGRAMS:
            return ", ".join(value) or "(none)"  # type: ignore[arg-type]
        if self.kind is Kind.TIME:
            return str(value) if value else "never"
        if self.kind is Kind.INTEGRITY:
            return "ok" if value else "FAILED (changed outside TapeMaster)"
        if self.kind is Kind.STATUS:
            return ", ".join(s.value for s in value) or "OK"  # type: ignore[attr-defined]
        return export_text(value)

    def export_value(self, user: UserDetails) -> str:
        """The value as the CSV and XML exports write it."""
        value = self.value(user)
        if self.kind is Kind.PROGRAMS:
            return ",".join(value)  # type: ignore[arg-type]
        return export_text(value)


def export_text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return "" if value is None else str(value)


# --- the user's status: one word for the Users grid -----------------------------------


class Status(Enum):
    """What a user's row says in the Status column, most serious first."""

    TAMPERED = QT_TRANSLATE_NOOP("fields", "Tampered")
    REVOKED = QT_TRANSLATE_NOOP("fields", "Revoked")
    DISABLED = QT_TRANSLATE_NOOP("fields", "Disabled")
    OTP_PENDING = QT_TRANSLATE_NOOP("fields", "OTP pending")
    OTP_ACTIVE = QT_TRANSLATE_NOOP("fields", "OTP active")

    @property
    def description(self) -> str:
        return STATUS_DESCRIPTIONS[self]


STATUS_DESCRIPTIONS = {
    Status.TAMPERED: QT_TRANSLATE_NOOP(
        "fields",
        "The record was changed outside TapeMaster and failed its integrity check. It refuses "
        "every logon until an administrator reviews it and re-seals it."),
    Status.REVOKED: QT_TRANSLATE_NOOP(
        "fields",
        "Too many failed logons in a row revoked the User-ID. Unlock or Reset Password restores "
        "it."),
    Status.DISABLED: QT_TRANSLATE_NOOP(
        "fields",
        "An administrator disabled the User-ID: it cannot log on."),
    Status.OTP_PENDING: QT_TRANSLATE_NOOP(
        "fields",
        "One Time Password is on, but the user has not logged on with a code yet: the QR code "
        "shows at their next logon."),
    Status.OTP_ACTIVE: QT_TRANSLATE_NOOP(
        "fields",
        "Every logon needs a code from the user's authenticator app."),
}


def user_status(otp_enabled: object, otp_activated: object, disabled: object,
                revoked: object, integrity_ok: object) -> tuple[Status, ...]:
    """The statuses that apply, most serious first (the flags may be SQLite's 0/1;
    ``integrity_ok`` None means not checked yet)."""
    found: list[Status] = []
    if integrity_ok is False:
        found.append(Status.TAMPERED)
    if revoked:
        found.append(Status.REVOKED)
    if disabled:
        found.append(Status.DISABLED)
    if otp_enabled:
        found.append(Status.OTP_ACTIVE if otp_activated else Status.OTP_PENDING)
    return tuple(found)


# --- the catalogue ------------------------------------------------------------------------

IDENTITY = QT_TRANSLATE_NOOP("fields", "Identity")
GROUP = QT_TRANSLATE_NOOP("fields", "Group")
OPTIONS = QT_TRANSLATE_NOOP("fields", "Options")
CLIENT_ACCESS = QT_TRANSLATE_NOOP("fields", "Client Access")
OTP = QT_TRANSLATE_NOOP("fields", "One Time Password")
STATE = QT_TRANSLATE_NOOP("fields", "Status")

CATEGORY_DESCRIPTIONS = {
    IDENTITY: QT_TRANSLATE_NOOP(
        "fields",
        "Who the user is: the User-ID they log on with, and how others know them."),
    GROUP: QT_TRANSLATE_NOOP("fields", "The user's group, and their rank in it."),
    OPTIONS: QT_TRANSLATE_NOOP("fields", "Rights and options that decide what the user may do."),
    CLIENT_ACCESS: QT_TRANSLATE_NOOP("fields", "The programs the user may log on to."),
    OTP: QT_TRANSLATE_NOOP(
        "fields",
        "Whether every logon also needs a 6-digit code from an authenticator app, such as Google "
        "Authenticator or 2FAS."),
    STATE: QT_TRANSLATE_NOOP("fields", "The logon state of the User-ID, kept by the programs."),
}

_ACCESS_DESCRIPTIONS = {
    "TapeMaster": QT_TRANSLATE_NOOP("fields", "True lets the user log on to TapeMaster."),
    "Lite": QT_TRANSLATE_NOOP("fields", "True lets the user log on to TapeTrack Lite."),
    "Checkpoint": QT_TRANSLATE_NOOP("fields", "True lets the user log on to TapeTrack Checkpoint."),
}

USER_FIELDS: tuple[UserField, ...] = (
    UserField(
        "user_id", QT_TRANSLATE_NOOP("fields", "User-ID"), Kind.TEXT, IDENTITY,
        QT_TRANSLATE_NOOP(
            "fields",
            "The name the user logs on with: 1 to 16 letters or digits, with '.' and '-' allowed "
            "but not first. Capital and small letters differ. It cannot be changed once the user "
            "is saved."),
        Editable.WHEN_ADDING, export="user_id", csv=True, json=True, xml="@UserID",
        grid=True),
    UserField(
        "name", QT_TRANSLATE_NOOP("fields", "Name"), Kind.TEXT, IDENTITY,
        QT_TRANSLATE_NOOP("fields", "The user's full name as others see it, up to 64 characters."),
        export="name", csv=True, json=True, xml="Name", grid=True),
    UserField(
        "email", QT_TRANSLATE_NOOP("fields", "E-mail"), Kind.TEXT, IDENTITY,
        QT_TRANSLATE_NOOP(
            "fields",
            "The user's e-mail address. It may be left empty, but no two users may have the same "
            "address."),
        export="email", csv=True, json=True, xml="EMail", grid=True),
    UserField(
        "description", QT_TRANSLATE_NOOP("fields", "Description"), Kind.TEXT, IDENTITY,
        QT_TRANSLATE_NOOP(
            "fields",
            "A note for administrators, such as the user's job or site, up to 255 characters."),
        export="description", csv=True, json=True, xml="Description", grid=True),
    UserField(
        "group_id", QT_TRANSLATE_NOOP("fields", "Group-ID"), Kind.GROUP, GROUP,
        QT_TRANSLATE_NOOP(
            "fields",
            "The group the user belongs to. Every user except tapemaster belongs to a group; add "
            "groups on the Groups tab."),
        export="group_id", csv=True, json=True, xml="GroupID", grid=True),
    UserField(
        "role", QT_TRANSLATE_NOOP("fields", "Role"), Kind.ROLE, GROUP,
        QT_TRANSLATE_NOOP(
            "fields",
            "The user's rank in the group, from 0 (highest) to 7 (lowest), as in TapeTrack, where"
            " Lite lets a user manage the users of an equal or lower rank. TapeMaster Qt keeps "
            "and exports the role, but it gives no rights here."),
        export="role", csv=True, json=True, xml="Role", grid=True),
    UserField(
        "admin_rights", QT_TRANSLATE_NOOP("fields", "Administrative Rights"), Kind.BOOL, OPTIONS,
        QT_TRANSLATE_NOOP(
            "fields",
            "In TapeTrack, True lets the user manage customers, media types and repositories. "
            "TapeMaster Qt keeps this right, but administering users needs tapemaster Rights."),
        export="admin_rights", csv=True, json=True, xml="AdministrativeRights", grid=True),
    UserField(
        "tapemaster_rights", QT_TRANSLATE_NOOP("fields", "tapemaster Rights"), Kind.BOOL, OPTIONS,
        QT_TRANSLATE_NOOP(
            "fields",
            "True gives the user the same rights as tapemaster: the Administration menu, users, "
            "groups, Active Users and the Audit Log. Only tapemaster may grant or remove "
            "tapemaster Rights."),
        export="tapemaster_rights", csv=True, json=True, xml="TapemasterRights",
        grid=True),
    UserField(
        "disabled", QT_TRANSLATE_NOOP("fields", "Disabled"), Kind.BOOL, OPTIONS,
        QT_TRANSLATE_NOOP(
            "fields",
            "True stops the user from logging on to any program. The User-ID and its settings are"
            " kept."),
        export="disabled", csv=True, json=True, xml="Disabled", grid=True),
    UserField(
        "no_timeout", QT_TRANSLATE_NOOP("fields", "No Time-Out"), Kind.BOOL, OPTIONS,
        QT_TRANSLATE_NOOP(
            "fields",
            "TapeMaster logs a user out after 10 minutes without activity. True keeps this user "
            "logged on."),
        export="no_timeout", csv=True, json=True, xml="NoTimeOut", grid=True),
    UserField(
        "programs", QT_TRANSLATE_NOOP("fields", "Client Access"), Kind.PROGRAMS, CLIENT_ACCESS,
        CATEGORY_DESCRIPTIONS[CLIENT_ACCESS],
        export="programs", csv=True, json=True),
    *(UserField(f"access:{program}", program, Kind.BOOL, CLIENT_ACCESS,
                _ACCESS_DESCRIPTIONS[program], xml=f"ClientAccess/{program}", grid=True)
      for program in PROGRAMS),
    UserField(
        "revoked", QT_TRANSLATE_NOOP("fields", "Revoked"), Kind.BOOL, STATE,
        QT_TRANSLATE_NOOP(
            "fields",
            "True after too many failed logons in a row (six, unless the store's lockout setting "
            "says otherwise). Unlock or Reset Password restores the User-ID."),
        Editable.NEVER, export="revoked", json=True),
    UserField(
        "failed_logons", QT_TRANSLATE_NOOP("fields", "Failed Logons in a Row"), Kind.COUNT, STATE,
        QT_TRANSLATE_NOOP(
            "fields",
            "Failed logons in a row since the last successful one or the last Unlock; too many "
            "revoke the User-ID."),
        Editable.NEVER, export="failed_logons", json=True),
    UserField(
        "otp_enabled", QT_TRANSLATE_NOOP("fields", "One Time Password"), Kind.BOOL, OTP,
        QT_TRANSLATE_NOOP(
            "fields",
            "True: every logon also needs a code from the user's authenticator app. Switching it "
            "to True makes a new secret when you save, and the user scans a new QR code at their "
            "next logon. Switching it to False destroys the secret."),
        export="otp_enabled", csv=True, json=True, xml="OneTimePassword/Enabled",
        grid=True),
    UserField(
        "otp_activated", QT_TRANSLATE_NOOP("fields", "Activated"), Kind.BOOL, OTP,
        QT_TRANSLATE_NOOP(
            "fields",
            "True once the user has logged on with a valid code; from then on every logon needs "
            "one. The programs set it; it cannot be changed here."),
        Editable.NEVER, export="otp_activated", json=True,
        xml="OneTimePassword/Activated", grid=True),
    UserField(
        # Shown (user show, Properties ▸ Status with its Revoke button), never exported:
        # counting codes costs a read per user, which user list and the exports skip.
        "recovery_codes_left", QT_TRANSLATE_NOOP("fields", "Recovery Codes Left"), Kind.COUNT, OTP,
        QT_TRANSLATE_NOOP(
            "fields",
            "Unused single-use recovery codes: each logs the user on once in place of a code from"
            " their app. Revoke them if someone else may have seen them; the user makes new ones "
            "in File ▸ One Time Password…."), Editable.NEVER),
    UserField(
        "last_logon", QT_TRANSLATE_NOOP("fields", "Last Logon"), Kind.TIME, STATE,
        QT_TRANSLATE_NOOP("fields", "When the user last logged on successfully."),
        Editable.NEVER, export="last_logon", json=True),
    UserField(
        "failures_since_logon", QT_TRANSLATE_NOOP(
            "fields",
            "Failed Since Last Logon"), Kind.COUNT, STATE,
        QT_TRANSLATE_NOOP(
            "fields",
            "Failed logons with this User-ID since its last successful logon. Unlock does not "
            "reset it: the user is told of them at their next logon."),
        Editable.NEVER, export="failures_since_logon", json=True),
    UserField(
        "last_failed_logon", QT_TRANSLATE_NOOP("fields", "Last Failed Logon"), Kind.TIME, STATE,
        QT_TRANSLATE_NOOP("fields", "When a logon with this User-ID last failed."), Editable.NEVER),
    UserField(
        "password_set", QT_TRANSLATE_NOOP("fields", "Password Set"), Kind.BOOL, STATE,
        QT_TRANSLATE_NOOP(
            "fields",
            "False for a user who cannot log on yet, such as an imported one, until an "
            "administrator sets a password with Reset Password."), Editable.NEVER),
    UserField(
        "integrity_ok", QT_TRANSLATE_NOOP("fields", "Record Integrity"), Kind.INTEGRITY, STATE,
        QT_TRANSLATE_NOOP(
            "fields",
            "Whether the record still carries its seal. A record changed outside TapeMaster fails"
            " the check and refuses logons until an administrator reviews it and re-seals it."),
        Editable.NEVER),
)

STATUS_FIELD = UserField(
    "status", QT_TRANSLATE_NOOP("fields", "Status"), Kind.STATUS, STATE,
    QT_TRANSLATE_NOOP(
        "fields",
        "OTP active, OTP pending, Revoked, Disabled or Tampered; empty for a User-ID that logs on"
        " with its password alone."), Editable.NEVER)
"""Derived from other fields: a column of the Users grid, not a stored value."""

FIELDS = {f.key: f for f in (*USER_FIELDS, STATUS_FIELD)}
"""Every field by key."""

GRID_CATEGORIES: tuple[tuple[str, tuple[UserField, ...]], ...] = tuple(
    (category, tuple(f for f in USER_FIELDS if f.grid and f.category == category))
    for category in (IDENTITY, GROUP, OPTIONS, CLIENT_ACCESS, OTP)
)
"""User Properties ▸ Identity: categories and their rows, in order."""

STATE_FIELDS = tuple(f for f in USER_FIELDS if f.category == STATE)
"""User Properties ▸ Status: what the programs keep about a User-ID's logons."""

CSV_FIELDS = tuple(f for f in USER_FIELDS if f.csv)
USER_CSV_COLUMNS: tuple[str, ...] = tuple(f.export for f in CSV_FIELDS if f.export)
"""The user's columns of the CSV export, which ``user import`` reads back
(UI-CONTRACT.md); :mod:`services.transfer` adds the group's description last."""

INPUT_FIELDS = {f.key: f for f in CSV_FIELDS}
"""What the admin service takes to add or change a user: the CSV columns."""

USER_COLUMNS = ("user_id", "name", "group_id", "role", "email", "status", "last_logon",
                "description")
"""The columns of Group/User Administration's Users grid, in order."""

SHOW_FIELDS = tuple(f for f in USER_FIELDS if not f.key.startswith("access:"))
"""``tapemaster-admin user show``: everything, Client Access as one line."""


def user_json(user: UserDetails) -> dict[str, object]:
    """The ``user show --json`` object (keys fixed by UI-CONTRACT.md)."""
    return {f.export: f.value(user) for f in USER_FIELDS if f.json and f.export}
