"""Choosing the store from outside, as support staff do: ``--store``, the environment and
the site configuration file, with ``tapemaster-admin`` as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Tape-Admin-2026"
SECRET = "S3cret-Db-Pass"


class Admin:
    """tapemaster-admin with a home of its own and no store chosen unless asked."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.xdg = tmp_path / "xdg"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("TAPEMASTER_DATA_DIR", "TAPEMASTER_STORE")}
        self.env.update(
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / "share"), XDG_STATE_HOME=str(self.home / "state"),
            XDG_CONFIG_HOME=str(self.home / "config"), XDG_CONFIG_DIRS=str(self.xdg),
        )

    def __call__(self, *args: str, stdin: str = "", **env: str
                 ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tapemaster_qt.cli", *args], input=stdin,
            capture_output=True, text=True, timeout=120, env={**self.env, **env})

    def site_file(self, text: str) -> Path:
        path = self.xdg / "TapeMaster Qt" / "site.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def init(self, folder: Path) -> None:
        result = self("--data-dir", str(folder), "init", "--password-stdin",
                      stdin=ADMIN_PASSWORD + "\n")
        assert result.returncode == 0, result.stderr


def _store_of(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("Store:"))
    return line.split(":", 1)[1].strip()


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(tmp_path)


def test_store_accepts_a_folder_exactly_as_data_dir_does(admin: Admin, tmp_path: Path) -> None:
    folder = tmp_path / "by-store"
    result = admin("--store", str(folder), "init", "--password-stdin",
                   stdin=ADMIN_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert f"Initialised the store in {folder};" in result.stdout
    assert _store_of(admin("--data-dir", str(folder), "info")) == str(folder / "tapemaster.db")
    assert _store_of(admin("info", TAPEMASTER_STORE=str(folder))) == str(
        folder / "tapemaster.db")
    assert (folder / "logs" / "tapemaster.log").exists()  # beside an explicit store


def test_command_line_then_environment_then_site_file(admin: Admin, tmp_path: Path) -> None:
    stores = {name: tmp_path / name for name in ("site", "env", "cli")}
    for folder in stores.values():
        admin.init(folder)
    admin.site_file(f"# deployed by support staff\n[store]\nlocation = {stores['site']}\n")
    db = "tapemaster.db"
    assert _store_of(admin("--store", str(stores["cli"]), "info",
                           TAPEMASTER_STORE=str(stores["env"]))) == str(stores["cli"] / db)
    assert _store_of(admin("info", TAPEMASTER_STORE=str(stores["env"]))) == str(
        stores["env"] / db)
    assert _store_of(admin("info", TAPEMASTER_DATA_DIR=str(stores["env"]))) == str(
        stores["env"] / db)
    assert _store_of(admin("info")) == str(stores["site"] / db)


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_unreachable_postgresql_store_is_one_sentence_without_its_password(
        admin: Admin, tmp_path: Path) -> None:
    url = f"postgresql://tapemaster_app:{SECRET}@127.0.0.1:1/tapemaster?sslmode=verify-full"
    results = [
        admin("--store", url, "init", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"),
        admin("user", "list", TAPEMASTER_STORE=url),
    ]
    admin.site_file(f"[store]\nlocation = {url}\n")
    results.append(admin("info"))
    for result in results:
        assert _one_line_error(result) == (
            "tapemaster-admin: error: The PostgreSQL server of the user store "
            "postgresql://tapemaster_app@127.0.0.1:1/tapemaster?sslmode=verify-full cannot "
            "be reached (Connection refused); check the address and that the server is "
            "running, then try again.")
        assert SECRET not in result.stdout + result.stderr
    logs = list(admin.home.rglob("*.log"))
    assert logs, "the CLI logs where it looked for the store"
    for log in logs:
        text = log.read_text()
        assert SECRET not in text
        assert "postgresql://tapemaster_app@127.0.0.1:1/tapemaster" in text
    assert not (tmp_path / "home" / "share").exists()  # no SQLite store made instead


def test_an_unusable_choice_is_one_line(admin: Admin, tmp_path: Path) -> None:
    both = admin("--store", str(tmp_path / "a"), "--data-dir", str(tmp_path / "b"), "info")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    assert _one_line_error(admin("info", TAPEMASTER_STORE=str(tmp_path / "a"),
                                 TAPEMASTER_DATA_DIR=str(tmp_path / "b"))) == (
        "tapemaster-admin: error: TAPEMASTER_STORE and TAPEMASTER_DATA_DIR are both set; "
        "unset one of them.")
    path = admin.site_file("[store]\nlocation = relative\n")
    assert _one_line_error(admin("info")) == (
        f"tapemaster-admin: error: The store folder in the site configuration file {path} "
        "must be a full path.")
    assert not (tmp_path / "home" / "share").exists()


def test_the_sqlite_path_never_imports_psycopg(admin: Admin, tmp_path: Path) -> None:
    """psycopg (and its libpq) load only for a postgresql:// store: start-up and every
    command on a store folder stay as light as before."""
    admin.init(tmp_path / "s")
    script = (
        "import sys\n"
        "from tapemaster_qt import app, cli\n"
        "from tapemaster_qt.location import resolve\n"
        "from tapemaster_qt.store import open_store\n"
        "open_store(resolve(sys.argv[1])).close()\n"
        "code = cli.main(['--data-dir', sys.argv[1], 'user', 'list'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('psycopg', 'psycopg_binary')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=120, env=admin.env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"
