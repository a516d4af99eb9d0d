#!/usr/bin/env bash
# compare_train_step.sh REF [ROUNDS]: bench/train_step (EPOCHS, default 10) over src/nn of git REF (old) and of this tree
# (new), run alternately ROUNDS times on one thread; prints each run and the new/old ratio of rows/s.
# The machines are shared and noisy: only runs of one invocation are compared with each other.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ref=${1:-main}
rounds=${2:-5}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$ref" src/nn | tar -x -C "$tmp"
make -s PG_CONFIG="$PG_CONFIG" bench/build/train_step >/dev/null
make -s PG_CONFIG="$PG_CONFIG" bench/build/train_step_ref BENCH_REF_DIR="$tmp" >/dev/null
for i in $(seq "$rounds"); do
    old=$(bench/build/train_step_ref "${EPOCHS:-10}" 1)
    new=$(bench/build/train_step "${EPOCHS:-10}" 1)
    o=$(awk '{print $2}' <<<"$old")
    n=$(awk '{print $2}' <<<"$new")
    echo "round $i old: $old"
    echo "round $i new: $new"
    awk -v o="$o" -v n="$n" -v i="$i" 'BEGIN { printf "round %d ratio new/old %.3f\n", i, n / o }'
done
