/* fit.c: minibatch gradient descent; all buffers allocated once, so a batch allocates nothing. */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "fit.h"
#include "fit_dp.h"
#include "jsonb_util.h"
#include "nn/metrics.h"
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

/* Copy rows[0..B) of X into one contiguous (B, d) block, with their targets when y is given. */
static void
gather(const UbRowChunks *X, const uint32 *rows, int B, int d, float *block, const float *y, float *yb)
{
	int			k;

	for (k = 0; k < B; k++)
	{
		memcpy(block + (size_t) k * d, ub_chunks_row(X, rows[k]), sizeof(float) * d);
		if (y)
			yb[k] = y[rows[k]];
	}
}

/* Mean unweighted loss over rows[0..n) of X, with their outputs (after the transform) into out. */
static double
loss_and_outputs(const NnSpec *spec, const float *params, const UbRowChunks *X, const uint32 *rows,
				 const float *y, size_t n, float *workspace, float *block, float *yb, float *out)
{
	double		total = 0.0;
	size_t		r;

	for (r = 0; r < n; r += UB_PREDICT_CHUNK)
	{
		int			B = (int) Min((size_t) UB_PREDICT_CHUNK, n - r);
		float	   *logits;

		gather(X, rows + r, B, spec->n_inputs, block, y, yb);
		logits = nn_forward(spec, params, block, B, workspace);
		total += nn_head_loss(spec->head, logits, yb, NULL, B, spec->n_outputs, NULL) * B;
		memcpy(out + r * spec->n_outputs, logits, sizeof(float) * B * spec->n_outputs);
		nn_head_output(spec->head, out + r * spec->n_outputs, B, spec->n_outputs);
	}
	return n ? total / n : get_float8_nan();
}

void
ub_fit_predict(const NnSpec *spec, const float *params, const UbRowChunks *X, const uint32 *rows,
			   size_t n, float *out)
{
	size_t		ws_floats;
	float	   *workspace,
			   *block;
	size_t		r;

	ub_check_nn_status(nn_workspace_floats(spec, UB_PREDICT_CHUNK, &ws_floats), "sizing the scoring workspace");
	workspace = alloc_floats(ws_floats, "the scoring workspace");
	block = alloc_floats((size_t) UB_PREDICT_CHUNK * spec->n_inputs, "a block of rows");
	for (r = 0; r < n; r += UB_PREDICT_CHUNK)
	{
		int			B = (int) Min((size_t) UB_PREDICT_CHUNK, n - r);

		gather(X, rows + r, B, spec->n_inputs, block, NULL, NULL);
		nn_predict_batch(spec, params, block, B, out + r * spec->n_outputs, workspace);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(block);
	pfree(workspace);
}

/* The validation metric logged each epoch: AUC, accuracy or RMSE (in the target's units). */
static const char *
val_metric(const NnSpec *spec, const float *out, const float *y, size_t n, double target_std,
		   void *scratch, double *value)
{
	size_t		r;

	if (spec->head == NN_HEAD_SIGMOID_BCE)
	{
		*value = nn_auc(out, y, n, scratch);
		return "val_auc";
	}
	if (spec->head == NN_HEAD_SOFTMAX_CE)
	{
		size_t		hits = 0;

		for (r = 0; r < n; r++)
		{
			const float *p = out + r * spec->n_outputs;
			int			best = 0,
						k;

			for (k = 1; k < spec->n_outputs; k++)
				if (p[k] > p[best])
					best = k;
			hits += best == (int) y[r];
		}
		*value = (double) hits / n;
		return "val_accuracy";
	}
	{
		double		sq = 0.0;

		for (r = 0; r < n; r++)
			sq += ((double) out[r] - y[r]) * ((double) out[r] - y[r]);
		*value = sqrt(sq / n) * target_std;
		return "val_rmse";
	}
}

/* Learning rate of an epoch (1-based) for the time-based schedules. */
static double
scheduled_rate(const UbOptions *o, int epoch)
{
	double		lr = o->learning_rate;

	switch (o->schedule)
	{
		case UB_SCHEDULE_STEP:
			lr *= pow(o->schedule_factor, (epoch - 1) / o->schedule_step_size);
			break;
		case UB_SCHEDULE_EXPONENTIAL:
			lr *= pow(o->schedule_factor, epoch - 1);
			break;
		case UB_SCHEDULE_COSINE:
			lr = o->min_learning_rate + 0.5 * (o->learning_rate - o->min_learning_rate) *
				(1.0 + cos(M_PI * (epoch - 1) / Max(o->epochs, 1)));
			break;
		default:
			break;
	}
	return Max(lr, o->min_learning_rate);
}

static void
diverged(int epoch, double train_loss, double val_loss, const UbOptions *opts)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("training diverged in epoch %d: the loss became %s", epoch,
					isnan(train_loss) || isnan(val_loss) ? "NaN" : "infinite"),
			 errdetail("No model version was stored."),
			 errhint("Lower \"learning_rate\" (now %g), add \"clipnorm\", or check the features for extreme values.",
					 opts->learning_rate)));
}

