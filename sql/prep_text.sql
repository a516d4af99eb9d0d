-- Free text as features (issue 15 part 2): text_columns and tsvector columns, tokenised by
-- to_tsvector, words and word pairs hashed into sparse inputs whose vocabulary is stored with the
-- model and replayed at scoring.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE reviews AS
SELECT i,
       (ARRAY['coffee', 'tea', 'snack', 'cereal', 'sauce'])[1 + i % 5] || ' ' ||
       CASE WHEN great THEN (ARRAY['great taste', 'really delicious', 'love it', 'perfect for us', 'tasty and fresh'])[1 + (i * 3) % 5]
            ELSE (ARRAY['awful taste', 'stale and bland', 'not good', 'very disappointing', 'bad box'])[1 + (i * 3) % 5] END ||
       ' ' || (ARRAY['the price', 'a big bag', 'my kids', 'every morning', 'the box'])[1 + (i * 7) % 5] AS review,
       great <> (i % 10 = 3) AS great,
       i % 3 AS shelf
FROM (SELECT i, (i * 7) % 10 < 6 AS great FROM generate_series(1, 600) i) g;
UPDATE reviews SET review = NULL WHERE i % 50 = 0;
SELECT review, great FROM reviews ORDER BY i LIMIT 3;

-- declared text column: one feature, as many sparse inputs as text_slots, and it learns
SELECT s->'features' AS features, s->'inputs' AS inputs, (s->'metrics'->>'auc')::float8 > 0.85 AS learned
FROM (SELECT ubehav_train('rv', 'SELECT review, great FROM reviews WHERE i <= 500', 'great',
                          '{"text_columns": ["review"], "text_slots": 512, "hidden": [16], "seed": 1, "epochs": 30}') AS s) t;
SELECT (ubehav_evaluate('rv', 'SELECT review, great FROM reviews WHERE i > 500')->>'auc')::float8 > 0.85 AS generalises;
-- the stored preprocessing carries the vocabulary: config, slots, and terms with fingerprints and IDF
SELECT c->>'kind' AS kind, c->>'text_config' AS config, (c->>'slots')::int AS slots, (c->>'ngrams')::int AS ngrams,
       jsonb_array_length(c->'terms') BETWEEN 20 AND 384 AS vocabulary,
       jsonb_array_length(c->'terms') = jsonb_array_length(c->'idf') AS idf_per_term,
       c->'terms' @> '["great", "not good"]' AS words_and_pairs,
       c->'terms' @> '["not", "the"]' AS stop_words_kept
FROM ubehav_models m, jsonb_array_elements(m.preprocessing->'columns') c WHERE m.name = 'rv';
-- the stored options name the text column
SELECT options->'text_columns' AS text_columns, options->>'text_config' AS config FROM ubehav_models WHERE name = 'rv';

-- replay at scoring: the scores of this backend, then of a new backend that reads the stored model
CREATE TABLE scores_before AS SELECT i, ubehav_predict('rv', r) AS p FROM reviews r;
\c
SET client_min_messages = warning;
SELECT count(*) AS rows, count(*) FILTER (WHERE a.p = b.p) AS identical_after_reconnect
FROM scores_before a JOIN (SELECT i, ubehav_predict('rv', r) AS p FROM reviews r) b USING (i);
-- ubehav_evaluate and ubehav_predict agree on the same rows
SELECT abs((ubehav_evaluate('rv', 'SELECT review, great FROM reviews')->>'log_loss')::float8 -
           (SELECT avg(CASE WHEN great THEN -ln(p) ELSE -ln(1 - p) END) FROM scores_before JOIN reviews USING (i))) < 1e-6
       AS evaluate_matches_predict;

-- words unseen at training change nothing; word order matters through the pairs
SELECT ubehav_predict('rv', t) FROM (SELECT 'coffee great taste the price'::text AS review) t
EXCEPT
SELECT ubehav_predict('rv', t) FROM (SELECT 'coffee great taste the price zyxwvut qqqq'::text AS review) t;
SELECT (SELECT ubehav_predict('rv', t) FROM (SELECT 'not good'::text AS review) t) <
       (SELECT ubehav_predict('rv', t) FROM (SELECT 'good not'::text AS review) t) AS pairs_count;
-- positive words score higher than negative ones
SELECT (SELECT ubehav_predict('rv', t) FROM (SELECT 'really delicious, love it'::text AS review) t) >
       (SELECT ubehav_predict('rv', t) FROM (SELECT 'stale and bland, very disappointing'::text AS review) t) AS sentiment;

