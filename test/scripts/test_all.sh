#!/usr/bin/env bash
# test/scripts/test_all.sh: every test of ubehav, from a fresh Debian 12 machine (as root).
#
#   bash test/scripts/test_all.sh
#
# Set-up (test/scripts/setup.sh: packages, build, install, throwaway cluster), then the
# suites in order, each one run even when an earlier one failed, one line each on the terminal
# and its whole output in $UBEHAV_TEST_LOGS/NAME.log (default /tmp/ubehav-test-logs):
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
# One line per suite on the terminal; each suite's whole output in its own log file.
UBEHAV_TEST_LOGS="${UBEHAV_TEST_LOGS:-${TMPDIR:-/tmp}/ubehav-test-logs}"
rm -rf "$UBEHAV_TEST_LOGS" && mkdir -p "$UBEHAV_TEST_LOGS"
chmod 0755 "$UBEHAV_TEST_LOGS"
passed=0
failed=0
failed_names=()

# run_suite NAME COMMAND...: runs the command with its output in NAME.log; PASS or FAIL and the time.
run_suite() {
    local name=$1 log="$UBEHAV_TEST_LOGS/$1.log" start status summary
    shift
    start=$(date +%s)
    "$@" >"$log" 2>&1
    status=$?
    summary=$(grep -E '^ *(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests failed)|^Files=|^[0-9]+ passed, [0-9]+ failed|^ok - |^not ok - ' "$log" | tail -n 1 | sed 's/^ *//; s/, *[0-9]* wallclock.*//')
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        printf '=== suite %-22s PASS  %4ss  %s\n' "$name" "$(( $(date +%s) - start ))" "$summary"
    else
        failed=$((failed + 1)); failed_names+=("$name")
        printf '=== suite %-22s FAIL  %4ss  (status %s; log %s)\n' "$name" "$(( $(date +%s) - start ))" "$status" "$log"
        # the failures in full: the log's failing lines and its end
        grep -nE 'not ok|FAILED|FAIL|ERROR|error:|Assertion|terminated by signal' "$log" | head -n 40 | sed 's/^/    /'
        echo "    --- last 30 lines of $log"
        tail -n 30 "$log" | sed 's/^/    /'
    fi
}

suite_build() {
    # a shared library links even with undefined symbols; loading it is the real check
    cat "${TMPDIR:-/tmp}/ubehav-build.log" 2>/dev/null
    [ "${UBEHAV_BUILD_OK:-0}" = 1 ] && psql -X -q -v ON_ERROR_STOP=1 -c "LOAD 'ubehav'" && echo "ok - ubehav.so builds, installs and loads"
}

suite_installcheck() {
    local regress_inputs
    regress_inputs=$(find sql -maxdepth 1 -name '*.sql' ! -name 'ubehav--*' | wc -l)
    if [ "$regress_inputs" -eq 0 ]; then
        echo "no pg_regress inputs in sql/ (only the install scripts)"
        return 1
    fi
    rm -f regression.diffs
    make installcheck "$PG_CONFIG_ARG" && return 0
    [ -f regression.diffs ] && { echo "--- regression.diffs"; cat regression.diffs; }
    return 1
}

suite_pgtap() {
    shopt -s nullglob
    local files=(test/pgtap/*.sql)
    [ ${#files[@]} -eq 0 ] && { echo "no pgTAP tests in test/pgtap/"; return 1; }
    # the tests read no training progress NOTICEs (t_progress.sh does)
    PGOPTIONS="${PGOPTIONS:-} -c ubehav.progress=0" pg_prove --verbose --failures --ext .sql "${files[@]}"
}

echo "logs: $UBEHAV_TEST_LOGS"
run_suite build suite_build
run_suite check-nn make -s check-nn "$PG_CONFIG_ARG"
run_suite check-nn-sanitize make -s check-nn-sanitize "$PG_CONFIG_ARG"
run_suite installcheck suite_installcheck
run_suite pgtap suite_pgtap
for t in test/scripts/t_*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = t_fuzz ] && echo "    (fuzzing the deserializer and the options parser for ${UBEHAV_FUZZ_SECONDS:-15} s each)"
    run_suite "$name" bash "$t"
done

echo
if [ $failed -gt 0 ]; then
    echo "failed suites: ${failed_names[*]}"
    echo "server log: $UBEHAV_PGDIR/server.log (last 30 lines follow)"
    tail -n 30 "$UBEHAV_PGDIR/server.log" 2>/dev/null
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
