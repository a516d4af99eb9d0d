-- test/scripts/t_sweep.sql: the catalog-generated sweep of t_sweep.sh (run as the superuser in
-- database ubehav_sweep after the fixtures exist). Builds sweep_calls: one row per call, from
-- pg_proc joined with pg_depend (deptype 'e' on the ubehav extension), so a new function of the
-- extension is swept the day it is added. For each function, each argument position and each
-- hostile value of that argument's type (sweep_values, keyed by type), the call puts the value
-- there and baselines elsewhere; functions with an argument named model (or target) are swept
-- once per model task, so each hostile value meets each task.
SET client_min_messages = warning;

-- hostile values per type; label, SQL expression. A new type needs rows here (t_sweep.sh lists
-- the functions it could not sweep for lack of them).
CREATE TABLE sweep_values (typ regtype, label text, expr text);
INSERT INTO sweep_values VALUES
 ('text', 'NULL', 'NULL::text'), ('text', 'empty', $$''$$),
 ('text', 'no_such_model', $$'sweep_no_such_model'$$),
 ('text', 'model_binary', $$'sweep_bin'$$), ('text', 'model_multiclass', $$'sweep_multi'$$),
 ('text', 'model_regression', $$'sweep_reg'$$), ('text', 'model_group_by', $$'sweep_grp'$$),
 ('text', 'model_of_other_role', $$'sweep_foreign'$$),
 ('text', 'valid_query', $$'SELECT * FROM sweep_data'$$),
 ('text', 'syntax_error', $$'SELECT FROM WHERE'$$),
 ('text', 'two_statements', $$'SELECT 1; SELECT 2'$$),
 ('text', 'dml', $$'DELETE FROM sweep_data'$$),
 ('text', 'unreadable_table', $$'SELECT * FROM sweep_secret'$$),
 ('text', 'quotes', $$'x''"; DROP TABLE sweep_data; --'$$),
 ('text', 'long_string', $$repeat('x', 100000)$$),
 ('integer', 'NULL', 'NULL::integer'), ('integer', '0', '0'), ('integer', '-1', '-1'),
 ('integer', 'int_max', '2147483647'), ('integer', 'int_min', '(-2147483648)::integer'),
 ('bigint', 'NULL', 'NULL::bigint'), ('bigint', '0', '0::bigint'), ('bigint', '-1', '(-1)::bigint'),
 ('bigint', 'int_max', '2147483647::bigint'), ('bigint', 'bigint_max', '9223372036854775807'),
 ('smallint', 'NULL', 'NULL::smallint'), ('smallint', '0', '0::smallint'), ('smallint', '-1', '(-1)::smallint'),
 ('smallint', 'max', '32767::smallint'),
 ('double precision', 'NULL', 'NULL::float8'), ('double precision', '0', '0::float8'),
 ('double precision', '-1', '(-1)::float8'), ('double precision', 'NaN', $$'NaN'::float8$$),
 ('double precision', 'Infinity', $$'Infinity'::float8$$), ('double precision', '-Infinity', $$'-Infinity'::float8$$),
 ('double precision', '1e308', '1e308::float8'),
 ('real', 'NULL', 'NULL::real'), ('real', 'NaN', $$'NaN'::real$$), ('real', '-1', '(-1)::real'),
 ('boolean', 'NULL', 'NULL::boolean'), ('boolean', 'true', 'true'), ('boolean', 'false', 'false'),
 ('jsonb', 'NULL', 'NULL::jsonb'), ('jsonb', '{}', $$'{}'::jsonb$$), ('jsonb', '[]', $$'[]'::jsonb$$),
 ('jsonb', 'null', $$'null'::jsonb$$), ('jsonb', 'string', $$'"x"'::jsonb$$),
 ('jsonb', 'deep_nesting', $$(repeat('[', 5000) || repeat(']', 5000))::jsonb$$),
 ('jsonb', 'deep_object', $$(repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb$$),
 ('jsonb', 'bad_option', $$'{"epochs": -1, "hidden": [1e308]}'::jsonb$$),
 ('jsonb', 'model_value', $$(SELECT e FROM sweep_exports WHERE kind = 'binary')$$),
 ('jsonb', 'model_value_multiclass', $$(SELECT e FROM sweep_exports WHERE kind = 'multiclass')$$),
 ('double precision[]', 'NULL', 'NULL::float8[]'), ('double precision[]', 'empty', $$'{}'::float8[]$$),
 ('double precision[]', 'huge', 'array_fill(0.5::float8, ARRAY[1000000])'),
 ('double precision[]', '{NULL}', $$'{NULL}'::float8[]$$), ('double precision[]', '{1,NULL,3}', $$'{1,NULL,3}'::float8[]$$),
 ('double precision[]', '2-D', $$'{{1,2},{3,4}}'::float8[]$$), ('double precision[]', '{NaN,Inf,-Inf}', $$'{NaN,Infinity,-Infinity}'::float8[]$$),
 ('double precision[]', 'lower_bound_5', $$'[5:7]={0.5,1,1}'::float8[]$$),
 ('double precision[]', 'valid', $$'{0.5,1,1}'::float8[]$$),
 ('real[]', 'NULL', 'NULL::real[]'), ('real[]', 'empty', $$'{}'::real[]$$), ('real[]', '{NULL}', $$'{NULL}'::real[]$$),
 ('real[]', 'huge', 'array_fill(0.5::real, ARRAY[1000000])'),
 ('record', 'NULL', 'NULL::record'), ('record', 'ROW()', 'ROW()'),
 ('record', 'wrong_table_row', '(SELECT o FROM sweep_other o LIMIT 1)'),
 ('record', 'row_of_nulls', 'ROW(NULL, NULL, NULL)'),
 ('record', 'valid_row', '(SELECT d FROM sweep_data d LIMIT 1)'),
 ('regclass', 'NULL', 'NULL::regclass'), ('regclass', 'unreadable', $$'sweep_secret'::regclass$$),
 ('regclass', 'wrong_table', $$'sweep_data'::regclass$$), ('regclass', 'catalog', $$'pg_class'::regclass$$),
 ('regclass', 'oid_0', '0::oid::regclass'),
 ('date', 'NULL', 'NULL::date'), ('date', 'infinity', $$'infinity'::date$$), ('date', '-infinity', $$'-infinity'::date$$),
 ('date', 'far', $$'4713-01-01 BC'::date$$),
 ('timestamp with time zone', 'NULL', 'NULL::timestamptz'), ('timestamp with time zone', 'infinity', $$'infinity'::timestamptz$$),
 ('timestamp with time zone', '-infinity', $$'-infinity'::timestamptz$$),
 ('text[]', 'NULL', 'NULL::text[]'), ('text[]', 'empty', $$'{}'::text[]$$), ('text[]', '{NULL}', $$'{NULL}'::text[]$$),
 ('text[]', '{"",x}', $$'{"",x}'::text[]$$), ('text[]', 'huge', $$array_fill('x'::text, ARRAY[1000000])$$),
 ('text[]', '2-D', $$'{{a,b},{c,d}}'::text[]$$),
 ('boolean[]', 'NULL', 'NULL::boolean[]'), ('boolean[]', 'empty', $$'{}'::boolean[]$$), ('boolean[]', '{NULL}', $$'{NULL}'::boolean[]$$),
 ('boolean[]', 'huge', 'array_fill(true, ARRAY[1000000])'),
 ('integer[]', 'NULL', 'NULL::integer[]'), ('integer[]', 'empty', $$'{}'::integer[]$$), ('integer[]', '{NULL}', $$'{NULL}'::integer[]$$),
 ('integer[]', '{-1,0,2147483647}', $$'{-1,0,2147483647}'::integer[]$$), ('integer[]', 'huge', 'array_fill(1, ARRAY[1000000])'),
 ('bigint[]', 'NULL', 'NULL::bigint[]'), ('bigint[]', 'empty', $$'{}'::bigint[]$$), ('bigint[]', '{NULL}', $$'{NULL}'::bigint[]$$),
 ('bigint[]', '{-1,0,max}', $$'{-1,0,9223372036854775807}'::bigint[]$$), ('bigint[]', 'huge', 'array_fill(1::bigint, ARRAY[1000000])'),
 ('regrole', 'NULL', 'NULL::regrole'), ('regrole', 'other_role', $$'sweep_other'::regrole$$),
 ('regrole', 'superuser', $$'postgres'::regrole$$), ('regrole', 'oid_0', '0::oid::regrole'),
 ('bytea', 'NULL', 'NULL::bytea'), ('bytea', 'empty', $$'\x'::bytea$$), ('bytea', 'garbage', $$'\xdeadbeef'::bytea$$),
 ('anyelement', 'NULL', 'NULL::boolean'), ('anyelement', 'text', $$'a'::text$$), ('anyelement', 'integer', '1'),
 ('anyelement', 'float8', '1.5::float8'), ('anyelement', 'array', $$'{1,2}'::int[]$$), ('anyelement', 'jsonb', $$'{}'::jsonb$$);

-- a model name without a collation (the shards' scoring, issue 16): the text values of a name
INSERT INTO sweep_values
SELECT 'ubehav_model_name', label, format('(%s)::ubehav_model_name', expr) FROM sweep_values
WHERE typ = 'text'::regtype AND label IN ('NULL', 'empty', 'no_such_model', 'model_binary', 'model_multiclass',
                                          'model_regression', 'model_group_by', 'model_of_other_role', 'quotes', 'long_string');
-- (and its input function's argument)
INSERT INTO sweep_values VALUES ('cstring', 'NULL', 'NULL::cstring'), ('cstring', 'empty', $$''::cstring$$),
 ('cstring', 'name', $$'sweep_bin'::cstring$$), ('cstring', 'long_string', $$repeat('x', 100000)::cstring$$);

-- baselines: by argument name first (per model task where it matters), then the declared
-- default, then by type
CREATE TABLE sweep_kinds (kind text PRIMARY KEY, model text, target text, export_kind text);
INSERT INTO sweep_kinds VALUES ('binary', 'sweep_bin', 'y_bin', 'binary'), ('multiclass', 'sweep_multi', 'y_multi', 'multiclass'),
  ('regression', 'sweep_reg', 'y_num', 'regression'), ('group_by', 'sweep_grp', 'y_bin', 'binary');
CREATE TABLE sweep_base_name (argname text, typ regtype, expr text);   -- %model%, %target%, %export% are per task
INSERT INTO sweep_base_name VALUES
 ('model', 'text', '%model%'), ('model', 'ubehav_model_name', '%model%'), ('model', 'jsonb', '%export%'), ('export', 'jsonb', '%export%'),
 ('target', 'text', '%target%'), ('query', 'text', $$'SELECT * FROM sweep_data'$$),
 ('options', 'jsonb', $$'{"epochs": 1, "hidden": [4]}'::jsonb$$),
 ('search', 'jsonb', $$'{"method": "grid", "space": {"hidden": [[2]]}, "epochs": 1}'::jsonb$$),
 ('version', 'integer', '1'), ('n_users', 'integer', '5'), ('days', 'integer', '10'),
 ('schema_name', 'text', $$'sweep_demo2'$$), ('events', 'regclass', $$'sweep_demo.events'::regclass$$),
 ('cutoff', 'timestamp with time zone', $$'2025-09-05'::timestamptz$$),
 ('from_day', 'date', $$'2025-09-01'::date$$), ('to_day', 'date', $$'2025-09-08'::date$$),
 ('features', 'double precision[]', $$'{0.5,1,1}'::float8[]$$), ('row', 'record', '(SELECT d FROM sweep_data d LIMIT 1)'),
 ('repeats', 'integer', '1'), ('folds', 'integer', '2'), ('steps', 'integer', '4'), ('label', 'anyelement', 'true');
CREATE TABLE sweep_base_type (typ regtype PRIMARY KEY, expr text);
INSERT INTO sweep_base_type VALUES ('text', $$'sweep_bin'$$), ('integer', '1'), ('bigint', '1::bigint'), ('smallint', '1::smallint'),
 ('double precision', '0.5::float8'), ('real', '0.5::real'), ('boolean', 'true'), ('jsonb', $$'{}'::jsonb$$),
 ('double precision[]', $$'{0.5,1,1}'::float8[]$$), ('real[]', $$'{0.5,1,1}'::real[]$$),
 ('record', '(SELECT d FROM sweep_data d LIMIT 1)'), ('regclass', $$'sweep_demo.events'::regclass$$),
 ('date', $$'2025-09-01'::date$$), ('timestamp with time zone', $$'2025-09-05'::timestamptz$$),
 ('bytea', $$'\x'::bytea$$), ('anyelement', 'true'),
 ('regrole', $$'sweep_analyst'::regrole$$), ('ubehav_model_name', $$'sweep_bin'$$),
 ('text[]', $$'{a,b}'::text[]$$), ('boolean[]', $$'{true,false}'::boolean[]$$), ('integer[]', $$'{1,2}'::integer[]$$),
 ('bigint[]', $$'{1,2}'::bigint[]$$);

-- the extension's functions, aggregates and procedures, with their arguments
CREATE TABLE sweep_funcs AS
SELECT p.oid AS fn, p.oid::regprocedure::text AS signature, p.proname::text AS name, p.prokind, p.proisstrict,
       p.pronargs, ARRAY(SELECT unnest(p.proargtypes::regtype[])) AS argtypes, coalesce(p.proargnames, '{}') AS argnames,
       p.pronargdefaults,
       EXISTS (SELECT FROM pg_aggregate a WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn)) AS agg_support,
       'internal'::regtype = ANY (p.proargtypes::regtype[]) AS takes_internal
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ubehav';

-- declared defaults, one per trailing argument (NULL = no default; 'NULL' text = DEFAULT NULL)
CREATE TABLE sweep_defaults AS
SELECT f.fn, i AS pos, NULL::text AS def
FROM sweep_funcs f, generate_series(1, f.pronargs) i;
-- the defaults' expressions from pg_get_function_arguments (split on top-level commas, well
-- enough for this extension's defaults, which contain no commas)
UPDATE sweep_defaults s SET def = x.def
FROM (SELECT f.fn, a.ord AS pos,
             CASE WHEN a.txt LIKE '% DEFAULT %' THEN substr(a.txt, strpos(a.txt, ' DEFAULT ') + 9) END AS def
      FROM sweep_funcs f, regexp_split_to_table(pg_get_function_arguments(f.fn), ', ') WITH ORDINALITY a(txt, ord)) x
WHERE x.fn = s.fn AND x.pos = s.pos;

CREATE TABLE sweep_calls (id serial PRIMARY KEY, signature text, name text, prokind char, pos int, argname text,
                          argtype text, label text, kind text, call text, null_rule text,
                          state text DEFAULT 'pending', outcome text, message text);

CREATE FUNCTION sweep_baseline(f sweep_funcs, i int, k sweep_kinds) RETURNS text LANGUAGE sql AS $$
  SELECT replace(replace(replace(coalesce(
      (SELECT b.expr FROM sweep_base_name b WHERE b.argname = f.argnames[i] AND b.typ = f.argtypes[i]),
      (SELECT d.def FROM sweep_defaults d WHERE d.fn = f.fn AND d.pos = i AND d.def IS NOT NULL),
      (SELECT t.expr FROM sweep_base_type t WHERE t.typ = f.argtypes[i]),
      'NULL::' || f.argtypes[i]::text),
    '%model%', quote_literal(coalesce(k.model, 'sweep_bin'))),
    '%target%', quote_literal(coalesce(k.target, 'y_bin'))),
    '%export%', format('(SELECT e FROM sweep_exports WHERE kind = %L)', coalesce(k.export_kind, 'binary')))
$$;

INSERT INTO sweep_calls (signature, name, prokind, pos, argname, argtype, label, kind, call, null_rule)
SELECT f.signature, f.name, f.prokind, i, f.argnames[i], f.argtypes[i]::text, v.label, k.kind,
       CASE f.prokind WHEN 'p' THEN 'CALL ' ELSE 'SELECT ' END ||
       format('%I(', f.name) ||
       (SELECT string_agg(CASE WHEN j = i THEN v.expr ELSE sweep_baseline(f, j, k) END, ', ' ORDER BY j)
        FROM generate_series(1, f.pronargs) j) || ')',
       -- the NULL rule: what a NULL here must give
       CASE WHEN v.label <> 'NULL' THEN NULL
            WHEN f.prokind <> 'f' OR f.agg_support THEN 'exempt'      -- aggregates skip NULL rows; support functions take NULL states
            WHEN f.proisstrict THEN 'strict'
            WHEN (SELECT d.def FROM sweep_defaults d WHERE d.fn = f.fn AND d.pos = i) ~* '^NULL' THEN 'default_null'
            ELSE format('argument "%s" of %s must not be NULL', coalesce(nullif(f.argnames[i], ''), '$' || i), f.name) END
FROM sweep_funcs f
CROSS JOIN generate_series(1, f.pronargs) i
JOIN sweep_values v ON v.typ = f.argtypes[i]
LEFT JOIN sweep_kinds k ON (f.argnames && ARRAY['model', 'target', 'export']::text[])
WHERE NOT f.takes_internal
ORDER BY f.signature, k.kind, i, v.label;
GRANT SELECT, UPDATE ON sweep_calls TO sweep_analyst;

-- one call, as the sweeping role: marked running and committed first (a crash leaves the mark),
-- then run in a subtransaction that is always rolled back (a sentinel error after success)
CREATE PROCEDURE sweep_run(call_id int) LANGUAGE plpgsql AS $$
DECLARE c text; st text; msg text;
BEGIN
  UPDATE sweep_calls SET state = 'running' WHERE id = call_id RETURNING call INTO c;
  COMMIT;
  BEGIN
    EXECUTE c;
    RAISE EXCEPTION USING ERRCODE = 'SW001', MESSAGE = 'sweep sentinel';
  EXCEPTION WHEN query_canceled OR OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  END;
  UPDATE sweep_calls SET state = 'done', outcome = CASE WHEN st = 'SW001' THEN 'ok' ELSE st END,
                         message = CASE WHEN st = 'SW001' THEN NULL ELSE left(msg, 300) END
  WHERE id = call_id;
END $$;
GRANT EXECUTE ON PROCEDURE sweep_run(int) TO sweep_analyst;

-- functions without arguments: called once
INSERT INTO sweep_calls (signature, name, prokind, pos, argname, argtype, label, kind, call, null_rule)
SELECT f.signature, f.name, f.prokind, 0, NULL, NULL, 'no_arguments', NULL,
       CASE f.prokind WHEN 'p' THEN 'CALL ' ELSE 'SELECT ' END || format('%I()', f.name), NULL
FROM sweep_funcs f WHERE f.pronargs = 0;
