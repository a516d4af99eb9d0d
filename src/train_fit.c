/* train_fit.c: minibatch gradient descent; all buffers allocated once, so a batch allocates nothing. */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "train_fit.h"
#include "train_fit_dp.h"
#include "jsonb_util.h"
#include "nn/metrics.h"
#include "nn_error.h"
#include "train_parallel.h"
#include "train_progress.h"
#include "ubehav.h"

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

/*
 * Rows of a spilled store grouped by chunk, so scoring reads each chunk once: the rows
 * rows[pos[i]] for i in [start[k], start[k + 1]) lie in chunk k.
 */
typedef struct ChunkOrder
{
	size_t	   *start;			/* n_chunks + 1 */
	uint32	   *pos;			/* n */
} ChunkOrder;

static void
chunk_order_build(ChunkOrder *co, const UbRowChunks *X, const uint32 *rows, size_t n)
{
	size_t	   *next = palloc0(sizeof(size_t) * (X->n_chunks + 1));
	size_t		i,
				k;

	co->start = palloc0(sizeof(size_t) * (X->n_chunks + 1));
	co->pos = palloc_extended(sizeof(uint32) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < n; i++)
		co->start[(rows[i] >> UB_CHUNK_SHIFT) + 1]++;
	for (k = 0; k < X->n_chunks; k++)
		co->start[k + 1] += co->start[k];
	memcpy(next, co->start, sizeof(size_t) * X->n_chunks);
	for (i = 0; i < n; i++)
		co->pos[next[rows[i] >> UB_CHUNK_SHIFT]++] = (uint32) i;
	pfree(next);
}

/*
 * The streamed twin of loss_and_outputs and ub_fit_predict: rows[0..n) of a spilled X a chunk at
 * a time, outputs scattered back to their places in out. With y, returns the summed loss.
 */
static double
score_streamed(const NnSpec *spec, const float *params, UbRowChunks *X, const uint32 *rows,
			   const ChunkOrder *co, const float *y, float *workspace, float *block, float *yb,
			   float *block_out, float *out)
{
	int			d = nn_row_width(spec),
				K = spec->n_outputs;
	double		total = 0.0;
	size_t		k,
				j;

	for (k = 0; k < X->n_chunks; k++)
	{
		bool		was_loaded = X->chunks[k] != NULL;

		if (co->start[k] == co->start[k + 1])
			continue;
		ub_chunks_load(X, k);
		for (j = co->start[k]; j < co->start[k + 1]; j += UB_PREDICT_CHUNK)
		{
			int			B = (int) Min((size_t) UB_PREDICT_CHUNK, co->start[k + 1] - j);
			int			b;

			for (b = 0; b < B; b++)
			{
				uint32		row = rows[co->pos[j + b]];

				memcpy(block + (size_t) b * d, ub_chunks_row(X, row), sizeof(float) * d);
				if (y)
					yb[b] = y[row];
			}
			if (y)
			{
				float	   *logits = nn_forward(spec, params, block, B, workspace);

				total += nn_head_loss(spec->head, logits, yb, NULL, B, K, NULL) * B;
				memcpy(block_out, logits, sizeof(float) * B * K);
				nn_head_output(spec->head, block_out, B, K);
			}
			else
				nn_predict_batch(spec, params, block, B, block_out, workspace);
			for (b = 0; b < B; b++)
				memcpy(out + (size_t) co->pos[j + b] * K, block_out + (size_t) b * K, sizeof(float) * K);
			CHECK_FOR_INTERRUPTS();
		}
		if (!was_loaded)
			ub_chunks_unload(X, k);
	}
	return total;
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

		gather(X, rows + r, B, nn_row_width(spec), block, y, yb);
		logits = nn_forward(spec, params, block, B, workspace);
		total += nn_head_loss(spec->head, logits, yb, NULL, B, spec->n_outputs, NULL) * B;
		memcpy(out + r * spec->n_outputs, logits, sizeof(float) * B * spec->n_outputs);
		nn_head_output(spec->head, out + r * spec->n_outputs, B, spec->n_outputs);
	}
	return n ? total / n : get_float8_nan();
}

