#!/usr/bin/env bash
# bench/text.sh: review text as features (issue 15 part 2), ubehav beside scikit-learn in one run.
#
#   source test/scripts/dev_env.sh NAME PORT && bash bench/text.sh   # any server PGHOST/PGPORT/PGUSER reach
#   UBEHAV_TEXT_DATA=DIR bash bench/text.sh                        # the CSVs (default ../shared/data)
#
# Loads fine_foods_train.csv / fine_foods_test.csv (product, review, score 'great'/'other') into
# the database PGDATABASE (default text_bench, created), trains ubehav with its defaults, only the
# text column declared ({"text_columns": ["review"]}), on the training file with seeds 1, 2, 3,
# on review alone and on review + product, and reports test ROC AUC from ubehav_evaluate beside
# scikit-learn's TF-IDF + logistic regression (bench/text_peers.py, python3-sklearn) on the same
# files. Then the cost of the sparse input: training time and scoring time per row at text_slots
# 2048 and 32768 (same words, 16 times the inputs). A benchmark: nothing fails on a figure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA="$(realpath "${UBEHAV_TEXT_DATA:-../shared/data}")"
DB="${PGDATABASE:-text_bench}"
PY=/usr/bin/python3
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
q() { PGOPTIONS="-c ubehav.progress=0 -c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
q -c "CREATE EXTENSION ubehav"
q <<SQL
CREATE TABLE ff_train (product text, review text, score text);
CREATE TABLE ff_test (product text, review text, score text);
\copy ff_train FROM '$DATA/fine_foods_train.csv' CSV HEADER
\copy ff_test FROM '$DATA/fine_foods_test.csv' CSV HEADER
SQL
echo "fine_foods: $(q -c 'SELECT count(*) FROM ff_train') training rows, $(q -c 'SELECT count(*) FROM ff_test') test rows"
printf '%-62s %8s %10s\n' "model (test ROC AUC)" "auc" "train_s"
for cols in "review" "review, product"; do
    for seed in 1 2 3; do
        row=$(q -F ' ' <<SQL
SELECT (s->>'training_ms')::float8 / 1000 FROM (SELECT ubehav_train('ff', 'SELECT $cols, score = ''great'' AS great FROM ff_train', 'great',
       '{"text_columns": ["review"], "seed": $seed}') AS s) t;
SELECT ubehav_evaluate('ff', 'SELECT $cols, score = ''great'' AS great FROM ff_test')->>'auc';
SQL
)
        secs=$(echo "$row" | sed -n 1p)
        auc=$(echo "$row" | sed -n 2p)
        printf '%-62s %8.4f %10.2f\n' "ubehav defaults, text_columns [review], $cols, seed $seed" "$auc" "$secs"
    done
done
$PY bench/text_peers.py "$DATA" | $PY -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print("%-62s %8.4f %10.2f" % (r["name"], r["auc"], r["fit_s"]))'

echo
echo "cost of the sparse first layer: same reviews, 16 times the inputs"
printf '%-12s %10s %10s %14s %12s\n' text_slots inputs train_s "ms/epoch" "score_us/row"
q <<'SQL'
CREATE FUNCTION score_us(model text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; n bigint;
BEGIN
    PERFORM ubehav_predict(model, r) FROM ff_test r LIMIT 1;   -- loads the model once
    t0 := clock_timestamp();
    SELECT count(ubehav_predict(model, r)) INTO n FROM ff_test r, generate_series(1, 5);
    RETURN 1e6 * extract(epoch FROM clock_timestamp() - t0) / n;
END $$;
SQL
for slots in 2048 32768; do
    q -F ' ' <<SQL | paste -sd' ' | while read -r inputs secs ms us; do printf '%-12s %10s %10.2f %14.1f %12.1f\n' "$slots" "$inputs" "$secs" "$ms" "$us"; done
SELECT s->>'inputs', (s->>'training_ms')::float8 / 1000
FROM (SELECT ubehav_train('ff_cost_$slots', 'SELECT review, score = ''great'' AS great FROM ff_train', 'great',
       '{"text_columns": ["review"], "text_slots": $slots, "seed": 1, "epochs": 5, "early_stopping": false, "ensemble": 1}') AS s) t;
SELECT avg((e->>'ms')::float8) FROM ubehav_models m, jsonb_array_elements(m.training_log) e WHERE m.name = 'ff_cost_$slots';
SELECT score_us('ff_cost_$slots');
SQL
done
