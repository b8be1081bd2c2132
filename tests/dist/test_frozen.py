"""The frozen bundle (dist/tapemaster/, built by ``make dist``) run as support staff run it.

Every GUI program passes its ``--self-test`` (a whole OTP logon with the windows
rendered, argon2, cryptography and keyring's backends working frozen), every
executable prints the package's version, and the frozen admin CLI runs a scripted
session. Marked ``dist``: ``make test`` leaves these out (pytest does not even look in a
folder named ``dist`` unless given its path), ``make test-dist`` builds the bundle when
it is missing or stale and runs only these. Run by hand (``pytest -m dist tests/dist``)
they do not build: a missing bundle fails with a message to run ``make dist``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapemaster_qt import APP_ID, __version__

pytestmark = pytest.mark.dist

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "tapemaster"
SUFFIX = ".exe" if sys.platform == "win32" else ""
GUI_PROGRAMS = {"tapemaster": "TapeMaster", "tapetrack-checkpoint": "Checkpoint",
                "tapetrack-lite": "Lite"}
CLI = "tapemaster-admin"
ADMIN_PASSWORD = "Tape-Admin-2026"
ALICE_PASSWORD = "Alice-Secret-42"


def executable(name: str) -> Path:
    path = BUNDLE / f"{name}{SUFFIX}"
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build the bundle with 'make dist' "
                    "('make test-dist' builds it before testing)", pytrace=False)
    return path


def run(name: str, *args: str, stdin: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    environment.update(env or {})
    return subprocess.run(
        [str(executable(name)), *args], input=stdin, capture_output=True, text=True,
        timeout=180, env=environment, check=False,
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


@pytest.mark.parametrize("name", list(GUI_PROGRAMS))
def test_gui_program_passes_its_self_test(name: str) -> None:
    result = run(name, "--self-test")
    assert result.returncode == 0, explain(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{GUI_PROGRAMS[name]} {__version__} self-test (frozen)", explain(result)
    assert lines[-1] == "self-test passed", explain(result)
    checks = [line for line in lines[1:-1] if line.startswith("ok ")]
    assert len(checks) == len(lines) - 2 >= 9, explain(result)
    assert any("argon2id t=3, m=65536 KiB, p=4" in line for line in checks)
    assert any("QR matches the provisioning URI" in line for line in checks)
    assert any("One Time Password activated" in line for line in checks)
    # Qt says nothing: a missing plugin or library would show here first.
    assert result.stderr == "", explain(result)


@pytest.mark.parametrize("name", list(GUI_PROGRAMS))
def test_a_frozen_program_started_with_lang_de_speaks_german(name: str) -> None:
    """The catalogues and Qt's own qtbase_de.qm are in the bundle: the logon dialog is
    rendered in German, and Qt's Cancel reads Abbrechen."""
    result = run(name, "--self-test", "--lang", "de")
    assert result.returncode == 0, explain(result)
    program = GUI_PROGRAMS[name]
    lines = result.stdout.splitlines()
    assert (f"ok    translations: de (TapeTrack-Anmeldung — {program}; Abbrechen); the "
            "windows speak de") in lines, explain(result)
    assert any(line.startswith("ok    logon dialog rendered")
               and line.endswith(f": TapeTrack-Anmeldung — {program}") for line in lines)
    assert not list(BUNDLE.rglob("tapemaster_*.ts")), "the .ts sources are not shipped"
    kept = sorted(p.name for p in BUNDLE.rglob("*.qm") if p.name.startswith("qt"))
    assert kept == ["qtbase_de.qm"], kept  # Qt's own, only for the shipped language


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("xvfb-run"),
                    reason="needs Linux and xvfb-run")
