#!/usr/bin/env bash
# t_progress.sh: ubehav_stat_progress, watched from a second session during real trainings.
#   1. on the test cluster, without shared_preload_libraries: the view has one row saying it is
#      not enabled, and training works as before;
#   2. on a cluster of its own with shared_preload_libraries = 'ubehav': while ubehav_train runs
#      in one session, another polls the view and sees the training's pid and model, the reading
#      phase (its query sleeps first) and the training phase, epochs counting up to their total,
#      rows done, the loss and the validation metric, and elapsed time growing; the row is gone
#      when the training ends, and when a training is cancelled; another role sees the row but
#      not the model or figures unless it is in pg_read_all_stats;
#   3. ubehav_tune reports its trial, ubehav_cross_validate its fold, a group_by training its group.
# UBEHAV_PROGRESS_PORT (default 55624).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
# shellcheck source=setup.sh
source test/scripts/setup.sh
bin="$UBEHAV_PG_BINDIR"
port="${UBEHAV_PROGRESS_PORT:-55624}"
failures=0
check() { if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi; }

# ---- 1. not enabled ----
export PGDATABASE=ubehav_progress
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_progress' -c 'CREATE DATABASE ubehav_progress' || exit 1
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION ubehav" \
      -c "SELECT count(*) || ' ' || max(phase) FROM ubehav_stat_progress" \
      -c "CREATE TABLE t AS SELECT random() AS a, random() < 0.5 AS y FROM generate_series(1, 200)" \
      -c "SELECT ubehav_train('p', 'SELECT a, y FROM t', 'y', '{\"epochs\": 1}')->>'version'" 2>&1 | sed '/^SELECT/d')
psql -X -q -d postgres -c 'DROP DATABASE ubehav_progress'
[ "$(echo "$out" | sed -n 1p)" = "1 not enabled: add ubehav to shared_preload_libraries and restart" ] &&
    [ "$(echo "$out" | sed -n 2p)" = 1 ]
check "without shared_preload_libraries the view says so and training works" $? "$(echo "$out" | tr '\n' ' ')"

# ---- 2. a cluster with ubehav preloaded ----
dir=$(mktemp -d /tmp/ubehav-progress.XXXX)
chown postgres "$dir"
as_pg() { ubehav_as_postgres "$@"; }
as_pg "$bin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C --no-sync >/dev/null || exit 1
cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
shared_preload_libraries = 'ubehav'
lc_messages = 'C'
CONF
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null || { cat "$dir/server.log"; exit 1; }
cleanup() { as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }
q >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.1);
CREATE TABLE t AS
SELECT a, b, (ARRAY['north', 'south'])[1 + (i % 2)] AS region, a + b + random() * 0.5 > 1.2 AS y
FROM (SELECT i, random() AS a, random() AS b FROM generate_series(1, 40000) i) g;
SQL

# watch LABEL SQL: run SQL in the background, poll the view every 0.1 s until it ends
watch() {
    local label=$1 sql=$2 pid
    : > "$dir/$label.poll"
    q -c "SET client_min_messages = warning" -c "SET application_name = 'ubehav-$label'" -c "$sql" > "$dir/$label.out" 2>&1 &
    pid=$!
    while kill -0 $pid 2>/dev/null; do
        q -F '|' -c "SELECT s.pid = a.pid, function, model, phase, epoch, epochs, rows_done, rows_total,
                            loss IS NOT NULL, val_metric, val_value IS NOT NULL, trial, trials, fold, folds,
                            group_value, group_number, groups, extract(epoch FROM elapsed)
                     FROM ubehav_stat_progress s LEFT JOIN pg_stat_activity a ON a.application_name = 'ubehav-$label'" \
            >> "$dir/$label.poll" 2>/dev/null
        sleep 0.1
    done
    wait $pid
}
field() { cut -d'|' -f"$2" "$dir/$1.poll"; }

watch train "SELECT ubehav_train('watched', 'SELECT a, b, y FROM t, pg_sleep(1)', 'y',
                                 '{\"epochs\": 40, \"hidden\": [128, 64], \"early_stopping\": false, \"seed\": 1}')->>'version'"
