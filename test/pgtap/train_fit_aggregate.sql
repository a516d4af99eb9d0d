-- Training as an aggregate: one model per GROUP BY group, scored with the model value itself.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(11);

SELECT setseed(0.3);
-- two segments with opposite rules: a model per segment must beat one segment's model on the other
CREATE TABLE lf_data AS
SELECT i, (ARRAY['north', 'south'])[1 + i % 2] AS segment, random() AS a, random() AS b
FROM generate_series(1, 2000) i;
ALTER TABLE lf_data ADD COLUMN y boolean;
UPDATE lf_data SET y = CASE WHEN segment = 'north' THEN a > b ELSE a + b > 1 END;
UPDATE lf_data SET y = NULL WHERE i % 100 = 0;

CREATE TABLE lf_models AS
SELECT segment, ubehav_fit(ARRAY[a, b], y, '{"epochs": 20, "hidden": [8], "early_stopping": false, "seed": 3}') AS model
FROM lf_data GROUP BY segment;

SELECT is((SELECT count(*) FROM lf_models WHERE model->>'task' = 'binary'), 2::bigint, 'GROUP BY trains one binary model per segment');
SELECT is((SELECT (model->'metrics'->>'rows_used')::int + (model->'metrics'->>'rows_skipped')::int FROM lf_models WHERE segment = 'north'),
          1000, 'each model saw its own group''s rows, NULL labels skipped and counted');
CREATE TEMP TABLE lf_acc AS
SELECT s.segment,
       avg(((ubehav_predict(m.model, ARRAY[a, b]) >= 0.5) = y)::int) AS own,
       avg(((ubehav_predict(o.model, ARRAY[a, b]) >= 0.5) = y)::int) AS other
FROM lf_data s JOIN lf_models m USING (segment) JOIN lf_models o ON o.segment <> s.segment
WHERE y IS NOT NULL GROUP BY 1;
SELECT cmp_ok((SELECT min(own) FROM lf_acc), '>', 0.85::numeric, 'each segment''s own model scores it well');
SELECT cmp_ok((SELECT max(other) FROM lf_acc), '<', 0.7::numeric, 'the other segment''s model does not');
SELECT is((SELECT ubehav_predict_class(model, ARRAY[0.9, 0.1]) FROM lf_models WHERE segment = 'north'), 'true',
          'ubehav_predict_class with a model value');
SELECT ok((SELECT abs(p[1] + p[2] - 1) < 1e-6 FROM lf_models, LATERAL (SELECT ubehav_predict_proba(model, ARRAY[0.2, 0.3]) AS p) q
           WHERE segment = 'south'), 'ubehav_predict_proba with a model value');
-- the value is an export: ubehav_import stores it and the catalog model scores identically
SELECT is((SELECT ubehav_import('lf_north', model) FROM lf_models WHERE segment = 'north'), 1, 'a model value imports as a version');
SELECT ok((SELECT bool_and(ubehav_predict('lf_north', ARRAY[a, b]) = ubehav_predict(m.model, ARRAY[a, b]))
           FROM lf_data, lf_models m WHERE m.segment = 'north'), 'and the imported version scores exactly as the value');
SELECT is((SELECT ubehav_fit(ARRAY[a], a * 2 + b, '{"epochs": 2, "hidden": [4]}')->>'task' FROM lf_data), 'regression',
          'a float8 label trains a regression');
SELECT throws_ok($$SELECT ubehav_fit(ARRAY[a], y, '{"epochs": 2}') FROM lf_data WHERE i = 1$$, '22023',
                 'ubehav_fit got 1 rows with a label; at least 2 are needed', 'a group of one row is a clear error');
SELECT throws_ok($$SELECT ubehav_predict(model, ARRAY[1.0]) FROM lf_models$$, '2202E',
                 'model "ubehav_fit" expects 2 features, but the array has 1', 'a wrong feature count is a clear error');

SELECT * FROM finish();
ROLLBACK;
