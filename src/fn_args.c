/* fn_args.c: one error for a NULL argument, named from the catalog so no caller spells it, one
 * for an aggregate support function called by hand, and the checks of a function that stores
 * versions (a writable server, a sane model name). */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xlog.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "fn_args.h"

/* The argument's declared name, or "$n" for an unnamed one (the aggregates' support functions). */
static char *
argument_name(Oid fn_oid, int argno)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	char	   *result = NULL;

	if (HeapTupleIsValid(tuple))
	{
		Oid		   *types;
		char	  **names;
		char	   *modes;
		int			n = get_func_arg_info(tuple, &types, &names, &modes);

		if (names != NULL && argno < n && names[argno] != NULL && names[argno][0] != '\0')
			result = pstrdup(names[argno]);
		ReleaseSysCache(tuple);
	}
	return result != NULL ? result : psprintf("$%d", argno + 1);
}

void
ub_null_argument_error(FunctionCallInfo fcinfo, int argno)
{
	Oid			fn_oid = fcinfo->flinfo != NULL ? fcinfo->flinfo->fn_oid : InvalidOid;
	char	   *fn_name = OidIsValid(fn_oid) ? get_func_name(fn_oid) : NULL;

	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("argument \"%s\" of %s must not be NULL",
					OidIsValid(fn_oid) ? argument_name(fn_oid, argno) : psprintf("$%d", argno + 1),
					fn_name != NULL ? fn_name : "this ubehav function"),
			 errhint("Pass a value; only arguments declared DEFAULT NULL may be NULL.")));
}

void
ub_require_args(FunctionCallInfo fcinfo, uint32 may_be_null)
{
	int			i;

	for (i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i) && (i >= 32 || (may_be_null & (1u << i)) == 0))
			ub_null_argument_error(fcinfo, i);
}

MemoryContext
ub_require_aggregate_call(FunctionCallInfo fcinfo, const char *aggregates)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is a support function of an aggregate and cannot be called directly",
						fcinfo->flinfo != NULL && OidIsValid(fcinfo->flinfo->fn_oid) ?
						get_func_name(fcinfo->flinfo->fn_oid) : "this function"),
				 errhint("Call the aggregate instead: %s.", aggregates)));
	return aggcxt;
}

PG_FUNCTION_INFO_V1(ubehav_require_args);
/* The same rule for the SQL and PL/pgSQL functions: (function, argument names, which are NULL). */
Datum
ubehav_require_args(PG_FUNCTION_ARGS)
{
	text	   *function = PG_GETARG_TEXT_PP(0);
	ArrayType  *names = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *isnull = PG_GETARG_ARRAYTYPE_P(2);
	Datum	   *name_elems,
			   *null_elems;
	bool	   *name_nulls,
			   *null_nulls;
	int			n_names,
				n_nulls,
				i;

	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &name_elems, &name_nulls, &n_names);
	deconstruct_array(isnull, BOOLOID, 1, true, TYPALIGN_CHAR, &null_elems, &null_nulls, &n_nulls);
	if (n_names != n_nulls)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ubehav_require_args needs as many names as NULL flags, not %d and %d", n_names, n_nulls)));
	for (i = 0; i < n_nulls; i++)
		if (!null_nulls[i] && DatumGetBool(null_elems[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument \"%s\" of %s must not be NULL",
							name_nulls[i] ? "?" : TextDatumGetCString(name_elems[i]), text_to_cstring(function)),
					 errhint("Pass a value; only arguments declared DEFAULT NULL may be NULL.")));
	PG_RETURN_VOID();
}

void
ub_check_writable(const char *function)
{
	/* a standby could read and train for minutes only to fail at the insert */
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("%s cannot run on a standby", function),
				 errhint("Train on the primary; the new version reaches the standby by replication.")));
}

/* A model name is shown in messages and used as a key: printable and of sane length. */
void
ub_check_model_name(const char *name)
{
	size_t		len = strlen(name);
	const unsigned char *p;

	if (len == 0 || len > 200)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model name must be 1 to 200 characters long, not %zu", len)));
	for (p = (const unsigned char *) name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model name must not contain control characters")));
}
