-- The data-size defaults of 0.2.0 (issue 14): ensemble and epochs "auto", and their options.
\set SHOW_CONTEXT never
CREATE TABLE dflt AS
SELECT i, (i % 13)::float8 / 13 AS a, ((i * 7) % 11)::float8 / 11 AS b, (i % 3 = 0) <> ((i * 7) % 11 > 5) AS y
FROM generate_series(1, 2000) i;

-- below 50,000 training rows: four networks of a quarter of [128, 64], packed into [128, 64]; up to 50 epochs
CREATE TEMP TABLE dflt_runs AS SELECT ubehav_train('dflt', 'SELECT a, b, y FROM dflt', 'y', '{"seed": 1}') AS s;
SELECT s->'metrics'->'ensemble'->>'networks' AS networks, s->'metrics'->'ensemble'->>'member_hidden' AS member_first_width,
       jsonb_array_length(s->'metrics'->'ensemble'->'epochs_run') AS members_logged,
       (s->>'parameters')::int = 2 * 128 + 128 + 128 * 64 + 64 + 64 + 1 AS packed_is_128_64,
       m.options->>'ensemble' AS ensemble_option, m.options->>'epochs' AS epochs_option,
       (s->'metrics'->>'epochs_run')::int BETWEEN 1 AND 50 AS epochs_within_auto
FROM dflt_runs JOIN ubehav_models m ON m.name = 'dflt' AND m.version = (s->>'version')::int;
-- the same seed, the same packed model
SELECT ubehav_train('dflt', 'SELECT a, b, y FROM dflt', 'y', '{"seed": 1}')->>'version' AS version;
SELECT (SELECT weights FROM ubehav_models WHERE name = 'dflt' AND version = 1) =
       (SELECT weights FROM ubehav_models WHERE name = 'dflt' AND version = 2) AS deterministic;
-- one network when asked, when the hidden widths are too narrow to split, and with no hidden layer
SELECT ubehav_train('dflt_one', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": 1, "epochs": 2}')->'metrics' ? 'ensemble' AS one_has_ensemble,
       ubehav_train('dflt_narrow', 'SELECT a, b, y FROM dflt', 'y', '{"hidden": [16], "epochs": 2}')->'metrics' ? 'ensemble' AS narrow_has_ensemble,
       ubehav_train('dflt_linear', 'SELECT a, b, y FROM dflt', 'y', '{"hidden": [], "epochs": 2}')->'metrics' ? 'ensemble' AS linear_has_ensemble;
-- an explicit number splits any width: [30] in 3 members of 10
SELECT s->'metrics'->'ensemble'->>'networks' AS networks, s->>'parameters' AS parameters
FROM ubehav_train('dflt_three', 'SELECT a, b, y FROM dflt', 'y', '{"hidden": [30], "ensemble": 3, "epochs": 2}') s;
-- a warm start continues the deployed (packed) network as one network
SELECT s->'metrics' ? 'ensemble' AS warm_has_ensemble, s->>'warm_start_from' AS warm_start_from
FROM ubehav_train('dflt', 'SELECT a, b, y FROM dflt', 'y', '{"seed": 1, "warm_start": true, "epochs": 2}') s;

-- options
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": 0}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": 17}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": "many"}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": 8, "hidden": [4]}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"ensemble": 2, "noise_multiplier": 1, "epochs": 1}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"epochs": "many"}');
SELECT ubehav_train('dflt_bad', 'SELECT a, b, y FROM dflt', 'y', '{"integer_categories": -1}');
SELECT count(*) AS bad_versions FROM ubehav_models WHERE name = 'dflt_bad';
