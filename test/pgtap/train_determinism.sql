-- Same seed, same data -> the same model, bit for bit in its predictions;
-- another seed -> other weights.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(5);

SELECT setseed(0.22);
CREATE TEMP TABLE det_data AS
SELECT x1, x2, x3, (x1 + x2 * x2 - x3 + 0.3 * (random() - 0.5) > 0.3) AS label
FROM (SELECT random() AS x1, random() * 2 - 1 AS x2, random() AS x3
      FROM generate_series(1, 2000)) g;

SELECT lives_ok($$SELECT ubehav_train('det_a', 'SELECT x1, x2, x3, label FROM det_data', 'label',
                                      '{"seed": 7, "epochs": 5, "hidden": [32, 16]}')$$,
                'train det_a with seed 7');
SELECT lives_ok($$SELECT ubehav_train('det_b', 'SELECT x1, x2, x3, label FROM det_data', 'label',
                                      '{"seed": 7, "epochs": 5, "hidden": [32, 16]}')$$,
                'train det_b with seed 7');
SELECT lives_ok($$SELECT ubehav_train('det_c', 'SELECT x1, x2, x3, label FROM det_data', 'label',
                                      '{"seed": 8, "epochs": 5, "hidden": [32, 16]}')$$,
                'train det_c with seed 8');

SELECT is((SELECT count(*) FROM det_data d
           WHERE ubehav_predict('det_a', d) IS DISTINCT FROM ubehav_predict('det_b', d)),
          0::bigint, 'same seed: every one of the 2000 predictions is identical');
SELECT isnt((SELECT weights FROM ubehav_models WHERE name = 'det_a' AND deployed),
            (SELECT weights FROM ubehav_models WHERE name = 'det_c' AND deployed),
            'different seed: different weights');

SELECT * FROM finish();
ROLLBACK;
