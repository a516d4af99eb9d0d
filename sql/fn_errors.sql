-- Every error of the API: a clear message, and the SQLSTATE printed after it.
\set SHOW_CONTEXT never
CREATE TABLE t AS
SELECT i AS id, (i % 7)::float8 AS a, (i % 11)::int AS b, (i % 3 = 0) AS label,
       CASE WHEN i % 2 = 0 THEN 'x' ELSE 'y' END AS c, now() AS ts
FROM generate_series(1, 200) i;

-- unknown model
SELECT ubehav_predict('nope', ARRAY[1, 2]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_evaluate('nope', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE

-- options: unknown key (lists the valid ones), wrong type, out of range, not an object, null
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"epoch": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"epochs": "five"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"epochs": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"epochs": 2.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"learning_rate": -0.1}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"validation_split": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"hidden": [64, 0]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"hidden": 64}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"activation": "swish"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"optimizer": "rmsprop"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"task": "ranking"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"nesterov": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"seed": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '[1, 2]');
\echo :LAST_ERROR_SQLSTATE
-- a network larger than ubehav.max_parameters
SELECT ubehav_train('m', 'SELECT a, b, label FROM t', 'label', '{"hidden": [65536, 65536, 65536]}');
\echo :LAST_ERROR_SQLSTATE

-- arguments
SELECT ubehav_train(NULL, 'SELECT a, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('', 'SELECT a, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE

-- the query: missing target, bad SQL, not a SELECT, unsupported type, duplicate names
SELECT ubehav_train('m', 'SELECT a, b FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b, label FROM no_such_table', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'DELETE FROM t RETURNING a, label', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rows_kept FROM t;
SELECT ubehav_train('m', 'SELECT a, ts, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b AS a, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE

-- the rows: none, one class only, NaN and Infinity, ragged arrays
SELECT ubehav_train('m', 'SELECT a, label FROM t WHERE false', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, NULL::boolean AS label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, true AS label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT CASE WHEN id = 5 THEN ''NaN''::float8 ELSE a END AS a, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT CASE WHEN id = 9 THEN ''-Infinity''::float8 ELSE a END AS a, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT CASE WHEN id = 9 THEN ARRAY[1.0, 2.0] ELSE ARRAY[a] END AS arr, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT ARRAY[[a, a], [a, a]] AS arr, label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, c AS label FROM t', 'label', '{"task": "regression"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, b AS label FROM t', 'label', '{"task": "binary"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('m', 'SELECT a, id AS label FROM t', 'label');
\echo :LAST_ERROR_SQLSTATE
-- nothing above stored a model
SELECT count(*) AS versions FROM ubehav_models WHERE name = 'm';

-- a good model, then every scoring error
SELECT ubehav_train('good', 'SELECT a, b, label FROM t', 'label', '{"epochs": 1, "hidden": [4]}')->>'version' AS version;
SELECT ubehav_predict('good', ARRAY[1, 2, 3]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', ARRAY[1, NULL]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', ARRAY[1, 'NaN']::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', ARRAY[1, 'Infinity']::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', ARRAY[[1, 2], [3, 4]]::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', r) FROM (SELECT 1.0::float8 AS a) r;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', r) FROM (SELECT 1.0::float8 AS a, 'text' AS b) r;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', r) FROM (SELECT 'NaN'::float8 AS a, 1 AS b) r;
\echo :LAST_ERROR_SQLSTATE
-- NULL in a row is imputed rather than an error
SELECT ubehav_predict('good', r) BETWEEN 0 AND 1 AS imputed FROM (SELECT NULL::float8 AS a, 1 AS b) r;
SELECT ubehav_predict('good', ARRAY[1, 2]) BETWEEN 0 AND 1 AS ok;
SELECT ubehav_evaluate('good', 'SELECT a, b FROM t');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict('good', ARRAY[1, 2]) BETWEEN 0 AND 1 AS ok;
SELECT ubehav_evaluate('good', 'SELECT a, b, label FROM t WHERE false');
\echo :LAST_ERROR_SQLSTATE

-- the wrong function for the task
SELECT ubehav_train('classes', 'SELECT a, c || b AS label FROM t', 'label', '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT ubehav_predict('classes', ARRAY[1]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('amount', 'SELECT b, a AS label FROM t', 'label', '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT ubehav_predict_proba('amount', ARRAY[1]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_predict_class('amount', ARRAY[1]);
\echo :LAST_ERROR_SQLSTATE

-- model bytes that fail validation: a flipped byte, a truncation, garbage
UPDATE ubehav_models SET weights = set_byte(weights, 100, get_byte(weights, 100) # 1) WHERE name = 'good';
SELECT ubehav_predict('good', ARRAY[1, 2]);
\echo :LAST_ERROR_SQLSTATE
UPDATE ubehav_models SET weights = substring(weights FROM 1 FOR 50) WHERE name = 'good';
SELECT ubehav_predict('good', ARRAY[1, 2]);
\echo :LAST_ERROR_SQLSTATE
UPDATE ubehav_models SET weights = '\x00'::bytea WHERE name = 'good';
SELECT ubehav_predict('good', ARRAY[1, 2]);
\echo :LAST_ERROR_SQLSTATE
UPDATE ubehav_models SET preprocessing = '{"columns": 3}' WHERE name = 'amount';
SELECT ubehav_predict('amount', ARRAY[1]);
\echo :LAST_ERROR_SQLSTATE
-- a model with no deployed version
UPDATE ubehav_models SET deployed = false WHERE name = 'classes';
SELECT ubehav_predict_class('classes', ARRAY[1]);
\echo :LAST_ERROR_SQLSTATE

-- a training stopped by statement_timeout stores nothing
CREATE TABLE big AS SELECT i % 13 AS a, (i % 17)::float8 AS b, i % 2 = 0 AS y FROM generate_series(1, 100000) i;
SET statement_timeout = '300ms';
SELECT ubehav_train('slow', 'SELECT a, b, y FROM big', 'y', '{"epochs": 1000}');
RESET statement_timeout;
SELECT count(*) AS slow_versions FROM ubehav_models WHERE name = 'slow';
