"""export_score.py: score rows with a model exported by ubehav_export, using numpy only.

    python3 export_score.py export.json rows.csv   # rows.csv: a header of column names, then rows
prints one score per row: the positive class's probability (binary), the predicted value
(regression) or the most likely class's probability (multiclass). It re-implements the stored
preprocessing (transforms, centre, scale, smooth clipping, imputation, missing indicators,
one-hot vocabularies and integer codes, PCA) and the
forward pass from the export alone, so an export is enough to score a model outside PostgreSQL.
"""
import csv
import json
import math
import sys

import numpy as np

ACTIVATIONS = {
    "relu": lambda h: np.maximum(h, 0),
    "leaky_relu": lambda h: np.where(h > 0, h, 0.01 * h),
    "tanh": np.tanh,
    "sigmoid": lambda h: 1 / (1 + np.exp(-h)),
    "linear": lambda h: h,
}


LOG1P, YEO_JOHNSON, CLIP = 1, 2, 4  # the flags of a column's "transform", per slot


def yeo_johnson(v, lam):
    if v >= 0:
        return math.log1p(v) if abs(lam) < 1e-12 else ((v + 1) ** lam - 1) / lam
    return -math.log1p(-v) if abs(lam - 2) < 1e-12 else -((1 - v) ** (2 - lam) - 1) / (2 - lam)


def number(text):
    return {"t": 1.0, "f": 0.0}.get(text, None) if text in ("t", "f") else float(text)


def encode(prep, row):
    x = np.zeros(prep["n_encoded"])
    offset = 0
    for col in prep["columns"]:
        value = row[col["name"]]
        if col["kind"] == "categorical":
            cats = col["categories"]
            if value is None:
                index = col["impute"]
            else:
                index = cats.index(value) if value in cats else -1
            x[offset + (index if index >= 0 else len(cats))] = 1.0
            offset += len(cats) + 1
            continue
        width = col["width"]
        if col["kind"] == "array":
            values = [None] * width if value is None else \
                [None if v == "NULL" else float(v) for v in value.strip("{}").split(",")]
        else:
            values = [None if value is None else number(value)]
        transform = col.get("transform", [0] * width)  # absent before 0.2.0: the affine map alone
        for k, v in enumerate(values):
            missing = v is None
            r = col["impute"][k] if missing else v
            t = transform[k]
            if t & LOG1P:
                r = math.log1p(r) if r >= 0 else -math.log1p(-r)
            elif t & YEO_JOHNSON:
                r = yeo_johnson(r, col["lambda"][k])
            e = (r - col["center"][k]) * col["scale"][k]
            if t & CLIP:
                e = e / math.sqrt(1 + e * e / 9)
            x[offset + k] = e
            if col["indicator"]:
                x[offset + width + k] = 1.0 if missing else 0.0
        offset += width * (2 if col["indicator"] else 1)
        if "codes" in col:  # one-hot of a few whole values, then one input for any other
            codes = col["codes"]
            r = col["impute"][0] if values[0] is None else values[0]
            x[offset + (codes.index(r) if r in codes else len(codes))] = 1.0
            offset += len(codes) + 1
    if "pca" in prep:
        pca = prep["pca"]
        x = np.array(pca["components"]) @ (x - np.array(pca["mean"]))
    return x


def score(export, x):
    net = export["network"]
    act = ACTIVATIONS[net["activation"]]
    h = x.astype(np.float32)
    layers = net["layers"]
    for i, layer in enumerate(layers):
        h = h @ np.array(layer["W"], dtype=np.float32) + np.array(layer["b"], dtype=np.float32)
        if i < len(layers) - 1:
            h = act(h)
    if net["head"] == "sigmoid":
        return float(1 / (1 + np.exp(-np.float64(h[0]))))
    if net["head"] == "softmax":
        e = np.exp(h.astype(np.float64) - np.max(h))
        return float(np.max(e / e.sum()))
    prep = export["preprocessing"]
    return float(h[0]) * prep["target_std"] + prep["target_mean"]


def main():
    export = json.load(open(sys.argv[1]))
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f):
            row = {k: (None if v == "" else v) for k, v in row.items()}
            print(repr(score(export, encode(export["preprocessing"], row))))


if __name__ == "__main__":
    main()