void
ub_fit_predict(const NnSpec *spec, const float *params, UbRowChunks *X, const uint32 *rows,
			   size_t n, float *out)
{
	size_t		ws_floats;
	float	   *workspace,
			   *block;
	size_t		r;

	ub_check_nn_status(nn_workspace_floats(spec, UB_PREDICT_CHUNK, &ws_floats), "sizing the scoring workspace");
	workspace = alloc_floats(ws_floats, "the scoring workspace");
	block = alloc_floats((size_t) UB_PREDICT_CHUNK * nn_row_width(spec), "a block of rows");
	if (X->spill != NULL)
	{
		ChunkOrder	co;
		float	   *block_out = alloc_floats((size_t) UB_PREDICT_CHUNK * spec->n_outputs, "a block of outputs");

		chunk_order_build(&co, X, rows, n);
		score_streamed(spec, params, X, rows, &co, NULL, workspace, block, NULL, block_out, out);
		pfree(co.start);
		pfree(co.pos);
		pfree(block_out);
	}
	else
		for (r = 0; r < n; r += UB_PREDICT_CHUNK)
		{
			int			B = (int) Min((size_t) UB_PREDICT_CHUNK, n - r);

			gather(X, rows + r, B, nn_row_width(spec), block, NULL, NULL);
			nn_predict_batch(spec, params, block, B, out + r * spec->n_outputs, workspace);
			CHECK_FOR_INTERRUPTS();
		}
	pfree(block);
	pfree(workspace);
}

/* How a spilled X is trained on: the training rows by chunk, and a window of chunks in memory at a time. */
typedef struct StreamPlan
{
	size_t		n_chunks;
	size_t	   *start;			/* train_rows, sorted once: chunk k's rows at [start[k], start[k + 1]) */
	uint32	   *chunk_order;	/* (n_chunks) the order of the chunks, reshuffled every epoch */
	size_t		window;			/* chunks loaded at once */
	uint32	   *rows;			/* the training rows of one window, shuffled */
} StreamPlan;

static int
cmp_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * The window takes half of what the bound leaves once the model, the optimizer state and the
 * per-row arrays are allocated, at least one chunk; a chunk that alone passes the bound is an ERROR.
 */
static void
stream_plan_init(StreamPlan *sp, const UbFitData *data)
{
	UbRowChunks *X = data->X;
	size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024,
				used = MemoryContextMemAllocated(X->mcxt, true),
				chunk_bytes = sizeof(float) * UB_CHUNK_ROWS * (size_t) X->stride,
				k,
				i;

	if (chunk_bytes > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a chunk of %zu encoded rows needs %zu MB, more than ubehav.max_training_memory (%d MB)",
						UB_CHUNK_ROWS, chunk_bytes / (1024 * 1024) + 1, ub_max_training_memory),
				 errhint("Lower \"max_categories\", use fewer or narrower columns, or ask a superuser to raise ubehav.max_training_memory.")));
	sp->n_chunks = X->n_chunks;
	sp->window = Min(Max((used < limit ? limit - used : 0) / 2 / chunk_bytes, 1), sp->n_chunks);
	/* rows in chunk order: an epoch then visits each chunk's rows as one run */
	qsort(data->train_rows, data->n_train, sizeof(uint32), cmp_uint32);
	sp->start = palloc0(sizeof(size_t) * (sp->n_chunks + 1));
	for (i = 0; i < data->n_train; i++)
		sp->start[(data->train_rows[i] >> UB_CHUNK_SHIFT) + 1]++;
	for (k = 0; k < sp->n_chunks; k++)
		sp->start[k + 1] += sp->start[k];
	sp->chunk_order = palloc(sizeof(uint32) * Max(sp->n_chunks, 1));
	for (k = 0; k < sp->n_chunks; k++)
		sp->chunk_order[k] = (uint32) k;
	sp->rows = palloc_extended(sizeof(uint32) * sp->window * UB_CHUNK_ROWS, MCXT_ALLOC_HUGE);
}

/*
 * One epoch over a spilled X: the chunks in a shuffled order, a window of them at a time, the
 * training rows of a window shuffled together; batches run on across windows, so an epoch takes
 * as many steps as in memory. Returns the summed loss; *peak takes the largest context size seen.
 */
