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

/* -log of the probability given to the actual class, p being the positive class's probability. */
static inline double
nn_binary_log_loss_term(double p, bool positive)
{
	double		q = !(p >= NN_LOG_LOSS_CLIP) ? NN_LOG_LOSS_CLIP : (p > 1.0 - NN_LOG_LOSS_CLIP ? 1.0 - NN_LOG_LOSS_CLIP : p);

	return positive ? -log(q) : -log1p(-q);
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

/*
 * ROC AUC by the rank statistic, ties counted half (midranks).
 * scratch holds n pairs; result NaN when either class is missing.
 */
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
