/* train.c: ubehav_train, from a query to a deployed catalog version. */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fn_args.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "catalog_write.h"
#include "data_query.h"
#include "model_deploy.h"
#include "train_warm_start.h"
#include "train_fit.h"
#include "jsonb_util.h"
#include "eval_metrics.h"
#include "nn/dp.h"
#include "nn/nn.h"
#include "nn/ensemble.h"
#include "nn_error.h"
#include "options.h"
#include "prep_columns.h"
#include "train_progress.h"
#include "prep_target.h"
#include "train_parallel.h"
#include "prep_text_defaults.h"
#include "train_pipeline.h"
#include "ubehav.h"

PG_FUNCTION_INFO_V1(ubehav_train);

static int
max_hidden(const UbOptions *o)
{
	int			i,
				m = 0;

	for (i = 0; i < o->n_hidden; i++)
		m = Max(m, o->hidden[i]);
	return m;
}

static NnSpec
build_spec(const UbOptions *o, int n_inputs, const UbTarget *t)
{
	NnSpec		spec;
	NnStatus	status;
	size_t		n_params;
	int			i;

	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = n_inputs;
	spec.n_hidden = o->n_hidden;
	for (i = 0; i < o->n_hidden; i++)
		spec.hidden[i] = o->hidden[i];
	spec.activation = o->activation;
	spec.head = t->task == UB_TASK_BINARY ? NN_HEAD_SIGMOID_BCE :
		t->task == UB_TASK_MULTICLASS ? NN_HEAD_SOFTMAX_CE : NN_HEAD_LINEAR_MSE;
	spec.n_outputs = t->task == UB_TASK_MULTICLASS ? t->n_classes : 1;
	status = nn_spec_param_count(&spec, &n_params);
	if (status == NN_ERR_OVERFLOW || status == NN_ERR_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network (%d inputs, hidden layers of up to %d units, %d outputs) is too large to build",
						n_inputs, max_hidden(o), spec.n_outputs),
				 errhint("Use smaller \"hidden\" layers or fewer features.")));
	ub_check_nn_status(status, "building the network");
	if (n_params > (size_t) ub_max_parameters)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network would have %zu parameters, more than ubehav.max_parameters (%d)",
						n_params, ub_max_parameters),
				 errhint("Use smaller \"hidden\" layers or fewer features; a superuser may raise ubehav.max_parameters.")));
	return spec;
}

/*
 * How many networks to pack (option ensemble): the number given, or for "auto" UB_AUTO_ENSEMBLE
 * below UB_AUTO_ENSEMBLE_ROWS training rows when every hidden width divides into members of at
 * least UB_AUTO_ENSEMBLE_MIN_WIDTH units (the default [128, 64] gives four of [32, 16]), else 1.
 * Small tables are where one network's seed matters most and training is cheap; the packed
 * network has the widths of "hidden", so it scores at the cost of one network.
 * A warm start continues the deployed network, and a network without hidden layers is linear
 * (its average is one linear model): both train one network.
 */
static int
ensemble_members(const UbOptions *o, size_t n_train, const UbModel *init)
{
	int			k = o->ensemble,
				i;

	if (init != NULL || o->n_hidden == 0 || o->dp)
		return 1;
	if (k == 0)
	{
		if (n_train >= UB_AUTO_ENSEMBLE_ROWS)
			return 1;
		k = UB_AUTO_ENSEMBLE;
		for (i = 0; i < o->n_hidden; i++)
			if (o->hidden[i] % k != 0 || o->hidden[i] / k < UB_AUTO_ENSEMBLE_MIN_WIDTH)
				return 1;
		return k;
	}
	for (i = 0; i < o->n_hidden; i++)
		if (o->hidden[i] / k < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"ensemble\" %d splits a hidden layer of %d units into members of no unit", k, o->hidden[i]),
					 errhint("Each of the %d networks gets 1/%d of every hidden width: use wider \"hidden\" layers or a smaller \"ensemble\".", k, k)));
	return k;
}

