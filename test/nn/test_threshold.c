/* test_threshold.c: the F1-maximising threshold against a brute-force search. */
#include <stdlib.h>

#include "nn/nn.h"
#include "nn/threshold.h"
#include "tap.h"

/* F1 of predicting p >= t. */
static double
f1_at(const float *p, const float *y, size_t n, double t)
{
	size_t		tp = 0,
				fp = 0,
				fn = 0,
				i;

	for (i = 0; i < n; i++)
	{
		bool		pos = p[i] >= t;

		tp += pos && y[i] > 0.5f;
		fp += pos && y[i] < 0.5f;
		fn += !pos && y[i] > 0.5f;
	}
	return tp ? 2.0 * tp / (2.0 * tp + fp + fn) : 0.0;
}

int
main(void)
{
	/* by hand: at t = 0.4 the predictions are 1,1,1,0,0 against 1,0,1,1,0: tp 2, fp 1, fn 1 -> 2/3;
	 * at t = 0.2 they are 1,1,1,1,0: tp 3, fp 1, fn 0 -> 6/7, the best; at t = 0.1 all five: 6/8 */
	float		p[5] = {0.9f, 0.6f, 0.4f, 0.2f, 0.1f};
	float		y[5] = {1, 0, 1, 1, 0};
	NnScoredLabel scratch[2000];
	double		f1,
				t;
	NnRng		rng;
	int			trial;

	t = nn_best_f1_threshold(p, y, 5, scratch, &f1);
	is_close(t, 0.2, 1e-7, "hand example: threshold 0.2");
	is_close(f1, 6.0 / 7.0, 1e-12, "hand example: F1 6/7");

	{
		float		none[3] = {0, 0, 0};

		t = nn_best_f1_threshold(p, none, 3, scratch, &f1);
		ok(t == 0.5 && f1 == 0.0, "no positives: 0.5 and F1 0");
	}

	/* random data with ties: the sweep equals a brute-force search over every score */
	nn_rng_seed(&rng, 3);
	for (trial = 0; trial < 20; trial++)
	{
		enum
		{
			N = 300
		};
		float		pp[N],
					yy[N];
		double		brute = 0.0;
		int			i;

		for (i = 0; i < N; i++)
		{
			pp[i] = (float) ((int) (nn_rng_uniform(&rng) * 40)) / 40.0f;	/* many ties */
			yy[i] = nn_rng_uniform(&rng) < 0.2 + 0.6 * pp[i] ? 1.0f : 0.0f;
		}
		for (i = 0; i < N; i++)
		{
			double		f = f1_at(pp, yy, N, pp[i]);

			if (f > brute)
				brute = f;
		}
		t = nn_best_f1_threshold(pp, yy, N, scratch, &f1);
		if (!is_close(f1, brute, 1e-12, "random scores with ties: best F1 equals brute force"))
			break;
		if (!is_close(f1_at(pp, yy, N, t), f1, 1e-12, "the returned threshold achieves that F1"))
			break;
	}
	return done_testing();
}
