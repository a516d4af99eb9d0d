/* pca.h: principal components of encoded rows, through LAPACK's dsyevd in OpenBLAS. */
#ifndef UBEHAV_NN_PCA_H
#define UBEHAV_NN_PCA_H

#include <stddef.h>

#include "status.h"

#define NN_PCA_MAX_INPUTS 4096		/* d above this makes the d x d eigenproblem too slow for a query */
#define NN_PCA_CHUNK 256			/* rows converted to double at a time */

/* Doubles and ints of workspace nn_pca_fit needs for d inputs; overflow-checked. */
NnStatus	nn_pca_work_sizes(int d, size_t *n_doubles, size_t *n_ints);

/* Row i (d floats) of the data PCA is fitted on: rows need not be contiguous. */
typedef const float *(*NnRowGetter) (void *ctx, size_t i);

/*
 * Fit PCA on the n rows get_row(ctx, 0..n-1): mean (d) receives the column means, eigvals (d) the
 * variances along the components in descending order, and components (d, d) the unit
 * components as rows in the same order. work and iwork as nn_pca_work_sizes says.
 */
NnStatus	nn_pca_fit(NnRowGetter get_row, void *ctx, size_t n, int d, double *mean, double *eigvals,
					   double *components, double *work, int *iwork);

/* Components to keep: k itself when >= 1, else the fewest explaining at least fraction of the variance. */
int			nn_pca_choose_k(const double *eigvals, int d, int k, double fraction);

/* z (k) = components[0..k) . (x - mean), for one row x (d); components (k, d) in float. */
void		nn_pca_project(const float *x, int d, const double *mean, const float *components, int k,
						   float *z);

#endif
