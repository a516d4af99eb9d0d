# shellcheck shell=bash
# test/scripts/setup.sh: everything the demo and the tests need, from a fresh Debian 12
# machine to a running throwaway PostgreSQL 15 cluster with ubehav installed.
#
#   source test/scripts/setup.sh     # in a script: set-up, exports PGHOST PGPORT PGUSER
#                                    # PGDATABASE, stops the cluster when that script exits
#   bash test/scripts/setup.sh       # by hand: set-up, leaves the cluster running and
#                                    # prints the exports to paste into your shell
#
# Steps (each is skipped when already done, so the script is idempotent):
#   1. apt-get install the missing packages (apt-get update only if something is missing);
#   2. make && make install the extension (PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config);
#   3. initdb a fresh cluster in /tmp/ubehav-pg-$PORT as the `postgres` OS user (the
#      server refuses to run as root), unix socket in that directory, no TCP listener,
#      fsync off; start it; create the database `ubehav`.
#
# Runs as root, or as a user with sudo (apt-get, make install and the cluster commands
# then go through sudo). Environment:
#   UBEHAV_PGPORT=55432        port of the throwaway cluster
#   UBEHAV_KEEP_CLUSTER=1      do not stop the cluster when the calling script exits
#   UBEHAV_ALLOW_BUILD_FAILURE=1  a failed build is reported in UBEHAV_BUILD_OK=0 instead
#                              of aborting (test_all.sh uses it to report every suite)
#   UBEHAV_SKIP_BUILD=1        do not run make / make install
#   UBEHAV_PG_BINDIR=DIR       server binaries to use (default the system PostgreSQL 15; give
#                              $UBEHAV_DEV_BIN with UBEHAV_SKIP_BUILD=1 to test a private copy)
# A script started by one that already ran this set-up (UBEHAV_SETUP_DONE=1 in its
# environment, cluster answering) only reuses the cluster and defines the helpers.

UBEHAV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UBEHAV_PG_BINDIR="${UBEHAV_PG_BINDIR:-/usr/lib/postgresql/15/bin}"   # a private copy (dev_env.sh) may be given
UBEHAV_PG_CONFIG="$UBEHAV_PG_BINDIR/pg_config"
UBEHAV_PGPORT="${UBEHAV_PGPORT:-55432}"
UBEHAV_PGDIR="${UBEHAV_PGDIR:-/tmp/ubehav-pg-$UBEHAV_PGPORT}"
UBEHAV_PGDATA="$UBEHAV_PGDIR/data"
UBEHAV_PACKAGES=(postgresql-15 postgresql-server-dev-15 libopenblas-dev postgresql-15-pgtap
                 libtap-parser-sourcehandler-pgtap-perl make gcc clang libclang-rt-14-dev
                 postgresql-15-cron python3-numpy postgresql-plpython3-15
                 debhelper dpkg-dev postgresql-server-dev-all git
                 python3-psycopg2 python3-pandas python3-matplotlib sqlsmith)
export UBEHAV_ROOT UBEHAV_PGPORT UBEHAV_PGDIR UBEHAV_PGDATA UBEHAV_PG_BINDIR
export PATH="$UBEHAV_PG_BINDIR:$PATH"

ubehav_log() { printf '[ubehav setup] %s\n' "$*" >&2; }

# Run a command as root (directly, or through sudo for a non-root caller).
ubehav_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@" || sudo "$@"; fi
}

# Run a command as the postgres OS user.
ubehav_as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"
    elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
    else sudo -u postgres "$@"; fi
}

ubehav_install_packages() {
    local missing=() p
    for p in "${UBEHAV_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        ubehav_log "packages: all present"
        return 0
    fi
    ubehav_log "packages: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    ubehav_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || return 1
    ubehav_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" </dev/null || return 1
}

ubehav_build() {
    local log="${TMPDIR:-/tmp}/ubehav-build.log" sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    ubehav_log "build: make && make install in $UBEHAV_ROOT (log: $log)"
    if make -C "$UBEHAV_ROOT" -j"$(nproc)" PG_CONFIG="$UBEHAV_PG_CONFIG" >"$log" 2>&1 &&
       "${sudo_cmd[@]}" make -C "$UBEHAV_ROOT" install PG_CONFIG="$UBEHAV_PG_CONFIG" >>"$log" 2>&1; then
        grep -E 'warning:|error:' "$log" >&2 || true
        return 0
    fi
    tail -n 40 "$log" >&2
    return 1
}

