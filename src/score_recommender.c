/*
 * score_recommender.c: ubehav_recommend and ubehav_recommend_score. The deployed version is resolved once
 * per query and call site (fn_extra); decoded recommenders are kept per backend, keyed by
 * (name, version, row xmin, role), least recently used out first, so scoring never touches the
 * catalog per row and a retrain is seen by the next query.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "catalog_read.h"
#include "catalog_schema.h"
#include "model.h"
#include "model_recommender.h"
#include "nn_error.h"
#include "ubehav.h"

PG_FUNCTION_INFO_V1(ubehav_recommend);
PG_FUNCTION_INFO_V1(ubehav_recommend_score);

UbRecModel *
ub_rec_decode(bytea *weights, const char *what, MemoryContext parent)
{
	MemoryContext mcxt = AllocSetContextCreate(parent, "ubehav recommender", ALLOCSET_DEFAULT_SIZES),
				old = MemoryContextSwitchTo(mcxt);
	UbRecModel *r = palloc0(sizeof(UbRecModel));
	const unsigned char *buf = (const unsigned char *) VARDATA_ANY(weights);
	size_t		size = VARSIZE_ANY_EXHDR(weights),
				n_params;
	int32		n;

	r->mcxt = mcxt;
	ub_check_nn_status(nn_rec_deserialize_header(buf, size, &r->m.spec, &r->m.n_pairs), what);
	nn_rec_param_count(&r->m.spec, &n_params);
	n = r->m.spec.n_items;
	r->m.user_ids = palloc_extended(sizeof(int64) * r->m.spec.n_users, MCXT_ALLOC_HUGE);
	r->m.item_ids = palloc_extended(sizeof(int64) * n, MCXT_ALLOC_HUGE);
	r->m.popularity = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	r->m.offsets = palloc_extended(sizeof(uint64) * ((size_t) r->m.spec.n_users + 1), MCXT_ALLOC_HUGE);
	r->m.items = palloc_extended(sizeof(int32) * Max(r->m.n_pairs, 1), MCXT_ALLOC_HUGE);
	r->m.params = palloc_extended(sizeof(float) * n_params, MCXT_ALLOC_HUGE);
	nn_rec_deserialize(buf, size, &r->m);
	ub_rec_prepare(r);
	MemoryContextSwitchTo(old);
	return r;
}

void
ub_rec_prepare(UbRecModel *r)
{
	MemoryContext old = MemoryContextSwitchTo(r->mcxt);
	NnRecView	view = nn_rec_view(&r->m.spec, r->m.params);
	int32		i,
				n = r->m.spec.n_items;

	r->item_t = palloc_extended(sizeof(float) * (size_t) n * r->m.spec.dim, MCXT_ALLOC_HUGE);
	nn_rec_transpose_items(r->item_t, view.item, n, r->m.spec.dim);
	r->scores = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);

	/* cold users: most training users first, ties by item id (index order) */
	r->cold_item_score = view.bias[0];
	r->max_popularity = 0;
	for (i = 0; i < n; i++)
	{
		r->max_popularity = Max(r->max_popularity, r->m.popularity[i]);
		r->cold_item_score = Min(r->cold_item_score, (double) view.bias[i]);
	}
	{
		NnRecHit   *all = palloc_extended(sizeof(NnRecHit) * n, MCXT_ALLOC_HUGE);
		double	   *pop = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
		size_t		got;

		for (i = 0; i < n; i++)
			pop[i] = r->m.popularity[i];
		got = nn_rec_topk(all, pop, n, (size_t) n, NULL, 0);
		r->by_popularity = palloc_extended(sizeof(int32) * n, MCXT_ALLOC_HUGE);
		for (i = 0; i < (int32) got; i++)
			r->by_popularity[i] = all[i].index;
		pfree(all);
		pfree(pop);
	}
	MemoryContextSwitchTo(old);
}

/* the documented cold-start score of an unseen user: the share of training users who had the item */
static inline double
popularity_score(const UbRecModel *r, int32 i)
{
	return (double) r->m.popularity[i] / (double) r->m.spec.n_users;
}

