"""Keyring backends for the key fault tests, loadable by child processes through
``PYTHON_KEYRING_BACKEND=fault_keyrings.<Class>`` (with this folder on PYTHONPATH).

- ``FileKeyring``: a working keyring kept in the JSON file ``$TAPEMASTER_TEST_KEYRING``,
  so a key stored by one process is found by the next;
- ``LockedKeyring``: every call raises ``keyring.errors.KeyringError`` (a locked or
  unreachable Secret Service, a denied macOS Keychain prompt);
- ``CrashingKeyring``: every call raises ``RuntimeError`` (a broken backend).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
from keyring.errors import KeyringError

ENV = "TAPEMASTER_TEST_KEYRING"


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[ENV])

    def _items(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path().read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._items()
        items[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(items), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        items = self._items()
        items.pop(f"{service}/{username}", None)
        self._path().write_text(json.dumps(items), encoding="utf-8")


class LockedKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keyring is locked")


class CrashingKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("backend bug")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("backend bug")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("backend bug")
