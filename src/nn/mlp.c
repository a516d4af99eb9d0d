/* mlp.c: the multilayer perceptron: sizes, initialisation, forward/backward, training step, scoring. */
#include <math.h>
#include <string.h>

#include "kernel_dense_blas.h"
#include "kernel_dense_train.h"
#include "mlp.h"
#include "dp.h"
#include "kernel_dense_score.h"
#include "kernel_sparse.h"

/* The core refuses parameter blocks above this many floats (8 GiB), whatever size_t allows. */
#define NN_MAX_PARAMS ((size_t) 1 << 31)

/* a * b into *result, false on size_t overflow. */
static inline bool
size_mul(size_t a, size_t b, size_t *result)
{
	if (a != 0 && b > SIZE_MAX / a)
		return false;
	*result = a * b;
	return true;
}

/* a + b into *result, false on size_t overflow. */
static inline bool
size_add(size_t a, size_t b, size_t *result)
{
	if (b > SIZE_MAX - a)
		return false;
	*result = a + b;
	return true;
}

/* Input width of layer l: the inputs for the first, the previous hidden layer after. */
static inline int
layer_in(const NnSpec *spec, int l)
{
	return l == 0 ? spec->n_inputs : spec->hidden[l - 1];
}

/* Output width of layer l: a hidden width, or n_outputs for the last layer. */
static inline int
layer_out(const NnSpec *spec, int l)
{
	return l == spec->n_hidden ? spec->n_outputs : spec->hidden[l];
}

/* Widest layer output (hidden widths and n_outputs): the size of one gradient or scoring buffer. */
static int
max_layer_width(const NnSpec *spec)
{
	int			widest = spec->n_outputs;
	int			l;

	for (l = 0; l < spec->n_hidden; l++)
		if (spec->hidden[l] > widest)
			widest = spec->hidden[l];
	return widest;
}

/* Parameters of a range-checked spec, overflow-checked but without the size limit. */
static NnStatus
count_params(const NnSpec *spec, size_t *n_params)
{
	size_t		total = 0;
	int			l;

	for (l = 0; l <= spec->n_hidden; l++)
	{
		size_t		weights;

		if (!size_mul((size_t) layer_in(spec, l), (size_t) layer_out(spec, l), &weights) ||
			!size_add(total, weights, &total) ||
			!size_add(total, (size_t) layer_out(spec, l), &total))
			return NN_ERR_OVERFLOW;
	}
	*n_params = total;
	return NN_OK;
}

/* Range checks on every field, then the parameter count against the core's limit. */
NnStatus
nn_spec_validate(const NnSpec *spec)
{
	size_t		n_params;
	NnStatus	status;
	int			l;

	if (spec == NULL)
		return NN_ERR_ARGUMENT;
	if (spec->n_inputs < 1 || spec->n_inputs > NN_MAX_WIDTH)
		return NN_ERR_ARGUMENT;
	if (spec->sparse_pairs < 0 || spec->sparse_pairs > NN_MAX_WIDTH ||
		(spec->sparse_pairs > 0 && (spec->sparse_from < 0 || spec->sparse_from >= spec->n_inputs)))
		return NN_ERR_ARGUMENT;
	if (spec->n_hidden < 0 || spec->n_hidden > NN_MAX_HIDDEN_LAYERS)
		return NN_ERR_ARGUMENT;
	for (l = 0; l < spec->n_hidden; l++)
		if (spec->hidden[l] < 1 || spec->hidden[l] > NN_MAX_WIDTH)
			return NN_ERR_ARGUMENT;
	if ((int) spec->activation < 0 || spec->activation >= NN_ACT_COUNT_)
		return NN_ERR_ARGUMENT;
	switch (spec->head)
	{
		case NN_HEAD_SIGMOID_BCE:
		case NN_HEAD_LINEAR_MSE:
			if (spec->n_outputs != 1)
				return NN_ERR_ARGUMENT;
			break;
		case NN_HEAD_SOFTMAX_CE:
			if (spec->n_outputs < 2 || spec->n_outputs > NN_MAX_OUTPUTS)
				return NN_ERR_ARGUMENT;
			break;
		default:
			return NN_ERR_ARGUMENT;
	}
	status = count_params(spec, &n_params);
	if (status != NN_OK)
		return status;
	if (n_params > NN_MAX_PARAMS)
		return NN_ERR_TOO_LARGE;
	return NN_OK;
}

