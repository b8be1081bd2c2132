"""The audit log's words (ui/texts.py): one table, every event covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tapemaster_qt.services.audit import KINDS, Event, FailReason
from tapemaster_qt.ui.texts import (
    EVENT_WORDS,
    REASON_WORDS,
    audit_words,
    kind_words,
    kinds_in_words,
)

INTERFACES = Path(__file__).resolve().parents[2] / "docs" / "interfaces.md"
"""The repository's copy of the names scripts rely on (UI-CONTRACT.md's)."""


def test_every_event_the_services_write_has_words() -> None:
    assert {str(e) for e in Event} <= EVENT_WORDS.keys()
    assert {str(r) for r in FailReason} == REASON_WORDS.keys()
    assert all(kind_words(kind) not in {kind[0], kind[1]} for kind in KINDS)


def test_every_event_the_interfaces_name_has_words() -> None:
    text = INTERFACES.read_text(encoding="utf-8")
    names = re.findall(r"`([a-z]+(?:_[a-z]+)+)`", text[text.index("Audit event names"):])
    reasons = {str(r) for r in FailReason}
    assert names and {n for n in names if n not in reasons} <= EVENT_WORDS.keys()


def test_no_two_kinds_read_the_same() -> None:
    words = [*EVENT_WORDS.values(), *REASON_WORDS.values()]
    assert len(set(words)) == len(words)


@pytest.mark.parametrize(("event", "detail", "words"), [
    ("login_failed", "bad_password", ("Wrong password", "")),
    ("login_failed", "disabled; bad_password", ("Logon refused: User-ID disabled",
                                                "wrong password")),
    ("login_failed", "bad_otp; replayed code", ("Wrong One Time Password",
                                                "code already used")),
    ("login_failed", "something new", ("Logon refused", "something new")),
    ("login_failed", "", ("Logon refused", "")),
    ("logged_out", "", ("Logged out", "by the user")),
    ("logged_out", "inactivity", ("Logged out", "no activity for too long")),
    ("user_updated", "changed: Disabled", ("User changed", "changed: Disabled")),
    ("otp_enrollment_shown", "", ("QR code shown", "")),
    ("login_succeeded", "otp", ("Logged on", "with a One Time Password")),
    ("login_succeeded", "recovery code", ("Logged on", "with a recovery code")),
    ("recovery_code_used", "to log on; 9 left", ("Recovery code used", "to log on; 9 left")),
    ("made_up_event", "x; y", ("made_up_event", "x; y")),
])
def test_rows_in_words(event: str, detail: str, words: tuple[str, str]) -> None:
    assert audit_words(event, detail) == words


def test_words_find_kinds() -> None:
    assert kinds_in_words("WRONG password") == {("login_failed", "bad_password")}
    assert kinds_in_words("qr") == {("otp_enrollment_shown", None)}
    assert ("login_failed", None) not in kinds_in_words("logon refused")
    assert kinds_in_words("  ") == frozenset()
