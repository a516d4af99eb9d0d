#!/usr/bin/env bash
# t_upgrade.sh: an in-place upgrade from the released 0.1.0 keeps every model scoring identically.
#
# In a private copy of the PostgreSQL tree (never the system one) and a cluster of its own:
#   1. build and install the 0.1.0 release (commit aea7b85, from the git history);
#      CREATE EXTENSION ubehav VERSION '0.1.0'; train models of every kind (binary with two
#      versions, multiclass, regression, group_by, PCA, one imported with ubehav_import, and a
#      model value of the ubehav_fit aggregate kept in a user table); store each score's exact
#      bits (float8send);
#   2. install the current tree's library and scripts over it: the old models score identically
#      with the new library serving the 0.1.0 SQL definitions, before any update;
#   3. ALTER EXTENSION ubehav UPDATE: extversion is ubehav.control's default_version, the scores
#      are identical again, the weights' format versions are reported, a non-deployed 0.1.0
#      version deploys and scores as it did, and a new training works;
#   4. pg_dump the upgraded database, restore it into a fresh database: extversion, model rows
#      and scores identical there too.
# It tests whatever sql/ubehav--0.1.0--0.2.0.sql (and later upgrade scripts) hold in this tree.
#
# Environment: UBEHAV_UPGRADE_PORT (default 55622), UBEHAV_UPGRADE_FROM (default aea7b85).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
top=$(pwd)
port="${UBEHAV_UPGRADE_PORT:-55622}"
from="${UBEHAV_UPGRADE_FROM:-aea7b85}"
sys_pg_config=/usr/lib/postgresql/15/bin/pg_config
new_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ubehav.control)
jobs=$(nproc 2>/dev/null || echo 2)

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! git rev-parse -q --verify "$from^{commit}" >/dev/null; then
    echo "not ok - the 0.1.0 release ($from) is not in this clone's history (a shallow clone?)"
    exit 1
fi

