"""Errors every layer may raise or show.

Each carries a one-line message written for the person in front of the screen (or
the support engineer at the CLI). Nothing here ever includes a password, a code or
an OTP secret.

Languages: ``message`` is English (the CLI, the logs and the tests read it). A message
a window may show is marked for the translation catalogue where it is raised,
``QT_TRANSLATE_NOOP("errors", "Enter a {what}.")``, with its values passed apart
(``params``): the windows show ``translated()`` (ui/texts.py ``error_text``), the
template looked up in the user's language, then filled in. docs/translations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for the catalogue under ``context`` (pyside6-lupdate reads this
    name) and returns it unchanged: no Qt below ui/, the lookup happens there."""
    return text


class TapeMasterError(Exception):
    """Base of every error that has a message fit to show a user. ``message`` is a
    template when ``params`` are given (``{name}`` fields); the English sentence is
    then ``message.format(**params)``."""

    def __init__(self, message: str, *, params: Mapping[str, object] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        if self.params:
            message = message.format(**self.params)
        super().__init__(message)
        self.message = message

    def translated(self, lookup: Callable[[str], str],
                   field_lookup: Callable[[str], str] | None = None) -> str:
        """The message in another language: ``lookup`` gives the template's translation
        (or the template itself), filled in with the same values; a ``field`` value (a
        field's label, fields.py) goes through ``field_lookup``."""
        text = lookup(self.template)
        if not self.params:
            return text
        params = dict(self.params)
        if field_lookup is not None and isinstance(params.get("field"), str):
            params["field"] = field_lookup(str(params["field"]))
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return self.message

    def __str__(self) -> str:
        return self.message


# --- store ------------------------------------------------------------------------


class StoreError(TapeMasterError):
    """The user store cannot be used as asked."""


class StoreLocationError(StoreError):
    """The store location given (command line, environment, site file) cannot be used."""


class StoreUnavailableError(StoreError):
    """This program cannot open a store of the kind named (see store.open_store)."""


class StoreConnectionError(StoreError):
    """The server holding the store cannot be reached, or the connection to it was lost
    (nothing was decided: the next attempt connects again)."""


class StoreCommitUnknownError(StoreConnectionError):
    """The connection was lost while a change was being committed: the server may or
    may not have saved it. A retry must first look whether it did."""


class StoreAccessError(StoreError):
    """The server refused the store's user name or password, or a privilege."""


class StoreNotCreatedError(StoreError):
    """The server's database is ready but holds no store yet (``tapemaster-admin init``)."""


class StoreTooOldError(StoreError):
    """The store needs an upgrade that only its owner may run (``tapemaster-admin
    upgrade``)."""


class StoreNotAStoreError(StoreError):
    """The file exists but is not a TapeMaster user store."""


class StoreCorruptError(StoreError):
    """The store file is damaged."""


class StoreTooNewError(StoreError):
    """The store was written by a newer version of TapeMaster Qt."""


class StoreLockedError(StoreError):
    """Another program held the store for longer than we wait."""


class StoreReadOnlyError(StoreError):
    """The store (or its folder) cannot be written."""


class StoreFullError(StoreError):
    """The disk holding the store is full."""


class StoreUnsafeError(StoreError):
    """The store's folder or one of its files could be changed by someone else (a
    folder others may write, a symbolic link, another user's file): nothing is opened."""


class StoreReplacedError(StoreError):
    """The store file was replaced (restored, moved or copied over) since this program
    opened it, or its journal belongs to the file it replaced: nothing is written."""

    WHILE_RUNNING = (
        "The user store was replaced while this program was running (restored from a "
        "backup, or another copy put in its place); nothing was changed. Close this "
        "program and start it again."
    )


class StoreKeyError(StoreError):
    """The key that protects OTP secrets is missing, wrong or unsafe."""


class StoreIntegrityError(StoreError):
    """A record failed its integrity check (changed outside TapeMaster)."""

    def __init__(self, message: str, user_id: str | None = None, *,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params=params)
        self.user_id = user_id


class StoreTamperedError(StoreError):
    """The store as a whole cannot be trusted: rolled back, records removed or put
    back, its sealed head or a sealed setting changed, or (:class:`StoreTrustError`)
    its identity or key moved. ``finding`` is the short form kept in the audit log."""

    def __init__(self, message: str, finding: str = "") -> None:
        super().__init__(message)
        self.finding = finding or message


class StoreRollbackError(StoreTamperedError):
    """The store is older than the one this OS account last saw (its generation is below
    this account's high-water mark)."""


class StoreTrustError(StoreTamperedError):
    """The store's identity or key changed since this OS account last opened it, without
    ``tapemaster-admin``."""


# --- services ---------------------------------------------------------------------


class ServiceError(TapeMasterError):
    """A request the services refused."""


class ValidationError(ServiceError):
    """Input that breaks a rule; ``field`` names the field (as labelled in the UI)."""

    def __init__(self, message: str, field: str | None = None, *,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params=params)
        self.field = field


class NotAuthorizedError(ServiceError):
    """The acting user may not do this."""


class NotFoundError(ServiceError):
    """The named user or group does not exist."""


class ConflictError(ServiceError):
    """The change clashes with what the store holds (a duplicate, a user in use...)."""


class AlreadyInitialisedError(ConflictError):
    """First Run lost a race: another program set tapemaster's password first."""


class SessionEndedError(ServiceError):
    """The logged-on user's session has ended (the services checked it before an
    action): the program logs out and says why. ``reason`` is a
    ``services.sessions.EndReason`` value; ``by`` who ended it, for a Disconnect."""

    def __init__(self, reason: str, by: str | None = None,
                 session_id: int | None = None) -> None:
        super().__init__(QT_TRANSLATE_NOOP("errors", "Your session has ended; log on again."))
        self.reason = reason
        self.by = by
        self.session_id = session_id
