"""The layers of DESIGN.md §6, read from the source: ``ui/`` → services → ``store/``.

Windows are handed services, never the store; nothing below ``ui/`` imports Qt; the
field catalogue and the records import no layer at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "tapemaster_qt"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def sources(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", sources("ui"), ids=lambda p: p.name)
def test_windows_never_touch_the_store(path: Path) -> None:
    assert not any(name.startswith("tapemaster_qt.store") for name in imports(path))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in ("store", "ctx", "_ctx")]
    assert reads == [], f"{path.name} reaches for the store or the context at {reads}"


@pytest.mark.parametrize("path", [*sources("services"), *sources("store"),
                                  PACKAGE / "fields.py", PACKAGE / "records.py"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_qt_below_the_windows(path: Path) -> None:
    assert not any(name.startswith(("PySide6", "shiboken6")) for name in imports(path))
    assert not any(name.startswith("tapemaster_qt.ui") for name in imports(path))


@pytest.mark.parametrize("name", ["fields.py", "records.py"])
def test_the_catalogue_and_records_import_no_layer(name: str) -> None:
    layers = ("tapemaster_qt.services", "tapemaster_qt.store", "tapemaster_qt.ui")
    assert not any(n.startswith(layers) for n in imports(PACKAGE / name))


# --- no dead code, no reaching into another class (REVIEW-1 finding 7) --------------------

ROOT = PACKAGE.parents[1]
USED_ELSEWHERE = {
    "TESTS_ONLY": "the tests' fast argon2 profile (services/passwords.py)",
    "BITS": "a recovery code's strength, which the tests and docs/security.md quote",
    "COL_NAME": "a column number of the Users grid, named with its neighbours",
    "COL_GROUP": "a column number of the Users grid, named with its neighbours",
    "COL_EMAIL": "a column number of the Users grid, named with its neighbours",
    "COL_DESCRIPTION": "a column number of the Users grid, named with its neighbours",
    "KINDS": "every kind of audit row (services/audit.py), which the tests hold the "
             "Audit Log's words to",
}
"""Module-level names no source uses, on purpose."""


def _module_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def test_every_module_level_name_is_used() -> None:
    """A public name defined and never used (cli.UsageError, transfer.MAX_IMPORT_BYTES
    while cli.py wrote 256 * 1024 * 1024 again, identity.LABELS) is dead code, or a
    second definition waiting to drift from the first."""
    import re
    from collections import Counter

    texts = [p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))]
    texts += [(ROOT / name).read_text(encoding="utf-8")
              for name in ("pyproject.toml", "tapemaster.spec")]  # the entry points
    words = Counter(w for t in texts for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", t))
    unused = [f"{path.relative_to(PACKAGE)}: {name}"
              for path in sorted(PACKAGE.rglob("*.py"))
              for name in _module_names(ast.parse(path.read_text(encoding="utf-8")))
              if words[name] <= 1 and name not in USED_ELSEWHERE]
    assert unused == []


def test_no_class_calls_another_classs_private_methods() -> None:
    """``LogonService(ctx)._fail(...)`` from PasswordChangeService: a private method is
    the class's own business; what others need is public."""
    private: dict[str, set[str]] = {}
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}
    for path, tree in trees.items():
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for item in cls.body:
                if (isinstance(item, ast.FunctionDef) and item.name.startswith("_")
                        and not item.name.startswith("__")):
                    private.setdefault(item.name, set()).add(f"{path.name}:{cls.name}")
    namedtuple_api = {"_fields", "_replace", "_asdict", "_make"}
    found: list[str] = []

    def visit(node: ast.AST, path: Path, owner: str) -> None:
        if isinstance(node, ast.ClassDef):
            owner = f"{path.name}:{node.name}"
        if (isinstance(node, ast.Attribute) and node.attr in private
                and node.attr not in namedtuple_api and owner not in private[node.attr]
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node)}")
        for child in ast.iter_child_nodes(node):
            visit(child, path, owner)

    for path, tree in trees.items():
        visit(tree, path, "")
    assert found == []
