/*
 * model_average.h: merging models trained on different rows (shards, parallel workers): the
 * row-weighted mean of parameters (and of optimizer state), and exact merges of the column
 * statistics a scaler is fitted from.
 */
#ifndef UBEHAV_NN_MODEL_AVERAGE_H
#define UBEHAV_NN_MODEL_AVERAGE_H

#include <stddef.h>

#include "mlp.h"
#include "status.h"

/*
 * out[i] = sum_j rows[j] * arrays[j][i] / sum_j rows[j] over j = 0..k-1, accumulated in double in
 * that order, so the same inputs give the same bits whatever the caller's thread or process.
 * out may be one of arrays. NN_ERR_ARGUMENT for k < 1, NULL arrays, a negative or non-finite
 * weight, or weights summing to 0; NN_ERR_NONFINITE when an input value is NaN or infinite.
 */
NnStatus	nn_weighted_average(size_t n, int k, const float *const *arrays, const double *rows,
								float *out);

/*
 * The row-weighted average of k models of the one architecture spec (params laid out by
 * nn_spec_layer), model j trained on rows[j] rows. Validates spec; the weighted mean of each
 * parameter as nn_weighted_average.
 */
NnStatus	nn_model_average(const NnSpec *spec, int k, const float *const *params, const double *rows,
							 float *out);

/*
 * The average of optimizer states (SGD none, momentum its velocity, Adam its two moments): the
 * same weighted mean over nn_optimizer_state_floats(kind, n_params) floats. Averaging Adam's
 * second moment averages the squared-gradient estimates, which keeps every entry >= 0.
 */
NnStatus	nn_optimizer_state_average(NnOptimizerKind kind, size_t n_params, int k,
									   const float *const *states, const double *rows, float *out);

/*
 * Running moments of one column: count, mean and m2 = sum (x - mean)^2. Two sets of moments from
 * disjoint rows merge exactly into those of the union (Chan, Golub and LeVeque 1979):
 *   n = na + nb, delta = mean_b - mean_a, mean = mean_a + delta nb / n,
 *   m2 = m2_a + m2_b + delta^2 na nb / n.
 * A weighted column uses weights as counts (count is then a sum of weights).
 */
typedef struct NnMoments
{
	double		count;
	double		mean;
	double		m2;
} NnMoments;

/* Add value x with weight w (1 for a plain row; w <= 0 is ignored), Welford's update. */
void		nn_moments_add(NnMoments *m, double x, double w);
/* The moments of the union of the rows behind a and b. */
NnMoments	nn_moments_merge(NnMoments a, NnMoments b);
/* Population variance m2 / count (what a standard scaler divides by), 0 for no rows. */
double		nn_moments_variance(const NnMoments *m);

#endif