/* Class weights per class index: balanced (n / (K n_c) over the training rows) or from the options. */
static double *
class_weights(const UbOptions *o, const UbTarget *t, const uint32 *order, size_t n_train)
{
	double	   *cw;
	size_t	   *counts;
	size_t		r;
	int			k,
				i;

	if (o->class_weight == UB_CLASS_WEIGHT_NONE)
		return NULL;
	if (t->task == UB_TASK_REGRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"class_weight\" applies to classification, but this is a regression model"),
				 errhint("Use \"sample_weight\" to weight rows of a regression.")));
	cw = palloc(sizeof(double) * t->n_classes);
	for (k = 0; k < t->n_classes; k++)
		cw[k] = 1.0;
	if (o->class_weight == UB_CLASS_WEIGHT_BALANCED)
	{
		counts = palloc0(sizeof(size_t) * t->n_classes);
		for (r = 0; r < n_train; r++)
			counts[(int) t->y[order[r]]]++;
		for (k = 0; k < t->n_classes; k++)
			cw[k] = counts[k] ? (double) n_train / ((double) t->n_classes * counts[k]) : 1.0;
		return cw;
	}
	for (i = 0; i < o->n_class_weights; i++)
	{
		for (k = 0; k < t->n_classes; k++)
			if (strcmp(o->class_weight_labels[i], t->labels[k]) == 0)
				break;
		if (k == t->n_classes)
		{
			StringInfoData labels;

			initStringInfo(&labels);
			for (k = 0; k < t->n_classes; k++)
				appendStringInfo(&labels, "%s%s", k ? ", " : "", t->labels[k]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"class_weight\" names \"%s\", which is not a class of the target", o->class_weight_labels[i]),
					 errdetail("The classes are: %s.", labels.data)));
		}
		cw[k] = o->class_weight_values[i];
	}
	return cw;
}

/* Row weights in the order read, from class and sample weights, or NULL when every row weighs 1. */
static float *
row_weights(const UbOptions *o, const UbDataset *ds, const UbTarget *t, const uint32 *order,
			size_t n, size_t n_train)
{
	double	   *cw = class_weights(o, t, order, n_train);
	float	   *w;
	size_t		r;
	double		train_sum = 0.0;

	if (cw == NULL && !ds->has_weight)
		return NULL;
	w = palloc_extended(sizeof(float) * n, MCXT_ALLOC_HUGE);
	for (r = 0; r < n; r++)
	{
		double		v = 1.0;

		if (cw)
			v *= cw[(int) t->y[r]];
		if (ds->has_weight)
			v *= ds->weight_values[r];
		/* a weight beyond float32 would become infinite and the loss NaN, reported as divergence */
		if (v > FLT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("row %zu weighs %g (sample_weight times class_weight), beyond the range ubehav stores (%g)",
							r + 1, v, (double) FLT_MAX),
					 errhint("Rescale the weights: only their ratios matter.")));
		w[r] = (float) v;
	}
	for (r = 0; r < n_train; r++)
		train_sum += w[order[r]];
	if (n_train > 0 && train_sum <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every training row has weight 0, so there is nothing to learn from"),
				 errhint("Give some rows a positive \"sample_weight\" or \"class_weight\".")));
	return w;
}

/* F1 of predicting positive at p >= t. */
static double
f1_at(const float *p, const float *y, size_t n, double t)
{
	size_t		tp = 0,
				fp = 0,
				fn = 0,
				r;

	for (r = 0; r < n; r++)
	{
		bool		pos = (double) p[r] >= t;

		tp += pos && y[r] > 0.5f;
		fp += pos && y[r] < 0.5f;
		fn += !pos && y[r] > 0.5f;
	}
	return nn_f1((double) tp, (double) fp, (double) fn);
}

/* The network learns a standardized regression target; the statistics come from the training rows (fit) or prep. */
static void
standardize_target(UbPreprocessing *prep, float *y, const uint32 *order, size_t n, size_t n_train, bool fit)
{
	double		sum = 0.0,
				sq = 0.0,
				mean,
				sd;
	size_t		r;

	if (!fit)
	{
		for (r = 0; r < n; r++)
			y[r] = (float) ((y[r] - prep->target_mean) / prep->target_std);
		return;
	}
	for (r = 0; r < n_train; r++)
		sum += y[order[r]];
	mean = sum / n_train;
	for (r = 0; r < n_train; r++)
		sq += (y[order[r]] - mean) * (y[order[r]] - mean);
	sd = sqrt(sq / n_train);
	if (!(sd > 1e-12) || !isfinite(sd))
		sd = 1.0;
	prep->target_mean = mean;
	prep->target_std = sd;
	for (r = 0; r < n; r++)
		y[r] = (float) ((y[r] - mean) / sd);
}

