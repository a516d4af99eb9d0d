/* kernel_dense_blas.h: a fully connected layer's backward pass through cblas_sgemm, and plain-loop references. */
#ifndef UBEHAV_NN_DENSE_H
#define UBEHAV_NN_DENSE_H

/*
 * Shapes (row-major): inp is (B, in), W is (in, out), b is (out), out is (B, out). The forward
 * pass is kernel_dense_train.h's (training) and kernel_dense_score.h's (one row).
 */
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
