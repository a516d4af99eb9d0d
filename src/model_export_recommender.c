/*
 * model_export_recommender.c: a recommender as self-describing jsonb (ubehav_export) and back (ubehav_import):
 * the id maps, embeddings, biases, popularity and seen items, enough to score it elsewhere with
 * score = bias[i] + users.embeddings[u] . items.embeddings[i].
 */
#include "postgres.h"

#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "catalog_schema.h"
#include "catalog_write.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "model.h"
#include "model_export_recommender.h"
#include "model_recommender.h"
#include "nn_error.h"
#include "train_pipeline.h"

#define REC_EXPORT_FORMAT 1

bool
ub_rec_is_recommender(const char *name, int32 version)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		args[2] = {CStringGetTextDatum(name), Int32GetDatum(version)};
	bool		isnull;

	if (ub_catalog_spi(psprintf("SELECT task OPERATOR(pg_catalog.=) 'recommender' FROM %s "
									   "WHERE name OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
									   ub_catalog_table()), 2, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	return SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static void
float_rows(UbJsonbBuilder *b, const char *key, const float *x, int32 rows, int32 cols)
{
	int32		r,
				c;

	ub_jb_key(b, key);
	ub_jb_array_begin(b);
	for (r = 0; r < rows; r++)
	{
		ub_jb_array_begin(b);
		for (c = 0; c < cols; c++)
			ub_jb_float8(b, x[(size_t) r * cols + c]);
		ub_jb_array_end(b);
	}
	ub_jb_array_end(b);
}

static void
int64_array(UbJsonbBuilder *b, const char *key, const int64 *v, int32 n)
{
	int32		i;

	ub_jb_key(b, key);
	ub_jb_array_begin(b);
	for (i = 0; i < n; i++)
		ub_jb_int64(b, v[i]);
	ub_jb_array_end(b);
}

/* users, items and seen: the id maps, embeddings, biases, popularity and seen items of r */
static void
rec_tables_to_jsonb(UbJsonbBuilder *b, const UbRecModel *r)
{
	NnRecView	v = nn_rec_view(&r->m.spec, r->m.params);
	int32		i;
	uint64		q;

	ub_jb_key(b, "users");
	ub_jb_object_begin(b);
	int64_array(b, "ids", r->m.user_ids, r->m.spec.n_users);
	float_rows(b, "embeddings", v.user, r->m.spec.n_users, r->m.spec.dim);
	ub_jb_object_end(b);
	ub_jb_key(b, "items");
	ub_jb_object_begin(b);
	int64_array(b, "ids", r->m.item_ids, r->m.spec.n_items);
	ub_jb_key(b, "bias");
	ub_jb_array_begin(b);
	for (i = 0; i < r->m.spec.n_items; i++)
		ub_jb_float8(b, v.bias[i]);
	ub_jb_array_end(b);
	ub_jb_key(b, "popularity");
	ub_jb_array_begin(b);
	for (i = 0; i < r->m.spec.n_items; i++)
		ub_jb_int64(b, r->m.popularity[i]);
	ub_jb_array_end(b);
	float_rows(b, "embeddings", v.item, r->m.spec.n_items, r->m.spec.dim);
	ub_jb_object_end(b);
	ub_jb_key(b, "seen");
	ub_jb_object_begin(b);
	ub_jb_key(b, "offsets");
	ub_jb_array_begin(b);
	for (i = 0; i <= r->m.spec.n_users; i++)
		ub_jb_uint64(b, r->m.offsets[i]);
	ub_jb_array_end(b);
	ub_jb_key(b, "item_indices");
	ub_jb_array_begin(b);
	for (q = 0; q < r->m.n_pairs; q++)
		ub_jb_int64(b, r->m.items[q]);
	ub_jb_array_end(b);
	ub_jb_object_end(b);
}

Jsonb *
ub_rec_export_jsonb(const char *name, int32 version, MemoryContext cxt)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		args[2] = {CStringGetTextDatum(name), Int32GetDatum(version)};
	bool		isnull;
	HeapTuple	row;
	TupleDesc	desc;
	UbRecModel *r;
	UbJsonbBuilder b;
	Jsonb	   *result;
	MemoryContext result_cxt = CurrentMemoryContext;

	if (ub_catalog_spi(psprintf("SELECT options, metrics, preprocessing, target, weights FROM %s "
									   "WHERE name OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
									   ub_catalog_table()), 2, types, args, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version %d", name, version)));
	MemoryContextSwitchTo(cxt);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	r = ub_rec_decode(DatumGetByteaPCopy(SPI_getbinval(row, desc, 5, &isnull)),
					  psprintf("decoding recommender \"%s\" version %d", name, version), cxt);

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_string(&b, "format", "ubehav-recommender");
	ub_jb_kv_int64(&b, "format_version", REC_EXPORT_FORMAT);
	ub_jb_kv_string(&b, "name", name);
	ub_jb_kv_int64(&b, "version", version);
	ub_jb_kv_string(&b, "task", "recommender");
	ub_jb_kv_string(&b, "target", TextDatumGetCString(SPI_getbinval(row, desc, 4, &isnull)));
	ub_jb_kv_jsonb(&b, "options", DatumGetJsonbP(SPI_getbinval(row, desc, 1, &isnull)));
	ub_jb_kv_jsonb(&b, "metrics", DatumGetJsonbP(SPI_getbinval(row, desc, 2, &isnull)));
	ub_jb_kv_jsonb(&b, "preprocessing", DatumGetJsonbP(SPI_getbinval(row, desc, 3, &isnull)));
	ub_jb_kv_string(&b, "score", "items.bias[i] + users.embeddings[u] . items.embeddings[i]");
	ub_jb_kv_int64(&b, "factors", r->m.spec.dim);
	rec_tables_to_jsonb(&b, r);
	ub_jb_object_end(&b);
	/* the result outlives cxt and SPI (whose call may have left another context current) */
	MemoryContextSwitchTo(result_cxt);
	result = ub_jb_finish(&b);
	return result;
}

static void
bad(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the recommender to import is invalid: %s", what),
			 errhint("Import what ubehav_export returned, unchanged.")));
}

static JsonbValue *
need(JsonbContainer *c, const char *key)
{
	JsonbValue *v = c ? ub_jsonb_get(c, key) : NULL;

	if (v == NULL)
		bad(psprintf("missing \"%s\"", key));
	return v;
}

static JsonbContainer *
need_object(JsonbContainer *c, const char *key)
{
	JsonbValue *v = need(c, key);

	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad(psprintf("\"%s\" is not an object", key));
	return v->val.binary.data;
}

/* An array's length, bounded, ERROR unless v is an array. */
static int32
json_length(JsonbValue *v, const char *what, int64 max)
{
	int			n = ub_jsonb_array_length(v, what);

	if (n > max)
		bad(psprintf("\"%s\" has more than " INT64_FORMAT " elements", what, max));
	return n;
}

static int64
int_element(JsonbValue *arr, int i, const char *what, int64 min, int64 max)
{
	JsonbValue *e = ub_jsonb_array_element(arr, i);
	char	   *text,
			   *end;
	long long	x;

	if (e == NULL || e->type != jbvNumeric)
		bad(psprintf("an element of \"%s\" is not a number", what));
	/* through its text: an integer has no fraction or exponent, and strtoll says when it is out of range */
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(e->val.numeric)));
	errno = 0;
	x = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || x < min || x > max)
		bad(psprintf("an element of \"%s\" is not an integer in range", what));
	pfree(text);
	if ((i & 4095) == 0)
		CHECK_FOR_INTERRUPTS();
	return (int64) x;
}

