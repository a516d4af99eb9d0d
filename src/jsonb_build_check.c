/*
 * jsonb_build_check.c: a test hook (no SQL object of the extension; sql/jsonb_build.sql binds it
 * to a pg_temp function) that builds one value two ways, with the builder and as JSON text
 * parsed by jsonb_in as the code did before, so the test can show they give the same bytes.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"

#include "jsonb_build.h"
#include "jsonb_util.h"

static const double check_doubles[] = {
	0.1, 1.0 / 3.0, -2.5, 0.0, -0.0, 1e-300, 5e-324, 1e15, 1e16, 1e21, 1e22, 123456789.125,
	9007199254740993.0, 0.000123, DBL_MAX, 100.0, 0.30000000000000004
};
static const char *const check_strings[] = {
	"", "plain", "quote\" back\\slash /", "tab\t nl\n cr\r ctl\x01\x1f", "\xc3\xa9 \xe4\xb8\xad"
};
static const int64 check_ints[] = {0, -1, 42, PG_INT64_MIN, PG_INT64_MAX};
static const char *const check_nested[] = {
	"{\"b\": 1, \"a\": [1, 2.50, {\"x\": null}]}", "[]", "{}", "\"scalar\"", "3.10", "null", "true"
};

static Jsonb *
nested(int i)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(check_nested[i])));
}

static Jsonb *
build_with_builder(void)
{
	UbJsonbBuilder b;
	int			i;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_key(&b, "doubles");
	ub_jb_array_begin(&b);
	for (i = 0; i < lengthof(check_doubles); i++)
		ub_jb_float8(&b, check_doubles[i]);
	ub_jb_float8(&b, get_float8_nan());
	ub_jb_float8(&b, get_float8_infinity());
	ub_jb_float8(&b, -get_float8_infinity());
	ub_jb_array_end(&b);
	ub_jb_key(&b, "strings");
	ub_jb_array_begin(&b);
	for (i = 0; i < lengthof(check_strings); i++)
		ub_jb_string(&b, check_strings[i]);
	ub_jb_array_end(&b);
	ub_jb_key(&b, "ints");
	ub_jb_array_begin(&b);
	for (i = 0; i < lengthof(check_ints); i++)
		ub_jb_int64(&b, check_ints[i]);
	ub_jb_array_end(&b);
	ub_jb_key(&b, "nested");
	ub_jb_object_begin(&b);
	for (i = 0; i < lengthof(check_nested); i++)
	{
		char		key[8];

		snprintf(key, sizeof(key), "n%d", i);
		ub_jb_kv_jsonb(&b, key, nested(i));
	}
	ub_jb_kv_jsonb(&b, "missing", NULL);
	ub_jb_object_end(&b);
	ub_jb_key(&b, "in_array");
	ub_jb_array_begin(&b);
	for (i = 0; i < lengthof(check_nested); i++)
		ub_jb_jsonb(&b, nested(i));
	ub_jb_array_begin(&b);
	ub_jb_array_end(&b);
	ub_jb_object_begin(&b);
	ub_jb_object_end(&b);
	ub_jb_array_end(&b);
	ub_jb_kv_bool(&b, "yes", true);
	ub_jb_kv_bool(&b, "no", false);
	ub_jb_key(&b, "nothing");
	ub_jb_null(&b);
	ub_jb_kv_string(&b, "dup", "first");
	ub_jb_kv_float8(&b, "a_float", 2.0);
	ub_jb_kv_int64(&b, "an_int", 7);
	ub_jb_kv_string(&b, "dup", "last");
	ub_jb_key(&b, "rows_text");
	ub_jb_number_text(&b, "1234");
	ub_jb_key(&b, "counts");
	ub_jb_array_begin(&b);
	ub_jb_count(&b, 3.0);
	ub_jb_count(&b, 1e20);
	ub_jb_uint64(&b, PG_UINT64_MAX);
	ub_jb_array_end(&b);
	ub_jb_kv_float8_array(&b, "float_array", check_doubles, 3);
	ub_jb_kv_uint64(&b, "a_uint", 5);
	ub_jb_kv_count(&b, "a_count", 12.0);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

/* {"a_uint": 5, "a_count": 12}, built */
static Jsonb *
members_object(void)
{
	UbJsonbBuilder b;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_uint64(&b, "a_uint", 5);
	ub_jb_kv_count(&b, "a_count", 12.0);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

static void
text_nested(StringInfo buf, int i)
{
	Jsonb	   *j = nested(i);

	appendStringInfoString(buf, JsonbToCString(NULL, &j->root, VARSIZE(j)));
}

static Jsonb *
build_as_text(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"doubles\":[");
	for (i = 0; i < lengthof(check_doubles); i++)
	{
		ub_json_number(&buf, check_doubles[i]);
		appendStringInfoChar(&buf, ',');
	}
	ub_json_number(&buf, get_float8_nan());
	appendStringInfoChar(&buf, ',');
	ub_json_number(&buf, get_float8_infinity());
	appendStringInfoChar(&buf, ',');
	ub_json_number(&buf, -get_float8_infinity());
	appendStringInfoString(&buf, "],\"strings\":[");
	for (i = 0; i < lengthof(check_strings); i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		ub_json_string(&buf, check_strings[i]);
	}
	appendStringInfoString(&buf, "],\"ints\":[");
	for (i = 0; i < lengthof(check_ints); i++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, i > 0 ? "," : "", check_ints[i]);
	appendStringInfoString(&buf, "],\"nested\":{");
	for (i = 0; i < lengthof(check_nested); i++)
	{
		appendStringInfo(&buf, "\"n%d\":", i);
		text_nested(&buf, i);
		appendStringInfoChar(&buf, ',');
	}
	appendStringInfoString(&buf, "\"missing\":null},\"in_array\":[");
	for (i = 0; i < lengthof(check_nested); i++)
	{
		text_nested(&buf, i);
		appendStringInfoChar(&buf, ',');
	}
	appendStringInfoString(&buf, "[],{}],\"yes\":true,\"no\":false,\"nothing\":null,"
						   "\"dup\":\"first\",\"a_float\":");
	ub_json_number(&buf, 2.0);
	appendStringInfoString(&buf, ",\"an_int\":7,\"dup\":\"last\",\"rows_text\":1234,");
	appendStringInfo(&buf, "\"counts\":[%.0f,%.0f," UINT64_FORMAT "],\"float_array\":[", 3.0, 1e20, PG_UINT64_MAX);
	for (i = 0; i < 3; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		ub_json_number(&buf, check_doubles[i]);
	}
	appendStringInfoString(&buf, "],");
	/* the members' text of a built object, as the callers that still take text receive it */
	ub_jb_append_members_text(&buf, members_object());
	appendStringInfoChar(&buf, '}');
	return ub_json_to_jsonb(&buf);
}

PG_FUNCTION_INFO_V1(ubehav_jsonb_builder_check);
/* (built jsonb, text-path jsonb, whether their bytes are identical) */
Datum
ubehav_jsonb_builder_check(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	Jsonb	   *built = build_with_builder();
	Jsonb	   *via_text = build_as_text();

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ubehav_jsonb_builder_check must return a record"),
				 errhint("Declare it with OUT parameters (built jsonb, via_text jsonb, same_bytes boolean).")));
	values[0] = JsonbPGetDatum(built);
	values[1] = JsonbPGetDatum(via_text);
	values[2] = BoolGetDatum(VARSIZE(built) == VARSIZE(via_text) &&
							 memcmp(built, via_text, VARSIZE(built)) == 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
