"""Everything ``tapemaster-admin`` prints is safe for a terminal (issue 9 item 5, issue 14
item 6): a line break, terminal escape codes or direction-changing characters in a
stored field, an audit row, the environment or an argument are shown escaped, so no
line can be forged and nothing steers the terminal; ``--json`` stays valid JSON that
gives the very same strings back.

Stored fields are planted the way an attacker with write access to the file (or an
older program) would: below the services, which refuse such text when it is typed.
"""

from __future__ import annotations

import io
import json
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest

from tapemaster_qt import cli, terminal
from tapemaster_qt.fields import SHOW_FIELDS
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store
from unit.support import raw_db

pytestmark = pytest.mark.slow

ESC = "\x1b"
FORGED_LINE = "2026-01-01T00:00:00.000+00:00  login_succeeded        tapemaster"
# What an attacker would put in a field: a new line that looks like a real one, a
# screen clear, a window title, a hyperlink, a right-to-left override, a zero-width
# space, a line separator, a NEL and a character beyond the BMP with no meaning.
HOSTILE = (f"Mallory\n{FORGED_LINE}", f"{ESC}[2J{ESC}[H", f"{ESC}]0;pwned\x07",
           f"{ESC}]8;;http://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\", "\u202eevil",
           "zero\u200bwidth", "line\u2028sep", "nel\x85x", "tag\U000e0041", "cr\rover")


