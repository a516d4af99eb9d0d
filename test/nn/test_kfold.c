/* test_kfold.c: k-fold assignment: every row in one fold, folds balanced, classes stratified, seeded. */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

int
main(void)
{
	enum
	{
		N = 1000, K = 5
	};
	float		classes[N];
	uint32_t	fold[N],
				fold2[N],
				work[N];
	size_t		counts[3];
	size_t		per_fold[K] = {0},
				positives[K] = {0};
	NnRng		rng;
	int			i;
	bool		same = true;

	/* 15% positives, as in a purchase table */
	for (i = 0; i < N; i++)
		classes[i] = i % 20 < 3 ? 1.0f : 0.0f;
	nn_rng_seed(&rng, 1);
	ok(nn_kfold(classes, 2, N, K, &rng, fold, work, counts) == NN_OK, "stratified 5-fold");
	for (i = 0; i < N; i++)
	{
		per_fold[fold[i]]++;
		positives[fold[i]] += classes[i] > 0.5f;
	}
	for (i = 0; i < K; i++)
	{
		is_int(per_fold[i], 200, "fold has 200 rows");
		is_int(positives[i], 30, "fold has 30 of the 150 positives");
	}
	nn_rng_seed(&rng, 1);
	nn_kfold(classes, 2, N, K, &rng, fold2, work, counts);
	ok(memcmp(fold, fold2, sizeof(fold)) == 0, "same seed, same folds");
	nn_rng_seed(&rng, 2);
	nn_kfold(classes, 2, N, K, &rng, fold2, work, counts);
	same = memcmp(fold, fold2, sizeof(fold)) == 0;
	ok(!same, "another seed, other folds");
	nn_rng_seed(&rng, 3);
	ok(nn_kfold(NULL, 0, 7, 3, &rng, fold, work, NULL) == NN_OK, "unstratified");
	memset(per_fold, 0, sizeof(per_fold));
	for (i = 0; i < 7; i++)
		per_fold[fold[i]]++;
	ok(per_fold[0] == 3 && per_fold[1] == 2 && per_fold[2] == 2, "7 rows in 3 folds: 3, 2, 2");
	ok(nn_kfold(NULL, 0, 3, 4, &rng, fold, work, NULL) == NN_ERR_ARGUMENT, "more folds than rows refused");
	ok(nn_kfold(NULL, 0, 10, 1, &rng, fold, work, NULL) == NN_ERR_ARGUMENT, "one fold refused");
	classes[5] = 7.0f;
	ok(nn_kfold(classes, 2, N, K, &rng, fold, work, counts) == NN_ERR_ARGUMENT, "class index out of range refused");
	return done_testing();
}
