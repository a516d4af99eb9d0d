/*
 * model_fit_parallel.c: ubehav_fit and ubehav_fit_from in PostgreSQL's parallel aggregation.
 *
 * The combine step concatenates the partial states' rows and the final function trains on all of
 * them, once: the model is the one the serial aggregate would train on the same rows, except for
 * their order. The order in which partial states reach the leader is not fixed, so a combined
 * state's rows are first put in a canonical order (ub_fit_state_canonical_order): the parallel
 * model is then the same whatever the worker count and arrival order. (Training partial models in
 * the workers and averaging them would make each worker's model see a fraction of the rows per
 * epoch and change the model with the worker count; ubehav_merge_models does that across
 * servers, where the rows cannot travel.)
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "fn_args.h"
#include "model_value.h"
#include "nn/mlp.h"
#include "data_string_dict.h"

#define UB_FIT_STATE_MAGIC 0x55424653	/* "UBFS" */

static UbRawColumn *
features_of(const FitState *st)
{
	return &st->ds->columns[0];
}

/* Room for rows more rows in ds's target arrays and feature chunks. */
static void
reserve_rows(UbDataset *ds, size_t rows)
{
	MemoryContext cxt = GetMemoryChunkContext(ds);
	size_t		need = ds->n_rows + rows;

	if (need > PG_UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ubehav_fit got %zu rows; at most %u are supported", need, PG_UINT32_MAX),
				 errhint("Train on a sample, for example with TABLESAMPLE.")));
	ub_chunks_reserve(&ds->columns[0].values, need);
	if (need <= ds->capacity)
		return;
	if (ds->target.kind == UB_KIND_CATEGORICAL)
		ds->target_codes = ds->target_codes ? repalloc_huge(ds->target_codes, need * sizeof(int32)) :
			MemoryContextAllocHuge(cxt, need * sizeof(int32));
	else
		ds->target_values = ds->target_values ? repalloc_huge(ds->target_values, need * sizeof(double)) :
			MemoryContextAllocHuge(cxt, need * sizeof(double));
	ds->capacity = need;
}

/* Give a feature column still of width 0 (only NULL arrays so far) the width of the other side. */
static void
match_width(UbRawColumn *col, size_t n_rows, int width)
{
	size_t		r;
	int			k;

	if (col->width == width || width == 0)
		return;
	if (col->width != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("column \"features\" holds arrays of length %d and %d", col->width, width),
				 errhint("Every row must hold an array of the same length; use NULL for a missing array.")));
	col->width = width;
	ub_chunks_set_width(&col->values, width);
	ub_chunks_reserve(&col->values, n_rows);
	for (r = 0; r < n_rows; r++)
		for (k = 0; k < width; k++)
			ub_chunks_row(&col->values, r)[k] = get_float4_nan();
}

/* Append the rows of src to dst (labels recoded into dst's dictionary). */
static void
append_state(FitState *dst, const FitState *src)
{
	UbDataset  *d = dst->ds;
	const UbDataset *s = src->ds;
	UbRawColumn *df = features_of(dst);
	const UbRawColumn *sf = features_of(src);
	size_t		r;
	int			width;

	if (d->target.kind != s->target.kind || dst->label_type != src->label_type)
		elog(ERROR, "ubehav_fit partial states of different label types");
	match_width(df, d->n_rows, sf->width);
	width = df->width;
	reserve_rows(d, s->n_rows);
	for (r = 0; r < s->n_rows; r++)
	{
		size_t		to = d->n_rows + r;

		if (width > 0)
		{
			float	   *row = ub_chunks_row(&df->values, to);

			if (sf->width == 0)
			{
				int			k;

				for (k = 0; k < width; k++)
					row[k] = get_float4_nan();
			}
			else
				memcpy(row, ub_chunks_row(&sf->values, r), sizeof(float) * width);
		}
		if (d->target.kind == UB_KIND_CATEGORICAL)
		{
			const char *label = s->target.dict->strings[s->target_codes[r]];

			d->target_codes[to] = ub_dict_code(d->target.dict, label, strlen(label));
		}
		else
			d->target_values[to] = s->target_values[r];
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	d->n_rows += s->n_rows;
	d->n_skipped += s->n_skipped;
	df->null_count += sf->null_count;
	ub_check_training_memory(dst->mcxt, d->n_rows);
	if (dst->options == NULL && src->options != NULL)
	{
		dst->options = MemoryContextAlloc(dst->mcxt, VARSIZE(src->options));
		memcpy(dst->options, src->options, VARSIZE(src->options));
	}
	if (dst->init == NULL && src->init != NULL)
	{
		dst->init = MemoryContextAlloc(dst->mcxt, VARSIZE(src->init));
		memcpy(dst->init, src->init, VARSIZE(src->init));
	}
	dst->combined = true;
}

PG_FUNCTION_INFO_V1(ubehav_fit_combine);
Datum
ubehav_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ub_require_aggregate_call(fcinfo, "ubehav_fit");
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = ub_fit_state_new(aggcxt, b->label_type);
	append_state(a, b);
	PG_RETURN_POINTER(a);
}

