/*
 * test_rank_metrics.c: ROC AUC, average precision, curves and MCC against scikit-learn 1.2.1
 * (Debian python3-sklearn), numbers frozen here. The Python that produced them:
 *   s = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1]; y = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]
 *   roc_auc_score(y, s) -> 0.7; average_precision_score(y, s) -> 0.7087301587301587
 *   matthews_corrcoef(y, [v >= 0.5 for v in s]) -> 0.2182178902359924
 */
#include <string.h>

#include "nn/rank_metrics.h"
#include "tap.h"

int
main(void)
{
	double		s[10] = {0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1};
	double		y[10] = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0};
	NnScorePair pairs[10];
	NnCurvePoint curve[10];
	size_t		points;
	int			i;

	/* shuffled input: the sort must put it in order */
	for (i = 0; i < 10; i++)
	{
		pairs[i].score = s[(i * 3) % 10];
		pairs[i].label = y[(i * 3) % 10];
	}
	nn_pairs_sort_desc(pairs, 10);
	is_close(nn_pairs_auc(pairs, 10), 0.7, 1e-12, "AUC with ties equals scikit-learn's 0.7");
	is_close(nn_pairs_average_precision(pairs, 10), 0.7087301587301587, 1e-12,
			 "average precision equals scikit-learn's 0.70873");
	is_close(nn_mcc(4, 3, 2, 1), 0.2182178902359924, 1e-12, "MCC at 0.5 equals scikit-learn's 0.21822");
	is_close(nn_mcc(5, 0, 0, 0), 0.0, 0, "MCC with a zero margin is 0, not a division by zero");

	points = nn_pairs_curve(pairs, 10, curve);
	is_int(points, 7, "one curve point per distinct score");
	ok(curve[0].threshold == 0.9 && curve[0].tp == 1 && curve[0].fp == 0, "first point: 0.9, tp 1, fp 0");
	ok(curve[3].threshold == 0.5 && curve[3].tp == 4 && curve[3].fp == 3, "tie group 0.5 ends at tp 4, fp 3");
	ok(curve[6].tp == 5 && curve[6].fp == 5, "last point counts everything");

	/* one class only */
	for (i = 0; i < 10; i++)
		pairs[i].label = 1;
	ok(isnan(nn_pairs_auc(pairs, 10)), "AUC of all positives is NaN");
	is_close(nn_pairs_average_precision(pairs, 10), 1.0, 1e-12, "AP of all positives is 1");
	for (i = 0; i < 10; i++)
		pairs[i].label = 0;
	ok(isnan(nn_pairs_auc(pairs, 10)), "AUC of all negatives is NaN");
	ok(isnan(nn_pairs_average_precision(pairs, 10)), "AP without positives is NaN");
	/* all scores tied: AUC 0.5 */
	for (i = 0; i < 10; i++)
	{
		pairs[i].score = 0.3;
		pairs[i].label = i % 2;
	}
	is_close(nn_pairs_auc(pairs, 10), 0.5, 1e-12, "all scores tied: AUC 0.5");
	return done_testing();
}
