/* test_split.c: stratified and plain splits keep proportions, cover every row once, replay by seed. */
#include <string.h>

#include "nn/split.h"
#include "tap.h"

#define N 1000

/* Every index 0..n-1 exactly once in order. */
static bool
is_permutation(const uint32_t *order, size_t n)
{
	static unsigned char seen[N];
	size_t		i;

	if (n > N)
		return false;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++)
	{
		if (order[i] >= n || seen[order[i]])
			return false;
		seen[order[i]] = 1;
	}
	return true;
}

/* Rows of class c among order[from..to). */
static size_t
count_class(const uint32_t *order, size_t from, size_t to, const float *classes, int c)
{
	size_t		count = 0;
	size_t		i;

	for (i = from; i < to; i++)
		if (classes[order[i]] == (float) c)
			count++;
	return count;
}

int
main(void)
{
	static float classes[N];
	static float classes3[N];
	static uint32_t order[N];
	static uint32_t order2[N];
	size_t		class_counts[3];
	size_t		n_train;
	size_t		n_train2;
	NnRng		rng;
	NnStatus	status;
	int			i;

	/* 150 positives among 1000 rows (3 in every 20) */
	for (i = 0; i < N; i++)
		classes[i] = (i % 20) < 3 ? 1.0f : 0.0f;

	nn_rng_seed(&rng, 1);
	status = nn_split(classes, 2, N, 0.2, &rng, order, &n_train, class_counts);
	is_int(status, NN_OK, "stratified split succeeds");
	is_int(n_train, 800, "800 training rows");
	ok(is_permutation(order, N), "every row exactly once");
	is_int(count_class(order, n_train, N, classes, 1), 30, "30 positives in validation (15% of 200)");
	is_int(count_class(order, n_train, N, classes, 0), 170, "170 negatives in validation");
	is_int(count_class(order, 0, n_train, classes, 1), 120, "120 positives in training");
	is_int(class_counts[0], 850, "class_counts[0] = 850 on return");
	is_int(class_counts[1], 150, "class_counts[1] = 150 on return");

	/* replay and change of seed */
	nn_rng_seed(&rng, 1);
	nn_split(classes, 2, N, 0.2, &rng, order2, &n_train2, class_counts);
	ok(n_train2 == n_train && memcmp(order, order2, sizeof(order)) == 0, "same seed, same split");
	nn_rng_seed(&rng, 2);
	nn_split(classes, 2, N, 0.2, &rng, order2, &n_train2, class_counts);
	ok(memcmp(order, order2, sizeof(order)) != 0, "another seed, another split");
	{
		/* the validation set itself must change, not only its order */
		size_t		moved = 0;
		static unsigned char in_val[N];

		memset(in_val, 0, sizeof(in_val));
		for (i = (int) n_train; i < N; i++)
			in_val[order[i]] = 1;
		for (i = (int) n_train2; i < N; i++)
			if (!in_val[order2[i]])
				moved++;
		ok(moved > 50, "another seed picks other validation rows (%zu differ)", moved);
		is_int(count_class(order2, n_train2, N, classes, 1), 30, "still 30 positives with another seed");
	}

	/* three classes: 500 / 300 / 200, frac 0.25 -> 125 / 75 / 50 */
	for (i = 0; i < N; i++)
		classes3[i] = i % 10 < 5 ? 0.0f : (i % 10 < 8 ? 1.0f : 2.0f);
	nn_rng_seed(&rng, 3);
	status = nn_split(classes3, 3, N, 0.25, &rng, order, &n_train, class_counts);
	is_int(status, NN_OK, "three-class split succeeds");
	is_int(n_train, 750, "750 training rows");
	ok(is_permutation(order, N), "three classes: every row exactly once");
	ok(count_class(order, n_train, N, classes3, 0) == 125 &&
	   count_class(order, n_train, N, classes3, 1) == 75 &&
	   count_class(order, n_train, N, classes3, 2) == 50, "validation holds 125 / 75 / 50");

	/* unused class index (K larger than the classes present) is fine */
	nn_rng_seed(&rng, 3);
	status = nn_split(classes, 3, N, 0.2, &rng, order, &n_train, class_counts);
	ok(status == NN_OK && n_train == 800 && class_counts[2] == 0, "an empty class is harmless");

	/* plain split */
	nn_rng_seed(&rng, 4);
	status = nn_split(NULL, 0, N, 0.2, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == 800, "plain split: 800 training rows");
	ok(is_permutation(order, N), "plain split: every row exactly once");
	nn_rng_seed(&rng, 4);
	nn_split(NULL, 0, N, 0.2, &rng, order2, &n_train2, NULL);
	ok(memcmp(order, order2, sizeof(order)) == 0, "plain split replays by seed");

	/* edge cases */
	nn_rng_seed(&rng, 5);
	status = nn_split(classes, 2, N, 0.0, &rng, order, &n_train, class_counts);
	ok(status == NN_OK && n_train == N && is_permutation(order, N), "frac 0: all rows train (stratified)");
	status = nn_split(NULL, 0, N, 0.0, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == N && is_permutation(order, N), "frac 0: all rows train (plain)");
	status = nn_split(NULL, 0, 2, 0.0, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == 2, "n = 2, frac 0: both train");
	status = nn_split(NULL, 0, 2, 0.1, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == 1 && is_permutation(order, 2), "n = 2, frac 0.1: one row each side");
	status = nn_split(NULL, 0, 2, 0.9, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == 1, "n = 2, frac 0.9: training keeps a row");
	{
		const float two[2] = {0, 1};

		status = nn_split(two, 2, 2, 0.1, &rng, order, &n_train, class_counts);
		ok(status == NN_OK && n_train == 1 && is_permutation(order, 2),
		   "stratified n = 2, frac 0.1: one row moves to validation");
		status = nn_split(two, 2, 2, 0.9, &rng, order, &n_train, class_counts);
		ok(status == NN_OK && n_train == 1 && is_permutation(order, 2),
		   "stratified n = 2, frac 0.9: one row stays in training");
	}
	status = nn_split(NULL, 0, 1, 0.5, &rng, order, &n_train, NULL);
	ok(status == NN_OK && n_train == 1 && order[0] == 0, "n = 1: the row trains");
	status = nn_split(classes, 2, 1, 0.5, &rng, order, &n_train, class_counts);
	ok(status == NN_OK && n_train == 1 && order[0] == 0, "stratified n = 1: the row trains");

	/* errors */
	is_int(nn_split(NULL, 0, 0, 0.2, &rng, order, &n_train, NULL), NN_ERR_ARGUMENT, "n = 0 rejected");
	is_int(nn_split(NULL, 0, 10, 1.0, &rng, order, &n_train, NULL), NN_ERR_ARGUMENT, "frac 1 rejected");
	is_int(nn_split(NULL, 0, 10, -0.1, &rng, order, &n_train, NULL), NN_ERR_ARGUMENT, "negative frac rejected");
	is_int(nn_split(NULL, 0, 10, NAN, &rng, order, &n_train, NULL), NN_ERR_ARGUMENT, "NaN frac rejected");
	{
		const float bad_index[3] = {0, 2, 1};
		const float fractional[3] = {0, 0.5f, 1};
		const float negative[3] = {0, -1, 1};

		is_int(nn_split(bad_index, 2, 3, 0.2, &rng, order, &n_train, class_counts), NN_ERR_ARGUMENT,
			   "class index >= K rejected");
		is_int(nn_split(fractional, 2, 3, 0.2, &rng, order, &n_train, class_counts), NN_ERR_ARGUMENT,
			   "fractional class rejected");
		is_int(nn_split(negative, 2, 3, 0.2, &rng, order, &n_train, class_counts), NN_ERR_ARGUMENT,
			   "negative class rejected");
		is_int(nn_split(classes, 0, 3, 0.2, &rng, order, &n_train, class_counts), NN_ERR_ARGUMENT,
			   "K = 0 rejected");
	}

	return done_testing();
}
