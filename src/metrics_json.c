/* metrics_json.c: one definition of what "the metrics" of a model are, for training and ubehav_evaluate. */
#include "postgres.h"

#include "jsonb_util.h"
#include "metrics_json.h"
#include "nn/metrics.h"
#include "nn/rank_metrics.h"

static void
pair(StringInfo buf, const char *key, double v, bool *first)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	ub_json_key(buf, key);
	ub_json_number(buf, v);
}

/* Binary: pr_auc, mcc and the confusion matrix at the threshold. */
static void
append_rank_metrics(StringInfo buf, const float *p, const float *y, size_t n, double threshold)
{
	NnScorePair *pairs = palloc_extended(sizeof(NnScorePair) * Max(n, 1), MCXT_ALLOC_HUGE);
	double		tp = 0,
				fp = 0,
				tn = 0,
				fn = 0;
	size_t		i;
	bool		first = false;

	for (i = 0; i < n; i++)
	{
		bool		positive = (double) p[i] >= threshold;
		bool		actual = y[i] > 0.5f;

		pairs[i].score = p[i];
		pairs[i].label = actual ? 1.0 : 0.0;
		tp += positive && actual;
		fp += positive && !actual;
		tn += !positive && !actual;
		fn += !positive && actual;
	}
	nn_pairs_sort_desc(pairs, n);
	pair(buf, "pr_auc", nn_pairs_average_precision(pairs, n), &first);
	pair(buf, "mcc", nn_mcc(tp, fp, tn, fn), &first);
	appendStringInfo(buf, ",\"confusion\":{\"tp\":%.0f,\"fp\":%.0f,\"tn\":%.0f,\"fn\":%.0f}", tp, fp, tn, fn);
	pfree(pairs);
}

/* Multiclass: precision, recall and f1 per class, and the confusion matrix, keyed by label. */
static void
append_per_class(StringInfo buf, const float *probs, const float *y, size_t n, int K, char **labels)
{
	double	   *matrix = palloc0(sizeof(double) * K * K);	/* actual row, predicted column */
	size_t		r;
	int			a,
				k;

	for (r = 0; r < n; r++)
	{
		const float *p = probs + r * K;
		int			best = 0;

		for (k = 1; k < K; k++)
			if (p[k] > p[best])
				best = k;
		a = (int) y[r];
		if (a >= 0 && a < K)
			matrix[a * K + best] += 1.0;
	}
	appendStringInfoString(buf, ",\"per_class\":{");
	for (k = 0; k < K; k++)
	{
		double		tp = matrix[k * K + k],
					predicted = 0,
					actual = 0,
					precision,
					recall;

		for (a = 0; a < K; a++)
		{
			predicted += matrix[a * K + k];
			actual += matrix[k * K + a];
		}
		precision = predicted > 0 ? tp / predicted : 0.0;
		recall = actual > 0 ? tp / actual : 0.0;
		if (k)
			appendStringInfoChar(buf, ',');
		ub_json_key(buf, labels ? labels[k] : psprintf("%d", k));
		appendStringInfoString(buf, "{\"precision\":");
		ub_json_number(buf, precision);
		appendStringInfoString(buf, ",\"recall\":");
		ub_json_number(buf, recall);
		appendStringInfoString(buf, ",\"f1\":");
		ub_json_number(buf, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
		appendStringInfo(buf, ",\"support\":%.0f}", actual);
	}
	appendStringInfoString(buf, "},\"confusion\":{");
	for (a = 0; a < K; a++)
	{
		if (a)
			appendStringInfoChar(buf, ',');
		ub_json_key(buf, labels ? labels[a] : psprintf("%d", a));
		appendStringInfoChar(buf, '{');
		for (k = 0; k < K; k++)
		{
			if (k)
				appendStringInfoChar(buf, ',');
			ub_json_key(buf, labels ? labels[k] : psprintf("%d", k));
			appendStringInfo(buf, "%.0f", matrix[a * K + k]);
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
	pfree(matrix);
}

void
ub_metrics_append(StringInfo buf, UbTask task, const float *outputs, const float *y, size_t n, int K,
				  double threshold, char **labels)
{
	bool		first = true;

	if (task == UB_TASK_BINARY)
	{
		NnScoredLabel *scratch = palloc_extended(sizeof(NnScoredLabel) * Max(n, 1), MCXT_ALLOC_HUGE);
		NnBinaryMetrics m;

		nn_binary_metrics(outputs, y, n, threshold, scratch, &m);
		pair(buf, "auc", m.auc, &first);
		pair(buf, "accuracy", m.accuracy, &first);
		pair(buf, "precision", m.precision, &first);
		pair(buf, "recall", m.recall, &first);
		pair(buf, "f1", m.f1, &first);
		pair(buf, "log_loss", m.log_loss, &first);
		pair(buf, "threshold", threshold, &first);
		append_rank_metrics(buf, outputs, y, n, threshold);
		pfree(scratch);
	}
	else if (task == UB_TASK_MULTICLASS)
	{
		size_t	   *counts = palloc(sizeof(size_t) * 3 * K);
		NnMulticlassMetrics m;

		nn_multiclass_metrics(outputs, y, n, K, counts, &m);
		pair(buf, "accuracy", m.accuracy, &first);
		pair(buf, "macro_f1", m.macro_f1, &first);
		pair(buf, "log_loss", m.log_loss, &first);
		append_per_class(buf, outputs, y, n, K, labels);
		pfree(counts);
	}
	else
	{
		NnRegressionMetrics m;

		nn_regression_metrics(outputs, y, n, &m);
		pair(buf, "rmse", m.rmse, &first);
		pair(buf, "mae", m.mae, &first);
		pair(buf, "r2", m.r2, &first);
	}
}
