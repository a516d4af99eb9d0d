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

/*
 * Score every labelled row of query with the deployed version of name. SPI must be connected;
 * everything is allocated in mcxt. Rows with a NULL target, or a class the model does not know,
 * are skipped and counted.
 */
UbScoredRows *
ub_score_labelled_query(const char *name, const char *query, const char *purpose, MemoryContext mcxt)
{
	UbScoredRows *res = MemoryContextAllocZero(mcxt, sizeof(UbScoredRows));
	MemoryContext chunk_cxt;
	UbModel    *model;
	SPIPlanPtr	plan;
	Portal		portal;
	UbRowBinding *binding;
	UbStringDict *classes = NULL;
	Datum	   *values;
	bool	   *nulls;
	float	   *outputs = NULL,
			   *y = NULL;
	size_t		n = 0,
				cap = 0;
	int64		skipped = 0,
				unknown = 0,
				no_network = 0;
	int			K,
				k;
	/* a group_by version scores each row with its group's network */
	int			group_attno = -1;
	FmgrInfo	group_output;
	UbRowBinding **group_bindings = NULL;

	MemoryContextSwitchTo(mcxt);
	res->version = ub_catalog_deployed_version(name).version;
	/* a private copy: the query below may run scoring functions that churn the cache */
	model = ub_catalog_load(name, res->version, mcxt);
	MemoryContextSwitchTo(mcxt);
	if (model->task == UB_TASK_MULTICLASS)
		ub_require_single_network(model, "scoring a multiclass model on a query");
	K = model->n_groups > 0 ? 1 : model->spec.n_outputs;
	if (model->task != UB_TASK_REGRESSION)
	{
		classes = ub_dict_create(mcxt);
		for (k = 0; k < model->n_classes; k++)
			ub_dict_code(classes, model->labels[k], strlen(model->labels[k]));
	}

	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the %s query: %s", purpose, SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, purpose);
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	MemoryContextSwitchTo(mcxt);
	if (model->n_groups > 0)
	{
		Oid			output;
		bool		varlena;

		for (k = 0; k < portal->tupDesc->natts && group_attno < 0; k++)
			if (!TupleDescAttr(portal->tupDesc, k)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(portal->tupDesc, k)->attname), model->group_by) == 0)
				group_attno = k;
		if (group_attno < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("model \"%s\" has one network per value of \"%s\", but the %s query has no such column",
							name, model->group_by, purpose),
					 errhint("Return the column \"%s\" from the query.", model->group_by)));
		getTypeOutputInfo(TupleDescAttr(portal->tupDesc, group_attno)->atttypid, &output, &varlena);
		fmgr_info_cxt(output, &group_output, mcxt);
		group_bindings = palloc0(sizeof(UbRowBinding *) * model->n_groups);
		binding = ub_binding_create(model->groups[0], portal->tupDesc);
	}
	else
		binding = ub_binding_create(model, portal->tupDesc);
	ub_binding_require_target(binding, model, purpose);
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
		if (n + SPI_processed > cap)
		{
			cap = Max(cap * 2, n + SPI_processed);
			outputs = outputs ? repalloc_huge(outputs, sizeof(float) * cap * K) :
				MemoryContextAllocHuge(mcxt, sizeof(float) * cap * K);
			y = y ? repalloc_huge(y, sizeof(float) * cap) : MemoryContextAllocHuge(mcxt, sizeof(float) * cap);
		}
		old = MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++)
		{
			int			t = binding->target_attno;
			UbModel    *scorer;
			UbRowBinding *row_binding;

			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, values, nulls);
			if (nulls[t])
			{
				skipped++;
				continue;
			}
			if (model->task == UB_TASK_REGRESSION)
			{
				double		v = ub_datum_to_double(values[t], binding->target_typid);

				if (!isfinite(v))
				{
					skipped++;
					continue;
				}
				y[n] = (float) v;
			}
			else
			{
				char	   *label = ub_label_of_datum(values[t], binding->target_typid);
				int			before = classes->n;
				int			code = ub_dict_code(classes, label, strlen(label));

				/* a label the model never saw cannot be scored by its probabilities */
				if (code >= model->n_classes || classes->n != before)
				{
					unknown++;
					continue;
				}
				y[n] = (float) code;
			}
			scorer = model;
			row_binding = binding;
			if (model->n_groups > 0)
			{
				int			g = nulls[group_attno] ? -1 :
					ub_model_group_index(model, OutputFunctionCall(&group_output, values[group_attno]));

				if (g < 0)
				{
					no_network++;
					continue;
				}
				if (group_bindings[g] == NULL)
				{
					MemoryContextSwitchTo(mcxt);
					group_bindings[g] = ub_binding_create(model->groups[g], portal->tupDesc);
					MemoryContextSwitchTo(chunk_cxt);
				}
				scorer = model->groups[g];
				row_binding = group_bindings[g];
			}
			ub_binding_encode(row_binding, scorer, values, nulls);
			if (model->task == UB_TASK_REGRESSION)
				outputs[n] = (float) ub_model_score(scorer);
			else
			{
				ub_model_score(scorer);
				memcpy(outputs + n * K, scorer->out, sizeof(float) * K);
			}
			n++;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	skipped += no_network;
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s query gave no rows with a known target value", purpose),
				 errdetail(INT64_FORMAT " rows had a NULL target and " INT64_FORMAT " a class the model does not know.",
						   skipped, unknown)));
	if (no_network > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows whose \"%s\" has no network in model \"%s\" version %d",
						no_network, model->group_by, name, res->version),
				 errhint("Their groups were absent or too small when the version was trained.")));
	if (unknown > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows whose target is not one of the classes of model \"%s\"",
						unknown, name)));

	res->model = model;
	res->outputs = outputs;
	res->y = y;
	res->n = n;
	res->skipped = skipped + unknown;
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