static float
float_value(JsonbValue *e, const char *what)
{
	double		x;

	if (e == NULL || e->type != jbvNumeric)
		bad(psprintf("an element of \"%s\" is not a number", what));
	x = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(e->val.numeric)));
	if (!isfinite(x) || fabs(x) > FLT_MAX)
		bad(psprintf("an element of \"%s\" is not a finite float", what));
	return (float) x;
}

/* rows x cols floats from an array of arrays into out */
static void
float_matrix(JsonbValue *v, int32 rows, int32 cols, float *out, const char *what)
{
	int32		r,
				c;

	if (json_length(v, what, INT_MAX) != rows)
		bad(psprintf("\"%s\" does not have one row per id", what));
	for (r = 0; r < rows; r++)
	{
		JsonbValue *row = ub_jsonb_array_element(v, r);

		if (row == NULL || ub_jsonb_array_length(row, what) != cols)
			bad(psprintf("a row of \"%s\" does not have \"factors\" numbers", what));
		for (c = 0; c < cols; c++)
			out[(size_t) r * cols + c] = float_value(ub_jsonb_array_element(row, c), what);
		if ((r & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

static Jsonb *
jsonb_of(JsonbValue *v)
{
	if (v->type != jbvBinary)
		bad("options and metrics must be objects");
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(JsonbToCString(NULL, v->val.binary.data, v->val.binary.len))));
}

int32
ub_rec_import(const char *name, Jsonb *j)
{
	JsonbContainer *root = &j->root,
			   *users,
			   *items,
			   *seen;
	JsonbValue *v;
	NnRecModel	m;
	NnRecView	view;
	size_t		n_params,
				size,
				i;
	int32		dim;
	UbRecOptions o;
	UbNewVersion nv;
	bytea	   *bytes;
	NnStatus	status;
	char	   *names[2],
			   *ftypes[2] = {"user", "item"};
	int32		version;

	if (ub_jsonb_number(need(root, "format_version"), "format_version") != REC_EXPORT_FORMAT)
		bad("unsupported format_version");
	v = need(root, "options");
	memset(&nv, 0, sizeof(nv));
	nv.options = jsonb_of(v);
	/* the options must be valid, so a retrain of the imported model works */
	ub_rec_options_parse(nv.options, &o);
	v = need(root, "factors");
	if (v->type != jbvNumeric)
		bad("\"factors\" is not a number");
	{
		double		f = ub_jsonb_number(v, "factors");

		if (f != floor(f) || f < 1 || f > NN_REC_MAX_DIM)
			bad("\"factors\" is out of range");
		dim = (int32) f;
	}
	users = need_object(root, "users");
	items = need_object(root, "items");
	seen = need_object(root, "seen");

	memset(&m, 0, sizeof(m));
	m.spec.dim = dim;
	m.spec.n_users = json_length(need(users, "ids"), "users.ids", NN_REC_MAX_ENTITIES);
	m.spec.n_items = json_length(need(items, "ids"), "items.ids", NN_REC_MAX_ENTITIES);
	if (nn_rec_param_count(&m.spec, &n_params) != NN_OK)
		bad("the sizes are out of range");
	v = need(seen, "item_indices");
	m.n_pairs = (uint64) json_length(v, "seen.item_indices", NN_REC_MAX_PAIRS);
	ub_check_nn_status(nn_rec_serialized_size(&m.spec, m.n_pairs, &size), "sizing the recommender");
	if (size > (size_t) 1024 * 1024 * 1024 - VARHDRSZ)
		bad("it is larger than a bytea value can hold");
	m.user_ids = palloc_extended(sizeof(int64) * m.spec.n_users, MCXT_ALLOC_HUGE);
	m.item_ids = palloc_extended(sizeof(int64) * m.spec.n_items, MCXT_ALLOC_HUGE);
	m.popularity = palloc_extended(sizeof(uint32) * m.spec.n_items, MCXT_ALLOC_HUGE);
	m.offsets = palloc_extended(sizeof(uint64) * ((size_t) m.spec.n_users + 1), MCXT_ALLOC_HUGE);
	m.items = palloc_extended(sizeof(int32) * Max(m.n_pairs, 1), MCXT_ALLOC_HUGE);
	m.params = palloc_extended(sizeof(float) * n_params, MCXT_ALLOC_HUGE);
	view = nn_rec_view(&m.spec, m.params);

	for (i = 0; i < (size_t) m.spec.n_users; i++)
		m.user_ids[i] = int_element(need(users, "ids"), (int) i, "users.ids", PG_INT64_MIN, PG_INT64_MAX);
	for (i = 0; i < (size_t) m.spec.n_items; i++)
		m.item_ids[i] = int_element(need(items, "ids"), (int) i, "items.ids", PG_INT64_MIN, PG_INT64_MAX);
	float_matrix(need(users, "embeddings"), m.spec.n_users, dim, view.user, "users.embeddings");
	float_matrix(need(items, "embeddings"), m.spec.n_items, dim, view.item, "items.embeddings");
	v = need(items, "bias");
	if (json_length(v, "items.bias", INT_MAX) != m.spec.n_items)
		bad("\"items.bias\" does not have one number per item");
	for (i = 0; i < (size_t) m.spec.n_items; i++)
		view.bias[i] = float_value(ub_jsonb_array_element(v, (int) i), "items.bias");
	v = need(items, "popularity");
	if (json_length(v, "items.popularity", INT_MAX) != m.spec.n_items)
		bad("\"items.popularity\" does not have one count per item");
	for (i = 0; i < (size_t) m.spec.n_items; i++)
		m.popularity[i] = (uint32) int_element(v, (int) i, "items.popularity", 0, PG_UINT32_MAX);
	v = need(seen, "offsets");
	if (json_length(v, "seen.offsets", INT_MAX) != m.spec.n_users + 1)
		bad("\"seen.offsets\" does not have one more element than there are users");
	for (i = 0; i <= (size_t) m.spec.n_users; i++)
		m.offsets[i] = (uint64) int_element(v, (int) i, "seen.offsets", 0, NN_REC_MAX_PAIRS);
	v = need(seen, "item_indices");
	for (i = 0; i < m.n_pairs; i++)
		m.items[i] = (int32) int_element(v, (int) i, "seen.item_indices", 0, m.spec.n_items - 1);

	bytes = palloc_extended(size + VARHDRSZ, MCXT_ALLOC_HUGE);
	SET_VARSIZE(bytes, size + VARHDRSZ);
	/* the core validates the rest: ids ascending, the CSR within bounds and sorted */
	status = nn_rec_serialize(&m, (unsigned char *) VARDATA(bytes), size);
	if (status == NN_ERR_FORMAT)
		bad("the ids are not ascending, or the seen items are not a sorted CSR of the users");
	ub_check_nn_status(status, "storing the imported recommender");

	names[0] = o.user_column ? o.user_column : "user";
	names[1] = o.item_column ? o.item_column : "item";
	nv.name = name;
	nv.task = "recommender";
	nv.target = names[1];
	nv.preprocessing = ub_rec_preprocessing_jsonb(&m);
	nv.feature_names = ub_text_array(names, 2);
	nv.feature_types = ub_text_array(ftypes, 2);
	nv.class_labels = (Datum) 0;
	nv.metrics = jsonb_of(need(root, "metrics"));
	nv.training_log = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("[]")));
	nv.weights = bytes;
	nv.training_query = psprintf("-- imported from version %d of model %s",
								 (int) ub_jsonb_number(need(root, "version"), "version"),
								 ub_jsonb_string(need(root, "name"), "name"));
	nv.rows_used = (int64) m.n_pairs;
	nv.deploy = true;
	SPI_connect();
	version = ub_catalog_store(&nv);
	SPI_finish();
	return version;
}
