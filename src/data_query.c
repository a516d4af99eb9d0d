/* data_query.c: reads a query in chunks through a cursor, so a large result never sits in SPI at once. */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/hyperloglog.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/portal.h"

#include "data_query.h"
#include "nn/mlp.h"
#include "prep_columns.h"
#include "ubehav.h"

#define UB_FETCH_ROWS 10000

void
ub_check_select_plan(SPIPlanPtr plan, const char *purpose)
{
	List	   *sources = SPI_plan_get_plan_sources(plan);

	/* checked before opening the cursor, so a DELETE ... RETURNING never runs */
	if (list_length(sources) != 1 ||
		((CachedPlanSource *) linitial(sources))->commandTag != CMDTAG_SELECT ||
		!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the %s query must be a single SELECT that returns rows", purpose),
				 errhint("Data-modifying statements and utility commands cannot be %s queries.", purpose)));
}
#define UB_MAX_CODES (1 << 24)	/* codes are stored exactly in float32 up to 2^24 */

/*
 * Columns the next ub_dataset_read_excluding reads as free text (option "text_columns"): set just
 * before it by ub_dataset_set_text_columns, taken and cleared when it starts.
 */
static const char *const *pending_text_columns;
static int	n_pending_text_columns;
static const char *const *text_columns;
static int	n_text_columns;

void
ub_dataset_set_text_columns(const char *const *names, int n)
{
	pending_text_columns = names;
	n_pending_text_columns = n;
}

static bool
declared_text(const char *name)
{
	int			i;

	for (i = 0; i < n_text_columns; i++)
		if (strcmp(text_columns[i], name) == 0)
			return true;
	return false;
}

static int
cmp_float_asc(const void *a, const void *b)
{
	float		x = *(const float *) a;
	float		y = *(const float *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* 1-based position of the column named name, or 0. */
static int
find_column(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped && strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i + 1;
	return 0;
}

static void
check_columns(TupleDesc desc, const char *target, int *target_attno)
{
	int			i,
				j;

	*target_attno = 0;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(NameStr(a->attname), NameStr(TupleDescAttr(desc, j)->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("the query returns more than one column named \"%s\"", NameStr(a->attname)),
						 errhint("Give every column of the training query a distinct name with AS.")));
		if (strcmp(NameStr(a->attname), target) == 0)
			*target_attno = i + 1;
	}
	if (*target_attno == 0)
	{
		StringInfoData cols;

		initStringInfo(&cols);
		for (i = 0; i < desc->natts; i++)
			appendStringInfo(&cols, "%s%s", i ? ", " : "", quote_identifier(NameStr(TupleDescAttr(desc, i)->attname)));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("target column \"%s\" is not in the result of the training query", target),
				 errdetail("The query returns: %s.", cols.data),
				 errhint("Name the column to predict exactly as the query returns it (names are case-sensitive).")));
	}
	if (desc->natts < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the training query returns only the target column \"%s\"", target),
				 errhint("Return at least one feature column beside the target.")));
}

