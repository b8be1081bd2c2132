"""The wrapped store key (services/keywrap.py) and its export and import (services/sitekey)
in one process, with cheap argon2 parameters; tests/integration/test_key_transfer.py
runs the CLI end to end with the real ones."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest

from tapemaster_qt.errors import StoreKeyError, ValidationError
from tapemaster_qt.services import Actor, Context, keywrap
from tapemaster_qt.services.keywrap import KdfParams, KeyFileError
from tapemaster_qt.services.sitekey import check_passphrase, export_key, import_key
from tapemaster_qt.store import Store, keys, open_store

CHEAP = KdfParams(time_cost=1, memory_kib=64, parallelism=1)
PASSPHRASE = "seven tapes for the vault"
KEY = bytes(range(32))


def _wrap(passphrase: str = PASSPHRASE, store_id: str = "store-1") -> bytes:
    return keywrap.wrap(KEY, store_id, passphrase, store="/srv/tm", params=CHEAP)


def test_a_wrapped_key_unwraps_with_its_passphrase_only() -> None:
    data = _wrap()
    key = keywrap.unwrap(data, PASSPHRASE)
    assert (key.raw, key.store_id, key.store) == (KEY, "store-1", "/srv/tm")
    assert KEY.hex() not in repr(key)
    with pytest.raises(KeyFileError, match=r"^Wrong passphrase for The key file"):
        keywrap.unwrap(data, PASSPHRASE + " ")
    with pytest.raises(KeyFileError, match="No passphrase was given"):
        keywrap.unwrap(data, "")
    # The same passphrase typed on another keyboard (NFKC): full-width letters.
    wide = "ｓｅｖｅｎ tapes for the vault"
    assert keywrap.unwrap(_wrap(wide), PASSPHRASE).raw == KEY


def test_two_exports_of_one_key_share_nothing_but_the_form() -> None:
    first, second = json.loads(_wrap()), json.loads(_wrap())
    for field in ("ciphertext",):
        assert first[field] != second[field]
    assert first["kdf"]["salt"] != second["kdf"]["salt"]
    assert first["cipher"]["nonce"] != second["cipher"]["nonce"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(store_id="store-2"), "Wrong passphrase"),
    (lambda d: d.update(store="/elsewhere"), "Wrong passphrase"),
    (lambda d: d["kdf"].update(time_cost=2), "Wrong passphrase"),
    (lambda d: d.update(extra="field"), "Wrong passphrase"),
    (lambda d: d["kdf"].update(memory_kib=2 ** 31), "memory_kib out of bounds"),
    (lambda d: d["kdf"].update(parallelism=0), "parallelism out of bounds"),
    (lambda d: d["kdf"].update(time_cost=True), "time_cost out of bounds"),
    (lambda d: d["kdf"].update(name="scrypt"), "unknown key derivation"),
    (lambda d: d["cipher"].update(name="AES-128-CBC"), "unknown cipher"),
    (lambda d: d.update(version=7), "newer version of TapeMaster Qt (key file version 7)"),
    (lambda d: d.update(version="1"), "no version"),
    (lambda d: d.update(format="something-else"), "is not a TapeMaster Qt key file"),
    (lambda d: d["kdf"].update(salt="not base64!"), "is not a TapeMaster Qt key file"),
    (lambda d: d.update(store_id=7), "is not a TapeMaster Qt key file"),
    (lambda d: d.pop("cipher"), "is not a TapeMaster Qt key file"),
])
def test_a_changed_file_never_unwraps(change, message: str) -> None:
    document = json.loads(_wrap())
    change(document)
    with pytest.raises(KeyFileError, match=re.escape(message)):
        keywrap.unwrap(json.dumps(document).encode(), PASSPHRASE)


@pytest.mark.parametrize("data", [
    b"", b"\xff\xfe", b"[]", b"null", b"{" * 100_000, b"x" * (keywrap.MAX_FILE_BYTES + 1),
    b'{"format": "tapemaster-qt-store-key", "format": "tapemaster-qt-store-key"}',
])
def test_garbage_is_a_damaged_file(data: bytes) -> None:
    with pytest.raises(KeyFileError, match="is not a TapeMaster Qt key file or is damaged"):
        keywrap.unwrap(data, PASSPHRASE, name="site.key")


@pytest.mark.parametrize(("passphrase", "ok"), [
    ("", False), ("short one", False), ("aaaaaaaaaaaaaaaaaaaa", False),
    ("abababababababab", False), ("0123456789012", False), ("qwertyuiopasdf", False),
    ("tape\x00vault pass", False), ("x" * 1025, False),
    (PASSPHRASE, True), ("Vault-Tapes-2026!", True), ("ünf Bänder im Tresor", True),
])
def test_passphrase_rules(passphrase: str, ok: bool) -> None:
    if ok:
        check_passphrase(passphrase)
    else:
        with pytest.raises(ValidationError):
            check_passphrase(passphrase)


def _cli(store: Store) -> tuple[Context, Actor]:
    return Context(store, program="tapemaster-admin"), Actor.for_cli()


def test_export_then_import_on_a_desktop_that_lost_the_key(
        data_dir: Path, tmp_path: Path, keyring_backend) -> None:
    with open_store(data_dir) as store:
        ctx, actor = _cli(store)
        original = store.key.raw
        export_key(ctx, actor, PASSPHRASE, tmp_path / "site.key", params=CHEAP)
        keyring_backend.items.clear()  # another desktop: the same store, no key
    with open_store(data_dir) as store:
        with pytest.raises(StoreKeyError, match="key import FILE --passphrase-stdin"):
            _ = store.key
        ctx, actor = _cli(store)
        kept = import_key(ctx, actor, PASSPHRASE, (tmp_path / "site.key").read_bytes())
        assert kept.startswith("OS keyring")
        assert store.key.raw == original
        events = [(e.event, e.detail) for e in store.audit_events(limit=2)]
    assert events == [("key_imported", "keyring"), ("key_exported", "site.key")]


def test_import_refuses_a_key_that_names_this_store_but_does_not_open_it(
        store: Store, keyring_backend) -> None:
    ctx, actor = _cli(store)
    before = dict(keyring_backend.items)
    forged = keywrap.wrap(secrets.token_bytes(32), store.store_id, PASSPHRASE, params=CHEAP)
    with pytest.raises(StoreKeyError, match="names this store but its key does not open it"):
        import_key(ctx, actor, PASSPHRASE, forged)
    assert keyring_backend.items == before
    assert [e.event for e in store.audit_events(limit=5)] == []


def test_install_key_moves_a_wrong_key_file_aside(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(keys, "_keyring_backend", lambda: None)
    keys.write_key_file(tmp_path / keys.KEY_FILE, "store-1", bytes(32))
    key = keys.install_key("store-1", KEY, tmp_path)
    assert key.location == "file"
    assert keys.read_key_file(tmp_path / keys.KEY_FILE, "store-1") == KEY
    aside = list(tmp_path.glob("store.key.orphaned-*"))
    assert len(aside) == 1 and keys.read_key_file(aside[0], "store-1") == bytes(32)
