#!/bin/sh
# First start of the compose PostgreSQL (docker-entrypoint-initdb.d, run once, on an empty volume,
# as the cluster's superuser, which nothing of the vault ever uses afterwards):
#   vault_owner   owns the database and its schema; the one-shot `migrate` service logs in as it.
#                 No superuser, no CREATEROLE, no CREATEDB.
#   mynumber_app  the service's login role: owns nothing; the migrations grant it what it needs.
# See docs/security.md "Database roles".
set -eu
: "${VAULT_DB_OWNER_PASSWORD:?}" "${VAULT_DB_APP_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$VAULT_DB_OWNER_PASSWORD" -v app_password="$VAULT_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE vault_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE mynumber_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
CREATE DATABASE mynumber_vault OWNER vault_owner;
REVOKE ALL ON DATABASE mynumber_vault FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE mynumber_vault TO mynumber_app;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname mynumber_vault <<'SQL'
ALTER SCHEMA public OWNER TO vault_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
