/*
 * train_step.c: training throughput of the default network (10 -> 128 -> 64 -> 1 relu,
 * sigmoid + BCE, Adam lr 0.001 eps 1e-7, batch 32) on deterministic synthetic data, through
 * nn_train_step_config as src/train_fit.c calls it (shuffle, gather, step), without PostgreSQL.
 *
 *   make bench-train-step && bench/build/train_step [epochs] [repeats] [kernel level]
 *
 * Prints rows per CPU second of the epochs (best and median of the repeats), the held-out AUC and a checksum of
 * the final weights, so two builds can be compared for speed, quality and run-to-run identity.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/metrics.h"
#if __has_include("nn/kernel_dense_train.h")
#include "nn/kernel_dense_train.h"
#define HAVE_DENSE_TRAIN 1
/* level 0, 1, 2 as before the one dispatcher: baseline, AVX2, AVX-512 */
#define dense_train_use_level(level) dense_train_use_isa((NnIsa) (NN_ISA_BASELINE + (level)))
#elif __has_include("nn/dense_train.h")	/* its name before the kernel_ files; absent before the training kernels */
#include "nn/dense_train.h"
#define HAVE_DENSE_TRAIN 1
#endif
#include "nn/mlp.h"

#define N_TRAIN 160000
#define N_VAL 40000
#define D 10
#define BATCH 32

/* bench/data.sql's label: an interaction, a threshold and a sine, plus noise; features standardised. */
static void
make_data(float *X, float *y, size_t n, NnRng *rng)
{
	size_t		r;
	int			j;

	for (r = 0; r < n; r++)
	{
		double		f[D];
		double		s;

		for (j = 0; j < D; j++)
			f[j] = nn_rng_uniform(rng);
		s = (f[0] - 0.5) * (f[1] - 0.5) * 4 + 0.6 * (f[2] - 0.5) + 0.3 * sin(6 * f[3]) +
			0.25 * (nn_rng_uniform(rng) - 0.5);
		y[r] = s > 0 ? 1.0f : 0.0f;
		for (j = 0; j < D; j++)
			X[r * D + j] = (float) ((f[j] - 0.5) * sqrt(12.0));
	}
}

/* CPU time of this thread: on a shared, busy machine wall time also counts the time spent waiting for a core. */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* FNV-1a over the bytes of the weights: equal checksums for bit-identical weights. */
static uint64_t
checksum(const float *p, size_t n)
{
	const unsigned char *b = (const unsigned char *) p;
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n * sizeof(float); i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

int
main(int argc, char **argv)
{
	int			epochs = argc > 1 ? atoi(argv[1]) : 10;
	int			repeats = argc > 2 ? atoi(argv[2]) : 3;
	int			level = argc > 3 ? atoi(argv[3]) : -1;	/* force dense_train's 0, 1 or 2 */
	NnSpec		spec = {.n_inputs = D, .n_hidden = 2, .hidden = {128, 64},
	.activation = NN_ACT_RELU, .head = NN_HEAD_SIGMOID_BCE, .n_outputs = 1};
	size_t		n_params,
				ws_floats,
				state_floats;
	float	   *X = malloc(sizeof(float) * (N_TRAIN + N_VAL) * D);
	float	   *y = malloc(sizeof(float) * (N_TRAIN + N_VAL));
	uint32_t   *perm = malloc(sizeof(uint32_t) * N_TRAIN);
	float	   *params,
			   *grads,
			   *state,
			   *workspace,
			   *val_ws,
			   *probs;
	float		xb[BATCH * D],
				yb[BATCH],
				dlogits[BATCH];
	double	   *rates = malloc(sizeof(double) * (repeats > 0 ? repeats : 1));
	NnScoredLabel *scratch = malloc(sizeof(NnScoredLabel) * N_VAL);
	NnRng		rng;
	double		loss = 0.0,
				auc;
	int			rep;

#ifdef HAVE_DENSE_TRAIN
	if (level >= 0 && !dense_train_use_level(level))
#else
	if (level >= 0)
#endif
	{
		fprintf(stderr, "kernel level %d is not available here\n", level);
		return 1;
	}
	nn_spec_param_count(&spec, &n_params);
	nn_workspace_floats(&spec, N_VAL, &ws_floats);
	nn_optimizer_state_floats(NN_OPT_ADAM, n_params, &state_floats);
	params = malloc(sizeof(float) * n_params);
	grads = malloc(sizeof(float) * n_params);
	state = malloc(sizeof(float) * state_floats);
	workspace = malloc(sizeof(float) * ws_floats);
	val_ws = malloc(sizeof(float) * ws_floats);
	probs = malloc(sizeof(float) * N_VAL);
	nn_rng_seed(&rng, 42);
	make_data(X, y, N_TRAIN + N_VAL, &rng);

	for (rep = 0; rep < repeats; rep++)
	{
		NnOptimizer opt;
		NnTrainConfig cfg;
		double		start;
		int			epoch;
		size_t		i;

		memset(&cfg, 0, sizeof(cfg));
		nn_optimizer_defaults(&opt, NN_OPT_ADAM);
		memset(state, 0, sizeof(float) * state_floats);
		nn_rng_seed(&rng, 1);
		nn_init_params(&spec, params, &rng);
		for (i = 0; i < N_TRAIN; i++)
			perm[i] = (uint32_t) i;
		start = now_seconds();
		for (epoch = 0; epoch < epochs; epoch++)
		{
			size_t		r;

			loss = 0.0;
			nn_rng_shuffle(&rng, perm, N_TRAIN);
			for (r = 0; r < N_TRAIN; r += BATCH)
			{
				int			nb = N_TRAIN - r < BATCH ? (int) (N_TRAIN - r) : BATCH;
				int			k;

				for (k = 0; k < nb; k++)
				{
					memcpy(xb + k * D, X + (size_t) perm[r + k] * D, sizeof(float) * D);
					yb[k] = y[perm[r + k]];
				}
				loss += nn_train_step_config(&spec, params, grads, &opt, state, xb, yb, &cfg, nb,
											 workspace, dlogits) * nb;
			}
		}
		rates[rep] = (double) N_TRAIN * epochs / (now_seconds() - start);
	}
	qsort(rates, repeats, sizeof(double), cmp_double);
	nn_predict_batch(&spec, params, X + (size_t) N_TRAIN * D, N_VAL, probs, val_ws);
	auc = nn_auc(probs, y + N_TRAIN, N_VAL, scratch);
	printf("rows_per_s_best %.0f rows_per_s_median %.0f last_epoch_loss %.6f val_auc %.6f weights_fnv %016" PRIx64 "\n",
		   rates[repeats - 1], rates[repeats / 2], loss / N_TRAIN, auc, checksum(params, n_params));
	return 0;
}
