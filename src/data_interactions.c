/* data_interactions.c: the recommender's options, and the interactions of a query aggregated into pairs. */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "data_query.h"
#include "jsonb_util.h"
#include "model_recommender.h"

#define REC_FETCH_ROWS 10000

/* ---- options: one row per option (name, kind, default, range, where it goes) ---- */
typedef enum
{
	OPT_INT, OPT_DOUBLE, OPT_COLUMN, OPT_ENUM
} OptKind;

/* the values of the enum options, in the order of their codes */
static const char *const rec_sampling_names[] = {"user", "interaction", NULL};


typedef struct RecOptionDef
{
	const char *name;
	OptKind		kind;
	double		def;
	double		min;			/* inclusive */
	double		max;			/* inclusive */
	size_t		offset;
	const char *description;
	const char *const *names;	/* OPT_ENUM: the values, NULL-terminated */
} RecOptionDef;

static const RecOptionDef rec_option_defs[] = {
	{"factors", OPT_INT, 32, 1, NN_REC_MAX_DIM, offsetof(UbRecOptions, factors), "embedding size of each tower"},
	{"epochs", OPT_INT, 40, 1, 1000, offsetof(UbRecOptions, epochs), "passes; each draws as many positives as there are pairs"},
	{"learning_rate", OPT_DOUBLE, 0.05, 1e-6, 10, offsetof(UbRecOptions, learning_rate), "SGD step size"},
	{"regularization", OPT_DOUBLE, 0.01, 0, 10, offsetof(UbRecOptions, regularization), "L2 penalty on the rows a step touches"},
	{"negatives", OPT_INT, 5, 1, 100, offsetof(UbRecOptions, negatives), "negative candidates drawn per positive; the step uses the one scored highest", NULL},
	{"sampling", OPT_ENUM, 1, 0, 1, offsetof(UbRecOptions, sampling), "positives drawn per \"user\" (each user alike) or per \"interaction\" (active users more)", rec_sampling_names},
	{"seed", OPT_INT, 42, (double) INT64CONST(-9007199254740991), (double) INT64CONST(9007199254740991), offsetof(UbRecOptions, seed), "random seed"},
	{"user_column", OPT_COLUMN, 0, 0, 0, offsetof(UbRecOptions, user_column), "user column (default: the first)"},
	{"item_column", OPT_COLUMN, 0, 0, 0, offsetof(UbRecOptions, item_column), "item column (default: the second)"},
	{"weight_column", OPT_COLUMN, 0, 0, 0, offsetof(UbRecOptions, weight_column), "weight column (default: a numeric third or fourth column)"},
	{"time_column", OPT_COLUMN, 0, 0, 0, offsetof(UbRecOptions, time_column), "time column (default: a date or timestamp third or fourth column)"},
};

static char *
valid_keys(void)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	for (i = 0; i < lengthof(rec_option_defs); i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", rec_option_defs[i].name);
	return buf.data;
}

