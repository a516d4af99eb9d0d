/*
 * test_gradcheck.c: analytic gradients against central finite differences, and the BLAS paths
 * against their plain-loop references.
 *
 * Float32 makes finite differences noisy, so each check perturbs by h = 1e-3 (1e-2 where the
 * function is linear), divides by the step actually taken after rounding to float, and accepts
 * |numeric - analytic| <= 1e-2 * max(|numeric|, |analytic|) + 5e-4.
 */
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

#define REL_TOL 1e-2
#define ABS_TOL 5e-4

typedef double (*LossFn) (void *ctx);

/* Fill x with uniform values in [lo, hi). */
static void
fill_uniform(NnRng *rng, float *x, size_t n, double lo, double hi)
{
	size_t		i;

	for (i = 0; i < n; i++)
		x[i] = (float) (lo + (hi - lo) * nn_rng_uniform(rng));
}

/* Compare analytic[i] with the central difference of f in x[i], for every i; one TAP line. */
static void
check_gradient(float *x, size_t n, const float *analytic, LossFn f, void *ctx, double h,
			   const char *name)
{
	double		worst = 0.0;
	size_t		worst_i = 0;
	double		worst_num = 0.0;
	bool		pass = true;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		float		saved = x[i];
		float		plus = (float) (saved + h);
		float		minus = (float) (saved - h);
		double		loss_plus;
		double		loss_minus;
		double		numeric;
		double		excess;

		x[i] = plus;
		loss_plus = f(ctx);
		x[i] = minus;
		loss_minus = f(ctx);
		x[i] = saved;
		numeric = (loss_plus - loss_minus) / ((double) plus - (double) minus);
		excess = fabs(numeric - analytic[i]) -
			(REL_TOL * fmax(fabs(numeric), fabs(analytic[i])) + ABS_TOL);
		if (!(excess <= 0.0))
			pass = false;
		if (!(excess <= worst))
		{
			worst = excess;
			worst_i = i;
			worst_num = numeric;
		}
	}
	if (!pass)
		diag("%s: element %zu numeric %.6g analytic %.6g", name, worst_i, worst_num,
			 analytic[worst_i]);
	ok(pass, "gradient check: %s (%zu elements)", name, n);
}

/* Largest |a - b| over n floats. */
static double
max_abs_diff(const float *a, const float *b, size_t n)
{
	double		worst = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (!(fabs((double) a[i] - b[i]) <= worst))
			worst = fabs((double) a[i] - b[i]);
	return worst;
}

/* ---- dense layer: loss = sum(c .* dense(inp)) ---- */

#define DB 4
#define DIN 5
#define DOUT 3

typedef struct DenseCtx
{
	float		inp[DB * DIN];
	float		W[DIN * DOUT];
	float		b[DOUT];
	float		c[DB * DOUT];
} DenseCtx;

static double
dense_loss(void *p)
{
	DenseCtx   *ctx = p;
	float		out[DB * DOUT];
	double		loss = 0.0;
	int			i;

	dense_forward_reference(out, ctx->inp, ctx->W, ctx->b, DB, DIN, DOUT);
	for (i = 0; i < DB * DOUT; i++)
		loss += (double) ctx->c[i] * out[i];
	return loss;
}

