#!/usr/bin/env bash
# t_report.sh: the HTML report renders in a real browser as a page worth sending. ubehav_html_report
# of a small model is opened in headless Chromium (Debian's chromium, installed when missing):
#  - the parsed page holds the four charts (learning curve, ROC, scores by class, calibration),
#    each with numeric tick labels, axis titles and a legend (SVG <text>), the AUC and the
#    threshold on the ROC, the confusion matrix, the metrics, data and options tables, no script;
#  - a screenshot is not mostly blank: in each chart's region (its box as the browser laid it
#    out) enough pixels are drawn, and the charts fill the page's width, two to a row;
#  - printed to PDF, the page is A4.
# UBEHAV_REPORT_PNG=FILE keeps the screenshot.
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
CREATE TABLE visits AS SELECT i AS id, random() AS a, random() AS b, random() AS noise FROM generate_series(1, 3000) i;
ALTER TABLE visits ADD COLUMN bought boolean;
UPDATE visits SET bought = a * b + 0.3 * noise > 0.4;
SELECT ubehav_train('report', 'SELECT a, b, bought FROM visits WHERE id <= 2000', 'bought',
                    '{"epochs": 20, "hidden": [16], "learning_rate": 0.01, "verbose": 0}');
SQL
q -c "SELECT ubehav_html_report('report', 'SELECT * FROM visits WHERE id > 2000')" > "$work/report.html"
size=1280,1800
browser() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
        --force-device-scale-factor=1 --user-data-dir="$work/profile" "$@" 2> /dev/null
}
# a copy of the page with a script that writes each chart's laid-out box into the DOM (the report has none)
sed 's|</body>|<script>document.body.insertAdjacentHTML("beforeend", "<pre id=boxes>" + [...document.querySelectorAll("svg")].map(s => { const r = s.getBoundingClientRect(); return [s.id, r.left, r.top, r.width, r.height].map(v => typeof v === "number" ? Math.round(v) : v).join(" "); }).join("\\n") + "</pre>");</script></body>|' \
    "$work/report.html" > "$work/boxes.html"
browser --window-size=$size --dump-dom "file://$work/report.html" > "$work/dom.html"
browser --window-size=$size --dump-dom "file://$work/boxes.html" > "$work/boxes-dom.html"
browser --window-size=$size --screenshot="$work/report.png" "file://$work/report.html" > /dev/null
browser --no-pdf-header-footer --print-to-pdf="$work/report.pdf" "file://$work/report.html" > /dev/null
[ -n "${UBEHAV_REPORT_PNG:-}" ] && cp "$work/report.png" "$UBEHAV_REPORT_PNG"
psql -X -q -d postgres -c 'DROP DATABASE ubehav_report'

python3 - "$work" "$size" <<'PY'
import re, struct, sys, zlib
work, size = sys.argv[1], sys.argv[2]
width = int(size.split(",")[0])
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += 0 if ok else 1

html = open(f"{work}/report.html").read()
dom = open(f"{work}/dom.html").read()
check("<script" not in html.lower() and "<link" not in html.lower() and "url(" not in html,
      "the report is self-contained: no script, link or external url")
charts = dict(re.findall(r'<svg id="([a-z]+)"(.*?)</svg>', dom, re.S))
check(sorted(charts) == ["calibration", "learning", "roc", "scores"],
      f"four charts: {', '.join(sorted(charts))}")
for name, body in sorted(charts.items()):
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", body)
    numbers = [t for t in texts if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", t)]
    legend = len(re.findall(r'<g class="legend">', body))
    check(len(numbers) >= 8 and len(texts) - len(numbers) >= 3 and legend == 1 and "-0.0" not in numbers,
          f"{name}: {len(texts)} <text> labels, {len(numbers)} of them tick numbers, a legend, axis titles")
roc = charts.get("roc", "")
auc = re.search(r">AUC (0\.[0-9]{3}|1\.000)<", roc)
check(auc is not None and 'class="threshold"' in roc and re.search(r">threshold 0\.[0-9]{3}: recall", roc) is not None,
      f"the ROC carries the AUC ({auc.group(1) if auc else 'missing'}) and the threshold's point")
check(len(re.findall(r'<rect class="(positive|negative)"', charts.get("scores", ""))) == 20,
      "scores by class: 20 bars (10 bins, 2 classes)")
check(len(re.findall(r"<circle", charts.get("calibration", ""))) >= 5 and 'class="calibration"' in charts.get("calibration", ""),
      "calibration: a curve and a dot per filled bin")
check('class="cm"' in dom and "Expected calibration error" in dom and ">Options<" in dom and ">Features<" in dom
      and ">Metrics<" in dom, "confusion matrix, calibration error, metrics, data, features and options")

def png_pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    assert depth == 8 and interlace == 0 and ctype in (2, 6)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return w, h, bpp, rows

boxes = {}
m = re.search(r'<pre id="boxes">(.*?)</pre>', open(f"{work}/boxes-dom.html").read(), re.S)
for line in (m.group(1).strip().splitlines() if m else []):
    name, *v = line.split()
    boxes[name] = [int(x) for x in v]
check(len(boxes) == 4, f"the browser laid out {len(boxes)} charts")
try:
    w, h, bpp, rows = png_pixels(f"{work}/report.png")
except Exception as e:
    w = h = 0; rows = []
    check(False, f"the screenshot decodes: {e}")
for name, (left, top, bw, bh) in sorted(boxes.items()):
    drawn = total = 0
    for y in range(max(top, 0), min(top + bh, h)):
        row = rows[y]
        for x in range(max(left, 0), min(left + bw, w)):
            p = row[x * bpp:x * bpp + 3]
            total += 1
            drawn += min(p) < 235
    share = drawn / total if total else 0
    check(total > 0 and share >= 0.03 and bw >= 0.35 * width,
          f"{name}: {bw}x{bh} px at ({left}, {top}), {100 * share:.1f}% of its pixels drawn (at least 3%), at least 35% of the page's width")
if len(boxes) == 4:
    tops = sorted({b[1] for b in boxes.values()})
    check(len(tops) == 2, "two charts to a row, in two rows")
pdf = open(f"{work}/report.pdf", "rb").read()
pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", pdf)
a4 = box is not None and abs(float(box.group(1)) - 595.3) < 1 and abs(float(box.group(2)) - 841.9) < 1  # 210 x 297 mm in points
check(a4 and 1 <= pages <= 3, f"printed: {pages} A4 page(s)")
print(f"screenshot {w}x{h}")
sys.exit(1 if fails else 0)
PY
rc=$?
rm -rf "$work"
[ $rc = 0 ] && { echo "ok - the report renders in headless Chromium as a page worth sending"; exit 0; }
echo "not ok - the report did not render as expected"
exit 1
