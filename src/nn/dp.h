/* dp.h: differentially private SGD: per-example clipping, Gaussian noise, and an RDP accountant. */
#ifndef UBEHAV_NN_DP_H
#define UBEHAV_NN_DP_H

#include <stdint.h>

#include "mlp.h"

/*
 * Renyi DP of order alpha (an integer >= 2) of one step of the Gaussian mechanism with noise
 * multiplier sigma on a Poisson subsample of rate q (Mironov, Talwar and Zhang 2019,
 * https://arxiv.org/abs/1908.10530, the integer-order formula TF Privacy uses).
 */
double		nn_rdp_subsampled_gaussian(double q, double sigma, int alpha);

/*
 * Epsilon spent by steps such steps at the given delta: the minimum over orders 2..63, 128, 256
 * of steps * RDP(alpha) + log(1 / delta) / (alpha - 1). best_order may be NULL.
 */
double		nn_dp_epsilon(double q, double sigma, int64_t steps, double delta, int *best_order);

/* Smallest noise multiplier in [0.1, max_sigma] that spends at most epsilon; NaN when none does. */
double		nn_dp_noise_for_epsilon(double q, int64_t steps, double delta, double epsilon, double max_sigma);

/*
 * Poisson sampling (what the accountant assumes): the number of rows to skip before the next row
 * that a sample of rate q includes, a geometric deviate; 0 when q >= 1, UINT64_MAX when q <= 0.
 */
uint64_t	nn_dp_poisson_gap(NnRng *rng, double q);

/*
 * Add the clipped per-example gradients of B rows to sum (n_params floats, not zeroed here), so
 * that one Poisson batch can be processed in pieces. scratch needs n_params floats, norms B
 * doubles, workspace and dlogits as for nn_train_step. Returns the sum of the B rows' losses;
 * NaN on bad arguments.
 */
double		nn_dp_accumulate(const NnSpec *spec, const float *params, float *sum, float *scratch,
							 const float *inp, const float *targets, int B, float *workspace,
							 float *dlogits, double clip, double *norms);

/*
 * Finish one DP-SGD step: Gaussian noise of standard deviation noise * clip on every coordinate of
 * the clipped sum, divided by the expected batch size (not the drawn one, which would depend on
 * the data), then the optimizer step. sum is overwritten.
 */
NnStatus	nn_dp_apply(const NnSpec *spec, float *params, float *sum, NnOptimizer *opt, float *opt_state,
						double clip, double noise, double expected_batch, NnRng *rng);

/* Per-example gradient norms of the batch (after nn_forward and dlogits per example), into norms (B). */
void		nn_per_example_norms(const NnSpec *spec, const float *params, const float *inp, int B,
								 float *workspace, const float *dlogits, float *grads_scratch, double *norms);

#endif
