-- ubehav demo: from raw e-commerce events to purchase and churn scores and product recommendations, entirely in SQL.
-- Run by test/scripts/demo.sh; psql -v users=N changes the number of generated users (default 20000).
\set QUIET on
\if :{?users}
\else
\set users 20000
\endif
\pset pager off
SET client_min_messages = warning;
SET TimeZone = 'UTC';
DROP SCHEMA IF EXISTS shop CASCADE;
DROP EXTENSION IF EXISTS ubehav CASCADE;
CREATE EXTENSION ubehav;
SET client_min_messages = notice;
SELECT clock_timestamp() AS demo_started \gset

\echo
\echo '== 1. Collect: six months of events of' :users 'users (generated, deterministic from a seed)'
SELECT clock_timestamp() AS started \gset
SELECT ubehav_demo_create('shop', :users, 180, 2026, DATE '2025-09-01') AS events;
SELECT round(extract(epoch FROM clock_timestamp() - :'started')::numeric, 1) AS took \gset
\echo 'time to generate the events:' :took 's'
SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users, round(sum(price * quantity)::numeric) AS revenue
FROM shop.events GROUP BY event_type ORDER BY events DESC;

\echo
\echo '== 2. Preprocess: one row of behaviour features per user as of 2026-01-15, labels from the weeks after it'
SELECT clock_timestamp() AS started \gset
CREATE TABLE shop.training AS
SELECT f.*, u.region, u.device, u.channel, l.purchase_next_7d, l.churn_next_30d
FROM ubehav_behaviour_features('shop.events', '2026-01-15') f
JOIN ubehav_behaviour_labels('shop.events', '2026-01-15') l USING (user_id)
JOIN shop.users u USING (user_id);
SELECT round(extract(epoch FROM clock_timestamp() - :'started')::numeric, 1) AS took \gset
\echo 'time to compute the features and labels of every user:' :took 's'
SELECT count(*) AS users, round(avg(purchase_next_7d::int), 3) AS purchase_rate_7d,
       round(avg(churn_next_30d::int), 3) AS churn_rate_30d,
       round(avg(days_since_last_visit)::numeric, 1) AS avg_days_since_visit,
       round(avg(cart_abandonment_rate)::numeric, 3) AS avg_cart_abandonment
FROM shop.training;

\echo
\echo '== 3. Train on 80% of the users (user_id % 5 <> 0); the other 20% are held out'
\echo 'ubehav_train prints a line per epoch (the first, the last, about one a second between, and where early stopping'
\echo 'ends a network); the 64-32 network is trained as an ensemble of 4 networks of 16-8, each with its own early stopping.'
CREATE TABLE shop.trained (model text PRIMARY KEY, summary jsonb);
INSERT INTO shop.trained
SELECT 'purchase_7d', ubehav_train('purchase_7d', $$SELECT * FROM shop.training WHERE user_id % 5 <> 0$$, 'purchase_next_7d',
    '{"seed": 1, "hidden": [64, 32], "epochs": 30, "exclude": ["user_id", "churn_next_30d"]}');
INSERT INTO shop.trained
SELECT 'churn_30d', ubehav_train('churn_30d', $$SELECT * FROM shop.training WHERE user_id % 5 <> 0$$, 'churn_next_30d',
    '{"seed": 1, "hidden": [64, 32], "epochs": 30, "exclude": ["user_id", "purchase_next_7d"]}');
SELECT model, (summary ->> 'training_rows')::int AS training_rows, (summary ->> 'validation_rows')::int AS validation_rows,
       summary ->> 'epochs_requested' AS epochs_asked, summary -> 'metrics' -> 'ensemble' -> 'epochs_run' AS epochs_run_per_network,
       summary ->> 'stopped_early' AS stopped_early, round((summary -> 'metrics' ->> 'auc')::numeric, 3) AS validation_auc,
       round((summary ->> 'training_ms')::numeric) AS training_ms
FROM shop.trained ORDER BY model DESC;

\echo
\echo '== 4. Evaluate on the held-out users, against the best single-feature rule'
CREATE TABLE shop.held_out AS
SELECT user_id, purchase_next_7d, churn_next_30d, days_since_last_visit, sessions_30d,
       ubehav_predict('purchase_7d', t) AS p_purchase, ubehav_predict('churn_30d', t) AS p_churn
