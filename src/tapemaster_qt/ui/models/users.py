"""The Users table of Group/User Administration: a table model and its filter proxy.

Built for large sites (100,000 users): rows are loaded once through the admin service
(one query, no per-row queries while scrolling). Sorting and filtering are done by the
model in whole-list Python operations (one sort; one pass of ``in`` over a lower-case
text per row). The proxy is the view's usual sort/filter interface but hands both to
the model: a Python ``filterAcceptsRow`` or ``lessThan`` would be called back from C++
once per row (or per comparison), which costs seconds at this size.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
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

UserRowRole = Qt.ItemDataRole.UserRole + 1
"""data(index, UserRowRole) returns the row's :class:`UserRow`."""

_TAMPERED = "This record failed its integrity check: it was changed outside TapeMaster."


def _bool(value: bool) -> str:
    return "True" if value else "False"


# UserRow fields behind each column (UserRow is a named tuple).
_FIELD = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
_BOOL_COLUMNS = frozenset({COL_OTP, COL_ACTIVATED, COL_DISABLED, COL_REVOKED})


class UsersModel(QAbstractTableModel):
    """All rows as loaded, and the visible ones (the filter's result) in sort order.

    Display text is made when a cell is painted (only the visible ones), the filter
    index when the filter is first used.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[UserRow] = []
        self._rows: list[UserRow] = []  # visible rows, what the view shows
        # Lower-case words of each row, in the same order as _all / _rows.
        self._all_words: list[str] = []
        self._rows_words: list[str] = []
        self._filter = ""
        self._logon_text: dict[str, str] = {}
        self._warning_icon: Any = None

    # --- loading ----------------------------------------------------------------------

    def set_rows(self, rows: Sequence[UserRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._all_words = []
        self._apply_filter(self._all, None)
        self.endResetModel()

    def rows(self) -> list[UserRow]:
        """The visible rows, in view order."""
        return self._rows

    def all_rows(self) -> list[UserRow]:
        return self._all

    def row_of(self, user_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r.user_id == user_id:
                return i
        return -1

    def set_integrity(self, failed: set[str]) -> None:
        """Every row's seal was checked: ``failed`` User-IDs failed, the rest passed."""
        def mark(rows: list[UserRow]) -> list[UserRow]:
            return [r if r.integrity_ok is (r.user_id not in failed)
                    else r._replace(integrity_ok=r.user_id not in failed) for r in rows]

        self._all = mark(self._all)
        self._rows = mark(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(HEADERS) - 1))

    # --- filtering ----------------------------------------------------------------------

    @staticmethod
    def _words(r: UserRow) -> str:
        # The filter looks at the words of a user, not at the True/False columns
        # (typing "a" must not match every "False").
        return (f"{r.user_id}\x1f{r.name}\x1f{r.group_id or ''}\x1f{r.email or ''}"
                f"\x1f{r.description}").casefold()

    def prepare_search(self, start: int, count: int) -> bool:
        """Build the next part of the filter index ahead of the first keystroke (idle
        time); True when the whole index is built. ``start`` is where to continue."""
        words = self._words
        done = len(self._all_words)
        if start > done:
            start = done
        self._all_words.extend(words(r) for r in self._all[done:start + count])
        return len(self._all_words) >= len(self._all)

    def _apply_filter(self, rows: list[UserRow], words: list[str] | None) -> None:
        """Set the visible rows: those of ``rows`` (with their ``words``) that match."""
        # The lists are never changed in place (only replaced), so they may be shared.
        if not self._filter:
            self._rows = self._all
            self._rows_words = self._all_words if self.prepare_search(0, 0) else []
            return
        if words is None or len(words) != len(rows):
            self.prepare_search(len(self._all_words), len(self._all))
            rows, words = self._all, self._all_words
        needle = self._filter.casefold()
        hits = [needle in w for w in words]
        if all(hits):
            self._rows, self._rows_words = rows, words
        else:
            self._rows = list(compress(rows, hits))
            self._rows_words = list(compress(words, hits))

    def set_filter(self, text: str) -> None:
        """Show only rows whose words contain ``text`` (case-insensitive). Typing more
        of the same text only looks at the rows still shown."""
        text = text.strip()
        if text == self._filter:
            return
        narrowing = bool(self._filter) and text.casefold().startswith(self._filter.casefold())
        self.beginResetModel()
        self._filter = text
        if narrowing:
            self._apply_filter(self._rows, self._rows_words)
        else:
            self._apply_filter(self._all, None)
        self.endResetModel()

    def cell_text(self, row: UserRow, column: int) -> str:
        value = row[_FIELD[column]]
        if column in _BOOL_COLUMNS:
            return _bool(value)
        if column == COL_LAST_LOGON:
            if not value:
                return ""
            text = self._logon_text.get(value)
            if text is None:
                text = self._logon_text[value] = local_time(value)
            return text
        if column == COL_ROLE:
            return str(value)
        return value or ""

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
        record = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(record, col)
        if role == UserRowRole:
            return record
        if role == Qt.ItemDataRole.ToolTipRole:
            return _TAMPERED if record.integrity_ok is False else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if record.integrity_ok is False:
                return QBrush(QColor("#b00020"))
            if record.disabled or record.revoked:
                return QBrush(QColor("#777777"))
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == COL_USER_ID:
            if record.integrity_ok is False:
                if self._warning_icon is None:
                    self._warning_icon = QApplication.style().standardIcon(
                        QStyle.StandardPixmap.SP_MessageBoxWarning)
                return self._warning_icon
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_ROLE:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """One Python sort (C-speed keys where possible): fast for 100,000 rows.

        Ties keep User-ID order, so the same click always gives the same list.
        """
        if not 0 <= column < len(HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [self._rows[i.row()].user_id for i in old_persistent]
        field = _FIELD[column]
        descending = order == Qt.SortOrder.DescendingOrder
        rows = self._all
        order_ = sorted(range(len(rows)), key=lambda i: rows[i].user_id.casefold(),
                        reverse=descending and column == COL_USER_ID)
        # Python's sort is stable, also with reverse=True: ties stay in User-ID order.
        if column == COL_ROLE or column in _BOOL_COLUMNS:
            order_.sort(key=lambda i: rows[i][field], reverse=descending)
        elif column != COL_USER_ID:
            order_.sort(key=lambda i: (rows[i][field] or "").casefold(), reverse=descending)
        self._all = [rows[i] for i in order_]
        words = self._all_words
        self._all_words = ([words[i] for i in order_] if len(words) == len(rows) else [])
        self._apply_filter(self._all, None)
        if old_persistent:
            position = {r.user_id: n for n, r in enumerate(self._rows)}
            new = [self.index(position[uid], i.column()) for uid, i in
                   zip(old_ids, old_persistent, strict=True)]
            self.changePersistentIndexList(old_persistent, new)
        self.layoutChanged.emit()


class UsersFilterProxy(QSortFilterProxyModel):
    """The view's filter and sort interface; the work is the model's (see the module
    docstring), so this proxy defines no per-row Python callback."""

    def set_filter_text(self, text: str) -> None:
        source = self.sourceModel()
        if isinstance(source, UsersModel):
            source.set_filter(text)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
