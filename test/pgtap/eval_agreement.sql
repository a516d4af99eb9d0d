-- One definition of each metric: ubehav_evaluate and the SQL aggregates give the same numbers, to
-- the last bit, on the same rows (issue 17). Log loss clips at 1e-15 in both; before, ubehav_evaluate
-- clipped at 1e-7, which this test catches on rows scored below 1e-7. F1 is 2 tp / (2 tp + fp + fn)
-- everywhere; before, ubehav_evaluate computed 2 P R / (P + R), which differs in the last bit.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SET extra_float_digits = 3;
SELECT plan(13);

SELECT setseed(0.17);
-- a noisy disc (ordinary probabilities) and a far, clean margin (probabilities near 0 and 1)
CREATE TEMP TABLE pts AS
SELECT i, x1, x2, (x1 * x1 + x2 * x2 < 0.5) <> (random() < 0.1) AS y
FROM (SELECT i, random() * 2 - 1 AS x1, random() * 2 - 1 AS x2 FROM generate_series(1, 2000) i) g;
CREATE TEMP TABLE far AS
SELECT i, x, x > 0 AS y FROM (SELECT i, (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END) * (5 + random() * 20) AS x
                              FROM generate_series(1, 400) i) g;

SELECT lives_ok($$SELECT ubehav_train('agree_disc', 'SELECT x1, x2, y FROM pts', 'y', '{"seed": 3, "epochs": 5, "hidden": [16]}')$$,
                'a binary model on the disc');
SELECT lives_ok($$SELECT ubehav_train('agree_far', 'SELECT x, y FROM far', 'y',
                                      '{"seed": 4, "epochs": 40, "hidden": [], "learning_rate": 0.5, "optimizer": "sgd", "scaling": "none"}')$$,
                'a logistic regression with a wide margin');

CREATE TEMP TABLE ev AS
SELECT 'disc' AS m, ubehav_evaluate('agree_disc', 'SELECT x1, x2, y FROM pts') AS e
UNION ALL SELECT 'far', ubehav_evaluate('agree_far', 'SELECT x, y FROM far');
CREATE TEMP TABLE agg AS
SELECT 'disc' AS m, ubehav_auc(p, y) AS auc, ubehav_pr_auc(p, y) AS pr_auc, ubehav_log_loss(p, y) AS log_loss,
       ubehav_confusion(p, y, (SELECT (e->>'threshold')::float8 FROM ev WHERE m = 'disc')) AS c
FROM (SELECT ubehav_predict('agree_disc', ARRAY[x1, x2]) AS p, y FROM pts ORDER BY i) s
UNION ALL
SELECT 'far', ubehav_auc(p, y), ubehav_pr_auc(p, y), ubehav_log_loss(p, y),
       ubehav_confusion(p, y, (SELECT (e->>'threshold')::float8 FROM ev WHERE m = 'far'))
FROM (SELECT ubehav_predict('agree_far', ARRAY[x]) AS p, y FROM far ORDER BY i) s;

-- the test means something only if the margin's model scores rows past the old clip of 1e-7
SELECT cmp_ok((SELECT count(*) FROM far WHERE least(ubehav_predict('agree_far', ARRAY[x]), 1 - ubehav_predict('agree_far', ARRAY[x])) < 1e-7),
              '>', 10::bigint, 'the wide margin scores rows closer than 1e-7 to 0 or 1');

SELECT is((SELECT (e->>'auc')::float8 FROM ev WHERE m = 'disc'), (SELECT auc FROM agg WHERE m = 'disc'),
          'AUC: ubehav_evaluate = ubehav_auc');
SELECT is((SELECT (e->>'pr_auc')::float8 FROM ev WHERE m = 'disc'), (SELECT pr_auc FROM agg WHERE m = 'disc'),
          'PR AUC: ubehav_evaluate = ubehav_pr_auc');
SELECT is((SELECT (e->>'log_loss')::float8 FROM ev WHERE m = 'disc'), (SELECT log_loss FROM agg WHERE m = 'disc'),
          'log loss: ubehav_evaluate = ubehav_log_loss');
SELECT is((SELECT (e->>'log_loss')::float8 FROM ev WHERE m = 'far'), (SELECT log_loss FROM agg WHERE m = 'far'),
          'log loss past 1e-7: ubehav_evaluate = ubehav_log_loss (one clip, 1e-15)');
SELECT ok((SELECT log_loss < 'infinity'::float8 FROM agg WHERE m = 'far'), 'the log loss is finite on saturated rows');
-- the clip recomputed in SQL: 1e-15 on both sides
SELECT cmp_ok(abs((SELECT log_loss FROM agg WHERE m = 'far')
                  - (SELECT avg(CASE WHEN y THEN -ln(greatest(least(p, 1 - 1e-15), 1e-15))
                                     ELSE -ln(1 - greatest(least(p, 1 - 1e-15), 1e-15)) END)
                     FROM (SELECT ubehav_predict('agree_far', ARRAY[x]) AS p, y FROM far) s)),
              '<', 1e-12::float8, 'log loss clips at 1e-15, as recomputed in SQL');
SELECT is((SELECT ARRAY[(e->>'accuracy')::float8, (e->>'precision')::float8, (e->>'recall')::float8] FROM ev WHERE m = 'disc'),
          (SELECT ARRAY[(c->>'accuracy')::float8, (c->>'precision')::float8, (c->>'recall')::float8] FROM agg WHERE m = 'disc'),
          'accuracy, precision, recall: ubehav_evaluate = ubehav_confusion at its threshold');
SELECT is((SELECT (e->>'f1')::float8 FROM ev WHERE m = 'disc'), (SELECT (c->>'f1')::float8 FROM agg WHERE m = 'disc'),
          'F1: ubehav_evaluate = ubehav_confusion at its threshold');
-- F1 on more confusion matrices: six small models of other seeds, each at its own threshold
-- (2 P R / (P + R) and 2 tp / (2 tp + fp + fn) round apart on about 4 in 10 of them)
CREATE TEMP TABLE seeds AS
SELECT 'agree_seed_' || k AS name, ubehav_train('agree_seed_' || k, 'SELECT x1, x2, y FROM pts', 'y',
                                                format('{"seed": %s, "epochs": 2, "hidden": [4]}', k)::jsonb) AS summary
FROM generate_series(1, 6) k;
SELECT is((SELECT count(*) FROM (
               SELECT (ubehav_evaluate(name, 'SELECT x1, x2, y FROM pts')->>'f1')::float8 AS f1_evaluate,
                      (SELECT (ubehav_confusion(ubehav_predict(seeds.name, ARRAY[x1, x2]), y,
                                                (summary->'metrics'->>'threshold')::float8)->>'f1')::float8 FROM pts) AS f1_confusion
               FROM seeds) f
           WHERE f1_evaluate IS DISTINCT FROM f1_confusion),
          0::bigint, 'F1 of six more models: ubehav_evaluate = ubehav_confusion');
SELECT is((SELECT (e->>'mcc')::float8 FROM ev WHERE m = 'disc'), (SELECT (c->>'mcc')::float8 FROM agg WHERE m = 'disc'),
          'MCC: ubehav_evaluate = ubehav_confusion at its threshold');

SELECT * FROM finish();
ROLLBACK;
