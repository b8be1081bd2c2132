"""The committed packaging files read as Windows, Linux and PyInstaller will read them.

No build here (that is ``make test-dist``): the .ico's directory, the PNG sizes, the
desktop entry, the launchers and what tapemaster.spec takes from the package.
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tapemaster_qt import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_ico_holds_every_size_in_32_bits() -> None:
    """Read as Windows reads it: a directory of 32-bit entries, each a PNG of its size
    (make_icons.py writes the .ico with Pillow; this reads the bytes without it)."""
    data = (PACKAGING / "icons" / "tapemaster.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(SIZES))
    seen = []
    for i in range(count):
        width, height, _colours, _r, _planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        size = width or 256
        assert (width, bits) == (height, 32)
        assert offset + length <= len(data)
        image = data[offset: offset + length]
        assert png_size(image) == (size, size)
        seen.append(size)
    assert seen == list(SIZES)


def test_icns_holds_every_retina_size() -> None:
    """The macOS icon: 'icns', its length, then typed entries, each a PNG of the size
    its type stands for (16 to 512 px at 1x and 2x)."""
    data = (PACKAGING / "icons" / "tapemaster.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    pixels = {b"ic11": 32, b"ic12": 64, b"ic07": 128, b"ic13": 256, b"ic08": 256,
              b"ic14": 512, b"ic09": 512, b"ic10": 1024}
    found = {}
    at = 8
    while at < len(data):
        kind, length = data[at:at + 4], struct.unpack(">I", data[at + 4:at + 8])[0]
        assert length >= 8 and at + length <= len(data)
        if kind in pixels:
            found[kind] = png_size(data[at + 8:at + length])
        at += length
    assert found == {kind: (size, size) for kind, size in pixels.items()}


@pytest.mark.parametrize("size", SIZES)
def test_png_sizes(size: int) -> None:
    data = (PACKAGING / "icons" / f"tapemaster-{size}.png").read_bytes()
    assert png_size(data) == (size, size)


def test_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(PACKAGING / f"{APP_ID}.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    assert main["Name"] == "TapeMaster"
    assert main["Exec"] == main["TryExec"] == "tapemaster"
    # Named like the desktop entry and the application id the programs give Qt
    # (setDesktopFileName), so a Wayland desktop shows this entry's icon on their windows.
    assert main["Icon"] == APP_ID
    assert main["Terminal"] == "false"
    actions = [a for a in main["Actions"].split(";") if a]
    assert [entry[f"Desktop Action {a}"]["Exec"] for a in actions] == [
        "tapetrack-checkpoint", "tapetrack-lite"]
    app_py = (ROOT / "src" / "tapemaster_qt" / "app.py").read_text(encoding="utf-8")
    assert "setDesktopFileName(APP_ID)" in app_py


def test_application_id_is_reverse_dns() -> None:
    parts = APP_ID.split(".")
    assert len(parts) >= 3 and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", p) for p in parts)
    assert parts[0] == parts[0].lower() and parts[1] == parts[1].lower()  # the domain
    assert [p.name for p in PACKAGING.glob("*.desktop")] == [f"{APP_ID}.desktop"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"),
                    reason="desktop-file-validate (Debian package desktop-file-utils) is "
                           "not installed")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(PACKAGING / f"{APP_ID}.desktop")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def metainfo() -> ET.Element:
    return ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()  # noqa: S314  (ours)


def test_metainfo_names_the_application() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("launchable").get("type") == "desktop-id"  # type: ignore[union-attr]
    binaries = [b.text for b in root.iter("binary")]
    assert binaries == ["tapemaster", "tapetrack-checkpoint", "tapetrack-lite",
                        "tapemaster-admin"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "LicenseRef-Proprietary"' in pyproject
    assert root.findtext("project_license") == "LicenseRef-proprietary"


def test_metainfo_releases_are_the_changelogs() -> None:
    """Every release in CHANGELOG.md, with its date, and nothing else, newest first."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d\d-\d\d)$", changelog, re.M)
    assert released, "CHANGELOG.md names no release"
    releases = [(r.get("version"), r.get("date")) for r in metainfo().iter("release")]
    assert releases == released
    # The package is that release, or a later one in the making.
    newest = tuple(int(n) for n in released[0][0].split("."))
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", __version__)
    assert match and tuple(int(n) for n in match.groups()) >= newest


@pytest.mark.skipif(not shutil.which("appstreamcli"),
                    reason="appstreamcli (Debian package appstream) is not installed")
def test_metainfo_validates() -> None:
    """What software centres read must pass AppStream's own validator (no network)."""
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(PACKAGING / f"{APP_ID}.metainfo.xml")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if line.startswith(("E:", "W:"))]
    assert not problems, result.stdout


@pytest.mark.parametrize(("launcher", "call"), [
    ("launch_tapemaster.py", 'main(None, "TapeMaster")'),
    ("launch_checkpoint.py", 'main(None, "Checkpoint")'),
    ("launch_lite.py", 'main(None, "Lite")'),
    ("launch_admin.py", "main()"),
])
def test_launchers_start_their_program(launcher: str, call: str) -> None:
    text = (PACKAGING / launcher).read_text(encoding="utf-8")
    assert f"sys.exit({call})" in text
    assert launcher in (ROOT / "tapemaster.spec").read_text(encoding="utf-8")


def test_spec_takes_the_version_from_the_package() -> None:
    spec = (ROOT / "tapemaster.spec").read_text(encoding="utf-8")
    assert "from tapemaster_qt import __version__" in spec
    assert not re.search(r"""["']\d+\.\d+\.\d+["']""", spec), "a version number copied in"
    assert __version__  # the one the bundle reports (tests/dist checks --version)
    assert "tapemaster.ico" in spec
    assert "tapemaster.icns" in spec and "bundle_identifier=APP_ID" in spec


def test_the_dist_lock_pins_every_dependency_with_hashes() -> None:
    """make dist installs only packaging/dist-requirements.txt: it must hold every
    dependency of pyproject.toml (run-time and the dist extras) at a version the
    project accepts, each with its hashes. A dependency changed without 'make lock'
    fails here."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]
              + project["optional-dependencies"]["dist"]]
    lock = (PACKAGING / "dist-requirements.txt").read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", lock):
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in the lock: run make lock"
        assert requirement.specifier.contains(pins[name]), (
            f"the lock has {name} {pins[name]}, pyproject wants {requirement.specifier}")
