/*
 * test_kernel_dense_score.c: nn_score_dense in every variant this CPU runs against a naive double
 * reference, the variants against each other in the order they all keep, and nn_predict_row
 * against nn_predict_batch for each variant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/mlp.h"
#include "nn/kernel_dense_score.h"
#include "tap.h"

static float
uniform(unsigned *state)
{
	*state = *state * 1664525u + 1013904223u;
	return (float) ((*state >> 8) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

/* The naive reference: one double sum per output, in input order. */
static void
dense_reference(double *out, const float *x, const float *W, const float *b, int in, int outdim, int relu)
{
	int			i,
				j;

	for (j = 0; j < outdim; j++)
	{
		double		s = b[j];

		for (i = 0; i < in; i++)
			s += (double) x[i] * W[(size_t) i * outdim + j];
		out[j] = relu && !(s > 0.0) ? 0.0 : s;
	}
}

static const NnIsa isas[] = {NN_ISA_BASELINE, NN_ISA_AVX2, NN_ISA_AVX512};

/* Every shape around the block edges (64 outputs, 16 and 8 lanes, odd input counts). */
static void
check_shapes(NnIsa isa)
{
	static const int ins[] = {1, 2, 3, 10, 15, 16, 17, 63, 64, 65, 128, 129, 1024, 1025};
	static const int outs[] = {1, 2, 7, 8, 9, 15, 16, 17, 33, 63, 64, 65, 100, 128, 130};
	unsigned	state = 12345u;
	int			a,
				c,
				relu;
	int			bad_ref = 0,
				bad_base = 0,
				overrun = 0;
	double		worst = 0.0;

	for (a = 0; a < (int) (sizeof(ins) / sizeof(ins[0])); a++)
		for (c = 0; c < (int) (sizeof(outs) / sizeof(outs[0])); c++)
			for (relu = 0; relu <= 1; relu++)
			{
				int			in = ins[a],
							outdim = outs[c],
							i,
							j;
				float	   *x = malloc(sizeof(float) * in);
				float	   *W = malloc(sizeof(float) * in * outdim);
				float	   *b = malloc(sizeof(float) * outdim);
				float	   *got = malloc(sizeof(float) * (outdim + 16));
				float	   *base = malloc(sizeof(float) * outdim);
				double	   *ref = malloc(sizeof(double) * outdim);

				/* with relu, half the inputs are zeros, as a hidden layer's outputs after relu */
				for (i = 0; i < in; i++)
				{
					x[i] = uniform(&state);
					if (relu && x[i] < 0.0f)
						x[i] = i % 4 == 1 ? -0.0f : 0.0f;
				}
				for (i = 0; i < in * outdim; i++)
					W[i] = uniform(&state);
				for (j = 0; j < outdim; j++)
					b[j] = uniform(&state);
				for (j = 0; j < outdim + 16; j++)
					got[j] = 1234.5f;
				dense_reference(ref, x, W, b, in, outdim, relu);
				nn_score_set_isa(isa);
				nn_score_dense(got, x, W, b, in, outdim, relu);
				nn_score_set_isa(NN_ISA_BASELINE);
				nn_score_dense(base, x, W, b, in, outdim, relu);
				for (j = 0; j < outdim; j++)
				{
					double		err = fabs(got[j] - ref[j]);
					/* |sum| <= in + 1 here; float rounding of in + 1 terms, loosely */
					double		tol = 1e-6 * (in + 1) * (in + 1);

					if (err > worst)
						worst = err;
					if (!(err <= tol))
						bad_ref++;
					/* the same association everywhere; only fused multiply-adds may differ */
					if (!(fabs(got[j] - base[j]) <= tol))
						bad_base++;
				}
				for (j = outdim; j < outdim + 16; j++)
					if (got[j] != 1234.5f)
						overrun++;
				free(x);
				free(W);
				free(b);
				free(got);
				free(base);
				free(ref);
			}
	is_int(bad_ref, 0, "nn_score_dense matches the naive reference in every shape");
	diag("%s: largest difference from the reference %.3g", nn_isa_name(isa), worst);
	is_int(bad_base, 0, "nn_score_dense agrees with the baseline variant");
	is_int(overrun, 0, "nn_score_dense writes nothing past out[outdim]");
}

/*
 * Zero inputs (relu's) are skipped up to 1024 inputs and not past it: a 1024-input layer must give
 * exactly what the dense loop gives for the same inputs with one more 0 appended (1025 inputs).
 */
static void
check_skipped_zeros(NnIsa isa)
{
	enum
	{
		IN = 1024, OUT = 130
	};
	static float x[IN + 1],
				W[(IN + 1) * OUT],
				b[OUT],
				W_narrow[IN * OUT],
				skipped[OUT],
				dense[OUT];
	unsigned	state = 777u;
	int			i,
				j,
				differ = 0,
				zeros = 0;

	for (i = 0; i <= IN; i++)
	{
		x[i] = uniform(&state);
		if (x[i] < 0.0f || i == IN)
			x[i] = 0.0f;
		zeros += x[i] == 0.0f;
	}
	for (i = 0; i < (IN + 1) * OUT; i++)
		W[i] = uniform(&state);
	memcpy(W_narrow, W, sizeof(W_narrow));
	for (j = 0; j < OUT; j++)
		b[j] = uniform(&state);
	nn_score_set_isa(isa);
	nn_score_dense(skipped, x, W_narrow, b, IN, OUT, true);
	nn_score_dense(dense, x, W, b, IN + 1, OUT, true);
	for (j = 0; j < OUT; j++)
		differ += skipped[j] != dense[j];
	ok(differ == 0 && zeros > IN / 3, "%s: skipping %d zero inputs gives the dense loop's sums exactly (%d of %d differ)",
	   nn_isa_name(isa), zeros, differ, OUT);
}

