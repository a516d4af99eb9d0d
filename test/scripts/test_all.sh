#!/usr/bin/env bash
# test/scripts/test_all.sh: every test of ubehav, from a fresh Debian 12 machine (as root).
#
#   bash test/scripts/test_all.sh
#
# Set-up (test/scripts/setup.sh: packages, build, install, throwaway cluster), then the
# suites in order, each one run even when an earlier one failed:
#   build               make && make install
#   check-nn            standalone tests of the numerical core
#   check-nn-sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   installcheck        pg_regress (sql/*.sql against expected/*.out)
#   pgtap               pg_prove test/pgtap/*.sql
#   t_*.sh              shell tests that need cluster restarts (test/scripts/t_*.sh)
# Last line: "N passed, N failed"; the exit status is non-zero if any suite failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
export UBEHAV_ALLOW_BUILD_FAILURE=1
# shellcheck source=setup.sh
source test/scripts/setup.sh || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }

PG_CONFIG_ARG="PG_CONFIG=$UBEHAV_PG_CONFIG"
passed=0
failed=0
failed_names=()

record() {  # record NAME STATUS
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1)); echo "=== suite $1: PASS"
    else
        failed=$((failed + 1)); failed_names+=("$1"); echo "=== suite $1: FAIL (status $2)"
    fi
}

banner() { printf '\n=== suite %s\n' "$1"; }

banner build
# A shared library links even with undefined symbols; loading it is the real check.
build_status=1
if [ "${UBEHAV_BUILD_OK:-0}" = 1 ]; then
    psql -X -q -v ON_ERROR_STOP=1 -c "LOAD 'ubehav'" && echo "ubehav.so builds, installs and loads" && build_status=0
fi
record build $build_status

banner check-nn
make check-nn "$PG_CONFIG_ARG"
record check-nn $?

banner check-nn-sanitize
make check-nn-sanitize "$PG_CONFIG_ARG"
record check-nn-sanitize $?

banner installcheck
regress_inputs=$(find sql -maxdepth 1 -name '*.sql' ! -name 'ubehav--*' | wc -l)
if [ "$regress_inputs" -eq 0 ]; then
    echo "no pg_regress inputs in sql/ (only the install script)"
    record installcheck 1
else
    rm -f regression.diffs
    make installcheck "$PG_CONFIG_ARG"
    status=$?
    if [ $status -ne 0 ] && [ -f regression.diffs ]; then
        echo "--- regression.diffs"
        cat regression.diffs
    fi
    record installcheck $status
fi

banner pgtap
shopt -s nullglob
pgtap_files=(test/pgtap/*.sql)
if [ ${#pgtap_files[@]} -eq 0 ]; then
    echo "no pgTAP tests in test/pgtap/"
    record pgtap 1
else
    pg_prove --verbose --failures --ext .sql "${pgtap_files[@]}"
    record pgtap $?
fi

for t in test/scripts/t_*.sh; do
    name=$(basename "$t")
    banner "$name"
    bash "$t"
    record "$name" $?
done

echo
if [ $failed -gt 0 ]; then
    echo "failed suites: ${failed_names[*]}"
    echo "server log: $UBEHAV_PGDIR/server.log (last 30 lines follow)"
    tail -n 30 "$UBEHAV_PGDIR/server.log" 2>/dev/null
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
