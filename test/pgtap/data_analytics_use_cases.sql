-- The six behaviour-analytics use cases of the README on generated data, each held out by user
-- (user_id % 5 = 0) or by time, each asserting a margin over a trivial baseline that the
-- generator's signal supports (measured on this seed; see the README for the figures).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SELECT plan(10);

CREATE TEMP TABLE uc_created AS SELECT ubehav_demo_create('uc_test', 3000, 180, 11);
CREATE TEMP TABLE uc_users AS
SELECT f.*, u.region, u.device, u.channel, l.purchase_next_7d, l.churn_next_30d, l.next_purchase_category
FROM ubehav_behaviour_features('uc_test.events', '2026-01-15') f
JOIN ubehav_behaviour_labels('uc_test.events', '2026-01-15') l USING (user_id)
JOIN uc_test.users u USING (user_id);

-- 1. purchase in the next 7 days
CREATE TEMP TABLE uc_summary_1 AS SELECT ubehav_train('uc_purchase', $$SELECT * FROM uc_users WHERE user_id % 5 <> 0$$, 'purchase_next_7d',
    '{"seed": 1, "hidden": [32, 16], "epochs": 30, "exclude": ["user_id", "churn_next_30d", "next_purchase_category"]}');
SELECT cmp_ok((SELECT ubehav_auc(ubehav_predict('uc_purchase', u), purchase_next_7d) FROM uc_users u WHERE user_id % 5 = 0),
              '>', 0.82::float8, 'purchase in 7 days: held-out AUC > 0.82 (constant baseline 0.5)');
SELECT cmp_ok((SELECT ubehav_log_loss(ubehav_predict('uc_purchase', u), purchase_next_7d) FROM uc_users u WHERE user_id % 5 = 0),
              '<', (SELECT 0.8 * ubehav_log_loss(p, purchase_next_7d) FROM uc_users u,
                           (SELECT avg(purchase_next_7d::int)::float8 AS p FROM uc_users WHERE user_id % 5 <> 0) prior
                    WHERE user_id % 5 = 0),
              'purchase in 7 days: held-out log loss under 80% of the class-prior baseline''s');

-- 2. churn: no activity in the next 30 days
CREATE TEMP TABLE uc_summary_2 AS SELECT ubehav_train('uc_churn', $$SELECT * FROM uc_users WHERE user_id % 5 <> 0$$, 'churn_next_30d',
    '{"seed": 1, "hidden": [32, 16], "epochs": 30, "exclude": ["user_id", "purchase_next_7d", "next_purchase_category"]}');
SELECT cmp_ok((SELECT ubehav_auc(ubehav_predict('uc_churn', u), churn_next_30d) FROM uc_users u WHERE user_id % 5 = 0),
              '>', 0.85::float8, 'churn: held-out AUC > 0.85');
SELECT cmp_ok((SELECT (ubehav_confusion(ubehav_predict('uc_churn', u), churn_next_30d, 0.5)->>'accuracy')::float8
               FROM uc_users u WHERE user_id % 5 = 0),
              '>', (SELECT greatest(avg(churn_next_30d::int), 1 - avg(churn_next_30d::int))::float8 + 0.15
                    FROM uc_users WHERE user_id % 5 = 0),
              'churn: held-out accuracy 15 points above the majority class');

-- 3. ad click, with the product id as a high-cardinality category (max_categories keeps the 500 most frequent)
CREATE TEMP TABLE uc_ads AS
SELECT e.user_id, e.product_id::text AS product, e.category AS ad_category, u.device, u.channel,
       e.category = f.favourite_category AS favourite, coalesce(f.ad_ctr, 0) AS past_ctr,
       coalesce(f.ad_impressions, 0) AS past_impressions, e.next_type = 'ad_click' AS clicked
FROM (SELECT *, lead(event_type) OVER (PARTITION BY session_id ORDER BY ts, event_id) AS next_type
      FROM uc_test.events WHERE ts >= '2026-01-15' AND ts < '2026-02-14') e
JOIN uc_test.users u USING (user_id) LEFT JOIN uc_users f USING (user_id)
WHERE e.event_type = 'ad_impression';
CREATE TEMP TABLE uc_summary_3 AS SELECT ubehav_train('uc_ad_click', $$SELECT product, ad_category, device, channel, favourite, past_ctr, past_impressions, clicked
                                     FROM uc_ads WHERE user_id % 5 <> 0$$, 'clicked',
    '{"seed": 1, "hidden": [32], "epochs": 10, "max_categories": 500}');
SELECT cmp_ok((SELECT ubehav_auc(ubehav_predict('uc_ad_click', a), clicked) FROM uc_ads a WHERE user_id % 5 = 0),
              '>', 0.61::float8, 'ad click: held-out AUC > 0.61 (constant baseline 0.5)');

-- 4. next purchased category: top-3 from ubehav_predict_proba
CREATE TEMP TABLE uc_summary_4 AS SELECT ubehav_train('uc_next_category', $$SELECT * FROM uc_users WHERE user_id % 5 <> 0 AND next_purchase_category IS NOT NULL$$,
    'next_purchase_category', '{"seed": 1, "hidden": [32], "epochs": 30, "exclude": ["user_id", "purchase_next_7d", "churn_next_30d"]}');
CREATE TEMP TABLE uc_top3 AS
SELECT u.next_purchase_category AS actual,
       ARRAY(SELECT m.class_labels[i] FROM unnest(ubehav_predict_proba('uc_next_category', u)) WITH ORDINALITY x(p, i)
             ORDER BY p DESC LIMIT 3) AS top3
