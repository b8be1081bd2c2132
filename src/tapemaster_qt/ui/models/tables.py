"""Small read-only table models: groups, active sessions, and the lazy audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, TapeMasterError
from tapemaster_qt.records import AuditEvent, GroupRecord
from tapemaster_qt.services.audit import is_failure, kind_of
from tapemaster_qt.services.sessions import ActiveSession
from tapemaster_qt.ui import palette
from tapemaster_qt.ui.i18n import error_text
from tapemaster_qt.ui.texts import audit_words, local_time, session_state, session_state_tip

Index = QModelIndex | QPersistentModelIndex
RecordRole = Qt.ItemDataRole.UserRole + 1
"""data(index, RecordRole) returns the row's record object."""


class RecordTableModel(QAbstractTableModel):
    """A table of records, one per row; :meth:`cells` gives a record's texts, worked out
    the first time a row is shown (a page of 500 audit rows shows 20 at first)."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[Any] = []
        self._cells: list[tuple[str, ...] | None] = []

    def cells(self, record: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._cells = [None] * len(self._records)
        self.endResetModel()

    def append_records(self, records: Sequence[Any]) -> None:
        if not records:
            return
        first = len(self._records)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        self._cells.extend([None] * len(records))
        self.endInsertRows()

    def _row_cells(self, row: int) -> tuple[str, ...]:
        cells = self._cells[row]
        if cells is None:
            cells = self._cells[row] = self.cells(self._records[row])
        return cells

    def records(self) -> list[Any]:
        return self._records

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.headers)):
            return QCoreApplication.translate("tables", self.headers[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._records) and 0 <= col < len(self.headers)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_cells(row)[col]
        if role == RecordRole:
            return self._records[row]
        return None


class GroupsModel(RecordTableModel):
    headers = (
        QT_TRANSLATE_NOOP("tables", "Group-ID"),
        QT_TRANSLATE_NOOP("tables", "Description"),
        QT_TRANSLATE_NOOP("tables", "Users"),
    )
    TAMPERED = QT_TRANSLATE_NOOP(
        "tables", "This group failed its integrity check: it was changed outside TapeMaster.")

    def cells(self, record: GroupRecord) -> tuple[str, ...]:
        return (record.group_id, record.description, str(record.members))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            record = super().data(index, RecordRole)
            if isinstance(record, GroupRecord) and not record.integrity_ok:
                if role == Qt.ItemDataRole.ToolTipRole:
                    return QCoreApplication.translate("tables", self.TAMPERED)
                from PySide6.QtGui import QColor

                return QColor("#b00020")
        return super().data(index, role)


class SessionsModel(RecordTableModel):
    """Active Users: one session a row, its state last (RecordRole: the ActiveSession)."""

    headers = (
        QT_TRANSLATE_NOOP("tables", "User-ID"),
        QT_TRANSLATE_NOOP("tables", "Program"),
        QT_TRANSLATE_NOOP("tables", "Host"),
        QT_TRANSLATE_NOOP("tables", "Process"),
        QT_TRANSLATE_NOOP("tables", "Since"),
        QT_TRANSLATE_NOOP("tables", "Last Seen"),
        QT_TRANSLATE_NOOP("tables", "State"),
    )
    COL_STATE = 6

    def cells(self, record: ActiveSession) -> tuple[str, ...]:
        return (record.user_id, record.program, record.host, str(record.pid),
                local_time(record.since), local_time(record.last_seen),
                session_state(record))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and index.isValid()
                and index.column() == self.COL_STATE
                and 0 <= index.row() < len(self._records)):
            return session_state_tip(self._records[index.row()])
        return super().data(index, role)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_EXTRA_ROLES = frozenset({Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole,
                          Qt.ItemDataRole.ToolTipRole,
                          Qt.ItemDataRole.AccessibleDescriptionRole})


class AuditModel(RecordTableModel):
    """Newest events first, in words, fetched a page at a time as the view scrolls.

    Opening a log of a million events reads one page, not a million rows. A failure
    (a refused logon, a revocation, a rejected code) shows a red mark and red words;
    the event and detail as recorded are in the tooltips.
    """

    fetchFailed = Signal(str)
    """Reading an older page was refused (the message says why)."""

    headers = (
        QT_TRANSLATE_NOOP("tables", "Time"),
        QT_TRANSLATE_NOOP("tables", "Event"),
        QT_TRANSLATE_NOOP("tables", "User-ID"),
        QT_TRANSLATE_NOOP("tables", "Detail"),
        QT_TRANSLATE_NOOP("tables", "Actor"),
        QT_TRANSLATE_NOOP("tables", "Program"),
        QT_TRANSLATE_NOOP("tables", "Host"),
    )
    COL_EVENT, COL_DETAIL = 1, 3
    PAGE = 500

    def __init__(self, fetch: Callable[[int | None, int], list[AuditEvent]],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._exhausted = False

    def cells(self, record: AuditEvent) -> tuple[str, ...]:
        event, detail = audit_words(record.event, record.detail)
        return (local_time(record.ts, seconds=True), event, record.user_id or "",
                detail, record.actor, record.program, record.host)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called some 2,000 times a paint: the common answers come first.
        if role in (_DISPLAY, RecordRole):
            return super().data(index, role)
        if role not in _EXTRA_ROLES or not index.isValid():
            return None
        column = index.column()
        if column not in (self.COL_EVENT, self.COL_DETAIL):
            return None
        if not 0 <= index.row() < len(self._records):
            return None
        record: AuditEvent = self._records[index.row()]
        if column == self.COL_EVENT:
            failed = is_failure(kind_of(record.event, record.detail))
            if role == Qt.ItemDataRole.DecorationRole and failed:
                return palette.failure_icon()
            if role == Qt.ItemDataRole.ForegroundRole and failed:
                return palette.danger()
            if role == Qt.ItemDataRole.ToolTipRole:
                return (self.tr("{event} (a failure)").format(event=record.event) if failed
                        else record.event)
            if role == Qt.ItemDataRole.AccessibleDescriptionRole and failed:
                return self.tr("Failure")
        if column == self.COL_DETAIL and role == Qt.ItemDataRole.ToolTipRole:
            return (self.tr("As recorded: {detail}").format(detail=record.detail)
                    if record.detail else None)
        return None

    def reload(self, fetch: Callable[[int | None, int], list[AuditEvent]] | None = None) -> None:
        """Read the first page again (with ``fetch`` from now on); nothing changes when
        the read is refused (the exception reaches the caller)."""
        fetch = fetch or self._fetch
        page = fetch(None, self.PAGE)
        self._fetch = fetch
        self._exhausted = len(page) < self.PAGE
        self.set_records(page)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and bool(self._records)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or not self._records:
            return
        try:
            page = self._fetch(self._records[-1].id, self.PAGE)
        except TapeMasterError as exc:
            # Scrolling asked for it: stop here and say why, rather than ask again.
            self._exhausted = True
            self.fetchFailed.emit(error_text(exc))
            return
        self._exhausted = len(page) < self.PAGE
        self.append_records(page)
