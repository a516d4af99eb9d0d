/* kernel_dense_blas.c: the dense layer's backward pass through cblas (the general path), with plain-loop references. */
#include <string.h>

#include <cblas.h>

#include "kernel_dense_blas.h"

/* dW += inp^T dout, db += column sums of dout, dinp = dout W^T (when wanted). */
void
dense_backward(float *dinp, float *dW, float *db, const float *dout,
			   const float *inp, const float *W, int B, int in, int outdim)
{
	int			r;
	int			j;

	if (B <= 0 || outdim <= 0 || in <= 0)
		return;
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, outdim, B,
				1.0f, inp, in, dout, outdim, 1.0f, dW, outdim);
	for (r = 0; r < B; r++)
	{
		const float *row = dout + (size_t) r * outdim;

		for (j = 0; j < outdim; j++)
			db[j] += row[j];
	}
	if (dinp == NULL)
		return;
	if (B == 1)
		cblas_sgemv(CblasRowMajor, CblasNoTrans, in, outdim, 1.0f, W, outdim,
					dout, 1, 0.0f, dinp, 1);
	else
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, in, outdim,
					1.0f, dout, outdim, W, outdim, 0.0f, dinp, in);
}

/* The forward pass as the textbook triple loop, accumulating in double. */
void
dense_forward_reference(float *out, const float *inp, const float *W, const float *b,
						int B, int in, int outdim)
{
	int			r;
	int			i;
	int			j;

	for (r = 0; r < B; r++)
		for (j = 0; j < outdim; j++)
		{
			double		acc = b[j];

			for (i = 0; i < in; i++)
				acc += (double) inp[(size_t) r * in + i] * W[(size_t) i * outdim + j];
			out[(size_t) r * outdim + j] = (float) acc;
		}
}

/* The backward pass as plain loops, same accumulate/overwrite contract as dense_backward. */
void
dense_backward_reference(float *dinp, float *dW, float *db, const float *dout,
						 const float *inp, const float *W, int B, int in, int outdim)
{
	int			r;
	int			i;
	int			j;

	for (i = 0; i < in; i++)
		for (j = 0; j < outdim; j++)
		{
			double		acc = 0.0;

			for (r = 0; r < B; r++)
				acc += (double) inp[(size_t) r * in + i] * dout[(size_t) r * outdim + j];
			dW[(size_t) i * outdim + j] += (float) acc;
		}
	for (j = 0; j < outdim; j++)
	{
		double		acc = 0.0;

		for (r = 0; r < B; r++)
			acc += dout[(size_t) r * outdim + j];
		db[j] += (float) acc;
	}
	if (dinp == NULL)
		return;
	for (r = 0; r < B; r++)
		for (i = 0; i < in; i++)
		{
			double		acc = 0.0;

			for (j = 0; j < outdim; j++)
				acc += (double) dout[(size_t) r * outdim + j] * W[(size_t) i * outdim + j];
			dinp[(size_t) r * in + i] = (float) acc;
		}
}
