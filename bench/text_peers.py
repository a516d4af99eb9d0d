#!/usr/bin/python3
"""bench/text_peers.py: scikit-learn's TF-IDF + logistic regression on the fine_foods reviews,
the peers of bench/text.sh. Prints one JSON object per peer: name, test ROC AUC, fit seconds."""
import csv
import json
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

data = sys.argv[1]
train = list(csv.DictReader(open(f"{data}/fine_foods_train.csv", newline="")))
test = list(csv.DictReader(open(f"{data}/fine_foods_test.csv", newline="")))
y_train = [r["score"] == "great" for r in train]
y_test = [r["score"] == "great" for r in test]
peers = [
    ("sklearn TF-IDF words + LR", dict()),
    ("sklearn TF-IDF words and pairs + LR", dict(ngram_range=(1, 2))),
    ("sklearn TF-IDF words and pairs, sublinear tf, min_df 2 + LR", dict(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
]
for name, kw in peers:
    start = time.time()
    vec = TfidfVectorizer(**kw)
    X = vec.fit_transform([r["review"] for r in train])
    model = LogisticRegression(max_iter=3000).fit(X, y_train)
    seconds = time.time() - start
    p = model.predict_proba(vec.transform([r["review"] for r in test]))[:, 1]
    print(json.dumps({"name": name, "auc": round(roc_auc_score(y_test, p), 4), "fit_s": round(seconds, 2),
                      "inputs": X.shape[1]}))
