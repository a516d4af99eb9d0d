-- Evaluation from SQL: aggregates, curves, extra metrics, training log.
-- Expected values come from scikit-learn 1.2.1 (Debian python3-sklearn), frozen here:
--   s = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1]; y = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]
--   roc_auc_score(y, s) = 0.7; average_precision_score(y, s) = 0.7087301587301587
--   log_loss(y, s) = 0.6445531837055365; matthews_corrcoef(y, s >= 0.5) = 0.2182178902359924
--   confusion_matrix(y, s >= 0.5).ravel() = [tn 2, fp 3, fn 1, tp 4]
--   p = [2.5, 0.0, 2.1, 7.8, 3.3]; a = [3.0, -0.5, 2.0, 7.0, 4.1]
--   mean_squared_error(a, p) ** 0.5 = 0.5983310120660635; mean_absolute_error = 0.54; r2_score = 0.9410951691457154
\set SHOW_CONTEXT never
CREATE TABLE ev AS
SELECT * FROM (VALUES (0.9, true), (0.8, true), (0.8, false), (0.7, true), (0.5, false),
                      (0.5, true), (0.5, false), (0.3, false), (0.2, true), (0.1, false)) v(score, label);
SELECT round(ubehav_auc(score, label)::numeric, 12) AS auc,
       round(ubehav_pr_auc(score, label)::numeric, 12) AS pr_auc,
       round(ubehav_log_loss(score, label)::numeric, 12) AS log_loss
FROM ev;
SELECT ubehav_confusion(score, label, 0.5) FROM ev;
SELECT round((ubehav_confusion(score, label, 0.5)->>'mcc')::numeric, 12) AS mcc FROM ev;
-- integer 0/1 labels give the same numbers (scikit-learn took y as the integers above); other integers are refused
SELECT round(ubehav_auc(score, label::int)::numeric, 12) AS auc,
       round(ubehav_pr_auc(score, label::int)::numeric, 12) AS pr_auc,
       round(ubehav_log_loss(score, label::int)::numeric, 12) AS log_loss,
       ubehav_confusion(score, label::int, 0.5) = ubehav_confusion(score, label, 0.5) AS same_confusion
FROM ev;
SELECT ubehav_auc(score, 2) FROM ev;
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE reg AS SELECT * FROM (VALUES (2.5, 3.0), (0.0, -0.5), (2.1, 2.0), (7.8, 7.0), (3.3, 4.1)) v(p, a);
SELECT round(ubehav_rmse(p, a)::numeric, 12) AS rmse, round(ubehav_mae(p, a)::numeric, 12) AS mae,
       round(ubehav_r2(p, a)::numeric, 12) AS r2
FROM reg;
-- NULL inputs are left out; an empty input gives NULL
SELECT ubehav_auc(score, label) FROM (SELECT * FROM ev UNION ALL SELECT NULL, true UNION ALL SELECT 0.4, NULL) q;
SELECT ubehav_auc(score, label), ubehav_rmse(p, a) FROM ev, reg WHERE false;
-- GROUP BY, with groups whose metric is undefined: NULL and a notice saying why
SELECT g, round(ubehav_auc(score, label)::numeric, 4) AS auc, round(ubehav_pr_auc(score, label)::numeric, 4) AS pr_auc
FROM (SELECT 'mixed' AS g, * FROM ev
      UNION ALL SELECT 'all positive', 0.3, true UNION ALL SELECT 'all positive', 0.6, true
      UNION ALL SELECT 'all negative', 0.3, false) q
GROUP BY g ORDER BY g;
SELECT ubehav_r2(p, 5) FROM reg;
-- bad inputs
SELECT ubehav_auc('NaN', true);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_log_loss(1.5, true);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_confusion(score, label, CASE WHEN score > 0.6 THEN 0.5 ELSE 0.4 END) FROM ev;
\echo :LAST_ERROR_SQLSTATE

