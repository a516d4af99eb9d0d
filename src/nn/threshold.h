/* threshold.h: the decision threshold of a binary classifier that maximises F1. */
#ifndef UBEHAV_NN_THRESHOLD_H
#define UBEHAV_NN_THRESHOLD_H

#include <stddef.h>

#include "metrics.h"

/*
 * The threshold t such that predicting positive for p >= t gives the largest F1 on (p, y),
 * y in {0,1}; t is one of the scores. Ties in F1 go to the higher threshold. Writes that F1 to
 * *best_f1. With no positives in y, returns 0.5 and F1 0. scratch holds n pairs.
 */
double		nn_best_f1_threshold(const float *p, const float *y, size_t n, NnScoredLabel *scratch,
								 double *best_f1);

#endif
