"""bench/recommend.py: ubehav's recommender beside popularity, item-kNN (cosine) and implicit ALS
(Hu, Koren and Volinsky, 2008), on the same leave-last-out split of the generated events, in one run.

    /usr/bin/python3 bench/recommend.py [--users 10000] [--seed 1] [--json out.json]

Connects with the PG* environment (PGHOST, PGPORT, PGUSER, PGDATABASE) to a database where
ubehav is installed. Steps:
  1. events of ubehav_demo_events(users, 180 days, seed): view (weight 1), add_to_cart (2) and
     purchase (4) events, each a (user, product, weight, ts) interaction;
  2. one pair per (user, product): weights summed, time of its first event; each user with two or
     more products holds out the latest new one (ties: the later event) -- the rule of
     ubehav_evaluate_recommender;
  3. every method learns from the remaining pairs only and ranks the whole catalogue for each
     held-out user, without the user's training products; HR@10 and NDCG@10 by one function;
  4. ubehav: the training pairs are written to a table, ubehav_train_recommender trains on it with
     its defaults, ubehav_recommend gives each held-out user's top 10 (one LATERAL query, timed);
  5. the baselines' settings: a small grid each, the best on the held-out items themselves (so
     the baselines get the benefit of the doubt); ubehav runs with its defaults, untuned here.
Also prints ubehav_evaluate_recommender on the full interactions as a cross-check (same split
rule inside the extension, so its figures should match the ubehav row).
"""
import argparse
import io
import json
import math
import sys
import time

import numpy as np
import psycopg2

K = 10


def fetch_interactions(cur, users, seed):
    cur.execute("DROP SCHEMA IF EXISTS bench_rec CASCADE")
    cur.execute("CREATE SCHEMA bench_rec")
    cur.execute(
        "CREATE TABLE bench_rec.interactions AS "
        "SELECT event_id, user_id::bigint AS user_id, product_id::bigint AS item, "
        "       CASE event_type WHEN 'purchase' THEN 4 WHEN 'add_to_cart' THEN 2 ELSE 1 END AS weight, ts "
        "FROM ubehav_demo_events(%s, 180, %s) "
        "WHERE event_type IN ('view', 'add_to_cart', 'purchase')", (users, seed))
    cur.execute("SELECT user_id, item, weight, extract(epoch FROM ts)::float8 "
                "FROM bench_rec.interactions ORDER BY event_id")
    return np.array(cur.fetchall(), dtype=np.float64)


def split(rows):
    """Pairs (user, item, weight sum, first time, first row); each user's latest new item held out."""
    pairs = {}
    for r, (u, i, w, t) in enumerate(rows):
        key = (int(u), int(i))
        p = pairs.get(key)
        if p is None:
            pairs[key] = [w, t, r]
        else:
            p[0] += w
            if (t, r) < (p[1], p[2]):
                p[1], p[2] = t, r
    by_user = {}
    for (u, i), (w, t, r) in pairs.items():
        by_user.setdefault(u, []).append((t, r, i, w))
    train, held = [], {}
    for u, lst in by_user.items():
        lst.sort()
        if len(lst) >= 2:
            held[u] = lst[-1][2]
            lst = lst[:-1]
        train.extend((u, i, w) for (_, _, i, w) in lst)
    return train, held


def metrics(topk, held):
    """HR@K and NDCG@K of {user: [items best first]} against {user: held-out item}."""
    hr = ndcg = 0.0
    for u, target in held.items():
        rec = topk.get(u, [])
        if target in rec:
            r = rec.index(target)
            hr += 1.0
            ndcg += 1.0 / math.log2(r + 2)
    n = len(held)
    return hr / n, ndcg / n


def coverage(topk, n_items):
    return len({i for rec in topk.values() for i in rec}) / n_items


class Matrix:
    def __init__(self, train):
        users = sorted({u for u, _, _ in train})
        items = sorted({i for _, i, _ in train})
        self.uix = {u: k for k, u in enumerate(users)}
        self.iix = {i: k for k, i in enumerate(items)}
        self.items = np.array(items)
        self.R = np.zeros((len(users), len(items)), dtype=np.float32)  # weight sums
        for u, i, w in train:
            self.R[self.uix[u], self.iix[i]] = w
        self.B = (self.R > 0).astype(np.float32)

    def topk(self, scores_of, held):
        out = {}
        for u in held:
            x = self.uix[u]
            s = scores_of(x).astype(np.float64).copy()
            s[self.B[x] > 0] = -np.inf
            # best first, ties by item id (the order of the columns)
            top = np.lexsort((np.arange(len(s)), -s))[:K]
            out[u] = [int(self.items[j]) for j in top]
        return out


