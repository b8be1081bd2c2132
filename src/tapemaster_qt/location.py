"""Where the user store is: a folder (the embedded SQLite store) or a PostgreSQL URL.

The first of these that says something wins (README, "Pointing desktops at the store"):

1. the command line: ``--store LOCATION`` or ``--data-dir DIR`` (one of them);
2. the environment: ``TAPEMASTER_STORE`` or ``TAPEMASTER_DATA_DIR`` (one of them);
3. the site configuration file that support staff deploy to every desktop
   (:func:`site_config_files`), ``[store] location = ...``;
4. the per-user data folder: SQLite, exactly as before there was a choice.

A folder means SQLite; ``postgresql://`` (or ``postgres://``) means a site's shared
PostgreSQL store. A URL may carry a password: :class:`StoreLocation` keeps it out of
``str()``, ``repr()`` and every message, so the display form is what logs, windows and
errors show. Nothing here talks to a server, imports Qt or knows SQL; it runs before a
program's first window, so it stays cheap (a few ``stat`` calls).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from tapemaster_qt import paths
from tapemaster_qt.errors import StoreLocationError

STORE_ENV = "TAPEMASTER_STORE"
SITE_FILE = "site.ini"
SITE_SECTION = "store"
SITE_KEY = "location"
MAX_SITE_FILE_BYTES = 64 * 1024
SCHEMES = ("postgresql", "postgres")

# libpq's connection parameters (PostgreSQL 17's list): a URL may set any of them in its
# query. Anything else is a typo that libpq would refuse, and it could be a password.
_LIBPQ_PARAMETERS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile",
    "channel_binding", "connect_timeout", "client_encoding", "options",
    "application_name", "fallback_application_name", "keepalives", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication",
    "gssencmode", "sslmode", "sslnegotiation", "requiressl", "sslcompression", "sslcert",
    "sslkey", "sslcertmode", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
    "requirepeer", "require_auth", "ssl_min_protocol_version", "ssl_max_protocol_version",
    "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs",
    "load_balance_hosts",
})
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})

Kind = Literal["sqlite", "postgresql"]
DEFAULT_SOURCE = "the per-user data folder"


@dataclass(frozen=True)
class StoreLocation:
    """A resolved store location. ``url`` (with any password) is for the backend that
    connects; everything shown to a person or a log uses :attr:`display`."""

    kind: Kind
    display: str
    """The folder, or the URL without its password: safe to show and to log."""
    source: str
    """Where it came from, for messages: ``--store``, ``TAPEMASTER_STORE``, the site
    file's path, or ``the per-user data folder``."""
    folder: Path | None = None
    url: str | None = field(default=None, repr=False, compare=False)
    explicit: bool = False
    """Chosen with ``--data-dir``/``--store``/the environment: logs go beside an SQLite
    store chosen that way, as they always have."""

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"

    @property
    def is_default(self) -> bool:
        """Nothing chose a store: the per-user folder (which store/relocate.py may move
        from where an earlier version kept it)."""
        return self.source == DEFAULT_SOURCE and not self.explicit

    def moved_to(self, folder: Path) -> StoreLocation:
        """The same choice, with the store now in ``folder`` (after relocate.py)."""
        if self.folder is None or folder == self.folder:
            return self
        return replace(self, display=str(folder), folder=folder)

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"StoreLocation({self.kind}, {self.display!r}, from {self.source})"

    def log_dir(self) -> Path:
        if self.folder is not None:
            return paths.log_dir(self.folder, self.explicit)
        return paths.log_dir(Path(), False)

    def identity(self) -> str:
        """Tells stores apart on this desktop (remembered User-IDs are kept per store):
        the absolute folder, or the URL's display form."""
        if self.folder is not None:
            return str(self.folder.expanduser().absolute())
        return self.display


# --- resolving ------------------------------------------------------------------------