status=$?
polls=$(wc -l < "$dir/train.poll")
phases=$(field train 4 | sort -u | tr '\n' ' ')
check "ubehav_train finished" $status "$(cat "$dir/train.out" | tr '\n' ' ')"
[ "$(field train 1 | sort -u)" = t ] && [ "$(field train 3 | sort -u)" = watched ] && [ "$(field train 2 | sort -u)" = ubehav_train ]
check "the rows are the training backend's, with its function and model" $? "$polls polls"
grep -q reading <<<"$phases" && grep -q training <<<"$phases"
check "phases reading and training seen" $? "$phases"
epochs=$(grep '|training|' "$dir/train.poll" | cut -d'|' -f5 | sort -n | uniq | tr '\n' ' ')
total=$(grep '|training|' "$dir/train.poll" | cut -d'|' -f6 | sort -u)
[ "$total" = 40 ] && [ "$(wc -w <<<"$epochs")" -ge 3 ] && [ "$(grep '|training|' "$dir/train.poll" | cut -d'|' -f5 | sort -n | tail -n 1)" -gt 20 ]
check "epoch of epochs counts up" $? "epochs seen: $epochs of $total"
rows=$(grep '|training|' "$dir/train.poll" | awk -F'|' '$7 > 0 && $7 <= $8 && $8 == 32000' | wc -l)
[ "$rows" -gt 0 ]
check "rows done of the training rows" $? "$rows polls with 0 < rows_done <= rows_total = 32000"
metric=$(grep '|training|' "$dir/train.poll" | awk -F'|' '$5 > 1 && $9 == "t" && $10 == "val_auc" && $11 == "t"' | wc -l)
[ "$metric" -gt 0 ]
check "loss and validation metric after the first epoch" $? "$metric polls with loss, val_auc"
e_first=$(field train 19 | head -n 1); e_last=$(field train 19 | tail -n 1)
awk -v a="$e_first" -v b="$e_last" 'BEGIN { exit !(b > a && b > 1) }'
check "elapsed time grows" $? "${e_first}s -> ${e_last}s"
left=$(q -c "SELECT count(*) FROM ubehav_stat_progress")
[ "$left" = 0 ]
check "no row once the training has ended" $? "$left rows"

# a cancelled training leaves no row behind
q -c "SET application_name = 'ubehav-cancel'" \
  -c "SELECT ubehav_train('cancelled', 'SELECT a, b, y FROM t', 'y', '{\"epochs\": 1000, \"early_stopping\": false}')" \
  > "$dir/cancel.out" 2>&1 &
cpid=$!
for _ in $(seq 1 50); do [ "$(q -c "SELECT count(*) FROM ubehav_stat_progress WHERE phase = 'training'")" = 1 ] && break; sleep 0.1; done
# a role that is neither the trainer nor in pg_read_all_stats sees the row, not the model or figures
q -c "DROP ROLE IF EXISTS ubehav_watcher" -c "CREATE ROLE ubehav_watcher LOGIN" >/dev/null
stranger=$(q -U ubehav_watcher -c "SELECT (phase IN ('training', 'validating')) || ' ' || (model IS NULL AND epoch IS NULL AND loss IS NULL AND rows_done IS NULL)
                                   FROM ubehav_stat_progress" 2>&1)
q -c "GRANT pg_read_all_stats TO ubehav_watcher" >/dev/null
reader=$(q -U ubehav_watcher -c "SELECT model FROM ubehav_stat_progress" 2>&1)
[ "$stranger" = "true true" ] && [ "$reader" = cancelled ]
check "another role sees pid and phase only, pg_read_all_stats sees the model" $? "stranger: $stranger; pg_read_all_stats: $reader"
q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'ubehav-cancel'" >/dev/null
wait $cpid
left=$(q -c "SELECT count(*) FROM ubehav_stat_progress")
grep -q 'canceling statement' "$dir/cancel.out" && [ "$left" = 0 ]
check "a cancelled training leaves no row" $? "$(head -n 1 "$dir/cancel.out"); $left rows"

# ---- 3. trials, folds, groups ----
watch tune "SELECT ubehav_tune('tuned', 'SELECT a, b, y FROM t', 'y',
                               '{\"grid\": {\"learning_rate\": [0.001, 0.002, 0.003, 0.004]},
                                 \"options\": {\"epochs\": 8, \"hidden\": [64, 32], \"early_stopping\": false}}') IS NOT NULL"
trials=$(grep '^t|ubehav_tune|tuned|' "$dir/tune.poll" | cut -d'|' -f12,13 | sort -u | tr '\n' ' ')
grep -q '|4 ' <<<"$trials " && [ "$(wc -w <<<"$trials")" -ge 2 ]
check "ubehav_tune reports trial of trials" $? "trials seen: $trials; $(tr '\n' ' ' < "$dir/tune.out")"
watch cv "SELECT count(*) FROM ubehav_cross_validate('SELECT a, b, y FROM t', 'y',
                                   '{\"epochs\": 8, \"hidden\": [64, 32], \"early_stopping\": false}', 4)"
folds=$(grep '^t|ubehav_cross_validate||' "$dir/cv.poll" | cut -d'|' -f14,15 | sort -u | tr '\n' ' ')
grep -q '|4 ' <<<"$folds " && [ "$(wc -w <<<"$folds")" -ge 2 ]
check "ubehav_cross_validate reports fold of folds" $? "folds seen: $folds; $(tr '\n' ' ' < "$dir/cv.out")"
watch groups "SELECT ubehav_train('grouped', 'SELECT region, a, b, y FROM t', 'y',
                                  '{\"group_by\": \"region\", \"epochs\": 15, \"hidden\": [64, 32], \"early_stopping\": false}')->>'version'"
groups=$(grep '^t|ubehav_train|grouped|' "$dir/groups.poll" | cut -d'|' -f16,17,18 | sort -u | tr '\n' ' ')
grep -q 'north|1|2' <<<"$groups" && grep -q 'south|2|2' <<<"$groups"
check "a group_by training reports its group" $? "groups seen: $groups; $(tr '\n' ' ' < "$dir/groups.out")"

[ $failures -eq 0 ] || { tail -n 20 "$dir/server.log"; exit 1; }
echo "ok - training progress is visible from another session"
