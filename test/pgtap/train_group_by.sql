-- group_by: one network per value of a column under one model version, and scoring that picks
-- each row's network (and names the group when none was trained for it).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(34);

-- each region buys on a different signal, so one network per region is the natural model
SELECT setseed(0.15);
CREATE TABLE gm_sessions AS
SELECT i AS id, (ARRAY['north', 'south', 'east'])[1 + i % 3] AS region, i % 4 AS tier,
       random() AS a, random() AS b, false AS bought
FROM generate_series(1, 2400) i;
UPDATE gm_sessions SET bought = CASE region WHEN 'north' THEN a > 0.5 WHEN 'south' THEN b > 0.5 ELSE a + b > 1 END;
INSERT INTO gm_sessions VALUES (90001, 'west', 0, 0.5, 0.5, true), (90002, NULL, 0, 0.5, 0.5, false);

CREATE TEMP TABLE gm_result AS
SELECT ubehav_train('gm', 'SELECT region, a, b, bought FROM gm_sessions', 'bought',
                    '{"group_by": "region", "epochs": 20, "seed": 7}') AS r;
SELECT is((SELECT (r->>'groups')::int FROM gm_result), 3, 'three groups of at least min_group_rows rows get a network');
SELECT is((SELECT (r->>'groups_skipped')::int FROM gm_result), 1, 'the one-row group is skipped');
SELECT is((SELECT (r->>'rows_skipped')::int FROM gm_result), 2, 'the NULL-group row and the skipped group''s row are counted');
SELECT is((SELECT (r->>'rows_used')::int FROM gm_result), 2400, 'every row of a trained group is used');
SELECT is((SELECT array_agg(group_value ORDER BY group_value) FROM ubehav_model_groups WHERE name = 'gm' AND version = 1),
          ARRAY['east', 'north', 'south'], 'ubehav_model_groups holds one network per group of the version');
SELECT is((SELECT options->>'group_by' FROM ubehav_models WHERE name = 'gm' AND version = 1), 'region',
          'the version records group_by in its options, so a retrain groups the same way');
SELECT ok((SELECT (metrics->>'evaluated_rows')::int = 480 AND (metrics->>'auc')::float8 > 0.97
           AND jsonb_typeof(metrics->'groups'->'north') = 'object'
           FROM ubehav_models WHERE name = 'gm' AND version = 1),
          'the version''s metrics pool the groups'' validation rows, with each group''s metrics beside them');

-- a group's network is exactly the network trained on that group's rows alone
SELECT ubehav_train('gm_' || g, format('SELECT a, b, bought FROM gm_sessions WHERE region = %L', g), 'bought',
                    '{"epochs": 20, "seed": 7}')
FROM unnest(ARRAY['north', 'south', 'east']) g;
SELECT is((SELECT count(*) FROM gm_sessions s
           WHERE region IN ('north', 'south', 'east')
             AND ubehav_predict('gm', s) IS DISTINCT FROM ubehav_predict('gm_' || region, s)),
          0::bigint, 'every row is scored by its own region''s network (identical to a model trained on that region)');
SELECT is((SELECT count(*) FROM gm_sessions s
           WHERE region IN ('north', 'south', 'east')
             AND ubehav_predict_class('gm', s) IS DISTINCT FROM ubehav_predict_class('gm_' || region, s)),
          0::bigint, 'ubehav_predict_class uses each group''s own F1 threshold');
CREATE TYPE gm_probe AS (region text, a float8, b float8);
SELECT ok(ubehav_predict('gm', ROW('north', 0.9, 0.1)::gm_probe) > 0.8
          AND ubehav_predict('gm', ROW('south', 0.9, 0.1)::gm_probe) < 0.2,
          'the same features score by the row''s group: high in the north (a), low in the south (b)');
SELECT is((SELECT count(*) FROM gm_sessions s WHERE region = 'north' AND ubehav_predict('gm', s) IS NULL), 0::bigint,
          'no row of a trained group scores NULL');
SELECT ubehav_refresh_scores('gm', $$SELECT id, * FROM gm_sessions WHERE region IN ('north', 'south', 'east')$$);
SELECT is((SELECT count(*) FILTER (WHERE c.score = ubehav_predict('gm_' || s.region, s))
           FROM ubehav_scores c JOIN gm_sessions s ON s.id = c.key WHERE c.model = 'gm'), 2400::bigint,
          'ubehav_refresh_scores stores each row''s score from its own region''s network');

-- a scoring-only role needs the scoring columns of the catalog and the groups' networks
CREATE ROLE gm_scorer;
GRANT SELECT ON gm_sessions TO gm_scorer;
GRANT SELECT (name, version, task, target, preprocessing, class_labels, weights, metrics, deployed, xmin, trained_at,
              trained_by) ON ubehav_models TO gm_scorer;
SET ROLE gm_scorer;
SELECT throws_ok($$SELECT ubehav_predict('gm', s) FROM gm_sessions s LIMIT 1$$, '42501',
                 'permission denied for table ubehav_model_groups',
                 'without SELECT on ubehav_model_groups a grouped version cannot be scored');
