/* data_column_types.c: conversion of supported SQL values to doubles, in one place for training and scoring. */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "data_column_types.h"

static bool
is_numeric_scalar(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID ||
		typid == FLOAT4OID || typid == FLOAT8OID || typid == NUMERICOID;
}

UbColumnKind
ub_column_kind(Oid typid)
{
	typid = getBaseType(typid);
	if (is_numeric_scalar(typid))
		return UB_KIND_NUMERIC;
	if (typid == BOOLOID)
		return UB_KIND_BOOLEAN;
	if (typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID)
		return UB_KIND_CATEGORICAL;
	if (typid == INT2ARRAYOID || typid == INT4ARRAYOID || typid == INT8ARRAYOID ||
		typid == FLOAT4ARRAYOID || typid == FLOAT8ARRAYOID || typid == NUMERICARRAYOID)
		return UB_KIND_ARRAY;
	if (typid == TSVECTOROID)
		return UB_KIND_TEXT;
	return UB_KIND_UNSUPPORTED;
}

const char *
ub_kind_name(UbColumnKind kind)
{
	switch (kind)
	{
		case UB_KIND_NUMERIC:
			return "numeric";
		case UB_KIND_BOOLEAN:
			return "boolean";
		case UB_KIND_CATEGORICAL:
			return "categorical";
		case UB_KIND_ARRAY:
			return "array";
		case UB_KIND_TEXT:
			return "text";
		default:
			return "unsupported";
	}
}

UbColumnKind
ub_kind_from_name(const char *name)
{
	if (strcmp(name, "numeric") == 0)
		return UB_KIND_NUMERIC;
	if (strcmp(name, "boolean") == 0)
		return UB_KIND_BOOLEAN;
	if (strcmp(name, "categorical") == 0)
		return UB_KIND_CATEGORICAL;
	if (strcmp(name, "array") == 0)
		return UB_KIND_ARRAY;
	if (strcmp(name, "text") == 0)
		return UB_KIND_TEXT;
	return UB_KIND_UNSUPPORTED;
}

bool
ub_type_is_integer(Oid typid)
{
	typid = getBaseType(typid);
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

double
ub_datum_to_double(Datum d, Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return (double) DatumGetInt16(d);
		case INT4OID:
			return (double) DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return (double) DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
		case BOOLOID:
			return DatumGetBool(d) ? 1.0 : 0.0;
		default:
			return ub_datum_to_double(d, getBaseType(typid));
	}
}

double *
ub_array_to_doubles(Datum d, const char *column, int *n, bool *has_null)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	int			i;
	double	   *out;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("column \"%s\" holds a %d-dimensional array; only one-dimensional arrays are features",
						column, ARR_NDIM(arr)),
				 errhint("Flatten the array in the query, for example with array(SELECT unnest(col)).")));
	*has_null = false;
	if (ARR_NDIM(arr) == 0)
	{
		*n = 0;
		return NULL;
	}
	/* the common case needs no copy: float8 elements without NULLs are already doubles */
	if (elemtype == FLOAT8OID && !ARR_HASNULL(arr))
	{
		*n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
		return (double *) ARR_DATA_PTR(arr);
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &elems, &nulls, &count);
	out = palloc(sizeof(double) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		if (nulls[i])
		{
			out[i] = get_float8_nan();
			*has_null = true;
		}
		else
			out[i] = ub_datum_to_double(elems[i], elemtype);
	}
	*n = count;
	return out;
}
