/* train_fit_dp.c: DP-SGD epochs on Poisson samples; the numerics are the core's (nn/dp.c). */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "train_fit_dp.h"
#include "nn/dp.h"
#include "nn_error.h"

/* Sized allocations for the DP buffers, refused clearly rather than by palloc's generic error. */
static void *
dp_alloc(size_t n, size_t size, const char *what)
{
	if (n > MaxAllocHugeSize / size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s would need more memory than one allocation may take", what)));
	return palloc_extended(size * Max(n, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

void
ub_fit_dp_init(UbDpFit *dp, const NnSpec *spec, int B)
{
	ub_check_nn_status(nn_spec_param_count(spec, &dp->n_params), "sizing the network");
	dp->B = B;
	dp->sum = dp_alloc(dp->n_params, sizeof(float), "the private gradient sum");
	dp->scratch = dp_alloc(dp->n_params, sizeof(float), "the per-example norm scratch");
	dp->norms = dp_alloc(B, sizeof(double), "the per-example norms");
	dp->rows = dp_alloc(B, sizeof(uint32), "a private batch's rows");
}

/* Clip and add the n drawn rows waiting in dp->rows to the step's sum; returns their summed loss. */
static double
flush_rows(UbDpFit *dp, const NnSpec *spec, const float *params, const UbFitData *data, int n,
		   float *workspace, float *dlogits, float *xb, float *yb)
{
	int			d = spec->n_inputs;
	int			k;

	for (k = 0; k < n; k++)
	{
		memcpy(xb + (size_t) k * d, ub_chunks_row(data->X, dp->rows[k]), sizeof(float) * d);
		yb[k] = data->y[dp->rows[k]];
	}
	return nn_dp_accumulate(spec, params, dp->sum, dp->scratch, xb, yb, n, workspace, dlogits,
							data->dp_clip, dp->norms);
}

double
ub_fit_dp_epoch(UbDpFit *dp, const NnSpec *spec, float *params, NnOptimizer *opt,
				float *opt_state, const UbFitData *data, NnRng *rng, float *workspace,
				float *dlogits, float *xb, float *yb)
{
	size_t		n = data->n_train;
	size_t		steps = (n + dp->B - 1) / dp->B;
	double		q = (double) dp->B / (double) n;
	double		loss_sum = 0.0;
	size_t		drawn = 0,
				s;

	for (s = 0; s < steps; s++)
	{
		uint64		gap = nn_dp_poisson_gap(rng, q);
		size_t		pos;
		int			pending = 0;

		memset(dp->sum, 0, sizeof(float) * dp->n_params);
		/* walk the training rows by geometric gaps: each row is in the sample with probability q */
		for (pos = 0; gap < (uint64) (n - pos); pos += (size_t) gap + 1, gap = nn_dp_poisson_gap(rng, q))
		{
			dp->rows[pending++] = data->train_rows[pos + gap];
			drawn++;
			if (pending == dp->B)
			{
				loss_sum += flush_rows(dp, spec, params, data, pending, workspace, dlogits, xb, yb);
				pending = 0;
				CHECK_FOR_INTERRUPTS();
			}
		}
		if (pending > 0)
			loss_sum += flush_rows(dp, spec, params, data, pending, workspace, dlogits, xb, yb);
		/* an empty sample still takes its noisy step: the accountant counts every step */
		ub_check_nn_status(nn_dp_apply(spec, params, dp->sum, opt, opt_state, data->dp_clip, data->dp_noise,
									   (double) dp->B, rng),
						   "a differentially private step");
		CHECK_FOR_INTERRUPTS();
	}
	if (drawn == 0)
	{
		/* a tiny training set can draw no row in an epoch: report the loss of its first rows */
		int			nb = (int) Min((size_t) dp->B, n);
		int			k;
		float	   *logits;

		for (k = 0; k < nb; k++)
		{
			memcpy(xb + (size_t) k * spec->n_inputs, ub_chunks_row(data->X, data->train_rows[k]),
				   sizeof(float) * spec->n_inputs);
			yb[k] = data->y[data->train_rows[k]];
		}
		logits = nn_forward(spec, params, xb, nb, workspace);
		return nn_head_loss(spec->head, logits, yb, NULL, nb, spec->n_outputs, dlogits);
	}
	return loss_sum / drawn;
}
