/* kernel_sparse.c: the sparse first layer: sums of weight rows, row-wise gradients, lazy updates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_sparse.h"

int
nn_sparse_row_pairs(const float *pairs, int n_pairs)
{
	int			k;

	for (k = 0; k < n_pairs; k++)
		if (pairs[2 * k] < 0.0f)
			break;
	return k;
}

/* o += v * w over n floats */
static inline void
axpy(float *restrict o, float v, const float *restrict w, int n)
{
	int			j;

	for (j = 0; j < n; j++)
		o[j] += v * w[j];
}

/* The index of pair k of a row when it is a sparse input of the layer, else -1. */
static inline int
pair_index(const float *row, int n_dense, int k, int n_inputs)
{
	float		f = row[n_dense + 2 * k];

	if (!(f >= (float) n_dense && f < (float) n_inputs))
		return -1;
	return (int) f;
}

void
nn_sparse_forward(float *out, const float *inp, const float *W, const float *b, int B,
				  int n_dense, int n_pairs, int n_inputs, int outdim, bool relu)
{
	int			row_width = n_dense + 2 * n_pairs;
	int			r,
				j,
				k;

	for (r = 0; r < B; r++)
	{
		const float *x = inp + (size_t) r * row_width;
		float	   *o = out + (size_t) r * outdim;
		int			np = nn_sparse_row_pairs(x + n_dense, n_pairs);

		memcpy(o, b, sizeof(float) * outdim);
		/* one-hot and missing inputs are mostly 0: skipping them keeps the dense part cheap too */
		for (j = 0; j < n_dense; j++)
			if (x[j] != 0.0f)
				axpy(o, x[j], W + (size_t) j * outdim, outdim);
		for (k = 0; k < np; k++)
		{
			int			idx = pair_index(x, n_dense, k, n_inputs);

			if (idx >= 0)
				axpy(o, x[n_dense + 2 * k + 1], W + (size_t) idx * outdim, outdim);
		}
		if (relu)
			for (j = 0; j < outdim; j++)
				o[j] = o[j] > 0.0f ? o[j] : 0.0f;
	}
}

static int
cmp_int32(const void *a, const void *b)
{
	int32_t		x = *(const int32_t *) a;
	int32_t		y = *(const int32_t *) b;

	return (x > y) - (x < y);
}

size_t
nn_sparse_backward(float *dW, float *db, const float *dout, const float *inp, int B,
				   int n_dense, int n_pairs, int n_inputs, int outdim, bool overwrite,
				   int32_t *touched)
{
	int			row_width = n_dense + 2 * n_pairs;
	size_t		n_touched = 0,
				distinct = 0,
				i;
	int			r,
				j,
				k;

	for (r = 0; r < B; r++)
	{
		const float *x = inp + (size_t) r * row_width;
		int			np = nn_sparse_row_pairs(x + n_dense, n_pairs);

		for (k = 0; k < np; k++)
		{
			int			idx = pair_index(x, n_dense, k, n_inputs);

			if (idx >= 0)
				touched[n_touched++] = idx;
		}
	}
	/* distinct rows, ascending: each is updated once per step */
	qsort(touched, n_touched, sizeof(int32_t), cmp_int32);
	for (i = 0; i < n_touched; i++)
		if (distinct == 0 || touched[i] != touched[distinct - 1])
			touched[distinct++] = touched[i];
	if (overwrite)
	{
		memset(db, 0, sizeof(float) * outdim);
		memset(dW, 0, sizeof(float) * (size_t) n_dense * outdim);
		for (i = 0; i < distinct; i++)
			memset(dW + (size_t) touched[i] * outdim, 0, sizeof(float) * outdim);
	}
	for (r = 0; r < B; r++)
	{
		const float *x = inp + (size_t) r * row_width;
		const float *d = dout + (size_t) r * outdim;
		int			np = nn_sparse_row_pairs(x + n_dense, n_pairs);

		axpy(db, 1.0f, d, outdim);
		for (j = 0; j < n_dense; j++)
			if (x[j] != 0.0f)
				axpy(dW + (size_t) j * outdim, x[j], d, outdim);
		for (k = 0; k < np; k++)
		{
			int			idx = pair_index(x, n_dense, k, n_inputs);

			if (idx >= 0)
				axpy(dW + (size_t) idx * outdim, x[n_dense + 2 * k + 1], d, outdim);
		}
	}
	return distinct;
}

/* Width of the first layer's output: the first hidden layer, or the outputs without one. */
static int
first_out(const NnSpec *spec)
{
	return spec->n_hidden > 0 ? spec->hidden[0] : spec->n_outputs;
}

