/* kernel_dense_score.h: one dense layer for one row, the single-row scoring kernel, per instruction set. */
#ifndef UBEHAV_NN_SCORE_KERNEL_H
#define UBEHAV_NN_SCORE_KERNEL_H

#include <stdbool.h>

#include "kernel_isa.h"

/*
 * out (outdim) = b + x (in) . W (in, outdim, row-major), then relu when relu is true.
 * Every variant adds in the same order (see dense_row_baseline): outputs in whole blocks of 64 sum
 * b and the even inputs in one chain and the odd inputs in another, then add the two; the outputs
 * past the last whole block sum all inputs in one chain; a layer of width 1 is a dot product in 64
 * partial sums added as a fixed tree. AVX2 and AVX-512 use fused multiply-adds, the baseline not.
 */
void		nn_score_dense(float *out, const float *x, const float *W, const float *b, int in, int outdim,
						 bool relu);

/* The variant nn_score_dense runs (never NN_ISA_AUTO). */
NnIsa		nn_score_isa(void);

/* For tests and benchmarks: run isa from now on; false (nothing changed) when this CPU cannot. */
bool		nn_score_set_isa(NnIsa isa);

#endif