static void
init_column(UbRawColumn *col, Form_pg_attribute a, int attno, bool is_target, MemoryContext mcxt)
{
	col->name = MemoryContextStrdup(mcxt, NameStr(a->attname));
	col->typid = a->atttypid;
	col->type_name = MemoryContextStrdup(mcxt, format_type_be(a->atttypid));
	col->kind = ub_column_kind(a->atttypid);
	col->attno = attno;
	if (col->kind == UB_KIND_UNSUPPORTED || (is_target && col->kind == UB_KIND_ARRAY))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s column \"%s\" has type %s, which ubehav cannot use",
						is_target ? "target" : "feature", col->name, col->type_name),
				 is_target ?
				 errhint("A target must be boolean, a number or text; cast it in the query.") :
				 errhint("Supported: smallint, integer, bigint, real, double precision, numeric, boolean, text, varchar "
						 "and one-dimensional arrays of numbers. Cast the column in the query or leave it out.")));
	if (is_target && col->kind == UB_KIND_TEXT)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target column \"%s\" has type %s, which ubehav cannot predict", col->name, col->type_name),
				 errhint("A target must be boolean, a number or text; cast it in the query.")));
	if (!is_target && declared_text(col->name))
	{
		if (col->kind != UB_KIND_CATEGORICAL && col->kind != UB_KIND_TEXT)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" is named in \"text_columns\" but has type %s", col->name, col->type_name),
					 errhint("Name only text, varchar or tsvector columns in \"text_columns\".")));
		col->kind = UB_KIND_TEXT;
	}
	col->width = col->kind == UB_KIND_ARRAY ? 0 : 1;
	ub_chunks_init(&col->values, col->width, mcxt);
	if (col->kind == UB_KIND_CATEGORICAL || col->kind == UB_KIND_TEXT)
		col->dict = ub_dict_create(mcxt);
	col->distinct = NULL;
	if (!is_target && col->kind == UB_KIND_NUMERIC && ub_type_is_integer(col->typid))
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		/* 2^12 registers (4 kB): a distinct count within about 2% */
		col->distinct = palloc(sizeof(hyperLogLogState));
		initHyperLogLog(col->distinct, 12);
		MemoryContextSwitchTo(old);
	}
}

/* Make room for at least one more row in every column. */
static void
grow(UbDataset *ds)
{
	size_t		newcap;
	int			i;

	/* feature values grow a chunk at a time (no doubling, no copy); the small per-row arrays double */
	for (i = 0; i < ds->n_columns; i++)
		ub_chunks_reserve(&ds->columns[i].values, ds->n_rows + 1);
	if (ds->n_rows < ds->capacity)
		return;
	newcap = ds->capacity ? ds->capacity * 2 : 1024;
	if (ds->has_weight)
		ds->weight_values = ds->weight_values ?
			repalloc_huge(ds->weight_values, newcap * sizeof(double)) :
			MemoryContextAllocHuge(GetMemoryChunkContext(ds), newcap * sizeof(double));
	if (ds->target.kind == UB_KIND_CATEGORICAL)
		ds->target_codes = ds->target_codes ?
			repalloc_huge(ds->target_codes, newcap * sizeof(int32)) :
			MemoryContextAllocHuge(GetMemoryChunkContext(ds), newcap * sizeof(int32));
	else
		ds->target_values = ds->target_values ?
			repalloc_huge(ds->target_values, newcap * sizeof(double)) :
			MemoryContextAllocHuge(GetMemoryChunkContext(ds), newcap * sizeof(double));
	ds->capacity = newcap;
}

static int
category_code(UbRawColumn *col, Datum d)
{
	text	   *t = DatumGetTextPP(d);
	int			code = ub_dict_code(col->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (code >= UB_MAX_CODES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" has more than %d distinct values", col->name, UB_MAX_CODES),
				 errhint("Leave identifier-like columns out of the training query or bucket them.")));
	return code;
}

/* A free-text value in the column's dictionary: the text itself, or a tsvector's text form. */
static int
text_code(UbRawColumn *col, Datum d)
{
	if (col->typid == TSVECTOROID)
	{
		char	   *s = DatumGetCString(DirectFunctionCall1(tsvectorout, d));

		return category_code(col, PointerGetDatum(cstring_to_text(s)));
	}
	return category_code(col, d);
}

void
ub_check_training_memory(MemoryContext cxt, size_t rows)
{
	size_t		used = MemoryContextMemAllocated(cxt, true);

	if (used > (size_t) ub_max_training_memory * 1024 * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training needs more than ubehav.max_training_memory (%d MB) after %zu rows",
						ub_max_training_memory, rows),
				 errhint("Train on a sample (TABLESAMPLE, or a WHERE on a hash of the key), use fewer or narrower "
						 "columns, or ask a superuser to raise ubehav.max_training_memory.")));
}

