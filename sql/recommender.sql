-- Recommendation: top-K against a brute-force SQL ranking, seen items excluded, cold start,
-- leave-last-out evaluation with its popularity baseline recomputed in SQL, the catalog's
-- lifecycle, and hostile input (every failure an ERROR with a SQLSTATE, none a crash).
\set SHOW_CONTEXT never
CREATE FUNCTION rec_try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 60 users in two taste groups of 20 items each, 8 items per user, one time each; every third
-- user also has item 41, liked across the groups
CREATE TABLE rec_events AS
SELECT u AS user_id, ((u % 2) * 20 + (u * 7 + k * 3) % 20 + 1)::bigint AS item, 1 + (k % 3) AS weight,
       timestamptz '2026-01-01 00:00+00' + (u * 100 + k) * interval '1 minute' AS ts
FROM generate_series(1, 60) u, generate_series(0, 7) k
UNION ALL
SELECT u, 41::bigint, 1, timestamptz '2026-01-01 00:00+00' + (u * 100 + 50) * interval '1 minute'
FROM generate_series(3, 60, 3) u;

SELECT s->>'version' AS version, s->>'task' AS task, s->'users' AS users, s->'items' AS items,
       s->'interactions' AS interactions, s->'rows_used' AS rows_used, s->'options'->>'weight_column' AS weight,
       s->'options'->>'time_column' AS time
FROM ubehav_train_recommender('rec_t', 'SELECT user_id, item, weight, ts FROM rec_events', '{"seed": 7}') s;
SELECT task, target, feature_names, feature_types, deployed FROM ubehav_models WHERE name = 'rec_t';

-- top-K equals the brute-force ranking by ubehav_recommend_score over the unseen items, for every user
SELECT count(*) AS users, count(*) FILTER (WHERE top = brute) AS equal
FROM generate_series(1, 60) u,
     LATERAL (SELECT array_agg(item ORDER BY rank) AS top FROM ubehav_recommend('rec_t', u, 5)) t,
     LATERAL (SELECT array_agg(item ORDER BY s DESC, item) AS brute
              FROM (SELECT i.item, ubehav_recommend_score('rec_t', u, i.item) AS s
                    FROM (SELECT DISTINCT item FROM rec_events) i
                    WHERE i.item NOT IN (SELECT e.item FROM rec_events e WHERE e.user_id = u)
                    ORDER BY s DESC, i.item LIMIT 5) b) b;
-- its scores are ubehav_recommend_score's, its ranks 1..k, best first
SELECT bool_and(r.score = ubehav_recommend_score('rec_t', u, r.item)) AS same_scores,
       bool_and(r.rank BETWEEN 1 AND 5) AS ranks, count(*) AS rows
FROM generate_series(1, 60) u, LATERAL ubehav_recommend('rec_t', u, 5) r;
-- the model learned the groups: nearly all of each user's top 5 lie in the own group's 20 items (or item 41)
SELECT count(*) FILTER (WHERE r.item <> 41 AND (r.item - 1) / 20 <> u % 2) < 30 AS own_group, count(*) AS rows
FROM generate_series(1, 60) u, LATERAL ubehav_recommend('rec_t', u, 5) r;

-- seen items are excluded by default, included on request
SELECT count(*) AS seen_recommended
FROM generate_series(1, 60) u, LATERAL ubehav_recommend('rec_t', u, 10) r
WHERE r.item IN (SELECT e.item FROM rec_events e WHERE e.user_id = u);
SELECT count(*) > 0 AS seen_when_asked
FROM generate_series(1, 60) u, LATERAL ubehav_recommend('rec_t', u, 10, false) r
WHERE r.item IN (SELECT e.item FROM rec_events e WHERE e.user_id = u);
-- k larger than the catalogue: every unseen item once
SELECT count(*) AS rows, count(DISTINCT item) AS items FROM ubehav_recommend('rec_t', 1, 2147483647);
SELECT count(*) AS rows FROM ubehav_recommend('rec_t', 1, 0);

-- cold start: an unseen user gets the most popular items (training users per item, ties by id)
-- and the score of an item is the share of training users who had it
SELECT array_agg(item ORDER BY rank) = (SELECT array_agg(item ORDER BY n DESC, item)
                                        FROM (SELECT item, count(DISTINCT user_id) AS n FROM rec_events
                                              GROUP BY item ORDER BY n DESC, item LIMIT 5) p) AS popular_first,
       bool_and(score = ubehav_recommend_score('rec_t', 999999, item)) AS same_scores