/* Dense gradients by finite differences, then fast paths against the references. */
static void
test_dense(NnRng *rng)
{
	DenseCtx	ctx;
	float		dW[DIN * DOUT] = {0};
	float		db[DOUT] = {0};
	float		dinp[DB * DIN];
	int			batch;

	fill_uniform(rng, ctx.inp, DB * DIN, -1, 1);
	fill_uniform(rng, ctx.W, DIN * DOUT, -1, 1);
	fill_uniform(rng, ctx.b, DOUT, -1, 1);
	fill_uniform(rng, ctx.c, DB * DOUT, -1, 1);
	dense_backward(dinp, dW, db, ctx.c, ctx.inp, ctx.W, DB, DIN, DOUT);
	check_gradient(ctx.W, DIN * DOUT, dW, dense_loss, &ctx, 1e-2, "dense dW");
	check_gradient(ctx.b, DOUT, db, dense_loss, &ctx, 1e-2, "dense db");
	check_gradient(ctx.inp, DB * DIN, dinp, dense_loss, &ctx, 1e-2, "dense dinp");

	/* B = 1 goes through sgemv, B > 1 through sgemm: both against the references */
	for (batch = 1; batch <= 7; batch += 6)
	{
		enum
		{
			IN = 13, OUT = 9, MAXB = 7
		};
		float		inp[MAXB * IN],
					W[IN * OUT],
					b[OUT],
					dout[MAXB * OUT];
		float		dW_fast[IN * OUT],
					dW_ref[IN * OUT],
					db_fast[OUT],
					db_ref[OUT];
		float		dinp_fast[MAXB * IN],
					dinp_ref[MAXB * IN];

		fill_uniform(rng, inp, sizeof(inp) / sizeof(float), -1, 1);
		fill_uniform(rng, W, IN * OUT, -1, 1);
		fill_uniform(rng, b, OUT, -1, 1);
		fill_uniform(rng, dout, sizeof(dout) / sizeof(float), -1, 1);
		/* gradients accumulate, so start both from the same non-zero values */
		fill_uniform(rng, dW_fast, IN * OUT, -1, 1);
		memcpy(dW_ref, dW_fast, sizeof(dW_ref));
		fill_uniform(rng, db_fast, OUT, -1, 1);
		memcpy(db_ref, db_fast, sizeof(db_ref));

		dense_backward(dinp_fast, dW_fast, db_fast, dout, inp, W, batch, IN, OUT);
		dense_backward_reference(dinp_ref, dW_ref, db_ref, dout, inp, W, batch, IN, OUT);
		ok(max_abs_diff(dW_fast, dW_ref, IN * OUT) <= 1e-5,
		   "dense_backward dW (accumulated) matches the reference, B = %d", batch);
		ok(max_abs_diff(db_fast, db_ref, OUT) <= 1e-5,
		   "dense_backward db (accumulated) matches the reference, B = %d", batch);
		ok(max_abs_diff(dinp_fast, dinp_ref, (size_t) batch * IN) <= 1e-5,
		   "dense_backward dinp matches the reference, B = %d", batch);
		/* dinp may be NULL for the first layer */
		dense_backward(NULL, dW_fast, db_fast, dout, inp, W, batch, IN, OUT);
		dense_backward_reference(NULL, dW_ref, db_ref, dout, inp, W, batch, IN, OUT);
		ok(max_abs_diff(dW_fast, dW_ref, IN * OUT) <= 1e-5,
		   "dense_backward with dinp NULL still accumulates dW, B = %d", batch);
	}
}

/* ---- activations: loss = sum(c .* act(x)) ---- */

#define AN 40

typedef struct ActCtx
{
	NnActivation act;
	float		x[AN];
	float		c[AN];
} ActCtx;

static double
activation_loss(void *p)
{
	ActCtx	   *ctx = p;
	float		y[AN];
	double		loss = 0.0;
	int			i;

	memcpy(y, ctx->x, sizeof(y));
	nn_activation_forward(ctx->act, y, AN);
	for (i = 0; i < AN; i++)
		loss += (double) ctx->c[i] * y[i];
	return loss;
}

