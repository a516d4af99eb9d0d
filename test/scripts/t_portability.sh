#!/usr/bin/env bash
# t_portability.sh: a model leaves PostgreSQL and comes back without changing a score.
#   1. ubehav_export read by numpy alone (test/scripts/export_score.py) reproduces ubehav_predict
#      to 1e-5 on 1,000 rows of mixed numeric, boolean, text, array and NULL values
#   2. ubehav_import of the export scores exactly as the original
#   3. pg_dump / pg_restore of the database keeps every model version and its scores
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
dpkg-query -W -f='${Status}' python3-numpy 2>/dev/null | grep -q 'install ok installed' ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null; }
export PGDATABASE=ubehav_port
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
failures=0
check() { if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi; }

for db in ubehav_port ubehav_port_restored; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
psql -X -q -d postgres -c 'CREATE DATABASE ubehav_port'
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.8);
CREATE TABLE rows AS
SELECT i AS id,
       CASE WHEN i % 9 = 0 THEN NULL ELSE random() * 50 END AS spend,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (ARRAY['web', 'app', 'store', 'phone'])[1 + i % 4] END AS channel,
       CASE WHEN i % 13 = 0 THEN NULL ELSE random() < 0.5 END AS member,
       CASE WHEN i % 17 = 0 THEN NULL ELSE ARRAY[random(), random()] END AS embedding
FROM generate_series(1, 3000) i;
ALTER TABLE rows ADD COLUMN bought boolean;
UPDATE rows SET bought = coalesce(spend, 20) > 25 OR (channel = 'app' AND coalesce(member, false)) OR random() < 0.1;
SELECT ubehav_train('port', 'SELECT spend, channel, member, embedding, bought FROM rows', 'bought',
                    '{"seed": 2, "epochs": 5, "hidden": [16, 8], "missing_indicator": true}') IS NOT NULL;
SELECT ubehav_train('port', 'SELECT spend, channel, member, embedding, bought FROM rows', 'bought',
                    '{"seed": 3, "epochs": 3, "hidden": [8], "activation": "tanh", "pca": 5}') IS NOT NULL;
SELECT ubehav_train('port_value', 'SELECT spend, channel, member, embedding, coalesce(spend, 0) * 3 + 7 AS value FROM rows', 'value',
                    '{"seed": 4, "epochs": 3, "hidden": [8]}') IS NOT NULL;
SELECT ubehav_train('port_groups', 'SELECT spend, channel, member, bought FROM rows', 'bought',
                    '{"seed": 5, "epochs": 3, "hidden": [8], "group_by": "channel"}') IS NOT NULL;
SQL

# 1. numpy alone reproduces the scores of both versions of 'port' and of a regression model
for model in port port_value; do
    for version in 1 2; do
        [ "$model" = port_value ] && [ "$version" = 2 ] && continue
        q -c "SELECT ubehav_export('$model', $version)" > "$work/export.json"
        q -c "\\copy (SELECT spend, channel, member, embedding FROM rows ORDER BY id LIMIT 1000) TO '$work/rows.csv' CSV HEADER"
        q -c "SELECT ubehav_deploy('$model', $version)" > /dev/null
        q -c "SELECT ubehav_predict('$model', r) FROM (SELECT spend, channel, member, embedding FROM rows ORDER BY id LIMIT 1000) r" > "$work/ubehav.txt"
        /usr/bin/python3 test/scripts/export_score.py "$work/export.json" "$work/rows.csv" > "$work/numpy.txt"
        worst=$(paste "$work/ubehav.txt" "$work/numpy.txt" | awk '{d = $1 - $2; if (d < 0) d = -d; s = ($1 < 0 ? -$1 : $1); r = d / (s > 1 ? s : 1); if (r > m) m = r} END {printf "%.3g", m + 0}')
        rows=$(wc -l < "$work/numpy.txt")
        awk -v w="$worst" -v n="$rows" 'BEGIN {exit !(w < 1e-5 && n == 1000)}'
        check "numpy reproduces $model version $version" $? "$rows rows, worst difference $worst"
    done
done

# 2. import: the same scores, exactly
q -c "SELECT ubehav_import('port_copy', ubehav_export('port'))" > /dev/null
mismatches=$(q -c "SELECT count(*) FROM rows r WHERE ubehav_predict('port', r) IS DISTINCT FROM ubehav_predict('port_copy', r)")
[ "$mismatches" = 0 ]
check "ubehav_import scores exactly as the original" $? "$mismatches of 3000 rows differ"

# 3. pg_dump / pg_restore keep every version and every score
q -c "CREATE TABLE scores_before AS SELECT id, ubehav_predict('port', r) AS p, ubehav_predict('port_value', r) AS v,
      CASE WHEN channel IS NOT NULL THEN ubehav_predict('port_groups', r) END AS g FROM rows r"
versions_before=$(q -c "SELECT string_agg(name || ':' || version || ':' || deployed, ',' ORDER BY name, version) FROM ubehav_models")
pg_dump -Fc -f "$work/dump" ubehav_port
psql -X -q -d postgres -c 'CREATE DATABASE ubehav_port_restored'
pg_restore -d ubehav_port_restored "$work/dump" 2> "$work/restore.err"
versions_after=$(q -d ubehav_port_restored -c "SELECT string_agg(name || ':' || version || ':' || deployed, ',' ORDER BY name, version) FROM ubehav_models")
changed=$(q -d ubehav_port_restored -c "SELECT count(*) FROM scores_before s JOIN rows r USING (id)
                                        WHERE s.p IS DISTINCT FROM ubehav_predict('port', r) OR s.v IS DISTINCT FROM ubehav_predict('port_value', r)
                                           OR s.g IS DISTINCT FROM CASE WHEN r.channel IS NOT NULL THEN ubehav_predict('port_groups', r) END")
groups=$(q -d ubehav_port_restored -c "SELECT count(*) FROM ubehav_model_groups")
[ "$versions_before" = "$versions_after" ] && [ "$changed" = 0 ] && [ "$groups" = 4 ]
check "pg_dump and pg_restore keep every version and score" $? "versions: $versions_after; group networks: $groups; changed scores: $changed"

for db in ubehav_port ubehav_port_restored; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"; done
rm -rf "$work"
exit $failures