def resolve(store: str | None = None, data_dir: str | os.PathLike[str] | None = None, *,
            environ: Mapping[str, str] | None = None,
            site_files: Sequence[Path] | None = None) -> StoreLocation:
    """The store this program uses; raises :class:`StoreLocationError` with one sentence
    when the choice cannot be used (nothing is created or opened here)."""
    env = os.environ if environ is None else environ
    if store is not None and data_dir is not None:
        raise StoreLocationError("Give --store or --data-dir, not both.")
    if store is not None:
        if not store.strip():
            raise StoreLocationError("--store needs a folder or a postgresql:// URL.")
        return parse(store, "--store", explicit=True)
    if data_dir is not None:
        if not os.fspath(data_dir).strip():
            raise StoreLocationError("--data-dir needs a folder.")
        return _folder(os.fspath(data_dir), "--data-dir", explicit=True)

    env_store = env.get(STORE_ENV, "").strip()
    env_folder = env.get(paths.DATA_DIR_ENV, "")
    if env_store and env_folder:
        raise StoreLocationError(
            f"{STORE_ENV} and {paths.DATA_DIR_ENV} are both set; unset one of them."
        )
    if env_store:
        return parse(env_store, STORE_ENV, explicit=True)
    if env_folder:
        return _folder(env_folder, paths.DATA_DIR_ENV, explicit=True)

    files = site_config_files(env) if site_files is None else site_files
    for path in files:
        location = read_site_file(path)
        if location is not None:
            return location
    folder = paths.default_data_dir()
    return StoreLocation("sqlite", str(folder), DEFAULT_SOURCE, folder=folder)


def parse(text: str, source: str, *, explicit: bool = False) -> StoreLocation:
    """A folder or a ``postgresql://`` URL, as typed after ``--store``."""
    if "://" in text:
        return _postgresql(text, source)
    return _folder(text, source, explicit=explicit)


def _folder(text: str, source: str, *, explicit: bool) -> StoreLocation:
    if "\x00" in text:
        raise StoreLocationError(f"The store folder from {source} contains a NUL character.")
    folder = Path(text).expanduser()
    return StoreLocation("sqlite", str(folder), source, folder=folder, explicit=explicit)


# --- PostgreSQL URLs --------------------------------------------------------------------


def _postgresql(text: str, source: str) -> StoreLocation:
    """Check a URL the way libpq reads it (its conninfo_uri_parse_options), and make its
    display form. Messages say what is wrong but never quote the URL: any part of it may
    be a password typed in the wrong place."""
    from urllib.parse import parse_qsl, quote, unquote

    def bad(why: str) -> StoreLocationError:
        return StoreLocationError(f"The store URL from {source} {why}.")

    scheme, _, rest = text.partition("://")
    if scheme.lower() not in SCHEMES:
        shown = scheme if scheme.isascii() and scheme.isalnum() and len(scheme) <= 20 else "…"
        raise StoreLocationError(
            f"The store location from {source} ({shown}://…) is neither a folder nor a "
            "postgresql:// URL."
        )
    if not text.isprintable():
        raise bad("contains a control character")
    # libpq: user[:password]@ when an '@' comes before the first '/'; the hosts end at
    # the first '/' or '?'; the database name runs to the '?'.
    cut = min((i for i in (rest.find("@"), rest.find("/")) if i >= 0), default=-1)
    userinfo = ""
    if cut >= 0 and rest[cut] == "@":
        userinfo, rest = rest[:cut], rest[cut + 1:]
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    hosts, rest = rest[:end], rest[end:]
    path, query = "", ""
    if rest.startswith("/"):
        path, _, query = rest[1:].partition("?")
    elif rest.startswith("?"):
        query = rest[1:]
    if "@" in hosts or "@" in path or "/" in path:
        raise bad("cannot be read as user:password@host/database: write '@', '/' and "
                  "'?' in a user name or password as %40, %2F and %3F")
    user = userinfo.partition(":")[0]

    host_parts: list[str] = []
    for spec in hosts.split(",") if hosts else []:
        host, port = _split_host(spec)
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise bad("has a port that is not a number from 1 to 65535")
        if any(ch in unquote(host) for ch in " <>\"'`\\"):
            raise bad("has a host name with a character no host name has")
        host_parts.append(quote(unquote(host), safe="[]:.-_%") + (f":{port}" if port else ""))

    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise bad("has a query that is not name=value pairs joined by &") from None
    shown_params: list[str] = []
    for name, value in pairs:
        if name not in _LIBPQ_PARAMETERS:
            safe_name = name if name.isascii() and name.isidentifier() else "…"
            raise bad(f"has the parameter '{safe_name}', which PostgreSQL does not know")
        if name not in _SECRET_PARAMETERS:
            shown_params.append(f"{name}={quote(value, safe='/:,._-')}")

    display = "postgresql://"
    if user:
        display += quote(unquote(user), safe="._-") + "@"
    display += ",".join(host_parts) + "/" + quote(unquote(path), safe="._-")
    if shown_params:
        display += "?" + "&".join(shown_params)
    return StoreLocation("postgresql", display, source, url=text, explicit=True)


