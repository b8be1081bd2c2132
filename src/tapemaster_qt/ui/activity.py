"""Active Users and Audit Log: read-only tables with a filter."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import TapeMasterError
from tapemaster_qt.records import SessionRecord
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import AuditLog
from tapemaster_qt.ui import msgbox, resources
from tapemaster_qt.ui.models.tables import AuditModel, SessionsModel

REFRESH_MS = 30_000


def _view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _filter_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


class ActiveUsersWindow(QWidget):
    """Who is logged on where; sessions of crashed programs are cleaned up first."""

    def __init__(self, admin: AdminService, parent: QWidget | None = None) -> None:
        # Read before any widget exists: a refusal reaches the caller, not an empty window.
        sessions = admin.active_sessions()
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("activeUsersWindow")
        self.setWindowTitle("Active Users")
        self.setWindowIcon(resources.app_icon())
        self._admin = admin
        self.model = SessionsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.sessionsView = _view("sessionsView")
        self.sessionsView.setModel(self.proxy)
        self.sessionsView.setSortingEnabled(True)
        self.filterEdit = _filter_edit("sessionsFilterEdit", "Filter…")
        self.filterEdit.textChanged.connect(self.proxy.setFilterFixedString)
        refresh = QPushButton("&Refresh")
        refresh.setObjectName("refreshButton")
        refresh.clicked.connect(self.reload)
        self.countLabel = QLabel()
        self.countLabel.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(self.filterEdit, 1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.sessionsView, 1)
        layout.addWidget(self.countLabel)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.reload)
        self._timer.start()
        self.resize(760, 360)
        self._show_sessions(sessions)

    @Slot()
    def reload(self) -> None:
        try:
            sessions = self._admin.active_sessions()
        except TapeMasterError as exc:
            self._timer.stop()
            msgbox.warning(self, "Active Users", exc.message)
            return
        self._show_sessions(sessions)

    def _show_sessions(self, sessions: list[SessionRecord]) -> None:
        self.model.set_records(sessions)
        self.countLabel.setText(f"{len(sessions)} active session(s)")


class AuditLogWindow(QWidget):
    """The audit log, newest first, loaded a page at a time; the filter searches the
    whole log in the store, not only the rows on screen."""

    def __init__(self, audit: AuditLog, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("auditLogWindow")
        self.setWindowTitle("Audit Log")
        self.setWindowIcon(resources.app_icon())
        self._audit = audit
        self.model = AuditModel(self._fetcher(""), self)
        self.auditView = _view("auditView")
        self.auditView.setModel(self.model)
        self.filterEdit = _filter_edit("auditFilterEdit",
                                       "Filter by User-ID, event, detail, actor, host…")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.filterEdit.textChanged.connect(lambda _t: self._debounce.start())
        refresh = QPushButton("&Refresh")
        refresh.setObjectName("refreshButton")
        refresh.clicked.connect(self.reload)
        self.countLabel = QLabel()
        self.countLabel.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(self.filterEdit, 1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.auditView, 1)
        layout.addWidget(self.countLabel)
        self.resize(1000, 520)
        self.reload()
        for column, width in ((0, 150), (1, 150), (2, 110), (3, 260)):
            self.auditView.setColumnWidth(column, width)

    def _fetcher(self, text: str):  # type: ignore[no-untyped-def]
        def fetch(before_id: int | None, limit: int):  # type: ignore[no-untyped-def]
            return self._audit.page(before_id, limit, text=text or None)
        return fetch

    @Slot()
    def reload(self) -> None:
        text = self.filterEdit.text().strip()
        try:
            self.model.reload(self._fetcher(text))
        except TapeMasterError as exc:
            msgbox.warning(self, "Audit Log", exc.message)
            return
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.countLabel.setText(f"{shown}{more} event(s)" + (" — scroll for older"
                                                            if more else ""))