/* ---- serialization: a header, the options and init values, the label strings, the labels, the features ---- */

static void
put_bytes(StringInfo buf, const void *p, size_t n)
{
	if (n > (size_t) (MaxAllocSize - VARHDRSZ) - (size_t) buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a partial ubehav_fit state passes the 1 GB a parallel worker can send"),
				 errhint("Train without parallel aggregation (SET max_parallel_workers_per_gather = 0) or on a sample.")));
	appendBinaryStringInfo(buf, p, (int) n);
}

static void
put_jsonb(StringInfo buf, const Jsonb *j)
{
	uint32		len = j ? VARSIZE(j) : 0;

	put_bytes(buf, &len, sizeof(len));
	if (j)
		put_bytes(buf, j, len);
}

PG_FUNCTION_INFO_V1(ubehav_fit_serialize);
Datum
ubehav_fit_serialize(PG_FUNCTION_ARGS)
{
	FitState   *st;
	UbDataset  *ds;
	UbRawColumn *f;
	StringInfoData buf;
	uint32		magic = UB_FIT_STATE_MAGIC;
	uint64		n_rows;
	int32		width,
				n_labels = 0,
				kind;
	size_t		r;
	bytea	   *out;

	(void) ub_require_aggregate_call(fcinfo, "ubehav_fit");
	st = (FitState *) PG_GETARG_POINTER(0);
	ds = st->ds;
	f = features_of(st);
	n_rows = ds->n_rows;
	width = f->width;
	kind = ds->target.kind;
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	put_bytes(&buf, &magic, sizeof(magic));
	put_bytes(&buf, &st->label_type, sizeof(Oid));
	put_bytes(&buf, &kind, sizeof(kind));
	put_bytes(&buf, &width, sizeof(width));
	put_bytes(&buf, &n_rows, sizeof(n_rows));
	put_bytes(&buf, &ds->n_skipped, sizeof(int64));
	put_bytes(&buf, &f->null_count, sizeof(int64));
	put_jsonb(&buf, st->options);
	put_jsonb(&buf, st->init);
	if (kind == UB_KIND_CATEGORICAL)
	{
		int			i;

		n_labels = ds->target.dict->n;
		put_bytes(&buf, &n_labels, sizeof(n_labels));
		for (i = 0; i < n_labels; i++)
		{
			uint32		len = strlen(ds->target.dict->strings[i]);

			put_bytes(&buf, &len, sizeof(len));
			put_bytes(&buf, ds->target.dict->strings[i], len);
		}
		put_bytes(&buf, ds->target_codes, sizeof(int32) * n_rows);
	}
	else
		put_bytes(&buf, ds->target_values, sizeof(double) * n_rows);
	for (r = 0; width > 0 && r < n_rows; r++)
		put_bytes(&buf, ub_chunks_row(&f->values, r), sizeof(float) * width);
	out = (bytea *) buf.data;
	SET_VARSIZE(out, buf.len);
	PG_RETURN_BYTEA_P(out);
}

/* A reader over the serialized bytes that fails cleanly on a short or inconsistent state. */
typedef struct Reader
{
	const char *p;
	size_t		left;
} Reader;

static const void *
take(Reader *rd, size_t n)
{
	const void *p = rd->p;

	if (n > rd->left)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("a serialized ubehav_fit state is truncated"),
				 errhint("Partial states come from ubehav_fit's own serialization: do not pass other bytes.")));
	rd->p += n;
	rd->left -= n;
	return p;
}

#define TAKE(rd, var) memcpy(&(var), take((rd), sizeof(var)), sizeof(var))

static Jsonb *
take_jsonb(Reader *rd, MemoryContext mcxt)
{
	uint32		len;
	Jsonb	   *j;

	TAKE(rd, len);
	if (len == 0)
		return NULL;
	if (len < VARHDRSZ)
		take(rd, rd->left + 1);
	j = MemoryContextAlloc(mcxt, len);
	memcpy(j, take(rd, len), len);
	if (VARSIZE(j) != len)
		take(rd, rd->left + 1);
	return j;
}

