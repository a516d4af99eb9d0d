/* optimizer.h: parameter updates over one flat block of parameters, gradients and state. */
#ifndef UBEHAV_NN_OPTIMIZER_H
#define UBEHAV_NN_OPTIMIZER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum NnOptimizerKind
{
	NN_OPT_SGD = 0,
	NN_OPT_MOMENTUM,			/* heavy ball or Nesterov, PyTorch's formulation */
	NN_OPT_ADAM,
	NN_OPT_COUNT_
} NnOptimizerKind;

typedef struct NnOptimizer
{
	NnOptimizerKind kind;
	float		learning_rate;
	float		momentum;		/* MOMENTUM: mu, default 0.9 */
	bool		nesterov;		/* MOMENTUM only */
	float		beta1;			/* ADAM: default 0.9 */
	float		beta2;			/* ADAM: default 0.999 */
	float		epsilon;		/* ADAM: default 1e-7 (Keras) */
	int64_t		step;			/* number of updates done so far */
} NnOptimizer;

/* Defaults for a kind (Keras values), learning rate 0.001 for ADAM and 0.01 for the others. */
void		nn_optimizer_defaults(NnOptimizer *opt, NnOptimizerKind kind);
const char *nn_optimizer_name(NnOptimizerKind kind);
NnOptimizerKind nn_optimizer_from_name(const char *name);	/* NN_OPT_COUNT_ when unknown */

/*
 * Floats of state the optimizer needs for n_params parameters: 0, n or 2n; overflow-checked.
 * Returns an NnStatus (NN_ERR_OVERFLOW, or NN_ERR_ARGUMENT for an unknown kind).
 */
int			nn_optimizer_state_floats(NnOptimizerKind kind, size_t n_params, size_t *n_floats);

/*
 * One update. state must hold nn_optimizer_state_floats() floats, zeroed before the first step.
 * SGD:      p -= lr * g
 * MOMENTUM: v = mu * v + g; p -= lr * (nesterov ? g + mu * v : v)
 * ADAM:     m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; t = step+1;
 *           p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Increments opt->step.
 */
void		nn_optimizer_step(NnOptimizer *opt, float *params, const float *grads,
							  float *state, size_t n_params);

/*
 * The update of nn_optimizer_step on params[first .. first + count) only (state laid out for
 * n_params), at the current step, which it does not increment: sparse layers update the rows a
 * batch touched (kernel_sparse.c), lazily as TensorFlow's LazyAdam.
 */
void		nn_optimizer_update(const NnOptimizer *opt, float *params, const float *grads, float *state,
								size_t n_params, size_t first, size_t count);

#endif