/* Layers with weights: every hidden layer plus the output layer. */
int
nn_spec_layers(const NnSpec *spec)
{
	return spec->n_hidden + 1;
}

/* Walk the layers before l to find where its weights and biases start. */
NnLayerView
nn_spec_layer(const NnSpec *spec, int l)
{
	NnLayerView view;
	size_t		offset = 0;
	int			k;

	for (k = 0; k < l; k++)
		offset += (size_t) layer_in(spec, k) * layer_out(spec, k) + layer_out(spec, k);
	view.in = layer_in(spec, l);
	view.out = layer_out(spec, l);
	view.w_offset = offset;
	view.b_offset = offset + (size_t) view.in * view.out;
	return view;
}

/* Validate, then count. */
NnStatus
nn_spec_param_count(const NnSpec *spec, size_t *n_params)
{
	NnStatus	status = nn_spec_validate(spec);

	if (status != NN_OK)
		return status;
	return count_params(spec, n_params);
}

/*
 * He-normal (std sqrt(2/in)) keeps relu activations' variance stable with depth; Glorot-uniform
 * (limit sqrt(6/(in+out))) suits the symmetric activations and the output layer. Biases start at 0.
 */
void
nn_init_params(const NnSpec *spec, float *params, NnRng *rng)
{
	int			l;

	for (l = 0; l <= spec->n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		size_t		n_weights = (size_t) v.in * v.out;
		bool		he = l < spec->n_hidden &&
			(spec->activation == NN_ACT_RELU || spec->activation == NN_ACT_LEAKY_RELU);
		size_t		i;

		if (he)
		{
			double		std = sqrt(2.0 / v.in);

			for (i = 0; i < n_weights; i++)
				params[v.w_offset + i] = (float) (nn_rng_normal(rng) * std);
		}
		else
		{
			double		limit = sqrt(6.0 / ((double) v.in + v.out));

			for (i = 0; i < n_weights; i++)
				params[v.w_offset + i] = (float) ((2.0 * nn_rng_uniform(rng) - 1.0) * limit);
		}
		memset(params + v.b_offset, 0, sizeof(float) * (size_t) v.out);
	}
}

/* Every layer's output (B, out_l) one after another, then two (B, widest) gradient buffers. */
NnStatus
nn_workspace_floats(const NnSpec *spec, int B, size_t *n_floats)
{
	NnStatus	status = nn_spec_validate(spec);
	size_t		per_row = 0;
	size_t		total;
	int			l;

	if (status != NN_OK)
		return status;
	if (B < 1)
		return NN_ERR_ARGUMENT;
	for (l = 0; l <= spec->n_hidden; l++)
		per_row += (size_t) layer_out(spec, l);
	/* at most 9 * 65536 + 2 * 65536 per row: no overflow before the multiply by B */
	per_row += 2 * (size_t) max_layer_width(spec);
	/* a sparse first layer lists the rows a batch touched (int32 in float slots) */
	per_row += (size_t) spec->sparse_pairs;
	if (!size_mul(per_row, (size_t) B, &total))
		return NN_ERR_OVERFLOW;
	*n_floats = total;
	return NN_OK;
}

/* Output of layer l inside workspace for a batch of B rows. */
static float *
layer_output(const NnSpec *spec, float *workspace, int B, int l)
{
	size_t		offset = 0;
	int			k;

	for (k = 0; k < l; k++)
		offset += (size_t) B * layer_out(spec, k);
	return workspace + offset;
}

/*
 * Inverted dropout on one hidden layer's outputs: each unit kept with probability 1 - p and then
 * scaled by 1 / (1 - p), so the expected activation is unchanged and scoring needs no rescaling.
 * mask receives the factor applied to each unit (0 or 1 / (1 - p)) for the backward pass.
 */
static void
dropout_forward(float *x, float *mask, size_t n, float p, NnRng *rng)
{
	float		scale = 1.0f / (1.0f - p);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		mask[i] = nn_rng_uniform(rng) < (double) p ? 0.0f : scale;
		x[i] *= mask[i];
	}
}

/*
 * Forward pass; with rates set, dropout after each hidden layer whose rate is positive. Training
 * and batched scoring share the register-blocked kernels of kernel_dense_train.c (relu in the same pass):
 * OpenBLAS's sgemm packs its operands for every call, which costs more than it saves at these
 * sizes, and it runs its AVX2 kernels on CPUs it does not know (0.3.21 on AMD family 26).
 */
