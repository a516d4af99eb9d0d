"""bench/peers.py: the peers of the benchmark, one per process so peak memory is each one's own.

    python3 peers.py torch|sklearn_mlp train.csv val.csv      -> JSON: rows/s, AUC, peak RSS
    python3 peers.py quality sessions.csv                      -> JSON: AUC of sklearn defaults

Same data, split, architecture (10-128-64-1, relu), optimizer (Adam, lr 0.001), batch 32 and
epochs (10) as ubehav; one thread (OMP/OpenBLAS/MKL threads set to 1 by run.sh).
"""
import json
import resource
import sys
import time

import numpy as np


def load(path):
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return data[:, :-1], data[:, -1]


def auc(scores, labels):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(labels, scores))


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_torch(train, val, epochs=10):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(1)
    x, y = load(train)
    xv, yv = load(val)
    mean, sd = x.mean(0), x.std(0)
    x, xv = (x - mean) / sd, (xv - mean) / sd
    X, Y = torch.from_numpy(x), torch.from_numpy(y).unsqueeze(1)
    model = torch.nn.Sequential(torch.nn.Linear(10, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(X.shape[0])
        for i in range(0, X.shape[0], 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        scores = model(torch.from_numpy(xv)).squeeze(1).numpy()
    return {"peer": "pytorch", "rows": len(y), "epochs": epochs, "seconds": seconds,
            "rows_per_s": len(y) * epochs / seconds, "auc": auc(scores, yv), "peak_mb": peak_mb()}


def run_sklearn_mlp(train, val, epochs=10):
    import warnings
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    x, y = load(train)
    xv, yv = load(val)
    scaler = StandardScaler().fit(x)
    x, xv = scaler.transform(x), scaler.transform(xv)
    model = MLPClassifier(hidden_layer_sizes=(128, 64), activation="relu", solver="adam",
                          learning_rate_init=0.001, batch_size=32, max_iter=epochs, alpha=0.0,
                          shuffle=True, random_state=1, tol=0.0, n_iter_no_change=epochs + 1,
                          epsilon=1e-7)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # max_iter reached: intended
        model.fit(x, y)
    seconds = time.perf_counter() - start
    scores = model.predict_proba(xv)[:, 1]
    return {"peer": "sklearn_mlp", "rows": len(y), "epochs": epochs, "seconds": seconds,
            "rows_per_s": len(y) * epochs / seconds, "auc": auc(scores, yv), "peak_mb": peak_mb()}


def run_quality(path):
    """Default-option quality on behaviour sessions: the split is day < 22 (train) / >= 22."""
    import csv
    import warnings
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    numbers = ["returning_visitor", "pages_viewed", "duration_s", "cart_adds", "discount_pct", "avg_price"]
    text = ["device", "channel"]
    rows = list(csv.DictReader(open(path)))

    def value(s):
        return float("nan") if s == "" else float({"t": 1, "f": 0}.get(s, s))

    day = np.array([int(r["day"]) for r in rows])
    X = np.array([[value(r[c]) for c in numbers] + [r[c] for c in text] for r in rows], dtype=object)
    y = np.array([r["purchased"] == "t" for r in rows])
    train, val = day < 22, day >= 22
    n = len(numbers)
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), list(range(n))),
        ("cat", OneHotEncoder(handle_unknown="ignore"), [n, n + 1])])
    results = {}
    for name, est in [("sklearn_mlp_defaults", MLPClassifier(random_state=1)),
                      ("sklearn_logistic_regression", LogisticRegression(max_iter=1000))]:
        model = make_pipeline(prep, est)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[train], y[train])
        results[name] = {"auc": auc(model.predict_proba(X[val])[:, 1], y[val]),
                         "seconds": time.perf_counter() - start}
    return results


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "torch":
        print(json.dumps(run_torch(sys.argv[2], sys.argv[3])))
    elif kind == "sklearn_mlp":
        print(json.dumps(run_sklearn_mlp(sys.argv[2], sys.argv[3])))
    elif kind == "quality":
        print(json.dumps(run_quality(sys.argv[2])))
    else:
        sys.exit("usage: peers.py torch|sklearn_mlp train.csv val.csv | quality sessions.csv")
