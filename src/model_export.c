/* model_export.c: a model version as self-describing jsonb, and back: the portable form of a model. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "catalog_read.h"
#include "catalog_schema.h"
#include "catalog_write.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "model.h"
#include "model_export.h"
#include "model_export_recommender.h"
#include "nn/nn.h"
#include "nn_error.h"
#include "options.h"
#include "train_pipeline.h"

#define UB_EXPORT_FORMAT 1

static const char *
head_name(NnHead head)
{
	return head == NN_HEAD_SIGMOID_BCE ? "sigmoid" : head == NN_HEAD_SOFTMAX_CE ? "softmax" : "linear";
}

/* "network": the spec and, per layer, W as rows of inputs (each a list of outputs) and b */
static void
network_to_jsonb(UbJsonbBuilder *b, const UbModel *m)
{
	int			l,
				i,
				j;

	ub_jb_key(b, "network");
	ub_jb_object_begin(b);
	ub_jb_kv_int64(b, "n_inputs", m->spec.n_inputs);
	ub_jb_key(b, "hidden");
	ub_jb_array_begin(b);
	for (l = 0; l < m->spec.n_hidden; l++)
		ub_jb_int64(b, m->spec.hidden[l]);
	ub_jb_array_end(b);
	ub_jb_kv_string(b, "activation", nn_activation_name(m->spec.activation));
	ub_jb_kv_string(b, "head", head_name(m->spec.head));
	ub_jb_kv_int64(b, "n_outputs", m->spec.n_outputs);
	ub_jb_key(b, "layers");
	ub_jb_array_begin(b);
	/* out = x . W + b */
	for (l = 0; l <= m->spec.n_hidden; l++)
	{
		NnLayerView v = nn_spec_layer(&m->spec, l);

		ub_jb_object_begin(b);
		ub_jb_key(b, "W");
		ub_jb_array_begin(b);
		for (i = 0; i < v.in; i++)
		{
			ub_jb_array_begin(b);
			for (j = 0; j < v.out; j++)
				ub_jb_float8(b, m->params[v.w_offset + (size_t) i * v.out + j]);
			ub_jb_array_end(b);
		}
		ub_jb_array_end(b);
		ub_jb_key(b, "b");
		ub_jb_array_begin(b);
		for (j = 0; j < v.out; j++)
			ub_jb_float8(b, m->params[v.b_offset + j]);
		ub_jb_array_end(b);
		ub_jb_object_end(b);
	}
	ub_jb_array_end(b);
	ub_jb_object_end(b);
}