static float *
forward_impl(const NnSpec *spec, const float *params, const float *inp, int B, float *workspace,
			 const float *rates, NnRng *rng, float *masks)
{
	const float *layer_inp = inp;
	float	   *out = workspace;
	int			l;

	for (l = 0; l <= spec->n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		size_t		n = (size_t) B * v.out;
		bool		fused_relu = l < spec->n_hidden && spec->activation == NN_ACT_RELU;

		if (l == 0 && spec->sparse_pairs > 0)
			nn_sparse_forward(out, layer_inp, params + v.w_offset, params + v.b_offset, B,
							  spec->sparse_from, spec->sparse_pairs, spec->n_inputs, v.out, fused_relu);
		else
			dense_train_forward(out, layer_inp, params + v.w_offset, params + v.b_offset, B, v.in,
								v.out, fused_relu);
		if (l < spec->n_hidden)
		{
			if (!fused_relu)
				nn_activation_forward(spec->activation, out, n);
			if (rates != NULL && rates[l] > 0.0f)
				dropout_forward(out, masks, n, rates[l], rng);
			if (rates != NULL)
				masks += n;
		}
		layer_inp = out;
		out += n;
	}
	return (float *) layer_inp;
}

/* Dense layer after dense layer; hidden layers activated in place, the head's transform left out. */
float *
nn_forward(const NnSpec *spec, const float *params, const float *inp, int B,
		   float *workspace)
{
	return forward_impl(spec, params, inp, B, workspace, NULL, NULL, NULL);
}

size_t
nn_dropout_mask_floats(const NnSpec *spec, int B)
{
	size_t		total = 0;
	int			l;

	for (l = 0; l < spec->n_hidden; l++)
		total += (size_t) B * spec->hidden[l];
	return total;
}

/* Units of hidden layers l..n_hidden-1: where layer l's masks start, counted from the end. */
static size_t
mask_tail(const NnSpec *spec, int l)
{
	size_t		units = 0;
	int			k;

	for (k = l; k < spec->n_hidden; k++)
		units += (size_t) spec->hidden[k];
	return units;
}

/*
 * From the output layer down: the head's dlogits already include the output transform, so the
 * last layer takes them as they are; below it, each gradient goes through the activation's
 * derivative at the stored output. The two gradient buffers alternate as dout and dinp.
 * train: the training step's kernels, which OVERWRITE grads and fuse relu's derivative.
 */
/* Where a sparse first layer lists the rows a batch touched: after the two gradient buffers. */
static int32_t *
touched_rows(const NnSpec *spec, float *workspace, int B)
{
	return (int32_t *) (layer_output(spec, workspace, B, spec->n_hidden + 1) +
						2 * (size_t) B * max_layer_width(spec));
}

/* Returns the number of sparse rows touched (0 for a dense network). */
static size_t
backward_impl(const NnSpec *spec, const float *params, const float *inp, int B,
			  float *workspace, const float *dlogits, float *grads, const float *rates, float *masks,
			  bool train)
{
	size_t		n_touched = 0;
	int			widest = max_layer_width(spec);
	float	   *grad_buf[2];
	const float *dout = dlogits;
	int			which = 0;
	int			l;

	grad_buf[0] = layer_output(spec, workspace, B, spec->n_hidden + 1);
	grad_buf[1] = grad_buf[0] + (size_t) B * widest;
	for (l = spec->n_hidden; l >= 0; l--)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		const float *layer_inp = l == 0 ? inp : layer_output(spec, workspace, B, l - 1);
		float	   *dinp = l == 0 ? NULL : grad_buf[which];
		bool		dropped = l > 0 && rates != NULL && rates[l - 1] > 0.0f;
		bool		fused_relu = train && l > 0 && !dropped && spec->activation == NN_ACT_RELU;

		if (l == 0 && spec->sparse_pairs > 0)
			n_touched = nn_sparse_backward(grads + v.w_offset, grads + v.b_offset, dout, layer_inp, B,
										   spec->sparse_from, spec->sparse_pairs, spec->n_inputs, v.out,
										   train, touched_rows(spec, workspace, B));
		else if (train)
			dense_train_backward(dinp, grads + v.w_offset, grads + v.b_offset, dout, layer_inp,
								 params + v.w_offset, B, v.in, v.out, fused_relu);
		else
			dense_backward(dinp, grads + v.w_offset, grads + v.b_offset, dout, layer_inp,
						   params + v.w_offset, B, v.in, v.out);
		if (fused_relu)
		{
			dout = dinp;
			which = 1 - which;
		}
		else if (dinp != NULL)
		{
			size_t		n = (size_t) B * v.in;

			if (dropped)
			{
				/* masks of hidden layer l - 1 */
				float	   *mask = masks + nn_dropout_mask_floats(spec, B) -
					(size_t) B * mask_tail(spec, l - 1);
				size_t		i;

				/*
				 * The stored output is the dropped one; the activation's derivative needs the
				 * value before dropout, which is recovered where the unit was kept and is
				 * irrelevant where it was dropped (its gradient is zero). The mask buffer is not
				 * needed after this, so it holds those values.
				 */
				for (i = 0; i < n; i++)
				{
					float		m = mask[i];

					dinp[i] *= m;
					mask[i] = m != 0.0f ? layer_inp[i] / m : 0.0f;
				}
				nn_activation_backward(spec->activation, dinp, mask, n);
			}
			else
				nn_activation_backward(spec->activation, dinp, layer_inp, n);
			dout = dinp;
			which = 1 - which;
		}
	}
	return n_touched;
}