/*
 * The noise of DP-SGD for the options: the one given, or the smallest that spends at most
 * dp_epsilon over the planned steps at sampling rate batch_size / n_train: every step trains on a
 * Poisson sample of that rate (train_fit_dp.c), exactly the mechanism the accountant analyses.
 */
static void
dp_plan(const UbOptions *o, size_t n_train, double *noise, double *delta, int64 *steps)
{
	size_t		B = Min((size_t) o->batch_size, n_train);
	double		q = (double) B / n_train;

	*steps = (int64) o->epochs * (int64) ((n_train + B - 1) / B);
	*delta = o->dp_delta > 0 ? o->dp_delta : Min(1e-5, 1.0 / (10.0 * n_train));
	if (o->noise_multiplier > 0)
	{
		*noise = o->noise_multiplier;
		return;
	}
	*noise = nn_dp_noise_for_epsilon(q, *steps, *delta, o->dp_epsilon, 1000.0);
	if (isnan(*noise))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dp_epsilon %g cannot be met with %d epochs of batches of %zu from %zu rows at delta %g",
						o->dp_epsilon, o->epochs, B, n_train, *delta),
				 errhint("Fewer epochs, more rows or a larger dp_epsilon make the budget reachable.")));
}

/*
 * Streamed rows are read chunk by chunk in file order, so what needs rows at random stays in
 * memory: DP-SGD's Poisson sampling (every step draws from all rows), and "if_better", which
 * encodes and scores the raw validation rows with the deployed version. Those keep the
 * ubehav.max_training_memory ERROR.
 */
bool
ub_train_can_stream(const UbOptions *opts)
{
	return !opts->dp && opts->deploy_mode != UB_DEPLOY_IF_BETTER;
}

UbDataset *
ub_train_read(const char *query, const char *target, UbOptions *opts, bool may_spill, MemoryContext mcxt)
{
	UbDataset  *ds;

	ub_progress_phase(UB_PHASE_READING);
	ub_dataset_set_text_columns(opts->text_columns, opts->n_text_columns);
	ds = ub_dataset_read_excluding(query, target, opts->sample_weight, opts->exclude,
								   opts->n_exclude, may_spill, mcxt);
	ub_progress_rows(ds->n_rows, ds->n_rows);

	/* SPI calls leave SPI's own context current; the training's allocations belong in mcxt */
	MemoryContextSwitchTo(mcxt);
	if (ds->n_skipped > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows with a NULL target \"%s\"", ds->n_skipped, target)));
	if (ds->n_skipped_weight > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows with a NULL sample_weight \"%s\"",
						ds->n_skipped_weight, opts->sample_weight)));
	if (ds->n_rows < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the training query gave %zu usable rows; at least 2 are needed", ds->n_rows),
				 errdetail(INT64_FORMAT " rows had a NULL target.", ds->n_skipped),
				 errhint("Check the query's WHERE clause and that the target column is filled in.")));
	if (ds->n_rows > PG_UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the training query gave %zu rows; at most %u are supported", ds->n_rows, PG_UINT32_MAX),
				 errhint("Train on a sample, for example with TABLESAMPLE.")));
	/* a text column changes the defaults not given (prep_text_defaults.c), before the rows are split */
	ub_text_defaults_apply(opts, ds);
	return ds;
}

UbTarget *
ub_train_target(UbDataset *ds, const UbOptions *opts)
{
	UbTarget   *tgt = ub_target_build(ds, opts->task, opts->max_classes);

	/* the raw targets are in tgt now */
	if (ds->target_values)
		pfree(ds->target_values);
	if (ds->target_codes)
		pfree(ds->target_codes);
	ds->target_values = NULL;
	ds->target_codes = NULL;
	return tgt;
}

const char *
ub_default_metric(UbTask task, bool *higher_is_better)
{
	*higher_is_better = task != UB_TASK_REGRESSION;
	return task == UB_TASK_BINARY ? "auc" : task == UB_TASK_MULTICLASS ? "accuracy" : "rmse";
}

