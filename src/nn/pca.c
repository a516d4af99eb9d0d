/* pca.c: covariance by dsyrk on centred chunks, then the symmetric eigenproblem by dsyevd. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cblas.h>

#include "pca.h"

/* LAPACK (Fortran) symmetric eigensolver, exported by OpenBLAS; the trailing lengths are gfortran's hidden string lengths. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
					double *w, double *work, const int *lwork, int *iwork, const int *liwork,
					int *info, size_t jobz_len, size_t uplo_len);

NnStatus
nn_pca_work_sizes(int d, size_t *n_doubles, size_t *n_ints)
{
	size_t		dd;

	if (d < 1 || d > NN_PCA_MAX_INPUTS)
		return NN_ERR_ARGUMENT;
	dd = (size_t) d * d;
	/* dsyevd: lwork 1 + 6d + 2d^2, liwork 3 + 5d; plus the chunk of centred rows and the covariance */
	*n_doubles = 1 + 6 * (size_t) d + 2 * dd + (size_t) NN_PCA_CHUNK * d;
	*n_ints = 3 + 5 * (size_t) d;
	return NN_OK;
}

NnStatus
nn_pca_fit(NnRowGetter get_row, void *ctx, size_t n, int d, double *mean, double *eigvals,
		   double *components, double *work, int *iwork)
{
	double	   *chunk = work;
	double	   *lwork_area = work + (size_t) NN_PCA_CHUNK * d;
	int			lwork = 1 + 6 * d + 2 * d * d;
	int			liwork = 3 + 5 * d;
	int			info = 0;
	size_t		r;
	int			j,
				k;

	if (d < 1 || d > NN_PCA_MAX_INPUTS || n < 2)
		return NN_ERR_ARGUMENT;
	memset(mean, 0, sizeof(double) * d);
	for (r = 0; r < n; r++)
	{
		const float *x = get_row(ctx, r);

		for (j = 0; j < d; j++)
			mean[j] += x[j];
	}
	for (j = 0; j < d; j++)
		mean[j] /= (double) n;

	/* covariance = sum of centred chunk^T chunk / (n - 1), accumulated in the upper triangle */
	memset(components, 0, sizeof(double) * d * d);
	for (r = 0; r < n; r += NN_PCA_CHUNK)
	{
		size_t		rows = n - r < NN_PCA_CHUNK ? n - r : NN_PCA_CHUNK;
		size_t		i;

		for (i = 0; i < rows; i++)
		{
			const float *x = get_row(ctx, r + i);

			for (j = 0; j < d; j++)
				chunk[i * d + j] = (double) x[j] - mean[j];
		}
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int) rows, 1.0, chunk, d, 1.0,
					components, d);
	}
	for (j = 0; j < d; j++)
		for (k = j; k < d; k++)
		{
			double		c = components[j * d + k] / (double) (n - 1);

			components[j * d + k] = c;
			components[k * d + j] = c;
		}

	dsyevd_("V", "U", &d, components, &d, eigvals, lwork_area, &lwork, iwork, &liwork, &info, 1, 1);
	if (info != 0)
		return NN_ERR_NONFINITE;

	/*
	 * The matrix is symmetric, so the column-major eigenvectors are contiguous: vector j at
	 * components + j * d, eigenvalues ascending. Reverse both into descending order.
	 */
	for (j = 0; j < d / 2; j++)
	{
		int			o = d - 1 - j;
		double		t = eigvals[j];

		eigvals[j] = eigvals[o];
		eigvals[o] = t;
		for (k = 0; k < d; k++)
		{
			t = components[(size_t) j * d + k];
			components[(size_t) j * d + k] = components[(size_t) o * d + k];
			components[(size_t) o * d + k] = t;
		}
	}
	for (j = 0; j < d; j++)
		if (eigvals[j] < 0.0)
			eigvals[j] = 0.0;	/* rounding can make a zero variance slightly negative */
	return NN_OK;
}

int
nn_pca_choose_k(const double *eigvals, int d, int k, double fraction)
{
	double		total = 0.0,
				running = 0.0;
	int			j;

	if (k >= 1)
		return k < d ? k : d;
	for (j = 0; j < d; j++)
		total += eigvals[j];
	if (!(total > 0.0))
		return 1;
	for (j = 0; j < d; j++)
	{
		running += eigvals[j];
		if (running >= fraction * total * (1.0 - 1e-12))
			return j + 1;
	}
	return d;
}

void
nn_pca_project(const float *x, int d, const double *mean, const float *components, int k, float *z)
{
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		const float *v = components + (size_t) c * d;
		double		s = 0.0;

		for (j = 0; j < d; j++)
			s += v[j] * ((double) x[j] - mean[j]);
		z[c] = (float) s;
	}
}
