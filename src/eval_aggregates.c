/* eval_aggregates.c: evaluation metrics as aggregates, so dashboards can compare segments with GROUP BY. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"

#include "fn_args.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "nn/metrics.h"
#include "nn/rank_metrics.h"

/* ---- rank metrics (AUC, PR AUC): every (score, label) pair is kept, then sorted once ---- */

typedef struct RankState
{
	int64		n;
	int64		capacity;
	NnScorePair *pairs;
} RankState;

static RankState *
rank_state(FunctionCallInfo fcinfo, MemoryContext *aggcxt)
{
	*aggcxt = ub_require_aggregate_call(fcinfo, "ubehav_auc or ubehav_pr_auc");
	return PG_ARGISNULL(0) ? NULL : (RankState *) PG_GETARG_POINTER(0);
}

static void
rank_push(RankState *st, MemoryContext aggcxt, double score, double label)
{
	if (st->n == st->capacity)
	{
		st->capacity = st->capacity ? st->capacity * 2 : 1024;
		st->pairs = st->pairs ?
			repalloc_huge(st->pairs, sizeof(NnScorePair) * st->capacity) :
			MemoryContextAllocHuge(aggcxt, sizeof(NnScorePair) * st->capacity);
	}
	st->pairs[st->n].score = score;
	st->pairs[st->n].label = label;
	st->n++;
}

/* An integer label as a boolean: 0 or 1, anything else is an error rather than a guess. */
static bool
int_label(int32 label)
{
	if (label != 0 && label != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("integer labels must be 0 or 1, not %d", label),
				 errhint("Pass a boolean label, or compare the label column with the positive value (label = 2).")));
	return label == 1;
}

/* The label argument as a boolean, from a boolean or an integer 0/1 overload. */
static bool
label_arg(FunctionCallInfo fcinfo, int argno, bool integer)
{
	return integer ? int_label(PG_GETARG_INT32(argno)) : PG_GETARG_BOOL(argno);
}