void
ub_rec_options_parse(Jsonb *options, UbRecOptions *o)
{
	size_t		i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < lengthof(rec_option_defs); i++)
	{
		const RecOptionDef *d = &rec_option_defs[i];
		char	   *slot = (char *) o + d->offset;

		if (d->kind == OPT_INT && strcmp(d->name, "seed") == 0)
			*(int64 *) slot = (int64) d->def;
		else if (d->kind == OPT_INT || d->kind == OPT_ENUM)
			*(int *) slot = (int) d->def;
		else if (d->kind == OPT_DOUBLE)
			*(double *) slot = d->def;
	}
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object, such as '{\"factors\": 32}'")));
	{
		JsonbIterator *it = JsonbIteratorInit(&options->root);
		JsonbValue	v;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *key;
			const RecOptionDef *d = NULL;
			char	   *slot;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(v.val.string.val, v.val.string.len);
			for (i = 0; i < lengthof(rec_option_defs); i++)
				if (strcmp(rec_option_defs[i].name, key) == 0)
					d = &rec_option_defs[i];
			if (d == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown recommender option \"%s\"", key),
						 errhint("Valid options: %s.", valid_keys())));
			tok = JsonbIteratorNext(&it, &v, true);
			slot = (char *) o + d->offset;
			if (d->kind == OPT_ENUM)
			{
				char	   *name = ub_jsonb_string(&v, d->name);
				int			c;

				for (c = 0; d->names[c] != NULL; c++)
					if (strcmp(name, d->names[c]) == 0)
						break;
				if (d->names[c] == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" must be \"%s\" or \"%s\", not \"%s\"", d->name,
									d->names[0], d->names[1], name)));
				*(int *) slot = c;
			}
			else if (d->kind == OPT_COLUMN)
			{
				if (v.type == jbvNull)
					continue;
				*(char **) slot = ub_jsonb_string(&v, d->name);
				if (strlen(*(char **) slot) == 0 || strlen(*(char **) slot) >= NAMEDATALEN)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" must be a column name of 1 to %d bytes", d->name, NAMEDATALEN - 1)));
			}
			else
			{
				double		x = ub_jsonb_number(&v, d->name);

				if (!isfinite(x) || x < d->min || x > d->max || (d->kind == OPT_INT && x != floor(x)))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("option \"%s\" must be %s between %g and %g, not %g", d->name,
									d->kind == OPT_INT ? "an integer" : "a number", d->min, d->max, x),
							 errdetail("\"%s\": %s.", d->name, d->description)));
				if (strcmp(d->name, "seed") == 0)
					*(int64 *) slot = (int64) x;
				else if (d->kind == OPT_INT)
					*(int *) slot = (int) x;
				else
					*(double *) slot = x;
			}
		}
	}
}

void
ub_rec_options_json(StringInfo buf, const UbRecOptions *o)
{
	appendStringInfo(buf, "{\"factors\":%d,\"epochs\":%d,\"learning_rate\":", o->factors, o->epochs);
	ub_json_number(buf, o->learning_rate);
	appendStringInfoString(buf, ",\"regularization\":");
	ub_json_number(buf, o->regularization);
	appendStringInfo(buf, ",\"negatives\":%d,\"sampling\":\"%s\",\"seed\":" INT64_FORMAT,
					 o->negatives, rec_sampling_names[o->sampling], o->seed);
#define COLUMN(key, field) \
	do { \
		appendStringInfoString(buf, ",\"" key "\":"); \
		if (o->field) \
			ub_json_string(buf, o->field); \
		else \
			appendStringInfoString(buf, "null"); \
	} while (0)
	COLUMN("user_column", user_column);
	COLUMN("item_column", item_column);
	COLUMN("weight_column", weight_column);
	COLUMN("time_column", time_column);
#undef COLUMN
	appendStringInfoChar(buf, '}');
}

/* ---- reading the query ---- */
typedef enum
{
	COL_INTEGER, COL_NUMBER, COL_TIME, COL_OTHER
} ColClass;

static ColClass
col_class(Oid type)
{
	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return COL_INTEGER;
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return COL_NUMBER;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return COL_TIME;
		default:
			return COL_OTHER;
	}
}

static int
column_named(TupleDesc desc, const char *name, const char *option)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped && strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of option \"%s\" is not in the result of the query", name, option)));
	return -1;
}

static int64
id_value(Datum d, Oid type)
{
	return type == INT2OID ? DatumGetInt16(d) : type == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);
}

static double
number_value(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	}
	return NAN;
}

/* Seconds since 2000-01-01 (infinite timestamps are +-inf and so still order). */
static double
time_value(Datum d, Oid type)
{
	if (type == DATEOID)
	{
		DateADT		x = DatumGetDateADT(d);

		return DATE_NOT_FINITE(x) ? (DATE_IS_NOBEGIN(x) ? -INFINITY : INFINITY) : (double) x * 86400.0;
	}
	else
	{
		Timestamp	x = DatumGetTimestamp(d);

		return TIMESTAMP_NOT_FINITE(x) ? (TIMESTAMP_IS_NOBEGIN(x) ? -INFINITY : INFINITY) : (double) x / 1e6;
	}
}

