#!/usr/bin/env bash
# t_sweep.sh: every function, aggregate and procedure of the extension, read from the catalog
# (pg_proc + pg_depend, so a new function is swept the day it is added), called as a
# non-superuser role with the README's grants with each hostile value of its type in each
# argument position (NULL, '', a missing model, a model of each task, queries with a syntax error,
# two statements, DML or an unreadable table, 0/-1/2^31-1, '{}'/'[]'/'null'/deep jsonb, empty,
# huge and NULL-holding arrays, ...) and baselines elsewhere, once per model task; values and
# baselines are in t_sweep.sql. Each call runs in a rolled-back subtransaction with a
# statement_timeout. Fails if the server crashes or any outcome's SQLSTATE is of class XX.
# Also checks the NULL rule (a STRICT function, or SQLSTATE 22004 `argument "a" of f must not be
# NULL` unless the argument is DEFAULT NULL): counted always and a failure (UBEHAV_SWEEP_NULL_RULE=0 only counts them).
#
# By hand against a running cluster (e.g. a dev_env.sh one):
#   UBEHAV_SWEEP_LOG=$UBEHAV_DEV_DIR/log bash test/scripts/t_sweep.sh   # PGHOST/PGPORT/PGUSER from the environment
# Variables: UBEHAV_SWEEP_TIMEOUT (per call, default 5s), UBEHAV_SWEEP_LOG (server log).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ "${UBEHAV_SETUP_DONE:-0}" = 1 ] || [ -z "${UBEHAV_SWEEP_LOG:-}" ]; then
    # shellcheck source=setup.sh
    source test/scripts/setup.sh
fi
LOG="${UBEHAV_SWEEP_LOG:-$UBEHAV_PGDIR/server.log}"
TIMEOUT="${UBEHAV_SWEEP_TIMEOUT:-5s}"
DB=ubehav_sweep
export PGDATABASE=$DB
SU="${PGUSER:-postgres}"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -U "$SU" "$@"; }
start_s=$(date +%s)
log_start=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
tmp=$(mktemp -d /tmp/ubehav-sweep.XXXXXX)

psql -X -q -U "$SU" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql -X -q -U "$SU" -d postgres -c 'DROP ROLE IF EXISTS sweep_analyst' -c 'DROP ROLE IF EXISTS sweep_other' \
     -c 'CREATE ROLE sweep_analyst LOGIN' -c 'CREATE ROLE sweep_other LOGIN' || exit 1
