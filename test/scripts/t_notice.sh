#!/usr/bin/env bash
# ubehav_train raises a NOTICE when rows with a NULL target are skipped
# (pgTAP cannot see notices, so this is checked on psql's output).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh

out=$(psql -X -v ON_ERROR_STOP=1 -At 2>&1 <<'SQL'
BEGIN;
SET client_min_messages = notice;
CREATE EXTENSION IF NOT EXISTS ubehav;
CREATE TEMP TABLE t AS
SELECT i::float8 AS x, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 3 = 0 END AS y
FROM generate_series(1, 200) i;
SELECT ubehav_train('notice_check', 'SELECT x, y FROM t', 'y', '{"epochs": 1, "hidden": [4]}')->>'rows_skipped';
ROLLBACK;
SQL
) || { echo "$out"; echo "not ok - training failed"; exit 1; }
echo "$out"
if ! grep -q '^20$' <<<"$out"; then
    echo "not ok - rows_skipped is not 20"; exit 1
fi
if grep -qiE 'NOTICE:.*(skip|null)' <<<"$out" && grep -qE 'NOTICE:.*20' <<<"$out"; then
    echo "ok - NOTICE about the 20 skipped rows"
else
    echo "not ok - no NOTICE mentioning the 20 rows skipped for a NULL target"; exit 1
fi
