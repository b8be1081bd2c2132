"""docs/security.md in tests: what a local store still cannot detect.

These "limit" tests pin behaviour the threat model says is out of reach. They pass on
purpose: if one starts failing, the protection got better and docs/security.md must say
so. (The attacks a folder-writer without the key tried on 1.0, now refused, are in
test_store_tampering.py; an edit of a setting, a row rolled back and audit rows removed
used to be limits here.)
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from tapemaster_qt.store import open_store, trust
from unit.support import PASSWORD, reseal_everything


def test_limit_a_store_this_account_never_opened_is_trusted_as_found(
    ctx: Context, logon: LogonService, alice: str, data_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Trust on first use: an account that never opened the store has nothing to
    compare a swapped key with. The account that did refuses the same store."""
    keyring.set_keyring(fail.Keyring())
    ctx.store.close()
    reseal_everything(data_dir, secrets.token_bytes(32), "another-id")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "never-opened-it"))
    with open_store(data_dir) as store:
        assert store.get_user("alice").integrity_ok


def test_limit_an_attacker_with_the_key_forges_anything(
    ctx: Context, admin: AdminService, alice: str, data_dir: Path
) -> None:
    """Whoever reads the key (this account's keyring, or a key file) makes valid seals,
    digest terms and heads: the seals detect edits made *without* the key."""
    raw = ctx.store.key.raw
    ctx.store.close()
    with open_store(data_dir) as store:
        _ = store.key
    from unit.support import raw_db

    with raw_db(data_dir) as conn:
        conn.execute("UPDATE users SET tapemaster_rights = 1 WHERE user_id = 'alice'")
    reseal_everything(data_dir, raw)  # the real key: nothing differs from a real write
    (data_dir / "store.key").unlink()
    with open_store(data_dir) as store:
        user = store.get_user("alice")
        assert user.integrity_ok and user.tapemaster_rights


def test_limit_a_rollback_together_with_this_accounts_record_goes_unnoticed(
    ctx: Context, admin: AdminService, logon: LogonService, alice: str, data_dir: Path,
    tmp_path: Path,
) -> None:
    """The high-water mark lives in this account's state folder: someone who can put
    back both the store and that folder (a whole-disk image of this account) rolls back
    unnoticed. The threat model puts that folder out of the attacker's reach."""
    ctx.store.close()
    account = trust.folder()
    shutil.copy(data_dir / "tapemaster.db", tmp_path / "old.db")
    shutil.copytree(account, tmp_path / "old-trust")
    with open_store(data_dir) as store:
        AdminService(Context(store, hasher=ctx.hasher), admin.actor).set_otp("alice", True)
    shutil.copy(tmp_path / "old.db", data_dir / "tapemaster.db")
    shutil.rmtree(account)
    shutil.copytree(tmp_path / "old-trust", account)
    with open_store(data_dir) as store:
        again = LogonService(Context(store, clock=ctx.clock, hasher=ctx.hasher))
        assert again.logon("alice", PASSWORD).status is LogonStatus.SUCCESS
