/* eval_metrics.c: one definition of what "the metrics" of a model are, for training and ubehav_evaluate. */
#include "postgres.h"

#include "jsonb_util.h"
#include "eval_metrics.h"
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

/* Largest class count whose confusion matrix is written in full; beyond it only non-zero cells. */
#define UB_DENSE_CONFUSION_CLASSES 100

/* Sort (actual, predicted) cell keys in ascending order. */
static int
cmp_cell(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return x < y ? -1 : x > y;
}

static const char *
class_key(char **labels, int k)
{
	return labels ? labels[k] : psprintf("%d", k);
}

/*
 * Multiclass: precision, recall and f1 per class, and the confusion matrix, keyed by label.
 * Counting goes through the sorted (actual, predicted) cells of the rows, never a K x K array,
 * so memory and output stay O(rows + K) when max_classes allows thousands of classes: a full
 * matrix of 10,000 classes would be 800 MB to count and more than a jsonb can hold to write.
 */
static void
append_per_class(StringInfo buf, const float *probs, const float *y, size_t n, int K, char **labels)
{
	uint64	   *cells = palloc_extended(sizeof(uint64) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *tp = palloc0(sizeof(double) * K),
			   *predicted = palloc0(sizeof(double) * K),
			   *actual = palloc0(sizeof(double) * K);
	bool		dense = K <= UB_DENSE_CONFUSION_CLASSES;
	size_t		r,
				n_cells = 0,
				c;
	int			a,
				k;

	for (r = 0; r < n; r++)
	{
		int			best = nn_argmax(probs + r * K, K);

		a = (int) y[r];
		if (a >= 0 && a < K)
		{
			cells[n_cells++] = (uint64) a * K + best;
			actual[a] += 1.0;
			predicted[best] += 1.0;
			if (a == best)
				tp[a] += 1.0;
		}
	}
	qsort(cells, n_cells, sizeof(uint64), cmp_cell);
	appendStringInfoString(buf, ",\"per_class\":{");
	for (k = 0; k < K; k++)
	{
		double		precision = predicted[k] > 0 ? tp[k] / predicted[k] : 0.0,
					recall = actual[k] > 0 ? tp[k] / actual[k] : 0.0;

		if (k)
			appendStringInfoChar(buf, ',');
		ub_json_key(buf, class_key(labels, k));
		appendStringInfoString(buf, "{\"precision\":");
		ub_json_number(buf, precision);
		appendStringInfoString(buf, ",\"recall\":");
		ub_json_number(buf, recall);
		appendStringInfoString(buf, ",\"f1\":");
		ub_json_number(buf, nn_f1(tp[k], predicted[k] - tp[k], actual[k] - tp[k]));
		appendStringInfo(buf, ",\"support\":%.0f}", actual[k]);
	}
	/* every actual label gets an object; cells with count 0 are written only when dense */
	appendStringInfoString(buf, "},\"confusion\":{");
	c = 0;
	for (a = 0; a < K; a++)
	{
		bool		first = true;

		if (a)
			appendStringInfoChar(buf, ',');
		ub_json_key(buf, class_key(labels, a));
		appendStringInfoChar(buf, '{');
		for (k = 0; k < K; k++)
		{
			uint64		key = (uint64) a * K + k;
			size_t		count = 0;

			while (c < n_cells && cells[c] == key)
			{
				count++;
				c++;
			}
			if (count == 0 && !dense)
			{
				/* jump to the next non-empty cell of this row, or to the next row */
				if (c >= n_cells || cells[c] / K != (uint64) a)
					break;
				k = (int) (cells[c] % K) - 1;
				continue;
			}
			if (!first)
				appendStringInfoChar(buf, ',');
			first = false;
			ub_json_key(buf, class_key(labels, k));
			appendStringInfo(buf, "%zu", count);
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
	pfree(cells);
	pfree(tp);
	pfree(predicted);
	pfree(actual);
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
