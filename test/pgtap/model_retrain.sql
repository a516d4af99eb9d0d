-- Retraining under the same name adds version 2, deploys it, and scoring uses it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(8);

SELECT setseed(0.44);
CREATE TEMP TABLE rt AS
SELECT x1, x2, (x1 > 0) AS rule1, (x2 > 0) AS rule2
FROM (SELECT random() * 2 - 1 AS x1, random() * 2 - 1 AS x2 FROM generate_series(1, 2000)) g;

CREATE TEMP TABLE v AS
SELECT 1 AS n, ubehav_train('churn', 'SELECT x1, x2, rule1 AS y FROM rt', 'y',
                            '{"seed": 5, "epochs": 10, "hidden": [16]}') AS s;
CREATE TEMP TABLE before AS SELECT x1, x2, rule1, ubehav_predict('churn', ARRAY[x1, x2]) AS p FROM rt;

INSERT INTO v
SELECT 2, ubehav_train('churn', 'SELECT x1, x2, rule2 AS y FROM rt', 'y',
                       '{"seed": 5, "epochs": 10, "hidden": [16]}');

SELECT is((SELECT (s->>'version')::int FROM v WHERE n = 1), 1, 'first training is version 1');
SELECT is((SELECT (s->>'version')::int FROM v WHERE n = 2), 2, 'retraining is version 2');
SELECT is((SELECT s->>'model' FROM v WHERE n = 2), 'churn', 'the summary names the model');
SELECT results_eq($$SELECT version, deployed FROM ubehav_models WHERE name = 'churn' ORDER BY version$$,
                  $$VALUES (1, false), (2, true)$$,
                  'both versions are kept, only version 2 is deployed');
SELECT is((SELECT count(*) FROM ubehav_models WHERE name = 'churn' AND deployed), 1::bigint,
          'exactly one deployed row');
SELECT cmp_ok((SELECT avg(((p > 0.5) = rule1)::int)::float8 FROM before), '>=', 0.9::float8,
              'version 1 learned rule 1 (x1 > 0)');
SELECT cmp_ok((SELECT avg(((ubehav_predict('churn', ARRAY[x1, x2]) > 0.5) = rule2)::int)::float8 FROM rt),
              '>=', 0.9::float8, 'after the retrain, scores follow rule 2 (x2 > 0): version 2 is used');
SELECT cmp_ok((SELECT count(*) FROM before b WHERE b.p IS DISTINCT FROM ubehav_predict('churn', ARRAY[b.x1, b.x2])),
              '>', 1000::bigint, 'the scores changed');

SELECT * FROM finish();
ROLLBACK;
