-- Integrity (issue 20.6): the cache never scores with a row that is gone, and damaged catalog rows
-- or imports are errors with an SQLSTATE, never wrong scores, uninitialised memory or a late failure.
\set SHOW_CONTEXT never
CREATE FUNCTION ig_try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE ig_t AS SELECT i AS id, (i % 5)::float8 AS a, (i % 7)::float8 AS b, i % 2 = 0 AS y FROM generate_series(1, 300) i;
-- the truth for a score: the same version decoded from its export, outside the model cache
CREATE FUNCTION ig_fresh(model text) RETURNS float8 LANGUAGE sql AS
$$ SELECT ubehav_predict(ubehav_export(model), ARRAY[1, 2]::float8[]) $$;

-- ==== a stale model in the cache: rows one transaction wrote share their xmin ====
-- train, score, drop, train again under the same name, all in one transaction
BEGIN;
SELECT ubehav_train('ig_stale', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4], "seed": 1}')->>'version' AS version;
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) AS first_score \gset
SELECT :first_score = ig_fresh('ig_stale') AS first_scores_first;
SELECT ubehav_drop_model('ig_stale') AS dropped;
SELECT ubehav_train('ig_stale', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4], "seed": 7}')->>'version' AS version;
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) = ig_fresh('ig_stale') AS retrained_scores_retrained,
       ubehav_predict('ig_stale', ARRAY[1, 2]) <> :first_score AS not_the_dropped_one;
COMMIT;
-- and after the commit, in the same session
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) = ig_fresh('ig_stale') AS after_commit;
-- two UPDATEs of one row in one transaction: each is seen by the next query
SELECT ubehav_train('ig_stale', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4], "seed": 3}')->>'version' AS version;
CREATE TABLE ig_weights AS SELECT version, weights FROM ubehav_models WHERE name = 'ig_stale';
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) AS v2_score \gset
BEGIN;
UPDATE ubehav_models m SET weights = w.weights FROM ig_weights w WHERE m.name = 'ig_stale' AND m.version = 2 AND w.version = 1;
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) = ig_fresh('ig_stale') AS first_update_seen,
       ubehav_predict('ig_stale', ARRAY[1, 2]) <> :v2_score AS changed;
UPDATE ubehav_models m SET weights = w.weights FROM ig_weights w WHERE m.name = 'ig_stale' AND m.version = 2 AND w.version = 2;
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) = :v2_score AS second_update_seen;
ROLLBACK;
SELECT ubehav_predict('ig_stale', ARRAY[1, 2]) = :v2_score AS after_rollback;
-- a PL/pgSQL expression keeps its state for the transaction: each evaluation sees the statements before it
DO $$
DECLARE
    i int;
BEGIN
    FOR i IN 1..3 LOOP
        PERFORM ubehav_train('ig_loop', 'SELECT a, b, y FROM ig_t', 'y', jsonb_build_object('epochs', 1, 'hidden', jsonb_build_array(4), 'seed', i));
        RAISE NOTICE 'round %: array score current %, row score current %', i,
            ubehav_predict('ig_loop', ARRAY[1, 2]) = ig_fresh('ig_loop'),
            (SELECT ubehav_predict('ig_loop', t) FROM ig_t t WHERE id = 2) = ubehav_predict(ubehav_export('ig_loop'), ARRAY[2, 2]::float8[]);
        PERFORM ubehav_drop_model('ig_loop');
    END LOOP;
END $$;