void
ub_fit(const NnSpec *spec, float *params, const UbOptions *opts, NnRng *rng,
	   const UbFitData *data, StringInfo log, UbFitResult *result)
{
	size_t		n_params,
				ws_floats,
				state_floats,
				n_masks;
	int			B = (int) Min((size_t) opts->batch_size, Max(data->n_train, 1));
	int			d = spec->n_inputs;
	float	   *grads,
			   *state,
			   *workspace,
			   *eval_workspace,
			   *dlogits,
			   *xb,
			   *yb,
			   *wb = NULL,
			   *val_out = NULL,
			   *val_block = NULL,
			   *val_y = NULL,
			   *best_params = NULL;
	void	   *metric_scratch = NULL;
	UbDpFit		dp;
	float		rates[NN_MAX_HIDDEN_LAYERS];
	uint32	   *perm;
	NnOptimizer opt = opts->optimizer;
	NnTrainConfig cfg;
	double		lr = opts->learning_rate;
	double		best_loss = get_float8_infinity();
	int			since_best = 0,
				since_plateau_best = 0;
	double		plateau_best = get_float8_infinity();
	int			epoch,
				l;
	size_t		i;
	bool		any_dropout = false;

	ub_check_nn_status(nn_spec_param_count(spec, &n_params), "sizing the network");
	ub_check_nn_status(nn_workspace_floats(spec, B, &ws_floats), "sizing the training workspace");
	ub_check_nn_status(nn_optimizer_state_floats(opt.kind, n_params, &state_floats), "sizing the optimizer state");
	grads = alloc_floats(n_params, "the gradients");
	state = alloc_floats(state_floats, "the optimizer state");
	workspace = alloc_floats(ws_floats, "the training workspace");
	dlogits = alloc_floats((size_t) B * spec->n_outputs, "the output gradients");
	xb = alloc_floats((size_t) B * d, "a batch");
	yb = alloc_floats(B, "a batch's targets");
	/* the training rows are shuffled in place: a copy would cost 4 bytes a row */
	perm = data->train_rows;
	if (data->n_val > 0)
	{
		ub_check_nn_status(nn_workspace_floats(spec, UB_PREDICT_CHUNK, &ws_floats), "sizing the scoring workspace");
		eval_workspace = alloc_floats(ws_floats, "the validation workspace");
		val_out = alloc_floats(data->n_val * spec->n_outputs, "the validation outputs");
		val_block = alloc_floats((size_t) UB_PREDICT_CHUNK * d, "a block of validation rows");
		val_y = alloc_floats(data->n_val, "the validation targets");
		for (i = 0; i < data->n_val; i++)
			val_y[i] = data->y[data->val_rows[i]];
		metric_scratch = palloc_extended(sizeof(NnScoredLabel) * data->n_val, MCXT_ALLOC_HUGE);
	}
	else
		eval_workspace = NULL;
	if (opts->early_stopping)
		best_params = alloc_floats(n_params, "the best epoch's weights");
	if (data->dp_noise > 0)
		ub_fit_dp_init(&dp, spec, B);

	memset(&cfg, 0, sizeof(cfg));
	cfg.l1 = (float) opts->l1;
	cfg.l2 = (float) opts->l2;
	cfg.clipnorm = (float) opts->clipnorm;
	cfg.clipvalue = (float) opts->clipvalue;
	for (l = 0; l < spec->n_hidden; l++)
	{
		rates[l] = opts->dropout_set ? (float) opts->dropout[l] : 0.0f;
		any_dropout |= rates[l] > 0.0f;
	}
	if (any_dropout)
	{
		n_masks = nn_dropout_mask_floats(spec, B);
		cfg.dropout = rates;
		cfg.rng = rng;
		cfg.masks = alloc_floats(n_masks, "the dropout masks");
	}
	if (data->w != NULL)
	{
		wb = alloc_floats(B, "a batch's weights");
		cfg.weights = wb;
	}

	memset(result, 0, sizeof(*result));
	for (epoch = 1; epoch <= opts->epochs; epoch++)
	{
		instr_time	start,
					elapsed;
		double		loss_sum = 0.0,
					weight_sum = 0.0,
					train_loss,
					val_loss = get_float8_nan(),
					metric = get_float8_nan();
		const char *metric_name = NULL;
		size_t		r;

		INSTR_TIME_SET_CURRENT(start);
		if (opts->schedule != UB_SCHEDULE_PLATEAU)
			lr = scheduled_rate(opts, epoch);
		opt.learning_rate = (float) lr;
		nn_rng_shuffle(rng, perm, data->n_train);
		if (data->dp_noise > 0)
		{
			/* DP-SGD draws its own Poisson batches (fit_dp.c) */
			loss_sum = ub_fit_dp_epoch(&dp, spec, params, &opt, state, data, rng, workspace, dlogits, xb, yb);
			weight_sum = 1.0;
		}
		for (r = 0; data->dp_noise <= 0 && r < data->n_train; r += B)
		{
			int			nb = (int) Min((size_t) B, data->n_train - r);
			int			k;

			/* gather the shuffled rows into one contiguous block for sgemm */
			gather(data->X, perm + r, nb, d, xb, data->y, yb);
			if (wb)
				for (k = 0; k < nb; k++)
					wb[k] = data->w[perm[r + k]];
			loss_sum += nn_train_step_config(spec, params, grads, &opt, state, xb, yb, &cfg, nb,
											 workspace, dlogits) * nb;
			weight_sum += nb;
			CHECK_FOR_INTERRUPTS();
		}
		train_loss = loss_sum / weight_sum;
		if (data->n_val > 0)
		{
			float		scratch_y[UB_PREDICT_CHUNK];

			val_loss = loss_and_outputs(spec, params, data->X, data->val_rows, data->y, data->n_val,
										eval_workspace, val_block, scratch_y, val_out);
			metric_name = val_metric(spec, val_out, val_y, data->n_val,
									 data->target_std, metric_scratch, &metric);
		}
		if (!isfinite(train_loss) || (data->n_val > 0 && !isfinite(val_loss)))
			diverged(epoch, train_loss, val_loss, opts);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);

		if (epoch > 1)
			appendStringInfoChar(log, ',');
		appendStringInfo(log, "{\"epoch\":%d,\"loss\":", epoch);
		/* a private model's training loss is an un-noised statistic of the rows DP protects */
		ub_json_number(log, data->dp_noise > 0 ? get_float8_nan() : train_loss);
		appendStringInfoString(log, ",\"val_loss\":");
		ub_json_number(log, val_loss);
		if (metric_name)
		{
			appendStringInfo(log, ",\"%s\":", metric_name);
			ub_json_number(log, metric);
		}
		appendStringInfoString(log, ",\"learning_rate\":");
		ub_json_number(log, lr);
		appendStringInfoString(log, ",\"ms\":");
		ub_json_number(log, INSTR_TIME_GET_MILLISEC(elapsed));
		appendStringInfoChar(log, '}');
		result->epochs_run = epoch;

		if (opts->schedule == UB_SCHEDULE_PLATEAU)
		{
			/* Keras' ReduceLROnPlateau: cut the rate after patience epochs without improvement */
			if (val_loss < plateau_best - opts->min_delta)
			{
				plateau_best = val_loss;
				since_plateau_best = 0;
			}
			else if (++since_plateau_best >= opts->schedule_patience)
			{
				lr = Max(lr * opts->schedule_factor, opts->min_learning_rate);
				since_plateau_best = 0;
			}
		}
		if (opts->early_stopping)
		{
			if (val_loss < best_loss - opts->min_delta)
			{
				best_loss = val_loss;
				result->best_epoch = epoch;
				memcpy(best_params, params, sizeof(float) * n_params);
				since_best = 0;
			}
			else if (++since_best >= opts->patience)
			{
				result->stopped_early = epoch < opts->epochs;
				break;
			}
		}
	}
	if (opts->early_stopping && result->best_epoch > 0)
	{
		/* keep the best epoch's weights, as Keras' restore_best_weights */
		memcpy(params, best_params, sizeof(float) * n_params);
		result->best_val_loss = best_loss;
	}
	else
		result->best_epoch = result->epochs_run;
}
