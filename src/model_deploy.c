/* model_deploy.c: "deploy": "if_better" compares with the deployed version on the same rows; warm starts reuse it. */
#include "postgres.h"

#include <math.h>

#include "catalog_spi.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "model_deploy.h"
#include "jsonb_util.h"
#include "eval_metrics.h"
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

/* The deployed version of model, or 0 when it has none (or does not exist). */
static int32
deployed_version_or_zero(const char *model)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(model)};
	bool		isnull;

	if (ub_catalog_spi(psprintf("SELECT version FROM %s WHERE name = $1 AND deployed", ub_catalog_table()),
							  1, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		return 0;
	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * For each of prep's features, the index of ds's column of that name, kind and width; NULL and
 * *why set when one is missing or differs. With exact, ds may not have columns prep lacks.
 */
static int *
match_columns(const UbPreprocessing *prep, const UbDataset *ds, bool exact, char **why)
{
	int		   *map = palloc(sizeof(int) * Max(prep->n_features, 1));
	int			i,
				c;

	*why = NULL;
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		for (c = 0; c < ds->n_columns; c++)
			if (strcmp(ds->columns[c].name, f->name) == 0)
				break;
		if (c == ds->n_columns)
		{
			*why = psprintf("the query has no column \"%s\", a feature of the deployed version", f->name);
			return NULL;
		}
		if (ds->columns[c].kind != f->kind)
		{
			*why = psprintf("column \"%s\" is %s (%s) now but was %s (%s) for the deployed version", f->name,
							ub_kind_name(ds->columns[c].kind), ds->columns[c].type_name, ub_kind_name(f->kind), f->type_name);
			return NULL;
		}
		if (f->kind == UB_KIND_ARRAY && ds->columns[c].width != f->raw_width)
		{
			*why = psprintf("array column \"%s\" has %d elements now but had %d for the deployed version", f->name,
							ds->columns[c].width, f->raw_width);
			return NULL;
		}
		map[i] = c;
	}
	if (exact && ds->n_columns != prep->n_features)
	{
		for (c = 0; c < ds->n_columns; c++)
		{
			for (i = 0; i < prep->n_features; i++)
				if (map[i] == c)
					break;
			if (i == prep->n_features)
			{
				*why = psprintf("the query has column \"%s\", which is not a feature of the deployed version", ds->columns[c].name);
				return NULL;
			}
		}
	}
	return map;
}

/* Why old and tgt's classes differ, or NULL when they are the same labels in the same order. */
static char *
classes_differ(const UbModel *old, const UbTarget *tgt)
{
	int			k;

	if (old->task != tgt->task)
		return psprintf("the deployed version is a %s model, the new one %s", ub_task_name(old->task), ub_task_name(tgt->task));
	if (tgt->task == UB_TASK_REGRESSION)
		return NULL;
	if (old->n_classes != tgt->n_classes)
		return psprintf("the deployed version has %d classes, the new data %d", old->n_classes, tgt->n_classes);
	for (k = 0; k < tgt->n_classes; k++)
		if (strcmp(old->labels[k], tgt->labels[k]) != 0)
			return psprintf("class %d is \"%s\" in the deployed version but \"%s\" in the new data", k + 1,
							old->labels[k], tgt->labels[k]);
	return NULL;
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
	version = deployed_version_or_zero(model);
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
	why = classes_differ(old, tgt);
	map = why ? NULL : match_columns(old->prep, ds, false, &why);
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

UbModel *
ub_warm_start_load(const char *model, MemoryContext mcxt)
{
	int32		version = deployed_version_or_zero(model);
	UbModel    *init;

	if (version == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("option \"warm_start\" needs a deployed version of model \"%s\" to start from", model),
				 errhint("Train it once without \"warm_start\", or deploy a version with ubehav_deploy.")));
	init = ub_catalog_load(model, version, mcxt);
	ub_require_single_network(init, "option \"warm_start\"");
	return init;
}

void
ub_warm_start_bind(const UbModel *init, UbDataset *ds)
{
	char	   *why;
	int		   *map = match_columns(init->prep, ds, true, &why);
	UbRawColumn *cols;
	int			i;

	if (map == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot warm start from version %d of model \"%s\": %s", init->version, init->name, why),
				 errhint("Warm starts need the same feature columns; train without \"warm_start\" to start afresh.")));
	/* the stored preprocessing encodes features in its own order */
	cols = palloc(sizeof(UbRawColumn) * Max(ds->n_columns, 1));
	for (i = 0; i < ds->n_columns; i++)
		cols[i] = ds->columns[map[i]];
	ds->columns = cols;
}

void
ub_warm_start_project(const UbPreprocessing *prep, UbRowChunks *X, size_t n)
{
	float	   *z;
	size_t		r;

	if (prep->pca_k == 0)
		return;
	z = palloc(sizeof(float) * prep->pca_k);
	for (r = 0; r < n; r++)
	{
		float	   *x = ub_chunks_row(X, r);

		nn_pca_project(x, prep->n_encoded, prep->pca_mean, prep->pca_components, prep->pca_k, z);
		memcpy(x, z, sizeof(float) * prep->pca_k);
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ub_chunks_narrow(X, prep->pca_k);
}

/* The layers as text, "4 inputs, hidden [8, 4] relu, 1 output", for messages. */
static char *
describe_spec(const NnSpec *s)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%d inputs, hidden [", s->n_inputs);
	for (i = 0; i < s->n_hidden; i++)
		appendStringInfo(&buf, "%s%d", i ? ", " : "", s->hidden[i]);
	appendStringInfo(&buf, "] %s, %d output%s", nn_activation_name(s->activation), s->n_outputs, s->n_outputs == 1 ? "" : "s");
	return buf.data;
}

void
ub_warm_start_check(const UbModel *init, const NnSpec *spec, const UbTarget *tgt)
{
	char	   *why = classes_differ(init, tgt);
	int			i;
	bool		same = spec->n_inputs == init->spec.n_inputs && spec->n_hidden == init->spec.n_hidden &&
		spec->activation == init->spec.activation && spec->head == init->spec.head &&
		spec->n_outputs == init->spec.n_outputs;

	for (i = 0; same && i < spec->n_hidden; i++)
		same = spec->hidden[i] == init->spec.hidden[i];
	if (why == NULL && !same)
		why = psprintf("the network would be %s, the deployed version's is %s", describe_spec(spec), describe_spec(&init->spec));
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot warm start from version %d of model \"%s\": %s", init->version, init->name, why),
				 errhint("Keep \"hidden\", \"activation\" and the target as they were, or train without \"warm_start\".")));
}