/* relu of NaN is 0, like the baseline's x > 0 ? x : 0; without relu a NaN stays. */
static void
check_nan(NnIsa isa)
{
	float		x[3] = {NAN, 1.0f, 2.0f};
	float		W[3 * 70];
	float		b[70];
	float		out[70];
	int			j,
				zero = 0,
				nan = 0;

	for (j = 0; j < 3 * 70; j++)
		W[j] = 0.5f;
	for (j = 0; j < 70; j++)
		b[j] = 0.0f;
	nn_score_set_isa(isa);
	nn_score_dense(out, x, W, b, 3, 70, true);
	for (j = 0; j < 70; j++)
		zero += out[j] == 0.0f && !signbit(out[j]);
	is_int(zero, 70, "relu of NaN is +0");
	nn_score_dense(out, x, W, b, 3, 70, false);
	for (j = 0; j < 70; j++)
		nan += isnan(out[j]);
	is_int(nan, 70, "without relu NaN stays NaN");
	nn_score_dense(out, x, W, b, 3, 1, true);
	ok(out[0] == 0.0f, "relu of a NaN dot product is 0");
}

/* nn_predict_row (this variant) against nn_predict_batch (the blocked training kernels) on the default network and others. */
static void
check_predict(NnIsa isa)
{
	static const int shapes[][4] = {{10, 128, 64, 1}, {7, 33, 5, 3}, {130, 65, 0, 1}};
	static const NnActivation acts[] = {NN_ACT_RELU, NN_ACT_TANH};
	int			s,
				a;

	nn_score_set_isa(isa);
	for (s = 0; s < 3; s++)
		for (a = 0; a < 2; a++)
		{
			NnSpec		spec;
			NnRng		rng;
			size_t		n_params,
						n_ws;
			float	   *params,
					   *inp,
					   *batch_out,
					   *ws,
					   *scratch,
					   row_out[8];
			int			B = 37,
						r,
						k,
						bad = 0;
			double		worst = 0.0;

			memset(&spec, 0, sizeof(spec));
			spec.n_inputs = shapes[s][0];
			spec.n_hidden = shapes[s][2] > 0 ? 2 : 1;
			spec.hidden[0] = shapes[s][1];
			spec.hidden[1] = shapes[s][2];
			spec.activation = acts[a];
			spec.n_outputs = shapes[s][3];
			spec.head = spec.n_outputs > 1 ? NN_HEAD_SOFTMAX_CE : NN_HEAD_SIGMOID_BCE;
			if (nn_spec_param_count(&spec, &n_params) != NN_OK || nn_workspace_floats(&spec, B, &n_ws) != NN_OK)
			{
				ok(0, "spec");
				continue;
			}
			params = malloc(sizeof(float) * n_params);
			inp = malloc(sizeof(float) * B * spec.n_inputs);
			batch_out = malloc(sizeof(float) * B * spec.n_outputs);
			ws = malloc(sizeof(float) * n_ws);
			scratch = malloc(sizeof(float) * nn_predict_scratch_floats(&spec));
			nn_rng_seed(&rng, 7 + s);
			nn_init_params(&spec, params, &rng);
			for (k = 0; k < (int) n_params; k++)
				params[k] += 0.01f * nn_rng_normal(&rng);
			for (k = 0; k < B * spec.n_inputs; k++)
				inp[k] = 2.0f * nn_rng_uniform(&rng) - 1.0f;
			nn_predict_batch(&spec, params, inp, B, batch_out, ws);
			for (r = 0; r < B; r++)
			{
				nn_predict_row(&spec, params, inp + (size_t) r * spec.n_inputs, row_out, scratch);
				for (k = 0; k < spec.n_outputs; k++)
				{
					double		d = fabs(row_out[k] - batch_out[r * spec.n_outputs + k]);

					if (d > worst)
						worst = d;
					if (!(d <= 1e-5))
						bad++;
				}
			}
			ok(bad == 0, "%s: nn_predict_row equals nn_predict_batch within 1e-5, %d-%d-%d-%d %s (largest %.2g)",
			   nn_isa_name(isa), shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
			   nn_activation_name(acts[a]), worst);
			free(params);
			free(inp);
			free(batch_out);
			free(ws);
			free(scratch);
		}
}

int
main(void)
{
	NnIsa		chosen = nn_score_isa();
	int			k;

	ok(chosen != NN_ISA_AUTO, "a variant is chosen: %s", nn_isa_name(chosen));
	ok(!nn_score_set_isa((NnIsa) 99), "an unknown variant is refused");
	ok(nn_score_isa() == chosen, "and changes nothing");
	for (k = 0; k < 3; k++)
	{
		if (!nn_score_set_isa(isas[k]))
		{
			diag("%s does not run on this CPU: skipped", nn_isa_name(isas[k]));
			continue;
		}
		ok(nn_score_isa() == isas[k], "%s forced", nn_isa_name(isas[k]));
		check_shapes(isas[k]);
		check_nan(isas[k]);
		check_skipped_zeros(isas[k]);
		check_predict(isas[k]);
	}
	return done_testing();
}
