/* train_recommender.c: ubehav_train_recommender, from an interactions query to a deployed catalog version. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "catalog_schema.h"
#include "catalog_write.h"
#include "data_query.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "model.h"
#include "model_recommender.h"
#include "nn_error.h"
#include "train_pipeline.h"

PG_FUNCTION_INFO_V1(ubehav_train_recommender);

/* SGD steps between interrupt checks */
#define REC_STEPS_PER_CHECK 65536

/* Drop the repeats of ascending v in place; their count in *n_out. */
static int64 *
distinct_sorted(int64 *v, size_t n, int32 *n_out)
{
	size_t		i,
				k = 0;

	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*n_out = (int32) k;
	return v;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

/* SGD over the training pairs for o->epochs epochs; the per-epoch log into out->log. */
static void
run_epochs(NnRecModel *m, const NnRecPairs *pairs, const UbRecOptions *o, UbRecTrained *out)
{
	NnRecSgd	sgd;
	NnRng		rng;
	float	   *scratch;
	int			e;
	size_t		n_train = m->n_pairs;
	UbJsonbBuilder log;

	sgd.learning_rate = o->learning_rate;
	sgd.reg = o->regularization;
	sgd.negatives = o->negatives;
	sgd.by_pair = o->sampling;
	nn_rng_seed(&rng, (uint64) o->seed);
	nn_rec_init(&m->spec, m->params, 0.1, &rng);
	scratch = palloc(sizeof(float) * 3 * o->factors);

	ub_jb_init(&log);
	ub_jb_array_begin(&log);
	for (e = 0; e < o->epochs; e++)
	{
		instr_time	start,
					elapsed;
		size_t		done = 0;
		double		loss_sum = 0.0;

		INSTR_TIME_SET_CURRENT(start);
		/* linear decay to a tenth of the rate: large steps first, fine ones at the end */
		sgd.learning_rate = o->learning_rate * (1.0 - 0.9 * e / Max(o->epochs - 1, 1));
		while (done < n_train)
		{
			size_t		steps = Min((size_t) REC_STEPS_PER_CHECK, n_train - done);
			double		loss;

			CHECK_FOR_INTERRUPTS();
			ub_check_nn_status(nn_rec_sgd_epoch(&m->spec, m->params, pairs, &sgd, steps, &rng, scratch, &loss),
							   "training the recommender");
			loss_sum += loss * steps;
			done += steps;
		}
		out->final_loss = loss_sum / (double) n_train;
		if (!isfinite(out->final_loss))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the recommender's training diverged in epoch %d", e + 1),
					 errhint("Lower \"learning_rate\" (now %g).", o->learning_rate)));
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		ub_jb_object_begin(&log);
		ub_jb_kv_int64(&log, "epoch", e + 1);
		ub_jb_kv_float8(&log, "loss", out->final_loss);
		ub_jb_kv_float8(&log, "learning_rate", sgd.learning_rate);
		ub_jb_kv_float8(&log, "ms", INSTR_TIME_GET_MILLISEC(elapsed));
		ub_jb_object_end(&log);
	}
	ub_jb_array_end(&log);
	out->log = ub_jb_finish(&log);
	pfree(scratch);
}

