-- ubehav demo: predict which e-commerce sessions end in a purchase, entirely in SQL.
-- Run by test/scripts/demo.sh; psql -v rows=N changes the number of sessions (default 200000).
\set QUIET on
\if :{?rows}
\else
\set rows 200000
\endif
\pset pager off
SET client_min_messages = warning;
DROP TABLE IF EXISTS sessions;
DROP EXTENSION IF EXISTS ubehav;
SET client_min_messages = notice;

\echo
\echo '== 1. Four weeks of sessions (synthetic, deterministic: setseed + generate_series)'
SELECT setseed(0.2026) \gset
CREATE TABLE sessions AS
WITH base AS (
    SELECT g AS session_id,
           DATE '2026-06-01' + (g % 28) AS day,
           CASE WHEN random() < 0.55 THEN 'mobile'
                WHEN random() < 0.75 THEN 'desktop' ELSE 'tablet' END AS device,
           (ARRAY['organic', 'paid_search', 'social', 'email', 'direct'])[1 + floor(random() * 5)::int] AS channel,
           random() < 0.35 AS returning_visitor,
           1 + floor(-ln(1 - random()) * 5)::int AS pages_viewed,
           random() AS r_duration, random() AS r_cart, random() AS r_discount, random() AS r_price
    FROM generate_series(1, :rows) g
), behaviour AS (
    SELECT session_id, day, device, channel, returning_visitor, pages_viewed,
           CASE WHEN r_duration < 0.03 THEN NULL                -- tracking lost: NULL
                ELSE round((pages_viewed * (15 + 70 * r_duration))::numeric, 1)::float8 END AS duration_s,
           CASE WHEN r_cart < 0.05 + 0.03 * least(pages_viewed, 15)
                THEN 1 + floor(r_cart * 40)::int % 3 ELSE 0 END AS cart_adds,
           CASE WHEN r_discount < 0.08 THEN NULL                -- unknown: NULL
                ELSE (ARRAY[0, 0, 0, 5, 10, 20, 30])[1 + floor(r_discount * 7)::int]::numeric END AS discount_pct,
           round(exp(3.4 + 1.6 * r_price)::numeric, 2)::float8 AS avg_price
    FROM base
)
SELECT b.*,
       -- The hidden rule is nonlinear: a cart matters only with enough attention or a
       -- returning visitor; a big discount helps on expensive baskets and hurts
       -- (looks like clearance) on cheap ones; very long sessions mean a lost visitor.
       random() < 1 / (1 + exp(-(
           -3.0
           + CASE WHEN cart_adds > 0 AND (coalesce(duration_s, 0) > 240 OR returning_visitor) THEN 3.4
                  WHEN cart_adds > 0 THEN 1.0 ELSE 0 END
           + CASE WHEN coalesce(discount_pct, 0) >= 20 AND avg_price > 80 THEN 1.8
                  WHEN coalesce(discount_pct, 0) >= 20 THEN -0.8 ELSE 0 END
           + CASE WHEN duration_s > 900 THEN -1.5 ELSE 0 END   -- very long sessions: lost, not engaged
           + CASE device WHEN 'desktop' THEN 0.4 WHEN 'mobile' THEN -0.5 ELSE 0 END
           + CASE channel WHEN 'email' THEN 0.7 WHEN 'social' THEN -0.5 ELSE 0 END
           + 0.04 * least(pages_viewed, 25)))) AS purchased
FROM behaviour b;

SELECT session_id, day, device, channel, returning_visitor AS returning, pages_viewed AS pages,
       duration_s, cart_adds, discount_pct, avg_price, purchased
FROM sessions ORDER BY session_id LIMIT 5;

SELECT count(*) AS sessions,
       round(100.0 * avg(purchased::int), 1) AS purchase_rate_pct,
       count(*) FILTER (WHERE duration_s IS NULL) AS null_duration,
       count(*) FILTER (WHERE discount_pct IS NULL) AS null_discount
