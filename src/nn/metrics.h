/* metrics.h: evaluation metrics in double precision over float predictions. */
#ifndef UBEHAV_NN_METRICS_H
#define UBEHAV_NN_METRICS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct NnScoredLabel
{
	float		score;
	float		label;			/* 0 or 1 */
} NnScoredLabel;

/*
 * Log loss clips probabilities to [NN_LOG_LOSS_CLIP, 1 - NN_LOG_LOSS_CLIP], scikit-learn's 1e-15:
 * training metrics, ubehav_evaluate and the ubehav_log_loss aggregate all use this one term.
 */
#define NN_LOG_LOSS_CLIP 1e-15

/* p clipped into [NN_LOG_LOSS_CLIP, 1 - NN_LOG_LOSS_CLIP] (NaN to the lower end), so a log stays finite. */
static inline double
nn_clip_probability(double p)
{
	return !(p >= NN_LOG_LOSS_CLIP) ? NN_LOG_LOSS_CLIP : (p > 1.0 - NN_LOG_LOSS_CLIP ? 1.0 - NN_LOG_LOSS_CLIP : p);
}

/* -log of the probability given to the actual class, p being the positive class's probability. */
static inline double
nn_binary_log_loss_term(double p, bool positive)
{
	double		q = nn_clip_probability(p);

	return positive ? -log(q) : -log1p(-q);
}

/*
 * F1 of a confusion matrix as 2 tp / (2 tp + fp + fn), one rounding (scikit-learn's formula); 0
 * without a true positive. Every F1 of ubehav (training, ubehav_evaluate, ubehav_confusion, the
 * threshold search, per class and macro) is this one.
 */
static inline double
nn_f1(double tp, double fp, double fn)
{
	return tp > 0.0 ? 2.0 * tp / (2.0 * tp + fp + fn) : 0.0;
}

/*
 * ROC AUC as the Mann-Whitney U over the pairs (ties counting half), swept over groups of equal
 * scores from the highest: add each group with nn_auc_sweep_group, then nn_auc_sweep_result. U
 * and the pair count are exact in double up to 2^26 rows, so every AUC of ubehav (nn_auc,
 * nn_pairs_auc) is the same rounding of the same fraction.
 */
typedef struct NnAucSweep
{
	double		tp;				/* positives in the groups so far */
	double		fp;				/* negatives in the groups so far */
	double		area;			/* U so far */
} NnAucSweep;

static inline void
nn_auc_sweep_group(NnAucSweep *s, double group_tp, double group_fp)
{
	/* the group's negatives rank below every earlier positive and tie with half of the group's */
	s->area += group_fp * (s->tp + 0.5 * group_tp);
	s->tp += group_tp;
	s->fp += group_fp;
}

/* NaN when either class is missing. */
static inline double
nn_auc_sweep_result(const NnAucSweep *s)
{
	return s->tp == 0.0 || s->fp == 0.0 ? NAN : s->area / (s->tp * s->fp);
}

/* Index of the largest of row[0..K) (the first of equal ones): a multiclass prediction. */
static inline int
nn_argmax(const float *row, int K)
{
	int			best = 0,
				k;

	for (k = 1; k < K; k++)
		if (row[k] > row[best])
			best = k;
	return best;
}

typedef struct NnBinaryMetrics
{
	double		auc;			/* NaN when only one class is present */
	double		accuracy;
	double		precision;		/* 0 when nothing is predicted positive */
	double		recall;			/* 0 when there are no positives */
	double		f1;
	double		log_loss;		/* nn_binary_log_loss_term */
} NnBinaryMetrics;

typedef struct NnMulticlassMetrics
{
	double		accuracy;
	double		macro_f1;		/* mean over classes present in labels or predictions */
	double		log_loss;
} NnMulticlassMetrics;

typedef struct NnRegressionMetrics
{
	double		rmse;
	double		mae;
	double		r2;				/* NaN when the labels have zero variance */
} NnRegressionMetrics;

/* ROC AUC of float scores (nn_auc_sweep_*); scratch holds n pairs; NaN when either class is missing. */
double		nn_auc(const float *score, const float *label, size_t n, NnScoredLabel *scratch);

/* Binary metrics at threshold for probabilities p against labels y in {0,1}; scratch as nn_auc. */
void		nn_binary_metrics(const float *p, const float *y, size_t n, double threshold,
							  NnScoredLabel *scratch, NnBinaryMetrics *out);

/*
 * probs (n, K) row-major against class indices y (n, as float).
 * counts holds 3*K size_t (true positives, predicted, actual per class).
 */
void		nn_multiclass_metrics(const float *probs, const float *y, size_t n, int K,
								  size_t *counts, NnMulticlassMetrics *out);

void		nn_regression_metrics(const float *pred, const float *y, size_t n,
								  NnRegressionMetrics *out);

#endif
