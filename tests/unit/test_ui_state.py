"""``ui-state.ini`` read as plain strings (issue 14 item 5): only a valid User-ID per
store is taken from it, garbage is ignored with a log line and dropped at the next
write, and the file is written atomically, owner-only, never through a symlink.

(The native crash QSettings had on a crafted variant is shown with real programs in
tests/integration/test_ui_state.py.)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tapemaster_qt.ui.ui_state import FILE_NAME, MAX_BYTES, UiState, store_key


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config"


def state(config: Path, store: str = "site") -> UiState:
    return UiState(Path("/srv/stores") / store, config=config)


def test_remembers_per_store_in_a_file_only_the_owner_reads(config: Path) -> None:
    state(config, "a").last_user_id = "alice"
    state(config, "b").last_user_id = "bob.b-2"
    assert state(config, "a").last_user_id == "alice"
    assert state(config, "b").last_user_id == "bob.b-2"
    assert state(config, "c").last_user_id == ""
    path = config / FILE_NAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8") == (
        "[lastUserId]\n" + "".join(sorted(
            f"{store_key(Path('/srv/stores') / s)}={u}\n" for s, u in (("a", "alice"),
                                                                      ("b", "bob.b-2")))))


def test_a_file_qsettings_wrote_is_still_read(config: Path) -> None:
    config.mkdir()
    key = store_key(Path("/srv/stores/site"))
    (config / FILE_NAME).write_text(f"[General]\n\n[lastUserId]\n{key}=alice\n",
                                    encoding="utf-8")
    assert state(config).last_user_id == "alice"


@pytest.mark.parametrize("value", [
    r"@Variant(\0\0\0\t\x7f\xff\xff\xf0)", "@ByteArray(alice)", '"alice"', "-alice",
    "a" * 17, "alice bob", "alice\\nbob", "@Invalid()", "ali\u202ece"])
def test_anything_but_a_user_id_is_ignored_and_logged(config: Path, value: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    config.mkdir()
    key = store_key(Path("/srv/stores/site"))
    (config / FILE_NAME).write_text(f"[lastUserId]\n{key}={value}\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tapemaster_qt"):
        assert state(config).last_user_id == ""
    assert "Ignored 1 entry" in caplog.text and value not in caplog.text


def test_garbage_goes_at_the_next_write(config: Path) -> None:
    config.mkdir()
    other = store_key(Path("/srv/stores/other"))
    (config / FILE_NAME).write_text(
        f"[General]\nfoo=@Variant(\\0\\0\\0\\t\\x7f\\xff\\xff\\xf0)\nnot a line\n"
        f"[lastUserId]\n{other}=carol\nshort=dave\n", encoding="utf-8")
    (config / FILE_NAME).chmod(0o644)
    state(config).last_user_id = "alice"
    text = (config / FILE_NAME).read_text(encoding="utf-8")
    assert "@Variant" not in text and "dave" not in text and "General" not in text
    assert f"{other}=carol" in text  # another store's entry is kept
    assert (config / FILE_NAME).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("content", [b"\xff\xfe[lastUserId]", b"[lastUserId]\n" + b"x" *
                                     MAX_BYTES])
def test_unreadable_or_huge_files_read_as_empty(config: Path, content: bytes) -> None:
    config.mkdir()
    (config / FILE_NAME).write_bytes(content)
    assert state(config).last_user_id == ""
    state(config).last_user_id = "alice"
    assert state(config).last_user_id == "alice"


def test_a_symlink_is_neither_followed_nor_written_through(config: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("[lastUserId]\n" + store_key(Path("/srv/stores/site")) + "=mallory\n",
                      encoding="utf-8")
    config.mkdir()
    (config / FILE_NAME).symlink_to(victim)
    assert state(config).last_user_id == ""
    state(config).last_user_id = "alice"
    assert not (config / FILE_NAME).is_symlink()
    assert "mallory" in victim.read_text(encoding="utf-8")  # untouched
    assert state(config).last_user_id == "alice"


def test_only_a_user_id_is_remembered(config: Path) -> None:
    state(config).last_user_id = "alice"
    for value in ("alice@example.com", "", "x\ny"):
        state(config).last_user_id = value
    assert state(config).last_user_id == "alice"


def test_a_folder_that_cannot_be_written_costs_nothing(config: Path, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    s = UiState(Path("/srv/stores/site"), config=blocker / "config")
    with caplog.at_level(logging.WARNING, logger="tapemaster_qt"):
        s.last_user_id = "alice"
    assert s.last_user_id == "" and "Could not remember" in caplog.text
    assert os.path.isfile(blocker)


def _read_in_a_thread(read) -> list:
    """Run ``read()`` aside; if it hangs (a FIFO waits for a writer), wake it by
    opening and closing the FIFO's write end, and fail: a hang is the defect."""
    import threading

    result: list = []
    reader = threading.Thread(target=lambda: result.append(read()), daemon=True)
    reader.start()
    reader.join(60)  # a safeguard for the defect, not a measure: the fix never waits
    return result if not reader.is_alive() else []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_ignored_not_waited_on(config: Path, caplog: pytest.LogCaptureFixture
                                         ) -> None:
    """A FIFO planted at ui-state.ini hung every program at start: open(2) of a FIFO
    for reading waits for a writer (REVIEW-1 finding 6)."""
    config.mkdir()
    fifo = config / FILE_NAME
    os.mkfifo(fifo, 0o600)
    with caplog.at_level(logging.WARNING, logger="tapemaster_qt"):
        result = _read_in_a_thread(lambda: state(config).last_user_id)
    if not result:
        os.close(os.open(fifo, os.O_WRONLY))  # let the hung reader go
    assert result == [""], "reading ui-state.ini waited on a FIFO"
    assert "not a regular file" in caplog.text
    state(config).last_user_id = "alice"  # written as a file in the FIFO's place
    assert (config / FILE_NAME).is_file() and state(config).last_user_id == "alice"