void
nn_backward(const NnSpec *spec, const float *params, const float *inp, int B,
			float *workspace, const float *dlogits, float *grads)
{
	backward_impl(spec, params, inp, B, workspace, dlogits, grads, NULL, NULL, false);
}

/* Forward, loss and its gradient, backward (which overwrites grads), update; returns the pre-update loss. */
double
nn_train_step(const NnSpec *spec, float *params, float *grads, NnOptimizer *opt,
			  float *opt_state, const float *inp, const float *targets,
			  const float *weights, int B, float *workspace, float *dlogits)
{
	size_t		n_params;
	float	   *logits;
	double		loss;
	size_t		n_touched;

	if (nn_spec_param_count(spec, &n_params) != NN_OK || B < 1)
		return NAN;
	/* the training kernels overwrite every gradient, so grads need no zeroing */
	logits = forward_impl(spec, params, inp, B, workspace, NULL, NULL, NULL);
	loss = nn_head_loss(spec->head, logits, targets, weights, B, spec->n_outputs, dlogits);
	n_touched = backward_impl(spec, params, inp, B, workspace, dlogits, grads, NULL, NULL, true);
	if (spec->sparse_pairs > 0)
		nn_sparse_step(spec, opt, params, grads, opt_state, n_params, touched_rows(spec, workspace, B), n_touched);
	else
		nn_optimizer_step(opt, params, grads, opt_state, n_params);
	return loss;
}

double
nn_weight_penalty(const NnSpec *spec, const float *params, float l1, float l2)
{
	double		penalty = 0.0;
	int			l;

	if (l1 == 0.0f && l2 == 0.0f)
		return 0.0;
	for (l = 0; l <= spec->n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		const float *W = params + v.w_offset;
		size_t		n = (size_t) v.in * v.out;
		double		abs_sum = 0.0,
					sq_sum = 0.0;
		size_t		i;

		for (i = 0; i < n; i++)
		{
			abs_sum += fabsf(W[i]);
			sq_sum += (double) W[i] * W[i];
		}
		penalty += l1 * abs_sum + l2 * sq_sum;
	}
	return penalty;
}

/* Gradient of the penalty added to grads: l1 * sign(W) + 2 * l2 * W, weights only. */
static void
penalty_backward(const NnSpec *spec, const float *params, float *grads, float l1, float l2)
{
	int			l;

	for (l = 0; l <= spec->n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		const float *W = params + v.w_offset;
		float	   *G = grads + v.w_offset;
		size_t		n = (size_t) v.in * v.out;
		size_t		i;

		for (i = 0; i < n; i++)
			G[i] += l1 * (float) ((W[i] > 0.0f) - (W[i] < 0.0f)) + 2.0f * l2 * W[i];
	}
}

/* Clip by global norm, then by value. */
static void
clip_gradient(float *grads, size_t n, float clipnorm, float clipvalue)
{
	size_t		i;

	if (clipnorm > 0.0f)
	{
		double		sq = 0.0;

		for (i = 0; i < n; i++)
			sq += (double) grads[i] * grads[i];
		if (sq > (double) clipnorm * clipnorm)
		{
			float		scale = (float) (clipnorm / sqrt(sq));

			for (i = 0; i < n; i++)
				grads[i] *= scale;
		}
	}
	if (clipvalue > 0.0f)
		for (i = 0; i < n; i++)
			grads[i] = fminf(fmaxf(grads[i], -clipvalue), clipvalue);
}

