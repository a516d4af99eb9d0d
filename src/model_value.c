/* model_value.c: training as an aggregate (one model per GROUP BY group) and scoring with a model value. */
#include "postgres.h"

#include "fn_args.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "data_query.h"
#include "model_export.h"
#include "jsonb_util.h"
#include "nn/nn.h"
#include "nn_error.h"
#include "options.h"
#include "model_merge.h"
#include "model_value.h"
#include "score_predict.h"
#include "score_row_binding.h"
#include "train_pipeline.h"

FitState *
ub_fit_state_new(MemoryContext aggcxt, Oid label_type)
{
	TupleDesc	desc;
	MemoryContext mcxt = AllocSetContextCreate(aggcxt, "ubehav_fit rows", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	FitState   *st = palloc0(sizeof(FitState));

	st->mcxt = mcxt;
	st->label_type = label_type;
	/* the rows look like the result of "SELECT features, label": one array feature and the target */
	desc = CreateTemplateTupleDesc(2);
	TupleDescInitEntry(desc, 1, "features", FLOAT8ARRAYOID, -1, 0);
	TupleDescInitEntry(desc, 2, "label", label_type, -1, 0);
	st->ds = ub_dataset_begin(desc, "label", mcxt);
	MemoryContextSwitchTo(old);
	return st;
}

/*
 * The transition of ubehav_fit (features at argument 1) and of ubehav_fit_from (the model value
 * to start from at argument 1, then the same arguments).
 */
static FitState *
fit_accum(FunctionCallInfo fcinfo, const char *aggregate, int first)
{
	MemoryContext aggcxt;
	FitState   *st;
	Datum		values[2];
	bool		nulls[2];

	aggcxt = ub_require_aggregate_call(fcinfo, aggregate);
	st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	if (st == NULL)
		st = ub_fit_state_new(aggcxt, get_fn_expr_argtype(fcinfo->flinfo, first + 1));
	if (first == 2 && st->init == NULL && !PG_ARGISNULL(1))
	{
		Jsonb	   *init = PG_GETARG_JSONB_P(1);

		st->init = (Jsonb *) MemoryContextAlloc(st->mcxt, VARSIZE(init));
		memcpy(st->init, init, VARSIZE(init));
	}
	if (st->options == NULL && !PG_ARGISNULL(first + 2))
	{
		Jsonb	   *opts = PG_GETARG_JSONB_P(first + 2);
		UbOptions	check;

		/* checked on the first row, so a wrong option fails before gathering the whole group */
		ub_options_parse(opts, &check);
		ub_options_refuse_group_by(&check, "ubehav_fit (group with GROUP BY instead)");
		if (check.warm_start || check.sample_weight || check.deploy_mode != UB_DEPLOY_ALWAYS || check.n_exclude > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("options \"warm_start\", \"sample_weight\", \"deploy\" and \"exclude\" do not apply to ubehav_fit"),
					 errhint("ubehav_fit returns a model value and stores nothing; use ubehav_train for catalog models.")));
		st->options = (Jsonb *) MemoryContextAlloc(st->mcxt, VARSIZE(opts));
		memcpy(st->options, opts, VARSIZE(opts));
	}
	values[0] = PG_ARGISNULL(first) ? (Datum) 0 : PG_GETARG_DATUM(first);
	nulls[0] = PG_ARGISNULL(first);
	values[1] = PG_ARGISNULL(first + 1) ? (Datum) 0 : PG_GETARG_DATUM(first + 1);
	nulls[1] = PG_ARGISNULL(first + 1);
	ub_dataset_add_row(st->ds, values, nulls);
	return st;
}

PG_FUNCTION_INFO_V1(ubehav_fit_accum);
Datum
ubehav_fit_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(fit_accum(fcinfo, "ubehav_fit", 1));
}

PG_FUNCTION_INFO_V1(ubehav_fit_from_accum);
Datum
ubehav_fit_from_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(fit_accum(fcinfo, "ubehav_fit_from", 2));
}