FROM shop.training t WHERE user_id % 5 = 0;
SELECT 'purchase in 7 days' AS model,
       round(ubehav_auc(p_purchase, purchase_next_7d)::numeric, 3) AS auc,
       round(ubehav_pr_auc(p_purchase, purchase_next_7d)::numeric, 3) AS pr_auc,
       round(ubehav_log_loss(p_purchase, purchase_next_7d)::numeric, 3) AS log_loss,
       round(ubehav_auc(sessions_30d, purchase_next_7d)::numeric, 3) AS rule_auc,
       'sessions in 30 days' AS rule
FROM shop.held_out
UNION ALL
SELECT 'churn in 30 days',
       round(ubehav_auc(p_churn, churn_next_30d)::numeric, 3),
       round(ubehav_pr_auc(p_churn, churn_next_30d)::numeric, 3),
       round(ubehav_log_loss(p_churn, churn_next_30d)::numeric, 3),
       round(ubehav_auc(days_since_last_visit, churn_next_30d)::numeric, 3),
       'days since last visit'
FROM shop.held_out;

\echo
\echo '   Why the validation AUC of step 3 is higher than the held-out AUC here: the validation users were split off'
\echo '   the training users at random, and training looked at them: early stopping kept the epoch of the lowest'
\echo '   validation loss and the threshold was chosen on them, so they flatter the model a little. The held-out users'
\echo '   were never seen. Both sets are a few thousand users with a few hundred positives, so each AUC is uncertain'
\echo '   by about +/- 0.01 (one standard error, Hanley-McNeil): part of the gap is chance. Quote the held-out figures.'
WITH v AS (
    SELECT t.model, (t.summary -> 'metrics' ->> 'auc')::float8 AS a,
           (t.summary -> 'metrics' -> 'confusion' ->> 'tp')::float8 + (t.summary -> 'metrics' -> 'confusion' ->> 'fn')::float8 AS n1,
           (t.summary -> 'metrics' -> 'confusion' ->> 'tn')::float8 + (t.summary -> 'metrics' -> 'confusion' ->> 'fp')::float8 AS n0
    FROM shop.trained t),
h AS (
    SELECT 'purchase_7d' AS model, ubehav_auc(p_purchase, purchase_next_7d) AS a,
           count(*) FILTER (WHERE purchase_next_7d)::float8 AS n1, count(*) FILTER (WHERE NOT purchase_next_7d)::float8 AS n0
    FROM shop.held_out
    UNION ALL
    SELECT 'churn_30d', ubehav_auc(p_churn, churn_next_30d),
           count(*) FILTER (WHERE churn_next_30d)::float8, count(*) FILTER (WHERE NOT churn_next_30d)::float8
    FROM shop.held_out),
se AS (  -- Hanley and McNeil (1982)
    SELECT x.*, sqrt((a * (1 - a) + (n1 - 1) * (a / (2 - a) - a * a) + (n0 - 1) * (2 * a * a / (1 + a) - a * a)) / (n1 * n0)) AS se
    FROM (SELECT 'validation' AS rows, * FROM v UNION ALL SELECT 'held out', * FROM h) x)
SELECT v.model, (v.n1 + v.n0)::int AS validation_users, v.n1::int AS positives, round(v.a::numeric, 3) AS validation_auc,
       round(v.se::numeric, 3) AS "+/-", (h.n1 + h.n0)::int AS held_out_users, h.n1::int AS positives,
       round(h.a::numeric, 3) AS held_out_auc, round(h.se::numeric, 3) AS "+/-",
       round(((v.a - h.a) / sqrt(v.se ^ 2 + h.se ^ 2))::numeric, 1) AS gap_in_standard_errors
FROM se v JOIN se h ON h.model = v.model AND h.rows = 'held out' WHERE v.rows = 'validation' ORDER BY v.model DESC;

\echo
\echo '== 5. Confusion matrices on the held-out users, at each model''s stored threshold'
WITH t AS (SELECT name, (metrics ->> 'threshold')::float8 AS threshold FROM ubehav_models WHERE deployed),
cm AS (
    SELECT 'purchase_7d' AS model, purchase_next_7d AS actual, p_purchase >= t.threshold AS predicted, t.threshold
    FROM shop.held_out, t WHERE t.name = 'purchase_7d'
    UNION ALL
    SELECT 'churn_30d', churn_next_30d, p_churn >= t.threshold, t.threshold
    FROM shop.held_out, t WHERE t.name = 'churn_30d')
SELECT model, round(threshold::numeric, 3) AS threshold, actual,
       count(*) FILTER (WHERE predicted) AS predicted_yes,
       count(*) FILTER (WHERE NOT predicted) AS predicted_no,
       round(sum(count(*) FILTER (WHERE actual = predicted)) OVER (PARTITION BY model)
             / sum(count(*)) OVER (PARTITION BY model), 3) AS accuracy