/* (state, score, label): rows with a NULL score or label are left out, as other aggregates do. */
static Datum
rank_accum(FunctionCallInfo fcinfo, bool integer)
{
	MemoryContext aggcxt;
	RankState  *st = rank_state(fcinfo, &aggcxt);
	double		score;

	if (st == NULL)
		st = MemoryContextAllocZero(aggcxt, sizeof(RankState));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	score = PG_GETARG_FLOAT8(1);
	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("score is NaN"),
				 errhint("Filter out or replace NaN scores before computing the metric.")));
	rank_push(st, aggcxt, score, label_arg(fcinfo, 2, integer) ? 1.0 : 0.0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(ubehav_rank_accum);
/* Transition of ubehav_auc and ubehav_pr_auc with boolean labels. */
Datum
ubehav_rank_accum(PG_FUNCTION_ARGS)
{
	return rank_accum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ubehav_rank_accum_int);
/* Transition of ubehav_auc and ubehav_pr_auc with integer 0/1 labels. */
Datum
ubehav_rank_accum_int(PG_FUNCTION_ARGS)
{
	return rank_accum(fcinfo, true);
}

PG_FUNCTION_INFO_V1(ubehav_rank_combine);
Datum
ubehav_rank_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RankState  *a = rank_state(fcinfo, &aggcxt);
	RankState  *b = PG_ARGISNULL(1) ? NULL : (RankState *) PG_GETARG_POINTER(1);
	int64		i;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = MemoryContextAllocZero(aggcxt, sizeof(RankState));
	for (i = 0; i < b->n; i++)
		rank_push(a, aggcxt, b->pairs[i].score, b->pairs[i].label);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(ubehav_rank_serialize);
Datum
ubehav_rank_serialize(PG_FUNCTION_ARGS)
{
	RankState  *st = (RankState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int64		i;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, st->n);
	for (i = 0; i < st->n; i++)
	{
		pq_sendfloat8(&buf, st->pairs[i].score);
		pq_sendbyte(&buf, st->pairs[i].label > 0.5 ? 1 : 0);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(ubehav_rank_deserialize);
Datum
ubehav_rank_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcxt;
	RankState  *st;
	StringInfoData buf;
	int64		n,
				i;

	aggcxt = ub_require_aggregate_call(fcinfo, "ubehav_auc or ubehav_pr_auc");
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	n = pq_getmsgint64(&buf);
	st = MemoryContextAllocZero(aggcxt, sizeof(RankState));
	for (i = 0; i < n; i++)
	{
		double		score = pq_getmsgfloat8(&buf);

		rank_push(st, aggcxt, score, pq_getmsgbyte(&buf) ? 1.0 : 0.0);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* NULL with a NOTICE when one class is missing: the metric is undefined, not zero. */
static bool
rank_defined(RankState *st, const char *metric, bool needs_negatives)
{
	int64		positives = 0,
				i;

	if (st == NULL || st->n == 0)
		return false;
	for (i = 0; i < st->n; i++)
		positives += st->pairs[i].label > 0.5;
	if (positives == 0 || (needs_negatives && positives == st->n))
	{
		ereport(NOTICE,
				(errmsg("%s is undefined for a group whose " INT64_FORMAT " labels are all %s; returning NULL",
						metric, st->n, positives == 0 ? "false" : "true")));
		return false;
	}
	return true;
}

PG_FUNCTION_INFO_V1(ubehav_auc_final);
Datum
ubehav_auc_final(PG_FUNCTION_ARGS)
{
	RankState  *st = PG_ARGISNULL(0) ? NULL : (RankState *) PG_GETARG_POINTER(0);

	if (!rank_defined(st, "ubehav_auc", true))
		PG_RETURN_NULL();
	nn_pairs_sort_desc(st->pairs, st->n);
	PG_RETURN_FLOAT8(nn_pairs_auc(st->pairs, st->n));
}

PG_FUNCTION_INFO_V1(ubehav_pr_auc_final);
Datum
ubehav_pr_auc_final(PG_FUNCTION_ARGS)
{
	RankState  *st = PG_ARGISNULL(0) ? NULL : (RankState *) PG_GETARG_POINTER(0);

	if (!rank_defined(st, "ubehav_pr_auc", false))
		PG_RETURN_NULL();
	nn_pairs_sort_desc(st->pairs, st->n);
	PG_RETURN_FLOAT8(nn_pairs_average_precision(st->pairs, st->n));
}

/* ---- additive metrics: a float8[] of sums, combined by adding element by element ---- */

/* Only a caller of the support function itself can pass a malformed state: say what to call instead. */
static void
bad_state(const char *shape)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("ubehav aggregate state must be %s", shape),
			 errhint("This is a support function of ubehav's metric aggregates (ubehav_log_loss, ubehav_rmse, ubehav_mae, ubehav_r2, ubehav_confusion): call the aggregate instead.")));
}

/* The state array, modified in place when called as an aggregate (it is ours then). */
static float8 *
sums_state(FunctionCallInfo fcinfo, int len, ArrayType **arr)
{
	/* NULL only when called by hand: the aggregates start from INITCOND and never pass NULL */
	if (PG_ARGISNULL(0))
		bad_state(psprintf("a float8[%d] without NULLs, not NULL", len));
	*arr = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	if (ARR_NDIM(*arr) != 1 || ARR_DIMS(*arr)[0] != len || ARR_HASNULL(*arr) || ARR_ELEMTYPE(*arr) != FLOAT8OID)
		bad_state(psprintf("a float8[%d] without NULLs", len));
	return (float8 *) ARR_DATA_PTR(*arr);
}

/* Finite inputs can still overflow a sum of squares: an error, never an infinite or NaN metric. */
static void
check_sums(const float8 *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (!isfinite(s[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the metric's running sums overflowed double precision"),
					 errhint("Rescale the values (for example to thousands or millions) before computing the metric.")));
}

PG_FUNCTION_INFO_V1(ubehav_sums_combine);
Datum
ubehav_sums_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	int			len;
	float8	   *x;
	float8	   *y;
	int			i;

	/* callable from SQL with any arrays: check b before its length is trusted */
	if (ARR_NDIM(b) != 1 || ARR_HASNULL(b) || ARR_ELEMTYPE(b) != FLOAT8OID)
		bad_state("a one-dimensional float8[] without NULLs");
	len = ARR_DIMS(b)[0];
	x = sums_state(fcinfo, len, &a);
	y = (float8 *) ARR_DATA_PTR(b);
	for (i = 0; i < len; i++)
		x[i] += y[i];
	check_sums(x, len);
	PG_RETURN_ARRAYTYPE_P(a);
}

static double
checked(double v, const char *what)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s is not finite", what),
				 errhint("Filter out or replace NaN and infinite values before computing the metric.")));
	return v;
}

/* state {n, sum of losses}: the core's term, so the aggregate and ubehav_evaluate agree exactly. */
static Datum
log_loss_accum(FunctionCallInfo fcinfo, bool integer)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 2, &arr);
	double		p;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_ARRAYTYPE_P(arr);
	p = checked(PG_GETARG_FLOAT8(1), "probability");
	if (p < 0.0 || p > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("ubehav_log_loss needs probabilities between 0 and 1, not %g", p)));
	s[0] += 1.0;
	s[1] += nn_binary_log_loss_term(p, label_arg(fcinfo, 2, integer));
	PG_RETURN_ARRAYTYPE_P(arr);
}

PG_FUNCTION_INFO_V1(ubehav_log_loss_accum);
/* Transition of ubehav_log_loss with boolean labels. */
Datum
ubehav_log_loss_accum(PG_FUNCTION_ARGS)
{
	return log_loss_accum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ubehav_log_loss_accum_int);
/* Transition of ubehav_log_loss with integer 0/1 labels. */
Datum
ubehav_log_loss_accum_int(PG_FUNCTION_ARGS)
{
	return log_loss_accum(fcinfo, true);
}

