"""Group/User Administration: the Users grid and the Groups list.

The same actions sit in the menu bar (User, Group, Edit, View), the tool bar and the
right-click menu (Add…, Delete, Properties, Export…, Select All, Invert Selection,
Management ▸ Reset Password…, Unlock, Re-seal Record…, Refresh), each with its
shortcut shown. Double-click or Enter opens Properties; Delete deletes after a
confirmation. Every action goes through the admin service, which refuses what the
acting user may not do, whatever this window offers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QPushButton,
    QStyle,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, TapeMasterError
from tapemaster_qt.fields import Status
from tapemaster_qt.fileio import write_text_atomically
from tapemaster_qt.records import GroupRecord, UserDetails, UserRow
from tapemaster_qt.services.admin import AdminService, describe_review
from tapemaster_qt.services.transfer import users_to_csv, users_to_xml
from tapemaster_qt.ui import msgbox, palette, resources, widgets, windows
from tapemaster_qt.ui.i18n import error_text, field_text
from tapemaster_qt.ui.models.tables import GroupsModel, RecordRole
from tapemaster_qt.ui.models.users import (
    COL_STATUS,
    COL_USER_ID,
    UserRowRole,
    UsersFilterProxy,
    UsersModel,
)
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.password_change import PasswordChangeDialog
from tapemaster_qt.ui.texts import local_time
from tapemaster_qt.ui.user_properties import UserPropertiesDialog
from tapemaster_qt.ui.windows import Draft, WindowRegistry

logger = logging.getLogger(__name__)

FIT_SAMPLE = 20_000
"""Rows measured to size the columns: all of them up to this, else an even sample
(measuring every one of 100,000 rows would delay the window)."""
MAX_COLUMN_CHARS = 40
"""No column is sized wider than this many average characters (a 255-character
description would push the others off screen); the last one stretches."""


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Tab leaves the table (whole rows are selected: there is no cell to go to), and
    # Ctrl+Tab reaches the tab widget, which turns to the other tab.
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    # Fixed row heights: the view never measures 100,000 rows.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    return view


class _Legend(QWidget):
    """What the Status icons and the grey and red rows mean, under the Users table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersLegend")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._icons: list[tuple[QLabel, Status]] = []
        for status in (Status.OTP_ACTIVE, Status.OTP_PENDING, Status.REVOKED,
                       Status.DISABLED, Status.TAMPERED):
            icon = QLabel()
            icon.setToolTip(field_text(status.description))
            word = QLabel(field_text(status.value))
            word.setToolTip(field_text(status.description))
            layout.addWidget(icon)
            layout.addWidget(word)
            layout.addSpacing(8)
            self._icons.append((icon, status))
        self.rowsLabel = QLabel()
        self.rowsLabel.setObjectName("rowsLegendLabel")
        self.rowsLabel.setTextFormat(Qt.TextFormat.RichText)
        layout.addSpacing(8)
        layout.addWidget(self.rowsLabel)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        """Paint the icons and colours of the current palette."""
        for label, status in self._icons:
            label.setPixmap(palette.status_icon(status).pixmap(16, 16))
        self.rowsLabel.setText(
            self.tr("<span style='color:{grey}'>Grey rows</span>: revoked or disabled, no "
                    "logon. <span style='color:{red}'>Red rows</span>: changed outside "
                    "TapeMaster.").format(grey=palette.muted().name(),
                                          red=palette.danger().name()))


