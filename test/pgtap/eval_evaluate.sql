-- ubehav_evaluate scores the deployed version on labelled rows.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(6);

SELECT setseed(0.88);
CREATE TEMP TABLE clicks AS
SELECT day, x1, x2, (x1 * x1 + x2 * x2 < 0.5) <> (random() < 0.05) AS clicked   -- a disc, 5% label noise
FROM (SELECT 1 + floor(random() * 10)::int AS day, random() * 2 - 1 AS x1, random() * 2 - 1 AS x2
      FROM generate_series(1, 3000)) g;

SELECT lives_ok($$SELECT ubehav_train('ctr', 'SELECT x1, x2, clicked FROM clicks WHERE day <= 7', 'clicked',
                                      '{"seed": 6, "epochs": 20, "hidden": [32, 16]}')$$,
                'train on days 1-7');

CREATE TEMP TABLE e AS
SELECT ubehav_evaluate('ctr', 'SELECT x1, x2, clicked FROM clicks WHERE day > 7') AS m;

SELECT ok((SELECT m ?& ARRAY['auc', 'accuracy', 'precision', 'recall', 'f1', 'log_loss'] FROM e),
          'binary metrics: auc, accuracy, precision, recall, f1, log_loss');
SELECT is((SELECT count(*) FROM e, jsonb_each(m) kv
           WHERE kv.key IN ('auc', 'accuracy', 'precision', 'recall', 'f1')
             AND NOT ((kv.value #>> '{}')::float8 BETWEEN 0 AND 1)),
          0::bigint, 'auc, accuracy, precision, recall and f1 are in [0,1]');
SELECT cmp_ok((SELECT (m->>'log_loss')::float8 FROM e), '>', 0::float8, 'log_loss is positive');
SELECT cmp_ok((SELECT (m->>'auc')::float8 FROM e), '>=', 0.85::float8, 'held-out AUC >= 0.85');
SELECT cmp_ok((SELECT abs((m->>'accuracy')::float8
                          - (SELECT avg(((ubehav_predict('ctr', c) > 0.5) = clicked)::int)::float8
                             FROM clicks c WHERE day > 7)) FROM e),
              '<', 0.01::float8, 'accuracy agrees with thresholding ubehav_predict at 0.5');

SELECT * FROM finish();
ROLLBACK;
