"""The Users table of Group/User Administration: a table model and its filter proxy.

Built for large sites (100,000 users): rows are loaded once through the admin service
(one query, no per-row queries while scrolling); sorting is done by the source model
with precomputed keys in one Python sort, and filtering matches a precomputed
lower-case text per row, so neither calls ``data()`` row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QStyle

from tapemaster_qt.records import UserRow
from tapemaster_qt.ui.texts import local_time

Index = QModelIndex | QPersistentModelIndex

COL_USER_ID = 0
COL_NAME = 1
COL_GROUP = 2
COL_ROLE = 3
COL_EMAIL = 4
COL_DESCRIPTION = 5
COL_OTP = 6
COL_ACTIVATED = 7
COL_DISABLED = 8
COL_REVOKED = 9
COL_LAST_LOGON = 10
HEADERS = ("User-ID", "Name", "Group", "Role", "E-mail", "Description", "OTP", "Activated",
           "Disabled", "Revoked", "Last Logon")

_SEARCHED = (COL_USER_ID, COL_NAME, COL_GROUP, COL_EMAIL, COL_DESCRIPTION)

UserRowRole = Qt.ItemDataRole.UserRole + 1
"""data(index, UserRowRole) returns the row's :class:`UserRow`."""

_TAMPERED = "This record failed its integrity check: it was changed outside TapeMaster."


def _bool(value: bool) -> str:
    return "True" if value else "False"


def _cells(row: UserRow) -> tuple[str, ...]:
    return (
        row.user_id, row.name, row.group_id or "", str(row.role), row.email or "",
        row.description, _bool(row.otp_enabled), _bool(row.otp_activated),
        _bool(row.disabled), _bool(row.revoked), local_time(row.last_logon, never=""),
    )


class UsersModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[UserRow] = []
        self._cells: list[tuple[str, ...]] = []
        self._search: list[str] = []
        self._warning_icon: Any = None

    # --- loading ----------------------------------------------------------------------

    def set_rows(self, rows: Sequence[UserRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [_cells(r) for r in self._rows]
        # The filter looks at the words of a user, not at the True/False columns
        # (typing "a" must not match every "False").
        self._search = ["\x1f".join(c[i] for i in _SEARCHED).casefold() for c in self._cells]
        self.endResetModel()

    def rows(self) -> list[UserRow]:
        return self._rows

    def row_of(self, user_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r.user_id == user_id:
                return i
        return -1

    def matching_rows(self, text: str) -> bytearray:
        """1 for each row whose visible text contains ``text`` (case-insensitive)."""
        needle = text.casefold()
        return bytearray(needle in s for s in self._search)

    # --- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(HEADERS)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            record = self._rows[row]
            if role == Qt.ItemDataRole.ToolTipRole:
                return _TAMPERED if not record.integrity_ok else None
            return self._cells[row][col]
        if role == UserRowRole:
            return self._rows[row]
        record = self._rows[row]
        if role == Qt.ItemDataRole.ForegroundRole:
            if not record.integrity_ok:
                return QBrush(QColor("#b00020"))
            if record.disabled or record.revoked:
                return QBrush(QColor("#777777"))
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == COL_USER_ID:
            if not record.integrity_ok:
                if self._warning_icon is None:
                    self._warning_icon = QApplication.style().standardIcon(
                        QStyle.StandardPixmap.SP_MessageBoxWarning)
                return self._warning_icon
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_ROLE:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """One Python sort on precomputed keys (fast for 100,000 rows)."""
        if not 0 <= column < len(HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [self._rows[i.row()].user_id for i in old_persistent]
        if column == COL_ROLE:
            def key(i: int) -> Any:
                return (self._rows[i].role, self._rows[i].user_id)
        elif column == COL_LAST_LOGON:
            def key(i: int) -> Any:
                return (self._rows[i].last_logon or "", self._rows[i].user_id)
        else:
            def key(i: int) -> Any:
                return (self._cells[i][column].casefold(), self._rows[i].user_id)
        order_ids = sorted(range(len(self._rows)), key=key,
                           reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = [self._rows[i] for i in order_ids]
        self._cells = [self._cells[i] for i in order_ids]
        self._search = [self._search[i] for i in order_ids]
        if old_persistent:
            position = {r.user_id: n for n, r in enumerate(self._rows)}
            new = [self.index(position[uid], i.column()) for uid, i in
                   zip(old_ids, old_persistent, strict=True)]
            self.changePersistentIndexList(old_persistent, new)
        self.layoutChanged.emit()


class UsersFilterProxy(QSortFilterProxyModel):
    """The filter box: rows whose text contains what was typed, in any column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._accepted: bytearray | None = None
        self._text = ""

    def set_filter_text(self, text: str) -> None:
        self._text = text.strip()
        source = self.sourceModel()
        self.beginFilterChange()
        if self._text and isinstance(source, UsersModel):
            self._accepted = source.matching_rows(self._text)
        else:
            self._accepted = None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refresh_filter(self) -> None:
        """Recompute after the source rows changed (reload, sort)."""
        self.set_filter_text(self._text)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        accepted = self._accepted
        return accepted is None or (source_row < len(accepted) and bool(accepted[source_row]))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's (precomputed keys); the proxy keeps its order."""
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
            self.refresh_filter()
