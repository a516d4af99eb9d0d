/* eval_cross_validate.c: k-fold cross-validation on one read of the query, storing nothing. */
#include "postgres.h"

#include "fn_args.h"
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
#include "train_progress.h"
#include "train_pipeline.h"

#define UB_MAX_FOLDS 100

PG_FUNCTION_INFO_V1(ubehav_cv_folds);

/* One row per fold: (fold, metrics on the held-out fold, training, validation and test rows). */
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

	ub_require_args(fcinfo, 0);
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	folds = PG_GETARG_INT32(3);
	if (folds < 2 || folds > UB_MAX_FOLDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds must be between 2 and %d, not %d", UB_MAX_FOLDS, folds)));
	ub_options_parse(PG_GETARG_JSONB_P(2), &opts);
	ub_options_refuse_group_by(&opts, "ubehav_cross_validate");

	InitMaterializedSRF(fcinfo, 0);
	ub_progress_begin("ubehav_cross_validate", NULL);
	cv_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav cross-validation", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(cv_cxt);
	ds = ub_train_read(query, target, &opts, false, cv_cxt);
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
		size_t		n_other = 0,
					n_train,
					n_test = 0;
		UbTrainResult res;
		NnRng		fold_rng;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		MemoryContext old;

		/* the other folds train, this one is the test set */
		for (r = 0; r < n; r++)
			if (fold_of[r] != (uint32) f)
				work[n_other++] = (uint32) r;
		for (r = 0; r < n; r++)
			if (fold_of[r] == (uint32) f)
				order[n_other + n_test++] = (uint32) r;
		/* each fold's split, initialisation and shuffles depend on the seed and the fold alone */
		nn_rng_seed(&fold_rng, (uint64) opts.seed * 1000003u + (uint64) f + 1);
		MemoryContextSwitchTo(fold_cxt);

		/*
		 * Early stopping, the learning-rate schedule and the F1 threshold watch validation rows
		 * split off the other folds as ubehav_train would split them, never the test fold:
		 * choosing the epoch or the threshold on the fold that is scored would flatter it.
		 */
		n_train = n_other;
		if (opts.validation_split > 0.0)
		{
			float	   *classes = NULL;
			uint32	   *inner = palloc_extended(sizeof(uint32) * n_other, MCXT_ALLOC_HUGE);

			if (tgt->task != UB_TASK_REGRESSION)
			{
				classes = palloc_extended(sizeof(float) * n_other, MCXT_ALLOC_HUGE);
				for (r = 0; r < n_other; r++)
					classes[r] = tgt->y[work[r]];
			}
			ub_check_nn_status(nn_split(classes, tgt->n_classes, n_other, opts.validation_split, &fold_rng,
										inner, &n_train, class_counts),
							   "splitting off validation rows");
			for (r = 0; r < n_other; r++)
				order[r] = work[inner[r]];
		}
		else
			memcpy(order, work, sizeof(uint32) * n_other);
		if (n_train == n_other && (opts.early_stopping || opts.schedule == UB_SCHEDULE_PLATEAU))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fold %d leaves only %zu rows to train on, too few to split off validation rows for early stopping",
							f + 1, n_other),
					 errhint("Use fewer folds or more rows, or set \"early_stopping\" to false.")));
		ub_progress_fold(f + 1, folds);
		{
			char		label[32];

			snprintf(label, sizeof(label), "fold %d/%d", f + 1, folds);
			ub_epoch_notices_begin(label, true, true);
		}
		ub_train_on_splits(ds, tgt, &opts, &fold_rng, order, n_train, n_other - n_train, true, NULL, &res);
		old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
		values[0] = Int32GetDatum(f + 1);
		values[1] = JsonbPGetDatum(ub_json_to_jsonb(&res.metrics));
		values[2] = Int64GetDatum((int64) n_train);
		values[3] = Int64GetDatum((int64) (n_other - n_train));
		values[4] = Int64GetDatum((int64) n_test);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(fold_cxt);
	}
	SPI_finish();
	MemoryContextDelete(cv_cxt);
	ub_progress_end();
	return (Datum) 0;
}
