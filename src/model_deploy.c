/* model_deploy.c: "deploy": "if_better" compares with the deployed version on the same rows. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog_read.h"
#include "catalog_schema.h"
#include "eval_metrics.h"
#include "jsonb_util.h"
#include "model_deploy.h"
#include "model_match.h"
#include "nn/pca.h"
#include "prep_columns.h"
#include "train_pipeline.h"

/* Whether a smaller value of metric is better. */
static bool
lower_is_better(const char *metric)
{
	return strcmp(metric, "rmse") == 0 || strcmp(metric, "mae") == 0 || strcmp(metric, "log_loss") == 0;
}

/* The metric "if_better" compares: the option, or the task's default (auc, accuracy, rmse). */
static const char *
deploy_metric(const UbOptions *opts, UbTask task)
{
	bool		higher;

	return opts->deploy_metric ? opts->deploy_metric : ub_default_metric(task, &higher);
}

/* Checked before training, so a wrong metric costs nothing. */
void
ub_deploy_check_metric(const UbOptions *opts, UbTask task)
{
	static const char *const binary = "auc, pr_auc, accuracy, f1, log_loss, mcc";
	static const char *const multiclass = "accuracy, macro_f1, log_loss";
	static const char *const regression = "rmse, mae, r2";
	const char *valid = task == UB_TASK_BINARY ? binary : task == UB_TASK_MULTICLASS ? multiclass : regression;
	const char *p;
	size_t		len;

	if (opts->deploy_metric == NULL)
		return;
	len = strlen(opts->deploy_metric);
	for (p = valid; (p = strstr(p, opts->deploy_metric)) != NULL; p += len)
		if ((p == valid || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"deploy_metric\" \"%s\" does not apply to a %s model", opts->deploy_metric, ub_task_name(task)),
			 errhint("For a %s model use one of: %s.", ub_task_name(task), valid)));
}

/* Serialize trainings and deployments of one name (the key ub_catalog_store and ubehav_deploy use). */
static void
lock_model_name(const char *model)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(model)};

	if (ub_catalog_spi("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 7572))",
							  1, types, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock model name");
}

/* Value of metric in a metrics JSON object's text; NaN when absent or null. */
static double
metric_of(const char *json, const char *metric)
{
	StringInfoData buf;
	Jsonb	   *j;
	JsonbValue *v;

	initStringInfo(&buf);
	appendStringInfoString(&buf, json);
	j = ub_json_to_jsonb(&buf);
	v = ub_jsonb_get(&j->root, metric);
	if (v == NULL || v->type != jbvNumeric)
		return NAN;
	return ub_jsonb_number(v, metric);
}

/* The deployed version's metrics on the same rows the new version's metrics came from. */
static char *
score_old(UbModel *old, const UbDataset *ds, const int *map, const UbTarget *tgt, const uint32 *eval_rows,
		  size_t n_eval)
{
	UbDataset	view = *ds;
	UbRowChunks X;
	int			K = old->spec.n_outputs;
	float	   *outputs = palloc_extended(sizeof(float) * n_eval * K, MCXT_ALLOC_HUGE);
	float	   *y = palloc_extended(sizeof(float) * Max(n_eval, 1), MCXT_ALLOC_HUGE);
	StringInfoData buf;
	size_t		r;
	int			i;

	/* a view of the raw columns in the old feature order; the raw values stay (release_raw false) */
	view.n_columns = old->prep->n_features;
	view.columns = palloc(sizeof(UbRawColumn) * Max(view.n_columns, 1));
	for (i = 0; i < view.n_columns; i++)
		view.columns[i] = ds->columns[map[i]];
	ub_prep_encode_dataset(old->prep, &view, &X, false);
	for (r = 0; r < n_eval; r++)
	{
		memcpy(old->x, ub_chunks_row(&X, eval_rows[r]), sizeof(float) * old->prep->n_encoded);
		if (old->task == UB_TASK_REGRESSION)
			outputs[r] = (float) ub_model_score(old);
		else
		{
			(void) ub_model_score(old);
			memcpy(outputs + r * K, old->out, sizeof(float) * K);
		}
		y[r] = tgt->y[eval_rows[r]];
		if ((r & 0x3fff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	ub_metrics_append(&buf, old->task, outputs, y, n_eval, old->task == UB_TASK_MULTICLASS ? K : old->task == UB_TASK_BINARY ? 2 : 1,
					  old->threshold, old->labels);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

bool
ub_deploy_if_better(const char *model, const UbDataset *ds, const UbTarget *tgt, const UbOptions *opts,
					const uint32 *eval_rows, size_t n_eval, const char *new_metrics, StringInfo decision)
{
	const char *metric = deploy_metric(opts, tgt->task);
	int32		version;
	UbModel    *old;
	int		   *map;
	char	   *why;
	double		new_value = metric_of(new_metrics, metric),
				old_value;
	bool		better;

	lock_model_name(model);
	version = ub_deployed_version_or_zero(model);
	appendStringInfoString(decision, "{\"mode\":\"if_better\",\"metric\":");
	ub_json_string(decision, metric);
	appendStringInfoString(decision, ",\"new\":");
	ub_json_number(decision, new_value);
	if (version == 0)
	{
		appendStringInfoString(decision, ",\"deployed\":true,\"reason\":\"no version was deployed\"}");
		return true;
	}
	appendStringInfo(decision, ",\"compared_with_version\":%d", version);
	old = ub_catalog_load(model, version, CurrentMemoryContext);
	ub_require_single_network(old, "deploy \"if_better\"");
	why = ub_classes_differ(old, tgt);
	map = why ? NULL : ub_match_columns(old->prep, ds, false, &why);
	if (why)
	{
		/* nothing to compare on: keep what runs, and say why */
		appendStringInfoString(decision, ",\"deployed\":false,\"reason\":");
		ub_json_string(decision, psprintf("the deployed version cannot score these rows: %s", why));
		appendStringInfoChar(decision, '}');
		return false;
	}
	old_value = metric_of(score_old(old, ds, map, tgt, eval_rows, n_eval), metric);
	appendStringInfoString(decision, ",\"old\":");
	ub_json_number(decision, old_value);
	if (isnan(new_value))
		better = false;
	else if (isnan(old_value))
		better = true;
	else
		better = lower_is_better(metric) ? new_value < old_value : new_value > old_value;
	appendStringInfo(decision, ",\"evaluated_rows\":%zu,\"deployed\":%s,\"reason\":", n_eval, better ? "true" : "false");
	ub_json_string(decision,
				   isnan(new_value) ? psprintf("the new version's %s is undefined on these rows", metric) :
				   isnan(old_value) ? psprintf("the deployed version's %s is undefined on these rows", metric) :
				   psprintf("%s %s: %.6g (new) against %.6g (version %d) on the same %zu rows",
							metric, better ? "improved" : "did not improve", new_value, old_value, version, n_eval));
	appendStringInfoChar(decision, '}');
	return better;
}
