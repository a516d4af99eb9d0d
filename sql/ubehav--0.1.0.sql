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

CREATE FUNCTION ubehav_train(model text, query text, target text, options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_train(text, text, text, jsonb) IS
'train a multilayer perceptron on the rows of query to predict target; stores and deploys a new version of model and returns a summary';

CREATE FUNCTION ubehav_predict(model text, features float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_predict_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict(text, float8[]) IS
'score raw feature values in training column order: probability of the positive class (binary) or predicted value (regression)';

CREATE FUNCTION ubehav_predict(model text, "row" record)
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_predict_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict(text, record) IS
'score a row, taking features by column name and applying the stored preprocessing: probability of the positive class (binary) or predicted value (regression)';

CREATE FUNCTION ubehav_predict_proba(model text, features float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ubehav_predict_proba_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_proba(text, float8[]) IS
'class probabilities of raw feature values, in the order of the model''s class labels';

CREATE FUNCTION ubehav_predict_proba(model text, "row" record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'ubehav_predict_proba_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_proba(text, record) IS
'class probabilities of a row, in the order of the model''s class labels';

CREATE FUNCTION ubehav_predict_class(model text, features float8[])
RETURNS text
AS 'MODULE_PATHNAME', 'ubehav_predict_class_array'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_class(text, float8[]) IS
'most likely class label of raw feature values';

CREATE FUNCTION ubehav_predict_class(model text, "row" record)
RETURNS text
AS 'MODULE_PATHNAME', 'ubehav_predict_class_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_predict_class(text, record) IS
'most likely class label of a row';

CREATE FUNCTION ubehav_evaluate(model text, query text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_evaluate'
LANGUAGE C VOLATILE PARALLEL UNSAFE STRICT;
COMMENT ON FUNCTION ubehav_evaluate(text, text) IS
'metrics of the deployed version of model on the labelled rows of query (the query must return the target column)';

-- ==== batch scoring ====
CREATE FUNCTION ubehav_score(model text, query text)
RETURNS TABLE (id bigint, score float8)
AS 'MODULE_PATHNAME', 'ubehav_score'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE ROWS 1000;
COMMENT ON FUNCTION ubehav_score(text, text) IS
'score every row of query in blocks (faster than ubehav_predict per row on whole tables); the first column of query is an integer key returned as id, the others are features by name';