Jsonb *
ub_export_jsonb(const UbModel *m, const char *name, int32 version, const char *target,
				Jsonb *options, Jsonb *metrics, Jsonb *preprocessing)
{
	UbJsonbBuilder b;
	int			k;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_string(&b, "format", "ubehav");
	ub_jb_kv_int64(&b, "format_version", UB_EXPORT_FORMAT);
	ub_jb_kv_string(&b, "name", name);
	ub_jb_kv_int64(&b, "version", version);
	ub_jb_kv_string(&b, "task", ub_task_name(m->task));
	ub_jb_kv_string(&b, "target", target);
	ub_jb_key(&b, "class_labels");
	if (m->task == UB_TASK_REGRESSION)
		ub_jb_null(&b);
	else
	{
		ub_jb_array_begin(&b);
		for (k = 0; k < m->n_classes; k++)
			ub_jb_string(&b, m->labels[k]);
		ub_jb_array_end(&b);
	}
	ub_jb_kv_jsonb(&b, "options", options);
	ub_jb_kv_jsonb(&b, "metrics", metrics);
	ub_jb_kv_jsonb(&b, "preprocessing", preprocessing);
	network_to_jsonb(&b, m);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

static Jsonb *
text_to_jsonb(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

void
ub_export_text(StringInfo buf, const UbModel *m, const char *name, int32 version, const char *target,
			   const char *options, const char *metrics, const char *preprocessing)
{
	Jsonb	   *j = ub_export_jsonb(m, name, version, target, text_to_jsonb(options), text_to_jsonb(metrics),
									text_to_jsonb(preprocessing));

	appendStringInfoString(buf, JsonbToCString(NULL, &j->root, VARSIZE(j)));
}

PG_FUNCTION_INFO_V1(ubehav_export);
Datum
ubehav_export(PG_FUNCTION_ARGS)
{
	char	   *name;
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext cxt;
	int32		version;
	UbModel    *m;
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	bool		isnull;
	HeapTuple	row;
	TupleDesc	desc;
	Jsonb	   *result,
			   *options,
			   *metrics,
			   *preprocessing;
	char	   *target;

	ub_require_args(fcinfo, UB_MAY_BE_NULL(1));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav export", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(cxt);
	version = PG_ARGISNULL(1) ? ub_catalog_deployed_version(name).version : PG_GETARG_INT32(1);
	if (ub_rec_is_recommender(name, version))
	{
		/* a recommender has its own form: id maps, embeddings, seen items */
		MemoryContextSwitchTo(caller_cxt);
		result = ub_rec_export_jsonb(name, version, cxt);
		SPI_finish();
		MemoryContextDelete(cxt);
		PG_RETURN_JSONB_P(result);
	}
	m = ub_catalog_load(name, version, cxt);
	ub_require_single_network(m, "ubehav_export");
	args[0] = CStringGetTextDatum(name);
	args[1] = Int32GetDatum(version);
	if (ub_catalog_spi(psprintf("SELECT options, metrics, preprocessing, target FROM %s "
									   "WHERE name = $1 AND version = $2", ub_catalog_table()),
							  2, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the ubehav_models catalog");
	MemoryContextSwitchTo(cxt);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	options = DatumGetJsonbP(SPI_getbinval(row, desc, 1, &isnull));
	metrics = DatumGetJsonbP(SPI_getbinval(row, desc, 2, &isnull));
	preprocessing = DatumGetJsonbP(SPI_getbinval(row, desc, 3, &isnull));
	target = TextDatumGetCString(SPI_getbinval(row, desc, 4, &isnull));
	result = ub_export_jsonb(m, name, version, target, options, metrics, preprocessing);
	MemoryContextSwitchTo(caller_cxt);
	result = DatumGetJsonbPCopy(JsonbPGetDatum(result));
	SPI_finish();
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}

static void
bad_import(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the model to import is invalid: %s", what),
			 errhint("Import what ubehav_export returned, unchanged.")));
}

static JsonbValue *
need(JsonbContainer *c, const char *key)
{
	JsonbValue *v = ub_jsonb_get(c, key);

	if (v == NULL)
		bad_import(psprintf("missing \"%s\"", key));
	return v;
}

/* What an export holds, validated: every size, shape, weight, label and the preprocessing. */
typedef struct ParsedExport
{
	NnSpec		spec;
	float	   *params;
	size_t		n_params;
	UbPreprocessing *prep;
	char	   *task;
	char	  **labels;
	int			n_labels;
	double		threshold;
} ParsedExport;

/* Parse and validate j; ERROR (bad_import) naming the first thing wrong. */
static void
parse_export(Jsonb *j, ParsedExport *pe)
{
	JsonbContainer *root = &j->root,
			   *net;
	JsonbValue *v,
			   *layers,
			   *labels;
	NnSpec		spec;
	size_t		n_params;
	float	   *params;
	UbPreprocessing *prep;
	char	   *task,
			   *head;
	char	  **label_strings = NULL;
	int			n_labels = 0,
				l,
				i,
				k;

	if (!JB_ROOT_IS_OBJECT(j) || strcmp(ub_jsonb_string(need(root, "format"), "format"), "ubehav") != 0)
		bad_import("not a ubehav export");
	if (ub_jsonb_number(need(root, "format_version"), "format_version") != UB_EXPORT_FORMAT)
		bad_import("unsupported format_version");
	net = ub_jsonb_container(need(root, "network"));
	if (net == NULL)
		bad_import("\"network\" is not an object");
	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = (int) ub_jsonb_number(need(net, "n_inputs"), "n_inputs");
	v = need(net, "hidden");
	spec.n_hidden = ub_jsonb_array_length(v, "hidden");
	if (spec.n_hidden > NN_MAX_HIDDEN_LAYERS)
		bad_import("too many hidden layers");
	for (l = 0; l < spec.n_hidden; l++)
		spec.hidden[l] = (int) ub_jsonb_number(ub_jsonb_array_element(v, l), "hidden");
	spec.activation = nn_activation_from_name(ub_jsonb_string(need(net, "activation"), "activation"));
	head = ub_jsonb_string(need(net, "head"), "head");
	spec.head = strcmp(head, "sigmoid") == 0 ? NN_HEAD_SIGMOID_BCE : strcmp(head, "softmax") == 0 ?
		NN_HEAD_SOFTMAX_CE : strcmp(head, "linear") == 0 ? NN_HEAD_LINEAR_MSE : NN_HEAD_COUNT_;
	spec.n_outputs = (int) ub_jsonb_number(need(net, "n_outputs"), "n_outputs");
	if (nn_spec_param_count(&spec, &n_params) != NN_OK)
		bad_import("the network's sizes are out of range");
	task = ub_jsonb_string(need(root, "task"), "task");
	if ((strcmp(task, "binary") == 0 && spec.head != NN_HEAD_SIGMOID_BCE) ||
		(strcmp(task, "multiclass") == 0 && spec.head != NN_HEAD_SOFTMAX_CE) ||
		(strcmp(task, "regression") == 0 && spec.head != NN_HEAD_LINEAR_MSE) ||
		(strcmp(task, "binary") && strcmp(task, "multiclass") && strcmp(task, "regression")))
		bad_import("the task does not fit the network's head");

	params = palloc_extended(sizeof(float) * n_params, MCXT_ALLOC_HUGE);
	layers = need(net, "layers");
	if (ub_jsonb_array_length(layers, "layers") != spec.n_hidden + 1)
		bad_import("the number of layers does not fit \"hidden\"");
	for (l = 0; l <= spec.n_hidden; l++)
	{
		NnLayerView lv = nn_spec_layer(&spec, l);
		JsonbContainer *layer = ub_jsonb_container(ub_jsonb_array_element(layers, l));
		JsonbValue *W = need(layer, "W"),
				   *b = need(layer, "b");

		if (ub_jsonb_array_length(W, "W") != lv.in || ub_jsonb_array_length(b, "b") != lv.out)
			bad_import(psprintf("layer %d has the wrong shape", l + 1));
		for (i = 0; i < lv.in; i++)
		{
			JsonbValue *row = ub_jsonb_array_element(W, i);

			if (ub_jsonb_array_length(row, "W row") != lv.out)
				bad_import(psprintf("layer %d has the wrong shape", l + 1));
			for (k = 0; k < lv.out; k++)
				params[lv.w_offset + (size_t) i * lv.out + k] = (float) ub_jsonb_number(ub_jsonb_array_element(row, k), "weight");
		}
		for (k = 0; k < lv.out; k++)
			params[lv.b_offset + k] = (float) ub_jsonb_number(ub_jsonb_array_element(b, k), "bias");
	}
	if (nn_check_finite(params, n_params) != NN_OK)
		bad_import("a weight is not finite");

	/* the preprocessing is validated as the catalog's own would be */
	v = need(root, "preprocessing");
	prep = ub_prep_import_from_jsonb(DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(
		JsonbToCString(NULL, ub_jsonb_container(v), v->val.binary.len)))));
	if (prep->n_inputs != spec.n_inputs)
		bad_import("the preprocessing's inputs do not fit the network");
	labels = need(root, "class_labels");
	if (strcmp(task, "regression") != 0)
	{
		n_labels = ub_jsonb_array_length(labels, "class_labels");
		if (n_labels != (spec.head == NN_HEAD_SOFTMAX_CE ? spec.n_outputs : 2))
			bad_import("the class labels do not fit the network");
		label_strings = palloc(sizeof(char *) * n_labels);
		for (k = 0; k < n_labels; k++)
			label_strings[k] = ub_jsonb_string(ub_jsonb_array_element(labels, k), "class label");
	}

	memset(pe, 0, sizeof(*pe));
	pe->spec = spec;
	pe->params = params;
	pe->n_params = n_params;
	pe->prep = prep;
	pe->task = task;
	pe->labels = label_strings;
	pe->n_labels = n_labels;
	pe->threshold = 0.5;
	v = ub_jsonb_get(ub_jsonb_container(need(root, "metrics")), "threshold");
	if (v && v->type == jbvNumeric)
		pe->threshold = ub_jsonb_number(v, "threshold");
	/* a binary model's training always stores its threshold, a probability; the others never use one */
	if (spec.head == NN_HEAD_SIGMOID_BCE &&
		(v == NULL || v->type != jbvNumeric || !(pe->threshold >= 0.0 && pe->threshold <= 1.0)))
		bad_import("a binary model needs metrics.threshold, a number between 0 and 1");
	if (!(pe->threshold >= 0.0 && pe->threshold <= 1.0))
		pe->threshold = 0.5;
}

