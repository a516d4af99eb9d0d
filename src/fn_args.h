/* fn_args.h: what a SQL-callable function checks of its call before any work.
 *
 * The one rule for NULL arguments (README, "NULL arguments").
 *
 * A function that computes a value from its arguments is STRICT: NULL in, NULL out. A function
 * that acts (trains, stores, deploys, drops, runs a query, reads a named model's details) refuses
 * a NULL argument with SQLSTATE 22004 naming it, except an argument declared DEFAULT NULL, whose
 * NULL means that default. These entry points call ub_require_args first. */
#ifndef UB_FN_ARGS_H
#define UB_FN_ARGS_H

#include "fmgr.h"

/* Bit n set: argument n may be NULL (it is declared DEFAULT NULL). */
#define UB_MAY_BE_NULL(n) (1u << (n))

/* ERROR 22004 'argument "x" of f must not be NULL' for the first NULL argument not in may_be_null. */
extern void ub_require_args(FunctionCallInfo fcinfo, uint32 may_be_null);

/* The same error for argument argno (0-based) of the function being called. */
extern void ub_null_argument_error(FunctionCallInfo fcinfo, int argno) pg_attribute_noreturn();

/*
 * An aggregate's support function called by hand, outside an aggregate: an error naming the
 * aggregate to call, never an internal error. Returns the aggregate's memory context.
 */
extern MemoryContext ub_require_aggregate_call(FunctionCallInfo fcinfo, const char *aggregates);

/* ERROR on a standby, before any work, for functions that store versions. */
extern void ub_check_writable(const char *function);

/* ERROR unless name is 1 to 200 characters without control characters (every way a model is named). */
extern void ub_check_model_name(const char *name);

#endif