def unsafe(text: str) -> list[str]:
    """The characters a terminal would act on, line breaks between lines aside."""
    return [ch for ch in text if ch != "\n"
            and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")]


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys, package_logging: None):
    """``run(*argv, stdin="") -> (exit code, stdout, stderr)`` in this process."""
    with open_store(data_dir) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        set_initial_password(ctx, "Tape-Admin-2026")
        admin = AdminService(ctx, Actor.for_cli())
        admin.add_group("OPS", "Operations")
        admin.add_user({"user_id": "bob", "group_id": "OPS", "email": "bob@example.com"},
                       "Bob-Secret-4242")
    monkeypatch.setattr(PasswordHasher.__init__, "__defaults__", (TESTS_ONLY,))

    def invoke(*argv: str, stdin: str = "", folder: Path = data_dir) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(["--data-dir", str(folder), *argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def plant(data_dir: Path) -> None:
    """Every free-text column of a user and a group holds hostile text; so do audit
    rows written by something that did not escape (an older program)."""
    with raw_db(data_dir) as db:
        db.execute("INSERT INTO groups (group_id, description, created) VALUES (?, ?, ?)",
                   (f"EV{ESC}[7mIL", HOSTILE[0], "2026-01-01T00:00:00+00:00"))
        for n, text in enumerate(HOSTILE):
            db.execute(
                "INSERT INTO users (user_id, name, email, description, group_id, created,"
                " updated, last_logon) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (f"m{n}", text, f"m{n}{text}@x.example", text, f"EV{ESC}[7mIL",
                 "2026-01-01", "2026-01-01", text))
    with open_store(data_dir) as store:
        # Rows inserted below the services change the store's sealed digest: an
        # administrator accepts the store as it is (tapemaster-admin store accept), and
        # the planted records stay TAMPERED, which is what is listed below.
        store.accept_store("test")
    with open_store(data_dir) as store, store.write() as tx:
        for text in HOSTILE:
            tx.append_audit(ts=text, actor=text, user_id="bob", program=text, host=text,
                            event=text, detail=text)


def test_a_crafted_logname_forges_no_audit_line(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", f"eve\n{FORGED_LINE}{ESC}[2K")
    monkeypatch.setattr("os.uname", lambda: SimpleNamespace(nodename=f"host{ESC}[8m\nx"))
    assert run("user", "unlock", "bob")[0] == 0
    code, out, err = run("audit", "--user", "bob")
    assert code == 0 and not err
    assert not unsafe(out)
    lines = out.splitlines()
    assert len(lines) == 2  # user_created, then account_unlocked: one line each
    assert all(line.startswith("20") and "  login_succeeded " not in line[:40]
               for line in lines[1:])
    assert "cli:eve\\n2026-01-01" in lines[-1] and "host\\x1b[8m\\nx" in lines[-1]
    # The stored actor is one line already: the GUI's Audit Log shows it as it is.
    [row] = json.loads(run("audit", "--user", "bob", "--limit", "1", "--json")[1])
    assert "\n" not in row["actor"] + row["host"] and ESC not in row["actor"] + row["host"]


def test_user_list_shows_one_line_per_user(run, data_dir: Path) -> None:
    plant(data_dir)
    code, out, err = run("user", "list")
    assert code == 0 and not err
    assert not unsafe(out)
    lines = out.splitlines()
    assert len(lines) == 1 + 2 + len(HOSTILE)  # header, tapemaster, bob, planted users
    assert "Mallory\\n2026-01-01" in out and "\\x1b[2J" in out and "\\u202eevil" in out
    assert not any(line.startswith(FORGED_LINE[:10]) for line in lines)


@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_user_show_escapes_every_field(run, data_dir: Path, n: int) -> None:
    plant(data_dir)
    code, out, err = run("user", "show", f"m{n}")
    assert code == 0 and not err
    assert not unsafe(out)
    lines = out.splitlines()
    labels = [line.split(":", 1)[0] for line in lines]
    assert labels[:5] == ["User-ID", "Name", "E-mail", "Description", "Group-ID"]
    assert len(lines) == len(SHOW_FIELDS)  # one line per field, none split
    assert terminal.escape(HOSTILE[n]) in lines[1]


def test_group_list_and_the_audit_text(run, data_dir: Path) -> None:
    plant(data_dir)
    for argv, expected_lines in ((("group", "list"), 3),
                                 (("audit", "--limit", str(len(HOSTILE))), len(HOSTILE))):
        code, out, err = run(*argv)
        assert code == 0 and not err, argv
        assert not unsafe(out), argv
        assert len(out.splitlines()) == expected_lines, (argv, out)


@pytest.mark.parametrize("argv", [("user", "list"), ("user", "show", "m0"),
                                  ("group", "list"), ("audit",), ("otp", "status", "m4")])
def test_json_stays_valid_and_gives_the_same_strings(run, data_dir: Path, argv) -> None:
    plant(data_dir)
    code, out, err = run(*argv, "--json")
    assert code == 0 and not err
    assert not unsafe(out)
    strings = set(_strings(json.loads(out)))  # the very strings the store holds
    expected = {("user", "list"): set(HOSTILE), ("audit",): set(HOSTILE),
                ("user", "show", "m0"): {HOSTILE[0]}, ("group", "list"): {HOSTILE[0]},
                ("otp", "status", "m4"): {"m4"}}[argv]
    assert expected <= strings


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def test_messages_and_usage_errors_stay_on_one_line(run) -> None:
    code, _, err = run("user", "list", f"{ESC}]0;pwned\x07", "x\ny")
    assert code == 2 and not unsafe(err)
    assert "unrecognized arguments" in err and "\\x1b]0;pwned\\x07" in err
    code, _, err = run("user", "show", f"m\n{FORGED_LINE}")
    assert code == 1 and len(err.splitlines()) == 1 and not unsafe(err)


def test_info_escapes_a_hostile_store_path(run, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / f"site\nStore key:   the OS keyring{ESC}[2K"
    data_dir.rename(folder)
    code, out, err = cli_main_in(folder)
    assert code == 0, err
    assert not unsafe(out + err)
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "Store", "Store key", "Users", "Version"]


def cli_main_in(folder: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(["--data-dir", str(folder), "info"])
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return code, out.getvalue(), err.getvalue()


def test_first_run_is_audited_as_unauthenticated(run, tmp_path: Path) -> None:
    """Nobody proved to be tapemaster when its first password was chosen: the first
    run in a program (the store above) and ``init`` say so."""
    _, out, _ = run("audit", "--json", "--user", "tapemaster")
    [first] = json.loads(out)
    assert first["event"] == "password_changed"
    assert first["actor"] == "unauthenticated" and "unauthenticated" in first["detail"]

    new = tmp_path / "new"
    assert run("init", "--password-stdin", stdin="Tape-Admin-2026\n", folder=new)[0] == 0
    with open_store(new) as store:
        [first] = store.audit_events(user_id="tapemaster")
    assert first.actor.startswith("cli:") and first.actor != "tapemaster"
    assert "unauthenticated" in first.detail