FROM cm GROUP BY model, threshold, actual ORDER BY model DESC, actual DESC;

\echo
\echo '   Calibration of the purchase model on the held-out users: in each tenth of the users by score, the mean'
\echo '   predicted probability against the share that did buy. Close columns mean a score can be read as a probability.'
SELECT decile, count(*) AS users, round(min(p_purchase)::numeric, 4) AS lowest_score, round(avg(p_purchase)::numeric, 3) AS mean_predicted,
       round(avg(purchase_next_7d::int), 3) AS share_bought
FROM (SELECT *, ntile(10) OVER (ORDER BY p_purchase) AS decile FROM shop.held_out) d
GROUP BY decile ORDER BY decile DESC;

\echo
\echo '== 6. Deploy: score every user on the latest data (features as of 2026-03-01) into a table BI tools read'
SELECT clock_timestamp() AS started \gset
CREATE TABLE shop.current_features AS
SELECT f.*, u.region, u.device, u.channel
FROM ubehav_behaviour_features('shop.events', '2026-03-01') f JOIN shop.users u USING (user_id);
SELECT round(extract(epoch FROM clock_timestamp() - :'started')::numeric, 1) AS took \gset
\echo 'time to compute the latest features of every user:' :took 's'
CREATE TABLE shop.user_scores (
    user_id   bigint      NOT NULL,
    model     text        NOT NULL,
    version   integer     NOT NULL,
    score     float8      NOT NULL,
    scored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, model)
);
SELECT clock_timestamp() AS started \gset
INSERT INTO shop.user_scores (user_id, model, version, score)
SELECT f.user_id, m.name, m.version, ubehav_predict(m.name, f)
FROM ubehav_models m CROSS JOIN shop.current_features f
WHERE m.deployed AND m.name IN ('purchase_7d', 'churn_30d')
ON CONFLICT (user_id, model) DO UPDATE SET version = excluded.version, score = excluded.score, scored_at = excluded.scored_at;
SELECT round(extract(epoch FROM clock_timestamp() - :'started')::numeric, 2) AS took, count(*) AS n FROM shop.user_scores \gset
\echo 'time to score' :n 'user-model pairs with ubehav_predict:' :took 's'
SELECT model, version, count(*) AS users_scored, round(avg(score)::numeric, 3) AS mean_score, max(scored_at) AS scored_at
FROM shop.user_scores GROUP BY model, version ORDER BY model;

\echo
\echo '== 7. Analyse: the 10 users most likely to buy in the next 7 days (rank among all scored users)'
SELECT row_number() OVER (ORDER BY s.score DESC, s.user_id) AS rank, s.user_id, round(s.score::numeric, 4) AS p_purchase, f.sessions_30d, f.frequency AS orders,
       round(f.monetary::numeric) AS spent, round(f.days_since_last_visit::numeric, 1) AS days_since_visit,
       f.favourite_category, u.device, u.channel
FROM shop.user_scores s JOIN shop.current_features f USING (user_id) JOIN shop.users u USING (user_id)
WHERE s.model = 'purchase_7d' ORDER BY s.score DESC, s.user_id LIMIT 10;

\echo
\echo '== 8. Analyse: the 10 valuable customers (spent >= 500, seen in the last 30 days) most at risk of churning'
SELECT row_number() OVER (ORDER BY s.score DESC, s.user_id) AS rank, s.user_id, round(s.score::numeric, 4) AS p_churn, round(f.monetary::numeric) AS spent, f.frequency AS orders,
       round(f.days_since_last_visit::numeric, 1) AS days_since_visit, round(f.activity_trend::numeric, 2) AS activity_trend,
       round(f.cart_abandonment_rate::numeric, 2) AS cart_abandonment, u.channel
FROM shop.user_scores s JOIN shop.current_features f USING (user_id) JOIN shop.users u USING (user_id)
WHERE s.model = 'churn_30d' AND f.monetary >= 500 AND f.days_since_last_visit <= 30 ORDER BY s.score DESC, s.user_id LIMIT 10;

\echo
\echo '== 9. Which behaviour drives the purchase score (permutation importance on held-out users, top 8)'
SELECT feature, round(importance::numeric, 4) AS auc_drop, round(std::numeric, 4) AS std
FROM ubehav_feature_importance('purchase_7d', $$SELECT * FROM shop.training WHERE user_id % 5 = 0$$, 3)
ORDER BY importance DESC LIMIT 8;

