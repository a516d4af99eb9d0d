#!/usr/bin/env bash
# test/scripts/demo.sh: the ubehav demo, from a fresh Debian 12 machine (as root).
#
#   bash test/scripts/demo.sh
#
# Installs what is missing, builds and installs the extension, starts a throwaway
# PostgreSQL 15 cluster (see setup.sh), runs test/scripts/demo.sql and prints its output.
# UBEHAV_DEMO_USERS=5000 changes the number of generated users (default 20000);
# UBEHAV_KEEP_CLUSTER=1 leaves the cluster running to explore the `shop` schema.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
echo
echo "ubehav demo on $(psql -X -At -c 'SHOW server_version'), database $PGDATABASE"
# from stdin rather than -f: psql then prints NOTICEs without a "psql:file:line:" prefix
psql -X -v ON_ERROR_STOP=1 -v users="${UBEHAV_DEMO_USERS:-20000}" < test/scripts/demo.sql
if [ "${UBEHAV_KEEP_CLUSTER:-0}" = 1 ]; then
    echo
    echo "Cluster left running. Connect with:"
    echo "  $UBEHAV_PG_BINDIR/psql -h $PGHOST -p $PGPORT -U $PGUSER $PGDATABASE"
fi
