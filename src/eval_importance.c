/* eval_importance.c: permutation importance (Breiman 2001): how much a metric drops when one column's values are shuffled. */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/tuplestore.h"

#include "catalog_read.h"
#include "data_query.h"
#include "data_row_chunks.h"
#include "model.h"
#include "nn/rank_metrics.h"
#include "nn/rng.h"
#include "nn_error.h"
#include "prep_target.h"
#include "score_row_binding.h"

#define UB_IMPORTANCE_BLOCK 256

/* The task's main metric (higher is better) of the model on every encoded row of X. */
static double
metric(UbModel *m, const UbRowChunks *X, const float *y, size_t n, float *block, float *out,
	   float *workspace, NnScorePair *pairs)
{
	int			p = nn_row_width(&m->spec),
				K = m->spec.n_outputs;
	size_t		r,
				hits = 0;
	double		ss_res = 0.0,
				ss_tot = 0.0,
				mean = 0.0;

	for (r = 0; r < n; r += UB_IMPORTANCE_BLOCK)
	{
		int			B = (int) Min((size_t) UB_IMPORTANCE_BLOCK, n - r);
		int			k,
					c;

		for (k = 0; k < B; k++)
			memcpy(block + (size_t) k * p, ub_prep_network_input(m->prep, ub_chunks_row(X, r + k), m->z),
				   sizeof(float) * p);
		nn_predict_batch(&m->spec, m->params, block, B, out, workspace);
		for (k = 0; k < B; k++)
		{
			const float *o = out + (size_t) k * K;

			if (m->task == UB_TASK_BINARY)
			{
				pairs[r + k].score = o[0];
				pairs[r + k].label = y[r + k];
			}
			else if (m->task == UB_TASK_MULTICLASS)
			{
				int			best = 0;

				for (c = 1; c < K; c++)
					if (o[c] > o[best])
						best = c;
				hits += best == (int) y[r + k];
			}
			else
			{
				double		pred = o[0] * m->prep->target_std + m->prep->target_mean;

				ss_res += (pred - y[r + k]) * (pred - y[r + k]);
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (m->task == UB_TASK_BINARY)
	{
		nn_pairs_sort_desc(pairs, n);
		return nn_pairs_auc(pairs, n);
	}
	if (m->task == UB_TASK_MULTICLASS)
		return (double) hits / n;
	for (r = 0; r < n; r++)
		mean += y[r] / n;
	for (r = 0; r < n; r++)
		ss_tot += (y[r] - mean) * (y[r] - mean);
	return ss_tot > 0 ? 1.0 - ss_res / ss_tot : get_float8_nan();
}

/* Encode every labelled row of the portal into X (labels into *y_out, in work_cxt); their count. */
static size_t
read_labelled_rows(UbModel *m, Portal portal, MemoryContext work_cxt, UbRowChunks *X, float **y_out)
{
	UbRowBinding *binding;
	Datum	   *values;
	bool	   *nulls;
	float	   *y = NULL;
	size_t		n = 0,
				cap = 0;
	int			d = m->prep->n_encoded;
	MemoryContext chunk_cxt,
				old;

	binding = ub_binding_create(m, portal->tupDesc);
	ub_binding_require_target(binding, m, "importance");
	values = palloc(sizeof(Datum) * portal->tupDesc->natts);
	nulls = palloc(sizeof(bool) * portal->tupDesc->natts);
	chunk_cxt = AllocSetContextCreate(work_cxt, "ubehav importance chunk", ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		uint64		r;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++)
		{
			int			t = binding->target_attno;
			float		label;

			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, values, nulls);
			if (nulls[t])
				continue;
			if (m->task == UB_TASK_REGRESSION)
				label = (float) ub_datum_to_double(values[t], binding->target_typid);
			else
			{
				char	   *text = ub_label_of_datum(values[t], binding->target_typid);
				int			k;

				for (k = 0; k < m->n_classes; k++)
					if (strcmp(text, m->labels[k]) == 0)
						break;
				if (k == m->n_classes)
					continue;
				label = (float) k;
			}
			if (n == cap)
			{
				cap = cap ? cap * 2 : 4096;
				y = y ? repalloc_huge(y, sizeof(float) * cap) : MemoryContextAllocHuge(work_cxt, sizeof(float) * cap);
			}
			ub_chunks_reserve(X, n + 1);
			ub_binding_encode(binding, m, values, nulls);
			memcpy(ub_chunks_row(X, n), m->x, sizeof(float) * d);
			y[n++] = label;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	*y_out = y;
	return n;
}

/* The inputs of column f of every row of X. */
static float *
save_column(const UbRowChunks *X, size_t n, const UbFeature *f)
{
	float	   *saved = palloc_extended(sizeof(float) * n * f->width, MCXT_ALLOC_HUGE);
	size_t		r;

	for (r = 0; r < n; r++)
		memcpy(saved + r * f->width, ub_chunks_row(X, r) + f->offset, sizeof(float) * f->width);
	return saved;
}

/* Column f of X's rows set to a random permutation of its saved values. */
static void
shuffle_column(UbRowChunks *X, size_t n, const UbFeature *f, const float *saved, uint32 *perm, NnRng *rng)
{
	size_t		r;

	for (r = 0; r < n; r++)
		perm[r] = (uint32) r;
	nn_rng_shuffle(rng, perm, n);
	for (r = 0; r < n; r++)
		memcpy(ub_chunks_row(X, r) + f->offset, saved + (size_t) perm[r] * f->width, sizeof(float) * f->width);
}

/* Column f of X's rows back to its saved values (and the saved copy freed). */
static void
restore_column(UbRowChunks *X, size_t n, const UbFeature *f, float *saved)
{
	size_t		r;

	for (r = 0; r < n; r++)
		memcpy(ub_chunks_row(X, r) + f->offset, saved + r * f->width, sizeof(float) * f->width);
	pfree(saved);
}

/* One result row: the column, its mean drop over the repeats and their standard deviation. */
static void
put_result(ReturnSetInfo *rsinfo, const char *column, double sum, double sumsq, int repeats, const char *metric_name)
{
	MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	Datum		row[4];
	bool		rownulls[4] = {false, false, false, false};

	row[0] = CStringGetTextDatum(column);
	row[1] = Float8GetDatum(sum / repeats);
	row[2] = Float8GetDatum(repeats > 1 ? sqrt(Max(sumsq / repeats - (sum / repeats) * (sum / repeats), 0.0) *
											  repeats / (repeats - 1)) : 0.0);
	row[3] = CStringGetTextDatum(metric_name);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, rownulls);
	MemoryContextSwitchTo(old);
}

PG_FUNCTION_INFO_V1(ubehav_feature_importance);
Datum
ubehav_feature_importance(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name;
	char	   *query;
	int			repeats;
	int64		seed;
	MemoryContext work_cxt;
	UbModel    *m;
	SPIPlanPtr	plan;
	Portal		portal;
	UbRowChunks X;
	float	   *y = NULL,
			   *block,
			   *out,
			   *workspace,
			   *saved;
	NnScorePair *pairs;
	uint32	   *perm;
	size_t		n,
				ws_floats;
	int			i,
				d;
	double		base;
	const char *metric_name;
	NnRng		rng;

	ub_require_args(fcinfo, 0);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	repeats = PG_GETARG_INT32(2);
	seed = PG_GETARG_INT64(3);
	if (repeats < 1 || repeats > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("repeats must be between 1 and 100, not %d", repeats)));
	InitMaterializedSRF(fcinfo, 0);
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav importance", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(work_cxt);
	m = ub_catalog_load(name, ub_catalog_deployed_version(name).version, work_cxt);
	ub_require_single_network(m, "ubehav_feature_importance");
	MemoryContextSwitchTo(work_cxt);
	d = m->prep->n_encoded;
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the importance query: %s", SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, "importance");
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	MemoryContextSwitchTo(work_cxt);
	ub_chunks_init(&X, d, work_cxt);
	n = read_labelled_rows(m, portal, work_cxt, &X, &y);
	SPI_cursor_close(portal);
	MemoryContextSwitchTo(work_cxt);
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the importance query gave %zu labelled rows; at least 2 are needed", n)));

	ub_check_nn_status(nn_workspace_floats(&m->spec, UB_IMPORTANCE_BLOCK, &ws_floats), "sizing the workspace");
	workspace = palloc(sizeof(float) * ws_floats);
	block = palloc(sizeof(float) * UB_IMPORTANCE_BLOCK * nn_row_width(&m->spec));
	out = palloc(sizeof(float) * UB_IMPORTANCE_BLOCK * m->spec.n_outputs);
	pairs = palloc_extended(sizeof(NnScorePair) * n, MCXT_ALLOC_HUGE);
	perm = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	metric_name = m->task == UB_TASK_BINARY ? "auc" : m->task == UB_TASK_MULTICLASS ? "accuracy" : "r2";
	base = metric(m, &X, y, n, block, out, workspace, pairs);
	if (isnan(base))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s of model \"%s\" is undefined on these rows (one class only, or a constant target)",
						metric_name, name)));
	nn_rng_seed(&rng, (uint64) seed);

	for (i = 0; i < m->prep->n_features; i++)
	{
		const UbFeature *f;
		double		sum = 0.0,
					sumsq = 0.0;
		int			rep;
		UbFeature	slice = m->prep->features[i];

		/* a text column's inputs are the row's pairs (several text columns are shuffled together) */
		if (slice.kind == UB_KIND_TEXT)
		{
			slice.offset = m->prep->n_dense;
			slice.width = 2 * m->prep->n_pairs;
		}
		f = &slice;
		/* the column's inputs of every row, to shuffle from and to restore */
		saved = save_column(&X, n, f);

		for (rep = 0; rep < repeats; rep++)
		{
			double		drop;

			shuffle_column(&X, n, f, saved, perm, &rng);
			drop = base - metric(m, &X, y, n, block, out, workspace, pairs);
			sum += drop;
			sumsq += drop * drop;
		}
		restore_column(&X, n, f, saved);

		put_result(rsinfo, f->name, sum, sumsq, repeats, metric_name);
	}
	SPI_finish();
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}
