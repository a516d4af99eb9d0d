/* dp.c: the RDP accountant of the subsampled Gaussian mechanism, in log space for stability. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dp.h"

/* log(exp(a) + exp(b)) without overflow. */
static double
log_add(double a, double b)
{
	double		m = fmax(a, b);

	if (m == -INFINITY)
		return -INFINITY;
	return m + log(exp(a - m) + exp(b - m));
}

double
nn_rdp_subsampled_gaussian(double q, double sigma, int alpha)
{
	double		log_a = -INFINITY;
	int			k;

	if (q <= 0.0)
		return 0.0;
	if (q >= 1.0)
		return alpha / (2.0 * sigma * sigma);
	/* A_alpha = sum_k C(alpha, k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)) */
	for (k = 0; k <= alpha; k++)
	{
		double		log_binom = lgamma(alpha + 1.0) - lgamma(k + 1.0) - lgamma(alpha - k + 1.0);

		log_a = log_add(log_a, log_binom + (alpha - k) * log1p(-q) + k * log(q) +
						(k * (double) k - k) / (2.0 * sigma * sigma));
	}
	return log_a / (alpha - 1);
}

double
nn_dp_epsilon(double q, double sigma, int64_t steps, double delta, int *best_order)
{
	double		best = INFINITY;
	int			alpha,
				best_alpha = 0;

	for (alpha = 2; alpha <= 256; alpha = alpha < 63 ? alpha + 1 : alpha * 2)
	{
		double		eps;

		if (alpha == 64)
			continue;
		eps = steps * nn_rdp_subsampled_gaussian(q, sigma, alpha) + log(1.0 / delta) / (alpha - 1);
		if (eps < best)
		{
			best = eps;
			best_alpha = alpha;
		}
	}
	if (best_order)
		*best_order = best_alpha;
	return best;
}

double
nn_dp_noise_for_epsilon(double q, int64_t steps, double delta, double epsilon, double max_sigma)
{
	double		lo = 0.1,
				hi = max_sigma;
	int			i;

	if (nn_dp_epsilon(q, hi, steps, delta, NULL) > epsilon)
		return NAN;
	if (nn_dp_epsilon(q, lo, steps, delta, NULL) <= epsilon)
		return lo;
	/* epsilon falls as the noise grows: bisect to a relative precision far below any reported digit */
	for (i = 0; i < 60; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (nn_dp_epsilon(q, mid, steps, delta, NULL) > epsilon)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

uint64_t
nn_dp_poisson_gap(NnRng *rng, double q)
{
	double		u,
				gap;

	if (!(q > 0.0))
		return UINT64_MAX;
	if (q >= 1.0)
		return 0;
	/* inversion: floor(log(U) / log(1 - q)) is geometric with success probability q, U in (0, 1] */
	u = 1.0 - nn_rng_uniform(rng);
	gap = floor(log(u) / log1p(-q));
	if (!(gap < 1.8e19))
		return UINT64_MAX;
	return (uint64_t) gap;
}

double
nn_dp_accumulate(const NnSpec *spec, const float *params, float *sum, float *scratch,
				 const float *inp, const float *targets, int B, float *workspace,
				 float *dlogits, double clip, double *norms)
{
	size_t		n_params,
				i;
	float	   *logits;
	double		loss;
	int			K = spec->n_outputs,
				r,
				k;

	if (nn_spec_param_count(spec, &n_params) != NN_OK || B < 1 || !(clip > 0.0))
		return NAN;
	logits = nn_forward(spec, params, inp, B, workspace);
	loss = nn_head_loss(spec->head, logits, targets, NULL, B, K, dlogits);
	/* the head's gradient is of the mean loss; per-example gradients are B times it */
	for (i = 0; i < (size_t) B * K; i++)
		dlogits[i] *= (float) B;
	memset(scratch, 0, sizeof(float) * n_params);
	nn_per_example_norms(spec, params, inp, B, workspace, dlogits, scratch, norms);
	for (r = 0; r < B; r++)
	{
		float		factor = norms[r] > clip ? (float) (clip / norms[r]) : 1.0f;

		for (k = 0; k < K; k++)
			dlogits[(size_t) r * K + k] *= factor;
	}
	/* by linearity, one backward pass of the rescaled output gradients adds the clipped sum */
	nn_backward(spec, params, inp, B, workspace, dlogits, sum);
	return loss * B;
}

NnStatus
nn_dp_apply(const NnSpec *spec, float *params, float *sum, NnOptimizer *opt, float *opt_state,
			double clip, double noise, double expected_batch, NnRng *rng)
{
	size_t		n_params,
				i;
	NnStatus	st = nn_spec_param_count(spec, &n_params);

	if (st != NN_OK)
		return st;
	if (!(clip > 0.0) || !(noise >= 0.0) || !(expected_batch > 0.0) || !isfinite(noise))
		return NN_ERR_ARGUMENT;
	for (i = 0; i < n_params; i++)
		sum[i] = (float) ((sum[i] + noise * clip * nn_rng_normal(rng)) / expected_batch);
	nn_optimizer_step(opt, params, sum, opt_state, n_params);
	return NN_OK;
}
