#!/usr/bin/env bash
# Provide a real TimescaleDB (PostgreSQL 17 + the timescaledb extension) on 127.0.0.1:5433
# without Docker: a Debian stable root built once with mmdebstrap, cached, and a server
# started inside it with chroot. Idempotent: if the port already answers, it does nothing.
#
# Why a chroot: CI machines have no Docker engine, and the host's Debian 12 ships
# PostgreSQL 15 without TimescaleDB. The chroot shares the host's network namespace, so
# the server is reachable on loopback like any other local service.
set -euo pipefail

ROOT=${VEILLE_TIMESCALE_ROOT:-/var/cache/veille/timescale-root}
PORT=${VEILLE_TIMESCALE_PORT:-5433}
MIRROR=${VEILLE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PG_MAJOR=17
MARKER="$ROOT/.veille-root-complete"
# Paths below are inside the chroot.
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
DATA=/var/lib/veille-timescale/data
SOCK=/var/lib/veille-timescale/sock
LOG=/var/lib/veille-timescale/server.log
READY_TIMEOUT_S=60

log() { printf 'timescaledb.sh: %s\n' "$*" >&2; }

in_root() { chroot "$ROOT" "$@"; }
as_postgres() { chroot --userspec=postgres:postgres "$ROOT" "$@"; }

answers() {
    [[ -f "$MARKER" ]] && in_root "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"
}

build_root() {
    # Build into a sibling directory and rename, so an interrupted build never leaves a
    # half-populated root that a later run would mistake for a good one.
    local tmp="$ROOT.partial"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$ROOT")"
    log "building $ROOT with mmdebstrap (once; cached afterwards)"
    mmdebstrap --quiet --variant=apt \
        --include="postgresql-$PG_MAJOR,postgresql-$PG_MAJOR-timescaledb" \
        stable "$tmp" "$MIRROR"
    rm -rf "$ROOT"
    mv "$tmp" "$ROOT"
    touch "$MARKER"
}

ensure_dev() {
    # initdb and postgres write to /dev/null; mmdebstrap normally creates the node, but a
    # root copied by tools that skip device files would lack it.
    if [[ ! -c "$ROOT/dev/null" ]]; then
        rm -f "$ROOT/dev/null"
        mknod -m 666 "$ROOT/dev/null" c 1 3
    fi
}

init_cluster() {
    in_root install -d -o postgres -g postgres -m 755 "$(dirname "$DATA")"
    in_root install -d -o postgres -g postgres -m 700 "$DATA"
    in_root install -d -o postgres -g postgres -m 755 "$SOCK"
    if [[ -f "$ROOT$DATA/PG_VERSION" ]]; then
        return
    fi
    log "initdb into $DATA"
    as_postgres "$PGBIN/initdb" --pgdata="$DATA" --username=postgres \
        --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    # mmap dynamic shared memory avoids needing /dev/shm in the chroot.
    cat >>"$ROOT$DATA/postgresql.conf" <<EOF

# --- written by scripts/timescaledb.sh ---
shared_preload_libraries = 'timescaledb'
dynamic_shared_memory_type = mmap
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
timescaledb.telemetry_level = off
fsync = off
EOF
}

start_server() {
    # A stale pid file from a killed server (e.g. a rebooted CI runner) would stop pg_ctl.
    if [[ -f "$ROOT$DATA/postmaster.pid" ]] && ! as_postgres "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null; then
        rm -f "$ROOT$DATA/postmaster.pid"
    fi
    log "starting PostgreSQL $PG_MAJOR + TimescaleDB on 127.0.0.1:$PORT"
    as_postgres "$PGBIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t "$READY_TIMEOUT_S" >/dev/null
    local deadline=$((SECONDS + READY_TIMEOUT_S))
    until answers; do
        if ((SECONDS >= deadline)); then
            log "server did not become ready; log follows"
            cat "$ROOT$LOG" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

verify() {
    # In a rolled-back transaction, so checking leaves no extension behind in `postgres`.
    local out
    out=$(as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -XAtq \
        -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
CREATE EXTENSION IF NOT EXISTS timescaledb;
SELECT current_setting('server_version'), extversion, current_setting('timescaledb.license')
  FROM pg_extension WHERE extname = 'timescaledb';
ROLLBACK;
SQL
    )
    log "ready: postgres|timescaledb|licence = $out"
}

main() {
    if answers; then
        log "127.0.0.1:$PORT already answers; nothing to do"
        return
    fi
    [[ -f "$MARKER" ]] || build_root
    ensure_dev
    init_cluster
    start_server
    verify
}

main "$@"
