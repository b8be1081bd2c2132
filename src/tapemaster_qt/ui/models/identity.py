"""The Identity tab's property grid: a two-column tree model (Field, Value).

Categories are top-level rows without a value; fields are their children, labelled
exactly as TapeTrack labels them. Booleans read ``True``/``False``. Setting
``One Time Password`` to True makes the read-only ``Activated`` row appear (False for
a new secret); False removes it. Nothing is saved here: :meth:`changes` tells the
dialog what differs from the stored user, and the admin service applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from tapemaster_qt import PROGRAMS
from tapemaster_qt.records import UserDetails

Index = QModelIndex | QPersistentModelIndex

COL_FIELD = 0
COL_VALUE = 1

FieldKindRole = Qt.ItemDataRole.UserRole + 1
"""data(valueIndex, FieldKindRole): 'text', 'bool', 'group', 'role' or 'readonly'."""
FieldKeyRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # text | bool | group | role


CATEGORIES: tuple[tuple[str, tuple[Field, ...]], ...] = (
    ("Identity", (
        Field("user_id", "User-ID", "text"), Field("name", "Name", "text"),
        Field("email", "E-mail", "text"), Field("description", "Description", "text"),
    )),
    ("Group", (Field("group_id", "Group-ID", "group"), Field("role", "Role", "role"))),
    ("Options", (
        Field("admin_rights", "Administrative Rights", "bool"),
        Field("tapemaster_rights", "tapemaster Rights", "bool"),
        Field("disabled", "Disabled", "bool"), Field("no_timeout", "No Time-Out", "bool"),
    )),
    ("Client Access", tuple(Field(f"access:{p}", p, "bool") for p in PROGRAMS)),
    ("One Time Password", (
        Field("otp_enabled", "One Time Password", "bool"),
        Field("otp_activated", "Activated", "readonly"),
    )),
)
OTP_CATEGORY = len(CATEGORIES) - 1
LABELS = {f.key: f.label for _, fields in CATEGORIES for f in fields}


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def values_of(user: UserDetails | None) -> dict[str, Any]:
    if user is None:
        return {
            "user_id": "", "name": "", "email": "", "description": "", "group_id": "",
            "role": 7, "admin_rights": False, "tapemaster_rights": False, "disabled": False,
            "no_timeout": False, **{f"access:{p}": True for p in PROGRAMS},
            "otp_enabled": False, "otp_activated": False,
        }
    return {
        "user_id": user.user_id, "name": user.name, "email": user.email or "",
        "description": user.description, "group_id": user.group_id or "", "role": user.role,
        "admin_rights": user.admin_rights, "tapemaster_rights": user.tapemaster_rights,
        "disabled": user.disabled, "no_timeout": user.no_timeout,
        **{f"access:{p}": p in user.programs for p in PROGRAMS},
        "otp_enabled": user.otp_enabled, "otp_activated": user.otp_activated,
    }


class IdentityModel(QAbstractItemModel):
    def __init__(self, user: UserDetails | None, *, adding: bool = False,
                 locked: frozenset[str] = frozenset(), parent: Any = None) -> None:
        """``locked``: field keys the acting administrator may not change (greyed)."""
        super().__init__(parent)
        self._original = values_of(user)
        self._values = dict(self._original)
        self._adding = adding
        self._locked = locked
        self._bold = QFont()
        self._bold.setBold(True)

    # --- structure ----------------------------------------------------------------------

    def _fields(self, category: int) -> tuple[Field, ...]:
        fields = CATEGORIES[category][1]
        if category == OTP_CATEGORY and not self._values["otp_enabled"]:
            return fields[:1]
        return fields

    def _field(self, index: Index) -> Field | None:
        category = int(index.internalId())
        if category == 0:
            return None
        fields = self._fields(category - 1)
        return fields[index.row()] if 0 <= index.row() < len(fields) else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column not in (COL_FIELD, COL_VALUE) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(CATEGORIES) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        if row >= len(self._fields(parent.row())):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        category = int(index.internalId())
        if category == 0:
            return QModelIndex()
        return self.createIndex(category - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(CATEGORIES)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._fields(parent.row()))
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Field", "Value")[section] if section in (0, 1) else None
        return None

    # --- data -----------------------------------------------------------------------------

    def display_value(self, key: str) -> str:
        value = self._values[key]
        if isinstance(value, bool):
            return "True" if value else "False"
        return str(value)

    def is_editable(self, field: Field) -> bool:
        if field.kind == "readonly" or field.key in self._locked:
            return False
        return not (field.key == "user_id" and not self._adding)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        field = self._field(index)
        if field is None:
            return flags
        if index.column() == COL_VALUE and self.is_editable(field):
            flags |= Qt.ItemFlag.ItemIsEditable
        if field.key in self._locked:
            flags &= ~Qt.ItemFlag.ItemIsEnabled
        return flags | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field = self._field(index)
        if field is None:  # a category row
            if index.column() == COL_FIELD and role == Qt.ItemDataRole.DisplayRole:
                return CATEGORIES[index.row()][0]
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if index.column() == COL_FIELD:
                return field.label
            return self.display_value(field.key)
        if role == Qt.ItemDataRole.EditRole and index.column() == COL_VALUE:
            return self._values[field.key]
        if role == FieldKindRole:
            return field.kind
        if role == FieldKeyRole:
            return field.key
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_VALUE:
            if not self.is_editable(field):
                return QBrush(QColor("#666666"))
            if self._values[field.key] != self._original[field.key]:
                return QBrush(QColor("#1b5e20"))
        if role == Qt.ItemDataRole.ToolTipRole and field.key == "otp_activated":
            return ("True once the user has logged on with a valid code; "
                    "from then on every logon needs one.")
        return None

    def setData(self, index: Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != COL_VALUE:
            return False
        field = self._field(index)
        if field is None or not self.is_editable(field):
            return False
        if field.kind == "bool":
            parsed = _parse_bool(value)
            if parsed is None:
                return False
            new: Any = parsed
        elif field.kind == "role":
            try:
                new = int(str(value).strip())
            except ValueError:
                return False
            if not 0 <= new <= 7:
                return False
        else:
            new = "" if value is None else str(value)
        if self._values[field.key] == new:
            return True
        if field.key == "otp_enabled":
            self._set_otp(bool(new))
        else:
            self._values[field.key] = new
        self.dataChanged.emit(index.siblingAtColumn(COL_FIELD), index,
                              [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def _set_otp(self, enabled: bool) -> None:
        category = self.createIndex(OTP_CATEGORY, 0, 0)
        if enabled:
            self.beginInsertRows(category, 1, 1)
            self._values["otp_enabled"] = True
            # The stored activation only survives when OTP stays on; switching it back
            # on means a new secret, so Activated starts again at False.
            self._values["otp_activated"] = (self._original["otp_enabled"]
                                             and self._original["otp_activated"]
                                             and not self._otp_was_turned_off)
            self.endInsertRows()
        else:
            self.beginRemoveRows(category, 1, 1)
            self._values["otp_enabled"] = False
            self._values["otp_activated"] = False
            self._otp_was_turned_off = True
            self.endRemoveRows()

    _otp_was_turned_off = False

    # --- the dialog's view of the edits ---------------------------------------------------

    def value(self, key: str) -> Any:
        return self._values[key]

    def value_index(self, label: str) -> QModelIndex:
        """The Value cell of the field labelled ``label`` (invalid when not shown)."""
        for c in range(len(CATEGORIES)):
            for r, field in enumerate(self._fields(c)):
                if field.label == label:
                    return self.createIndex(r, COL_VALUE, c + 1)
        return QModelIndex()

    def otp_reenabled(self) -> bool:
        """OTP was on, turned off and on again here: saving makes a new secret."""
        return bool(self._original["otp_enabled"] and self._otp_was_turned_off
                    and self._values["otp_enabled"])

    def changes(self) -> dict[str, Any]:
        """Service fields that differ from the stored user (all fields when adding)."""
        out: dict[str, Any] = {}
        for key in ("user_id", "name", "email", "description", "group_id", "role",
                    "admin_rights", "tapemaster_rights", "disabled", "no_timeout"):
            if self._adding or self._values[key] != self._original[key]:
                out[key] = self._values[key]
        programs = frozenset(p for p in PROGRAMS if self._values[f"access:{p}"])
        if self._adding or any(self._values[f"access:{p}"] != self._original[f"access:{p}"]
                               for p in PROGRAMS):
            out["programs"] = programs
        if self._adding or self._values["otp_enabled"] != self._original["otp_enabled"]:
            out["otp_enabled"] = self._values["otp_enabled"]
        if "email" in out and not out["email"]:
            out["email"] = None
        return out