double
ub_rec_pair_score(const UbRecModel *r, int32 u, int32 i)
{
	if (i < 0)
		return u < 0 ? 0.0 : r->cold_item_score;
	if (u < 0)
		return popularity_score(r, i);
	return nn_rec_score(&r->m.spec, r->m.params, u, i);
}

size_t
ub_rec_top(UbRecModel *r, int32 u, size_t k, bool exclude_seen)
{
	int32		n = r->m.spec.n_items;
	size_t		got,
				i;

	k = Min(k, (size_t) n);
	if (k > r->hits_capacity)
	{
		r->hits = r->hits ? repalloc_huge(r->hits, sizeof(NnRecHit) * k)
			: MemoryContextAllocHuge(r->mcxt, sizeof(NnRecHit) * k);
		r->hits_capacity = k;
	}
	if (u < 0)
	{
		/* an unseen user has nothing to exclude */
		for (i = 0; i < k; i++)
		{
			r->hits[i].index = r->by_popularity[i];
			r->hits[i].score = popularity_score(r, r->by_popularity[i]);
		}
		return k;
	}
	{
		NnRecView	view = nn_rec_view(&r->m.spec, r->m.params);
		size_t		n_seen = 0;
		const int32 *seen = exclude_seen ? ub_rec_seen(r, u, &n_seen) : NULL;

		nn_rec_score_all(r->scores, view.user + (size_t) u * r->m.spec.dim, r->item_t, view.bias, n, r->m.spec.dim);
		got = nn_rec_topk(r->hits, r->scores, n, k, seen, n_seen);
	}
	return got;
}

/* ---- the per-backend cache ---- */
typedef struct RecCacheEntry
{
	UbRecModel *model;
	uint64		last_used;
} RecCacheEntry;

#define REC_CACHE_SLOTS 64
static MemoryContext rec_cache_cxt = NULL;
static RecCacheEntry rec_cache[REC_CACHE_SLOTS];
static int	rec_cache_n = 0;
static uint64 rec_cache_tick = 0;
static uint64 rec_cache_epoch = 0;

static void
rec_cache_remove(int i)
{
	MemoryContextDelete(rec_cache[i].model->mcxt);
	rec_cache[i] = rec_cache[--rec_cache_n];
	rec_cache_epoch++;
}

/* Decode version ref of name from the catalog (SPI connected). */
static UbRecModel *
rec_load(const char *name, UbVersionRef ref, MemoryContext parent)
{
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2] = {CStringGetTextDatum(name), Int32GetDatum(ref.version)};
	char	   *sql = psprintf("SELECT task, weights FROM %s WHERE name OPERATOR(pg_catalog.=) $1 "
							   "AND version OPERATOR(pg_catalog.=) $2", ub_catalog_table());
	bool		isnull;
	char	   *task;
	UbRecModel *r;

	if (ub_catalog_spi(sql, 2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no version %d", name, ref.version)));
	task = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (strcmp(task, "recommender") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" is a %s model, not a recommender", name, task),
				 errhint("Score it with ubehav_predict; train a recommender with ubehav_train_recommender.")));
	r = ub_rec_decode(DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
					  psprintf("decoding recommender \"%s\" version %d", name, ref.version), parent);
	r->name = MemoryContextStrdup(r->mcxt, name);
	r->version = ref.version;
	r->row_xmin = ref.row_xmin;
	r->loaded_by = GetUserId();
	return r;
}