-- NULL, empty and word-less text all mean "no text": the same finite score
SELECT count(DISTINCT p) AS distinct_scores, bool_and(p > 0 AND p < 1) AS finite
FROM (SELECT ubehav_predict('rv', t) AS p
      FROM (VALUES (NULL::text), (''), ('   '), ('!!! ... ???'), ('zyxwvut')) t(review)) q;

-- a huge document (1 MB): scored in bounded time, its pairs capped; past tsvector's limits a clear error
SELECT length(review) AS bytes, ubehav_predict('rv', t) BETWEEN 0 AND 1 AS scored
FROM (SELECT repeat('great taste the price ', 48000)::text AS review) t;
SELECT length(review) AS bytes, ubehav_predict('rv', t) BETWEEN 0 AND 1 AS scored
FROM (SELECT string_agg(md5(g::text), ' ') AS review FROM generate_series(1, 25000) g) t;
SELECT ubehav_predict('rv', t) FROM (SELECT string_agg(md5(g::text) || g, ' ') AS review FROM generate_series(1, 60000) g) t;
-- the same in training: a clear error, no model stored
SELECT ubehav_train('rv_huge', 'SELECT string_agg(md5(g::text) || g, '' '') AS review, true AS great FROM generate_series(1, 60000) g
                                UNION ALL SELECT ''short'', false', 'great', '{"text_columns": ["review"]}');
SELECT count(*) AS huge_models FROM ubehav_models WHERE name = 'rv_huge';

-- a tsvector column is text without being declared, and scores from a tsvector or from text
SELECT s->'inputs' AS inputs, (s->'metrics'->>'auc')::float8 > 0.85 AS learned
FROM (SELECT ubehav_train('rv_tsv', 'SELECT to_tsvector(''simple'', coalesce(review, '''')) AS doc, shelf, great FROM reviews WHERE i <= 500',
                          'great', '{"text_slots": 256, "hidden": [16], "seed": 1, "epochs": 30}') AS s) t;
SELECT c->>'name' AS name, c->>'kind' AS kind, c->>'tsvector' AS from_tsvector
FROM ubehav_models m, jsonb_array_elements(m.preprocessing->'columns') c WHERE m.name = 'rv_tsv';
SELECT count(*) FILTER (WHERE abs(a - b) < 1e-6) AS same_from_text_and_tsvector, count(*) AS rows
FROM (SELECT ubehav_predict('rv_tsv', t1) AS a, ubehav_predict('rv_tsv', t2) AS b
      FROM (SELECT i, to_tsvector('simple', coalesce(review, '')) AS doc, shelf FROM reviews) t1
      JOIN (SELECT i, coalesce(review, '') AS doc, shelf FROM reviews) t2 USING (i)) q;

-- explanations: the text column is one feature, and its top words are named
SELECT jsonb_object_keys(e->'contributions') AS features, e->'words'->'review'->0->>'word' AS top_word,
       (e->'words'->'review'->0->>'contribution')::float8 > 0 AS top_word_raises,
       abs((e->'contributions'->>'review')::float8 - ((e->>'score')::float8 - (e->>'baseline_score')::float8))
           <= (e->>'approximation_error')::float8 + 1e-9 AS sums_up
FROM (SELECT ubehav_explain('rv', t) AS e FROM (SELECT 'coffee love it every morning'::text AS review) t) q;
SELECT w->>'word' AS most_negative_word
FROM (SELECT ubehav_explain('rv', t) AS e FROM (SELECT 'tea awful taste the box'::text AS review) t) q,
     jsonb_array_elements(e->'words'->'review') w
ORDER BY (w->>'contribution')::float8 LIMIT 1;
SELECT feature, importance > 0.1 AS matters FROM ubehav_feature_importance('rv', 'SELECT review, great FROM reviews', 2, 1);

-- export and import keep the vocabulary: the imported model scores alike
SELECT ubehav_import('rv_copy', ubehav_export('rv')) AS imported_version;
SELECT count(*) FILTER (WHERE abs(ubehav_predict('rv', r) - ubehav_predict('rv_copy', r)) < 1e-6) AS same_scores
FROM reviews r;

-- a text column and other columns, ensembles, and a retrain keep working
SELECT (ubehav_train('rv_mixed', 'SELECT review, shelf, great FROM reviews', 'great',
                     '{"text_columns": ["review"], "text_slots": 512, "ensemble": 2, "seed": 2, "epochs": 10}')->'metrics'->>'auc')::float8 > 0.8 AS mixed;
SELECT ubehav_predict('rv_mixed', r) BETWEEN 0 AND 1 AS scored FROM reviews r WHERE i = 7;
-- scoring needs a row: an array of numbers cannot carry text
SELECT ubehav_predict('rv_mixed', ARRAY[1.0]);

-- declaration errors
SELECT ubehav_train('bad', 'SELECT review, shelf, great FROM reviews', 'great', '{"text_columns": ["shelf"]}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": ["body"]}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": "review"}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": ["review"], "text_config": "no_such_config"}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": ["review"], "pca": 4}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": ["review"], "dp_epsilon": 4}');
SELECT ubehav_train('bad', 'SELECT review, great FROM reviews', 'great', '{"text_columns": ["review"], "text_slots": 8}');
SELECT ubehav_train('bad', 'SELECT great, to_tsvector(review) AS doc FROM reviews', 'doc');
-- a text column not declared stays categorical, as before
SELECT (ubehav_train('rv_plain', 'SELECT review, great FROM reviews', 'great', '{"epochs": 2, "seed": 1}')->>'inputs')::int AS one_hot_inputs;
SELECT c->>'kind' AS kind, c ? 'text_config' AS has_text_keys, m.options ? 'text_config' AS options_have_text
FROM ubehav_models m, jsonb_array_elements(m.preprocessing->'columns') c WHERE m.name = 'rv_plain';

-- a text model's defaults (prep_text_defaults.c): no hidden layer, 10% of the rows held out, and
-- the stored options show them; given "hidden", "dropout", "ensemble" or "validation_split" win
SELECT s->'training_rows' AS training_rows, s->'validation_rows' AS validation_rows, s->'parameters' AS parameters,
       s->'metrics' ? 'ensemble' AS packed
FROM (SELECT ubehav_train('rv_defaults', 'SELECT review, great FROM reviews WHERE i <= 500', 'great',
                          '{"text_columns": ["review"], "text_slots": 512, "seed": 1, "epochs": 3}') AS s) t;
SELECT name, options->'hidden' AS hidden, options->'validation_split' AS validation_split, options->'dropout' AS dropout
FROM ubehav_models WHERE name IN ('rv_defaults', 'rv_plain') ORDER BY name;
SELECT (ubehav_evaluate('rv_defaults', 'SELECT review, great FROM reviews WHERE i > 500')->>'auc')::float8 > 0.85 AS linear_learns;
-- a retrain reads the stored options, so it repeats the defaults the first training resolved
SELECT s->'validation_rows' AS validation_rows, s->'parameters' AS parameters
FROM (SELECT ubehav_retrain('rv_defaults') AS s) t;
SELECT version, options->'hidden' AS hidden, options->'validation_split' AS validation_split
FROM ubehav_models WHERE name = 'rv_defaults' ORDER BY version;
-- a tsvector column needs no declaration, and gets the same defaults
SELECT s->'validation_rows' AS validation_rows, s->'parameters' AS parameters
FROM (SELECT ubehav_train('rv_tsv_defaults', 'SELECT to_tsvector(''simple'', coalesce(review, '''')) AS doc, great FROM reviews WHERE i <= 500',
                          'great', '{"text_slots": 512, "seed": 1, "epochs": 2}') AS s) t;
-- each option given keeps the network it describes
CREATE FUNCTION trained_with(given jsonb, OUT validation_rows int, OUT hidden jsonb, OUT validation_split jsonb) LANGUAGE plpgsql AS $$
BEGIN
    validation_rows := ubehav_train('rv_given', 'SELECT review, great FROM reviews WHERE i <= 500', 'great',
                                    '{"text_columns": ["review"], "text_slots": 512, "seed": 1, "epochs": 1}'::jsonb || given)->'validation_rows';
    SELECT m.options->'hidden', m.options->'validation_split' INTO hidden, validation_split
    FROM ubehav_models m WHERE m.name = 'rv_given' ORDER BY m.version DESC LIMIT 1;
END $$;
SELECT o AS given, (trained_with(o::jsonb)).*
FROM unnest(ARRAY['{"hidden": [8]}', '{"dropout": 0.1}', '{"ensemble": 2}', '{"validation_split": 0.3}', '{"hidden": [8], "validation_split": 0.2}']) o;
-- with group_by, every group's network and the version's options have the text defaults
SELECT ubehav_train('rv_groups', 'SELECT review, shelf, great FROM reviews', 'great',
                    '{"text_columns": ["review"], "text_slots": 512, "group_by": "shelf", "seed": 1, "epochs": 2}')->'groups' AS groups;
SELECT options->'hidden' AS hidden, options->'validation_split' AS validation_split FROM ubehav_models WHERE name = 'rv_groups';
SELECT group_value, metrics->'evaluated_rows' AS validation_rows FROM ubehav_model_groups WHERE name = 'rv_groups' ORDER BY group_value;
