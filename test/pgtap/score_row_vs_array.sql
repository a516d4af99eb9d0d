-- A row and the array of its raw values in training column order get the same score.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(4);

SELECT setseed(0.33);
CREATE TEMP TABLE num_data AS
SELECT (random() * 10)::int AS visits,            -- integer
       round((random() * 50)::numeric, 2) AS spend,  -- numeric
       random()::real AS ratio,                      -- real
       (random() * 1000)::bigint AS seconds,         -- bigint
       (random() * 3)::smallint AS level,            -- smallint
       random() AS y_noise
FROM generate_series(1, 1500);
ALTER TABLE num_data ADD COLUMN label boolean;
UPDATE num_data SET label = (visits * ratio > 3 OR spend > 40 OR y_noise > 0.9);

SELECT lives_ok($$SELECT ubehav_train('rowarr', 'SELECT visits, spend, ratio, seconds, level, label FROM num_data',
                                      'label', '{"seed": 3, "epochs": 5, "hidden": [16]}')$$,
                'train on integer, numeric, real, bigint and smallint columns');
SELECT is((SELECT feature_names FROM ubehav_models WHERE name = 'rowarr' AND deployed),
          ARRAY['visits', 'spend', 'ratio', 'seconds', 'level'],
          'feature order is the column order of the training query');
SELECT is((SELECT count(*) FROM num_data t
           WHERE abs(ubehav_predict('rowarr', t)
                     - ubehav_predict('rowarr', ARRAY[t.visits, t.spend, t.ratio, t.seconds, t.level]::float8[]))
                 > 1e-12),
          0::bigint, 'row input and array input give the same score on all 1500 rows');
SELECT cmp_ok((SELECT count(DISTINCT ubehav_predict('rowarr', t)) FROM num_data t), '>', 100::bigint,
              'the scores are not a constant');

SELECT * FROM finish();
ROLLBACK;
