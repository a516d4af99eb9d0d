/* split.c: seeded train/validation splits, stratified by class when classes are given. */
#include <math.h>
#include <stdbool.h>

#include "split.h"

/* round(frac * count), halves up; never more than count since frac < 1. */
static inline size_t
validation_share(double frac, size_t count)
{
	return (size_t) floor(frac * (double) count + 0.5);
}

/*
 * Validation rows of class c: its rounded share, plus the one-row adjustment that keeps both
 * parts non-empty (adjust_class < 0 when there is none).
 */
static inline size_t
class_validation(double frac, size_t count, int c, int adjust_class, int adjust)
{
	size_t		v = validation_share(frac, count);

	if (c == adjust_class)
		v = adjust > 0 ? v + 1 : v - 1;
	return v;
}

/* Cursor over the class segments of order, for asking whether a position is validation. */
typedef struct SegmentCursor
{
	int			c;				/* current class */
	size_t		start;			/* first position of class c's segment */
	size_t		end;			/* one past its last position */
} SegmentCursor;

/*
 * Is position p (never smaller than the previous call's) in the validation tail of its segment?
 * segment_end[c] holds the end of class c's segment; segments are laid out in class order.
 */
static bool
position_is_validation(SegmentCursor *cur, size_t p, const size_t *segment_end, int K,
					   double frac, int adjust_class, int adjust)
{
	size_t		count;

	while (p >= cur->end && cur->c < K - 1)
	{
		cur->c++;
		cur->start = cur->end;
		cur->end = segment_end[cur->c];
	}
	count = cur->end - cur->start;
	return p - cur->start >= count - class_validation(frac, count, cur->c, adjust_class, adjust);
}

/*
 * Stratified split without extra memory: group rows by class (counting sort, class_counts as
 * cursors), shuffle each group, mark the tail of each group as validation, then swap misplaced
 * rows across the train/validation boundary (a Hoare-style partition); positions are decided
 * from the layout, which is still intact wherever the scans have not reached yet.
 */
static NnStatus
stratified_split(const float *classes, int K, size_t n, double frac, NnRng *rng,
				 uint32_t *order, size_t *n_train, size_t *class_counts)
{
	size_t		n_validation = 0;
	size_t		n_train_rows;
	size_t		offset = 0;
	int			adjust_class = -1;
	int			adjust = 0;
	SegmentCursor left;
	SegmentCursor right;
	size_t		i;
	size_t		j;
	int			c;

	if (K < 1 || class_counts == NULL)
		return NN_ERR_ARGUMENT;
	for (c = 0; c < K; c++)
		class_counts[c] = 0;
	for (i = 0; i < n; i++)
	{
		double		t = classes[i];

		if (!(t >= 0.0 && t < (double) K && t == floor(t)))
			return NN_ERR_ARGUMENT;
		class_counts[(int) t]++;
	}

	/* each class's share; one row moved if validation would be empty, or training ever */
	for (c = 0; c < K; c++)
		n_validation += validation_share(frac, class_counts[c]);
	if ((frac > 0.0 && n >= 2 && n_validation == 0) || n_validation == n)
	{
		int			best = 0;

		for (c = 1; c < K; c++)
		{
			size_t		key_c = n_validation == 0 ? class_counts[c] :
				validation_share(frac, class_counts[c]);
			size_t		key_best = n_validation == 0 ? class_counts[best] :
				validation_share(frac, class_counts[best]);

			if (key_c > key_best)
				best = c;
		}
		adjust_class = best;
		adjust = n_validation == 0 ? 1 : -1;
		n_validation = n_validation == 0 ? 1 : n - 1;
	}
	n_train_rows = n - n_validation;

	/* counting sort by class; afterwards class_counts[c] is the end of class c's segment */
	for (c = 0; c < K; c++)
	{
		size_t		count = class_counts[c];

		class_counts[c] = offset;
		offset += count;
	}
	for (i = 0; i < n; i++)
		order[class_counts[(int) classes[i]]++] = (uint32_t) i;
	for (c = 0; c < K; c++)
	{
		size_t		start = c == 0 ? 0 : class_counts[c - 1];

		nn_rng_shuffle(rng, order + start, class_counts[c] - start);
	}

	/* move validation rows found before the boundary and training rows after it */
	left.c = right.c = 0;
	left.start = right.start = 0;
	left.end = right.end = class_counts[0];
	i = 0;
	j = n_train_rows;
	for (;;)
	{
		uint32_t	tmp;

		while (i < n_train_rows &&
			   !position_is_validation(&left, i, class_counts, K, frac, adjust_class, adjust))
			i++;
		while (j < n &&
			   position_is_validation(&right, j, class_counts, K, frac, adjust_class, adjust))
			j++;
		if (i >= n_train_rows || j >= n)
			break;
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
		i++;
		j++;
	}

	/* back from segment ends to counts, as the caller may want them */
	for (c = K - 1; c > 0; c--)
		class_counts[c] -= class_counts[c - 1];

	/* rows within each part in random rather than class order */
	nn_rng_shuffle(rng, order, n_train_rows);
	nn_rng_shuffle(rng, order + n_train_rows, n - n_train_rows);
	*n_train = n_train_rows;
	return NN_OK;
}

