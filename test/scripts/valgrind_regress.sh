#!/usr/bin/env bash
# valgrind_regress.sh: the pg_regress suite with every server process under valgrind memcheck.
# Slow (minutes), so not part of the test command; run it by hand after changes to the C code:
#
#   bash test/scripts/valgrind_regress.sh
#
# Debian's PostgreSQL is not built with USE_VALGRIND and ships no suppressions file, so errors
# inside the server itself (uninitialised padding written to sockets and WAL, known and harmless)
# are reported too; the check counts only errors with a frame in ubehav.so, and passes when there
# are none. Logs: /tmp/ubehav-valgrind-PORT/*.log
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
export UBEHAV_PGPORT="${UBEHAV_PGPORT:-55470}" UBEHAV_KEEP_CLUSTER=1
# shellcheck source=setup.sh
source test/scripts/setup.sh
ubehav_cluster_stop
logs=/tmp/ubehav-valgrind-$UBEHAV_PGPORT
rm -rf "$logs" && mkdir -p "$logs" && chown postgres "$logs"
ubehav_as_postgres bash -c "valgrind --quiet --trace-children=yes --track-origins=no --leak-check=no \
    --error-limit=no --num-callers=30 --log-file=$logs/%p.log \
    $UBEHAV_PG_BINDIR/postgres -D $UBEHAV_PGDATA -p $UBEHAV_PGPORT -k $UBEHAV_PGDIR \
    -c listen_addresses='' -c fsync=off > $logs/server.out 2>&1 &"
for _ in $(seq 1 120); do pg_isready -q -h "$UBEHAV_PGDIR" -p "$UBEHAV_PGPORT" && break; sleep 1; done
make installcheck PG_CONFIG="$UBEHAV_PG_CONFIG" > "$logs/installcheck.out" 2>&1
regress=$?
ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -m fast -w -t 300 stop > /dev/null
ours=$(grep -l "ubehav.so" "$logs"/*.log 2>/dev/null | wc -l)
errors=$(grep -h "ERROR SUMMARY" "$logs"/*.log 2>/dev/null | awk '{s += $4} END {print s + 0}')
grep -E "^test |tests" "$logs/installcheck.out"
echo "valgrind: $(ls "$logs"/*.log | wc -l) processes, $errors errors in all, $ours logs with a frame in ubehav.so"
[ "$regress" -eq 0 ] && [ "$ours" -eq 0 ]
