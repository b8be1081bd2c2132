"""What a One Time Password field may hold, written once.

The logon engine reads the field (:func:`tapemaster_qt.services.recovery.parse_code_field`:
a 6-digit code or a recovery code, spaces and dashes skipped), and the windows' code
fields accept exactly these characters as they are typed (:data:`FIELD_PATTERN`), so
the two cannot disagree about a dash. No imports: the logon dialog needs it at start-up.
"""

from __future__ import annotations

SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
          "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""The spaces skipped in a code: every character Python's ``str.isspace`` calls one
(a space pasted from a web page or an app may be a no-break or a thin space)."""
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
"""The dashes skipped in a recovery code: the hyphen, and the dashes a word processor
or a web page turns it into (hyphens, figure, en and em dashes, minus, the small and
fullwidth hyphen-minus)."""
FIELD_MAX = 14
"""Characters a code field takes: ``abcd-2345`` with room for pasted spaces."""


def _in_class(chars: str) -> str:
    """``chars`` inside a regular expression's ``[...]`` (PCRE2, as Qt's
    QRegularExpression, and Python's ``re`` read it alike)."""
    return "".join("\\" + ch if ch in "\\]^-[" else ch for ch in chars)


FIELD_PATTERN = f"[0-9A-Za-z{_in_class(SPACES + DASHES)}]{{0,{FIELD_MAX}}}"
"""A code field's whole text while it is typed: ASCII digits and letters (a 6-digit
code, a recovery code in any case), :data:`SPACES` and :data:`DASHES`. What cannot be
a code even so is refused by the logon engine before anything is counted."""