q > /dev/null <<'SQL' || { echo "not ok - fixtures"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
-- the README's grants for analysts: ubehav_grant where the extension has it, else the 0.1.0 list
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['sweep_analyst', 'sweep_other'] LOOP
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
GRANT CREATE ON DATABASE ubehav_sweep TO sweep_analyst;
SELECT setseed(0.42);
CREATE TABLE sweep_data AS
SELECT i AS id, round((random() * 10)::numeric, 2) AS x1, random() AS x2, random() < 0.5 AS flag,
       (ARRAY['mobile', 'desktop', 'tablet'])[1 + i % 3] AS cat, CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END AS grp,
       random() < 0.5 AS y_bin, (ARRAY['a', 'b', 'c'])[1 + (i * 7) % 3] AS y_multi, random() * 100 AS y_num
FROM generate_series(1, 50) i;
GRANT ALL ON sweep_data TO sweep_analyst, sweep_other;
CREATE TABLE sweep_other AS SELECT 1 AS a, 'z'::text AS b;
GRANT SELECT ON sweep_other TO sweep_analyst;
CREATE TABLE sweep_secret AS SELECT * FROM sweep_data;       -- the sweeping role cannot read it
SELECT ubehav_demo_create('sweep_demo', 20, 10);
GRANT USAGE ON SCHEMA sweep_demo TO sweep_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA sweep_demo TO sweep_analyst;
SET ROLE sweep_analyst;
SELECT ubehav_train('sweep_bin', 'SELECT x1, x2, flag, y_bin FROM sweep_data', 'y_bin', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('sweep_multi', 'SELECT x1, x2, flag, y_multi FROM sweep_data', 'y_multi', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('sweep_reg', 'SELECT x1, x2, flag, y_num FROM sweep_data', 'y_num', '{"epochs": 2, "hidden": [4]}');
SELECT ubehav_train('sweep_grp', 'SELECT x1, x2, flag, grp, y_bin FROM sweep_data', 'y_bin', '{"epochs": 2, "hidden": [4], "group_by": "grp"}');
SELECT ubehav_train('sweep_bin', 'SELECT x1, x2, flag, y_bin FROM sweep_data', 'y_bin', '{"epochs": 2, "hidden": [4]}');  -- a version 2
SET ROLE sweep_other;
SELECT ubehav_train('sweep_foreign', 'SELECT x1, x2, flag, y_bin FROM sweep_data', 'y_bin', '{"epochs": 2, "hidden": [4]}');
RESET ROLE;
CREATE TABLE sweep_exports AS SELECT kind, ubehav_export(m) AS e
FROM (VALUES ('binary', 'sweep_bin'), ('multiclass', 'sweep_multi'), ('regression', 'sweep_reg')) v(kind, m);
GRANT SELECT ON sweep_exports TO sweep_analyst;
SQL
q -f test/scripts/t_sweep.sql > /dev/null || { echo "not ok - generating the calls"; exit 1; }
total=$(q -c "SELECT count(*) FROM sweep_calls")

# Run the calls as sweep_analyst, one top-level CALL each (so statement_timeout is per call).
# synchronous_commit on, so the 'running' mark survives a crash. A crash ends psql; the call marked 'running' is recorded as the crash, and the sweep resumes
# once the server accepts connections again.
crashes=0
while :; do
    q -c "SELECT 'CALL sweep_run(' || id || ');' FROM sweep_calls WHERE state = 'pending' ORDER BY id" > "$tmp/calls.sql"
    [ -s "$tmp/calls.sql" ] || break
    PGOPTIONS="-c statement_timeout=$TIMEOUT -c client_min_messages=error -c synchronous_commit=on" \
        nice psql -X -q -At -U sweep_analyst -f "$tmp/calls.sql" > "$tmp/run.out" 2>&1
    running=$(q -c "SELECT id FROM sweep_calls WHERE state = 'running'" 2>/dev/null)
    if [ -z "$running" ] && ! grep -qE 'connection to server|terminated|closed the connection' "$tmp/run.out"; then
        break
    fi
    for _ in $(seq 1 120); do q -c 'SELECT 1' > /dev/null 2>&1 && break; sleep 0.5; done
    running=$(q -c "SELECT id FROM sweep_calls WHERE state = 'running'")
    [ -n "$running" ] || { echo "not ok - psql stopped with no call running:"; tail -5 "$tmp/run.out"; break; }
    q -c "UPDATE sweep_calls SET state = 'done', outcome = 'CRASH', message = 'server connection lost' WHERE id = $running"
    crashes=$((crashes + 1))
done

elapsed=$(( $(date +%s) - start_s ))
log_crashes=$(tail -c +"$((log_start + 1))" "$LOG" 2>/dev/null | grep -cE 'terminated by signal|server process .* was terminated')
q <<SQL
\pset footer off
SELECT format('%s calls of %s functions (%s of %s in the extension; not callable from SQL, taking internal: %s) in %s s',
              count(*), count(DISTINCT signature),
              (SELECT count(*) FROM sweep_funcs WHERE NOT takes_internal), (SELECT count(*) FROM sweep_funcs),
              coalesce((SELECT string_agg(name, ', ' ORDER BY signature) FROM sweep_funcs WHERE takes_internal), 'none'), $elapsed)
FROM sweep_calls;
SELECT 'outcomes: ' || string_agg(format('%s %s', o, n), ', ' ORDER BY n DESC)
FROM (SELECT coalesce(outcome, state) AS o, count(*) AS n FROM sweep_calls GROUP BY 1) x;
SELECT 'argument types without a value set (add them to t_sweep.sql): ' || string_agg(DISTINCT t::text, ', ')
FROM sweep_funcs f, unnest(f.argtypes) t
WHERE t <> 'internal'::regtype AND NOT EXISTS (SELECT FROM sweep_values v WHERE v.typ = t) HAVING count(*) > 0;
SQL
failing=$(q -c "SELECT count(*) FROM sweep_calls WHERE outcome = 'CRASH' OR outcome LIKE 'XX%' OR state <> 'done'")
if [ "$failing" != 0 ]; then
    echo "failing calls (crash, class XX or not run):"
    q -F ' | ' -c "SELECT coalesce(outcome, state), signature, 'arg ' || pos || ' ' || coalesce(nullif(argname, ''), '') || '=' || label,
                          coalesce(kind, '-'), left(call, 400), coalesce(message, '')
                   FROM sweep_calls WHERE outcome = 'CRASH' OR outcome LIKE 'XX%' OR state <> 'done' ORDER BY id LIMIT 100"
fi
# the NULL rule: a non-strict function answers a NULL in an argument without DEFAULT NULL with
# 22004 and the exact message
# a function the role may not execute at all (42501 before it runs) says nothing about the rule
NOT_DENIED="AND NOT (outcome = '42501' AND message LIKE 'permission denied for function%')"
violations=$(q -c "SELECT count(*) FROM sweep_calls WHERE null_rule LIKE 'argument%'
                   $NOT_DENIED AND (outcome IS DISTINCT FROM '22004' OR message IS DISTINCT FROM null_rule)")
vfuncs=$(q -c "SELECT count(DISTINCT signature || pos) || ' argument positions of ' || count(DISTINCT signature) || ' functions'
               FROM sweep_calls WHERE null_rule LIKE 'argument%' $NOT_DENIED AND (outcome IS DISTINCT FROM '22004' OR message IS DISTINCT FROM null_rule)")
checked=$(q -c "SELECT count(*) FROM sweep_calls WHERE null_rule LIKE 'argument%' $NOT_DENIED")
echo "NULL rule: $violations of $checked NULL calls in non-strict functions without 22004 'argument ... must not be NULL' ($vfuncs)"
if [ "${UBEHAV_SWEEP_NULL_RULE:-1}" = 1 ] && [ "$violations" != 0 ]; then
    q -F ' | ' -c "SELECT DISTINCT ON (signature, pos) signature, 'arg ' || pos, coalesce(outcome, state), coalesce(message, '')
                   FROM sweep_calls WHERE null_rule LIKE 'argument%' $NOT_DENIED AND (outcome IS DISTINCT FROM '22004' OR message IS DISTINCT FROM null_rule)
                   ORDER BY signature, pos, id"
fi

status=0
if [ "$crashes" -gt 0 ] || [ "$log_crashes" -gt 0 ]; then
    echo "not ok - server crashed: $crashes calls lost the connection, $log_crashes crash lines in $LOG"; status=1
else
    echo "ok - no server crash in $total calls"
fi
xx=$(q -c "SELECT count(*) FROM sweep_calls WHERE outcome LIKE 'XX%'")
if [ "$xx" != 0 ]; then echo "not ok - $xx outcomes of SQLSTATE class XX"; status=1; else echo "ok - no SQLSTATE of class XX"; fi
if [ "${UBEHAV_SWEEP_NULL_RULE:-1}" = 1 ]; then
    if [ "$violations" != 0 ]; then echo "not ok - NULL rule"; status=1; else echo "ok - NULL rule"; fi
fi

[ "${UBEHAV_SWEEP_KEEP:-0}" = 1 ] || psql -X -q -U "$SU" -d postgres -c "DROP DATABASE $DB" -c 'DROP ROLE sweep_analyst' -c 'DROP ROLE sweep_other'
rm -rf "$tmp"
exit $status
