"""The program's main window: TapeMaster (with Administration), Checkpoint and Lite."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from tapemaster_qt import __version__, logsetup
from tapemaster_qt.services.auth import FreshProof, LogonOutcome, Session
from tapemaster_qt.services.session import SessionServices
from tapemaster_qt.ui import idle, msgbox, resources, widgets, windows
from tapemaster_qt.ui.i18n import plural_context
from tapemaster_qt.ui.operations import Op
from tapemaster_qt.ui.password_change import PasswordChangeDialog
from tapemaster_qt.ui.texts import codes_left_text, local_time, rights_removed
from tapemaster_qt.ui.windows import Draft, WindowRegistry

ADMIN_WINDOWS = (windows.USER_PROPERTIES, windows.RESET_USER_PASSWORD, windows.ADD_GROUP,
                 windows.ADMINISTRATION, windows.ACTIVE_USERS, windows.AUDIT_LOG)
"""The windows that need tapemaster rights, dialogs before the windows they belong to."""


welcome = plural_context("welcome")
"""The welcome text's plurals (its other texts: context "welcome" too)."""


def welcome_text(session: Session, outcome: LogonOutcome) -> str:
    name = session.name or session.user_id
    lines = [welcome.tr("<h2>Welcome, {name}</h2>").format(
        name=_escape(name))]
    previous = local_time(outcome.previous_logon, never="")
    if previous:
        lines.append(welcome.tr("<p>Your last successful logon: <b>{time}</b></p>").format(
                time=previous))
    else:
        lines.append(welcome.tr("<p>This is your first logon.</p>"))
    failures = outcome.failures_since
    if failures:
        attempts = (
            welcome.tr("%n failed logon attempt(s) since then.", "", failures) if previous
            else welcome.tr("%n failed logon attempt(s) before this logon.", "", failures))
        lines.append(
            f"<p style='color:#b00020'><b>{attempts}</b> "
            + welcome.tr("If that was not you, tell your administrator.")
            + "</p>")
    elif previous:
        lines.append(welcome.tr("<p>No failed logon attempts since then.</p>"))
    left = outcome.recovery_codes_left
    if left is not None and left <= LOW_ON_CODES:
        lines.append(
            "<p style='color:#8a5a00'>"
            + welcome.tr("You have {left}. File ▸ One Time Password… makes new ones, "
                         "so that a lost phone does not lock you out.").format(
                    left=codes_left_text(left))
            + "</p>")
    return "".join(lines)


