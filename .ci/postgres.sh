#!/bin/sh
# Make a PostgreSQL database for the server tests and print the shell line that exports its URL:
#   eval "$(.ci/postgres.sh)"    # sets KIOSK_TEST_POSTGRES_URL
# Run as root on Debian/Ubuntu. Installs postgresql when it is missing, starts
# the cluster, creates (or resets the password of) a role and its database.
# Everything but that line goes to stderr. Idempotent.
set -eu

ROLE="${KIOSK_PG_ROLE:-kiosk_test}"
DATABASE="${KIOSK_PG_DATABASE:-kiosk_test}"
PASSWORD="${KIOSK_PG_PASSWORD:-kiosk_test}"

log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "run me as root (I may install and start PostgreSQL)"
    exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# The newest installed major version, and its cluster (create one if there is none).
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if command -v pg_lsclusters >/dev/null 2>&1; then
    if ! pg_lsclusters -h | awk '{print $1}' | grep -qx "$VERSION"; then
        log "creating cluster $VERSION/main"
        pg_createcluster "$VERSION" main >&2
    fi
    CLUSTER="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v {print $2; exit}')"
    PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v {print $3; exit}')"
    STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v {print $4; exit}')"
    if [ "$STATUS" != "online" ]; then
        log "starting cluster $VERSION/$CLUSTER"
        pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 || service postgresql start >&2
    fi
else
    PORT=5432
    service postgresql start >&2
fi

# Wait until it accepts connections (a fresh start takes a moment).
tries=0
until su postgres -c "psql -p $PORT -qtAc 'SELECT 1'" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
        log "PostgreSQL did not come up on port $PORT"
        exit 1
    fi
    sleep 1
done

psql_admin() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -qtA $*"; }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")" = "1" ]; then
    psql_admin "-c \"ALTER ROLE $ROLE WITH LOGIN PASSWORD '$PASSWORD'\"" >&2
else
    log "creating role $ROLE"
    psql_admin "-c \"CREATE ROLE $ROLE WITH LOGIN PASSWORD '$PASSWORD'\"" >&2
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"")" != "1" ]; then
    log "creating database $DATABASE"
    psql_admin "-c \"CREATE DATABASE $DATABASE OWNER $ROLE\"" >&2
fi

echo "export KIOSK_TEST_POSTGRES_URL='postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE'"
