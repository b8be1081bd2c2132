"""``--self-test``: prove that this installation (frozen or not) can do a whole OTP logon.

Support staff run it after installing or building a bundle; ``make test-dist`` runs it
on every frozen program. It works on a temporary store that is deleted afterwards,
never touches the real store or the OS keyring (the store key goes to a key file in
the temporary folder), and uses the production argon2 profile, so it also shows that
argon2, cryptography (AES-GCM), keyring's backends, qrcode and the Qt plugins that
the windows need are all in the bundle.

One line per check on standard output, then ``self-test passed`` (exit code 0), or
the failed check and why (exit code 1). Without a display it renders offscreen.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tapemaster_qt import __version__

USER_ID = "selftest"


class SelfTestFailure(Exception):
    """A check did not hold; the message says what was expected and what was seen."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def _needs_offscreen() -> bool:
    """No platform chosen and nothing to show windows on (a server, CI, ssh)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform in ("win32", "darwin"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _output() -> TextIO | None:
    """Standard output; a windowed Windows program has none, so borrow the console of
    the shell that started it, if any (the exit code tells the result regardless)."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform == "win32":
        try:
            import ctypes

            if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
                return open("CONOUT$", "w", encoding="utf-8", errors="replace")
        except (OSError, AttributeError):
            pass
    return None


class _Report:
    def __init__(self, out: TextIO | None) -> None:
        self._out = out

    def line(self, text: str) -> None:
        if self._out is not None:
            print(text, file=self._out, flush=True)


def run(program: str = "TapeMaster", language: str | None = None) -> int:
    """Run every check for ``program``; return 0 when all hold, else 1. ``language``
    (``--lang``): the windows rendered speak it (default English, whatever the system's
    locale, so that the report reads the same everywhere)."""
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    report = _Report(_output())
    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    report.line(f"{program} {__version__} self-test{frozen}")
    folder = Path(tempfile.mkdtemp(prefix="tapemaster-self-test-"))
    state: dict[str, Any] = {"program": program, "folder": folder,
                             "language": language or "en"}
    step = "start"
    capture = _captured_warnings()
    try:
        with _fail_keyring(), capture:
            try:
                for name, check in _CHECKS:
                    step = name
                    report.line(f"ok    {check(state)}")
            finally:
                _cleanup(state)
    except Exception as exc:  # every failure, expected or not, is a result to report
        reason = str(exc) if isinstance(exc, SelfTestFailure) else f"{type(exc).__name__}: {exc}"
        report.line(f"FAIL  {step}: {reason}")
        for message in capture.messages:
            report.line(f"      logged: {message}")
        report.line("self-test FAILED")
        return 1
    report.line("self-test passed")
    return 0


class _fail_keyring:
    """The self-test never reads or writes the OS keyring: keyring's 'fail' backend
    makes the store keep its key in a key file inside the temporary folder."""

    def __enter__(self) -> None:
        import keyring
        from keyring.backends import fail

        self._previous = keyring.get_keyring()
        keyring.set_keyring(fail.Keyring())

    def __exit__(self, *exc: object) -> None:
        import keyring

        keyring.set_keyring(self._previous)