/* Before a large allocation: ERROR when cxt's memory plus bytes more would pass the bound. */
void
ub_check_training_memory_for(MemoryContext cxt, size_t bytes, const char *what)
{
	size_t		used = MemoryContextMemAllocated(cxt, true);
	size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024;

	if (bytes > limit || used > limit - bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s needs %zu MB more, beyond ubehav.max_training_memory (%d MB)",
						what, bytes / (1024 * 1024) + 1, ub_max_training_memory),
				 errhint("Use fewer or narrower columns, or ask a superuser to raise ubehav.max_training_memory.")));
}

/* Values are stored as float32: one beyond its range would become infinite. */
static void
check_float_range(UbRawColumn *col, double v, size_t row)
{
	if (fabs(v) > FLT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" has the value %g in row %zu, beyond the range ubehav stores (%g)",
						col->name, v, row + 1, (double) FLT_MAX),
				 errhint("Rescale the column in the query, for example with ln() or a division.")));
}

static double
finite_value(UbRawColumn *col, Datum d, Oid typid, size_t row)
{
	double		v = ub_datum_to_double(d, typid);

	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" has the non-finite value %s in row %zu of the training query",
						col->name, isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"), row + 1),
				 errhint("Replace it with NULL (NULL features are imputed) or filter the row out.")));
	check_float_range(col, v, row);
	return v;
}

static void
store_array(UbDataset *ds, UbRawColumn *col, Datum d, bool isnull, size_t row)
{
	int			n = 0;
	bool		has_null = false;
	double	   *elems = NULL;
	int			k;
	float	   *dst;

	if (!isnull)
		elems = ub_array_to_doubles(d, col->name, &n, &has_null);
	if (!isnull && col->width == 0)
	{
		size_t		r,
					first_resident = ds->spilled_chunks << UB_CHUNK_SHIFT;

		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("column \"%s\" holds an empty array in row %zu", col->name, row + 1),
					 errhint("Every row must hold an array of the same, non-zero length; use NULL for a missing array.")));
		/* the first array fixes the width; earlier rows held NULL arrays */
		col->width = n;
		/* every column takes at least one input and an array one per element: too many fails now, not after the read */
		{
			int64		at_least = 0;
			int			c;

			for (c = 0; c < ds->n_columns; c++)
				at_least += ds->columns[c].kind == UB_KIND_ARRAY ? ds->columns[c].width : 1;
			if (at_least > NN_MAX_WIDTH)
				ub_prep_too_many_inputs((int) Min(at_least, INT_MAX), true, col->name);
		}
		ub_chunks_set_width(&col->values, n);
		ub_chunks_reserve(&col->values, ds->n_rows + 1);
		/* spilled chunks recorded no floats and read back as NULLs */
		for (r = first_resident; r < ds->n_rows; r++)
		{
			float	   *dst_row = ub_chunks_row(&col->values, r);

			for (k = 0; k < n; k++)
				dst_row[k] = get_float4_nan();
		}
	}
	if (col->width == 0)
	{
		col->null_count++;
		return;
	}
	if (!isnull && n != col->width)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("column \"%s\" holds arrays of length %d and %d (row %zu)", col->name, col->width, n, row + 1),
				 errhint("Every row must hold an array of the same length; use NULL for a missing array.")));
	dst = ub_chunks_row(&col->values, row);
	for (k = 0; k < col->width; k++)
	{
		if (isnull || isnan(elems[k]))
		{
			dst[k] = get_float4_nan();
			col->null_count++;
		}
		else if (!isfinite(elems[k]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("column \"%s\" has an infinite element in row %zu of the training query", col->name, row + 1),
					 errhint("Replace it with NULL (NULL features are imputed) or filter the row out.")));
		else
		{
			check_float_range(col, elems[k], row);
			dst[k] = (float) elems[k];
		}
	}
}

