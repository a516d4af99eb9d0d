/*
 * test_train_config.c: the extras of nn_train_step_config — L1/L2 penalties, inverted dropout,
 * sample weights, gradient clipping — checked against finite differences and by hand.
 *
 * The analytic gradient is read off one SGD step with learning rate 1 (delta = -gradient); the
 * loss at perturbed parameters comes from a step with learning rate 0, with the RNG reseeded
 * each time so dropout draws the same masks.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

#define B 5
#define N_IN 3

typedef struct Fixture
{
	NnSpec		spec;
	size_t		n_params;
	float	   *params;
	float	   *grads;
	float	   *state;
	float	   *workspace;
	float	   *dlogits;
	float	   *masks;
	float		inp[B * N_IN];
	float		targets[B];
	float		weights[B];
	float		rates[NN_MAX_HIDDEN_LAYERS];
	NnTrainConfig cfg;
	NnRng		rng;
} Fixture;

static void
fixture_init(Fixture *f, NnActivation act, NnHead head, int n_outputs)
{
	NnRng		init;
	size_t		ws;
	int			i;

	memset(f, 0, sizeof(*f));
	f->spec.n_inputs = N_IN;
	f->spec.n_hidden = 2;
	f->spec.hidden[0] = 6;
	f->spec.hidden[1] = 4;
	f->spec.activation = act;
	f->spec.head = head;
	f->spec.n_outputs = n_outputs;
	nn_spec_param_count(&f->spec, &f->n_params);
	nn_workspace_floats(&f->spec, B, &ws);
	f->params = calloc(f->n_params, sizeof(float));
	f->grads = calloc(f->n_params, sizeof(float));
	f->state = calloc(2 * f->n_params, sizeof(float));
	f->workspace = calloc(ws, sizeof(float));
	f->dlogits = calloc((size_t) B * n_outputs, sizeof(float));
	f->masks = calloc(nn_dropout_mask_floats(&f->spec, B), sizeof(float));
	nn_rng_seed(&init, 11);
	nn_init_params(&f->spec, f->params, &init);
	for (i = 0; i < B * N_IN; i++)
		f->inp[i] = (float) (2.0 * nn_rng_uniform(&init) - 1.0);
	for (i = 0; i < B; i++)
	{
		f->targets[i] = head == NN_HEAD_SOFTMAX_CE ? (float) (i % n_outputs) :
			head == NN_HEAD_SIGMOID_BCE ? (float) (i % 2) : (float) (nn_rng_uniform(&init) * 2.0);
		f->weights[i] = (float) (0.5 + i * 0.25);
	}
	f->cfg.masks = f->masks;
	f->cfg.rng = &f->rng;
}

static void
fixture_free(Fixture *f)
{
	free(f->params);
	free(f->grads);
	free(f->state);
	free(f->workspace);
	free(f->dlogits);
	free(f->masks);
}

/* One SGD step at learning rate lr with the same dropout masks every time; returns the loss. */
static double
step(Fixture *f, float lr)
{
	NnOptimizer opt;

	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	opt.learning_rate = lr;
	nn_rng_seed(&f->rng, 99);
	return nn_train_step_config(&f->spec, f->params, f->grads, &opt, f->state, f->inp, f->targets,
								&f->cfg, B, f->workspace, f->dlogits);
}

/* Central differences of the full loss against the step's gradient, over every parameter. */
static void
check_config_gradient(Fixture *f, const char *name)
{
	float	   *saved = malloc(sizeof(float) * f->n_params);
	float	   *analytic = malloc(sizeof(float) * f->n_params);
	double		worst = 0.0;
	size_t		i;

	memcpy(saved, f->params, sizeof(float) * f->n_params);
	step(f, 1.0f);
	for (i = 0; i < f->n_params; i++)
		analytic[i] = saved[i] - f->params[i];
	memcpy(f->params, saved, sizeof(float) * f->n_params);
	for (i = 0; i < f->n_params; i++)
	{
		float		p = saved[i];
		float		h = 1e-3f;
		double		plus,
					minus,
					numeric,
					excess;

		/* L1 has a kink at 0: stay on one side of it */
		if (f->cfg.l1 != 0.0f && fabsf(p) < 2 * h)
			continue;
		f->params[i] = p + h;
		plus = step(f, 0.0f);
		f->params[i] = p - h;
		minus = step(f, 0.0f);
		f->params[i] = p;
		numeric = (plus - minus) / ((double) (p + h) - (double) (p - h));
		excess = fabs(numeric - analytic[i]) - (1e-2 * fmax(fabs(numeric), fabs(analytic[i])) + 5e-4);
		if (excess > worst)
			worst = excess;
	}
	ok(worst <= 0.0, "%s: gradient matches finite differences (worst excess %.3g)", name, worst);
	free(saved);
	free(analytic);
}

