/* eval_metrics.c: one definition of what "the metrics" of a model are, for training and ubehav_evaluate. */
#include "postgres.h"

#include "jsonb_build.h"
#include "eval_metrics.h"
#include "nn/metrics.h"
#include "nn/rank_metrics.h"

/* Binary: pr_auc, mcc and the confusion matrix at the threshold. */
static void
rank_metrics_to_jsonb(UbJsonbBuilder *b, const float *p, const float *y, size_t n, double threshold)
{
	NnScorePair *pairs = palloc_extended(sizeof(NnScorePair) * Max(n, 1), MCXT_ALLOC_HUGE);
	double		tp = 0,
				fp = 0,
				tn = 0,
				fn = 0;
	size_t		i;

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
	ub_jb_kv_float8(b, "pr_auc", nn_pairs_average_precision(pairs, n));
	ub_jb_kv_float8(b, "mcc", nn_mcc(tp, fp, tn, fn));
	ub_jb_key(b, "confusion");
	ub_jb_object_begin(b);
	ub_jb_kv_count(b, "tp", tp);
	ub_jb_kv_count(b, "fp", fp);
	ub_jb_kv_count(b, "tn", tn);
	ub_jb_kv_count(b, "fn", fn);
	ub_jb_object_end(b);
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
per_class_to_jsonb(UbJsonbBuilder *b, const float *probs, const float *y, size_t n, int K, char **labels)
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
	ub_jb_key(b, "per_class");
	ub_jb_object_begin(b);
	for (k = 0; k < K; k++)
	{
		double		precision = predicted[k] > 0 ? tp[k] / predicted[k] : 0.0,
					recall = actual[k] > 0 ? tp[k] / actual[k] : 0.0;

		ub_jb_key(b, class_key(labels, k));
		ub_jb_object_begin(b);
		ub_jb_kv_float8(b, "precision", precision);
		ub_jb_kv_float8(b, "recall", recall);
		ub_jb_kv_float8(b, "f1", nn_f1(tp[k], predicted[k] - tp[k], actual[k] - tp[k]));
		ub_jb_kv_count(b, "support", actual[k]);
		ub_jb_object_end(b);
	}
	ub_jb_object_end(b);
	/* every actual label gets an object; cells with count 0 are written only when dense */
	ub_jb_key(b, "confusion");
	ub_jb_object_begin(b);
	c = 0;
	for (a = 0; a < K; a++)
	{
		ub_jb_key(b, class_key(labels, a));
		ub_jb_object_begin(b);
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
			ub_jb_key(b, class_key(labels, k));
			ub_jb_uint64(b, count);
		}
		ub_jb_object_end(b);
	}
	ub_jb_object_end(b);
	pfree(cells);
	pfree(tp);
	pfree(predicted);
	pfree(actual);
}

void
ub_metrics_to_jsonb(UbJsonbBuilder *b, UbTask task, const float *outputs, const float *y, size_t n, int K,
					double threshold, char **labels)
{
	if (task == UB_TASK_BINARY)
	{
		NnScoredLabel *scratch = palloc_extended(sizeof(NnScoredLabel) * Max(n, 1), MCXT_ALLOC_HUGE);
		NnBinaryMetrics m;

		nn_binary_metrics(outputs, y, n, threshold, scratch, &m);
		ub_jb_kv_float8(b, "auc", m.auc);
		ub_jb_kv_float8(b, "accuracy", m.accuracy);
		ub_jb_kv_float8(b, "precision", m.precision);
		ub_jb_kv_float8(b, "recall", m.recall);
		ub_jb_kv_float8(b, "f1", m.f1);
		ub_jb_kv_float8(b, "log_loss", m.log_loss);
		ub_jb_kv_float8(b, "threshold", threshold);
		rank_metrics_to_jsonb(b, outputs, y, n, threshold);
		pfree(scratch);
	}
	else if (task == UB_TASK_MULTICLASS)
	{
		size_t	   *counts = palloc(sizeof(size_t) * 3 * K);
		NnMulticlassMetrics m;

		nn_multiclass_metrics(outputs, y, n, K, counts, &m);
		ub_jb_kv_float8(b, "accuracy", m.accuracy);
		ub_jb_kv_float8(b, "macro_f1", m.macro_f1);
		ub_jb_kv_float8(b, "log_loss", m.log_loss);
		per_class_to_jsonb(b, outputs, y, n, K, labels);
		pfree(counts);
	}
	else
	{
		NnRegressionMetrics m;

		nn_regression_metrics(outputs, y, n, &m);
		ub_jb_kv_float8(b, "rmse", m.rmse);
		ub_jb_kv_float8(b, "mae", m.mae);
		ub_jb_kv_float8(b, "r2", m.r2);
	}
}

void
ub_metrics_append(StringInfo buf, UbTask task, const float *outputs, const float *y, size_t n, int K,
				  double threshold, char **labels)
{
	UbJsonbBuilder b;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_metrics_to_jsonb(&b, task, outputs, y, n, K, threshold, labels);
	ub_jb_object_end(&b);
	ub_jb_append_members_text(buf, ub_jb_finish(&b));
}