ubehav_cluster_running() {
    "$UBEHAV_PG_BINDIR/pg_isready" -q -h "$UBEHAV_PGDIR" -p "$UBEHAV_PGPORT" 2>/dev/null
}

ubehav_cluster_stop() {
    if [ -f "$UBEHAV_PGDATA/postmaster.pid" ]; then
        ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}

ubehav_cluster_restart() {
    ubehav_log "cluster: restarting"
    ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -l "$UBEHAV_PGDIR/server.log" \
        -m fast -w -t 60 restart >/dev/null
}

ubehav_cluster_create() {
    ubehav_cluster_stop
    ubehav_as_root rm -rf "$UBEHAV_PGDIR"
    ubehav_as_root mkdir -p "$UBEHAV_PGDIR"
    ubehav_as_root chown postgres:postgres "$UBEHAV_PGDIR"
    ubehav_as_root chmod 0755 "$UBEHAV_PGDIR"
    ubehav_log "cluster: initdb $UBEHAV_PGDATA (port $UBEHAV_PGPORT)"
    ubehav_as_postgres "$UBEHAV_PG_BINDIR/initdb" -D "$UBEHAV_PGDATA" -U postgres --auth=trust \
        -E UTF8 --locale=C --no-sync >"$UBEHAV_PGDIR/initdb.log" 2>&1 ||
        { cat "$UBEHAV_PGDIR/initdb.log" >&2; return 1; }
    ubehav_as_postgres tee -a "$UBEHAV_PGDATA/postgresql.conf" >/dev/null <<EOF

# ubehav throwaway test cluster
port = $UBEHAV_PGPORT
listen_addresses = ''
unix_socket_directories = '$UBEHAV_PGDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 30
lc_messages = 'C'
EOF
    ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -l "$UBEHAV_PGDIR/server.log" \
        -w -t 60 start >/dev/null ||
        { cat "$UBEHAV_PGDIR/server.log" >&2; return 1; }
    "$UBEHAV_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$UBEHAV_PGDIR" -p "$UBEHAV_PGPORT" \
        -U postgres -d postgres -c 'CREATE DATABASE ubehav' || return 1
    ubehav_log "cluster: running, socket $UBEHAV_PGDIR port $UBEHAV_PGPORT, log $UBEHAV_PGDIR/server.log"
}

ubehav_export_env() {
    export PGHOST="$UBEHAV_PGDIR" PGPORT="$UBEHAV_PGPORT" PGUSER=postgres PGDATABASE=ubehav
    unset PGPASSWORD PGSERVICE PGHOSTADDR
}

ubehav_setup() {
    ubehav_install_packages || { ubehav_log "package installation failed"; return 1; }
    UBEHAV_BUILD_OK=1
    if [ "${UBEHAV_SKIP_BUILD:-0}" != 1 ]; then
        if ! ubehav_build; then
            UBEHAV_BUILD_OK=0
            ubehav_log "build FAILED"
            [ "${UBEHAV_ALLOW_BUILD_FAILURE:-0}" = 1 ] || return 1
        fi
    fi
    export UBEHAV_BUILD_OK
    ubehav_cluster_create || { ubehav_log "cluster start failed"; return 1; }
    ubehav_export_env
    export UBEHAV_SETUP_DONE=1
}

if [ "${UBEHAV_SETUP_DONE:-0}" = 1 ] && ubehav_cluster_running; then
    # Started by a script that owns the cluster: reuse it, never stop it here.
    ubehav_export_env
else
    if [ "${BASH_SOURCE[0]}" = "$0" ]; then
        # Executed, not sourced: keep the cluster for the interactive user.
        set -euo pipefail
        ubehav_setup
        cat <<EOF
# The cluster keeps running. To use it:
export PATH="$UBEHAV_PG_BINDIR:\$PATH" PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE
# To stop it:
#   runuser -u postgres -- $UBEHAV_PG_BINDIR/pg_ctl -D $UBEHAV_PGDATA stop
EOF
        exit 0
    fi
    ubehav_setup || { ubehav_log "set-up failed"; return 1 2>/dev/null || exit 1; }
    if [ "${UBEHAV_KEEP_CLUSTER:-0}" != 1 ]; then
        trap ubehav_cluster_stop EXIT
    fi
fi
