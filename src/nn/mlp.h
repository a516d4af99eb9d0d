/* mlp.h: a multilayer perceptron as a spec plus one flat parameter block. */
#ifndef UBEHAV_NN_MLP_H
#define UBEHAV_NN_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "activation.h"
#include "loss.h"
#include "optimizer.h"
#include "rng.h"
#include "status.h"

#define NN_MAX_HIDDEN_LAYERS 8
#define NN_MAX_WIDTH 65536			/* units in any one layer, inputs included */
#define NN_MAX_OUTPUTS 65536

typedef struct NnSpec
{
	int32_t		n_inputs;
	int32_t		n_hidden;		/* number of hidden layers, 0..NN_MAX_HIDDEN_LAYERS */
	int32_t		hidden[NN_MAX_HIDDEN_LAYERS];
	NnActivation activation;	/* of every hidden layer */
	NnHead		head;
	int32_t		n_outputs;		/* 1 for SIGMOID_BCE and LINEAR_MSE, K >= 2 for SOFTMAX_CE */
	/*
	 * Sparse inputs (text, kernel_sparse.h): with sparse_pairs > 0 the inputs from sparse_from on
	 * are given as up to sparse_pairs (input index, value) pairs after the sparse_from dense values
	 * of a row, so a row is nn_row_width() floats. Not serialized: the preprocessing sets it.
	 */
	int32_t		sparse_from;
	int32_t		sparse_pairs;	/* 0: every input dense (every model without text) */
} NnSpec;

/* Floats of one input row: n_inputs, or the dense inputs and the (index, value) pairs. */
static inline int
nn_row_width(const NnSpec *spec)
{
	return spec->sparse_pairs > 0 ? spec->sparse_from + 2 * spec->sparse_pairs : spec->n_inputs;
}

/*
 * Parameter layout: for layer l = 0..n_hidden (the last is the output layer),
 * W_l (in_l, out_l) then b_l (out_l), layers one after another.
 */
typedef struct NnLayerView
{
	size_t		w_offset;		/* floats from the start of params */
	size_t		b_offset;
	int32_t		in;
	int32_t		out;
} NnLayerView;

/* NN_OK when every size is in range and the head matches n_outputs. */
NnStatus	nn_spec_validate(const NnSpec *spec);
/* Number of layers with weights: n_hidden + 1. */
int			nn_spec_layers(const NnSpec *spec);
/* Offsets and sizes of layer l (0 <= l <= n_hidden) of a validated spec. */
NnLayerView nn_spec_layer(const NnSpec *spec, int l);
/* Total parameters, overflow-checked; validates the spec. */
NnStatus	nn_spec_param_count(const NnSpec *spec, size_t *n_params);

/* He-normal for relu and leaky_relu, Glorot-uniform for the others; biases zero. */
void		nn_init_params(const NnSpec *spec, float *params, NnRng *rng);

/*
 * Floats of workspace for a batch of B rows: every layer's output (B, out_l) plus two
 * gradient buffers (B, max width), max width being the widest hidden layer or n_outputs.
 * Validates the spec; NN_ERR_ARGUMENT for B < 1. Overflow-checked.
 */
NnStatus	nn_workspace_floats(const NnSpec *spec, int B, size_t *n_floats);

/*
 * Forward pass of inp (B, n_inputs). Layer outputs are kept in workspace for the backward
 * pass. Returns a pointer into workspace to the output logits (B, n_outputs).
 */
float	   *nn_forward(const NnSpec *spec, const float *params, const float *inp, int B,
					   float *workspace);

/*
 * Backward pass after nn_forward on the same inp and workspace: given dlogits (B, n_outputs),
 * ACCUMULATES parameter gradients into grads (same layout as params).
 */
void		nn_backward(const NnSpec *spec, const float *params, const float *inp, int B,
						float *workspace, const float *dlogits, float *grads);

/*
 * One training step on a batch: zero grads, forward, head loss (weights may be NULL),
 * backward, optimizer step. Returns the batch's mean loss (before the update).
 * dlogits needs B * n_outputs floats.
 */
double		nn_train_step(const NnSpec *spec, float *params, float *grads, NnOptimizer *opt,
						  float *opt_state, const float *inp, const float *targets,
						  const float *weights, int B, float *workspace, float *dlogits);

/* What a training step does beyond plain gradient descent; zero-initialise for none of it. */
typedef struct NnTrainConfig
{
	const float *weights;		/* (B) per-row weights of the batch (class and sample weights), or NULL */
	float		l1;				/* loss += l1 * sum |W| over weight matrices (not biases) */
	float		l2;				/* loss += l2 * sum W^2 over weight matrices (not biases), as Keras' l2 */
	const float *dropout;		/* (n_hidden) drop probability after each hidden layer in [0, 1), or NULL */
	NnRng	   *rng;			/* draws the dropout masks; required when dropout is set */
	float	   *masks;			/* nn_dropout_mask_floats(spec, B) floats when dropout is set */
	float		clipnorm;		/* > 0: rescale the whole gradient to this L2 norm when it is longer */
	float		clipvalue;		/* > 0: clamp every gradient component to [-clipvalue, clipvalue] */
} NnTrainConfig;

/* Floats of dropout masks for a batch of B rows: one per hidden unit per row. */
size_t		nn_dropout_mask_floats(const NnSpec *spec, int B);

/*
 * nn_train_step with the extras of cfg: weighted loss, inverted dropout (kept units scaled by
 * 1/(1-p) so scoring needs no change), L1/L2 penalties, gradient clipping. Returns the batch's
 * loss including the penalties (before the update); NaN on invalid arguments.
 */
double		nn_train_step_config(const NnSpec *spec, float *params, float *grads, NnOptimizer *opt,
								 float *opt_state, const float *inp, const float *targets,
								 const NnTrainConfig *cfg, int B, float *workspace, float *dlogits);

/* Penalty l1 * sum|W| + l2 * sum W^2 over the weight matrices of params. */
double		nn_weight_penalty(const NnSpec *spec, const float *params, float l1, float l2);

/*
 * Gradient of one transformed output (the probability for BCE, the probability of class `output`
 * for CE, the value for MSE) with respect to the inputs, for each of the B rows of inp, into
 * dinp (B, n_inputs); also writes that output for each row into out (B). Uses workspace
 * (nn_workspace_floats for B) and grads_scratch (n_params floats, overwritten).
 */
void		nn_input_gradient(const NnSpec *spec, const float *params, const float *inp, int B, int output,
							  float *workspace, float *grads_scratch, float *dlogits, float *dinp, float *out);

/* Floats of scratch nn_predict_row needs: twice the widest layer (hidden widths and n_outputs). */
size_t		nn_predict_scratch_floats(const NnSpec *spec);

/*
 * Score one row x (n_inputs) into out (n_outputs) after the head's output transform
 * (probability for BCE, class probabilities for CE, value for MSE).
 * Allocation-free; uses scratch of nn_predict_scratch_floats() floats.
 */
void		nn_predict_row(const NnSpec *spec, const float *params, const float *x, float *out,
						   float *scratch);

/* Score B rows (B, n_inputs) into out (B, n_outputs) after the output transform; uses workspace. */
void		nn_predict_batch(const NnSpec *spec, const float *params, const float *inp, int B,
							 float *out, float *workspace);

/* NN_ERR_NONFINITE when any of x[0..n) is NaN or Inf. */
NnStatus	nn_check_finite(const float *x, size_t n);

#endif
