-- Behaviour analytics: the demo generator (deterministic, with the documented signal) and the
-- features and labels built from an events table (no leakage, safe with any column names).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SELECT plan(24);

CREATE TEMP TABLE ana_events AS SELECT * FROM ubehav_demo_events(1500, 180, 7);
CREATE TEMP TABLE ana_users AS SELECT * FROM ubehav_demo_users(1500, 180, 7);
ANALYZE ana_events, ana_users;

-- ---- generator ----
SELECT is((SELECT md5(string_agg(e::text, ',' ORDER BY event_id)) FROM ubehav_demo_events(200, 60, 7) e),
          (SELECT md5(string_agg(e::text, ',' ORDER BY event_id)) FROM ubehav_demo_events(200, 60, 7) e),
          'the same arguments give the same events');
SELECT isnt((SELECT md5(string_agg(e::text, ',' ORDER BY event_id)) FROM ubehav_demo_events(200, 60, 7) e),
            (SELECT md5(string_agg(e::text, ',' ORDER BY event_id)) FROM ubehav_demo_events(200, 60, 8) e),
            'another seed gives other events');
SELECT is((SELECT string_agg(concat_ws('|', ts, event_type, product_id, price, quantity), ',' ORDER BY event_id)
           FROM ubehav_demo_events(20, 60, 7) WHERE user_id = 17),
          (SELECT string_agg(concat_ws('|', ts, event_type, product_id, price, quantity), ',' ORDER BY event_id)
           FROM ubehav_demo_events(40, 60, 7) WHERE user_id = 17),
          'a user''s events do not depend on how many users are generated');
SELECT is((SELECT array_agg(DISTINCT event_type ORDER BY event_type) FROM ana_events),
          ARRAY['ad_click', 'ad_impression', 'add_to_cart', 'purchase', 'remove_from_cart', 'review', 'view'],
          'all seven event types occur');
SELECT ok((SELECT count(*) FROM ana_users) = 1500 - (SELECT count(*) FROM ana_users WHERE signup_date >= DATE '2025-09-01' + 180)
          AND (SELECT count(DISTINCT user_id) FROM ana_events) <= 1500
          AND NOT EXISTS (SELECT 1 FROM ana_events e JOIN ana_users u USING (user_id) WHERE e.ts::date < u.signup_date),
          'users exist once each, and nobody acts before signing up');
SELECT ok((SELECT bool_and(ts >= '2025-09-01' AND ts < DATE '2025-09-01' + 181) FROM ana_events),
          'events fall within the generated period');
-- seasonality and special days: Black Friday 2025-11-28 has far more sessions than the Fridays around it
SELECT cmp_ok((SELECT count(DISTINCT session_id) FROM ana_events WHERE ts::date = '2025-11-28')::float8
              / (SELECT count(DISTINCT session_id) / 2.0 FROM ana_events WHERE ts::date IN ('2025-11-21', '2025-11-14')),
              '>', 2.0::float8, 'Black Friday has more than twice the sessions of the Fridays before it');
SELECT cmp_ok((SELECT (count(DISTINCT session_id) FILTER (WHERE extract(isodow FROM ts) IN (6, 7))::numeric
                       / count(DISTINCT ts::date) FILTER (WHERE extract(isodow FROM ts) IN (6, 7)))
                      / (count(DISTINCT session_id) FILTER (WHERE extract(isodow FROM ts) IN (2, 3))::numeric
                         / count(DISTINCT ts::date) FILTER (WHERE extract(isodow FROM ts) IN (2, 3)))
               FROM ana_events WHERE ts < '2025-11-01'),
              '>', 1.15::numeric, 'weekend days are busier than Tuesdays and Wednesdays');
-- cart abandonment, and returning visitors convert better than first sessions
CREATE TEMP TABLE ana_sessions AS
SELECT session_id, user_id, min(ts) AS started, bool_or(event_type = 'add_to_cart') AS carted,
       bool_or(event_type = 'purchase') AS bought,
       row_number() OVER (PARTITION BY user_id ORDER BY min(ts)) AS nth
