/* cross_validate.c: k-fold cross-validation on one read of the query, storing nothing. */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "jsonb_util.h"
#include "nn/split.h"
#include "nn_error.h"
#include "train_core.h"

#define UB_MAX_FOLDS 100

PG_FUNCTION_INFO_V1(ubehav_cv_folds);

/* One row per fold: (fold, metrics on the held-out fold, training rows, validation rows). */
Datum
ubehav_cv_folds(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *query,
			   *target;
	int			folds;
	UbOptions	opts;
	MemoryContext cv_cxt,
				fold_cxt;
	UbDataset  *ds;
	UbTarget   *tgt;
	NnRng		rng;
	uint32	   *fold_of,
			   *work,
			   *order;
	size_t	   *class_counts = NULL;
	size_t		n,
				r;
	int			f;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("query, target and folds of ubehav_cross_validate must not be NULL")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	folds = PG_GETARG_INT32(3);
	if (folds < 2 || folds > UB_MAX_FOLDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds must be between 2 and %d, not %d", UB_MAX_FOLDS, folds)));
	ub_options_parse(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &opts);

	InitMaterializedSRF(fcinfo, 0);
	cv_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav cross-validation", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(cv_cxt);
	ds = ub_train_read(query, target, &opts, cv_cxt);
	n = ds->n_rows;
	if ((size_t) folds > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d folds need at least %d rows, but the query gave %zu", folds, folds, n)));
	tgt = ub_train_target(ds, &opts);
	fold_of = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	work = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	order = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	if (tgt->task != UB_TASK_REGRESSION)
		class_counts = palloc(sizeof(size_t) * tgt->n_classes);
	nn_rng_seed(&rng, (uint64) opts.seed);
	ub_check_nn_status(nn_kfold(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, n, folds,
								&rng, fold_of, work, class_counts),
					   "assigning rows to folds");
	fold_cxt = AllocSetContextCreate(cv_cxt, "ubehav fold", ALLOCSET_DEFAULT_SIZES);

	for (f = 0; f < folds; f++)
	{
		size_t		n_train = 0,
					n_val = 0;
		UbTrainResult res;
		NnRng		fold_rng;
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		MemoryContext old;

		/* the other folds train, this one validates */
		for (r = 0; r < n; r++)
			if (fold_of[r] != (uint32) f)
				order[n_train++] = (uint32) r;
		for (r = 0; r < n; r++)
			if (fold_of[r] == (uint32) f)
				order[n_train + n_val++] = (uint32) r;
		/* each fold's initialisation and shuffles depend on the seed and the fold alone */
		nn_rng_seed(&fold_rng, (uint64) opts.seed * 1000003u + (uint64) f + 1);
		MemoryContextSwitchTo(fold_cxt);
		ub_train_on_split(ds, tgt, &opts, &fold_rng, order, n_train, true, NULL, &res);
		old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
		values[0] = Int32GetDatum(f + 1);
		values[1] = JsonbPGetDatum(ub_json_to_jsonb(&res.metrics));
		values[2] = Int64GetDatum((int64) n_train);
		values[3] = Int64GetDatum((int64) n_val);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(fold_cxt);
	}
	SPI_finish();
	MemoryContextDelete(cv_cxt);
	return (Datum) 0;
}