\echo
\echo '== 10. The catalog'
SELECT name, version, task, rows_used, round((metrics ->> 'auc')::numeric, 3) AS val_auc,
       round(training_ms::numeric) AS training_ms FROM ubehav_models ORDER BY name, version;

\echo
\echo '== 11. BI outputs: the same scores in ubehav_scores, refreshed by one call per model, and an HTML report'
SELECT m AS model, ubehav_refresh_scores(m, 'SELECT * FROM shop.current_features') AS users_scored
FROM unnest(ARRAY['purchase_7d', 'churn_30d']) m;
\pset tuples_only on
\pset format unaligned
\o /tmp/ubehav-demo-report.html
SELECT ubehav_html_report('purchase_7d', $$SELECT * FROM shop.training WHERE user_id % 5 = 0$$);
\o
\pset format aligned
\pset tuples_only off
\echo 'wrote /tmp/ubehav-demo-report.html: learning curve, ROC with AUC and threshold, scores by class, calibration, confusion'
\echo 'matrix, metrics, data and options of purchase_7d on the held-out users; open it in a browser or print it on A4'

\echo
\echo '== 12. Recommend: products for each user, learned from views, carts and purchases before 2026-02-01,'
\echo '       next to what the users bought after it (items new to them; seen items are never recommended)'
CREATE TABLE shop.interactions AS
SELECT user_id::bigint AS user_id, product_id::bigint AS item,
       CASE event_type WHEN 'purchase' THEN 4 WHEN 'add_to_cart' THEN 2 ELSE 1 END AS weight, ts
FROM shop.events WHERE event_type IN ('view', 'add_to_cart', 'purchase') AND ts < '2026-02-01';
CREATE INDEX ON shop.interactions (user_id, item);
CREATE TABLE shop.bought_later AS
SELECT DISTINCT e.user_id::bigint AS user_id, e.product_id::bigint AS item FROM shop.events e
WHERE e.event_type = 'purchase' AND e.ts >= '2026-02-01'
  AND NOT EXISTS (SELECT 1 FROM shop.interactions i WHERE i.user_id = e.user_id AND i.item = e.product_id);
SELECT s -> 'users' AS users, s -> 'items' AS products, s -> 'interactions' AS pairs, round((s ->> 'training_ms')::numeric) AS training_ms
FROM ubehav_train_recommender('next_products', 'SELECT user_id, item, weight, ts FROM shop.interactions', '{"epochs": 6}') s;
-- the first five users (by id) who bought something new after the cut-off
SELECT u.user_id, array_agg(r.item ORDER BY r.rank) AS top10,
       (SELECT array_agg(b.item ORDER BY b.item) FROM shop.bought_later b WHERE b.user_id = u.user_id) AS bought_later,
       coalesce(array_agg(r.rank ORDER BY r.rank) FILTER (WHERE r.item IN (SELECT b.item FROM shop.bought_later b WHERE b.user_id = u.user_id)), '{}') AS hit_ranks
FROM (SELECT DISTINCT b.user_id FROM shop.bought_later b JOIN shop.interactions i USING (user_id) ORDER BY 1 LIMIT 5) u,
     LATERAL ubehav_recommend('next_products', u.user_id, 10) r
GROUP BY u.user_id ORDER BY u.user_id;
-- over every such user: the share of later purchases in the user's top 10, against the 10 most popular products the user had not had
CREATE TEMP TABLE popular AS
SELECT item, row_number() OVER (ORDER BY count(DISTINCT user_id) DESC, item) AS pos FROM shop.interactions GROUP BY item;
WITH buyers AS (SELECT DISTINCT b.user_id FROM shop.bought_later b WHERE EXISTS (SELECT 1 FROM shop.interactions i WHERE i.user_id = b.user_id)),
     lists AS (SELECT u.user_id,
                      ARRAY(SELECT r.item FROM ubehav_recommend('next_products', u.user_id, 10) r) AS recommended,
                      ARRAY(SELECT p.item FROM popular p
                            WHERE NOT EXISTS (SELECT 1 FROM shop.interactions i WHERE i.user_id = u.user_id AND i.item = p.item)
                            ORDER BY p.pos LIMIT 10) AS popular
               FROM buyers u)
SELECT count(*) AS later_purchases, round(avg((b.item = ANY (l.recommended))::int), 3) AS in_recommended_top10,
       round(avg((b.item = ANY (l.popular))::int), 3) AS in_popular_top10
FROM shop.bought_later b JOIN lists l USING (user_id);
SELECT round(extract(epoch FROM clock_timestamp() - :'demo_started')::numeric) AS took \gset
\echo 'total time of the demo queries:' :took 's'
