#!/usr/bin/env bash
# t_progress.sh: training reports its progress in NOTICEs, one line per epoch in Keras' spirit
# ("epoch i/n - ms - loss - val_loss - val_metric"), at most about one a second at verbose 1 but
# always the first and last epoch and the early stopping, every epoch at verbose 2, none at
# verbose 0, ubehav.progress = 0 or client_min_messages = warning; tuning and cross-validation
# name the trial and the fold. The lines hold timings, so they are checked here on psql's output
# rather than in a pg_regress expected file.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
fails=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fails=$((fails + 1)); }
run() { psql -X -q -At -v ON_ERROR_STOP=1 2>&1 <<SQL
SET client_min_messages = notice;
SET ubehav.progress = 1;
$1
SQL
}
psql -X -q -v ON_ERROR_STOP=1 <<'SQL' > /dev/null
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS progress CASCADE;
CREATE EXTENSION IF NOT EXISTS ubehav;
CREATE SCHEMA progress;
SELECT setseed(0.3);
CREATE TABLE progress.v AS SELECT i AS id, random() AS a, random() AS b FROM generate_series(1, 2000) i;
ALTER TABLE progress.v ADD COLUMN y boolean;
UPDATE progress.v SET y = a * b > 0.25;
SQL
line='^NOTICE:  epoch [0-9]+/[0-9]+ - [0-9.]+ ms - loss: [0-9.]+ - val_loss: [0-9.]+ - val_auc: [0-9.]+$'
train="SELECT ubehav_train('progress_m', 'SELECT a, b, y FROM progress.v', 'y'"

out=$(run "$train, '{\"epochs\": 20, \"hidden\": [8], \"ensemble\": 1, \"early_stopping\": false}')->>'epochs_run';")
n=$(grep -cE "$line" <<<"$out")
if grep -qE '^NOTICE:  epoch 1/20 ' <<<"$out" && grep -qE '^NOTICE:  epoch 20/20 ' <<<"$out" && [ "$n" -ge 2 ] && [ "$n" -le 4 ]; then
    ok "verbose 1 (the default): the first and the last of 20 fast epochs, $n lines in Keras' format"
else nok "verbose 1: expected epoch 1/20 and 20/20 lines, 2 to 4 in all: $out"; fi

out=$(run "$train, '{\"epochs\": 5, \"hidden\": [8], \"ensemble\": 1, \"verbose\": 2}')->>'epochs_run';")
n=$(grep -cE "$line" <<<"$out")
[ "$n" = 5 ] && ok "verbose 2: one line for each of 5 epochs" || nok "verbose 2: $n lines: $out"

out=$(run "$train, '{\"epochs\": 5, \"hidden\": [8], \"verbose\": 0}')->>'epochs_run';")
grep -q NOTICE <<<"$out" && nok "verbose 0 printed: $out" || ok "verbose 0: no NOTICE"

out=$(run "SET ubehav.progress = 0; $train, '{\"epochs\": 5, \"hidden\": [8]}')->>'epochs_run';")
grep -q NOTICE <<<"$out" && nok "ubehav.progress = 0 printed: $out" || ok "SET ubehav.progress = 0: no NOTICE"

out=$(run "SET client_min_messages = warning; $train, '{\"epochs\": 5, \"hidden\": [8]}')->>'epochs_run';")
grep -q NOTICE <<<"$out" && nok "client_min_messages = warning printed: $out" || ok "client_min_messages = warning: no NOTICE"