FROM ana_events GROUP BY session_id, user_id;
SELECT ok((SELECT avg((NOT bought)::int) FROM ana_sessions WHERE carted) BETWEEN 0.2 AND 0.6,
          'between 20% and 60% of carts are abandoned');
SELECT cmp_ok((SELECT avg(bought::int) FROM ana_sessions s JOIN ana_users u USING (user_id)
               WHERE carted AND (nth > 1 OR u.signup_date < '2025-09-01')),
              '>', (SELECT avg(bought::int) + 0.05 FROM ana_sessions s JOIN ana_users u USING (user_id)
                    WHERE carted AND nth = 1 AND u.signup_date >= '2025-09-01'),
              'returning visitors'' carts convert better than new visitors''');
-- price sensitivity: within a category, cheaper views go to the cart more often
SELECT cmp_ok((SELECT avg((event_type = 'add_to_cart')::int) FROM ana_events e
               JOIN (SELECT category, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med
                     FROM ana_events WHERE event_type = 'view' GROUP BY category) m USING (category)
               WHERE event_type IN ('view', 'add_to_cart') AND price < m.med),
              '>', (SELECT avg((event_type = 'add_to_cart')::int) * 1.2 FROM ana_events e
                    JOIN (SELECT category, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med
                          FROM ana_events WHERE event_type = 'view' GROUP BY category) m USING (category)
                    WHERE event_type IN ('view', 'add_to_cart') AND price >= m.med),
              'cheaper products go to the cart at least 1.2 times as often as dearer ones');
-- category affinity and long-tailed activity
SELECT cmp_ok((SELECT avg(top_share) FROM (SELECT user_id, max(n)::float8 / sum(n) AS top_share
               FROM (SELECT user_id, category, count(*) AS n FROM ana_events WHERE event_type = 'view'
                     GROUP BY 1, 2) c GROUP BY user_id HAVING sum(n) >= 30) t),
              '>', 0.4::float8, 'users with 30+ views spend over 40% of them in their favourite category');
SELECT cmp_ok((SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY n) / percentile_cont(0.5) WITHIN GROUP (ORDER BY n)
               FROM (SELECT user_id, count(*) AS n FROM ana_events GROUP BY 1) c),
              '>', 8.0::float8, 'activity is long-tailed: the 99th percentile user has 8x the median''s events');
SELECT cmp_ok((SELECT avg((last < DATE '2025-09-01' + 150)::int) FROM
               (SELECT user_id, max(ts) AS last FROM ana_events GROUP BY 1) c),
              '>', 0.2::numeric, 'over 20% of users drift away and are gone in the last 30 days');
SELECT throws_ok($$SELECT * FROM ubehav_demo_events(10, 0)$$, '22023', NULL, 'days must be positive');
SELECT throws_ok($$SELECT * FROM ubehav_demo_users(-1)$$, '22023', NULL, 'n_users must not be negative');

-- ---- features and labels ----
CREATE TEMP TABLE ana_features AS SELECT * FROM ubehav_behaviour_features('ana_events', '2026-01-15');
SELECT is((SELECT count(*) FROM ana_features),
          (SELECT count(DISTINCT user_id) FROM ana_events WHERE ts < '2026-01-15'),
          'one feature row per user with events before the cut-off');
-- no leakage: removing every event at or after the cut-off changes no feature
CREATE TEMP TABLE ana_events_past AS SELECT * FROM ana_events WHERE ts < '2026-01-15';
SELECT is_empty($$SELECT * FROM ana_features EXCEPT SELECT * FROM ubehav_behaviour_features('ana_events_past', '2026-01-15')
                  UNION ALL
                  SELECT * FROM ubehav_behaviour_features('ana_events_past', '2026-01-15') EXCEPT SELECT * FROM ana_features$$,
                'features are identical whether or not events after the cut-off exist');
