-- Hostile inputs: every one gets a clear error with an SQLSTATE or a documented result; none crashes.
\set SHOW_CONTEXT never
-- each statement that must fail runs through try(), which returns its SQLSTATE and message
CREATE FUNCTION try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE h AS SELECT i AS id, (i % 5)::float8 AS a, (i % 7)::float8 AS b, i % 2 = 0 AS y FROM generate_series(1, 300) i;
SELECT ubehav_train('h', 'SELECT a, b, y FROM h', 'y', '{"epochs": 1, "hidden": [4]}')->>'version' AS version;

-- NULL in every argument: strict scoring functions give NULL, the rest say which argument
SELECT ubehav_predict(NULL, ARRAY[1, 2]) IS NULL AS null_model, ubehav_predict('h', NULL::float8[]) IS NULL AS null_features,
       ubehav_predict_proba(NULL, ARRAY[1, 2]) IS NULL AS p, ubehav_predict_class('h', NULL::float8[]) IS NULL AS c,
       ubehav_evaluate(NULL, 'SELECT 1') IS NULL AS e, ubehav_explain('h', NULL::float8[]) IS NULL AS x;
SELECT try($q$SELECT ubehav_train('h', NULL, 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', NULL)$q$);
-- options DEFAULT '{}' is not NULL: a NULL options argument is an error naming it (README, NULL arguments)
SELECT ubehav_train('h_null', 'SELECT a, y FROM h', 'y', NULL) ->> 'version' AS null_options_refused;
SELECT try($q$SELECT ubehav_cross_validate(NULL, 'y')$q$);
SELECT try($q$SELECT ubehav_tune('h', 'SELECT a, y FROM h', 'y', NULL)$q$);
SELECT ubehav_refresh_scores(NULL, 'SELECT 1') IS NULL AS null_model_refresh;

-- empty, huge and odd values
SELECT try($q$SELECT ubehav_predict('h', '{}'::float8[])$q$);
-- the default scaling clips smoothly, so a huge value scores; under standard scaling it is an error
SELECT try($q$SELECT ubehav_predict('h', ARRAY[1e308, 1e308])$q$);
SELECT ubehav_train('h_standard', 'SELECT a, y FROM h', 'y', '{"scaling": "standard", "epochs": 1}') IS NOT NULL AS trained;
SELECT try($q$SELECT ubehav_predict('h_standard', ARRAY[1e308])$q$);
SELECT ubehav_predict('h', ARRAY[1e-308, -1e-308]) BETWEEN 0 AND 1 AS tiny_ok;
SELECT try($q$SELECT ubehav_predict('h', ARRAY['-Infinity', 1]::float8[])$q$);
SELECT try($q$SELECT ubehav_predict('h', '{{1,2},{3,4}}'::float8[])$q$);
SELECT ubehav_predict('h', '[5:6]={1,2}'::float8[]) BETWEEN 0 AND 1 AS lower_bound_ignored;
SELECT try($q$SELECT ubehav_predict('h', ARRAY[NULL, NULL]::float8[])$q$);
SELECT try($q$SELECT ubehav_predict('', ARRAY[1, 2])$q$);
SELECT try($q$SELECT ubehav_train('', 'SELECT a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train(repeat('x', 201), 'SELECT a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train(E'tab\there', 'SELECT a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', '', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', '')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT 1e308::float8 * 10 AS a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT CASE WHEN id = 3 THEN 1e300 ELSE a END AS a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT ARRAY[a, 1e39] AS a, y FROM h', 'y')$q$);
SELECT (ubehav_train('h_huge', 'SELECT a * 1e37 AS a, b * 1e-37 AS b, y FROM h', 'y', '{"epochs": 1, "hidden": [4]}')->'metrics'->>'auc') IS NOT NULL AS huge_and_tiny_scaled;
SELECT ubehav_predict('h_huge', ARRAY[1e37, 1e-37]) BETWEEN 0 AND 1 AS huge_scored;

-- names with quotes, semicolons and unicode are data, never SQL
SELECT ubehav_train($$it's; DROP TABLE h; --$$, 'SELECT a, b, y FROM h', 'y', '{"epochs": 1, "hidden": [2]}')->>'model' AS model;
SELECT ubehav_train('モデル "ü" ✓', 'SELECT a, b, y FROM h', 'y', '{"epochs": 1, "hidden": [2]}')->>'model' AS model;
SELECT ubehav_predict($$it's; DROP TABLE h; --$$, ARRAY[1, 2]) BETWEEN 0 AND 1 AS scored, count(*) AS h_rows FROM h;
SELECT ubehav_predict('モデル "ü" ✓', ARRAY[1, 2]) BETWEEN 0 AND 1 AS unicode_scored;
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', $$y"; DROP TABLE h; --$$)$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', $${"epochs": "1; DROP TABLE h"}$$)$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h; DROP TABLE h', 'y')$q$);
SELECT ubehav_train('h_pattern', 'SELECT a, y FROM h', 'y', '{"exclude": ["''; DROP TABLE h; --"]}')->>'version' AS pattern_is_data;
SELECT count(*) AS h_still_there FROM h;

-- queries that error, return no rows, one row, or very many columns
SELECT try($q$SELECT ubehav_train('h', 'SELECT 1/0 AS a, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h WHERE false', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h LIMIT 1', 'y')$q$);
SELECT ubehav_train('h_wide', 'SELECT ' || (SELECT string_agg('a + ' || i || ' AS c' || i, ', ') FROM generate_series(1, 1000) i) || ', y FROM h',
                    'y', '{"epochs": 1, "hidden": [4]}')->>'features' AS many_columns;
SELECT try($q$SELECT ubehav_train('h', 'SELECT ' || (SELECT string_agg('a AS c' || i, ', ') FROM generate_series(1, 2000) i) || ', y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT y, y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a AS y, y FROM h', 'y')$q$);

-- labels with one class or thousands of classes
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, true AS y FROM h', 'y')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, id::text AS y FROM h', 'y')$q$);
SELECT ubehav_train('h_classes', 'SELECT a, (id % 250)::text AS y FROM h', 'y', '{"epochs": 1, "hidden": [4], "max_classes": 1000}')->>'task' AS many_classes;

-- absurd options
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"hidden": [1000000000]}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"hidden": [65536, 65536]}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"learning_rate": -1}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"learning_rate": "NaN"}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"learning_rate": 1e400}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"epochs": 0}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"epochs": 1e12}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"seed": -1}')$q$);
SELECT ubehav_train('h_batch', 'SELECT a, y FROM h', 'y', '{"batch_size": 65536, "epochs": 1, "hidden": [2]}')->>'version' AS batch_larger_than_data;
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"hidden": [[4]]}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"hidden": [1, 2, 3, 4, 5, 6, 7, 8, 9]}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"dropout": -0.1}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '{"validation_split": -0.5}')$q$);
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', '"just a string"')$q$);
SELECT (ubehav_train('h_dup', 'SELECT a, y FROM h', 'y', '{"epochs": 1, "epochs": 2}')->'metrics'->>'epochs_run')::int <= 2 AS duplicate_key_one_value;
SELECT try($q$SELECT ubehav_train('h', 'SELECT a, y FROM h', 'y', (SELECT ('{' || string_agg('"k' || i || '": 1', ',') || '}')::jsonb FROM generate_series(1, 1000) i))$q$);
SELECT try($q$SELECT ubehav_cross_validate('SELECT a, y FROM h', 'y', '{}', 1000)$q$);
SELECT try($q$SELECT ubehav_feature_importance('h', 'SELECT a, b, y FROM h', 0)$q$);
SELECT try($q$SELECT ubehav_explain('h', ARRAY[1, 2], NULL, 100000)$q$);

-- the catalog is untouched by everything above but the successful trainings
SELECT name, count(*) AS versions FROM ubehav_models WHERE name IN ('h', 'h_null', 'h_pattern', 'h_dup', 'h_huge', 'h_wide', 'h_classes', 'h_batch') GROUP BY name ORDER BY name;

-- the training memory bound: data that cannot be streamed (DP-SGD samples rows at random) is an
-- error naming the setting, and nothing is stored (ubehav_streaming shows what streams)
SET ubehav.max_training_memory = '16MB';
SELECT try($q$SELECT ubehav_train('h_big', 'SELECT ARRAY(SELECT random() FROM generate_series(1, 100)) AS f, i % 2 = 0 AS y FROM generate_series(1, 100000) i', 'y', '{"noise_multiplier": 1}')$q$);
RESET ubehav.max_training_memory;
SELECT count(*) AS h_big_versions FROM ubehav_models WHERE name = 'h_big';
SELECT try($q$SET ubehav.max_training_memory = '1MB'$q$);
