#!/usr/bin/env python3
"""An analyst's session with ubehav from Python: train, score, read the metrics and the training
log into pandas DataFrames, and plot the learning curve and the ROC curve to PNG files.

    PGHOST=... PGPORT=... PGDATABASE=... python3 examples/analyst_client.py OUTDIR

Connects with psycopg2 through the usual PG* environment variables, creates the extension if it
is missing (which needs a superuser), generates a small table of sessions in the schema
ubehav_example, trains a purchase model on 80% of it, and evaluates on the other 20%. Writes
OUTDIR/learning_curve.png, OUTDIR/roc.png and OUTDIR/scores.csv. Debian packages:
python3-psycopg2, python3-pandas, python3-matplotlib.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import psycopg2  # noqa: E402

MODEL = "example_purchase"
TRAIN = "SELECT device, pages, seconds, cart_adds, bought FROM ubehav_example.sessions WHERE mod(id, 5) <> 0"
HOLDOUT = "SELECT id, device, pages, seconds, cart_adds, bought FROM ubehav_example.sessions WHERE mod(id, 5) = 0"


def frame(cur, sql, params=None):
    """Run a query and return its rows as a DataFrame with the query's column names."""
    cur.execute(sql, params)
    return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    cur.execute("CREATE EXTENSION IF NOT EXISTS ubehav")
    cur.execute("DROP SCHEMA IF EXISTS ubehav_example CASCADE")
    cur.execute("CREATE SCHEMA ubehav_example")
    cur.execute("SELECT setseed(0.42)")
    cur.execute("""
        CREATE TABLE ubehav_example.sessions AS
        SELECT id, device, pages, seconds, cart_adds,
               random() < 1 / (1 + exp(-(0.35 * pages + 1.2 * cart_adds - 0.002 * seconds
                                        + CASE device WHEN 'desktop' THEN 0.5 ELSE -0.3 END - 3))) AS bought
        FROM (SELECT id, (ARRAY['mobile', 'desktop', 'tablet'])[1 + id % 3] AS device,
                     floor(random() * 15)::int AS pages, round((random() * 900)::numeric, 1)::float8 AS seconds,
                     floor(random() * 3)::int AS cart_adds
              FROM generate_series(1, 4000) id) s""")

    # train: the summary is jsonb, which psycopg2 returns as a dict
    cur.execute("SELECT ubehav_train(%s, %s, 'bought', %s)",
                (MODEL, TRAIN, json.dumps({"seed": 7, "epochs": 25, "hidden": [32, 16],
                                           "learning_rate": 0.005, "early_stopping": False})))
    summary = cur.fetchone()[0]
    version = summary["version"]
    print(f"trained {MODEL} version {version}: {summary['rows_used']} rows, "
          f"validation AUC {summary['metrics'].get('auc'):.3f}")

    # the catalog's metrics of every version, one column per metric
    models = frame(cur, "SELECT name, version, deployed, rows_used, training_ms, metrics "
                        "FROM ubehav_models WHERE name = %s ORDER BY version", (MODEL,))
    metrics = pd.concat([models.drop(columns="metrics"),
                         pd.json_normalize(models["metrics"].tolist())], axis=1)
    print(metrics.to_string(index=False))

    # held-out evaluation, the training log and the ROC curve, each as a DataFrame
    cur.execute("SELECT ubehav_evaluate(%s, %s)", (MODEL, HOLDOUT))
    holdout = cur.fetchone()[0]
    log = frame(cur, "SELECT * FROM ubehav_training_log(%s, %s) ORDER BY epoch", (MODEL, version))
    roc = frame(cur, "SELECT * FROM ubehav_roc_curve(%s, %s) ORDER BY fpr, tpr", (MODEL, HOLDOUT))
    scores = frame(cur, "SELECT s.id, s.bought, ubehav_predict(%s, s) AS p_buy "
                        "FROM (" + HOLDOUT + ") s ORDER BY p_buy DESC", (MODEL,))
    scores.to_csv(os.path.join(outdir, "scores.csv"), index=False)
    print(f"held-out AUC {holdout.get('auc'):.3f} on {len(scores)} rows; "
          f"{len(log)} epochs logged; ROC has {len(roc)} points")

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(log["epoch"], log["loss"], marker="o", label="training loss")
    ax.plot(log["epoch"], log["val_loss"], marker="s", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("binary cross-entropy")
    ax.set_title(f"{MODEL} v{version}: learning curve")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "learning_curve.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot(roc["fpr"], roc["tpr"], label=f"held-out AUC {holdout.get('auc'):.3f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(f"{MODEL} v{version}: ROC")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "roc.png"))
    plt.close(fig)

    cur.execute("SELECT ubehav_drop_model(%s)", (MODEL,))
    cur.execute("DROP SCHEMA ubehav_example CASCADE")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
