#!/usr/bin/env bash
# valgrind_regress.sh: the pg_regress suite with every server process under valgrind memcheck.
# Slow (minutes), so not part of the test command; run it by hand after changes to the C code:
#
#   bash test/scripts/valgrind_regress.sh
#
# Debian's PostgreSQL is not built with USE_VALGRIND and ships no suppressions file:
# test/valgrind/postgresql.supp suppresses the server's own known and harmless reports (struct
# padding written to the relcache init file and to WAL), never a frame in ubehav.so. The run passes
# when pg_regress passes and valgrind reports no error at all. JIT is off: it is PostgreSQL's LLVM
# code, not ubehav's, it takes minutes per query under valgrind, and glibc's dlopen of llvmjit.so
# gives a known false report (strncmp in dl-load.c reading a whole word of a short string). pg_regress writes its results under
# the log directory, so a run does not disturb make installcheck in the same tree.
# Logs: /tmp/ubehav-valgrind-PORT/*.log (one per process), installcheck.out, regress/.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
export UBEHAV_PGPORT="${UBEHAV_PGPORT:-55470}" UBEHAV_KEEP_CLUSTER=1
# shellcheck source=setup.sh
source test/scripts/setup.sh
ubehav_cluster_stop
logs=/tmp/ubehav-valgrind-$UBEHAV_PGPORT
rm -rf "$logs" && mkdir -p "$logs" && chown postgres "$logs"
ubehav_as_postgres bash -c "valgrind --trace-children=yes --track-origins=no --leak-check=no \
    --error-limit=no --num-callers=30 --log-file=$logs/%p.log \
    --suppressions=$PWD/test/valgrind/postgresql.supp \
    $UBEHAV_PG_BINDIR/postgres -D $UBEHAV_PGDATA -p $UBEHAV_PGPORT -k $UBEHAV_PGDIR \
    -c listen_addresses='' -c fsync=off -c jit=off > $logs/server.out 2>&1 &"
for _ in $(seq 1 120); do pg_isready -q -h "$UBEHAV_PGDIR" -p "$UBEHAV_PGPORT" && break; sleep 1; done
# UBEHAV_VALGRIND_TESTS="fn_api fn_hostile_inputs" runs those files only (the whole suite takes about an hour)
subset=()
if [ -n "${UBEHAV_VALGRIND_TESTS:-}" ]; then subset=(REGRESS="$UBEHAV_VALGRIND_TESTS"); fi
make installcheck PG_CONFIG="$UBEHAV_PG_CONFIG" "${subset[@]}" \
    REGRESS_OPTS="--inputdir=. --load-extension=ubehav --outputdir=$logs/regress" > "$logs/installcheck.out" 2>&1
regress=$?
ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$UBEHAV_PGDATA" -m fast -w -t 300 stop > /dev/null
ours=$(grep -l "ubehav.so" "$logs"/*.log 2>/dev/null | wc -l)
errors=$(grep -h "ERROR SUMMARY" "$logs"/*.log 2>/dev/null | awk '{s += $4} END {print s + 0}')
grep -E "^test |tests" "$logs/installcheck.out"
echo "valgrind: $(ls "$logs"/*.log | wc -l) processes, $errors errors in all, $ours logs with a frame in ubehav.so"
if [ "$errors" -gt 0 ]; then
    echo "first reports:"
    grep -h -A12 -E "^==[0-9]+== [A-Z][a-z].*(uninitialised|Invalid|Conditional|Mismatched|overlap|Source and)" "$logs"/*.log | head -60
fi
[ "$regress" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$ours" -eq 0 ]
