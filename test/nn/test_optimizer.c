/*
 * test_optimizer.c: three updates of each optimizer on p = [0.5, -1, 2] against values worked out
 * independently (plain python3 in double, script in the comments), with the gradients
 *   g1 = [0.1, -0.2, 0.3], g2 = [-0.05, 0.4, 0.0], g3 = [0.2, 0.1, -0.3].
 */
#include <string.h>

#include "nn/optimizer.h"
#include "tap.h"

static const float start[3] = {0.5f, -1.0f, 2.0f};
static const float grads[3][3] = {
	{0.1f, -0.2f, 0.3f},
	{-0.05f, 0.4f, 0.0f},
	{0.2f, 0.1f, -0.3f},
};

/*
 * SGD, lr 0.1: p -= 0.1 g
 *   step 1: [0.5 - 0.01, -1 + 0.02, 2 - 0.03] = [0.49, -0.98, 1.97]
 *   step 2: [0.49 + 0.005, -0.98 - 0.04, 1.97] = [0.495, -1.02, 1.97]
 *   step 3: [0.495 - 0.02, -1.02 - 0.01, 1.97 + 0.03] = [0.475, -1.03, 2.0]
 */
static const double expect_sgd[3][3] = {
	{0.490000000, -0.980000000, 1.970000000},
	{0.495000000, -1.020000000, 1.970000000},
	{0.475000000, -1.030000000, 2.000000000},
};

/*
 * Heavy ball, lr 0.1, mu 0.9: v = 0.9 v + g; p -= 0.1 v
 *   step 1: v = g1 = [0.1, -0.2, 0.3]; p = [0.49, -0.98, 1.97]
 *   step 2: v = [0.09 - 0.05, -0.18 + 0.4, 0.27] = [0.04, 0.22, 0.27]; p = [0.486, -1.002, 1.943]
 *   step 3: v = [0.036 + 0.2, 0.198 + 0.1, 0.243 - 0.3] = [0.236, 0.298, -0.057];
 *           p = [0.4624, -1.0318, 1.9487]
 */
static const double expect_heavy[3][3] = {
	{0.490000000, -0.980000000, 1.970000000},
	{0.486000000, -1.002000000, 1.943000000},
	{0.462400000, -1.031800000, 1.948700000},
};

/*
 * Nesterov, lr 0.1, mu 0.9: v = 0.9 v + g; p -= 0.1 (g + 0.9 v)
 *   step 1: v = g1; g + 0.9 v = 1.9 g1 = [0.19, -0.38, 0.57]; p = [0.481, -0.962, 1.943]
 *   step 2: v = [0.04, 0.22, 0.27]; g + 0.9 v = [-0.014, 0.598, 0.243]; p = [0.4824, -1.0218, 1.9187]
 *   step 3: v = [0.236, 0.298, -0.057]; g + 0.9 v = [0.4124, 0.3682, -0.3513];
 *           p = [0.44116, -1.05862, 1.95383]
 */
static const double expect_nesterov[3][3] = {
	{0.481000000, -0.962000000, 1.943000000},
	{0.482400000, -1.021800000, 1.918700000},
	{0.441160000, -1.058620000, 1.953830000},
};