static UbRecModel *
rec_cache_get(const char *name, UbVersionRef ref)
{
	int			i;
	UbRecModel *r;

	for (i = 0; i < rec_cache_n; i++)
	{
		UbRecModel *m = rec_cache[i].model;

		if (m->version == ref.version && m->loaded_by == GetUserId() && strcmp(m->name, name) == 0)
		{
			if (m->row_xmin == ref.row_xmin)
			{
				rec_cache[i].last_used = ++rec_cache_tick;
				return m;
			}
			rec_cache_remove(i);
			break;
		}
	}
	if (rec_cache_cxt == NULL)
		rec_cache_cxt = AllocSetContextCreate(TopMemoryContext, "ubehav recommender cache", ALLOCSET_SMALL_SIZES);
	/* decoded under SPI's transient context, adopted only on success so an error leaks nothing */
	SPI_connect();
	r = rec_load(name, ref, CurrentMemoryContext);
	MemoryContextSetParent(r->mcxt, rec_cache_cxt);
	SPI_finish();
	while (rec_cache_n > 0 && (rec_cache_n >= Min(ub_model_cache_size, REC_CACHE_SLOTS) || rec_cache_n >= REC_CACHE_SLOTS))
	{
		int			victim = 0;

		for (i = 1; i < rec_cache_n; i++)
			if (rec_cache[i].last_used < rec_cache[victim].last_used)
				victim = i;
		rec_cache_remove(victim);
	}
	rec_cache[rec_cache_n].model = r;
	rec_cache[rec_cache_n].last_used = ++rec_cache_tick;
	rec_cache_n++;
	return r;
}

/* What a call site keeps for the query. */
typedef struct RecState
{
	text	   *name;
	char	   *name_cstr;
	UbVersionRef ref;
	UbRecModel *model;
	uint64		epoch;
} RecState;

static UbRecModel *
rec_state(FunctionCallInfo fcinfo)
{
	RecState   *st = fcinfo->flinfo->fn_extra;
	text	   *name = PG_GETARG_TEXT_PP(0);
	MemoryContext old;

	if (st == NULL || VARSIZE_ANY_EXHDR(st->name) != VARSIZE_ANY_EXHDR(name) ||
		memcmp(VARDATA_ANY(st->name), VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) != 0)
	{
		/* a new state, installed only once resolved: an error leaves no half-set one behind */
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		st = palloc0(sizeof(RecState));
		st->name = (text *) pg_detoast_datum_copy((struct varlena *) name);
		st->name_cstr = text_to_cstring(st->name);
		MemoryContextSwitchTo(old);
		SPI_connect();
		st->ref = ub_catalog_deployed_version(st->name_cstr);
		SPI_finish();
		st->model = rec_cache_get(st->name_cstr, st->ref);
		st->epoch = rec_cache_epoch;
		fcinfo->flinfo->fn_extra = st;
	}
	else if (st->epoch != rec_cache_epoch)
	{
		st->model = rec_cache_get(st->name_cstr, st->ref);
		st->epoch = rec_cache_epoch;
	}
	return st->model;
}

/* ubehav_recommend(model, user_id, k, exclude_seen): TABLE (item, score, rank). */
Datum
ubehav_recommend(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		user = PG_GETARG_INT64(1);
	int32		k = PG_GETARG_INT32(2);
	bool		exclude_seen = PG_GETARG_BOOL(3);
	UbRecModel *r;
	size_t		got,
				i;
	int32		u;

	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must not be negative, not %d", k)));
	r = rec_state(fcinfo);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (k == 0)
		return (Datum) 0;
	u = nn_rec_find_id(r->m.user_ids, r->m.spec.n_users, user);
	got = ub_rec_top(r, u, (size_t) k, exclude_seen);
	for (i = 0; i < got; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(r->m.item_ids[r->hits[i].index]);
		values[1] = Float8GetDatum(r->hits[i].score);
		values[2] = Int32GetDatum((int32) i + 1);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ubehav_recommend_score(model, user_id, item): the model's score of a pair, fallbacks for unseen ones. */
Datum
ubehav_recommend_score(PG_FUNCTION_ARGS)
{
	UbRecModel *r = rec_state(fcinfo);
	int32		u = nn_rec_find_id(r->m.user_ids, r->m.spec.n_users, PG_GETARG_INT64(1));
	int32		i = nn_rec_find_id(r->m.item_ids, r->m.spec.n_items, PG_GETARG_INT64(2));

	PG_RETURN_FLOAT8(ub_rec_pair_score(r, u, i));
}
