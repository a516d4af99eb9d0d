/* preprocess.c: standardization, imputation and one-hot encoding, fitted on the training rows only. */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "jsonb_util.h"
#include "nn/mlp.h"
#include "preprocess.h"

/* Sort context for qsort_arg over category indices. */
static int
cmp_category(const void *a, const void *b, void *arg)
{
	char	  **cats = arg;

	return strcmp(cats[*(const int *) a], cats[*(const int *) b]);
}

static void
build_sorted_index(UbFeature *f)
{
	int			i;

	f->sorted = palloc(sizeof(int) * Max(f->n_categories, 1));
	for (i = 0; i < f->n_categories; i++)
		f->sorted[i] = i;
	qsort_arg(f->sorted, f->n_categories, sizeof(int), cmp_category, f->categories);
}

int
ub_prep_category_index(const UbFeature *f, const char *s, int len)
{
	int			lo = 0,
				hi = f->n_categories - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const char *c = f->categories[f->sorted[mid]];
		int			cmp = strncmp(s, c, len);

		/* s is not NUL-terminated: equal prefixes are decided by the category's length */
		if (cmp == 0)
			cmp = c[len] == '\0' ? 0 : -1;
		if (cmp == 0)
			return f->sorted[mid];
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

void
ub_prep_encode_number(const UbFeature *f, int k, double v, bool isnull, float *x)
{
	/* a NULL takes the training mean, which standardizes to exactly zero */
	x[f->offset + k] = isnull ? 0.0f : (float) ((v - f->mean[k]) * f->scale[k]);
}

void
ub_prep_encode_category(const UbFeature *f, const char *s, int len, bool isnull, float *x)
{
	int			idx;

	memset(x + f->offset, 0, sizeof(float) * f->width);
	idx = isnull ? f->impute_category : ub_prep_category_index(f, s, len);
	/* the last input stands for rare and unseen values */
	x[f->offset + (idx < 0 ? f->n_categories : idx)] = 1.0f;
}

/* Frequency order with ties broken by first appearance, so the vocabulary is deterministic. */
typedef struct CodeCount
{
	int			code;
	int64		count;
} CodeCount;

static int
cmp_count_desc(const void *a, const void *b)
{
	const CodeCount *x = a;
	const CodeCount *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->code - y->code;
}

static void
fit_categorical(UbFeature *f, const UbRawColumn *col, const uint32 *rows, size_t n, int max_categories)
{
	int			n_codes = col->dict->n;
	CodeCount  *counts = palloc0(sizeof(CodeCount) * Max(n_codes, 1));
	int			i,
				kept = 0;
	size_t		r;

	for (i = 0; i < n_codes; i++)
		counts[i].code = i;
	for (r = 0; r < n; r++)
	{
		float		v = col->values[rows[r]];

		if (!isnan(v))
			counts[(int) v].count++;
	}
	qsort(counts, n_codes, sizeof(CodeCount), cmp_count_desc);
	while (kept < n_codes && kept < max_categories && counts[kept].count > 0)
		kept++;
	f->n_categories = kept;
	f->categories = palloc(sizeof(char *) * Max(kept, 1));
	for (i = 0; i < kept; i++)
		f->categories[i] = pstrdup(col->dict->strings[counts[i].code]);
	/* NULL takes the most frequent value; with no values at all it falls in the "other" input */
	f->impute_category = kept > 0 ? 0 : -1;
	f->width = kept + 1;
	f->raw_width = 1;
	build_sorted_index(f);
	pfree(counts);
}

static void
fit_numeric(UbFeature *f, const UbRawColumn *col, const uint32 *rows, size_t n)
{
	int			w = col->width;
	int			k;
	size_t		r;

	f->raw_width = w;
	f->width = w;
	f->mean = palloc0(sizeof(double) * Max(w, 1));
	f->scale = palloc(sizeof(double) * Max(w, 1));
	for (k = 0; k < w; k++)
	{
		double		sum = 0.0,
					sumsq = 0.0,
					mean,
					var;
		size_t		cnt = 0;

		/* two passes: the mean first, then squared deviations, for accuracy on large offsets */
		for (r = 0; r < n; r++)
		{
			float		v = col->values[(size_t) rows[r] * w + k];

			if (!isnan(v))
			{
				sum += v;
				cnt++;
			}
		}
		mean = cnt ? sum / cnt : 0.0;
		for (r = 0; r < n; r++)
		{
			float		v = col->values[(size_t) rows[r] * w + k];

			if (!isnan(v))
				sumsq += (v - mean) * (v - mean);
		}
		var = cnt ? sumsq / cnt : 0.0;
		f->mean[k] = mean;
		f->scale[k] = (var > 1e-24 && isfinite(var)) ? 1.0 / sqrt(var) : 1.0;
	}
}

UbPreprocessing *
ub_prep_fit(const UbDataset *ds, const uint32 *train_rows, size_t n_train, int max_categories)
{
	UbPreprocessing *prep = palloc0(sizeof(UbPreprocessing));
	int			i;
	int			offset = 0,
				array_offset = 0;

	prep->n_features = ds->n_columns;
	prep->features = palloc0(sizeof(UbFeature) * Max(ds->n_columns, 1));
	for (i = 0; i < ds->n_columns; i++)
	{
		const UbRawColumn *col = &ds->columns[i];
		UbFeature  *f = &prep->features[i];

		f->name = pstrdup(col->name);
		f->type_name = pstrdup(col->type_name);
		f->kind = col->kind;
		f->null_count = col->null_count;
		if (col->kind == UB_KIND_ARRAY && col->width == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("array column \"%s\" is NULL in every row", col->name),
					 errhint("Leave the column out of the training query.")));
		if (col->kind == UB_KIND_CATEGORICAL)
		{
			fit_categorical(f, col, train_rows, n_train, max_categories);
			f->array_offset = -1;
			if (prep->first_categorical == NULL)
				prep->first_categorical = f->name;
		}
		else
		{
			fit_numeric(f, col, train_rows, n_train);
			f->array_offset = array_offset;
			array_offset += f->raw_width;
		}
		f->offset = offset;
		offset += f->width;
		CHECK_FOR_INTERRUPTS();
	}
	prep->n_inputs = offset;
	prep->array_width = prep->first_categorical ? -1 : array_offset;
	prep->target_mean = 0.0;
	prep->target_std = 1.0;
	return prep;
}