/* Every activation's backward against finite differences, away from the relu kink. */
static void
test_activations(NnRng *rng)
{
	int			a;

	for (a = 0; a < NN_ACT_COUNT_; a++)
	{
		ActCtx		ctx;
		float		y[AN];
		float		dx[AN];
		char		name[64];
		int			i;

		ctx.act = (NnActivation) a;
		fill_uniform(rng, ctx.x, AN, -3, 3);
		for (i = 0; i < AN; i++)
			if (fabsf(ctx.x[i]) < 0.05f)
				ctx.x[i] = 0.5f;
		fill_uniform(rng, ctx.c, AN, -1, 1);
		memcpy(y, ctx.x, sizeof(y));
		nn_activation_forward(ctx.act, y, AN);
		memcpy(dx, ctx.c, sizeof(dx));
		nn_activation_backward(ctx.act, dx, y, AN);
		snprintf(name, sizeof(name), "activation %s", nn_activation_name(ctx.act));
		check_gradient(ctx.x, AN, dx, activation_loss, &ctx, 1e-3, name);
		ok(nn_activation_from_name(nn_activation_name(ctx.act)) == ctx.act,
		   "activation name %s round-trips", nn_activation_name(ctx.act));
	}
	ok(nn_activation_from_name("swish") == NN_ACT_COUNT_, "unknown activation name rejected");

	/* values at a few points */
	{
		float		v[6] = {-2.0f, 0.0f, 3.0f, -1000.0f, 1000.0f, 0.5f};

		nn_activation_forward(NN_ACT_SIGMOID, v, 6);
		ok(v[1] == 0.5f && v[3] == 0.0f && v[4] == 1.0f && fabs(v[0] - 0.11920292) < 1e-6,
		   "sigmoid values, saturating without NaN");
		v[0] = -2.0f;
		nn_activation_forward(NN_ACT_LEAKY_RELU, v, 1);
		ok(fabs(v[0] + 0.02) < 1e-7, "leaky relu(-2) = -0.02");
	}
}

/* ---- heads: loss from nn_head_loss, gradient from its dlogits ---- */

#define HB 5
#define HK 3

typedef struct HeadCtx
{
	NnHead		head;
	int			K;
	float		logits[HB * HK];
	float		targets[HB];
	const float *weights;
} HeadCtx;

static double
head_loss(void *p)
{
	HeadCtx    *ctx = p;

	return nn_head_loss(ctx->head, ctx->logits, ctx->targets, ctx->weights, HB, ctx->K, NULL);
}

/* Each head with and without sample weights; plus loss values at known points. */
static void
test_heads(NnRng *rng)
{
	static const float weights[HB] = {1.0f, 0.5f, 2.0f, 0.0f, 3.0f};
	int			h;
	int			weighted;

	for (h = 0; h < NN_HEAD_COUNT_; h++)
		for (weighted = 0; weighted < 2; weighted++)
		{
			HeadCtx		ctx;
			float		dlogits[HB * HK];
			char		name[64];
			int			i;
			static const char *const head_names[] = {"sigmoid bce", "softmax ce (K=3)", "linear mse"};

			ctx.head = (NnHead) h;
			ctx.K = h == NN_HEAD_SOFTMAX_CE ? HK : 1;
			ctx.weights = weighted ? weights : NULL;
			fill_uniform(rng, ctx.logits, (size_t) HB * ctx.K, -3, 3);
			for (i = 0; i < HB; i++)
			{
				if (h == NN_HEAD_SIGMOID_BCE)
					ctx.targets[i] = (float) (i % 2);
				else if (h == NN_HEAD_SOFTMAX_CE)
					ctx.targets[i] = (float) (i % HK);
				else
					ctx.targets[i] = (float) (nn_rng_uniform(rng) * 4 - 2);
			}
			nn_head_loss(ctx.head, ctx.logits, ctx.targets, ctx.weights, HB, ctx.K, dlogits);
			snprintf(name, sizeof(name), "head %s%s", head_names[h], weighted ? ", weighted" : "");
			check_gradient(ctx.logits, (size_t) HB * ctx.K, dlogits, head_loss, &ctx, 1e-3, name);
		}

	/* known values: BCE at z = 0 is ln 2; huge logits stay finite; CE of equal logits is ln K */
	{
		const float zero[2] = {0.0f, 0.0f};
		const float y01[2] = {0.0f, 1.0f};
		const float huge[2] = {100.0f, -100.0f};
		const float equal[3] = {7.0f, 7.0f, 7.0f};
		const float big[3] = {1000.0f, -1000.0f, 0.0f};
		const float class1[1] = {1.0f};
		const float mse_z[2] = {1.0f, 3.0f};
		const float mse_y[2] = {0.0f, 1.0f};
		const float mse_w[2] = {1.0f, 0.5f};
		float		d[3];
		float		probs[3];

		is_close(nn_head_loss(NN_HEAD_SIGMOID_BCE, zero, y01, NULL, 2, 1, NULL), log(2.0), 1e-12,
				 "bce at logit 0 is ln 2");
		is_close(nn_head_loss(NN_HEAD_SIGMOID_BCE, huge, y01, NULL, 2, 1, d), 100.0, 1e-9,
				 "bce of confident wrong logits is 100, no overflow");
		ok(fabsf(d[0] - 0.5f) < 1e-6f && fabsf(d[1] + 0.5f) < 1e-6f, "bce gradient saturates at (p - y) / B");
		is_close(nn_head_loss(NN_HEAD_SOFTMAX_CE, equal, class1, NULL, 1, 3, NULL), log(3.0), 1e-9,
				 "ce of equal logits is ln 3");
		is_close(nn_head_loss(NN_HEAD_SOFTMAX_CE, big, class1, NULL, 1, 3, NULL), 2000.0, 1e-6,
				 "ce with logits of 1000 stays finite (2000)");
		/* (1^2 * 1 + 2^2 * 0.5) / 2 = 1.5 */
		is_close(nn_head_loss(NN_HEAD_LINEAR_MSE, mse_z, mse_y, mse_w, 2, 1, NULL), 1.5, 1e-12,
				 "weighted mse = sum w (z - y)^2 / B");
		memcpy(probs, big, sizeof(probs));
		nn_head_output(NN_HEAD_SOFTMAX_CE, probs, 1, 3);
		ok(probs[0] == 1.0f && probs[1] == 0.0f && probs[2] == 0.0f, "softmax of extreme logits is finite");
		memcpy(probs, huge, sizeof(huge));
		nn_head_output(NN_HEAD_SIGMOID_BCE, probs, 2, 1);
		ok(probs[0] == 1.0f && probs[1] >= 0.0f && probs[1] < 1e-30f, "sigmoid output of +-100 is 1 and ~0");
	}
}