-- labels come from after the cut-off only: with no future events they are unknown (NULL)
SELECT is((SELECT count(*) FROM ubehav_behaviour_labels('ana_events_past', '2026-01-15')
           WHERE purchase_next_7d IS NOT NULL OR churn_next_30d IS NOT NULL OR next_purchase_category IS NOT NULL),
          0::bigint, 'without events after the cut-off every label is NULL');
-- a hand-made events table with hostile column names, to check the values and the quoting
CREATE TEMP TABLE "ana ""odd"" events" ("who; DROP TABLE x" int, "when" timestamptz, "what" text,
                                         "visit" int, "cat" text, "cost" numeric, "n" int);
INSERT INTO "ana ""odd"" events" VALUES
  (1, '2026-01-01 10:00', 'view', 1, 'books', 10, NULL),
  (1, '2026-01-01 10:05', 'add_to_cart', 1, 'books', 10, 2),
  (1, '2026-01-01 10:10', 'purchase', 1, 'books', 10, 2),
  (1, '2026-01-05 09:00', 'view', 2, 'toys', 30, NULL),
  (1, '2026-01-05 09:01', 'add_to_cart', 2, 'toys', 30, 1),
  (1, '2026-01-05 09:02', 'ad_impression', 2, 'toys', 30, NULL),
  (1, '2026-01-05 09:03', 'ad_click', 2, 'toys', 30, NULL),
  (1, '2026-01-12 12:00', 'purchase', 3, 'music', 5, 1),   -- after the cut-off
  (2, '2026-01-02 08:00', 'view', 4, 'books', 12, NULL),
  (2, '2026-01-20 08:00', 'view', 5, 'books', 12, NULL);   -- after the cut-off
SELECT is((SELECT row(frequency, monetary, sessions, cart_abandonment_rate, favourite_category, round(category_entropy::numeric, 12),
                      ad_ctr, days_since_last_purchase, view_7d, view_30d, mean_session_minutes)::text
           FROM ubehav_behaviour_features('"ana ""odd"" events"', '2026-01-10', 'who; DROP TABLE x', 'when', 'what',
                                          'visit', 'cat', 'cost', 'n') WHERE user_id = 1),
          row(1::bigint, 20::float8, 2::bigint, 0.5::float8, 'books', round(-(0.6 * ln(0.6) + 0.4 * ln(0.4)) / ln(2.0), 12), 1::float8,
              (9 * 24 * 60 - 610)::float8 / (24 * 60), 1::bigint, 2::bigint, 6.5::float8)::text,
          'hand-computed features of a small table with hostile column names');
SELECT is((SELECT row(purchase_next_7d, churn_next_30d, next_purchase_category)::text
           FROM ubehav_behaviour_labels('"ana ""odd"" events"', '2026-01-10', 'who; DROP TABLE x', 'when', 'what', 'cat')
           WHERE user_id = 1),
          row(true, NULL::boolean, 'music')::text,
          'labels after the cut-off; churn is NULL when the table ends before cut-off + 30 days');
SELECT throws_ok($$SELECT * FROM ubehav_behaviour_features('ana_events', '2026-01-15', 'user_id; DROP TABLE ana_users')$$,
                 '42703', NULL, 'a column name is an identifier, never SQL');
SELECT throws_ok($$SELECT * FROM ubehav_behaviour_features('no_such_events', '2026-01-15')$$,
                 '42P01', NULL, 'an unknown events table is an error');
SELECT is((SELECT row(count(*), sum(units), count(DISTINCT day))::text
           FROM ubehav_units_per_day('"ana ""odd"" events"', '2026-01-01', '2026-01-15', 'visit', 'when', 'what', 'n', 'cat')),
          row(5 * 14, 3, 14)::text, 'units per product per day: a dense grid, zeros included, quantities summed');

SELECT * FROM finish();
ROLLBACK;
