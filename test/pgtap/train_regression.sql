-- A numeric target is a regression: y = 3*x1 - 2*x2 + noise.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(4);

SELECT setseed(0.77);
CREATE TEMP TABLE demand AS
SELECT x1, x2, 3 * x1 - 2 * x2 + 0.1 * (random() - 0.5) AS y
FROM (SELECT random() * 2 - 1 AS x1, random() * 2 - 1 AS x2 FROM generate_series(1, 3000)) g;

CREATE TEMP TABLE summary AS
SELECT ubehav_train('demand', 'SELECT x1, x2, y FROM demand', 'y',
                    '{"seed": 2, "epochs": 20, "hidden": [32]}') AS s;

SELECT is((SELECT s->>'task' FROM summary), 'regression', 'a double precision target is a regression');
SELECT cmp_ok((SELECT (s->'metrics'->>'r2')::float8 FROM summary), '>', 0.9::float8, 'validation r2 > 0.9');
SELECT cmp_ok((SELECT avg(abs(ubehav_predict('demand', d) - y)) FROM demand d), '<', 0.5::float8,
              'mean absolute error on the rows < 0.5 (y spans -5..5)');
SELECT cmp_ok(abs(ubehav_predict('demand', ARRAY[0.5, -0.5]) - 2.5), '<', 0.5::float8,
              'array input: 3*0.5 - 2*(-0.5) = 2.5');

SELECT * FROM finish();
ROLLBACK;
