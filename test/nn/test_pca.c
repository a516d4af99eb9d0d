/* test_pca.c: PCA on data with a known covariance, checked by hand and by its defining properties. */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "nn/pca.h"
#include "tap.h"

/* A row getter over a contiguous (n, d) matrix: ctx points to an NnDenseRows. */
typedef struct NnDenseRows
{
	const float *X;
	int			d;
} NnDenseRows;

static const float *
nn_dense_row(void *ctx, size_t i)
{
	NnDenseRows *rows = ctx;

	return rows->X + i * (size_t) rows->d;
}

int
main(void)
{
	enum
	{
		N = 20000, D = 3
	};
	float	   *X = malloc(sizeof(float) * N * D);
	double		mean[D],
				eig[D],
				comp[D * D];
	double	   *work;
	int		   *iwork;
	size_t		nd,
				ni;
	NnRng		rng;
	size_t		r;
	int			j;
	float		fcomp[D * D],
				z[D];
	float		x[D] = {5.0f, -2.0f, 1.0f};

	/*
	 * x = (a + b, a - b, c) + (5, -2, 1) with var(a) = 4, var(b) = 1, var(c) = 0.25:
	 * the components are (1,1,0)/sqrt2 with variance 8, (1,-1,0)/sqrt2 with 2, (0,0,1) with 0.25.
	 */
	nn_rng_seed(&rng, 1);
	for (r = 0; r < N; r++)
	{
		double		a = 2.0 * nn_rng_normal(&rng),
					b = nn_rng_normal(&rng),
					c = 0.5 * nn_rng_normal(&rng);

		X[r * D + 0] = (float) (a + b + 5.0);
		X[r * D + 1] = (float) (a - b - 2.0);
		X[r * D + 2] = (float) (c + 1.0);
	}
	ok(nn_pca_work_sizes(D, &nd, &ni) == NN_OK, "work sizes");
	ok(nn_pca_work_sizes(0, &nd, &ni) == NN_ERR_ARGUMENT, "d = 0 refused");
	ok(nn_pca_work_sizes(NN_PCA_MAX_INPUTS + 1, &nd, &ni) == NN_ERR_ARGUMENT, "d above the limit refused");
	work = malloc(sizeof(double) * nd);
	iwork = malloc(sizeof(int) * ni);
	{
		NnDenseRows rows = {X, D};

		ok(nn_pca_fit(nn_dense_row, &rows, N, D, mean, eig, comp, work, iwork) == NN_OK, "fit");
	}
	is_close(mean[0], 5.0, 0.05, "mean 0");
	is_close(mean[1], -2.0, 0.05, "mean 1");
	is_close(eig[0], 8.0, 0.25, "first variance 8");
	is_close(eig[1], 2.0, 0.08, "second variance 2");
	is_close(eig[2], 0.25, 0.01, "third variance 0.25");
	is_close(fabs(comp[0]), 0.70710678118654752, 0.01, "first component (1,1,0)/sqrt2: x");
	is_close(comp[0] * comp[1], 0.5, 0.01, "first component: same sign on x and y");
	is_close(fabs(comp[2]), 0.0, 0.01, "first component: nothing on z");
	is_close(comp[3] * comp[4], -0.5, 0.01, "second component (1,-1,0)/sqrt2");
	is_close(fabs(comp[8]), 1.0, 1e-3, "third component (0,0,1)");
	{
		double		dot = 0.0;

		for (j = 0; j < D; j++)
			dot += comp[j] * comp[3 + j];
		is_close(dot, 0.0, 1e-9, "components orthogonal");
	}
	is_int(nn_pca_choose_k(eig, D, 2, 0), 2, "k = 2 kept as asked");
	is_int(nn_pca_choose_k(eig, D, 7, 0), 3, "k above d is d");
	is_int(nn_pca_choose_k(eig, D, 0, 0.75), 1, "75% of the variance: one component (8 / 10.25 = 78%)");
	is_int(nn_pca_choose_k(eig, D, 0, 0.9), 2, "90% of the variance: two components (97.6%)");
	is_int(nn_pca_choose_k(eig, D, 0, 0.99), 3, "99%: all three");
	for (j = 0; j < D * D; j++)
		fcomp[j] = (float) comp[j];
	nn_pca_project(x, D, mean, fcomp, D, z);
	/* x is the mean plus (0,0,0) except for the estimated-mean error: projections near zero */
	ok(fabs(z[0]) < 0.1 && fabs(z[1]) < 0.1 && fabs(z[2]) < 0.1, "the mean projects to about zero");
	free(X);
	free(work);
	free(iwork);
	return done_testing();
}
