"""A record changed behind TapeMaster's back shows in Group/User Administration, and an
administrator re-seals it only through Management ▸ Re-seal Record… after a warning."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from gui.driving import cell, click_user, log_on, menu_action, open_admin, submenu
from helpers import ADMIN_PASSWORD
from tapemaster_qt.errors import StoreTamperedError
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.integrity import StoreReview

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
    assert "1 record failed the integrity check" in window.usersCountLabel.text()

    click_user(qtbot, window, "alice")
    reseal = menu_action(submenu(window.users_menu(), "Management"), "actionResealUser")
    assert not reseal.isEnabled()  # nothing to re-seal on a sound record
    click_user(qtbot, window, "bob")
    reseal = menu_action(submenu(window.users_menu(), "Management"), "actionResealUser")
    assert reseal.isEnabled()

    boxes.answer = QMessageBox.StandardButton.No  # a second thought: nothing happens
    reseal.trigger()
    assert boxes.names()[-1] == "confirmResealMessage"
    # The administrator sees what was changed, against the last copy TapeMaster wrote,
    # and what re-sealing will do whatever the record holds.
    informative = boxes.last().informative
    assert "• One Time Password: True -> False" in informative
    assert "• One Time Password secret: changed" in informative
    assert "clears the password" in informative and "revoked" in informative
    assert app.ctx.store.get_user("bob").integrity_ok is False

    boxes.answer = QMessageBox.StandardButton.Yes
    reseal.trigger()
    bob = app.ctx.store.get_user("bob")
    assert bob.integrity_ok and bob.revoked and not bob.otp_enabled
    assert bob.password_hash is None and bob.programs == frozenset()
    qtbot.waitUntil(lambda: not window._idle.isActive())
    assert "failed the integrity check" not in window.usersCountLabel.text()
    event = app.ctx.store.audit_events(user_id="bob", limit=1)[0]
    assert (event.event, event.actor) == ("record_resealed", "tapemaster")


def test_a_record_without_a_good_copy_says_every_field_is_suspect(qtbot, launch,
                                                                   boxes) -> None:
    app = launch()
    AdminService(app.ctx, Actor.for_user("tapemaster")).add_user({"user_id": "carol"},
                                                                 PASSWORD)
    with sqlite3.connect(app.ctx.store.path) as raw:
        raw.execute("UPDATE users SET tapemaster_rights = 1 WHERE user_id = 'carol'")
        raw.execute("DELETE FROM user_copies WHERE user_id = 'carol'")
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    qtbot.waitUntil(lambda: not window._idle.isActive())
    click_user(qtbot, window, "carol")
    boxes.answer = QMessageBox.StandardButton.No
    menu_action(submenu(window.users_menu(), "Management"), "actionResealUser").trigger()
    assert boxes.last().informative.startswith(
        "No last-known-good copy of this record exists: every field is suspect.")


def test_a_group_changed_outside_tapemaster_shows_red(qtbot, launch) -> None:
    app = launch()
    AdminService(app.ctx, Actor.for_user("tapemaster")).add_group("OPS", "Operations")
    with sqlite3.connect(app.ctx.store.path) as raw:
        raw.execute("UPDATE groups SET description = 'Owned' WHERE group_id = 'OPS'")
    # A group that fails its seal refuses the store as a whole (no copy tells a changed
    # value from a made-up seal): the administrator checks it and runs 'store accept',
    # which counts the group out and leaves it red, to be saved again.
    with pytest.raises(StoreTamperedError, match="the group 'OPS' fails its seal"):
        app.ctx.store.check_store()
    StoreReview(app.ctx, Actor.for_cli()).accept()
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    window = open_admin(qtbot, app)
    model = window.groupsView.model()
    tips = {model.index(r, 0).data(): model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole)
            for r in range(model.rowCount())}
    assert tips["DEFAULT"] is None and "changed outside TapeMaster" in tips["OPS"]


def test_the_audit_log_window_says_when_its_chain_is_broken(qtbot, launch, boxes) -> None:
    app = launch()
    log_on(qtbot, app, "tapemaster", "wrong-guess-1")
    log_on(qtbot, app, "tapemaster", ADMIN_PASSWORD)
    app.main_window.actionAuditLog.trigger()
    window = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "auditLogWindow")
    qtbot.waitExposed(window)
    assert window.chainLabel.text().startswith("Hash chain intact")
    qtbot.mouseClick(window.verifyButton, Qt.MouseButton.LeftButton)
    assert boxes.names()[-1] == "auditChainIntactMessage"
    with sqlite3.connect(app.ctx.store.path) as raw:  # the failed logon, erased
        raw.execute("DROP TRIGGER audit_no_delete")
        raw.execute("DELETE FROM audit WHERE event = 'login_failed'")
    qtbot.mouseClick(window.findChild(QPushButton, "refreshButton"), Qt.MouseButton.LeftButton)
    assert "changed outside TapeMaster" in window.chainLabel.text()
    assert "broken at row" in window.chainLabel.text()
    qtbot.mouseClick(window.verifyButton, Qt.MouseButton.LeftButton)
    assert boxes.names()[-1] == "auditChainBrokenMessage"