-- ==== class labels: a binary model has exactly two, none NULL ====
SELECT ubehav_train('ig_labels', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT ubehav_predict_proba('ig_labels', ARRAY[1, 2]) IS NOT NULL AS two_slots;
UPDATE ubehav_models SET class_labels = (SELECT array_agg('c' || i) FROM generate_series(1, 20) i) WHERE name = 'ig_labels';
SELECT ig_try($$SELECT ubehav_predict_proba('ig_labels', ARRAY[1, 2])$$);
SELECT ig_try($$SELECT ubehav_predict_class('ig_labels', ig_t) FROM ig_t LIMIT 1$$);
UPDATE ubehav_models SET class_labels = '{false}' WHERE name = 'ig_labels';
SELECT ig_try($$SELECT ubehav_predict_proba('ig_labels', ARRAY[1, 2])$$);
UPDATE ubehav_models SET class_labels = '{NULL,NULL}' WHERE name = 'ig_labels';
SELECT ig_try($$SELECT ubehav_predict_class('ig_labels', ARRAY[1, 2])$$);
UPDATE ubehav_models SET class_labels = '{false,NULL}' WHERE name = 'ig_labels';
SELECT ig_try($$SELECT ubehav_predict_class('ig_labels', ARRAY[1, 2])$$);
-- a multiclass model's labels are its outputs
SELECT ubehav_train('ig_multi', 'SELECT a, b, (id % 3)::text AS k FROM ig_t', 'k', '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
UPDATE ubehav_models SET class_labels = '{0,1,NULL}' WHERE name = 'ig_multi';
SELECT ig_try($$SELECT ubehav_predict_class('ig_multi', ARRAY[1, 2])$$);
UPDATE ubehav_models SET class_labels = '{0,1}' WHERE name = 'ig_multi';
SELECT ig_try($$SELECT ubehav_predict_proba('ig_multi', ARRAY[1, 2])$$);
-- an empty string is a label training can store (a text target may hold '')
UPDATE ubehav_models SET class_labels = '{"",1,2}' WHERE name = 'ig_multi';
SELECT ig_try($$SELECT ubehav_predict_class('ig_multi', ARRAY[1, 2])$$);

-- ==== metrics.threshold of a binary model: stored by every training, a probability ====
SELECT ubehav_train('ig_threshold', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4]}')->>'version' AS version;
SELECT (metrics->>'threshold')::float8 BETWEEN 0 AND 1 AS stored FROM ubehav_models WHERE name = 'ig_threshold';
UPDATE ubehav_models SET metrics = metrics || '{"threshold": "NaN"}' WHERE name = 'ig_threshold';
SELECT ig_try($$SELECT ubehav_predict_class('ig_threshold', ARRAY[1, 2])$$);
UPDATE ubehav_models SET metrics = metrics || '{"threshold": 7}' WHERE name = 'ig_threshold';
SELECT ig_try($$SELECT ubehav_predict('ig_threshold', ARRAY[1, 2])$$);
UPDATE ubehav_models SET metrics = metrics || '{"threshold": -0.1}' WHERE name = 'ig_threshold';
SELECT ig_try($$SELECT ubehav_predict('ig_threshold', ARRAY[1, 2])$$);
UPDATE ubehav_models SET metrics = metrics - 'threshold' WHERE name = 'ig_threshold';
SELECT ig_try($$SELECT ubehav_predict_class('ig_threshold', ARRAY[1, 2])$$);
SELECT ig_try($$SELECT ubehav_export('ig_threshold')$$);
UPDATE ubehav_models SET metrics = metrics || '{"threshold": 1}' WHERE name = 'ig_threshold';
SELECT ubehav_predict_class('ig_threshold', ARRAY[1, 2]) AS threshold_one_is_valid;
-- a regression model has no threshold, and needs none
SELECT ubehav_train('ig_regression', 'SELECT a, b AS v FROM ig_t', 'v', '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT metrics ? 'threshold' AS has_threshold FROM ubehav_models WHERE name = 'ig_regression';
SELECT ubehav_predict('ig_regression', ARRAY[1]) IS NOT NULL AS regression_scores;
-- an import: the same rules, as bad input
CREATE TABLE ig_exports AS SELECT ubehav_export('ig_regression') AS e;
SELECT ubehav_train('ig_src', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4]}')->>'version' AS version;
CREATE TABLE ig_export AS SELECT ubehav_export('ig_src') AS e;
SELECT ubehav_import('ig_imported', e) AS imported_unchanged FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', e #- '{metrics,threshold}')) AS missing FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{metrics,threshold}', '7'))) AS seven FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{metrics,threshold}', '"NaN"'))) AS nan FROM ig_export;
SELECT ig_try(format('SELECT ubehav_predict(%L::jsonb, ARRAY[1, 2]::float8[])', jsonb_set(e, '{metrics,threshold}', 'null'))) AS model_value FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{class_labels}', '[null, "true"]'))) AS null_label FROM ig_export;
SELECT ubehav_import('ig_regression_imported', e) AS regression_needs_no_threshold FROM ig_exports;
SELECT count(*) AS nothing_bad_stored FROM ubehav_models WHERE name = 'ig_bad';

