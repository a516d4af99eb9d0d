/* transform.h: fitting per-column numeric transforms (no PostgreSQL headers). */
#ifndef NN_TRANSFORM_H
#define NN_TRANSFORM_H

#include <stddef.h>

/* Yeo-Johnson transform of v with exponent lambda (Yeo and Johnson 2000), as scikit-learn's. */
double		nn_yeo_johnson(double v, double lambda);

/*
 * The Yeo-Johnson exponent in [-2, 2] that maximises the Gaussian log-likelihood of the
 * transformed values x[0..n), as scikit-learn's PowerTransformer, by golden-section search.
 * At most max_sample values are used, evenly spaced in x (all of them when n <= max_sample).
 * Returns 1 (the identity) for n < 2 or a constant x.
 */
double		nn_yeo_johnson_fit(const float *x, size_t n, size_t max_sample);

/* Sample skewness (third standardised moment) of x[0..n); 0 for n < 2 or a constant x. */
double		nn_skewness(const float *x, size_t n);

#endif
