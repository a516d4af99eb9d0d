/* jsonb_util.c: jsonb access helpers shared by option parsing, preprocessing and metrics. */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/numeric.h"

#include "jsonb_util.h"

JsonbValue *
ub_jsonb_get(JsonbContainer *obj, const char *key)
{
	JsonbValue	k;

	if (obj == NULL || !JsonContainerIsObject(obj))
		return NULL;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	return findJsonbValueFromContainer(obj, JB_FOBJECT, &k);
}

const char *
ub_jsonb_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvBinary:
			if (JsonContainerIsArray(v->val.binary.data))
				return "array";
			if (JsonContainerIsObject(v->val.binary.data))
				return "object";
			return "scalar";
		case jbvArray:
			return "array";
		case jbvObject:
			return "object";
		default:
			return "value";
	}
}

double
ub_jsonb_number(const JsonbValue *v, const char *what)
{
	if (v == NULL || v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a number, not %s", what, v ? ub_jsonb_type_name(v) : "missing")));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
}

char *
ub_jsonb_string(const JsonbValue *v, const char *what)
{
	if (v == NULL || v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a string, not %s", what, v ? ub_jsonb_type_name(v) : "missing")));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

JsonbContainer *
ub_jsonb_container(const JsonbValue *v)
{
	if (v != NULL && v->type == jbvBinary)
		return v->val.binary.data;
	return NULL;
}

int
ub_jsonb_array_length(const JsonbValue *v, const char *what)
{
	JsonbContainer *c = ub_jsonb_container(v);

	if (c == NULL || !JsonContainerIsArray(c) || JsonContainerIsScalar(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an array, not %s", what, v ? ub_jsonb_type_name(v) : "missing")));
	return JsonContainerSize(c);
}

JsonbValue *
ub_jsonb_array_element(const JsonbValue *v, int i)
{
	return getIthJsonbValueFromContainer(ub_jsonb_container(v), i);
}

void
ub_json_key(StringInfo buf, const char *key)
{
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
}

void
ub_json_string(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}

void
ub_json_number(StringInfo buf, double v)
{
	if (isnan(v) || isinf(v))
		appendStringInfoString(buf, "null");
	else
	{
		/* float8out gives the shortest text that reads back to the same double */
		char	   *s = float8out_internal(v);

		appendStringInfoString(buf, s);
		pfree(s);
	}
}

Jsonb *
ub_json_to_jsonb(StringInfo buf)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data)));
}
