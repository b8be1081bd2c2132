"""The Identity tab's property grid: a two-column tree model (Field, Value).

Categories are top-level rows without a value; fields are their children, labelled
exactly as TapeTrack labels them; both come from the field catalogue
(:mod:`tapemaster_qt.fields`), as do the tooltips. Booleans read ``True``/``False``.
Setting ``One Time Password`` to True makes the read-only ``Activated`` row appear
(False for a new secret); False removes it. Nothing is saved here: :meth:`changes`
tells the dialog what differs from the stored user, and the admin service applies it.
A value that differs from the stored one (not saved yet) is bold, with a marker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QIcon

from tapemaster_qt import PROGRAMS
from tapemaster_qt.fields import (
    CATEGORY_DESCRIPTIONS,
    GRID_CATEGORIES,
    INPUT_FIELDS,
    OTP,
    Editable,
    Kind,
    UserField,
)
from tapemaster_qt.records import UserDetails
from tapemaster_qt.ui import palette
from tapemaster_qt.ui.i18n import field_text
from tapemaster_qt.ui.texts import yes_no

Index = QModelIndex | QPersistentModelIndex
Field = UserField

COL_FIELD = 0
COL_VALUE = 1

FieldKindRole = Qt.ItemDataRole.UserRole + 1
"""data(valueIndex, FieldKindRole): 'text', 'bool', 'group', 'role' or 'readonly'."""
FieldKeyRole = Qt.ItemDataRole.UserRole + 2
FieldRole = Qt.ItemDataRole.UserRole + 3
"""data(index, FieldRole): the row's :class:`UserField` (None on a category row)."""
ChangedRole = Qt.ItemDataRole.UserRole + 4
"""data(index, ChangedRole): True when the value differs from the stored one."""

CATEGORIES = GRID_CATEGORIES
OTP_CATEGORY = [name for name, _ in CATEGORIES].index(OTP)
LABELS = {f.key: f.label for _, fields in CATEGORIES for f in fields}
KEYS = {label: key for key, label in LABELS.items()}


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def _default(field: UserField) -> Any:
    """A new user's value, as the admin service would make it."""
    if field.key.startswith("access:"):
        return True  # every program, as `user add` gives
    if field.kind is Kind.ROLE:
        return 7
    if field.kind is Kind.BOOL:
        return False
    return ""


