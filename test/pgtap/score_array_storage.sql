-- ubehav_predict reads a features array however it is stored: inline with a 1-byte header (a
-- table column), with a 4-byte header (a literal), expanded (a PL/pgSQL variable) or toasted;
-- each gives the same score or the same error.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(5);

SELECT setseed(0.16);
CREATE TEMP TABLE arr_data AS
SELECT i AS id, ARRAY[random(), random(), random()] AS f FROM generate_series(1, 400) i;
ALTER TABLE arr_data ADD COLUMN y boolean;
UPDATE arr_data SET y = f[1] + f[2] * f[3] > 0.7;

SELECT lives_ok($$SELECT ubehav_train('arrstore', 'SELECT f, y FROM arr_data', 'y',
                                      '{"seed": 5, "epochs": 3, "hidden": [8]}')$$,
                'train on an array column');

-- the literal and the column value of one row
SELECT is(ubehav_predict('arrstore', ARRAY[0.25, 0.5, 0.75]::float8[]),
          (SELECT ubehav_predict('arrstore', f) FROM (VALUES (ARRAY[0.25, 0.5, 0.75]::float8[])) v(f)),
          'a literal array and a column value score alike');

CREATE FUNCTION pg_temp.score_expanded(model text, f float8[]) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    a float8[] := f;
BEGIN
    a[1] := f[1];   -- an element assignment makes the variable an expanded array
    RETURN ubehav_predict(model, a);
END $$;
SELECT is((SELECT count(*) FROM arr_data WHERE pg_temp.score_expanded('arrstore', f) <> ubehav_predict('arrstore', f)),
          0::bigint, 'an expanded array (PL/pgSQL variable) scores as the stored one on all 400 rows');

CREATE TEMP TABLE long_arr AS SELECT array_agg(g::float8) AS f FROM generate_series(1, 5000) g;
SELECT throws_ok($$SELECT ubehav_predict('arrstore', f) FROM long_arr$$, '2202E',
                 'model "arrstore" expects 3 features, but the array has 5000',
                 'a toasted array is read, and its length is checked');
SELECT throws_ok($$SELECT pg_temp.score_expanded('arrstore', f) FROM long_arr$$, '2202E',
                 'model "arrstore" expects 3 features, but the array has 5000',
                 'an expanded long array too');

SELECT * FROM finish();
ROLLBACK;
