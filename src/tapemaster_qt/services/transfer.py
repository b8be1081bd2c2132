"""User lists as CSV (import and export) and XML (export, like TapeTrack's Export).

Pure text conversion: no store access, no secrets (none are ever exported).

XML 1.0 cannot carry most control characters at all, not even escaped. The program
never stores one in a field it exports, but a record written by another tool (or an
older version) may hold one: the XML export then refuses, naming the user and the
field, instead of writing a file no XML reader opens. CSV carries any text.

Exports are opened in spreadsheets, which run a cell that starts with ``= + - @``, TAB
or CR as a formula (OWASP "CSV Injection"): a name like ``=HYPERLINK(...)`` would turn
an administrator's export into a phishing link or a command. Every such cell is written
with a leading apostrophe, which spreadsheets show as text, and the import takes that
apostrophe off again, so our own export reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TextIO

from tapemaster_qt import terminal
from tapemaster_qt.errors import ValidationError
from tapemaster_qt.fields import CSV_FIELDS, USER_CSV_COLUMNS, USER_FIELDS
from tapemaster_qt.records import UserDetails

__all__ = ["CSV_COLUMNS", "csv_rows", "neutralise_cell", "restore_cell", "users_to_csv",
           "users_to_xml", "write_csv"]

CSV_COLUMNS = (*USER_CSV_COLUMNS, "group_description")
"""The user's columns (from the field catalogue), then ``group_description``, which
came last (files written before it still import): it lets an import on another store
create the groups that store lacks."""
MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""The largest CSV file ``user import`` reads."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell (OWASP)."""
_XML_FIELDS = tuple(f for f in USER_FIELDS if f.xml)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 cannot hold (its ``Char`` production), escaped or not."""


def _looks_like_formula(value: str) -> bool:
    """Starts a formula, or is one already neutralised (any number of apostrophes
    before a formula character): those get one more apostrophe, so that taking one
    off on import gives back exactly what was exported."""
    return value.lstrip("'")[:1] in FORMULA_PREFIXES


def neutralise_cell(value: str) -> str:
    """The cell to write for ``value``: prefixed with ``'`` when a spreadsheet would
    run it as a formula."""
    return "'" + value if _looks_like_formula(value) else value


def restore_cell(cell: str) -> str:
    """The value :func:`neutralise_cell` was given for ``cell``."""
    return cell[1:] if cell[:1] == "'" and _looks_like_formula(cell[1:]) else cell


def users_to_csv(users: Iterable[UserDetails],
                 groups: Mapping[str, str] | None = None) -> str:
    """The users as CSV; ``groups`` (Group-ID to description) fills each row's
    ``group_description``, so that another store can create the group on import."""
    groups = groups or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for u in users:
        group = groups.get(u.group_id, "") if u.group_id else ""
        writer.writerow([neutralise_cell(cell) for cell in (
            *(f.export_value(u) for f in CSV_FIELDS), group)])
    return out.getvalue()


def csv_rows(text: str) -> Iterator[tuple[int, Mapping[str, str]]]:
    """``(line number, fields)`` per user; raises ValidationError for a bad file."""
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM from spreadsheet programs
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("The CSV file is empty.") from None
    except csv.Error as exc:
        raise ValidationError(f"The CSV file cannot be read: {exc}.") from None
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        # Quoted (repr): a header may hold line breaks or invisible characters.
        raise ValidationError(
            f"Unknown CSV column(s): {', '.join(repr(h) for h in unknown)}. "
            f"Expected: {', '.join(CSV_COLUMNS)}."
        )
    if "user_id" not in header:
        raise ValidationError("The CSV file has no user_id column.")
    if len(set(header)) != len(header):
        raise ValidationError("The CSV file names a column twice.")
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ValidationError(
                    f"line {line}: {len(values)} fields where the header has {len(header)}."
                )
            yield line, dict(zip(header, map(restore_cell, values), strict=True))
    except csv.Error as exc:
        raise ValidationError(f"line {reader.line_num}: {exc}.") from None


def users_to_xml(users: Iterable[UserDetails]) -> str:
    """The users as TapeTrack's XML export; raises ValidationError, naming the user and
    the field, when a value holds a character XML cannot carry."""
    root = ET.Element("TapeTrack", {"Export": "Users"})
    user_list = ET.SubElement(root, "UserList")
    for u in users:
        el = ET.SubElement(user_list, "User")
        parents: dict[str, ET.Element] = {}
        for f in _XML_FIELDS:
            value = f.export_value(u)
            if _NOT_XML.search(value):
                raise ValidationError(
                    f"The {f.label} of User-ID {terminal.escape(u.user_id)} holds a control "
                    "character, which an XML file cannot carry; nothing was exported. "
                    "Correct it in User Properties, or export as CSV, which keeps it.")
            path = f.xml or ""
            if path.startswith("@"):
                el.set(path[1:], value)
                continue
            parent, _, tag = path.rpartition("/")
            into = el
            if parent:
                if parent not in parents:
                    parents[parent] = ET.SubElement(el, parent)
                into = parents[parent]
            ET.SubElement(into, tag).text = value
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_csv(fh: TextIO, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write ``header`` and ``rows`` as CSV to ``fh``, every cell a spreadsheet would run
    as a formula neutralised (the Audit Log's export); returns how many rows."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow([neutralise_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
        count += 1
    return count
