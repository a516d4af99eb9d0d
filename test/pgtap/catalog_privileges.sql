-- The catalog is REVOKEd from PUBLIC; an administrator GRANTs training and scoring roles.
-- The training query runs as the calling user.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(10);

CREATE ROLE ubehav_test_analyst;
CREATE ROLE ubehav_test_dashboard;
CREATE ROLE ubehav_test_nobody;
CREATE ROLE ubehav_test_scorer;
CREATE TABLE priv_data AS
SELECT i::float8 AS x, (i % 7 < 3) AS y FROM generate_series(1, 500) i;
CREATE TABLE priv_secret AS SELECT * FROM priv_data;
GRANT SELECT ON priv_data TO ubehav_test_analyst, ubehav_test_nobody;
SELECT ubehav_grant('ubehav_test_analyst', 'analyst'), ubehav_grant('ubehav_test_dashboard', 'scorer');

SET ROLE ubehav_test_nobody;
SELECT throws_ok($$SELECT ubehav_train('priv', 'SELECT x, y FROM priv_data', 'y', '{"epochs": 1, "hidden": [4]}')$$,
                 '42501', NULL, 'a role without the analyst grants cannot train (no EXECUTE on ubehav_train)');
RESET ROLE;

SET ROLE ubehav_test_analyst;
SELECT throws_ok($$SELECT ubehav_train('priv', 'SELECT x, y FROM priv_secret', 'y', '{"epochs": 1, "hidden": [4]}')$$,
                 '42501', NULL, 'the training query runs as the caller: no SELECT on the table, no training');
SELECT lives_ok($$SELECT ubehav_train('priv', 'SELECT x, y FROM priv_data', 'y', '{"epochs": 1, "hidden": [4]}')$$,
                'a role given ubehav_grant(role, ''analyst'') trains');
RESET ROLE;

SELECT is((SELECT trained_by::text FROM ubehav_models WHERE name = 'priv' AND deployed), 'ubehav_test_analyst',
          'the catalog records who trained');

SET ROLE ubehav_test_dashboard;
SELECT cmp_ok(ubehav_predict('priv', ARRAY[3.0]), '>=', 0::float8, 'a role granted SELECT scores');
RESET ROLE;

SET ROLE ubehav_test_nobody;
SELECT throws_ok($$SELECT ubehav_predict('priv', ARRAY[3.0])$$, '42501', NULL,
                 'a role without SELECT on ubehav_models cannot score');
RESET ROLE;

-- a scoring role granted every column but the training query can score, and cannot read the query
GRANT SELECT (name, version, task, target, preprocessing, class_labels, weights, metrics, deployed, xmin,
              trained_at, trained_by) ON ubehav_models TO ubehav_test_scorer;
SET ROLE ubehav_test_scorer;
SELECT cmp_ok(ubehav_predict('priv', ARRAY[3.0]), '>=', 0::float8, 'a role granted the scoring columns scores');
SELECT throws_ok($$SELECT training_query FROM ubehav_models$$, '42501', NULL,
                 'and cannot read another user''s training query');
SELECT throws_ok($$SELECT ubehav_train('priv', 'SELECT x, y FROM priv_data', 'y')$$, '42501', NULL,
                 'and cannot train');
RESET ROLE;

SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ubehav' WHERE p.prosecdef), 0::bigint,
          'no function of the extension is SECURITY DEFINER');

SELECT * FROM finish();
ROLLBACK;
