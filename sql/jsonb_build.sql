-- jsonb_build: the builder (src/jsonb_build.c) gives the very bytes that the JSON text path
-- (ub_json_* pieces parsed by jsonb_in) gave, for every kind of value, under every
-- extra_float_digits setting (float8out's text decides a number's digits and scale).
-- The C hook is not part of the extension; bind it to a temporary function.
CREATE FUNCTION pg_temp.jsonb_builder_check(OUT built jsonb, OUT via_text jsonb, OUT same_bytes boolean)
  AS '$libdir/ubehav', 'ubehav_jsonb_builder_check' LANGUAGE C STRICT;
SET extra_float_digits = 1;
SELECT same_bytes, built::text = via_text::text AS same_text FROM pg_temp.jsonb_builder_check();
SELECT key, value FROM pg_temp.jsonb_builder_check(), jsonb_each(built) WHERE key <> 'doubles' ORDER BY key COLLATE "C";
SELECT ordinality, value FROM pg_temp.jsonb_builder_check(),
  jsonb_array_elements(built->'doubles') WITH ORDINALITY WHERE length(value::text) < 40;
-- float8out's text under other settings: digits and scale still match the text path
SET extra_float_digits = 0;
SELECT same_bytes, built->'doubles'->1 AS third, built->'doubles'->12 AS two_pow_53_plus_1
  FROM pg_temp.jsonb_builder_check();
SET extra_float_digits = 3;
SELECT same_bytes, built->'doubles'->1 AS third, built->'doubles'->12 AS two_pow_53_plus_1
  FROM pg_temp.jsonb_builder_check();
SET extra_float_digits = -15;
SELECT same_bytes, built->'doubles'->1 AS third, built->'doubles'->11 AS decimal
  FROM pg_temp.jsonb_builder_check();
RESET extra_float_digits;
