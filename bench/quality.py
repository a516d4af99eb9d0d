"""bench/quality.py: the tables and the scikit-learn peers of bench/quality.sh.

    python3 quality.py tables DATADIR                  -> one line per table: name csv target positive
    python3 quality.py sql NAME CSV TARGET POSITIVE    -> SQL that creates and fills table q_NAME
    python3 quality.py peers NAME CSV TARGET POSITIVE  -> JSON lines: peer, seed, auc, log_loss, seconds
    python3 quality.py report RESULTS.jsonl            -> the markdown table of bench/quality.sh

Every table is a CSV file (header row, NA for missing values). Its rows are numbered in file
order from 0; row numbers divisible by 5 are the test set, the others training. Columns whose
values all parse as numbers are numbers (integers when all are whole), the others text. The
target becomes the boolean y: the value equals POSITIVE. The peers see the same split and the
same columns, numbers standardised with training means (missing values set to the mean), text
one-hot encoded, as in ../shared/data/README.md.
"""
import csv
import json
import math
import os
import sys
import time

# name, file, target, positive value; the reviews (free text) wait for text features
TABLES = [
    ("mlc_churn", "mlc_churn.csv", "churn", "yes"),
    ("attrition", "attrition.csv", "Attrition", "Yes"),
    ("credit_data", "credit_data.csv", "Status", "bad"),
]


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def column_kinds(header, rows):
    kinds = []
    for j, _ in enumerate(header):
        kind = "integer"
        for r in rows:
            v = r[j]
            if v == "NA":
                continue
            try:
                x = float(v)
            except ValueError:
                kind = "text"
                break
            if kind == "integer" and (not x.is_integer() or "." in v or abs(x) > 2**31 - 1):
                kind = "float8"
        kinds.append(kind)
    return kinds


def sql_name(c):
    return '"' + c.lower().replace('"', '""') + '"'


def emit_sql(name, path, target, positive):
    header, rows = read_csv(path)
    kinds = column_kinds(header, rows)
    t = target
    cols = []
    for c, k in zip(header, kinds):
        if c == t:
            continue
        cols.append(f"{sql_name(c)} {k}")
    out = sys.stdout
    out.write(f"DROP TABLE IF EXISTS q_{name};\n")
    out.write(f"CREATE TABLE q_{name} (rn integer, {', '.join(cols)}, y boolean);\n")
    out.write(f"COPY q_{name} FROM STDIN;\n")
    ti = header.index(t)
    for i, r in enumerate(rows):
        vals = [str(i)]
        for j, v in enumerate(r):
            if j == ti:
                continue
            vals.append("\\N" if v == "NA" else v.replace("\\", "\\\\").replace("\t", " "))
        vals.append("t" if r[ti] == positive else "f")
        out.write("\t".join(vals) + "\n")
    out.write("\\.\n")
    out.write(f"ANALYZE q_{name};\n")


def matrices(path, target, positive):
    import numpy as np
    header, rows = read_csv(path)
    kinds = column_kinds(header, rows)
    ti = header.index(target)
    train = [r for i, r in enumerate(rows) if i % 5 != 0]
    test = [r for i, r in enumerate(rows) if i % 5 == 0]
    blocks_tr, blocks_te = [], []
    for j, k in enumerate(kinds):
        if j == ti:
            continue
        if k == "text":
            vocab = sorted({r[j] for r in train})
            for v in vocab:
                blocks_tr.append([1.0 if r[j] == v else 0.0 for r in train])
                blocks_te.append([1.0 if r[j] == v else 0.0 for r in test])
        else:
            a = [float(r[j]) for r in train if r[j] != "NA"]
            mean = sum(a) / len(a)
            sd = math.sqrt(sum((x - mean) ** 2 for x in a) / len(a)) or 1.0
            blocks_tr.append([((float(r[j]) if r[j] != "NA" else mean) - mean) / sd for r in train])
            blocks_te.append([((float(r[j]) if r[j] != "NA" else mean) - mean) / sd for r in test])
    Xtr = np.array(blocks_tr, dtype=np.float64).T
    Xte = np.array(blocks_te, dtype=np.float64).T
    ytr = np.array([r[ti] == positive for r in train], dtype=np.int64)
    yte = np.array([r[ti] == positive for r in test], dtype=np.int64)
    return Xtr, ytr, Xte, yte


def run_peers(name, path, target, positive):
    import warnings
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, roc_auc_score
    from sklearn.neural_network import MLPClassifier
    warnings.filterwarnings("ignore")
    Xtr, ytr, Xte, yte = matrices(path, target, positive)
    peers = [
        ("sklearn MLP 128-64", lambda s: MLPClassifier(hidden_layer_sizes=(128, 64), batch_size=32,
                                                       max_iter=10, learning_rate_init=0.001, random_state=s)),
        ("logistic regression", lambda s: LogisticRegression(max_iter=2000)),
        ("HistGradientBoosting", lambda s: HistGradientBoostingClassifier(random_state=s)),
    ]
    for peer, make in peers:
        for seed in (1, 2, 3):
            m = make(seed)
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            secs = time.perf_counter() - t0
            p = m.predict_proba(Xte)[:, 1]
            print(json.dumps({"table": name, "system": peer, "seed": seed, "auc": roc_auc_score(yte, p),
                              "log_loss": log_loss(yte, p), "seconds": secs}))


def report(path):
    res = [json.loads(line) for line in open(path) if line.strip()]
    tables, systems = [], []
    for r in res:
        if r["table"] not in tables:
            tables.append(r["table"])
        if r["system"] not in systems:
            systems.append(r["system"])
    print("| table | system | test AUC (seeds 1 / 2 / 3) | mean AUC | mean log loss | mean training s |")
    print("|---|---|---|---:|---:|---:|")
    for t in tables:
        for s in systems:
            rs = sorted((r for r in res if r["table"] == t and r["system"] == s), key=lambda r: r["seed"])
            if not rs:
                continue
            if "note" in rs[0]:
                print(f"| {t} | {s} | {rs[0]['note']} | | | |")
                continue
            aucs = " / ".join(f"{r['auc']:.3f}" for r in rs)
            mean = lambda k: sum(r[k] for r in rs) / len(rs)
            print(f"| {t} | {s} | {aucs} | {mean('auc'):.3f} | {mean('log_loss'):.3f} | {mean('seconds'):.2f} |")


def main():
    cmd = sys.argv[1]
    if cmd == "tables":
        d = sys.argv[2]
        for name, f, target, pos in TABLES:
            if os.path.exists(os.path.join(d, f)):
                print(name, os.path.join(d, f), target, pos)
    elif cmd == "sql":
        emit_sql(*sys.argv[2:6])
    elif cmd == "peers":
        run_peers(*sys.argv[2:6])
    elif cmd == "report":
        report(sys.argv[2])


if __name__ == "__main__":
    main()