void
ub_train_on_split(UbDataset *ds, const UbTarget *tgt, const UbOptions *opts, NnRng *rng,
				  uint32 *order, size_t n_train, bool keep_raw, const UbModel *init, UbTrainResult *res)
{
	ub_train_on_splits(ds, tgt, opts, rng, order, n_train, ds->n_rows - n_train, keep_raw, init, res);
}

/* ub_train_on_split with held-out test rows after the validation rows (cross-validation's fold). */
void
ub_train_on_splits(UbDataset *ds, const UbTarget *tgt, const UbOptions *given, NnRng *rng,
				   uint32 *order, size_t n_train, size_t n_val, bool keep_raw, const UbModel *init,
				   UbTrainResult *res)
{
	/* the options with what depends on the training rows resolved (epochs "auto") */
	UbOptions	resolved = *given;
	const UbOptions *opts = &resolved;
	size_t		n = ds->n_rows,
				n_test = n - n_train - n_val,
				n_choose,
				n_eval,
				r;
	UbPreprocessing *prep;
	UbRowChunks X;
	float	   *y,
			   *y_eval,
			   *outputs,
			   *y_choose,
			   *outputs_choose;
	const uint32 *eval_rows,
			   *choose_rows;
	UbFitData	data;
	double		threshold = 0.5,
				threshold_f1 = 0.5,
				best_f1,
				dp_delta = 0.0;
	int64		dp_steps = 0;
	int			n_members;
	NnSpec		member;
	StringInfoData members_run;	/* each member's epochs, for the metrics */
	StringInfoData parallel_info;	/* the metrics' "parallel" member, or empty */

	memset(res, 0, sizeof(*res));
	resolved.epochs = ub_auto_epochs(given, n_train);
	ub_progress_phase(UB_PHASE_ENCODING);
	res->epochs = resolved.epochs;
	if (init)
	{
		ub_warm_start_bind(init, ds);
		prep = init->prep;
	}
	else
		prep = ub_prep_fit(ds, order, n_train, opts);
	/* a regression target is standardized in a copy, so another split can standardize it again */
	if (tgt->task == UB_TASK_REGRESSION)
	{
		y = palloc_extended(sizeof(float) * n, MCXT_ALLOC_HUGE);
		memcpy(y, tgt->y, sizeof(float) * n);
		standardize_target(prep, y, order, n, n_train, init == NULL);
	}
	else
		y = tgt->y;

	/* encoded rows stay in the order read; the split is the two index lists in order */
	ub_prep_encode_dataset(prep, ds, &X, !keep_raw);
	if (init && X.spill != NULL)
		ub_prep_pca_project_spilled(prep, &X);
	else if (init)
		ub_warm_start_project(prep, &X, n);
	else
		ub_prep_fit_pca(prep, &X, n, order, n_train, opts);

	n_members = ensemble_members(opts, n_train, init);
	{
		/* the packed network has the members' widths times n_members: those of "hidden" when they divide */
		UbOptions	member_opts = *opts,
					packed_opts = *opts;
		int			i;

		for (i = 0; i < opts->n_hidden; i++)
		{
			member_opts.hidden[i] = opts->hidden[i] / n_members;
			packed_opts.hidden[i] = member_opts.hidden[i] * n_members;
		}
		res->spec = build_spec(&packed_opts, prep->n_inputs, tgt);
		member = n_members == 1 ? res->spec : build_spec(&member_opts, prep->n_inputs, tgt);
		/* text columns reach the first layer as (input, weight) pairs */
		ub_prep_sparse_spec(prep, &res->spec);
		ub_prep_sparse_spec(prep, &member);
	}
	if (init)
		ub_warm_start_check(init, &res->spec, tgt);
	ub_check_nn_status(nn_spec_param_count(&res->spec, &res->n_params), "building the network");
	res->params = palloc_extended(sizeof(float) * res->n_params, MCXT_ALLOC_HUGE);
	if (init)
		memcpy(res->params, init->params, sizeof(float) * res->n_params);
	else if (n_members == 1)
		nn_init_params(&res->spec, res->params, rng);

	data.X = &X;
	data.y = y;
	data.w = row_weights(opts, ds, tgt, order, n, n_train);
	data.train_rows = order;
	data.n_train = n_train;
	data.val_rows = order + n_train;
	data.n_val = n_val;
	data.target_std = prep->target_std;
	data.dp_noise = 0.0;
	data.dp_clip = opts->max_grad_norm;
	data.parallel = NULL;
	if (opts->dp)
		dp_plan(opts, n_train, &data.dp_noise, &dp_delta, &dp_steps);
	initStringInfo(&res->log);
	appendStringInfoChar(&res->log, '[');
	initStringInfo(&members_run);
	initStringInfo(&parallel_info);
	if (n_members == 1)
	{
		/* on parallel workers when the rows are many and workers are free (train_parallel.h) */
		data.parallel = ub_parallel_fit_begin(&res->spec, opts, &data, rng, &parallel_info);
		ub_fit(&res->spec, res->params, opts, rng, &data, &res->log, &res->fit);
		if (data.parallel != NULL)
			ub_parallel_fit_end(data.parallel, &parallel_info);
	}
	else
	{
		/*
		 * Each member trains on its own as one network of member's widths (its own
		 * initialisation, shuffles, dropout and early stopping on the same split), then all are
		 * packed into res->params. The training log is the first member's.
		 */
		size_t		n_member;
		float	  **mp = palloc(sizeof(float *) * n_members);
		int			m;

		ub_check_nn_status(nn_spec_param_count(&member, &n_member), "building the network");
		for (m = 0; m < n_members; m++)
		{
			StringInfoData other_log;
			UbFitResult other;

			mp[m] = palloc_extended(sizeof(float) * n_member, MCXT_ALLOC_HUGE);
			nn_init_params(&member, mp[m], rng);
			ub_epoch_notices_network(m + 1, n_members);
			if (m == 0)
			{
				ub_fit(&member, mp[m], opts, rng, &data, &res->log, &res->fit);
				appendStringInfo(&members_run, "%d", res->fit.epochs_run);
			}
			else
			{
				initStringInfo(&other_log);
				appendStringInfoChar(&other_log, '[');
				ub_fit(&member, mp[m], opts, rng, &data, &other_log, &other);
				pfree(other_log.data);
				res->fit.peak_bytes = Max(res->fit.peak_bytes, other.peak_bytes);
				appendStringInfo(&members_run, ",%d", other.epochs_run);
			}
			CHECK_FOR_INTERRUPTS();
		}
		ub_epoch_notices_network(1, 1);
		nn_ensemble_pack(&member, n_members, (const float *const *) mp, res->params);
		for (m = 0; m < n_members; m++)
			pfree(mp[m]);
		pfree(mp);
	}
	appendStringInfoChar(&res->log, ']');
	/* a streamed fit frees its window between reads: its own peak counts too */
	res->peak_bytes = Max(res->peak_bytes, res->fit.peak_bytes);
	res->peak_bytes = Max(res->peak_bytes, (size_t) MemoryContextMemAllocated(CurrentMemoryContext, true));
	ub_check_nn_status(nn_check_finite(res->params, res->n_params), "checking the trained weights");

	/* the threshold is chosen on the validation rows, or on the training rows when there are none */
	n_choose = n_val > 0 ? n_val : n_train;
	choose_rows = n_val > 0 ? order + n_train : order;
	/* metrics on the test rows when there are some (never seen by early stopping or the threshold) */
	n_eval = n_test > 0 ? n_test : n_choose;
	eval_rows = n_test > 0 ? order + n_train + n_val : choose_rows;
	y_eval = palloc_extended(sizeof(float) * n_eval, MCXT_ALLOC_HUGE);
	for (r = 0; r < n_eval; r++)
		y_eval[r] = y[eval_rows[r]];
	outputs = palloc_extended(sizeof(float) * n_eval * res->spec.n_outputs, MCXT_ALLOC_HUGE);
	ub_fit_predict(&res->spec, res->params, &X, eval_rows, n_eval, outputs);
	y_choose = y_eval;
	outputs_choose = outputs;
	if (n_test > 0 && tgt->task == UB_TASK_BINARY)
	{
		y_choose = palloc_extended(sizeof(float) * n_choose, MCXT_ALLOC_HUGE);
		for (r = 0; r < n_choose; r++)
			y_choose[r] = y[choose_rows[r]];
		outputs_choose = palloc_extended(sizeof(float) * n_choose, MCXT_ALLOC_HUGE);
		ub_fit_predict(&res->spec, res->params, &X, choose_rows, n_choose, outputs_choose);
	}
	res->peak_bytes = Max(res->peak_bytes, (size_t) MemoryContextMemAllocated(CurrentMemoryContext, true));
	/* the encoded rows are not needed any more: the metrics' scratch reuses their memory */
	for (r = 0; r < X.n_chunks; r++)
		ub_chunks_release(&X, r);
	initStringInfo(&res->metrics);
	appendStringInfoChar(&res->metrics, '{');
	if (tgt->task == UB_TASK_REGRESSION)
	{
		float	   *truth = palloc_extended(sizeof(float) * n_eval, MCXT_ALLOC_HUGE);

		/* report regression errors in the target's own units */
		for (r = 0; r < n_eval; r++)
		{
			outputs[r] = (float) (outputs[r] * prep->target_std + prep->target_mean);
			truth[r] = (float) (y_eval[r] * prep->target_std + prep->target_mean);
		}
		ub_metrics_append(&res->metrics, tgt->task, outputs, truth, n_eval, 1, 0.5, NULL);
		res->eval_truth = truth;
	}
	else
	{
		if (tgt->task == UB_TASK_BINARY)
		{
			NnScoredLabel *scratch = palloc_extended(sizeof(NnScoredLabel) * n_choose, MCXT_ALLOC_HUGE);

			threshold_f1 = nn_best_f1_threshold(outputs_choose, y_choose, n_choose, scratch, &best_f1);
			threshold = opts->threshold < 0 ? threshold_f1 : opts->threshold;
		}
		ub_metrics_append(&res->metrics, tgt->task, outputs, y_eval, n_eval, tgt->n_classes, threshold,
						  tgt->labels);
		if (tgt->task == UB_TASK_BINARY)
		{
			/* both thresholds are kept, so an analyst can see what choosing one over the other costs */
			appendStringInfoString(&res->metrics, ",\"threshold_f1\":");
			ub_json_number(&res->metrics, threshold_f1);
			appendStringInfoString(&res->metrics, ",\"f1_at_0.5\":");
			ub_json_number(&res->metrics, f1_at(outputs, y_eval, n_eval, 0.5));
		}
	}
	if (opts->dp)
	{
		int			order;
		double		q = Min(1.0, (double) Min((size_t) opts->batch_size, n_train) / n_train);
		double		spent = nn_dp_epsilon(q, data.dp_noise, dp_steps, dp_delta, &order);

		appendStringInfoString(&res->metrics, ",\"dp\":{\"epsilon\":");
		ub_json_number(&res->metrics, spent);
		appendStringInfoString(&res->metrics, ",\"delta\":");
		ub_json_number(&res->metrics, dp_delta);
		appendStringInfoString(&res->metrics, ",\"noise_multiplier\":");
		ub_json_number(&res->metrics, data.dp_noise);
		appendStringInfoString(&res->metrics, ",\"max_grad_norm\":");
		ub_json_number(&res->metrics, opts->max_grad_norm);
		appendStringInfoString(&res->metrics, ",\"sampling_rate\":");
		ub_json_number(&res->metrics, q);
		appendStringInfo(&res->metrics, ",\"steps\":" INT64_FORMAT ",\"rdp_order\":%d,\"accountant\":\"rdp\",\"sampling\":\"poisson\"}",
						 dp_steps, order);
	}
	if (n_members > 1)
		appendStringInfo(&res->metrics, ",\"ensemble\":{\"networks\":%d,\"member_hidden\":%d,\"epochs_run\":[%s]}",
						 n_members, member.hidden[0], members_run.data);
	if (parallel_info.len > 0)
		appendStringInfo(&res->metrics, ",%s", parallel_info.data);
	appendStringInfo(&res->metrics, ",\"evaluated_on\":\"%s\",\"evaluated_rows\":%zu,\"epochs_run\":%d,\"best_epoch\":%d,\"stopped_early\":%s}",
					 n_test > 0 ? "test" : n_val > 0 ? "validation" : "training", n_eval, res->fit.epochs_run, res->fit.best_epoch,
					 res->fit.stopped_early ? "true" : "false");
	res->peak_bytes = Max(res->peak_bytes, (size_t) MemoryContextMemAllocated(CurrentMemoryContext, true));
	res->prep = prep;
	res->n_train = n_train;
	res->n_val = n_val;
	res->eval_scores = outputs;
	if (tgt->task != UB_TASK_REGRESSION)
		res->eval_truth = y_eval;
	res->n_eval = n_eval;
}