RESET ROLE;
GRANT SELECT ON ubehav_model_groups TO gm_scorer;
SET ROLE gm_scorer;
SELECT is((SELECT count(*) FROM gm_sessions s WHERE region = 'south' AND ubehav_predict('gm', s) IS NOT NULL), 800::bigint,
          'with it, a role that cannot see options or training queries scores each row by its group');
RESET ROLE;

-- rows the version cannot score say why
SELECT throws_like($$SELECT ubehav_predict('gm', s) FROM gm_sessions s WHERE region = 'west'$$,
                   '%has no network for region = ''west''%', 'a group nothing was trained for is named in the error');
SELECT throws_ok($$SELECT ubehav_predict('gm', s) FROM gm_sessions s WHERE region = 'west'$$, '42704', NULL,
                 'with SQLSTATE undefined_object');
SELECT throws_ok($$SELECT ubehav_predict('gm', s) FROM gm_sessions s WHERE region IS NULL$$, '22004', NULL,
                 'a NULL group is an error, not a guess');
SELECT throws_ok($$SELECT ubehav_predict('gm', ARRAY[0.5, 0.5])$$, '0A000', NULL,
                 'a features array has no group: scoring it is refused with a hint to pass the row');
SELECT throws_ok($$SELECT ubehav_predict('gm', t) FROM (SELECT a, b FROM gm_sessions LIMIT 1) t$$, '42703', NULL,
                 'a row without the group column is refused');
SELECT throws_ok($$SELECT ubehav_export('gm')$$, '0A000', NULL, 'functions that need one network refuse a grouped version');

-- evaluation scores each row with its group's network
SELECT ok((SELECT (e->>'rows')::int = 2400 AND (e->>'rows_skipped')::int = 2 AND (e->>'auc')::float8 > 0.97
           FROM (SELECT ubehav_evaluate('gm', 'SELECT * FROM gm_sessions') AS e) x),
          'ubehav_evaluate scores every row of a trained group and skips (and counts) the others');
SELECT ok((SELECT count(*) > 10 FROM ubehav_roc_curve('gm', 'SELECT * FROM gm_sessions WHERE region IS NOT NULL')),
          'the ROC curve of a grouped version is computed the same way');

-- a non-text group column: values are matched by the type's output text
SELECT is((SELECT (ubehav_train('gm_tier', 'SELECT tier, a, b, bought FROM gm_sessions WHERE region = ''north''', 'bought',
                                '{"group_by": "tier", "epochs": 2}')->>'groups')::int), 4, 'an integer column groups too');
SELECT is((SELECT count(*) FROM gm_sessions s WHERE region = 'north' AND ubehav_predict('gm_tier', s) IS NULL), 0::bigint,
          'and its rows find their networks');

-- lifecycle: retrain regroups, dropping a version drops its networks
SELECT is((SELECT (ubehav_retrain('gm')->>'groups')::int), 3, 'ubehav_retrain trains one network per group again');
SELECT is((SELECT ubehav_drop_model('gm', 1)), 1, 'a grouped version can be dropped');
SELECT is((SELECT count(*) FROM ubehav_model_groups WHERE name = 'gm' AND version = 1), 0::bigint,
          'and its networks go with it');

-- options are checked before any work
SELECT throws_like($$SELECT ubehav_train('gm_bad', 'SELECT region, a, b, bought FROM gm_sessions', 'bought', '{"group_by": "bought"}')$$,
                   '%which is the target%', 'grouping by the target is refused');
SELECT throws_ok($$SELECT ubehav_train('gm_bad', 'SELECT region, a, b, bought FROM gm_sessions', 'bought', '{"group_by": "regio"}')$$,
                 '42703', NULL, 'a group_by column the query does not return is refused');
SELECT throws_ok($$SELECT ubehav_train('gm_bad', 'SELECT region, a, b, bought FROM gm_sessions', 'bought', '{"group_by": "region", "max_groups": 2}')$$,
                 '54000', NULL, 'more groups than max_groups is refused before training');

-- functions that train or store a single network refuse the option instead of ignoring it
SELECT throws_ok($$SELECT * FROM ubehav_cross_validate('SELECT region, a, b, bought FROM gm_sessions', 'bought', '{"group_by": "region"}')$$,
                 '0A000', NULL, 'ubehav_cross_validate refuses group_by');
SELECT throws_ok($$SELECT ubehav_tune('gm_t', 'SELECT region, a, b, bought FROM gm_sessions', 'bought',
                                      '{"grid": {"epochs": [1, 2]}, "options": {"group_by": "region"}}')$$,
                 '0A000', NULL, 'ubehav_tune refuses it in the base options');
SELECT throws_ok($$SELECT ubehav_tune('gm_t', 'SELECT region, a, b, bought FROM gm_sessions', 'bought',
                                      '{"grid": {"group_by": ["region"]}}')$$,
                 '0A000', NULL, 'and in the search space');
SELECT throws_ok($$SELECT ubehav_fit(ARRAY[a, b], bought, '{"group_by": "region"}') FROM gm_sessions$$,
                 '0A000', NULL, 'ubehav_fit refuses it: GROUP BY does that');

SELECT * FROM finish();
ROLLBACK;