def values_of(user: UserDetails | None, default_group: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {}
    for _, fields in CATEGORIES:
        for field in fields:
            if user is None:
                values[field.key] = _default(field)
            else:
                value = field.value(user)
                values[field.key] = "" if value is None else value
    if user is None:
        values["group_id"] = default_group
    return values


class IdentityModel(QAbstractItemModel):
    def __init__(self, user: UserDetails | None, *, adding: bool = False,
                 locked: frozenset[str] = frozenset(), default_group: str = "",
                 parent: Any = None) -> None:
        """``locked``: field keys the acting administrator may not change (greyed);
        ``default_group``: a new user's Group-ID."""
        super().__init__(parent)
        self._original = values_of(user, default_group)
        self._values = dict(self._original)
        self._adding = adding
        self._locked = locked
        self._bold = QFont()
        self._bold.setBold(True)
        self._changed_icon: QIcon | None = None

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
            return ((self.tr("Field"), self.tr("Value"))[section] if section in (0, 1)
                    else None)
        return None

    # --- data -----------------------------------------------------------------------------

    def display_value(self, key: str) -> str:
        value = self._values[key]
        if isinstance(value, bool):
            return yes_no(value)
        return str(value)

    def is_editable(self, field: Field) -> bool:
        if field.editable is Editable.NEVER or field.key in self._locked:
            return False
        return field.editable is Editable.ALWAYS or self._adding

    def is_changed(self, field: Field) -> bool:
        """Differs from the stored user (for a new user: from the defaults)."""
        if field.key == "otp_enabled" and self.otp_reenabled():
            return True  # off and on again: a new secret on Save
        return bool(self._values[field.key] != self._original[field.key])

    def changed_labels(self) -> list[str]:
        """The labels of the fields edited and not saved yet, in grid order."""
        return [f.label for _, fields in CATEGORIES for f in fields
                if f.key in self._values and f.editable is not Editable.NEVER
                and self.is_changed(f)]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        field = self._field(index)
        if field is None:
            return flags
        if index.column() == COL_VALUE and self.is_editable(field):
            flags |= Qt.ItemFlag.ItemIsEditable
        # A locked field stays enabled (greyed by its colour, not editable): the
        # keyboard can reach it and read why it cannot be changed.
        return flags | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field = self._field(index)
        if field is None:  # a category row
            name = CATEGORIES[index.row()][0]
            if index.column() == COL_FIELD and role in (Qt.ItemDataRole.DisplayRole,
                                                        Qt.ItemDataRole.AccessibleTextRole):
                return field_text(name)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ToolTipRole:
                return field_text(CATEGORY_DESCRIPTIONS[name])
            return None
        value_cell = index.column() == COL_VALUE
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_value(field.key) if value_cell else field_text(field.label)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if not value_cell:
                return field_text(field.label)
            text = self.display_value(field.key)
            return (self.tr("{value} (changed, not saved)").format(value=text)
                    if self.is_changed(field) else text)
        if role == Qt.ItemDataRole.EditRole and value_cell:
            return self._values[field.key]
        if role == FieldKindRole:
            return field.kind.value if field.editable is not Editable.NEVER else "readonly"
        if role == FieldKeyRole:
            return field.key
        if role == FieldRole:
            return field
        if role == ChangedRole:
            return self.is_changed(field)
        if role == Qt.ItemDataRole.ToolTipRole:
            return field_text(field.description)
        if not value_cell:
            return None
        if role == Qt.ItemDataRole.FontRole and self.is_changed(field):
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and self.is_changed(field):
            if self._changed_icon is None:
                self._changed_icon = palette.changed_icon()
            return self._changed_icon
        if role == Qt.ItemDataRole.ForegroundRole and not self.is_editable(field):
            return QBrush(palette.muted())
        return None

    def setData(self, index: Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != COL_VALUE:
            return False
        field = self._field(index)
        if field is None or not self.is_editable(field):
            return False
        if field.kind is Kind.BOOL:
            parsed = _parse_bool(value)
            if parsed is None:
                return False
            new: Any = parsed
        elif field.kind is Kind.ROLE:
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
        self.dataChanged.emit(index.siblingAtColumn(COL_FIELD), index)
        return True

    def toggle(self, index: Index) -> bool:
        """Space on a True/False row: the other value (False when not editable)."""
        field = self._field(index) if index.isValid() else None
        if field is None or field.kind is not Kind.BOOL or not self.is_editable(field):
            return False
        return self.setData(index.siblingAtColumn(COL_VALUE), not self._values[field.key])

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

    def edits(self) -> list[tuple[str, Any]]:
        """The values edited and not saved, by label in grid order, as
        :meth:`apply_edits` takes them back (OTP switched off and on again is both)."""
        found: list[tuple[str, Any]] = []
        if self.otp_reenabled():
            found.append((LABELS["otp_enabled"], False))
        found += [(label, self._values[key]) for label in self.changed_labels()
                  for key in (KEYS[label],)]
        return found

    def apply_edits(self, edits: list[tuple[str, Any]]) -> list[str]:
        """Set each (label, value) as the editor would; the labels that could not be
        set (a field gone or not editable now) are returned."""
        refused = []
        for label, value in edits:
            index = self.value_index(label)
            if not index.isValid() or not self.setData(index, value):
                refused.append(label)
        return refused

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
        for key in INPUT_FIELDS:
            if key == "programs":
                now = [self._values[f"access:{p}"] for p in PROGRAMS]
                before = [self._original[f"access:{p}"] for p in PROGRAMS]
                if self._adding or now != before:
                    out[key] = frozenset(p for p, on in zip(PROGRAMS, now, strict=True) if on)
            elif self._adding or self._values[key] != self._original[key]:
                out[key] = self._values[key]
        if "email" in out and not out["email"]:
            out["email"] = None
        return out