static void
store_row(UbDataset *ds, Datum *values, bool *nulls, size_t source_row)
{
	int			t = ds->target.attno - 1;
	size_t		row;
	int			i;

	if (nulls[t])
	{
		ds->n_skipped++;
		return;
	}
	if (ds->has_weight)
	{
		int			wa = ds->weight.attno - 1;
		double		w;

		if (nulls[wa])
		{
			ds->n_skipped_weight++;
			return;
		}
		w = ub_datum_to_double(values[wa], ds->weight.typid);
		if (!isfinite(w) || w < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sample_weight column \"%s\" has the value %g in row %zu; weights must be finite and not negative",
							ds->weight.name, w, source_row + 1)));
		grow(ds);
		ds->weight_values[ds->n_rows] = w;
	}
	else
		grow(ds);
	row = ds->n_rows;
	if (ds->target.kind == UB_KIND_CATEGORICAL)
		ds->target_codes[row] = category_code(&ds->target, values[t]);
	else
		ds->target_values[row] = finite_value(&ds->target, values[t], ds->target.typid, source_row);

	for (i = 0; i < ds->n_columns; i++)
	{
		UbRawColumn *col = &ds->columns[i];
		int			a = col->attno - 1;

		if (col->kind == UB_KIND_ARRAY)
			store_array(ds, col, values[a], nulls[a], row);
		else if (nulls[a])
		{
			*ub_chunks_row(&col->values, row) = get_float4_nan();
			col->null_count++;
		}
		else if (col->kind == UB_KIND_CATEGORICAL)
			*ub_chunks_row(&col->values, row) = (float) category_code(col, values[a]);
		else if (col->kind == UB_KIND_TEXT)
			*ub_chunks_row(&col->values, row) = (float) text_code(col, values[a]);
		else
		{
			double		v = finite_value(col, values[a], col->typid, source_row);

			*ub_chunks_row(&col->values, row) = (float) v;
			if (col->distinct)
			{
				int64		iv = (int64) v;

				addHyperLogLog(col->distinct, hash_bytes((const unsigned char *) &iv, sizeof(iv)));
			}
		}
	}
	ds->n_rows++;
}

/* Whether a column name matches one of the exclude patterns (SQL LIKE). */
static bool
excluded(const char *name, const char *const *patterns, int n_patterns)
{
	int			i;

	for (i = 0; i < n_patterns; i++)
		if (DatumGetBool(DirectFunctionCall2Coll(textlike, C_COLLATION_OID, CStringGetTextDatum(name),
												 CStringGetTextDatum(patterns[i]))))
			return true;
	return false;
}

/* A NOTICE for features unique in every row: identifiers carry no pattern and may identify people. */
static void
notice_identifiers(UbDataset *ds)
{
	int			i;
	size_t		r;

	if (ds->n_rows < 20)
		return;
	for (i = 0; i < ds->n_columns; i++)
	{
		UbRawColumn *col = &ds->columns[i];
		bool		unique = false,
					nearly = false;

		if (col->kind == UB_KIND_CATEGORICAL)
			unique = (size_t) col->dict->n == ds->n_rows;
		else if (col->kind == UB_KIND_NUMERIC && ub_type_is_integer(col->typid) &&
				 (ds->spill == NULL ||
				  ds->n_rows * sizeof(float) <= (size_t) ub_max_training_memory * 1024 * 1024 / 4))
		{
			float	   *v = palloc_extended(sizeof(float) * ds->n_rows, MCXT_ALLOC_HUGE);
			bool		exact = true;

			/* a chunk at a time: the column may be in the spill file */
			for (r = 0; r < ds->n_rows; r++)
			{
				if ((r & UB_CHUNK_MASK) == 0)
					ub_chunks_load(&col->values, r >> UB_CHUNK_SHIFT);
				v[r] = *ub_chunks_row(&col->values, r);
				exact &= fabsf(v[r]) <= 16777216.0f;	/* float32 holds integers exactly up to 2^24 */
				if ((r & UB_CHUNK_MASK) == UB_CHUNK_MASK || r + 1 == ds->n_rows)
					ub_chunks_unload(&col->values, r >> UB_CHUNK_SHIFT);
			}
			qsort(v, ds->n_rows, sizeof(float), cmp_float_asc);
			unique = true;
			for (r = 1; r < ds->n_rows && unique; r++)
				unique = v[r] != v[r - 1] && !isnan(v[r]);
			pfree(v);
			/* large integers (ids from sequences) collide in float32: count them in the sketch instead */
			nearly = !unique && !exact && col->distinct &&
				estimateHyperLogLog(col->distinct) >= 0.95 * (double) ds->n_rows;
		}
		if (unique)
			ereport(NOTICE,
					(errmsg("feature \"%s\" has a different value in every row, like an identifier", col->name),
					 errhint("Leave identifiers out of the query, or name them in the option \"exclude\".")));
		else if (nearly)
			ereport(NOTICE,
					(errmsg("feature \"%s\" has a different value in nearly every row, like an identifier", col->name),
					 errhint("Leave identifiers out of the query, or name them in the option \"exclude\".")));
	}
}

