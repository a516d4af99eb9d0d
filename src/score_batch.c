/* score_batch.c: ubehav_score, a whole query scored in one call, in blocks of rows through the forward kernels. */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/tuplestore.h"

#include "dataset.h"
#include "model.h"
#include "nn_error.h"
#include "row_binding.h"

#define UB_SCORE_FETCH 10000
#define UB_SCORE_BLOCK 256

PG_FUNCTION_INFO_V1(ubehav_score);

/* Forward one block of encoded rows and append (id, score) rows to the tuplestore. */
static void
flush_block(UbModel *m, const float *block, const int64 *ids, int B, float *workspace, float *out,
			Tuplestorestate *store, TupleDesc desc)
{
	int			r;

	nn_predict_batch(&m->spec, m->params, block, B, out, workspace);
	for (r = 0; r < B; r++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		double		score = out[r];

		if (m->task == UB_TASK_REGRESSION)
			score = score * m->prep->target_std + m->prep->target_mean;
		values[0] = Int64GetDatum(ids[r]);
		values[1] = Float8GetDatum(score);
		tuplestore_putvalues(store, desc, values, nulls);
	}
}

Datum
ubehav_score(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext per_query = rsinfo->econtext->ecxt_per_query_memory;
	MemoryContext work_cxt,
				chunk_cxt,
				old;
	Tuplestorestate *store;
	TupleDesc	result_desc;
	UbModel    *model;
	SPIPlanPtr	plan;
	Portal		portal;
	UbRowBinding *binding;
	Oid			id_type;
	Datum	   *values;
	bool	   *nulls;
	float	   *block,
			   *workspace,
			   *out;
	int64	   *ids;
	size_t		ws_floats;
	int			filled = 0;

	InitMaterializedSRF(fcinfo, 0);
	store = rsinfo->setResult;
	result_desc = rsinfo->setDesc;

	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav score", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(work_cxt);
	model = ub_catalog_load(name, ub_catalog_deployed_version(name).version, work_cxt);
	ub_require_single_network(model, "ubehav_score");
	if (model->task == UB_TASK_MULTICLASS)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("ubehav_score cannot score model \"%s\", which is a multiclass model", name),
				 errhint("Score a multiclass model row by row with ubehav_predict_proba or ubehav_predict_class.")));

	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the scoring query: %s", SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, "scoring");
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	id_type = portal->tupDesc->natts > 0 ? TupleDescAttr(portal->tupDesc, 0)->atttypid : InvalidOid;
	if (id_type != INT2OID && id_type != INT4OID && id_type != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the first column of the scoring query must be an integer key, not %s",
						id_type == InvalidOid ? "missing" : format_type_be(id_type)),
				 errhint("Return a key first, for example SELECT user_id, * FROM users.")));
	binding = ub_binding_create(model, portal->tupDesc);
	values = palloc(sizeof(Datum) * portal->tupDesc->natts);
	nulls = palloc(sizeof(bool) * portal->tupDesc->natts);
	ub_check_nn_status(nn_workspace_floats(&model->spec, UB_SCORE_BLOCK, &ws_floats), "sizing the scoring workspace");
	workspace = palloc(sizeof(float) * ws_floats);
	block = palloc(sizeof(float) * UB_SCORE_BLOCK * model->spec.n_inputs);
	out = palloc(sizeof(float) * UB_SCORE_BLOCK * model->spec.n_outputs);
	ids = palloc(sizeof(int64) * UB_SCORE_BLOCK);
	chunk_cxt = AllocSetContextCreate(work_cxt, "ubehav score chunk", ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		uint64		r;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, UB_SCORE_FETCH);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++)
		{
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, values, nulls);
			if (nulls[0])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the key (first column) of the scoring query is NULL")));
			ids[filled] = id_type == INT8OID ? DatumGetInt64(values[0]) :
				id_type == INT4OID ? DatumGetInt32(values[0]) : DatumGetInt16(values[0]);
			ub_binding_encode(binding, model, values, nulls);
			memcpy(block + (size_t) filled * model->spec.n_inputs,
				   ub_prep_network_input(model->prep, model->x, model->z),
				   sizeof(float) * model->spec.n_inputs);
			if (++filled == UB_SCORE_BLOCK)
			{
				/* the tuplestore lives in the per-query context, the rows it copies too */
				MemoryContextSwitchTo(per_query);
				flush_block(model, block, ids, filled, workspace, out, store, result_desc);
				MemoryContextSwitchTo(chunk_cxt);
				filled = 0;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	if (filled > 0)
	{
		old = MemoryContextSwitchTo(per_query);
		flush_block(model, block, ids, filled, workspace, out, store, result_desc);
		MemoryContextSwitchTo(old);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}
