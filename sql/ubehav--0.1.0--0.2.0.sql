-- ubehav 0.1.0 -> 0.2.0. CREATE EXTENSION ubehav installs 0.1.0 (frozen) and then this script;
-- ALTER EXTENSION ubehav UPDATE runs this script alone. Stored models keep scoring identically.
\echo Use "ALTER EXTENSION ubehav UPDATE TO '0.2.0'" to load this file. \quit

-- ==== recommendation (issue 15) ====
-- A recommender is a catalog row like any other model, with task 'recommender': its weights are
-- the embeddings, the id maps, the seen-items CSR and the popularity counts (src/nn/rec.h).
-- Existing rows keep their tasks; only the list of allowed values grows.
ALTER TABLE @extschema@.ubehav_models DROP CONSTRAINT ubehav_models_task_check;
ALTER TABLE @extschema@.ubehav_models ADD CONSTRAINT ubehav_models_task_check
    CHECK (task IN ('binary', 'multiclass', 'regression', 'recommender'));

CREATE FUNCTION ubehav_train_recommender(model text, query text, options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_train_recommender'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_train_recommender(text, text, jsonb) IS
'train a two-tower recommender (user and item embeddings, item bias; BPR with sampled negatives) on the (user, item[, weight][, time]) rows of query; stores and deploys a new version of model and returns a summary';

-- ROWS 10: the default k; COST 5000: a top-K ranks the whole catalogue (about 25 microseconds per 10,000 items)
CREATE FUNCTION ubehav_recommend(model text, user_id bigint, k integer DEFAULT 10, exclude_seen boolean DEFAULT true)
RETURNS TABLE (item bigint, score float8, rank integer)
AS 'MODULE_PATHNAME', 'ubehav_recommend'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 10 COST 5000;
COMMENT ON FUNCTION ubehav_recommend(text, bigint, integer, boolean) IS
'the k best items for a user, best first, without the items the user had in training unless exclude_seen is false; a user unseen in training gets the most popular items (score: share of training users who had the item)';

CREATE FUNCTION ubehav_recommend_score(model text, user_id bigint, item bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_recommend_score'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_recommend_score(text, bigint, bigint) IS
'the recommender''s score of a (user, item) pair, the same value ubehav_recommend ranks by; an unseen user scores items by popularity, an unseen item gets the lowest item bias of the model';

CREATE FUNCTION ubehav_evaluate_recommender(model text, query text, k integer DEFAULT 10)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_evaluate_recommender'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_evaluate_recommender(text, text, integer) IS
'leave-last-out evaluation: holds out each user''s latest new item of query, trains a private copy with the deployed version''s options on the rest, ranks every item excluding the user''s own; HR@k, NDCG@k, recall@k and coverage of the model and of item popularity; stores nothing';

-- ubehav_retrain re-runs a recommender's training query with ubehav_train_recommender; other
-- models exactly as before.
CREATE OR REPLACE FUNCTION ubehav_retrain(model text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    SELECT m.training_query, m.target, m.options, m.task INTO r FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version to retrain', model USING ERRCODE = 'undefined_object';
    END IF;
    -- the stored options name every setting; the overrides replace some of them
    IF r.task = 'recommender' THEN
        RETURN @extschema@.ubehav_train_recommender(model, r.training_query, r.options || coalesce(options, '{}'));
    END IF;
    RETURN @extschema@.ubehav_train(model, r.training_query, r.target, r.options || coalesce(options, '{}'));
END $$;
COMMENT ON FUNCTION ubehav_retrain(text, jsonb) IS
're-run the deployed version''s training query, target and options (overrides merged), as a new version; recommenders retrain with ubehav_train_recommender';