static void
start_spill(UbDataset *ds, MemoryContext mcxt, const char *what)
{
	if (ds->spill != NULL)
		return;
	ds->spill = ub_spill_create(mcxt);
	ereport(NOTICE,
			(errmsg("the %s passes ubehav.max_training_memory (%d MB): streaming it through a temporary file",
					what, ub_max_training_memory),
			 errdetail("Each epoch reads the rows back a window of chunks at a time, in a shuffled chunk order.")));
}

/* Move every complete raw row chunk not yet on disk to the spill file; the chunk being filled stays. */
static void
spill_complete_chunks(UbDataset *ds, MemoryContext mcxt)
{
	int			i;

	while (((ds->spilled_chunks + 1) << UB_CHUNK_SHIFT) <= ds->n_rows)
	{
		/* the file, and the NOTICE, only once there is a complete chunk to write */
		start_spill(ds, mcxt, "training data");
		for (i = 0; i < ds->n_columns; i++)
			ub_chunks_spill(&ds->columns[i].values, ds->spilled_chunks, UB_CHUNK_ROWS, ds->spill);
		ds->spilled_chunks++;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Whether to start streaming: past three quarters of the bound, so that the next fetch of rows,
 * the read window and the model still fit under it.
 */
static bool
past_bound(MemoryContext cxt)
{
	size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024;

	return MemoryContextMemAllocated(cxt, true) > limit - limit / 4;
}

/* Bytes of column i's chunks that are on disk and not loaded. */
static size_t
bytes_on_disk(const UbRowChunks *c)
{
	size_t		k,
				bytes = 0;

	for (k = 0; k < c->n_chunks; k++)
		if (c->chunks[k] == NULL && ub_chunks_on_disk(c, k))
			bytes += ub_chunks_chunk_bytes(c, k);
	return bytes;
}

void
ub_dataset_load_column(const UbDataset *ds, int i)
{
	/* loading changes where the rows are, not what they are */
	UbRowChunks *c = (UbRowChunks *) &ds->columns[i].values;
	size_t		k,
				bytes = bytes_on_disk(c);

	if (c->spill == NULL)
		return;
	if (bytes > 0)
	{
		char	   *what = psprintf("learning the preprocessing of column \"%s\" (one column at a time)",
									ds->columns[i].name);

		ub_check_training_memory_for(c->mcxt, bytes, what);
		pfree(what);
	}
	for (k = 0; k < c->n_chunks; k++)
	{
		ub_chunks_load(c, k);
		CHECK_FOR_INTERRUPTS();
	}
}

bool
ub_dataset_column_fits(const UbDataset *ds, int i)
{
	const UbRowChunks *c = &ds->columns[i].values;
	size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024,
				used;

	if (c->spill == NULL)
		return true;
	used = MemoryContextMemAllocated(c->mcxt, true);
	return used < limit && bytes_on_disk(c) <= limit - used;
}

int
ub_dataset_slots_per_load(const UbDataset *ds, int i)
{
	const UbRowChunks *c = &ds->columns[i].values;
	size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024,
				used = MemoryContextMemAllocated(c->mcxt, true),
				slot_bytes = sizeof(float) * Max(ds->n_rows, 1),
				chunk_bytes = ub_chunks_chunk_bytes(c, 0),
				avail;

	/* a slice, the fit's sorted copy of one slot, and one chunk of the column being read */
	ub_check_training_memory_for(c->mcxt, 2 * slot_bytes + chunk_bytes,
								 psprintf("learning the preprocessing of one value of column \"%s\"", ds->columns[i].name));
	avail = limit - used - chunk_bytes;
	return (int) Min((size_t) ds->columns[i].width, Max(avail / slot_bytes, 2) - 1);
}

void
ub_dataset_load_slice(const UbDataset *ds, int i, int k0, int m, UbRawColumn *slice)
{
	/* loading changes where the rows are, not what they are */
	UbRowChunks *c = (UbRowChunks *) &ds->columns[i].values;
	size_t		k,
				r;

	*slice = ds->columns[i];
	slice->width = m;
	ub_chunks_init(&slice->values, m, c->mcxt);
	ub_chunks_reserve_exact(&slice->values, ds->n_rows);
	for (k = 0; k < c->n_chunks && (k << UB_CHUNK_SHIFT) < ds->n_rows; k++)
	{
		bool		was_loaded = c->chunks[k] != NULL;
		size_t		first = k << UB_CHUNK_SHIFT,
					last = first + ub_chunks_rows_in(k, ds->n_rows);

		ub_chunks_load(c, k);
		for (r = first; r < last; r++)
			memcpy(ub_chunks_row(&slice->values, r), ub_chunks_row(c, r) + k0, sizeof(float) * m);
		if (!was_loaded)
			ub_chunks_unload(c, k);
		CHECK_FOR_INTERRUPTS();
	}
}

void
ub_dataset_free_slice(UbRawColumn *slice)
{
	size_t		k;

	for (k = 0; k < slice->values.n_chunks; k++)
		ub_chunks_release(&slice->values, k);
	if (slice->values.chunks)
		pfree(slice->values.chunks);
}

void
ub_dataset_unload_column(const UbDataset *ds, int i)
{
	UbRowChunks *c = (UbRowChunks *) &ds->columns[i].values;
	size_t		k;

	for (k = 0; k < c->n_chunks; k++)
		ub_chunks_unload(c, k);
}

void
ub_dataset_encoded_chunk(UbDataset *ds, UbRowChunks *X, size_t k, size_t rows)
{
	size_t		j;

	if (!ds->may_spill || (X->spill == NULL && !past_bound(X->mcxt)))
	{
		ub_check_training_memory(X->mcxt, rows);
		return;
	}
	start_spill(ds, X->mcxt, "encoded training data");
	for (j = 0; j <= k; j++)
		if (X->chunks[j] != NULL && !ub_chunks_on_disk(X, j))
			ub_chunks_spill(X, j, ub_chunks_rows_in(j, ds->n_rows), ds->spill);
}

void
ub_dataset_close_spill(UbDataset *ds)
{
	ub_spill_close(ds->spill);
}

UbDataset *
ub_dataset_read_excluding(const char *query, const char *target, const char *weight_column,
						  const char *const *exclude, int n_exclude, bool may_spill, MemoryContext mcxt)
{
	SPIPlanPtr	plan;
	Portal		portal;
	TupleDesc	desc;
	UbDataset  *ds;
	int			target_attno,
				weight_attno = 0;
	int			i,
				c;
	size_t		source_row = 0;
	MemoryContext chunk_cxt;
	MemoryContext oldcxt;
	Datum	   *values;
	bool	   *nulls;

	text_columns = pending_text_columns;
	n_text_columns = n_pending_text_columns;
	pending_text_columns = NULL;
	n_pending_text_columns = 0;
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("could not prepare the training query: %s", SPI_result_code_string(SPI_result))));
	ub_check_select_plan(plan, "training");
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	desc = portal->tupDesc;
	check_columns(desc, target, &target_attno);
	if (weight_column != NULL)
	{
		weight_attno = find_column(desc, weight_column);
		if (weight_attno == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("sample_weight column \"%s\" is not in the result of the training query", weight_column),
					 errhint("Return the weight column from the query, or leave \"sample_weight\" out.")));
		if (weight_attno == target_attno)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the sample_weight column \"%s\" is also the target", weight_column)));
	}

	ds = MemoryContextAllocZero(mcxt, sizeof(UbDataset));
	ds->may_spill = may_spill;
	ds->columns = MemoryContextAllocZero(mcxt, sizeof(UbRawColumn) * desc->natts);
	for (i = 0, c = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
			continue;
		if (i + 1 == target_attno)
		{
			if (excluded(NameStr(a->attname), exclude, n_exclude))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the target column \"%s\" matches the option \"exclude\"", target)));
			init_column(&ds->target, a, i + 1, true, mcxt);
		}
		else if (i + 1 != weight_attno && excluded(NameStr(a->attname), exclude, n_exclude))
			continue;
		else if (i + 1 == weight_attno)
		{
			init_column(&ds->weight, a, i + 1, false, mcxt);
			ds->has_weight = true;
			if (ds->weight.kind != UB_KIND_NUMERIC)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("sample_weight column \"%s\" has type %s; weights must be numbers",
								ds->weight.name, ds->weight.type_name)));
		}
		else
			init_column(&ds->columns[c++], a, i + 1, false, mcxt);
	}
	ds->n_columns = c;
	for (i = 0; i < n_text_columns; i++)
	{
		bool		found = false;
		int			k;

		for (k = 0; k < desc->natts; k++)
			found |= !TupleDescAttr(desc, k)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, k)->attname), text_columns[i]) == 0;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of the option \"text_columns\" is not in the result of the training query",
							text_columns[i]),
					 errhint("Name columns the query returns (names are case-sensitive).")));
	}
	text_columns = NULL;
	n_text_columns = 0;
	if (c == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the training query has no feature column left"),
				 errhint("Return at least one column besides the target, the weight and the excluded ones.")));

	chunk_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav training query chunk",
									  ALLOCSET_DEFAULT_SIZES);
	values = palloc(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);
	for (;;)
	{
		uint64		r;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, UB_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		/* dataset growth goes to mcxt; detoasted and converted values die with the chunk */
		oldcxt = MemoryContextSwitchTo(chunk_cxt);
		for (r = 0; r < SPI_processed; r++)
		{
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, values, nulls);
			store_row(ds, values, nulls, source_row++);
		}
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(chunk_cxt);
		SPI_freetuptable(SPI_tuptable);
		ds->peak_bytes = Max(ds->peak_bytes, (size_t) MemoryContextMemAllocated(mcxt, true));
		if (ds->may_spill && (ds->spill != NULL || past_bound(mcxt)))
			spill_complete_chunks(ds, mcxt);
		/* nothing could be written yet (rows so wide that one chunk passes the bound): still an ERROR */
		if (ds->spill == NULL)
			ub_check_training_memory(mcxt, ds->n_rows);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(chunk_cxt);
	notice_identifiers(ds);
	return ds;
}

/* For aggregates: the rows arrive one call at a time instead of through a cursor. */
UbDataset *
ub_dataset_begin(TupleDesc desc, const char *target, MemoryContext mcxt)
{
	UbDataset  *ds;
	int			target_attno,
				i,
				c;

	check_columns(desc, target, &target_attno);
	text_columns = NULL;
	n_text_columns = 0;
	ds = MemoryContextAllocZero(mcxt, sizeof(UbDataset));
	ds->columns = MemoryContextAllocZero(mcxt, sizeof(UbRawColumn) * desc->natts);
	for (i = 0, c = 0; i < desc->natts; i++)
	{
		if (i + 1 == target_attno)
			init_column(&ds->target, TupleDescAttr(desc, i), i + 1, true, mcxt);
		else
			init_column(&ds->columns[c++], TupleDescAttr(desc, i), i + 1, false, mcxt);
	}
	ds->n_columns = c;
	return ds;
}

void
ub_dataset_add_row(UbDataset *ds, Datum *values, bool *nulls)
{
	store_row(ds, values, nulls, ds->n_rows + ds->n_skipped);
	if ((ds->n_rows & 0xffff) == 0)
		ub_check_training_memory(GetMemoryChunkContext(ds), ds->n_rows);
}
