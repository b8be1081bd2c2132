"""Active Users and Audit Log: read-only tables with filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import (
    QT_TRANSLATE_NOOP,
    SessionEndedError,
    TapeMasterError,
    ValidationError,
)
from tapemaster_qt.fields import export_text
from tapemaster_qt.fileio import text_written_atomically
from tapemaster_qt.records import (
    AuditChainStatus,
    AuditEvent,
    AuditFilter,
    EventKind,
    intersect_kinds,
)
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.audit import (
    FAILURES,
    FILTER_MAX,
    OTP_EVENTS,
    AuditLog,
    is_failure,
    kind_of,
)
from tapemaster_qt.services.sessions import ActiveSession
from tapemaster_qt.services.transfer import write_csv
from tapemaster_qt.services.validation import USER_ID_MAX
from tapemaster_qt.ui import msgbox, palette, resources, widgets, windows
from tapemaster_qt.ui.i18n import error_text
from tapemaster_qt.ui.models.tables import AuditModel, RecordRole, SessionsModel
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.texts import audit_words, kinds_in_words, session_details
from tapemaster_qt.ui.windows import WindowRegistry

REFRESH_MS = 30_000
MIN_TYPED = 3
"""A filter text this long or longer is searched as it is typed (a shorter one has no
trigram to find it by: it is searched on Enter)."""


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
        self.actionRefresh = widgets.action(self, "actionRefresh", self.tr("&Refresh"),
                                            lambda: self.reload(), QKeySequence("F5"))
        self.actionClose = widgets.action(self, "actionClose", self.tr("&Close"),
                                          self.close_or_clear, QKeySequence("Esc"))
        self.actionFilter = widgets.action(self, "actionFilter", self.tr("&Filter"),
                                           self.focus_filter,
                                           QKeySequence(QKeySequence.StandardKey.Find))
        refresh = QPushButton(self.tr("&Refresh"))
        refresh.setObjectName("refreshButton")
        refresh.setToolTip(self.tr("Read the list again (F5)"))
        refresh.clicked.connect(self.actionRefresh.trigger)
        self.countLabel = QLabel()
        self.countLabel.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(self.filterEdit, 1)
        self.topBar = top
        self.refreshButton = refresh
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.countLabel)
        # The keys start in the table, as in Group/User Administration: arrows, Enter;
        # Ctrl+F goes to the filter.
        self.view.setFocus()

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


class SessionDialog(QDialog):
    """Active Users ▸ Properties: one session's details, as they were when read."""

    def __init__(self, session: ActiveSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPropertiesDialog")
        self.setWindowTitle(self.tr("Session Properties — {user}").format(user=session.user_id))
        self.setWindowIcon(resources.app_icon())
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, text in session_details(session):
            value = QLabel(text)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            value.setAccessibleName(label)
            form.addRow(f"{label}:", value)
            self.values[label] = value
        note = QLabel(self.tr("The program on that computer says it is alive once a minute; a "
                              "session not seen for five minutes is removed as stale."))
        note.setWordWrap(True)
        self.buttonBox = QDialogButtonBox()
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttonBox.rejected.connect(self.reject)
        layout = widgets.WrappingLayout(self, 420)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttonBox)


