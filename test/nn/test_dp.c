/*
 * test_dp.c: the RDP accountant against a published value, and DP-SGD's per-example norms and
 * clipping against brute force.
 *
 * Reference: TensorFlow Privacy, tutorials/README.md ("Computing the privacy guarantee"):
 * "compute_dp_sgd_privacy.py --N=60000 --batch_size=256 --noise_multiplier=1.1 --epochs=60
 * --delta=1e-5 ... satisfies differential privacy with eps = 3.01 and delta = 1e-05"
 * (q = 256 / 60000, steps = ceil(60 * 60000 / 256) = 14063).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

#define B 6

static void
test_accountant(void)
{
	int			order;
	double		eps = nn_dp_epsilon(256.0 / 60000.0, 1.1, 14063, 1e-5, &order);
	double		sigma;

	is_close(eps, 3.01, 0.005, "TF Privacy's MNIST setting: epsilon 3.01 at delta 1e-5");
	diag("epsilon %.6f at order %d", eps, order);
	ok(nn_dp_epsilon(0.01, 2.0, 1000, 1e-5, NULL) < nn_dp_epsilon(0.01, 1.0, 1000, 1e-5, NULL),
	   "more noise spends less epsilon");
	ok(nn_dp_epsilon(0.01, 1.0, 2000, 1e-5, NULL) > nn_dp_epsilon(0.01, 1.0, 1000, 1e-5, NULL),
	   "more steps spend more epsilon");
	sigma = nn_dp_noise_for_epsilon(0.01, 1000, 1e-5, 1.0, 100.0);
	ok(sigma > 0.1 && sigma < 100.0, "noise for epsilon 1 found (%.4f)", sigma);
	ok(nn_dp_epsilon(0.01, sigma, 1000, 1e-5, NULL) <= 1.0 + 1e-9 &&
	   nn_dp_epsilon(0.01, sigma * 0.99, 1000, 1e-5, NULL) > 1.0,
	   "and it is the smallest noise that spends at most 1");
	ok(isnan(nn_dp_noise_for_epsilon(0.01, 1000, 1e-5, 0.01, 100.0)), "epsilon 0.01 cannot be met: NaN");
	is_close(nn_rdp_subsampled_gaussian(1.0, 2.0, 5), 5.0 / 8.0, 1e-12, "q = 1: the Gaussian mechanism's alpha / (2 sigma^2)");
}

typedef struct Net
{
	NnSpec		spec;
	size_t		n_params;
	float	   *params;
	float	   *grads;
	float	   *workspace;
	float		dlogits[B];
	float		inp[B * 3];
	float		y[B];
} Net;

static void
net_init(Net *n)
{
	NnRng		rng;
	size_t		ws;
	int			i;

	memset(n, 0, sizeof(*n));
	n->spec.n_inputs = 3;
	n->spec.n_hidden = 1;
	n->spec.hidden[0] = 5;
	n->spec.activation = NN_ACT_TANH;
	n->spec.head = NN_HEAD_SIGMOID_BCE;
	n->spec.n_outputs = 1;
	nn_spec_param_count(&n->spec, &n->n_params);
	nn_workspace_floats(&n->spec, B, &ws);
	n->params = malloc(sizeof(float) * n->n_params);
	n->grads = malloc(sizeof(float) * n->n_params);
	n->workspace = malloc(sizeof(float) * ws);
	nn_rng_seed(&rng, 8);
	nn_init_params(&n->spec, n->params, &rng);
	for (i = 0; i < B * 3; i++)
		n->inp[i] = (float) (4.0 * nn_rng_uniform(&rng) - 2.0);
	for (i = 0; i < B; i++)
		n->y[i] = (float) (i % 2);
}

/* One DP-SGD step on the whole batch as training takes it: nn_dp_accumulate, then nn_dp_apply. */
static void
dp_step(Net *n, NnOptimizer *opt, int rows, double clip, double noise, NnRng *rng, double *norms)
{
	float	   *sum = calloc(n->n_params, sizeof(float));
	float	   *scratch = malloc(sizeof(float) * n->n_params);

	nn_dp_accumulate(&n->spec, n->params, sum, scratch, n->inp, n->y, rows, n->workspace, n->dlogits, clip, norms);
	nn_dp_apply(&n->spec, n->params, sum, opt, NULL, clip, noise, (double) rows, rng);
	free(sum);
	free(scratch);
}