/* ---- the whole network: nn_forward + nn_head_loss, gradients from nn_backward ---- */

#define MB 4
#define MAX_PARAMS 256
#define MAX_WS 1024

typedef struct MlpCtx
{
	NnSpec		spec;
	float		params[MAX_PARAMS];
	float		inp[MB * 3];
	float		targets[MB];
	const float *weights;
	float		workspace[MAX_WS];
} MlpCtx;

static double
mlp_loss(void *p)
{
	MlpCtx	   *ctx = p;
	float	   *logits = nn_forward(&ctx->spec, ctx->params, ctx->inp, MB, ctx->workspace);

	return nn_head_loss(ctx->spec.head, logits, ctx->targets, ctx->weights, MB,
						ctx->spec.n_outputs, NULL);
}

/* Small nets 3 -> 5 -> 4 -> K with every activation and every head; parameters and scoring. */
static void
test_mlp(NnRng *rng)
{
	static const float weights[MB] = {1.0f, 2.0f, 0.5f, 1.5f};
	static MlpCtx ctx;
	int			a;
	int			h;

	for (a = 0; a < NN_ACT_COUNT_; a++)
		for (h = 0; h < NN_HEAD_COUNT_; h++)
		{
			float		grads[MAX_PARAMS];
			float		dlogits[MB * 3];
			float	   *logits;
			size_t		n_params = 0;
			size_t		n_ws = 0;
			char		name[96];
			int			i;

			memset(&ctx.spec, 0, sizeof(ctx.spec));
			ctx.spec.n_inputs = 3;
			ctx.spec.n_hidden = 2;
			ctx.spec.hidden[0] = 5;
			ctx.spec.hidden[1] = 4;
			ctx.spec.activation = (NnActivation) a;
			ctx.spec.head = (NnHead) h;
			ctx.spec.n_outputs = h == NN_HEAD_SOFTMAX_CE ? 3 : 1;
			ctx.weights = h == NN_HEAD_LINEAR_MSE ? weights : NULL;
			if (nn_spec_param_count(&ctx.spec, &n_params) != NN_OK || n_params > MAX_PARAMS ||
				nn_workspace_floats(&ctx.spec, MB, &n_ws) != NN_OK || n_ws > MAX_WS)
			{
				ok(false, "mlp sizes fit the test's buffers");
				continue;
			}
			nn_init_params(&ctx.spec, ctx.params, rng);
			/* non-zero biases, so their gradients and the kinks move around */
			for (i = 0; i < nn_spec_layers(&ctx.spec); i++)
			{
				NnLayerView v = nn_spec_layer(&ctx.spec, i);

				fill_uniform(rng, ctx.params + v.b_offset, (size_t) v.out, -0.3, 0.3);
			}
			fill_uniform(rng, ctx.inp, MB * 3, -1.5, 1.5);
			for (i = 0; i < MB; i++)
				ctx.targets[i] = h == NN_HEAD_SIGMOID_BCE ? (float) (i % 2) :
					h == NN_HEAD_SOFTMAX_CE ? (float) (i % 3) : (float) (i - 1.5);

			/* analytic: accumulate onto non-zero grads to check "accumulates" too */
			for (i = 0; i < (int) n_params; i++)
				grads[i] = 1.0f;
			logits = nn_forward(&ctx.spec, ctx.params, ctx.inp, MB, ctx.workspace);
			nn_head_loss(ctx.spec.head, logits, ctx.targets, ctx.weights, MB, ctx.spec.n_outputs,
						 dlogits);
			nn_backward(&ctx.spec, ctx.params, ctx.inp, MB, ctx.workspace, dlogits, grads);
			for (i = 0; i < (int) n_params; i++)
				grads[i] -= 1.0f;
			snprintf(name, sizeof(name), "mlp 3-5-4-%d %s, head %d%s", ctx.spec.n_outputs,
					 nn_activation_name(ctx.spec.activation), h, ctx.weights ? ", weighted" : "");
			check_gradient(ctx.params, n_params, grads, mlp_loss, &ctx, 1e-3, name);

			/* single-row scoring agrees with batched scoring */
			{
				float		batch_out[MB * 3];
				float		row_out[3];
				float		scratch[16];
				double		worst = 0.0;
				int			r;

				ok(nn_predict_scratch_floats(&ctx.spec) <= 16, "predict scratch fits");
				nn_predict_batch(&ctx.spec, ctx.params, ctx.inp, MB, batch_out, ctx.workspace);
				for (r = 0; r < MB; r++)
				{
					double		d;

					nn_predict_row(&ctx.spec, ctx.params, ctx.inp + r * 3, row_out, scratch);
					d = max_abs_diff(row_out, batch_out + r * ctx.spec.n_outputs,
									 (size_t) ctx.spec.n_outputs);
					if (d > worst)
						worst = d;
				}
				ok(worst <= 1e-5, "%s: predict_row matches predict_batch (%.3g)", name, worst);
			}
		}

	/* a net without hidden layers is logistic regression: the gradient still checks */
	{
		float		grads[MAX_PARAMS] = {0};
		float		dlogits[MB];
		float	   *logits;
		int			i;

		memset(&ctx.spec, 0, sizeof(ctx.spec));
		ctx.spec.n_inputs = 3;
		ctx.spec.n_hidden = 0;
		ctx.spec.activation = NN_ACT_RELU;
		ctx.spec.head = NN_HEAD_SIGMOID_BCE;
		ctx.spec.n_outputs = 1;
		ctx.weights = NULL;
		nn_init_params(&ctx.spec, ctx.params, rng);
		fill_uniform(rng, ctx.inp, MB * 3, -1.5, 1.5);
		for (i = 0; i < MB; i++)
			ctx.targets[i] = (float) (i % 2);
		logits = nn_forward(&ctx.spec, ctx.params, ctx.inp, MB, ctx.workspace);
		nn_head_loss(ctx.spec.head, logits, ctx.targets, NULL, MB, 1, dlogits);
		nn_backward(&ctx.spec, ctx.params, ctx.inp, MB, ctx.workspace, dlogits, grads);
		check_gradient(ctx.params, 4, grads, mlp_loss, &ctx, 1e-3, "mlp without hidden layers");
	}
}

int
main(void)
{
	NnRng		rng;

	nn_rng_seed(&rng, 2024);
	test_dense(&rng);
	test_activations(&rng);
	test_heads(&rng);
	test_mlp(&rng);
	return done_testing();
}