class GroupDialog(QDialog):
    """Add Group (Group-ID: 1–10 letters or digits, and a description), or a group's
    Properties: its Group-ID fixed, its description to edit. Cancel with a changed
    description asks first."""

    def __init__(self, admin: AdminService, parent: QWidget | None = None, *,
                 group: GroupRecord | None = None) -> None:
        super().__init__(parent)
        self._admin = admin
        self._group = group
        self.adding = group is None
        self.setObjectName("groupDialog")
        self.setWindowTitle(self.tr("Add Group") if group is None
                            else self.tr("Group Properties — {group}").format(
                                group=group.group_id))
        self.groupIdEdit = QLineEdit(group.group_id if group else "")
        self.groupIdEdit.setObjectName("groupIdEdit")
        self.groupIdEdit.setMaxLength(10)
        self.groupIdEdit.setReadOnly(not self.adding)
        self.descriptionEdit = QLineEdit(group.description if group else "")
        self.descriptionEdit.setObjectName("descriptionEdit")
        self.descriptionEdit.setMaxLength(255)
        self.messageLabel = widgets.message_label()
        form = QFormLayout()
        form.addRow(self.tr("&Group-ID:"), self.groupIdEdit)
        form.addRow(self.tr("&Description:"), self.descriptionEdit)
        if group is not None:
            users = f"{group.members} user" + ("s" if group.members != 1 else "")
            form.addRow(self.tr("Users:"), QLabel(users))
        self.buttonBox = widgets.button_box(self._on_save, self.reject, save=True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("1 to 10 letters or digits.") if self.adding else
                                self.tr("The Group-ID cannot be changed; the description can.")))
        layout.addWidget(self.messageLabel)
        layout.addWidget(self.buttonBox)
        self.setMinimumWidth(380)
        (self.groupIdEdit if self.adding else self.descriptionEdit).setFocus()
        self._discarding = False

    def unsaved_edits(self) -> list[str]:
        """What was typed and not saved."""
        original = self._group.description if self._group else ""
        edits = []
        if self.adding and self.groupIdEdit.text():
            edits.append("Group-ID")
        if self.descriptionEdit.text() != original:
            edits.append("Description")
        return edits

    def discard_edits(self) -> None:
        """Close without asking (the session is ending)."""
        self._discarding = True

    def draft(self) -> Draft | None:
        if self._discarding or not self.unsaved_edits():
            return None
        values: list[tuple[str, object]] = [("Description", self.descriptionEdit.text())]
        if self.adding:
            values.insert(0, ("Group-ID", self.groupIdEdit.text()))
        return Draft(windows.ADD_GROUP if self.adding else windows.GROUP_PROPERTIES,
                     self.windowTitle(), None if self._group is None
                     else self._group.group_id, tuple(values))

    def restore(self, draft: Draft) -> None:
        for label, value in draft.values:
            edit = self.groupIdEdit if label == "Group-ID" else self.descriptionEdit
            if not edit.isReadOnly():
                edit.setText(str(value))

    def reject(self) -> None:
        edits = [] if self._discarding else self.unsaved_edits()
        if edits and not msgbox.confirm(
                self, self.windowTitle(),
                self.tr("Discard the new group?") if self.adding else
                self.tr("Discard your changes to group {group}?").format(
                    group=self.groupIdEdit.text()),
                informative=self.tr("Not saved yet: {fields}.").format(
                    fields=", ".join(field_text(e) for e in edits)), yes=self.tr("Discard"),
                object_name="confirmDiscardMessage"):
            return
        super().reject()

    @Slot()
    def _on_save(self) -> None:
        def refused(exc: TapeMasterError) -> None:
            widgets.show_message(self.messageLabel, error_text(exc))
            (self.groupIdEdit if self.adding else self.descriptionEdit).setFocus()

        group_id, description = self.groupIdEdit.text(), self.descriptionEdit.text()
        if not self.adding and not self.unsaved_edits():
            self.accept()
            return
        call: Callable[[], object] = partial(
            self._admin.add_group if self.adding else self._admin.update_group,
            group_id, description)
        Op(self, self.windowTitle(), call).success(lambda _done: self.accept()).failure(
            refused).run()


