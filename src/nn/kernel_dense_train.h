/* kernel_dense_train.h: the dense layer of the training step, as hand-blocked kernels with fused epilogues. */
#ifndef UBEHAV_NN_DENSE_TRAIN_H
#define UBEHAV_NN_DENSE_TRAIN_H

#include <stdbool.h>

#include "kernel_isa.h"

/*
 * Same shapes as kernel_dense_blas.h: inp (B, in), W (in, out), b (out), out (B, out). Small batches make
 * cblas calls cost more in packing and dispatch than in arithmetic; these kernels keep a block of
 * outputs in vector registers and fuse bias, relu and relu's derivative into the same pass.
 */

/* out = inp . W + b, then relu when asked. */
void		dense_train_forward(float *out, const float *inp, const float *W, const float *b,
								int B, int in, int outdim, bool relu);

/*
 * dW = inp^T . dout and db = column sums of dout, both OVERWRITTEN (the step needs no zeroed
 * gradients); dinp = dout . W^T when dinp is not NULL, multiplied by (inp > 0) when relu_mask
 * (relu's derivative taken from its output, which is this layer's input).
 */
void		dense_train_backward(float *dinp, float *dW, float *db, const float *dout,
								 const float *inp, const float *W, int B, int in, int outdim,
								 bool relu_mask);

/*
 * The variant of the blocked kernel (kernel_isa.h): the widest this CPU runs is chosen on first
 * use; tests and benchmarks force each. dense_train_use_isa returns false (and changes nothing)
 * when the CPU or build lacks it (only GCC builds the AVX2 and AVX-512 variants).
 */
NnIsa		dense_train_isa(void);
bool		dense_train_use_isa(NnIsa isa);

#endif
