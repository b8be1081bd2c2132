"""Render the application icon's SVG into the PNG sizes and the Windows .ico.

    .venv/bin/python packaging/make_icons.py

The results are committed (packaging/icons/), so building a bundle needs neither a
display nor this script; run it again only when src/tapemaster_qt/resources/icons/
tapemaster.svg changes. Qt renders the SVG (offscreen, no display needed).

Why not Qt's own .ico writer (the qico image plugin): it writes one image per file,
and Windows picks the size it needs from a multi-size .ico (16 px in a title bar,
32 or 48 px in Explorer, 256 px on a high-DPI desktop). So the .ico is assembled
here: 32-bit BMP entries up to 128 px (what every Windows version reads) and a PNG
entry for 256 px, as Windows' own icons are made.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "src" / "tapemaster_qt" / "resources" / "icons" / "tapemaster.svg"
OUT = ROOT / "packaging" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_IN_ICO_FROM = 256


def render(size: int):  # -> QImage
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(SVG.read_bytes()))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image) -> bytes:
    """A 32-bit DIB as an .ico holds it: BITMAPINFOHEADER with double height,
    BGRA rows bottom-up, then a 1-bit AND mask (all zero: the alpha channel rules)."""
    from PySide6.QtGui import QImage

    size = image.width()
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)  # B, G, R, A in memory
    row_bytes = size * 4
    bits = bytes(argb.constBits())
    stride = argb.bytesPerLine()
    pixels = b"".join(bits[y * stride: y * stride + row_bytes] for y in reversed(range(size)))
    mask_row = ((size + 31) // 32) * 4
    mask = bytes(mask_row * size)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0,
                         len(pixels) + len(mask), 0, 0, 0, 0)
    return header + pixels + mask


def ico_bytes(images: dict[int, object]) -> bytes:
    entries = []
    for size in ICO_SIZES:
        image = images[size]
        data = png_bytes(image) if size >= PNG_IN_ICO_FROM else bmp_entry(image)
        entries.append((size, data))
    header = struct.pack("<HHH", 0, 1, len(entries))
    offset = len(header) + 16 * len(entries)
    directory = b""
    blobs = b""
    for size, data in entries:
        # Width and height 0 mean 256.
        directory += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32,
                                 len(data), offset + len(blobs))
        blobs += data
    return header + directory + blobs


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImageReader

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: render(size) for size in SIZES}
    for size, image in images.items():
        path = OUT / f"tapemaster-{size}.png"
        path.write_bytes(png_bytes(image))
        print(f"wrote {path.relative_to(ROOT)}")
    ico = OUT / "tapemaster.ico"
    ico.write_bytes(ico_bytes(images))
    # Read it back with Qt's own .ico reader: every size must be there.
    reader = QImageReader(str(ico), b"ico")
    count = reader.imageCount()
    if count != len(ICO_SIZES):
        raise SystemExit(f"{ico}: Qt reads {count} images, expected {len(ICO_SIZES)}")
    print(f"wrote {ico.relative_to(ROOT)} ({', '.join(map(str, ICO_SIZES))} px)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
