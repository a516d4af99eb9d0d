/* loss.c: output heads fused with their losses; losses accumulate in double. */
#include <math.h>
#include <string.h>

#include "loss.h"

/* Logistic function computed without overflow, in double. */
static inline double
sigmoid_double(double z)
{
	if (z >= 0.0)
		return 1.0 / (1.0 + exp(-z));
	else
	{
		double		e = exp(z);

		return e / (1.0 + e);
	}
}

/* log(1 + e^z) - z y, written as max(z,0) - z y + log1p(e^-|z|) so it is stable for any z. */
static double
bce_loss(const float *logits, const float *targets, const float *weights, int B,
		 float *dlogits)
{
	double		total = 0.0;
	double		inv_b = 1.0 / B;
	int			r;

	for (r = 0; r < B; r++)
	{
		double		z = logits[r];
		double		y = targets[r];
		double		w = weights ? weights[r] : 1.0;
		/* e^-|z| serves the loss and the sigmoid: the same value sigmoid_double would compute */
		double		e = exp(-fabs(z));
		double		l = (z > 0.0 ? z : 0.0) - z * y + log1p(e);

		total += w * l;
		if (dlogits)
			dlogits[r] = (float) (((z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y) * w * inv_b);
	}
	return total * inv_b;
}

/*
 * Cross-entropy of softmax(z) against class index y: logsumexp(z) - z_y, with the row maximum
 * subtracted first. A target outside 0..K-1 makes the loss NaN (and its gradient ignores it).
 */
static double
softmax_ce_loss(const float *logits, const float *targets, const float *weights, int B, int K,
				float *dlogits)
{
	double		total = 0.0;
	double		inv_b = 1.0 / B;
	int			r;
	int			k;

	for (r = 0; r < B; r++)
	{
		const float *z = logits + (size_t) r * K;
		double		w = weights ? weights[r] : 1.0;
		double		t = targets[r];
		int			y = (t >= 0.0 && t < (double) K && t == floor(t)) ? (int) t : -1;
		double		zmax = z[0];
		double		sum = 0.0;
		double		lse;

		for (k = 1; k < K; k++)
			if (z[k] > zmax)
				zmax = z[k];
		for (k = 0; k < K; k++)
			sum += exp((double) z[k] - zmax);
		lse = zmax + log(sum);
		total += w * (y >= 0 ? lse - (double) z[y] : NAN);
		if (dlogits)
		{
			float	   *d = dlogits + (size_t) r * K;

			for (k = 0; k < K; k++)
			{
				double		p = exp((double) z[k] - lse);

				d[k] = (float) ((p - (k == y ? 1.0 : 0.0)) * w * inv_b);
			}
		}
	}
	return total * inv_b;
}

/* sum_i w_i (z_i - y_i)^2 / B with gradient 2 w (z - y) / B; every output compared to the row's target. */
static double
mse_loss(const float *logits, const float *targets, const float *weights, int B, int K,
		 float *dlogits)
{
	double		total = 0.0;
	double		inv_b = 1.0 / B;
	int			r;
	int			k;

	for (r = 0; r < B; r++)
	{
		double		w = weights ? weights[r] : 1.0;

		for (k = 0; k < K; k++)
		{
			double		diff = (double) logits[(size_t) r * K + k] - targets[r];

			total += w * diff * diff;
			if (dlogits)
				dlogits[(size_t) r * K + k] = (float) (2.0 * w * diff * inv_b);
		}
	}
	return total * inv_b;
}

/* Dispatch to the head's fused loss; NaN for an empty batch or an unknown head. */
double
nn_head_loss(NnHead head, const float *logits, const float *targets,
			 const float *weights, int B, int K, float *dlogits)
{
	if (B <= 0 || K <= 0)
		return NAN;
	switch (head)
	{
		case NN_HEAD_SIGMOID_BCE:
			return bce_loss(logits, targets, weights, B, dlogits);
		case NN_HEAD_SOFTMAX_CE:
			return softmax_ce_loss(logits, targets, weights, B, K, dlogits);
		case NN_HEAD_LINEAR_MSE:
			return mse_loss(logits, targets, weights, B, K, dlogits);
		case NN_HEAD_COUNT_:
			break;
	}
	return NAN;
}

/* Turn logits into what the user sees: probabilities for the classifiers, values for regression. */
void
nn_head_output(NnHead head, float *logits, int B, int K)
{
	size_t		n;
	size_t		i;
	int			r;
	int			k;

	if (B <= 0 || K <= 0)
		return;
	n = (size_t) B * K;
	switch (head)
	{
		case NN_HEAD_SIGMOID_BCE:
			for (i = 0; i < n; i++)
				logits[i] = (float) sigmoid_double(logits[i]);
			break;
		case NN_HEAD_SOFTMAX_CE:
			for (r = 0; r < B; r++)
			{
				float	   *z = logits + (size_t) r * K;
				float		zmax = z[0];
				double		sum = 0.0;

				for (k = 1; k < K; k++)
					if (z[k] > zmax)
						zmax = z[k];
				for (k = 0; k < K; k++)
				{
					z[k] = expf(z[k] - zmax);
					sum += z[k];
				}
				for (k = 0; k < K; k++)
					z[k] = (float) (z[k] / sum);
			}
			break;
		case NN_HEAD_LINEAR_MSE:
		case NN_HEAD_COUNT_:
			break;
	}
}
