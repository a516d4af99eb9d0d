#!/usr/bin/env bash
# bench/quality.sh: the quality of ubehav's default options beside scikit-learn, on real tables.
#
#   bash bench/quality.sh                 # as root on a Debian 12 machine, like the README's commands
#   UBEHAV_QUALITY_DATA=DIR bash bench/quality.sh   # the tables (default ../shared/data)
#   UBEHAV_QUALITY_USE_ENV=1 bash bench/quality.sh  # use the server of PGHOST/PGPORT/PGUSER/PGDATABASE
#                                                   # (e.g. test/scripts/dev_env.sh) instead of a new one
#
# Every table of the data directory (../shared/data/README.md: CSV, header row, NA for missing)
# plus two generated ones is split by row number in file order from 0: row % 5 = 0 is the test set,
# the rest training. ubehav trains with default options (only the seed set) on the training rows;
# scikit-learn's MLP (128-64, Adam, batch 32, 10 epochs), logistic regression and
# HistGradientBoosting train on the same rows, numbers standardised and text one-hot encoded, as
# the data README describes. Each runs with seeds 1, 2, 3. It prints test ROC AUC, log loss and
# training time side by side. It is a benchmark, not a test: nothing fails on a figure.
# The reviews (fine_foods, free text) wait for text features and are listed as such.
# Results: bench/out-quality/results.jsonl and the printed table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=/usr/bin/python3
DATA="${UBEHAV_QUALITY_DATA:-../shared/data}"
OUT=bench/out-quality
if ! $PY -c "import sklearn" 2>/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-sklearn >/dev/null
fi
if [ "${UBEHAV_QUALITY_USE_ENV:-0}" != 1 ]; then
    export UBEHAV_PGPORT="${UBEHAV_QUALITY_PORT:-55451}"
    # shellcheck source=../test/scripts/setup.sh
    source test/scripts/setup.sh
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
rm -rf "$OUT"
mkdir -p "$OUT"
chmod 777 "$OUT"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS ubehav"

echo "== tables" >&2
: > "$OUT/tables.txt"
$PY bench/quality.py tables "$DATA" > "$OUT/tables.txt"
while read -r name csv target positive; do
    $PY bench/quality.py sql "$name" "$csv" "$target" "$positive" | q -c "SET client_min_messages = warning" -f -
done < "$OUT/tables.txt"

# generated: behaviour sessions (text, booleans, NULLs, a heavy-tailed price; bench/data.sql's
# generator, 20,000 rows) and a nonlinear rule on 10 uniform features (bench_perf's, 10,000 rows)
q <<'SQL'
SET client_min_messages = warning;
SELECT setseed(0.42);
DROP TABLE IF EXISTS q_gen_sessions, q_gen_nonlinear;
CREATE TABLE q_gen_sessions AS
WITH base AS (
    SELECT g - 1 AS rn,
           CASE WHEN random() < 0.55 THEN 'mobile' WHEN random() < 0.75 THEN 'desktop' ELSE 'tablet' END AS device,
           (ARRAY['organic', 'paid_search', 'social', 'email', 'direct'])[1 + floor(random() * 5)::int] AS channel,
           random() < 0.35 AS returning_visitor,
           1 + floor(-ln(1 - random()) * 5)::int AS pages_viewed,
           random() AS r_duration, random() AS r_cart, random() AS r_discount, random() AS r_price
    FROM generate_series(1, 20000) g
), behaviour AS (
    SELECT rn, device, channel, returning_visitor, pages_viewed,
           CASE WHEN r_duration < 0.03 THEN NULL ELSE round((pages_viewed * (15 + 70 * r_duration))::numeric, 1)::float8 END AS duration_s,
           CASE WHEN r_cart < 0.05 + 0.03 * least(pages_viewed, 15) THEN 1 + floor(r_cart * 40)::int % 3 ELSE 0 END AS cart_adds,
           CASE WHEN r_discount < 0.08 THEN NULL ELSE (ARRAY[0, 0, 0, 5, 10, 20, 30])[1 + floor(r_discount * 7)::int]::float8 END AS discount_pct,
           round(exp(3.4 + 1.6 * r_price)::numeric, 2)::float8 AS avg_price
    FROM base
)
SELECT b.*,
       random() < 1 / (1 + exp(-(
           -3.0
           + CASE WHEN cart_adds > 0 AND (coalesce(duration_s, 0) > 240 OR returning_visitor) THEN 3.4
                  WHEN cart_adds > 0 THEN 1.0 ELSE 0 END
           + CASE WHEN coalesce(discount_pct, 0) >= 20 AND avg_price > 80 THEN 1.8
                  WHEN coalesce(discount_pct, 0) >= 20 THEN -0.8 ELSE 0 END
           + CASE WHEN duration_s > 900 THEN -1.5 ELSE 0 END
           + CASE device WHEN 'desktop' THEN 0.4 WHEN 'mobile' THEN -0.5 ELSE 0 END
           + CASE channel WHEN 'email' THEN 0.7 WHEN 'social' THEN -0.5 ELSE 0 END
           + 0.04 * least(pages_viewed, 25)))) AS y
