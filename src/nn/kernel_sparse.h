/*
 * kernel_sparse.h: the first layer of a network whose trailing inputs are sparse (hashed text
 * terms). A row holds its n_dense dense inputs, then up to n_pairs (input index, value) pairs,
 * the index stored as a float (exact below 2^24) and a negative index ending the list early.
 * Forward, backward and the parameter update cost grow with the pairs present, not with the
 * number of sparse inputs: the layer's output is the sum of the weight rows of the inputs present.
 */
#ifndef UBEHAV_NN_KERNEL_SPARSE_H
#define UBEHAV_NN_KERNEL_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlp.h"
#include "optimizer.h"

/* Pairs present in a row: those before the first negative index (at most n_pairs). */
int			nn_sparse_row_pairs(const float *pairs, int n_pairs);

/*
 * out (B, outdim) = dense part . W[0..n_dense) + sum of value * W[index] over the pairs + b, then
 * relu when asked. inp is (B, row_width) with row_width = n_dense + 2 * n_pairs; W is (n_inputs, outdim).
 * Indices outside [n_dense, n_inputs) are skipped (the caller never writes them).
 */
void		nn_sparse_forward(float *out, const float *inp, const float *W, const float *b, int B,
							  int n_dense, int n_pairs, int n_inputs, int outdim, bool relu);

/*
 * Gradients of the layer from dout (B, outdim): db and dW's dense rows, and dW's rows of the
 * sparse inputs present in the batch, whose distinct indices go into touched (capacity
 * B * n_pairs), ascending; returns their number. overwrite: those rows are overwritten (the
 * training step), else added to. Rows of sparse inputs not present are not touched.
 */
size_t		nn_sparse_backward(float *dW, float *db, const float *dout, const float *inp, int B,
							   int n_dense, int n_pairs, int n_inputs, int outdim, bool overwrite,
							   int32_t *touched);

/*
 * The parameter update of a training step on a sparse network: every parameter but the rows of
 * sparse inputs goes through nn_optimizer_update, and of those rows only the n_touched present in
 * the batch (lazy: an absent row keeps its weights and its optimizer state). Increments opt->step.
 */
void		nn_sparse_step(const NnSpec *spec, NnOptimizer *opt, float *params, const float *grads,
						   float *state, size_t n_params, const int32_t *touched, size_t n_touched);

/*
 * L1/L2 penalty of the weights the step updates (dense weights and touched rows), added to grads;
 * returns the penalty. Clipping by norm and value over the same gradients.
 */
double		nn_sparse_penalty(const NnSpec *spec, const float *params, float *grads, float l1, float l2,
							  const int32_t *touched, size_t n_touched);
void		nn_sparse_clip(const NnSpec *spec, float *grads, size_t n_params, float clipnorm,
						   float clipvalue, const int32_t *touched, size_t n_touched);

/* Scatter a row's pairs into a dense input vector x (n_inputs), zeroing the sparse inputs first. */
void		nn_sparse_densify(const float *row, int n_dense, int n_pairs, int n_inputs, float *x);

#endif
