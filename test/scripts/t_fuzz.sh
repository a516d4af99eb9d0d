#!/usr/bin/env bash
# t_fuzz.sh: a short libFuzzer run of the model deserializer and the options parser (15 s each);
# a crash, a sanitizer report or a failed invariant fails the test. The longer run is documented
# in the README: make fuzz-short FUZZ_SECONDS=600.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=$(make -s fuzz-short FUZZ_SECONDS="${UBEHAV_FUZZ_SECONDS:-15}" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config 2>&1) || {
    echo "$out" | tail -40
    echo "not ok - fuzzing found a failure"
    exit 1
}
echo "$out" | grep -E "^Done|number_of_executed_units" || true
echo "ok - fuzzing found nothing"
