"""Schema migrations, keyed on ``PRAGMA user_version``.

``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``. Each runs inside one
transaction together with the version bump, so a crash leaves the old version intact.
Never edit a released migration: add a new one.
"""

from __future__ import annotations

APPLICATION_ID = 0x544D5154  # "TMQT": tells our stores from other SQLite files

V1 = """
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

MIGRATIONS: tuple[str, ...] = (V1,)
SCHEMA_VERSION = len(MIGRATIONS)