# slower epochs (about 2 s in all): about one line a second between the first and the last
out=$(run "CREATE TEMP TABLE big AS SELECT i AS id, random() AS a, random() AS b, random() AS c FROM generate_series(1, 40000) i;
           SELECT round((ubehav_train('progress_m', 'SELECT a, b, c, a * b + 0.3 * c > 0.4 AS y FROM big', 'y',
                  '{\"epochs\": 40, \"hidden\": [128, 64], \"ensemble\": 1, \"early_stopping\": false}')->>'training_ms')::numeric);")
n=$(grep -cE "$line" <<<"$out")
ms=$(grep -E '^[0-9]+$' <<<"$out" | tail -1)
most=$(( 2 + ${ms:-0} / 1000 + 1 ))
if [ -n "$ms" ] && [ "$n" -le "$most" ] && { [ "$ms" -lt 1500 ] || [ "$n" -ge 3 ]; }; then
    ok "rate: 40 epochs in $ms ms gave $n lines (at most $most: the first, the last and about one a second)"
else nok "rate: $n lines in ${ms:-?} ms: $out"; fi

# early stopping: said in a NOTICE and in the summary
out=$(run "SELECT s->>'epochs_requested', s->>'epochs_run', s->>'best_epoch', s->>'stopped_early'
           FROM ${train#SELECT }, '{\"epochs\": 40, \"hidden\": [16], \"ensemble\": 1, \"patience\": 1, \"learning_rate\": 0.05}') s;")
stop=$(grep -oE '^NOTICE:  early stopping after epoch [0-9]+ of 40: validation loss did not improve for 1 epoch; restored the best epoch [0-9]+ \(val_loss [0-9.]+\)$' <<<"$out")
sum=$(grep -E '^40\|' <<<"$out")
ran=$(sed -E 's/.*after epoch ([0-9]+) of.*best epoch ([0-9]+) .*/\1|\2/' <<<"$stop")
if [ -n "$stop" ] && [ "$sum" = "40|$ran|true" ]; then
    ok "early stopping: NOTICE \"${stop#NOTICE:  }\", summary epochs_requested|epochs_run|best_epoch|stopped_early = $sum"
else nok "early stopping: NOTICE [$stop], summary [$sum]: $out"; fi

# ensemble of 4: the first line, each network's early stopping, the last network's last epoch
out=$(run "$train, '{\"epochs\": 10, \"hidden\": [32, 16], \"ensemble\": 4, \"early_stopping\": false}')->>'epochs_run';")
if grep -qE '^NOTICE:  network 1/4, epoch 1/10 ' <<<"$out" && grep -qE '^NOTICE:  network 4/4, epoch 10/10 ' <<<"$out" &&
   [ "$(grep -c NOTICE <<<"$out")" -le 4 ]; then
    ok "ensemble of 4: network 1/4's first epoch and network 4/4's last, $(grep -c NOTICE <<<"$out") lines"
else nok "ensemble: $out"; fi

# tuning names the trial, cross-validation the fold, group_by the group
out=$(run "SELECT ubehav_tune('progress_t', 'SELECT a, b, y FROM progress.v', 'y',
           '{\"grid\": {\"hidden\": [[4], [8]]}, \"options\": {\"epochs\": 3, \"ensemble\": 1}}')->>'trials';")
[ "$(grep -cE '^NOTICE:  trial [12]/2, epoch [13]/3 - ' <<<"$out")" = 4 ] && ok "ubehav_tune: first and last epoch of trial 1/2 and 2/2" ||
    nok "tune: $out"
out=$(run "SELECT count(*) FROM ubehav_cross_validate('SELECT a, b, y FROM progress.v', 'y', '{\"epochs\": 3, \"hidden\": [8], \"ensemble\": 1}', 3);")
[ "$(grep -cE '^NOTICE:  fold [123]/3, epoch [13]/3 - ' <<<"$out")" = 6 ] && ok "ubehav_cross_validate: first and last epoch of each of 3 folds" ||
    nok "cross-validation: $out"
out=$(run "SELECT ubehav_train('progress_g', 'SELECT a, b, y, id % 50 AS seg FROM progress.v', 'y',
           '{\"epochs\": 3, \"hidden\": [4], \"group_by\": \"seg\", \"min_group_rows\": 5}')->>'version';")
n=$(grep -c NOTICE <<<"$out")
if grep -qE "^NOTICE:  group '0', epoch 1/3 - " <<<"$out" && [ "$n" -le 3 ]; then
    ok "group_by of 50 fast groups: $n line(s) at about one a second, naming the group"
else nok "group_by: $n lines: $out"; fi

psql -X -q -c 'SET client_min_messages = warning' -c 'DROP SCHEMA progress CASCADE' \
    -c "SELECT ubehav_drop_model(m) FROM (SELECT DISTINCT name FROM ubehav_models WHERE name LIKE 'progress\_%') m(m)" > /dev/null
[ "$fails" = 0 ] && { echo "ok - training progress NOTICEs"; exit 0; }
echo "not ok - $fails progress check(s) failed"; exit 1