FROM uc_users u, ubehav_models m
WHERE m.name = 'uc_next_category' AND m.deployed AND u.user_id % 5 = 0 AND u.next_purchase_category IS NOT NULL;
SELECT cmp_ok((SELECT avg((actual = ANY (top3))::int)::float8 FROM uc_top3),
              '>', (SELECT avg((actual = ANY (popular))::int)::float8 + 0.2 FROM uc_top3,
                           (SELECT array_agg(category) AS popular FROM
                              (SELECT category FROM uc_test.events WHERE event_type = 'purchase' AND ts < '2026-01-15'
                               GROUP BY 1 ORDER BY count(*) DESC LIMIT 3) c) p),
              'next category: held-out top-3 accuracy 20 points above the 3 best-selling categories');

-- 5. units sold per product per day, trained on days before 2026-01-01, tested after
CREATE TEMP TABLE uc_discounts AS
SELECT ts::date AS day, 1 - avg(e.price / l.list_price) AS discount
FROM uc_test.events e JOIN (SELECT product_id, max(price) AS list_price FROM uc_test.events GROUP BY 1) l USING (product_id)
WHERE event_type = 'view' GROUP BY 1;
CREATE TEMP TABLE uc_demand AS
SELECT product_id, category, day, d.discount, extract(isodow FROM day)::int AS dow, units::float8 AS units,
       coalesce(sum(units) OVER (PARTITION BY product_id ORDER BY day ROWS BETWEEN 7 PRECEDING AND 1 PRECEDING), 0)::float8 AS units_prev_7d,
       coalesce(sum(units) OVER (PARTITION BY product_id ORDER BY day ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING), 0)::float8 AS units_prev_28d
FROM ubehav_units_per_day('uc_test.events', '2025-11-01', '2026-02-01') JOIN uc_discounts d USING (day);
DELETE FROM uc_demand WHERE day < '2025-11-29';
CREATE TEMP TABLE uc_summary_5 AS SELECT ubehav_train('uc_demand', $$SELECT category, dow, discount, units_prev_7d, units_prev_28d, units
                                   FROM uc_demand WHERE day < '2026-01-01'$$, 'units',
    '{"seed": 1, "hidden": [32], "epochs": 5, "batch_size": 128}');
SELECT cmp_ok((SELECT ubehav_rmse(ubehav_predict('uc_demand', d), units) FROM uc_demand d WHERE day >= '2026-01-01'),
              '<', (SELECT 0.95 * ubehav_rmse(m, units) FROM uc_demand,
                           (SELECT avg(units) AS m FROM uc_demand WHERE day < '2026-01-01') t
                    WHERE day >= '2026-01-01'),
              'demand: RMSE on later days under 95% of the training-mean baseline''s');

-- 6. user experience: which session features separate carts that are bought from abandoned ones
CREATE TEMP TABLE uc_carts AS
SELECT s.*, u.device, u.channel, d.discount,
       row_number() OVER (PARTITION BY user_id ORDER BY session_id) - 1 + (u.signup_date < '2025-09-01')::int AS previous_sessions
FROM (SELECT user_id, session_id, min(ts)::date AS day,
             count(*) FILTER (WHERE event_type = 'view') AS views,
             extract(epoch FROM max(ts) FILTER (WHERE event_type <> 'purchase') - min(ts))::float8 / 60 AS minutes,
             count(*) FILTER (WHERE event_type = 'remove_from_cart') AS removals,
             coalesce(sum(price * quantity) FILTER (WHERE event_type = 'add_to_cart'), 0)
               - coalesce(sum(price * quantity) FILTER (WHERE event_type = 'remove_from_cart'), 0) AS cart_value,
             count(*) FILTER (WHERE event_type = 'ad_click') AS ad_clicks,
             extract(hour FROM min(ts))::int AS hour,
             bool_or(event_type = 'purchase') AS bought
      FROM uc_test.events GROUP BY user_id, session_id
      HAVING bool_or(event_type = 'add_to_cart')) s
JOIN uc_test.users u USING (user_id) JOIN uc_discounts d USING (day);
CREATE TEMP TABLE uc_summary_6 AS SELECT ubehav_train('uc_checkout', $$SELECT views, minutes, removals, cart_value, ad_clicks, hour, device, channel,
                                            discount, previous_sessions, bought FROM uc_carts WHERE user_id % 5 <> 0$$, 'bought',
    '{"seed": 1, "hidden": [32], "epochs": 10}');
SELECT cmp_ok((SELECT ubehav_auc(ubehav_predict('uc_checkout', c), bought) FROM uc_carts c WHERE user_id % 5 = 0),
              '>', 0.55::float8, 'checkout: held-out AUC > 0.55 (most of the signal is the user''s hidden propensity)');
CREATE TEMP TABLE uc_importance AS
SELECT * FROM ubehav_feature_importance('uc_checkout', $$SELECT views, minutes, removals, cart_value, ad_clicks, hour, device,
                                                          channel, discount, previous_sessions, bought
                                                          FROM uc_carts WHERE user_id % 5 = 0$$, 3);
SELECT is((SELECT feature FROM uc_importance ORDER BY importance DESC LIMIT 1), 'previous_sessions',
          'checkout: returning visitors are what separates buyers from abandoners most');
SELECT cmp_ok((SELECT abs(importance) FROM uc_importance WHERE feature = 'hour'), '<',
              (SELECT importance / 4 FROM uc_importance WHERE feature = 'previous_sessions'),
              'checkout: the hour of the session, which the generator ignores, matters little');

SELECT * FROM finish();
ROLLBACK;