def popularity(m, held):
    pop = m.B.sum(0)
    return m.topk(lambda x: pop, held), {}


def item_knn(m, held):
    best = None
    for neighbours in (50, 200, None):
        norms = np.sqrt(m.B.sum(0)) + 1e-12
        S = (m.B.T @ m.B) / np.outer(norms, norms)
        np.fill_diagonal(S, 0.0)
        if neighbours is not None:
            # keep each item's `neighbours` most similar items
            cut = -np.sort(-S, axis=0)[neighbours - 1]
            S = np.where(S >= cut[None, :], S, 0.0)
        top = m.topk(lambda x: m.B[x] @ S, held)
        hr, ndcg = metrics(top, held)
        if best is None or ndcg > best[1][1]:
            best = (top, (hr, ndcg), {"neighbours": neighbours or "all"})
    return best[0], best[2]


def als(m, held, factors, reg, alpha, iters=15, seed=0):
    """Implicit ALS: confidence 1 + alpha * log1p(weight), preference 1 where a pair exists."""
    rng = np.random.default_rng(seed)
    n_u, n_i = m.R.shape
    C = alpha * np.log1p(m.R)
    X = rng.normal(0, 0.01, (n_u, factors)).astype(np.float64)
    Y = rng.normal(0, 0.01, (n_i, factors)).astype(np.float64)
    rows = [np.nonzero(m.B[x])[0] for x in range(n_u)]
    cols = [np.nonzero(m.B[:, j])[0] for j in range(n_i)]
    eye = reg * np.eye(factors)

    def solve(F, idx_lists, conf_of):
        FtF = F.T @ F
        out = np.zeros((len(idx_lists), factors))
        for a, idx in enumerate(idx_lists):
            if len(idx) == 0:
                continue
            c = conf_of(a, idx)
            Fi = F[idx]
            A = FtF + (Fi.T * c) @ Fi + eye
            b = (Fi.T * (1.0 + c)).sum(1)
            out[a] = np.linalg.solve(A, b)
        return out

    for _ in range(iters):
        X = solve(Y, rows, lambda a, idx: C[a, idx])
        Y = solve(X, cols, lambda a, idx: C[idx, a])
    return m.topk(lambda x: Y @ X[x], held)


def als_grid(m, held):
    best = None
    for factors in (32, 64):
        for reg in (0.1, 10.0):
            for alpha in (1.0, 10.0):
                top = als(m, held, factors, reg, alpha)
                hr, ndcg = metrics(top, held)
                if best is None or ndcg > best[1][1]:
                    best = (top, (hr, ndcg), {"factors": factors, "regularization": reg, "alpha": alpha})
    return best[0], best[2]


def ubehav(cur, train, held):
    cur.execute("CREATE TABLE bench_rec.train (user_id bigint, item bigint, weight float8)")
    buf = io.StringIO("".join(f"{u}\t{i}\t{w}\n" for u, i, w in train))
    cur.copy_expert("COPY bench_rec.train FROM STDIN", buf)
    t0 = time.time()
    cur.execute("SELECT ubehav_train_recommender('bench_rec', 'SELECT user_id, item, weight FROM bench_rec.train')")
    summary = cur.fetchone()[0]
    train_s = time.time() - t0
    users = sorted(held)
    t0 = time.time()
    cur.execute("SELECT h.u, r.item FROM unnest(%s::bigint[]) AS h(u), "
                "LATERAL ubehav_recommend('bench_rec', h.u, %s) AS r ORDER BY h.u, r.rank", (users, K))
    rows = cur.fetchall()
    query_s = time.time() - t0
    top = {}
    for u, i in rows:
        top.setdefault(u, []).append(i)
    return top, {"training_s": round(train_s, 2), "top10_query_s": round(query_s, 3),
                 "us_per_user": round(1e6 * query_s / len(users), 1), "options": summary["options"]}


