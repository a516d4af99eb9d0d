/* optimizer.c: SGD, momentum (heavy ball / Nesterov) and Adam over one flat parameter block. */
#include <math.h>
#include <string.h>

#include "kernel_isa.h"
#include "optimizer.h"
#include "status.h"

static const char *const optimizer_names[NN_OPT_COUNT_] = {"sgd", "momentum", "adam"};

/* Keras defaults, so options mean what a Keras user expects. */
void
nn_optimizer_defaults(NnOptimizer *opt, NnOptimizerKind kind)
{
	memset(opt, 0, sizeof(*opt));
	opt->kind = kind;
	opt->learning_rate = kind == NN_OPT_ADAM ? 0.001f : 0.01f;
	opt->momentum = kind == NN_OPT_MOMENTUM ? 0.9f : 0.0f;
	opt->nesterov = false;
	opt->beta1 = 0.9f;
	opt->beta2 = 0.999f;
	opt->epsilon = 1e-7f;
	opt->step = 0;
}

/* Option/catalog name of an optimizer kind; "unknown" when out of range. */
const char *
nn_optimizer_name(NnOptimizerKind kind)
{
	if ((int) kind < 0 || kind >= NN_OPT_COUNT_)
		return "unknown";
	return optimizer_names[kind];
}

/* Exact name lookup; NN_OPT_COUNT_ when unknown or NULL. */
NnOptimizerKind
nn_optimizer_from_name(const char *name)
{
	int			i;

	if (name == NULL)
		return NN_OPT_COUNT_;
	for (i = 0; i < NN_OPT_COUNT_; i++)
		if (strcmp(name, optimizer_names[i]) == 0)
			return (NnOptimizerKind) i;
	return NN_OPT_COUNT_;
}

/* 0, n or 2n floats; returns an NnStatus (NN_ERR_OVERFLOW, NN_ERR_ARGUMENT for a bad kind). */
int
nn_optimizer_state_floats(NnOptimizerKind kind, size_t n_params, size_t *n_floats)
{
	switch (kind)
	{
		case NN_OPT_SGD:
			*n_floats = 0;
			return NN_OK;
		case NN_OPT_MOMENTUM:
			*n_floats = n_params;
			return NN_OK;
		case NN_OPT_ADAM:
			if (n_params > SIZE_MAX / 2)
				return NN_ERR_OVERFLOW;
			*n_floats = 2 * n_params;
			return NN_OK;
		case NN_OPT_COUNT_:
			break;
	}
	return NN_ERR_ARGUMENT;
}

/* One update by the formulas in optimizer.h; Adam's bias corrections are computed in double. */
NN_MULTIVERSION
void
nn_optimizer_update(const NnOptimizer *opt, float *params, const float *grads, float *state,
					size_t n_params, size_t first, size_t count)
{
	const float lr = opt->learning_rate;
	size_t		i;
	float	   *state_v = state ? state + n_params + first : NULL;

	params += first;
	grads += first;
	if (state)
		state += first;

	switch (opt->kind)
	{
		case NN_OPT_SGD:
			for (i = 0; i < count; i++)
				params[i] -= lr * grads[i];
			break;
		case NN_OPT_MOMENTUM:
			{
				const float mu = opt->momentum;
				float	   *v = state;

				if (opt->nesterov)
					for (i = 0; i < count; i++)
					{
						v[i] = mu * v[i] + grads[i];
						params[i] -= lr * (grads[i] + mu * v[i]);
					}
				else
					for (i = 0; i < count; i++)
					{
						v[i] = mu * v[i] + grads[i];
						params[i] -= lr * v[i];
					}
				break;
			}
		case NN_OPT_ADAM:
			{
				const float b1 = opt->beta1;
				const float b2 = opt->beta2;
				const float eps = opt->epsilon;
				float	   *m = state;
				float	   *v = state_v;
				double		t = (double) (opt->step + 1);
				double		correction1 = 1.0 - pow((double) b1, t);
				double		correction2 = 1.0 - pow((double) b2, t);

				/* lr m / c1 / (sqrt(v / c2) + eps) == step_size m / (sqrt(v) * inv_sqrt_c2 + eps) */
				const float step_size = (float) (lr / correction1);
				const float inv_sqrt_c2 = (float) (1.0 / sqrt(correction2));

				for (i = 0; i < count; i++)
				{
					float		g = grads[i];

					m[i] = b1 * m[i] + (1.0f - b1) * g;
					v[i] = b2 * v[i] + (1.0f - b2) * g * g;
					params[i] -= step_size * m[i] / (sqrtf(v[i]) * inv_sqrt_c2 + eps);
				}
				break;
			}
		case NN_OPT_COUNT_:
			return;
	}
}

void
nn_optimizer_step(NnOptimizer *opt, float *params, const float *grads,
				  float *state, size_t n_params)
{
	if (opt->kind < 0 || opt->kind >= NN_OPT_COUNT_)
		return;
	nn_optimizer_update(opt, params, grads, state, n_params, 0, n_params);
	opt->step++;
}
