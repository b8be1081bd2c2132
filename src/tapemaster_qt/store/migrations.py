"""Schema versions: every migration, for every backend, in one list.

``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``; :func:`migrate` runs
the missing ones in one write transaction together with the version bump, so a crash
leaves the old version intact. Each backend keeps the version its own way (SQLite:
``PRAGMA user_version``).

Never edit a released migration: add one. Version 1 predates the shared schema: its
SQLite DDL (:data:`SQLITE_V1`) is released and stays byte for byte as it is (a test
guards it); each other backend brings its own equivalent version 1. From version 2 on
a migration is written once, in portable DDL (:attr:`Migration.portable`), with these
substitutions (see :class:`~.database.Dialect`):

- ``{BLOB}`` binary (SQLite BLOB, PostgreSQL BYTEA);
- ``{BIGINT}`` a 64-bit integer (SQLite INTEGER, PostgreSQL BIGINT);
- ``{ID}`` an integer primary key the database numbers (SQLite ``INTEGER PRIMARY KEY``,
  PostgreSQL an identity column);
- ``{STRICT}`` after a CREATE TABLE's closing parenthesis (SQLite ``STRICT``);
- ``{ci[col]}`` in a UNIQUE index: ``col`` ignoring case (SQLite ``col COLLATE NOCASE``,
  PostgreSQL ``lower(col)``);
- ``{RANDOM_UID}`` an expression giving each row a new random identity, 32 lowercase hex
  digits like :func:`.users.new_uid` (SQLite ``lower(hex(randomblob(16)))``, PostgreSQL
  ``replace(gen_random_uuid()::text, '-', '')``).

Flags are INTEGER 0/1 and times ISO 8601 TEXT everywhere (that is what is sealed).
What only one backend needs goes into :attr:`Migration.sqlite` or
:attr:`Migration.postgresql` (a trigger, a grant), run after the portable part.
Literal braces in portable DDL are doubled (``{{``), as in :meth:`str.format`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tapemaster_qt.errors import StoreTooNewError
from tapemaster_qt.store import groups, head, sealing, settings, users
from tapemaster_qt.store.database import Database, utc_now
from tapemaster_qt.store.interface import (
    BUILTIN_USER,
    DEFAULT_GROUP,
    DEFAULT_SETTINGS,
    NewUser,
)

if TYPE_CHECKING:
    from tapemaster_qt.store.keys import KeyFolder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema version: portable DDL, then each backend's own extras."""

    portable: str = ""
    sqlite: str = ""
    postgresql: str = ""

    def script(self, db: Database) -> str:
        """This migration in ``db``'s DDL."""
        own = str(getattr(self, db.dialect.name))
        return db.dialect.ddl(self.portable) + ("\n" if self.portable else "") + own


SQLITE_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    mac   BLOB
) STRICT;