def _split_host(spec: str) -> tuple[str, str]:
    if spec.startswith("["):  # an IPv6 address
        end = spec.find("]")
        if end < 0:
            raise StoreLocationError("The store URL has an IPv6 address without its ']'.")
        host, rest = spec[:end + 1], spec[end + 1:]
        return host, rest[1:] if rest.startswith(":") else ""
    host, _, port = spec.partition(":")
    return host, port


# --- the site configuration file ----------------------------------------------------------


def site_config_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where support staff put ``site.ini``, most important first:

    - Windows: ``%PROGRAMDATA%\\TapeMaster Qt\\site.ini`` (``C:\\ProgramData``...);
    - macOS: ``/Library/Application Support/TapeMaster Qt/site.ini``;
    - Linux and other Unix: ``TapeMaster Qt/site.ini`` in each folder of
      ``$XDG_CONFIG_DIRS`` (``/etc/xdg`` when unset), as the XDG specification has it.
    """
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        base = env.get("PROGRAMDATA") or env.get("ALLUSERSPROFILE") or r"C:\ProgramData"
        return [Path(base) / paths.APP_NAME / SITE_FILE]
    if sys.platform == "darwin":
        return [Path("/Library/Application Support") / paths.APP_NAME / SITE_FILE]
    dirs = [d for d in env.get("XDG_CONFIG_DIRS", "").split(":") if d] or ["/etc/xdg"]
    return [Path(d) / paths.APP_NAME / SITE_FILE for d in dirs]


def read_site_file(path: Path) -> StoreLocation | None:
    """The store named by the site file ``path``; None when there is no such file or it
    says nothing about the store. A file that others could change, or that cannot be
    read cleanly, is refused rather than skipped: a desktop must never quietly fall
    back to a store of its own."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreLocationError(
            f"The site configuration file {path} cannot be read ({exc.strerror})."
        ) from None
    _check_site_file_owner(path, info)
    if info.st_size > MAX_SITE_FILE_BYTES:
        raise StoreLocationError(f"The site configuration file {path} is larger than 64 KB.")
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       default_section="\x00no defaults")
    try:
        text = path.read_bytes().decode("utf-8-sig")
        parser.read_string(text, source=str(path))
    except UnicodeDecodeError:
        raise StoreLocationError(
            f"The site configuration file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise StoreLocationError(
            f"The site configuration file {path} cannot be read ({exc.strerror})."
        ) from None
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise StoreLocationError(
            f"The site configuration file {path} is not a valid INI file{where}."
        ) from None
    if not parser.has_section(SITE_SECTION):
        return None
    section = parser[SITE_SECTION]
    unknown = [key for key in section if key != SITE_KEY]
    if unknown:
        name = unknown[0] if unknown[0].isascii() and unknown[0].isidentifier() else "…"
        raise StoreLocationError(
            f"The site configuration file {path} has '{name}' in [{SITE_SECTION}], "
            f"which TapeMaster Qt does not know (only '{SITE_KEY}')."
        )
    value = section.get(SITE_KEY, "").strip()
    if not value:
        raise StoreLocationError(
            f"The site configuration file {path} has no '{SITE_KEY}' in [{SITE_SECTION}]."
        )
    source = f"the site configuration file {path}"
    if "://" in value:
        return parse(value, source)
    if not Path(value).expanduser().is_absolute():
        raise StoreLocationError(
            f"The store folder in the site configuration file {path} must be a full path."
        )
    return _folder(value, source, explicit=False)


def _check_site_file_owner(path: Path, info: os.stat_result) -> None:
    """A file (or folder) that another user may change could send every desktop to a
    store of that user's choosing."""
    if sys.platform == "win32":
        return  # %PROGRAMDATA%'s ACLs: only administrators change files they created
    me = os.geteuid()
    for item, st in ((path, info), (path.parent, None)):
        try:
            st = st or item.stat()
        except OSError:
            continue
        sticky_folder = stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX
        if st.st_uid not in (0, me) or (st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                                         and not sticky_folder):
            raise StoreLocationError(
                f"The site configuration file {path} can be changed by other users; make "
                f"{item} belong to root and writable by its owner only."
            )