/* Example i's gradient alone, by a batch of one, and its norm. */
static double
brute_norm(Net *n, int i, float *g)
{
	size_t		ws;
	float	   *w;
	float		dl;
	double		s = 0.0;
	size_t		j;
	float	   *logits;

	nn_workspace_floats(&n->spec, 1, &ws);
	w = malloc(sizeof(float) * ws);
	memset(g, 0, sizeof(float) * n->n_params);
	logits = nn_forward(&n->spec, n->params, n->inp + i * 3, 1, w);
	nn_head_loss(n->spec.head, logits, n->y + i, NULL, 1, 1, &dl);
	nn_backward(&n->spec, n->params, n->inp + i * 3, 1, w, &dl, g);
	for (j = 0; j < n->n_params; j++)
		s += (double) g[j] * g[j];
	free(w);
	return sqrt(s);
}

static void
test_clipping(void)
{
	Net			n;
	double		norms[B],
				brute[B];
	float	   *g,
			   *sum_clipped;
	float	   *before;
	float	   *logits;
	NnOptimizer opt;
	NnRng		rng;
	double		clip = 0.3,
				worst = 0.0;
	size_t		j;
	int			i;

	net_init(&n);
	g = malloc(sizeof(float) * n.n_params);
	sum_clipped = calloc(n.n_params, sizeof(float));
	before = malloc(sizeof(float) * n.n_params);
	for (i = 0; i < B; i++)
	{
		brute[i] = brute_norm(&n, i, g);
		for (j = 0; j < n.n_params; j++)
			sum_clipped[j] += (float) (g[j] * (brute[i] > clip ? clip / brute[i] : 1.0));
	}
	logits = nn_forward(&n.spec, n.params, n.inp, B, n.workspace);
	nn_head_loss(n.spec.head, logits, n.y, NULL, B, 1, n.dlogits);
	for (i = 0; i < B; i++)
		n.dlogits[i] *= B;
	nn_per_example_norms(&n.spec, n.params, n.inp, B, n.workspace, n.dlogits, n.grads, norms);
	for (i = 0; i < B; i++)
		worst = fmax(worst, fabs(norms[i] - brute[i]) / brute[i]);
	ok(worst < 1e-5, "per-example norms without per-example gradients equal brute force (worst relative %.2g)", worst);

	/* with no noise, one SGD step at rate 1 moves the parameters by the mean clipped gradient */
	memcpy(before, n.params, sizeof(float) * n.n_params);
	nn_optimizer_defaults(&opt, NN_OPT_SGD);
	opt.learning_rate = 1.0f;
	nn_rng_seed(&rng, 1);
	dp_step(&n, &opt, B, clip, 0.0, &rng, norms);
	worst = 0.0;
	for (j = 0; j < n.n_params; j++)
		worst = fmax(worst, fabs((before[j] - n.params[j]) - sum_clipped[j] / B));
	ok(worst < 1e-6, "the update is the mean of the clipped per-example gradients (worst %.2g)", worst);

	/* with noise, the update's spread matches noise * clip / B */
	{
		double		sq = 0.0;
		int			t;
		int			trials = 200;

		for (t = 0; t < trials; t++)
		{
			memcpy(n.params, before, sizeof(float) * n.n_params);
			dp_step(&n, &opt, B, clip, 2.0, &rng, norms);
			for (j = 0; j < n.n_params; j++)
			{
				double		e = (before[j] - n.params[j]) - sum_clipped[j] / B;

				sq += e * e;
			}
		}
		is_close(sqrt(sq / (trials * n.n_params)), 2.0 * clip / B, 0.1 * 2.0 * clip / B,
				 "noise standard deviation is noise * clip / B");
	}
	/* one batch processed in two pieces by nn_dp_accumulate, then nn_dp_apply: the same update */
	{
		float	   *sum = calloc(n.n_params, sizeof(float));
		float	   *scratch = malloc(sizeof(float) * n.n_params);
		double		loss,
					direct = 0.0;

		memcpy(n.params, before, sizeof(float) * n.n_params);
		loss = nn_dp_accumulate(&n.spec, n.params, sum, scratch, n.inp, n.y, 2, n.workspace, n.dlogits, clip, norms);
		loss += nn_dp_accumulate(&n.spec, n.params, sum, scratch, n.inp + 2 * 3, n.y + 2, B - 2, n.workspace,
								 n.dlogits, clip, norms);
		logits = nn_forward(&n.spec, n.params, n.inp, B, n.workspace);
		direct = nn_head_loss(n.spec.head, logits, n.y, NULL, B, 1, n.dlogits) * B;
		is_close(loss, direct, 1e-4 * fabs(direct), "accumulated pieces report the batch's summed loss");
		ok(nn_dp_apply(&n.spec, n.params, sum, &opt, NULL, clip, 0.0, (double) B, &rng) == NN_OK, "nn_dp_apply succeeds");
		worst = 0.0;
		for (j = 0; j < n.n_params; j++)
			worst = fmax(worst, fabs((before[j] - n.params[j]) - sum_clipped[j] / B));
		ok(worst < 1e-6, "two accumulated pieces give the mean clipped gradient of the whole batch (worst %.2g)", worst);
		ok(nn_dp_apply(&n.spec, n.params, sum, &opt, NULL, clip, 1.0, 0.0, &rng) == NN_ERR_ARGUMENT,
		   "an expected batch of 0 is refused");
		ok(isnan(nn_dp_accumulate(&n.spec, n.params, sum, scratch, n.inp, n.y, 0, n.workspace, n.dlogits, clip, norms)),
		   "an empty piece is refused");
		free(sum);
		free(scratch);
	}
	free(g);
	free(sum_clipped);
	free(before);
	free(n.params);
	free(n.grads);
	free(n.workspace);
}