void
nn_sparse_step(const NnSpec *spec, NnOptimizer *opt, float *params, const float *grads,
			   float *state, size_t n_params, const int32_t *touched, size_t n_touched)
{
	size_t		out0 = (size_t) first_out(spec),
				dense_end = (size_t) spec->sparse_from * out0,
				sparse_end = (size_t) spec->n_inputs * out0,
				i;

	if (opt->kind < 0 || opt->kind >= NN_OPT_COUNT_)
		return;
	/* layer 0 starts the parameters: its dense rows, then its sparse rows, then b0 and the rest */
	nn_optimizer_update(opt, params, grads, state, n_params, 0, dense_end);
	for (i = 0; i < n_touched; i++)
		nn_optimizer_update(opt, params, grads, state, n_params, (size_t) touched[i] * out0, out0);
	nn_optimizer_update(opt, params, grads, state, n_params, sparse_end, n_params - sparse_end);
	opt->step++;
}

/* Penalty of n weights W added to their gradients G. */
static double
penalize(const float *W, float *G, size_t n, float l1, float l2)
{
	double		abs_sum = 0.0,
				sq_sum = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		abs_sum += fabsf(W[i]);
		sq_sum += (double) W[i] * W[i];
		G[i] += l1 * (float) ((W[i] > 0.0f) - (W[i] < 0.0f)) + 2.0f * l2 * W[i];
	}
	return l1 * abs_sum + l2 * sq_sum;
}

double
nn_sparse_penalty(const NnSpec *spec, const float *params, float *grads, float l1, float l2,
				  const int32_t *touched, size_t n_touched)
{
	size_t		out0 = (size_t) first_out(spec),
				i;
	double		penalty = 0.0;
	int			l;

	if (l1 == 0.0f && l2 == 0.0f)
		return 0.0;
	penalty += penalize(params, grads, (size_t) spec->sparse_from * out0, l1, l2);
	for (i = 0; i < n_touched; i++)
		penalty += penalize(params + (size_t) touched[i] * out0, grads + (size_t) touched[i] * out0, out0, l1, l2);
	for (l = 1; l <= spec->n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(spec, l);

		penalty += penalize(params + v.w_offset, grads + v.w_offset, (size_t) v.in * v.out, l1, l2);
	}
	return penalty;
}

/* Apply f to each span of the gradients the step uses. */
typedef struct Spans
{
	size_t		first[2];
	size_t		count[2];
	size_t		out0;
	const int32_t *touched;
	size_t		n_touched;
} Spans;

static void
spans_of(const NnSpec *spec, size_t n_params, const int32_t *touched, size_t n_touched, Spans *s)
{
	s->out0 = (size_t) first_out(spec);
	s->first[0] = 0;
	s->count[0] = (size_t) spec->sparse_from * s->out0;
	s->first[1] = (size_t) spec->n_inputs * s->out0;
	s->count[1] = n_params - s->first[1];
	s->touched = touched;
	s->n_touched = n_touched;
}

void
nn_sparse_clip(const NnSpec *spec, float *grads, size_t n_params, float clipnorm, float clipvalue,
			   const int32_t *touched, size_t n_touched)
{
	Spans		s;
	size_t		i,
				t;
	int			k;

	spans_of(spec, n_params, touched, n_touched, &s);
	if (clipnorm > 0.0f)
	{
		double		sq = 0.0;

		for (k = 0; k < 2; k++)
			for (i = 0; i < s.count[k]; i++)
				sq += (double) grads[s.first[k] + i] * grads[s.first[k] + i];
		for (t = 0; t < n_touched; t++)
			for (i = 0; i < s.out0; i++)
				sq += (double) grads[touched[t] * s.out0 + i] * grads[touched[t] * s.out0 + i];
		if (sq > (double) clipnorm * clipnorm)
		{
			float		scale = (float) (clipnorm / sqrt(sq));

			for (k = 0; k < 2; k++)
				for (i = 0; i < s.count[k]; i++)
					grads[s.first[k] + i] *= scale;
			for (t = 0; t < n_touched; t++)
				for (i = 0; i < s.out0; i++)
					grads[touched[t] * s.out0 + i] *= scale;
		}
	}
	if (clipvalue > 0.0f)
	{
		for (k = 0; k < 2; k++)
			for (i = 0; i < s.count[k]; i++)
				grads[s.first[k] + i] = fminf(fmaxf(grads[s.first[k] + i], -clipvalue), clipvalue);
		for (t = 0; t < n_touched; t++)
			for (i = 0; i < s.out0; i++)
				grads[touched[t] * s.out0 + i] = fminf(fmaxf(grads[touched[t] * s.out0 + i], -clipvalue), clipvalue);
	}
}

void
nn_sparse_densify(const float *row, int n_dense, int n_pairs, int n_inputs, float *x)
{
	int			np = nn_sparse_row_pairs(row + n_dense, n_pairs),
				k;

	memcpy(x, row, sizeof(float) * n_dense);
	memset(x + n_dense, 0, sizeof(float) * (n_inputs - n_dense));
	for (k = 0; k < np; k++)
	{
		int			idx = pair_index(row, n_dense, k, n_inputs);

		if (idx >= 0)
			x[idx] += row[n_dense + 2 * k + 1];
	}
}
