"""THIRD-PARTY-NOTICES: every library TapeMaster Qt ships with, its version, its licence
and the licence's full text, read from the installed distributions.

    .venv/bin/python tools/third_party_notices.py [--output FILE]   (or: make notices)

Nothing here is kept by hand, so the notices cannot drift from what is shipped: the
libraries are the closure of ``[project].dependencies`` in pyproject.toml over what this
Python has installed (its markers decide: jeepney on Linux, pywin32-ctypes on Windows),
and each one's licence text comes from its own distribution (``*.dist-info/licenses/``,
or a LICENSE/COPYING/NOTICE file it installs). PySide6 and Shiboken6 ship none: their
LGPLv3 (under which they are used here) and the GPLv3 it builds on come from
``packaging/licenses/``. A library without any licence text stops the script: shipping
without it is not an option.

``tapemaster.spec`` calls :func:`notices` with what the bundle holds, which adds the
Python interpreter, PyInstaller's bootloader and, on Linux, the system libraries the
bundle copied from the build machine (with their Debian copyright files where dpkg
knows them), and leaves out a library none of whose modules was bundled.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSES = ROOT / "packaging" / "licenses"
RULE = "=" * 79

# Distributions that ship no licence file: the texts that apply, from packaging/licenses.
# PySide6 and Shiboken6 are offered under LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only;
# TapeMaster Qt uses them under the LGPLv3, which is the GPLv3 plus extra permissions,
# so both texts go with them (LGPLv3 section 4b).
KNOWN_TEXTS = {
    "pyside6-essentials": ("LGPL-3.0.txt", "GPL-3.0.txt"),
    "pyside6": ("LGPL-3.0.txt", "GPL-3.0.txt"),
    "shiboken6": ("LGPL-3.0.txt", "GPL-3.0.txt"),
}
USED_UNDER = {
    "pyside6-essentials": "LGPL-3.0-only",
    "pyside6": "LGPL-3.0-only",
    "shiboken6": "LGPL-3.0-only",
}
LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)([.-_].*)?$", re.IGNORECASE)

QT_NOTE = """\
Qt and Qt for Python (PySide6, Shiboken6) are used under the GNU Lesser General Public
License version 3 (LGPLv3), whose text follows, together with the GNU General Public
License version 3 it refers to. They are shipped unmodified, as separate shared
libraries in the _internal folder, which you may replace with versions of your own.
The source code of this version of Qt for Python is at
https://download.qt.io/official_releases/QtForPython/ (pyside6, shiboken6, version
{version}) and https://code.qt.io/cgit/pyside/pyside-setup.git/ (tag v{version}); that of
Qt itself at https://download.qt.io/official_releases/qt/ and https://code.qt.io/.
Qt contains third-party components of its own (among them ICU, whose libicu* libraries
are in the bundle, HarfBuzz, FreeType, PCRE2, zlib and libpng); their licences are
listed at https://doc.qt.io/qt-6/licenses-used-in-qt.html.
"""


class NoticeError(Exception):
    """The notices would be incomplete."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> tuple[str, str]:
    """The distribution name and the marker of a requirement string."""
    spec, _, marker = requirement.partition(";")
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if not match:
        raise NoticeError(f"cannot read the requirement {requirement!r}")
    return canonical(match.group(1)), marker.strip()