class ActiveUsersWindow(_TableWindow):
    """Who is logged on where, and each session's state; sessions of crashed programs
    are cleaned up first. Properties (Enter, a double-click) shows the selected session's
    details; Disconnect (Delete) ends the selected sessions: their programs log out at
    their next heartbeat and say why."""

    def __init__(self, admin: AdminService, parent: QWidget | None = None, *,
                 windows: WindowRegistry | None = None) -> None:
        """``windows``: the program's registry, where Session Properties opens."""
        # Read before any widget exists: a refusal reaches the caller, not an empty window.
        sessions = admin.active_sessions()
        super().__init__("activeUsersWindow",
                         QCoreApplication.translate("ActiveUsersWindow", "Active Users"),
                         "sessionsView", "sessionsFilterEdit",
                         QCoreApplication.translate("ActiveUsersWindow", "Filter…"), parent)
        self._admin = admin
        self.windows = windows if windows is not None else WindowRegistry(self)
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
        self.sessionsView.setTabKeyNavigation(False)
        self.sessionsView.setAccessibleName(self.tr("Sessions"))
        self.sessionsView.doubleClicked.connect(lambda _i: self.open_session())
        self.sessionsView.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sessionsView.customContextMenuRequested.connect(self._row_menu)
        self.filterEdit.textChanged.connect(self.proxy.setFilterFixedString)

        # Properties is this window's (UIB); Disconnect is LIVE's. One action each, in
        # the buttons, the right-click menu and on the keys (Enter; Delete).
        self.actionSessionProperties = widgets.action(
            self.sessionsView, "actionSessionProperties", self.tr("&Properties…"),
            self.open_session,
            [QKeySequence("Enter"), QKeySequence("Return"), QKeySequence("Alt+Return"),
             QKeySequence("Alt+Enter")], local=True)
        self.actionSessionProperties.setToolTip(self.tr("The selected session's details (Enter)"))
        self.actionDisconnect = widgets.action(
            self, "actionDisconnect", self.tr("&Disconnect…"), self.disconnect_selected)
        self.actionDisconnect.setToolTip(
            self.tr("End the selected sessions (Delete): their programs log out within a minute"))
        self.sessionsView.installEventFilter(self)
        self.propertiesButton = QPushButton(self.tr("&Properties…"))
        self.propertiesButton.setObjectName("sessionPropertiesButton")
        self.propertiesButton.setToolTip(self.actionSessionProperties.toolTip())
        self.propertiesButton.clicked.connect(self.actionSessionProperties.trigger)
        # A push button like Properties…: its mnemonic (Alt+D) works and it shows the "…".
        disconnect = QPushButton(self.actionDisconnect.text())
        disconnect.setObjectName("disconnectButton")
        disconnect.setToolTip(self.actionDisconnect.toolTip())
        disconnect.clicked.connect(self.actionDisconnect.trigger)
        self.disconnectButton = disconnect
        self.topBar.insertWidget(1, self.propertiesButton)
        self.topBar.insertWidget(2, disconnect)
        QWidget.setTabOrder(self.filterEdit, self.propertiesButton)
        QWidget.setTabOrder(self.propertiesButton, disconnect)
        QWidget.setTabOrder(disconnect, self.refreshButton)
        QWidget.setTabOrder(self.refreshButton, self.sessionsView)
        self.sessionsView.selectionModel().selectionChanged.connect(
            lambda *_: self._update_actions())
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
                msgbox.warning(self, self.tr("Active Users"), error_text(exc))

        Op(self, self.tr("Active Users"), self._admin.active_sessions).success(
            self._show_sessions).failure(refused).run()

    def _show_sessions(self, sessions: list[ActiveSession]) -> None:
        chosen = {s.id for s in self.selected_sessions()}
        self.model.set_records(sessions)
        self.countLabel.setText(self.tr("%n active session(s)", "", len(sessions)))
        selection = self.sessionsView.selectionModel()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(RecordRole).id in chosen:
                selection.select(index, selection.SelectionFlag.Select
                                 | selection.SelectionFlag.Rows)
        if not selection.hasSelection() and self.proxy.rowCount():
            self.sessionsView.selectRow(0)  # Enter works at once, even on a lone row
        self._update_actions()

    def selected_sessions(self) -> list[ActiveSession]:
        rows = self.sessionsView.selectionModel().selectedRows()
        return [self.proxy.mapToSource(index).data(RecordRole) for index in rows]

    def _update_actions(self) -> None:
        chosen = self.selected_sessions()
        one = len(chosen) == 1
        self.actionSessionProperties.setEnabled(one)
        self.propertiesButton.setEnabled(one)
        self.actionDisconnect.setEnabled(bool(chosen))
        self.disconnectButton.setEnabled(bool(chosen))

    @Slot()
    def open_session(self) -> SessionDialog | None:
        chosen = self.selected_sessions()
        if len(chosen) != 1:
            return None
        return self.windows.open(windows.SESSION_PROPERTIES,
                                 lambda: SessionDialog(chosen[0], self), parent=self,
                                 modal=True)

    @Slot()
    def _row_menu(self, pos: object) -> None:
        menu = QMenu(self)
        menu.setObjectName("sessionsContextMenu")
        self._update_actions()
        menu.addAction(self.actionSessionProperties)
        menu.addAction(self.actionDisconnect)
        menu.addSeparator()
        menu.addAction(self.actionRefresh)
        menu.popup(self.sessionsView.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    @Slot()
    def disconnect_selected(self) -> None:
        chosen = self.selected_sessions()
        if not chosen:
            return
        names = ", ".join(self.tr("{user} ({program} on {host})").format(
            user=s.user_id, program=s.program, host=s.host) for s in chosen[:5])
        if len(chosen) > 5:
            names = self.tr("{names} and {count} more").format(names=names,
                                                              count=len(chosen) - 5)
        what = (self.tr("Its program logs out at its next heartbeat, within a minute, and "
                        "tells the user an administrator ended the session.")
                if len(chosen) == 1 else
                self.tr("Their programs log out at their next heartbeat, within a minute, "
                        "and tell their users an administrator ended the session."))
        if not msgbox.confirm(
                self, self.tr("Disconnect"), self.tr("Disconnect {names}?").format(names=names),
                informative=what,
                yes=self.tr("&Disconnect"), object_name="confirmDisconnectMessage"):
            return
        refused: list[str] = []
        for session in chosen:
            try:
                self._admin.end_session(session.id)
            except SessionEndedError:
                return  # this very session ended: the logon dialog says why
            except TapeMasterError as exc:
                refused.append(f"{session.user_id}: {error_text(exc)}")
        self.reload()
        if refused:
            msgbox.warning(self, self.tr("Disconnect"), self.tr("Some sessions were not ended."),
                           informative="\n".join(refused))


CSV_HEADER = ("Time (UTC)", "Event", "Failure", "User-ID", "Detail", "Actor", "Program",
              "Host", "Event as recorded", "Detail as recorded")
"""The columns of Export CSV: the words on screen, then the row as the store holds it.
The header and the Failure flag (True/False) stay English whatever the window's
language, for the programs that read the file; the words are the window's."""


def _utc(day: QDate) -> str:
    """The start of ``day`` in this computer's time zone, as a stored time (UTC)."""
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC).isoformat(timespec="milliseconds")