double
nn_train_step_config(const NnSpec *spec, float *params, float *grads, NnOptimizer *opt,
					 float *opt_state, const float *inp, const float *targets,
					 const NnTrainConfig *cfg, int B, float *workspace, float *dlogits)
{
	size_t		n_params;
	float	   *logits;
	double		loss;
	const float *rates = cfg->dropout;
	size_t		n_touched;

	if (nn_spec_param_count(spec, &n_params) != NN_OK || B < 1 ||
		(rates != NULL && (cfg->rng == NULL || cfg->masks == NULL)))
		return NAN;
	/* the training kernels overwrite every gradient, so grads need no zeroing */
	logits = forward_impl(spec, params, inp, B, workspace, rates, cfg->rng, cfg->masks);
	loss = nn_head_loss(spec->head, logits, targets, cfg->weights, B, spec->n_outputs, dlogits);
	n_touched = backward_impl(spec, params, inp, B, workspace, dlogits, grads, rates, cfg->masks, true);
	if (spec->sparse_pairs > 0)
	{
		/* the penalty, clipping and update of the weights the batch uses, so cost follows the pairs */
		const int32_t *touched = touched_rows(spec, workspace, B);

		loss += nn_sparse_penalty(spec, params, grads, cfg->l1, cfg->l2, touched, n_touched);
		nn_sparse_clip(spec, grads, n_params, cfg->clipnorm, cfg->clipvalue, touched, n_touched);
		nn_sparse_step(spec, opt, params, grads, opt_state, n_params, touched, n_touched);
		return loss;
	}
	if (cfg->l1 != 0.0f || cfg->l2 != 0.0f)
	{
		loss += nn_weight_penalty(spec, params, cfg->l1, cfg->l2);
		penalty_backward(spec, params, grads, cfg->l1, cfg->l2);
	}
	clip_gradient(grads, n_params, cfg->clipnorm, cfg->clipvalue);
	nn_optimizer_step(opt, params, grads, opt_state, n_params);
	return loss;
}

void
nn_input_gradient(const NnSpec *spec, const float *params, const float *inp, int B, int output,
				  float *workspace, float *grads_scratch, float *dlogits, float *dinp, float *out)
{
	int			K = spec->n_outputs;
	int			widest = max_layer_width(spec);
	float	   *logits = nn_forward(spec, params, inp, B, workspace);
	float	   *grad_buf[2];
	const float *dout = dlogits;
	int			which = 0;
	int			r,
				k,
				l;
	size_t		n_params;

	/* d(transformed output)/d(logits), row by row */
	for (r = 0; r < B; r++)
	{
		const float *z = logits + (size_t) r * K;
		float	   *d = dlogits + (size_t) r * K;

		if (spec->head == NN_HEAD_SIGMOID_BCE)
		{
			double		p = 1.0 / (1.0 + exp(-(double) z[0]));

			out[r] = (float) p;
			d[0] = (float) (p * (1.0 - p));
		}
		else if (spec->head == NN_HEAD_SOFTMAX_CE)
		{
			double		m = z[0],
						sum = 0.0,
						pc;

			for (k = 1; k < K; k++)
				m = fmax(m, z[k]);
			for (k = 0; k < K; k++)
				sum += exp((double) z[k] - m);
			pc = exp((double) z[output] - m) / sum;
			out[r] = (float) pc;
			for (k = 0; k < K; k++)
			{
				double		pk = exp((double) z[k] - m) / sum;

				d[k] = (float) (pc * ((k == output ? 1.0 : 0.0) - pk));
			}
		}
		else
		{
			out[r] = z[0];
			d[0] = 1.0f;
		}
	}
	nn_spec_param_count(spec, &n_params);
	memset(grads_scratch, 0, sizeof(float) * n_params);
	grad_buf[0] = layer_output(spec, workspace, B, spec->n_hidden + 1);
	grad_buf[1] = grad_buf[0] + (size_t) B * widest;
	for (l = spec->n_hidden; l >= 0; l--)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		const float *layer_inp = l == 0 ? inp : layer_output(spec, workspace, B, l - 1);
		float	   *d_in = l == 0 ? dinp : grad_buf[which];

		dense_backward(d_in, grads_scratch + v.w_offset, grads_scratch + v.b_offset, dout, layer_inp,
					   params + v.w_offset, B, v.in, v.out);
		if (l > 0)
		{
			nn_activation_backward(spec->activation, d_in, layer_inp, (size_t) B * v.in);
			dout = d_in;
			which = 1 - which;
		}
	}
}

