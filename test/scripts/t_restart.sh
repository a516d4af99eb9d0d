#!/usr/bin/env bash
# A trained model survives a server restart: the same rows score exactly the same
# before and after `pg_ctl restart` (the catalog is an ordinary, WAL-logged table).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PGDATABASE=ubehav_restart

run_psql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_restart' -c 'CREATE DATABASE ubehav_restart'
run_psql <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.5);
CREATE TABLE events AS
SELECT x1, x2, device, (x1 * x2 > 0) <> (device = 'tablet') AS label
FROM (SELECT random() * 2 - 1 AS x1, random() * 2 - 1 AS x2,
             (ARRAY['mobile', 'desktop', 'tablet'])[1 + floor(random() * 3)::int] AS device
      FROM generate_series(1, 1000)) g;
SELECT ubehav_train('survivor', 'SELECT x1, x2, device, label FROM events', 'label',
                    '{"seed": 3, "epochs": 5, "hidden": [16]}') IS NOT NULL;
CREATE TABLE before_restart AS
SELECT x1, x2, device, ubehav_predict('survivor', e) AS p FROM events e;
SQL

ubehav_cluster_restart

mismatches=$(run_psql -c "SELECT count(*) FROM before_restart b
                           WHERE b.p IS DISTINCT FROM ubehav_predict('survivor', b)")
scored=$(run_psql -c "SELECT count(*) FROM before_restart WHERE p BETWEEN 0 AND 1")
deployed=$(run_psql -c "SELECT version FROM ubehav_models WHERE name = 'survivor' AND deployed")
psql -X -q -d postgres -c 'DROP DATABASE ubehav_restart'

echo "scored before restart: $scored/1000; deployed version after restart: $deployed; mismatches: $mismatches"
if [ "$scored" = 1000 ] && [ "$deployed" = 1 ] && [ "$mismatches" = 0 ]; then
    echo "ok - predictions identical after restart"
else
    echo "not ok - predictions after restart differ or are missing"
    exit 1
fi