/* The final function of both: train on the group's rows, from st->init when there is one. */
static Datum
fit_final(FunctionCallInfo fcinfo, const char *aggregate)
{
	FitState   *st;
	MemoryContext caller_cxt = CurrentMemoryContext,
				work_cxt;
	UbOptions	opts;
	UbDataset  *ds;
	UbTarget   *tgt;
	NnRng		rng;
	uint32	   *order;
	size_t		n,
				n_train;
	size_t	   *class_counts = NULL;
	UbTrainResult res;
	UbModel		m;
	UbModel    *init = NULL;
	StringInfoData buf;
	Jsonb	   *result;
	Jsonb	   *options;

	(void) ub_require_aggregate_call(fcinfo, aggregate);
	st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	if (st == NULL)
		PG_RETURN_NULL();
	if (st->combined)
		ub_fit_state_canonical_order(st);
	ds = st->ds;
	if (ds->n_rows < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s got %zu rows with a label; at least 2 are needed", aggregate, ds->n_rows),
				 errdetail(INT64_FORMAT " rows had a NULL label.", ds->n_skipped)));
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav_fit training", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work_cxt);
	options = st->options;
	if (st->init != NULL)
	{
		/* the starting value's options (its architecture) with the group's on top (epochs per round) */
		init = ub_model_from_export(st->init, work_cxt);
		options = ub_fit_from_options(st->init, st->options);
	}
	ub_options_parse(options, &opts);
	n = ds->n_rows;
	tgt = ub_train_target(ds, &opts);
	nn_rng_seed(&rng, (uint64) opts.seed);
	order = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	if (tgt->task != UB_TASK_REGRESSION)
		class_counts = palloc0(sizeof(size_t) * tgt->n_classes);
	ub_check_nn_status(nn_split(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, n,
								opts.validation_split, &rng, order, &n_train, class_counts),
					   "splitting off validation rows");
	/* one aggregate per GROUP BY group: lines at the rate limit only */
	ub_epoch_notices_begin(aggregate, false, false);
	ub_train_on_split(ds, tgt, &opts, &rng, order, n_train, false, init, &res);

	/* the value is an export, so ubehav_import stores it and numpy scores it like any other */
	memset(&m, 0, sizeof(m));
	m.task = tgt->task;
	m.spec = res.spec;
	m.params = res.params;
	m.n_params = res.n_params;
	m.n_classes = tgt->n_classes;
	m.labels = tgt->labels;
	opts.task = tgt->task;
	res.metrics.data[res.metrics.len - 1] = ',';
	appendStringInfo(&res.metrics, "\"rows_used\":%zu,\"rows_skipped\":" INT64_FORMAT "}", n, ds->n_skipped);
	initStringInfo(&buf);
	ub_export_text(&buf, &m, aggregate, 0, "label",
				   JsonbToCString(NULL, &ub_options_to_jsonb(&opts)->root, 0), res.metrics.data,
				   JsonbToCString(NULL, &ub_prep_to_jsonb(res.prep)->root, 0));
	MemoryContextSwitchTo(caller_cxt);
	result = ub_json_to_jsonb(&buf);
	MemoryContextDelete(work_cxt);
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(ubehav_fit_final);
Datum
ubehav_fit_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, "ubehav_fit");
}

PG_FUNCTION_INFO_V1(ubehav_fit_from_final);
Datum
ubehav_fit_from_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, "ubehav_fit_from");
}

/* Decoded model values of one call site, so a value repeated on every row is decoded once. */
#define UB_VALUE_CACHE_SIZE 8

typedef struct ValueEntry
{
	uint32		hash;
	Size		len;
	Jsonb	   *value;			/* a copy, to confirm a hash match byte for byte */
	UbModel    *model;
} ValueEntry;

typedef struct ValueCache
{
	int			n;
	int			next;			/* round-robin victim once full */
	ValueEntry	entries[UB_VALUE_CACHE_SIZE];
} ValueCache;

/* The model of argument 0 (an export or ubehav_fit value), decoded or from the call site's cache. */
static UbModel *
value_model(FunctionCallInfo fcinfo)
{
	Jsonb	   *j = PG_GETARG_JSONB_P(0);
	Size		len = VARSIZE(j);
	uint32		hash = hash_bytes((const unsigned char *) j, (int) len);
	ValueCache *cache = fcinfo->flinfo->fn_extra;
	ValueEntry *e;
	UbModel    *model;
	MemoryContext old;
	int			i;

	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ValueCache));
	for (i = 0; i < cache->n; i++)
	{
		e = &cache->entries[i];
		if (e->hash == hash && e->len == len && memcmp(e->value, j, len) == 0)
			return e->model;
	}
	/* decode first: an invalid value raises before any entry changes */
	model = ub_model_from_export(j, fcinfo->flinfo->fn_mcxt);
	if (cache->n < UB_VALUE_CACHE_SIZE)
		e = &cache->entries[cache->n++];
	else
	{
		e = &cache->entries[cache->next];
		cache->next = (cache->next + 1) % UB_VALUE_CACHE_SIZE;
		MemoryContextDelete(e->model->mcxt);
		pfree(e->value);
	}
	e->model = model;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	e->value = palloc(len);
	memcpy(e->value, j, len);
	MemoryContextSwitchTo(old);
	e->hash = hash;
	e->len = len;
	return e->model;
}

/* Encode argument 1 (float8[] or real[]) into the model of argument 0. */
static UbModel *
value_encode(FunctionCallInfo fcinfo)
{
	UbModel    *m = value_model(fcinfo);

	ub_encode_array(m, PG_GETARG_ARRAYTYPE_P(1));
	return m;
}

PG_FUNCTION_INFO_V1(ubehav_predict_value);
Datum
ubehav_predict_value(PG_FUNCTION_ARGS)
{
	return predict_value(value_encode(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_proba_value);
Datum
ubehav_predict_proba_value(PG_FUNCTION_ARGS)
{
	return predict_proba(value_encode(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_class_value);
Datum
ubehav_predict_class_value(PG_FUNCTION_ARGS)
{
	return predict_class(value_encode(fcinfo));
}
