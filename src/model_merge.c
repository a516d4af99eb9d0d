/*
 * model_merge.c: ubehav_merge_models, one model value from models of one architecture trained on
 * different rows (shards, rounds of per-shard training), by the row-weighted mean of every weight.
 *
 * The models must share their preprocessing byte for byte (the same scalers, vocabularies and
 * feature order): a weight means something only against the encoding it was trained on, so
 * averaging networks of different encodings would average unrelated numbers. Rounds of per-shard
 * training keep one preprocessing by starting every shard from the last merged value
 * (ubehav_fit_from), whose preprocessing each shard then reuses unchanged.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "model_export.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "model.h"
#include "nn/model_average.h"
#include "model_merge.h"
#include "nn_error.h"

#define UB_MERGE_MAX_MODELS 100000

/* Member key of an export (validated by ub_model_from_export already), as a jsonb of its own. */
static Jsonb *
member_jsonb(Jsonb *j, const char *key)
{
	return JsonbValueToJsonb(ub_jsonb_get(&j->root, key));
}

/* The merged model's metrics: its threshold, the parts and their row counts. */
static Jsonb *
merge_metrics(double threshold, int k, double total, const double *rows)
{
	UbJsonbBuilder b;
	int			c;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_float8(&b, "threshold", threshold);
	ub_jb_kv_int64(&b, "merged_models", k);
	/* row counts are sums of int8s held as doubles: printed with %.0f as before */
	ub_jb_key(&b, "rows_used");
	ub_jb_number_text(&b, psprintf("%.0f", total));
	ub_jb_kv_string(&b, "combine", "row-weighted model average");
	ub_jb_key(&b, "rows_per_model");
	ub_jb_array_begin(&b);
	for (c = 0; c < k; c++)
		ub_jb_number_text(&b, psprintf("%.0f", rows[c]));
	ub_jb_array_end(&b);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

static bool
same_member(Jsonb *a, Jsonb *b, const char *key)
{
	JsonbValue *va = ub_jsonb_get(&a->root, key),
			   *vb = ub_jsonb_get(&b->root, key);

	if (va == NULL || vb == NULL)
		return va == vb;
	if (va->type != vb->type)
		return false;
	/* a regression model's class_labels is null */
	if (va->type != jbvBinary)
		return va->type == jbvNull;
	return compareJsonbContainers(ub_jsonb_container(va), ub_jsonb_container(vb)) == 0;
}

static void
refuse(int i, const char *what, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("model %d of ubehav_merge_models differs from model 1 in its %s", i + 1, what),
			 errhint("%s", hint)));
}

PG_FUNCTION_INFO_V1(ubehav_merge_models);
Datum
ubehav_merge_models(PG_FUNCTION_ARGS)
{
	ArrayType  *models_array = PG_GETARG_ARRAYTYPE_P(0),
			   *rows_array = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *model_datums,
			   *row_datums;
	bool	   *model_nulls,
			   *row_nulls;
	int			k,
				k_rows,
				i;
	MemoryContext cxt,
				caller_cxt = CurrentMemoryContext;
	Jsonb	  **values;
	UbModel   **models;
	const float **params;
	double	   *rows,
				total = 0.0,
				threshold = 0.0;
	UbModel		merged;
	Jsonb	   *result;

	if (ARR_NDIM(models_array) > 1 || ARR_NDIM(rows_array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("ubehav_merge_models takes one-dimensional arrays of models and of row counts")));
	deconstruct_array(models_array, JSONBOID, -1, false, TYPALIGN_INT, &model_datums, &model_nulls, &k);
	deconstruct_array(rows_array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &row_datums, &row_nulls, &k_rows);
	if (k < 1 || k != k_rows)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ubehav_merge_models got %d models and %d row counts", k, k_rows),
				 errhint("Pass one or more model values and, in the same order, the number of rows each was trained on.")));
	if (k > UB_MERGE_MAX_MODELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ubehav_merge_models merges at most %d models, not %d", UB_MERGE_MAX_MODELS, k),
				 errhint("Merge in groups, then merge the groups' values with their summed row counts.")));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav_merge_models", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	values = palloc(sizeof(Jsonb *) * k);
	models = palloc(sizeof(UbModel *) * k);
	params = palloc(sizeof(float *) * k);
	rows = palloc(sizeof(double) * k);
	for (i = 0; i < k; i++)
	{
		int64		r;

		if (model_nulls[i] || row_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s %d of ubehav_merge_models is NULL", model_nulls[i] ? "model" : "row count", i + 1),
					 errhint("Leave out shards that trained nothing, with their row counts.")));
		r = DatumGetInt64(row_datums[i]);
		if (r < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("row count %d of ubehav_merge_models is negative (" INT64_FORMAT ")", i + 1, r),
					 errhint("Pass the number of rows each model was trained on.")));
		rows[i] = (double) r;
		total += rows[i];
		values[i] = DatumGetJsonbP(model_datums[i]);
		models[i] = ub_model_from_export(values[i], cxt);
		params[i] = models[i]->params;
		if (i == 0)
			continue;
		if (models[i]->task != models[0]->task ||
			memcmp(&models[i]->spec, &models[0]->spec, sizeof(NnSpec)) != 0)
			refuse(i, "task or network (inputs, hidden layers, activation, outputs)",
				   "Only networks of one architecture average: train every part with the same options.");
		if (!same_member(values[i], values[0], "class_labels"))
			refuse(i, "class labels",
				   "Every part must see every class; train on parts that do, or start them all from one value with ubehav_fit_from.");
		if (!same_member(values[i], values[0], "preprocessing"))
			refuse(i, "preprocessing (scalers, category vocabularies, feature order)",
				   "Weights average only over one encoding: start every part from one model value with ubehav_fit_from, which keeps its preprocessing.");
	}
	if (!(total > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the row counts of ubehav_merge_models add up to 0"),
				 errhint("At least one model must have been trained on rows.")));

	merged = *models[0];
	merged.params = palloc_extended(sizeof(float) * merged.n_params, MCXT_ALLOC_HUGE);
	ub_check_nn_status(nn_model_average(&merged.spec, k, params, rows, merged.params), "averaging the models");
	/* the decision threshold of the merged binary model: the row-weighted mean of the parts' */
	for (i = 0; i < k; i++)
		threshold += rows[i] * models[i]->threshold;
	threshold /= total;

	result = ub_export_jsonb(&merged, merged.name, 0, merged.target, member_jsonb(values[0], "options"),
							 merge_metrics(threshold, k, total, rows), member_jsonb(values[0], "preprocessing"));
	MemoryContextSwitchTo(caller_cxt);
	result = DatumGetJsonbPCopy(JsonbPGetDatum(result));
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}

Jsonb *
ub_fit_from_options(Jsonb *init, Jsonb *given)
{
	JsonbValue *v = ub_jsonb_get(&init->root, "options");
	Jsonb	   *stored;

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(ub_jsonb_container(v)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model value ubehav_fit_from starts from has no \"options\" object"),
				 errhint("Start from a value that ubehav_fit, ubehav_fit_from, ubehav_merge_models or ubehav_export returned.")));
	stored = JsonbValueToJsonb(v);
	if (given == NULL)
		return stored;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(stored), JsonbPGetDatum(given)));
}
