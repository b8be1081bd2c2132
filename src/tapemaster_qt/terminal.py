"""Text on its way to a terminal or a one-line log: control and format characters escaped.

Fields the CLI prints come from a store (a name, a description, an audit row's actor
or host) that anyone with write access to the file, or a crafted ``LOGNAME``, can fill
with a line break, terminal escape codes (``ESC[2J``, a title change, a hyperlink) or
direction-changing and invisible characters. Printed as they are, they forge lines in
``user list`` or ``audit`` and hide what an administrator reads. :func:`escape` shows
each such character as Python writes it (``\\n``, ``\\x1b``, ``\\u202e``), so every
field stays on its line and looks like what it is.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi overrides, zero-width), surrogates, private-use and
unassigned code points, and the line and paragraph separators."""


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in UNSAFE_CATEGORIES


def escape(text: object) -> str:
    """``text`` with every unsafe character written as an escape sequence."""
    text = str(text)
    if text.isprintable():  # the C-speed answer for ordinary text
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii") if _unsafe(ch) else ch
                   for ch in text)


def escape_lines(text: str) -> str:
    """Multi-line text (an export shown on a terminal): lines kept, the rest escaped."""
    return "\n".join(escape(line) for line in text.split("\n"))


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any) -> str:
    """``data`` as indented JSON, readable (non-ASCII letters kept) and still valid, with
    every unsafe character as a ``\\uXXXX`` escape: a JSON parser gets the very same
    strings back, a terminal shows nothing it would act on."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if text.isprintable() or all(ch == "\n" or not _unsafe(ch) for ch in text):
        return text
    # Outside strings JSON holds only ASCII punctuation, digits, letters, spaces and the
    # newlines of the indentation, so every unsafe character left is inside a string.
    return "".join(_json_escape(ch) if ch != "\n" and _unsafe(ch) else ch for ch in text)