FROM ubehav_recommend('rec_t', 999999, 5);
SELECT ubehav_recommend_score('rec_t', 999999, 41) = 20 / 60::float8 AS popularity_share,
       ubehav_recommend_score('rec_t', 999999, 123456) AS unseen_both;
-- an unseen item for a known user scores as the least-biased item with no personal part: finite, not an error
SELECT ubehav_recommend_score('rec_t', 1, 123456) < 1e300 AS unseen_item_finite;
-- usable in ORDER BY
SELECT count(*) AS ordered FROM (SELECT item FROM (SELECT DISTINCT item FROM rec_events) i
                                 ORDER BY ubehav_recommend_score('rec_t', 2, item) DESC LIMIT 3) x;

-- leave-last-out: each user's latest item held out; the popularity baseline equals the SQL below
SELECT ubehav_evaluate_recommender('rec_t', 'SELECT user_id, item, weight, ts FROM rec_events', 5) AS ev \gset
SELECT (:'ev'::jsonb)->>'protocol' AS protocol, (:'ev'::jsonb)->'users' AS users, (:'ev'::jsonb)->'items' AS items,
       ((:'ev'::jsonb)->'recommender'->>'hr@5')::float8 > ((:'ev'::jsonb)->'popularity'->>'hr@5')::float8 AS beats_popularity,
       ((:'ev'::jsonb)->'recommender'->>'hr@5')::float8 = ((:'ev'::jsonb)->'recommender'->>'recall@5')::float8 AS recall_is_hr,
       ((:'ev'::jsonb)->'recommender'->>'ndcg@5')::float8 BETWEEN 0 AND 1 AS ndcg_range;
WITH p AS (SELECT user_id, item, min(ts) AS t FROM rec_events GROUP BY 1, 2),
     h AS (SELECT DISTINCT ON (user_id) user_id, item FROM p
           WHERE user_id IN (SELECT user_id FROM p GROUP BY 1 HAVING count(*) >= 2) ORDER BY user_id, t DESC),
     tr AS (SELECT p.* FROM p LEFT JOIN h USING (user_id, item) WHERE h.item IS NULL),
     pop AS (SELECT item, count(*) AS c FROM tr GROUP BY item),
     ranked AS (SELECT h.item AS target,
                       (SELECT array_agg(item ORDER BY c DESC, item)
                        FROM (SELECT pop.item, pop.c FROM pop
                              WHERE NOT EXISTS (SELECT 1 FROM tr WHERE tr.user_id = h.user_id AND tr.item = pop.item)
                              ORDER BY pop.c DESC, pop.item LIMIT 5) x) AS top
                FROM h)
SELECT abs(avg((target = ANY (top))::int) - ((:'ev'::jsonb)->'popularity'->>'hr@5')::float8) < 1e-12 AS popularity_hr_as_sql
FROM ranked;

-- the catalog's lifecycle: retrain re-runs the stored query, rollback, deploy, drop
SELECT s->>'version' AS version, s->>'task' AS task FROM ubehav_retrain('rec_t', '{"epochs": 5}') s;
SELECT version, options->>'epochs' AS epochs, deployed FROM ubehav_models WHERE name = 'rec_t' ORDER BY version;
SELECT ubehav_rollback('rec_t') AS rolled_back_to;
SELECT count(*) AS rows FROM ubehav_recommend('rec_t', 1, 3);
SELECT ubehav_deploy('rec_t', 2);
SELECT ubehav_drop_model('rec_t', 1) AS dropped;
SELECT count(*) AS epochs, bool_and(loss > 0) AS losses FROM ubehav_training_log('rec_t');

-- export and import: the same bytes back; every field of an import is validated
SELECT ubehav_import('rec_copy', ubehav_export('rec_t')) AS imported_version;
SELECT (SELECT md5(weights) FROM ubehav_models WHERE name = 'rec_copy') = (SELECT md5(weights) FROM ubehav_models WHERE name = 'rec_t' AND deployed) AS same_bytes,
       ubehav_export('rec_copy') - 'name' - 'version' = ubehav_export('rec_t') - 'name' - 'version' AS same_export;
