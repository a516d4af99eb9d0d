/* activation.c: element-wise activations and their derivatives expressed through the output. */
#include <math.h>
#include <string.h>

#include "activation.h"

static const char *const activation_names[NN_ACT_COUNT_] = {
	"relu", "leaky_relu", "tanh", "sigmoid", "linear"
};

/* Option/catalog name of an activation; "unknown" for an out-of-range value. */
const char *
nn_activation_name(NnActivation act)
{
	if ((int) act < 0 || act >= NN_ACT_COUNT_)
		return "unknown";
	return activation_names[act];
}

/* Exact, case-sensitive name lookup; NN_ACT_COUNT_ when the name is unknown or NULL. */
NnActivation
nn_activation_from_name(const char *name)
{
	int			i;

	if (name == NULL)
		return NN_ACT_COUNT_;
	for (i = 0; i < NN_ACT_COUNT_; i++)
		if (strcmp(name, activation_names[i]) == 0)
			return (NnActivation) i;
	return NN_ACT_COUNT_;
}

/* Logistic function that never overflows expf: the exponent is always <= 0. */
static inline float
stable_sigmoid(float x)
{
	if (x >= 0.0f)
		return 1.0f / (1.0f + expf(-x));
	else
	{
		float		e = expf(x);

		return e / (1.0f + e);
	}
}

/* Apply act in place; one tight loop per activation so each can vectorise. */
void
nn_activation_forward(NnActivation act, float *x, size_t n)
{
	size_t		i;

	switch (act)
	{
		case NN_ACT_RELU:
			for (i = 0; i < n; i++)
				x[i] = x[i] > 0.0f ? x[i] : 0.0f;
			break;
		case NN_ACT_LEAKY_RELU:
			for (i = 0; i < n; i++)
				x[i] = x[i] > 0.0f ? x[i] : NN_LEAKY_RELU_SLOPE * x[i];
			break;
		case NN_ACT_TANH:
			for (i = 0; i < n; i++)
				x[i] = tanhf(x[i]);
			break;
		case NN_ACT_SIGMOID:
			for (i = 0; i < n; i++)
				x[i] = stable_sigmoid(x[i]);
			break;
		case NN_ACT_LINEAR:
		case NN_ACT_COUNT_:
			break;
	}
}

/*
 * Multiply dx by act' written in terms of y = act(x): relu and leaky relu keep the sign of x,
 * tanh' = 1 - y^2, sigmoid' = y (1 - y). The derivative at exactly 0 is taken from the left.
 */
void
nn_activation_backward(NnActivation act, float *dx, const float *y, size_t n)
{
	size_t		i;

	switch (act)
	{
		case NN_ACT_RELU:
			for (i = 0; i < n; i++)
				dx[i] = y[i] > 0.0f ? dx[i] : 0.0f;
			break;
		case NN_ACT_LEAKY_RELU:
			for (i = 0; i < n; i++)
				dx[i] = y[i] > 0.0f ? dx[i] : NN_LEAKY_RELU_SLOPE * dx[i];
			break;
		case NN_ACT_TANH:
			for (i = 0; i < n; i++)
				dx[i] *= 1.0f - y[i] * y[i];
			break;
		case NN_ACT_SIGMOID:
			for (i = 0; i < n; i++)
				dx[i] *= y[i] * (1.0f - y[i]);
			break;
		case NN_ACT_LINEAR:
		case NN_ACT_COUNT_:
			break;
	}
}
