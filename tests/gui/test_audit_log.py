"""The Audit Log in words, with quick filters, a date range and Export CSV (issue 11
item 7), driven like an administrator: typing, ticking, the keyboard."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication

from gui.driving import log_on, top_level, type_into
from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.ui import palette

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
PASSWORD = "tapes-and-more-42"


def now_minus(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")


@pytest.fixture
def audit(qtbot, launch):
    """tapemaster logged on, with a log that has a bit of everything, and the Audit Log
    open from the Administration menu."""
    controller = launch("TapeMaster")
    admin = AdminService(controller.ctx, Actor.for_user("tapemaster"))
    admin.add_user({"user_id": "alice", "name": "Alice Archer"}, PASSWORD)
    admin.add_user({"user_id": "carol", "otp_enabled": True}, PASSWORD)
    with controller.ctx.store.write() as tx:
        for ts, user, event, detail in (
            (now_minus(40), "bob", "login_failed", "bad_password"),
            (now_minus(20), "carol", "login_failed", "bad_otp; clock skew"),
            (now_minus(20), "carol", "otp_clock_skew", "device clock off by -3600s"),
            (now_minus(10), "dan", "user_updated", "=HYPERLINK(\"http://x\")"),
            (now_minus(3), "alice", "login_failed", "revoked; bad_password"),
        ):
            tx.append_audit(ts=ts, actor=user, user_id=user, program="Lite", host="desk-9",
                            event=event, detail=detail)
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    controller.main_window.actionAuditLog.trigger()
    window = top_level("auditLogWindow")
    qtbot.waitUntil(window.isActiveWindow)
    return window


def rows(window) -> list[tuple[str, str, str]]:
    model = window.model
    return [(model.index(r, 1).data(), model.index(r, 2).data(), model.index(r, 3).data())
            for r in range(model.rowCount())]


def events(window) -> list[str]:
    return [event for event, _user, _detail in rows(window)]


def test_events_read_in_words_and_failures_are_marked(audit) -> None:
    shown = rows(audit)
    assert shown[0] == ("Logged on", "tapemaster", "")
    assert ("Logon refused: User-ID revoked", "alice", "wrong password") in shown
    assert ("Wrong One Time Password", "carol", "the device's clock is off") in shown
    assert ("Device clock is off", "carol", "device clock off by -3600s") in shown
    assert ("One Time Password switched on", "carol", "") in shown
    assert ("User added", "alice", "") in shown
    model = audit.model
    for row, (event, _user, _detail) in enumerate(shown):
        index = model.index(row, 1)
        failed = event in ("Logon refused: User-ID revoked", "Wrong One Time Password",
                           "Device clock is off", "Wrong password")
        assert (index.data(Qt.ItemDataRole.ForegroundRole) == palette.danger()) is failed
        assert (index.data(Qt.ItemDataRole.DecorationRole) is not None) is failed
    revoked = shown.index(("Logon refused: User-ID revoked", "alice", "wrong password"))
    assert model.index(revoked, 1).data(Qt.ItemDataRole.ToolTipRole) == (
        "login_failed (a failure)")
    assert model.index(revoked, 3).data(Qt.ItemDataRole.ToolTipRole) == (
        "As recorded: revoked; bad_password")
    assert audit.legendLabel.text().startswith("Failure: a refused logon")


def test_quick_filters_from_the_keyboard(qtbot, audit) -> None:
    qtbot.keyClick(audit.auditView, Key.Key_F, ALT)  # &Failures only
    qtbot.waitUntil(lambda: audit.failuresCheck.isChecked())
    assert set(events(audit)) == {"Logon refused: User-ID revoked", "Wrong One Time Password",
                                  "Device clock is off", "Wrong password"}
    qtbot.keyClick(audit.auditView, Key.Key_O, ALT)  # &OTP events only, with failures
    qtbot.waitUntil(lambda: audit.otpCheck.isChecked())
    assert events(audit) == ["Device clock is off", "Wrong One Time Password"]
    qtbot.keyClick(audit.auditView, Key.Key_F, ALT)  # OTP events only
    qtbot.waitUntil(lambda: not audit.failuresCheck.isChecked())
    assert set(events(audit)) == {"Device clock is off", "Wrong One Time Password",
                                  "One Time Password switched on"}
    assert audit.countLabel.text() == "3 events match the filters"
    qtbot.keyClick(audit.auditView, Key.Key_U, ALT)  # &User-ID
    assert audit.userEdit.hasFocus()
    qtbot.keyClicks(audit.userEdit, "carol")
    qtbot.keyClick(audit.userEdit, Key.Key_Return)
    assert {user for _e, user, _d in rows(audit)} == {"carol"}
    type_into(qtbot, audit.userEdit, "alice")
    qtbot.waitUntil(lambda: audit.model.rowCount() == 0)
    assert audit.countLabel.text() == "No events match the filters."


def test_the_text_filter_finds_stored_text_and_words(qtbot, audit) -> None:
    qtbot.keyClick(audit.auditView, Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert audit.filterEdit.hasFocus()
    qtbot.keyClicks(audit.filterEdit, "desk-9")
    qtbot.waitUntil(lambda: len(rows(audit)) == 5)
    type_into(qtbot, audit.filterEdit, "wrong password")  # as it reads on screen
    qtbot.waitUntil(lambda: events(audit) == ["Wrong password"])
    assert rows(audit)[0][1] == "bob"
    type_into(qtbot, audit.filterEdit, "QR code")  # words only: carol's is to come
    qtbot.waitUntil(lambda: audit.countLabel.text() == "No events match the filters.")
    type_into(qtbot, audit.filterEdit, "HYPERLINK")
    qtbot.waitUntil(lambda: events(audit) == ["User changed"])


def test_a_short_text_waits_for_enter(qtbot, audit) -> None:
    before = rows(audit)
    type_into(qtbot, audit.filterEdit, "9")
    qtbot.waitUntil(audit.hintLabel.isVisible)
    assert "press Enter" in audit.hintLabel.text()
    assert rows(audit) == before
    qtbot.keyClick(audit.filterEdit, Key.Key_Return)
    assert len(rows(audit)) == 5 and not audit.hintLabel.isVisible()  # desk-9


def test_a_date_range(qtbot, audit) -> None:
    today = QDate.currentDate()
    audit.fromCheck.click()
    audit.fromDate.setFocus()
    audit.fromDate.setDate(today.addDays(-25))
    audit.toCheck.click()
    audit.toDate.setDate(today.addDays(-5))
    assert {user for _e, user, _d in rows(audit)} == {"carol", "dan"}
    audit.toCheck.click()  # no end: up to now
    assert "alice" in {user for _e, user, _d in rows(audit)}


def test_a_date_range_the_wrong_way_round_changes_nothing(qtbot, audit) -> None:
    today = QDate.currentDate()
    audit.toCheck.click()
    audit.toDate.setDate(today.addDays(-30))
    before = rows(audit)
    audit.fromCheck.click()
    audit.fromDate.setDate(today.addDays(-2))
    assert audit.messageLabel.isVisible()
    assert audit.messageLabel.text() == ("The date range ends before it starts: pick a "
                                         "From date on or before the To date.")
    assert rows(audit) == before
    audit.fromDate.setDate(today.addDays(-45))  # put right: the message goes
    assert not audit.messageLabel.isVisible()
    assert {user for _e, user, _d in rows(audit)} == {"bob"}


@pytest.mark.parametrize("pasted", ["alice\u202e", "a\x01b", "x\u200by"])
def test_odd_characters_in_the_filter_are_said_and_change_nothing(qtbot, audit,
                                                                  pasted: str) -> None:
    type_into(qtbot, audit.filterEdit, "desk-9")
    qtbot.waitUntil(lambda: len(rows(audit)) == 5)
    before = rows(audit)
    QGuiApplication.clipboard().setText(pasted)
    audit.filterEdit.selectAll()
    qtbot.keyClick(audit.filterEdit, Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(audit.filterEdit, Key.Key_Return)
    assert audit.messageLabel.text().startswith("The filter cannot hold control or "
                                                "invisible characters")
    assert rows(audit) == before


def test_hostile_filter_text_is_only_text(qtbot, audit) -> None:
    for text in ('" OR 1=1 --', "NEAR(a b)", "*", "%_%", "\\", "'); DROP TABLE audit;--"):
        type_into(qtbot, audit.filterEdit, text)
        qtbot.keyClick(audit.filterEdit, Key.Key_Return)
        assert not audit.messageLabel.isVisible(), text
        assert audit.countLabel.text() == "No events match the filters.", text
    type_into(qtbot, audit.filterEdit, "")
    qtbot.keyClick(audit.filterEdit, Key.Key_Return)
    assert len(rows(audit)) > 5


def test_export_csv_writes_every_selected_row_safely(qtbot, audit, boxes, tmp_path) -> None:
    boxes.save_path = str(tmp_path / "failures")
    audit.failuresCheck.click()
    qtbot.mouseClick(audit.exportButton, Qt.MouseButton.LeftButton)
    assert boxes.last().object_name == "auditExportedMessage"
    written = tmp_path / "failures.csv"
    assert f"Exported 4 events to {written}." == boxes.last().text
    with written.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["Time (UTC)", "Event", "Failure", "User-ID", "Detail", "Actor",
                        "Program", "Host", "Event as recorded", "Detail as recorded"]
    assert [r[1] for r in table[1:]] == ["Logon refused: User-ID revoked",
                                         "Device clock is off", "Wrong One Time Password",
                                         "Wrong password"]
    assert {r[2] for r in table[1:]} == {"True"}
    # Everything an attacker could have written is text to a spreadsheet.
    boxes.save_path = str(tmp_path / "all.csv")
    audit.failuresCheck.click()
    qtbot.mouseClick(audit.exportButton, Qt.MouseButton.LeftButton)
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    dan = next(r for r in table if r[3] == "dan")
    assert dan[4] == dan[9] == "'=HYPERLINK(\"http://x\")"
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_to_a_folder_that_is_gone_says_so(qtbot, audit, boxes, tmp_path) -> None:
    boxes.save_path = str(tmp_path / "gone" / "audit.csv")
    qtbot.mouseClick(audit.exportButton, Qt.MouseButton.LeftButton)
    assert boxes.last().object_name == "warningMessage"
    assert boxes.last().text.startswith("The file could not be written:")


def test_only_this_users_events_from_a_row(qtbot, audit) -> None:
    shown = rows(audit)
    row = next(i for i, r in enumerate(shown) if r[1] == "carol")
    audit.auditView.setCurrentIndex(audit.model.index(row, 0))
    audit.show_user(audit.selected_event().user_id)
    assert {user for _e, user, _d in rows(audit)} == {"carol"}
    assert audit.userEdit.text() == "carol"


def test_tab_goes_through_the_controls_as_they_are_laid_out(qtbot, audit) -> None:
    from itertools import groupby

    from PySide6.QtWidgets import QApplication

    def tabbing(count: int) -> list[str]:
        """Where the focus goes at each Tab from the filter box (in a date, Tab goes
        from year to month to day first: one name for the three)."""
        audit.filterEdit.setFocus()
        names = []
        for _ in range(count):
            qtbot.keyClick(QApplication.focusWidget(), Key.Key_Tab)
            names.append(QApplication.focusWidget().objectName())
        return [name for name, _repeats in groupby(names)]

    assert tabbing(9) == ["auditUserEdit", "refreshButton", "failuresOnlyCheck",
                          "otpEventsCheck", "fromCheck", "toCheck", "exportCsvButton",
                          "verifyChainButton", "auditView"]
    audit.fromCheck.click()
    audit.toCheck.click()
    assert tabbing(15)[:11] == ["auditUserEdit", "refreshButton", "failuresOnlyCheck",
                                "otpEventsCheck", "fromCheck", "fromDateEdit", "toCheck",
                                "toDateEdit", "exportCsvButton", "verifyChainButton",
                                "auditView"]
