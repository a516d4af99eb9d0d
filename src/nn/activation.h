/* activation.h: element-wise activations; backward works from the forward output alone. */
#ifndef UBEHAV_NN_ACTIVATION_H
#define UBEHAV_NN_ACTIVATION_H

#include <stddef.h>

typedef enum NnActivation
{
	NN_ACT_RELU = 0,
	NN_ACT_LEAKY_RELU,			/* slope NN_LEAKY_RELU_SLOPE for x < 0 */
	NN_ACT_TANH,
	NN_ACT_SIGMOID,
	NN_ACT_LINEAR,
	NN_ACT_COUNT_
} NnActivation;

#define NN_LEAKY_RELU_SLOPE 0.01f

/* Name used in options and catalog ("relu", "leaky_relu", "tanh", "sigmoid", "linear"). */
const char *nn_activation_name(NnActivation act);
/* Parse a name; returns NN_ACT_COUNT_ when unknown. */
NnActivation nn_activation_from_name(const char *name);

/* x[0..n) = act(x) in place. */
void		nn_activation_forward(NnActivation act, float *x, size_t n);
/* dx[i] *= act'(at y[i]) in place, where y is the forward output (every activation here is invertible in sign or value). */
void		nn_activation_backward(NnActivation act, float *dx, const float *y, size_t n);

#endif
