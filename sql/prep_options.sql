-- Preprocessing options: scaling, imputation, missing indicators, rare categories, PCA.
\set SHOW_CONTEXT never
CREATE TABLE prep AS
SELECT i AS id, i::float8 AS a, (i % 4)::float8 AS b,
       CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 7)::float8 END AS c,
       CASE WHEN i <= 3 THEN 'rare' WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END AS cat,
       i % 3 = 0 AS y
FROM generate_series(0, 100) i;
CREATE FUNCTION col(m text, name text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT c FROM ubehav_models, jsonb_array_elements(preprocessing->'columns') c
   WHERE ubehav_models.name = m AND deployed AND c->>'name' = col.name $$;
CREATE FUNCTION train_prep(m text, opts jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT ubehav_train(m, 'SELECT a, b, c, cat, y FROM prep', 'y',
                       '{"epochs": 1, "hidden": [4], "validation_split": 0, "scaling": "standard", "integer_categories": 0}'::jsonb || opts) $$;

-- standard (the default before 0.2.0, pinned in train_prep with integer_categories 0): mean and population standard deviation of 0..100
SELECT train_prep('standard', '{}')->>'inputs' AS inputs;
SELECT col('standard', 'a')->'center' AS center, round((1 / (col('standard', 'a')->'scale'->>0)::float8)::numeric, 6) AS sd,
       round(stddev_pop(a)::numeric, 6) AS expected_sd
FROM prep;
-- minmax: min 0, range 100
SELECT train_prep('minmax', '{"scaling": "minmax"}') IS NOT NULL AS trained;
SELECT col('minmax', 'a')->'center' AS center, col('minmax', 'a')->'scale' AS scale;
-- robust: median 50, interquartile range 75 - 25
SELECT train_prep('robust', '{"scaling": "robust"}') IS NOT NULL AS trained;
SELECT col('robust', 'a')->'center' AS center, col('robust', 'a')->'scale' AS scale;
-- none
SELECT train_prep('unscaled', '{"scaling": "none"}') IS NOT NULL AS trained;
SELECT col('unscaled', 'a')->'center' AS center, col('unscaled', 'a')->'scale' AS scale;

-- imputation of c (NULL every fifth row): mean, median or zero of the non-NULL values
SELECT round((col('standard', 'c')->'impute'->>0)::numeric, 6) AS mean_impute,
       round(avg(c)::numeric, 6) AS expected FROM prep;
SELECT train_prep('median', '{"imputation": "median"}') IS NOT NULL AS trained;
SELECT col('median', 'c')->'impute' AS median_impute, percentile_cont(0.5) WITHIN GROUP (ORDER BY c) AS expected FROM prep;
SELECT train_prep('zero', '{"imputation": "zero"}') IS NOT NULL AS trained;
SELECT col('zero', 'c')->'impute' AS zero_impute;
-- a NULL scores like its imputed value
SELECT ubehav_predict('median', r1) = ubehav_predict('median', r2) AS null_is_median
FROM (SELECT 1.0::float8 AS a, 2.0::float8 AS b, NULL::float8 AS c, 'odd' AS cat) r1,
     (SELECT 1.0::float8 AS a, 2.0::float8 AS b, 3.0::float8 AS c, 'odd' AS cat) r2;

-- missing indicators: one more input for c, the only column with NULLs
SELECT train_prep('indicated', '{"missing_indicator": true}')->>'inputs' AS inputs;
SELECT col('indicated', 'c')->'indicator' AS c_indicator, col('indicated', 'a')->'indicator' AS a_indicator;
SELECT ubehav_predict('indicated', r1) <> ubehav_predict('indicated', r2) AS null_differs_from_imputed
FROM (SELECT 1.0::float8 AS a, 2.0::float8 AS b, NULL::float8 AS c, 'odd' AS cat) r1,
     (SELECT 1.0::float8 AS a, 2.0::float8 AS b, (SELECT avg(c) FROM prep) AS c, 'odd' AS cat) r2;

-- an array holds no NULL, so its indicator inputs are 0, even right after a row whose NULL set one
-- (the two call sites share the decoded model); real[] and float8[] encode alike
SELECT ubehav_train('indicated_numbers', 'SELECT a, b, c, y FROM prep', 'y',
                    '{"epochs": 1, "hidden": [4], "missing_indicator": true, "seed": 2, "integer_categories": 0}')->>'inputs' AS inputs;
SELECT count(with_null) AS rows_with_null_c,
       bool_and(after_null_row = ubehav_predict('indicated_numbers', (SELECT r FROM (SELECT p.a, p.b, 0.0::float8 AS c) r)))
           AS array_indicators_zero,
       bool_and(after_null_row = ubehav_predict('indicated_numbers', ARRAY[p.a, p.b, 0]::real[]::float8[])
                AND ubehav_predict('indicated_numbers', ARRAY[p.a, p.b, 0]::real[]) =
                    ubehav_predict('indicated_numbers', ARRAY[p.a, p.b, 0]::real[]::float8[])) AS real_as_float8
FROM (SELECT p.*, ubehav_predict('indicated_numbers', p) AS with_null,
             ubehav_predict('indicated_numbers', ARRAY[p.a, p.b, 0]) AS after_null_row
      FROM prep p WHERE p.c IS NULL OFFSET 0) p;

-- rare categories: 'rare' (3 rows) falls below min_category_count 5 and shares the unseen slot
SELECT col('standard', 'cat')->'categories' AS all_kept;
SELECT train_prep('rare_cut', '{"min_category_count": 5}')->>'inputs' AS inputs;
SELECT col('rare_cut', 'cat')->'categories' AS frequent_kept;
SELECT ubehav_predict('rare_cut', r1) = ubehav_predict('rare_cut', r2) AS rare_is_unseen
FROM (SELECT 1.0::float8 AS a, 2.0::float8 AS b, 3.0::float8 AS c, 'rare' AS cat) r1,
     (SELECT 1.0::float8 AS a, 2.0::float8 AS b, 3.0::float8 AS c, 'never seen' AS cat) r2;

-- statistics come from the training rows only
SELECT (col('split', 'a')->'center'->>0)::float8 <> 50 AS center_from_training_rows
FROM (SELECT ubehav_train('split', 'SELECT a, b, c, cat, y FROM prep', 'y', '{"epochs": 1, "hidden": [4], "validation_split": 0.5, "integer_categories": 0}')) t;

-- PCA: a fixed number of components, or enough for a fraction of the variance
SELECT setseed(0.3);
CREATE TABLE correlated AS
SELECT i, u + 0.01 * v AS x1, 2 * u - 0.01 * v AS x2, -u + 0.02 * w AS x3, v AS x4, u > 0 AS y
FROM (SELECT i, random() - 0.5 AS u, random() - 0.5 AS v, random() - 0.5 AS w FROM generate_series(1, 500) i) s;
SELECT s->>'inputs' AS inputs, s->>'parameters' AS parameters, (s->'metrics'->>'auc')::float8 > 0.9 AS learned
FROM ubehav_train('pca2', 'SELECT x1, x2, x3, x4, y FROM correlated', 'y', '{"pca": 2, "hidden": [8], "epochs": 20, "seed": 1}') s;
SELECT preprocessing->'n_encoded' AS encoded, preprocessing->'pca'->'k' AS k,
       jsonb_array_length(preprocessing->'pca'->'components') AS components,
       (preprocessing->'pca'->'explained_variance_ratio'->>0)::float8 > 0.5 AS first_dominates
FROM ubehav_models WHERE name = 'pca2';
-- x1..x3 are one direction up to noise; x4 another: two components explain 99%
SELECT ubehav_train('pca99', 'SELECT x1, x2, x3, x4, y FROM correlated', 'y', '{"pca": 0.99, "hidden": [8], "epochs": 1}')->>'inputs' AS inputs;
-- scoring applies the projection: row and array forms agree
SELECT bool_and(ubehav_predict('pca2', c) = ubehav_predict('pca2', ARRAY[x1, x2, x3, x4])) AS row_equals_array
FROM correlated c;

-- option errors
SELECT train_prep('bad', '{"scaling": "zscore"}');
\echo :LAST_ERROR_SQLSTATE
SELECT train_prep('bad', '{"imputation": "mode"}');
\echo :LAST_ERROR_SQLSTATE
SELECT train_prep('bad', '{"pca": 1.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT train_prep('bad', '{"pca": "all"}');
\echo :LAST_ERROR_SQLSTATE
SELECT train_prep('bad', '{"min_category_count": 0}');
\echo :LAST_ERROR_SQLSTATE
-- the stored options round-trip
SELECT ubehav_train('again', 'SELECT x1, x2, x3, x4, y FROM correlated', 'y', options)->>'inputs' AS inputs
FROM ubehav_models WHERE name = 'pca2';
SELECT options->'pca' AS pca, options->'scaling' AS scaling FROM ubehav_models WHERE name = 'again';
