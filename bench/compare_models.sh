#!/usr/bin/env bash
# compare_models.sh REF [REF2]: trains the same models with the same seeds (bench/compare_models.sql: binary,
# multiclass, regression, group_by, ensemble, DP, scaling/PCA/categories, warm start, a recommender, the
# ubehav_fit aggregate, cross-validation and tuning) with ubehav built from git REF and from REF2 (default: this
# work tree, committed or not), and diffs every model's bytes (md5 of the stored weights) and every score, metric
# and aggregate to the last bit (float8send hex; jsonb without its timings). Exit status 1 on any difference.
# Needs a private cluster: `source test/scripts/dev_env.sh NAME PORT` first; each build is installed into it in
# turn (make install DESTDIR=$UBEHAV_DEV_ROOT), and this work tree's build is installed again at the end.
# Data: bench/data.sql in database CMP_DATA_DB (default ubehav_compare_data), created once and reused as the
# template of one fresh database per build. The output of a commit is kept in $CMP_CACHE (keyed by the commit
# and this SQL file), so comparing against the same baseline again builds only the new side.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ref=${1:?usage: bench/compare_models.sh REF [REF2]}
ref2=${2:-}
: "${UBEHAV_DEV_ROOT:?source test/scripts/dev_env.sh NAME PORT first}"
data_db=${CMP_DATA_DB:-ubehav_compare_data}
cache=${CMP_CACHE:-${TMPDIR:-/tmp}/ubehav-compare-cache-$UBEHAV_DEV_NAME}
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sql_digest=$(md5sum bench/compare_models.sql | cut -c1-12)

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
if [ -z "$(q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$data_db'")" ]; then
    q -d postgres -c "CREATE DATABASE $data_db"
    q -d "$data_db" -f bench/data.sql
fi

# install_tree DIR: build DIR and install it into the private tree
install_tree() {
    nice make -s -C "$1" -j2 PG_CONFIG="$UBEHAV_PG_CONFIG" >"$tmp/build.log" 2>&1 &&
        make -s -C "$1" PG_CONFIG="$UBEHAV_PG_CONFIG" install DESTDIR="$UBEHAV_DEV_ROOT" >>"$tmp/build.log" 2>&1 ||
        { cat "$tmp/build.log"; echo "build of $1 failed"; exit 2; }
}

# run_models OUT: the models of bench/compare_models.sql in a fresh database, output to OUT
run_models() {
    local db=ubehav_compare_run
    q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $data_db"
    q -d "$db" -c "CREATE EXTENSION ubehav"
    PGOPTIONS="-c ubehav.progress=0" nice psql -X -q -d "$db" -f bench/compare_models.sql >"$1" 2>"$tmp/run.err" ||
        { cat "$tmp/run.err"; echo "bench/compare_models.sql failed"; exit 2; }
    q -d postgres -c "DROP DATABASE $db"
}

# output SIDE REF: the output of git REF ('' = this work tree) in $tmp/SIDE.out
output() {
    local side=$1 r=$2 sha
    if [ -z "$r" ]; then
        install_tree .
        run_models "$tmp/$side.out"
        return
    fi
    sha=$(git rev-parse --verify "$r^{commit}")
    if [ ! -s "$cache/$sha-$sql_digest.out" ]; then
        mkdir -p "$tmp/$side" && git archive "$sha" | tar -x -C "$tmp/$side"
        install_tree "$tmp/$side"
        run_models "$tmp/$side.run" && mv "$tmp/$side.run" "$cache/$sha-$sql_digest.out"
    fi
    cp "$cache/$sha-$sql_digest.out" "$tmp/$side.out"
}

output old "$ref"
output new "$ref2"
[ -n "$ref2" ] && install_tree .
lines=$(wc -l <"$tmp/old.out")
if diff -u --label "$ref" --label "${ref2:-work tree}" "$tmp/old.out" "$tmp/new.out"; then
    echo "identical: $lines lines (models, scores, metrics, aggregates) of ${ref} and ${ref2:-the work tree}"
else
    echo "DIFFERENT: ${ref} and ${ref2:-the work tree} (of $lines lines)"
    exit 1
fi
