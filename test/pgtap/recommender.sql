-- Recommendation on the generated events: privileges, determinism, the cache seeing a retrain,
-- LATERAL over many users, recommendations next to what users bought later, and hostile input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(14);

CREATE TABLE rt_events AS
SELECT user_id::bigint AS user_id, product_id::bigint AS item,
       CASE event_type WHEN 'purchase' THEN 4 WHEN 'add_to_cart' THEN 2 ELSE 1 END AS weight, ts, event_type
FROM ubehav_demo_events(400, 90, 3)
WHERE event_type IN ('view', 'add_to_cart', 'purchase');
-- training sees events before the cut-off; purchases after it are what users "later bought"
CREATE TABLE rt_before AS SELECT * FROM rt_events WHERE ts < timestamptz '2025-11-15';
CREATE TABLE rt_after AS SELECT DISTINCT user_id, item FROM rt_events WHERE ts >= timestamptz '2025-11-15' AND event_type = 'purchase';

CREATE ROLE ubehav_rt_analyst;
CREATE ROLE ubehav_rt_nobody;
GRANT SELECT ON rt_before TO ubehav_rt_analyst, ubehav_rt_nobody;
SELECT ubehav_grant('ubehav_rt_analyst', 'analyst');

SET ROLE ubehav_rt_nobody;
SELECT throws_ok($$SELECT ubehav_train_recommender('rt', 'SELECT user_id, item, weight, ts FROM rt_before')$$,
                 '42501', NULL, 'a role without the analyst grants cannot train a recommender');
RESET ROLE;
SET ROLE ubehav_rt_analyst;
SELECT throws_ok($$SELECT ubehav_train_recommender('rt', 'SELECT user_id, item, weight, ts FROM rt_events')$$,
                 '42501', NULL, 'the training query runs as the caller: no SELECT on the table, no training');
SELECT lives_ok($$SELECT ubehav_train_recommender('rt', 'SELECT user_id, item, weight, ts FROM rt_before', '{"seed": 5, "epochs": 20}')$$,
                'a granted role trains a recommender');
RESET ROLE;
SET ROLE ubehav_rt_nobody;
SELECT throws_ok($$SELECT * FROM ubehav_recommend('rt', 1)$$, '42501', NULL,
                 'scoring reads the catalog as the caller: no GRANT, no recommendations');
RESET ROLE;

-- the same data, options and seed give the same bytes
SELECT lives_ok($$SELECT ubehav_train_recommender('rt2', 'SELECT user_id, item, weight, ts FROM rt_before', '{"seed": 5, "epochs": 20}')$$,
                'a second training with the same seed');
SELECT is((SELECT md5(weights) FROM ubehav_models WHERE name = 'rt2'), (SELECT md5(weights) FROM ubehav_models WHERE name = 'rt'),
          'training is deterministic given the seed');

-- a LATERAL join over every user: k rows each, no training item among them
SELECT is((SELECT count(*) FROM (SELECT DISTINCT user_id FROM rt_before) u, LATERAL ubehav_recommend('rt', u.user_id, 10) r),
          (SELECT 10 * count(DISTINCT user_id) FROM rt_before), 'ten recommendations for every user in one LATERAL query');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT user_id FROM rt_before) u, LATERAL ubehav_recommend('rt', u.user_id, 10) r
           WHERE EXISTS (SELECT 1 FROM rt_before b WHERE b.user_id = u.user_id AND b.item = r.item)), 0::bigint,
          'no item a user had in training is recommended');

-- what users bought after the cut-off, among their top 20 (items new to them), against popularity's top 20
CREATE TEMP TABLE rt_hits AS
SELECT (SELECT count(*) FROM rt_after a JOIN (SELECT DISTINCT user_id FROM rt_before) u USING (user_id),
               LATERAL ubehav_recommend('rt', u.user_id, 20) r
        WHERE r.item = a.item) AS model,
       (SELECT count(*) FROM rt_after a JOIN (SELECT DISTINCT user_id FROM rt_before) u USING (user_id),
               LATERAL (SELECT p.item FROM (SELECT item, count(DISTINCT user_id) AS n FROM rt_before GROUP BY item) p
                        WHERE NOT EXISTS (SELECT 1 FROM rt_before b WHERE b.user_id = u.user_id AND b.item = p.item)
                        ORDER BY p.n DESC, p.item LIMIT 20) r
        WHERE r.item = a.item) AS popularity;
SELECT cmp_ok((SELECT model FROM rt_hits), '>', (SELECT popularity FROM rt_hits),
              'later purchases are found more often in the recommendations than in the most popular items');

-- a retrain is seen by the next query of the same session (the cache is keyed by version)
SELECT is((SELECT count(*) FROM ubehav_recommend('rt', 1, 3)), 3::bigint, 'version 1 scores');
SELECT is((ubehav_retrain('rt', '{"factors": 8}')->>'version')::int, 2, 'ubehav_retrain re-runs the stored query');
SELECT is((SELECT array_agg(r.score = ubehav_recommend_score('rt', 1, r.item)) FROM ubehav_recommend('rt', 1, 3) r),
          ARRAY[true, true, true], 'the next query scores with version 2, pair scores alike');
SELECT isnt((SELECT array_agg(item ORDER BY rank) FROM ubehav_recommend('rt', 1, 10)),
            (SELECT array_agg(item ORDER BY rank) FROM ubehav_recommend('rt2', 1, 10)),
            'version 2 (8 factors) ranks differently from the 32-factor model');

-- an unknown user in a LATERAL join gets the popular items, never an error
SELECT is((SELECT count(*) FROM (VALUES (-1::bigint), (9223372036854775807), (0)) u(id), LATERAL ubehav_recommend('rt', u.id, 5) r),
          15::bigint, 'unknown users (negative, the largest bigint, 0) get the cold-start list');

SELECT * FROM finish();
ROLLBACK;
