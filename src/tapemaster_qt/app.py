"""Entry points of the GUI programs and the controller that runs a program's life.

First run → logon → (QR popup | activation notice) → main window → log out → logon...
Every step is a window shown without a nested event loop, so tests can drive each one
like a user, and several programs can share one store at the same time.

Start-up stays light: argon2, cryptography, keyring and qrcode are imported when a
logon or an enrolment first needs them, after the logon dialog is on screen.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QTimer,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from tapemaster_qt import APP_ID, __version__, location, logsetup, paths
from tapemaster_qt.errors import StoreReplacedError, StoreTamperedError, TapeMasterError
from tapemaster_qt.location import StoreLocation
from tapemaster_qt.ui import clipboard, i18n, msgbox, windows
from tapemaster_qt.ui.logon import FirstRunDialog, LoginDialog
from tapemaster_qt.ui.ui_state import UiState
from tapemaster_qt.ui.windows import WindowRegistry

if TYPE_CHECKING:
    import argparse

    from tapemaster_qt.errors import SessionEndedError
    from tapemaster_qt.services import Context
    from tapemaster_qt.services.auth import LogonOutcome, LogonService
    from tapemaster_qt.services.sessions import Beat, Session
    from tapemaster_qt.ui.idle import IdleNotice
    from tapemaster_qt.ui.main_window import MainWindow
    from tapemaster_qt.ui.otp_setup import OtpSetupDialog
    from tapemaster_qt.ui.recovery_codes import RecoveryCodesDialog
    from tapemaster_qt.ui.windows import Draft

# Only what the first window needs is imported above; the services, argon2, the
# cryptography and the QR code come in when a logon first uses them.

logger = logging.getLogger(__name__)

COMMANDS = {"TapeMaster": "tapemaster", "Checkpoint": "tapetrack-checkpoint",
            "Lite": "tapetrack-lite"}
INACTIVITY_MS = 10 * 60 * 1000
IDLE_WARNING_MS = 60 * 1000
"""How long before the idle log out its notice counts down (ui/idle.py)."""
IDLE_CHECK_MAX_MS = 15 * 1000
HEARTBEAT_MS = 60 * 1000
RETRY_MS = 10 * 1000
"""After a heartbeat that could not reach the store: the next try comes this soon."""


@functools.cache
def _activity_events() -> frozenset[QEvent.Type]:
    # Built on first use: touching a Qt enum creates its Python class, which costs
    # start-up time (QEvent.Type has ~180 members).
    return frozenset({
        QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
        QEvent.Type.Wheel, QEvent.Type.TouchBegin,
    })


class Controller(QObject):
    """Runs one program's windows over the services; emits ``finished`` with the exit code."""

    finished = Signal(int)
    storeOpened = Signal()
    """The store opened: what is worth saying next may be said (a log file refused)."""

    def __init__(self, ctx: Context | None, ui_state: UiState, *,
                 opener: Callable[[], Context] | None = None, program: str = "",
                 store_path: Path | None = None, store_label: str = "",
                 inactivity_ms: int = INACTIVITY_MS, idle_warning_ms: int = IDLE_WARNING_MS,
                 heartbeat_ms: int = HEARTBEAT_MS, parent: QObject | None = None) -> None:
        """Either an open ``ctx``, or an ``opener`` that opens the store (with the
        ``program`` it will have) after the first window is painted. ``store_path`` is
        the SQLite file (its absence means a first run), ``store_label`` what the First
        Run window shows (a PostgreSQL store has a label and no path)."""
        super().__init__(parent)
        if ctx is None and (opener is None or not program
                            or (store_path is None and not store_label)):
            raise ValueError("Controller needs a context, or an opener with its program "
                             "and store path or label")
        self._ctx = ctx
        self._opener = opener
        self.program = ctx.program if ctx is not None else program
        self._store_path = store_path
        self._store_location = (ctx.store.location if ctx is not None
                                else store_label or str(store_path))
        self.full = self.program == "TapeMaster"
        self.ui_state = ui_state
        self._logon_service: LogonService | None = None
        self.inactivity_ms = inactivity_ms
        self.idle_warning_ms = min(idle_warning_ms, inactivity_ms // 2)
        self._drafts: dict[str, list[Draft]] = {}
        """Edits each user had not saved when their session ended without them."""
        self.windows = WindowRegistry(self)
        """Every window of the program; the main window opens its own through it too."""
        self._session: Session | None = None
        self._rights = False
        """The user's tapemaster rights as the last heartbeat found them."""
        self._no_timeout = False
        self._store_problem = ""
        """Why the last heartbeat could not reach the store ('' when it could)."""
        self._key_warned = False
        self._last_activity = time.monotonic()
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(max(50, min(inactivity_ms // 4, IDLE_CHECK_MAX_MS)))
        self._idle_timer.timeout.connect(self._check_idle)
        self._heartbeat_ms = heartbeat_ms
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(heartbeat_ms)
        self._heartbeat.timeout.connect(self._beat)

    @property
    def ctx(self) -> Context:
        """The services' context; opens the store on first use (may raise StoreError)."""
        if self._ctx is None:
            assert self._opener is not None
            self._ctx = self._opener()
        return self._ctx

    @property
    def first_run_dialog(self) -> FirstRunDialog | None:
        return self.windows.get(windows.FIRST_RUN)  # type: ignore[return-value]

    @property
    def login_dialog(self) -> LoginDialog | None:
        return self.windows.get(windows.LOGON)  # type: ignore[return-value]

    @property
    def otp_setup_dialog(self) -> OtpSetupDialog | None:
        return self.windows.get(windows.OTP_SETUP)  # type: ignore[return-value]

    @property
    def recovery_codes_dialog(self) -> RecoveryCodesDialog | None:
        return self.windows.get(windows.RECOVERY_CODES)  # type: ignore[return-value]

    @property
    def main_window(self) -> MainWindow | None:
        return self.windows.get(windows.MAIN)  # type: ignore[return-value]

    @property
    def logon(self) -> LogonService:
        if self._logon_service is None:
            from tapemaster_qt.services.auth import LogonService

            self._logon_service = LogonService(self.ctx)
        return self._logon_service

    # --- start ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._ctx is None:
            # Show the window the store most likely needs at once, and open the store
            # just after it is painted: a logon screen must appear at once.
            # A server's store cannot be looked at before it is opened: logon first.
            if self._store_path is None or self._store_path.exists():
                self.show_logon()
                dialog: QObject | None = self.login_dialog
            else:
                self._show_first_run()
                dialog = self.first_run_dialog
            assert dialog is not None
            dialog.firstPainted.connect(self._check_store)  # type: ignore[attr-defined]
            return
        self._check_store()

    @Slot()
    def _check_store(self) -> None:
        """Open the store and show what it needs: first run or logon."""
        from tapemaster_qt.services.setup import needs_first_run

        for dialog in (self.login_dialog, self.first_run_dialog):
            if dialog is not None:
                with contextlib.suppress(RuntimeError, TypeError):
                    dialog.firstPainted.disconnect(self._check_store)
        try:
            first = needs_first_run(self.ctx)
        except TapeMasterError as exc:
            self._fatal(i18n.error_text(exc))
            return
        if first and self.ctx.store.shared:
            from tapemaster_qt.services.setup import SHARED_FIRST_RUN

            self._fatal(SHARED_FIRST_RUN)
            return
        if first and self.first_run_dialog is None:
            if self.login_dialog is not None:
                self.login_dialog.hide()
            self._show_first_run()
        elif not first and self.login_dialog is None:
            # another program initialised it
            self.windows.close(windows.FIRST_RUN)
            self.show_logon()
        if not first:
            QTimer.singleShot(0, self._warm_up)
        self.storeOpened.emit()

    @Slot()
    def _warm_up(self) -> None:
        """While the user types: import what a logon needs and read the store key, so
        OK (and the QR popup) answer at once. Failures wait for the logon to report,
        except a store refused as a whole (rolled back, its key or identity moved, its
        records put back): nobody can log on, so that is said at once, and the program
        ends."""
        try:
            _ = self.ctx.store.key
        except StoreTamperedError as exc:
            self._fatal(i18n.error_text(exc))
            return
        except Exception as exc:  # reported properly by the logon itself
            logger.info("Warm-up stopped early: %s", type(exc).__name__)
            return
        try:
            import pyotp  # noqa: F401
            import qrcode  # noqa: F401
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401

            from tapemaster_qt.ui import main_window, otp_setup  # noqa: F401

            self.ctx.hasher.prepare()
        except Exception as exc:  # reported properly by the logon itself
            logger.info("Warm-up stopped early: %s", type(exc).__name__)

    def _fatal(self, message: str) -> None:
        for dialog in (self.login_dialog, self.first_run_dialog):
            if dialog is not None:
                dialog.hide()
        msgbox.critical(None, self.program, message, object_name="storeErrorMessage")
        QTimer.singleShot(0, lambda: self.finished.emit(1))

    def _show_first_run(self) -> None:
        dialog = FirstRunDialog(self.program, self._store_location)
        dialog.passwordChosen.connect(self._on_first_password)
        dialog.rejected.connect(lambda: self.finished.emit(0))
        self.windows.register(windows.FIRST_RUN, dialog, keep=True)
        self.windows.present(windows.FIRST_RUN)

    @Slot(str)
    def _on_first_password(self, password: str) -> None:
        from tapemaster_qt.errors import AlreadyInitialisedError
        from tapemaster_qt.services.setup import set_initial_password

        dialog = self.first_run_dialog
        assert dialog is not None
        try:
            with _busy():
                set_initial_password(self.ctx, password)
        except AlreadyInitialisedError:
            # Two First Run dialogs raced and the other program won: its password
            # stands, so this one moves on to the logon dialog instead of waiting there.
            self.windows.close(windows.FIRST_RUN)
            self.show_logon(self.tr("Another program set the tapemaster password first. "
                                    "Log on with that password."), error=False)
            return
        except TapeMasterError as exc:
            dialog.show_message(i18n.error_text(exc))
            return
        self.ui_state.last_user_id = "tapemaster"
        self.windows.close(windows.FIRST_RUN)
        self.show_logon(self.tr("The tapemaster password is set. Log on with it now."),
                        error=False)

    # --- logon ----------------------------------------------------------------------------

    def show_logon(self, message: str = "", *, error: bool = True,
                   user_id: str | None = None) -> None:
        """``user_id``: who to offer (the user just logged out), else the last one
        remembered for this store."""
        if user_id is None:
            user_id = self.ui_state.last_user_id
        dialog = self.login_dialog
        if dialog is None:
            dialog = LoginDialog(self.program, user_id)
            dialog.logonRequested.connect(self._on_logon)
            dialog.rejected.connect(lambda: self.finished.emit(0))
            self.windows.register(windows.LOGON, dialog, keep=True)
        else:
            dialog.reset_for_next_user(user_id)
        dialog.show_message(message)
        dialog.messageLabel.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.windows.present(windows.LOGON)

    @Slot(str, str, str)
    def _on_logon(self, user_id: str, password: str, code: str) -> None:
        from tapemaster_qt.services.auth import LogonStatus

        dialog = self.login_dialog
        assert dialog is not None
        dialog.messageLabel.setStyleSheet("color: #b00020;")
        try:
            with _busy():
                outcome = self.logon.logon(user_id, password, code)
        except StoreReplacedError as exc:
            self._fatal(i18n.error_text(exc))
            return
        except TapeMasterError as exc:
            dialog.show_message(i18n.error_text(exc))
            return
        if not outcome.succeeded:
            dialog.show_outcome(outcome)
            return
        self.ui_state.last_user_id = outcome.user_id
        dialog.hide()
        assert outcome.session is not None
        self._begin_session(outcome.session)
        if outcome.status is LogonStatus.ENROLMENT:
            self._show_otp_setup(outcome)
        elif outcome.status is LogonStatus.ACTIVATED:
            msgbox.information(
                None, self.tr("One Time Password"),
                self.tr("One Time Password activated."),
                informative=(self.tr("From now on every logon to TapeMaster, Checkpoint and Lite "
                                     "needs your User-ID, your password and the code from your "
                                     "authenticator app.")),
                object_name="otpActivatedMessage",
            )
            self._show_recovery_codes(outcome, outcome)
        elif outcome.status is LogonStatus.RECOVERY:
            self._enter(outcome)
            # Once the main window is on screen, so the question appears over it.
            window = self.main_window
            assert window is not None
            window.firstPainted.connect(lambda: self._offer_after_recovery(outcome))
        else:
            self._enter(outcome)

    # --- One Time Password: setup, recovery codes ----------------------------------------

    def _show_otp_setup(self, outcome: LogonOutcome) -> None:
        from tapemaster_qt.ui.otp_setup import OtpSetupDialog

        session = outcome.session
        assert session is not None
        dialog = OtpSetupDialog(
            outcome.provisioning_uri or "", outcome.secret_key or "", outcome.account,
            self.program,
            verify=lambda code: self.logon.verify_enrolment(session, code),
        )
        verified: list[LogonOutcome] = []
        dialog.finishedWith.connect(verified.append)
        dialog.finished.connect(
            lambda _r: self._after_otp_setup(outcome, verified[0] if verified else None))
        self.windows.register(windows.OTP_SETUP, dialog, keep=True)
        self.windows.present(windows.OTP_SETUP)

    def _after_otp_setup(self, outcome: LogonOutcome, verified: LogonOutcome | None) -> None:
        """OK (or closing the popup) carries on in the grace period, as the technote
        says; Verify activated One Time Password (recovery codes next) or, with too
        many wrong codes, revoked the User-ID (back to the logon dialog)."""
        self.windows.close(windows.OTP_SETUP)
        if not self._still(outcome):
            return  # closed because the session ended (idle, or the store ended it)
        if verified is not None and verified.revoked:
            self.log_out(reason="revoked",
                         message=QCoreApplication.translate("texts", "Access Revoked"))
        elif verified is not None:
            self._show_recovery_codes(verified, outcome)
        else:
            self._enter(outcome)

    def _show_recovery_codes(self, activated: LogonOutcome, entering: LogonOutcome) -> None:
        """The new recovery codes, once, then the main window (``entering``)."""
        from tapemaster_qt.ui.recovery_codes import RecoveryCodesDialog

        dialog = RecoveryCodesDialog(activated.recovery_codes, activated.account,
                                     self.tr("One Time Password activated."))
        dialog.finished.connect(lambda _r: self._after_recovery_codes(entering))
        self.windows.register(windows.RECOVERY_CODES, dialog, keep=True)
        self.windows.present(windows.RECOVERY_CODES)

    def _after_recovery_codes(self, outcome: LogonOutcome) -> None:
        self.windows.close(windows.RECOVERY_CODES)
        if not self._still(outcome):
            return  # closed because the session ended meanwhile
        self._enter(outcome)

    def _offer_after_recovery(self, outcome: LogonOutcome) -> None:
        """After a logon with a recovery code: say how many are left, and offer what
        someone who lost their phone needs, at once and without a second code."""
        from tapemaster_qt.ui.my_otp import NEW_CODES, NEW_PHONE
        from tapemaster_qt.ui.texts import codes_left_text

        window = self.main_window
        if window is None or outcome.session is None or window.session != outcome.session:
            return  # logged out (or on again) meanwhile
        left = outcome.recovery_codes_left or 0
        button = msgbox.Button
        answer = msgbox.choose(
            window, self.tr("One Time Password"),
            self.tr("You logged on with a recovery code. You have {left}.").format(
                left=codes_left_text(left)),
            {button.Yes: self.tr("Move to a New &Phone…"),
             button.Apply: self.tr("New &Recovery Codes…"), button.Close: self.tr("Not Now")},
            default=button.Yes if left else button.Apply,
            informative=(self.tr("Lost or replaced your phone? Move your One Time Password to the "
                                 "new phone now. Running low on codes, or someone may have seen "
                                 "them? Make new ones. Either way, no second code is needed now.")),
            object_name="recoveryLogonMessage",
        )
        if answer == button.Yes:
            window.open_my_one_time_password(proof=outcome.proof, start=NEW_PHONE)
        elif answer == button.Apply:
            window.open_my_one_time_password(proof=outcome.proof, start=NEW_CODES)

    # --- the session ------------------------------------------------------------------------

    def _still(self, outcome: LogonOutcome) -> bool:
        """Whether the session ``outcome`` began is still this program's session (a
        popup or notice may have been open while the heartbeat or idling ended it)."""
        return (self._session is not None and outcome.session is not None
                and self._session.session_id == outcome.session.session_id)

    def _begin_session(self, session: Session) -> None:
        """The session exists from the logon's success, so its heartbeat, the idle limit
        and the activity watch start now: the One Time Password Setup popup (QR and
        Secret Key on screen) is part of the session, not a pause before it."""
        self._session = session
        self._rights = session.tapemaster_rights
        self._no_timeout = session.no_timeout
        self._key_warned = False
        self._store_problem = ""
        self.ctx.session_listener = self._on_session_ended
        self._heartbeat.setInterval(self._heartbeat_ms)
        self._heartbeat.start()
        self._last_activity = time.monotonic()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if not session.no_timeout:
            self._idle_timer.start()
        self._check_idle()

    def _enter(self, outcome: LogonOutcome) -> None:
        from tapemaster_qt.services.session import SessionServices
        from tapemaster_qt.ui.main_window import MainWindow

        session = outcome.session
        if session is None or not self._still(outcome):
            return  # it ended while a dialog was open (the activation notice is modal)
        window = MainWindow(SessionServices(self.ctx, session), outcome, full=self.full,
                            windows=self.windows)
        window.logOutRequested.connect(lambda: self.log_out())
        window.exitRequested.connect(self.exit)
        window.sessionRevoked.connect(
            lambda message: self.log_out(reason="revoked", message=message))
        # What a heartbeat learnt while the QR popup was open holds from the start.
        window.set_tapemaster_rights(self._rights, tell=False)
        window.show_store_problem(self._store_problem)
        # Kept: closing the main window means Exit (eventFilter), not a deleted window.
        self.windows.register(windows.MAIN, window, keep=True)
        self.windows.present(windows.MAIN)
        self._check_idle()  # the status bar says when, or No Time-Out
        kept = self._drafts.pop(session.user_id, None)
        if kept:  # edits not saved when this user's last session ended
            QTimer.singleShot(0, lambda: self._offer_drafts(session, kept))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _activity_events():
            self._last_activity = time.monotonic()
            if self.windows.get(windows.IDLE_NOTICE) is not None:
                self._check_idle()  # the user is back: the countdown goes at once
        elif kind == QEvent.Type.Close and obj is self.main_window:
            # The window's close button means Exit: end the session properly.
            event.ignore()
            QTimer.singleShot(0, self.exit)
            return True
        return False

    @Slot()
    def _check_idle(self) -> None:
        """Log out an idle user; a minute before, count down in a notice; keep the
        status bar's time of the log out up to date. Checks again when something can
        next change (at most every 15 s; every second while counting down)."""
        session, window = self._session, self.main_window
        minutes = max(1, round(self.inactivity_ms / 60000))
        if session is None or not self._idle_timer.isActive():
            self.windows.close(windows.IDLE_NOTICE)
            if session is not None and window is not None:
                window.show_idle_deadline(None)  # No Time-Out
            return
        left_ms = self.inactivity_ms - (time.monotonic() - self._last_activity) * 1000
        if left_ms <= 0:
            self.log_out(
                reason="inactivity",
                message=self.tr("You were logged out after %n minute(s) without activity.",
                                "", minutes),
            )
            return
        if window is not None:
            window.show_idle_deadline(time.time() + left_ms / 1000, minutes)
        if left_ms <= self.idle_warning_ms:
            self._idle_notice().count_down(
                left_ms / 1000, [w.windowTitle() for w, _edits in self.windows.unsaved()])
            next_ms = min(1000.0, left_ms)
        else:
            self.windows.close(windows.IDLE_NOTICE)
            next_ms = min(left_ms - self.idle_warning_ms, IDLE_CHECK_MAX_MS)
        self._idle_timer.setInterval(max(50, int(next_ms)))

    def _idle_notice(self) -> IdleNotice:
        notice = self.windows.get(windows.IDLE_NOTICE)
        if notice is None:
            from tapemaster_qt.ui.idle import IdleNotice

            notice = self.windows.register(windows.IDLE_NOTICE, IdleNotice(self.program))
            notice.stayRequested.connect(self._stay_logged_on)
        return notice  # type: ignore[return-value]

    @Slot()
    def _stay_logged_on(self) -> None:
        self._last_activity = time.monotonic()
        self._check_idle()

    def _offer_drafts(self, session: Session, drafts: list[Draft]) -> None:
        window = self.main_window
        if window is not None and self._session is session:
            window.offer_drafts(drafts)

    # --- the heartbeat: what the store says now --------------------------------------------

    @Slot()
    def _beat(self) -> None:
        session = self._session
        if session is None:
            return
        try:
            self.ctx.store.check_same_store()
            beat = self.logon.heartbeat(session)
        except StoreReplacedError as exc:
            # Nothing more may be written (not even the log out): say so and stop.
            self._end_session("store replaced")
            self._fatal(i18n.error_text(exc))
            return
        except StoreTamperedError as exc:
            # Refused as a whole (rolled back, records put back or removed): as at
            # start, said and the program stops; the store refuses the log out too.
            logger.warning("Session heartbeat: the store is refused: %s", exc.finding)
            self._end_session("store refused")
            self._fatal(i18n.error_text(exc))
            return
        except TapeMasterError as exc:
            self._beat_failed(exc)
            return
        if self._store_problem:
            self._store_problem = ""
            self._heartbeat.setInterval(self._heartbeat_ms)
            logger.info("The user store answers again")
            if self.main_window is not None:
                self.main_window.show_store_problem("")
        if beat.ended is not None:
            self._ended_by_store(session, beat.ended, beat.ended_by)
            return
        self._apply(beat)

    def _beat_failed(self, exc: TapeMasterError) -> None:
        """A store that cannot be reached decides nothing: the session goes on as it
        was, the user is told, and the next try comes sooner."""
        logger.warning("Session heartbeat failed: %s", exc.message)
        self._store_problem = self.tr(
            "The user store cannot be reached; trying again every %n second(s). You are "
            "still logged on.", "", max(1, self._retry_ms() // 1000)
        ) + "\n" + i18n.error_text(exc)
        self._heartbeat.setInterval(self._retry_ms())
        if self.main_window is not None:
            self.main_window.show_store_problem(self._store_problem)

    def _retry_ms(self) -> int:
        return min(self._heartbeat_ms, RETRY_MS)

    def _apply(self, beat: Beat) -> None:
        """What changed for the user since the logon, from now on."""
        from tapemaster_qt.store import KeyStatus

        if beat.tapemaster_rights != self._rights:
            self._rights = beat.tapemaster_rights
            if self.main_window is not None:
                self.main_window.set_tapemaster_rights(self._rights)
        if beat.no_timeout != self._no_timeout:
            self._no_timeout = beat.no_timeout
            if beat.no_timeout:
                self._idle_timer.stop()
            else:
                self._idle_timer.start()  # idle time counts from the last activity
            self._check_idle()  # the status bar: the time of the log out, or No Time-Out
        if beat.key is KeyStatus.STORED:
            self._key_warned = False
        elif beat.key in (KeyStatus.MISSING, KeyStatus.REPLACED) and not self._key_warned:
            self._key_warned = True  # asked once until the key is back
            session = self._session
            QTimer.singleShot(0, lambda: self._key_gone(session, beat.key))

    def _key_gone(self, session: Session | None, status: object) -> None:
        """The store key went missing (or changed) while this program runs: it still
        holds the key in memory and offers to write it back."""
        from tapemaster_qt.store import KeyStatus

        if session is None or session is not self._session:
            return
        parent = self.main_window
        if status is KeyStatus.REPLACED:
            msgbox.critical(
                parent, self.program,
                self.tr("The store key was replaced by a different key while this program was "
                        "running."),
                informative=(self.tr("One Time Password secrets made from now on could not be "
                                     "read by other programs. Close TapeMaster Qt everywhere and "
                                     "ask your administrator to restore the store's own key.")),
                object_name="storeKeyReplacedMessage")
            return
        if not msgbox.confirm(
                parent, self.program,
                self.tr("The store key has disappeared from where this program read it."),
                informative=(self.tr("It protects every One Time Password secret: once the last "
                                     "program holding it closes, enrolled users cannot log on. "
                                     "This program still holds it. Write it back now?")),
                yes=self.tr("&Write It Back"), object_name="storeKeyMissingMessage"):
            return
        if session is not self._session:
            return  # logged out while the question was open
        try:
            where = self.logon.sessions.restore_key(session)
        except TapeMasterError as exc:
            self._key_warned = False  # ask again at the next beat
            msgbox.warning(parent, self.program, i18n.error_text(exc),
                           object_name="storeKeyNotRestoredMessage")
            return
        msgbox.information(parent, self.program,
                           self.tr("The store key was written back to the {where}.").format(
                               where=where), object_name="storeKeyRestoredMessage")

    def _on_session_ended(self, error: SessionEndedError) -> None:
        """A service found, before an action, that this session has ended: log out once
        the window that asked has finished with the refusal."""
        session = self._session
        if session is None or error.session_id != session.session_id:
            return
        self.logon.sessions.mark_ended(session.session_id)  # recorded once, by the check
        QTimer.singleShot(0, lambda: self._ended_by_store(session, error.reason, error.by))

    def _ended_by_store(self, session: Session, reason: str, by: str | None) -> None:
        from tapemaster_qt.ui.texts import session_ended_message

        if session is not self._session:
            return
        logger.info("Logged out by the store: %s", reason)
        self.log_out(reason, session_ended_message(reason, by, self.program))

    def _end_session(self, reason: str) -> None:
        self._idle_timer.stop()
        self._heartbeat.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        session, self._session = self._session, None
        if session is not None:
            # Edits the session's windows had not saved: kept for this user's next
            # logon, in memory only (see ui/windows.py Draft).
            drafts = self.windows.drafts()
            if drafts:
                self._drafts[session.user_id] = drafts
            if not self.logon.logout(session, reason):
                logger.warning("The log out of %s is kept and recorded at the next write",
                               session.user_id)
        # The QR popup and the recovery codes belong to the session: they go with it.
        self.windows.close(windows.OTP_SETUP)
        self.windows.close(windows.RECOVERY_CODES)
        window = self.windows.take(windows.MAIN)
        self.windows.close_all()  # what the session opened: administration, dialogs
        if window is not None:
            window.hide()
            window.deleteLater()

    def log_out(self, reason: str = "", message: str = "") -> None:
        # The logon dialog offers the user who was logged out (who may want back in),
        # not whoever another program remembered for this store meanwhile.
        user_id = self._session.user_id if self._session is not None else None
        self._end_session(reason)
        self.show_logon(message, error=bool(message), user_id=user_id)

    @Slot()
    def exit(self) -> None:
        self._end_session("exit")
        self.finished.emit(0)

    def close(self) -> None:
        """Close every window and the store (the program is ending)."""
        self._end_session("exit")
        self._record_pending_logouts()
        self.windows.close_all(kept_too=True)
        clipboard.clear_pending()  # its timers would never fire: a secret would stay
        if self._ctx is not None:
            self._ctx.store.close()


    def _record_pending_logouts(self) -> None:
        """At exit, the last try for log outs a full disk refused; one that still fails
        is said, not lost silently (it stays in the log, and the session is removed as
        stale once no heartbeat comes)."""
        if self._logon_service is None:
            return
        keeper = self._logon_service.sessions
        keeper.retry_pending()
        for user_id, at in keeper.pending:
            logger.error("The log out of %s at %s could not be recorded in the user store",
                         user_id, at)
            msgbox.warning(
                None, self.program,
                self.tr("The log out of {user} at {time} UTC could not be recorded in the "
                        "user store.").format(user=user_id, time=at[:19].replace("T", " ")),
                informative=(self.tr("The store refused the write (for example, its disk is full). "
                                     "Active Users shows the session until it is cleaned up as "
                                     "stale, a few minutes after this program closes.")),
                object_name="logoutNotRecordedMessage")


class _busy:
    """A wait cursor while a logon is checked (argon2 takes a moment on purpose)."""

    def __enter__(self) -> None:
        from PySide6.QtCore import Qt

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


# --- process set-up ---------------------------------------------------------------------


def build_parser(program: str) -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog=COMMANDS.get(program, "tapemaster"),
        description=f"{program}: TapeTrack-style logon with One Time Passwords.",
    )
    parser.add_argument("--version", action="version",
                        version=f"{COMMANDS.get(program, program)} {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", metavar="DIR", help="the store folder (SQLite)")
    where.add_argument("--store", metavar="LOCATION",
                       help="a store folder, or a postgresql:// URL for a site's shared "
                            f"store (default: ${location.STORE_ENV}, "
                            f"${paths.DATA_DIR_ENV}, the site configuration file, then "
                            "the per-user data folder)")
    parser.add_argument("--lang", metavar="LANGUAGE", choices=i18n.LANGUAGES,
                        help="the language of the windows: "
                             f"{', '.join(i18n.LANGUAGES)} (default: the system's, "
                             "when it is one of these, else en)")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation on a temporary store (an OTP logon, "
                             "the windows rendered offscreen when there is no display) and "
                             "exit 0 when it works")
    return parser


def _qt_message(mode: QtMsgType, _context: object, message: str) -> None:
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    logging.getLogger("tapemaster_qt.qt").log(levels.get(mode, logging.WARNING), "%s", message)


def _install_excepthook(program: str, log_path: Path | None) -> None:
    """An unexpected error is logged with its traceback and shown as one calm sentence."""

    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        logger.error("Unexpected error", exc_info=(kind, value, tb))
        if isinstance(value, TapeMasterError):
            text = i18n.error_text(value)
        else:
            text = QCoreApplication.translate(
                "app", "An unexpected error occurred; your work was not affected.")
            if log_path:
                text += " " + QCoreApplication.translate("app", "Details are in {path}."
                                                         ).format(path=log_path)
        try:
            msgbox.critical(None, program, text, object_name="unexpectedErrorMessage")
        except Exception:  # never let the hook itself fail
            logger.exception("Could not show the error")

    sys.excepthook = hook


def main(argv: Sequence[str] | None = None, program: str = "TapeMaster") -> int:
    """Run one program's whole life and return its exit code (UI-CONTRACT.md)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    data_dir: str | None = None
    store: str | None = None
    language: str | None = None
    if arguments:  # argparse costs start-up time; a plain start has no arguments
        try:
            args = build_parser(program).parse_args(arguments)
        except SystemExit as exc:  # --help, --version or a usage error
            return int(exc.code or 0)
        if args.self_test:
            from tapemaster_qt import selftest

            return selftest.run(program, language=args.lang)
        data_dir, store, language = args.data_dir, args.store, args.lang
    where: StoreLocation | None = None
    location_error: TapeMasterError | None = None
    try:
        where = location.resolve(store, data_dir)
    except TapeMasterError as exc:
        location_error = exc  # shown in a box once there is an application
    log_path = logsetup.configure(where.log_dir() if where is not None
                                  else paths.log_dir(Path(), False))
    notice = ""
    if where is not None and where.is_default and paths.legacy_data_dirs():
        # Windows: move 0.1.0's store (only the per-user default, never a chosen store)
        from tapemaster_qt.store.relocate import Result, settle_default_store

        assert where.folder is not None
        settled = settle_default_store(where.folder)
        where, notice = where.moved_to(settled.folder), settled.notice

    app = QApplication.instance()
    owns_app = app is None
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else COMMANDS.get(program, "tapemaster")])
        app.setApplicationName(program)
        app.setApplicationVersion(__version__)
        app.setOrganizationName(paths.APP_AUTHOR)
        app.setDesktopFileName(APP_ID)  # packaging/<APP_ID>.desktop: icon, name
        qInstallMessageHandler(_qt_message)
        _install_excepthook(program, log_path)
        if log_path is not None:  # no console to print a native crash on: a crash log
            logsetup.enable_crash_log(log_path.parent, COMMANDS.get(program, "tapemaster"))
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    if owns_app or language is not None:  # before the first window is built
        i18n.install(i18n.choose(language))
    if where is None:
        assert location_error is not None
        logger.error("%s %s cannot start: %s", program, __version__, location_error.message)
        msgbox.critical(None, program, i18n.error_text(location_error),
                        object_name="storeErrorMessage")
        return 1
    store_location = where
    logger.info("%s %s starting; store %s (from %s)", program, __version__, where,
                where.source)

    def open_context() -> Context:
        from tapemaster_qt.services import Context
        from tapemaster_qt.store import open_store

        return Context(open_store(store_location, program=program), program=program)

    controller = Controller(
        None, UiState(where), opener=open_context, program=program,
        store_path=paths.store_path(where.folder) if where.folder is not None else None,
        store_label=where.display)
    loop = QEventLoop()
    controller.finished.connect(loop.exit)
    QTimer.singleShot(0, controller.start)
    if notice:  # once the first window is up, say where the store is and why
        QTimer.singleShot(0, functools.partial(
            msgbox.information if settled.result is Result.MOVED else msgbox.warning,
            None, program, notice, object_name="storeLocationMessage"))
    log_problem = logsetup.problem()
    if log_problem:  # a log file refused (a link, a folder others can change), said
        # once the store opened: a store folder others may change is one box, not two
        def say_log_problem() -> None:
            controller.storeOpened.disconnect(say_log_problem)
            msgbox.warning(None, program, log_problem, object_name="logFileMessage")

        controller.storeOpened.connect(say_log_problem)
    try:
        code = loop.exec()
    finally:
        controller.close()
        controller.deleteLater()
    logger.info("%s exiting with %d", program, code)
    if owns_app:
        app.processEvents()
    return code


def run_tapemaster() -> int:
    return main(None, "TapeMaster")


def run_checkpoint() -> int:
    return main(None, "Checkpoint")


def run_lite() -> int:
    return main(None, "Lite")
