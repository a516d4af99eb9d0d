/* threshold.c: one sort and one sweep over the scores, so every candidate threshold costs O(1). */
#include <stdlib.h>

#include "metrics.h"
#include "sort.h"
#include "threshold.h"

double
nn_best_f1_threshold(const float *p, const float *y, size_t n, NnScoredLabel *scratch, double *best_f1)
{
	size_t		positives = 0,
				tp = 0,
				predicted = 0,
				i;
	double		best = -1.0,
				best_t = 0.5;

	for (i = 0; i < n; i++)
	{
		scratch[i].score = p[i];
		scratch[i].label = y[i];
		positives += y[i] > 0.5f;
	}
	*best_f1 = 0.0;
	if (positives == 0)
		return 0.5;
	nn_sort_scored_desc(scratch, n);
	for (i = 0; i < n; i++)
	{
		double		f1;

		predicted++;
		tp += scratch[i].label > 0.5f;
		/* a threshold cannot split equal scores: only evaluate at the end of a run of ties */
		if (i + 1 < n && scratch[i + 1].score == scratch[i].score)
			continue;
		f1 = nn_f1((double) tp, (double) (predicted - tp), (double) (positives - tp));
		if (f1 > best)
		{
			best = f1;
			best_t = scratch[i].score;
		}
	}
	*best_f1 = best;
	return best_t;
}
