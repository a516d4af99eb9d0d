/* score_row_binding.c: the scoring-side twin of ub_prep_encode_dataset, one row at a time. */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "data_column_types.h"
#include "score_row_binding.h"

static bool
kinds_compatible(UbColumnKind trained, UbColumnKind given)
{
	/* numbers and booleans share one encoding, so either may stand for the other */
	if (trained == UB_KIND_NUMERIC || trained == UB_KIND_BOOLEAN)
		return given == UB_KIND_NUMERIC || given == UB_KIND_BOOLEAN;
	/* free text scores from text (tokenised as at training) or from a tsvector */
	if (trained == UB_KIND_TEXT)
		return given == UB_KIND_TEXT || given == UB_KIND_CATEGORICAL;
	return trained == given;
}

/* Two columns with a model's column name would make the score depend on column order: refuse. */
static void
duplicate_column(const UbModel *model, const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_AMBIGUOUS_COLUMN),
			 errmsg("the row has more than one column named \"%s\", a column of model \"%s\"",
					column, model->name),
			 errhint("Rename or drop the extra column in the query.")));
}

UbRowBinding *
ub_binding_create(const UbModel *model, TupleDesc desc)
{
	UbRowBinding *b = palloc0(sizeof(UbRowBinding));
	int			i,
				a;

	b->n_features = model->prep->n_features;
	b->attno = palloc(sizeof(int) * Max(b->n_features, 1));
	b->typid = palloc(sizeof(Oid) * Max(b->n_features, 1));
	b->target_attno = -1;
	for (a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (!att->attisdropped && strcmp(NameStr(att->attname), model->target) == 0)
		{
			if (b->target_attno >= 0)
				b->target_ambiguous = true;
			b->target_attno = a;
			b->target_typid = att->atttypid;
		}
	}
	for (i = 0; i < b->n_features; i++)
	{
		const UbFeature *f = &model->prep->features[i];

		b->attno[i] = -1;
		for (a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (!att->attisdropped && strcmp(NameStr(att->attname), f->name) == 0)
			{
				if (b->attno[i] >= 0)
					duplicate_column(model, f->name);
				b->attno[i] = a;
				b->typid[i] = att->atttypid;
			}
		}
		if (b->attno[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("the row has no column \"%s\", a feature of model \"%s\" version %d",
							f->name, model->name, model->version),
					 errhint("Pass rows with every column the model was trained on; extra columns are ignored.")));
		if (!kinds_compatible(f->kind, ub_column_kind(b->typid[i])))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s, but model \"%s\" was trained on it as %s",
							f->name, format_type_be(b->typid[i]), model->name, f->type_name),
					 errhint("Cast the column to %s in the query.", f->type_name)));
	}
	return b;
}

/* For evaluation: the rows must carry the true labels under the target's name, exactly once. */
void
ub_binding_require_target(const UbRowBinding *b, const UbModel *model, const char *purpose)
{
	if (b->target_attno < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the %s query has no column \"%s\", the target of model \"%s\"", purpose, model->target,
						model->name),
				 errhint("Return the true labels under the target's name.")));
	if (b->target_ambiguous)
		duplicate_column(model, model->target);
}

static void
nonfinite_feature(const UbModel *model, const char *column, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("feature \"%s\" is %s; model \"%s\" needs finite values",
					column, isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"), model->name),
			 errhint("Use NULL for a missing value (it is imputed), or filter the row out.")));
}

/* The text features of a row as pairs in model->x; tokenising allocates, so in a context reset per row. */
static void
encode_text(const UbRowBinding *b, UbModel *model, const Datum *values, const bool *nulls)
{
	const UbPreprocessing *prep = model->prep;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav text row", ALLOCSET_SMALL_SIZES),
				old = MemoryContextSwitchTo(cxt);
	TSVector   *tsv = palloc0(sizeof(TSVector) * Max(prep->n_features, 1));
	int			i;

	for (i = 0; i < b->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];
		int			a = b->attno[i];

		if (f->kind == UB_KIND_TEXT && !nulls[a])
			tsv[i] = ub_text_tsvector_of_datum(f->text, values[a], getBaseType(b->typid[i]));
	}
	ub_prep_encode_text_row(prep, tsv, model->x);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

