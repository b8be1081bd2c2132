"""Colours and small icons that follow the application's palette.

Nothing here is a fixed colour on a fixed background: red, green and amber are picked
for the palette's base colour (light or dark theme), grey is the palette's own
disabled text, so rows and icons stay readable in a dark theme too. The icons are
painted, not loaded, in the colours of the current palette.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

from tapemaster_qt.fields import Status

# (light theme, dark theme): each reads at >= 4.5:1 on a white or a near-black base.
_RED = ("#b3261e", "#ff8a80")
_GREEN = ("#1b6e20", "#81c784")
_AMBER = ("#8a5300", "#ffcc80")


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _pick(pair: tuple[str, str], palette: QPalette | None = None) -> QColor:
    return QColor(pair[1] if is_dark(palette) else pair[0])


def danger(palette: QPalette | None = None) -> QColor:
    """Red text: a tampered record, an error."""
    return _pick(_RED, palette)


def good(palette: QPalette | None = None) -> QColor:
    return _pick(_GREEN, palette)


def caution(palette: QPalette | None = None) -> QColor:
    return _pick(_AMBER, palette)


def muted(palette: QPalette | None = None) -> QColor:
    """Grey text: a row or value that is out of play (disabled, revoked, read-only).

    The text colour 60 % of the way from the base colour: grey on white and on black
    alike, and still readable (a style's disabled text is often too faint to read)."""
    palette = palette or QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(*(round(0.6 * t + 0.4 * b) for t, b in
                    zip(text.getRgb()[:3], base.getRgb()[:3], strict=True)))


# --- painted icons ----------------------------------------------------------------------

_SIZES = (16, 24, 32)


def _icon(paint: functools.partial[None] | object) -> QIcon:
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / 16, size / 16)  # every icon is drawn on a 16x16 grid
        paint(painter)  # type: ignore[operator]
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _pen(color: QColor, width: float = 1.6) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _lock(color: QColor, painter: QPainter) -> None:
    """A closed padlock: OTP active."""
    painter.setPen(_pen(color))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(4.5, 1.5, 7, 8), 0, 180 * 16)
    painter.drawLine(QPointF(4.5, 5.5), QPointF(4.5, 7.5))
    painter.drawLine(QPointF(11.5, 5.5), QPointF(11.5, 7.5))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawRoundedRect(QRectF(2.5, 7, 11, 8), 1.5, 1.5)


def _clock(color: QColor, painter: QPainter) -> None:
    """A clock face: OTP pending (waiting for the first code)."""
    painter.setPen(_pen(color))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(1.8, 1.8, 12.4, 12.4))
    painter.drawLine(QPointF(8, 8), QPointF(8, 4.3))
    painter.drawLine(QPointF(8, 8), QPointF(10.8, 9.8))


def _no_entry(color: QColor, painter: QPainter) -> None:
    """A circle struck through: Revoked."""
    painter.setPen(_pen(color, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(2, 2, 12, 12))
    painter.drawLine(QPointF(4.2, 11.8), QPointF(11.8, 4.2))


def _pause(color: QColor, painter: QPainter) -> None:
    """A circle with a bar: Disabled (switched off, kept)."""
    painter.setPen(_pen(color, 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(2, 2, 12, 12))
    painter.setPen(_pen(color, 2.2))
    painter.drawLine(QPointF(5, 8), QPointF(11, 8))


def _warning(color: QColor, painter: QPainter) -> None:
    """A triangle with '!': Tampered."""
    path = QPainterPath()
    path.moveTo(8, 1.2)
    path.lineTo(15.2, 14.5)
    path.lineTo(0.8, 14.5)
    path.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawPath(path)
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    painter.setPen(_pen(base, 1.8))
    painter.drawLine(QPointF(8, 5.5), QPointF(8, 9.6))
    painter.drawPoint(QPointF(8, 12.2))


def _cross(color: QColor, painter: QPainter) -> None:
    """A filled circle with a cross: something failed (the Audit Log)."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawEllipse(QRectF(1.5, 1.5, 13, 13))
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    painter.setPen(_pen(base, 1.8))
    painter.drawLine(QPointF(5.5, 5.5), QPointF(10.5, 10.5))
    painter.drawLine(QPointF(10.5, 5.5), QPointF(5.5, 10.5))


def _dot(color: QColor, painter: QPainter) -> None:
    """A filled dot: a changed value not saved yet."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawEllipse(QRectF(4, 4, 8, 8))


def status_icon(status: Status) -> QIcon:
    """The Status column's icon, in the current palette's colours."""
    return _status_icon(status, is_dark())


@functools.cache
def _status_icon(status: Status, dark: bool) -> QIcon:
    shape, color = {
        Status.TAMPERED: (_warning, danger()),
        Status.REVOKED: (_no_entry, danger()),
        Status.DISABLED: (_pause, muted()),
        Status.OTP_PENDING: (_clock, caution()),
        Status.OTP_ACTIVE: (_lock, good()),
    }[status]
    return _icon(functools.partial(shape, color))


def changed_icon() -> QIcon:
    """The marker of a value changed and not saved yet."""
    palette = QGuiApplication.palette()
    return _icon(functools.partial(_dot, palette.color(QPalette.ColorRole.Highlight)))


def failure_icon() -> QIcon:
    """The Audit Log's mark of a failure (a refused logon, a rejected code...)."""
    return _failure_icon(is_dark())


@functools.cache
def _failure_icon(dark: bool) -> QIcon:
    return _icon(functools.partial(_cross, danger()))
