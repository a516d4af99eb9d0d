-- bench/plpython.sql: the PL/Python scorers ubehav is compared with, using the same network shape.
\set QUIET on
-- numpy: the 10-128-64-1 forward pass with fixed random weights, set up once per backend
CREATE OR REPLACE FUNCTION bench_numpy_score(f float8[]) RETURNS float8 LANGUAGE plpython3u AS $$
import numpy as np
if "w" not in GD:
    rng = np.random.default_rng(1)
    GD["w"] = [rng.normal(size=(10, 128)) * 0.3, np.zeros(128), rng.normal(size=(128, 64)) * 0.1,
               np.zeros(64), rng.normal(size=(64, 1)) * 0.1, np.zeros(1)]
W1, b1, W2, b2, W3, b3 = GD["w"]
x = np.asarray(f)
h = np.maximum(x @ W1 + b1, 0)
h = np.maximum(h @ W2 + b2, 0)
return float(1 / (1 + np.exp(-(h @ W3 + b3)[0])))
$$;
-- scikit-learn: an MLPClassifier of the same shape fitted once per backend, predict_proba per row
CREATE OR REPLACE FUNCTION bench_sklearn_score(f float8[]) RETURNS float8 LANGUAGE plpython3u AS $$
import numpy as np
if "mlp" not in GD:
    import warnings
    from sklearn.neural_network import MLPClassifier
    rng = np.random.default_rng(1)
    X = rng.random((2000, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GD["mlp"] = MLPClassifier(hidden_layer_sizes=(128, 64), max_iter=2, random_state=1).fit(X, X[:, 0] > 0.5)
return float(GD["mlp"].predict_proba(np.asarray(f).reshape(1, -1))[0, 1])
$$;
