#!/usr/bin/env bash
# t_sqlsmith.sh: random SQL (SQLsmith, Debian's sqlsmith) against a database holding models of
# every task, as a non-superuser role with the README's grants and a statement_timeout, for
# UBEHAV_SQLSMITH_SECONDS (default 60). Fails if the server log shows a backend crash.
#   UBEHAV_SQLSMITH_SECONDS=1800 bash test/scripts/t_sqlsmith.sh      # the long run
# By hand against a running cluster: UBEHAV_SWEEP_LOG=/path/to/server.log (PGHOST/PGPORT/PGUSER).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ "${UBEHAV_SETUP_DONE:-0}" = 1 ] || [ -z "${UBEHAV_SWEEP_LOG:-}" ]; then
    # shellcheck source=setup.sh
    source test/scripts/setup.sh
fi
LOG="${UBEHAV_SWEEP_LOG:-$UBEHAV_PGDIR/server.log}"
SECONDS_RUN="${UBEHAV_SQLSMITH_SECONDS:-60}"
DB=ubehav_sqlsmith
SU="${PGUSER:-postgres}"
command -v sqlsmith > /dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlsmith > /dev/null; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -U "$SU" -d $DB "$@"; }
tmp=$(mktemp -d /tmp/ubehav-sqlsmith.XXXXXX)
log_start=$(stat -c %s "$LOG" 2>/dev/null || echo 0)

psql -X -q -U "$SU" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
     -c "DROP DATABASE IF EXISTS ${DB}_log" -c "CREATE DATABASE ${DB}_log" \
     -c 'DROP ROLE IF EXISTS smith_analyst' -c "CREATE ROLE smith_analyst LOGIN" 2> /dev/null || exit 1
q > /dev/null <<'SQL' || { echo "not ok - fixtures"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
-- the README's grants for analysts: ubehav_grant where the extension has it, else the 0.1.0 list
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['smith_analyst'] LOOP
    IF to_regprocedure('ubehav_grant(regrole,text)') IS NOT NULL THEN
      PERFORM ubehav_grant(r::regrole, 'analyst');
    ELSE
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ubehav_models TO %I', r);
      EXECUTE format('GRANT SELECT, INSERT ON ubehav_model_groups TO %I', r);
      EXECUTE format('GRANT SELECT, INSERT, DELETE ON ubehav_deployments TO %I', r);
      EXECUTE format('GRANT USAGE ON SEQUENCE ubehav_deployments_id_seq TO %I', r);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE ON ubehav_trials TO %I', r);
      EXECUTE format('GRANT SELECT ON ubehav_model_summary TO %I', r);
    END IF;
  END LOOP;
END $$;
ALTER ROLE smith_analyst SET statement_timeout = '2s';
SELECT setseed(0.42);
CREATE TABLE smith_data AS
SELECT i AS id, random() * 10 AS x1, random() AS x2, random() < 0.5 AS flag,
       (ARRAY['mobile', 'desktop', 'tablet'])[1 + i % 3] AS cat, CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END AS grp,
       random() < 0.5 AS y_bin, (ARRAY['a', 'b', 'c'])[1 + (i * 7) % 3] AS y_multi, random() * 100 AS y_num,
       ARRAY[random(), random(), random()] AS features
FROM generate_series(1, 50) i;
GRANT ALL ON smith_data TO smith_analyst;
SET ROLE smith_analyst;
SELECT ubehav_train('smith_bin', 'SELECT x1, x2, flag, y_bin FROM smith_data', 'y_bin', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('smith_multi', 'SELECT x1, x2, cat, y_multi FROM smith_data', 'y_multi', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('smith_reg', 'SELECT x1, x2, flag, y_num FROM smith_data', 'y_num', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('smith_grp', 'SELECT x1, x2, flag, grp, y_bin FROM smith_data', 'y_bin', '{"epochs": 2, "hidden": [4], "group_by": "grp"}');
RESET ROLE;
SQL

# sqlsmith's --log-to tables (the columns this version writes), in a database of their own
psql -X -q -U "$SU" -d ${DB}_log -c "CREATE TABLE instance (id bigserial PRIMARY KEY, rev text, target text, hostname text,
    version text, seed text, t timestamptz DEFAULT now());
  CREATE TABLE error (id bigint, msg text, query text, target text, sqlstate text, t timestamptz DEFAULT now());
  CREATE TABLE stat (id bigint, generated bigint, level float8, nodes float8, retries float8,
    updated timestamptz DEFAULT now(), impedance jsonb)" || exit 1
conn="host=${PGHOST:-/tmp} port=${PGPORT:-5432} user=smith_analyst dbname=$DB"
start_s=$(date +%s)
timeout -s INT -k 10 "$SECONDS_RUN" nice sqlsmith --target="$conn" --verbose --exclude-catalog --seed=1 \
    --log-to="host=${PGHOST:-/tmp} port=${PGPORT:-5432} user=$SU dbname=${DB}_log" \
    > "$tmp/out" 2> "$tmp/err"
elapsed=$(( $(date +%s) - start_s ))
crashes=$(tail -c +"$((log_start + 1))" "$LOG" 2>/dev/null | grep -cE 'terminated by signal|server process .* was terminated')
# sqlsmith's verbose report: "queries: N (x/s), AST stats ..." and an error summary "count\terror"
queries=$(grep -aoE 'queries: [0-9]+' "$tmp/err" | tail -1 | grep -oE '[0-9]+')
classes=$(psql -X -q -At -U "$SU" -d ${DB}_log -c "SELECT coalesce(string_agg(c || ' ' || n, ', ' ORDER BY n DESC), 'none')
    FROM (SELECT left(coalesce(sqlstate, '?'), 2) AS c, count(*) AS n FROM error GROUP BY 1) x")
ubehav_errors=$(psql -X -q -At -U "$SU" -d ${DB}_log -c "SELECT count(*) FROM error WHERE query LIKE '%ubehav%'")
echo "sqlsmith: ${queries:-?} queries in ${elapsed} s as smith_analyst; errors by SQLSTATE class: $classes ($ubehav_errors in queries calling ubehav)"
status=0
if [ "$crashes" -gt 0 ]; then
    echo "not ok - $crashes backend crashes in $LOG:"
    tail -c +"$((log_start + 1))" "$LOG" | grep -aE -A3 'terminated by signal|server process .* was terminated' | cut -c1-300 | head -20
    status=1
else
    echo "ok - no backend crash"
fi
psql -X -q -U "$SU" -d postgres -c "DROP DATABASE $DB" -c "DROP DATABASE ${DB}_log" -c 'DROP ROLE smith_analyst'
rm -rf "$tmp"
exit $status
