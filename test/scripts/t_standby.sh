#!/usr/bin/env bash
# t_standby.sh: scoring on a hot standby. A primary and a streaming replica made with
# pg_basebackup, both on unix sockets of their own; a model trained on the primary scores the
# same on the standby after replay, and a retrain on the primary is used there after replay.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
bin="${UBEHAV_STANDBY_BINDIR:-$UBEHAV_PG_BINDIR}"
primary_port=55490
standby_port=55491
dir=$(mktemp -d /tmp/ubehav-standby.XXXX)
chown postgres "$dir"
as_pg() { ubehav_as_postgres "$@"; }
as_pg "$bin/initdb" -D "$dir/primary" -A trust > /dev/null
cat >> "$dir/primary/postgresql.conf" <<CONF
listen_addresses = ''
fsync = off
wal_level = replica
max_wal_senders = 4
CONF
echo "local replication all trust" >> "$dir/primary/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir/primary" -o "-p $primary_port -k $dir" -l "$dir/primary.log" -w start > /dev/null
cleanup() {
    for node in standby primary; do as_pg "$bin/pg_ctl" -D "$dir/$node" -m immediate -w stop > /dev/null 2>&1; done
    rm -rf "$dir"
}
trap cleanup EXIT
p() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p $primary_port -U postgres -d postgres "$@"; }
s() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p $standby_port -U postgres -d postgres "$@"; }
wait_replay() {
    local lsn
    lsn=$(p -c "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 100); do
        [ "$(s -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ] && return 0
        sleep 0.2
    done
    return 1
}

p <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.7);
CREATE TABLE visits AS SELECT random() AS a, random() AS b, random() < 0.4 AS y FROM generate_series(1, 1000);
SELECT ubehav_train('replicated', 'SELECT a, b, y FROM visits', 'y', '{"epochs": 2, "hidden": [4], "seed": 1}') IS NOT NULL;
SQL
as_pg "$bin/pg_basebackup" -h "$dir" -p $primary_port -U postgres -D "$dir/standby" -R -X stream > /dev/null
as_pg "$bin/pg_ctl" -D "$dir/standby" -o "-p $standby_port -k $dir" -l "$dir/standby.log" -w start > /dev/null
failures=0
check() { if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi; }

wait_replay
primary_scores=$(p -c "SELECT md5(string_agg(ubehav_predict('replicated', v)::text, ',')) FROM visits v")
standby_scores=$(s -c "SELECT md5(string_agg(ubehav_predict('replicated', v)::text, ',')) FROM visits v")
in_recovery=$(s -c "SELECT pg_is_in_recovery()")
[ "$in_recovery" = t ] && [ -n "$standby_scores" ] && [ "$primary_scores" = "$standby_scores" ]
check "the standby scores as the primary" $? "in recovery: $in_recovery"

p -c "SELECT ubehav_train('replicated', 'SELECT a, b, y FROM visits', 'y', '{\"epochs\": 2, \"hidden\": [4], \"seed\": 2}') IS NOT NULL" > /dev/null
wait_replay
primary_v2=$(p -c "SELECT md5(string_agg(ubehav_predict('replicated', v)::text, ',')) FROM visits v")
standby_v2=$(s -c "SELECT md5(string_agg(ubehav_predict('replicated', v)::text, ',')) FROM visits v")
deployed=$(s -c "SELECT version FROM ubehav_models WHERE name = 'replicated' AND deployed")
[ "$deployed" = 2 ] && [ "$primary_v2" = "$standby_v2" ] && [ "$standby_v2" != "$standby_scores" ]
check "a retrain on the primary is used on the standby after replay" $? "standby deploys version $deployed"

s -c "SELECT ubehav_train('on_standby', 'SELECT a, b, y FROM visits', 'y')" > "$dir/train.out" 2>&1
grep -q "cannot run on a standby" "$dir/train.out"
check "training on the standby is refused" $? "$(head -1 "$dir/train.out")"
exit $failures
