-- confide on PostgreSQL: the two roles and the two databases (docs/deploy.md, "PostgreSQL").
--
-- Run once, as a PostgreSQL superuser, with psql:
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/confide-db-setup.sql
--
-- It creates:
--   confide_owner  owns both databases and every table in them; only migrations
--                  (`confide db upgrade`, `confide init`, `confide serve` at start) use it.
--   confide_app    the role every node connects as. It owns nothing, is not a superuser and
--                  has no BYPASSRLS, so row-level security always applies to it. The
--                  migrations grant it the table privileges it needs (and no more).
--   confide        the content database (CONFIDE_DATABASE_URL, CONFIDE_DATABASE_OWNER_URL).
--   confide_keys   the key store: per-user data keys wrapped by the master key
--                  (CONFIDE_KEY_STORE_URL, CONFIDE_KEY_STORE_OWNER_URL). It may live on
--                  another server; then run the key-store half of this file there.
--
-- No password is set here: a password in a statement can end up in the server log
-- (log_statement) and in psql's history. Afterwards set them interactively, which sends only
-- a SCRAM hash:
--
--   sudo -u postgres psql -c '\password confide_owner'
--   sudo -u postgres psql -c '\password confide_app'
--
-- or use client-certificate authentication in pg_hba.conf instead of passwords.

CREATE ROLE confide_owner LOGIN
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;

CREATE ROLE confide_app LOGIN
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;

CREATE DATABASE confide OWNER confide_owner ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE confide_keys OWNER confide_owner ENCODING 'UTF8' TEMPLATE template0;

-- Only the two roles may connect; by default every role may connect to a new database.
REVOKE ALL ON DATABASE confide FROM PUBLIC;
REVOKE ALL ON DATABASE confide_keys FROM PUBLIC;
GRANT CONNECT ON DATABASE confide TO confide_app;
GRANT CONNECT ON DATABASE confide_keys TO confide_app;

-- In each database the owner role owns schema public (so its migrations can create tables and
-- grant the app role USAGE on it), and nobody else may create anything there: an object the
-- app role created would be its own. PostgreSQL 15 and later already behave like this; older
-- versions let PUBLIC create in schema public.
\connect confide
ALTER SCHEMA public OWNER TO confide_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
\connect confide_keys
ALTER SCHEMA public OWNER TO confide_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
