#!/usr/bin/env bash
# compare_scoring.sh REF [ROUNDS]: the per-row scoring queries of bench/run.sh with ubehav.so built from git REF (old) and
# from this tree (new), swapped into one private installation and run alternately ROUNDS times (default 3).
# Needs a private cluster: `source test/scripts/dev_env.sh NAME PORT` first (this script installs into it).
# Each query runs in a fresh backend once to warm up, then REPS times (default 3); printed per row: the backend's
# CPU time (utime + stime, the least of the REPS runs) and the wall time of that run. On a shared machine the
# wall time is mostly the wait for a core; the CPU time is what the query costs. Only runs of one invocation
# are compared with each other. Data: bench/data.sql in database BENCH_DB (default ubehav_bench_scoring),
# created once and reused, with the models 'bench' and 'bench_cols' trained as bench/run.sh trains them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ref=${1:?usage: bench/compare_scoring.sh REF [ROUNDS]}
rounds=${2:-3}
reps=${REPS:-3}
db=${BENCH_DB:-ubehav_bench_scoring}
: "${UBEHAV_DEV_ROOT:?source test/scripts/dev_env.sh NAME PORT first}"
libdir="$UBEHAV_DEV_ROOT$("$UBEHAV_PG_CONFIG" --pkglibdir)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git archive "$ref" | tar -x -C "$tmp"
make -s -C "$tmp" PG_CONFIG="$UBEHAV_PG_CONFIG" >/dev/null
make -s PG_CONFIG="$UBEHAV_PG_CONFIG" >/dev/null
make -s PG_CONFIG="$UBEHAV_PG_CONFIG" install DESTDIR="$UBEHAV_DEV_ROOT" >/dev/null
cp "$tmp/ubehav.so" "$tmp/old.so"
cp ubehav.so "$tmp/new.so"

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
if [ -z "$(q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    q -d postgres -c "CREATE DATABASE $db"
    q -d "$db" -f bench/data.sql
    q -d "$db" -c "CREATE EXTENSION ubehav"
    q -d "$db" -c "SELECT ubehav_train('bench', 'SELECT f, y FROM bench_perf WHERE id % 5 <> 0', 'y', '{\"seed\": 1, \"epochs\": 10, \"validation_split\": 0, \"early_stopping\": false}') IS NOT NULL" >/dev/null
    q -d "$db" -c "SELECT ubehav_train('bench_cols', 'SELECT f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, (f1 > 0.5) AS y FROM bench_score WHERE id <= 20000', 'y', '{\"epochs\": 1}') IS NOT NULL" >/dev/null
    q -d "$db" -c "VACUUM ANALYZE bench_score"
fi

# only functions both builds have: REF may predate the removal of ubehav_score, this tree has not got it
names=(bare_scan predict_array predict_row)
sqls=("SELECT sum(array_length(f, 1)) FROM bench_score"
      "SELECT sum(ubehav_predict('bench', f)) FROM bench_score"
      "SELECT sum(ubehav_predict('bench_cols', s)) FROM bench_score s")
rows=$(q -d "$db" -c "SELECT count(*) FROM bench_score")
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now_ns() { date +%s%N; }

for r in $(seq "$rounds"); do
    for build in old new; do
        cp "$tmp/$build.so" "$libdir/ubehav.so.tmp" && mv "$libdir/ubehav.so.tmp" "$libdir/ubehav.so"
        coproc PSQL { psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 2>&1; }
        psql_pid=$PSQL_PID
        echo "SET jit = off; SET max_parallel_workers_per_gather = 0; SELECT pg_backend_pid();" >&"${PSQL[1]}"
        read -r pid <&"${PSQL[0]}"
        for k in "${!names[@]}"; do
            best=-1
            for rep in $(seq 0 "$reps"); do
                c0=$(cpu_ticks "$pid"); t0=$(now_ns)
                echo "${sqls[$k]};" >&"${PSQL[1]}"
                read -r result <&"${PSQL[0]}"
                c1=$(cpu_ticks "$pid"); t1=$(now_ns)
                if [ "$rep" -gt 0 ] && { [ "$best" -lt 0 ] || [ $((c1 - c0)) -lt "$best" ]; }; then
                    best=$((c1 - c0)); wall=$((t1 - t0))
                fi
            done
            awk -v r="$r" -v b="$build" -v n="${names[$k]}" -v c="$best" -v w="$wall" -v t="$ticks" -v rows="$rows" -v res="$result" \
                'BEGIN { printf "round %d %s %-14s cpu %.3f us/row  wall %.3f us/row  (%s)\n", r, b, n, c / t * 1e6 / rows, w / 1e3 / rows, res }'
        done
        echo '\q' >&"${PSQL[1]}"
        wait "$psql_pid" 2>/dev/null || true
    done
done
cp "$tmp/new.so" "$libdir/ubehav.so.tmp" && mv "$libdir/ubehav.so.tmp" "$libdir/ubehav.so"