class _captured_warnings:
    """The package's log records, kept to explain a failure instead of printed: the
    expected 'no working OS keyring' warning is not news during a self-test."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __enter__(self) -> None:
        import logging

        messages = self.messages

        class _Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")

        self._logger = logging.getLogger("tapemaster_qt")
        self._saved = (self._logger.handlers[:], self._logger.propagate, self._logger.level)
        self._logger.handlers = [_Keep(logging.WARNING)]
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)

    def __exit__(self, *exc: object) -> None:
        handlers, propagate, level = self._saved
        self._logger.handlers = handlers
        self._logger.propagate = propagate
        self._logger.setLevel(level)


def _cleanup(state: dict[str, Any]) -> None:
    for name in ("otp_dialog", "login_dialog"):
        widget = state.pop(name, None)
        if widget is not None:
            widget.close()
            widget.deleteLater()
    store = state.pop("store", None)
    if store is not None:
        store.close()
        from tapemaster_qt.store import trust

        trust.forget(store.identity)  # the temporary store leaves no record behind
    app = state.get("app")
    if app is not None:
        app.processEvents()
    shutil.rmtree(state["folder"], ignore_errors=True)


# --- the checks, in order; each returns the line it prints -------------------------------


def _check_keyring_backends(state: dict[str, Any]) -> str:
    # keyring finds its backends through entry points: in a bundle this needs keyring's
    # metadata and the keyring.backends modules, which PyInstaller does not see on its own.
    from importlib.metadata import entry_points

    found = entry_points(group="keyring.backends")
    names = sorted(ep.name for ep in found)
    _require(names, "keyring has no backends (its package metadata is missing)")
    for ep in found:
        try:
            ep.load()
        except ImportError as exc:
            raise SelfTestFailure(f"keyring backend {ep.name} cannot be imported: {exc}") from None
    return f"keyring backends importable: {', '.join(names)}"


def _check_qt(state: dict[str, Any]) -> str:
    from PySide6.QtWidgets import QApplication

    from tapemaster_qt.ui import resources

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "tapemaster"])
    _require(isinstance(app, QApplication), "a Qt application without widgets is running")
    state["app"] = app
    svg = resources.read_bytes("icons/tapemaster.svg")
    _require(svg.startswith(b"<?xml") or b"<svg" in svg[:400],
             "the application icon in the package resources is not an SVG")
    icon = resources.app_icon()
    _require(not icon.isNull() and icon.availableSizes(),
             "the application icon did not render from its SVG")
    sizes = ", ".join(str(s.width()) for s in icon.availableSizes())
    return (f"Qt {_qt_version()} on the {app.platformName()} platform; "
            f"application icon rendered from package resources ({sizes} px)")


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return qVersion()


def _check_translations(state: dict[str, Any]) -> str:
    """Every shipped catalogue loads and translates the logon dialog's title, and Qt's
    own catalogue is there for the standard buttons; then the language asked for."""
    from PySide6.QtCore import QCoreApplication

    from tapemaster_qt.ui import i18n

    seen = []
    try:
        for language in i18n.SHIPPED:
            _require(i18n.install(language) == language,
                     f"the {language} catalogue cannot be loaded from "
                     f"{i18n.catalogue_path(language)}")
            title = QCoreApplication.translate("LoginDialog", "TapeTrack Logon — {program}")
            _require(title != "TapeTrack Logon — {program}",
                     f"the {language} catalogue does not translate the logon dialog")
            qt_context = "QPlatformTheme"  # Qt's own catalogue (not in ours)
            cancel = QCoreApplication.translate(qt_context, "Cancel")
            _require(cancel != "Cancel", f"Qt's qtbase_{language}.qm is missing (its "
                     "standard buttons would be English)")
            seen.append(f"{language} ({title.format(program=state['program'])}; {cancel})")
    finally:
        i18n.install(i18n.choose(state["language"]))
    return (f"translations: {', '.join(seen)}; the windows speak "
            f"{i18n.current()}")


def _check_store(state: dict[str, Any]) -> str:
    from tapemaster_qt.services import Context
    from tapemaster_qt.services.passwords import PRODUCTION, random_password
    from tapemaster_qt.services.setup import set_initial_password
    from tapemaster_qt.store import open_store

    store = open_store(state["folder"])
    state["store"] = store
    ctx = Context(store, program=state["program"])  # the production argon2 profile
    state["ctx"] = ctx
    started = time.perf_counter()
    set_initial_password(ctx, random_password())
    took = time.perf_counter() - started
    _require(not store.key_description().lower().startswith("os keyring"),
             f"the self-test store key went to the {store.key_description()}")
    return (f"temporary store created; tapemaster password hashed with {PRODUCTION.describe()} "
            f"in {took:.2f} s")


def _check_add_user(state: dict[str, Any]) -> str:
    from tapemaster_qt.services import Actor
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.passwords import random_password
    from tapemaster_qt.store import BUILTIN_USER

    admin = AdminService(state["ctx"], Actor.for_user(BUILTIN_USER))
    password = random_password()
    user = admin.add_user({"user_id": USER_ID, "name": "Self Test", "otp_enabled": True},
                          password)
    _require(user.otp_enabled and not user.otp_activated,
             f"{USER_ID} should have One Time Password enabled, not activated")
    state["password"] = password
    return f"user {USER_ID} added with One Time Password enabled (secret sealed with AES-GCM)"


def _check_enrolment(state: dict[str, Any]) -> str:
    from tapemaster_qt.services.auth import LogonService, LogonStatus

    logon = LogonService(state["ctx"])
    state["logon"] = logon
    outcome = logon.logon(USER_ID, state["password"])
    _require(outcome.status is LogonStatus.ENROLMENT,
             f"a logon with the password should start enrolment, got {outcome.status.value}")
    uri = outcome.provisioning_uri or ""
    _require(uri.startswith("otpauth://totp/"), "enrolment gave no provisioning URI")
    state["outcome"] = outcome
    if outcome.session is not None:
        logon.logout(outcome.session, "self-test")
    return "logon with the password: enrolment, with a provisioning URI"


def _grab(widget: Any) -> Any:
    """The widget rendered to an image (without showing it on the screen)."""
    from PySide6.QtGui import QImage

    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    _require(not image.isNull() and image.width() > 0 and image.height() > 0,
             f"{widget.objectName()} rendered to an empty image")
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    _require(len(colours) > 1, f"{widget.objectName()} rendered as a blank image")
    return image


def _check_login_dialog(state: dict[str, Any]) -> str:
    from PySide6.QtWidgets import QLineEdit

    from tapemaster_qt.ui.logon import LoginDialog

    dialog = LoginDialog(state["program"], USER_ID)
    state["login_dialog"] = dialog
    for name in ("userIdEdit", "passwordEdit", "otpEdit"):
        _require(dialog.findChild(QLineEdit, name) is not None, f"the logon dialog has no {name}")
    image = _grab(dialog)
    return (f"logon dialog rendered ({image.width()}x{image.height()} px): "
            f"{dialog.windowTitle()}")


def _check_otp_dialog(state: dict[str, Any]) -> str:
    from PySide6.QtGui import qGray
    from PySide6.QtWidgets import QLineEdit

    from tapemaster_qt.ui.otp_setup import OtpSetupDialog, QrCodeLabel, qr_matrix

    outcome = state["outcome"]
    uri = outcome.provisioning_uri
    dialog = OtpSetupDialog(uri, outcome.secret_key or "", outcome.account,
                            state["program"])
    state["otp_dialog"] = dialog
    label = dialog.findChild(QrCodeLabel, "qrCodeLabel")
    _require(label is not None, "the One Time Password Setup has no qrCodeLabel")
    expected = qr_matrix(uri)
    _require(label.matrix == expected, "the QR code shown is not the provisioning URI's")
    secret_edit = dialog.findChild(QLineEdit, "secretKeyEdit")
    _require(secret_edit is not None
             and secret_edit.text().replace(" ", "") == _secret_b32(uri),
             "the Secret Key shown is not the provisioning URI's secret")
    _grab(dialog)
    # Read the painted QR back, module by module: what a phone's camera would see.
    image = _grab(label)
    n = len(expected)
    module = image.width() // n
    _require(module >= 1, f"the QR is painted smaller than its {n} modules")
    left = (image.width() - module * n) // 2
    top = (image.height() - module * n) // 2
    wrong = sum(
        (qGray(image.pixel(left + x * module + module // 2,
                           top + y * module + module // 2)) < 128) != dark
        for y, row in enumerate(expected) for x, dark in enumerate(row)
    )
    _require(wrong == 0, f"{wrong} of {n * n} QR modules are painted wrongly")
    return (f"One Time Password Setup rendered; its {n}x{n} QR matches the provisioning "
            "URI, read back module by module")


def _secret_b32(uri: str) -> str:
    from urllib.parse import parse_qs, urlparse

    values = parse_qs(urlparse(uri).query).get("secret", [""])
    return values[0]


def _check_activation(state: dict[str, Any]) -> str:
    import base64

    from tapemaster_qt.services import totp
    from tapemaster_qt.services.auth import LogonStatus

    b32 = _secret_b32(state["outcome"].provisioning_uri)
    secret = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    code = totp.code_at(secret, totp.time_step(state["ctx"].now()))
    outcome = state["logon"].logon(USER_ID, state["password"], code)
    _require(outcome.status is LogonStatus.ACTIVATED,
             f"the current code should activate OTP, got {outcome.status.value}")
    if outcome.session is not None:
        state["logon"].logout(outcome.session, "self-test")
    state["code"] = code
    _require(len(set(outcome.recovery_codes)) == 10,
             f"activation should give 10 recovery codes, got {len(outcome.recovery_codes)}")
    state["recovery_codes"] = outcome.recovery_codes
    return ("the authenticator's current code accepted: One Time Password activated, "
            "with 10 recovery codes")


def _check_replay(state: dict[str, Any]) -> str:
    from tapemaster_qt.services.auth import LogonStatus

    outcome = state["logon"].logon(USER_ID, state["password"], state["code"])
    _require(outcome.status is LogonStatus.OTP_REPLAY,
             f"the same code a second time should be refused, got {outcome.status.value}")
    return "the same code a second time refused as a replay"


def _check_recovery_code(state: dict[str, Any]) -> str:
    from tapemaster_qt.services.auth import LogonStatus
    from tapemaster_qt.services.passwords import RECOVERY_CODES
    from tapemaster_qt.services.recovery import formatted

    code = formatted(state["recovery_codes"][0]).upper()
    first = state["logon"].logon(USER_ID, state["password"], code)
    _require(first.status is LogonStatus.RECOVERY,
             f"a recovery code should log on once, got {first.status.value}")
    if first.session is not None:
        state["logon"].logout(first.session, "self-test")
    again = state["logon"].logon(USER_ID, state["password"], code)
    _require(again.status is LogonStatus.BAD_RECOVERY_CODE,
             f"a used recovery code should be refused, got {again.status.value}")
    return (f"a recovery code ({RECOVERY_CODES.describe()}) logged on once, "
            f"{first.recovery_codes_left} left; refused the second time")


_CHECKS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("keyring", _check_keyring_backends),
    ("Qt", _check_qt),
    ("translations", _check_translations),
    ("store", _check_store),
    ("add user", _check_add_user),
    ("enrolment", _check_enrolment),
    ("logon dialog", _check_login_dialog),
    ("QR popup", _check_otp_dialog),
    ("activation", _check_activation),
    ("replay", _check_replay),
    ("recovery code", _check_recovery_code),
]
