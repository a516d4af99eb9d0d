-- Text and boolean columns, NULL features, NULL targets and unseen categories.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(14);

SELECT setseed(0.55);
CREATE TEMP TABLE visits AS
SELECT i,
       CASE WHEN i % 17 = 0 THEN NULL ELSE random() * 100 END AS minutes,          -- NULLs in a number
       CASE WHEN i % 13 = 0 THEN NULL
            ELSE (ARRAY['mobile', 'desktop', 'tablet'])[1 + floor(random() * 3)::int] END AS device,  -- text
       CASE WHEN i % 11 = 0 THEN NULL ELSE random() < 0.4 END AS returning_visitor,  -- boolean
       random() AS u
FROM generate_series(1, 3000) i;
ALTER TABLE visits ADD COLUMN converted boolean;
UPDATE visits SET converted =
    CASE WHEN i % 20 = 0 THEN NULL                                     -- 150 NULL targets
         ELSE coalesce(minutes > 60 AND device = 'desktop', false)   -- NULL features never make a NULL label
              OR coalesce(returning_visitor AND minutes > 30, false)
              OR u > 0.95 END;

CREATE TEMP TABLE summary AS
SELECT ubehav_train('conv', 'SELECT minutes, device, returning_visitor, converted FROM visits',
                    'converted', '{"seed": 9, "epochs": 10, "hidden": [32]}') AS s;

SELECT ok((SELECT s ?& ARRAY['model', 'version', 'task', 'rows_used', 'rows_skipped',
                             'features', 'metrics', 'training_ms'] FROM summary),
          'the summary has model, version, task, rows_used, rows_skipped, features, metrics, training_ms');
SELECT is((SELECT jsonb_typeof(s->'metrics') FROM summary), 'object', 'metrics is a JSON object');
SELECT is((SELECT (s->>'rows_skipped')::bigint FROM summary), 150::bigint,
          'the 150 rows with a NULL target are skipped and counted');
SELECT is((SELECT (s->>'rows_used')::bigint FROM summary), 2850::bigint,
          'the 2850 other rows, NULL features included, are used');
SELECT is((SELECT (s->>'features')::int FROM summary), 3, 'three feature columns');
SELECT is((SELECT rows_skipped FROM ubehav_models WHERE name = 'conv' AND deployed), 150::bigint,
          'the catalog records rows_skipped');
SELECT is((SELECT array_length(feature_types, 1) FROM ubehav_models WHERE name = 'conv' AND deployed), 3,
          'the catalog records one type per feature');
SELECT cmp_ok((SELECT (s->'metrics'->>'auc')::float8 FROM summary), '>=', 0.8::float8,
              'text and boolean columns carry signal (validation AUC >= 0.8)');

-- Scoring rows the model never saw: NULLs everywhere, unseen categories.
CREATE TEMP TABLE to_score (minutes float8, device text, returning_visitor boolean, note text);
INSERT INTO to_score VALUES
    (NULL, NULL, NULL, 'all NULL'),
    (90, 'smart-tv', true, 'unseen category'),
    (NULL, 'watch', NULL, 'unseen category and NULLs'),
    (10, 'mobile', false, 'ordinary row'),
    (1e6, 'desktop', true, 'extreme value');

SELECT is((SELECT count(*) FROM to_score t
           WHERE ubehav_predict('conv', t) BETWEEN 0 AND 1),   -- NaN and infinities fail BETWEEN
          5::bigint, 'NULL features, unseen categories and extreme values score to finite values in [0,1]');
SELECT is((SELECT ubehav_predict('conv', t) FROM to_score t WHERE note = 'unseen category and NULLs')
           IS NOT NULL, true, 'a row of NULL features is scored, not skipped');
SELECT cmp_ok((SELECT avg(ubehav_predict('conv', v)) FROM visits v WHERE converted),
              '>', (SELECT avg(ubehav_predict('conv', v)) FROM visits v WHERE NOT converted),
              'converted visits score higher on average');
SELECT is((SELECT count(*) FROM visits v WHERE NOT (ubehav_predict('conv', v) BETWEEN 0 AND 1)),
          0::bigint, 'every training row, NULL target included, is scored in [0,1]');

-- A missing feature column is an error; extra columns are ignored.
SELECT throws_like($$SELECT ubehav_predict('conv', t) FROM (SELECT 1.0::float8 AS minutes, 'mobile'::text AS device) t$$,
                   '%returning_visitor%', 'a row without a feature column is an error that names it');
SELECT lives_ok($$SELECT ubehav_predict('conv', t) FROM (SELECT 1 AS extra, 5.0::float8 AS minutes, 'mobile'::text AS device,
                                                          true AS returning_visitor, NULL::boolean AS converted) t$$,
                'extra columns, the target among them, are ignored');

SELECT * FROM finish();
ROLLBACK;
