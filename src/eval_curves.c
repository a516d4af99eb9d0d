/* eval_curves.c: ROC and precision-recall curves of the deployed version on labelled rows, ready to plot. */
#include "postgres.h"

#include <math.h>

#include "fn_args.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "nn/rank_metrics.h"
#include "eval_score_query.h"

/* Rows (threshold, tpr, fpr, precision, recall), one per distinct score, from the highest threshold. */
static Datum
curve(FunctionCallInfo fcinfo, const char *function, bool roc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name;
	char	   *query;
	MemoryContext work_cxt;
	UbScoredRows *rows;
	NnScorePair *pairs;
	NnCurvePoint *points;
	size_t		n_points,
				i;
	double		positives = 0.0,
				negatives;

	ub_require_args(fcinfo, 0);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	InitMaterializedSRF(fcinfo, 0);
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav curve", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	rows = ub_score_labelled_query(name, query, "curve", work_cxt);
	MemoryContextSwitchTo(work_cxt);
	if (rows->model->task != UB_TASK_BINARY)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s needs a binary model, but \"%s\" is a %s model", function, name,
						ub_task_name(rows->model->task))));
	pairs = palloc_extended(sizeof(NnScorePair) * rows->n, MCXT_ALLOC_HUGE);
	points = palloc_extended(sizeof(NnCurvePoint) * rows->n, MCXT_ALLOC_HUGE);
	for (i = 0; i < rows->n; i++)
	{
		pairs[i].score = rows->outputs[i];
		pairs[i].label = rows->y[i];
		positives += rows->y[i] > 0.5f;
	}
	negatives = rows->n - positives;
	if (positives == 0 || (roc && negatives == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs both classes among the labelled rows, but all %zu are %s",
						function, rows->n, positives == 0 ? "negative" : "positive")));
	nn_pairs_sort_desc(pairs, rows->n);
	n_points = nn_pairs_curve(pairs, rows->n, points);

	MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (roc)
	{
		/* the curve starts at (0, 0): a threshold above every score */
		Datum		values[5] = {Float8GetDatum(get_float8_infinity()), Float8GetDatum(0.0), Float8GetDatum(0.0),
		Float8GetDatum(1.0), Float8GetDatum(0.0)};
		bool		nulls[5] = {false, false, false, true, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (i = 0; i < n_points; i++)
	{
		double		tp = points[i].tp,
					fp = points[i].fp;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Float8GetDatum(points[i].threshold);
		values[1] = Float8GetDatum(tp / positives);
		values[2] = Float8GetDatum(negatives > 0 ? fp / negatives : 0.0);
		values[3] = Float8GetDatum(tp / (tp + fp));
		values[4] = Float8GetDatum(tp / positives);
		nulls[2] = negatives == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(ubehav_roc_curve);
Datum
ubehav_roc_curve(PG_FUNCTION_ARGS)
{
	return curve(fcinfo, "ubehav_roc_curve", true);
}

PG_FUNCTION_INFO_V1(ubehav_pr_curve);
Datum
ubehav_pr_curve(PG_FUNCTION_ARGS)
{
	return curve(fcinfo, "ubehav_pr_curve", false);
}