/* Validate arguments, then a stratified split or a plain shuffle with the tail as validation. */
NnStatus
nn_split(const float *classes, int K, size_t n, double validation_fraction,
		 NnRng *rng, uint32_t *order, size_t *n_train, size_t *class_counts)
{
	size_t		n_validation;
	size_t		i;

	if (n == 0 || !(validation_fraction >= 0.0 && validation_fraction < 1.0))
		return NN_ERR_ARGUMENT;
	if (n - 1 > UINT32_MAX)
		return NN_ERR_TOO_LARGE;
	if (classes != NULL)
		return stratified_split(classes, K, n, validation_fraction, rng, order, n_train,
								class_counts);

	for (i = 0; i < n; i++)
		order[i] = (uint32_t) i;
	nn_rng_shuffle(rng, order, n);
	n_validation = validation_share(validation_fraction, n);
	if (validation_fraction > 0.0 && n >= 2 && n_validation == 0)
		n_validation = 1;
	if (n_validation == n)
		n_validation = n - 1;
	*n_train = n - n_validation;
	return NN_OK;
}

NnStatus
nn_kfold(const float *classes, int K, size_t n, int k, NnRng *rng, uint32_t *fold_of, uint32_t *work,
		 size_t *class_counts)
{
	size_t		i,
				start = 0,
				next = 0;
	int			c;

	if (n == 0 || k < 2 || (size_t) k > n || n > UINT32_MAX)
		return NN_ERR_ARGUMENT;
	if (classes == NULL)
	{
		for (i = 0; i < n; i++)
			work[i] = (uint32_t) i;
		nn_rng_shuffle(rng, work, n);
		for (i = 0; i < n; i++)
			fold_of[work[i]] = (uint32_t) (i % k);
		return NN_OK;
	}
	if (K < 1)
		return NN_ERR_ARGUMENT;
	for (c = 0; c < K; c++)
		class_counts[c] = 0;
	for (i = 0; i < n; i++)
	{
		float		v = classes[i];

		if (!(v >= 0.0f && v < (float) K) || v != (float) (int) v)
			return NN_ERR_ARGUMENT;
		class_counts[(int) v]++;
	}
	/* rows grouped by class in work, each group shuffled, then dealt across the folds */
	for (c = 0; c < K; c++)
	{
		size_t		count = class_counts[c];

		class_counts[c] = start;
		start += count;
	}
	for (i = 0; i < n; i++)
		work[class_counts[(int) classes[i]]++] = (uint32_t) i;
	start = 0;
	for (c = 0; c < K; c++)
	{
		size_t		end = class_counts[c];

		nn_rng_shuffle(rng, work + start, end - start);
		for (i = start; i < end; i++)
			fold_of[work[i]] = (uint32_t) (next++ % k);
		start = end;
	}
	return NN_OK;
}
