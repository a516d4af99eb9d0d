-- The point of an MLP: a rule no linear model can learn.
-- label = sign(x1) XOR sign(x2) (a checkerboard), plus three pure-noise features.
-- Logistic regression ("hidden": [], no hidden layer) cannot beat chance on it;
-- the default network must.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(7);

SELECT setseed(0.11);
CREATE TEMP TABLE xor_data AS
SELECT x1, x2, random() * 2 - 1 AS n1, random() * 2 - 1 AS n2, random() * 2 - 1 AS n3,
       (x1 * x2 > 0) AS label
FROM (SELECT random() * 2 - 1 AS x1, random() * 2 - 1 AS x2
      FROM generate_series(1, 4000)) g;

CREATE TEMP TABLE runs AS
SELECT 'mlp'::text AS kind,
       ubehav_train('xor_mlp', 'SELECT x1, x2, n1, n2, n3, label FROM xor_data', 'label',
                    '{"seed": 1, "epochs": 30}') AS s;
INSERT INTO runs
SELECT 'lr', ubehav_train('xor_lr', 'SELECT x1, x2, n1, n2, n3, label FROM xor_data', 'label',
                          '{"seed": 1, "epochs": 30, "hidden": []}');

SELECT is((SELECT s->>'task' FROM runs WHERE kind = 'mlp'), 'binary',
          'a boolean target is inferred as a binary task');
SELECT is((SELECT (s->>'features')::int FROM runs WHERE kind = 'mlp'), 5,
          'five feature columns (the target is not a feature)');
SELECT cmp_ok((SELECT (s->'metrics'->>'auc')::float8 FROM runs WHERE kind = 'mlp'), '>=', 0.9::float8,
              'default MLP reaches validation AUC >= 0.9 on XOR');
SELECT cmp_ok((SELECT (s->'metrics'->>'auc')::float8 FROM runs WHERE kind = 'lr'), '<', 0.7::float8,
              'logistic regression (hidden: []) stays below AUC 0.7 on XOR');
SELECT is((SELECT (metrics->>'auc')::float8 FROM ubehav_models WHERE name = 'xor_mlp' AND deployed),
          (SELECT (s->'metrics'->>'auc')::float8 FROM runs WHERE kind = 'mlp'),
          'the catalog stores the same validation metrics as the summary');
SELECT cmp_ok((SELECT avg(((ubehav_predict('xor_mlp', d) > 0.5) = label)::int)::float8 FROM xor_data d),
              '>=', 0.85::float8, 'scoring the rows with the MLP is >= 85% accurate');
SELECT cmp_ok((SELECT avg(((ubehav_predict('xor_lr', d) > 0.5) = label)::int)::float8 FROM xor_data d),
              '<', 0.65::float8, 'logistic regression is near chance when scoring the rows');

SELECT * FROM finish();
ROLLBACK;
