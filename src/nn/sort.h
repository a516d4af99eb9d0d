/* sort.h: in-place sorts and selection for the metrics and preprocessing, without qsort's calls. */
#ifndef UBEHAV_NN_SORT_H
#define UBEHAV_NN_SORT_H

#include <stddef.h>

#include "metrics.h"
#include "rank_metrics.h"

/* By score, lowest first; NaN scores first; ties in any order. */
void		nn_sort_scored_asc(NnScoredLabel *a, size_t n);

/* By score, highest first; NaN scores last; ties in any order. */
void		nn_sort_scored_desc(NnScoredLabel *a, size_t n);

/* By score, highest first; NaN scores last; ties in any order. */
void		nn_sort_pairs_desc(NnScorePair *a, size_t n);

/*
 * The k-th smallest (from 0) of a[0..n), n > k, no NaN: reorders a so that a[k] is that value,
 * nothing before it is larger and nothing after it smaller. Expected O(n).
 */
float		nn_select_float(float *a, size_t n, size_t k);

#endif
