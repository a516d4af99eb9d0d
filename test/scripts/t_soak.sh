#!/usr/bin/env bash
# t_soak.sh: 8 pgbench clients score one model while another session retrains and redeploys it in
# a loop. Every score returned must be the score of one complete version, never a mix, and no
# transaction may fail. Loopback only (a unix socket); bounded by UBEHAV_SOAK_SECONDS (10 in the
# test command, 60 for the documented long run).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PGDATABASE=ubehav_soak
seconds="${UBEHAV_SOAK_SECONDS:-10}"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# files of this run only: two runs at once (a developer's and test_all's) must not share them
tmp=$(mktemp -d /tmp/ubehav-soak.XXXXXX)

psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_soak' -c 'CREATE DATABASE ubehav_soak'
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.4);
CREATE TABLE train AS SELECT random() AS a, random() AS b, random() < 0.5 AS y FROM generate_series(1, 2000);
CREATE TABLE version_scores (version int PRIMARY KEY, score float8 NOT NULL);
CREATE UNLOGGED TABLE observed (score float8);
SELECT ubehav_train('soak', 'SELECT a, b, y FROM train', 'y', '{"epochs": 1, "hidden": [8], "seed": 0}') IS NOT NULL;
INSERT INTO version_scores SELECT 1, ubehav_predict('soak', ARRAY[0.25, 0.75]);
SQL
cat > "$tmp/soak.sql" <<'SQL'
INSERT INTO observed SELECT ubehav_predict('soak', ARRAY[0.25, 0.75]);
SQL

# the retrainer: each version has its own seed, so the probe row scores differently under each
(
    end=$(( $(date +%s) + seconds ))
    seed=1
    while [ "$(date +%s)" -lt "$end" ]; do
        q -c "SELECT ubehav_train('soak', 'SELECT a, b, y FROM train', 'y', '{\"epochs\": 1, \"hidden\": [8], \"seed\": $seed}')" > /dev/null &&
        q -c "INSERT INTO version_scores SELECT version, ubehav_predict('soak', ARRAY[0.25, 0.75]) FROM ubehav_models WHERE name = 'soak' AND deployed" > /dev/null
        seed=$((seed + 1))
    done
) &
retrainer=$!
pgbench -n -c 8 -j 2 -T "$seconds" -f "$tmp/soak.sql" > "$tmp/soak.out" 2>&1
bench_status=$?
wait $retrainer

versions=$(q -c "SELECT count(*) FROM version_scores")
observed=$(q -c "SELECT count(*) FROM observed")
mixed=$(q -c "SELECT count(*) FROM observed o WHERE NOT EXISTS (SELECT 1 FROM version_scores v WHERE v.score = o.score)")
distinct_seen=$(q -c "SELECT count(DISTINCT score) FROM observed")
failed=$(grep -E "number of failed transactions" "$tmp/soak.out" | grep -oE '[0-9]+' | head -1)
tps=$(grep -E "^tps" "$tmp/soak.out" | head -1)
psql -X -q -d postgres -c 'DROP DATABASE ubehav_soak'

echo "8 clients x ${seconds} s: ${observed} scores, ${versions} versions deployed, ${distinct_seen} distinct scores seen, ${mixed} not of any version, ${failed:-?} failed transactions; $tps"
if [ "$bench_status" -eq 0 ] && [ "${failed:-1}" = 0 ] && [ "$mixed" = 0 ] && [ "$versions" -ge 3 ] && [ "$observed" -gt 0 ]; then
    echo "ok - every score came from one complete version"
    rm -rf "$tmp"
    exit 0
fi
cat "$tmp/soak.out"
rm -rf "$tmp"
echo "not ok - soak"
exit 1