void
ub_prep_encode_dataset(const UbPreprocessing *prep, const UbDataset *ds,
					   const uint32 *rows, size_t n, float *X)
{
	int			i;

	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];
		const UbRawColumn *col = &ds->columns[i];
		size_t		r;

		if (f->kind == UB_KIND_CATEGORICAL)
		{
			/* dictionary code -> vocabulary index once, not a search per row */
			int			n_codes = col->dict->n;
			int		   *map = palloc(sizeof(int) * Max(n_codes, 1));
			int			c;

			for (c = 0; c < n_codes; c++)
				map[c] = ub_prep_category_index(f, col->dict->strings[c], strlen(col->dict->strings[c]));
			for (r = 0; r < n; r++)
			{
				float	   *x = X + r * prep->n_inputs;
				float		v = col->values[rows[r]];
				int			idx = isnan(v) ? f->impute_category : map[(int) v];

				memset(x + f->offset, 0, sizeof(float) * f->width);
				x[f->offset + (idx < 0 ? f->n_categories : idx)] = 1.0f;
			}
			pfree(map);
		}
		else
		{
			int			k;

			for (r = 0; r < n; r++)
			{
				float	   *x = X + r * prep->n_inputs;
				const float *v = col->values + (size_t) rows[r] * f->raw_width;

				for (k = 0; k < f->raw_width; k++)
					ub_prep_encode_number(f, k, v[k], isnan(v[k]), x);
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
}

static void
json_doubles(StringInfo buf, const char *key, const double *v, int n)
{
	int			k;

	appendStringInfoChar(buf, ',');
	ub_json_key(buf, key);
	appendStringInfoChar(buf, '[');
	for (k = 0; k < n; k++)
	{
		if (k)
			appendStringInfoChar(buf, ',');
		ub_json_number(buf, v[k]);
	}
	appendStringInfoChar(buf, ']');
}

Jsonb *
ub_prep_to_jsonb(const UbPreprocessing *prep)
{
	StringInfoData buf;
	int			i,
				k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"n_inputs\":%d,\"columns\":[", prep->n_inputs);
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		if (i)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '{');
		ub_json_key(&buf, "name");
		ub_json_string(&buf, f->name);
		appendStringInfoChar(&buf, ',');
		ub_json_key(&buf, "type");
		ub_json_string(&buf, f->type_name);
		appendStringInfo(&buf, ",\"kind\":\"%s\",\"nulls\":" INT64_FORMAT ",\"width\":%d",
						 ub_kind_name(f->kind), f->null_count, f->raw_width);
		if (f->kind == UB_KIND_CATEGORICAL)
		{
			appendStringInfoString(&buf, ",\"categories\":[");
			for (k = 0; k < f->n_categories; k++)
			{
				if (k)
					appendStringInfoChar(&buf, ',');
				ub_json_string(&buf, f->categories[k]);
			}
			appendStringInfo(&buf, "],\"impute\":%d", f->impute_category);
		}
		else
		{
			json_doubles(&buf, "mean", f->mean, f->raw_width);
			json_doubles(&buf, "scale", f->scale, f->raw_width);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "],\"target_mean\":");
	ub_json_number(&buf, prep->target_mean);
	appendStringInfoString(&buf, ",\"target_std\":");
	ub_json_number(&buf, prep->target_std);
	appendStringInfoChar(&buf, '}');
	return ub_json_to_jsonb(&buf);
}