FROM sessions;

\echo
\echo '== 2. Install the extension'
CREATE EXTENSION ubehav;

\echo
\echo '== 3. Train on the first three weeks (validation metrics are computed on a held-out 20%)'
\timing on
SELECT jsonb_pretty(ubehav_train(
    'purchase',
    $$SELECT device, channel, returning_visitor, pages_viewed, duration_s,
             cart_adds, discount_pct, avg_price, purchased
      FROM sessions WHERE day < DATE '2026-06-22'$$,
    'purchased',
    '{"seed": 42}')) AS summary;
\timing off

\echo
\echo '== 4. Evaluate the deployed model on the fourth week, which it never saw'
SELECT jsonb_pretty(ubehav_evaluate(
    'purchase',
    $$SELECT device, channel, returning_visitor, pages_viewed, duration_s,
             cart_adds, discount_pct, avg_price, purchased
      FROM sessions WHERE day >= DATE '2026-06-22'$$)) AS held_out_metrics;

\echo
\echo '== 5. Score inline: the 10 sessions of the fourth week most likely to buy'
\timing on
SELECT session_id, device, channel, returning_visitor AS returning, duration_s, cart_adds,
       discount_pct, avg_price,
       round(ubehav_predict('purchase', s)::numeric, 3) AS p_buy,
       purchased
FROM sessions s
WHERE day >= DATE '2026-06-22'
ORDER BY p_buy DESC, session_id
LIMIT 10;
\timing off

\echo
\echo '== 6. Does the score rank well? Actual purchase rate by predicted decile (fourth week)'
SELECT decile,
       count(*) AS sessions,
       round(avg(p_buy)::numeric, 3) AS avg_p_buy,
       round(avg(purchased::int), 3) AS actual_rate
FROM (SELECT ntile(10) OVER (ORDER BY ubehav_predict('purchase', s) DESC) AS decile,
             ubehav_predict('purchase', s) AS p_buy, purchased
      FROM sessions s WHERE day >= DATE '2026-06-22') scored
GROUP BY decile ORDER BY decile;

\echo
\echo '== 7. Why a network: the same features with logistic regression ("hidden": [] = no hidden layer)'
SELECT round((ubehav_train(
    'purchase_logreg',
    $$SELECT device, channel, returning_visitor, pages_viewed, duration_s,
             cart_adds, discount_pct, avg_price, purchased
      FROM sessions WHERE day < DATE '2026-06-22'$$,
    'purchased',
    '{"seed": 42, "hidden": []}') -> 'metrics' ->> 'auc')::numeric, 3) AS logreg_val_auc,
       (SELECT round((metrics ->> 'auc')::numeric, 3) FROM ubehav_models
        WHERE name = 'purchase' AND deployed) AS mlp_val_auc;

\echo
\echo '== 8. A numeric-only model, scored from an array of raw values (training column order)'
SELECT round((ubehav_train(
    'purchase_numeric',
    $$SELECT pages_viewed, duration_s, cart_adds, avg_price, purchased
      FROM sessions WHERE day < DATE '2026-06-22'$$,
    'purchased',
    '{"seed": 42, "hidden": [32, 16]}') -> 'metrics' ->> 'auc')::numeric, 3) AS numeric_model_val_auc;

--                                            pages, duration_s, cart_adds, avg_price
SELECT round(ubehav_predict('purchase_numeric', ARRAY[12,    600,        2,         95.0])::numeric, 3) AS engaged_with_cart,
       round(ubehav_predict('purchase_numeric', ARRAY[2,     25,         0,         40.0])::numeric, 3) AS quick_bounce;

\echo
\echo '== 9. The catalog: one row per trained version'
SELECT name, version, task, deployed, rows_used, rows_skipped, cardinality(feature_names) AS features,
       round((metrics->>'auc')::numeric, 3) AS val_auc, round(training_ms::numeric) AS training_ms,
       trained_by
FROM ubehav_models ORDER BY name, version;
