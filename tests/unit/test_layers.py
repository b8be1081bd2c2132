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
