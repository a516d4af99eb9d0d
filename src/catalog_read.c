/* catalog_read.c: reads model versions from ubehav_models through SPI, as the calling user. */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "catalog_features.h"
#include "catalog_read.h"
#include "catalog_schema.h"
#include "catalog_spi.h"
#include "model.h"
#include "nn/serialize.h"
#include "nn_error.h"

static void
no_such_model(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%s\" does not exist", name),
			 errhint("Train it with ubehav_train('%s', query, target), or list the models with SELECT DISTINCT name FROM ubehav_models.", name)));
}

UbVersionRef
ub_catalog_deployed_version(const char *name)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	char	   *sql = psprintf("SELECT version, deployed, xmin FROM %s WHERE name = $1 ORDER BY deployed DESC, version DESC LIMIT 1",
							   ub_catalog_table());
	bool		isnull;
	int32		version;
	UbVersionRef ref;

	if (ub_catalog_spi(sql, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		no_such_model(name);
	version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("model \"%s\" has no deployed version", name),
				 errhint("Deploy one: UPDATE ubehav_models SET deployed = (version = %d) WHERE name = '%s'.", version, name)));
	ref.version = version;
	ref.row_xmin = DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	return ref;
}

static UbTask
task_from_name(const char *s)
{
	if (strcmp(s, "binary") == 0)
		return UB_TASK_BINARY;
	if (strcmp(s, "multiclass") == 0)
		return UB_TASK_MULTICLASS;
	if (strcmp(s, "regression") == 0)
		return UB_TASK_REGRESSION;
	if (strcmp(s, "recommender") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("this function does not take recommender models"),
				 errhint("Score a recommender with ubehav_recommend or ubehav_recommend_score, evaluate it with ubehav_evaluate_recommender.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("catalog row has unknown task \"%s\"", s)));
	return UB_TASK_INFER;
}

static void
check_consistent(UbModel *m, const char *what)
{
	int			expected_outputs = m->task == UB_TASK_MULTICLASS ? m->n_classes : 1;
	NnHead		expected_head = m->task == UB_TASK_BINARY ? NN_HEAD_SIGMOID_BCE :
		m->task == UB_TASK_MULTICLASS ? NN_HEAD_SOFTMAX_CE : NN_HEAD_LINEAR_MSE;

	if (m->spec.n_inputs != m->prep->n_inputs || m->spec.n_outputs != expected_outputs ||
		m->spec.head != expected_head ||
		(m->task != UB_TASK_REGRESSION && m->n_classes < 2) ||
		(m->task == UB_TASK_BINARY && m->n_classes != 2))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s: the weights, preprocessing and class labels do not fit together", what),
				 errhint("Retrain the model, or deploy another version of it.")));
}

static void
decode_labels(UbModel *m, Datum labels, bool labels_null)
{
	Datum	   *elems;
	bool	   *nulls;
	int			i;

	if (labels_null)
		return;
	deconstruct_array(DatumGetArrayTypeP(labels), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &m->n_classes);
	m->labels = palloc(sizeof(char *) * Max(m->n_classes, 1));
	for (i = 0; i < m->n_classes; i++)
	{
		/* training never stores a NULL label: the rows of a NULL target are skipped */
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("catalog row of model \"%s\" version %d has a NULL class label", m->name, m->version),
					 errhint("Retrain the model, or deploy another version of it.")));
		m->labels[i] = TextDatumGetCString(elems[i]);
	}
}

/* Decode one network (preprocessing, labels, weights) into m, allocating in the current context. */
static void
decode_network(UbModel *m, Jsonb *prep, Datum labels, bool labels_null, bytea *weights, const char *what)
{
	NnRng		rng;

	m->prep = ub_prep_from_jsonb(prep);
	decode_labels(m, labels, labels_null);
	ub_check_nn_status(nn_deserialize_header((unsigned char *) VARDATA_ANY(weights),
											 VARSIZE_ANY_EXHDR(weights), &m->spec, &rng, &m->n_params),
					   what);
	check_consistent(m, what);
	ub_prep_sparse_spec(m->prep, &m->spec);
	/* on a 64-byte boundary: the scoring kernel's 64-byte loads of a weight row then never split a cache line */
	m->params = (float *) TYPEALIGN(64, palloc_extended(sizeof(float) * m->n_params + 63, MCXT_ALLOC_HUGE));
	nn_deserialize_params((unsigned char *) VARDATA_ANY(weights), VARSIZE_ANY_EXHDR(weights), m->params);
	m->x = palloc0(sizeof(float) * m->prep->n_encoded);
	m->z = palloc0(sizeof(float) * m->spec.n_inputs);
	m->out = palloc0(sizeof(float) * m->spec.n_outputs);
	m->scratch = palloc0(sizeof(float) * nn_predict_scratch_floats(&m->spec));
}

/*
 * metrics.threshold of a network: a binary one's training always stores it, in [0, 1]; the others
 * never use it.
 */
