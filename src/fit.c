/* fit.c: minibatch gradient descent; all buffers allocated once, so a batch allocates nothing. */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "fit.h"
#include "jsonb_util.h"
#include "nn_error.h"

#define UB_PREDICT_CHUNK 256

static float *
alloc_floats(size_t n, const char *what)
{
	if (n > MaxAllocHugeSize / sizeof(float))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s would need more memory than one allocation may take", what)));
	return palloc_extended(sizeof(float) * Max(n, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* Mean loss over rows [0, n) of X against y, in chunks. */
static double
mean_loss(const NnSpec *spec, const float *params, const float *X, const float *y, size_t n,
		  int chunk, float *workspace)
{
	double		total = 0.0;
	size_t		r;

	for (r = 0; r < n; r += chunk)
	{
		int			B = (int) Min((size_t) chunk, n - r);
		float	   *logits = nn_forward(spec, params, X + r * spec->n_inputs, B, workspace);

		total += nn_head_loss(spec->head, logits, y + r, NULL, B, spec->n_outputs, NULL) * B;
	}
	return n ? total / n : get_float8_nan();
}

void
ub_fit_predict(const NnSpec *spec, const float *params, const float *X, size_t n, float *out)
{
	size_t		ws_floats;
	float	   *workspace;
	size_t		r;

	ub_check_nn_status(nn_workspace_floats(spec, UB_PREDICT_CHUNK, &ws_floats), "sizing the scoring workspace");
	workspace = alloc_floats(ws_floats, "the scoring workspace");
	for (r = 0; r < n; r += UB_PREDICT_CHUNK)
	{
		int			B = (int) Min((size_t) UB_PREDICT_CHUNK, n - r);

		nn_predict_batch(spec, params, X + r * spec->n_inputs, B, out + r * spec->n_outputs, workspace);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(workspace);
}

void
ub_fit(const NnSpec *spec, float *params, const UbOptions *opts, NnRng *rng,
	   const UbFitData *data, StringInfo log)
{
	size_t		n_params,
				ws_floats,
				state_floats;
	int			B = (int) Min((size_t) opts->batch_size, Max(data->n_train, 1));
	int			d = spec->n_inputs;
	float	   *grads,
			   *state,
			   *workspace,
			   *dlogits,
			   *xb,
			   *yb;
	uint32	   *perm;
	NnOptimizer opt = opts->optimizer;
	int			epoch;
	size_t		i;

	ub_check_nn_status(nn_spec_param_count(spec, &n_params), "sizing the network");
	ub_check_nn_status(nn_workspace_floats(spec, B, &ws_floats), "sizing the training workspace");
	if (nn_optimizer_state_floats(opt.kind, n_params, &state_floats) != 0)
		ub_check_nn_status(NN_ERR_OVERFLOW, "sizing the optimizer state");
	grads = alloc_floats(n_params, "the gradients");
	state = alloc_floats(state_floats, "the optimizer state");
	workspace = alloc_floats(ws_floats, "the training workspace");
	dlogits = alloc_floats((size_t) B * spec->n_outputs, "the output gradients");
	xb = alloc_floats((size_t) B * d, "a batch");
	yb = alloc_floats(B, "a batch's targets");
	perm = palloc_extended(sizeof(uint32) * Max(data->n_train, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < data->n_train; i++)
		perm[i] = (uint32) i;

	for (epoch = 1; epoch <= opts->epochs; epoch++)
	{
		instr_time	start,
					elapsed;
		double		loss_sum = 0.0,
					train_loss,
					val_loss;
		size_t		r;

		INSTR_TIME_SET_CURRENT(start);
		nn_rng_shuffle(rng, perm, data->n_train);
		for (r = 0; r < data->n_train; r += B)
		{
			int			nb = (int) Min((size_t) B, data->n_train - r);
			int			k;

			/* gather the shuffled rows into one contiguous block for sgemm */
			for (k = 0; k < nb; k++)
			{
				memcpy(xb + (size_t) k * d, data->X + (size_t) perm[r + k] * d, sizeof(float) * d);
				yb[k] = data->y[perm[r + k]];
			}
			loss_sum += nn_train_step(spec, params, grads, &opt, state, xb, yb, NULL, nb,
									  workspace, dlogits) * nb;
			CHECK_FOR_INTERRUPTS();
		}
		train_loss = loss_sum / data->n_train;
		val_loss = mean_loss(spec, params, data->X + data->n_train * d, data->y + data->n_train,
							 data->n_val, B, workspace);
		if (!isfinite(train_loss) || (data->n_val > 0 && !isfinite(val_loss)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("training diverged in epoch %d: the loss became %s", epoch,
							isnan(train_loss) || isnan(val_loss) ? "NaN" : "infinite"),
					 errdetail("No model version was stored."),
					 errhint("Lower \"learning_rate\" (now %g), or check the features for extreme values.",
							 opts->learning_rate)));
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);

		if (epoch > 1)
			appendStringInfoChar(log, ',');
		appendStringInfo(log, "{\"epoch\":%d,\"loss\":", epoch);
		ub_json_number(log, train_loss);
		appendStringInfoString(log, ",\"val_loss\":");
		ub_json_number(log, val_loss);
		appendStringInfoString(log, ",\"learning_rate\":");
		ub_json_number(log, opts->learning_rate);
		appendStringInfoString(log, ",\"ms\":");
		ub_json_number(log, INSTR_TIME_GET_MILLISEC(elapsed));
		appendStringInfoChar(log, '}');
	}
	pfree(perm);
	pfree(yb);
	pfree(xb);
	pfree(dlogits);
	pfree(workspace);
	pfree(state);
	pfree(grads);
}
