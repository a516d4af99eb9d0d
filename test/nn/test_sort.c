/* test_sort.c: the metrics' sorts and the quantiles' selection against qsort, on hostile inputs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/sort.h"
#include "tap.h"

#define MAXN 100000

static NnScoredLabel scored[MAXN];
static NnScorePair pairs[MAXN];
static float values[MAXN];
static float sorted[MAXN];

static int
cmp_float(const void *a, const void *b)
{
	float		x = *(const float *) a,
				y = *(const float *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static uint64_t state = 42;

static double
uniform(void)
{
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double) (state >> 11) / 9007199254740992.0;
}

/* Inputs that break naive quicksorts: sorted, reversed, all equal, few values, organ pipe, signed zeros, random. */
static float
value_of(int shape, size_t i, size_t n)
{
	switch (shape)
	{
		case 0:
			return (float) i;
		case 1:
			return (float) (n - i);
		case 2:
			return 7.0f;
		case 3:
			return (float) (i % 3);
		case 4:
			return (float) (i < n / 2 ? i : n - i);
		case 5:
			return i % 2 ? -0.0f : 0.0f;
		case 6:
			return (float) ((uniform() - 0.5) * 2e6);	/* negative keys too */
		default:
			return (float) uniform();
	}
}

/* In score order (descending or not), NaN first when ascending and last when descending. */
static bool
scored_in_order(const NnScoredLabel *a, size_t n, bool descending)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		bool		prev_nan = isnan(a[i - 1].score),
					cur_nan = isnan(a[i].score);

		if (descending ? (prev_nan && !cur_nan) : (cur_nan && !prev_nan))
			return false;
		if (!cur_nan && !prev_nan &&
			(descending ? a[i].score > a[i - 1].score : a[i].score < a[i - 1].score))
			return false;
	}
	return true;
}

/* Same multiset of (score, label): sums of labels and of scores' bit patterns agree. */
static bool
same_elements(const NnScoredLabel *a, const float *score_before, const float *label_before, size_t n)
{
	double		la = 0,
				lb = 0,
				sa = 0,
				sb = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	u;

		la += a[i].label;
		lb += label_before[i];
		memcpy(&u, &a[i].score, 4);
		sa += u;
		memcpy(&u, &score_before[i], 4);
		sb += u;
	}
	return la == lb && sa == sb;
}

int
main(void)
{
	static float scores_before[MAXN],
				labels_before[MAXN];
	size_t		sizes[] = {0, 1, 2, 3, 16, 17, 100, 1000, MAXN};
	int			shape;
	size_t		s,
				i;

	for (shape = 0; shape <= 7; shape++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		{
			size_t		n = sizes[s];
			bool		asc_ok,
						desc_ok,
						pairs_ok = true,
						select_ok = true;

			for (i = 0; i < n; i++)
			{
				scored[i].score = scores_before[i] = value_of(shape, i, n);
				scored[i].label = labels_before[i] = (float) (uniform() < 0.3);
			}
			nn_sort_scored_asc(scored, n);
			asc_ok = scored_in_order(scored, n, false) && same_elements(scored, scores_before, labels_before, n);
			for (i = 0; i < n; i++)
				scored[i].score = scores_before[i], scored[i].label = labels_before[i];
			nn_sort_scored_desc(scored, n);
			desc_ok = scored_in_order(scored, n, true) && same_elements(scored, scores_before, labels_before, n);
			for (i = 0; i < n; i++)
				pairs[i].score = scores_before[i], pairs[i].label = labels_before[i];
			nn_sort_pairs_desc(pairs, n);
			for (i = 1; i < n; i++)
				pairs_ok &= pairs[i].score <= pairs[i - 1].score;

			/* selection: each probed k gives the k-th value of the qsorted copy */
			memcpy(sorted, scores_before, sizeof(float) * n);
			qsort(sorted, n, sizeof(float), cmp_float);
			for (i = 0; n > 0 && i < 5; i++)
			{
				size_t		k = i == 0 ? 0 : i == 1 ? n - 1 : i == 2 ? n / 2 : (size_t) (uniform() * n);
				size_t		j;
				float		got;

				memcpy(values, scores_before, sizeof(float) * n);
				got = nn_select_float(values, n, k);
				select_ok &= got == sorted[k];
				for (j = 0; j < k; j++)
					select_ok &= values[j] <= got;
				for (j = k + 1; j < n; j++)
					select_ok &= values[j] >= got;
			}
			ok(asc_ok, "ascending sort, input shape %d, n = %zu", shape, n);
			ok(desc_ok, "descending sort, input shape %d, n = %zu", shape, n);
			ok(pairs_ok, "descending sort of double pairs, input shape %d, n = %zu", shape, n);
			ok(select_ok, "selection equals the sorted order statistic, input shape %d, n = %zu", shape, n);
		}

	/* NaN scores: a total order puts them first (ascending) or last (descending), never out of bounds */
	for (i = 0; i < 1000; i++)
	{
		scored[i].score = scores_before[i] = i % 10 == 0 ? NAN : (i % 4 == 0 ? INFINITY : (float) uniform());
		scored[i].label = labels_before[i] = (float) (i % 2);
	}
	nn_sort_scored_asc(scored, 1000);
	ok(scored_in_order(scored, 1000, false) && isnan(scored[0].score) && isnan(scored[99].score) && !isnan(scored[100].score),
	   "NaN scores sort first in ascending order, infinities last");
	for (i = 0; i < 1000; i++)
		scored[i].score = scores_before[i], scored[i].label = labels_before[i];
	nn_sort_scored_desc(scored, 1000);
	ok(scored_in_order(scored, 1000, true) && isnan(scored[999].score) && !isnan(scored[899].score),
	   "NaN scores sort last in descending order");
	return done_testing();
}
