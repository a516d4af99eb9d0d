/* jsonb_build.c: a small builder around pushJsonbValue (see jsonb_build.h for the number rule). */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/numeric.h"

#include "jsonb_build.h"

void
ub_jb_init(UbJsonbBuilder *b)
{
	b->state = NULL;
	b->result = NULL;
}

/* Push a scalar (or unpack a binary container) as the member value or array element it is. */
static void
push_value(UbJsonbBuilder *b, JsonbValue *v)
{
	if (b->state == NULL)
	{
		if (b->result != NULL)
			elog(ERROR, "jsonb builder: a second top-level value");
		b->top_scalar = *v;
		b->result = &b->top_scalar;
		return;
	}
	(void) pushJsonbValue(&b->state,
						  b->state->contVal.type == jbvObject ? WJB_VALUE : WJB_ELEM, v);
}

static void
close_container(UbJsonbBuilder *b, JsonbIteratorToken token, enum jbvType expected)
{
	JsonbValue *done;

	if (b->state == NULL || b->state->contVal.type != expected)
		elog(ERROR, "jsonb builder: closing a container that is not open");
	done = pushJsonbValue(&b->state, token, NULL);
	if (b->state == NULL)
		b->result = done;
}

void
ub_jb_object_begin(UbJsonbBuilder *b)
{
	(void) pushJsonbValue(&b->state, WJB_BEGIN_OBJECT, NULL);
}

void
ub_jb_object_end(UbJsonbBuilder *b)
{
	close_container(b, WJB_END_OBJECT, jbvObject);
}

void
ub_jb_array_begin(UbJsonbBuilder *b)
{
	(void) pushJsonbValue(&b->state, WJB_BEGIN_ARRAY, NULL);
}

void
ub_jb_array_end(UbJsonbBuilder *b)
{
	close_container(b, WJB_END_ARRAY, jbvArray);
}

void
ub_jb_key(UbJsonbBuilder *b, const char *key)
{
	JsonbValue	k;

	if (b->state == NULL || b->state->contVal.type != jbvObject)
		elog(ERROR, "jsonb builder: a key outside an object");
	k.type = jbvString;
	k.val.string.val = pstrdup(key);
	k.val.string.len = strlen(key);
	(void) pushJsonbValue(&b->state, WJB_KEY, &k);
}

void
ub_jb_string(UbJsonbBuilder *b, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = pstrdup(s);
	v.val.string.len = strlen(s);
	push_value(b, &v);
}

void
ub_jb_number_text(UbJsonbBuilder *b, const char *text)
{
	JsonbValue	v;

	/* the same call jsonb_in makes for a number token */
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	push_value(b, &v);
}

void
ub_jb_int64(UbJsonbBuilder *b, int64 v)
{
	char		text[32];

	snprintf(text, sizeof(text), INT64_FORMAT, v);
	ub_jb_number_text(b, text);
}

void
ub_jb_uint64(UbJsonbBuilder *b, uint64 v)
{
	char		text[32];

	snprintf(text, sizeof(text), UINT64_FORMAT, v);
	ub_jb_number_text(b, text);
}

void
ub_jb_float8(UbJsonbBuilder *b, double v)
{
	char	   *text;

	if (isnan(v) || isinf(v))
	{
		ub_jb_null(b);
		return;
	}
	/* float8out's text, so the numeric matches what the JSON text path stored */
	text = float8out_internal(v);
	ub_jb_number_text(b, text);
	pfree(text);
}

void
ub_jb_bool(UbJsonbBuilder *b, bool v)
{
	JsonbValue	jv;

	jv.type = jbvBool;
	jv.val.boolean = v;
	push_value(b, &jv);
}

void
ub_jb_null(UbJsonbBuilder *b)
{
	JsonbValue	v;

	v.type = jbvNull;
	push_value(b, &v);
}

void
ub_jb_jsonb(UbJsonbBuilder *b, Jsonb *j)
{
	JsonbValue	v;

	if (j == NULL)
	{
		ub_jb_null(b);
		return;
	}
	if (JB_ROOT_IS_SCALAR(j))
	{
		/* a raw scalar is stored as a one-element array; push the scalar itself */
		if (!JsonbExtractScalar(&j->root, &v))
			elog(ERROR, "jsonb builder: unreadable scalar");
		push_value(b, &v);
		return;
	}
	if (b->state == NULL)
	{
		JsonbIterator *it = JsonbIteratorInit(&j->root);
		JsonbIteratorToken tok;
		JsonbValue	piece;

		/* a whole container at top level: copy it token by token */
		while ((tok = JsonbIteratorNext(&it, &piece, false)) != WJB_DONE)
		{
			JsonbValue *done = pushJsonbValue(&b->state, tok,
											  tok < WJB_BEGIN_ARRAY ? &piece : NULL);

			if (b->state == NULL)
				b->result = done;
		}
		return;
	}
	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	push_value(b, &v);
}

void
ub_jb_kv_string(UbJsonbBuilder *b, const char *key, const char *s)
{
	ub_jb_key(b, key);
	ub_jb_string(b, s);
}

void
ub_jb_kv_int64(UbJsonbBuilder *b, const char *key, int64 v)
{
	ub_jb_key(b, key);
	ub_jb_int64(b, v);
}

void
ub_jb_kv_uint64(UbJsonbBuilder *b, const char *key, uint64 v)
{
	ub_jb_key(b, key);
	ub_jb_uint64(b, v);
}

void
ub_jb_kv_float8(UbJsonbBuilder *b, const char *key, double v)
{
	ub_jb_key(b, key);
	ub_jb_float8(b, v);
}

void
ub_jb_kv_bool(UbJsonbBuilder *b, const char *key, bool v)
{
	ub_jb_key(b, key);
	ub_jb_bool(b, v);
}

void
ub_jb_kv_jsonb(UbJsonbBuilder *b, const char *key, Jsonb *j)
{
	ub_jb_key(b, key);
	ub_jb_jsonb(b, j);
}

void
ub_jb_count(UbJsonbBuilder *b, double v)
{
	char		text[400];		/* %.0f of DBL_MAX is 309 digits */

	snprintf(text, sizeof(text), "%.0f", v);
	ub_jb_number_text(b, text);
}

void
ub_jb_kv_count(UbJsonbBuilder *b, const char *key, double v)
{
	ub_jb_key(b, key);
	ub_jb_count(b, v);
}

void
ub_jb_kv_float8_array(UbJsonbBuilder *b, const char *key, const double *v, int n)
{
	int			k;

	ub_jb_key(b, key);
	ub_jb_array_begin(b);
	for (k = 0; k < n; k++)
		ub_jb_float8(b, v[k]);
	ub_jb_array_end(b);
}

Jsonb *
ub_jb_finish(UbJsonbBuilder *b)
{
	if (b->state != NULL || b->result == NULL)
		elog(ERROR, "jsonb builder: finished with a container still open or nothing built");
	return JsonbValueToJsonb(b->result);
}

void
ub_jb_append_members_text(StringInfo buf, Jsonb *obj)
{
	char	   *text = JsonbToCString(NULL, &obj->root, VARSIZE(obj));
	size_t		len = strlen(text);

	if (!JB_ROOT_IS_OBJECT(obj) || len < 2)
		elog(ERROR, "jsonb builder: members of a value that is not an object");
	appendBinaryStringInfo(buf, text + 1, (int) len - 2);
	pfree(text);
}
