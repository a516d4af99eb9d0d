/*
 * eval_recommender.c: ubehav_evaluate_recommender, leave-last-out. Each user's latest new item of the
 * query is held out; a private copy of the model is trained with the deployed version's options on
 * the rest; the whole item catalogue is ranked for each user, the user's training items excluded,
 * and the same is done by item popularity (training users per item) as the baseline.
 */
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

#include "catalog_read.h"
#include "catalog_schema.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "model.h"
#include "model_recommender.h"

PG_FUNCTION_INFO_V1(ubehav_evaluate_recommender);

#define REC_MAX_EVAL_K 10000

typedef struct RankStats
{
	double		hits;
	double		ndcg;
	bool	   *recommended;	/* n_items: in some user's top K */
} RankStats;

static void
count_hit(RankStats *s, const NnRecHit *hits, size_t got, int32 target)
{
	size_t		r;

	for (r = 0; r < got; r++)
	{
		s->recommended[hits[r].index] = true;
		if (hits[r].index == target)
		{
			s->hits += 1.0;
			s->ndcg += 1.0 / log2((double) r + 2.0);
		}
	}
}

static void
stats_to_jsonb(UbJsonbBuilder *b, const char *name, const RankStats *s, size_t users, int32 n_items, int k)
{
	size_t		covered = 0;
	int32		i;

	for (i = 0; i < n_items; i++)
		covered += s->recommended[i];
	ub_jb_key(b, name);
	ub_jb_object_begin(b);
	ub_jb_kv_float8(b, psprintf("hr@%d", k), users ? s->hits / users : NAN);
	ub_jb_kv_float8(b, psprintf("ndcg@%d", k), users ? s->ndcg / users : NAN);
	/* one held-out item per user: recall@K is the hit rate */
	ub_jb_kv_float8(b, psprintf("recall@%d", k), users ? s->hits / users : NAN);
	ub_jb_kv_float8(b, "coverage", (double) covered / n_items);
	ub_jb_object_end(b);
}

/*
 * Rank each held-out pair's user with the model and with popularity (the most popular items the
 * user has not had, in the order a cold user gets), counting hits into the two stats.
 */
static void
rank_held_out(UbRecModel *r, const UbRecInteractions *in, const bool *held, int32 k, RankStats *model_stats,
			  RankStats *pop_stats, size_t *users, size_t *unseen_items)
{
	NnRecHit   *pop_hits = palloc(sizeof(NnRecHit) * Min(k, r->m.spec.n_items));
	size_t		p;

	for (p = 0; p < in->n_pairs; p++)
	{
		int32		u,
					target;
		size_t		got,
					n_seen,
					s,
					j;
		const int32 *seen;

		if (!held[p])
			continue;
		CHECK_FOR_INTERRUPTS();
		u = nn_rec_find_id(r->m.user_ids, r->m.spec.n_users, in->pairs[p].user);
		target = nn_rec_find_id(r->m.item_ids, r->m.spec.n_items, in->pairs[p].item);
		/* a held-out user keeps at least one training item, so is known; a guard all the same */
		if (u < 0)
			continue;
		(*users)++;
		if (target < 0)
			(*unseen_items)++;
		got = ub_rec_top(r, u, (size_t) k, true);
		count_hit(model_stats, r->hits, got, target);

		seen = ub_rec_seen(r, u, &n_seen);
		for (j = 0, got = 0; j < (size_t) r->m.spec.n_items && got < (size_t) k; j++)
		{
			int32		item = r->by_popularity[j];
			bool		had = false;
			size_t		lo = 0,
						hi = n_seen;

			while (lo < hi)
			{
				s = lo + (hi - lo) / 2;
				if (seen[s] < item)
					lo = s + 1;
				else if (seen[s] > item)
					hi = s;
				else
				{
					had = true;
					break;
				}
			}
			if (had)
				continue;
			pop_hits[got].index = item;
			pop_hits[got++].score = r->m.popularity[item];
		}
		count_hit(pop_stats, pop_hits, got, target);
	}
	pfree(pop_hits);
}