/*
 * Adam, lr 0.01, b1 0.9, b2 0.999, eps 1e-7:
 *   step 1: m = 0.1 g, v = 0.001 g^2, so m / (1 - 0.9) = g and v / (1 - 0.999) = g^2:
 *           p -= 0.01 g / (|g| + 1e-7), i.e. 0.01 sign(g) up to eps: [0.49000001, -0.990000005, 1.990000003]
 *   steps 2 and 3 by the same formulas (python3):
 *     for t, g in enumerate(G, 1):
 *       m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2
 *       p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
static const double expect_adam[3][3] = {
	{0.490000010, -0.990000005, 1.990000003},
	{0.487336643, -0.993661039, 1.983299424},
	{0.480755532, -0.997817550, 1.984158101},
};

/* Run three steps of opt from start and compare each step's parameters. */
static void
check_three_steps(NnOptimizer *opt, const double expected[3][3], const char *label)
{
	float		params[3];
	float		state[6];
	size_t		n_state = 99;
	int			status;
	int			step;
	int			i;

	memcpy(params, start, sizeof(params));
	memset(state, 0, sizeof(state));
	status = nn_optimizer_state_floats(opt->kind, 3, &n_state);
	ok(status == 0 && n_state <= 6, "%s: state size %zu fits", label, n_state);
	for (step = 0; step < 3; step++)
	{
		bool		close = true;

		nn_optimizer_step(opt, params, grads[step], state, 3);
		for (i = 0; i < 3; i++)
			if (fabs(params[i] - expected[step][i]) > 2e-6)
			{
				close = false;
				diag("%s step %d param %d: got %.9f expected %.9f", label, step + 1, i,
					 params[i], expected[step][i]);
			}
		ok(close, "%s: step %d matches the hand computation", label, step + 1);
	}
	is_int(opt->step, 3, "step counter advanced to 3");
}

int
main(void)
{
	NnOptimizer opt;
	size_t		n;

	nn_optimizer_defaults(&opt, NN_OPT_ADAM);
	is_close(opt.learning_rate, 0.001, 1e-9, "adam default lr 0.001");
	is_close(opt.beta1, 0.9, 1e-7, "adam default beta1 0.9");
	is_close(opt.beta2, 0.999, 1e-7, "adam default beta2 0.999");
	is_close(opt.epsilon, 1e-7, 1e-12, "adam default epsilon 1e-7");
	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	is_close(opt.learning_rate, 0.01, 1e-9, "sgd default lr 0.01");
	nn_optimizer_defaults(&opt, NN_OPT_MOMENTUM);
	is_close(opt.momentum, 0.9, 1e-7, "momentum default mu 0.9");
	ok(!opt.nesterov && opt.step == 0, "momentum defaults: heavy ball, step 0");

	ok(nn_optimizer_from_name("adam") == NN_OPT_ADAM && nn_optimizer_from_name("sgd") == NN_OPT_SGD &&
	   nn_optimizer_from_name("momentum") == NN_OPT_MOMENTUM, "names parse");
	ok(nn_optimizer_from_name("rmsprop") == NN_OPT_COUNT_ && nn_optimizer_from_name(NULL) == NN_OPT_COUNT_,
	   "unknown names are rejected");
	ok(strcmp(nn_optimizer_name(NN_OPT_ADAM), "adam") == 0, "adam's name");

	ok(nn_optimizer_state_floats(NN_OPT_SGD, 10, &n) == 0 && n == 0, "sgd needs no state");
	ok(nn_optimizer_state_floats(NN_OPT_MOMENTUM, 10, &n) == 0 && n == 10, "momentum needs n");
	ok(nn_optimizer_state_floats(NN_OPT_ADAM, 10, &n) == 0 && n == 20, "adam needs 2n");
	ok(nn_optimizer_state_floats(NN_OPT_ADAM, SIZE_MAX / 2 + 1, &n) != 0, "adam state size overflow detected");

	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	opt.learning_rate = 0.1f;
	check_three_steps(&opt, expect_sgd, "sgd");

	nn_optimizer_defaults(&opt, NN_OPT_MOMENTUM);
	opt.learning_rate = 0.1f;
	check_three_steps(&opt, expect_heavy, "heavy ball");

	nn_optimizer_defaults(&opt, NN_OPT_MOMENTUM);
	opt.learning_rate = 0.1f;
	opt.nesterov = true;
	check_three_steps(&opt, expect_nesterov, "nesterov");

	nn_optimizer_defaults(&opt, NN_OPT_ADAM);
	opt.learning_rate = 0.01f;
	check_three_steps(&opt, expect_adam, "adam");

	return done_testing();
}
