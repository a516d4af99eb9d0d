-- bench/data.sql: deterministic benchmark data (setseed + generate_series).
--   bench_perf: 200,000 rows of 10 features with a nonlinear label; id % 5 = 0 is the validation part
--   bench_score: 1,000,000 rows of the same features for scoring, as an array and as columns
--   bench_sessions: behaviour sessions with text, boolean and NULLs (the demo's generator)
\set QUIET on
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_perf, bench_score, bench_sessions;
SELECT setseed(0.42) \gset
CREATE TABLE bench_perf AS
SELECT i AS id, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(), random(), random()] AS f
FROM generate_series(1, 200000) i;
ALTER TABLE bench_perf ADD COLUMN y boolean;
-- an interaction and a threshold: logistic regression cannot fit it, an MLP can
UPDATE bench_perf SET y = (f[1] - 0.5) * (f[2] - 0.5) * 4 + 0.6 * (f[3] - 0.5) + 0.3 * sin(6 * f[4]) + 0.25 * (random() - 0.5) > 0;
CREATE TABLE bench_score AS
SELECT i AS id, f, f[1] AS f1, f[2] AS f2, f[3] AS f3, f[4] AS f4, f[5] AS f5, f[6] AS f6, f[7] AS f7, f[8] AS f8, f[9] AS f9, f[10] AS f10
FROM (SELECT i, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(), random(), random()] AS f
      FROM generate_series(1, 1000000) i) s;

CREATE TABLE bench_sessions AS
WITH base AS (
    SELECT g AS session_id,
           DATE '2026-06-01' + (g % 28) AS day,
           CASE WHEN random() < 0.55 THEN 'mobile'
                WHEN random() < 0.75 THEN 'desktop' ELSE 'tablet' END AS device,
           (ARRAY['organic', 'paid_search', 'social', 'email', 'direct'])[1 + floor(random() * 5)::int] AS channel,
           random() < 0.35 AS returning_visitor,
           1 + floor(-ln(1 - random()) * 5)::int AS pages_viewed,
           random() AS r_duration, random() AS r_cart, random() AS r_discount, random() AS r_price
    FROM generate_series(1, 100000) g
), behaviour AS (
    SELECT session_id, day, device, channel, returning_visitor, pages_viewed,
           CASE WHEN r_duration < 0.03 THEN NULL
                ELSE round((pages_viewed * (15 + 70 * r_duration))::numeric, 1)::float8 END AS duration_s,
           CASE WHEN r_cart < 0.05 + 0.03 * least(pages_viewed, 15)
                THEN 1 + floor(r_cart * 40)::int % 3 ELSE 0 END AS cart_adds,
           CASE WHEN r_discount < 0.08 THEN NULL
                ELSE (ARRAY[0, 0, 0, 5, 10, 20, 30])[1 + floor(r_discount * 7)::int]::float8 END AS discount_pct,
           round(exp(3.4 + 1.6 * r_price)::numeric, 2)::float8 AS avg_price
    FROM base
)
SELECT b.*,
       random() < 1 / (1 + exp(-(
           -3.0
           + CASE WHEN cart_adds > 0 AND (coalesce(duration_s, 0) > 240 OR returning_visitor) THEN 3.4
                  WHEN cart_adds > 0 THEN 1.0 ELSE 0 END
           + CASE WHEN coalesce(discount_pct, 0) >= 20 AND avg_price > 80 THEN 1.8
                  WHEN coalesce(discount_pct, 0) >= 20 THEN -0.8 ELSE 0 END
           + CASE WHEN duration_s > 900 THEN -1.5 ELSE 0 END
           + CASE device WHEN 'desktop' THEN 0.4 WHEN 'mobile' THEN -0.5 ELSE 0 END
           + CASE channel WHEN 'email' THEN 0.7 WHEN 'social' THEN -0.5 ELSE 0 END
           + 0.04 * least(pages_viewed, 25)))) AS purchased
FROM behaviour b;
VACUUM ANALYZE bench_perf;
VACUUM ANALYZE bench_score;
VACUUM ANALYZE bench_sessions;