/* ubehav_evaluate_recommender(model, query, k) */
Datum
ubehav_evaluate_recommender(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *query;
	int32		k;
	MemoryContext caller_cxt = CurrentMemoryContext,
				cxt;
	UbVersionRef ref;
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	bool		isnull;
	char	   *task;
	UbRecOptions o;
	UbRecInteractions *in;
	bool	   *held;
	size_t		n_held,
				users = 0,
				unseen_items = 0;
	UbRecTrained tr;
	UbRecModel	r;
	RankStats	model_stats,
				pop_stats;
	StringInfoData opts;
	UbJsonbBuilder b;
	instr_time	start,
				elapsed;
	Jsonb	   *result;

	ub_require_args(fcinfo, 0);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	k = PG_GETARG_INT32(2);
	if (k < 1 || k > REC_MAX_EVAL_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d, not %d", REC_MAX_EVAL_K, k)));
	INSTR_TIME_SET_CURRENT(start);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav recommender evaluation", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	ref = ub_catalog_deployed_version(name);
	args[0] = CStringGetTextDatum(name);
	args[1] = Int32GetDatum(ref.version);
	if (ub_catalog_spi(psprintf("SELECT task, options FROM %s WHERE name OPERATOR(pg_catalog.=) $1 "
									   "AND version OPERATOR(pg_catalog.=) $2", ub_catalog_table()),
							  2, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the ubehav_models catalog");
	task = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (strcmp(task, "recommender") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" is a %s model, not a recommender", name, task),
				 errhint("Evaluate it with ubehav_evaluate.")));
	MemoryContextSwitchTo(cxt);
	ub_rec_options_parse(DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)), &o);

	in = ub_rec_read(query, &o, "evaluation");
	MemoryContextSwitchTo(cxt);
	held = palloc_extended(sizeof(bool) * Max(in->n_pairs, 1), MCXT_ALLOC_HUGE);
	n_held = ub_rec_hold_out_latest(in, held);
	if (n_held == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no user of the evaluation query has two distinct items to hold one out"),
				 errhint("Leave-last-out needs users with at least two interactions.")));
	ub_rec_train(in, held, &o, &tr);

	memset(&r, 0, sizeof(r));
	r.mcxt = cxt;
	r.m = tr.model;
	ub_rec_prepare(&r);
	model_stats.hits = model_stats.ndcg = 0.0;
	pop_stats = model_stats;
	model_stats.recommended = palloc0(sizeof(bool) * r.m.spec.n_items);
	pop_stats.recommended = palloc0(sizeof(bool) * r.m.spec.n_items);
	rank_held_out(&r, in, held, k, &model_stats, &pop_stats, &users, &unseen_items);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	/* the options' writer (data_interactions.c) still writes JSON text */
	initStringInfo(&opts);
	ub_rec_options_json(&opts, &o);
	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_string(&b, "model", name);
	ub_jb_kv_int64(&b, "version", ref.version);
	ub_jb_kv_string(&b, "protocol", "leave-last-out");
	ub_jb_kv_int64(&b, "k", k);
	ub_jb_kv_uint64(&b, "users", users);
	ub_jb_kv_int64(&b, "items", r.m.spec.n_items);
	ub_jb_kv_uint64(&b, "training_interactions", r.m.n_pairs);
	ub_jb_kv_uint64(&b, "held_out_items_unseen_in_training", unseen_items);
	stats_to_jsonb(&b, "recommender", &model_stats, users, r.m.spec.n_items, k);
	stats_to_jsonb(&b, "popularity", &pop_stats, users, r.m.spec.n_items, k);
	ub_jb_kv_jsonb(&b, "options", ub_json_to_jsonb(&opts));
	ub_jb_kv_float8(&b, "milliseconds", INSTR_TIME_GET_MILLISEC(elapsed));
	ub_jb_object_end(&b);
	MemoryContextSwitchTo(caller_cxt);
	result = ub_jb_finish(&b);
	SPI_finish();
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}
