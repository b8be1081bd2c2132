"""Write translations from a Python table into a .ts catalogue (a translator's helper).

    python tools/fill_ts.py src/tapemaster_qt/resources/i18n/tapemaster_de.ts TABLE.py

TABLE.py defines ``T = {source: translation}`` (a translation for every context that
has the source) and optionally ``C = {(context, source): translation}``; a plural's
translation is a list of its forms. Messages the table does not name are left as they
are; the ones it names lose their "unfinished" mark. Then ``make translations``.
Most translators will rather use Qt Linguist (``pyside6-linguist``) on the .ts.
"""

from __future__ import annotations

import runpy
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def fill(ts: Path, table: Path) -> tuple[int, list[str]]:
    names = runpy.run_path(str(table))
    by_source: dict[str, object] = names.get("T", {})
    by_context: dict[tuple[str, str], object] = names.get("C", {})
    tree = ET.parse(ts)  # noqa: S314 (a catalogue of the repository)
    done, missing = 0, []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            value = by_context.get((name, source), by_source.get(source))
            if value is None:
                translation = message.find("translation")
                if translation is None or translation.get("type") == "unfinished":
                    missing.append(f"{name}: {source}")
                continue
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            for child in list(translation):
                translation.remove(child)
            translation.attrib.pop("type", None)
            if message.get("numerus") == "yes":
                forms = value if isinstance(value, list) else [value, value]
                translation.text = None
                for form in forms:
                    ET.SubElement(translation, "numerusform").text = form
            else:
                if isinstance(value, list):
                    raise SystemExit(f"{name}: {source!r} is not a plural")
                translation.text = str(value)
            done += 1
    ET.indent(tree, "    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                  encoding="utf-8")
    return done, missing


if __name__ == "__main__":
    count, left = fill(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{count} translations written; {len(left)} still unfinished")
    for line in left:
        print("  unfinished:", line)
