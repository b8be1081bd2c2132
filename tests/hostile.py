"""What the hostile-input tests share (issue 4): how hostile typing is generated,
the store as another program reads it, the check that a refusal is clear and wrote
nothing, the documented normalisation written out independently, and the report
``build/reliability/hostile.json``.

Each hostile-input test wraps its property run in :func:`hostile_class`; the class's
entry (examples tried, how many the program accepted, passed or failed) is merged into
the report when the run ends, so the file only describes runs that really happened and
a partial test selection updates only its own classes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tapemaster_qt import PROGRAMS
from tapemaster_qt.errors import (
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
    ValidationError,
)

PROPERTY = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
REFUSALS = (ValidationError, ConflictError, NotAuthorizedError, NotFoundError)

# --- what hostile typing looks like -------------------------------------------------------

ODD = ["\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u200f", "\u202e", "\u2066", "\u200b",
       "\ufeff", "\u2028", "\ud800", "\udcff", "\U0010ffff", "\ue000", "e\u0301", "\u00a0",
       "Ａ", "٣", "'", '"', ",", ";", "%", "_", "\\", "' OR 1=1 --", "<x>&amp;",
       "\U0001F600", "\u0301"]
any_char = st.characters(exclude_categories=())  # every code point, lone surrogates too
odd_text = st.one_of(
    st.text(any_char, max_size=24),
    st.lists(st.one_of(st.sampled_from(ODD), st.text(any_char, max_size=3)), max_size=6)
    .map("".join),
    st.builds(lambda base, junk, at: base[:at] + junk + base[at:],
              st.sampled_from(["alice", "Alice Archer", "alice@example.com", "OPS", "True",
                               "3", "TapeMaster,Lite"]),
              st.sampled_from(ODD), st.integers(0, 12)),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "1", "\u200f", "\x00", " ", "é"]),
              st.sampled_from([65, 256, 10_000])),
)


def mostly(usual: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any],
           tenths: int = 8) -> st.SearchStrategy[Any]:
    """``usual`` in ``tenths`` of ten examples, ``hostile`` in the rest: enough valid
    input that acceptance (and what it stores) is tested as hard as refusal."""
    return st.integers(0, 9).flatmap(lambda n: usual if n < tenths else hostile)


valid_user_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,15}", fullmatch=True)
names = mostly(st.sampled_from(["", "Alice Archer", "  Zoë  ", "e\u0301clair",
                                "O'Brien, \"Bob\"", "李小龙", "x" * 64,
                                "\u05e9\u05dc\u05d5\u05dd"]),
               st.one_of(odd_text, st.none(), st.just("x" * 65)))
emails = mostly(
    st.one_of(st.sampled_from(["", "  ", "ä@b.co", " ann@site.example "]),
              st.from_regex(r"[a-z0-9.]{1,12}@[a-z0-9]{1,10}\.(com|org|example)",
                            fullmatch=True)),
    st.one_of(st.sampled_from(["alice@example.com", "ALICE@EXAMPLE.COM", "a@b", "@b.co",
                               "a b@c.de", "a@b..c", "a@b.c\u200f", "a\x00@b.co",
                               "x@" + "d" * 250 + ".com"]),
              st.builds(lambda local, domain: f"{local}@{domain}.com", odd_text, odd_text),
              odd_text, st.none()))
groups = mostly(st.sampled_from(["DEFAULT", "OPS", " OPS "]),
                st.one_of(st.sampled_from(["default", "", "NOPE", "OPS\x00", "ＯＰＳ", "O-PS"]),
                          odd_text, st.none()))
roles = mostly(st.one_of(st.integers(0, 7), st.sampled_from(["0", "7", " 3 ", "+3", "٣", "３",
                                                             "-0"])),
               st.one_of(st.integers(-3, 10), st.booleans(),
                         st.sampled_from(["3.0", "1e0", "0x3", "1_0", "", "seven", "9" * 5000]),
                         odd_text))
bools = mostly(st.one_of(st.booleans(),
                         st.sampled_from(["True", "False", "true", " TRUE ", "yes", "no", "1",
                                          "0", "y", "n", "t", "f", ""])),
               st.one_of(st.sampled_from(["maybe", "Tru e", "\x00True", "True\u200f",
                                          "ｔｒｕｅ", "None", "2"]), odd_text))
programs = mostly(
    st.one_of(st.sampled_from(["TapeMaster,Lite,Checkpoint", "tapemaster", "LITE;checkpoint",
                               "", ",,", "TapeMaster,,Lite", " TapeMaster , Lite "]),
              st.frozensets(st.sampled_from(PROGRAMS))),
    st.one_of(st.sampled_from(["Excel", "TapeMaster\x00", "Lite\u200f"]),
              st.frozensets(st.sampled_from([*PROGRAMS, "Bogus"]), min_size=1), odd_text))
BOOLEAN_FIELDS = ("admin_rights", "tapemaster_rights", "disabled", "no_timeout")
identity = st.fixed_dictionaries({}, optional={
    "name": names, "email": emails, "description": names, "group_id": groups,
    "role": roles, **dict.fromkeys(BOOLEAN_FIELDS, bools), "programs": programs,
    "otp_enabled": bools,
})

# --- the store as another program reads it ------------------------------------------------


def snapshot(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, read past the services with plain sqlite3 (or, for a
    test on PostgreSQL, psycopg as the app role)."""
    import pgfixtures

    if pgfixtures.raw_stores.get(data_dir) is not None:
        return _every_row(pgfixtures.raw_stores.connection(data_dir))
    with closing(sqlite3.connect(data_dir / "tapemaster.db")) as conn:
        return _every_row(conn)


