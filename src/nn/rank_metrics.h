/* rank_metrics.h: metrics of scores against binary labels that depend on the order of the scores. */
#ifndef UBEHAV_NN_RANK_METRICS_H
#define UBEHAV_NN_RANK_METRICS_H

#include <stddef.h>

typedef struct NnScorePair
{
	double		score;
	double		label;			/* 0 or 1 */
} NnScorePair;

typedef struct NnCurvePoint
{
	double		threshold;		/* predict positive when score >= threshold */
	double		tp;
	double		fp;
} NnCurvePoint;

/* Sort by score, highest first (ties in any order). */
void		nn_pairs_sort_desc(NnScorePair *pairs, size_t n);

/* ROC AUC of pairs sorted by nn_pairs_sort_desc, ties counted half; NaN when a class is missing. */
double		nn_pairs_auc(const NnScorePair *sorted, size_t n);

/*
 * Average precision (area under the precision-recall curve as scikit-learn's
 * average_precision_score: sum of (R_k - R_{k-1}) P_k over distinct thresholds); NaN without positives.
 */
double		nn_pairs_average_precision(const NnScorePair *sorted, size_t n);

/*
 * One point per distinct score, from the highest: the counts of positives and negatives scored at
 * or above it. out needs n points; returns how many were written.
 */
size_t		nn_pairs_curve(const NnScorePair *sorted, size_t n, NnCurvePoint *out);

/* Matthews correlation coefficient from a confusion matrix; 0 when it is undefined (a zero margin). */
double		nn_mcc(double tp, double fp, double tn, double fn);

#endif
