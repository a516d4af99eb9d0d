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

\echo
\echo '== 1. Collect: six months of events of' :users 'users (generated, deterministic from a seed)'
\timing on
SELECT ubehav_demo_create('shop', :users, 180, 2026, DATE '2025-09-01') AS events;
\timing off
SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users, round(sum(price * quantity)::numeric) AS revenue
FROM shop.events GROUP BY event_type ORDER BY events DESC;

\echo
\echo '== 2. Preprocess: one row of behaviour features per user as of 2026-01-15, labels from the weeks after it'
\timing on
CREATE TABLE shop.training AS
SELECT f.*, u.region, u.device, u.channel, l.purchase_next_7d, l.churn_next_30d
FROM ubehav_behaviour_features('shop.events', '2026-01-15') f
JOIN ubehav_behaviour_labels('shop.events', '2026-01-15') l USING (user_id)
JOIN shop.users u USING (user_id);
\timing off
SELECT count(*) AS users, round(avg(purchase_next_7d::int), 3) AS purchase_rate_7d,
       round(avg(churn_next_30d::int), 3) AS churn_rate_30d,
       round(avg(days_since_last_visit)::numeric, 1) AS avg_days_since_visit,
       round(avg(cart_abandonment_rate)::numeric, 3) AS avg_cart_abandonment
FROM shop.training;

\echo
\echo '== 3. Train on 80% of the users (user_id % 5 <> 0); the other 20% are held out'
\timing on
SELECT ubehav_train('purchase_7d', $$SELECT * FROM shop.training WHERE user_id % 5 <> 0$$, 'purchase_next_7d',
    '{"seed": 1, "hidden": [64, 32], "epochs": 30, "exclude": ["user_id", "churn_next_30d"]}') -> 'metrics' ->> 'auc' AS purchase_val_auc;
SELECT ubehav_train('churn_30d', $$SELECT * FROM shop.training WHERE user_id % 5 <> 0$$, 'churn_next_30d',
    '{"seed": 1, "hidden": [64, 32], "epochs": 30, "exclude": ["user_id", "purchase_next_7d"]}') -> 'metrics' ->> 'auc' AS churn_val_auc;
\timing off

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
\echo '== 6. Deploy: score every user on the latest data (features as of 2026-03-01) into a table BI tools read'
\timing on
CREATE TABLE shop.current_features AS
SELECT f.*, u.region, u.device, u.channel
FROM ubehav_behaviour_features('shop.events', '2026-03-01') f JOIN shop.users u USING (user_id);
CREATE TABLE shop.user_scores (
    user_id   bigint      NOT NULL,
    model     text        NOT NULL,
    version   integer     NOT NULL,
    score     float8      NOT NULL,
    scored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, model)
);
INSERT INTO shop.user_scores (user_id, model, version, score)
SELECT f.user_id, m.name, m.version, ubehav_predict(m.name, f)
FROM ubehav_models m CROSS JOIN shop.current_features f
WHERE m.deployed AND m.name IN ('purchase_7d', 'churn_30d')
ON CONFLICT (user_id, model) DO UPDATE SET version = excluded.version, score = excluded.score, scored_at = excluded.scored_at;
\timing off
SELECT model, version, count(*) AS users_scored, round(avg(score)::numeric, 3) AS mean_score, max(scored_at) AS scored_at
FROM shop.user_scores GROUP BY model, version ORDER BY model;

\echo
\echo '== 7. Analyse: the 10 users most likely to buy in the next 7 days'
SELECT s.user_id, round(s.score::numeric, 3) AS p_purchase, f.sessions_30d, f.frequency AS orders,
       round(f.monetary::numeric) AS spent, round(f.days_since_last_visit::numeric, 1) AS days_since_visit,
       f.favourite_category, u.device, u.channel
FROM shop.user_scores s JOIN shop.current_features f USING (user_id) JOIN shop.users u USING (user_id)
WHERE s.model = 'purchase_7d' ORDER BY s.score DESC, s.user_id LIMIT 10;

\echo
\echo '== 8. Analyse: the 10 valuable customers (spent >= 500, seen in the last 30 days) most at risk of churning'
SELECT s.user_id, round(s.score::numeric, 3) AS p_churn, round(f.monetary::numeric) AS spent, f.frequency AS orders,
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
\echo '== 11. BI outputs: the latest scores per model in ubehav_scores, refreshed by one call, and an HTML report'
SELECT m AS model, ubehav_refresh_scores(m, 'SELECT * FROM shop.current_features') AS users_scored
FROM unnest(ARRAY['purchase_7d', 'churn_30d']) m;
SELECT model, version, count(*) AS users, round(avg(score)::numeric, 3) AS mean_score FROM ubehav_scores GROUP BY model, version ORDER BY model;
\pset tuples_only on
\pset format unaligned
\o /tmp/ubehav-demo-report.html
SELECT ubehav_html_report('purchase_7d', $$SELECT * FROM shop.training WHERE user_id % 5 = 0$$);
\o
\pset format aligned
\pset tuples_only off
\echo 'wrote /tmp/ubehav-demo-report.html (learning curve, ROC curve, scores by class; open it in a browser)'

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
