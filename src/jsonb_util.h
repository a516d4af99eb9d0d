/* jsonb_util.h: small readers and a writer for the jsonb values ubehav stores and takes as options. */
#ifndef UBEHAV_JSONB_UTIL_H
#define UBEHAV_JSONB_UTIL_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* Value of key in an object container, or NULL when absent. */
JsonbValue *ub_jsonb_get(JsonbContainer *obj, const char *key);
/* Number as double; ERROR naming what when v is not a number. */
double		ub_jsonb_number(const JsonbValue *v, const char *what);
/* Newly palloc'd C string; ERROR naming what when v is not a string. */
char	   *ub_jsonb_string(const JsonbValue *v, const char *what);
/* Container of an array or object value (NULL when v is a scalar). */
JsonbContainer *ub_jsonb_container(const JsonbValue *v);
/* Number of elements of an array value; ERROR naming what when v is not an array. */
int			ub_jsonb_array_length(const JsonbValue *v, const char *what);
/* Element i of an array value. */
JsonbValue *ub_jsonb_array_element(const JsonbValue *v, int i);
/* Human-readable name of a value's type for error messages. */
const char *ub_jsonb_type_name(const JsonbValue *v);

/* JSON text writers; the caller adds braces, brackets and commas. */
void		ub_json_key(StringInfo buf, const char *key);
void		ub_json_string(StringInfo buf, const char *s);
/* A double with full round-trip precision; NaN and infinities become null. */
void		ub_json_number(StringInfo buf, double v);
/* JSON text to jsonb. */
Jsonb	   *ub_json_to_jsonb(StringInfo buf);

#endif
