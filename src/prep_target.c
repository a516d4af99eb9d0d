/* prep_target.c: task inference: boolean or two values -> binary, text or integers 3..N -> multiclass, reals -> regression. */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/float.h"

#include "prep_target.h"

char *
ub_label_of_number(double v, bool is_boolean)
{
	if (is_boolean)
		return pstrdup(v != 0.0 ? "true" : "false");
	if (v == floor(v) && fabs(v) < 1e15)
		return psprintf("%.0f", v);
	return float8out_internal(v);
}

char *
ub_label_of_datum(Datum d, Oid typid)
{
	UbColumnKind kind = ub_column_kind(typid);

	if (kind == UB_KIND_CATEGORICAL)
		return TextDatumGetCString(d);
	return ub_label_of_number(ub_datum_to_double(d, typid), kind == UB_KIND_BOOLEAN);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

typedef struct LabelSort
{
	const char *s;
	int			code;
} LabelSort;

static int
cmp_label(const void *a, const void *b)
{
	return strcmp(((const LabelSort *) a)->s, ((const LabelSort *) b)->s);
}

static void
too_few_classes(const UbDataset *ds, const char *only)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("target column \"%s\" has only one class (%s) among the %zu rows with a target",
					ds->target.name, only, ds->n_rows),
			 errhint("A classifier needs at least two classes: widen the training query, or use \"task\": \"regression\" for a numeric target.")));
}

static void
too_many_classes(const UbDataset *ds, int n, int max_classes)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("target column \"%s\" has %d distinct values, more than max_classes (%d)",
					ds->target.name, n, max_classes),
			 errhint("Use \"task\": \"regression\" for a quantity, raise \"max_classes\", or group rare classes in the query.")));
}

/* Classes of a text target in strcmp order. */
static void
build_text_classes(const UbDataset *ds, UbTarget *t, int max_classes)
{
	int			n = ds->target.dict->n;
	LabelSort  *order = palloc(sizeof(LabelSort) * Max(n, 1));
	int		   *code_to_class = palloc(sizeof(int) * Max(n, 1));
	int			i;
	size_t		r;

	if (n < 2)
		too_few_classes(ds, n ? quote_literal_cstr(ds->target.dict->strings[0]) : "none");
	if (n > max_classes && t->task != UB_TASK_BINARY)
		too_many_classes(ds, n, max_classes);
	if (n > 2 && t->task == UB_TASK_BINARY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task \"binary\" needs a target with two values, but \"%s\" has %d", ds->target.name, n),
				 errhint("Leave \"task\" out to train a multiclass model, or map the target to two values in the query.")));
	for (i = 0; i < n; i++)
	{
		order[i].s = ds->target.dict->strings[i];
		order[i].code = i;
	}
	qsort(order, n, sizeof(LabelSort), cmp_label);
	t->n_classes = n;
	t->labels = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		t->labels[i] = pstrdup(order[i].s);
		code_to_class[order[i].code] = i;
	}
	for (r = 0; r < ds->n_rows; r++)
		t->y[r] = (float) code_to_class[ds->target_codes[r]];
}

/* Classes of a numeric or boolean target: its distinct values in numeric order. */
static void
build_numeric_classes(const UbDataset *ds, UbTarget *t, int max_classes)
{
	double	   *sorted = palloc(sizeof(double) * ds->n_rows);
	double	   *distinct;
	int			n = 0;
	size_t		r;

	memcpy(sorted, ds->target_values, sizeof(double) * ds->n_rows);
	qsort(sorted, ds->n_rows, sizeof(double), cmp_double);
	distinct = palloc(sizeof(double) * (max_classes + 1));
	for (r = 0; r < ds->n_rows; r++)
	{
		if (r > 0 && sorted[r] == sorted[r - 1])
			continue;
		if (n == max_classes)
			too_many_classes(ds, n + 1, max_classes);
		distinct[n++] = sorted[r];
	}
	if (ds->target.kind == UB_KIND_BOOLEAN)
	{
		/* a boolean target always has labels false and true, true being the positive class */
		if (n < 2)
			too_few_classes(ds, distinct[0] ? "true" : "false");
	}
	else if (n < 2)
		too_few_classes(ds, float8out_internal(distinct[0]));
	if (t->task == UB_TASK_BINARY && n > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task \"binary\" needs a target with two values, but \"%s\" has %d", ds->target.name, n),
				 errhint("Leave \"task\" out, or map the target to two values in the query.")));
	t->n_classes = n;
	t->labels = palloc(sizeof(char *) * n);
	for (r = 0; r < (size_t) n; r++)
		t->labels[r] = ub_label_of_number(distinct[r], ds->target.kind == UB_KIND_BOOLEAN);
	for (r = 0; r < ds->n_rows; r++)
	{
		double	   *hit = bsearch(&ds->target_values[r], distinct, n, sizeof(double), cmp_double);

		t->y[r] = (float) (hit - distinct);
	}
	pfree(sorted);
}

UbTarget *
ub_target_build(const UbDataset *ds, UbTask forced, int max_classes)
{
	UbTarget   *t = palloc0(sizeof(UbTarget));
	const UbRawColumn *col = &ds->target;
	size_t		r;

	t->y = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(float) * Max(ds->n_rows, 1));
	t->task = forced;
	if (t->task == UB_TASK_INFER)
	{
		if (col->kind == UB_KIND_BOOLEAN)
			t->task = UB_TASK_BINARY;
		else if (col->kind == UB_KIND_CATEGORICAL)
			t->task = col->dict->n == 2 ? UB_TASK_BINARY : UB_TASK_MULTICLASS;
		else if (ub_type_is_integer(col->typid))
		{
			/* integer targets are classes unless there are too many to be labels */
			double		first = ds->n_rows ? ds->target_values[0] : 0;
			bool		two = true;
			int			seen = 1;
			double		second = first;

			for (r = 1; r < ds->n_rows && two; r++)
			{
				double		v = ds->target_values[r];

				if (v != first && (seen == 1 || v != second))
				{
					if (seen == 1)
					{
						second = v;
						seen = 2;
					}
					else
						two = false;
				}
			}
			t->task = two ? UB_TASK_BINARY : UB_TASK_MULTICLASS;
		}
		else
			t->task = UB_TASK_REGRESSION;
	}

	if (t->task == UB_TASK_REGRESSION)
	{
		if (col->kind == UB_KIND_CATEGORICAL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("task \"regression\" needs a numeric target, but \"%s\" has type %s",
							col->name, col->type_name),
					 errhint("Cast the target to a number in the query, or leave \"task\" out to train a classifier.")));
		for (r = 0; r < ds->n_rows; r++)
			t->y[r] = (float) ds->target_values[r];
		return t;
	}

	if (col->kind == UB_KIND_CATEGORICAL)
		build_text_classes(ds, t, max_classes);
	else
		build_numeric_classes(ds, t, max_classes);
	if (t->task == UB_TASK_MULTICLASS && t->n_classes == 2)
		t->task = UB_TASK_BINARY;
	return t;
}
