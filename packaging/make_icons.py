"""Render the application icon's SVG into the PNG sizes, the Windows .ico and the macOS
.icns.

    make icons      (.venv/bin/python packaging/make_icons.py, with the dev group)

The results are committed (packaging/icons/), so building a bundle needs neither a
display nor this script; run it again only when src/tapemaster_qt/resources/icons/
tapemaster.svg changes. Qt renders the SVG at every size (offscreen, no display needed:
each size drawn from the vector, not scaled down from a big bitmap), and Pillow writes
the icon containers from those renderings:

- tapemaster.ico: 16 to 256 px, what Windows picks from (16 px in a title bar, 32 or
  48 px in Explorer, 256 px on a high-DPI desktop), each a 32-bit PNG entry (what
  Windows reads since Vista, and what PyInstaller itself writes through Pillow);
- tapemaster.icns: 32 to 1024 px (16 to 512 px at 1x and 2x), for the macOS app bundle.

Pillow is a build-time tool here (the dev dependency group): the programs paint with Qt
and tapemaster.spec keeps Pillow out of the bundle.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "src" / "tapemaster_qt" / "resources" / "icons" / "tapemaster.svg"
OUT = ROOT / "packaging" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
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
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    pngs = {size: render(size) for size in sizes}
    for size in PNG_SIZES:
        path = OUT / f"tapemaster-{size}.png"
        path.write_bytes(pngs[size])
        print(f"wrote {path.relative_to(ROOT)}")

    images = {size: Image.open(io.BytesIO(pngs[size])).convert("RGBA") for size in sizes}
    biggest = max(ICO_SIZES)
    ico = OUT / "tapemaster.ico"
    images[biggest].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                         append_images=[images[s] for s in ICO_SIZES if s != biggest])
    biggest = max(ICNS_SIZES)
    icns = OUT / "tapemaster.icns"
    images[biggest].save(icns, format="ICNS",
                         append_images=[images[s] for s in ICNS_SIZES if s != biggest])

    # Read both back: every size must be there, and be the rendering of that size.
    with Image.open(ico) as read:
        found = sorted(read.info["sizes"])
        if found != [(s, s) for s in ICO_SIZES]:
            raise SystemExit(f"{ico}: Pillow reads the sizes {found}, expected {ICO_SIZES}")
    with Image.open(icns) as read:
        found = sorted({w * scale for w, _h, scale in read.info["sizes"]})
        if found != list(ICNS_SIZES):
            raise SystemExit(f"{icns}: Pillow reads the sizes {found}, expected {ICNS_SIZES}")
    print(f"wrote {ico.relative_to(ROOT)} ({', '.join(map(str, ICO_SIZES))} px)")
    print(f"wrote {icns.relative_to(ROOT)} ({', '.join(map(str, ICNS_SIZES))} px)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