static double
stored_threshold(Datum d, bool isnull, UbTask task, const char *what)
{
	double		t = isnull ? 0.5 : DatumGetFloat8(d);

	if (task == UB_TASK_BINARY && (isnull || !(t >= 0.0 && t <= 1.0)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s: metrics.threshold is %s, not a probability between 0 and 1", what,
						isnull ? "missing" : psprintf("%g", t)),
				 errhint("Retrain the model, or deploy another version of it.")));
	return t >= 0.0 && t <= 1.0 ? t : 0.5;
}

/* The networks of a group_by version, each a UbModel sharing the parent's name, version and task. */
static void
load_groups(UbModel *m, const char *what)
{
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2] = {CStringGetTextDatum(m->name), Int32GetDatum(m->version)};
	char	   *sql = psprintf("SELECT group_value, preprocessing, class_labels, weights, (metrics->>'threshold')::float8 "
							   "FROM %s WHERE name = $1 AND version = $2 ORDER BY group_value COLLATE \"C\"",
							   ub_catalog_relation("ubehav_model_groups"));
	uint64		i;
	bool		isnull;

	if (ub_catalog_spi(sql, 2, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_model_groups catalog");
	/* SPI may leave its own context current; the networks belong to the model */
	MemoryContextSwitchTo(m->mcxt);
	if (SPI_processed == 0 || SPI_processed > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("%s: the version was trained per group of \"%s\" but ubehav_model_groups has %s of its networks",
						what, m->group_by, SPI_processed == 0 ? "none" : "too many"),
				 errhint("Retrain the model, or deploy another version of it.")));
	m->n_groups = (int) SPI_processed;
	m->group_values = palloc(sizeof(char *) * m->n_groups);
	m->groups = palloc(sizeof(UbModel *) * m->n_groups);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		UbModel    *g = palloc0(sizeof(UbModel));
		Datum		labels;
		bool		labels_null;

		g->mcxt = m->mcxt;
		g->name = m->name;
		g->version = m->version;
		g->row_xmin = m->row_xmin;
		g->task = m->task;
		g->target = m->target;
		m->group_values[i] = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));
		labels = SPI_getbinval(tup, desc, 3, &labels_null);
		decode_network(g, DatumGetJsonbP(SPI_getbinval(tup, desc, 2, &isnull)), labels, labels_null,
					   DatumGetByteaPP(SPI_getbinval(tup, desc, 4, &isnull)),
					   psprintf("%s, group \"%s\"", what, m->group_values[i]));
		g->threshold = stored_threshold(SPI_getbinval(tup, desc, 5, &isnull), isnull, g->task,
										psprintf("%s, group \"%s\"", what, m->group_values[i]));
		m->groups[i] = g;
	}
}

UbModel *
ub_catalog_load(const char *name, int32 version, MemoryContext parent)
{
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2] = {CStringGetTextDatum(name), Int32GetDatum(version)};
	char	   *sql = psprintf("SELECT task, target, preprocessing, class_labels, weights, xmin, "
							   "(metrics->>'threshold')::float8, preprocessing->>'group_by' FROM %s "
							   "WHERE name = $1 AND version = $2", ub_catalog_table());
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull,
				group_null;
	MemoryContext mcxt,
				old;
	UbModel    *m;
	char	   *what;
	Datum		d;

	if (ub_catalog_spi(sql, 2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version %d", name, version)));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	mcxt = AllocSetContextCreate(parent, "ubehav model", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	m = palloc0(sizeof(UbModel));
	m->mcxt = mcxt;
	m->name = pstrdup(name);
	m->version = version;
	m->row_xmin = DatumGetTransactionId(SPI_getbinval(tup, desc, 6, &isnull));
	what = psprintf("decoding model \"%s\" version %d", name, version);
	m->task = task_from_name(TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull)));
	/* a group_by version's own metrics pool its groups': scoring uses each group's threshold */
	(void) SPI_getbinval(tup, desc, 8, &group_null);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	m->threshold = stored_threshold(d, isnull, group_null ? m->task : UB_TASK_INFER, what);
	m->target = TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull));
	d = SPI_getbinval(tup, desc, 8, &isnull);
	if (!isnull)
	{
		Datum		labels = SPI_getbinval(tup, desc, 4, &isnull);

		/* the version's labels are all its networks' (evaluation codes rows by them) */
		decode_labels(m, labels, isnull);
		/* the groups' query replaces SPI_tuptable: nothing of the parent row is read after it */
		m->group_by = TextDatumGetCString(d);
		load_groups(m, what);
	}
	else
	{
		bool		labels_null;
		Datum		labels = SPI_getbinval(tup, desc, 4, &labels_null);

		decode_network(m, DatumGetJsonbP(SPI_getbinval(tup, desc, 3, &isnull)), labels, labels_null,
					   DatumGetByteaPP(SPI_getbinval(tup, desc, 5, &isnull)), what);
	}
	ub_catalog_check_features(m, what);
	MemoryContextSwitchTo(old);
	return m;
}
