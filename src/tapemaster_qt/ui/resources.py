"""Icons and other package data, read with importlib.resources (works when frozen)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def read_bytes(name: str) -> bytes:
    return (resources.files("tapemaster_qt") / "resources" / name).read_bytes()


@cache
def app_icon() -> QIcon:
    """The application icon, rendered from its SVG at every common size."""
    renderer = QSvgRenderer(QByteArray(read_bytes("icons/tapemaster.svg")))
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
