-- "deploy": "if_better" compares with the deployed version on the same validation rows;
-- "warm_start" continues from the deployed weights, and says what differs when it cannot.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(16);

SELECT setseed(0.25);
CREATE TABLE ld_data AS
SELECT i AS id, random() AS a, random() AS b, (ARRAY['x', 'y', 'z'])[1 + i % 3] AS c
FROM generate_series(1, 1200) i;
ALTER TABLE ld_data ADD COLUMN y boolean, ADD COLUMN v float8;
UPDATE ld_data SET y = a + b + (c = 'x')::int * 0.3 > 1.1, v = 3 * a - 2 * b + (c = 'y')::int;

CREATE TEMP TABLE ld_runs (step text PRIMARY KEY, s jsonb);
-- a weak first version is deployed: there is nothing to beat
INSERT INTO ld_runs SELECT 'weak', ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [2], "learning_rate": 0.0001, "deploy": "if_better", "seed": 1}');
SELECT is((SELECT s->'deploy_decision'->>'reason' FROM ld_runs WHERE step = 'weak'), 'no version was deployed',
          'if_better deploys the first version, saying there was nothing to compare with');
-- a strong one beats it on the same rows and is deployed
INSERT INTO ld_runs SELECT 'strong', ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y',
    '{"epochs": 25, "hidden": [8], "early_stopping": false, "deploy": "if_better", "seed": 1}');
SELECT ok((SELECT (s->>'deployed')::boolean AND (s->'deploy_decision'->>'new')::float8 > (s->'deploy_decision'->>'old')::float8
           FROM ld_runs WHERE step = 'strong'), 'a version with a higher validation AUC is deployed');
-- the old value is the weak version's AUC on the same rows: the weak version's own validation AUC,
-- as both trainings used the same seed and so the same split
SELECT is((SELECT round(((s->'deploy_decision'->>'old')::float8)::numeric, 6) FROM ld_runs WHERE step = 'strong'),
          (SELECT round((metrics->>'auc')::numeric, 6) FROM ubehav_models WHERE name = 'ld' AND version = 1),
          'the deployed version is scored on the same validation rows');
-- a weak one again is stored but not deployed, and scoring still uses version 2
INSERT INTO ld_runs SELECT 'weak2', ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [2], "learning_rate": 0.0001, "deploy": "if_better", "seed": 1}');
SELECT is((SELECT (s->>'deployed')::boolean FROM ld_runs WHERE step = 'weak2'), false, 'a worse version is not deployed');
SELECT matches((SELECT s->'deploy_decision'->>'reason' FROM ld_runs WHERE step = 'weak2'),
               '^auc did not improve: .* \(version 2\) on the same 240 rows$', 'the summary says why');
SELECT is((SELECT array_agg(version ORDER BY version) FROM ubehav_models WHERE name = 'ld'), ARRAY[1, 2, 3],
          'the worse version is kept in the catalog');
SELECT is((SELECT version FROM ubehav_models WHERE name = 'ld' AND deployed), 2, 'version 2 stays deployed');
-- a lower-is-better metric: log_loss of the strong version is lower, so the weak one loses on it too
INSERT INTO ld_runs SELECT 'logloss', ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [2], "learning_rate": 0.0001, "deploy": "if_better", "deploy_metric": "log_loss", "seed": 1}');
SELECT ok((SELECT NOT (s->>'deployed')::boolean AND (s->'deploy_decision'->>'new')::float8 > (s->'deploy_decision'->>'old')::float8
           FROM ld_runs WHERE step = 'logloss'), 'with log_loss a higher value loses');
-- a version the deployed one cannot be compared with (a feature left out) is not deployed
INSERT INTO ld_runs SELECT 'nob', ubehav_train('ld', 'SELECT a, c, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [2], "deploy": "if_better", "seed": 1}');
SELECT is((SELECT s->'deploy_decision'->>'reason' FROM ld_runs WHERE step = 'nob'),
          'the deployed version cannot score these rows: the query has no column "b", a feature of the deployed version',
          'an incomparable version is not deployed, and the reason names the column');
SELECT throws_ok($$SELECT ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y', '{"deploy": "if_better", "deploy_metric": "rmse"}')$$,
                 '22023', 'option "deploy_metric" "rmse" does not apply to a binary model', 'a metric of another task is refused');
SELECT is((SELECT options->>'deploy' FROM ubehav_models WHERE name = 'ld' AND version = 2), 'if_better',
          'the deploy mode is stored, so ubehav_retrain decides the same way');

-- warm start: one epoch at a tiny learning rate stays where the deployed version was
INSERT INTO ld_runs SELECT 'warm', ubehav_train('ld', 'SELECT c, b, a, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [8], "learning_rate": 0.000001, "warm_start": true, "seed": 1}');
INSERT INTO ld_runs SELECT 'cold', ubehav_train('ld_cold', 'SELECT c, b, a, y FROM ld_data', 'y',
    '{"epochs": 1, "hidden": [8], "learning_rate": 0.000001, "seed": 1}');
SELECT is((SELECT (s->>'warm_start_from')::int FROM ld_runs WHERE step = 'warm'), 2, 'the summary names the version it started from');
SELECT cmp_ok((SELECT abs((w.s->'metrics'->>'auc')::float8 - (m.metrics->>'auc')::float8)
               FROM ld_runs w, ubehav_models m WHERE w.step = 'warm' AND m.name = 'ld' AND m.version = 2),
              '<', 0.01::float8, 'a warm start keeps the deployed version''s quality (columns in another order)');
SELECT cmp_ok((SELECT (s->'metrics'->>'auc')::float8 FROM ld_runs WHERE step = 'cold'), '<',
              (SELECT (s->'metrics'->>'auc')::float8 - 0.05 FROM ld_runs WHERE step = 'warm'),
              'while a cold start with the same settings is far worse');
SELECT throws_ok($$SELECT ubehav_train('ld', 'SELECT a, b, c, y FROM ld_data', 'y', '{"hidden": [4], "warm_start": true}')$$,
                 '22023', 'cannot warm start from version 6 of model "ld": the network would be 6 inputs, hidden [4] relu, 1 output, the deployed version''s is 6 inputs, hidden [8] relu, 1 output',
                 'a different architecture is an error that shows both');
SELECT throws_ok($$SELECT ubehav_train('ld', 'SELECT a, b, c, id, y FROM ld_data', 'y', '{"hidden": [8], "warm_start": true}')$$,
                 '22023', 'cannot warm start from version 6 of model "ld": the query has column "id", which is not a feature of the deployed version',
                 'an extra column is an error that names it');

SELECT * FROM finish();
ROLLBACK;
