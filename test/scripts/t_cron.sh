#!/usr/bin/env bash
# t_cron.sh: scheduled retraining with pg_cron (Debian's postgresql-15-cron). A cluster of its own
# with pg_cron preloaded; a job runs CALL ubehav_retrain_job(...) every minute (pg_cron 1.4's
# finest schedule), and the test waits, bounded, until the new version appears.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
port=55480
dir=$(mktemp -d /tmp/ubehav-cron.XXXX)
chown postgres "$dir"
ubehav_as_postgres "$UBEHAV_PG_BINDIR/initdb" -D "$dir/data" -A trust > /dev/null
cat >> "$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_cron'
cron.database_name = 'ubehav_cron'
cron.use_background_workers = on
listen_addresses = ''
fsync = off
CONF
ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$dir/data" -o "-p $port -k $dir" -l "$dir/log" -w start > /dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p $port -U postgres "$@"; }
cleanup() { ubehav_as_postgres "$UBEHAV_PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT

q -d postgres -c 'CREATE DATABASE ubehav_cron'
q -d ubehav_cron <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION ubehav;
SELECT setseed(0.1);
CREATE TABLE visits AS SELECT random() AS a, random() AS b, random() < 0.4 AS y FROM generate_series(1, 1000);
SELECT ubehav_train('nightly', 'SELECT a, b, y FROM visits', 'y', '{"epochs": 1, "hidden": [4]}') IS NOT NULL;
SELECT cron.schedule('retrain nightly', '* * * * *', $$CALL ubehav_retrain_job('nightly')$$) > 0;
SQL
version=1
for _ in $(seq 1 100); do
    version=$(q -d ubehav_cron -c "SELECT max(version) FROM ubehav_models WHERE name = 'nightly'")
    [ "$version" -ge 2 ] && break
    sleep 1
done
status=$(q -d ubehav_cron -c "SELECT status FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")
deployed=$(q -d ubehav_cron -c "SELECT version FROM ubehav_models WHERE name = 'nightly' AND deployed")
q -d ubehav_cron -c "SELECT cron.unschedule('retrain nightly')" > /dev/null
echo "after the scheduled job: latest version $version, deployed $deployed, job status '$status'"
if [ "$version" -ge 2 ] && [ "$deployed" = "$version" ] && [ "$status" = succeeded ]; then
    echo "ok - pg_cron retrained and deployed a new version"
    exit 0
fi
tail -20 "$dir/log"
echo "not ok - no scheduled retrain"
exit 1
