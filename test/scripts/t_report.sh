#!/usr/bin/env bash
# t_report.sh: the HTML report renders in a real browser. ubehav_html_report of a small model is
# opened in headless Chromium (Debian's chromium, installed when missing): the parsed page must
# hold the three charts with their curves and bars, and a screenshot must be drawn.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=setup.sh
source test/scripts/setup.sh
command -v chromium > /dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }
export PGDATABASE=ubehav_report
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
work=$(mktemp -d)
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS ubehav_report' -c 'CREATE DATABASE ubehav_report'
q <<'SQL' > /dev/null
SET client_min_messages = warning;
CREATE EXTENSION ubehav;
SELECT setseed(0.3);
CREATE TABLE visits AS SELECT i AS id, random() AS a, random() AS b FROM generate_series(1, 3000) i;
ALTER TABLE visits ADD COLUMN bought boolean;
UPDATE visits SET bought = a * b > 0.25;
SELECT ubehav_train('report', 'SELECT a, b, bought FROM visits WHERE id <= 2000', 'bought', '{"epochs": 20, "hidden": [16], "learning_rate": 0.01}');
SQL
q -c "SELECT ubehav_html_report('report', 'SELECT * FROM visits WHERE id > 2000')" > "$work/report.html"
browser() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" "$@" "file://$work/report.html" 2> /dev/null
}
browser --dump-dom > "$work/dom.html"
browser --screenshot="$work/report.png" --window-size=1400,800 > /dev/null
svgs=$(grep -o '<svg id="[a-z]*"' "$work/dom.html" | wc -l)
lines=$(grep -o '<polyline' "$work/dom.html" | wc -l)
bars=$(grep -o '<rect class="\(positive\|negative\)"' "$work/dom.html" | wc -l)
points=$(grep -o 'class="roc"[^>]*points="[^"]*"' "$work/dom.html" | tr ' ' '\n' | grep -c ',')
png=$(stat -c %s "$work/report.png" 2>/dev/null || echo 0)
psql -X -q -d postgres -c 'DROP DATABASE ubehav_report'
rm -rf "$work"
echo "rendered: $svgs charts, $lines curves, $bars bars, $points ROC points, screenshot $png bytes"
if [ "$svgs" = 3 ] && [ "$lines" = 3 ] && [ "$bars" = 20 ] && [ "$points" -gt 10 ] && [ "$png" -gt 10000 ]; then
    echo "ok - the report's charts render in headless Chromium"
    exit 0
fi
echo "not ok - the report did not render as expected"
exit 1
