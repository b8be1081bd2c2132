"""The translation catalogues are complete and current, and no text for users escapes
them (docs/translations.md).

- Every text the sources mark (tr, QCoreApplication.translate, QT_TRANSLATE_NOOP) is in
  each shipped catalogue, translated: pyside6-lupdate run over the sources into a copy
  of the .ts finds nothing new and nothing unfinished.
- The committed .qm files are what pyside6-lrelease makes of the .ts (so an install
  from a clean clone loads the translations that were reviewed).
- A translation keeps its source's {fields}, %n and markup, and a mnemonic where the
  source has one.
- No string literal reaches the screen without going through the catalogue
  (tools/i18n_scan.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "tapemaster_qt"
I18N = PACKAGE / "resources" / "i18n"
SHIPPED = ("de",)
BIN = Path(sys.executable).parent

sys.path.insert(0, str(ROOT / "tools"))
import i18n_scan  # noqa: E402


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} is missing: it comes with PySide6-Essentials")
        return found
    return str(path)


def _sources() -> list[str]:
    return sorted(str(p) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _messages(ts: Path) -> list[tuple[str, ET.Element]]:
    root = ET.parse(ts).getroot()  # noqa: S314 (the catalogues in the repository)
    return [(c.findtext("name") or "", m) for c in root.iter("context")
            for m in c.iter("message")]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the catalogues, brought up to date with the sources by lupdate the way
    make translations does."""
    folder = tmp_path_factory.mktemp("i18n")
    copies = {}
    for language in (*SHIPPED, "en"):
        copy = folder / f"tapemaster_{language}.ts"
        shutil.copy(I18N / f"tapemaster_{language}.ts", copy)
        extra = ["-pluralonly"] if language == "en" else []
        result = subprocess.run(
            [_tool("pyside6-lupdate"), "-silent", "-locations", "none", "-no-obsolete",
             *extra, *_sources(), "-ts", str(copy)],
            capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr
        copies[language] = copy
    return copies


@pytest.mark.parametrize("language", [*SHIPPED, "en"])
def test_the_catalogue_has_every_text_translated(refreshed, language) -> None:
    messages = _messages(refreshed[language])
    assert messages, "an empty catalogue"
    unfinished = [f"{context}: {m.findtext('source')}" for context, m in messages
                  if (m.find("translation") is None
                      or m.find("translation").get("type") in ("unfinished", "vanished",
                                                               "obsolete"))]
    assert unfinished == [], ("not translated (make translations, then translate them in "
                              f"tapemaster_{language}.ts):\n" + "\n".join(unfinished))


@pytest.mark.parametrize("language", [*SHIPPED, "en"])
def test_the_committed_catalogue_is_current(refreshed, language) -> None:
    """Nothing new in the sources that the committed .ts lacks (run make translations)."""
    committed = {(c, m.findtext("source"))
                 for c, m in _messages(I18N / f"tapemaster_{language}.ts")}
    current = {(c, m.findtext("source")) for c, m in _messages(refreshed[language])}
    assert current - committed == set(), "make translations: new texts in the sources"
    assert committed - current == set(), "make translations: texts the sources dropped"


@pytest.mark.parametrize("language", [*SHIPPED, "en"])
def test_the_compiled_catalogue_matches_its_source(tmp_path, language) -> None:
    qm = tmp_path / f"tapemaster_{language}.qm"
    result = subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", "-nounfinished",
         str(I18N / f"tapemaster_{language}.ts"), "-qm", str(qm)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert qm.read_bytes() == (I18N / f"tapemaster_{language}.qm").read_bytes(), (
        "the committed .qm is stale: make translations")


FIELD = re.compile(r"\{[a-z_]*\}|%n")
TAG = re.compile(r"</?[a-z0-9]+")


def _has_mnemonic(text: str) -> bool:
    return re.search(r"(?<!&)&[^&\s]", text.replace("&&", "")) is not None


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_fields_markup_and_mnemonics(language) -> None:
    wrong = []
    for context, message in _messages(I18N / f"tapemaster_{language}.ts"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        forms = ([f.text or "" for f in translation.iter("numerusform")]
                 if message.get("numerus") == "yes" else [translation.text or ""])
        for form in forms:
            if sorted(FIELD.findall(form)) != sorted(FIELD.findall(source)):
                wrong.append(f"{context}: fields differ: {source!r} -> {form!r}")
            if sorted(TAG.findall(form)) != sorted(TAG.findall(source)):
                wrong.append(f"{context}: markup differs: {source!r} -> {form!r}")
            if _has_mnemonic(source) != _has_mnemonic(form):
                wrong.append(f"{context}: mnemonic lost or added: {source!r} -> {form!r}")
            if form.strip() == "" and source.strip():
                wrong.append(f"{context}: empty translation of {source!r}")
    assert wrong == [], "\n".join(wrong)


def test_every_text_for_users_goes_through_the_catalogue() -> None:
    findings = [str(f) for path in i18n_scan.default_files() for f in i18n_scan.scan(path)]
    assert findings == [], ("texts shown without tr()/translate() "
                            "(python tools/i18n_scan.py --fix wraps plain ones):\n"
                            + "\n".join(findings))


def test_the_scan_finds_what_it_should(tmp_path) -> None:
    """The scanner is not a test that cannot fail: it catches each kind of leak."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "class Window(QDialog):\n"
        "    def build(self, name):\n"
        "        self.setWindowTitle('Plain title')\n"
        "        QLabel(f'Hello {name}')\n"
        "        msgbox.warning(self, self.tr('Fine'), 'Not fine', object_name='okName')\n"
        "        self.button.setText(self.tr('Wrapped'))\n"
        "        self.setObjectName('identifierOnly')\n"
        "        self.edit.setPlaceholderText('123 456')\n"
        "        self.userEdit.setPlaceholderText('any')\n"
        "def free():\n"
        "    return msgbox.choose(None, 'T', 'x', {1: 'Yes please'})\n", encoding="utf-8")
    found = [(f.node.lineno, f.formatted) for f in i18n_scan.scan(sample)]
    assert found == [(3, False), (4, True), (5, False), (9, False), (11, False), (11, False),
                     (11, False)]


@pytest.mark.parametrize("language", [*SHIPPED, "en"])
def test_every_context_is_a_name_the_program_looks_up(language) -> None:
    """lupdate names a context after a class, a tr() object or the translate() argument;
    a dotted one ("QCoreApplication.texts", its Python parser's slip when translate()
    and an object's tr() share a statement) is looked up by no one."""
    contexts = {context for context, _m in _messages(I18N / f"tapemaster_{language}.ts")}
    assert {c for c in contexts if not c.isidentifier()} == set()
