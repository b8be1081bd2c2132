"""Active Users and Audit Log: read-only tables with a filter."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import SessionEndedError, TapeMasterError
from tapemaster_qt.records import AuditChainStatus
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import AuditLog
from tapemaster_qt.services.sessions import ActiveSession
from tapemaster_qt.ui import msgbox, resources, widgets
from tapemaster_qt.ui.models.tables import AuditModel, RecordRole, SessionsModel
from tapemaster_qt.ui.operations import Op

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


class _TableWindow(QWidget):
    """A window of one read-only table: a filter box and Refresh above, a count below."""

    def __init__(self, name: str, title: str, view_name: str, filter_name: str,
                 placeholder: str, parent: QWidget | None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setWindowIcon(resources.app_icon())
        self.view = _view(view_name)
        self.filterEdit = QLineEdit()
        self.filterEdit.setObjectName(filter_name)
        self.filterEdit.setPlaceholderText(placeholder)
        self.filterEdit.setClearButtonEnabled(True)
        # F5 refreshes, Esc closes (or clears the filter box first), Ctrl+F filters.
        self.actionRefresh = widgets.action(self, "actionRefresh", "&Refresh",
                                            lambda: self.reload(), QKeySequence("F5"))
        self.actionClose = widgets.action(self, "actionClose", "&Close", self.close_or_clear,
                                          QKeySequence("Esc"))
        self.actionFilter = widgets.action(self, "actionFilter", "&Filter", self.focus_filter,
                                           QKeySequence(QKeySequence.StandardKey.Find))
        refresh = QPushButton("&Refresh")
        refresh.setObjectName("refreshButton")
        refresh.setToolTip("Read the list again (F5)")
        refresh.clicked.connect(self.actionRefresh.trigger)
        self.countLabel = QLabel()
        self.countLabel.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(self.filterEdit, 1)
        self.topBar = top
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.countLabel)

    @Slot()
    def reload(self) -> None:
        raise NotImplementedError

    @Slot()
    def focus_filter(self) -> None:
        self.filterEdit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filterEdit.selectAll()

    @Slot()
    def close_or_clear(self) -> None:
        if self.filterEdit.hasFocus() and self.filterEdit.text():
            self.filterEdit.clear()
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.close()


class ActiveUsersWindow(_TableWindow):
    """Who is logged on where, and each session's state; sessions of crashed programs
    are cleaned up first. Disconnect ends the selected sessions: their programs log out
    at their next heartbeat and say why."""

    def __init__(self, admin: AdminService, parent: QWidget | None = None) -> None:
        # Read before any widget exists: a refusal reaches the caller, not an empty window.
        sessions = admin.active_sessions()
        super().__init__("activeUsersWindow", "Active Users", "sessionsView",
                         "sessionsFilterEdit", "Filter…", parent)
        self._admin = admin
        self.model = SessionsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.sessionsView = self.view
        self.sessionsView.setModel(self.proxy)
        self.sessionsView.setSortingEnabled(True)
        self.sessionsView.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.sessionsView.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.sessionsView.horizontalHeader().setStretchLastSection(True)
        self.filterEdit.textChanged.connect(self.proxy.setFilterFixedString)

        self.actionDisconnect = widgets.action(
            self, "actionDisconnect", "&Disconnect…", self.disconnect_selected)
        self.actionDisconnect.setToolTip(
            "End the selected sessions (Delete): their programs log out within a minute")
        self.sessionsView.installEventFilter(self)
        self.sessionsView.addAction(self.actionDisconnect)
        self.sessionsView.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        disconnect = QToolButton()
        disconnect.setObjectName("disconnectButton")
        disconnect.setDefaultAction(self.actionDisconnect)
        disconnect.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.topBar.insertWidget(1, disconnect)
        self.sessionsView.selectionModel().selectionChanged.connect(self._update_actions)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.reload)
        self._timer.start()
        self.resize(900, 360)
        self._show_sessions(sessions)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Delete on the table is Disconnect (after a question), not a window shortcut.
        if (obj is self.sessionsView and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Delete):  # type: ignore[attr-defined]
            self.disconnect_selected()
            return True
        return super().eventFilter(obj, event)

    @Slot()
    def reload(self) -> None:
        def refused(exc: TapeMasterError) -> None:
            self._timer.stop()  # one message, not one every 30 seconds
            if not isinstance(exc, SessionEndedError):  # the logon dialog says why
                msgbox.warning(self, "Active Users", exc.message)

        Op(self, "Active Users", self._admin.active_sessions).success(
            self._show_sessions).failure(refused).run()

    def _show_sessions(self, sessions: list[ActiveSession]) -> None:
        chosen = {s.id for s in self.selected_sessions()}
        self.model.set_records(sessions)
        self.countLabel.setText(f"{len(sessions)} active session(s)")
        selection = self.sessionsView.selectionModel()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(RecordRole).id in chosen:
                selection.select(index, selection.SelectionFlag.Select
                                 | selection.SelectionFlag.Rows)
        self._update_actions()

    def selected_sessions(self) -> list[ActiveSession]:
        rows = self.sessionsView.selectionModel().selectedRows()
        return [self.proxy.mapToSource(index).data(RecordRole) for index in rows]

    @Slot()
    def _update_actions(self) -> None:
        self.actionDisconnect.setEnabled(bool(self.selected_sessions()))

    @Slot()
    def disconnect_selected(self) -> None:
        chosen = self.selected_sessions()
        if not chosen:
            return
        names = ", ".join(f"{s.user_id} ({s.program} on {s.host})" for s in chosen[:5])
        if len(chosen) > 5:
            names += f" and {len(chosen) - 5} more"
        what = ("Its program logs out at its next heartbeat, within a minute, and tells "
                "the user an administrator ended the session." if len(chosen) == 1 else
                "Their programs log out at their next heartbeat, within a minute, and tell "
                "their users an administrator ended the session.")
        if not msgbox.confirm(
                self, "Disconnect", f"Disconnect {names}?", informative=what,
                yes="&Disconnect", object_name="confirmDisconnectMessage"):
            return
        refused: list[str] = []
        for session in chosen:
            try:
                self._admin.end_session(session.id)
            except SessionEndedError:
                return  # this very session ended: the logon dialog says why
            except TapeMasterError as exc:
                refused.append(f"{session.user_id}: {exc.message}")
        self.reload()
        if refused:
            msgbox.warning(self, "Disconnect", "Some sessions were not ended.",
                           informative="\n".join(refused))

class AuditLogWindow(_TableWindow):
    """The audit log, newest first, loaded a page at a time; the filter searches the
    whole log in the store, not only the rows on screen. Above the table, whether the
    log's hash chain holds: its end and newest rows at each reload, every row on
    Verify Whole Log."""

    def __init__(self, audit: AuditLog, parent: QWidget | None = None) -> None:
        super().__init__("auditLogWindow", "Audit Log", "auditView", "auditFilterEdit",
                         "Filter by User-ID, event, detail, actor, host…", parent)
        self._audit = audit
        self.chainLabel = QLabel()
        self.chainLabel.setObjectName("auditChainLabel")
        self.chainLabel.setWordWrap(True)
        self.verifyButton = QPushButton("&Verify Whole Log")
        self.verifyButton.setObjectName("verifyChainButton")
        self.verifyButton.clicked.connect(self.verify_whole_log)
        row = QHBoxLayout()
        row.addWidget(self.chainLabel, 1)
        row.addWidget(self.verifyButton)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, row)
        self.model = AuditModel(self._fetcher(""), self)
        self.auditView = self.view
        self.auditView.setModel(self.model)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.filterEdit.textChanged.connect(lambda _t: self._debounce.start())
        self.resize(1000, 520)
        self.reload()
        for column, width in ((0, 150), (1, 150), (2, 110), (3, 260)):
            self.auditView.setColumnWidth(column, width)

    def _fetcher(self, text: str):  # type: ignore[no-untyped-def]
        def fetch(before_id: int | None, limit: int):  # type: ignore[no-untyped-def]
            return self._audit.page(before_id, limit, text=text or None)
        return fetch

    def _show_chain(self, status: AuditChainStatus) -> None:
        if status.ok:
            which = "every row" if status.whole else "its newest rows and its end"
            self.chainLabel.setText(f"Hash chain intact ({which} checked against the "
                                    "sealed head).")
            self.chainLabel.setStyleSheet("")
        else:
            self.chainLabel.setText(f"The audit log was changed outside TapeMaster: "
                                    f"{status.problem}.")
            self.chainLabel.setStyleSheet("color: #b00020; font-weight: bold;")

    @Slot()
    def verify_whole_log(self) -> None:
        Op(self, "Audit Log", lambda: self._audit.chain(whole=True)).success(
            self._show_verified).run()

    def _show_verified(self, status: AuditChainStatus) -> None:
        self._show_chain(status)
        if status.ok:
            msgbox.information(self, "Audit Log", f"The whole audit log is intact: "
                               f"{status.checked} event(s) checked.",
                               object_name="auditChainIntactMessage")
        else:
            msgbox.warning(self, "Audit Log", f"The audit log was changed outside "
                           f"TapeMaster: {status.problem}.",
                           object_name="auditChainBrokenMessage")

    @Slot()
    def reload(self) -> None:
        text = self.filterEdit.text().strip()

        def load() -> AuditChainStatus:
            self.model.reload(self._fetcher(text))
            return self._audit.chain()

        if Op(self, "Audit Log", load).success(self._show_chain).run():
            self._show_count()

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.countLabel.setText(f"{shown}{more} event(s)" + (" — scroll for older"
                                                            if more else ""))