-- parallel aggregation gives the serial result
SELECT setseed(0.7);
CREATE TABLE big_ev AS SELECT i % 7 AS g, random() AS score, random() < 0.3 AS label, random() * 10 AS p, random() * 10 AS a
FROM generate_series(1, 200000) i;
ANALYZE big_ev;
CREATE TEMP TABLE serial_result AS
SELECT g, ubehav_auc(score, label) AS auc, ubehav_pr_auc(score, label) AS pr_auc, ubehav_log_loss(score, label) AS ll,
       ubehav_rmse(p, a) AS rmse, ubehav_r2(p, a) AS r2, ubehav_confusion(score, label, 0.5) AS cm,
       ubehav_auc(score, label::int) AS auc_int
FROM big_ev GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT g, ubehav_auc(score, label) FROM big_ev GROUP BY g;
EXPLAIN (COSTS OFF) SELECT g, ubehav_auc(score, label::int), ubehav_log_loss(score, label::int) FROM big_ev GROUP BY g;
SELECT count(*) AS groups,
       bool_and(abs(s.auc - p.auc) < 1e-12 AND abs(s.pr_auc - p.pr_auc) < 1e-12 AND abs(s.ll - p.ll) < 1e-9
                AND abs(s.rmse - p.rmse) < 1e-9 AND abs(s.r2 - p.r2) < 1e-9 AND s.cm = p.cm
                AND abs(s.auc_int - p.auc_int) < 1e-12 AND s.auc_int = s.auc) AS parallel_equals_serial
FROM serial_result s JOIN (
    SELECT g, ubehav_auc(score, label) AS auc, ubehav_pr_auc(score, label) AS pr_auc, ubehav_log_loss(score, label) AS ll,
           ubehav_rmse(p, a) AS rmse, ubehav_r2(p, a) AS r2, ubehav_confusion(score, label, 0.5) AS cm,
           ubehav_auc(score, label::int) AS auc_int
    FROM big_ev GROUP BY g) p USING (g);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET enable_hashagg;

-- a model to evaluate
SELECT setseed(0.3);
CREATE TABLE shop AS
SELECT i AS id, random() AS x1, random() AS x2, (ARRAY['a', 'b', 'c'])[1 + (i % 3)] AS segment FROM generate_series(1, 2000) i;
ALTER TABLE shop ADD COLUMN bought boolean;
UPDATE shop SET bought = x1 * x2 + 0.2 * random() > 0.35;
SELECT ubehav_train('shop', 'SELECT x1, x2, bought FROM shop WHERE id <= 1500', 'bought', '{"seed": 1, "epochs": 20, "hidden": [16]}')->>'version' AS version;
-- ubehav_evaluate's extra metrics agree with the aggregates on the same scores
SELECT (e->>'pr_auc')::float8 > 0 AS has_pr_auc, e->'confusion' ? 'tp' AS has_confusion, (e->>'mcc') IS NOT NULL AS has_mcc,
       abs((e->>'auc')::float8 - (SELECT ubehav_auc(ubehav_predict('shop', s), bought) FROM shop s WHERE id > 1500)) < 1e-6 AS auc_agrees,
       abs((e->>'pr_auc')::float8 - (SELECT ubehav_pr_auc(ubehav_predict('shop', s), bought) FROM shop s WHERE id > 1500)) < 1e-6 AS pr_auc_agrees,
       e->'confusion' = (SELECT ubehav_confusion(ubehav_predict('shop', s), bought, (e->>'threshold')::float8)
                         - 'threshold' - 'accuracy' - 'precision' - 'recall' - 'f1' - 'mcc' FROM shop s WHERE id > 1500) AS confusion_agrees
FROM ubehav_evaluate('shop', 'SELECT * FROM shop WHERE id > 1500') e;
-- per segment, as a dashboard would
SELECT segment, round(ubehav_auc(ubehav_predict('shop', s), bought)::numeric, 3) > 0.8 AS good
FROM shop s WHERE id > 1500 GROUP BY segment ORDER BY segment;

-- curves: from (0, 0) to (1, 1), and the area under the ROC points is the AUC
SELECT count(*) > 10 AS points, min(fpr) AS min_fpr, max(fpr) AS max_fpr, min(tpr) AS min_tpr, max(tpr) AS max_tpr,
       max(recall) AS max_recall
FROM ubehav_roc_curve('shop', 'SELECT * FROM shop WHERE id > 1500');
SELECT abs(sum((fpr - prev_fpr) * (tpr + prev_tpr) / 2) -
           (SELECT ubehav_auc(ubehav_predict('shop', s), bought) FROM shop s WHERE id > 1500)) < 1e-9 AS trapezoid_equals_auc
