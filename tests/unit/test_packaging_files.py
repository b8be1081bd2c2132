"""The committed packaging files read as Windows, Linux and PyInstaller will read them.

No build here (that is ``make test-dist``): the .ico's directory, the PNG sizes, the
desktop entry, the launchers and what tapemaster.spec takes from the package.
"""

from __future__ import annotations

import configparser
import re
import struct
from pathlib import Path

import pytest

from tapemaster_qt import __version__

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
    entry.read(PACKAGING / "tapemaster.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    assert main["Name"] == "TapeMaster"
    assert main["Exec"] == main["TryExec"] == "tapemaster"
    # The same name the programs give Qt (setDesktopFileName), so a Wayland desktop
    # shows this entry's icon on their windows.
    assert main["Icon"] == "tapemaster"
    assert main["Terminal"] == "false"
    actions = [a for a in main["Actions"].split(";") if a]
    assert [entry[f"Desktop Action {a}"]["Exec"] for a in actions] == [
        "tapetrack-checkpoint", "tapetrack-lite"]
    app_py = (ROOT / "src" / "tapemaster_qt" / "app.py").read_text(encoding="utf-8")
    assert 'setDesktopFileName("tapemaster")' in app_py


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
