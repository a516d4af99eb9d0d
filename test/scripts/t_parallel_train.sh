#!/usr/bin/env bash
# t_parallel_train.sh: faults of a parallel ubehav_train (issue 16.3), which pg_regress cannot
# stage because they need a second session:
#   1. a parallel worker terminated (pg_terminate_backend) in the middle of the epochs: its error
#      reaches the leader, the call fails cleanly, no parallel worker is left, nothing is stored,
#      and the same session trains in parallel again afterwards;
#   2. pg_cancel_backend of the leader during the epochs: the same, within a second.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PGDATABASE=ubehav_parallel_faults
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
failures=0
check() {  # check NAME CONDITION-EXIT-STATUS DETAIL
    if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d /tmp/ubehav-parallel.XXXXXX)
workers() { q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'"; }
# wait until a parallel worker of this database trains (at most 30 s); prints its pid
worker_pid() {
    local i pid
    for i in $(seq 300); do
        pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'parallel worker' AND datname = current_database() LIMIT 1")
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    return 1
}

psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_parallel_faults' -c 'CREATE DATABASE ubehav_parallel_faults'
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.3);
CREATE TABLE big AS SELECT random() AS a, random() AS b, random() AS c, random() < 0.3 AS y FROM generate_series(1, 200000);
SQL
LONG='{"epochs": 100000, "early_stopping": false}'
SETTINGS="SET ubehav.progress = 0; SET ubehav.parallel_workers = 1; SET max_parallel_workers = 8;"

# 1. a worker terminated mid-training
q -c "$SETTINGS" -c "SELECT ubehav_train('killed', 'SELECT a, b, c, y FROM big', 'y', '$LONG')" > "$tmp/killed.out" 2>&1 &
leader=$!
pid=$(worker_pid)
check "a parallel worker trains" $? "worker pid ${pid:-none}"
sleep 0.5
q -c "SELECT pg_terminate_backend($pid)" > /dev/null
wait $leader
rc=$?
out=$(cat "$tmp/killed.out")
left=$(workers)
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'killed'")
[ "$rc" -ne 0 ] && [[ "$out" == *"terminating background worker"* ]] && [[ "$out" == *"parallel worker"* ]]
check "the worker's error reaches the leader" $? "psql exit $rc: $(tr '\n' ' ' < "$tmp/killed.out")"
[ "$left" = 0 ] && [ "$stored" = 0 ]
check "no worker left, nothing stored" $? "workers left: $left, versions stored: $stored"
after=$(q -c "$SETTINGS" -c "SELECT ubehav_train('after', 'SELECT a, b, c, y FROM big', 'y', '{\"epochs\": 2, \"seed\": 1}')->'metrics'->'parallel'->>'participants'" 2>&1)
[ "$after" = 2 ]
check "the next parallel training works" $? "participants: $after"

# 2. the leader cancelled mid-training
q -c "$SETTINGS" -c "SELECT ubehav_train('cancelled', 'SELECT a, b, c, y FROM big', 'y', '$LONG')" > "$tmp/cancelled.out" 2>&1 &
leader=$!
worker_pid > /dev/null
sleep 0.5
start=$(date +%s%3N)
q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%ubehav_train(''cancelled''%' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" > /dev/null
wait $leader
elapsed=$(( $(date +%s%3N) - start ))
left=$(workers)
stored=$(q -c "SELECT count(*) FROM ubehav_models WHERE name = 'cancelled'")
grep -q "canceling statement due to user request" "$tmp/cancelled.out" && [ "$elapsed" -lt 1000 ] && [ "$left" = 0 ] && [ "$stored" = 0 ]
check "pg_cancel_backend stops a parallel training" $? "${elapsed} ms, workers left: $left, versions stored: $stored"

rm -rf "$tmp"
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_parallel_faults'
[ "$failures" -eq 0 ] && echo "ok - parallel training faults" || echo "not ok - $failures parallel training fault checks failed"
exit $((failures > 0))