static void
test_gradients(void)
{
	static const NnActivation acts[] = {NN_ACT_RELU, NN_ACT_TANH, NN_ACT_SIGMOID, NN_ACT_LEAKY_RELU};
	static const char *const act_names[] = {"relu", "tanh", "sigmoid", "leaky_relu"};
	int			a;

	for (a = 0; a < 4; a++)
	{
		Fixture		f;
		char		name[96];

		fixture_init(&f, acts[a], NN_HEAD_SIGMOID_BCE, 1);
		f.cfg.l2 = 0.01f;
		snprintf(name, sizeof(name), "%s, l2", act_names[a]);
		check_config_gradient(&f, name);
		f.cfg.l2 = 0.0f;
		f.cfg.l1 = 0.02f;
		snprintf(name, sizeof(name), "%s, l1", act_names[a]);
		check_config_gradient(&f, name);
		f.cfg.l1 = 0.0f;
		f.rates[0] = 0.5f;
		f.rates[1] = 0.25f;
		f.cfg.dropout = f.rates;
		snprintf(name, sizeof(name), "%s, dropout 0.5/0.25", act_names[a]);
		check_config_gradient(&f, name);
		f.cfg.weights = f.weights;
		f.cfg.l2 = 0.005f;
		snprintf(name, sizeof(name), "%s, dropout + weights + l2", act_names[a]);
		check_config_gradient(&f, name);
		fixture_free(&f);
	}
	{
		Fixture		f;

		fixture_init(&f, NN_ACT_RELU, NN_HEAD_SOFTMAX_CE, 3);
		f.rates[1] = 0.3f;
		f.cfg.dropout = f.rates;
		f.cfg.weights = f.weights;
		f.cfg.l1 = 0.01f;
		check_config_gradient(&f, "softmax, dropout on the second layer only, weights, l1");
		fixture_free(&f);
	}
	{
		Fixture		f;

		fixture_init(&f, NN_ACT_TANH, NN_HEAD_LINEAR_MSE, 1);
		f.cfg.l2 = 0.02f;
		f.cfg.weights = f.weights;
		check_config_gradient(&f, "regression, weights, l2");
		fixture_free(&f);
	}
}

/* Penalty by hand on a net with one weight matrix. */
static void
test_penalty_by_hand(void)
{
	NnSpec		spec = {0};
	float		params[3] = {0.5f, -2.0f, 7.0f};	/* W (2x1) then b (1) */

	spec.n_inputs = 2;
	spec.n_hidden = 0;
	spec.head = NN_HEAD_LINEAR_MSE;
	spec.n_outputs = 1;
	/* l1 * (0.5 + 2) + l2 * (0.25 + 4); the bias 7 is not penalised */
	is_close(nn_weight_penalty(&spec, params, 0.1f, 0.01f), 0.1 * 2.5 + 0.01 * 4.25, 1e-7,
			 "penalty l1*sum|W| + l2*sum W^2, biases excluded");
}

static double
gradient_norm_of_step(Fixture *f, float *delta_max)
{
	float	   *saved = malloc(sizeof(float) * f->n_params);
	double		sq = 0.0;
	size_t		i;

	memcpy(saved, f->params, sizeof(float) * f->n_params);
	step(f, 1.0f);
	*delta_max = 0.0f;
	for (i = 0; i < f->n_params; i++)
	{
		float		d = saved[i] - f->params[i];

		sq += (double) d * d;
		if (fabsf(d) > *delta_max)
			*delta_max = fabsf(d);
	}
	memcpy(f->params, saved, sizeof(float) * f->n_params);
	free(saved);
	return sqrt(sq);
}

