-- Scoring on shards through postgres_fdw (issue 16; README, Scaling out), on one server: a
-- loopback foreign server stands for a shard. t_shards.sh runs the real thing on four clusters.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE EXTENSION postgres_fdw;
DO $$ BEGIN
    EXECUTE format('CREATE SERVER loopback_shard FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L, extensions %L)',
                   split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), 'ubehav');
END $$;
CREATE USER MAPPING FOR CURRENT_USER SERVER loopback_shard;
SELECT setseed(0.25);
CREATE TABLE shard_rows AS
SELECT g AS id, random() AS a, random() AS b, 'shard_m'::text AS model FROM generate_series(1, 400) g;
CREATE FOREIGN TABLE shard_rows_remote (id integer, a float8, b float8, model text)
    SERVER loopback_shard OPTIONS (table_name 'shard_rows');
SELECT ubehav_train('shard_m', 'SELECT a, b, a + 0.3 * b > 0.6 AS y FROM shard_rows ORDER BY id', 'y',
                    '{"epochs": 2, "hidden": [4], "seed": 1}')->>'version' AS version;

-- the twin is IMMUTABLE, its name argument without a collation; ubehav_predict stays STABLE
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict
FROM pg_proc p WHERE p.proname IN ('ubehav_predict', 'ubehav_predict_shippable') AND p.proargtypes[1] = 'float8[]'::regtype
ORDER BY 1::text;
SELECT typname, typcollation = 0 AS no_collation FROM pg_type WHERE typname = 'ubehav_model_name';

-- sent to the shard: in WHERE, and in an aggregate grouped on the shard
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM shard_rows_remote WHERE ubehav_predict_shippable('shard_m', ARRAY[a, b]) > 0.5;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id, max(ubehav_predict_shippable('shard_m', ARRAY[a, b])) FROM shard_rows_remote GROUP BY id;
-- a name from a column of the foreign table is sent too
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM shard_rows_remote WHERE ubehav_predict_shippable(model, ARRAY[a, b]) > 0.5;
-- not sent: the STABLE function (it runs here, on the fetched columns)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM shard_rows_remote WHERE ubehav_predict('shard_m', ARRAY[a, b]) > 0.5;

-- the same scores as ubehav_predict, bit for bit
SELECT count(*) AS rows,
       count(*) FILTER (WHERE r.p = ubehav_predict('shard_m', ARRAY[l.a, l.b])) AS identical
FROM (SELECT id, max(ubehav_predict_shippable('shard_m', ARRAY[a, b])) AS p FROM shard_rows_remote GROUP BY id) r
JOIN shard_rows l USING (id);
SELECT (SELECT count(*) FROM shard_rows_remote WHERE ubehav_predict_shippable('shard_m', ARRAY[a, b]) > 0.5)
     = (SELECT count(*) FROM shard_rows WHERE ubehav_predict('shard_m', ARRAY[a, b]) > 0.5) AS same_filter_count;

-- a deploy is used by the next query of the shard's backend (postgres_fdw keeps its connection)
CREATE TEMP TABLE seen AS
SELECT 1 AS version, string_agg(p::text, ',' ORDER BY id) AS scores
FROM (SELECT id, max(ubehav_predict_shippable('shard_m', ARRAY[a, b])) AS p FROM shard_rows_remote WHERE id <= 5 GROUP BY id) s;
SELECT ubehav_train('shard_m', 'SELECT a, b, a + 0.3 * b > 0.6 AS y FROM shard_rows ORDER BY id', 'y',
                    '{"epochs": 2, "hidden": [4], "seed": 2}')->>'version' AS version;
INSERT INTO seen
SELECT 20, string_agg(ubehav_predict('shard_m', ARRAY[a, b])::text, ',' ORDER BY id) FROM shard_rows WHERE id <= 5;
INSERT INTO seen
SELECT 2, string_agg(p::text, ',' ORDER BY id)
FROM (SELECT id, max(ubehav_predict_shippable('shard_m', ARRAY[a, b])) AS p FROM shard_rows_remote WHERE id <= 5 GROUP BY id) s;
SELECT ubehav_rollback('shard_m') AS rolled_back_to;
INSERT INTO seen
SELECT 3, string_agg(p::text, ',' ORDER BY id)
FROM (SELECT id, max(ubehav_predict_shippable('shard_m', ARRAY[a, b])) AS p FROM shard_rows_remote WHERE id <= 5 GROUP BY id) s;
SELECT (SELECT scores FROM seen WHERE version = 1) <> (SELECT scores FROM seen WHERE version = 2) AS retrain_seen,
       (SELECT scores FROM seen WHERE version = 1) = (SELECT scores FROM seen WHERE version = 3) AS rollback_seen,
       (SELECT scores FROM seen WHERE version = 2) = (SELECT scores FROM seen WHERE version = 20) AS v2_scores_match;
SELECT count(*) AS shard_connections FROM postgres_fdw_get_connections();

-- constant arguments are evaluated once, at plan time (why a prepared statement keeps the value)
CREATE FUNCTION shard_plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END $$;
SELECT shard_plan($q$SELECT ubehav_predict_shippable('shard_m', '{0.5,0.5}')$q$) NOT LIKE '%ubehav_predict%' AS shippable_folded_at_plan_time,
       shard_plan($q$SELECT ubehav_predict('shard_m', '{0.5,0.5}'::float8[])$q$) LIKE '%ubehav_predict(%' AS stable_evaluated_per_execution;
DROP FUNCTION shard_plan(text);
-- the NULL rule: STRICT, like ubehav_predict
SELECT ubehav_predict_shippable(NULL, '{0.5,0.5}') IS NULL AS null_name, ubehav_predict_shippable('shard_m', NULL) IS NULL AS null_features;
-- the model name type converts to and from text
SELECT 'shard_m'::ubehav_model_name::text = 'shard_m' AS round_trip, pg_typeof('x'::text::ubehav_model_name) AS type;
SELECT ubehav_predict_shippable('no_such_model', '{0.5,0.5}'::float8[] || random()::float8);

DROP FOREIGN TABLE shard_rows_remote;
DROP USER MAPPING FOR CURRENT_USER SERVER loopback_shard;
DROP SERVER loopback_shard;
DROP EXTENSION postgres_fdw;
SELECT ubehav_drop_model('shard_m', NULL) IS NOT NULL AS dropped;
DROP TABLE shard_rows;