static double
train_epoch_streamed(StreamPlan *sp, const NnSpec *spec, float *params, float *grads, NnOptimizer *opt,
					 float *state, NnTrainConfig *cfg, const UbFitData *data, NnRng *rng, int B,
					 float *xb, float *yb, float *wb, float *workspace, float *dlogits, size_t *peak)
{
	UbRowChunks *X = data->X;
	int			d = nn_row_width(spec),
				fill = 0;
	double		loss_sum = 0.0;
	size_t		c0,
				c,
				i;

	nn_rng_shuffle(rng, sp->chunk_order, sp->n_chunks);
	for (c0 = 0; c0 < sp->n_chunks; c0 += sp->window)
	{
		size_t		c1 = Min(c0 + sp->window, sp->n_chunks),
					nw = 0;

		for (c = c0; c < c1; c++)
		{
			uint32		k = sp->chunk_order[c];
			size_t		cnt = sp->start[k + 1] - sp->start[k];

			if (cnt == 0)
				continue;
			ub_chunks_load(X, k);
			memcpy(sp->rows + nw, data->train_rows + sp->start[k], sizeof(uint32) * cnt);
			nw += cnt;
			CHECK_FOR_INTERRUPTS();
		}
		*peak = Max(*peak, (size_t) MemoryContextMemAllocated(X->mcxt, true));
		nn_rng_shuffle(rng, sp->rows, nw);
		for (i = 0; i < nw; i++)
		{
			uint32		row = sp->rows[i];

			memcpy(xb + (size_t) fill * d, ub_chunks_row(X, row), sizeof(float) * d);
			yb[fill] = data->y[row];
			if (wb)
				wb[fill] = data->w[row];
			if (++fill == B)
			{
				loss_sum += nn_train_step_config(spec, params, grads, opt, state, xb, yb, cfg, fill,
												 workspace, dlogits) * fill;
				fill = 0;
				CHECK_FOR_INTERRUPTS();
			}
		}
		for (c = c0; c < c1; c++)
			ub_chunks_unload(X, sp->chunk_order[c]);
	}
	if (fill > 0)
		loss_sum += nn_train_step_config(spec, params, grads, opt, state, xb, yb, cfg, fill,
										 workspace, dlogits) * fill;
	return loss_sum;
}

/* The validation metric logged each epoch: AUC, accuracy or RMSE (in the target's units). */
static const char *
val_metric(const NnSpec *spec, const float *out, const float *y, size_t n, double target_std,
		   void *scratch, double *value)
{
	if (spec->head == NN_HEAD_SIGMOID_BCE)
	{
		*value = nn_auc(out, y, n, scratch);
		return "val_auc";
	}
	if (spec->head == NN_HEAD_SOFTMAX_CE)
	{
		NnMulticlassMetrics m;
		size_t	   *counts = palloc(sizeof(size_t) * 3 * (size_t) spec->n_outputs);

		nn_multiclass_metrics(out, y, n, spec->n_outputs, counts, &m);
		pfree(counts);
		*value = m.accuracy;
		return "val_accuracy";
	}
	{
		NnRegressionMetrics m;

		nn_regression_metrics(out, y, n, &m);
		*value = m.rmse * target_std;
		return "val_rmse";
	}
}

/* progress NOTICEs: what ub_epoch_notices_begin set for the training under way */
static struct
{
	char		label[160];
	bool		force_ends;
	bool		force_stop;
	bool		have_last;
	instr_time	last;			/* when the last line was sent */
	int			member;
	int			n_members;
}			progress = {"", true, true};

void
ub_epoch_notices_begin(const char *label, bool force_ends, bool force_stop)
{
	strlcpy(progress.label, label ? label : "", sizeof(progress.label));
	progress.force_ends = force_ends;
	progress.force_stop = force_stop;
	if (force_ends)
		progress.have_last = false;	/* a new training: its first line is due */
	progress.member = 1;
	progress.n_members = 1;
}

void
ub_epoch_notices_network(int member, int n_members)
{
	progress.member = member;
	progress.n_members = n_members;
}

/* "trial 2/8, network 3/4, " or "" */
static void
progress_prefix(StringInfo buf)
{
	if (progress.label[0])
		appendStringInfo(buf, "%s, ", progress.label);
	if (progress.n_members > 1)
		appendStringInfo(buf, "network %d/%d, ", progress.member, progress.n_members);
}

static void
progress_sent(void)
{
	progress.have_last = true;
	INSTR_TIME_SET_CURRENT(progress.last);
}

