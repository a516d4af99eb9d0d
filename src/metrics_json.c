/* metrics_json.c: one definition of what "the metrics" of a model are, for training and ubehav_evaluate. */
#include "postgres.h"

#include "jsonb_util.h"
#include "metrics_json.h"
#include "nn/metrics.h"

static void
pair(StringInfo buf, const char *key, double v, bool *first)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	ub_json_key(buf, key);
	ub_json_number(buf, v);
}

void
ub_metrics_append(StringInfo buf, UbTask task, const float *outputs, const float *y, size_t n, int K,
				  double threshold)
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
