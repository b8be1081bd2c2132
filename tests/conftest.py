"""Shared fixtures: every test gets its own store folder and an in-memory keyring.

Nothing a test does touches the real home folder or the real OS keyring.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The programs speak the system's language when it is one they ship (ui/i18n.py): the
# tests read English whatever the developer's locale (a German test asks for --lang de).
os.environ["LANGUAGE"] = "en"

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from helpers import ADMIN_PASSWORD
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import UNAUTHENTICATED, set_initial_password
from tapemaster_qt.store import Store, open_store

# The throwaway PostgreSQL cluster: pg_server, pg_template, pg_database (tests/pgfixtures.py).
pytest_plugins = ["pgfixtures"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives as long as one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Own data folder, home and keyring for every test; child processes get the
    file fallback (the 'fail' keyring headless Linux has)."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    data = tmp_path / "data"
    monkeypatch.setenv("TAPEMASTER_DATA_DIR", str(data))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))  # no site.ini
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def keyring_backend(_isolated: MemoryKeyring) -> MemoryKeyring:
    return _isolated


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(TESTS_ONLY)


BOTH_BACKENDS = "both_backends"
"""Marker of a test that runs on SQLite and on PostgreSQL (through ``store`` and the
fixtures built on it); ``sqlite_only`` takes a test of these suites back out."""
BOTH_BACKEND_SUITES = frozenset({
    "unit/test_admin.py", "unit/test_logon.py", "unit/test_brute_force.py",
    "unit/test_hostile_input.py", "unit/test_integrity.py", "unit/test_properties.py",
    "unit/test_sitekey.py", "unit/test_revocation.py", "unit/test_email_logon.py",
    "unit/test_transfer_groups.py", "unit/test_csv_injection.py",
    "unit/test_live_sessions.py", "unit/test_recovery_codes.py", "unit/test_self_service.py",
    "unit/test_recovery_field.py", "unit/test_audit_filter.py",
})
"""The service, logon and admin suites: every test of theirs that uses a store runs
once on SQLite and once on PostgreSQL (issue 10 item 5)."""
TESTS = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{BOTH_BACKENDS}: runs once per store backend "
                                       "(SQLite, and PostgreSQL on the test server)")
    config.addinivalue_line("markers", "sqlite_only: looks at the SQLite file itself")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    suite = Path(metafunc.definition.path).resolve().relative_to(TESTS).as_posix()
    if ("backend" in metafunc.fixturenames
            and (suite in BOTH_BACKEND_SUITES
                 or metafunc.definition.get_closest_marker(BOTH_BACKENDS))
            and not metafunc.definition.get_closest_marker("sqlite_only")):
        metafunc.parametrize("backend", [
            "sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])


@pytest.fixture
def backend() -> str:
    """Which store the test gets: SQLite, unless its module runs on both backends."""
    return "sqlite"


@pytest.fixture
def store(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A new store: the SQLite file in ``data_dir``, or a site's PostgreSQL store
    created by its owner and opened as a desktop does (the app role)."""
    if backend == "postgresql":
        import pgfixtures

        db = request.getfixturevalue("pg_store_database")
        with pgfixtures.raw_stores.opened(data_dir, db), open_store(db.location()) as s:
            yield s
        return
    with open_store(data_dir) as s:
        yield s


class FakeClock:
    """A clock the test moves by hand (TOTP steps, clock jumps)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(store: Store, hasher: PasswordHasher, clock: FakeClock) -> Context:
    """A TapeMaster context on an initialised store (tapemaster has its password)."""
    c = Context(store, program="TapeMaster", clock=clock, hasher=hasher)
    # A shared store's first password comes from tapemaster-admin init, not a desktop.
    set_initial_password(c, ADMIN_PASSWORD,
                         actor="cli:support@desk" if store.shared else UNAUTHENTICATED)
    return c


@pytest.fixture
def admin(ctx: Context) -> AdminService:
    """The built-in tapemaster acting as administrator."""
    return AdminService(ctx, Actor.for_user("tapemaster"))


@pytest.fixture
def package_logging() -> Iterator[None]:
    """app.main and cli.main set up the package's log handlers (a log file, stderr);
    put the logger back as it was afterwards, so later tests' log capture still works."""
    import logging

    from tapemaster_qt import logsetup

    logger = logging.getLogger("tapemaster_qt")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    folder = logsetup._folder
    yield
    logsetup._folder = folder
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(level)
    logger.propagate = propagate