bytea *
ub_train_serialize(const NnSpec *spec, const float *params, const NnRng *rng)
{
	size_t		blob_size;
	bytea	   *blob;

	ub_check_nn_status(nn_serialized_size(spec, &blob_size), "sizing the model bytes");
	if (blob_size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the model would take %zu bytes, more than a catalog value can hold", blob_size),
				 errhint("Use smaller \"hidden\" layers or fewer features.")));
	blob = palloc(VARHDRSZ + blob_size);
	SET_VARSIZE(blob, VARHDRSZ + blob_size);
	ub_check_nn_status(nn_serialize(spec, params, rng, (unsigned char *) VARDATA(blob), blob_size),
					   "serializing the model");
	return blob;
}

/* Serialize, store and deploy a trained result as the next version of model; returns the version. */
int32
ub_train_store(const char *model, const char *query, const char *target, UbOptions *opts,
			   const UbTarget *tgt, const UbDataset *ds, UbTrainResult *res, NnRng *rng, double training_ms)
{
	bytea	   *blob = ub_train_serialize(&res->spec, res->params, rng);
	UbNewVersion v;
	char	  **names,
			  **types;
	int			i;
	UbPreprocessing *prep = res->prep;

	ub_progress_phase(UB_PHASE_STORING);
	names = palloc(sizeof(char *) * Max(prep->n_features, 1));
	types = palloc(sizeof(char *) * Max(prep->n_features, 1));
	for (i = 0; i < prep->n_features; i++)
	{
		names[i] = prep->features[i].name;
		types[i] = prep->features[i].type_name;
	}
	memset(&v, 0, sizeof(v));
	v.name = model;
	v.task = ub_task_name(tgt->task);
	v.target = target;
	opts->task = tgt->task;
	v.options = ub_options_to_jsonb(opts);
	v.preprocessing = ub_prep_to_jsonb(prep);
	v.feature_names = ub_text_array(names, prep->n_features);
	v.feature_types = ub_text_array(types, prep->n_features);
	v.class_labels = tgt->task == UB_TASK_REGRESSION ? (Datum) 0 : ub_text_array(tgt->labels, tgt->n_classes);
	v.metrics = ub_json_to_jsonb(&res->metrics);
	v.training_log = ub_json_to_jsonb(&res->log);
	v.weights = blob;
	v.training_query = query;
	v.rows_used = (int64) ds->n_rows;
	v.rows_skipped = ds->n_skipped;
	v.training_ms = training_ms;
	v.deploy = opts->deploy;
	return ub_catalog_store(&v);
}

