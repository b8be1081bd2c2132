"""TapeTrack's rules for User-IDs, Group-IDs and the other identity fields."""

from __future__ import annotations

import re
import unicodedata

from tapemaster_qt.errors import QT_TRANSLATE_NOOP, ValidationError

USER_ID_MAX = 16
GROUP_ID_MAX = 10
NAME_MAX = 64
DESCRIPTION_MAX = 255
EMAIL_MAX = 254

_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,15}")
_GROUP_ID = re.compile(r"[A-Za-z0-9]{1,10}")
# Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is the
# mail server's business, not ours.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def storable(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 text, as everything in the store is.

    A ``str`` can hold a lone surrogate (a command-line argument that was not valid
    UTF-8 arrives as one) or a NUL character (typed, pasted or in a file); such text
    names no user, group or audit row (the rules above refuse both), SQLite cannot even
    be asked about the first and PostgreSQL about either.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def user_id_problem(user_id: str) -> str | None:
    """Why ``user_id`` is not a valid User-ID, or None when it is."""
    problem = _user_id_problem(user_id)
    return None if problem is None else problem.format(max=USER_ID_MAX)


def _user_id_problem(user_id: str) -> str | None:
    """user_id_problem's message template (``{max}``: USER_ID_MAX)."""
    if not user_id:
        return QT_TRANSLATE_NOOP("errors", "Enter a User-ID.")
    if len(user_id) > USER_ID_MAX:
        return QT_TRANSLATE_NOOP("errors", "A User-ID has at most {max} characters.")
    if user_id[0] in ".-":
        return QT_TRANSLATE_NOOP("errors", "A User-ID must not start with '.' or '-'.")
    if not _USER_ID.fullmatch(user_id):
        return QT_TRANSLATE_NOOP("errors",
                                 "A User-ID may hold only letters A-Z, digits, '.' and '-'.")
    return None


def check_user_id(user_id: str) -> str:
    problem = _user_id_problem(user_id)
    if problem:
        raise ValidationError(problem, "User-ID", params={"max": USER_ID_MAX})
    return user_id


def check_group_id(group_id: str) -> str:
    if not group_id:
        raise ValidationError(QT_TRANSLATE_NOOP("errors", "Enter a Group-ID."), "Group-ID")
    if not _GROUP_ID.fullmatch(group_id):
        raise ValidationError(
            QT_TRANSLATE_NOOP("errors", "A Group-ID has 1 to {max} letters A-Z or digits."),
            "Group-ID", params={"max": GROUP_ID_MAX})
    return group_id


def _plain_text(value: str, field: str, limit: int) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > limit:
        raise ValidationError(
            QT_TRANSLATE_NOOP("errors", "{field} has at most {limit} characters."), field,
            params={"field": field, "limit": limit})
    # isprintable() is the fast, C-speed answer for ordinary text; only text it rejects
    # (it also rejects harmless spaces such as U+00A0) is looked at character by character.
    if not value.isprintable() and any(
            unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
            for ch in value):
        raise ValidationError(
            QT_TRANSLATE_NOOP("errors", "{field} contains a control or invisible character."),
            field, params={"field": field})
    return value


def check_name(name: str) -> str:
    return _plain_text(name, "Name", NAME_MAX)


def check_description(text: str) -> str:
    return _plain_text(text, "Description", DESCRIPTION_MAX)


def check_group_description(text: str) -> str:
    return _plain_text(text, QT_TRANSLATE_NOOP("fields", "Group description"), DESCRIPTION_MAX)


def check_email(email: str | None) -> str | None:
    """The e-mail to store (None when blank); raises when it is not an address."""
    if email is None:
        return None
    email = email.strip()
    if not email:
        return None
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise ValidationError(QT_TRANSLATE_NOOP(
                "errors",
                "That is not an e-mail address (name@example.com)."), "E-mail")
    if not email.isprintable() and any(unicodedata.category(ch).startswith("C")
                                       for ch in email):
        raise ValidationError(QT_TRANSLATE_NOOP(
                "errors",
                "The e-mail address contains a control character."), "E-mail")
    return email


def check_role(role: object) -> int:
    if isinstance(role, bool):
        raise ValidationError(QT_TRANSLATE_NOOP("errors", "Role is a number from 0 to 7."), "Role")
    try:
        value = int(str(role).strip()) if not isinstance(role, int) else role
    except ValueError:
        raise ValidationError(QT_TRANSLATE_NOOP(
                "errors",
                "Role is a number from 0 to 7."), "Role") from None
    if not 0 <= value <= 7:
        raise ValidationError(QT_TRANSLATE_NOOP("errors", "Role is a number from 0 to 7."), "Role")
    return value
