#!/usr/bin/env bash
# t_faults.sh: faults during training and scoring lose nothing and store nothing partial.
#   1. statement_timeout stops a long training within a second of the deadline; no version stored
#   2. pg_cancel_backend stops a long training within a second; no version stored (also one that
#      streams its rows through a temporary file, which is removed)
#   3. kill -9 of a training backend: the server recovers, the catalog has no partial version
#   4. a server restart in the middle of a scoring query: that query fails, scores afterwards are identical
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PGDATABASE=ubehav_faults
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
failures=0
check() {  # check NAME CONDITION-EXIT-STATUS DETAIL
    if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi
}
now_ms() { date +%s%3N; }
# files of this run only: two runs at once (a developer's and test_all's) must not share them
tmp=$(mktemp -d /tmp/ubehav-faults.XXXXXX)

psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_faults' -c 'CREATE DATABASE ubehav_faults'
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.3);
CREATE TABLE big AS SELECT random() AS a, random() AS b, random() AS c, random() < 0.3 AS y FROM generate_series(1, 200000);
SELECT ubehav_train('m', 'SELECT a, b, c, y FROM big LIMIT 2000', 'y', '{"epochs": 2, "hidden": [8], "seed": 1}') IS NOT NULL;
CREATE TABLE before_faults AS SELECT a, b, c, ubehav_predict('m', big) AS p FROM big LIMIT 5000;
SQL
LONG='{"epochs": 100000, "early_stopping": false}'

# 1. statement_timeout of 2 s: the error must come before 3 s
start=$(now_ms)
out=$(q -c "SET statement_timeout = '2s'" -c "SELECT ubehav_train('slow', 'SELECT a, b, c, y FROM big', 'y', '$LONG')" 2>&1)
elapsed=$(( $(now_ms) - start ))
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'slow'")
[[ "$out" == *"statement timeout"* ]] && [ "$elapsed" -lt 3000 ] && [ "$stored" = 0 ]
check "statement_timeout stops training" $? "${elapsed} ms for a 2000 ms timeout, versions stored: $stored"

# 2. pg_cancel_backend 2 s into a training: the error must come within a second of the cancel
q -c "SELECT ubehav_train('cancelled', 'SELECT a, b, c, y FROM big', 'y', '$LONG')" > "$tmp/cancel.out" 2>&1 &
client=$!
sleep 2
pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%ubehav_train(''cancelled''%' AND pid <> pg_backend_pid()")
cancel_at=$(now_ms)
q -c "SELECT pg_cancel_backend($pid)" > /dev/null
wait $client
elapsed=$(( $(now_ms) - cancel_at ))
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'cancelled'")
grep -q "canceling statement due to user request" "$tmp/cancel.out" && [ "$elapsed" -lt 1000 ] && [ "$stored" = 0 ]
check "pg_cancel_backend stops training" $? "${elapsed} ms after the cancel, versions stored: $stored"

# 2b. the same for a training that streams its rows through a temporary file (19 MB of rows under
#     a 16 MB bound): stopped within a second, nothing stored, no temporary file left
WIDE="SELECT ARRAY[a, b, c, a*b, a*c, b*c, a+b, a+c, b+c, a-b, a-c, b-c, a*a, b*b, c*c, a*b*c, a/2, b/2, c/2, a+b+c, a*2, b*2, c*2, a*3] AS f, y FROM big"
q -c "SET ubehav.max_training_memory = '16MB'" -c "SELECT ubehav_train('cancelled_streamed', '$WIDE', 'y', '$LONG')" > "$tmp/cancel_streamed.out" 2>&1 &
client=$!
sleep 3
pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%ubehav_train(''cancelled_streamed''%' AND pid <> pg_backend_pid()")
cancel_at=$(now_ms)
q -c "SELECT pg_cancel_backend($pid)" > /dev/null
wait $client
elapsed=$(( $(now_ms) - cancel_at ))
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'cancelled_streamed'")
files=$(q -c "SELECT count(*) FROM pg_ls_tmpdir()")
grep -q "streaming it through a temporary file" "$tmp/cancel_streamed.out" &&
    grep -q "canceling statement due to user request" "$tmp/cancel_streamed.out" &&
    [ "$elapsed" -lt 1000 ] && [ "$stored" = 0 ] && [ "$files" = 0 ]
check "pg_cancel_backend stops a streamed training" $? "${elapsed} ms after the cancel, versions stored: $stored, temporary files left: $files"

# 3. kill -9 of the training backend: the postmaster recovers; nothing partial in the catalog
q -c "SELECT ubehav_train('killed', 'SELECT a, b, c, y FROM big', 'y', '$LONG')" > /dev/null 2>&1 &
client=$!
sleep 2
pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%ubehav_train(''killed''%' AND pid <> pg_backend_pid()")
kill -9 "$pid"
wait $client
for _ in $(seq 1 60); do pg_isready -q && q -c "SELECT 1" > /dev/null 2>&1 && break; sleep 0.5; done
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'killed'")
intact=$(q -c "SELECT count(*) FROM before_faults WHERE p = ubehav_predict('m', before_faults)")
[ "$stored" = 0 ] && [ "$intact" = 5000 ]
check "kill -9 of a training backend" $? "recovered; versions stored: $stored; earlier model scores intact: $intact/5000"

# 4. restart during a long scoring query: it fails cleanly, scores afterwards are identical
q -c "SELECT sum(ubehav_predict('m', b)) FROM big b, generate_series(1, 50)" > "$tmp/restart.out" 2>&1 &
client=$!
sleep 1
ubehav_cluster_restart
wait $client
scoring_status=$?
intact=$(q -c "SELECT count(*) FROM before_faults WHERE p = ubehav_predict('m', before_faults)")
[ "$scoring_status" -ne 0 ] && [ "$intact" = 5000 ]
check "restart in the middle of scoring" $? "interrupted query exit status $scoring_status; scores identical after restart: $intact/5000"

psql -X -q -d postgres -c 'DROP DATABASE ubehav_faults'
rm -rf "$tmp"
exit $failures