class AuditLogWindow(_TableWindow):
    """The audit log in words, newest first, loaded a page at a time.

    The filters are read in the store, over the whole log: text (part of a stored field,
    or of the words an event is shown with), one User-ID, failures only, One Time
    Password events only, and a date range. A filter that cannot be answered (control
    characters, a range the wrong way round) is said on the message line and the list
    stays as it was. Export CSV… writes what the filters select, every row of it.
Above the table, whether the log's hash chain holds: its end and newest rows at each
reload, every row on Verify Whole Log.
    """

    TITLE = QT_TRANSLATE_NOOP("AuditLogWindow", "Audit Log")

    def __init__(self, audit: AuditLog, parent: QWidget | None = None) -> None:
        super().__init__("auditLogWindow",
                         QCoreApplication.translate("AuditLogWindow", self.TITLE),
                         "auditView", "auditFilterEdit",
                         QCoreApplication.translate(
                             "AuditLogWindow",
                             "Words as shown, or part of a User-ID, host or detail…"), parent)
        self._audit = audit
        self.model = AuditModel(self._fetcher(AuditFilter()), self)
        self.model.fetchFailed.connect(self._show_problem)
        self.chainLabel = QLabel()
        self.chainLabel.setObjectName("auditChainLabel")
        self.chainLabel.setWordWrap(True)
        self.verifyButton = QPushButton(self.tr("&Verify Whole Log"))
        self.verifyButton.setObjectName("verifyChainButton")
        self.verifyButton.clicked.connect(self.verify_whole_log)
        self.auditView = self.view
        self.auditView.setModel(self.model)
        self.auditView.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.auditView.customContextMenuRequested.connect(self._row_menu)
        self.auditView.setAccessibleName(self.tr("Audit events"))
        self.filterEdit.setMaxLength(FILTER_MAX)
        self.filterEdit.setToolTip(
            self.tr("Finds events whose words, User-ID, detail, actor, program or host hold this "
                    "text (3 characters or more as you type; Enter searches for fewer)."))

        filter_label = QLabel(self.tr("Fi&lter:"))
        filter_label.setBuddy(self.filterEdit)
        self.userEdit = QLineEdit()
        self.userEdit.setObjectName("auditUserEdit")
        self.userEdit.setPlaceholderText(self.tr("any"))
        self.userEdit.setMaxLength(USER_ID_MAX)
        self.userEdit.setClearButtonEnabled(True)
        self.userEdit.setToolTip(self.tr("Only the events of this User-ID (exactly as written)"))
        self.userEdit.setMaximumWidth(self.userEdit.fontMetrics().averageCharWidth() * 22)
        user_label = QLabel(self.tr("&User-ID:"))
        user_label.setBuddy(self.userEdit)
        self.topBar.insertWidget(0, filter_label)
        self.topBar.insertWidget(2, user_label)
        self.topBar.insertWidget(3, self.userEdit)

        self.failuresCheck = QCheckBox(self.tr("&Failures only"))
        self.failuresCheck.setObjectName("failuresOnlyCheck")
        self.failuresCheck.setToolTip(self.tr(
            "Refused logons, revoked User-IDs, rejected codes and "
                                              "records changed outside TapeMaster"))
        self.otpCheck = QCheckBox(self.tr("&OTP events only"))
        self.otpCheck.setObjectName("otpEventsCheck")
        self.otpCheck.setToolTip(self.tr("One Time Password events: switched on or off, QR code "
                                 "shown, activated, wrong or missing codes, codes used twice"))
        self.fromCheck = QCheckBox(self.tr("Fro&m:"))
        self.fromCheck.setObjectName("fromCheck")
        self.toCheck = QCheckBox(self.tr("&To:"))
        self.toCheck.setObjectName("toCheck")
        today = QDate.currentDate()
        self.fromDate = self._date_edit("fromDateEdit", today.addDays(-7), self.fromCheck,
                                        self.tr("Only events on or after this day"))
        self.toDate = self._date_edit("toDateEdit", today, self.toCheck,
                                      self.tr("Only events on or before this day"))
        self.exportButton = QPushButton(self.tr("&Export CSV…"))
        self.exportButton.setObjectName("exportCsvButton")
        self.exportButton.setToolTip(self.tr("Write the events the filters select to a CSV file"))
        self.exportButton.clicked.connect(self.export_csv)
        quick = QHBoxLayout()
        for widget in (self.failuresCheck, self.otpCheck):
            quick.addWidget(widget)
        quick.addSpacing(16)
        for widget in (self.fromCheck, self.fromDate, self.toCheck, self.toDate):
            quick.addWidget(widget)
        quick.addStretch(1)
        quick.addWidget(self.exportButton)

        self.messageLabel = widgets.message_label()
        self.hintLabel = QLabel()
        self.hintLabel.setObjectName("hintLabel")
        self.hintLabel.setWordWrap(True)
        self.hintLabel.hide()
        self.legendIcon = QLabel()
        self.legendLabel = QLabel(self.tr("Failure: a refused logon, a revoked User-ID, a rejected "
                                  "One Time Password or a record changed outside TapeMaster. "
                                  "The event as recorded is in each tooltip."))
        self.legendLabel.setObjectName("auditLegendLabel")
        self.legendLabel.setWordWrap(True)
        legend = QHBoxLayout()
        legend.addWidget(self.legendIcon, 0, Qt.AlignmentFlag.AlignTop)
        legend.addWidget(self.legendLabel, 1)

        chain_row = QHBoxLayout()
        chain_row.addWidget(self.chainLabel, 1)
        chain_row.addWidget(self.verifyButton)

        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, quick)
        layout.insertLayout(2, chain_row)
        layout.insertWidget(3, self.messageLabel)
        layout.insertWidget(4, self.hintLabel)
        layout.insertLayout(6, legend)
        self._paint_legend()

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._typed)
        self.filterEdit.textChanged.connect(lambda _t: self._debounce.start())
        self.userEdit.textChanged.connect(lambda _t: self._debounce.start())
        self.filterEdit.returnPressed.connect(self.reload)
        self.userEdit.returnPressed.connect(self.reload)
        for check in (self.failuresCheck, self.otpCheck, self.fromCheck, self.toCheck):
            check.toggled.connect(lambda _on: self.reload())
        for edit in (self.fromDate, self.toDate):
            edit.dateChanged.connect(lambda _d: self.reload())
        # Tab goes through the controls as they are laid out (not as they were made).
        chain = (self.filterEdit, self.userEdit, self.refreshButton, self.failuresCheck,
                 self.otpCheck, self.fromCheck, self.fromDate, self.toCheck, self.toDate,
                 self.exportButton, self.verifyButton, self.auditView)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._shown = AuditFilter()
        self.resize(1060, 600)
        self.reload()
        for column, width in ((0, 150), (1, 230), (2, 110), (3, 240)):
            self.auditView.setColumnWidth(column, width)

    def _date_edit(self, name: str, day: QDate, check: QCheckBox, tip: str) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        edit.setAccessibleName(self.tr("{which} date").format(
            which=check.text().replace("&", "").rstrip(":")))
        edit.setToolTip(tip)
        check.setToolTip(tip)
        check.toggled.connect(edit.setEnabled)
        return edit

    def _paint_legend(self) -> None:
        self.legendIcon.setPixmap(palette.failure_icon().pixmap(16, 16))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._paint_legend()
        super().changeEvent(event)

    # --- the filters ----------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """What the filters on screen select (the service checks it before reading)."""
        text = self.filterEdit.text().strip()
        kinds: frozenset[EventKind] | None = None
        if self.failuresCheck.isChecked() and self.otpCheck.isChecked():
            kinds = intersect_kinds(FAILURES, OTP_EVENTS)
        elif self.failuresCheck.isChecked():
            kinds = FAILURES
        elif self.otpCheck.isChecked():
            kinds = OTP_EVENTS
        return AuditFilter(
            text=text or None, worded=kinds_in_words(text), kinds=kinds,
            user_id=self.userEdit.text().strip() or None,
            since=_utc(self.fromDate.date()) if self.fromCheck.isChecked() else None,
            until=(_utc(self.toDate.date().addDays(1)) if self.toCheck.isChecked()
                   else None))

    def _fetcher(self, where: AuditFilter) -> Callable[[int | None, int], list[AuditEvent]]:
        def fetch(before_id: int | None, limit: int) -> list[AuditEvent]:
            return self._audit.page(before_id, limit, where=where)
        return fetch

    def _show_chain(self, status: AuditChainStatus) -> None:
        if status.ok:
            self.chainLabel.setText(
                self.tr("Hash chain intact (every row checked against the sealed head).")
                if status.whole else
                self.tr("Hash chain intact (its newest rows and its end checked against the "
                        "sealed head)."))
            self.chainLabel.setStyleSheet("")
        else:
            self.chainLabel.setText(self.tr(
                "The audit log was changed outside TapeMaster: {problem}.").format(
                    problem=status.problem))
            self.chainLabel.setStyleSheet(
                f"color: {palette.danger().name()}; font-weight: bold;")

    @Slot()
    def verify_whole_log(self) -> None:
        Op(self, self.tr("Audit Log"), lambda: self._audit.chain(whole=True)).success(
            self._show_verified).run()

    def _show_verified(self, status: AuditChainStatus) -> None:
        self._show_chain(status)
        if status.ok:
            msgbox.information(self, self.tr("Audit Log"), self.tr(
                "The whole audit log is intact: %n event(s) checked.", "", status.checked),
                               object_name="auditChainIntactMessage")
        else:
            msgbox.warning(self, self.tr("Audit Log"), self.tr(
                "The audit log was changed outside TapeMaster: {problem}.").format(
                    problem=status.problem),
                           object_name="auditChainBrokenMessage")

    @Slot()
    def _typed(self) -> None:
        """After a pause in typing: search, unless the text is too short to search fast
        (then say how to search for it anyway)."""
        text = self.filterEdit.text().strip()
        if 0 < len(text) < MIN_TYPED:
            self._show_hint(self.tr("Type {count} characters or more to search as you type, "
                                    "or press Enter to search for a shorter text.").format(
                                        count=MIN_TYPED))
            return
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the first page again with the filters on screen; a refused filter is
        said on the message line and the list stays as it was."""
        self._debounce.stop()
        where = self.current_filter()

        def shown(chain: AuditChainStatus) -> None:
            self._shown = where
            self._show_problem("")
            self._show_hint("")
            self._show_chain(chain)
            self._show_count()

        def load() -> AuditChainStatus:
            self.model.reload(self._fetcher(where))
            return self._audit.chain()

        Op(self, self.windowTitle(), load).success(shown).failure(self._refused).run()

    def _refused(self, exc: TapeMasterError) -> None:
        """A filter the service cannot answer is said on the message line; anything
        else (the right to read the log gone, the store unreachable) in a message box,
        as every window says a refusal."""
        if isinstance(exc, ValidationError):
            self._show_problem(error_text(exc))
        else:
            msgbox.warning(self, self.windowTitle(), error_text(exc))

    def _show_problem(self, text: str) -> None:
        widgets.show_message(self.messageLabel, text)

    def _show_hint(self, text: str) -> None:
        self.hintLabel.setText(text)
        self.hintLabel.setVisible(bool(text))

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        filtered = self._shown != AuditFilter()
        if shown == 0:
            text = (self.tr("No events match the filters.") if filtered
                    else self.tr("The audit log is empty."))
        elif more:
            text = (self.tr("{count}+ events match the filters — scroll for older")
                    if filtered else self.tr("{count}+ events — scroll for older")
                    ).format(count=shown)
        else:
            text = (self.tr("%n event(s) match the filters", "", shown) if filtered
                    else self.tr("%n event(s)", "", shown))
        self.countLabel.setText(text)

    # --- the rows -------------------------------------------------------------------------

    def selected_event(self) -> AuditEvent | None:
        index = self.auditView.currentIndex()
        return index.siblingAtColumn(0).data(RecordRole) if index.isValid() else None

    @Slot()
    def _row_menu(self, pos: object) -> None:
        menu = QMenu(self)
        event = self.selected_event()
        if event is not None and event.user_id:
            only = menu.addAction(self.tr("Only the events of {user}").format(user=event.user_id))
            only.setObjectName("actionOnlyThisUser")
            only.triggered.connect(lambda: self.show_user(event.user_id or ""))
        menu.addAction(self.actionRefresh)
        menu.popup(self.auditView.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    def show_user(self, user_id: str) -> None:
        """Only the events of ``user_id`` from now on."""
        self.userEdit.setText(user_id)
        self.reload()

    # --- Export CSV -----------------------------------------------------------------------

    @Slot()
    def export_csv(self) -> None:
        """Write every event the filters select (not only the rows loaded) as CSV."""
        where = self.current_filter()
        path = msgbox.save_file(self, self.tr("Export Audit Log"),
                                str(Path.home() / "audit-log.csv"), self.tr("CSV files (*.csv)"))
        if not path:
            return
        if not Path(path).suffix:
            path += ".csv"

        def rows() -> Iterator[tuple[str, ...]]:
            for event in self._audit.all(where):
                words, detail = audit_words(event.event, event.detail)
                failed = is_failure(kind_of(event.event, event.detail))
                yield (event.ts, words, export_text(failed), event.user_id or "", detail,
                       event.actor, event.program, event.host, event.event, event.detail)

        def export() -> int:
            try:
                with text_written_atomically(path) as fh:
                    return write_csv(fh, CSV_HEADER, rows())
            except OSError as exc:
                raise TapeMasterError(
                    QT_TRANSLATE_NOOP("errors", "The file could not be written: {reason}."),
                    params={"reason": exc.strerror or exc}) from None

        Op(self, self.tr("Export Audit Log"), export).success(lambda count: msgbox.information(
            self, self.tr("Export Audit Log"),
            self.tr("Exported %n event(s) to {path}.", "", count).format(path=path),
            object_name="auditExportedMessage")).run()
