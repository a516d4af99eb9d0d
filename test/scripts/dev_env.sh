# shellcheck shell=bash
# test/scripts/dev_env.sh: a private PostgreSQL installation and cluster for one developer or
# helper, so that several people can build, install and test on one machine without loading
# each other's half-finished ubehav.so. PostgreSQL is relocatable: a copy of the server tree
# finds its libraries and extensions relative to its own binaries.
#
#   source test/scripts/dev_env.sh NAME PORT   # from the top of a work tree
#   ubehav_dev_install                         # make && make install into the private tree
#   psql -c 'CREATE EXTENSION ubehav'          # PGHOST/PGPORT/PGUSER point at the cluster
#   make installcheck PG_CONFIG=$UBEHAV_PG_CONFIG
#   ubehav_dev_stop                            # when done
#
# The copy lives in /opt/pg-NAME, the cluster in /tmp/pg-NAME (created once, reused).

UBEHAV_DEV_NAME="${1:?usage: source test/scripts/dev_env.sh NAME PORT}"
UBEHAV_DEV_PORT="${2:?usage: source test/scripts/dev_env.sh NAME PORT}"
UBEHAV_DEV_ROOT="/opt/pg-$UBEHAV_DEV_NAME"
UBEHAV_DEV_BIN="$UBEHAV_DEV_ROOT/usr/lib/postgresql/15/bin"
UBEHAV_DEV_DIR="/tmp/pg-$UBEHAV_DEV_NAME"
UBEHAV_PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export UBEHAV_DEV_NAME UBEHAV_DEV_PORT UBEHAV_DEV_ROOT UBEHAV_DEV_BIN UBEHAV_DEV_DIR UBEHAV_PG_CONFIG

if [ ! -x "$UBEHAV_DEV_BIN/postgres" ]; then
    mkdir -p "$UBEHAV_DEV_ROOT/usr/lib/postgresql" "$UBEHAV_DEV_ROOT/usr/share/postgresql"
    cp -a /usr/lib/postgresql/15 "$UBEHAV_DEV_ROOT/usr/lib/postgresql/"
    cp -a /usr/share/postgresql/15 "$UBEHAV_DEV_ROOT/usr/share/postgresql/"
fi

ubehav_dev_install() {
    make -s PG_CONFIG="$UBEHAV_PG_CONFIG" && make -s PG_CONFIG="$UBEHAV_PG_CONFIG" install DESTDIR="$UBEHAV_DEV_ROOT"
}

ubehav_dev_start() {
    if [ ! -d "$UBEHAV_DEV_DIR/data" ]; then
        mkdir -p "$UBEHAV_DEV_DIR" && chown postgres "$UBEHAV_DEV_DIR"
        runuser -u postgres -- "$UBEHAV_DEV_BIN/initdb" -D "$UBEHAV_DEV_DIR/data" -A trust >/dev/null
    fi
    runuser -u postgres -- "$UBEHAV_DEV_BIN/pg_ctl" -D "$UBEHAV_DEV_DIR/data" -w -l "$UBEHAV_DEV_DIR/log" \
        -o "-p $UBEHAV_DEV_PORT -k $UBEHAV_DEV_DIR -c listen_addresses='' -c fsync=off" start >/dev/null
}

ubehav_dev_restart() {
    runuser -u postgres -- "$UBEHAV_DEV_BIN/pg_ctl" -D "$UBEHAV_DEV_DIR/data" -w -m fast restart >/dev/null
}

ubehav_dev_stop() {
    runuser -u postgres -- "$UBEHAV_DEV_BIN/pg_ctl" -D "$UBEHAV_DEV_DIR/data" -w -m fast stop >/dev/null
}

export PGHOST="$UBEHAV_DEV_DIR" PGPORT="$UBEHAV_DEV_PORT" PGUSER=postgres
runuser -u postgres -- "$UBEHAV_DEV_BIN/pg_ctl" -D "$UBEHAV_DEV_DIR/data" status >/dev/null 2>&1 || ubehav_dev_start
