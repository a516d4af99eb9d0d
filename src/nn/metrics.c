/* metrics.c: evaluation metrics, accumulated in double. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "metrics.h"
#include "sort.h"


double
nn_auc(const float *score, const float *label, size_t n, NnScoredLabel *scratch)
{
	NnAucSweep	sweep = {0.0, 0.0, 0.0};
	size_t		i = 0;

	for (i = 0; i < n; i++)
	{
		scratch[i].score = score[i];
		scratch[i].label = label[i];
	}
	nn_sort_scored_desc(scratch, n);
	for (i = 0; i < n;)
	{
		double		group_tp = 0.0,
					group_fp = 0.0;
		size_t		j;

		for (j = i; j < n && scratch[j].score == scratch[i].score; j++)
		{
			if (scratch[j].label > 0.5f)
				group_tp += 1.0;
			else
				group_fp += 1.0;
		}
		nn_auc_sweep_group(&sweep, group_tp, group_fp);
		i = j;
	}
	return nn_auc_sweep_result(&sweep);
}

/* Confusion counts at the threshold (p >= threshold is positive), log loss and AUC. */
void
nn_binary_metrics(const float *p, const float *y, size_t n, double threshold,
				  NnScoredLabel *scratch, NnBinaryMetrics *out)
{
	double		tp = 0.0,
				fp = 0.0,
				tn = 0.0,
				fn = 0.0;
	double		log_loss = 0.0;
	size_t		i;

	if (n == 0)
	{
		out->auc = out->accuracy = out->precision = out->recall = out->f1 = out->log_loss = NAN;
		return;
	}
	for (i = 0; i < n; i++)
	{
		bool		actual = y[i] > 0.5f;
		bool		predicted = (double) p[i] >= threshold;

		if (actual)
		{
			if (predicted)
				tp += 1.0;
			else
				fn += 1.0;
		}
		else
		{
			if (predicted)
				fp += 1.0;
			else
				tn += 1.0;
		}
		log_loss += nn_binary_log_loss_term((double) p[i], actual);
	}
	out->accuracy = (tp + tn) / (double) n;
	out->precision = tp + fp > 0.0 ? tp / (tp + fp) : 0.0;
	out->recall = tp + fn > 0.0 ? tp / (tp + fn) : 0.0;
	out->f1 = nn_f1(tp, fp, fn);
	out->log_loss = log_loss / (double) n;
	out->auc = nn_auc(p, y, n, scratch);
}

/*
 * Argmax (first maximum) as the prediction. A label outside 0..K-1 counts as a wrong prediction
 * with probability 0 (clipped) and belongs to no class.
 */
void
nn_multiclass_metrics(const float *probs, const float *y, size_t n, int K,
					  size_t *counts, NnMulticlassMetrics *out)
{
	size_t	   *true_pos = counts;
	size_t	   *predicted = counts + K;
	size_t	   *actual = counts + 2 * (size_t) K;
	size_t		correct = 0;
	double		log_loss = 0.0;
	double		f1_sum = 0.0;
	int			classes_seen = 0;
	size_t		i;
	int			k;

	if (n == 0 || K < 1)
	{
		out->accuracy = out->macro_f1 = out->log_loss = NAN;
		return;
	}
	for (k = 0; k < 3 * K; k++)
		counts[k] = 0;
	for (i = 0; i < n; i++)
	{
		const float *row = probs + i * (size_t) K;
		double		t = y[i];
		int			label = (t >= 0.0 && t < (double) K && t == floor(t)) ? (int) t : -1;
		int			best = nn_argmax(row, K);

		predicted[best]++;
		if (label >= 0)
		{
			actual[label]++;
			if (best == label)
			{
				true_pos[label]++;
				correct++;
			}
			log_loss -= log(nn_clip_probability(row[label]));
		}
		else
			log_loss -= log(NN_LOG_LOSS_CLIP);
	}
	for (k = 0; k < K; k++)
		if (predicted[k] + actual[k] > 0)
		{
			f1_sum += nn_f1((double) true_pos[k], (double) (predicted[k] - true_pos[k]),
							(double) (actual[k] - true_pos[k]));
			classes_seen++;
		}
	out->accuracy = (double) correct / (double) n;
	out->macro_f1 = f1_sum / classes_seen;
	out->log_loss = log_loss / (double) n;
}

/* RMSE, MAE and R^2 = 1 - SS_res / SS_tot, with the mean taken first for a stable SS_tot. */
void
nn_regression_metrics(const float *pred, const float *y, size_t n,
					  NnRegressionMetrics *out)
{
	double		mean = 0.0;
	double		ss_res = 0.0;
	double		ss_tot = 0.0;
	double		abs_sum = 0.0;
	size_t		i;

	if (n == 0)
	{
		out->rmse = out->mae = out->r2 = NAN;
		return;
	}
	for (i = 0; i < n; i++)
		mean += y[i];
	mean /= (double) n;
	for (i = 0; i < n; i++)
	{
		double		err = (double) pred[i] - y[i];
		double		dev = (double) y[i] - mean;

		ss_res += err * err;
		abs_sum += fabs(err);
		ss_tot += dev * dev;
	}
	out->rmse = sqrt(ss_res / (double) n);
	out->mae = abs_sum / (double) n;
	out->r2 = ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : NAN;
}
