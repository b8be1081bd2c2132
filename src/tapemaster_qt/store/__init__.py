"""The user store: SQLite, migrations and the store key. The only package that knows SQL."""

from tapemaster_qt.store.sqlite import BUILTIN_USER, DEFAULT_GROUP, Store, Transaction, utc_now

__all__ = ["BUILTIN_USER", "DEFAULT_GROUP", "Store", "Transaction", "utc_now"]