class GroupUserAdministration(QWidget):
    TITLE = QT_TRANSLATE_NOOP("GroupUserAdministration", "Group/User Administration")

    def __init__(self, admin: AdminService, parent: QWidget | None = None, *,
                 windows: WindowRegistry | None = None) -> None:
        """``windows``: the program's registry, where this window's dialogs are opened
        (its own when none is given)."""
        # Read before any widget exists: when the acting user may not administer, the
        # service's refusal reaches the caller, who shows it instead of an empty window.
        rows = admin.list_users(check_seals=False)  # seals: checked after showing
        groups = admin.list_groups()
        super().__init__(parent, Qt.WindowType.Window)
        self._admin = admin
        self.windows = windows if windows is not None else WindowRegistry(self)
        self.setObjectName("groupUserAdministration")
        self.setWindowTitle(self.tr(self.TITLE))
        self.setWindowIcon(resources.app_icon())

        # --- Users tab ---------------------------------------------------------------------
        self.usersModel = UsersModel(self)
        self.usersProxy = UsersFilterProxy(self)
        self.usersProxy.setSourceModel(self.usersModel)
        self.usersView = _table("usersView")
        self.usersView.setModel(self.usersProxy)
        self.usersView.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.usersView.setSortingEnabled(True)
        self.usersView.horizontalHeader().setSortIndicator(
            COL_USER_ID, Qt.SortOrder.AscendingOrder)
        self.usersView.doubleClicked.connect(lambda _i: self.open_properties())
        self.usersView.customContextMenuRequested.connect(self._users_menu)
        self.usersView.setAccessibleName(self.tr("Users"))

        self.usersFilterEdit = QLineEdit()
        self.usersFilterEdit.setObjectName("usersFilterEdit")
        self.usersFilterEdit.setPlaceholderText(self.tr("Filter users (any column)…"))
        self.usersFilterEdit.setClearButtonEnabled(True)
        self.usersFilterEdit.textChanged.connect(self._on_filter_changed)
        self.usersCountLabel = QLabel()
        self.usersCountLabel.setObjectName("usersCountLabel")
        self.usersLegend = _Legend()

        self._make_actions()
        filter_label = QLabel(self.tr("&Filter:"))
        filter_label.setBuddy(self.usersFilterEdit)
        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self.usersFilterEdit, 1)
        users_tab = QWidget()
        users_layout = QVBoxLayout(users_tab)
        users_layout.addWidget(self._tool_bar())  # on the Users tab: it acts on users
        users_layout.addLayout(top)
        users_layout.addWidget(self.usersView, 1)
        users_layout.addWidget(self.usersLegend)
        users_layout.addWidget(self.usersCountLabel)

        # --- Groups tab --------------------------------------------------------------------
        self.groupsModel = GroupsModel(self)
        self.groupsView = _table("groupsView")
        self.groupsView.setModel(self.groupsModel)
        self.groupsView.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.groupsView.customContextMenuRequested.connect(self._groups_menu)
        self.groupsView.doubleClicked.connect(lambda _i: self.open_group())
        self.groupsView.setAccessibleName(self.tr("Groups"))
        self._make_group_actions()
        # No mnemonics on these buttons: Alt+G is the Group menu, whose entries they are.
        self.addGroupButton = self._group_button("addGroupButton", self.tr("Add Group…"),
                                                 self.actionAddGroup)
        self.groupPropertiesButton = self._group_button(
            "groupPropertiesButton", self.tr("Properties…"), self.actionGroupProperties)
        self.deleteGroupButton = self._group_button("deleteGroupButton", self.tr("Delete"),
                                                    self.actionDeleteGroup)
        groups_tab = QWidget()
        groups_layout = QVBoxLayout(groups_tab)
        groups_layout.addWidget(self.groupsView, 1)
        groups_layout.addWidget(QLabel(
            self.tr("Enter or a double-click opens a group's properties; Del deletes an empty "
                    "group.")))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.addGroupButton, self.groupPropertiesButton,
                       self.deleteGroupButton):
            buttons.addWidget(button)
        groups_layout.addLayout(buttons)

        self.adminTabs = QTabWidget()
        self.adminTabs.setObjectName("adminTabs")
        self.adminTabs.addTab(users_tab, self.tr("Users"))
        self.adminTabs.addTab(groups_tab, self.tr("Groups"))
        layout = QVBoxLayout(self)
        layout.setMenuBar(self._menu_bar())
        layout.addWidget(self.adminTabs)
        # The description takes the spare width; the user count stays beside it at its
        # own width instead of stretching across the window.
        groups_header = self.groupsView.horizontalHeader()
        groups_header.setStretchLastSection(False)
        groups_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        groups_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.groupsView.setColumnWidth(0, 110)
        self.resize(1120, 600)
        self._idle = QTimer(self)  # background work in slices, between user events
        self._idle.timeout.connect(self._idle_step)
        self._idle_steps: Iterator[None] | None = None
        self._seal_total = 0
        self._seal_failed: set[str] = set()
        self.usersView.selectionModel().selectionChanged.connect(
            lambda *_: self._update_actions())
        self.groupsView.selectionModel().selectionChanged.connect(
            lambda *_: self._update_group_actions())
        self._show_data(rows, groups, keep=[])
        self.fit_columns()
        self.usersView.setFocus()

    # --- actions, menus and the tool bar --------------------------------------------------

    def _make_actions(self) -> None:
        grid, window = self.usersView, self
        key = QKeySequence

        def action(owner: QWidget, name: str, text: str, slot: Callable[[], object],
                   tip: str, *shortcuts: QKeySequence | QKeySequence.StandardKey) -> QAction:
            made = widgets.action(owner, name, text, slot,
                                  [key(k) for k in shortcuts] or None, local=owner is grid)
            made.setStatusTip(tip)
            made.setToolTip(tip)
            return made

        # Keys that mean something else in the filter box (Enter, Del, Ctrl+A) act only
        # in the table; the others anywhere in the window.
        self.actionAddUser = action(window, "actionAddUser", self.tr("&Add…"), self.add_user,
                                    self.tr("Add a user"), key.StandardKey.New)
        self.actionUserProperties = action(
            grid, "actionUserProperties", self.tr("&Properties"), self.open_properties,
            self.tr("Open the selected user's properties"),
            key("Enter"), key("Return"), key("Alt+Return"), key("Alt+Enter"))
        self.actionDeleteUser = action(grid, "actionDeleteUser", self.tr("&Delete"),
                                       self.delete_selected, self.tr("Delete the selected users"),
                                       key.StandardKey.Delete)
        self.actionExportUsers = action(
            window, "actionExportUsers", self.tr("&Export…"), self.export_selected,
            self.tr("Export the selected users (all users when none is selected) as XML or CSV"))
        self.actionSelectAll = action(grid, "actionSelectAll", self.tr("Select A&ll"),
                                      self.usersView.selectAll, self.tr("Select every user shown"),
                                      key.StandardKey.SelectAll)
        self.actionInvertSelection = action(
            grid, "actionInvertSelection", self.tr("&Invert Selection"), self.invert_selection,
            self.tr("Select the users shown that are not selected, and clear the others"),
            key("Ctrl+I"))
        self.actionResetUserPassword = action(
            window, "actionResetUserPassword", self.tr("&Reset Password…"), self.reset_password,
            self.tr("Set a new password for the selected user; this also restores a revoked "
                    "User-ID"))
        self.actionUnlockUser = action(window, "actionUnlockUser", self.tr("&Unlock"),
                                       self.unlock_selected,
                                       self.tr("Restore the selected revoked User-IDs"))
        self.actionResealUser = action(
            window, "actionResealUser", self.tr("Re-&seal Record…"), self.reseal_selected,
            self.tr("Accept a record that was changed outside TapeMaster, after reviewing it"))
        self.actionRefresh = action(window, "actionRefresh", self.tr("&Refresh"),
                                    lambda: self.reload(),
                                    self.tr("Read the users and groups again"), key("F5"))
        self.actionFilter = action(window, "actionFilter", self.tr("&Filter"), self.focus_filter,
                                   self.tr("Type to show only the users that match"),
                                   key.StandardKey.Find)
        self.actionClose = action(window, "actionClose", self.tr("&Close"), self.close_or_clear,
                                  self.tr("Close this window"), key("Esc"))
        self.actionAddGroup = action(window, "actionAddGroup", self.tr("&Add Group…"),
                                     self.add_group, self.tr("Add a group"))

    def _make_group_actions(self) -> None:
        """The Groups tab's own keys act in its table: Enter opens, Del deletes."""
        key = QKeySequence
        self.actionGroupProperties = widgets.action(
            self.groupsView, "actionGroupProperties", self.tr("&Properties…"), self.open_group,
            [key("Enter"), key("Return"), key("Alt+Return"), key("Alt+Enter")], local=True)
        self.actionGroupProperties.setStatusTip(self.tr("Edit the selected group's description"))
        self.actionGroupProperties.setToolTip(self.actionGroupProperties.statusTip())
        self.actionDeleteGroup = widgets.action(
            self.groupsView, "actionDeleteGroup", self.tr("&Delete Group"), self.delete_group,
            key(key.StandardKey.Delete), local=True)
        self.actionDeleteGroup.setStatusTip(self.tr(
            "Delete the selected group; only an empty group "
                                                    "can be deleted"))
        self.actionDeleteGroup.setToolTip(self.actionDeleteGroup.statusTip())

    def _group_button(self, name: str, text: str, action: QAction) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        button.setEnabled(action.isEnabled())
        return button

    def _menu_bar(self) -> QMenuBar:
        bar = QMenuBar(self)
        bar.setObjectName("adminMenuBar")
        user = bar.addMenu(self.tr("&User"))
        user.setObjectName("menuUser")
        for item in (self.actionAddUser, self.actionUserProperties, self.actionDeleteUser,
                     None, self.actionResetUserPassword, self.actionUnlockUser,
                     self.actionResealUser, None, self.actionExportUsers, None,
                     self.actionClose):
            user.addAction(item) if item is not None else user.addSeparator()
        group = bar.addMenu(self.tr("&Group"))
        group.setObjectName("menuGroup")
        for item in (self.actionAddGroup, self.actionGroupProperties, self.actionDeleteGroup):
            group.addAction(item)
        edit = bar.addMenu(self.tr("&Edit"))
        edit.setObjectName("menuEdit")
        for item in (self.actionSelectAll, self.actionInvertSelection, None,
                     self.actionFilter):
            edit.addAction(item) if item is not None else edit.addSeparator()
        view = bar.addMenu(self.tr("&View"))
        view.setObjectName("menuView")
        view.addAction(self.actionRefresh)
        return bar

    def _tool_bar(self) -> QToolBar:
        bar = QToolBar("Users", self)
        bar.setObjectName("usersToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for item in (self.actionAddUser, self.actionUserProperties, self.actionDeleteUser,
                     None, self.actionResetUserPassword, self.actionUnlockUser, None,
                     self.actionExportUsers, self.actionRefresh):
            bar.addAction(item) if item is not None else bar.addSeparator()
        return bar

    def _update_actions(self) -> None:
        """Enable what the selection allows; the services check again when it runs."""
        count, revoked, tampered = self._selection_summary()
        self.actionDeleteUser.setEnabled(count > 0)
        self.actionUserProperties.setEnabled(count == 1)
        self.actionResetUserPassword.setEnabled(count == 1)
        self.actionUnlockUser.setEnabled(revoked)
        self.actionResealUser.setEnabled(count == 1 and tampered)
        self.actionExportUsers.setEnabled(self.usersModel.rowCount() > 0)

    def _selection_summary(self) -> tuple[int, bool, bool]:
        """(rows selected, any revoked, any tampered), read from the selection's ranges:
        Select All on 100,000 users is one range, not 100,000 indexes."""
        shown = self.usersModel.rows()  # the proxy shows the model's rows as they are
        count, revoked, tampered = 0, False, False
        for part in self.usersView.selectionModel().selection():
            rows = shown[part.top():part.bottom() + 1]
            count += len(rows)
            revoked = revoked or any(r.revoked for r in rows)
            tampered = tampered or any(r.integrity_ok is False for r in rows)
        return count, revoked, tampered

    def users_menu(self) -> QMenu:
        """The right-click menu, with entries enabled for the current selection."""
        menu = QMenu(self)
        menu.setObjectName("usersContextMenu")
        menu.addAction(self.actionAddUser)
        menu.addAction(self.actionDeleteUser)
        menu.addAction(self.actionUserProperties)
        menu.addSeparator()
        menu.addAction(self.actionExportUsers)
        menu.addAction(self.actionSelectAll)
        menu.addAction(self.actionInvertSelection)
        menu.addSeparator()
        management = menu.addMenu(self.tr("&Management"))
        management.setObjectName("menuManagement")
        management.addAction(self.actionResetUserPassword)
        management.addAction(self.actionUnlockUser)
        management.addAction(self.actionResealUser)
        menu.addSeparator()
        menu.addAction(self.actionRefresh)
        self._update_actions()
        return menu

    @Slot()
    def _users_menu(self, pos: object) -> None:
        self.users_menu().popup(self.usersView.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    def groups_menu(self) -> QMenu:
        """The Groups tab's right-click menu."""
        menu = QMenu(self)
        menu.setObjectName("groupsContextMenu")
        for item in (self.actionAddGroup, self.actionGroupProperties, self.actionDeleteGroup,
                     None, self.actionRefresh):
            menu.addAction(item) if item is not None else menu.addSeparator()
        self._update_group_actions()
        return menu

    @Slot()
    def _groups_menu(self, pos: object) -> None:
        self.groups_menu().popup(self.groupsView.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    def _update_group_actions(self) -> None:
        chosen = self.selected_group() is not None
        self.actionGroupProperties.setEnabled(chosen)
        self.actionDeleteGroup.setEnabled(chosen)

    @Slot()
    def focus_filter(self) -> None:
        """Ctrl+F: to the filter box on the Users tab, its text selected."""
        self.adminTabs.setCurrentIndex(0)
        self.usersFilterEdit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.usersFilterEdit.selectAll()

    @Slot()
    def close_or_clear(self) -> None:
        """Esc: in a filter box with text, clear it (and go back to the table); else
        close the window."""
        if self.usersFilterEdit.hasFocus() and self.usersFilterEdit.text():
            self.usersFilterEdit.clear()
            self.usersView.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.close()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.usersModel.refresh_palette()
            self.usersLegend.refresh()
        super().changeEvent(event)

    # --- column widths --------------------------------------------------------------------

    def fit_columns(self) -> None:
        """Size the columns to their header and content, the last one stretching."""
        view = self.usersView
        header = view.horizontalHeader()
        style = header.style()
        # Room for the header's margins and its sort arrow.
        chrome = (2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
                  + style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize) + 12)
        cell = 2 * style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 14
        icon = view.iconSize().width() if view.iconSize().isValid() else 16
        header_metrics, metrics = header.fontMetrics(), view.fontMetrics()
        cap = MAX_COLUMN_CHARS * metrics.averageCharWidth()
        for column in range(self.usersModel.columnCount() - 1):
            title = str(self.usersModel.headerData(column, Qt.Orientation.Horizontal))
            texts = self.usersModel.widest_texts(column, FIT_SAMPLE)
            content = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            if column == COL_STATUS and content:
                content += icon + 6
            width = max(header_metrics.horizontalAdvance(title) + chrome, content + cell)
            view.setColumnWidth(column, min(width, cap))
    # --- data ---------------------------------------------------------------------------

    def reload(self, keep: list[str] | None = None) -> None:
        """Load users and groups from the service, keeping the selection by User-ID."""
        chosen = self.selected_user_ids() if keep is None else keep

        def load() -> tuple[list[UserRow], list[GroupRecord]]:
            # Seals are checked in slices after the table shows (see _background).
            return self._admin.list_users(check_seals=False), self._admin.list_groups()

        Op(self, self.windowTitle(), load).success(
            lambda data: self._show_data(data[0], data[1], chosen)).run()

    def _show_data(self, rows: list[UserRow], groups: list[GroupRecord],
                   keep: list[str]) -> None:
        self.usersModel.set_rows(rows)
        header = self.usersView.horizontalHeader()
        section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        if not (section == COL_USER_ID and order == Qt.SortOrder.AscendingOrder):
            self.usersModel.sort(section, order)  # the store already gives User-ID order
        chosen_group = self.selected_group()
        self.groupsModel.set_records(groups)
        if chosen_group is not None:
            self._select_group(chosen_group.group_id)
        if self.selected_group() is None and groups:
            self.groupsView.selectRow(0)  # Enter and Del act at once, even on a lone row
        self._select(keep)
        self._update_actions()
        self._update_group_actions()
        self._start_background()

    # --- record seals (tamper evidence), checked in slices after the table shows ---------

    SLICE = 1000
    """Rows per background slice: a few milliseconds, so typing never waits long."""

    def _start_background(self) -> None:
        self._seal_checked = 0
        self._seal_failed = set()
        self._seal_total = len(self.usersModel.all_rows())
        self._idle_steps = self._background()
        self._idle.start(0)
        self._update_count()

    def _background(self) -> Iterator[None]:
        """Check every record's seal (a tampered record must show in red), then build
        the filter index before the first keystroke needs it."""
        after: str | None = None
        while True:
            checked, failed = self._admin.seal_failures(after, self.SLICE)
            self._seal_failed.update(failed)
            self._seal_checked += len(checked)
            if len(checked) < self.SLICE:
                break
            after = checked[-1]
            if self._seal_checked % (10 * self.SLICE) == 0:
                self._update_count()
            yield
        self.usersModel.set_integrity(self._seal_failed)
        self._seal_total = 0
        self._update_count()
        start = 0
        while not self.usersModel.prepare_search(start, 10 * self.SLICE):
            start += 10 * self.SLICE
            yield

    @Slot()
    def _idle_step(self) -> None:
        try:
            if self._idle_steps is not None:
                next(self._idle_steps)
                return
        except StopIteration:
            pass
        except TapeMasterError as exc:
            logger.warning("Checking record seals stopped: %s", exc.message)
        self._idle.stop()
        self._idle_steps = None

    def _update_count(self) -> None:
        shown, total = self.usersModel.rowCount(), len(self.usersModel.all_rows())
        text = (self.tr("{shown} of %n user(s)", "", total).format(shown=shown)
                if shown != total else self.tr("%n user(s)", "", total))
        if self._seal_total:
            done = min(100, round(100 * self._seal_checked / max(1, self._seal_total)))
            text += " — " + self.tr("checking record seals… {done}%").format(done=done)
        elif self._seal_failed:
            text += " — " + self.tr("%n record(s) failed the integrity check (shown in red): "
                                    "review them before re-sealing", "",
                                    len(self._seal_failed))
        self.usersCountLabel.setText(text)

    def _select(self, user_ids: list[str]) -> None:
        selection = QItemSelection()
        wanted = set(user_ids)
        last = self.usersModel.columnCount() - 1
        for row, record in enumerate(self.usersModel.rows()):
            if record.user_id in wanted:
                top = self.usersProxy.mapFromSource(self.usersModel.index(row, 0))
                if top.isValid():
                    selection.select(top, top.siblingAtColumn(last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.usersView.selectionModel().select(selection, flags)
        if not selection.isEmpty():
            self.usersView.setCurrentIndex(selection.indexes()[0])

    def selected_rows(self) -> list[UserRow]:
        rows = self.usersView.selectionModel().selectedRows()
        return [self.usersProxy.mapToSource(i).data(UserRowRole) for i in rows]

    def selected_user_ids(self) -> list[str]:
        return [r.user_id for r in self.selected_rows()]

    @Slot(str)
    def _on_filter_changed(self, text: str) -> None:
        keep = self.selected_user_ids()
        self.usersProxy.set_filter_text(text)
        if keep:
            self._select(keep)  # still selected when they still match
        self._update_count()

    @Slot()
    def invert_selection(self) -> None:
        model = self.usersProxy
        if model.rowCount() == 0:
            return
        everything = QItemSelection(model.index(0, 0),
                                    model.index(model.rowCount() - 1, model.columnCount() - 1))
        self.usersView.selectionModel().select(
            everything, QItemSelectionModel.SelectionFlag.Toggle)

    # --- user operations --------------------------------------------------------------------

    def _groups(self) -> list[str]:
        return [g.group_id for g in self.groupsModel.records()]

    def _open_properties_dialog(self, user: UserDetails | None
                                ) -> UserPropertiesDialog | None:
        def dialog() -> UserPropertiesDialog:
            made = UserPropertiesDialog(self._admin, user, self._groups(), parent=self,
                                        windows=self.windows)
            made.saved.connect(lambda uid: self.reload(keep=[uid]))
            return made

        return self.windows.open(windows.USER_PROPERTIES, dialog, parent=self, modal=True)

    @Slot()
    def add_user(self) -> UserPropertiesDialog | None:
        return self._open_properties_dialog(None)

    @Slot()
    def open_properties(self) -> UserPropertiesDialog | None:
        ids = self.selected_user_ids()
        return self.open_user(ids[0]) if len(ids) == 1 else None

    def open_user(self, user_id: str) -> UserPropertiesDialog | None:
        """``user_id``'s Properties, read now. A user deleted meanwhile (by another
        administrator) is said so, and the list is read again."""
        found: list[UserDetails] = []
        Op(self, self.tr("User Properties"), lambda: self._admin.get_user(user_id)).success(
            found.append).failure(lambda exc: self._refused(self.tr("User Properties"), exc)).run()
        return self._open_properties_dialog(found[0]) if found else None

    def restore_draft(self, draft: Draft) -> QWidget | None:
        """Open the window a draft came from, its edits put back (see
        :class:`~tapemaster_qt.ui.windows.Draft`); None when it cannot be opened (the
        user or group is gone: said in a message)."""
        dialog: UserPropertiesDialog | GroupDialog | None
        if draft.key == windows.USER_PROPERTIES:
            dialog = self.add_user() if draft.subject is None else self.open_user(
                draft.subject)
        elif draft.key == windows.ADD_GROUP:
            dialog = self.add_group()
        elif draft.key == windows.GROUP_PROPERTIES and draft.subject is not None:
            dialog = self.open_group_named(draft.subject)
        else:
            return None
        if dialog is not None:
            dialog.restore(draft)
        return dialog

    def _refused(self, title: str, exc: TapeMasterError) -> None:
        msgbox.warning(self, title, error_text(exc))
        self.reload()

    @Slot()
    def delete_selected(self) -> None:
        ids = self.selected_user_ids()
        if not ids:
            return
        # Say no before asking, not after.
        if not Op(self, self.tr("Delete"), lambda: self._admin.check_delete(ids)).run():
            return
        if not msgbox.confirm(
            self, self.tr("Delete"),
            self.tr("Delete {user}?").format(user=ids[0]) if len(ids) == 1
            else self.tr("Delete these %n users?", "", len(ids)),
            informative=self.tr("Their settings are removed; the audit log keeps their history."),
            yes=self.tr("Delete"), object_name="confirmDeleteMessage",
        ):
            return
        Op(self, self.tr("Delete"), lambda: self._admin.delete_users(ids)).refresh(
            lambda: self.reload(keep=[])).run()

    @Slot()
    def unlock_selected(self) -> None:
        ids = self.selected_user_ids()

        def unlock() -> None:
            for user_id in ids:
                self._admin.unlock(user_id)

        Op(self, self.tr("Unlock"), unlock).refresh(lambda: self.reload(keep=ids)).run()

    @Slot()
    def reseal_selected(self) -> None:
        """Accept a record that failed its integrity check, after the admin reviewed how
        it differs from the last copy TapeMaster wrote of it."""
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].integrity_ok is not False:
            return
        user_id = rows[0].user_id
        try:
            review = self._admin.review_record(user_id)
        except TapeMasterError as exc:
            msgbox.warning(self, self.tr("Re-seal Record"), error_text(exc))
            return
        if review.every_field_suspect:
            changed = describe_review(review)[0].capitalize() + "."
        else:
            changed = ((self.tr("Changed since TapeMaster last wrote it (on {time}):").format(
                time=local_time(review.copy_written)) if review.copy_written
                else self.tr("Changed since TapeMaster last wrote it:")) + "\n"
                + "\n".join(f"• {line}" for line in describe_review(review)))
        if not msgbox.confirm(
            self, self.tr("Re-seal Record"),
            self.tr("The record of {user} was changed outside TapeMaster. Re-seal it?").format(
                user=user_id),
            informative=(changed + self.tr("\n\nRe-sealing does not trust those changes: it clears "
                         "the password, removes rights and client access, switches the One "
                         "Time Password off and leaves the User-ID revoked. Afterwards "
                         "unlock it, set a new password and give back what it should have.")),
            yes=self.tr("Re-seal"), object_name="confirmResealMessage",
        ):
            return
        Op(self, self.tr("Re-seal Record"), lambda: self._admin.reseal(user_id)).refresh(
            lambda: self.reload(keep=[user_id])).run()

    @Slot()
    def reset_password(self) -> PasswordChangeDialog | None:
        ids = self.selected_user_ids()
        if len(ids) != 1:
            return None
        user_id = ids[0]
        email = self.selected_rows()[0].email

        def dialog() -> PasswordChangeDialog:
            made = PasswordChangeDialog(
                user_id, lambda _current, new: self._admin.reset_password(user_id, new),
                own=False, parent=self, windows=self.windows, email=email)
            made.accepted.connect(lambda: self.reload(keep=[user_id]))
            return made

        return self.windows.open(windows.RESET_USER_PASSWORD, dialog, parent=self, modal=True)

    @Slot()
    def export_selected(self) -> None:
        """Export the selected users (all when none are selected) as XML or CSV."""
        ids = self.selected_user_ids() or None
        path = msgbox.save_file(self, self.tr("Export Users"), str(Path.home() / "users.xml"),
                                self.tr("XML files (*.xml);;CSV files (*.csv)"))
        if not path:
            return

        def export() -> int:
            users = self._admin.export_users(ids)
            text = (users_to_csv(users, self._admin.group_descriptions())
                    if path.lower().endswith(".csv") else users_to_xml(users))
            try:
                write_text_atomically(path, text)
            except OSError as exc:
                raise TapeMasterError(
                    QT_TRANSLATE_NOOP("errors", "The file could not be written: {reason}."),
                    params={"reason": exc.strerror or exc}) from None
            return len(users)

        Op(self, self.tr("Export Users"), export).success(lambda count: msgbox.information(
            self, self.tr("Export Users"),
            self.tr("Exported %n user(s) to {path}.", "", count).format(path=path))).run()

    @Slot()
    def add_group(self) -> GroupDialog | None:
        def dialog() -> GroupDialog:
            made = GroupDialog(self._admin, self)
            made.accepted.connect(lambda: self._group_saved(made.groupIdEdit.text().strip()))
            return made

        self.adminTabs.setCurrentIndex(1)
        return self.windows.open(windows.ADD_GROUP, dialog, parent=self, modal=True)

    # --- groups -----------------------------------------------------------------------------

    def selected_group(self) -> GroupRecord | None:
        rows = self.groupsView.selectionModel().selectedRows()
        return rows[0].data(RecordRole) if rows else None

    def _select_group(self, group_id: str) -> None:
        for row, record in enumerate(self.groupsModel.records()):
            if record.group_id == group_id:
                self.groupsView.selectRow(row)
                return

    def _group_saved(self, group_id: str) -> None:
        self.reload()
        self._select_group(group_id)
        self.groupsView.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def open_group(self) -> GroupDialog | None:
        """The selected group's Properties: its description to edit."""
        group = self.selected_group()
        return None if group is None else self.open_group_named(group.group_id)

    def open_group_named(self, group_id: str) -> GroupDialog | None:
        self.adminTabs.setCurrentIndex(1)
        found: list[GroupRecord] = []
        # Read again: another administrator may have changed or deleted it.
        Op(self, self.tr("Group Properties"), lambda: self._admin.get_group(group_id)).success(
            found.append).failure(lambda exc: self._refused(self.tr("Group Properties"), exc)).run()
        if not found:
            return None

        def dialog() -> GroupDialog:
            made = GroupDialog(self._admin, self, group=found[0])
            made.accepted.connect(lambda: self._group_saved(found[0].group_id))
            return made

        return self.windows.open(windows.GROUP_PROPERTIES, dialog, parent=self, modal=True)

    @Slot()
    def delete_group(self) -> None:
        """Delete the selected group after asking; one with users is refused first,
        saying how many."""
        group = self.selected_group()
        if group is None:
            return
        group_id = group.group_id
        if not Op(self, self.tr("Delete Group"),
                  lambda: self._admin.check_delete_group(group_id)).refresh(
                self.reload).run():
            return
        if not msgbox.confirm(self, self.tr("Delete Group"),
                              self.tr("Delete group {group}?").format(group=group_id),
                              informative=self.tr("It has no users. The audit log keeps its "
                                                  "history."),
                              yes=self.tr("Delete"), object_name="confirmDeleteGroupMessage"):
            return
        Op(self, self.tr("Delete Group"), lambda: self._admin.delete_group(group_id)).refresh(
            self.reload).run()