FROM behaviour b;
CREATE TABLE q_gen_nonlinear AS
SELECT i - 1 AS rn, random() AS f1, random() AS f2, random() AS f3, random() AS f4, random() AS f5,
       random() AS f6, random() AS f7, random() AS f8, random() AS f9, random() AS f10
FROM generate_series(1, 10000) i;
ALTER TABLE q_gen_nonlinear ADD COLUMN y boolean;
UPDATE q_gen_nonlinear SET y = (f1 - 0.5) * (f2 - 0.5) * 4 + 0.6 * (f3 - 0.5) + 0.3 * sin(6 * f4) + 0.25 * (random() - 0.5) > 0;
SQL
for g in gen_sessions gen_nonlinear; do
    q -c "\copy (SELECT * FROM q_$g ORDER BY rn) TO '$OUT/$g.csv' CSV HEADER NULL 'NA'"
    # the peers read the CSV without its row number column
    $PY - "$OUT/$g.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
with open(sys.argv[1], "w", newline="") as f:
    csv.writer(f).writerows([r[1:] for r in rows])
PY
    echo "$g $OUT/$g.csv y t" >> "$OUT/tables.txt"
done

echo "== ubehav defaults" >&2
: > "$OUT/results.jsonl"
while read -r name csv target positive; do
    cols=$(q -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                 WHERE attrelid = 'q_$name'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'rn'")
    for seed in 1 2 3; do
        q -c "SET client_min_messages = warning" -c "
            WITH t AS (SELECT ubehav_train('quality_$name', 'SELECT $cols FROM q_$name WHERE rn % 5 <> 0', 'y',
                                           jsonb_build_object('seed', $seed)) AS s)
            SELECT jsonb_build_object('table', '$name', 'system', 'ubehav defaults', 'seed', $seed,
                                      'seconds', (s->>'training_ms')::float8 / 1000) FROM t" > "$OUT/train.json"
        q -c "SELECT (SELECT j FROM (SELECT '$(cat "$OUT/train.json")'::jsonb AS j) x)
                     || jsonb_build_object('auc', ubehav_auc(p, y), 'log_loss', ubehav_log_loss(p, y))
              FROM (SELECT ubehav_predict('quality_$name', q) AS p, y FROM q_$name q WHERE rn % 5 = 0) s" >> "$OUT/results.jsonl"
    done
done < "$OUT/tables.txt"

echo "== scikit-learn" >&2
while read -r name csv target positive; do
    $PY bench/quality.py peers "$name" "$csv" "$target" "$positive" >> "$OUT/results.jsonl"
done < "$OUT/tables.txt"
for f in "$DATA"/fine_foods_train.csv; do
    [ -f "$f" ] && echo '{"table": "fine_foods", "system": "ubehav defaults", "seed": 1, "note": "review text: no text support yet"}' >> "$OUT/results.jsonl"
done

$PY bench/quality.py report "$OUT/results.jsonl"