void
ub_rec_train(const UbRecInteractions *in, const bool *held_out, const UbRecOptions *o, UbRecTrained *out)
{
	NnRecModel *m = &out->model;
	size_t		n_train = 0,
				p,
				q,
				n_params;
	int64	   *users,
			   *items;
	float	   *weights;
	int32		n_users,
				n_items,
				u;
	NnRecPairs	pairs;
	double		mean_conf = 0.0;

	for (p = 0; p < in->n_pairs; p++)
		n_train += !(held_out && held_out[p]);
	if (n_train == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query returned no interaction to train on"),
				 errdetail("%lld rows were read, %lld of them skipped (a NULL user, item, weight or time, or a weight that is not positive).",
						   (long long) (in->rows_used + in->rows_skipped), (long long) in->rows_skipped)));
	ub_check_training_memory_for(CurrentMemoryContext, n_train * (2 * sizeof(int64) + sizeof(int32) + sizeof(float)),
								 "indexing the interactions");

	/* users and items of the training pairs, ascending */
	users = palloc_extended(sizeof(int64) * n_train, MCXT_ALLOC_HUGE);
	items = palloc_extended(sizeof(int64) * n_train, MCXT_ALLOC_HUGE);
	for (p = 0, q = 0; p < in->n_pairs; p++)
		if (!(held_out && held_out[p]))
		{
			users[q] = in->pairs[p].user;
			items[q++] = in->pairs[p].item;
		}
	/* pairs are sorted by user already; items need their own sort */
	distinct_sorted(users, n_train, &n_users);
	qsort(items, n_train, sizeof(int64), cmp_int64);
	distinct_sorted(items, n_train, &n_items);
	if (n_items < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the interactions have %d distinct item; a recommender needs at least 2", n_items)));

	m->spec.n_users = n_users;
	m->spec.n_items = n_items;
	m->spec.dim = o->factors;
	m->n_pairs = n_train;
	ub_check_nn_status(nn_rec_param_count(&m->spec, &n_params), "sizing the recommender");
	ub_check_training_memory_for(CurrentMemoryContext, n_params * sizeof(float) * 2, "the recommender's parameters");
	m->user_ids = users;
	m->item_ids = items;
	m->popularity = palloc0(sizeof(uint32) * n_items);
	m->offsets = palloc0(sizeof(uint64) * ((size_t) n_users + 1));
	m->items = palloc_extended(sizeof(int32) * n_train, MCXT_ALLOC_HUGE);
	weights = palloc_extended(sizeof(float) * n_train, MCXT_ALLOC_HUGE);
	m->params = palloc_extended(sizeof(float) * n_params, MCXT_ALLOC_HUGE);

	/* CSR: the pairs are sorted by (user, item), so each row comes out ascending */
	for (p = 0, q = 0, u = -1; p < in->n_pairs; p++)
	{
		const UbRecPair *pr = &in->pairs[p];
		int32		i;

		if (held_out && held_out[p])
			continue;
		while (u < 0 || users[u] != pr->user)
			m->offsets[++u] = q;
		i = nn_rec_find_id(items, n_items, pr->item);
		m->items[q] = i;
		m->popularity[i]++;
		/* confidence log2(1 + weight): 1 for one plain interaction, slowly growing with more */
		weights[q] = (float) Min(log1p(pr->weight) / M_LN2, 20.0);
		mean_conf += weights[q];
		q++;
	}
	while (u < n_users)
		m->offsets[++u] = q;
	mean_conf /= (double) n_train;
	/* normalized to mean 1, so the learning rate means the same whatever the weights' units */
	for (p = 0; p < n_train; p++)
		weights[p] = (float) (weights[p] / mean_conf);

	pairs.n_users = n_users;
	pairs.n_items = n_items;
	pairs.offsets = m->offsets;
	pairs.items = m->items;
	pairs.weights = weights;
	run_epochs(m, &pairs, o, out);
	pfree(weights);
}

