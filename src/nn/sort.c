/*
 * sort.c: the sorts of the metrics (AUC, the F1 threshold, curves) and the selection of the
 * preprocessing's quantiles. Scores compare through an unsigned key that orders floats totally
 * (NaN lowest), so the partition's scans stay in bounds whatever the input.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sort.h"

/*
 * Unsigned key in the order of the float, NaN below everything, and its inverse (NaN comes back
 * as a NaN, its payload lost). The sorts rewrite each score as its key, sort on integers and
 * rewrite the keys back: one compare per comparison, where qsort paid a call.
 */
static inline uint32_t
float_key(float f)
{
	uint32_t	u;

	if (isnan(f))
		return 0;
	memcpy(&u, &f, sizeof(u));
	return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static inline float
float_from_key(uint32_t key)
{
	uint32_t	u = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
	float		f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static inline uint64_t
double_key(double d)
{
	uint64_t	u;

	if (isnan(d))
		return 0;
	memcpy(&u, &d, sizeof(u));
	return (u & 0x8000000000000000u) ? ~u : (u | 0x8000000000000000u);
}

static inline double
double_from_key(uint64_t key)
{
	uint64_t	u = (key & 0x8000000000000000u) ? (key & 0x7fffffffffffffffu) : ~key;
	double		d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* the key stored in a score's bytes (memcpy: no aliasing of the float as an integer) */
static inline uint32_t
key32(const float *p)
{
	uint32_t	k;

	memcpy(&k, p, sizeof(k));
	return k;
}

static inline uint64_t
key64(const double *p)
{
	uint64_t	k;

	memcpy(&k, p, sizeof(k));
	return k;
}

#define ST_TYPE NnScoredLabel
#define ST_LESS(a, b) (key32(&(a)->score) < key32(&(b)->score))
#define ST_PREFIX scored
#define ST_KEY(a) key32(&(a)->score)
#include "sort_template.h"

#define ST_TYPE NnScorePair
#define ST_LESS(a, b) (key64(&(a)->score) < key64(&(b)->score))
#define ST_PREFIX pairs
#define ST_KEY(a) key64(&(a)->score)
#include "sort_template.h"

/* The values have no NaN (nn_select_float's contract), so < is a total order. */
#define ST_TYPE float
#define ST_LESS(a, b) (*(a) < *(b))
#define ST_PREFIX floats
#define ST_SELECT
#include "sort_template.h"

/* descending: the complement of the key, so NaN (key 0) sorts last */
static void
sort_scored(NnScoredLabel *a, size_t n, bool descending)
{
	uint32_t	flip = descending ? 0xffffffffu : 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	k = float_key(a[i].score) ^ flip;

		memcpy(&a[i].score, &k, sizeof(k));
	}
	scored_radix(a, n, 24);
	for (i = 0; i < n; i++)
		a[i].score = float_from_key(key32(&a[i].score) ^ flip);
}

void
nn_sort_scored_asc(NnScoredLabel *a, size_t n)
{
	sort_scored(a, n, false);
}

void
nn_sort_scored_desc(NnScoredLabel *a, size_t n)
{
	sort_scored(a, n, true);
}

void
nn_sort_pairs_desc(NnScorePair *a, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint64_t	k = ~double_key(a[i].score);

		memcpy(&a[i].score, &k, sizeof(k));
	}
	pairs_radix(a, n, 56);
	for (i = 0; i < n; i++)
		a[i].score = double_from_key(~key64(&a[i].score));
}

float
nn_select_float(float *a, size_t n, size_t k)
{
	floats_select(a, n, k);
	return a[k];
}