void
ub_binding_encode(const UbRowBinding *b, UbModel *model, const Datum *values, const bool *nulls)
{
	int			i,
				k;

	if (model->prep->n_pairs > 0)
		encode_text(b, model, values, nulls);

	for (i = 0; i < b->n_features; i++)
	{
		const UbFeature *f = &model->prep->features[i];
		int			a = b->attno[i];

		switch (f->kind)
		{
			case UB_KIND_NUMERIC:
			case UB_KIND_BOOLEAN:
				{
					double		v = nulls[a] ? 0.0 : ub_datum_to_double(values[a], b->typid[i]);

					if (!nulls[a] && !isfinite(v))
						nonfinite_feature(model, f->name, v);
					ub_prep_encode_number(f, 0, v, nulls[a], model->x);
					break;
				}
			case UB_KIND_CATEGORICAL:
				if (nulls[a])
					ub_prep_encode_category(f, NULL, 0, true, model->x);
				else
				{
					text	   *t = DatumGetTextPP(values[a]);

					ub_prep_encode_category(f, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), false, model->x);
				}
				break;
			case UB_KIND_TEXT:
				break;			/* encode_text did */
			case UB_KIND_ARRAY:
				{
					int			n = 0;
					bool		has_null = false;
					double	   *elems = nulls[a] ? NULL :
						ub_array_to_doubles(values[a], f->name, &n, &has_null);

					if (!nulls[a] && n != f->raw_width)
						ereport(ERROR,
								(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
								 errmsg("column \"%s\" holds an array of length %d; model \"%s\" was trained on length %d",
										f->name, n, model->name, f->raw_width)));
					for (k = 0; k < f->raw_width; k++)
					{
						bool		missing = nulls[a] || isnan(elems[k]);

						if (!missing && !isfinite(elems[k]))
							nonfinite_feature(model, f->name, elems[k]);
						ub_prep_encode_number(f, k, missing ? 0.0 : elems[k], missing, model->x);
					}
					break;
				}
			default:
				elog(ERROR, "unexpected feature kind %d", (int) f->kind);
		}
	}
}

/*
 * Flatten the features into one entry per array position, so that the per-row loop is a
 * subtract, a multiply and a store: the nested loop over features with a type test and a
 * finiteness test per value was about 6% of a scored row. Allocated beside model->x.
 */
static void
build_array_plan(UbModel *model)
{
	const UbPreprocessing *prep = model->prep;
	MemoryContext cxt = GetMemoryChunkContext(model->x);
	int			n = prep->array_width;
	int			n_indicators = 0;
	int		   *dest;
	bool		transforms = false;
	int			i,
				k;

	for (i = 0; i < prep->n_features; i++)
	{
		if (prep->features[i].indicator)
			n_indicators += prep->features[i].raw_width;
		if (prep->features[i].transform || prep->features[i].n_codes)
			transforms = true;
	}
	if (transforms)
	{
		model->array_feature = MemoryContextAlloc(cxt, sizeof(UbFeature *) * Max(n, 1));
		model->array_slot = MemoryContextAlloc(cxt, sizeof(int) * Max(n, 1));
	}
	dest = MemoryContextAlloc(cxt, sizeof(int) * Max(n, 1));
	model->array_center = MemoryContextAlloc(cxt, sizeof(double) * Max(n, 1));
	model->array_scale = MemoryContextAlloc(cxt, sizeof(double) * Max(n, 1));
	model->array_indicator_dest = MemoryContextAlloc(cxt, sizeof(int) * Max(n_indicators, 1));
	n_indicators = 0;
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		for (k = 0; k < f->raw_width; k++)
		{
			dest[f->array_offset + k] = f->offset + k;
			model->array_center[f->array_offset + k] = f->center[k];
			model->array_scale[f->array_offset + k] = f->scale[k];
			if (transforms)
			{
				model->array_feature[f->array_offset + k] = f;
				model->array_slot[f->array_offset + k] = k;
			}
			if (f->indicator)
				model->array_indicator_dest[n_indicators++] = f->offset + f->raw_width + k;
		}
	}
	model->n_array_indicators = n_indicators;
	/* set last: the plan is in use once array_dest is */
	model->array_dest = dest;
}

