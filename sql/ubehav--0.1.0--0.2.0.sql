-- ubehav 0.1.0 -> 0.2.0. CREATE EXTENSION ubehav installs 0.1.0 (frozen) and then this script;
-- ALTER EXTENSION ubehav UPDATE runs this script alone. Stored models keep scoring identically.
\echo Use "ALTER EXTENSION ubehav UPDATE TO '0.2.0'" to load this file. \quit