Jsonb *
ub_rec_preprocessing_jsonb(const NnRecModel *m)
{
	UbJsonbBuilder b;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_string(&b, "kind", "recommender");
	ub_jb_kv_int64(&b, "users", m->spec.n_users);
	ub_jb_kv_int64(&b, "items", m->spec.n_items);
	ub_jb_kv_uint64(&b, "interactions", m->n_pairs);
	ub_jb_kv_int64(&b, "factors", m->spec.dim);
	ub_jb_kv_string(&b, "cold_start", "popularity");
	ub_jb_kv_int64(&b, "format_version", NN_REC_FORMAT_VERSION);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

static Jsonb *
rec_metrics(const UbRecTrained *tr)
{
	UbJsonbBuilder b;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_float8(&b, "training_loss", tr->final_loss);
	ub_jb_kv_int64(&b, "users", tr->model.spec.n_users);
	ub_jb_kv_int64(&b, "items", tr->model.spec.n_items);
	ub_jb_kv_uint64(&b, "interactions", tr->model.n_pairs);
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

/* A model name already used by another kind of model cannot get recommender versions. */
static void
check_kind(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	char	   *task;

	if (ub_catalog_spi(psprintf("SELECT task FROM %s WHERE name OPERATOR(pg_catalog.=) $1 ORDER BY version DESC LIMIT 1",
									   ub_catalog_table()), 1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		return;
	task = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (strcmp(task, "recommender") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" is a %s model, not a recommender", name, task),
				 errhint("Train the recommender under another name.")));
}

/* ubehav_train_recommender(model, query, options): train, store, deploy, return a summary. */
Datum
ubehav_train_recommender(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext,
				cxt;
	char	   *model,
			   *query;
	UbRecOptions o;
	UbRecInteractions *in;
	UbRecTrained tr;
	instr_time	start,
				elapsed;
	size_t		size;
	bytea	   *bytes;
	StringInfoData opts_text;
	Jsonb	   *opts,
			   *metrics;
	UbJsonbBuilder summary;
	UbNewVersion v;
	char	   *names[2],
			   *types[2] = {"user", "item"};
	int32		version;
	double		training_ms;
	Jsonb	   *result;

	ub_require_args(fcinfo, 0);
	model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ub_check_model_name(model);
	ub_check_writable("ubehav_train_recommender");
	ub_rec_options_parse(PG_GETARG_JSONB_P(2), &o);

	INSTR_TIME_SET_CURRENT(start);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav recommender training", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	check_kind(model);
	MemoryContextSwitchTo(cxt);
	in = ub_rec_read(query, &o, "training");
	MemoryContextSwitchTo(cxt);
	/* the columns as found, so a retrain reads the same ones even if the query's order changes */
	o.user_column = in->user_column;
	o.item_column = in->item_column;
	o.weight_column = in->weight_column;
	o.time_column = in->time_column;
	ub_rec_train(in, NULL, &o, &tr);

	ub_check_nn_status(nn_rec_serialized_size(&tr.model.spec, tr.model.n_pairs, &size), "sizing the recommender's bytes");
	if (size > MaxAllocHugeSize - VARHDRSZ || size > (size_t) 1024 * 1024 * 1024 - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the recommender would take %zu MB, beyond the 1 GB of a bytea value", size / (1024 * 1024)),
				 errhint("Use fewer \"factors\", or fewer users or items.")));
	bytes = palloc_extended(size + VARHDRSZ, MCXT_ALLOC_HUGE);
	SET_VARSIZE(bytes, size + VARHDRSZ);
	ub_check_nn_status(nn_rec_serialize(&tr.model, (unsigned char *) VARDATA(bytes), size), "storing the recommender");

	/* the options' writer (data_interactions.c) still writes JSON text */
	initStringInfo(&opts_text);
	ub_rec_options_json(&opts_text, &o);
	opts = ub_json_to_jsonb(&opts_text);
	metrics = rec_metrics(&tr);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	training_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	names[0] = in->user_column;
	names[1] = in->item_column;
	memset(&v, 0, sizeof(v));
	v.name = model;
	v.task = "recommender";
	v.target = in->item_column;
	v.options = opts;
	v.preprocessing = ub_rec_preprocessing_jsonb(&tr.model);
	v.feature_names = ub_text_array(names, 2);
	v.feature_types = ub_text_array(types, 2);
	v.class_labels = (Datum) 0;
	v.metrics = metrics;
	v.training_log = tr.log;
	v.weights = bytes;
	v.training_query = query;
	v.rows_used = in->rows_used;
	v.rows_skipped = in->rows_skipped;
	v.training_ms = training_ms;
	v.deploy = true;
	version = ub_catalog_store(&v);

	ub_jb_init(&summary);
	ub_jb_object_begin(&summary);
	ub_jb_kv_string(&summary, "model", model);
	ub_jb_kv_int64(&summary, "version", version);
	ub_jb_kv_bool(&summary, "deployed", true);
	ub_jb_kv_string(&summary, "task", "recommender");
	ub_jb_kv_int64(&summary, "rows_used", in->rows_used);
	ub_jb_kv_int64(&summary, "rows_skipped", in->rows_skipped);
	ub_jb_kv_int64(&summary, "users", tr.model.spec.n_users);
	ub_jb_kv_int64(&summary, "items", tr.model.spec.n_items);
	ub_jb_kv_uint64(&summary, "interactions", tr.model.n_pairs);
	ub_jb_kv_int64(&summary, "factors", tr.model.spec.dim);
	ub_jb_kv_jsonb(&summary, "options", opts);
	ub_jb_kv_jsonb(&summary, "metrics", metrics);
	ub_jb_kv_uint64(&summary, "model_bytes", size);
	ub_jb_kv_float8(&summary, "training_ms", training_ms);
	ub_jb_object_end(&summary);
	MemoryContextSwitchTo(caller_cxt);
	result = ub_jb_finish(&summary);
	SPI_finish();
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}
