#!/usr/bin/env bash
# bench/parallel_train.sh: ubehav_train on one core beside the parallel training, on the same rows
# in one run, alternately ROUNDS times; prints each run's call time, the epochs' time, the
# validation AUC, and the ratios. Connects with the PG* environment (for example after
# `source test/scripts/dev_env.sh NAME PORT`), in database BENCH_DB (default postgres).
#
#   bash bench/parallel_train.sh               # 1,200,000 rows, 10 epochs, 1 worker, 2 rounds
#   ROWS=2000000 EPOCHS=5 WORKERS=3 ROUNDS=3 bash bench/parallel_train.sh
#
# The rows are bench/data.sql's bench_perf generator (10 uniform features, an interaction, a
# threshold and a sine) at ROWS rows, made once into bench_parallel. The load (uptime) is printed
# before and after: on a shared machine the ratio is only as good as the quiet it ran in.
set -euo pipefail
ROWS=${ROWS:-1200000}
EPOCHS=${EPOCHS:-10}
WORKERS=${WORKERS:-1}
ROUNDS=${ROUNDS:-2}
DB=${BENCH_DB:-postgres}
OPTIONS=${OPTIONS:-"{\"epochs\": $EPOCHS, \"seed\": 7}"}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

q -c "CREATE EXTENSION IF NOT EXISTS ubehav" 2>/dev/null
have=$(q -c "SELECT count(*) FROM pg_class WHERE relname = 'bench_parallel' AND relkind = 'r'")
if [ "$have" = 0 ] || [ "$(q -c "SELECT count(*) FROM bench_parallel")" != "$ROWS" ]; then
    echo "making bench_parallel ($ROWS rows)"
    q <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_parallel;
SELECT setseed(0.42);
CREATE TABLE bench_parallel AS
SELECT i AS id, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(), random(), random()] AS f
FROM generate_series(1, $ROWS) i;
ALTER TABLE bench_parallel ADD COLUMN y boolean;
UPDATE bench_parallel SET y = (f[1] - 0.5) * (f[2] - 0.5) * 4 + 0.6 * (f[3] - 0.5) + 0.3 * sin(6 * f[4]) + 0.25 * (random() - 0.5) > 0;
VACUUM ANALYZE bench_parallel;
SQL
fi

echo "cpus $(nproc); load before: $(uptime)"
echo "options $OPTIONS; rows $ROWS"
# one run: workers -> "call_ms epochs_ms auc participants"
run() {
    q -v workers="$1" -v opts="$OPTIONS" <<'SQL'
SET ubehav.progress = 0;
SET ubehav.parallel_workers = :workers;
SET max_parallel_workers = 8;
\set start `date +%s%N`
SELECT ubehav_train('bench_parallel_' || :workers, 'SELECT f, y FROM bench_parallel', 'y', :'opts') AS s \gset
\set stop `date +%s%N`
SELECT round((:stop - :start) / 1e6), round((SELECT sum((e->>'ms')::float8) FROM jsonb_array_elements(training_log) e)),
       metrics->>'auc', coalesce(metrics->'parallel'->>'participants', '1')
FROM ubehav_models WHERE name = 'bench_parallel_' || :workers ORDER BY version DESC LIMIT 1;
SQL
}

tot_ratio=0
for i in $(seq "$ROUNDS"); do
    IFS='|' read -r s_call s_epochs s_auc s_p <<<"$(run 0)"
    IFS='|' read -r p_call p_epochs p_auc p_p <<<"$(run "$WORKERS")"
    echo "round $i one core:          call ${s_call} ms, epochs ${s_epochs} ms, val AUC $s_auc (participants $s_p)"
    echo "round $i $WORKERS worker(s)+leader: call ${p_call} ms, epochs ${p_epochs} ms, val AUC $p_auc (participants $p_p)"
    awk -v sc="$s_call" -v pc="$p_call" -v se="$s_epochs" -v pe="$p_epochs" -v sa="$s_auc" -v pa="$p_auc" -v i="$i" \
        'BEGIN { printf "round %d speed-up: call %.2fx, epochs %.2fx; AUC difference %+.4f\n", i, sc / pc, se / pe, pa - sa }'
done
echo "load after: $(uptime)"