FROM (SELECT fpr, tpr, lag(fpr) OVER (ORDER BY threshold DESC) AS prev_fpr, lag(tpr) OVER (ORDER BY threshold DESC) AS prev_tpr
      FROM ubehav_roc_curve('shop', 'SELECT * FROM shop WHERE id > 1500')) c
WHERE prev_fpr IS NOT NULL;
SELECT bool_and(precision BETWEEN 0 AND 1) AS precisions_ok, max(recall) AS max_recall,
       abs(sum((recall - coalesce(prev_recall, 0)) * precision) -
           (SELECT ubehav_pr_auc(ubehav_predict('shop', s), bought) FROM shop s WHERE id > 1500)) < 1e-9 AS sum_equals_pr_auc
FROM (SELECT recall, precision, lag(recall) OVER (ORDER BY threshold DESC) AS prev_recall
      FROM ubehav_pr_curve('shop', 'SELECT * FROM shop WHERE id > 1500')) c;
-- every point recounted in SQL from ubehav_predict's scores: the rates of positives and negatives
-- scored at or above its threshold, one point per distinct score (plus (0, 0) for the ROC curve)
CREATE TEMP TABLE shop_scores AS SELECT ubehav_predict('shop', t) AS score, bought FROM shop t WHERE id > 1500;
SELECT curve, count(*) - (SELECT count(DISTINCT score) FROM shop_scores) AS extra_points,
       bool_and(abs(c.tpr - x.tpr) < 1e-12 AND abs(c.fpr - x.fpr) < 1e-12 AND abs(c.precision - x.precision) < 1e-12
                AND c.recall = c.tpr) FILTER (WHERE c.threshold < 'Infinity') AS recounted
FROM (SELECT 'roc' AS curve, * FROM ubehav_roc_curve('shop', 'SELECT * FROM shop WHERE id > 1500')
      UNION ALL SELECT 'pr', * FROM ubehav_pr_curve('shop', 'SELECT * FROM shop WHERE id > 1500')) c
     CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE bought AND score >= c.threshold)::float8 / count(*) FILTER (WHERE bought) AS tpr,
               count(*) FILTER (WHERE NOT bought AND score >= c.threshold)::float8 / count(*) FILTER (WHERE NOT bought) AS fpr,
               count(*) FILTER (WHERE bought AND score >= c.threshold)::float8 / nullif(count(*) FILTER (WHERE score >= c.threshold), 0) AS precision
        FROM shop_scores) x
GROUP BY curve ORDER BY curve;
SELECT ubehav_roc_curve('shop', 'SELECT * FROM shop WHERE bought');
\echo :LAST_ERROR_SQLSTATE

-- multiclass evaluation: per-class metrics and a confusion matrix keyed by label
SELECT ubehav_train('segment', 'SELECT x1, x2, bought, segment FROM shop', 'segment', '{"epochs": 2, "hidden": [8]}')->>'task' AS task;
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e->'per_class') k) AS classes,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e->'per_class'->'a') k) AS per_class_keys,
       (SELECT sum(v::text::int) FROM jsonb_each(e->'confusion') r, jsonb_each(r.value) c(k, v)) AS confusion_total
FROM ubehav_evaluate('segment', 'SELECT * FROM shop') e;
-- on a learnable three-class target, per-class precision, recall and f1, the confusion matrix, accuracy
-- and macro f1 agree with counts of ubehav_predict_class on the same rows, computed here in SQL
CREATE TABLE ev_tiers AS
SELECT id, x1, x2, CASE WHEN x1 + 0.2 * x2 < 0.45 THEN 'low' WHEN x1 + 0.2 * x2 < 0.8 THEN 'mid' ELSE 'high' END AS tier
FROM shop;
SELECT ubehav_train('ev_tier', 'SELECT x1, x2, tier FROM ev_tiers WHERE id <= 1500', 'tier',
                    '{"seed": 2, "epochs": 15, "hidden": [16], "learning_rate": 0.01}')->>'task' AS task;
