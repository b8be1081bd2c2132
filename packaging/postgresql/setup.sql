-- TapeMaster Qt: the database and the two roles of a site's shared PostgreSQL store.
--
-- Run it once, as a PostgreSQL superuser, with psql 15 or newer:
--
--     psql -v ON_ERROR_STOP=1 -f setup.sql "host=db.example.com user=postgres dbname=postgres sslmode=verify-full"
--
-- then give both roles a password with psql's \password (it sends only a hash, so the
-- password reaches neither the server's log nor the shell's history):
--
--     \password tapemaster_owner
--     \password tapemaster_app
--
-- The README ("A site's shared PostgreSQL store") has the whole procedure. Other names:
-- -v db=NAME -v owner=ROLE -v app=ROLE. Roles belong to the whole server, so running the
-- file again with another -v db=NAME adds a second database (a test store, say) for the
-- same roles; running it again on an existing database repairs its grants.
--
-- What the roles may do:
--   owner  owns the database and its two schemas: `tapemaster-admin init` and upgrades
--          connect as it (they create and change tables). Desktops never use it.
--   app    every desktop connects as it: reads and writes the tables in schema
--          tapemaster, and may only read and append to those in schema tapemaster_audit
--          (the audit log): no UPDATE, DELETE or TRUNCATE there, and no DDL anywhere.

\if :{?db}
\else
\set db tapemaster
\endif
\if :{?owner}
\else
\set owner tapemaster_owner
\endif
\if :{?app}
\else
\set app tapemaster_app
\endif

-- The roles: created when missing, and stripped of any power they should not have.
SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"app" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- A desktop that could SET ROLE to the owner could rewrite the audit log.
SELECT format('DO $$BEGIN RAISE EXCEPTION USING MESSAGE = %L; END$$',
              format('role %s is a member of role %s: REVOKE %I FROM %I, then run this again',
                     :'app', :'owner', :'owner', :'app'))
 WHERE pg_has_role(:'app', :'owner', 'MEMBER') \gexec

-- The database: UTF-8 with the C locale (byte-order sorting, ASCII-only case folding,
-- as the embedded SQLite store has); only the app role may connect besides the owner.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L LOCALE %L TEMPLATE template0',
              :'db', :'owner', 'UTF8', 'C')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('DO $$BEGIN RAISE EXCEPTION USING MESSAGE = %L; END$$',
              format('database %s exists and belongs to role %s, not %s',
                     :'db', datdba::regrole, :'owner'))
  FROM pg_database WHERE datname = :'db' AND datdba <> (SELECT oid FROM pg_roles WHERE rolname = :'owner') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
ALTER DATABASE :"db" SET search_path = tapemaster, tapemaster_audit;

\connect :"db"

-- Nobody but the owner creates anything in this database; schema public stays empty.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS tapemaster AUTHORIZATION :"owner";
CREATE SCHEMA IF NOT EXISTS tapemaster_audit AUTHORIZATION :"owner";
REVOKE ALL ON SCHEMA tapemaster, tapemaster_audit FROM PUBLIC;
GRANT USAGE ON SCHEMA tapemaster, tapemaster_audit TO :"app";

-- Tables and sequences the owner creates later (every migration) get these grants by
-- themselves; the GRANTs and REVOKEs after them fix those that already exist.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA tapemaster
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA tapemaster
    GRANT USAGE ON SEQUENCES TO :"app";
-- The audit log: read and append, never change or remove.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA tapemaster_audit
    GRANT SELECT, INSERT ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA tapemaster_audit
    GRANT USAGE ON SEQUENCES TO :"app";

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA tapemaster TO :"app";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA tapemaster, tapemaster_audit TO :"app";
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA tapemaster_audit TO :"app";
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA tapemaster_audit
    FROM PUBLIC, :"app";
-- The store's schema version is the owner's to change (tapemaster-admin init and
-- upgrade); the grant on all tables above gave it back to the app role.
SELECT format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON tapemaster.schema_version FROM %I',
              :'app')
 WHERE to_regclass('tapemaster.schema_version') IS NOT NULL \gexec