CREATE TABLE groups (
    group_id    TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX groups_id_nocase ON groups(group_id COLLATE NOCASE);

CREATE TABLE users (
    user_id           TEXT PRIMARY KEY,
    name              TEXT NOT NULL DEFAULT '',
    email             TEXT,
    description       TEXT NOT NULL DEFAULT '',
    group_id          TEXT REFERENCES groups(group_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    role              INTEGER NOT NULL DEFAULT 7 CHECK (role BETWEEN 0 AND 7),
    admin_rights      INTEGER NOT NULL DEFAULT 0,
    tapemaster_rights INTEGER NOT NULL DEFAULT 0,
    disabled          INTEGER NOT NULL DEFAULT 0,
    no_timeout        INTEGER NOT NULL DEFAULT 0,
    access_tapemaster INTEGER NOT NULL DEFAULT 1,
    access_lite       INTEGER NOT NULL DEFAULT 1,
    access_checkpoint INTEGER NOT NULL DEFAULT 1,
    password_hash     TEXT,
    otp_enabled       INTEGER NOT NULL DEFAULT 0,
    otp_activated     INTEGER NOT NULL DEFAULT 0,
    otp_secret        BLOB,
    otp_last_step     INTEGER,
    otp_burned_steps  TEXT NOT NULL DEFAULT '',
    failed_logons     INTEGER NOT NULL DEFAULT 0,
    revoked           INTEGER NOT NULL DEFAULT 0,
    last_logon        TEXT,
    last_failed_logon TEXT,
    created           TEXT NOT NULL,
    updated           TEXT NOT NULL,
    mac               BLOB,
    -- OTP enabled always has a secret; disabled never keeps one.
    CHECK ((otp_enabled = 1) = (otp_secret IS NOT NULL)),
    CHECK (otp_activated = 0 OR otp_enabled = 1)
) STRICT;
-- User-IDs are case-sensitive at logon, but two that differ only in case would be
-- confusing and are refused.
CREATE UNIQUE INDEX users_id_nocase ON users(user_id COLLATE NOCASE);
CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE) WHERE email IS NOT NULL;
CREATE INDEX users_group ON users(group_id);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    ts      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    user_id TEXT,
    program TEXT NOT NULL,
    host    TEXT NOT NULL,
    event   TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_user ON audit(user_id, id);
CREATE INDEX audit_event ON audit(event, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE sessions (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users(user_id) ON UPDATE CASCADE ON DELETE CASCADE,
    program   TEXT NOT NULL,
    host      TEXT NOT NULL,
    pid       INTEGER NOT NULL,
    since     TEXT NOT NULL,
    last_seen TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
"""
"""SQLite's version 1, as released (TapeMaster Qt 1.0). Never edit."""

POSTGRESQL_V1 = """
-- The store's tables live in schema tapemaster, the audit log in tapemaster_audit:
-- packaging/postgresql/setup.sql made both, and its per-schema default privileges give
-- the application role SELECT, INSERT, UPDATE, DELETE on the first and only SELECT,
-- INSERT on the second. Later migrations name tables without a schema: the owner's
-- search_path (tapemaster, tapemaster_audit) finds them, and puts new ones in tapemaster.
CREATE TABLE tapemaster.schema_version (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    application text NOT NULL,
    version     integer NOT NULL
);

CREATE TABLE tapemaster.settings (
    key   text PRIMARY KEY,
    value text NOT NULL,
    mac   bytea
);

CREATE TABLE tapemaster.groups (
    group_id    text PRIMARY KEY,
    description text NOT NULL DEFAULT '',
    created     text NOT NULL
);
CREATE UNIQUE INDEX groups_id_nocase ON tapemaster.groups (lower(group_id));

CREATE TABLE tapemaster.users (
    user_id           text PRIMARY KEY,
    name              text NOT NULL DEFAULT '',
    email             text,
    description       text NOT NULL DEFAULT '',
    group_id          text REFERENCES tapemaster.groups (group_id)
                          ON UPDATE CASCADE ON DELETE RESTRICT,
    role              integer NOT NULL DEFAULT 7 CHECK (role BETWEEN 0 AND 7),
    admin_rights      integer NOT NULL DEFAULT 0,
    tapemaster_rights integer NOT NULL DEFAULT 0,
    disabled          integer NOT NULL DEFAULT 0,
    no_timeout        integer NOT NULL DEFAULT 0,
    access_tapemaster integer NOT NULL DEFAULT 1,
    access_lite       integer NOT NULL DEFAULT 1,
    access_checkpoint integer NOT NULL DEFAULT 1,
    password_hash     text,
    otp_enabled       integer NOT NULL DEFAULT 0,
    otp_activated     integer NOT NULL DEFAULT 0,
    otp_secret        bytea,
    otp_last_step     bigint,
    otp_burned_steps  text NOT NULL DEFAULT '',
    failed_logons     integer NOT NULL DEFAULT 0,
    revoked           integer NOT NULL DEFAULT 0,
    last_logon        text,
    last_failed_logon text,
    created           text NOT NULL,
    updated           text NOT NULL,
    mac               bytea,
    CHECK ((otp_enabled = 1) = (otp_secret IS NOT NULL)),
    CHECK (otp_activated = 0 OR otp_enabled = 1)
);
CREATE UNIQUE INDEX users_id_nocase ON tapemaster.users (lower(user_id));
CREATE UNIQUE INDEX users_email ON tapemaster.users (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX users_group ON tapemaster.users (group_id);

CREATE TABLE tapemaster_audit.audit (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts      text NOT NULL,
    actor   text NOT NULL,
    user_id text,
    program text NOT NULL,
    host    text NOT NULL,
    event   text NOT NULL,
    detail  text NOT NULL DEFAULT ''
);
CREATE INDEX audit_user ON tapemaster_audit.audit (user_id, id);
CREATE INDEX audit_event ON tapemaster_audit.audit (event, id);
-- As on SQLite, the table itself refuses changes, even from its owner; the grants
-- stop the application role from touching the triggers.
CREATE FUNCTION tapemaster_audit.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON tapemaster_audit.audit
    FOR EACH ROW EXECUTE FUNCTION tapemaster_audit.append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON tapemaster_audit.audit
    FOR EACH STATEMENT EXECUTE FUNCTION tapemaster_audit.append_only();

CREATE TABLE tapemaster.sessions (
    id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id   text NOT NULL REFERENCES tapemaster.users (user_id)
                  ON UPDATE CASCADE ON DELETE CASCADE,
    program   text NOT NULL,
    host      text NOT NULL,
    pid       bigint NOT NULL,
    since     text NOT NULL,
    last_seen text NOT NULL
);
CREATE INDEX sessions_user ON tapemaster.sessions (user_id);

-- Only the owner changes the version: the default privileges gave the application
-- role write access to every table of schema tapemaster, this one included.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON tapemaster.schema_version FROM PUBLIC;
DO $$
DECLARE
    grantee name;
BEGIN
    FOR grantee IN
        SELECT DISTINCT r.rolname FROM pg_class c
        CROSS JOIN aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = 'tapemaster.schema_version'::regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON '
                       'tapemaster.schema_version FROM %I', grantee);
    END LOOP;
END
$$;
"""
"""PostgreSQL's version 1: SQLite's, in the two schemas of setup.sql (run as the owner
role, by ``tapemaster-admin init``). Flags stay integers and binary columns bytea, so
rows and their seals read back exactly as on SQLite. Never edit."""

V2 = Migration(portable="""
-- Failed attempts since the last successful logon: what the user is told after logging
-- on and the administrator sees. Unlike failed_logons (consecutive failures, which
-- revoke), an Unlock or a password reset keeps it: only a logon resets it.
ALTER TABLE users ADD COLUMN failures_since_logon INTEGER NOT NULL DEFAULT 0;
-- Consecutive failed logons of User-IDs that do not exist, so that they reach "Access
-- Revoked" like real ones. Keyed by a keyed hash of the case-folded User-ID (never the
-- ID itself). Rows not failed for a while are forgotten, and the table is bounded.
-- (No semicolon in these comments: a backend may split the script at each one.)
CREATE TABLE unknown_logons (
    id_key      TEXT PRIMARY KEY,
    failures    INTEGER NOT NULL,
    last_failed TEXT NOT NULL
){STRICT};
CREATE INDEX unknown_logons_last_failed ON unknown_logons(last_failed);
""")
"""Version 2: revocation stops password guessing (issue 9 item 1)."""

V3_RECOVERY_CODES = Migration(portable="""
CREATE TABLE recovery_codes (
    id          {ID},
    user_id     TEXT NOT NULL REFERENCES users(user_id) ON UPDATE CASCADE ON DELETE CASCADE,
    fingerprint {BLOB} NOT NULL,
    code_hash   TEXT NOT NULL,
    created     TEXT NOT NULL,
    mac         {BLOB}
){STRICT};
-- One code per fingerprint and user: a typed code finds its one row.
CREATE UNIQUE INDEX recovery_codes_fingerprint ON recovery_codes(user_id, fingerprint);
""")
"""Version 3: single-use recovery codes (DESIGN.md §3a). A row is an argon2id hash,
the keyed fingerprint that finds it, and a seal; using a code deletes its row."""

V4 = Migration(portable="""
-- The immutable identity of a user: never reused, never changed (a User-ID deleted
-- and added again is another user). Sessions name it, so a program logged on as the
-- old user can never act as the new one. (No semicolon or quote in these comments.)
ALTER TABLE users ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE users SET uid = {RANDOM_UID};
CREATE UNIQUE INDEX users_uid ON users(uid);

ALTER TABLE sessions ADD COLUMN user_uid TEXT NOT NULL DEFAULT '';
UPDATE sessions SET user_uid = COALESCE(
    (SELECT uid FROM users WHERE users.user_id = sessions.user_id), '');
-- What the user's One Time Password was at logon (a digest of the stored secret, empty
-- for none, NULL for sessions older than this column). A secret switched on or renewed
-- since then ends the session.
ALTER TABLE sessions ADD COLUMN otp_mark TEXT;
-- Set when an administrator ends the session (Disconnect): the program logs out at its
-- next heartbeat and removes the row.
ALTER TABLE sessions ADD COLUMN end_reason TEXT;
ALTER TABLE sessions ADD COLUMN ended_by TEXT;
ALTER TABLE sessions ADD COLUMN ended_at TEXT;
CREATE INDEX sessions_user_uid ON sessions(user_uid);
""",
    # A row inserted without a uid (by hand, or by a program older than this version
    # still running) gets its own at once, as a new user made here does.
    sqlite="""
CREATE TRIGGER users_uid_given AFTER INSERT ON users WHEN NEW.uid = ''
BEGIN UPDATE users SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid; END;
""",
    postgresql="""
ALTER TABLE users ALTER COLUMN uid SET DEFAULT replace(gen_random_uuid()::text, '-', '');
""")
"""Version 4: users get an immutable uid; sessions name it, remember the OTP secret they
began under, and can be ended by an administrator (issue 14)."""

V5_SEAL_EVERYTHING = """
ALTER TABLE users ADD COLUMN dt0 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN dt1 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN dt2 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN mac {BLOB};
ALTER TABLE groups ADD COLUMN dt0 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN dt1 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN dt2 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN dt0 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN dt1 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN dt2 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE audit ADD COLUMN hash {BLOB};
CREATE INDEX users_digest ON users(dt0, dt1, dt2);
ALTER TABLE recovery_codes ADD COLUMN dt0 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE recovery_codes ADD COLUMN dt1 {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE recovery_codes ADD COLUMN dt2 {BIGINT} NOT NULL DEFAULT 0;

CREATE TABLE user_copies (
    user_id TEXT PRIMARY KEY
            REFERENCES users(user_id) ON UPDATE CASCADE ON DELETE CASCADE,
    copy    TEXT NOT NULL,
    mac     {BLOB} NOT NULL
){STRICT};

CREATE TABLE head (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    generation      {BIGINT} NOT NULL,
    seal_version    INTEGER NOT NULL,
    digest          TEXT NOT NULL,
    audit_id        {BIGINT} NOT NULL,
    audit_hash      {BLOB} NOT NULL,
    audit_base_id   {BIGINT} NOT NULL,
    audit_base_hash {BLOB} NOT NULL,
    mac             {BLOB} NOT NULL
){STRICT};
"""
"""Version 5: every column of users, groups and settings sealed; digest terms on them
and on recovery codes; the last-known-good copy of each user; the sealed head
(generation, digest, audit chain); the audit log's hash chain. The seals themselves
need the key, so they are written on first use (``store/integrity.py``), not here."""

V5_POSTGRESQL = """
-- The chain numbers the audit rows itself (the id after the head's, under the head's
-- row lock): the database takes the id it is given. Desktops still may only append.
ALTER TABLE tapemaster_audit.audit ALTER COLUMN id SET GENERATED BY DEFAULT;
"""
"""Version 5 on PostgreSQL: version 1 made the audit id ``GENERATED ALWAYS``."""

V6_AUDIT_SEARCH = Migration(sqlite="""
-- The quick filters of the Audit Log read one kind of event newest first: an event (the
-- index audit_event), or a failed logon with one reason, the start of its detail (this
-- index, of failed logons only, so that other rows cost nothing more to append. The
-- event column in it is what lets the query planner see that it serves such a query.)
CREATE INDEX audit_failure ON audit(event, detail, id) WHERE event = 'login_failed';
-- The text filter of the Audit Log: every three-character sequence of the searched
-- columns (store/audit.py), kept in step with the audit table by a trigger whoever
-- appends, and built here for the rows a store already holds. Only the index is kept
-- (the text stays in audit), without positions or sizes (detail=none, columnsize=0),
-- which is what a substring search checked with LIKE needs.
CREATE VIRTUAL TABLE audit_text USING fts5(
    user_id, event, actor, detail, program, host,
    content='audit', content_rowid='id', tokenize='trigram', detail=none, columnsize=0
);
CREATE TRIGGER audit_text_insert AFTER INSERT ON audit
BEGIN
    INSERT INTO audit_text(rowid, user_id, event, actor, detail, program, host)
    VALUES (new.id, new.user_id, new.event, new.actor, new.detail, new.program, new.host);
END;
INSERT INTO audit_text(audit_text) VALUES ('rebuild');
""", postgresql="""
-- The quick filters: as on SQLite, failed logons by reason. Without the event column:
-- PostgreSQL drops the condition the index is partial on, and could then only read the
-- whole index for a reason (checked by hand on PostgreSQL 15).
CREATE INDEX audit_failure ON audit(detail, id) WHERE event = 'login_failed';
-- The text filter: a trigram index (pg_trgm, a trusted extension) on the searched
-- columns joined, exactly as Dialect.searched_text writes them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX audit_text_trgm ON audit USING gin ((
    coalesce(user_id, '') || chr(31) || coalesce(event, '') || chr(31)
    || coalesce(actor, '') || chr(31) || coalesce(detail, '') || chr(31)
    || coalesce(program, '') || chr(31) || coalesce(host, '')
) gin_trgm_ops);
""")
"""Version 6: the Audit Log's filters read indexes, not a million rows (issue 11 item 7)."""

V7_CHANGES = Migration(postgresql="""
-- Did anyone else commit to the sealed tables since this program last found the digest
-- right? (SQLite: PRAGMA data_version.) One row, in the append-only schema: the
-- desktops' role may read it, never change it (its default INSERT is refused by the
-- key; every other right is taken back below).
CREATE TABLE tapemaster_audit.changes (
    id       integer PRIMARY KEY CHECK (id = 1),
    n        bigint NOT NULL,   -- transactions that changed a sealed table, ever
    prev     bigint NOT NULL,   -- n before transaction last_xid moved it
    last_xid bigint NOT NULL    -- the transaction that moved n last
);
INSERT INTO tapemaster_audit.changes VALUES (1, 0, 0, 0);
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
             WHERE table_schema = 'tapemaster_audit' AND table_name = 'changes'
               AND grantee <> current_user
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER '
                       'ON tapemaster_audit.changes FROM %I', r.grantee);
    END LOOP;
END $$;
-- Moved by the owner's own statement triggers, whoever changes a sealed table: the
-- desktops' role may neither drop, disable nor replace them (not the tables' owner),
-- nor skip them (session_replication_role is the superuser's).
CREATE FUNCTION tapemaster_audit.count_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    -- Once per transaction: its later statements find the row theirs and leave it (a
    -- row updated again and again in one transaction grows a chain each update walks:
    -- an import of 100,000 users would take hours).
    UPDATE tapemaster_audit.changes
       SET prev = n, n = n + 1, last_xid = txid_current()
     WHERE id = 1 AND last_xid <> txid_current();
    RETURN NULL;
END
$f$;
REVOKE ALL ON FUNCTION tapemaster_audit.count_change() FROM PUBLIC;
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION tapemaster_audit.count_change();
CREATE TRIGGER groups_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION tapemaster_audit.count_change();
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION tapemaster_audit.count_change();
CREATE TRIGGER recovery_codes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON recovery_codes FOR EACH STATEMENT EXECUTE FUNCTION tapemaster_audit.count_change();
""")
"""Version 7 (PostgreSQL only; nothing on SQLite): a change counter the owner's
statement triggers move, so that a program writing alone need not sum the digest over
every user at each write (``PostgreSQLDatabase.change_token``)."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(sqlite=SQLITE_V1, postgresql=POSTGRESQL_V1),
    V2,
    V3_RECOVERY_CODES,
    V4,
    Migration(portable=V5_SEAL_EVERYTHING, postgresql=V5_POSTGRESQL),
    V6_AUDIT_SEARCH,
    V7_CHANGES,
)


def schema_version() -> int:
    """The version this program writes: the number of migrations."""
    return len(MIGRATIONS)


def refuse_newer(version: int, location: str) -> None:
    """Raise when the store was written by a newer TapeMaster Qt (before touching it)."""
    if version > schema_version():
        raise StoreTooNewError(
            f"The user store {location} was written by a newer version of TapeMaster Qt "
            f"(store version {version}, this program knows up to {schema_version()}). "
            "Install the newer version; the store was left untouched."
        )


def migrate(db: Database, key_folder: KeyFolder) -> bool:
    """Bring the schema up to date; True when this call created the store.

    The database has been checked to be ours and not newer. A store holding data is
    backed up first (:meth:`Database.before_migrating`). Another program may migrate
    meanwhile: the version is read again inside the transaction.
    """
    if db.schema_version() >= schema_version():
        return False
    if db.schema_version() > 0:
        db.before_migrating(db.schema_version())
    with db.transaction():
        db.lock_for_migration()
        version = db.schema_version()
        for migration in MIGRATIONS[version:]:
            for statement in db.dialect.statements(migration.script(db)):
                db.execute(statement)
        created = version == 0
        if created:
            bootstrap(db, key_folder)
        db.set_schema_version(schema_version())
    if created:
        logger.info("Created a new user store at %s", db.location)
    return created


def bootstrap(db: Database, key_folder: KeyFolder) -> None:
    """What a new store starts with: its identity and key, the settings, the default
    group and the built-in superuser without a password (First Run sets it), all
    sealed, and the sealed head (generation 1, the digest of those rows, an empty audit
    chain)."""
    from tapemaster_qt.store import keys
    from tapemaster_qt.store.crypto import Sealer

    store_id = str(uuid.uuid4())
    key = keys.create_key(store_id, keys.key_folder(key_folder, store_id))
    sealer = Sealer(key.raw, store_id)
    now = utc_now()
    ledger = head.Ledger(head.Head(
        generation=0, seal_version=sealing.SEAL_VERSION, digest=sealing.Digest().text(),
        audit_id=0, audit_hash=sealing.CHAIN_START, audit_base_id=0,
        audit_base_hash=sealing.CHAIN_START), verify=lambda _digest: None)
    settings.insert_identity(db, sealer, ledger, store_id, sealer.key_check())
    settings.adopt_token(db)  # unsealed: which copy of the store this is
    for name, value in DEFAULT_SETTINGS.items():
        settings.put(db, sealer, ledger, name, value)
    groups.insert(db, sealer, ledger, DEFAULT_GROUP, "Default group", now)
    users.insert(db, sealer, ledger, NewUser(
        user_id=BUILTIN_USER, name="TapeMaster Administrator",
        description="Built-in superuser", group_id=None, role=0, admin_rights=True,
        tapemaster_rights=True, created=now,
    ))
    head.write(db, ledger.next_head(sealer))
