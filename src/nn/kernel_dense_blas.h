/* kernel_dense_blas.h: a fully connected layer, out = inp . W + b, through cblas_sgemm. */
#ifndef UBEHAV_NN_DENSE_H
#define UBEHAV_NN_DENSE_H

/*
 * Shapes (row-major): inp is (B, in), W is (in, out), b is (out), out is (B, out).
 * W laid out as (in, out) makes single-row scoring a sequence of contiguous axpy's.
 */
void		dense_forward(float *out, const float *inp, const float *W, const float *b,
						  int B, int in, int outdim);

/*
 * Given dout (B, out): dW += inp^T . dout, db += sum over rows of dout, and
 * dinp = dout . W^T (overwritten, not accumulated; dinp may be NULL for the first layer).
 */
void		dense_backward(float *dinp, float *dW, float *db, const float *dout,
						   const float *inp, const float *W, int B, int in, int outdim);

/* Reference implementations with plain loops, kept beside the fast path for tests. */
void		dense_forward_reference(float *out, const float *inp, const float *W, const float *b,
									int B, int in, int outdim);
void		dense_backward_reference(float *dinp, float *dW, float *db, const float *dout,
									 const float *inp, const float *W, int B, int in, int outdim);

#endif