void
nn_per_example_norms(const NnSpec *spec, const float *params, const float *inp, int B,
					 float *workspace, const float *dlogits, float *grads_scratch, double *norms)
{
	int			widest = max_layer_width(spec);
	float	   *grad_buf[2];
	const float *dout = dlogits;
	int			which = 0;
	int			l,
				r,
				j;

	/*
	 * A dense layer's per-example weight gradient is the outer product a_i delta_i^T, whose squared
	 * norm is |a_i|^2 |delta_i|^2, and its bias gradient is delta_i: summing those over layers gives
	 * each example's gradient norm without forming the gradients (Goodfellow 2015).
	 */
	for (r = 0; r < B; r++)
		norms[r] = 0.0;
	grad_buf[0] = layer_output(spec, workspace, B, spec->n_hidden + 1);
	grad_buf[1] = grad_buf[0] + (size_t) B * widest;
	for (l = spec->n_hidden; l >= 0; l--)
	{
		NnLayerView v = nn_spec_layer(spec, l);
		const float *layer_inp = l == 0 ? inp : layer_output(spec, workspace, B, l - 1);

		for (r = 0; r < B; r++)
		{
			double		a2 = 1.0,	/* the bias's input is 1 */
						d2 = 0.0;

			for (j = 0; j < v.in; j++)
				a2 += (double) layer_inp[(size_t) r * v.in + j] * layer_inp[(size_t) r * v.in + j];
			for (j = 0; j < v.out; j++)
				d2 += (double) dout[(size_t) r * v.out + j] * dout[(size_t) r * v.out + j];
			norms[r] += a2 * d2;
		}
		if (l > 0)
		{
			float	   *dinp = grad_buf[which];

			dense_backward(dinp, grads_scratch + v.w_offset, grads_scratch + v.b_offset, dout, layer_inp,
						   params + v.w_offset, B, v.in, v.out);
			nn_activation_backward(spec->activation, dinp, layer_inp, (size_t) B * v.in);
			dout = dinp;
			which = 1 - which;
		}
	}
	for (r = 0; r < B; r++)
		norms[r] = sqrt(norms[r]);
}

/* Two ping-pong buffers, each as wide as the widest layer output. */
size_t
nn_predict_scratch_floats(const NnSpec *spec)
{
	return 2 * (size_t) max_layer_width(spec);
}

/*
 * Single-row scoring without BLAS call overhead or allocation: one nn_score_dense per layer, the
 * variant for this CPU chosen once (kernel_dense_score.c), relu fused into the layer's store.
 */
void
nn_predict_row(const NnSpec *spec, const float *params, const float *x, float *out,
			   float *scratch)
{
	int			widest = max_layer_width(spec);
	bool		fused_relu = spec->activation == NN_ACT_RELU;
	const float *layer_inp = x;
	const float *W = params;
	int			l;

	for (l = 0; l <= spec->n_hidden; l++)
	{
		int			in = layer_in(spec, l);
		int			outdim = layer_out(spec, l);
		const float *b = W + (size_t) in * outdim;
		bool		hidden = l < spec->n_hidden;
		float	   *dst = hidden ? scratch + (size_t) (l % 2) * widest : out;

		if (l == 0 && spec->sparse_pairs > 0)
			nn_sparse_forward(dst, layer_inp, W, b, 1, spec->sparse_from, spec->sparse_pairs, in, outdim,
							  hidden && fused_relu);
		else
			nn_score_dense(dst, layer_inp, W, b, in, outdim, hidden && fused_relu);
		if (hidden && !fused_relu)
			nn_activation_forward(spec->activation, dst, (size_t) outdim);
		layer_inp = dst;
		W = b + outdim;
	}
	nn_head_output(spec->head, out, 1, spec->n_outputs);
}

/* Batched scoring: forward through BLAS, then copy out the logits and transform them. */
void
nn_predict_batch(const NnSpec *spec, const float *params, const float *inp, int B,
				 float *out, float *workspace)
{
	float	   *logits;

	if (B < 1)
		return;
	logits = nn_forward(spec, params, inp, B, workspace);
	memcpy(out, logits, sizeof(float) * (size_t) B * spec->n_outputs);
	nn_head_output(spec->head, out, B, spec->n_outputs);
}

/* Reject NaN and infinities anywhere in x. */
NnStatus
nn_check_finite(const float *x, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return NN_ERR_NONFINITE;
	return NN_OK;
}