CREATE TEMP TABLE ev_tier_eval AS SELECT ubehav_evaluate('ev_tier', 'SELECT * FROM ev_tiers WHERE id > 1500') AS e;
CREATE TEMP TABLE ev_tier_pred AS
SELECT tier AS actual, ubehav_predict_class('ev_tier', t) AS predicted FROM ev_tiers t WHERE id > 1500;
SELECT c AS class, count(*) FILTER (WHERE actual = c) AS support,
       (e->'per_class'->c->>'support')::int = count(*) FILTER (WHERE actual = c) AS support_agrees,
       abs((e->'per_class'->c->>'precision')::float8 -
           count(*) FILTER (WHERE actual = c AND predicted = c)::float8 / count(*) FILTER (WHERE predicted = c)) < 1e-9 AS precision_agrees,
       abs((e->'per_class'->c->>'recall')::float8 -
           count(*) FILTER (WHERE actual = c AND predicted = c)::float8 / count(*) FILTER (WHERE actual = c)) < 1e-9 AS recall_agrees,
       abs((e->'per_class'->c->>'f1')::float8 -
           2.0 * count(*) FILTER (WHERE actual = c AND predicted = c) / (count(*) FILTER (WHERE actual = c) + count(*) FILTER (WHERE predicted = c))) < 1e-9 AS f1_agrees,
       (e->'per_class'->c->>'recall')::float8 > 0.6 AS learned
FROM ev_tier_pred, ev_tier_eval, unnest(ARRAY['high', 'low', 'mid']) c
GROUP BY c, e ORDER BY c;
SELECT bool_and((e->'confusion'->a->>p)::int = n) AS confusion_agrees, sum(n) AS cells_total
FROM (SELECT a, p, count(*) FILTER (WHERE actual = a AND predicted = p) AS n
      FROM ev_tier_pred, unnest(ARRAY['high', 'low', 'mid']) a, unnest(ARRAY['high', 'low', 'mid']) p GROUP BY a, p) cells,
     ev_tier_eval;
SELECT abs((e->>'accuracy')::float8 - (SELECT avg((actual = predicted)::int) FROM ev_tier_pred)) < 1e-9 AS accuracy_agrees,
       abs((e->>'macro_f1')::float8 - (SELECT avg((f.value->>'f1')::float8) FROM jsonb_each(e->'per_class') f)) < 1e-6 AS macro_f1_is_mean_f1
FROM ev_tier_eval;
SELECT ubehav_roc_curve('segment', 'SELECT * FROM shop');
\echo :LAST_ERROR_SQLSTATE

-- the training log, one row per epoch
SELECT count(*) AS epochs, min(epoch) AS first, max(epoch) AS last, bool_and(val_metric = 'val_auc') AS metric_named,
       bool_and(loss > 0 AND val_loss > 0 AND val_value BETWEEN 0 AND 1 AND learning_rate = 0.001 AND milliseconds >= 0) AS values_ok
FROM ubehav_training_log('shop');
SELECT count(*) AS epochs_of_version_1 FROM ubehav_training_log('shop', 1);
SELECT count(*) AS no_such_version FROM ubehav_training_log('shop', 7);
-- One log loss: ubehav_evaluate and the ubehav_log_loss aggregate agree to the last bit on the same
-- rows, confident wrong predictions included (probabilities clipped to 1e-15 by both)
CREATE TABLE ll AS SELECT i::float8 AS x, i > 100 AS y FROM generate_series(1, 200) i;
SELECT ubehav_train('ll', 'SELECT x, y FROM ll', 'y',
    '{"epochs": 30, "learning_rate": 0.05, "hidden": [8], "seed": 2, "scaling": "standard"}') IS NOT NULL AS trained;
SELECT min(ubehav_predict('ll', l)) < 1e-7 OR max(ubehav_predict('ll', l)) > 1 - 1e-7 AS some_beyond_1e7 FROM ll l;
SELECT (ubehav_evaluate('ll', 'SELECT x, NOT y AS y FROM ll')->>'log_loss')::float8
       = (SELECT ubehav_log_loss(ubehav_predict('ll', l), NOT l.y) FROM ll l) AS flipped_labels_same_log_loss,
       (ubehav_evaluate('ll', 'SELECT x, y FROM ll')->>'log_loss')::float8
       = (SELECT ubehav_log_loss(ubehav_predict('ll', l), l.y) FROM ll l) AS same_log_loss;
