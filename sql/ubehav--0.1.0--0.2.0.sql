-- ubehav 0.1.0 -> 0.2.0. CREATE EXTENSION ubehav installs 0.1.0 (frozen) and then this script;
-- ALTER EXTENSION ubehav UPDATE runs this script alone. Stored models keep scoring identically.
\echo Use "ALTER EXTENSION ubehav UPDATE TO '0.2.0'" to load this file. \quit

-- ==== model quality (issue 14) ====
-- No SQL object changes. The new options (scaling auto, robust_clip and yeo_johnson,
-- integer_categories, ensemble, epochs auto) are read by the C code, and the preprocessing JSON
-- gains optional keys (transform, lambda, codes, code_frequencies): a model stored by 0.1.0 has
-- none of them and scores as before.