static void
corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored preprocessing is invalid: %s", what),
			 errhint("Retrain the model, or deploy another version of it.")));
}

static double *
read_doubles(JsonbContainer *obj, const char *key, int n)
{
	JsonbValue *v = ub_jsonb_get(obj, key);
	double	   *out;
	int			k;

	if (v == NULL || ub_jsonb_array_length(v, key) != n)
		corrupt(key);
	out = palloc(sizeof(double) * Max(n, 1));
	for (k = 0; k < n; k++)
	{
		out[k] = ub_jsonb_number(ub_jsonb_array_element(v, k), key);
		if (!isfinite(out[k]))
			corrupt(key);
	}
	return out;
}

UbPreprocessing *
ub_prep_from_jsonb(Jsonb *j)
{
	UbPreprocessing *prep = palloc0(sizeof(UbPreprocessing));
	JsonbValue *cols = ub_jsonb_get(&j->root, "columns");
	JsonbValue *n_inputs = ub_jsonb_get(&j->root, "n_inputs");
	int			i,
				k,
				offset = 0,
				array_offset = 0;

	if (cols == NULL || n_inputs == NULL)
		corrupt("missing columns or n_inputs");
	prep->n_features = ub_jsonb_array_length(cols, "columns");
	prep->features = palloc0(sizeof(UbFeature) * Max(prep->n_features, 1));
	for (i = 0; i < prep->n_features; i++)
	{
		UbFeature  *f = &prep->features[i];
		JsonbContainer *obj = ub_jsonb_container(ub_jsonb_array_element(cols, i));
		double		width;

		if (obj == NULL)
			corrupt("column entry is not an object");
		f->name = ub_jsonb_string(ub_jsonb_get(obj, "name"), "name");
		f->type_name = ub_jsonb_string(ub_jsonb_get(obj, "type"), "type");
		f->kind = ub_kind_from_name(ub_jsonb_string(ub_jsonb_get(obj, "kind"), "kind"));
		f->null_count = (int64) ub_jsonb_number(ub_jsonb_get(obj, "nulls"), "nulls");
		width = ub_jsonb_number(ub_jsonb_get(obj, "width"), "width");
		if (f->kind == UB_KIND_UNSUPPORTED || width < 1 || width > NN_MAX_WIDTH)
			corrupt("column kind or width");
		f->raw_width = (int) width;
		f->offset = offset;
		if (f->kind == UB_KIND_CATEGORICAL)
		{
			JsonbValue *cats = ub_jsonb_get(obj, "categories");
			double		impute = ub_jsonb_number(ub_jsonb_get(obj, "impute"), "impute");

			f->n_categories = ub_jsonb_array_length(cats, "categories");
			f->categories = palloc(sizeof(char *) * Max(f->n_categories, 1));
			for (k = 0; k < f->n_categories; k++)
				f->categories[k] = ub_jsonb_string(ub_jsonb_array_element(cats, k), "category");
			if (impute < -1 || impute >= f->n_categories || f->raw_width != 1)
				corrupt("categorical column");
			f->impute_category = (int) impute;
			f->width = f->n_categories + 1;
			f->array_offset = -1;
			build_sorted_index(f);
			if (prep->first_categorical == NULL)
				prep->first_categorical = f->name;
		}
		else
		{
			f->mean = read_doubles(obj, "mean", f->raw_width);
			f->scale = read_doubles(obj, "scale", f->raw_width);
			f->width = f->raw_width;
			f->array_offset = array_offset;
			array_offset += f->raw_width;
		}
		offset += f->width;
		if (offset > NN_MAX_WIDTH)
			corrupt("too many inputs");
	}
	prep->n_inputs = offset;
	if ((int) ub_jsonb_number(n_inputs, "n_inputs") != offset)
		corrupt("n_inputs does not match the columns");
	prep->target_mean = ub_jsonb_number(ub_jsonb_get(&j->root, "target_mean"), "target_mean");
	prep->target_std = ub_jsonb_number(ub_jsonb_get(&j->root, "target_std"), "target_std");
	if (!isfinite(prep->target_mean) || !isfinite(prep->target_std) || prep->target_std <= 0)
		corrupt("target standardization");
	prep->array_width = prep->first_categorical ? -1 : array_offset;
	return prep;
}
