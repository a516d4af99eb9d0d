/* eval_evaluate.c: ubehav_evaluate, the deployed version's metrics on any labelled query. */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"

#include "catalog_read.h"
#include "data_query.h"
#include "data_string_dict.h"
#include "eval_metrics.h"
#include "eval_score_query.h"
#include "jsonb_util.h"
#include "model.h"
#include "prep_target.h"
#include "score_row_binding.h"

#define UB_FETCH_ROWS 10000

/* The scoring of one query's rows: the model, how its columns bind, and what was scored so far. */
typedef struct LabelledScoring
{
	UbModel    *model;
	MemoryContext mcxt;
	TupleDesc	tupdesc;
	UbRowBinding *binding;
	UbStringDict *classes;
	int			K;
	/* a group_by version scores each row with its group's network */
	int			group_attno;
	FmgrInfo	group_output;
	UbRowBinding **group_bindings;
	float	   *outputs;
	float	   *y;
	size_t		n;
	size_t		cap;
	int64		skipped;
	int64		unknown;
	int64		no_network;
} LabelledScoring;

/* Bind the query's columns to the model (and, for group_by, find the group column). */
static void
bind_columns(LabelledScoring *st, const char *name, const char *purpose)
{
	UbModel    *model = st->model;
	TupleDesc	desc = st->tupdesc;
	int			k;

	st->group_attno = -1;
	if (model->n_groups > 0)
	{
		Oid			output;
		bool		varlena;

		for (k = 0; k < desc->natts && st->group_attno < 0; k++)
			if (!TupleDescAttr(desc, k)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, k)->attname), model->group_by) == 0)
				st->group_attno = k;
		if (st->group_attno < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("model \"%s\" has one network per value of \"%s\", but the %s query has no such column",
							name, model->group_by, purpose),
					 errhint("Return the column \"%s\" from the query.", model->group_by)));
		getTypeOutputInfo(TupleDescAttr(desc, st->group_attno)->atttypid, &output, &varlena);
		fmgr_info_cxt(output, &st->group_output, st->mcxt);
		st->group_bindings = palloc0(sizeof(UbRowBinding *) * model->n_groups);
		st->binding = ub_binding_create(model->groups[0], desc);
	}
	else
		st->binding = ub_binding_create(model, desc);
	ub_binding_require_target(st->binding, model, purpose);
}

/* Score one fetched row into st (current context: the chunk's), or count why it is skipped. */
static void
score_row(LabelledScoring *st, Datum *values, bool *nulls, MemoryContext chunk_cxt)
{
	UbModel    *model = st->model;
	int			t = st->binding->target_attno;
	UbModel    *scorer;
	UbRowBinding *row_binding;

	if (nulls[t])
	{
		st->skipped++;
		return;
	}
	if (model->task == UB_TASK_REGRESSION)
	{
		double		v = ub_datum_to_double(values[t], st->binding->target_typid);

		if (!isfinite(v))
		{
			st->skipped++;
			return;
		}
		st->y[st->n] = (float) v;
	}
	else
	{
		char	   *label = ub_label_of_datum(values[t], st->binding->target_typid);
		int			before = st->classes->n;
		int			code = ub_dict_code(st->classes, label, strlen(label));

		/* a label the model never saw cannot be scored by its probabilities */
		if (code >= model->n_classes || st->classes->n != before)
		{
			st->unknown++;
			return;
		}
		st->y[st->n] = (float) code;
	}
	scorer = model;
	row_binding = st->binding;
	if (model->n_groups > 0)
	{
		int			g = nulls[st->group_attno] ? -1 :
			ub_model_group_index(model, OutputFunctionCall(&st->group_output, values[st->group_attno]));

		if (g < 0)
		{
			st->no_network++;
			return;
		}
		if (st->group_bindings[g] == NULL)
		{
			MemoryContextSwitchTo(st->mcxt);
			st->group_bindings[g] = ub_binding_create(model->groups[g], st->tupdesc);
			MemoryContextSwitchTo(chunk_cxt);
		}
		scorer = model->groups[g];
		row_binding = st->group_bindings[g];
	}
	ub_binding_encode(row_binding, scorer, values, nulls);
	if (model->task == UB_TASK_REGRESSION)
		st->outputs[st->n] = (float) ub_model_score(scorer);
	else
	{
		ub_model_score(scorer);
		memcpy(st->outputs + st->n * st->K, scorer->out, sizeof(float) * st->K);
	}
	st->n++;
}

