"""Find texts for users that do not go through Qt's translation (and wrap them).

    python tools/i18n_scan.py [FILE...]          list them (exit 1 when there are some)
    python tools/i18n_scan.py --fix [FILE...]    wrap the plain literals in place

A text for users is a string literal (or an f-string) passed to a call that puts text
on the screen: a widget's setText/setWindowTitle/setToolTip..., a QLabel/QPushButton/
QAction..., a message box (ui/msgbox.py), a dialog's message line. Plain literals are
wrapped in ``self.tr(...)`` inside a method, else ``QCoreApplication.translate(<context>,
...)`` with the enclosing class (or the module) as context; an f-string must be
rewritten by hand with ``{name}`` fields and ``.format()`` (lupdate cannot read it).
Not texts: object names and other identifiers (``actionLogOut``), strings without a
letter (``123 456``), and a few words that are the same in every language (ALLOWED).
tests/unit/test_translations.py runs the listing over ui/ and app.py.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tapemaster_qt"

METHODS = {
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setWhatsThis",
    "setPlaceholderText", "setAccessibleName", "setAccessibleDescription", "showMessage",
    "addMenu", "addAction", "addRow", "addTab", "setTabText", "insertTab", "setTitle",
    "setLabelText", "setInformativeText", "setHeaderLabels", "addItem", "addItems",
    "setItemText", "setSpecialValueText", "setSuffix", "setPrefix",
    # message boxes and the project's own helpers that show a text
    "information", "warning", "critical", "confirm", "choose", "save_file",
    "show_message", "_show", "_say", "_fatal", "_action", "action", "_header",
}
CONSTRUCTORS = {
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu",
    "QToolButton", "QCommandLinkButton", "Op", "RecoveryCodesDialog",
}
SKIPPED_KEYWORDS = {"object_name", "objectName", "name"}
ALLOWED = {"<b>tapemaster</b>", "TapeMaster", "OK", "tapemaster"}
IDENTIFIER = re.compile(r"^[a-z]+[A-Z0-9_][A-Za-z0-9_]*$")
"""camelCase or snake_case: an object name or key, not a word ("any" is a word)."""
LOGGERS = {"debug", "info", "warning", "error", "exception", "critical"}


@dataclass(frozen=True)
class Finding:
    path: Path
    node: ast.expr
    context: str
    in_method: bool
    formatted: bool

    def __str__(self) -> str:
        where = f"{self.path.relative_to(ROOT)}:{self.node.lineno}"
        what = "f-string (rewrite with {name} and .format)" if self.formatted else "literal"
        return f"{where}: unwrapped {what}: {ast.unparse(self.node)[:70]}"


def _has_words(text: str) -> bool:
    """A letter outside markup (``<b>``, ``<ol style=...>``) and ``{fields}``."""
    return bool(re.search("[A-Za-z]", re.sub(r"<[^>]*>|\{[^}]*\}", "", text)))


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and _has_words(str(v.value))
                   for v in node.values)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return _has_words(text) and not IDENTIFIER.match(text) and text not in ALLOWED
    return False


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_logger(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr in LOGGERS
            and isinstance(func.value, ast.Name) and func.value.id in ("logger", "logging"))


class _Scan(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.module = path.stem
        self.classes: list[str] = []
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.found: list[Finding] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def _in_method(self) -> bool:
        for function in reversed(self.functions):
            arguments = function.args.posonlyargs + function.args.args
            if arguments and arguments[0].arg == "self":
                return bool(self.classes)
        return False

    def visit_Call(self, node: ast.Call) -> None:
        name = _callee(node)
        if (name in METHODS or name in CONSTRUCTORS) and not _is_logger(node):
            candidates = list(node.args) + [k.value for k in node.keywords
                                            if k.arg not in SKIPPED_KEYWORDS]
            for argument in candidates:
                for part in self._texts(argument):
                    self.found.append(Finding(
                        self.path, part, self.classes[-1] if self.classes else self.module,
                        self._in_method(), isinstance(part, ast.JoinedStr)))
        self.generic_visit(node)

    def _texts(self, node: ast.expr) -> list[ast.expr]:
        """The text literals an argument is made of (a conditional's branches, a sum's
        terms, a list's items)."""
        if _is_text(node):
            return [node]
        if isinstance(node, ast.IfExp):
            return self._texts(node.body) + self._texts(node.orelse)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._texts(node.left) + self._texts(node.right)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [t for item in node.elts for t in self._texts(item)]
        if isinstance(node, ast.Dict):  # msgbox.choose's button texts
            return [t for value in node.values for t in self._texts(value)]
        return []


def scan(path: Path) -> list[Finding]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    visitor = _Scan(path)
    visitor.visit(tree)
    return visitor.found


def default_files() -> list[Path]:
    return sorted([*(PACKAGE / "ui").rglob("*.py"), PACKAGE / "app.py"])


def fix(path: Path, findings: list[Finding]) -> int:
    """Wrap the plain literals of ``findings`` (all in ``path``); returns how many."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    text = "".join(lines)
    edits = []
    for finding in findings:
        node = finding.node
        if finding.formatted or node.end_lineno is None or node.end_col_offset is None:
            continue
        start = offsets[node.lineno - 1] + _char_col(lines[node.lineno - 1], node.col_offset)
        end = (offsets[node.end_lineno - 1]
               + _char_col(lines[node.end_lineno - 1], node.end_col_offset))
        source = text[start:end]
        wrapped = (f"self.tr({source})" if finding.in_method
                   else f'QCoreApplication.translate("{finding.context}", {source})')
        edits.append((start, end, wrapped))
    for start, end, wrapped in sorted(edits, reverse=True):
        text = text[:start] + wrapped + text[end:]
    path.write_text(text, encoding="utf-8")
    return len(edits)


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8"))


def main(argv: list[str]) -> int:
    fixing = "--fix" in argv
    files = [Path(a).resolve() for a in argv if a != "--fix"] or default_files()
    remaining = 0
    for path in files:
        findings = scan(path)
        if fixing and findings:
            done = fix(path, findings)
            if done:
                print(f"{path.relative_to(ROOT)}: wrapped {done}")
            findings = scan(path)
        for finding in findings:
            print(finding)
        remaining += len(findings)
    return 1 if remaining else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