/*
 * Poisson sampling by geometric gaps: every row is drawn with probability q independently, so
 * the batch size is Binomial(N, q) (mean Nq, variance Nq(1-q)) and each row's share is q.
 */
static void
test_poisson(void)
{
	enum
	{
		N = 1000, DRAWS = 4000
	};
	static int	hits[N];
	NnRng		rng;
	double		q = 0.05,
				mean = 0.0,
				var = 0.0,
				first = 0.0,
				last = 0.0;
	int			t,
				i;

	nn_rng_seed(&rng, 3);
	for (t = 0; t < DRAWS; t++)
	{
		uint64_t	pos = 0,
					gap;
		int			size = 0;

		for (gap = nn_dp_poisson_gap(&rng, q); gap < N - pos; pos += gap + 1, gap = nn_dp_poisson_gap(&rng, q))
		{
			hits[pos + gap]++;
			size++;
		}
		mean += size;
		var += (double) size * size;
	}
	mean /= DRAWS;
	var = var / DRAWS - mean * mean;
	for (i = 0; i < N / 10; i++)
	{
		first += hits[i];
		last += hits[N - 1 - i];
	}
	/* standard errors: mean 0.11, variance about 1.1, each tenth's count about 140: bounds at 4-5 of them */
	diag("batch size mean %.3f variance %.3f; first tenth %.0f, last tenth %.0f draws", mean, var, first, last);
	is_close(mean, N * q, 0.5, "Poisson batch size has mean N q");
	is_close(var, N * q * (1 - q), 5.0, "and variance N q (1 - q)");
	is_close(first, DRAWS * q * N / 10, 600.0, "the first tenth of the rows is drawn at rate q");
	is_close(last, DRAWS * q * N / 10, 600.0, "and so is the last tenth");
	ok(nn_dp_poisson_gap(&rng, 1.0) == 0 && nn_dp_poisson_gap(&rng, 0.0) == UINT64_MAX,
	   "rate 1 takes every row, rate 0 none");
}

int
main(void)
{
	test_accountant();
	test_clipping();
	test_poisson();
	return done_testing();
}
