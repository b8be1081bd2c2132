"""Hostile command lines for ``tapemaster-admin`` (issue 4, Hostile input).

Whatever arguments and standard input support staff (or a script gone wrong) give it:
exit code 0, 1 or 2 (UI-CONTRACT.md), exactly one line on stderr when it refuses (1),
never a Python traceback, and a refused command leaves the store as it was.

Property-based through ``tapemaster_qt.cli.main(argv)`` in-process (a subprocess per
example would take minutes), with arguments as a POSIX system delivers them: any text
but NUL, undecodable bytes as lone surrogates (``\\udc80``-``\\udcff``). A handful of
real subprocesses cover what only a process boundary shows: raw bytes in argv and on
standard input.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import keyring
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from keyring.backends import fail

from hostile import PROPERTY, hostile_class, mostly, snapshot, valid_user_id
from tapemaster_qt import cli, terminal
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.passwords import TESTS_ONLY, PasswordHasher
from tapemaster_qt.services.setup import set_initial_password
from tapemaster_qt.store import open_store

pytestmark = pytest.mark.slow

PROG = "tapemaster-admin"
READ_ONLY = (("info",), ("audit",), ("user", "show"), ("user", "list"), ("user", "export"),
             ("otp", "status"), ("settings", "show"), ("group", "list"))

# What a POSIX argv can hold: no NUL; bytes that are not UTF-8 arrive as \udc80-\udcff.
argv_char = st.one_of(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                      st.sampled_from(["\udcff", "\udc80", "\udce9"]))
ODD_ARGS = ["-", "--", "-x", "--json", "--limit", "0", "-1", "99999999999999999999999",
            "\u202e", "a\nb", "", " ", "--data-dir", "--help", "\x1b[2J", "٣", "TapeMaster,Excel",
            "../../etc/passwd", "%s%n", "' OR 1=1 --", "\udcff"]
arg = st.one_of(st.text(argv_char, max_size=20), st.sampled_from(ODD_ARGS), valid_user_id,
                st.sampled_from(["alice", "bob", "tapemaster", "OPS", "DEFAULT", "issuer",
                                 "lockout_threshold", "7", "3"]))
an_id = mostly(st.sampled_from(["alice", "bob", "tapemaster", "nobody"]), arg, 5)
option = st.one_of(
    st.tuples(st.sampled_from(["--name", "--email", "--description", "--group", "--role",
                               "--programs"]), arg),
    st.tuples(st.sampled_from(["--admin-rights", "--tapemaster-rights", "--no-timeout"])),
)
commands = st.one_of(
    st.builds(lambda action, user: ["user", action, user],
              st.sampled_from(["show", "unlock", "disable", "enable", "delete", "reseal"]),
              an_id),
    st.builds(lambda user, opts: ["user", "add", user, *[x for o in opts for x in o],
                                  "--password-stdin"],
              mostly(valid_user_id, arg, 6), st.lists(option, max_size=4)),
    st.builds(lambda user: ["user", "passwd", user, "--password-stdin"], an_id),
    st.builds(lambda group, text: ["group", "add", group, "--description", text], arg, arg),
    st.builds(lambda action, user: ["otp", action, user],
              st.sampled_from(["enable", "disable", "status"]), an_id),
    st.builds(lambda user, revoke: ["otp", "recovery", user, *revoke], an_id,
              st.sampled_from([[], ["--revoke"]])),
    st.builds(lambda user, limit: ["audit", "--user", user, "--limit", limit], an_id, arg),
    st.builds(lambda name, value: ["settings", "set", name, value],
              st.sampled_from(["issuer", "lockout_threshold", "bogus"]), arg),
    st.builds(lambda fmt, out: ["user", "export", "--format", fmt, "--output", out],
              st.sampled_from(["csv", "xml"]), arg),
    st.builds(lambda name: ["user", "import", name], arg),
    st.sampled_from([["settings", "show"], ["info"], ["user", "list", "--json"],
                     ["group", "list"], ["init", "--password-stdin"], ["--version"]]),
    st.lists(arg, max_size=5),
)
argvs = st.builds(lambda cmd, junk: cmd + junk, commands,
                  mostly(st.just([]), st.lists(arg, min_size=1, max_size=2), 8))
stdins = mostly(st.sampled_from(["Good-Pass-2026\n", "Another-Pass-77\r\n", ""]),
                st.text(max_size=40))


def _made_store(folder: Path) -> None:
    with open_store(folder) as store:
        ctx = Context(store, hasher=PasswordHasher(TESTS_ONLY))
        set_initial_password(ctx, "Tape-Admin-2026")
        admin = AdminService(ctx, Actor.for_cli())
        admin.add_group("OPS", "Operations")
        admin.add_user({"user_id": "alice", "group_id": "OPS", "otp_enabled": True},
                       "Alice-Secret-42")
        admin.add_user({"user_id": "bob"}, "Bob-Secret-4242")




@pytest.fixture
def cli_run(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
            package_logging: None):
    """``run(argv, stdin) -> (exit code, stdout, stderr)`` in this process, on a store with
    tapemaster, alice (OTP) and bob; relative paths land in a scratch folder."""
    _made_store(data_dir)
    # Hashing new passwords at the production cost would make each example slow.
    monkeypatch.setattr(PasswordHasher.__init__, "__defaults__", (TESTS_ONLY,))
    scratch = tmp_path / "cwd"
    scratch.mkdir()
    monkeypatch.chdir(scratch)
    (scratch / "good.csv").write_text("user_id,name\nimp1,Imported One\n", encoding="utf-8")
    (scratch / "bad.csv").write_text('user_id,"na\nme"\nx,y\n', encoding="utf-8")
    (scratch / "binary.csv").write_bytes(b"\xff\xfe\x00junk")
    (scratch / "folder").mkdir()

    def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(["--data-dir", str(data_dir), *argv])
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def check(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), code
    assert "Traceback" not in out + err, err
    if code == 1:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(f"{PROG}: error: "), err
        assert len(lines[0]) > len(f"{PROG}: error: ") + 5
    elif code == 2:
        assert "error:" in err and PROG in err, err


def test_cli_arguments(cli_run, data_dir: Path) -> None:
    with hostile_class("CLI arguments and standard input") as tally:

        @PROPERTY
        @given(argv=argvs, stdin=stdins)
        @example(["user", "show", "\udcff"], "")
        @example(["audit", "--user", "a\udce9", "--limit", "99999999999999999999999"], "")
        @example(["user", "add", "eve", "--name", "\x1b[31mRed", "--password-stdin"],
                 "Good-Pass-2026\n")
        @example(["user", "import", "bad.csv"], "")
        @example(["user", "import", "binary.csv"], "")
        @example(["user", "import", "folder"], "")
        @example(["user", "export", "--output", "folder"], "")
        @example(["user", "passwd", "bob", "--password-stdin"], "\udcff" * 9 + "\n")
        @example(["settings", "set", "issuer", "\u202eevil"], "")
        def run(argv: list[str], stdin: str) -> None:
            tally()
            before = snapshot(data_dir)
            code, out, err = cli_run(argv, stdin)
            check(code, out, err)
            # Nothing printed steers a terminal (an export to stdout is data, redirected).
            shown = err if argv[:2] == ["user", "export"] else out + err
            assert shown.isprintable() or not [
                ch for ch in shown if ch != "\n" and unicodedata.category(ch)
                in terminal.UNSAFE_CATEGORIES], (argv, shown)
            if code != 0 or tuple(argv[:2]) in READ_ONLY or tuple(argv[:1]) in READ_ONLY:
                assert snapshot(data_dir) == before, (argv, code, err)
            if code == 0:
                tally.accept()

        run()


def test_an_unexpected_error_is_one_line_and_logged(cli_run, data_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(AdminService, "export_users", broken)
    code, out, err = cli_run(["user", "list"])
    check(code, out, err)
    assert code == 1
    assert err.strip() == (f"{PROG}: error: an unexpected error occurred "
                           f"(details in {data_dir / 'logs' / 'tapemaster.log'})")
    log = (data_dir / "logs" / "tapemaster.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "a bug nobody foresaw" in log


# --- a few real processes --------------------------------------------------------------------


@pytest.fixture
def keyfile_store(tmp_path: Path) -> Path:
    """A store whose key is in store.key, so that a child process can open it."""
    keyring.set_keyring(fail.Keyring())
    folder = tmp_path / "site"
    _made_store(folder)
    return folder


def _process(folder: Path, args: list[bytes], stdin: bytes = b"",
             env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"tapemaster_qt.cli", b"--data-dir",
         os.fsencode(folder), *args],
        input=stdin, capture_output=True, timeout=120, env={**os.environ, **(env or {})},
        cwd=folder.parent,
    )
    out = result.stdout.decode("utf-8", "backslashreplace")
    err = result.stderr.decode("utf-8", "backslashreplace")
    check(result.returncode, out, err)
    return result.returncode, out, err


@pytest.mark.parametrize(("args", "stdin", "env", "code", "says"), [
    ([b"user", b"show", b"\xff"], b"", None, 1, "There is no User-ID '\\udcff'."),
    ([b"otp", b"enable", b"al\xe9"], b"", None, 1, "There is no User-ID 'al\\udce9'."),
    ([b"audit", b"--user", b"\xfe"], b"", None, 0, ""),
    ([b"audit", b"--limit", b"99999999999999999999999"], b"", None, 2, "at most"),
    ([b"user", b"passwd", b"bob", b"--password-stdin"], b"Bad-\xff-Pass-1\n",
     {"PYTHONIOENCODING": "utf-8:strict"}, 1, "not UTF-8 text"),
    ([b"user", b"passwd", b"bob", b"--password-stdin"], b"Bad-\xff-Pass-1\n",
     None, 1, "control character"),
    ([b"user", b"export", b"--output", b"/nonexistent/folder/users.csv"], b"", None, 1,
     "cannot be written"),
    ([b"user", b"frobnicate"], b"", None, 2, "invalid choice"),
])
def test_raw_bytes_in_a_real_process(keyfile_store: Path, args: list[bytes], stdin: bytes,
                                     env: dict[str, str] | None, code: int, says: str) -> None:
    before = snapshot(keyfile_store)
    got, _, err = _process(keyfile_store, args, stdin, env)
    assert got == code, err
    assert says in err
    assert snapshot(keyfile_store) == before


def test_a_csv_header_cannot_paint_the_terminal(keyfile_store: Path) -> None:
    csv_file = keyfile_store / "evil.csv"
    csv_file.write_bytes(b'user_id,"na\nme\x1b[31m\xe2\x80\xae"\nx,y\n')
    code, _, err = _process(keyfile_store, [b"user", b"import", os.fsencode(csv_file)])
    assert code == 1
    assert "\x1b" not in err and "\u202e" not in err  # shown escaped, as Python writes them
    assert "Unknown CSV column(s): 'na\\nme\\x1b[31m\\u202e'." in err


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("hello", encoding="utf-8")
    code, _, err = _process(not_a_folder, [b"user", b"list"])
    assert code == 1 and "There is no user store" in err
