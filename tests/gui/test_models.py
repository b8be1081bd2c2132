"""Every item model under Qt's own model tester, and the Identity grid's contract.

``qtmodeltester.check`` keeps Qt's QAbstractItemModelTester attached for the whole
test, so the changes made after it (setData, rows inserted and removed, fetchMore,
sorting, filtering) are checked too; a broken invariant is a Qt warning, which fails
the test (qt_log_level_fail = WARNING).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tapemaster_qt.records import AuditEvent, GroupRecord, SessionRecord, UserDetails, UserRow
from tapemaster_qt.services.sessions import ActiveSession, EndReason, SessionState
from tapemaster_qt.ui import palette
from tapemaster_qt.ui.models.identity import COL_FIELD, COL_VALUE, IdentityModel
from tapemaster_qt.ui.models.tables import AuditModel, GroupsModel, RecordRole, SessionsModel
from tapemaster_qt.ui.models.users import (
    COL_STATUS,
    HEADERS,
    UserRowRole,
    UsersFilterProxy,
    UsersModel,
)

LABELS = ["User-ID", "Name", "E-mail", "Description", "Group-ID", "Role",
          "Administrative Rights", "tapemaster Rights", "Disabled", "No Time-Out",
          "TapeMaster", "Lite", "Checkpoint", "One Time Password"]

EDIT = Qt.ItemDataRole.EditRole

# Icons and fonts need the application object; the models are used without windows here.
pytestmark = pytest.mark.usefixtures("qapp")


def user_row(user_id: str, **kw) -> UserRow:
    values = dict(name=f"{user_id.title()} Example", group_id="DEFAULT", role=7,
                  email=f"{user_id}@example.com", description="", otp_enabled=False,
                  otp_activated=False, disabled=False, revoked=False, last_logon=None)
    values.update(kw)
    return UserRow(user_id=user_id, **values)


ROWS = [
    user_row("tapemaster", group_id=None, role=0, email=None,
             last_logon="2026-01-02T03:04:05.000+00:00"),
    user_row("alice", otp_enabled=True, otp_activated=True),
    user_row("bob", revoked=True, description="night shift"),
    user_row("mallory", integrity_ok=False, disabled=True),
]


def details(user_id: str = "carol", **kw) -> UserDetails:
    values = dict(name="Carol Cole", email="carol@example.com", description="",
                  group_id="DEFAULT", role=5, admin_rights=False, tapemaster_rights=False,
                  disabled=False, no_timeout=False,
                  programs=frozenset({"TapeMaster", "Lite", "Checkpoint"}),
                  otp_enabled=False, otp_activated=False, revoked=False, failed_logons=0,
                  last_logon=None, last_failed_logon=None, password_set=True,
                  integrity_ok=True)
    values.update(kw)
    return UserDetails(user_id=user_id, **values)


# --- Users table ------------------------------------------------------------------------


def test_users_model_and_filter_proxy(qtmodeltester) -> None:
    model = UsersModel()
    proxy = UsersFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)

    model.set_rows(ROWS)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(HEADERS))] == [
        "User-ID", "Name", "Group-ID", "Role", "E-mail", "Status", "Last Logon",
        "Description"]
    assert model.rowCount() == 4 and proxy.rowCount() == 4

    def status(user_id: str) -> QModelIndex:
        return model.index(model.row_of(user_id), COL_STATUS)

    # One Status column: words, an icon for the most serious, a tooltip saying why.
    assert [status(u).data() for u in ("tapemaster", "alice", "bob", "mallory")] == [
        "", "OTP active", "Revoked", "Tampered, Disabled"]
    assert status("tapemaster").data(Qt.ItemDataRole.DecorationRole) is None
    assert status("tapemaster").data(Qt.ItemDataRole.ToolTipRole) is None
    for user_id in ("alice", "bob", "mallory"):
        assert not status(user_id).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "authenticator app" in status("alice").data(Qt.ItemDataRole.ToolTipRole)

    # The tampered row says so on every cell: red, with the reason as a tooltip; a
    # revoked row is grey; the others keep the palette's text colour.
    mallory = model.index(model.row_of("mallory"), 0)
    alice = model.index(model.row_of("alice"), 0)
    bob = model.index(model.row_of("bob"), 0)
    assert mallory.data(UserRowRole).integrity_ok is False
    assert "integrity" in mallory.data(Qt.ItemDataRole.ToolTipRole)
    assert mallory.data(Qt.ItemDataRole.ForegroundRole).color() == palette.danger()
    assert bob.data(Qt.ItemDataRole.ForegroundRole).color() == palette.muted()
    assert alice.data(Qt.ItemDataRole.ForegroundRole) is None
    assert alice.data(Qt.ItemDataRole.ToolTipRole) is None

    model.sort(COL_STATUS, Qt.SortOrder.AscendingOrder)  # the most serious first
    assert [model.index(r, 0).data() for r in range(4)] == [
        "mallory", "bob", "alice", "tapemaster"]

    model.sort(1, Qt.SortOrder.DescendingOrder)
    proxy.set_filter_text("bo")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["bob"]
    proxy.set_filter_text("EXAMPLE.COM")  # case-insensitive, any searched column
    assert proxy.rowCount() == 3
    proxy.set_filter_text("False")  # True/False columns are not searched
    assert proxy.rowCount() == 0
    proxy.set_filter_text("")
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == [
        "alice", "bob", "mallory", "tapemaster"]

    model.set_rows(ROWS[:2])
    assert proxy.rowCount() == 2
    model.set_rows([])
    assert proxy.rowCount() == 0


# --- Identity grid ----------------------------------------------------------------------


def field_labels(model: IdentityModel) -> list[str]:
    labels = []
    for c in range(model.rowCount()):
        category = model.index(c, COL_FIELD)
        for r in range(model.rowCount(category)):
            labels.append(model.index(r, COL_FIELD, category).data())
    return labels


def category_values(model: IdentityModel) -> list[object]:
    return [model.index(c, COL_VALUE).data() for c in range(model.rowCount())]


def test_identity_model_for_a_new_user(qtmodeltester) -> None:
    model = IdentityModel(None, adding=True)
    qtmodeltester.check(model)
    assert field_labels(model) == LABELS
    assert [model.index(c, COL_FIELD).data() for c in range(model.rowCount())] == [
        "Identity", "Group", "Options", "Client Access", "One Time Password"]
    assert category_values(model) == [None] * 5
    assert model.value_index("User-ID").flags() & Qt.ItemFlag.ItemIsEditable

    assert model.setData(model.value_index("User-ID"), "carol", EDIT)
    assert model.value_index("User-ID").data() == "carol"
    assert model.value_index("Lite").data() == "True"
    assert model.setData(model.value_index("Lite"), False, EDIT)
    assert model.value_index("Lite").data() == "False"
    assert model.setData(model.value_index("Lite"), "True", EDIT)
    assert model.value_index("Lite").data() == "True"
    assert not model.setData(model.value_index("Lite"), "maybe", EDIT)
    assert not model.setData(model.value_index("Role"), "9", EDIT)
    assert model.setData(model.value_index("Role"), "3", EDIT)

    # Turning OTP on inserts Activated (False for a new secret); off removes it.
    assert model.setData(model.value_index("One Time Password"), "True", EDIT)
    assert field_labels(model) == [*LABELS, "Activated"]
    assert model.value_index("Activated").data() == "False"
    assert model.setData(model.value_index("One Time Password"), "False", EDIT)
    assert field_labels(model) == LABELS
    assert not model.value_index("Activated").isValid()
    changes = model.changes()
    assert changes["user_id"] == "carol" and changes["role"] == 3
    assert changes["otp_enabled"] is False and changes["email"] is None


def test_identity_model_for_an_activated_otp_user(qtmodeltester) -> None:
    model = IdentityModel(details(otp_enabled=True, otp_activated=True))
    qtmodeltester.check(model)
    assert field_labels(model) == [*LABELS, "Activated"]
    assert category_values(model) == [None] * 5
    assert model.value_index("User-ID").data() == "carol"
    assert model.value_index("Role").data() == "5"
    assert model.value_index("One Time Password").data() == "True"
    activated = model.value_index("Activated")
    assert activated.data() == "True"

    # Read-only: User-ID of a stored user, and Activated.
    for label in ("User-ID", "Activated"):
        index = model.value_index(label)
        assert not index.flags() & Qt.ItemFlag.ItemIsEditable, label
        assert not model.setData(index, "False" if label == "Activated" else "eve", EDIT)
    assert model.value_index("Activated").data() == "True"
    assert model.changes() == {}

    # Category rows and the label column take no values.
    assert not model.setData(model.index(0, COL_VALUE), "x", EDIT)
    assert not model.setData(model.index(0, COL_FIELD, model.index(0, 0)), "x", EDIT)

    assert model.setData(model.value_index("One Time Password"), False, EDIT)
    assert field_labels(model) == LABELS
    assert model.changes() == {"otp_enabled": False}
    # On again in the same edit: a new secret, so Activated starts again at False.
    assert model.setData(model.value_index("One Time Password"), True, EDIT)
    assert model.value_index("Activated").data() == "False"
    assert model.otp_reenabled()

    assert model.setData(model.value_index("No Time-Out"), "true", EDIT)
    assert model.setData(model.value_index("E-mail"), "", EDIT)
    assert model.changes() == {"no_timeout": True, "email": None}


def test_identity_model_greys_out_locked_fields(qtmodeltester) -> None:
    model = IdentityModel(details(), locked=frozenset({"tapemaster_rights"}))
    qtmodeltester.check(model)
    index = model.value_index("tapemaster Rights")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    # Greyed but enabled: the keyboard reaches it, and its description says why.
    assert index.flags() & Qt.ItemFlag.ItemIsEnabled
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert not model.setData(index, True, EDIT)
    assert not model.toggle(index)
    assert model.value_index("Administrative Rights").flags() & Qt.ItemFlag.ItemIsEditable


# --- Groups, sessions, audit ------------------------------------------------------------


def test_groups_model(qtmodeltester) -> None:
    model = GroupsModel()
    qtmodeltester.check(model)
    model.set_records([GroupRecord("DEFAULT", "Everyone", 3), GroupRecord("OPS", "", 0)])
    assert model.rowCount() == 2 and model.columnCount() == 3
    assert model.index(0, 2).data() == "3"
    assert model.index(1, 0).data(RecordRole).group_id == "OPS"
    model.append_records([GroupRecord("NIGHT", "Night shift", 1)])
    assert model.index(2, 1).data() == "Night shift"
    model.set_records([])
    assert model.rowCount() == 0


def test_sessions_model(qtmodeltester) -> None:
    model = SessionsModel()
    qtmodeltester.check(model)
    model.set_records([
        ActiveSession(SessionRecord(1, "tapemaster", "TapeMaster", "desk1", 4242,
                                    "2026-01-02T03:04:05.000+00:00",
                                    "2026-01-02T03:05:05.000+00:00"), SessionState.ACTIVE),
        ActiveSession(SessionRecord(2, "alice", "Lite", "desk2", 77,
                                    "2026-01-02T04:00:00.000+00:00",
                                    "2026-01-02T04:00:00.000+00:00"),
                      SessionState.ENDING, EndReason.DISCONNECTED, "tapemaster"),
        ActiveSession(SessionRecord(3, "bob", "Checkpoint", "desk3", 78,
                                    "2026-01-02T04:00:00.000+00:00",
                                    "2026-01-02T04:00:00.000+00:00"),
                      SessionState.ENDING, EndReason.PROGRAM_REMOVED),
        ActiveSession(SessionRecord(4, "carol", "Lite", "desk4", 79,
                                    "2026-01-02T04:00:00.000+00:00",
                                    "2026-01-02T04:00:00.000+00:00"),
                      SessionState.NOT_RESPONDING),
    ])
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        "User-ID", "Program", "Host", "Process", "Since", "Last Seen", "State"]
    assert model.index(1, 1).data() == "Lite" and model.index(0, 3).data() == "4242"
    assert [model.index(row, SessionsModel.COL_STATE).data() for row in range(4)] == [
        "Active",
        "Ending: disconnected by tapemaster",
        "Ending: program access removed",
        "Not responding"]
    assert model.index(1, 0).data(RecordRole).id == 2
    assert "next heartbeat" in model.index(1, SessionsModel.COL_STATE).data(
        Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, 0, model.index(0, 0)).isValid() is False


@pytest.fixture
def audit_events() -> list[AuditEvent]:
    """1,234 events, newest (highest id) first, as the store pages them."""
    return [AuditEvent(i, f"2026-01-02T03:{i % 60:02d}:00.000+00:00", "tapemaster",
                       "alice" if i % 2 else None, "TapeMaster", "desk", "login_failed",
                       "bad_password") for i in range(1234, 0, -1)]


def test_audit_model_fetches_pages(qtmodeltester, audit_events) -> None:
    calls: list[tuple[int | None, int]] = []

    def fetch(before_id: int | None, limit: int) -> list[AuditEvent]:
        calls.append((before_id, limit))
        older = [e for e in audit_events if before_id is None or e.id < before_id]
        return older[:limit]

    model = AuditModel(fetch)
    model.reload()
    assert model.rowCount() == AuditModel.PAGE and model.canFetchMore(QModelIndex())
    # Attached after the first page: the tester pages through the rest itself (Qt's
    # tester cannot follow a fetchMore that a view would run inside a reset, so the
    # first page is loaded before it watches).
    qtmodeltester.check(model)
    assert model.rowCount() == len(audit_events)
    assert not model.canFetchMore(QModelIndex())
    assert calls == [(None, AuditModel.PAGE),
                     (audit_events[AuditModel.PAGE - 1].id, AuditModel.PAGE),
                     (audit_events[2 * AuditModel.PAGE - 1].id, AuditModel.PAGE)]
    ids = [model.index(r, 0).data(RecordRole).id for r in range(model.rowCount())]
    assert ids == [e.id for e in audit_events]  # newest first, no gap, no repeat
    assert model.index(0, 1).data() == "Wrong password"  # login_failed, in words
    assert model.index(0, 2).data() == ""  # an event without a User-ID
    assert model.index(1, 2).data() == "alice"

    # A filtered reload (one page or less) starts again from the newest event.
    model.reload(lambda before, limit: [e for e in audit_events[:40] if e.user_id == "alice"
                                         and (before is None or e.id < before)][:limit])
    assert model.rowCount() == 20 and not model.canFetchMore(QModelIndex())
    assert {model.index(r, 2).data() for r in range(model.rowCount())} == {"alice"}


def test_audit_model_stops_paging_when_a_page_is_refused(qtbot, audit_events) -> None:
    """Scrolling asks for older rows; a refusal then is said once, not asked again."""
    from tapemaster_qt.errors import NotAuthorizedError

    refuse = False

    def fetch(before_id: int | None, limit: int) -> list[AuditEvent]:
        if refuse:
            raise NotAuthorizedError("Only users with tapemaster rights may read the log.")
        return [e for e in audit_events if before_id is None or e.id < before_id][:limit]

    model = AuditModel(fetch)
    model.reload()
    refuse = True
    with qtbot.waitSignal(model.fetchFailed) as said:
        model.fetchMore(QModelIndex())
    assert said.args == ["Only users with tapemaster rights may read the log."]
    assert model.rowCount() == AuditModel.PAGE and not model.canFetchMore(QModelIndex())
