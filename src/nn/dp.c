/* dp.c: the RDP accountant of the subsampled Gaussian mechanism, in log space for stability. */
#include <math.h>
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
