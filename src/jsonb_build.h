/*
 * jsonb_build.h: build a jsonb value directly (pushJsonbValue), not as JSON text parsed back.
 *
 * Numbers get exactly the numeric that today's text path gave them: a float8 is printed with
 * float8out_internal (so extra_float_digits applies as it does to float8 output) and read by
 * numeric_in, as jsonb_in would read that text; NaN and infinities become null.
 */
#ifndef UBEHAV_JSONB_BUILD_H
#define UBEHAV_JSONB_BUILD_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

typedef struct UbJsonbBuilder
{
	JsonbParseState *state;		/* open containers, innermost first */
	JsonbValue *result;			/* the finished top-level value */
	JsonbValue	top_scalar;		/* a top-level scalar when no container is open */
} UbJsonbBuilder;

void		ub_jb_init(UbJsonbBuilder *b);
void		ub_jb_object_begin(UbJsonbBuilder *b);
void		ub_jb_object_end(UbJsonbBuilder *b);
void		ub_jb_array_begin(UbJsonbBuilder *b);
void		ub_jb_array_end(UbJsonbBuilder *b);
/* The key of the next value in the innermost object. */
void		ub_jb_key(UbJsonbBuilder *b, const char *key);
/* Values: an object member after ub_jb_key, or an array element. */
void		ub_jb_string(UbJsonbBuilder *b, const char *s);
void		ub_jb_int64(UbJsonbBuilder *b, int64 v);
void		ub_jb_uint64(UbJsonbBuilder *b, uint64 v);
void		ub_jb_float8(UbJsonbBuilder *b, double v);
/* A number given as JSON number text (read by numeric_in, as jsonb_in would). */
void		ub_jb_number_text(UbJsonbBuilder *b, const char *text);
void		ub_jb_bool(UbJsonbBuilder *b, bool v);
void		ub_jb_null(UbJsonbBuilder *b);
/* A whole jsonb (object, array or scalar) as one value; NULL pointer gives null. */
void		ub_jb_jsonb(UbJsonbBuilder *b, Jsonb *j);
/* key + value shorthands for object members. */
void		ub_jb_kv_string(UbJsonbBuilder *b, const char *key, const char *s);
void		ub_jb_kv_int64(UbJsonbBuilder *b, const char *key, int64 v);
void		ub_jb_kv_uint64(UbJsonbBuilder *b, const char *key, uint64 v);
void		ub_jb_kv_float8(UbJsonbBuilder *b, const char *key, double v);
void		ub_jb_kv_bool(UbJsonbBuilder *b, const char *key, bool v);
void		ub_jb_kv_jsonb(UbJsonbBuilder *b, const char *key, Jsonb *j);
/* A count held as a double, with the text %.0f gives it (as the JSON text path wrote counts). */
void		ub_jb_count(UbJsonbBuilder *b, double v);
void		ub_jb_kv_count(UbJsonbBuilder *b, const char *key, double v);
/* key: [v[0], ..., v[n-1]] as float8 numbers. */
void		ub_jb_kv_float8_array(UbJsonbBuilder *b, const char *key, const double *v, int n);
/* The finished value; every container must be closed. */
Jsonb	   *ub_jb_finish(UbJsonbBuilder *b);

/* For callers that still pass JSON text: obj's members, without its braces, appended to buf. */
void		ub_jb_append_members_text(StringInfo buf, Jsonb *obj);

#endif