static void
test_clipping(void)
{
	Fixture		f;
	float		dmax;
	double		plain,
				clipped;

	fixture_init(&f, NN_ACT_RELU, NN_HEAD_LINEAR_MSE, 1);
	f.targets[0] = 50.0f;		/* a large error makes a long gradient */
	plain = gradient_norm_of_step(&f, &dmax);
	ok(plain > 1.0, "unclipped gradient is long (%.3g)", plain);
	f.cfg.clipnorm = 1.0f;
	clipped = gradient_norm_of_step(&f, &dmax);
	is_close(clipped, 1.0, 1e-4, "clipnorm 1 rescales the gradient to norm 1");
	f.cfg.clipnorm = 1e6f;
	is_close(gradient_norm_of_step(&f, &dmax), plain, 1e-6 * plain, "clipnorm above the norm changes nothing");
	f.cfg.clipnorm = 0.0f;
	f.cfg.clipvalue = 0.01f;
	gradient_norm_of_step(&f, &dmax);
	ok(dmax <= 0.01f * (1 + 1e-3) && dmax > 0.009f, "clipvalue 0.01 bounds every component (max %.4g)", dmax);
	fixture_free(&f);
}

static void
test_dropout_masks(void)
{
	enum
	{
		BIG = 2000
	};
	NnSpec		spec = {0};
	size_t		n_params,
				ws;
	float	   *params,
			   *grads,
			   *workspace,
			   *masks,
			   *inp,
			   *targets,
			   *dlogits;
	float		rates[1] = {0.3f};
	NnRng		rng;
	NnOptimizer opt;
	NnTrainConfig cfg = {0};
	size_t		i,
				zeros = 0,
				n_masks;

	spec.n_inputs = 4;
	spec.n_hidden = 1;
	spec.hidden[0] = 50;
	spec.activation = NN_ACT_LINEAR;	/* no unit is zero by itself: zeros are the dropped ones */
	spec.head = NN_HEAD_SIGMOID_BCE;
	spec.n_outputs = 1;
	nn_spec_param_count(&spec, &n_params);
	nn_workspace_floats(&spec, BIG, &ws);
	n_masks = nn_dropout_mask_floats(&spec, BIG);
	is_int(n_masks, (size_t) BIG * 50, "mask floats: one per hidden unit per row");
	params = calloc(n_params, sizeof(float));
	grads = calloc(n_params, sizeof(float));
	workspace = calloc(ws, sizeof(float));
	masks = calloc(n_masks, sizeof(float));
	inp = calloc((size_t) BIG * 4, sizeof(float));
	targets = calloc(BIG, sizeof(float));
	dlogits = calloc(BIG, sizeof(float));
	nn_rng_seed(&rng, 5);
	nn_init_params(&spec, params, &rng);
	for (i = 0; i < (size_t) BIG * 4; i++)
		inp[i] = (float) nn_rng_uniform(&rng);
	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	opt.learning_rate = 0.0f;
	cfg.dropout = rates;
	cfg.rng = &rng;
	cfg.masks = masks;
	nn_train_step_config(&spec, params, grads, &opt, NULL, inp, targets, &cfg, BIG, workspace, dlogits);
	/* the backward pass left the pre-dropout value of kept units and 0 for dropped ones in masks */
	for (i = 0; i < n_masks; i++)
		zeros += masks[i] == 0.0f;
	/* 100,000 Bernoulli(0.3) draws: the standard deviation of the fraction is 0.0015 */
	ok(fabs((double) zeros / n_masks - 0.3) < 0.01,
	   "dropout 0.3 drops 30%% of the units (%.4f)", (double) zeros / n_masks);
	free(params);
	free(grads);
	free(workspace);
	free(masks);
	free(inp);
	free(targets);
	free(dlogits);
}

static void
test_invalid(void)
{
	Fixture		f;
	NnOptimizer opt;

	fixture_init(&f, NN_ACT_RELU, NN_HEAD_SIGMOID_BCE, 1);
	f.rates[0] = 0.5f;
	f.cfg.dropout = f.rates;
	f.cfg.rng = NULL;
	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	ok(isnan(nn_train_step_config(&f.spec, f.params, f.grads, &opt, f.state, f.inp, f.targets, &f.cfg, B,
								  f.workspace, f.dlogits)), "dropout without an RNG is refused with NaN");
	fixture_free(&f);
}

int
main(void)
{
	test_gradients();
	test_penalty_by_hand();
	test_clipping();
	test_dropout_masks();
	test_invalid();
	return done_testing();
}
