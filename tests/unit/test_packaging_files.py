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
    data = (PACKAGING / "icons" / "tapemaster.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(SIZES))
    seen = []
    for i in range(count):
        width, height, _colours, _r, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        size = width or 256
        assert (width, planes, bits) == (height, 1, 32)
        assert offset + length <= len(data)
        image = data[offset: offset + length]
        if image.startswith(PNG_SIGNATURE):
            assert png_size(image) == (size, size)
        else:  # a DIB: BITMAPINFOHEADER, double height (colour + mask), 32 bits
            header, dib_width, dib_height, _planes, dib_bits = struct.unpack(
                "<IiiHH", image[:16])
            assert (header, dib_width, dib_height, dib_bits) == (40, size, 2 * size, 32)
            assert length == 40 + size * size * 4 + ((size + 31) // 32) * 4 * size
        seen.append(size)
    assert seen == list(SIZES)


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
