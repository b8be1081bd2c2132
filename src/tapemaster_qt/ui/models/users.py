"""The Users table of Group/User Administration: a table model and its filter proxy.

Built for large sites (100,000 users): rows are loaded once through the admin service
(one query, no per-row queries while scrolling). Sorting and filtering are done by the
model in whole-list Python operations (one sort; one pass of ``in`` over a lower-case
text per row). The proxy is the view's usual sort/filter interface but hands both to
the model: a Python ``filterAcceptsRow`` or ``lessThan`` would be called back from C++
once per row (or per comparison), which costs seconds at this size.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QIcon

from tapemaster_qt.fields import FIELDS, USER_COLUMNS, Status, user_status
from tapemaster_qt.records import UserRow
from tapemaster_qt.ui import palette
from tapemaster_qt.ui.i18n import field_text
from tapemaster_qt.ui.texts import local_time

Index = QModelIndex | QPersistentModelIndex

COL_USER_ID = USER_COLUMNS.index("user_id")
COL_NAME = USER_COLUMNS.index("name")
COL_GROUP = USER_COLUMNS.index("group_id")
COL_ROLE = USER_COLUMNS.index("role")
COL_EMAIL = USER_COLUMNS.index("email")
COL_STATUS = USER_COLUMNS.index("status")
COL_LAST_LOGON = USER_COLUMNS.index("last_logon")
COL_DESCRIPTION = USER_COLUMNS.index("description")
HEADERS = tuple(FIELDS[key].label for key in USER_COLUMNS)
"""Named as in User Properties (the field catalogue)."""

UserRowRole = Qt.ItemDataRole.UserRole + 1
"""data(index, UserRowRole) returns the row's :class:`UserRow`."""

# UserRow fields behind each column (UserRow is a named tuple); None: derived.
_FIELD = tuple(UserRow._fields.index(key) if key in UserRow._fields else None
               for key in USER_COLUMNS)
_STATUS_ORDER = {status: rank for rank, status in enumerate(Status)}


_flags = itemgetter(*(UserRow._fields.index(name) for name in (
    "otp_enabled", "otp_activated", "disabled", "revoked", "integrity_ok")))
"""A row's status flags, in user_status()'s order (a C-level getter: sorting by
Status reads them for every one of 100,000 rows)."""


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
        # A handful of flag combinations cover every row: their statuses, once each.
        self._statuses: dict[tuple[object, ...], tuple[Status, ...]] = {}
        self._icons: dict[Status, QIcon] = {}
        self._red: QBrush | None = None
        self._grey: QBrush | None = None

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
        # The filter looks at the words of a user, not at the Status column (typing
        # "a" must not match every "OTP active"); sorting by Status groups those.
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

    def statuses(self, row: UserRow) -> tuple[Status, ...]:
        flags = _flags(row)
        found = self._statuses.get(flags)
        if found is None:
            found = self._statuses[flags] = user_status(*flags)
        return found

    def refresh_palette(self) -> None:
        """The palette changed (a dark theme, say): new colours and icons."""
        self._icons.clear()
        self._red = self._grey = None
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(HEADERS) - 1))

    def widest_texts(self, column: int, sample: int) -> list[str]:
        """The texts most likely to be the widest in ``column``: the longest few (by
        characters) of all rows, or of an even sample of ``sample`` rows."""
        rows = self._all
        if len(rows) > sample:
            rows = rows[::len(rows) // sample + 1]
        if column == COL_STATUS:
            return [self.cell_text(r, column) for r in
                    {_flags(r): r for r in rows}.values()]
        if column in (COL_LAST_LOGON, COL_ROLE):
            # One format for every row: any row with a value shows the width.
            found = next((r for r in rows if r[_FIELD[column]] is not None), None)  # type: ignore[index]
            return [self.cell_text(found, column)] if found is not None else []
        values = filter(None, map(itemgetter(_FIELD[column]), rows))  # type: ignore[arg-type]
        return heapq.nlargest(8, values, key=len)

    def cell_text(self, row: UserRow, column: int) -> str:
        if column == COL_STATUS:
            return ", ".join(field_text(s.value) for s in self.statuses(row))
        value = row[_FIELD[column]]  # type: ignore[index]
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
            return field_text(HEADERS[section])
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
            if col == COL_STATUS or record.integrity_ok is False:
                found = self.statuses(record)
                return "\n".join(field_text(s.description) for s in found) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if record.integrity_ok is False:
                if self._red is None:
                    self._red = QBrush(palette.danger())
                return self._red
            if record.disabled or record.revoked:
                if self._grey is None:
                    self._grey = QBrush(palette.muted())
                return self._grey
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == COL_STATUS:
            found = self.statuses(record)
            if not found:
                return None
            icon = self._icons.get(found[0])
            if icon is None:
                icon = self._icons[found[0]] = palette.status_icon(found[0])
            return icon
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
        if column == COL_STATUS:
            # The most serious first (Tampered), users without a status last.
            none = len(_STATUS_ORDER)
            flags = list(map(_flags, rows))
            rank = {f: min((_STATUS_ORDER[s] for s in user_status(*f)), default=none)
                    for f in set(flags)}
            ranks = list(map(rank.__getitem__, flags))
            order_.sort(key=ranks.__getitem__, reverse=descending)
        elif column == COL_ROLE:
            order_.sort(key=lambda i: rows[i][field], reverse=descending)  # type: ignore[index]
        elif column != COL_USER_ID:
            order_.sort(key=lambda i: (rows[i][field] or "").casefold(),  # type: ignore[index]
                        reverse=descending)
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
