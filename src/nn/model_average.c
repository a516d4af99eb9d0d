/* model_average.c: row-weighted model averaging and exact merges of column moments. */
#include "model_average.h"

#include <math.h>

NnStatus
nn_weighted_average(size_t n, int k, const float *const *arrays, const double *rows, float *out)
{
	double		total = 0.0;
	size_t		i;
	int			j;

	if (k < 1 || arrays == NULL || rows == NULL || out == NULL)
		return NN_ERR_ARGUMENT;
	for (j = 0; j < k; j++)
	{
		if (arrays[j] == NULL || !(rows[j] >= 0.0) || !isfinite(rows[j]))
			return NN_ERR_ARGUMENT;
		total += rows[j];
	}
	if (!(total > 0.0) || !isfinite(total))
		return NN_ERR_ARGUMENT;
	/* check first, so a failed average leaves out (which may be an input) untouched */
	for (j = 0; j < k; j++)
		if (rows[j] > 0.0)
			for (i = 0; i < n; i++)
				if (!isfinite(arrays[j][i]))
					return NN_ERR_NONFINITE;
	for (i = 0; i < n; i++)
	{
		double		sum = 0.0;

		/* one fixed order of the k terms: the result does not depend on who computes it */
		for (j = 0; j < k; j++)
			sum += rows[j] * (double) arrays[j][i];
		out[i] = (float) (sum / total);
	}
	return NN_OK;
}

NnStatus
nn_model_average(const NnSpec *spec, int k, const float *const *params, const double *rows, float *out)
{
	size_t		n_params;
	NnStatus	status = nn_spec_param_count(spec, &n_params);

	if (status != NN_OK)
		return status;
	return nn_weighted_average(n_params, k, params, rows, out);
}

NnStatus
nn_optimizer_state_average(NnOptimizerKind kind, size_t n_params, int k, const float *const *states,
						   const double *rows, float *out)
{
	size_t		n_floats;
	NnStatus	status = (NnStatus) nn_optimizer_state_floats(kind, n_params, &n_floats);

	if (status != NN_OK)
		return status;
	if (n_floats == 0)
		return k >= 1 ? NN_OK : NN_ERR_ARGUMENT;
	return nn_weighted_average(n_floats, k, states, rows, out);
}

void
nn_moments_add(NnMoments *m, double x, double w)
{
	double		delta;

	if (!(w > 0.0))
		return;
	m->count += w;
	delta = x - m->mean;
	m->mean += delta * w / m->count;
	m->m2 += w * delta * (x - m->mean);
}

NnMoments
nn_moments_merge(NnMoments a, NnMoments b)
{
	NnMoments	r;
	double		delta;

	if (!(a.count > 0.0))
		return b;
	if (!(b.count > 0.0))
		return a;
	r.count = a.count + b.count;
	delta = b.mean - a.mean;
	/* the weighted mean of the two means: exact and stable when one side is small */
	r.mean = a.mean + delta * (b.count / r.count);
	r.m2 = a.m2 + b.m2 + delta * delta * (a.count * b.count / r.count);
	return r;
}

double
nn_moments_variance(const NnMoments *m)
{
	return m->count > 0.0 ? m->m2 / m->count : 0.0;
}
