/* test_xor.c: small problems are actually learned, and training replays bit for bit from a seed. */
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

#define MAX_PARAMS 512
#define MAX_WS 8192

static const float xor_inputs[8] = {0, 0, 0, 1, 1, 0, 1, 1};
static const float xor_targets[4] = {0, 1, 1, 0};

/* Train 2 -> 8 -> 1 tanh on XOR with Adam, full batch; returns the last loss, params in params. */
static double
train_xor(uint64_t seed, int steps, float *params, NnSpec *spec)
{
	float		grads[MAX_PARAMS];
	float		state[2 * MAX_PARAMS];
	float		workspace[MAX_WS];
	float		dlogits[4];
	NnOptimizer opt;
	NnRng		rng;
	double		loss = NAN;
	int			step;

	memset(spec, 0, sizeof(*spec));
	spec->n_inputs = 2;
	spec->n_hidden = 1;
	spec->hidden[0] = 8;
	spec->activation = NN_ACT_TANH;
	spec->head = NN_HEAD_SIGMOID_BCE;
	spec->n_outputs = 1;
	nn_rng_seed(&rng, seed);
	nn_init_params(spec, params, &rng);
	nn_optimizer_defaults(&opt, NN_OPT_ADAM);
	opt.learning_rate = 0.05f;
	memset(state, 0, sizeof(state));
	for (step = 0; step < steps; step++)
		loss = nn_train_step(spec, params, grads, &opt, state, xor_inputs, xor_targets, NULL, 4,
							 workspace, dlogits);
	return loss;
}

/* XOR: a non-linear boundary, so it proves the hidden layer and backprop work together. */
static void
test_xor(void)
{
	float		params[MAX_PARAMS];
	float		again[MAX_PARAMS];
	float		other[MAX_PARAMS];
	float		scratch[32];
	NnSpec		spec;
	size_t		n_params;
	double		first_loss;
	double		loss;
	bool		separated = true;
	int			r;

	first_loss = train_xor(11, 1, params, &spec);
	loss = train_xor(11, 600, params, &spec);
	nn_spec_param_count(&spec, &n_params);
	is_int(n_params, 2 * 8 + 8 + 8 + 1, "2-8-1 has 33 parameters");
	diag("xor loss: first step %.4f, after 600 steps %.5f", first_loss, loss);
	ok(loss < 0.05, "xor loss below 0.05 (%.5f)", loss);
	for (r = 0; r < 4; r++)
	{
		float		p;

		nn_predict_row(&spec, params, xor_inputs + 2 * r, &p, scratch);
		if (xor_targets[r] > 0.5f ? !(p > 0.8f) : !(p < 0.2f))
		{
			separated = false;
			diag("xor row %d: p = %.4f, target %.0f", r, p, xor_targets[r]);
		}
	}
	ok(separated, "xor predictions on the right side of 0.5 by a margin of 0.3");

	/* determinism: bit-identical parameters from the same seed, different from another seed */
	train_xor(11, 600, again, &spec);
	ok(memcmp(params, again, n_params * sizeof(float)) == 0, "same seed, bit-identical parameters");
	train_xor(12, 600, other, &spec);
	ok(memcmp(params, other, n_params * sizeof(float)) != 0, "another seed, other parameters");
	ok(nn_check_finite(params, n_params) == NN_OK, "trained parameters are finite");
}

