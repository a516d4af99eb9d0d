-- ubehav's BLAS is the system's libopenblas.so.0, the one numpy loads: after ubehav has trained
-- (matrix products and PCA's eigensolver) in a backend, numpy imports and computes in it too.
-- (Linking a second OpenBLAS build under the same soname made numpy's import fail with
-- "undefined symbol: sgemv_thread_n".)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
CREATE EXTENSION IF NOT EXISTS plpython3u;
SET client_min_messages = warning;
SELECT plan(3);

SELECT setseed(0.18);
CREATE TEMP TABLE np_data AS
SELECT random() AS a, random() AS b, random() AS c, random() AS d FROM generate_series(1, 400) i;
ALTER TABLE np_data ADD COLUMN y boolean;
UPDATE np_data SET y = a + b > c + d;

SELECT lives_ok($$SELECT ubehav_train('np_pca', 'SELECT a, b, c, d, y FROM np_data', 'y',
                                      '{"seed": 1, "epochs": 2, "hidden": [8], "pca": 3}')$$,
                'ubehav trains with PCA (BLAS and LAPACK) in this backend');
CREATE TEMP TABLE np_before AS SELECT ubehav_predict('np_pca', ARRAY[0.9, 0.9, 0.1, 0.1]) AS score;

CREATE FUNCTION pg_temp.numpy_matmul_sum() RETURNS float8 LANGUAGE plpython3u AS $$
import numpy as np
a = np.arange(1, 65, dtype=np.float64).reshape(8, 8)
return float((a @ a).sum())
$$;
SELECT is(pg_temp.numpy_matmul_sum(), 562304::float8, 'then numpy imports and multiplies matrices in the same backend');
SELECT is(ubehav_predict('np_pca', ARRAY[0.9, 0.9, 0.1, 0.1]), (SELECT score FROM np_before),
          'and ubehav scores as before numpy loaded');

SELECT * FROM finish();
ROLLBACK;