UbModel *
ub_model_from_export(Jsonb *j, MemoryContext parent)
{
	MemoryContext mcxt = AllocSetContextCreate(parent, "ubehav model value", ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	ParsedExport pe;
	UbModel    *m = palloc0(sizeof(UbModel));

	parse_export(j, &pe);
	m->mcxt = mcxt;
	m->name = ub_jsonb_string(need(&j->root, "name"), "name");
	m->version = (int32) ub_jsonb_number(need(&j->root, "version"), "version");
	m->task = strcmp(pe.task, "binary") == 0 ? UB_TASK_BINARY : strcmp(pe.task, "multiclass") == 0 ?
		UB_TASK_MULTICLASS : UB_TASK_REGRESSION;
	m->target = ub_jsonb_string(need(&j->root, "target"), "target");
	m->spec = pe.spec;
	m->params = pe.params;
	m->n_params = pe.n_params;
	m->prep = pe.prep;
	ub_prep_sparse_spec(m->prep, &m->spec);
	m->n_classes = pe.n_labels;
	m->labels = pe.labels;
	m->threshold = pe.threshold;
	m->x = palloc0(sizeof(float) * Max(m->prep->n_encoded, 1));
	m->z = palloc0(sizeof(float) * Max(m->spec.n_inputs, 1));
	m->out = palloc0(sizeof(float) * Max(m->spec.n_outputs, 1));
	m->scratch = palloc0(sizeof(float) * Max(nn_predict_scratch_floats(&m->spec), 1));
	MemoryContextSwitchTo(old);
	return m;
}

PG_FUNCTION_INFO_V1(ubehav_import);
Datum
ubehav_import(PG_FUNCTION_ARGS)
{
	char	   *name;
	Jsonb	   *j;
	JsonbContainer *root;
	JsonbValue *v;
	ParsedExport pe;
	NnSpec		spec;
	NnRng		rng;
	size_t		blob_size;
	float	   *params;
	bytea	   *blob;
	UbPreprocessing *prep;
	UbNewVersion nv;
	char	   *task;
	char	  **names,
			  **types,
			  **label_strings = NULL;
	int			n_labels = 0,
				i;
	int32		version;

	ub_require_args(fcinfo, 0);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	j = PG_GETARG_JSONB_P(1);
	root = &j->root;
	ub_check_writable("ubehav_import");
	ub_check_model_name(name);
	if (JB_ROOT_IS_OBJECT(j) && (v = ub_jsonb_get(root, "format")) != NULL && v->type == jbvString &&
		v->val.string.len == strlen("ubehav-recommender") &&
		memcmp(v->val.string.val, "ubehav-recommender", v->val.string.len) == 0)
		PG_RETURN_INT32(ub_rec_import(name, j));
	parse_export(j, &pe);
	spec = pe.spec;
	params = pe.params;
	prep = pe.prep;
	task = pe.task;
	label_strings = pe.labels;
	n_labels = pe.n_labels;

	ub_check_nn_status(nn_serialized_size(&spec, &blob_size), "sizing the model bytes");
	blob = palloc(VARHDRSZ + blob_size);
	SET_VARSIZE(blob, VARHDRSZ + blob_size);
	nn_rng_seed(&rng, 0);
	ub_check_nn_status(nn_serialize(&spec, params, &rng, (unsigned char *) VARDATA(blob), blob_size), "serializing the model");
	names = palloc(sizeof(char *) * Max(prep->n_features, 1));
	types = palloc(sizeof(char *) * Max(prep->n_features, 1));
	for (i = 0; i < prep->n_features; i++)
	{
		names[i] = prep->features[i].name;
		types[i] = prep->features[i].type_name;
	}
	memset(&nv, 0, sizeof(nv));
	nv.name = name;
	nv.task = task;
	nv.target = ub_jsonb_string(need(root, "target"), "target");
	v = need(root, "options");
	nv.options = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(JsonbToCString(NULL, ub_jsonb_container(v), v->val.binary.len))));
	{
		UbOptions	check;

		ub_options_parse(nv.options, &check);	/* so a retrain of the imported model works */
		ub_options_refuse_group_by(&check, "ubehav_import");
	}
	nv.preprocessing = ub_prep_to_jsonb(prep);
	nv.feature_names = ub_text_array(names, prep->n_features);
	nv.feature_types = ub_text_array(types, prep->n_features);
	nv.class_labels = label_strings ? ub_text_array(label_strings, n_labels) : (Datum) 0;
	v = need(root, "metrics");
	nv.metrics = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(JsonbToCString(NULL, ub_jsonb_container(v), v->val.binary.len))));
	nv.training_log = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("[]")));
	nv.weights = blob;
	nv.training_query = psprintf("-- imported from version %d of model %s",
								 (int) ub_jsonb_number(need(root, "version"), "version"),
								 ub_jsonb_string(need(root, "name"), "name"));
	nv.deploy = true;
	SPI_connect();
	version = ub_catalog_store(&nv);
	SPI_finish();
	PG_RETURN_INT32(version);
}
