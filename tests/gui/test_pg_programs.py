"""The windowed programs on a site's PostgreSQL store: a store they cannot use is one
calm sentence in a box, and a server that goes away mid-session is a message in the
logon dialog and a retry that works once it is back, never a wrong decision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gui.driving import log_on
from helpers import ADMIN_PASSWORD
from pgcluster import APP, OWNER
from pgfixtures import PgDatabase
from tapemaster_qt import app
from tapemaster_qt.app import Controller, UiState
from tapemaster_qt.location import parse
from tapemaster_qt.services import Context
from tapemaster_qt.services.passwords import PasswordHasher
from tapemaster_qt.services.setup import SHARED_FIRST_RUN, set_initial_password
from tapemaster_qt.store import migrations, open_store


def _no_logon_left() -> bool:
    return not any(w.objectName() == "loginDialog" and w.isVisible()
                   for w in QApplication.topLevelWidgets())


def _break(db: PgDatabase, how: str) -> str:
    """Make the store unusable in one of the ways a site can; the URL a desktop uses."""
    if how == "wrong password":
        return db.url(APP).replace(db.cluster.passwords[APP], "Wrong-Pass-123")
    if how == "not created":
        return db.url(APP)
    db.create_store()
    if how == "newer":
        with db.connect(OWNER) as conn:
            conn.execute("UPDATE schema_version SET version = version + 1")
    elif how == "not ours":
        with db.connect(OWNER) as conn:
            conn.execute("UPDATE schema_version SET application = 'Something Else'")
    elif how == "no password yet":
        pass
    return db.url(APP)


EXPECTED = {
    "wrong password": "refused the user name or password (password authentication failed "
                      'for user "tapemaster_app")',
    "not created": "holds no TapeMaster Qt store yet",
    "newer": "was written by a newer version of TapeMaster Qt",
    "not ours": "is not a TapeMaster Qt store.",
    "no password yet": SHARED_FIRST_RUN,
}


@pytest.mark.parametrize("how", list(EXPECTED))
def test_a_store_the_program_cannot_use_is_one_calm_sentence(
        pg_database: PgDatabase, boxes, capfd, package_logging, tmp_path: Path,
        how: str) -> None:
    url = _break(pg_database, how)
    assert app.main(["--store", url], program="Checkpoint") == 1
    assert boxes.names() == ["storeErrorMessage"]
    box = boxes.last()
    assert box.title == "Checkpoint" and EXPECTED[how] in box.text
    assert len(box.text.splitlines()) == 1
    assert _no_logon_left()
    err = capfd.readouterr().err
    assert "Traceback" not in err
    for text in [err, box.text, *(p.read_text() for p in tmp_path.rglob("*.log"))]:
        assert all(secret not in text for secret in pg_database.cluster.passwords.values())
    if how == "not created":
        assert migrations.schema_version() > 0  # and the desktop created nothing:
        with pg_database.connect(OWNER) as conn:
            assert conn.execute("SELECT count(*) FROM pg_tables "
                                "WHERE schemaname = 'tapemaster'").fetchone() == (0,)


@pytest.fixture
def controller(qtbot, pg_database: PgDatabase, hasher: PasswordHasher, boxes
               ) -> Iterator[Controller]:
    """TapeMaster on a shared store that support staff initialised, as a desktop runs
    it (the app role)."""
    pg_database.create_store()
    ctx = Context(open_store(parse(pg_database.url(APP), "--store"), busy_timeout_ms=500),
                  program="TapeMaster", hasher=hasher)
    set_initial_password(ctx, ADMIN_PASSWORD, actor="cli:support@desk")
    made = Controller(ctx, UiState(parse(pg_database.url(APP), "--store")))
    made.start()
    yield made
    made._end_session("test over")
    for window in (made.login_dialog, made.main_window):
        if window is not None:
            window.close()
    ctx.store.close()


def test_a_server_down_at_logon_is_a_message_and_the_retry_works_once_it_is_back(
        qtbot, controller: Controller, pg_database: PgDatabase) -> None:
    dialog = controller.login_dialog
    assert dialog is not None
    cluster = pg_database.cluster
    cluster.stop_server()
    try:
        log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
        qtbot.waitUntil(lambda: "cannot be reached" in dialog.messageLabel.text())
        assert dialog.isVisible() and controller.main_window is None
        assert "try again" in dialog.messageLabel.text()
    finally:
        cluster.start_server()
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None)
    events = [e.event for e in controller.ctx.store.audit_events(limit=5)]
    assert events[0] == "login_succeeded" and "login_failed" not in events


def test_a_session_whose_connection_was_dropped_goes_on(
        qtbot, controller: Controller, pg_database: PgDatabase) -> None:
    """The server ended the program's connection (a restart, a failover) while the user
    worked: the next read connects again; nobody is logged out for it."""
    log_on(qtbot, controller, "tapemaster", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: controller.main_window is not None)
    pid = controller.ctx.store.db.connection.info.backend_pid
    with pg_database.connect("postgres") as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    controller._beat()  # the heartbeat: touches the session on a new connection
    sessions = controller.ctx.store.list_sessions()
    assert [(s.user_id, s.program) for s in sessions] == [("tapemaster", "TapeMaster")]
    assert controller.main_window is not None and controller.main_window.isVisible()