SELECT (SELECT array_agg(item ORDER BY rank) FROM ubehav_recommend('rec_copy', 3, 5)) = (SELECT array_agg(item ORDER BY rank) FROM ubehav_recommend('rec_t', 3, 5)) AS same_top5;
SELECT rec_try($q$SELECT ubehav_import('rec_copy', jsonb_set(ubehav_export('rec_t'), '{users,ids,0}', '100'))$q$);
SELECT rec_try($q$SELECT ubehav_import('rec_copy', jsonb_set(ubehav_export('rec_t'), '{items,bias,0}', '"x"'))$q$);
SELECT rec_try($q$SELECT ubehav_import('rec_copy', jsonb_set(ubehav_export('rec_t'), '{seen,item_indices,0}', '1e30'))$q$);
SELECT rec_try($q$SELECT ubehav_import('rec_copy', jsonb_set(ubehav_export('rec_t'), '{factors}', '7'))$q$);
SELECT rec_try($q$SELECT ubehav_import('rec_copy', ubehav_export('rec_t') - 'seen')$q$);
SELECT rec_try($q$SELECT ubehav_import('rec_copy', '{"format": "ubehav-recommender"}')$q$);
SELECT ubehav_drop_model('rec_copy') AS dropped_copy;

-- hostile input
SELECT count(*) AS null_user_rows FROM ubehav_recommend('rec_t', NULL);
-- scoring is STRICT (NULL in, NULL out); training and evaluating act, so a NULL is an error naming it
SELECT ubehav_recommend_score(NULL, 1, 1) IS NULL AS null_model, ubehav_recommend_score('rec_t', 1, NULL) IS NULL AS null_item;
SELECT ubehav_train_recommender('x', NULL);
SELECT ubehav_evaluate_recommender('rec_t', NULL);
SELECT rec_try($q$SELECT * FROM ubehav_recommend('rec_t', 1, -1)$q$);
SELECT rec_try($q$SELECT * FROM ubehav_recommend('no_such_model', 1)$q$);
SELECT rec_try($q$SELECT ubehav_recommend_score('', 1, 1)$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', '')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('', 'SELECT 1, 2')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELEKT nonsense')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'DELETE FROM rec_events RETURNING user_id, item')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events WHERE false')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT NULL::int, NULL::int FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id::text, item FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item, ''a''::text FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, 1 AS item FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"factor": 3}')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"factors": 0}')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"factors": 1e9}')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"sampling": "x"}')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '[1]')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"item_column": "nope"}')$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_x', 'SELECT user_id, item FROM rec_events', '{"learning_rate": 1e308}')$q$);
SELECT rec_try($q$SELECT ubehav_evaluate_recommender('rec_t', 'SELECT user_id, item, ts FROM rec_events', 0)$q$);
SELECT rec_try($q$SELECT ubehav_evaluate_recommender('rec_t', 'SELECT DISTINCT ON (user_id) user_id, item, weight, ts FROM rec_events', 5)$q$);
-- weights: NULL, zero and negative ones skip their rows, huge ones are capped
SELECT s->'rows_skipped' AS skipped, s->'interactions' AS interactions
FROM ubehav_train_recommender('rec_w', $$SELECT user_id, item, CASE WHEN item = 41 THEN NULL WHEN item = 1 THEN -1 WHEN item = 2 THEN 0
                                              ELSE 1e300 END AS weight FROM rec_events$$, '{"epochs": 1}') s;
-- the two kinds of model keep apart
SELECT rec_try($q$SELECT ubehav_predict('rec_t', ARRAY[1.0, 2.0])$q$);
SELECT ubehav_train('rec_mlp', 'SELECT user_id::float8 AS a, item > 20 AS y FROM rec_events', 'y', '{"epochs": 1, "hidden": [2]}')->>'version' AS mlp;
SELECT rec_try($q$SELECT * FROM ubehav_recommend('rec_mlp', 1)$q$);
SELECT rec_try($q$SELECT ubehav_train_recommender('rec_mlp', 'SELECT user_id, item FROM rec_events')$q$);
SELECT rec_try($q$SELECT ubehav_evaluate_recommender('rec_mlp', 'SELECT user_id, item FROM rec_events')$q$);
-- damaged bytes are an error, never a crash
UPDATE ubehav_models SET weights = substring(weights FROM 1 FOR 100) WHERE name = 'rec_w';
SELECT rec_try($q$SELECT * FROM ubehav_recommend('rec_w', 1)$q$);
UPDATE ubehav_models SET weights = '\x'::bytea WHERE name = 'rec_w';
SELECT rec_try($q$SELECT ubehav_recommend_score('rec_w', 1, 1)$q$);
SELECT ubehav_drop_model('rec_w') + ubehav_drop_model('rec_mlp') + ubehav_drop_model('rec_t') AS dropped;
DROP TABLE rec_events;
DROP FUNCTION rec_try(text);
