"""Choosing the store: command line > environment > site file > the per-user folder; a
folder means SQLite, a postgresql:// URL a site's server; a password in the URL is never
shown, logged or repeated in an error."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tapemaster_qt import location, paths
from tapemaster_qt.errors import StoreConnectionError, StoreLocationError, TapeMasterError
from tapemaster_qt.location import StoreLocation, read_site_file, resolve, site_config_files

URL = "postgresql://tapemaster_app:Pa55-w0rd@db.example.com:5433/tapemaster?sslmode=verify-full"


def _site_file(folder: Path, text: str) -> Path:
    path = folder / "TapeMaster Qt" / "site.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return _site_file(tmp_path / "xdg", "[store]\nlocation = /srv/site-store\n")


# --- precedence -------------------------------------------------------------------------


@pytest.mark.parametrize(("store", "data_dir", "environ", "use_site", "expected", "source"), [
    ("/cli/store", None, {"TAPEMASTER_STORE": "/env/store"}, True, "/cli/store", "--store"),
    (None, "/cli/dir", {"TAPEMASTER_STORE": "/env/store"}, True, "/cli/dir", "--data-dir"),
    (None, None, {"TAPEMASTER_STORE": "/env/store"}, True, "/env/store", "TAPEMASTER_STORE"),
    (None, None, {"TAPEMASTER_DATA_DIR": "/env/dir"}, True, "/env/dir",
     "TAPEMASTER_DATA_DIR"),
    (None, None, {"TAPEMASTER_STORE": "  "}, True, "/srv/site-store", "site"),
    (None, None, {}, True, "/srv/site-store", "site"),
    (None, None, {}, False, None, "the per-user data folder"),
])
def test_command_line_beats_environment_beats_site_file_beats_default(
        site: Path, store, data_dir, environ, use_site, expected, source) -> None:
    where = resolve(store, data_dir, environ=environ, site_files=[site] if use_site else [])
    assert where.kind == "sqlite"
    if expected is None:
        assert where.folder == paths.default_data_dir()
    else:
        assert where.folder == Path(expected)
    assert source in where.source
    # Logs go beside a store chosen on the command line or in the environment only.
    assert where.explicit == (source in ("--store", "--data-dir", "TAPEMASTER_STORE",
                                         "TAPEMASTER_DATA_DIR"))


def test_the_first_site_file_that_exists_wins(tmp_path: Path) -> None:
    first = tmp_path / "first" / "TapeMaster Qt" / "site.ini"
    second = _site_file(tmp_path / "second", "[store]\nlocation = /srv/second\n")
    third = _site_file(tmp_path / "third", "[store]\nlocation = /srv/third\n")
    assert resolve(environ={}, site_files=[first, second, third]).folder == Path("/srv/second")


def test_a_site_file_without_a_store_section_changes_nothing(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "# deployed by IT\n[other]\nkey = value\n")
    assert resolve(environ={}, site_files=[path]).folder == paths.default_data_dir()


def test_the_default_is_todays_per_user_folder() -> None:
    where = resolve(environ={}, site_files=[])
    assert where == StoreLocation("sqlite", str(paths.default_data_dir()),
                                  "the per-user data folder",
                                  folder=paths.default_data_dir())
    assert where.log_dir() == paths.log_dir(paths.default_data_dir(), False)


def test_os_environ_is_read_when_no_environment_is_given(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TAPEMASTER_DATA_DIR", str(tmp_path / "a"))
    assert resolve(site_files=[]).folder == tmp_path / "a"
    monkeypatch.delenv("TAPEMASTER_DATA_DIR")
    monkeypatch.setenv("TAPEMASTER_STORE", str(tmp_path / "b"))
    assert resolve(site_files=[]).folder == tmp_path / "b"


@pytest.mark.parametrize(("store", "data_dir", "environ", "message"), [
    ("/a", "/b", {}, "Give --store or --data-dir, not both."),
    ("", None, {}, "--store needs a folder or a postgresql:// URL."),
    (None, "", {}, "--data-dir needs a folder."),
    (None, None, {"TAPEMASTER_STORE": "/a", "TAPEMASTER_DATA_DIR": "/b"},
     "TAPEMASTER_STORE and TAPEMASTER_DATA_DIR are both set; unset one of them."),
])
def test_an_ambiguous_choice_is_refused(store, data_dir, environ, message) -> None:
    with pytest.raises(StoreLocationError) as caught:
        resolve(store, data_dir, environ=environ, site_files=[])
    assert caught.value.message == message


# --- folders and URLs -------------------------------------------------------------------


def test_a_folder_in_store_means_sqlite_as_data_dir_does(tmp_path: Path) -> None:
    assert resolve(str(tmp_path), environ={}).folder == tmp_path
    assert resolve(None, tmp_path, environ={}).folder == tmp_path
    assert resolve("~/stores/x", environ={}).folder == Path.home() / "stores" / "x"


@pytest.mark.parametrize(("url", "display"), [
    (URL, "postgresql://tapemaster_app@db.example.com:5433/tapemaster?sslmode=verify-full"),
    ("postgres://db/tm", "postgresql://db/tm"),
    ("postgresql://app:pw@/tm?host=/run/postgresql&port=5432",
     "postgresql://app@/tm?host=/run/postgresql&port=5432"),
    ("postgresql://app@[2001:db8::1]:5432,db2.example.com/tm?target_session_attrs=read-write",
     "postgresql://app@[2001:db8::1]:5432,db2.example.com/tm?target_session_attrs=read-write"),
    ("postgresql://app@db/tm?password=secret&sslpassword=keypass&sslmode=require",
     "postgresql://app@db/tm?sslmode=require"),
    ("postgresql://a%40corp:p%40ss%2F%3F@db/t%C3%A9st", "postgresql://a%40corp@db/t%C3%A9st"),
    ("postgresql://app:pa?ss@db/tm", "postgresql://app@db/tm"),
    ("postgresql://", "postgresql:///"),
])
def test_a_postgresql_url_is_shown_without_its_password(url: str, display: str) -> None:
    where = resolve(url, environ={})
    assert where.kind == "postgresql" and where.folder is None and not where.is_sqlite
    assert where.url == url
    assert where.display == display == str(where)
    assert where.identity() == display
    for secret in ("Pa55-w0rd", "pw", "secret", "keypass", "p%40ss", "pa?ss"):
        assert secret not in where.display
        assert secret not in repr(where)
    assert where.log_dir() == paths.log_dir(Path(), False)


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://db/tm", "(mysql://…) is neither a folder nor a postgresql:// URL"),
    ("file:///srv/store", "(file://…) is neither a folder nor a postgresql:// URL"),
    ("postgresql://app:s3/cret@db/tm", "write '@', '/' and '?' in a user name or password"),
    ("postgresql://app:s3@cret@db/tm", "write '@', '/' and '?' in a user name or password"),
    ("postgresql://app:s3cret@db:5432x/tm", "a port that is not a number from 1 to 65535"),
    ("postgresql://app:s3cret@db:0/tm", "a port that is not a number from 1 to 65535"),
    ("postgresql://db/tm?sslmode=verify-full&pasword=s3cret",
     "the parameter 'pasword', which PostgreSQL does not know"),
    ("postgresql://db/tm?s3cret", "a query that is not name=value pairs"),
    ("postgresql://db/tm\n?sslmode=s3cret", "contains a control character"),
    ("postgresql://app:s3cret@db\x1b[2J/tm", "contains a control character"),
    ("postgresql://app:s3cret@[::1/tm", "an IPv6 address without its ']'"),
    ("postgresql://app:s3cret@db host/tm", "a host name with a character no host name has"),
])
def test_a_bad_url_is_refused_without_repeating_it(url: str, message: str) -> None:
    with pytest.raises(StoreLocationError) as caught:
        resolve(url, environ={})
    assert message in caught.value.message
    for part in ("s3cret", "s3", "cret"):
        assert part not in caught.value.message


PRINTABLE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FFF,
                                  blacklist_categories=("Cs",)), min_size=6, max_size=30)


@settings(max_examples=300, deadline=None)
@given(middle=PRINTABLE, user=st.sampled_from(["app", "a.b-c", "tape master"]),
       where=st.sampled_from(["userinfo", "query", "raw"]))
def test_no_password_ever_reaches_the_display_or_an_error(
        middle: str, user: str, where: str) -> None:
    # Markers at both ends: any piece of the password that leaks carries one of them
    # (a password cut in two by an unencoded '/' leaks its end, say).
    password = f"Qz7{middle}Wk3"
    base = "postgresql://{auth}db.example.com:5432/tapemaster?sslmode=verify-full{extra}"
    if where == "userinfo":
        url = base.format(auth=f"{quote(user)}:{quote(password, safe='')}@", extra="")
    elif where == "query":
        url = base.format(auth=f"{quote(user)}@", extra=f"&password={quote(password, safe='')}")
    else:  # typed without percent-encoding: may break the URL, must not leak
        url = base.format(auth=f"{user}:{password}@", extra="")
    try:
        shown = resolve(url, environ={})
    except StoreLocationError as exc:
        texts = [exc.message, str(exc), repr(exc)]
    else:
        texts = [shown.display, str(shown), repr(shown)]
    for text in texts:
        assert "Qz7" not in text and "Wk3" not in text, text


def test_a_location_never_logs_its_password(caplog: pytest.LogCaptureFixture) -> None:
    where = resolve(URL, environ={})
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("tapemaster_qt.test").info("store %s; %r; %s", where, where,
                                                     [where])
    assert "Pa55-w0rd" not in caplog.text
    assert "postgresql://tapemaster_app@db.example.com:5433/tapemaster" in caplog.text


def test_a_postgresql_server_nobody_answers_at_is_one_clear_sentence() -> None:
    from tapemaster_qt.store import open_store

    closed = URL.replace("db.example.com:5433", "127.0.0.1:1")  # refused at once
    with pytest.raises(StoreConnectionError) as caught:
        open_store(resolve(closed, environ={}))
    assert caught.value.message == (
        "The PostgreSQL server of the user store "
        "postgresql://tapemaster_app@127.0.0.1:1/tapemaster?sslmode=verify-full cannot be "
        "reached (Connection refused); check the address and that the server is running, "
        "then try again.")
    assert isinstance(caught.value, TapeMasterError)


def test_opening_a_folder_location_opens_the_sqlite_store(tmp_path: Path) -> None:
    from tapemaster_qt.store import open_store

    with open_store(resolve(str(tmp_path / "s"), environ={})) as store:
        assert store.path == tmp_path / "s" / "tapemaster.db"
        assert store.created


# --- the site file ----------------------------------------------------------------------


def test_the_site_file_may_name_a_postgresql_store(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "\ufeff; IT, 2026\n[store]\nlocation = "
                                "postgresql://tapemaster_app@db.example.com/tapemaster"
                                "?sslmode=verify-full&sslrootcert=/etc/ssl/site-ca.pem\n")
    where = read_site_file(path)
    assert where is not None and where.kind == "postgresql"
    assert where.source == f"the site configuration file {path}"
    assert where.display == ("postgresql://tapemaster_app@db.example.com/tapemaster"
                             "?sslmode=verify-full&sslrootcert=/etc/ssl/site-ca.pem")


@pytest.mark.parametrize(("text", "message"), [
    ("[store]\nlocaton = /srv/x\n", "has 'locaton' in [store], which TapeMaster Qt does "
                                    "not know (only 'location')"),
    ("[store]\n", "has no 'location' in [store]"),
    ("[store]\nlocation =\n", "has no 'location' in [store]"),
    ("[store]\nlocation = relative/folder\n", "must be a full path"),
    ("[store]\nlocation = /a\nlocation = /b\n", "is not a valid INI file (line 3)"),
    ("[store]\nlocation = /a\n[store]\nlocation = /b\n", "is not a valid INI file (line 3)"),
    ("location = /srv/x\n", "is not a valid INI file (line 1)"),
    ("[store]\nlocation = postgresql://app:s3cret@db:x/tm\n",
     "a port that is not a number from 1 to 65535"),
])
def test_a_broken_site_file_is_refused_not_skipped(tmp_path: Path, text: str,
                                                   message: str) -> None:
    path = _site_file(tmp_path, text)
    with pytest.raises(StoreLocationError) as caught:
        resolve(environ={}, site_files=[path])
    assert message in caught.value.message
    assert "s3cret" not in caught.value.message


def test_a_site_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "")
    path.write_bytes(b"[store]\nlocation = /srv/\xff\n")
    with pytest.raises(StoreLocationError, match="is not UTF-8 text"):
        read_site_file(path)
    path.write_bytes(b"#" * (location.MAX_SITE_FILE_BYTES + 1))
    with pytest.raises(StoreLocationError, match="is larger than 64 KB"):
        read_site_file(path)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("spoil", ["group-writable file", "world-writable file",
                                   "world-writable folder"])
def test_a_site_file_others_could_change_is_refused(tmp_path: Path, spoil: str) -> None:
    path = _site_file(tmp_path, "[store]\nlocation = /srv/x\n")
    if spoil == "group-writable file":
        path.chmod(0o664)
    elif spoil == "world-writable file":
        path.chmod(0o646)
    else:
        path.parent.chmod(0o777)
    with pytest.raises(StoreLocationError) as caught:
        resolve(environ={}, site_files=[path])
    assert caught.value.message.startswith(
        f"The site configuration file {path} can be changed by other users")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a file to another user")
def test_a_site_file_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "[store]\nlocation = /srv/x\n")
    os.chown(path, 65534, 65534)  # nobody
    with pytest.raises(StoreLocationError, match="can be changed by other users"):
        read_site_file(path)


def test_a_sticky_shared_folder_is_fine_for_a_file_of_ours(tmp_path: Path) -> None:
    path = _site_file(tmp_path, "[store]\nlocation = /srv/x\n")
    path.parent.chmod(0o1777)
    assert read_site_file(path) == resolve("/srv/x", environ={}).__class__(
        "sqlite", "/srv/x", f"the site configuration file {path}", folder=Path("/srv/x"))


def test_site_files_follow_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert site_config_files({}) == [Path("/etc/xdg/TapeMaster Qt/site.ini")]
    assert site_config_files({"XDG_CONFIG_DIRS": "/opt/site:/etc/xdg"}) == [
        Path("/opt/site/TapeMaster Qt/site.ini"), Path("/etc/xdg/TapeMaster Qt/site.ini")]
    monkeypatch.setattr(sys, "platform", "darwin")
    assert site_config_files({}) == [
        Path("/Library/Application Support/TapeMaster Qt/site.ini")]
    monkeypatch.setattr(sys, "platform", "win32")
    assert [str(p) for p in site_config_files({"PROGRAMDATA": "D:\\ProgramData"})] == [
        str(Path("D:\\ProgramData") / "TapeMaster Qt" / "site.ini")]