PG_FUNCTION_INFO_V1(ubehav_errors_accum);
/* state {n, sum of squared errors, sum of absolute errors, sum of y, sum of y^2}. */
Datum
ubehav_errors_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);
	double		pred,
				actual,
				e;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_ARRAYTYPE_P(arr);
	pred = checked(PG_GETARG_FLOAT8(1), "prediction");
	actual = checked(PG_GETARG_FLOAT8(2), "actual value");
	e = pred - actual;
	s[0] += 1.0;
	s[1] += e * e;
	s[2] += fabs(e);
	s[3] += actual;
	s[4] += actual * actual;
	check_sums(s, 5);
	PG_RETURN_ARRAYTYPE_P(arr);
}

PG_FUNCTION_INFO_V1(ubehav_log_loss_final);
Datum
ubehav_log_loss_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 2, &arr);

	if (s[0] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s[1] / s[0]);
}

PG_FUNCTION_INFO_V1(ubehav_rmse_final);
Datum
ubehav_rmse_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);

	if (s[0] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(s[1] / s[0]));
}

PG_FUNCTION_INFO_V1(ubehav_mae_final);
Datum
ubehav_mae_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);

	if (s[0] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s[2] / s[0]);
}

PG_FUNCTION_INFO_V1(ubehav_r2_final);
Datum
ubehav_r2_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);
	double		total;

	if (s[0] == 0)
		PG_RETURN_NULL();
	total = s[4] - s[3] * s[3] / s[0];
	/* relative to the squares' size, so a constant target is caught despite rounding */
	if (total <= 1e-12 * Max(s[4], 1e-300))
	{
		ereport(NOTICE,
				(errmsg("ubehav_r2 is undefined for a group whose actual values are all equal; returning NULL")));
		PG_RETURN_NULL();
	}
	PG_RETURN_FLOAT8(1.0 - s[1] / total);
}

/* state {tp, fp, tn, fn, threshold}; the threshold must be the same on every row. */
static Datum
confusion_accum(FunctionCallInfo fcinfo, bool integer)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);
	double		score,
				threshold;
	bool		positive,
				actual;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_ARRAYTYPE_P(arr);
	score = checked(PG_GETARG_FLOAT8(1), "score");
	threshold = checked(PG_GETARG_FLOAT8(3), "threshold");
	if (s[0] + s[1] + s[2] + s[3] > 0 && s[4] != threshold)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ubehav_confusion got thresholds %g and %g in one group", s[4], threshold),
				 errhint("Pass one constant threshold.")));
	s[4] = threshold;
	positive = score >= threshold;
	actual = label_arg(fcinfo, 2, integer);
	s[positive ? (actual ? 0 : 1) : (actual ? 3 : 2)] += 1.0;
	PG_RETURN_ARRAYTYPE_P(arr);
}

PG_FUNCTION_INFO_V1(ubehav_confusion_accum);
/* Transition of ubehav_confusion with boolean labels. */
Datum
ubehav_confusion_accum(PG_FUNCTION_ARGS)
{
	return confusion_accum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ubehav_confusion_accum_int);
/* Transition of ubehav_confusion with integer 0/1 labels. */
Datum
ubehav_confusion_accum_int(PG_FUNCTION_ARGS)
{
	return confusion_accum(fcinfo, true);
}

PG_FUNCTION_INFO_V1(ubehav_confusion_combine);
Datum
ubehav_confusion_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	float8	   *x = sums_state(fcinfo, 5, &a);
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	float8	   *y;
	int			i;

	/* callable from SQL with any array: b must have the state's shape before it is read */
	if (ARR_NDIM(b) != 1 || ARR_DIMS(b)[0] != 5 || ARR_HASNULL(b) || ARR_ELEMTYPE(b) != FLOAT8OID)
		bad_state("a float8[5] without NULLs");
	y = (float8 *) ARR_DATA_PTR(b);
	if (y[0] + y[1] + y[2] + y[3] == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (x[0] + x[1] + x[2] + x[3] > 0 && x[4] != y[4])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ubehav_confusion got thresholds %g and %g in one group", x[4], y[4])));
	for (i = 0; i < 4; i++)
		x[i] += y[i];
	x[4] = y[4];
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(ubehav_confusion_final);
Datum
ubehav_confusion_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	float8	   *s = sums_state(fcinfo, 5, &arr);
	double		tp = s[0],
				fp = s[1],
				tn = s[2],
				fn = s[3],
				n = tp + fp + tn + fn;
	UbJsonbBuilder b;

	if (n == 0)
		PG_RETURN_NULL();
	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_float8(&b, "threshold", s[4]);
	ub_jb_kv_count(&b, "tp", tp);
	ub_jb_kv_count(&b, "fp", fp);
	ub_jb_kv_count(&b, "tn", tn);
	ub_jb_kv_count(&b, "fn", fn);
	ub_jb_kv_float8(&b, "accuracy", (tp + tn) / n);
	ub_jb_kv_float8(&b, "precision", tp + fp > 0 ? tp / (tp + fp) : get_float8_nan());
	ub_jb_kv_float8(&b, "recall", tp + fn > 0 ? tp / (tp + fn) : get_float8_nan());
	ub_jb_kv_float8(&b, "f1", nn_f1(tp, fp, fn));
	ub_jb_kv_float8(&b, "mcc", nn_mcc(tp, fp, tn, fn));
	ub_jb_object_end(&b);
	PG_RETURN_JSONB_P(ub_jb_finish(&b));
}