/*
 * Score every labelled row of query with the deployed version of name. SPI must be connected;
 * everything is allocated in mcxt. Rows with a NULL target, or a class the model does not know,
 * are skipped and counted.
 */
UbScoredRows *
ub_score_labelled_query(const char *name, const char *query, const char *purpose, MemoryContext mcxt)
{
	UbScoredRows *res = MemoryContextAllocZero(mcxt, sizeof(UbScoredRows));
	LabelledScoring st;
	MemoryContext chunk_cxt;
	UbModel    *model;
	SPIPlanPtr	plan;
	Portal		portal;
	Datum	   *values;
	bool	   *nulls;
	int			k;

	memset(&st, 0, sizeof(st));
	MemoryContextSwitchTo(mcxt);
	res->version = ub_catalog_deployed_version(name).version;
	/* a private copy: the query below may run scoring functions that churn the cache */
	model = ub_catalog_load(name, res->version, mcxt);
	MemoryContextSwitchTo(mcxt);
	if (model->task == UB_TASK_MULTICLASS)
		ub_require_single_network(model, "scoring a multiclass model on a query");
	st.model = model;
	st.mcxt = mcxt;
	st.K = model->n_groups > 0 ? 1 : model->spec.n_outputs;
	if (model->task != UB_TASK_REGRESSION)
	{
		st.classes = ub_dict_create(mcxt);
		for (k = 0; k < model->n_classes; k++)
			ub_dict_code(st.classes, model->labels[k], strlen(model->labels[k]));
	}

	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the %s query: %s", purpose, SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, purpose);
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	MemoryContextSwitchTo(mcxt);
	st.tupdesc = portal->tupDesc;
	bind_columns(&st, name, purpose);
	values = palloc(sizeof(Datum) * portal->tupDesc->natts);
	nulls = palloc(sizeof(bool) * portal->tupDesc->natts);
	chunk_cxt = AllocSetContextCreate(mcxt, "ubehav evaluate chunk", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		uint64		r;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, UB_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		if (st.n + SPI_processed > st.cap)
		{
			st.cap = Max(st.cap * 2, st.n + SPI_processed);
			st.outputs = st.outputs ? repalloc_huge(st.outputs, sizeof(float) * st.cap * st.K) :
				MemoryContextAllocHuge(mcxt, sizeof(float) * st.cap * st.K);
			st.y = st.y ? repalloc_huge(st.y, sizeof(float) * st.cap) : MemoryContextAllocHuge(mcxt, sizeof(float) * st.cap);
		}
		old = MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++)
		{
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, values, nulls);
			score_row(&st, values, nulls, chunk_cxt);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	st.skipped += st.no_network;
	if (st.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s query gave no rows with a known target value", purpose),
				 errdetail(INT64_FORMAT " rows had a NULL target and " INT64_FORMAT " a class the model does not know.",
						   st.skipped, st.unknown)));
	if (st.no_network > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows whose \"%s\" has no network in model \"%s\" version %d",
						st.no_network, model->group_by, name, res->version),
				 errhint("Their groups were absent or too small when the version was trained.")));
	if (st.unknown > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows whose target is not one of the classes of model \"%s\"",
						st.unknown, name)));

	res->model = model;
	res->outputs = st.outputs;
	res->y = st.y;
	res->n = st.n;
	res->skipped = st.skipped + st.unknown;
	return res;
}

PG_FUNCTION_INFO_V1(ubehav_evaluate);

Datum
ubehav_evaluate(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *query;
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext eval_cxt;
	UbScoredRows *rows;
	UbModel    *model;
	UbJsonbBuilder b;
	Jsonb	   *result;

	ub_require_args(fcinfo, 0);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	eval_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav evaluate", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	rows = ub_score_labelled_query(name, query, "evaluation", eval_cxt);
	model = rows->model;
	MemoryContextSwitchTo(eval_cxt);
	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_string(&b, "model", name);
	ub_jb_kv_int64(&b, "version", rows->version);
	ub_jb_kv_string(&b, "task", ub_task_name(model->task));
	ub_jb_kv_uint64(&b, "rows", rows->n);
	ub_jb_kv_int64(&b, "rows_skipped", rows->skipped);
	ub_metrics_to_jsonb(&b, model->task, rows->outputs, rows->y, rows->n, model->n_classes, model->threshold,
						model->labels);
	ub_jb_object_end(&b);

	MemoryContextSwitchTo(caller_cxt);
	result = ub_jb_finish(&b);
	SPI_finish();
	MemoryContextDelete(eval_cxt);
	PG_RETURN_JSONB_P(result);
}
