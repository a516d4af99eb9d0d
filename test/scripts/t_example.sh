#!/usr/bin/env bash
# t_example.sh: the analyst's Python client (examples/analyst_client.py: psycopg2, pandas,
# matplotlib) runs against the test cluster: it trains, scores, reads the metrics, the training
# log and the ROC curve into DataFrames and writes two PNG plots. Each PNG must be a real image of
# a plot: at least 10 kB, 300x300 pixels or more, and far from one colour (the lines and labels).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PGDATABASE=ubehav_example
out=$(mktemp -d /tmp/ubehav-example.XXXX)
trap 'rm -rf "$out"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ubehav_example" 2>/dev/null' EXIT
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_example' -c 'CREATE DATABASE ubehav_example' || exit 1

/usr/bin/python3 examples/analyst_client.py "$out"
status=$?
[ $status -eq 0 ] || { echo "not ok - examples/analyst_client.py exited with $status"; exit 1; }
echo "ok - examples/analyst_client.py ran"

/usr/bin/python3 - "$out" <<'PY'
import os, sys
import matplotlib.image as mpimg
import pandas as pd

out, failures = sys.argv[1], 0
for name in ("learning_curve.png", "roc.png"):
    path = os.path.join(out, name)
    if not os.path.isfile(path):
        print(f"not ok - {name} was not written"); failures += 1; continue
    size = os.path.getsize(path)
    img = mpimg.imread(path)            # reads PNG natively: a broken file raises
    h, w = img.shape[:2]
    gray = img[..., :3].mean(axis=2)
    dark = float((gray < 0.9).mean())   # share of pixels that are not (near) white background
    ok = size >= 10_000 and h >= 300 and w >= 300 and 0.005 < dark < 0.6 and float(gray.std()) > 0.05
    print(("ok" if ok else "not ok") + f" - {name}: {size} bytes, {w}x{h}, {dark:.1%} drawn pixels, std {gray.std():.3f}")
    failures += 0 if ok else 1
scores = pd.read_csv(os.path.join(out, "scores.csv"))
ok = len(scores) == 800 and scores["p_buy"].between(0, 1).all()
print(("ok" if ok else "not ok") + f" - scores.csv: {len(scores)} rows, p_buy in [0, 1]")
failures += 0 if ok else 1
sys.exit(1 if failures else 0)
PY