tmp=$(mktemp -d /tmp/ubehav-upgrade.XXXX)
root="$tmp/pg"                              # the private PostgreSQL tree
bin="$root/usr/lib/postgresql/15/bin"
sock="$tmp/sock"
cleanup() {
    [ -f "$tmp/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
check() {  # check DESCRIPTION STATUS DETAIL
    if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi
}
die() { echo "not ok - $*"; exit 1; }

# ---- a private PostgreSQL tree without any ubehav in it ----
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$sock"
cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/" || die "copy the PostgreSQL tree"
cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/" || die "copy the PostgreSQL share tree"
rm -f "$root"/usr/lib/postgresql/15/lib/ubehav.so "$root"/usr/share/postgresql/15/extension/ubehav*
rm -rf "$root"/usr/lib/postgresql/15/lib/bitcode/ubehav*

# ---- 1. the 0.1.0 release ----
mkdir -p "$tmp/old"
git archive "$from" | tar -x -C "$tmp/old" || die "git archive $from"
old_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$tmp/old/ubehav.control")
echo "# building $old_version from $from (log $tmp/old-build.log)"
if ! { nice make -C "$tmp/old" -j"$jobs" PG_CONFIG="$sys_pg_config" with_llvm=no &&
       make -C "$tmp/old" install PG_CONFIG="$sys_pg_config" with_llvm=no DESTDIR="$root"; } >"$tmp/old-build.log" 2>&1; then
    tail -n 30 "$tmp/old-build.log"; die "build $old_version"
fi

chown -R postgres "$tmp"
as_pg "$bin/initdb" -D "$tmp/data" -A trust -E UTF8 --locale=C --no-sync >/dev/null || die "initdb"
cat >> "$tmp/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
lc_messages = 'C'
CONF
as_pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w start >/dev/null || { cat "$tmp/server.log"; die "start"; }

q() { "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres "$@"; }
q -d postgres -c 'CREATE DATABASE up' || die "createdb"

q -d up >/dev/null <<SQL || die "train the $old_version models"
SET client_min_messages = warning;
CREATE EXTENSION ubehav VERSION '$old_version';
SELECT setseed(0.25);
CREATE TABLE rows AS
SELECT i, x1, x2, device, region,
       (x1 * x2 > 0) <> (device = 'tablet') AS bought,
       CASE WHEN x1 > 0.3 THEN 'high' WHEN x1 < -0.3 THEN 'low' ELSE 'mid' END AS tier,
       3 * x1 - 2 * x2 + (device = 'mobile')::int AS spend
FROM (SELECT i, random() * 2 - 1 AS x1, random() * 2 - 1 AS x2,
             (ARRAY['mobile', 'desktop', 'tablet'])[1 + floor(random() * 3)::int] AS device,
             (ARRAY['north', 'south'])[1 + floor(random() * 2)::int] AS region
      FROM generate_series(1, 600) i) g;
SELECT ubehav_train('up_bin', 'SELECT x1, x2, device, bought FROM rows', 'bought',
                    '{"seed": 1, "epochs": 4, "hidden": [16]}') IS NOT NULL;
-- the scores of version 1, kept to check that an old version that is not deployed still loads
CREATE TABLE up_v1 AS SELECT i, float8send(ubehav_predict('up_bin', r))::text AS bits FROM rows r;
SELECT ubehav_train('up_bin', 'SELECT x1, x2, device, bought FROM rows', 'bought',
                    '{"seed": 2, "epochs": 4, "hidden": [16, 8]}') IS NOT NULL;
SELECT ubehav_train('up_multi', 'SELECT x1, x2, device, tier FROM rows', 'tier',
                    '{"seed": 3, "epochs": 4, "hidden": [8]}') IS NOT NULL;
SELECT ubehav_train('up_reg', 'SELECT x1, x2, device, spend FROM rows', 'spend',
                    '{"seed": 4, "epochs": 4, "hidden": [8]}') IS NOT NULL;
SELECT ubehav_train('up_group', 'SELECT region, x1, x2, device, bought FROM rows', 'bought',
                    '{"seed": 5, "epochs": 4, "hidden": [8], "group_by": "region"}') IS NOT NULL;
SELECT ubehav_train('up_pca', 'SELECT x1, x2, device, bought FROM rows', 'bought',
                    '{"seed": 6, "epochs": 4, "hidden": [8], "pca": 2}') IS NOT NULL;
-- the array path, on a model without text columns
SELECT ubehav_train('up_bin_numeric', 'SELECT x1, x2, bought FROM rows', 'bought',
                    '{"seed": 8, "epochs": 4}') IS NOT NULL;
-- a model value of the aggregate, kept in a user table, and the same value imported
CREATE TABLE up_values AS
SELECT ubehav_fit(ARRAY[x1, x2], bought, '{"seed": 7, "epochs": 4, "hidden": [8]}') AS model FROM rows;
SELECT ubehav_import('up_imported', model) FROM up_values;

-- every score of every model as exact bits; the view is also a user object that depends on
-- the extension's functions, as a dashboard's would, and must survive the update and pg_dump
CREATE FUNCTION bits(float8[]) RETURNS text LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT string_agg(float8send(v)::text, '','' ORDER BY o) FROM unnest(\$1) WITH ORDINALITY u(v, o)';
CREATE VIEW up_now AS
SELECT 'bin' AS kind, i, float8send(ubehav_predict('up_bin', r))::text AS bits FROM rows r
UNION ALL SELECT 'bin_array', i, float8send(ubehav_predict('up_bin_numeric', ARRAY[x1, x2]))::text FROM rows
UNION ALL SELECT 'multi_proba', i, bits(ubehav_predict_proba('up_multi', r)) FROM rows r
UNION ALL SELECT 'multi_class', i, ubehav_predict_class('up_multi', r) FROM rows r
UNION ALL SELECT 'reg', i, float8send(ubehav_predict('up_reg', r))::text FROM rows r
UNION ALL SELECT 'group', i, float8send(ubehav_predict('up_group', r))::text FROM rows r
UNION ALL SELECT 'pca', i, float8send(ubehav_predict('up_pca', r))::text FROM rows r
UNION ALL SELECT 'imported', i, float8send(ubehav_predict('up_imported', ARRAY[x1, x2]))::text FROM rows
UNION ALL SELECT 'value', i, float8send(ubehav_predict(v.model, ARRAY[x1, x2]))::text FROM rows, up_values v;
SQL
q -d up -c "CREATE TABLE up_then AS SELECT * FROM up_now" || die "score with $old_version"
n_scores=$(q -d up -c "SELECT count(*) FROM up_then WHERE bits IS NOT NULL")
n_models=$(q -d up -c "SELECT count(*) FROM ubehav_models")
echo "# $old_version: $n_models model versions, $n_scores scores stored as bits"

mismatches() {  # mismatches DB: scores that differ from the stored bits, or are missing
    q -d "$1" -c "SELECT count(*) FROM up_then t FULL JOIN up_now n USING (kind, i)
                  WHERE t.bits IS DISTINCT FROM n.bits"
}

# ---- 2. the current library and scripts over the old install ----
echo "# installing $new_version from this tree (log $tmp/new-build.log)"
if ! { nice make -j"$jobs" PG_CONFIG="$sys_pg_config" with_llvm=no &&
       make install PG_CONFIG="$sys_pg_config" with_llvm=no DESTDIR="$root"; } >"$tmp/new-build.log" 2>&1; then
    tail -n 30 "$tmp/new-build.log"; die "build $new_version"
fi
# every new session loads the new ubehav.so; nothing is restarted, as after a package upgrade
m=$(mismatches up)
[ "$m" = 0 ]
check "the new library scores the $old_version models identically before the update" $? "$m of $n_scores differ"

# ---- 3. ALTER EXTENSION UPDATE ----
q -d up -c "ALTER EXTENSION ubehav UPDATE" >/dev/null
check "ALTER EXTENSION ubehav UPDATE from $old_version" $? "$(q -d up -c "SELECT extversion FROM pg_extension WHERE extname = 'ubehav'")"
ext=$(q -d up -c "SELECT extversion FROM pg_extension WHERE extname = 'ubehav'")
[ "$ext" = "$new_version" ]
check "extversion is the control file's default_version" $? "$ext, control $new_version"
m=$(mismatches up)
[ "$m" = 0 ]
check "every $old_version model scores identically after the update" $? "$m of $n_scores differ"
formats=$(q -d up -c "SELECT string_agg(DISTINCT (get_byte(weights, 4) + 256 * get_byte(weights, 5))::text, ',')
                      FROM (SELECT weights FROM ubehav_models WHERE length(weights) > 0
                            UNION ALL SELECT weights FROM ubehav_model_groups) w")
echo "# weight format versions stored by $old_version: $formats (the new library loads them, checked above)"
m=$(q -d up -c "SELECT ubehav_deploy('up_bin', 1)" \
         -c "SELECT count(*) FROM up_v1 v JOIN rows r USING (i)
             WHERE v.bits IS DISTINCT FROM float8send(ubehav_predict('up_bin', r))::text" | tail -n 1)
q -d up -c "SELECT ubehav_deploy('up_bin', 2)" >/dev/null
[ "$m" = 0 ]
check "a non-deployed $old_version version deploys and scores as it did" $? "$m of 600 differ"
v=$(q -d up -c "SET client_min_messages = warning" \
         -c "SELECT ubehav_train('up_after', 'SELECT x1, x2, device, bought FROM rows', 'bought', '{\"seed\": 9, \"epochs\": 2}')->>'version'" \
         -c "SELECT count(*) FROM rows r WHERE ubehav_predict('up_after', r) BETWEEN 0 AND 1" | tr '\n' ' ')
[ "$v" = "1 600 " ]
check "a model trained after the update stores and scores" $? "version, rows scored: $v"
q -d up -c "SELECT ubehav_drop_model('up_after')" >/dev/null

# ---- 4. pg_dump of the upgraded database restores ----
as_pg "$bin/pg_dump" -h "$sock" -p "$port" -U postgres -Fc -f "$tmp/up.dump" up 2>"$tmp/dump.err"
check "pg_dump of the upgraded database" $? "$(wc -c < "$tmp/up.dump" 2>/dev/null) bytes"
q -d postgres -c 'CREATE DATABASE restored' || die "createdb restored"
as_pg "$bin/pg_restore" -h "$sock" -p "$port" -U postgres -d restored --exit-on-error "$tmp/up.dump" 2>"$tmp/restore.err"
check "pg_restore into a fresh database" $? "$(head -c 300 "$tmp/restore.err" | tr '\n' ' ')"
ext=$(q -d restored -c "SELECT extversion FROM pg_extension WHERE extname = 'ubehav'")
rows=$(q -d restored -c "SELECT count(*) FROM ubehav_models")
[ "$ext" = "$new_version" ] && [ "$rows" = "$n_models" ]
check "the restored database has the extension and every model version" $? "extversion $ext, $rows of $n_models versions"
m=$(mismatches restored)
[ "$m" = 0 ]
check "every model scores identically in the restored database" $? "$m of $n_scores differ"

if [ $failures -ne 0 ]; then
    echo "# server log (last 20 lines):"; tail -n 20 "$tmp/server.log"
    exit 1
fi
echo "ok - upgrade $old_version -> $new_version keeps every model"
