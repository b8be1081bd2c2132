"""The store's one interface: services know the Protocol and domain words only, the
typed changes refuse what is not a user field, and rows are read by name."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

import tapemaster_qt
from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.store import UNCHANGED, NewUser, Store, UserChanges
from tapemaster_qt.store import users as users_table
from tapemaster_qt.store.database import Dialect
from tapemaster_qt.store.migrations import Migration

PACKAGE = Path(tapemaster_qt.__file__).parent
COLUMN_ONLY_NAMES = ("access_tapemaster", "access_lite", "access_checkpoint", "mac")


def _store_imports(path: Path) -> list[str]:
    """What a module takes from the store package beyond its interface."""
    import tapemaster_qt.store as package

    beyond: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "tapemaster_qt.store":
            beyond += [a.name for a in node.names if a.name not in package.__all__]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("tapemaster_qt.store.") or node.module == "sqlite3":
                beyond += [node.module] if not node.module.endswith(".interface") else []
        elif isinstance(node, ast.Import):
            beyond += [a.name for a in node.names
                       if a.name.startswith("tapemaster_qt.store") or a.name == "sqlite3"]
    return beyond


@pytest.mark.parametrize("path", sorted((PACKAGE / "services").glob("*.py")),
                         ids=lambda p: p.name)
def test_services_know_neither_the_backend_nor_a_column(path: Path) -> None:
    assert _store_imports(path) == []
    text = path.read_text(encoding="utf-8")
    assert [name for name in COLUMN_ONLY_NAMES if f'"{name}"' in text] == []


def test_importing_the_services_loads_no_backend() -> None:
    code = ("import sys, tapemaster_qt.services.admin, tapemaster_qt.services.auth, "
            "tapemaster_qt.services.setup, tapemaster_qt.services.audit;"
            "print(sorted(m for m in sys.modules if m == 'sqlite3' or "
            "m.startswith('tapemaster_qt.store.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['tapemaster_qt.store.interface']"


def test_the_sqlite_store_implements_the_protocols(store: Store) -> None:
    from tapemaster_qt.store import interface

    def members(protocol: type) -> set[str]:
        return {name for name in vars(protocol) if not name.startswith("_")}

    assert members(interface.Store) - set(dir(store)) == set()
    with store.write() as tx:
        assert members(interface.Transaction) - set(dir(tx)) == set()


def test_user_changes_take_domain_fields_only() -> None:
    with pytest.raises(TypeError):
        UserChanges(access_lite=False)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        NewUser(user_id="x", mac=b"")  # type: ignore[call-arg]
    changes = UserChanges(programs=frozenset({"Lite"}), email=None)
    assert dict(changes.items()) == {"email": None, "programs": frozenset({"Lite"})}
    assert not UserChanges() and changes
    assert UserChanges().email is UNCHANGED
    with pytest.raises(dataclasses.FrozenInstanceError):
        changes.email = "x@example.org"  # type: ignore[misc]
    # A hash or an encrypted secret never reaches a log through repr.
    hidden = repr(UserChanges(password_hash="$argon2id$secret", otp_secret=b"\x01\x02"))
    assert "argon2id" not in hidden and "\\x01" not in hidden


def test_programs_become_the_access_columns_in_the_store_only() -> None:
    stored = users_table.stored_changes(
        UserChanges(programs=frozenset({"Lite"}), disabled=True, otp_burned_steps=(7, 9)))
    assert stored == {"access_tapemaster": 0, "access_lite": 1, "access_checkpoint": 0,
                      "disabled": 1, "otp_burned_steps": "7,9"}


def test_a_program_taken_away_is_stored_and_sealed(ctx: Context, admin: AdminService) -> None:
    admin.add_user({"user_id": "alice"}, "Alice-Secret-42")
    admin.update_user("alice", {"programs": "Lite"})
    user = ctx.store.get_user("alice")
    assert user is not None and user.programs == frozenset({"Lite"}) and user.integrity_ok
    assert not user.may_run("TapeMaster")


def test_portable_ddl_substitutions() -> None:
    script = ("CREATE TABLE t (id {ID}, n {BIGINT}, b {BLOB}){STRICT};\n"
              "CREATE UNIQUE INDEX t_b ON t({ci[name]});")
    assert Dialect().ddl(script) == (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, b BLOB) STRICT;\n"
        "CREATE UNIQUE INDEX t_b ON t(name COLLATE NOCASE);")

    class Server(Dialect):
        name = "postgresql"
        ddl_types: ClassVar[dict[str, str]] = {"BLOB": "BYTEA", "BIGINT": "BIGINT", "STRICT": "",
                     "ID": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"}

        def ci_index(self, column: str) -> str:
            return f"lower({column})"

    assert Server().ddl(script) == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, "
        "b BYTEA);\nCREATE UNIQUE INDEX t_b ON t(lower(name));")


def test_a_migration_is_portable_ddl_then_the_backends_own_extras(store: Store) -> None:
    from tapemaster_qt.store.sqlite import SQLiteStore

    assert isinstance(store, SQLiteStore)
    migration = Migration(portable="CREATE TABLE t (b {BLOB});",
                          sqlite="CREATE INDEX t_b ON t(b);",
                          postgresql="GRANT INSERT ON t TO tapemaster_app;")
    assert migration.script(store.db) == (
        "CREATE TABLE t (b BLOB);\nCREATE INDEX t_b ON t(b);")
