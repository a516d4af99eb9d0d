-- Numeric transforms (issue 14): what training learned, computed again in SQL from the training
-- rows, and scoring that replays exactly that transform (row, array and a linear model's output).
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
CREATE TABLE tf AS
SELECT i,
       floor(exp(i % 97 / 12.0))::float8 AS skewed,          -- non-negative, heavy right tail
       ((i * 37) % 101 - 30)::float8 AS shifted,              -- negative and positive, not skewed
       (i % 4)::float8 AS code,                                -- four whole values
       (i % 97 / 12.0 + (i * 37) % 101 / 50.0 + (i % 4) / 4.0)::float8 AS y
FROM generate_series(1, 400) i;

CREATE FUNCTION tf_col(m text, name text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT c FROM ubehav_models, jsonb_array_elements(preprocessing->'columns') c
   WHERE ubehav_models.name = m AND deployed AND c->>'name' = tf_col.name $$;
-- a linear regression (no hidden layer) on one column: its score is w * e + b in the target's units
CREATE FUNCTION linear_score(m text, e float8) RETURNS float8 LANGUAGE sql AS
$$ SELECT ((x->'network'->'layers'->0->'W'->0->>0)::float8 * e + (x->'network'->'layers'->0->'b'->>0)::float8)
          * (x->'preprocessing'->>'target_std')::float8 + (x->'preprocessing'->>'target_mean')::float8
   FROM ubehav_export(m) x $$;
CREATE FUNCTION smooth_clip(e float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT e / sqrt(1 + e * e / 9) $$;
CREATE FUNCTION yeo_johnson(v float8, lambda float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v >= 0 THEN CASE WHEN abs(lambda) < 1e-12 THEN ln(1 + v) ELSE (power(v + 1, lambda) - 1) / lambda END
               ELSE CASE WHEN abs(lambda - 2) < 1e-12 THEN -ln(1 - v) ELSE -(power(1 - v, 2 - lambda) - 1) / (2 - lambda) END END $$;
CREATE FUNCTION train1(m text, c text, scaling text) RETURNS boolean LANGUAGE sql AS
$$ SELECT ubehav_train(m, format('SELECT %I, y FROM tf', c), 'y',
                       jsonb_build_object('scaling', scaling, 'hidden', '[]'::jsonb, 'epochs', 2,
                                          'validation_split', 0, 'integer_categories', 0)) IS NOT NULL $$;

-- robust_clip: centre the median, scale by the interquartile range, then e / sqrt(1 + (e/3)^2)
SELECT train1('rc', 'shifted', 'robust_clip') AS trained;
SELECT tf_col('rc', 'shifted')->'transform' AS transform,
       (tf_col('rc', 'shifted')->'center'->>0)::float8 = percentile_cont(0.5) WITHIN GROUP (ORDER BY shifted) AS center_is_median,
       abs(1 / (tf_col('rc', 'shifted')->'scale'->>0)::float8
           - (percentile_cont(0.75) WITHIN GROUP (ORDER BY shifted) - percentile_cont(0.25) WITHIN GROUP (ORDER BY shifted))) < 1e-9
           AS scale_is_iqr
FROM tf;
SELECT max(abs(ubehav_predict('rc', t) - linear_score('rc', smooth_clip((shifted - c) * s)))) < 1e-4 AS row_replays,
       bool_and(ubehav_predict('rc', t) = ubehav_predict('rc', ARRAY[shifted])) AS array_equals_row,
       -- far outside the training range the clipped input stays below 3
       abs(ubehav_predict('rc', ARRAY[1e30]) - linear_score('rc', 3)) < 1e-3 AS extreme_bounded
FROM tf t, LATERAL (SELECT (tf_col('rc', 'shifted')->'center'->>0)::float8 c, (tf_col('rc', 'shifted')->'scale'->>0)::float8 s) p;

-- auto: a skewed non-negative column is taken as ln(1 + x) first (flags 1 + 4); the other is not (4)
SELECT train1('au', 'skewed', 'auto') AS trained, train1('au_shifted', 'shifted', 'auto') AS trained_shifted;
SELECT tf_col('au', 'skewed')->'transform' AS skewed_transform, tf_col('au_shifted', 'shifted')->'transform' AS shifted_transform;
SELECT abs((tf_col('au', 'skewed')->'center'->>0)::float8 - percentile_cont(0.5) WITHIN GROUP (ORDER BY ln(1 + skewed))) < 1e-6
           AS center_is_median_of_log1p,
       abs(1 / (tf_col('au', 'skewed')->'scale'->>0)::float8
           - (percentile_cont(0.75) WITHIN GROUP (ORDER BY ln(1 + skewed)) - percentile_cont(0.25) WITHIN GROUP (ORDER BY ln(1 + skewed)))) < 1e-6
           AS scale_is_iqr_of_log1p
FROM tf;
SELECT max(abs(ubehav_predict('au', t) - linear_score('au', smooth_clip((ln(1 + skewed) - c) * s)))) < 1e-4 AS row_replays,
       bool_and(ubehav_predict('au', t) = ubehav_predict('au', ARRAY[skewed])) AS array_equals_row,
       -- a negative value at scoring takes -ln(1 - x), so it stays finite
       ubehav_predict('au', ARRAY[-5]) IS NOT NULL AS negative_scores
FROM tf t, LATERAL (SELECT (tf_col('au', 'skewed')->'center'->>0)::float8 c, (tf_col('au', 'skewed')->'scale'->>0)::float8 s) p;

-- yeo_johnson: lambda maximises the Gaussian log-likelihood (checked against lambda +- 0.01), then
-- the mean and population deviation of the transformed values
SELECT train1('yj', 'skewed', 'yeo_johnson') AS trained;
CREATE FUNCTION yj_loglik(lambda float8) RETURNS float8 LANGUAGE sql AS
$$ SELECT -count(*) / 2.0 * ln(var_pop(yeo_johnson(skewed, lambda))) + (lambda - 1) * sum(sign(skewed) * ln(1 + abs(skewed))) FROM tf $$;
SELECT tf_col('yj', 'skewed')->'transform' AS transform,
       l BETWEEN -2 AND 2 AS in_range, yj_loglik(l) >= yj_loglik(l - 0.01) AND yj_loglik(l) >= yj_loglik(l + 0.01) AS is_maximum
FROM (SELECT (tf_col('yj', 'skewed')->'lambda'->>0)::float8 l) p;
SELECT abs((tf_col('yj', 'skewed')->'center'->>0)::float8 - avg(yeo_johnson(skewed, l))) < 1e-5 * (1 + abs(avg(yeo_johnson(skewed, l)))) AS center_is_mean,
       abs(1 / (tf_col('yj', 'skewed')->'scale'->>0)::float8 - stddev_pop(yeo_johnson(skewed, l))) < 1e-5 * stddev_pop(yeo_johnson(skewed, l)) AS scale_is_sd
FROM tf, (SELECT (tf_col('yj', 'skewed')->'lambda'->>0)::float8 l) p;
SELECT max(abs(ubehav_predict('yj', t) - linear_score('yj', (yeo_johnson(skewed, l) - c) * s))) < 1e-4 AS row_replays,
       bool_and(ubehav_predict('yj', t) = ubehav_predict('yj', ARRAY[skewed])) AS array_equals_row
FROM tf t, LATERAL (SELECT (tf_col('yj', 'skewed')->'center'->>0)::float8 c, (tf_col('yj', 'skewed')->'scale'->>0)::float8 s,
                           (tf_col('yj', 'skewed')->'lambda'->>0)::float8 l) p;

-- integer_categories: a column of 4 whole values gets 4 + 1 more inputs, its values in order, and
-- the shares of the training rows; a value not seen in training takes the last input
SELECT ubehav_train('codes', 'SELECT code, y FROM tf', 'y', '{"hidden": [], "epochs": 2, "validation_split": 0}')->>'inputs' AS inputs;
SELECT tf_col('codes', 'code')->'codes' = to_jsonb(array_agg(DISTINCT code ORDER BY code)) AS codes_are_values,
       tf_col('codes', 'code')->'code_frequencies' AS code_frequencies
FROM tf;
SELECT (x->'network'->'layers'->0->'W') IS NOT NULL AS exported, jsonb_array_length(x->'network'->'layers'->0->'W') AS w_rows
FROM ubehav_export('codes') x;
-- the score of each value is the value's input plus its own one-hot weight
SELECT bool_and(abs(ubehav_predict('codes', ARRAY[code]) -
                    (((W->0->>0)::float8 * smooth_clip((code - c) * s) + (W->(1 + code::int)->>0)::float8 + b) * ts + tm)) < 1e-4)
           AS one_hot_replays,
       bool_and(abs(ubehav_predict('codes', ARRAY[7]) - (((W->0->>0)::float8 * smooth_clip((7 - c) * s) + (W->5->>0)::float8 + b) * ts + tm)) < 1e-4)
           AS unseen_value_other
FROM tf, LATERAL (SELECT x->'network'->'layers'->0->'W' W, (x->'network'->'layers'->0->'b'->>0)::float8 b,
                         (x->'preprocessing'->>'target_std')::float8 ts, (x->'preprocessing'->>'target_mean')::float8 tm,
                         (tf_col('codes', 'code')->'center'->>0)::float8 c, (tf_col('codes', 'code')->'scale'->>0)::float8 s
                  FROM ubehav_export('codes') x) p;
-- explanations start from the codes' training shares; the contributions still add up
SELECT abs((e->>'score')::float8 - (e->>'baseline_score')::float8
           - (SELECT sum(value::text::float8) FROM jsonb_each(e->'contributions'))) < 0.01 AS explanation_adds_up
FROM (SELECT ubehav_explain('codes', ARRAY[2]) e) x;

-- a model stored without transforms (as 0.1.0 stored every model) scores as before: the
-- preprocessing of a standard model has no "transform" key, and import keeps that
SELECT train1('std', 'shifted', 'standard') AS trained;
SELECT tf_col('std', 'shifted') ? 'transform' AS has_transform, tf_col('std', 'shifted') ? 'codes' AS has_codes;
SELECT ubehav_import('std_copy', ubehav_export('std')) AS imported, ubehav_import('au_copy', ubehav_export('au')) AS imported_auto;
SELECT tf_col('au_copy', 'skewed')->'transform' AS copied_transform,
       bool_and(ubehav_predict('std', t) = ubehav_predict('std_copy', t)) AS import_scores_alike,
       bool_and(ubehav_predict('au', ARRAY[skewed]) = ubehav_predict('au_copy', ARRAY[skewed])) AS transform_survives_import
FROM tf t;

-- hand-made preprocessing that is not valid is refused
SELECT ubehav_import('bad', jsonb_set(ubehav_export('au'), '{preprocessing,columns,0,transform}', '[3]'));
SELECT ubehav_import('bad', jsonb_set(ubehav_export('yj'), '{preprocessing,columns,0,lambda}', '[5]'));
SELECT ubehav_import('bad', jsonb_set(ubehav_export('codes'), '{preprocessing,columns,0,codes}', '[3, 2, 1, 0]'));

-- the new defaults past ubehav.max_training_memory: 40,000 rows of a 100-wide array (16 MB encoded)
-- stream under the 16 MB bound, with the ensemble (fewer than 50,000 training rows), the transforms
-- learned from the spilled rows, and scores that the row and the array forms agree on
CREATE TABLE tf_wide AS
SELECT i, f, (f[1] * f[2] + f[3] - f[4] * f[4] > 0.2) AS y
FROM (SELECT i, ARRAY(SELECT (random() * exp(3 * random()))::real FROM generate_series(1, 100) WHERE i > 0) AS f
      FROM generate_series(1, 40000) i) s;
SET ubehav.max_training_memory = '16MB';
SELECT s ? 'streamed' AS streamed, s->'metrics'->'ensemble'->>'networks' AS networks,
       (s->'metrics'->>'auc')::float8 > 0.6 AS learned
FROM ubehav_train('tf_wide', 'SELECT f, y FROM tf_wide', 'y', '{"epochs": 2, "seed": 1}') s;
RESET ubehav.max_training_memory;
SELECT jsonb_array_length(tf_col('tf_wide', 'f')->'transform') AS transforms,
       bool_and(abs(ubehav_predict('tf_wide', t) - ubehav_predict('tf_wide', f)) = 0) AS row_equals_array
FROM (SELECT * FROM tf_wide ORDER BY i LIMIT 500) t;
