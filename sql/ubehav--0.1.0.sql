-- ubehav 0.1.0: train multilayer perceptrons from SQL queries and score rows inline.
\echo Use "CREATE EXTENSION ubehav" to load this file. \quit

-- The catalog: one row per trained version of a model.
CREATE TABLE ubehav_models (
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    version         integer     NOT NULL CHECK (version > 0),
    task            text        NOT NULL CHECK (task IN ('binary', 'multiclass', 'regression')),
    target          text        NOT NULL,
    options         jsonb       NOT NULL,
    preprocessing   jsonb       NOT NULL,
    feature_names   text[]      NOT NULL,
    feature_types   text[]      NOT NULL,
    class_labels    text[],
    metrics         jsonb       NOT NULL,
    training_log    jsonb       NOT NULL,
    weights         bytea       NOT NULL,
    training_query  text        NOT NULL,
    trained_by      name        NOT NULL DEFAULT current_user,
    trained_at      timestamptz NOT NULL DEFAULT now(),
    rows_used       bigint      NOT NULL,
    rows_skipped    bigint      NOT NULL,
    training_ms     double precision NOT NULL,
    deployed        boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX ubehav_models_one_deployed ON ubehav_models (name) WHERE deployed;
COMMENT ON TABLE ubehav_models IS 'ubehav model catalog: one row per trained version; the deployed row is used for scoring';
SELECT pg_catalog.pg_extension_config_dump('ubehav_models', '');

-- Only the owner and roles granted by an administrator may train; anyone may read the catalog's public columns
REVOKE ALL ON ubehav_models FROM PUBLIC;

-- A version trained with the option group_by has one network per value of that column, here;
-- its ubehav_models row holds the options, the pooled metrics and an empty weights value.
CREATE TABLE ubehav_model_groups (
    name            text        NOT NULL,
    version         integer     NOT NULL,
    group_value     text        NOT NULL,
    preprocessing   jsonb       NOT NULL,
    class_labels    text[],
    metrics         jsonb       NOT NULL,
    training_log    jsonb       NOT NULL,
    weights         bytea       NOT NULL,
    rows_used       bigint      NOT NULL,
    PRIMARY KEY (name, version, group_value),
    FOREIGN KEY (name, version) REFERENCES ubehav_models (name, version) ON DELETE CASCADE
);
COMMENT ON TABLE ubehav_model_groups IS 'ubehav per-group networks of versions trained with group_by: one row per group value';
SELECT pg_catalog.pg_extension_config_dump('ubehav_model_groups', '');
REVOKE ALL ON ubehav_model_groups FROM PUBLIC;

CREATE FUNCTION ubehav_train(model text, query text, target text, options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_train(text, text, text, jsonb) IS
'train a multilayer perceptron on the rows of query to predict target; stores and deploys a new version of model and returns a summary';

-- COST 100 (about a microsecond): the planner runs cheaper filters first and parallelizes large scans
CREATE FUNCTION ubehav_predict(model text, features float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_predict_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict(text, float8[]) IS
'score raw feature values in training column order: probability of the positive class (binary) or predicted value (regression)';

CREATE FUNCTION ubehav_predict(model text, "row" record)
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_predict_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict(text, record) IS
'score a row, taking features by column name and applying the stored preprocessing: probability of the positive class (binary) or predicted value (regression)';

CREATE FUNCTION ubehav_predict_proba(model text, features float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ubehav_predict_proba_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict_proba(text, float8[]) IS
'class probabilities of raw feature values, in the order of the model''s class labels';

CREATE FUNCTION ubehav_predict_proba(model text, "row" record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ubehav_predict_proba_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict_proba(text, record) IS
'class probabilities of a row, in the order of the model''s class labels';

CREATE FUNCTION ubehav_predict_class(model text, features float8[])
RETURNS text
AS 'MODULE_PATHNAME', 'ubehav_predict_class_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict_class(text, float8[]) IS
'most likely class label of raw feature values';

CREATE FUNCTION ubehav_predict_class(model text, "row" record)
RETURNS text
AS 'MODULE_PATHNAME', 'ubehav_predict_class_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict_class(text, record) IS
'most likely class label of a row';

CREATE FUNCTION ubehav_evaluate(model text, query text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_evaluate'
LANGUAGE C VOLATILE PARALLEL UNSAFE STRICT;
COMMENT ON FUNCTION ubehav_evaluate(text, text) IS
'metrics of the deployed version of model on the labelled rows of query (the query must return the target column)';

-- ==== evaluation aggregates ====
-- Usable with GROUP BY and in parallel plans; NULL scores or labels are left out; a metric that is
-- undefined for a group (AUC with one class, r2 of a constant) is NULL with a NOTICE saying why.
CREATE FUNCTION ubehav_rank_accum(internal, float8, boolean) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_rank_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_rank_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_rank_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_auc_final(internal) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_pr_auc_final(internal) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE ubehav_auc(score float8, label boolean) (
    SFUNC = ubehav_rank_accum, STYPE = internal, FINALFUNC = ubehav_auc_final,
    COMBINEFUNC = ubehav_rank_combine, SERIALFUNC = ubehav_rank_serialize,
    DESERIALFUNC = ubehav_rank_deserialize, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_auc(float8, boolean) IS
'ROC AUC of scores against boolean labels, ties counted half; NULL when a group has one class';
CREATE AGGREGATE ubehav_pr_auc(score float8, label boolean) (
    SFUNC = ubehav_rank_accum, STYPE = internal, FINALFUNC = ubehav_pr_auc_final,
    COMBINEFUNC = ubehav_rank_combine, SERIALFUNC = ubehav_rank_serialize,
    DESERIALFUNC = ubehav_rank_deserialize, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_pr_auc(float8, boolean) IS
'area under the precision-recall curve (average precision, as scikit-learn); NULL when a group has no positive label';

CREATE FUNCTION ubehav_sums_combine(float8[], float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_log_loss_accum(float8[], float8, boolean) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_log_loss_final(float8[]) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE AGGREGATE ubehav_log_loss(probability float8, label boolean) (
    SFUNC = ubehav_log_loss_accum, STYPE = float8[], INITCOND = '{0,0}',
    FINALFUNC = ubehav_log_loss_final, COMBINEFUNC = ubehav_sums_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_log_loss(float8, boolean) IS
'mean binary cross-entropy of probabilities against boolean labels (probabilities clipped to [1e-15, 1 - 1e-15])';

CREATE FUNCTION ubehav_errors_accum(float8[], float8, float8) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_rmse_final(float8[]) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_mae_final(float8[]) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_r2_final(float8[]) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE AGGREGATE ubehav_rmse(prediction float8, actual float8) (
    SFUNC = ubehav_errors_accum, STYPE = float8[], INITCOND = '{0,0,0,0,0}',
    FINALFUNC = ubehav_rmse_final, COMBINEFUNC = ubehav_sums_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_rmse(float8, float8) IS 'root mean squared error of predictions';
CREATE AGGREGATE ubehav_mae(prediction float8, actual float8) (
    SFUNC = ubehav_errors_accum, STYPE = float8[], INITCOND = '{0,0,0,0,0}',
    FINALFUNC = ubehav_mae_final, COMBINEFUNC = ubehav_sums_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_mae(float8, float8) IS 'mean absolute error of predictions';
CREATE AGGREGATE ubehav_r2(prediction float8, actual float8) (
    SFUNC = ubehav_errors_accum, STYPE = float8[], INITCOND = '{0,0,0,0,0}',
    FINALFUNC = ubehav_r2_final, COMBINEFUNC = ubehav_sums_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_r2(float8, float8) IS
'coefficient of determination of predictions; NULL when the actual values are constant';

CREATE FUNCTION ubehav_confusion_accum(float8[], float8, boolean, float8) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_confusion_combine(float8[], float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_confusion_final(float8[]) RETURNS jsonb
AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE AGGREGATE ubehav_confusion(score float8, label boolean, threshold float8) (
    SFUNC = ubehav_confusion_accum, STYPE = float8[], INITCOND = '{0,0,0,0,0}',
    FINALFUNC = ubehav_confusion_final, COMBINEFUNC = ubehav_confusion_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_confusion(float8, boolean, float8) IS
'confusion matrix (tp, fp, tn, fn) of predicting positive when score >= threshold, with accuracy, precision, recall, f1 and mcc';

-- The same aggregates with integer 0/1 labels (any other integer is an error), for tables that store
-- labels as numbers; they share the boolean versions' state, combine and final functions.
CREATE FUNCTION ubehav_rank_accum_int(internal, float8, integer) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_log_loss_accum_int(float8[], float8, integer) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION ubehav_confusion_accum_int(float8[], float8, integer, float8) RETURNS float8[]
AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE AGGREGATE ubehav_auc(score float8, label integer) (
    SFUNC = ubehav_rank_accum_int, STYPE = internal, FINALFUNC = ubehav_auc_final,
    COMBINEFUNC = ubehav_rank_combine, SERIALFUNC = ubehav_rank_serialize,
    DESERIALFUNC = ubehav_rank_deserialize, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_auc(float8, integer) IS
'ROC AUC of scores against 0/1 labels, ties counted half; NULL when a group has one class';
CREATE AGGREGATE ubehav_pr_auc(score float8, label integer) (
    SFUNC = ubehav_rank_accum_int, STYPE = internal, FINALFUNC = ubehav_pr_auc_final,
    COMBINEFUNC = ubehav_rank_combine, SERIALFUNC = ubehav_rank_serialize,
    DESERIALFUNC = ubehav_rank_deserialize, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_pr_auc(float8, integer) IS
'average precision of scores against 0/1 labels; NULL when a group has no positive label';
CREATE AGGREGATE ubehav_log_loss(probability float8, label integer) (
    SFUNC = ubehav_log_loss_accum_int, STYPE = float8[], INITCOND = '{0,0}',
    FINALFUNC = ubehav_log_loss_final, COMBINEFUNC = ubehav_sums_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_log_loss(float8, integer) IS
'mean binary cross-entropy of probabilities against 0/1 labels (probabilities clipped to [1e-15, 1 - 1e-15])';
CREATE AGGREGATE ubehav_confusion(score float8, label integer, threshold float8) (
    SFUNC = ubehav_confusion_accum_int, STYPE = float8[], INITCOND = '{0,0,0,0,0}',
    FINALFUNC = ubehav_confusion_final, COMBINEFUNC = ubehav_confusion_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE ubehav_confusion(float8, integer, float8) IS
'confusion matrix of predicting positive when score >= threshold against 0/1 labels, with accuracy, precision, recall, f1 and mcc';

-- ==== curves and training log ====
CREATE FUNCTION ubehav_roc_curve(model text, query text)
RETURNS TABLE (threshold float8, tpr float8, fpr float8, "precision" float8, recall float8)
AS 'MODULE_PATHNAME', 'ubehav_roc_curve'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_roc_curve(text, text) IS
'ROC curve of the deployed binary model on the labelled rows of query: one row per distinct score, from (0, 0)';
CREATE FUNCTION ubehav_pr_curve(model text, query text)
RETURNS TABLE (threshold float8, tpr float8, fpr float8, "precision" float8, recall float8)
AS 'MODULE_PATHNAME', 'ubehav_pr_curve'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_pr_curve(text, text) IS
'precision-recall curve of the deployed binary model on the labelled rows of query: one row per distinct score';

CREATE FUNCTION ubehav_training_log(model text, version integer DEFAULT NULL)
RETURNS TABLE (epoch integer, loss float8, val_loss float8, val_metric text, val_value float8,
               learning_rate float8, milliseconds float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT (e->>'epoch')::int, (e->>'loss')::float8, (e->>'val_loss')::float8,
           k.key, k.value::text::float8, (e->>'learning_rate')::float8, (e->>'ms')::float8
    FROM @extschema@.ubehav_models m
         CROSS JOIN LATERAL jsonb_array_elements(m.training_log) e
         LEFT JOIN LATERAL (SELECT key, value FROM jsonb_each(e) WHERE key LIKE 'val\_%' AND key <> 'val_loss' LIMIT 1) k ON true
    WHERE m.name = $1 AND CASE WHEN $2 IS NULL THEN m.deployed ELSE m.version = $2 END
    ORDER BY 1
$$;
COMMENT ON FUNCTION ubehav_training_log(text, integer) IS
'one row per epoch of a version (the deployed one by default): losses, the validation metric, learning rate and time';

-- ==== cross-validation ====
CREATE FUNCTION ubehav_cv_folds(query text, target text, options jsonb DEFAULT '{}', folds integer DEFAULT 5)
RETURNS TABLE (fold integer, metrics jsonb, training_rows bigint, validation_rows bigint, test_rows bigint)
AS 'MODULE_PATHNAME', 'ubehav_cv_folds'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_cv_folds(text, text, jsonb, integer) IS
'k-fold cross-validation (stratified for classification, seeded): one row per fold with the metrics on the held-out (test) fold; early stopping and the threshold use validation rows split off the other folds; stores nothing';

CREATE FUNCTION ubehav_cross_validate(query text, target text, options jsonb DEFAULT '{}', folds integer DEFAULT 5)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    WITH f AS MATERIALIZED (SELECT * FROM @extschema@.ubehav_cv_folds($1, $2, $3, $4)),
    m AS (SELECT key, avg(value::text::float8) AS mean, stddev_samp(value::text::float8) AS std
          FROM f, jsonb_each(f.metrics)
          WHERE jsonb_typeof(value) = 'number'
            AND key NOT IN ('evaluated_rows', 'epochs_run', 'best_epoch')
          GROUP BY key)
    SELECT jsonb_build_object(
        'folds', (SELECT jsonb_agg(jsonb_build_object('fold', fold, 'training_rows', training_rows,
                                                      'validation_rows', validation_rows, 'test_rows', test_rows,
                                                      'metrics', metrics)
                                   ORDER BY fold) FROM f),
        'mean', (SELECT jsonb_object_agg(key, mean ORDER BY key) FROM m),
        'std', (SELECT jsonb_object_agg(key, std ORDER BY key) FROM m))
$$;
COMMENT ON FUNCTION ubehav_cross_validate(text, text, jsonb, integer) IS
'k-fold cross-validation: per-fold metrics and their mean and standard deviation across folds; stores nothing';

-- ==== hyperparameter search ====
CREATE SEQUENCE ubehav_tuning_run;
CREATE TABLE ubehav_trials (
    model           text        NOT NULL,
    tuning_run      bigint      NOT NULL,
    trial           integer     NOT NULL,
    options         jsonb       NOT NULL,
    metrics         jsonb       NOT NULL,
    metric          text        NOT NULL,
    metric_value    float8,
    training_ms     float8      NOT NULL,
    best            boolean     NOT NULL DEFAULT false,
    version         integer,
    tuned_by        name        NOT NULL DEFAULT current_user,
    tuned_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tuning_run, trial)
);
COMMENT ON TABLE ubehav_trials IS 'ubehav_tune trials: the options, metrics and time of each, and which was deployed';
SELECT pg_catalog.pg_extension_config_dump('ubehav_trials', '');
SELECT pg_catalog.pg_extension_config_dump('ubehav_tuning_run', '');
REVOKE ALL ON ubehav_trials FROM PUBLIC;

CREATE FUNCTION ubehav_tune(model text, query text, target text, search jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_tune'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_tune(text, text, text, jsonb) IS
'grid or random search over any training options on one read of query; every trial is recorded in ubehav_trials and the best is stored and deployed as a new version of model';

-- ==== explanations ====
CREATE FUNCTION ubehav_explain(model text, "row" record, class text DEFAULT NULL, steps integer DEFAULT 128)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_explain_row'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_explain(text, record, text, integer) IS
'why a row got its score: integrated gradients from the training means, one contribution per column (they sum to score - baseline_score, up to approximation_error)';
CREATE FUNCTION ubehav_explain(model text, features float8[], class text DEFAULT NULL, steps integer DEFAULT 128)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_explain_array'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_explain(text, float8[], text, integer) IS
'why raw feature values got their score: integrated gradients from the training means, one contribution per column';
CREATE FUNCTION ubehav_feature_importance(model text, query text, repeats integer DEFAULT 5, seed bigint DEFAULT 1)
RETURNS TABLE (feature text, importance float8, std float8, metric text)
AS 'MODULE_PATHNAME', 'ubehav_feature_importance'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_feature_importance(text, text, integer, bigint) IS
'permutation importance per column on the labelled rows of query: the mean and standard deviation over repeats of the drop in AUC (binary), accuracy (multiclass) or r2 (regression) when the column is shuffled; seeded';

-- ==== versions and deployment ====
CREATE TABLE ubehav_deployments (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL,
    version     integer     NOT NULL,
    deployed_at timestamptz NOT NULL DEFAULT now(),
    deployed_by name        NOT NULL DEFAULT current_user
);
COMMENT ON TABLE ubehav_deployments IS 'every deployment of a model version, for ubehav_rollback and audits';
SELECT pg_catalog.pg_extension_config_dump('ubehav_deployments', '');
SELECT pg_catalog.pg_extension_config_dump('ubehav_deployments_id_seq', '');
REVOKE ALL ON ubehav_deployments FROM PUBLIC;

-- The caller must own the model (have trained its first version) or be a superuser.
CREATE FUNCTION ubehav_check_owner(model text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    owner name;
BEGIN
    -- the same lock as a training of this name, so versions and deployments never interleave
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(model, 7572));
    SELECT m.trained_by INTO owner FROM @extschema@.ubehav_models m WHERE m.name = model ORDER BY m.version LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" does not exist', model USING ERRCODE = 'undefined_object',
            HINT = 'List the models with SELECT DISTINCT name FROM ubehav_models.';
    END IF;
    IF owner <> current_user AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'model "%" belongs to role "%"', model, owner USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only the role that trained its first version, or a superuser, may deploy or drop it.';
    END IF;
END $$;

CREATE FUNCTION ubehav_deploy(model text, version integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM @extschema@.ubehav_check_owner(model);
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_deploy.version) THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version USING ERRCODE = 'undefined_object',
            HINT = 'List its versions with SELECT version FROM ubehav_models WHERE name = ...';
    END IF;
    -- two statements: the partial unique index allows one deployed row per model at every moment
    UPDATE @extschema@.ubehav_models m SET deployed = false WHERE m.name = model AND m.deployed AND m.version <> ubehav_deploy.version;
    UPDATE @extschema@.ubehav_models m SET deployed = true WHERE m.name = model AND m.version = ubehav_deploy.version AND NOT m.deployed;
    INSERT INTO @extschema@.ubehav_deployments (name, version) VALUES (model, ubehav_deploy.version);
END $$;
COMMENT ON FUNCTION ubehav_deploy(text, integer) IS 'make a version the deployed one; the next query scores with it';

CREATE FUNCTION ubehav_rollback(model text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current integer;
    previous integer;
BEGIN
    PERFORM @extschema@.ubehav_check_owner(model);
    SELECT m.version INTO current FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    SELECT d.version INTO previous
    FROM @extschema@.ubehav_deployments d JOIN @extschema@.ubehav_models m ON m.name = d.name AND m.version = d.version
    WHERE d.name = model AND d.version IS DISTINCT FROM current
    ORDER BY d.id DESC LIMIT 1;
    IF previous IS NULL THEN
        RAISE EXCEPTION 'model "%" has no earlier deployed version to roll back to', model
            USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Deploy a version by number with ubehav_deploy.';
    END IF;
    PERFORM @extschema@.ubehav_deploy(model, previous);
    RETURN previous;
END $$;
COMMENT ON FUNCTION ubehav_rollback(text) IS 'deploy again the version deployed before the current one; returns it';

CREATE FUNCTION ubehav_drop_model(model text, version integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    dropped integer;
BEGIN
    PERFORM @extschema@.ubehav_check_owner(model);
    IF version IS NULL THEN
        DELETE FROM @extschema@.ubehav_models m WHERE m.name = model;
        GET DIAGNOSTICS dropped = ROW_COUNT;
        DELETE FROM @extschema@.ubehav_deployments d WHERE d.name = model;
        RETURN dropped;
    END IF;
    IF EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_drop_model.version AND m.deployed) THEN
        RAISE EXCEPTION 'version % of model "%" is deployed', version, model USING ERRCODE = 'object_in_use',
            HINT = 'Deploy another version first, or drop the whole model with ubehav_drop_model(model).';
    END IF;
    DELETE FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_drop_model.version;
    GET DIAGNOSTICS dropped = ROW_COUNT;
    IF dropped = 0 THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version USING ERRCODE = 'undefined_object';
    END IF;
    RETURN dropped;
END $$;
COMMENT ON FUNCTION ubehav_drop_model(text, integer) IS 'drop one version (not the deployed one), or every version of a model; returns how many';

CREATE FUNCTION ubehav_retrain(model text, options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r record;
BEGIN
    SELECT m.training_query, m.target, m.options INTO r FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version to retrain', model USING ERRCODE = 'undefined_object';
    END IF;
    -- the stored options name every setting; the overrides replace some of them
    RETURN @extschema@.ubehav_train(model, r.training_query, r.target, r.options || coalesce(options, '{}'));
END $$;
COMMENT ON FUNCTION ubehav_retrain(text, jsonb) IS
're-run the deployed version''s training query, target and options (overrides merged), as a new version';

CREATE PROCEDURE ubehav_retrain_job(model text, options jsonb DEFAULT '{}')
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM @extschema@.ubehav_retrain(model, options);
END $$;
COMMENT ON PROCEDURE ubehav_retrain_job(text, jsonb) IS
'ubehav_retrain as a procedure, for schedulers: SELECT cron.schedule(''nightly'', ''0 3 * * *'', $$CALL ubehav_retrain_job(''purchase'')$$)';

-- security_invoker: the caller's rights on ubehav_models apply, not the extension owner's
CREATE VIEW ubehav_model_summary WITH (security_invoker = true) AS
SELECT m.name, m.version AS deployed_version, m.task, m.rows_used,
       (m.metrics->>'auc')::float8 AS auc, (m.metrics->>'pr_auc')::float8 AS pr_auc,
       (m.metrics->>'accuracy')::float8 AS accuracy, (m.metrics->>'f1')::float8 AS f1,
       (m.metrics->>'macro_f1')::float8 AS macro_f1, (m.metrics->>'log_loss')::float8 AS log_loss,
       (m.metrics->>'rmse')::float8 AS rmse, (m.metrics->>'r2')::float8 AS r2,
       m.trained_at, m.trained_by, now() - m.trained_at AS age,
       (SELECT count(*) FROM @extschema@.ubehav_models v WHERE v.name = m.name) AS versions
FROM @extschema@.ubehav_models m WHERE m.deployed;
COMMENT ON VIEW ubehav_model_summary IS 'one row per model: its deployed version, task, rows and key metrics, for dashboards';
REVOKE ALL ON ubehav_model_summary FROM PUBLIC;

-- ==== portability ====
CREATE FUNCTION ubehav_export(model text, version integer DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_export'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_export(text, integer) IS
'a version (the deployed one by default) as jsonb: task, labels, options, metrics, preprocessing and every weight, enough to score it elsewhere';
CREATE FUNCTION ubehav_import(model text, export jsonb)
RETURNS integer
AS 'MODULE_PATHNAME', 'ubehav_import'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_import(text, jsonb) IS
'store what ubehav_export returned as a new, deployed version of model (everything is validated first); returns the version';

-- ==== behaviour analytics: demo data generator ====
CREATE FUNCTION ubehav_demo_users(n_users integer, days integer DEFAULT 180, seed bigint DEFAULT 1,
                                  start date DEFAULT DATE '2025-09-01')
RETURNS TABLE (user_id integer, signup_date date, region text, device text, channel text)
AS 'MODULE_PATHNAME', 'ubehav_demo_users'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10000;
COMMENT ON FUNCTION ubehav_demo_users(integer, integer, bigint, date) IS
'synthetic e-commerce users 1..n_users who signed up before start + days (deterministic from seed): signup date, region, device, acquisition channel';

CREATE FUNCTION ubehav_demo_events(n_users integer, days integer DEFAULT 180, seed bigint DEFAULT 1,
                                   start date DEFAULT DATE '2025-09-01')
RETURNS TABLE (event_id bigint, user_id integer, session_id bigint, ts timestamptz, event_type text,
               product_id integer, category text, price float8, quantity integer)
AS 'MODULE_PATHNAME', 'ubehav_demo_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000000;
COMMENT ON FUNCTION ubehav_demo_events(integer, integer, bigint, date) IS
'synthetic e-commerce events (view, add_to_cart, remove_from_cart, purchase, ad_impression, ad_click, review) of users 1..n_users over days from start, deterministic from seed, with seasonality, special days, cart abandonment, price sensitivity, category affinity, churn and long-tailed activity (the model is described in the README)';

CREATE FUNCTION ubehav_demo_create(schema_name text, n_users integer, days integer DEFAULT 180,
                                   seed bigint DEFAULT 1, start date DEFAULT DATE '2025-09-01')
RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);
    EXECUTE format('CREATE TABLE %I.users AS SELECT * FROM @extschema@.ubehav_demo_users(%s, %s, %s, %L::date)',
                   schema_name, n_users, days, seed, start);
    EXECUTE format('ALTER TABLE %I.users ADD PRIMARY KEY (user_id)', schema_name);
    EXECUTE format('CREATE TABLE %I.events AS SELECT * FROM @extschema@.ubehav_demo_events(%s, %s, %s, %L::date)',
                   schema_name, n_users, days, seed, start);
    GET DIAGNOSTICS n = ROW_COUNT;
    EXECUTE format('ALTER TABLE %I.events ADD PRIMARY KEY (event_id)', schema_name);
    EXECUTE format('CREATE INDEX ON %I.events (user_id, ts)', schema_name);
    EXECUTE format('ANALYZE %I.users, %I.events', schema_name, schema_name);
    RETURN n;
END
$$;
COMMENT ON FUNCTION ubehav_demo_create(text, integer, integer, bigint, date) IS
'create the tables users and events of generated demo data in schema_name (created if missing; the tables must not exist), indexed and analysed; returns the number of events';

-- ==== behaviour analytics: features and labels from an events table ====
-- No leakage: ubehav_behaviour_features reads only events strictly before the cut-off and
-- ubehav_behaviour_labels only events at or after it, so a label can never change a feature.
CREATE FUNCTION ubehav_behaviour_features(events regclass, cutoff timestamptz,
        user_column text DEFAULT 'user_id', time_column text DEFAULT 'ts',
        type_column text DEFAULT 'event_type', session_column text DEFAULT 'session_id',
        category_column text DEFAULT 'category', price_column text DEFAULT 'price',
        quantity_column text DEFAULT 'quantity')
RETURNS TABLE (user_id bigint,
               days_since_last_visit float8, days_since_last_purchase float8, tenure_days float8,
               frequency bigint, monetary float8, avg_order_value float8,
               sessions bigint, sessions_7d bigint, sessions_30d bigint, sessions_90d bigint,
               mean_session_minutes float8, cart_abandonment_rate float8,
               favourite_category text, category_entropy float8, categories bigint,
               ad_impressions bigint, ad_ctr float8, avg_viewed_price float8,
               activity_trend float8,
               view_7d bigint,
               add_to_cart_7d bigint,
               remove_from_cart_7d bigint,
               purchase_7d bigint,
               ad_impression_7d bigint,
               ad_click_7d bigint,
               review_7d bigint,
               view_30d bigint,
               add_to_cart_30d bigint,
               remove_from_cart_30d bigint,
               purchase_30d bigint,
               ad_impression_30d bigint,
               ad_click_30d bigint,
               review_30d bigint,
               view_90d bigint,
               add_to_cart_90d bigint,
               remove_from_cart_90d bigint,
               purchase_90d bigint,
               ad_impression_90d bigint,
               ad_click_90d bigint,
               review_90d bigint,
               cart_rate_7d float8,
               purchase_rate_7d float8,
               ctr_7d float8,
               cart_rate_30d float8,
               purchase_rate_30d float8,
               ctr_30d float8,
               cart_rate_90d float8,
               purchase_rate_90d float8,
               ctr_90d float8)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH e AS MATERIALIZED (
        SELECT (%2$I)::bigint AS u, (%3$I)::timestamptz AS ts, (%4$I)::text AS et, (%5$I)::bigint AS sid,
               (%6$I)::text AS cat, (%7$I)::float8 AS price, coalesce((%8$I)::float8, 1) AS qty
        FROM %1$s
        WHERE %3$I < $1 AND %2$I IS NOT NULL
    ), a AS (
        SELECT u,
               extract(epoch FROM $1 - max(ts))::float8 / 86400 AS days_since_last_visit,
               extract(epoch FROM $1 - max(ts) FILTER (WHERE et = 'purchase'))::float8 / 86400 AS days_since_last_purchase,
               extract(epoch FROM $1 - min(ts))::float8 / 86400 AS tenure_days,
               count(DISTINCT sid) FILTER (WHERE et = 'purchase') AS frequency,
               coalesce(sum(price * qty) FILTER (WHERE et = 'purchase'), 0) AS monetary,
               count(DISTINCT sid) AS sessions,
               count(*) FILTER (WHERE et = 'ad_impression') AS ad_impressions,
               count(*) FILTER (WHERE et = 'ad_click') AS ad_clicks,
               avg(price) FILTER (WHERE et = 'view') AS avg_viewed_price,
               count(*) FILTER (WHERE ts >= $1 - interval '30 days') AS events_30d,
               count(*) FILTER (WHERE ts >= $1 - interval '90 days') AS events_90d,
               count(DISTINCT sid) FILTER (WHERE ts >= $1 - interval '7 days') AS sessions_7d,
               count(DISTINCT sid) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '7 days') AS purchase_sessions_7d,
               count(DISTINCT sid) FILTER (WHERE ts >= $1 - interval '30 days') AS sessions_30d,
               count(DISTINCT sid) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '30 days') AS purchase_sessions_30d,
               count(DISTINCT sid) FILTER (WHERE ts >= $1 - interval '90 days') AS sessions_90d,
               count(DISTINCT sid) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '90 days') AS purchase_sessions_90d,
               count(*) FILTER (WHERE et = 'view' AND ts >= $1 - interval '7 days') AS view_7d,
               count(*) FILTER (WHERE et = 'add_to_cart' AND ts >= $1 - interval '7 days') AS add_to_cart_7d,
               count(*) FILTER (WHERE et = 'remove_from_cart' AND ts >= $1 - interval '7 days') AS remove_from_cart_7d,
               count(*) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '7 days') AS purchase_7d,
               count(*) FILTER (WHERE et = 'ad_impression' AND ts >= $1 - interval '7 days') AS ad_impression_7d,
               count(*) FILTER (WHERE et = 'ad_click' AND ts >= $1 - interval '7 days') AS ad_click_7d,
               count(*) FILTER (WHERE et = 'review' AND ts >= $1 - interval '7 days') AS review_7d,
               count(*) FILTER (WHERE et = 'view' AND ts >= $1 - interval '30 days') AS view_30d,
               count(*) FILTER (WHERE et = 'add_to_cart' AND ts >= $1 - interval '30 days') AS add_to_cart_30d,
               count(*) FILTER (WHERE et = 'remove_from_cart' AND ts >= $1 - interval '30 days') AS remove_from_cart_30d,
               count(*) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '30 days') AS purchase_30d,
               count(*) FILTER (WHERE et = 'ad_impression' AND ts >= $1 - interval '30 days') AS ad_impression_30d,
               count(*) FILTER (WHERE et = 'ad_click' AND ts >= $1 - interval '30 days') AS ad_click_30d,
               count(*) FILTER (WHERE et = 'review' AND ts >= $1 - interval '30 days') AS review_30d,
               count(*) FILTER (WHERE et = 'view' AND ts >= $1 - interval '90 days') AS view_90d,
               count(*) FILTER (WHERE et = 'add_to_cart' AND ts >= $1 - interval '90 days') AS add_to_cart_90d,
               count(*) FILTER (WHERE et = 'remove_from_cart' AND ts >= $1 - interval '90 days') AS remove_from_cart_90d,
               count(*) FILTER (WHERE et = 'purchase' AND ts >= $1 - interval '90 days') AS purchase_90d,
               count(*) FILTER (WHERE et = 'ad_impression' AND ts >= $1 - interval '90 days') AS ad_impression_90d,
               count(*) FILTER (WHERE et = 'ad_click' AND ts >= $1 - interval '90 days') AS ad_click_90d,
               count(*) FILTER (WHERE et = 'review' AND ts >= $1 - interval '90 days') AS review_90d
        FROM e GROUP BY u
    ), s AS (
        SELECT u, extract(epoch FROM max(ts) - min(ts))::float8 / 60 AS minutes,
               bool_or(et = 'add_to_cart') AS carted, bool_or(et = 'purchase') AS bought
        FROM e GROUP BY u, sid
    ), sa AS (
        SELECT u, avg(minutes) AS mean_session_minutes,
               (count(*) FILTER (WHERE carted AND NOT bought))::float8 / nullif(count(*) FILTER (WHERE carted), 0)
                   AS cart_abandonment_rate
        FROM s GROUP BY u
    ), c AS (
        SELECT u, cat, count(*)::float8 AS n, sum(count(*)) OVER (PARTITION BY u)::float8 AS total
        FROM e WHERE cat IS NOT NULL AND et IN ('view', 'add_to_cart', 'purchase')
        GROUP BY u, cat
    ), ca AS (
        SELECT u, (array_agg(cat ORDER BY n DESC, cat))[1] AS favourite_category,
               greatest(-sum(n / total * ln(n / total)) / ln(2.0), 0) AS category_entropy,
               count(*) AS categories
        FROM c GROUP BY u
    )
    SELECT a.u, a.days_since_last_visit, a.days_since_last_purchase, a.tenure_days,
           a.frequency, a.monetary, a.monetary / nullif(a.frequency, 0),
           a.sessions, a.sessions_7d, a.sessions_30d, a.sessions_90d,
           sa.mean_session_minutes, sa.cart_abandonment_rate,
           ca.favourite_category, coalesce(ca.category_entropy, 0), coalesce(ca.categories, 0),
           a.ad_impressions, a.ad_clicks::float8 / nullif(a.ad_impressions, 0), a.avg_viewed_price,
           a.events_30d::float8 / nullif(a.events_90d, 0),
           a.view_7d, a.add_to_cart_7d, a.remove_from_cart_7d, a.purchase_7d, a.ad_impression_7d, a.ad_click_7d, a.review_7d, a.view_30d, a.add_to_cart_30d, a.remove_from_cart_30d, a.purchase_30d, a.ad_impression_30d, a.ad_click_30d, a.review_30d, a.view_90d, a.add_to_cart_90d, a.remove_from_cart_90d, a.purchase_90d, a.ad_impression_90d, a.ad_click_90d, a.review_90d,
           a.add_to_cart_7d::float8 / nullif(a.view_7d, 0),
           a.purchase_sessions_7d::float8 / nullif(a.sessions_7d, 0),
           a.ad_click_7d::float8 / nullif(a.ad_impression_7d, 0),
           a.add_to_cart_30d::float8 / nullif(a.view_30d, 0),
           a.purchase_sessions_30d::float8 / nullif(a.sessions_30d, 0),
           a.ad_click_30d::float8 / nullif(a.ad_impression_30d, 0),
           a.add_to_cart_90d::float8 / nullif(a.view_90d, 0),
           a.purchase_sessions_90d::float8 / nullif(a.sessions_90d, 0),
           a.ad_click_90d::float8 / nullif(a.ad_impression_90d, 0)
    FROM a JOIN sa USING (u) LEFT JOIN ca USING (u)
    ORDER BY a.u
    $q$, events, user_column, time_column, type_column, session_column, category_column,
         price_column, quantity_column)
    USING cutoff;
END
$fn$;
COMMENT ON FUNCTION ubehav_behaviour_features(regclass, timestamptz, text, text, text, text, text, text, text) IS
'one row per user with events before cutoff: recency, frequency, monetary value, sessions, cart abandonment, favourite category and entropy, ad click-through, counts per event type and rates over 7/30/90 days; reads ONLY events strictly before cutoff (no leakage: labels from ubehav_behaviour_labels use only events at or after it)';

CREATE FUNCTION ubehav_behaviour_labels(events regclass, cutoff timestamptz,
        user_column text DEFAULT 'user_id', time_column text DEFAULT 'ts',
        type_column text DEFAULT 'event_type', category_column text DEFAULT 'category')
RETURNS TABLE (user_id bigint, purchase_next_7d boolean, churn_next_30d boolean,
               next_purchase_category text, purchases_next_7d bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH horizon AS (SELECT max(%3$I)::timestamptz AS last_ts FROM %1$s),
    before AS (SELECT DISTINCT (%2$I)::bigint AS u FROM %1$s WHERE %3$I < $1 AND %2$I IS NOT NULL),
    after AS (
        SELECT (%2$I)::bigint AS u,
               count(*) FILTER (WHERE %4$I = 'purchase' AND %3$I < $1 + interval '7 days') AS purchases_7d,
               count(*) FILTER (WHERE %3$I < $1 + interval '30 days') AS events_30d,
               (array_agg((%5$I)::text ORDER BY %3$I) FILTER (WHERE %4$I = 'purchase'))[1] AS next_category
        FROM %1$s
        WHERE %3$I >= $1 AND %2$I IS NOT NULL
        GROUP BY 1
    )
    SELECT b.u,
           CASE WHEN h.last_ts >= $1 + interval '7 days' THEN coalesce(a.purchases_7d, 0) > 0 END,
           CASE WHEN h.last_ts >= $1 + interval '30 days' THEN coalesce(a.events_30d, 0) = 0 END,
           a.next_category,
           CASE WHEN h.last_ts >= $1 + interval '7 days' THEN coalesce(a.purchases_7d, 0) END
    FROM before b CROSS JOIN horizon h LEFT JOIN after a USING (u)
    ORDER BY b.u
    $q$, events, user_column, time_column, type_column, category_column)
    USING cutoff;
END
$fn$;
COMMENT ON FUNCTION ubehav_behaviour_labels(regclass, timestamptz, text, text, text, text) IS
'labels of each user with events before cutoff, from events at or after cutoff ONLY: purchase in the next 7 days, churn (no event in the next 30 days), category of the next purchase; NULL where the events table does not reach far enough past cutoff';

CREATE FUNCTION ubehav_units_per_day(events regclass, from_day date, to_day date,
        product_column text DEFAULT 'product_id', time_column text DEFAULT 'ts',
        type_column text DEFAULT 'event_type', quantity_column text DEFAULT 'quantity',
        category_column text DEFAULT 'category')
RETURNS TABLE (product_id bigint, category text, day date, units bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH sold AS (
        SELECT (%2$I)::bigint AS p, (%3$I)::date AS d, sum(coalesce((%5$I)::bigint, 1))::bigint AS units
        FROM %1$s
        WHERE %4$I = 'purchase' AND %3$I >= $1 AND %3$I < $2 AND %2$I IS NOT NULL
        GROUP BY 1, 2
    ), products AS (
        SELECT (%2$I)::bigint AS p, min((%6$I)::text) AS category
        FROM %1$s WHERE %2$I IS NOT NULL GROUP BY 1
    )
    SELECT pr.p, pr.category, g.day::date, coalesce(s.units, 0)
    FROM products pr CROSS JOIN generate_series($1::timestamp, ($2 - 1)::timestamp, interval '1 day') g(day)
         LEFT JOIN sold s ON s.p = pr.p AND s.d = g.day::date
    ORDER BY 1, 3
    $q$, events, product_column, time_column, type_column, quantity_column, category_column)
    USING from_day, to_day;
END
$fn$;
COMMENT ON FUNCTION ubehav_units_per_day(regclass, date, date, text, text, text, text, text) IS
'units sold per product per day in [from_day, to_day), one row for every product seen in events and every day, 0 when none were sold (days in the session time zone): the target of demand forecasting';

-- ==== BI outputs: latest scores and an HTML report ====
CREATE TABLE ubehav_scores (
    model       text        NOT NULL,
    key         bigint      NOT NULL,
    version     integer     NOT NULL,
    score       float8      NOT NULL,
    scored_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, key)
);
COMMENT ON TABLE ubehav_scores IS 'the latest score of every key (user, session, product) per model, with the version that scored it: refreshed by ubehav_refresh_scores, read by BI tools';
SELECT pg_catalog.pg_extension_config_dump('ubehav_scores', '');
REVOKE ALL ON ubehav_scores FROM PUBLIC;

CREATE FUNCTION ubehav_refresh_scores(model text, query text) RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    task text;
    body text;
    probe refcursor;
    key_type text;
    null_column text;
    n bigint;
BEGIN
    SELECT m.task INTO task FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version', model USING ERRCODE = 'undefined_object';
    END IF;
    -- checked here so that a query with no rows fails too, as ubehav_predict would on the first row
    IF task = 'multiclass' THEN
        RAISE EXCEPTION 'ubehav_refresh_scores cannot score model "%", which is a multiclass model', model
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'ubehav_scores holds one score per key: score a multiclass model row by row with ubehav_predict_proba or ubehav_predict_class.';
    END IF;
    BEGIN
        -- parsed and planned, not run: a second statement is refused here; a single statement that
        -- is valid alone has balanced parentheses, so it cannot close the subquery it is spliced into
        OPEN probe FOR EXECUTE query;
        CLOSE probe;
        -- spliced as a subquery, where only a SELECT parses; the newline ends a trailing -- comment,
        -- and a trailing semicolon (which a subquery cannot have) is dropped
        body := regexp_replace(query, '[[:space:];]+$', '') || E'\n';
        -- the first column's type, planned but not run: LIMIT 0 reads no row, the outer join returns one
        EXECUTE format($q$SELECT pg_typeof(q.ubehav_key)::text
            FROM (SELECT 1) one LEFT JOIN (SELECT * FROM (%s) q0 LIMIT 0) AS q(ubehav_key) ON true$q$, body)
            INTO key_type;
    EXCEPTION WHEN syntax_error OR invalid_cursor_definition THEN
        -- a position in the message would point into the spliced text, so say what the query must be
        RAISE EXCEPTION 'the query must be one SELECT statement: %', SQLERRM USING ERRCODE = 'syntax_error',
            HINT = 'ubehav_refresh_scores reads the query as a subquery, so INSERT/UPDATE/DELETE ... RETURNING and several statements are not accepted.';
    END;
    IF key_type NOT IN ('smallint', 'integer', 'bigint') THEN
        RAISE EXCEPTION 'the first column of the query must be an integer key, not %', key_type
            USING ERRCODE = 'datatype_mismatch', HINT = 'Return a key first, for example SELECT user_id, * FROM users.';
    END IF;
    -- keys the query no longer returns are dropped, so the table is exactly the query's latest scores
    DELETE FROM @extschema@.ubehav_scores s WHERE s.model = ubehav_refresh_scores.model;
    BEGIN
        -- ubehav_predict gets the whole row with the query's column names (the key can be a feature
        -- too) and resolves the deployed version once; the version stored is read in the same
        -- statement, so from the same snapshot as the one that scored
        EXECUTE format($q$INSERT INTO @extschema@.ubehav_scores (model, key, version, score)
            SELECT $1, q.ubehav_key,
                   (SELECT m.version FROM @extschema@.ubehav_models m WHERE m.name = $1 AND m.deployed),
                   @extschema@.ubehav_predict($1, q.ubehav_row)
            FROM (SELECT q0 AS ubehav_row, q0.* FROM (%s) q0) AS q(ubehav_row, ubehav_key)$q$, body)
            USING model;
    EXCEPTION WHEN not_null_violation THEN
        -- one check per call instead of one per row: the NOT NULL constraint on key already looks
        GET STACKED DIAGNOSTICS null_column = COLUMN_NAME;
        IF null_column = 'key' THEN
            RAISE EXCEPTION 'the key (first column) of the query is NULL' USING ERRCODE = 'null_value_not_allowed',
                HINT = 'Score rows with a key, for example WHERE user_id IS NOT NULL.';
        END IF;
        RAISE;
    END;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION ubehav_refresh_scores(text, text) IS
'score every row of query with ubehav_predict(model, row) (the deployed version; the first column: an integer key, the others features by name) and replace the model''s rows of ubehav_scores; returns how many (NULL when an argument is NULL)';

CREATE FUNCTION ubehav_html_report(model text, query text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    m record;
    learning text;
    roc text;
    dist text;
    max_loss float8;
    epochs integer;
    bins float8[];
    peak float8;
BEGIN
    SELECT * INTO m FROM @extschema@.ubehav_models x WHERE x.name = model AND x.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version', model USING ERRCODE = 'undefined_object';
    END IF;
    IF m.task <> 'binary' THEN
        RAISE EXCEPTION 'ubehav_html_report draws binary models, but "%" is a % model', model, m.task
            USING ERRCODE = 'wrong_object_type';
    END IF;
    -- learning curve: training and validation loss per epoch, scaled into a 400 x 200 box
    SELECT max(greatest(coalesce(l.loss, 0), coalesce(l.val_loss, 0))), max(l.epoch) INTO max_loss, epochs
    FROM @extschema@.ubehav_training_log(model) l;
    SELECT '<polyline class="loss" fill="none" stroke="#1f77b4" stroke-width="2" points="' ||
           string_agg(format('%s,%s', round(40 + 360.0 * (l.epoch - 1) / greatest(epochs - 1, 1)),
                             round(210 - 190 * coalesce(l.loss, 0) / nullif(max_loss, 0))), ' ' ORDER BY l.epoch) ||
           '"/><polyline class="val_loss" fill="none" stroke="#ff7f0e" stroke-width="2" points="' ||
           string_agg(format('%s,%s', round(40 + 360.0 * (l.epoch - 1) / greatest(epochs - 1, 1)),
                             round(210 - 190 * coalesce(l.val_loss, 0) / nullif(max_loss, 0))), ' ' ORDER BY l.epoch) || '"/>'
    INTO learning FROM @extschema@.ubehav_training_log(model) l;
    -- ROC curve from the labelled rows of query
    SELECT '<polyline class="roc" fill="none" stroke="#2ca02c" stroke-width="2" points="' ||
           string_agg(format('%s,%s', round(40 + 360 * c.fpr), round(210 - 190 * c.tpr)), ' ' ORDER BY c.fpr, c.tpr) || '"/>'
    INTO roc FROM @extschema@.ubehav_roc_curve(model, query) c;
    -- score distribution by class: 10 bins per class
    EXECUTE format('SELECT array_agg(coalesce(h.n, 0)::float8 ORDER BY c.label, b.bin)
                    FROM (VALUES (false), (true)) c(label) CROSS JOIN generate_series(0, 9) b(bin)
                    LEFT JOIN (SELECT (%I)::text = %L AS label, least(floor(@extschema@.ubehav_predict(%L, q) * 10), 9)::int AS bin, count(*) AS n
                               FROM (%s) q WHERE %I IS NOT NULL GROUP BY 1, 2) h ON h.label = c.label AND h.bin = b.bin',
                   m.target, m.class_labels[2], model, query, m.target) INTO bins;
    peak := (SELECT max(x) FROM unnest(bins) x);
    SELECT string_agg(format('<rect class="%s" x="%s" y="%s" width="16" height="%s" fill="%s"/>',
                             CASE WHEN i <= 10 THEN 'negative' ELSE 'positive' END,
                             40 + 36 * ((i - 1) % 10) + CASE WHEN i <= 10 THEN 0 ELSE 17 END,
                             round(210 - 190 * bins[i] / nullif(peak, 0)), round(190 * bins[i] / nullif(peak, 0)),
                             CASE WHEN i <= 10 THEN '#7f7f7f' ELSE '#d62728' END), '' ORDER BY i)
    INTO dist FROM generate_series(1, 20) i;
    RETURN format($html$<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ubehav: %1$s version %2$s</title>
<style>body{font-family:sans-serif;margin:24px}svg{border:1px solid #ccc;margin:8px}figure{display:inline-block}</style></head>
<body><h1>Model %1$s, version %2$s</h1>
<p>%3$s rows, trained %4$s by %5$s. Validation AUC %6$s, F1 %7$s at threshold %8$s.</p>
<figure><figcaption>Learning curve: training loss (blue), validation loss (orange) per epoch</figcaption>
<svg id="learning" width="420" height="230" viewBox="0 0 420 230"><line x1="40" y1="210" x2="400" y2="210" stroke="#000"/><line x1="40" y1="20" x2="40" y2="210" stroke="#000"/>%9$s</svg></figure>
<figure><figcaption>ROC curve on the report's rows</figcaption>
<svg id="roc" width="420" height="230" viewBox="0 0 420 230"><line x1="40" y1="210" x2="400" y2="20" stroke="#ccc"/><line x1="40" y1="210" x2="400" y2="210" stroke="#000"/><line x1="40" y1="20" x2="40" y2="210" stroke="#000"/>%10$s</svg></figure>
<figure><figcaption>Scores by class: negative (grey), positive (red), in tenths</figcaption>
<svg id="scores" width="420" height="230" viewBox="0 0 420 230"><line x1="40" y1="210" x2="400" y2="210" stroke="#000"/>%11$s</svg></figure>
</body></html>$html$,
        replace(replace(model, '&', '&amp;'), '<', '&lt;'), m.version, m.rows_used, m.trained_at::date,
        replace(m.trained_by::text, '<', '&lt;'), round((m.metrics->>'auc')::numeric, 3),
        round((m.metrics->>'f1')::numeric, 3), round((m.metrics->>'threshold')::numeric, 3),
        coalesce(learning, ''), coalesce(roc, ''), coalesce(dist, ''));
END $$;
COMMENT ON FUNCTION ubehav_html_report(text, text) IS
'a self-contained HTML report (inline SVG, no scripts or fonts) of a binary model: learning curve, ROC curve and score distribution by class on the labelled rows of query';

-- ==== training as an aggregate, and model values ====
CREATE FUNCTION ubehav_fit_accum(internal, features float8[], label anyelement, options jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'ubehav_fit_accum' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION ubehav_fit_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'ubehav_fit_final' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE AGGREGATE ubehav_fit(features float8[], label anyelement, options jsonb) (
    SFUNC = ubehav_fit_accum, STYPE = internal, FINALFUNC = ubehav_fit_final, FINALFUNC_MODIFY = READ_WRITE
);
COMMENT ON AGGREGATE ubehav_fit(float8[], anyelement, jsonb) IS
'train a multilayer perceptron on the rows of each group (features, label; options as ubehav_train''s) and return it as a model value: the jsonb of ubehav_export, to score with ubehav_predict(value, features) or store with ubehav_import';

CREATE FUNCTION ubehav_predict(model jsonb, features float8[])
RETURNS float8 AS 'MODULE_PATHNAME', 'ubehav_predict_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict(jsonb, float8[]) IS
'score features with a model value (from ubehav_fit or ubehav_export): binary probability of the positive class, or the regression value';
CREATE FUNCTION ubehav_predict_proba(model jsonb, features float8[])
RETURNS float8[] AS 'MODULE_PATHNAME', 'ubehav_predict_proba_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_proba(jsonb, float8[]) IS
'class probabilities of features under a model value, in the order of its class labels';
CREATE FUNCTION ubehav_predict_class(model jsonb, features float8[])
RETURNS text AS 'MODULE_PATHNAME', 'ubehav_predict_class_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_class(jsonb, float8[]) IS
'the most likely class label of features under a model value';