/* Whether epoch's line is due: verbose 2 every epoch; 1 the ends (when forced) and about one a second. */
static bool
progress_due(int verbose, int epoch, bool last_epoch)
{
	instr_time	now;

	if (verbose <= 0 || !message_level_is_interesting(NOTICE))
		return false;
	if (verbose >= 2)
		return true;
	if (progress.force_ends && ((epoch == 1 && progress.member == 1) ||
								(last_epoch && progress.member == progress.n_members)))
		return true;
	if (!progress.have_last)
		return true;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, progress.last);
	return INSTR_TIME_GET_MILLISEC(now) >= 1000.0;
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
	int			d = nn_row_width(spec);
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
	bool		streamed = data->X->spill != NULL;
	StreamPlan	sp = {0};
	ChunkOrder	val_co = {0};
	float	   *val_block_out = NULL;
	int			verbose = opts->verbose >= 0 ? opts->verbose : ub_verbose;

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
	{
		/* Poisson sampling reads rows at random: DP-SGD never runs on streamed rows (ub_train_can_stream) */
		if (streamed)
			elog(ERROR, "DP-SGD cannot train on streamed rows");
		ub_fit_dp_init(&dp, spec, B);
	}

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
	if (streamed)
	{
		if (data->n_val > 0)
		{
			chunk_order_build(&val_co, data->X, data->val_rows, data->n_val);
			val_block_out = alloc_floats((size_t) UB_PREDICT_CHUNK * spec->n_outputs, "a block of outputs");
		}
		stream_plan_init(&sp, data);
		result->window_chunks = (int) sp.window;
	}
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
		bool		stop_now = false;

		INSTR_TIME_SET_CURRENT(start);
		ub_progress_phase(UB_PHASE_TRAINING);
		ub_progress_epoch(epoch, opts->epochs);
		ub_progress_rows(0, (int64) data->n_train);
		if (opts->schedule != UB_SCHEDULE_PLATEAU)
			lr = scheduled_rate(opts, epoch);
		opt.learning_rate = (float) lr;
		if (streamed)
		{
			loss_sum = train_epoch_streamed(&sp, spec, params, grads, &opt, state, &cfg, data, rng, B,
											xb, yb, wb, workspace, dlogits, &result->peak_bytes);
			weight_sum = (double) data->n_train;
		}
		else if (data->parallel != NULL)
		{
			/* every participant trains on its share of the rows; params and state become their average */
			loss_sum = ub_parallel_fit_epoch(data->parallel, params, state, &opt);
			weight_sum = (double) data->n_train;
		}
		else
			nn_rng_shuffle(rng, perm, data->n_train);
		if (data->dp_noise > 0)
		{
			/* DP-SGD draws its own Poisson batches (train_fit_dp.c) */
			loss_sum = ub_fit_dp_epoch(&dp, spec, params, &opt, state, data, rng, workspace, dlogits, xb, yb);
			weight_sum = 1.0;
		}
		for (r = 0; !streamed && data->parallel == NULL && data->dp_noise <= 0 && r < data->n_train; r += B)
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
			ub_progress_rows((int64) (r + nb), (int64) data->n_train);
			CHECK_FOR_INTERRUPTS();
		}
		train_loss = loss_sum / weight_sum;
		ub_progress_rows((int64) data->n_train, (int64) data->n_train);
		if (data->n_val > 0)
		{
			float		scratch_y[UB_PREDICT_CHUNK];

			ub_progress_phase(UB_PHASE_VALIDATING);

			if (data->parallel != NULL)
				val_loss = ub_parallel_fit_validate(data->parallel, params, val_out);
			else if (streamed)
				val_loss = score_streamed(spec, params, data->X, data->val_rows, &val_co, data->y,
										  eval_workspace, val_block, scratch_y, val_block_out, val_out) / data->n_val;
			else
				val_loss = loss_and_outputs(spec, params, data->X, data->val_rows, data->y, data->n_val,
											eval_workspace, val_block, scratch_y, val_out);
			metric_name = val_metric(spec, val_out, val_y, data->n_val,
									 data->target_std, metric_scratch, &metric);
		}
		if (!isfinite(train_loss) || (data->n_val > 0 && !isfinite(val_loss)))
			diverged(epoch, train_loss, val_loss, opts);
		/* as the log: a private model's training loss is not shown */
		ub_progress_loss(data->dp_noise > 0 ? get_float8_nan() : train_loss, metric_name, metric);
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
				stop_now = true;
			}
		}
		if (progress_due(verbose, epoch, epoch == opts->epochs || stop_now))
		{
			StringInfoData line;
			double		ms;

			initStringInfo(&line);
			progress_prefix(&line);
			ms = INSTR_TIME_GET_MILLISEC(elapsed);
			appendStringInfo(&line, "epoch %d/%d - %.*f ms", epoch, opts->epochs, ms < 10.0 ? 1 : 0, ms);
			/* a private model's training loss is not shown, as it is not logged */
			if (data->dp_noise <= 0)
				appendStringInfo(&line, " - loss: %.4f", train_loss);
			if (data->n_val > 0)
				appendStringInfo(&line, " - val_loss: %.4f", val_loss);
			if (metric_name)
				appendStringInfo(&line, " - %s: %.4f", metric_name, metric);
			ereport(NOTICE, (errmsg_internal("%s", line.data)));
			pfree(line.data);
			progress_sent();
		}
		if (stop_now)
		{
			if (verbose > 0 && (progress.force_stop || progress_due(verbose, epoch, false)) &&
				message_level_is_interesting(NOTICE))
			{
				StringInfoData prefix;

				initStringInfo(&prefix);
				progress_prefix(&prefix);
				ereport(NOTICE,
						(errmsg("%searly stopping after epoch %d of %d: validation loss did not improve for %d epoch%s; restored the best epoch %d (val_loss %.4f)",
								prefix.data, epoch, opts->epochs, opts->patience, opts->patience == 1 ? "" : "s",
								result->best_epoch, best_loss)));
				pfree(prefix.data);
				progress_sent();
			}
			break;
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