static int
cmp_pair(const void *a, const void *b)
{
	const UbRecPair *x = a,
			   *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	if (x->first_time != y->first_time)
		return x->first_time < y->first_time ? -1 : 1;
	return x->first_row < y->first_row ? -1 : x->first_row > y->first_row;
}

UbRecInteractions *
ub_rec_read(const char *query, const UbRecOptions *o, const char *purpose)
{
	SPIPlanPtr	plan;
	Portal		portal;
	TupleDesc	desc;
	int			ucol,
				icol,
				wcol = -1,
				tcol = -1,
				i;
	Oid			utype,
				itype,
				wtype = InvalidOid,
				ttype = InvalidOid;
	UbRecInteractions *in = palloc0(sizeof(UbRecInteractions));
	size_t		capacity = 0,
				n = 0,
				k;
	uint64		row = 0;
	MemoryContext chunk_cxt,
				data_cxt = CurrentMemoryContext;

	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the %s query: %s", purpose, SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, purpose);
	/* read-only: the query runs with the caller's rights and cannot change anything */
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	desc = portal->tupDesc;

	ucol = o->user_column ? column_named(desc, o->user_column, "user_column") : 0;
	icol = o->item_column ? column_named(desc, o->item_column, "item_column") : 1;
	if (o->weight_column)
		wcol = column_named(desc, o->weight_column, "weight_column");
	if (o->time_column)
		tcol = column_named(desc, o->time_column, "time_column");
	if (desc->natts < 2 || icol >= desc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s query must return a user and an item column, then optionally a weight and a time", purpose),
				 errhint("For example: SELECT user_id, product_id, weight, ts FROM events.")));
	/* by position: the third and fourth columns are the weight (a number) and the time (a date or timestamp) */
	if (!o->weight_column && !o->time_column)
		for (i = 2; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);
			ColClass	c = col_class(a->atttypid);

			if (i == ucol || i == icol || a->attisdropped)
				continue;
			if (i > 3)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the %s query returns %d columns; by position it takes user, item, weight and time", purpose, desc->natts),
						 errhint("Select only those columns, or name them with the options user_column, item_column, weight_column and time_column.")));
			if ((c == COL_INTEGER || c == COL_NUMBER) && wcol < 0)
				wcol = i;
			else if (c == COL_TIME && tcol < 0)
				tcol = i;
			else
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of the %s query has type %s; after user and item come a numeric weight and a date or timestamp time",
								NameStr(a->attname), purpose, format_type_be(a->atttypid))));
		}
	utype = TupleDescAttr(desc, ucol)->atttypid;
	itype = TupleDescAttr(desc, icol)->atttypid;
	if (ucol == icol)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the user and item columns are the same column")));
	if (col_class(utype) != COL_INTEGER || col_class(itype) != COL_INTEGER)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("user and item columns must be integers, not %s and %s", format_type_be(utype), format_type_be(itype)),
				 errhint("Map other identifiers to integers in the query, for example with a dense_rank() or a join to a lookup table.")));
	if (wcol >= 0)
	{
		wtype = TupleDescAttr(desc, wcol)->atttypid;
		if (col_class(wtype) != COL_INTEGER && col_class(wtype) != COL_NUMBER)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("weight column \"%s\" has type %s; weights must be numbers",
							NameStr(TupleDescAttr(desc, wcol)->attname), format_type_be(wtype))));
	}
	if (tcol >= 0)
	{
		ttype = TupleDescAttr(desc, tcol)->atttypid;
		if (col_class(ttype) != COL_TIME)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("time column \"%s\" has type %s; it must be a date or a timestamp",
							NameStr(TupleDescAttr(desc, tcol)->attname), format_type_be(ttype))));
	}
	in->user_column = pstrdup(NameStr(TupleDescAttr(desc, ucol)->attname));
	in->item_column = pstrdup(NameStr(TupleDescAttr(desc, icol)->attname));
	in->weight_column = wcol >= 0 ? pstrdup(NameStr(TupleDescAttr(desc, wcol)->attname)) : NULL;
	in->time_column = tcol >= 0 ? pstrdup(NameStr(TupleDescAttr(desc, tcol)->attname)) : NULL;

	chunk_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav recommender query chunk", ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		uint64		r;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, REC_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		if (n + SPI_processed > capacity)
		{
			size_t		grown = Max(capacity * 2, (size_t) 4 * REC_FETCH_ROWS);
			MemoryContext old;

			if ((uint64) grown > NN_REC_MAX_PAIRS)
				grown = NN_REC_MAX_PAIRS;
			if (n + SPI_processed > grown)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the %s query returns more than %u rows", purpose, NN_REC_MAX_PAIRS),
						 errhint("Aggregate the interactions per user and item in the query.")));
			ub_check_training_memory_for(data_cxt, (grown - capacity) * sizeof(UbRecPair), "reading the interactions");
			old = MemoryContextSwitchTo(data_cxt);
			in->pairs = in->pairs ? repalloc_huge(in->pairs, grown * sizeof(UbRecPair))
				: palloc_extended(grown * sizeof(UbRecPair), MCXT_ALLOC_HUGE);
			MemoryContextSwitchTo(old);
			capacity = grown;
		}
		/* numeric conversions allocate: freed with the chunk */
		MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++, row++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			bool		unull,
						inull,
						wnull = false,
						tnull = false;
			Datum		ud = SPI_getbinval(tup, desc, ucol + 1, &unull);
			Datum		id = SPI_getbinval(tup, desc, icol + 1, &inull);
			double		w = 1.0,
						t = (double) row;
			UbRecPair  *p;

			if (wcol >= 0)
			{
				Datum		wd = SPI_getbinval(tup, desc, wcol + 1, &wnull);

				if (!wnull)
					w = number_value(wd, wtype);
			}
			if (tcol >= 0)
			{
				Datum		td = SPI_getbinval(tup, desc, tcol + 1, &tnull);

				if (!tnull)
					t = time_value(td, ttype);
			}
			if (unull || inull || wnull || tnull || !(w > 0.0) || !isfinite(w) || isnan(t))
			{
				in->rows_skipped++;
				continue;
			}
			p = &in->pairs[n++];
			p->user = id_value(ud, utype);
			p->item = id_value(id, itype);
			p->weight = Min(w, 1e300);
			p->first_time = t;
			p->first_row = row;
			in->rows_used++;
		}
		MemoryContextSwitchTo(data_cxt);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(chunk_cxt);

	/* one entry per (user, item): weights summed, the first row's time kept */
	if (n > 0)
		qsort(in->pairs, n, sizeof(UbRecPair), cmp_pair);
	for (i = 0, k = 0; (size_t) i < n; i++)
	{
		UbRecPair  *p = &in->pairs[i];

		if (k > 0 && in->pairs[k - 1].user == p->user && in->pairs[k - 1].item == p->item)
		{
			in->pairs[k - 1].weight = Min(in->pairs[k - 1].weight + p->weight, 1e300);
			continue;
		}
		in->pairs[k++] = *p;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	in->n_pairs = k;
	return in;
}

size_t
ub_rec_hold_out_latest(const UbRecInteractions *in, bool *held_out)
{
	size_t		p = 0,
				n = 0;

	memset(held_out, 0, sizeof(bool) * in->n_pairs);
	while (p < in->n_pairs)
	{
		size_t		q = p,
					latest = p;

		while (q < in->n_pairs && in->pairs[q].user == in->pairs[p].user)
		{
			const UbRecPair *a = &in->pairs[q],
					   *b = &in->pairs[latest];

			if (a->first_time > b->first_time || (a->first_time == b->first_time && a->first_row > b->first_row))
				latest = q;
			q++;
		}
		if (q - p >= 2)
		{
			held_out[latest] = true;
			n++;
		}
		p = q;
	}
	return n;
}