/* Three Gaussian blobs in the plane, learned by a softmax head over minibatches. */
static void
test_three_classes(void)
{
	enum
	{
		PER_CLASS = 40, N = 3 * PER_CLASS, BATCH = 20
	};
	static const float centers[3][2] = {{0, 0}, {3, 0}, {0, 3}};
	float		x[N * 2];
	float		y[N];
	float		bx[BATCH * 2];
	float		by[BATCH];
	uint32_t	order[N];
	float		probs[N * 3];
	float		params[MAX_PARAMS];
	float		grads[MAX_PARAMS];
	float		state[2 * MAX_PARAMS];
	static float workspace[MAX_WS];
	float		dlogits[BATCH * 3];
	size_t		counts[9];
	size_t		n_ws;
	NnMulticlassMetrics mm;
	NnOptimizer opt;
	NnSpec		spec;
	NnRng		rng;
	bool		sums_to_one = true;
	int			epoch;
	int			i;

	nn_rng_seed(&rng, 5);
	for (i = 0; i < N; i++)
	{
		int			c = i % 3;

		x[2 * i] = (float) (centers[c][0] + 0.5 * nn_rng_normal(&rng));
		x[2 * i + 1] = (float) (centers[c][1] + 0.5 * nn_rng_normal(&rng));
		y[i] = (float) c;
		order[i] = (uint32_t) i;
	}
	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = 2;
	spec.n_hidden = 1;
	spec.hidden[0] = 16;
	spec.activation = NN_ACT_RELU;
	spec.head = NN_HEAD_SOFTMAX_CE;
	spec.n_outputs = 3;
	ok(nn_workspace_floats(&spec, N, &n_ws) == NN_OK && n_ws <= MAX_WS, "workspace fits");
	nn_init_params(&spec, params, &rng);
	nn_optimizer_defaults(&opt, NN_OPT_ADAM);
	opt.learning_rate = 0.02f;
	memset(state, 0, sizeof(state));
	for (epoch = 0; epoch < 60; epoch++)
	{
		int			start;

		nn_rng_shuffle(&rng, order, N);
		for (start = 0; start < N; start += BATCH)
		{
			for (i = 0; i < BATCH; i++)
			{
				uint32_t	row = order[start + i];

				bx[2 * i] = x[2 * row];
				bx[2 * i + 1] = x[2 * row + 1];
				by[i] = y[row];
			}
			nn_train_step(&spec, params, grads, &opt, state, bx, by, NULL, BATCH, workspace,
						  dlogits);
		}
	}
	nn_predict_batch(&spec, params, x, N, probs, workspace);
	for (i = 0; i < N; i++)
		if (fabs(probs[3 * i] + probs[3 * i + 1] + probs[3 * i + 2] - 1.0) > 1e-5)
			sums_to_one = false;
	ok(sums_to_one, "class probabilities sum to 1");
	nn_multiclass_metrics(probs, y, N, 3, counts, &mm);
	diag("three classes: accuracy %.3f, macro f1 %.3f, log loss %.4f", mm.accuracy, mm.macro_f1,
		 mm.log_loss);
	ok(mm.accuracy >= 0.95, "three blobs learned: accuracy %.3f >= 0.95", mm.accuracy);
	ok(mm.log_loss < 0.2, "three blobs: log loss %.4f < 0.2", mm.log_loss);
}

/* y = 2x + 1: exactly by a linear net with SGD, approximately by a tanh net with Adam. */
static void
test_regression(void)
{
	enum
	{
		N = 32
	};
	float		x[N];
	float		y[N];
	float		pred[N];
	float		params[MAX_PARAMS];
	float		grads[MAX_PARAMS];
	float		state[2 * MAX_PARAMS];
	float		workspace[MAX_WS];
	float		dlogits[N];
	NnRegressionMetrics rm;
	NnOptimizer opt;
	NnSpec		spec;
	NnRng		rng;
	double		loss = NAN;
	int			step;
	int			i;

	for (i = 0; i < N; i++)
	{
		x[i] = -1.0f + 2.0f * (float) i / (N - 1);
		y[i] = 2.0f * x[i] + 1.0f;
	}

	/* no hidden layer: the parameters are the slope and the intercept */
	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = 1;
	spec.n_hidden = 0;
	spec.activation = NN_ACT_LINEAR;
	spec.head = NN_HEAD_LINEAR_MSE;
	spec.n_outputs = 1;
	nn_rng_seed(&rng, 3);
	nn_init_params(&spec, params, &rng);
	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	opt.learning_rate = 0.1f;
	for (step = 0; step < 500; step++)
		loss = nn_train_step(&spec, params, grads, &opt, state, x, y, NULL, N, workspace, dlogits);
	is_close(params[0], 2.0, 1e-4, "linear regression slope 2");
	is_close(params[1], 1.0, 1e-4, "linear regression intercept 1");
	ok(loss < 1e-8, "linear regression loss ~ 0 (%.3g)", loss);

	/* a hidden tanh layer approximates the line too */
	spec.n_hidden = 1;
	spec.hidden[0] = 8;
	spec.activation = NN_ACT_TANH;
	nn_init_params(&spec, params, &rng);
	nn_optimizer_defaults(&opt, NN_OPT_ADAM);
	opt.learning_rate = 0.02f;
	memset(state, 0, sizeof(state));
	for (step = 0; step < 1500; step++)
		loss = nn_train_step(&spec, params, grads, &opt, state, x, y, NULL, N, workspace, dlogits);
	nn_predict_batch(&spec, params, x, N, pred, workspace);
	nn_regression_metrics(pred, y, N, &rm);
	diag("tanh regression: loss %.3g, rmse %.4f, r2 %.5f", loss, rm.rmse, rm.r2);
	ok(rm.rmse < 0.05, "tanh net fits y = 2x + 1: rmse %.4f < 0.05", rm.rmse);
	ok(rm.r2 > 0.999, "tanh net fits y = 2x + 1: r2 %.5f > 0.999", rm.r2);
}

int
main(void)
{
	test_xor();
	test_three_classes();
	test_regression();
	return done_testing();
}