-- ==== numbers that float32 cannot hold, or that round to nothing in it ====
SELECT ubehav_train('ig_pca', 'SELECT a, b, y FROM ig_t', 'y', '{"epochs": 1, "hidden": [4], "pca": 1, "integer_categories": 0}')->>'version' AS version;
SELECT preprocessing->'pca'->>'k' AS pca_k FROM ubehav_models WHERE name = 'ig_pca';
CREATE TABLE ig_pca_export AS SELECT ubehav_export('ig_pca') AS e;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,pca,mean,0}', '1e300'))) AS pca_mean FROM ig_pca_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,pca,components,0,0}', '1e300'))) AS pca_component FROM ig_pca_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,columns,0,scale,0}', '1e-300'))) AS tiny_scale FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,columns,0,center,0}', '1e300'))) AS huge_center FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,columns,1,impute,0}', '-1e39'))) AS huge_impute FROM ig_export;
SELECT ig_try(format('SELECT ubehav_import(%L, %L)', 'ig_bad', jsonb_set(e, '{preprocessing,columns,1,mean,0}', '1e39'))) AS huge_mean FROM ig_export;
SELECT count(*) AS nothing_bad_stored FROM ubehav_models WHERE name = 'ig_bad';
-- the smallest scale training can store (1 / (2 * FLT_MAX), the widest spread of float32 values) is valid
SELECT ubehav_train('ig_wide', 'SELECT (CASE WHEN id % 2 = 0 THEN 3.4e38 ELSE -3.4e38 END)::real AS w, b, y FROM ig_t', 'y',
                    '{"epochs": 1, "hidden": [4], "scaling": "minmax"}')->>'version' AS version;
SELECT (preprocessing->'columns'->0->'scale'->>0)::float8 < 1.5e-39 AS smallest_scale FROM ubehav_models WHERE name = 'ig_wide';
SELECT ubehav_predict('ig_wide', ARRAY[0, 1]) BETWEEN 0 AND 1 AS smallest_scale_scores;
-- the same damage in the catalog
UPDATE ubehav_models SET preprocessing = jsonb_set(preprocessing, '{pca,mean,0}', '1e300') WHERE name = 'ig_pca';
SELECT ig_try($$SELECT ubehav_predict('ig_pca', ARRAY[1, 2])$$);
UPDATE ubehav_models SET preprocessing = jsonb_set(preprocessing, '{columns,0,scale,0}', '1e-300') WHERE name = 'ig_src';
SELECT ig_try($$SELECT ubehav_predict('ig_src', ARRAY[1, 2])$$);
UPDATE ubehav_models SET preprocessing = jsonb_set(preprocessing, '{columns,0,scale,0}', '0') WHERE name = 'ig_src';
SELECT ig_try($$SELECT ubehav_predict('ig_src', ARRAY[1, 2])$$);
-- a projection beyond float32 at scoring is an error, not a NaN score
SELECT ig_try($$SELECT ubehav_predict('ig_imported', ARRAY[1, 2])$$) AS imported_scores;
UPDATE ubehav_models SET preprocessing = e->'preprocessing' FROM ig_pca_export WHERE name = 'ig_pca';
SELECT ubehav_predict('ig_pca', ARRAY[1, 2]) BETWEEN 0 AND 1 AS pca_restored;
UPDATE ubehav_models SET preprocessing = jsonb_set(jsonb_set(preprocessing, '{pca,mean}', '[-3e38, -3e38]'), '{pca,components}', '[[1, 1]]')
    WHERE name = 'ig_pca';
SELECT ig_try($$SELECT ubehav_predict('ig_pca', ARRAY[1, 2])$$);

-- ==== feature_names and feature_types are the preprocessing's columns ====
SELECT feature_names, feature_types FROM ubehav_models WHERE name = 'ig_imported';
UPDATE ubehav_models SET feature_names = '{b,a}' WHERE name = 'ig_imported';
SELECT ig_try($$SELECT ubehav_predict('ig_imported', ARRAY[1, 2])$$);
UPDATE ubehav_models SET feature_names = '{a,b,c}' WHERE name = 'ig_imported';
SELECT ig_try($$SELECT ubehav_export('ig_imported')$$);
UPDATE ubehav_models SET feature_names = '{a,NULL}' WHERE name = 'ig_imported';
SELECT ig_try($$SELECT ubehav_predict('ig_imported', ARRAY[1, 2])$$);
UPDATE ubehav_models SET feature_names = '{a,b}', feature_types = '{"double precision",integer}' WHERE name = 'ig_imported';
SELECT ig_try($$SELECT ubehav_predict('ig_imported', ARRAY[1, 2])$$);
-- a role that may read only the columns scoring reads cannot read these two, and scores
CREATE ROLE ig_scorer;
GRANT SELECT (name, version, task, target, preprocessing, class_labels, weights, metrics, deployed, xmin, trained_at, trained_by)
    ON ubehav_models TO ig_scorer;
