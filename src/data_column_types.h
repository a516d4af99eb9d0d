/* data_column_types.h: which SQL types ubehav takes as features or targets, and how it reads them. */
#ifndef UBEHAV_COLUMN_TYPES_H
#define UBEHAV_COLUMN_TYPES_H

#include "postgres.h"

typedef enum UbColumnKind
{
	UB_KIND_UNSUPPORTED = 0,
	UB_KIND_NUMERIC,			/* smallint, integer, bigint, real, double precision, numeric */
	UB_KIND_BOOLEAN,
	UB_KIND_CATEGORICAL,		/* text, varchar, char(n) */
	UB_KIND_ARRAY,				/* real[], double precision[], smallint[], integer[], bigint[], numeric[] */
	UB_KIND_TEXT				/* free text: tsvector, or a text column named in "text_columns" (prep_text.h) */
} UbColumnKind;

UbColumnKind ub_column_kind(Oid typid);
const char *ub_kind_name(UbColumnKind kind);
UbColumnKind ub_kind_from_name(const char *name);
/* True for the integer types, which may be class labels. */
bool		ub_type_is_integer(Oid typid);

/* A numeric or boolean datum as double (numeric NaN stays NaN; the caller rejects non-finite values). */
double		ub_datum_to_double(Datum d, Oid typid);

/*
 * Elements of a one-dimensional numeric array as doubles into out[0..*n); NULL elements become NaN
 * and set *has_null. ERROR naming column when the array is multidimensional.
 * Returns a palloc'd array, or a pointer into the (detoasted) datum for float8[] without NULLs:
 * read-only either way.
 */
double	   *ub_array_to_doubles(Datum d, const char *column, int *n, bool *has_null);

#endif