def latency(cur, n_items=10000, n_users=5000, runs=5):
    """Microseconds per user of top-10 over n_items: one LATERAL query over n_users, least of runs."""
    cur.execute("SELECT setseed(0.5)")
    cur.execute("DROP TABLE IF EXISTS bench_rec.latency")
    cur.execute("CREATE TABLE bench_rec.latency AS SELECT u::bigint AS user_id, (1 + floor(random() * %s))::bigint AS item "
                "FROM generate_series(1, %s) u, generate_series(1, 40) k", (n_items, n_users))
    cur.execute("SELECT ubehav_train_recommender('bench_rec_latency', 'SELECT user_id, item FROM bench_rec.latency', "
                "'{\"epochs\": 2}')")
    summary = cur.fetchone()[0]
    best = None
    for _ in range(runs + 1):   # the first run decodes the model into the backend's cache
        t0 = time.perf_counter()
        cur.execute("SELECT count(*) FROM generate_series(1, %s) u, LATERAL ubehav_recommend('bench_rec_latency', u, 10) r",
                    (n_users,))
        cur.fetchone()
        t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    cur.execute("SELECT ubehav_drop_model('bench_rec_latency')")
    return {"items": summary["items"], "factors": summary["factors"], "users_queried": n_users,
            "us_per_user_top10": round(1e6 * best / n_users, 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--latency-only", action="store_true", help="only the top-10 over 10,000 items timing")
    args = ap.parse_args()
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    if args.latency_only:
        cur.execute("CREATE SCHEMA IF NOT EXISTS bench_rec")
        print(json.dumps(latency(cur)))
        return 0
    t0 = time.time()
    rows = fetch_interactions(cur, args.users, args.seed)
    train, held = split(rows)
    m = Matrix(train)
    print(f"# {len(rows)} interactions, {len(train)} training pairs, {len(held)} held-out users, "
          f"{m.R.shape[1]} items ({time.time() - t0:.1f} s)", flush=True)

    results = {}
    for name, fn in (("popularity", lambda: popularity(m, held)),
                     ("item-kNN (cosine)", lambda: item_knn(m, held)),
                     ("ALS (Hu et al. 2008)", lambda: als_grid(m, held)),
                     ("ubehav two-tower BPR", lambda: ubehav(cur, train, held))):
        t = time.time()
        top, extra = fn()
        hr, ndcg = metrics(top, held)
        results[name] = {"hr@10": round(hr, 4), "ndcg@10": round(ndcg, 4),
                         "coverage": round(coverage(top, m.R.shape[1]), 4),
                         "seconds": round(time.time() - t, 1), **extra}
        print(f"{name:24s} HR@10 {hr:.4f}  NDCG@10 {ndcg:.4f}  {json.dumps(extra)}", flush=True)

    cur.execute("SELECT ubehav_evaluate_recommender('bench_rec', "
                "'SELECT user_id, item, weight, ts FROM bench_rec.interactions ORDER BY event_id', 10)")
    check = cur.fetchone()[0]
    results["ubehav_evaluate_recommender"] = check
    print("ubehav_evaluate_recommender (same rule, inside the extension):",
          json.dumps({"recommender": check["recommender"], "popularity": check["popularity"]}))
    best_peer = max(v["ndcg@10"] for k, v in results.items() if k not in ("ubehav two-tower BPR", "ubehav_evaluate_recommender"))
    best_peer_hr = max(v["hr@10"] for k, v in results.items() if k not in ("ubehav two-tower BPR", "ubehav_evaluate_recommender"))
    ours = results["ubehav two-tower BPR"]
    print(f"target: beat every peer on HR@10 and NDCG@10: "
          f"{'met' if ours['hr@10'] > best_peer_hr and ours['ndcg@10'] > best_peer else 'NOT met'} "
          f"(ubehav {ours['hr@10']:.4f} / {ours['ndcg@10']:.4f}, best peer {best_peer_hr:.4f} / {best_peer:.4f})")
    lat = latency(cur)
    results["latency"] = lat
    print(f"top-10 over {lat['items']} items ({lat['factors']} factors): {lat['us_per_user_top10']} us per user "
          f"(LATERAL over {lat['users_queried']} users, least of 5)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
