"""Small builders the dialogs share: the red message line and the OK/Save button box.

Imported by the logon dialog before its first paint, so nothing here touches PySide's
``Qt`` namespace at import or construction time (building it costs tens of ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLayout, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QKeySequence

ERROR_STYLE = "color: #b00020;"


def message_label() -> QLabel:
    """The dialog's ``messageLabel``: hidden until there is something to say."""
    label = QLabel()
    label.setObjectName("messageLabel")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setAccessibleName(QCoreApplication.translate("widgets", "Message"))
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    """Show ``text`` as plain text (a User-ID with '<' must not turn into markup);
    an empty text hides the label."""
    if text:
        from PySide6.QtCore import Qt

        label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setVisible(bool(text))


class WrappingLayout(QVBoxLayout):
    """A dialog's top layout that never lets the dialog be narrower than ``min_width``
    or shorter than its wrapped texts need at that width.

    ``setSizeConstraint(SetMinimumSize)`` alone gives the window the layout's minimum
    size, which overrides ``setMinimumWidth`` and ignores height-for-width: the logon
    dialog came up 305 px wide and could be shrunk to 189 px, where its header and
    messages were clipped under a window manager. Here the minimum is the width floor
    and the height the texts need there; a wider window only needs fewer lines.
    """

    def __init__(self, window: QWidget, min_width: int = 0) -> None:
        super().__init__(window)
        self.min_width = min_width
        self.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

    def minimumSize(self) -> QSize:
        base = super().minimumSize()
        width = max(base.width(), self.min_width)
        height = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        return QSize(width, max(base.height(), height))


def grow_to_fit(window: QWidget) -> None:
    """Make a shown window tall enough for its wrapped texts at its width, after a
    message appeared in it: a layout that only sets minimum sizes does not enlarge a
    window that is already on screen, and would squeeze (overlap) its contents."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)


def button_box(accepted: Callable[[], object], rejected: Callable[[], object], *,
               save: bool = False) -> QDialogButtonBox:
    """OK (or Save) and Cancel, named ``buttonBox``."""
    box = QDialogButtonBox()
    # setStandardButtons, not the constructor: resolving the constructor's overloads
    # builds the whole Qt namespace.
    first = (QDialogButtonBox.StandardButton.Save if save
             else QDialogButtonBox.StandardButton.Ok)
    box.setStandardButtons(first | QDialogButtonBox.StandardButton.Cancel)
    box.setObjectName("buttonBox")
    box.accepted.connect(accepted)
    box.rejected.connect(rejected)
    return box


def action(owner: QWidget, name: str, text: str, slot: Callable[[], object],
           shortcut: QKeySequence | list[QKeySequence] | None = None, *,
           local: bool = False) -> QAction:
    """An action named ``name`` added to ``owner`` (so its shortcut works there);
    ``local`` limits the shortcut to ``owner`` and its children. Of several shortcuts,
    menus show the first, right-click menus included."""
    from PySide6.QtGui import QAction

    result = QAction(text, owner)
    result.setObjectName(name)
    result.triggered.connect(slot)
    if shortcut is not None:
        if isinstance(shortcut, list):
            result.setShortcuts(shortcut)
        else:
            result.setShortcut(shortcut)
        result.setShortcutVisibleInContextMenu(True)
        if local:
            from PySide6.QtCore import Qt

            result.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    owner.addAction(result)
    return result