Datum
ubehav_train(PG_FUNCTION_ARGS)
{
	char	   *model,
			   *query,
			   *target;
	UbOptions	opts;
	MemoryContext train_cxt,
				caller_cxt = CurrentMemoryContext;
	instr_time	start,
				elapsed;
	UbDataset  *ds;
	UbTarget   *tgt;
	NnRng		rng;
	uint32	   *order;
	size_t		n,
				n_train;
	size_t	   *class_counts = NULL;
	UbTrainResult res;
	StringInfoData summary;
	int32		version;
	double		training_ms;
	Jsonb	   *result;
	UbModel    *init = NULL;
	StringInfoData decision;

	ub_require_args(fcinfo, 0);
	model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	target = text_to_cstring(PG_GETARG_TEXT_PP(2));
	ub_check_model_name(model);
	ub_check_writable("ubehav_train");
	/* every option is checked before the query runs */
	ub_options_parse(PG_GETARG_JSONB_P(3), &opts);
	ub_progress_begin("ubehav_train", model);
	if (opts.group_by)
	{
		Jsonb	   *grouped = ub_train_grouped(model, query, target, &opts);

		ub_progress_end();
		PG_RETURN_JSONB_P(grouped);
	}
	ub_epoch_notices_begin(NULL, true, true);

	INSTR_TIME_SET_CURRENT(start);
	train_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav training", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(train_cxt);
	ds = ub_train_read(query, target, &opts, ub_train_can_stream(&opts), train_cxt);
	n = ds->n_rows;
	tgt = ub_train_target(ds, &opts);
	ub_deploy_check_metric(&opts, tgt->task);
	if (opts.warm_start)
		init = ub_warm_start_load(model, train_cxt);

	nn_rng_seed(&rng, (uint64) opts.seed);
	order = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	if (tgt->task != UB_TASK_REGRESSION)
		class_counts = palloc0(sizeof(size_t) * tgt->n_classes);
	ub_check_nn_status(nn_split(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, n,
								opts.validation_split, &rng, order, &n_train, class_counts),
					   "splitting off validation rows");
	/* "if_better" scores the same raw validation rows with the deployed version afterwards */
	ub_train_on_split(ds, tgt, &opts, &rng, order, n_train, opts.deploy_mode == UB_DEPLOY_IF_BETTER, init, &res);
	initStringInfo(&decision);
	if (opts.deploy_mode == UB_DEPLOY_IF_BETTER)
		opts.deploy = ub_deploy_if_better(model, ds, tgt, &opts, res.n_val > 0 ? order + n_train : order,
										  res.n_val > 0 ? res.n_val : n_train, res.metrics.data, &decision);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	training_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	version = ub_train_store(model, query, target, &opts, tgt, ds, &res, &rng, training_ms);

	initStringInfo(&summary);
	appendStringInfoChar(&summary, '{');
	ub_json_key(&summary, "model");
	ub_json_string(&summary, model);
	appendStringInfo(&summary, ",\"version\":%d,\"deployed\":%s,\"task\":\"%s\",\"rows_used\":%zu,\"rows_skipped\":" INT64_FORMAT
					 ",\"training_rows\":%zu,\"validation_rows\":%zu,\"features\":%d,\"inputs\":%d,\"parameters\":%zu,\"metrics\":%s",
					 version, opts.deploy ? "true" : "false", ub_task_name(tgt->task), n, ds->n_skipped, res.n_train, res.n_val,
					 res.prep->n_features, res.prep->n_inputs, res.n_params, res.metrics.data);
	/* early stopping can end a training well before the epochs asked for: say so at the top */
	appendStringInfo(&summary, ",\"epochs_requested\":%d,\"epochs_run\":%d,\"best_epoch\":%d,\"stopped_early\":%s",
					 res.epochs, res.fit.epochs_run, res.fit.best_epoch, res.fit.stopped_early ? "true" : "false");
	if (decision.len > 0)
		appendStringInfo(&summary, ",\"deploy_decision\":%s", decision.data);
	if (init)
		appendStringInfo(&summary, ",\"warm_start_from\":%d", init->version);
	appendStringInfoString(&summary, ",\"training_ms\":");
	ub_json_number(&summary, training_ms);
	/* the training context's largest size, checked while reading and after training, scoring and the metrics */
	appendStringInfo(&summary, ",\"memory_bytes\":%zu,\"encoded_bytes\":%zu",
					 Max(res.peak_bytes, ds->peak_bytes),
					 n * (size_t) res.prep->n_encoded * sizeof(float));
	/* rows beyond ubehav.max_training_memory: the bytes written to the temporary file, and the read window */
	if (ds->spill != NULL)
		appendStringInfo(&summary, ",\"streamed\":{\"spilled_bytes\":" UINT64_FORMAT ",\"window_chunks\":%d,\"chunk_rows\":%zu}",
						 ds->spill->bytes, res.fit.window_chunks, UB_CHUNK_ROWS);
	appendStringInfoChar(&summary, '}');
	ub_dataset_close_spill(ds);

	/* the result must outlive SPI and the training context */
	MemoryContextSwitchTo(caller_cxt);
	result = ub_json_to_jsonb(&summary);
	SPI_finish();
	MemoryContextDelete(train_cxt);
	ub_progress_end();
	PG_RETURN_JSONB_P(result);
}