LOW_ON_CODES = 3
"""From how few recovery codes left the welcome text suggests making new ones."""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MainWindow(QMainWindow):
    logOutRequested = Signal()
    exitRequested = Signal()
    sessionRevoked = Signal(str)
    """A wrong code in a window revoked the User-ID: log out with this message."""
    firstPainted = Signal()
    """On screen, where the window manager put it: a question about the session
    (after a recovery-code logon) can now appear centred over it."""
    _painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)

    def __init__(self, services: SessionServices, outcome: LogonOutcome, *, full: bool,
                 windows: WindowRegistry) -> None:
        """``windows``: the program's registry, through which this window opens others."""
        super().__init__()
        self._services = services
        self._windows = windows
        self.session = session = services.session
        program = services.program
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{program} — {session.user_id}")
        self.setWindowIcon(resources.app_icon())

        menu_bar = self.menuBar()
        self.menuFile = menu_bar.addMenu(self.tr("&File"))
        self.menuFile.setObjectName("menuFile")
        self.actionResetPassword = self._action("actionResetPassword", self.tr("&Reset Password…"),
                                                self.reset_password)
        self.actionMyOneTimePassword = self._action(
            "actionMyOneTimePassword", self.tr("&One Time Password…"),
            lambda: self.open_my_one_time_password())
        self.actionMyOneTimePassword.setStatusTip(
            self.tr("Your One Time Password: recovery codes, moving to a new phone"))
        self.actionLogOut = self._action("actionLogOut", self.tr("&Log Out"),
                                         self.logOutRequested.emit)
        self.actionExit = self._action("actionExit", self.tr("E&xit"), self.exitRequested.emit,
                                       QKeySequence(QKeySequence.StandardKey.Quit))
        self.menuFile.addAction(self.actionResetPassword)
        self.menuFile.addAction(self.actionMyOneTimePassword)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionLogOut)
        self.menuFile.addAction(self.actionExit)

        self.menuAdministration = None
        if full:
            self.menuAdministration = menu_bar.addMenu(self.tr("&Administration"))
            self.menuAdministration.setObjectName("menuAdministration")
            self.actionGroupUserAdministration = self._action(
                "actionGroupUserAdministration", self.tr("&Group/User Administration…"),
                self.open_group_user_administration)
            self.actionActiveUsers = self._action("actionActiveUsers", self.tr("&Active Users…"),
                                                  self.open_active_users)
            self.actionAuditLog = self._action("actionAuditLog", self.tr("Audit &Log…"),
                                               self.open_audit_log)
            for action in (self.actionGroupUserAdministration, self.actionActiveUsers,
                           self.actionAuditLog):
                self.menuAdministration.addAction(action)

        self.menuHelp = menu_bar.addMenu(self.tr("&Help"))
        self.menuHelp.setObjectName("menuHelp")
        self.actionAbout = self._action("actionAbout",
                                        self.tr("&About {program}").format(program=program),
                                        self.about)
        self.menuHelp.addAction(self.actionAbout)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(24, 24, 24, 24)
        self.welcomeLabel = QLabel(welcome_text(session, outcome))
        self.welcomeLabel.setObjectName("welcomeLabel")
        self.welcomeLabel.setTextFormat(Qt.TextFormat.RichText)
        self.welcomeLabel.setWordWrap(True)
        self.welcomeLabel.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A banner above everything while the heartbeat cannot reach the store.
        self.storeProblemLabel = QLabel()
        self.storeProblemLabel.setObjectName("storeProblemLabel")
        self.storeProblemLabel.setStyleSheet(
            "color: #7a0014; background: #fdecea; border: 1px solid #e0a0a8; padding: 6px;")
        self.storeProblemLabel.setWordWrap(True)
        self.storeProblemLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.storeProblemLabel.hide()
        layout.addWidget(self.storeProblemLabel)
        layout.addWidget(self.welcomeLabel)
        self.adminHintLabel = QLabel(self.tr("Administration ▸ Group/User Administration manages "
                                             "users, groups and One Time Passwords."))
        self.adminHintLabel.setObjectName("adminHintLabel")
        self.adminHintLabel.setWordWrap(True)
        self.adminHintLabel.setVisible(full and session.tapemaster_rights)
        layout.addWidget(self.adminHintLabel)
        layout.addStretch(1)
        self.setCentralWidget(central)

        status = self.statusBar()
        status.setObjectName("statusBar")
        status.showMessage(self.tr("Ready"))
        self.userStatusLabel = QLabel(f" {session.user_id} ")
        self.userStatusLabel.setObjectName("userStatusLabel")
        self.programStatusLabel = QLabel(f" {program} ")
        self.programStatusLabel.setObjectName("programStatusLabel")
        self.idleStatusLabel = QLabel()
        self.idleStatusLabel.setObjectName("idleStatusLabel")
        status.addPermanentWidget(self.idleStatusLabel)
        status.addPermanentWidget(self.userStatusLabel)
        status.addPermanentWidget(self.programStatusLabel)
        self.resize(720, 460 if full else 360)
        self.set_tapemaster_rights(session.tapemaster_rights, tell=False)

    def show_idle_deadline(self, at: float | None, minutes: int = 10) -> None:
        """The status bar says when an idle user is logged out (``at``, a time.time()
        value, after ``minutes`` without activity), or *No Time-Out* (None)."""
        self.idleStatusLabel.setText(f" {idle.deadline_text(at)} ")
        self.idleStatusLabel.setToolTip(idle.no_timeout_tip() if at is None
                                        else idle.deadline_tip(minutes))

    def offer_drafts(self, drafts: list[Draft]) -> list[QWidget]:
        """After a logon: edits this user had not saved when the last session ended
        without them (inactivity) are opened again if they want; the windows opened."""
        titles = "; ".join(d.title for d in drafts)
        if not msgbox.confirm(
                self, self._services.program,
                self.tr("You were logged out with changes not saved: {windows}.").format(
                    windows=titles),
                informative=self.tr("Open them again to review and save them, or discard "
                                    "them."),
                yes=self.tr("&Open Again"), no=self.tr("&Discard"),
                object_name="restoreDraftsMessage",
                yes_is_safe=True):
            return []
        admin = self.open_group_user_administration()
        if admin is None:
            return []
        return [w for d in drafts if (w := admin.restore_draft(d)) is not None]  # type: ignore[attr-defined]

    def _action(self, name: str, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | None = None) -> QAction:
        return widgets.action(self, name, text, slot, shortcut)

    # --- what the heartbeat found ----------------------------------------------------

    def set_tapemaster_rights(self, rights: bool, *, tell: bool = True) -> None:
        """The Administration menu follows the user's rights as the store holds them; when
        they are gone, the administration windows close (their every call would be
        refused anyway) and, with ``tell``, the user is told why."""
        if self.menuAdministration is None:
            return
        for action in (self.actionGroupUserAdministration, self.actionActiveUsers,
                       self.actionAuditLog):
            action.setEnabled(rights)
        self.menuAdministration.setEnabled(rights)
        self.menuAdministration.setToolTip("" if rights else self.tr("Needs tapemaster rights"))
        self.adminHintLabel.setVisible(rights)
        if rights:
            return
        open_now = [key for key in ADMIN_WINDOWS if self._windows.get(key) is not None]
        for key in open_now:
            self._windows.close(key)
        if tell and open_now:
            QTimer.singleShot(0, lambda: msgbox.information(
                self, self.windowTitle(), rights_removed(), object_name="rightsRemovedMessage"))
        elif tell:
            self.statusBar().showMessage(self.tr("Your tapemaster rights were removed"), 10_000)

    def show_store_problem(self, text: str) -> None:
        """A heartbeat could not reach the store ('' once it can again)."""
        was_shown = bool(self.storeProblemLabel.text())
        self.storeProblemLabel.setText(text)
        self.storeProblemLabel.setToolTip(text)
        self.storeProblemLabel.setVisible(bool(text))
        if was_shown and not text:
            self.statusBar().showMessage(self.tr("The user store answers again"), 5000)

    # --- File ---------------------------------------------------------------------------

    @Slot()
    def reset_password(self) -> PasswordChangeDialog | None:
        def dialog() -> PasswordChangeDialog:
            made = PasswordChangeDialog(self.session.user_id,
                                        self._services.change_own_password, own=True,
                                        parent=self, windows=self._windows)
            made.accepted.connect(
                lambda: self.statusBar().showMessage(self.tr("Password changed"), 5000))
            return made

        return self._windows.open(windows.PASSWORD_CHANGE, dialog, parent=self, modal=True)

    def open_my_one_time_password(self, proof: FreshProof | None = None,
                                  start: str = "") -> QWidget | None:
        """File ▸ One Time Password…; after a logon with a recovery code, ``proof`` and
        the step to ``start`` at once (``my_otp.NEW_PHONE`` or ``NEW_CODES``)."""
        from tapemaster_qt.ui.my_otp import NEW_PHONE, MyOneTimePasswordDialog

        def make() -> MyOneTimePasswordDialog:
            dialog = MyOneTimePasswordDialog(self._services.my_otp(), self._services.program,
                                             proof=proof, parent=self)
            dialog.sessionRevoked.connect(self.sessionRevoked)
            return dialog

        window = self._windows.open(windows.MY_OTP, make, parent=self)
        if window is not None and start:
            dialog = window
            assert isinstance(dialog, MyOneTimePasswordDialog)
            if start == NEW_PHONE:
                dialog.move_to_new_phone()
            else:
                dialog.make_new_codes()
        return window

    # --- Administration -----------------------------------------------------------------

    def _open_admin_window(self, key: str, factory: Callable[[], QWidget]
                           ) -> QWidget | None:
        """Open (or raise) a window that needs tapemaster rights. Asked for again, an
        open one is raised only after the rights are checked again: the window being
        open proves nothing about the rights now."""
        if self._windows.get(key) is not None:
            checked = Op(self, self.windowTitle(), self._services.admin().check_access)
            if not checked.run():
                self._windows.close(key)
                return None
        return self._windows.open(key, factory, parent=self)

    @Slot()
    def open_group_user_administration(self) -> QWidget | None:
        from tapemaster_qt.ui.admin_window import GroupUserAdministration

        return self._open_admin_window(
            windows.ADMINISTRATION,
            lambda: GroupUserAdministration(self._services.admin(), self,
                                            windows=self._windows))

    @Slot()
    def open_active_users(self) -> QWidget | None:
        from tapemaster_qt.ui.activity import ActiveUsersWindow

        return self._open_admin_window(
            windows.ACTIVE_USERS,
            lambda: ActiveUsersWindow(self._services.admin(), self, windows=self._windows))

    @Slot()
    def open_audit_log(self) -> QWidget | None:
        from tapemaster_qt.ui.activity import AuditLogWindow

        return self._open_admin_window(
            windows.AUDIT_LOG, lambda: AuditLogWindow(self._services.audit_log(), self))

    # --- Help ---------------------------------------------------------------------------

    @Slot()
    def about(self) -> None:
        program = self._services.program
        info = self._services.store_info()
        key = (info.key if info.key is not None
               else self.tr("unavailable — {problem}").format(problem=info.key_problem))
        folder = logsetup.log_folder() or self.tr("none (cannot be written)")
        msgbox.information(
            self, self.tr("About {program}").format(program=program),
            self.tr("{program} (TapeMaster Qt {version})").format(program=program,
                                                                  version=__version__),
            informative=self.tr(
                "User store: {location}\nStore key: {key}\nLog folder: {folder}\n\n"
                "Logon with password and One Time Password (RFC 6238 TOTP)."
            ).format(location=info.location, key=key, folder=folder),
            object_name="aboutMessage",
        )