PG_FUNCTION_INFO_V1(ubehav_fit_deserialize);
Datum
ubehav_fit_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = ub_require_aggregate_call(fcinfo, "ubehav_fit");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	Reader		rd = {VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in)};
	uint32		magic;
	Oid			label_type;
	int32		kind,
				width;
	uint64		n_rows;
	FitState   *st;
	UbDataset  *ds;
	UbRawColumn *f;
	size_t		r;

	TAKE(&rd, magic);
	if (magic != UB_FIT_STATE_MAGIC)
		take(&rd, rd.left + 1);
	TAKE(&rd, label_type);
	TAKE(&rd, kind);
	TAKE(&rd, width);
	TAKE(&rd, n_rows);
	st = ub_fit_state_new(aggcxt, label_type);
	ds = st->ds;
	f = features_of(st);
	if (kind != (int32) ds->target.kind || width < 0 || width > NN_MAX_WIDTH || n_rows > PG_UINT32_MAX)
		take(&rd, rd.left + 1);
	TAKE(&rd, ds->n_skipped);
	TAKE(&rd, f->null_count);
	st->options = take_jsonb(&rd, st->mcxt);
	st->init = take_jsonb(&rd, st->mcxt);
	if (width > 0)
	{
		f->width = width;
		ub_chunks_set_width(&f->values, width);
	}
	reserve_rows(ds, n_rows);
	if (kind == UB_KIND_CATEGORICAL)
	{
		int32		n_labels,
					i;
		const int32 *codes;

		TAKE(&rd, n_labels);
		if (n_labels < 0 || (uint64) n_labels > n_rows)
			take(&rd, rd.left + 1);
		for (i = 0; i < n_labels; i++)
		{
			uint32		len;
			const char *s;

			TAKE(&rd, len);
			s = take(&rd, len);
			if (ub_dict_code(ds->target.dict, s, (int) len) != i)
				take(&rd, rd.left + 1);
		}
		codes = take(&rd, sizeof(int32) * n_rows);
		for (r = 0; r < n_rows; r++)
		{
			memcpy(&ds->target_codes[r], &codes[r], sizeof(int32));
			if (ds->target_codes[r] < 0 || ds->target_codes[r] >= n_labels)
				take(&rd, rd.left + 1);
		}
	}
	else
		memcpy(ds->target_values, take(&rd, sizeof(double) * n_rows), sizeof(double) * n_rows);
	for (r = 0; width > 0 && r < n_rows; r++)
		memcpy(ub_chunks_row(&f->values, r), take(&rd, sizeof(float) * width), sizeof(float) * width);
	if (rd.left != 0)
		take(&rd, rd.left + 1);
	ds->n_rows = n_rows;
	PG_RETURN_POINTER(st);
}

/* ---- the canonical order of a combined state's rows ---- */

typedef struct OrderContext
{
	const UbDataset *ds;
	int			width;
} OrderContext;

static int
compare_rows(const void *pa, const void *pb, void *arg)
{
	const OrderContext *oc = arg;
	const UbDataset *ds = oc->ds;
	uint32		a = *(const uint32 *) pa,
				b = *(const uint32 *) pb;
	int			c = 0;

	if (oc->width > 0)
		c = memcmp(ub_chunks_row(&ds->columns[0].values, a), ub_chunks_row(&ds->columns[0].values, b),
				   sizeof(float) * oc->width);
	if (c != 0)
		return c;
	if (ds->target.kind == UB_KIND_CATEGORICAL)
		return strcmp(ds->target.dict->strings[ds->target_codes[a]], ds->target.dict->strings[ds->target_codes[b]]);
	return ds->target_values[a] < ds->target_values[b] ? -1 : ds->target_values[a] > ds->target_values[b] ? 1 : 0;
}

void
ub_fit_state_canonical_order(FitState *st)
{
	UbDataset  *ds = st->ds;
	UbRawColumn *f = features_of(st);
	size_t		n = ds->n_rows,
				r;
	uint32	   *order;
	OrderContext oc = {ds, f->width};
	MemoryContext old = MemoryContextSwitchTo(st->mcxt);
	UbRowChunks sorted;

	order = palloc_extended(sizeof(uint32) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (r = 0; r < n; r++)
		order[r] = (uint32) r;
	/* feature bytes then label: equal rows are interchangeable, so the order is fully determined */
	qsort_arg(order, n, sizeof(uint32), compare_rows, &oc);
	if (f->width > 0)
	{
		ub_chunks_init(&sorted, f->width, st->mcxt);
		ub_chunks_reserve_exact(&sorted, n);
		for (r = 0; r < n; r++)
			memcpy(ub_chunks_row(&sorted, r), ub_chunks_row(&f->values, order[r]), sizeof(float) * f->width);
		for (r = 0; r < f->values.n_chunks; r++)
			ub_chunks_release(&f->values, r);
		f->values = sorted;
	}
	if (ds->target.kind == UB_KIND_CATEGORICAL)
	{
		/* labels recoded in first-seen order of the canonical rows */
		UbStringDict *old_dict = ds->target.dict,
				   *dict = ub_dict_create(st->mcxt);
		int32	   *codes = palloc_extended(sizeof(int32) * Max(n, 1), MCXT_ALLOC_HUGE);

		for (r = 0; r < n; r++)
		{
			const char *label = old_dict->strings[ds->target_codes[order[r]]];

			codes[r] = ub_dict_code(dict, label, strlen(label));
		}
		ds->target.dict = dict;
		ds->target_codes = codes;
	}
	else
	{
		double	   *values = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);

		for (r = 0; r < n; r++)
			values[r] = ds->target_values[order[r]];
		ds->target_values = values;
	}
	ds->capacity = n;
	pfree(order);
	st->combined = false;
	MemoryContextSwitchTo(old);
}