def test_self_test_on_an_x11_display() -> None:
    """The xcb platform plugin and the X11 libraries it needs are in the bundle."""
    environment = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        ["xvfb-run", "-a", str(executable("tapetrack-lite")), "--self-test"],
        capture_output=True, text=True, timeout=180, env=environment, check=False,
    )
    assert result.returncode == 0, explain(result)
    assert "on the xcb platform" in result.stdout, explain(result)
    assert result.stdout.splitlines()[-1] == "self-test passed"


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("weston"),
                    reason="needs Linux and weston (Debian package weston)")
def test_self_test_on_a_wayland_display(tmp_path: Path) -> None:
    """The wayland platform plugin, its xdg-shell integration and libraries are bundled."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    environment.update(XDG_RUNTIME_DIR=str(runtime), WAYLAND_DISPLAY="tapemaster-test")
    compositor = subprocess.Popen(
        ["weston", "--backend=headless-backend.so", "--socket=tapemaster-test",
         "--idle-time=0"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not (runtime / "tapemaster-test").exists():
            assert compositor.poll() is None, "weston did not start"
            assert time.monotonic() < deadline, "weston did not open its socket"
            time.sleep(0.1)
        result = subprocess.run(
            [str(executable("tapetrack-checkpoint")), "--self-test"], capture_output=True,
            text=True, timeout=180, env=environment, check=False,
        )
    finally:
        compositor.terminate()
        compositor.wait(timeout=20)
    assert result.returncode == 0, explain(result)
    assert "on the wayland platform" in result.stdout, explain(result)
    assert result.stdout.splitlines()[-1] == "self-test passed"


@pytest.mark.parametrize("name", [*GUI_PROGRAMS, CLI])
def test_version_is_the_package_version(name: str) -> None:
    result = run(name, "--version")
    assert result.returncode == 0, explain(result)
    assert result.stdout == f"{name} {__version__}\n"


def test_admin_cli_session(tmp_path: Path) -> None:
    store = str(tmp_path / "store")

    def admin(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = run(CLI, "--data-dir", store, *args, stdin=stdin)
        assert result.returncode == 0, f"{' '.join(args)}: {explain(result)}"
        return result

    assert "Initialised the store" in admin("init", "--password-stdin",
                                            stdin=ADMIN_PASSWORD + "\n").stdout
    admin("user", "add", "alice", "--name", "Alice Archer", "--password-stdin",
          stdin=ALICE_PASSWORD + "\n")
    admin("otp", "enable", "alice")
    status = json.loads(admin("otp", "status", "alice", "--json").stdout)
    assert status == {"user_id": "alice", "otp_enabled": True, "otp_activated": False,
                      "recovery_codes_left": 0}

    events = json.loads(admin("audit", "--json").stdout)
    seen = {(e["event"], e["user_id"]) for e in events}
    assert {("password_changed", "tapemaster"), ("user_created", "alice"),
            ("otp_enabled", "alice")} <= seen
    assert all(e["actor"].startswith("cli:") for e in events if e["user_id"] == "alice")
    assert all(e["program"] == CLI for e in events)

    # The store key went to the key file (no OS keyring here) and is private.
    info = admin("info").stdout
    assert "store.key" in info or "keyring" in info.lower()
    # A usage error is still exit code 2, with argparse's message.
    wrong = run(CLI, "--data-dir", store, "user", "frobnicate")
    assert wrong.returncode == 2, explain(wrong)
    assert "invalid choice" in wrong.stderr


def test_admin_cli_on_a_postgresql_store(pg_database) -> None:
    """The frozen CLI creates and uses a site's store on PostgreSQL: psycopg, its libpq
    and TLS libraries travel in the bundle (a desktop needs no PostgreSQL client)."""
    from pgcluster import APP, OWNER

    def admin(role: str, *args: str, stdin: str | None = None
              ) -> subprocess.CompletedProcess[str]:
        return run(CLI, "--store", pg_database.url(role), *args, stdin=stdin,
                   env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})

    made = admin(OWNER, "init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert made.returncode == 0 and "Initialised the store" in made.stdout, explain(made)
    added = admin(APP, "user", "add", "alice", "--password-stdin", stdin=ALICE_PASSWORD + "\n")
    assert added.returncode == 0, explain(added)
    info = admin(APP, "info")
    assert info.returncode == 0, explain(info)
    shown = pg_database.location(APP).display
    assert info.stdout.splitlines()[0] == f"Store:       {shown}"
    assert pg_database.cluster.passwords[APP] not in info.stdout
    users = json.loads(admin(APP, "user", "list", "--json").stdout)
    assert [u["user_id"] for u in users] == ["alice", "tapemaster"]
    refused = run(CLI, "--store", pg_database.url(APP).replace(
        pg_database.cluster.passwords[APP], "Wrong-Password-1"), "info")
    assert refused.returncode == 1 and "refused the user name or password" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_bundle_is_trimmed() -> None:
    """What tapemaster.spec filters out stays out (the size the README reports)."""
    internal = executable("tapemaster").parent / "_internal"
    names = [p.relative_to(internal).as_posix() for p in internal.rglob("*")]
    # Translations: ours, and Qt's own only for the translated language (standard buttons).
    assert sorted(n for n in names if n.endswith(".qm")) == [
        "PySide6/Qt/translations/qtbase_de.qm",
        "tapemaster_qt/resources/i18n/tapemaster_de.qm",
        "tapemaster_qt/resources/i18n/tapemaster_en.qm",
    ], "Qt translations beyond qtbase_de.qm were bundled"
    for unwanted in ("Qt6Quick", "Qt6Qml", "Qt6Pdf", "Qt6WebEngine", "Qt6Network",
                     "libqgtk3", "libqeglfs", "libqvnc", "libqjpeg"):
        assert not [n for n in names if unwanted in n], f"{unwanted} was bundled"
    assert any(n.endswith(("tapemaster_qt/resources/icons/tapemaster.svg",)) for n in names)
    assert any(n.startswith("keyring-") and n.endswith("entry_points.txt") for n in names)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop entry")
def test_linux_desktop_entry_metainfo_and_icons_beside_the_programs() -> None:
    share = executable("tapemaster").parent / "share"
    entry = (share / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    commands = [line.split("=", 1)[1] for line in entry.splitlines()
                if line.startswith("Exec=")]
    assert commands == ["tapemaster", "tapetrack-checkpoint", "tapetrack-lite"]
    for command in commands:
        assert (BUNDLE / command).is_file()
    assert f"Icon={APP_ID}" in entry.splitlines()
    metainfo = (share / "metainfo" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in metainfo
    for size in (16, 24, 32, 48, 64, 128, 256):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
                ).is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_licence_and_third_party_notices_beside_the_programs() -> None:
    """The notices name what is bundled, at the bundled version, with the licence texts."""
    folder = executable("tapemaster").parent
    assert "proprietary" in (folder / "LICENSE.txt").read_text(encoding="utf-8")
    notices = (folder / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    assert notices.startswith(f"THIRD-PARTY NOTICES for TapeMaster Qt {__version__}")
    internal = folder / "_internal"
    bundled = dict(p.name.removesuffix(".dist-info").split("-", 1)
                   for p in internal.glob("*.dist-info"))
    # keyring's metadata is collected (its backends are found through it): the version
    # in the notices is the one in the bundle.
    assert f"keyring {bundled['keyring']}" in notices
    for name in ("PySide6_Essentials", "shiboken6", "cryptography", "argon2-cffi", "cffi", "PyOTP",
                 "qrcode", "platformdirs", "PyInstaller", "Python 3."):
        assert f"\n{name}" in notices, f"{name} is missing from THIRD-PARTY-NOTICES"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in notices
    assert "GNU GENERAL PUBLIC LICENSE" in notices
    assert "Bootloader" in notices or "bootloader" in notices
    # Pillow is a build-time tool only, and the test tools never reach the bundle.
    for absent in ("Pillow", "pytest", "zxing"):
        assert f"\n{absent} " not in notices