/* The error for array position pos (0-based): not finite, or too far out for float32 once encoded. */
static void pg_attribute_noreturn()
array_value_error(const UbModel *model, int pos, double v)
{
	const UbPreprocessing *prep = model->prep;
	int			i;

	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("feature %d of the array is %s; model \"%s\" needs finite values",
						pos + 1, isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"), model->name)));
	for (i = 0; i < prep->n_features; i++)
		if (pos >= prep->features[i].array_offset &&
			pos < prep->features[i].array_offset + prep->features[i].raw_width)
			ub_prep_number_out_of_range(&prep->features[i], v);
	elog(ERROR, "array position %d belongs to no feature of model \"%s\"", pos + 1, model->name);
}

/*
 * A model with transforms or codes (0.2.0) encodes each position with ub_prep_encode_number itself;
 * the loop below is the 0.1.0 affine map, inlined.
 */
#define ENCODE_ARRAY_GENERIC(ELEM_TYPE) \
	do { \
		for (p = 0; p < n; p++) \
		{ \
			ELEM_TYPE	v; \
\
			memcpy(&v, arr->data + sizeof(ELEM_TYPE) * p, sizeof(ELEM_TYPE)); \
			if (unlikely(!isfinite((double) v))) \
				array_value_error(model, p, (double) v); \
			ub_prep_encode_number(model->array_feature[p], model->array_slot[p], (double) v, false, x); \
		} \
	} while (0)

/* One loop per element type; e is computed as ub_prep_encode_number does, so both encode alike. */
#define ENCODE_AFFINE(v, p) (((double) (v) - center[p]) * scale[p])
#define ENCODE_ARRAY_VALUES(ELEM_TYPE, ENCODE) \
	do { \
		for (p = 0; p < n; p++) \
		{ \
			ELEM_TYPE	v; \
			double		e; \
\
			memcpy(&v, arr->data + sizeof(ELEM_TYPE) * p, sizeof(ELEM_TYPE)); \
			e = ENCODE(v, p); \
			/* false for NaN too, which the subtraction and product carry through */ \
			if (unlikely(!(fabs(e) <= FLT_MAX))) \
				array_value_error(model, p, (double) v); \
			x[dest[p]] = (float) e; \
		} \
	} while (0)

void
ub_feature_array_of(ArrayType *arr, UbFeatureArray *view)
{
	view->ndim = ARR_NDIM(arr);
	view->n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	view->has_null = ARR_HASNULL(arr);
	view->elemtype = ARR_ELEMTYPE(arr);
	view->data = ARR_DATA_PTR(arr);
}

void
ub_encode_array(UbModel *model, ArrayType *arr)
{
	UbFeatureArray view;

	ub_feature_array_of(arr, &view);
	ub_encode_features(model, &view);
}

void
ub_encode_features(UbModel *model, const UbFeatureArray *arr)
{
	const UbPreprocessing *prep = model->prep;
	int			n = arr->n;
	const int  *dest;
	const double *center,
			   *scale;
	float	   *x = model->x;
	int			p;

	if (prep->array_width < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model \"%s\" has the text feature \"%s\", which an array of numbers cannot carry",
						model->name, prep->first_categorical),
				 errhint("Score whole rows instead: ubehav_predict('%s', t) FROM t.", model->name)));
	if (arr->ndim > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array, not %d-dimensional", arr->ndim)));
	if (n != prep->array_width)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("model \"%s\" expects %d features, but the array has %d",
						model->name, prep->array_width, n),
				 errhint("Pass the raw values in the order of ubehav_models.feature_names, array columns expanded.")));
	if (arr->has_null)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the features array of model \"%s\" contains NULL", model->name),
				 errhint("Impute the value in the query, or score the row with ubehav_predict('%s', t), which imputes NULLs.",
						 model->name)));
	if (model->array_dest == NULL)
		build_array_plan(model);
	dest = model->array_dest;
	center = model->array_center;
	scale = model->array_scale;
	if (model->array_feature)
	{
		if (arr->elemtype == FLOAT8OID)
			ENCODE_ARRAY_GENERIC(float8);
		else
			ENCODE_ARRAY_GENERIC(float4);
	}
	else if (arr->elemtype == FLOAT8OID)
		ENCODE_ARRAY_VALUES(float8, ENCODE_AFFINE);
	else
		ENCODE_ARRAY_VALUES(float4, ENCODE_AFFINE);
	for (p = 0; p < model->n_array_indicators; p++)
		x[model->array_indicator_dest[p]] = 0.0f;
}