def project_dependencies(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    with pyproject.open("rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def applies(marker: str) -> bool:
    """Whether a requirement's environment marker holds for this Python (no extras)."""
    if not marker:
        return True
    try:
        from packaging.markers import Marker
    except ImportError:  # a venv without packaging still has pip, which vendors it
        from pip._vendor.packaging.markers import Marker  # type: ignore[no-redef]
    return bool(Marker(marker).evaluate({"extra": ""}))


def closure(requirements: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions the requirements need here, directly or not (their
    markers decided for this Python, without optional extras). A requirement that
    applies but is not installed is an error: the programs need it."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(requirements)
    while todo:
        requirement = todo.pop()
        name, marker = requirement_name(requirement)
        if name in found or not applies(marker):
            continue
        dist = installed(name)
        if dist is None:
            raise NoticeError(f"{name} is required ({requirement}) but not installed")
        found[name] = dist
        todo.extend(dist.requires or [])
    return sorted(found.values(), key=lambda d: canonical(d.metadata["Name"]))


def top_level_names(dist: metadata.Distribution) -> set[str]:
    """The import names a distribution installs (``PySide6``, ``jaraco``...)."""
    names = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first.endswith((".dist-info", ".egg-info", ".data")) or first in ("..", "bin"):
            continue
        names.add(first.split(".")[0] if len(file.parts) == 1 else first)
    return names


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of the licence files the distribution installs."""
    texts = []
    for file in dist.files or []:
        in_licences = any(part == "licenses" for part in file.parts[:-1]) and any(
            part.endswith(".dist-info") for part in file.parts)
        if in_licences or LICENCE_FILE.match(file.name):
            if file.suffix in (".py", ".pyc", ".pyi", ".so", ".pyd", ".dll"):
                continue
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                texts.append((file.name, path.read_text(encoding="utf-8", errors="replace")))
    name = canonical(dist.metadata["Name"])
    if not texts and name in KNOWN_TEXTS:
        texts = [(f, (LICENSES / f).read_text(encoding="utf-8")) for f in KNOWN_TEXTS[name]]
    if not texts:
        raise NoticeError(f"{dist.metadata['Name']} {dist.version} installs no licence "
                          f"text; add one to {LICENSES.relative_to(ROOT)} and KNOWN_TEXTS")
    unique: dict[str, tuple[str, str]] = {}
    for file_name, text in texts:
        unique.setdefault(text.strip(), (file_name, text))
    return list(unique.values())


def licence_name(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License :: ")]
    short = meta.get("License") or ""
    if short and len(short) < 80 and "\n" not in short:
        return short if not classifiers else f"{short} ({'; '.join(classifiers)})"
    return "; ".join(classifiers) or "see the text below"


def homepage(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    for url in meta.get_all("Project-URL") or []:
        label, _, address = url.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "source code",
                                     "repository"):
            return address.strip()
    return str(meta.get("Home-page") or "")


class Printed:
    """Licence texts already written out, so that a long one (the LGPL and GPL of
    PySide6 and Shiboken6) appears once and later sections refer back to it."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}


def section(title: str, lines: list[str], texts: list[tuple[str, str]],
            printed: Printed | None = None) -> str:
    out = [RULE, title, RULE, *lines, ""]
    for file_name, text in texts:
        key = " ".join(text.split())
        if printed is not None and key in printed.where and len(key) > 2000:
            out += [f"--- {file_name}: the same text as under {printed.where[key]} above", ""]
            continue
        if printed is not None:
            printed.where.setdefault(key, title)
        out += [f"--- {file_name}", "", text.rstrip(), ""]
    return "\n".join(out) + "\n"


def distribution_section(dist: metadata.Distribution, printed: Printed | None = None) -> str:
    name = dist.metadata["Name"]
    key = canonical(name)
    lines = [f"Version: {dist.version}", f"Licence: {licence_name(dist)}"]
    if key in USED_UNDER:
        lines.append(f"Used under: {USED_UNDER[key]}")
    if homepage(dist):
        lines.append(f"Home: {homepage(dist)}")
    if key in ("pyside6-essentials", "pyside6"):
        lines += ["", QT_NOTE.format(version=dist.version).rstrip()]
    return section(f"{name} {dist.version}", lines, licence_texts(dist), printed)


def python_section() -> str:
    candidates = [Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt",
                  Path(sys.base_prefix) / "LICENSE.txt",
                  Path(sys.base_prefix) / "share" / "doc" / "python3" / "copyright"]
    for path in candidates:
        if path.is_file():
            version = sys.version.split()[0]
            return section(f"Python {version}", [
                "Licence: PSF-2.0 (the Python Software Foundation License Version 2) and "
                "the licences of the software Python incorporates, below",
                "Home: https://www.python.org/"],
                [(path.name, path.read_text(encoding="utf-8", errors="replace"))])
    raise NoticeError("the Python interpreter's LICENSE.txt was not found in "
                      + ", ".join(str(p) for p in candidates))


def system_library_sections(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Sections for libraries copied from the build machine, by Debian package; and the
    paths no package claims (named in the notices, reported by the caller)."""
    by_package: dict[str, list[str]] = {}
    unknown = []
    for path in sorted(set(paths)):
        package = _dpkg_owner(path)
        if package:
            by_package.setdefault(package, []).append(path)
        else:
            unknown.append(path)
    sections = []
    for package, files in sorted(by_package.items()):
        name = package.split(":")[0]
        copyright_file = Path("/usr/share/doc") / name / "copyright"
        version = _dpkg_version(package)
        lines = [f"Debian package: {package} {version}".rstrip(),
                 "Files: " + ", ".join(Path(f).name for f in files),
                 "Licence: as the Debian copyright file below states"]
        text = (copyright_file.read_text(encoding="utf-8", errors="replace")
                if copyright_file.is_file() else "")
        if not text:
            unknown.extend(files)
            continue
        sections.append(section(f"{name} {version} (system library)".replace("  ", " "),
                                lines, [("copyright", text)]))
    return sections, unknown


def _dpkg_owner(path: str) -> str | None:
    for candidate in dict.fromkeys([path, str(Path(path).resolve())]):
        try:
            out = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True,
                                 text=True, check=False, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if out.returncode == 0 and ":" in out.stdout:
            return out.stdout.splitlines()[0].rsplit(": ", 1)[0].split(",")[0].strip()
        # Debian's merged /usr: dpkg knows /lib/x86_64-linux-gnu/..., not /usr/lib/...
        if candidate.startswith("/usr/lib/"):
            alt = candidate[len("/usr"):]
            out = subprocess.run(["dpkg-query", "-S", alt], capture_output=True,
                                 text=True, check=False, timeout=30)
            if out.returncode == 0 and ":" in out.stdout:
                return out.stdout.splitlines()[0].rsplit(": ", 1)[0].split(",")[0].strip()
    return None


def _dpkg_version(package: str) -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                         text=True, check=False, timeout=30)
    return out.stdout.strip() if out.returncode == 0 else ""


def notices(*, version: str, bundled_names: set[str] | None = None,
            system_libraries: Iterable[str] = (), bootloader: bool = False,
            requirements: Iterable[str] | None = None) -> tuple[str, list[str]]:
    """The notices text, and what could not be attributed (system libraries).

    ``bundled_names``: the top-level import names in the bundle; a distribution none
    of whose names is there is left out. ``bootloader``: add PyInstaller's licence.
    """
    dists = closure(project_dependencies() if requirements is None else requirements)
    if bundled_names is not None:
        dists = [d for d in dists if top_level_names(d) & bundled_names]
    parts = [textwrap.dedent(f"""\
        THIRD-PARTY NOTICES for TapeMaster Qt {version}

        TapeMaster Qt is proprietary (see LICENSE). It uses the third-party software
        below, each under its own licence, whose full text follows its name and version.
        Those licences, not TapeMaster Qt's, govern each of them, and nothing in
        TapeMaster Qt's licence limits the rights they give you.

        Contents:
        """)]
    titles = [f"  {d.metadata['Name']} {d.version} — {licence_name(d)}" for d in dists]
    printed = Printed()
    sections = [distribution_section(d, printed) for d in dists]
    if bootloader:
        pyinstaller = installed("pyinstaller")
        if pyinstaller is None:
            raise NoticeError("PyInstaller is not installed, but its bootloader is bundled")
        titles.append(f"  PyInstaller {pyinstaller.version} (the programs' bootloader and "
                      "run-time hooks) — GPL-2.0-or-later WITH Bootloader-exception")
        sections.append(section(
            f"PyInstaller {pyinstaller.version} (bootloader and run-time hooks)",
            ["Licence: GPL-2.0-or-later WITH the PyInstaller bootloader exception, which "
             "allows programs built with it to be distributed under any terms",
             "Home: https://pyinstaller.org/"], licence_texts(pyinstaller)))
        python = python_section()
        titles.append(f"  Python {sys.version.split()[0]} — PSF-2.0")
        sections.append(python)
    system_sections, unknown = system_library_sections(system_libraries)
    for text in system_sections:
        titles.append("  " + text.splitlines()[1])
    sections += system_sections
    if unknown:
        titles.append("  System libraries without a known package (see the end)")
        sections.append(section("System libraries from the build machine", [
            "These libraries were copied from the computer that built the bundle; no "
            "package manager there named their origin. Their licences are those of the "
            "operating system distribution they came from:", "",
            *(f"  {path}" for path in unknown)], []))
    parts.append("\n".join(titles) + "\n\n")
    parts += sections
    return "".join(parts), unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from tapemaster_qt import __version__

    try:
        text, _unknown = notices(version=__version__)
    except NoticeError as exc:
        print(f"third_party_notices: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
