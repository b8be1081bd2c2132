"""A record changed behind TapeMaster's back shows in Group/User Administration, and an
administrator re-seals it only through Management ▸ Re-seal Record… after a warning."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.driving import cell, click_user, log_on, menu_action, open_admin, submenu
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService

PASSWORD = "tapes-and-more-42"


def test_tampered_record_is_red_and_can_be_resealed(qtbot, launch, boxes) -> None:
    app = launch()
    admin = AdminService(app.ctx, Actor.for_user("tapemaster"))
    for user_id in ("alice", "bob"):
        admin.add_user({"user_id": user_id}, PASSWORD)
    admin.set_otp("bob", True)
    with sqlite3.connect(app.ctx.store.path) as raw:  # another tool edits the file
        raw.execute("UPDATE users SET otp_enabled = 0, otp_secret = NULL "
                    "WHERE user_id = 'bob'")

    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    qtbot.waitUntil(lambda: not window._idle.isActive())  # seals checked in slices
    proxy = window.usersProxy
    rows = {proxy.index(r, 0).data(): proxy.index(r, 0) for r in range(proxy.rowCount())}
    assert "integrity" in rows["bob"].data(Qt.ItemDataRole.ToolTipRole)
    assert cell(window, "bob", "Status") == "Tampered"
    status = rows["bob"].siblingAtColumn(
        [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())
         ].index("Status"))
    assert status.data(Qt.ItemDataRole.DecorationRole) is not None
    assert rows["alice"].data(Qt.ItemDataRole.ToolTipRole) is None
    assert "1 record(s) failed the integrity check" in window.usersCountLabel.text()

    click_user(qtbot, window, "alice")
    reseal = menu_action(submenu(window.users_menu(), "Management"), "actionResealUser")
    assert not reseal.isEnabled()  # nothing to re-seal on a sound record
    click_user(qtbot, window, "bob")
    reseal = menu_action(submenu(window.users_menu(), "Management"), "actionResealUser")
    assert reseal.isEnabled()

    boxes.answer = QMessageBox.StandardButton.No  # a second thought: nothing happens
    reseal.trigger()
    assert boxes.names()[-1] == "confirmResealMessage"
    assert app.ctx.store.get_user("bob").integrity_ok is False

    boxes.answer = QMessageBox.StandardButton.Yes
    reseal.trigger()
    bob = app.ctx.store.get_user("bob")
    assert bob.integrity_ok and bob.revoked and not bob.otp_enabled
    qtbot.waitUntil(lambda: not window._idle.isActive())
    assert "failed the integrity check" not in window.usersCountLabel.text()
    event = app.ctx.store.audit_events(user_id="bob", limit=1)[0]
    assert (event.event, event.actor) == ("record_resealed", "tapemaster")