def _every_row(conn: Any) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for table in ("users", "groups", "settings", "audit", "sessions", "recovery_codes"):
        cur = conn.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - fixed names
        columns = [d[0] for d in cur.description]
        out[table] = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    return out


def users_of(snap: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {row["user_id"]: row for row in snap["users"]}


def new_audit(before: dict, after: dict) -> list[dict[str, Any]]:
    assert after["audit"][:len(before["audit"])] == before["audit"], "audit rows changed"
    return after["audit"][len(before["audit"]):]


def refused(call: Callable[[], Any], data_dir: Path) -> tuple[Any, BaseException | None]:
    """Run ``call``; a refusal must be one of the services' errors, with a one-line
    message, and must leave every table exactly as it was."""
    before = snapshot(data_dir)
    try:
        return call(), None
    except REFUSALS as exc:
        assert exc.message and exc.message.strip() == exc.message, repr(exc.message)
        assert "\n" not in exc.message and "\r" not in exc.message, repr(exc.message)
        assert snapshot(data_dir) == before, f"partial write before: {exc.message}"
        return None, exc


# --- the documented normalisation, written out independently ------------------------------

TRUE_WORDS = {"true", "yes", "1", "y", "t"}


def want_text(raw: Any) -> str:
    return unicodedata.normalize("NFC", str(raw or "")).strip()


def want_email(raw: Any) -> str | None:
    return None if raw is None or not str(raw).strip() else str(raw).strip()


def want_role(raw: Any) -> int:
    return raw if isinstance(raw, int) else int(str(raw).strip())


def want_bool(raw: Any) -> bool:
    return raw if isinstance(raw, bool) else str(raw).strip().lower() in TRUE_WORDS


def want_programs(raw: Any) -> set[str]:
    names = raw.replace(";", ",").split(",") if isinstance(raw, str) else raw
    by_fold = {p.casefold(): p for p in PROGRAMS}
    return {by_fold[n.strip().casefold()] for n in names if n.strip()}


def assert_stored_as_asked(row: dict[str, Any], fields: dict[str, Any],
                           blank_group: str | None = None) -> None:
    for name, raw in fields.items():
        if name in ("name", "description"):
            assert row[name] == want_text(raw), name
        elif name == "email":
            assert row["email"] == want_email(raw)
        elif name == "group_id":
            assert row["group_id"] == (blank_group if raw in (None, "")
                                       else str(raw).strip())
        elif name == "role":
            assert row["role"] == want_role(raw)
        elif name in BOOLEAN_FIELDS:
            assert bool(row[name]) == want_bool(raw), name
        elif name == "programs":
            held = {p for p in PROGRAMS if row[f"access_{p.lower()}"]}
            assert held == want_programs(raw)
        elif name == "otp_enabled":
            assert bool(row["otp_enabled"]) == want_bool(raw)
            assert (row["otp_secret"] is not None) == want_bool(raw)



REPORT = Path(__file__).resolve().parents[1] / "build" / "reliability" / "hostile.json"


@dataclass
class Tally:
    name: str
    examples: int = 0
    accepted: int = 0
    """Examples the program accepted (the rest it refused, as the property allows)."""

    def __call__(self) -> None:
        """One more example tried."""
        self.examples += 1

    def accept(self) -> None:
        self.accepted += 1


@contextlib.contextmanager
def hostile_class(name: str) -> Iterator[Tally]:
    tally = Tally(name)
    try:
        yield tally
    except BaseException:
        _record(tally, "failed")
        raise
    _record(tally, "passed")


def _record(tally: Tally, result: str) -> None:
    try:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        try:
            classes = json.loads(REPORT.read_text(encoding="utf-8")).get("classes", [])
        except (OSError, ValueError, AttributeError):
            classes = []
        classes = [c for c in classes if isinstance(c, dict) and c.get("name") != tally.name]
        classes.append({"name": tally.name, "examples": tally.examples, "result": result,
                        "accepted": tally.accepted})
        classes.sort(key=lambda c: str(c.get("name")))
        fd, tmp = tempfile.mkstemp(dir=REPORT.parent, prefix=".hostile.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"classes": classes}, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, REPORT)
    except OSError:
        pass  # a read-only checkout loses the report, never the test result