SET ROLE ig_scorer;
SELECT ubehav_predict('ig_imported', ARRAY[1, 2]) BETWEEN 0 AND 1 AS scorer_scores;
RESET ROLE;
UPDATE ubehav_models SET feature_types = '{"double precision","double precision"}' WHERE name = 'ig_imported';
SELECT ubehav_predict('ig_imported', ARRAY[1, 2]) BETWEEN 0 AND 1 AS restored;
REVOKE ALL ON ubehav_models FROM ig_scorer;
DROP ROLE ig_scorer;
-- a group_by version: its row's columns are every group network's
CREATE TABLE ig_g AS SELECT id, a, b, id % 3 AS g, y FROM ig_t;
SELECT ubehav_train('ig_groups', 'SELECT a, b, g, y FROM ig_g', 'y', '{"epochs": 1, "hidden": [4], "group_by": "g", "min_group_rows": 5}')->>'version' AS version;
SELECT feature_names FROM ubehav_models WHERE name = 'ig_groups';
SELECT ubehav_predict('ig_groups', t) BETWEEN 0 AND 1 AS groups_score FROM ig_g t WHERE id = 3;
UPDATE ubehav_models SET feature_names = '{a,x}' WHERE name = 'ig_groups';
SELECT ig_try($$SELECT ubehav_predict('ig_groups', t) FROM ig_g t WHERE id = 3$$);

-- ==== too many inputs fails as soon as the vocabularies are known, before the rows are encoded ====
-- 7 text columns of 10,500 values, 10,000 kept each: 70,007 inputs. Encoded, the 21,000 rows would take
-- 5.9 GB; the limits below would stop that long before it got near the width check.
SET statement_timeout = '60s';
SET temp_file_limit = '64MB';
SET work_mem = '64MB';
CREATE TABLE ig_text AS SELECT 'a' || i % 10500 AS c1, 'b' || i % 10500 AS c2, 'c' || i % 10500 AS c3, 'd' || i % 10500 AS c4,
    'e' || i % 10500 AS c5, 'f' || i % 10500 AS c6, 'g' || i % 10500 AS c7, i % 2 = 0 AS y FROM generate_series(1, 21000) i;
SELECT clock_timestamp() AS started \gset
SELECT ig_try($$SELECT ubehav_train('ig_wide_text', 'SELECT * FROM ig_text', 'y', '{"max_categories": 10000, "min_category_count": 1, "validation_split": 0}')$$);
SELECT clock_timestamp() - :'started' < interval '30 seconds' AS failed_fast;
-- an array column: at its first row
SELECT ig_try($$SELECT ubehav_train('ig_wide_array', 'SELECT array_fill(1.0::real, ARRAY[70000]) AS v, i % 2 = 0 AS y FROM generate_series(1, 10) i', 'y')$$);
SELECT ig_try($$SELECT ubehav_train('ig_wide_array', 'SELECT i::float8 AS a, array_fill(1.0::real, ARRAY[65536]) AS v, i % 2 = 0 AS y FROM generate_series(1, 10) i', 'y')$$);
-- pca takes at most 4,096 encoded inputs: checked at the same point
SELECT ig_try($$SELECT ubehav_train('ig_wide_pca', 'SELECT c1, y FROM ig_text', 'y', '{"max_categories": 5000, "min_category_count": 1, "pca": 2}')$$);
RESET statement_timeout;
RESET temp_file_limit;
RESET work_mem;
SELECT count(*) AS nothing_stored FROM ubehav_models WHERE name LIKE 'ig_wide_%';

SELECT ubehav_drop_model(name) FROM (SELECT DISTINCT name FROM ubehav_models WHERE name LIKE 'ig\_%' ORDER BY name) n;
