/* rank_metrics.c: one sort and one sweep over tie groups, in double precision. */
#include <math.h>
#include <stdlib.h>

#include "metrics.h"
#include "rank_metrics.h"
#include "sort.h"

void
nn_pairs_sort_desc(NnScorePair *pairs, size_t n)
{
	nn_sort_pairs_desc(pairs, n);
}

size_t
nn_pairs_curve(const NnScorePair *sorted, size_t n, NnCurvePoint *out)
{
	double		tp = 0.0,
				fp = 0.0;
	size_t		i,
				points = 0;

	for (i = 0; i < n; i++)
	{
		if (sorted[i].label > 0.5)
			tp += 1.0;
		else
			fp += 1.0;
		/* a threshold cannot separate equal scores: one point at the end of each run of ties */
		if (i + 1 < n && sorted[i + 1].score == sorted[i].score)
			continue;
		out[points].threshold = sorted[i].score;
		out[points].tp = tp;
		out[points].fp = fp;
		points++;
	}
	return points;
}

double
nn_pairs_auc(const NnScorePair *sorted, size_t n)
{
	NnAucSweep	sweep = {0.0, 0.0, 0.0};
	size_t		i = 0;

	while (i < n)
	{
		double		group_tp = 0.0,
					group_fp = 0.0;
		size_t		j = i;

		for (; j < n && sorted[j].score == sorted[i].score; j++)
		{
			if (sorted[j].label > 0.5)
				group_tp += 1.0;
			else
				group_fp += 1.0;
		}
		nn_auc_sweep_group(&sweep, group_tp, group_fp);
		i = j;
	}
	return nn_auc_sweep_result(&sweep);
}

double
nn_pairs_average_precision(const NnScorePair *sorted, size_t n)
{
	double		positives = 0.0,
				tp = 0.0,
				fp = 0.0,
				ap = 0.0,
				last_recall = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		positives += sorted[i].label > 0.5;
	if (positives == 0.0)
		return NAN;
	for (i = 0; i < n; i++)
	{
		double		recall;

		if (sorted[i].label > 0.5)
			tp += 1.0;
		else
			fp += 1.0;
		if (i + 1 < n && sorted[i + 1].score == sorted[i].score)
			continue;
		recall = tp / positives;
		ap += (recall - last_recall) * (tp / (tp + fp));
		last_recall = recall;
	}
	return ap;
}

double
nn_mcc(double tp, double fp, double tn, double fn)
{
	double		denominator = sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));

	if (denominator == 0.0)
		return 0.0;
	return (tp * tn - fp * fn) / denominator;
}
