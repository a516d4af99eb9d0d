/* prep_columns.c: standardization, imputation and one-hot encoding, fitted on the training rows only. */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "lib/stringinfo.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "jsonb_build.h"
#include "jsonb_util.h"
#include "nn/mlp.h"
#include "nn/pca.h"
#include "nn/sort.h"
#include "nn/transform.h"
#include "nn_error.h"
#include "prep_columns.h"

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
ub_prep_number_out_of_range(const UbFeature *f, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("feature \"%s\" has the value %g, too far outside the training range to score", f->name, v),
			 errhint("Clip or filter extreme values in the query.")));
}

void
ub_prep_too_many_inputs(int n_inputs, bool at_least, const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the feature columns encode to %s%d inputs, more than the %d a network can take",
					at_least ? "at least " : "", n_inputs, NN_MAX_WIDTH),
			 errdetail("The limit is passed at column \"%s\"; a text column takes one input per kept category and one more, an array column one per element.",
					   column),
			 errhint("Lower \"max_categories\", or leave high-cardinality text columns or long arrays out of the query.")));
}

/* ERROR: option "pca" with more encoded inputs than it supports. */
static void
pca_too_wide(int d)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("option \"pca\" supports at most %d encoded inputs, but the data encodes to %d",
					NN_PCA_MAX_INPUTS, d),
			 errhint("Lower \"max_categories\" or leave high-cardinality columns out.")));
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
fit_categorical(UbFeature *f, const UbRawColumn *col, const uint32 *rows, size_t n, int max_categories,
				int min_count)
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
		float		v = *ub_chunks_row(&col->values, rows[r]);

		if (!isnan(v))
			counts[(int) v].count++;
	}
	qsort(counts, n_codes, sizeof(CodeCount), cmp_count_desc);
	/* values rarer than min_count share the last input with unseen ones */
	while (kept < n_codes && kept < max_categories && counts[kept].count >= Max(min_count, 1))
		kept++;
	f->n_categories = kept;
	f->categories = palloc(sizeof(char *) * Max(kept, 1));
	f->frequencies = palloc0(sizeof(double) * (kept + 1));
	for (i = 0; i < kept; i++)
		f->categories[i] = pstrdup(col->dict->strings[counts[i].code]);
	/* shares of the training rows, NULLs counted where they are imputed and the rest as "other" */
	{
		int64		nulls = 0;

		for (r = 0; r < n; r++)
			nulls += isnan(*ub_chunks_row(&col->values, rows[r]));
		for (i = 0; i < n_codes; i++)
			f->frequencies[i < kept ? i : kept] += (double) counts[i].count / Max(n, 1);
		f->frequencies[kept > 0 ? 0 : kept] += (double) nulls / Max(n, 1);
	}
	/* NULL takes the most frequent value; with no values at all it falls in the "other" input */
	f->impute_category = kept > 0 ? 0 : -1;
	f->width = kept + 1;
	f->raw_width = 1;
	build_sorted_index(f);
	pfree(counts);
}

/*
 * The q-quantile of values[0..n), n > 0, interpolated between order statistics as numpy's default
 * percentile, found by selection (expected O(n), where sorting each column was most of the
 * preprocessing's time): the next order statistic is the least value after the selected one.
 * Reorders values.
 */
static double
quantile(float *values, size_t n, double q)
{
	double		pos = q * (n - 1);
	size_t		lo = (size_t) floor(pos);
	float		low = nn_select_float(values, n, lo);
	float		high = low;
	size_t		i;

	if (lo + 1 < n)
	{
		high = values[lo + 1];
		for (i = lo + 2; i < n; i++)
			if (values[i] < high)
				high = values[i];
	}
	return low + (pos - lo) * ((double) high - low);
}

/*
 * scaling "auto": a non-negative column whose skewness passes this is taken as ln(1 + x) before
 * scaling (counts, durations, amounts); the rest are robust-scaled and smoothly clipped as is.
 */
#define UB_AUTO_SKEW_LOG1P 1.0
/* values the Yeo-Johnson exponent is fitted on, evenly spaced over the training rows */
#define UB_YJ_FIT_SAMPLE 100000

/* The statistics of one slot's non-NULL training values that its centre and scale come from. */
typedef struct SlotStatistics
{
	double		mean;
	double		sd;
	double		median;
	double		lowest;
	double		highest;
} SlotStatistics;

/* Map the cnt values by transform t (log1p or Yeo-Johnson with lambda); st becomes the mapped values'. */
static void
map_slot_values(float *values, size_t cnt, uint8 t, double lambda, SlotStatistics *st)
{
	long double s2 = 0.0L;
	double		sum = 0.0;
	size_t		i;

	for (i = 0; i < cnt; i++)
	{
		double		m = (t & UB_TF_LOG1P) ? log1p((double) values[i]) : nn_yeo_johnson(values[i], lambda);

		values[i] = (float) m;
		sum += m;
	}
	st->mean = sum / cnt;
	for (i = 0; i < cnt; i++)
		s2 += ((long double) values[i] - st->mean) * ((long double) values[i] - st->mean);
	st->sd = (double) sqrtl(s2 / cnt);
	st->lowest = (t & UB_TF_LOG1P) ? log1p(st->lowest) : nn_yeo_johnson(st->lowest, lambda);
	st->highest = (t & UB_TF_LOG1P) ? log1p(st->highest) : nn_yeo_johnson(st->highest, lambda);
	st->median = quantile(values, cnt, 0.5);
}

/* The centre of a slot under scaling, and its spread (what 1 / scale is) in *spread. */
static double
slot_center(UbScaling scaling, const SlotStatistics *st, float *values, size_t cnt, double *spread)
{
	switch (scaling)
	{
		case UB_SCALING_STANDARD:
		case UB_SCALING_YEO_JOHNSON:
			*spread = st->sd;
			return st->mean;
		case UB_SCALING_MINMAX:
			*spread = st->highest - st->lowest;
			return st->lowest;
		case UB_SCALING_ROBUST:
			*spread = cnt ? quantile(values, cnt, 0.75) - quantile(values, cnt, 0.25) : 0.0;
			return st->median;
		case UB_SCALING_ROBUST_CLIP:
		case UB_SCALING_AUTO:
			*spread = cnt ? quantile(values, cnt, 0.75) - quantile(values, cnt, 0.25) : 0.0;
			/* most values equal (a zero-inflated count): half the range, as RealMLP */
			if (!(*spread > 1e-12))
				*spread = 0.5 * (st->highest - st->lowest);
			return st->median;
		default:
			*spread = 1.0;
			return 0.0;
	}
}

/*
 * Centre, scale, transform and imputation value of every raw slot of a numeric, boolean or array
 * column. The transform is learned on the non-NULL training values: log1p or Yeo-Johnson maps them
 * first, and the centre and scale are those of the mapped values. The imputation value stays raw
 * (it is encoded like any value), and mean stays the raw mean, the baseline of explanations.
 */
static void
fit_numeric(UbFeature *f, const UbRawColumn *col, const uint32 *rows, size_t n, const UbOptions *o)
{
	int			w = col->width;
	UbScaling	scaling = o->scaling;
	bool		transforms = scaling == UB_SCALING_ROBUST_CLIP || scaling == UB_SCALING_YEO_JOHNSON ||
		scaling == UB_SCALING_AUTO;
	bool		need_order = scaling == UB_SCALING_ROBUST || transforms || o->imputation == UB_IMPUTE_MEDIAN;
	float	   *values = need_order ? palloc_extended(sizeof(float) * Max(n, 1), MCXT_ALLOC_HUGE) : NULL;
	int			k;
	size_t		r;

	/* a boolean is 0 or 1: nothing to transform, and standard scaling keeps its two values apart */
	if (transforms && f->kind == UB_KIND_BOOLEAN)
	{
		transforms = false;
		scaling = UB_SCALING_STANDARD;
	}
	f->raw_width = w;
	f->indicator = o->missing_indicator && col->null_count > 0;
	f->width = f->indicator ? 2 * w : w;
	f->center = palloc0(sizeof(double) * Max(w, 1));
	f->scale = palloc(sizeof(double) * Max(w, 1));
	f->impute = palloc0(sizeof(double) * Max(w, 1));
	f->mean = palloc0(sizeof(double) * Max(w, 1));
	f->transform = transforms ? palloc0(sizeof(uint8) * Max(w, 1)) : NULL;
	f->lambda = scaling == UB_SCALING_YEO_JOHNSON ? palloc0(sizeof(double) * Max(w, 1)) : NULL;
	for (k = 0; k < w; k++)
	{
		double		sum = 0.0,
					spread;
		SlotStatistics st = {0.0, 0.0, 0.0, 0.0, 0.0};
		size_t		cnt = 0;
		long double sumsq = 0.0L;	/* squares of values near float32's limit overflow a double */
		uint8		t = 0;

		/* two passes: the mean first, then squared deviations, for accuracy on large offsets */
		for (r = 0; r < n; r++)
		{
			float		v = ub_chunks_row(&col->values, rows[r])[k];

			if (!isnan(v))
			{
				sum += v;
				if (values)
					values[cnt] = v;
				if (cnt == 0 || v < st.lowest)
					st.lowest = v;
				if (cnt == 0 || v > st.highest)
					st.highest = v;
				cnt++;
			}
		}
		st.mean = cnt ? sum / cnt : 0.0;
		for (r = 0; r < n; r++)
		{
			float		v = ub_chunks_row(&col->values, rows[r])[k];

			if (!isnan(v))
				sumsq += ((long double) v - st.mean) * ((long double) v - st.mean);
		}
		st.sd = cnt ? (double) sqrtl(sumsq / cnt) : 0.0;
		if (values && cnt > 0)
			st.median = quantile(values, cnt, 0.5);
		f->mean[k] = st.mean;
		f->impute[k] = o->imputation == UB_IMPUTE_MEDIAN ? st.median :
			o->imputation == UB_IMPUTE_ZERO ? 0.0 : st.mean;

		if (transforms && cnt > 0)
		{
			if (scaling == UB_SCALING_YEO_JOHNSON)
			{
				f->lambda[k] = nn_yeo_johnson_fit(values, cnt, UB_YJ_FIT_SAMPLE);
				t = UB_TF_YEO_JOHNSON;
			}
			else
			{
				if (scaling == UB_SCALING_AUTO && st.lowest >= 0 &&
					nn_skewness(values, cnt) > UB_AUTO_SKEW_LOG1P)
					t = UB_TF_LOG1P;
				t |= UB_TF_CLIP;
			}
			if (t & (UB_TF_LOG1P | UB_TF_YEO_JOHNSON))
				map_slot_values(values, cnt, t, f->lambda ? f->lambda[k] : 0.0, &st);
			f->transform[k] = t;
		}
		f->center[k] = slot_center(scaling, &st, values, cnt, &spread);
		/* a constant column keeps scale 1 rather than dividing by zero */
		f->scale[k] = (spread > 1e-12 && isfinite(spread)) ? 1.0 / spread : 1.0;
	}
	if (values)
		pfree(values);
}

/*
 * Option integer_categories: a number column whose non-NULL training values are all whole, with 3
 * to integer_categories distinct ones (a level, a count of calls, a region code), also gets one-hot
 * inputs for those values and one more for any other, after its scaled value. The share of each
 * code among the non-NULL training values is stored too, as the baseline of explanations.
 */
static void
fit_codes(UbFeature *f, const UbRawColumn *col, const uint32 *rows, size_t n, int max_codes)
{
	double		codes[1001];
	double		counts[1001];
	int			n_codes = 0,
				j;
	size_t		r,
				cnt = 0;

	f->n_codes = 0;
	if (f->kind != UB_KIND_NUMERIC || col->width != 1 || max_codes < 3)
		return;
	for (r = 0; r < n; r++)
	{
		float		v = ub_chunks_row(&col->values, rows[r])[0];
		int			lo = 0,
					hi = n_codes;

		if (isnan(v))
			continue;
		if (v != floorf(v))
			return;
		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (codes[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n_codes || codes[lo] != v)
		{
			if (n_codes == max_codes)
				return;
			memmove(codes + lo + 1, codes + lo, sizeof(double) * (n_codes - lo));
			memmove(counts + lo + 1, counts + lo, sizeof(double) * (n_codes - lo));
			codes[lo] = v;
			counts[lo] = 0;
			n_codes++;
		}
		counts[lo] += 1;
		cnt++;
	}
	if (n_codes < 3)
		return;
	f->n_codes = n_codes;
	f->codes = palloc(sizeof(double) * n_codes);
	memcpy(f->codes, codes, sizeof(double) * n_codes);
	f->frequencies = palloc0(sizeof(double) * (n_codes + 1));
	for (j = 0; j < n_codes; j++)
		f->frequencies[j] = counts[j] / (double) cnt;
	f->code_offset = f->width;
	f->width += n_codes + 1;
}

/*
 * A spilled array column too wide to load whole: fit_numeric on slices of as many slots as fit,
 * each read from the spill file a chunk at a time; the result is the same as on the whole column.
 */
static void
fit_numeric_by_slices(UbFeature *f, const UbDataset *ds, int i, const uint32 *rows, size_t n, const UbOptions *o)
{
	const UbRawColumn *col = &ds->columns[i];
	int			w = col->width,
				per_load = ub_dataset_slots_per_load(ds, i),
				k0;

	f->raw_width = w;
	f->indicator = o->missing_indicator && col->null_count > 0;
	f->width = f->indicator ? 2 * w : w;
	f->center = palloc0(sizeof(double) * w);
	f->scale = palloc(sizeof(double) * w);
	f->impute = palloc0(sizeof(double) * w);
	f->mean = palloc0(sizeof(double) * w);
	for (k0 = 0; k0 < w; k0 += per_load)
	{
		int			m = Min(per_load, w - k0);
		UbRawColumn slice;
		UbFeature	part;

		ub_dataset_load_slice(ds, i, k0, m, &slice);
		memset(&part, 0, sizeof(part));
		part.kind = f->kind;
		fit_numeric(&part, &slice, rows, n, o);
		memcpy(f->center + k0, part.center, sizeof(double) * m);
		memcpy(f->scale + k0, part.scale, sizeof(double) * m);
		memcpy(f->impute + k0, part.impute, sizeof(double) * m);
		memcpy(f->mean + k0, part.mean, sizeof(double) * m);
		if (part.transform)
		{
			if (f->transform == NULL)
				f->transform = palloc0(sizeof(uint8) * w);
			memcpy(f->transform + k0, part.transform, sizeof(uint8) * m);
			pfree(part.transform);
		}
		if (part.lambda)
		{
			if (f->lambda == NULL)
				f->lambda = palloc0(sizeof(double) * w);
			memcpy(f->lambda + k0, part.lambda, sizeof(double) * m);
			pfree(part.lambda);
		}
		pfree(part.center);
		pfree(part.scale);
		pfree(part.impute);
		pfree(part.mean);
		ub_dataset_free_slice(&slice);
	}
}

/* The stored string of row r of a text column, NULL when the value is NULL. */
typedef struct TextDocs
{
	const UbRawColumn *col;
	const uint32 *rows;
} TextDocs;

static const char *
text_doc(void *ctx, size_t i)
{
	TextDocs   *d = ctx;
	float		v = *ub_chunks_row(&d->col->values, d->rows ? d->rows[i] : (uint32) i);

	return isnan(v) ? NULL : d->col->dict->strings[(int) v];
}

/*
 * Text columns take the network's inputs after every dense one, n_slots each, and the encoded
 * row's floats after the dense ones, two per pair.
 */
static void
lay_out_text(UbPreprocessing *prep)
{
	int			i,
				inputs = prep->n_dense;

	prep->n_pairs = 0;
	for (i = 0; i < prep->n_features; i++)
	{
		UbFeature  *f = &prep->features[i];

		if (f->kind != UB_KIND_TEXT)
			continue;
		f->offset = inputs;
		f->width = f->text->n_slots;
		f->raw_width = 1;
		f->array_offset = -1;
		inputs += f->width;
		prep->n_pairs += f->text->max_terms;
		if (prep->first_categorical == NULL)
			prep->first_categorical = f->name;
	}
	if (prep->n_pairs == 0)
		return;
	if (inputs > NN_MAX_WIDTH)
		ub_prep_too_many_inputs(inputs, false, prep->features[prep->n_features - 1].name);
	prep->n_inputs = inputs;
	prep->n_encoded = prep->n_dense + 2 * prep->n_pairs;
}

static void
fit_text_columns(UbPreprocessing *prep, const UbDataset *ds, const uint32 *train_rows, size_t n_train,
				 const UbOptions *opts)
{
	int			i;

	for (i = 0; i < ds->n_columns; i++)
	{
		const UbRawColumn *col = &ds->columns[i];
		UbFeature  *f = &prep->features[i];
		TextDocs	docs = {col, train_rows};

		if (col->kind != UB_KIND_TEXT)
			continue;
		if (opts->pca_components > 0 || opts->pca_variance > 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("option \"pca\" cannot be used with the text column \"%s\"", col->name),
					 errhint("Leave \"pca\" out: a text column's inputs are sparse and stay so.")));
		if (opts->dp)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("differentially private training cannot use the text column \"%s\"", col->name),
					 errhint("Leave the text column out, or train without \"dp_epsilon\" and \"noise_multiplier\".")));
		ub_dataset_load_column(ds, i);
		f->text = ub_text_create(opts->text_config, opts->text_slots, opts->text_ngrams,
								 col->typid == TSVECTOROID);
		ub_text_fit(f->text, text_doc, &docs, n_train);
		ub_dataset_unload_column(ds, i);
	}
	lay_out_text(prep);
}

void
ub_prep_sparse_spec(const UbPreprocessing *prep, NnSpec *spec)
{
	spec->sparse_from = prep->n_pairs > 0 ? prep->n_dense : 0;
	spec->sparse_pairs = prep->n_pairs;
}

void
ub_prep_encode_text_row(const UbPreprocessing *prep, TSVector *tsv, float *x)
{
	float	   *pairs = x + prep->n_dense;
	int			cursor = 0,
				i;

	for (i = 0; i < prep->n_features; i++)
		if (prep->features[i].kind == UB_KIND_TEXT)
			ub_text_encode(prep->features[i].text, tsv[i], prep->features[i].offset, pairs, &cursor);
	/* a negative index ends the row's pairs */
	if (cursor < prep->n_pairs)
	{
		pairs[2 * cursor] = -1.0f;
		pairs[2 * cursor + 1] = 0.0f;
	}
}

UbPreprocessing *
ub_prep_fit(const UbDataset *ds, const uint32 *train_rows, size_t n_train, const UbOptions *opts)
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
		if (col->kind == UB_KIND_ARRAY && !ub_dataset_column_fits(ds, i))
		{
			fit_numeric_by_slices(f, ds, i, train_rows, n_train, opts);
			f->array_offset = array_offset;
			array_offset += f->raw_width;
			f->offset = offset;
			offset += f->width;
			if (offset > NN_MAX_WIDTH)
				ub_prep_too_many_inputs(offset, i + 1 < ds->n_columns, f->name);
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		if (col->kind == UB_KIND_TEXT)
			continue;			/* after the dense columns, below */
		/* a spilled dataset is learned from one column at a time */
		ub_dataset_load_column(ds, i);
		if (col->kind == UB_KIND_CATEGORICAL)
		{
			fit_categorical(f, col, train_rows, n_train, opts->max_categories, opts->min_category_count);
			f->array_offset = -1;
			if (prep->first_categorical == NULL)
				prep->first_categorical = f->name;
		}
		else
		{
			fit_numeric(f, col, train_rows, n_train, opts);
			fit_codes(f, col, train_rows, n_train, opts->integer_categories);
			f->array_offset = array_offset;
			array_offset += f->raw_width;
		}
		ub_dataset_unload_column(ds, i);
		f->offset = offset;
		offset += f->width;
		/* now, not once the rows are encoded: each encoded row would take 4 bytes per input */
		if (offset > NN_MAX_WIDTH)
			ub_prep_too_many_inputs(offset, i + 1 < ds->n_columns, f->name);
		CHECK_FOR_INTERRUPTS();
	}
	if ((opts->pca_components > 0 || opts->pca_variance > 0.0) && offset > NN_PCA_MAX_INPUTS)
		pca_too_wide(offset);
	prep->n_dense = offset;
	prep->n_encoded = offset;
	prep->n_inputs = offset;
	fit_text_columns(prep, ds, train_rows, n_train, opts);
	prep->array_width = prep->first_categorical ? -1 : array_offset;
	prep->target_mean = 0.0;
	prep->target_std = 1.0;
	return prep;
}

void
ub_prep_encode_dataset(const UbPreprocessing *prep, UbDataset *ds, UbRowChunks *X, bool release_raw)
{
	int		  **maps = palloc0(sizeof(int *) * Max(prep->n_features, 1));
	MemoryContext text_cxt = NULL;
	TSVector   *tsv = NULL;
	size_t		chunk,
				n_chunks = (ds->n_rows + UB_CHUNK_ROWS - 1) >> UB_CHUNK_SHIFT;
	int			i;

	/* dictionary code -> vocabulary index once per column, not a search per row */
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];
		const UbRawColumn *col = &ds->columns[i];
		int			c;

		if (f->kind != UB_KIND_CATEGORICAL)
			continue;
		maps[i] = palloc(sizeof(int) * Max(col->dict->n, 1));
		for (c = 0; c < col->dict->n; c++)
			maps[i][c] = ub_prep_category_index(f, col->dict->strings[c], strlen(col->dict->strings[c]));
	}
	ub_chunks_init(X, prep->n_encoded, CurrentMemoryContext);
	if (prep->n_pairs > 0)
	{
		text_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav text rows", ALLOCSET_DEFAULT_SIZES);
		tsv = palloc0(sizeof(TSVector) * prep->n_features);
	}
	/* chunk by chunk, releasing each raw chunk once encoded: the raw and encoded data never coexist whole */
	for (chunk = 0; chunk < n_chunks; chunk++)
	{
		size_t		first = chunk << UB_CHUNK_SHIFT;
		size_t		last = Min(first + UB_CHUNK_ROWS, ds->n_rows);
		size_t		r;

		ub_chunks_reserve_exact(X, last);
		for (i = 0; i < prep->n_features; i++)
			ub_chunks_load(&ds->columns[i].values, chunk);
		for (r = first; r < last; r++)
		{
			float	   *x = ub_chunks_row(X, r);

			for (i = 0; i < prep->n_features; i++)
			{
				const UbFeature *f = &prep->features[i];
				const float *v = ub_chunks_row(&ds->columns[i].values, r);

				if (f->kind == UB_KIND_TEXT)
				{
					MemoryContext old = MemoryContextSwitchTo(text_cxt);

					tsv[i] = isnan(v[0]) ? NULL :
						ub_text_tsvector_of_cstring(f->text, ds->columns[i].dict->strings[(int) v[0]]);
					MemoryContextSwitchTo(old);
				}
				else if (f->kind == UB_KIND_CATEGORICAL)
				{
					int			idx = isnan(v[0]) ? f->impute_category : maps[i][(int) v[0]];

					memset(x + f->offset, 0, sizeof(float) * f->width);
					x[f->offset + (idx < 0 ? f->n_categories : idx)] = 1.0f;
				}
				else
				{
					int			k;

					for (k = 0; k < f->raw_width; k++)
						ub_prep_encode_number(f, k, v[k], isnan(v[k]), x);
				}
			}
			if (text_cxt)
			{
				MemoryContext old = MemoryContextSwitchTo(text_cxt);

				ub_prep_encode_text_row(prep, tsv, x);
				MemoryContextSwitchTo(old);
				MemoryContextReset(text_cxt);
				if ((r & 255) == 0)
					CHECK_FOR_INTERRUPTS();
			}
		}
		for (i = 0; i < prep->n_features; i++)
		{
			if (release_raw)
				ub_chunks_release(&ds->columns[i].values, chunk);
			else
				ub_chunks_unload(&ds->columns[i].values, chunk);
		}
		/* past ubehav.max_training_memory: an ERROR, or the encoded chunks go to the spill file */
		ub_dataset_encoded_chunk(ds, X, chunk, last);
		CHECK_FOR_INTERRUPTS();
	}
}

/* The members of one numeric column: its per-slot statistics and transforms. */
static void
numeric_to_jsonb(const UbFeature *f, UbJsonbBuilder *b)
{
	int			k;

	ub_jb_kv_float8_array(b, "center", f->center, f->raw_width);
	ub_jb_kv_float8_array(b, "scale", f->scale, f->raw_width);
	ub_jb_kv_float8_array(b, "impute", f->impute, f->raw_width);
	ub_jb_kv_float8_array(b, "mean", f->mean, f->raw_width);
	ub_jb_kv_bool(b, "indicator", f->indicator);
	/* absent in models before 0.2.0, and when no slot has a transform */
	if (f->transform)
	{
		ub_jb_key(b, "transform");
		ub_jb_array_begin(b);
		for (k = 0; k < f->raw_width; k++)
			ub_jb_int64(b, (int) f->transform[k]);
		ub_jb_array_end(b);
	}
	if (f->lambda)
		ub_jb_kv_float8_array(b, "lambda", f->lambda, f->raw_width);
	if (f->n_codes)
	{
		ub_jb_kv_float8_array(b, "codes", f->codes, f->n_codes);
		ub_jb_kv_float8_array(b, "code_frequencies", f->frequencies, f->n_codes + 1);
	}
}

static void
column_to_jsonb(const UbFeature *f, UbJsonbBuilder *b)
{
	int			k;

	ub_jb_object_begin(b);
	ub_jb_kv_string(b, "name", f->name);
	ub_jb_kv_string(b, "type", f->type_name);
	ub_jb_kv_string(b, "kind", ub_kind_name(f->kind));
	ub_jb_kv_int64(b, "nulls", f->null_count);
	ub_jb_kv_int64(b, "width", f->raw_width);
	if (f->kind == UB_KIND_TEXT)
		ub_text_to_jsonb(f->text, b);
	else if (f->kind == UB_KIND_CATEGORICAL)
	{
		ub_jb_key(b, "categories");
		ub_jb_array_begin(b);
		for (k = 0; k < f->n_categories; k++)
			ub_jb_string(b, f->categories[k]);
		ub_jb_array_end(b);
		ub_jb_kv_int64(b, "impute", f->impute_category);
		ub_jb_kv_float8_array(b, "frequencies", f->frequencies, f->n_categories + 1);
	}
	else
		numeric_to_jsonb(f, b);
	ub_jb_object_end(b);
}

Jsonb *
ub_prep_to_jsonb(const UbPreprocessing *prep)
{
	UbJsonbBuilder b;
	int			i;

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_kv_int64(&b, "n_encoded", prep->n_encoded);
	ub_jb_kv_int64(&b, "n_inputs", prep->n_inputs);
	ub_jb_key(&b, "columns");
	ub_jb_array_begin(&b);
	for (i = 0; i < prep->n_features; i++)
		column_to_jsonb(&prep->features[i], &b);
	ub_jb_array_end(&b);
	ub_jb_kv_float8(&b, "target_mean", prep->target_mean);
	ub_jb_kv_float8(&b, "target_std", prep->target_std);
	if (prep->pca_k > 0)
	{
		int			c;

		ub_jb_key(&b, "pca");
		ub_jb_object_begin(&b);
		ub_jb_kv_int64(&b, "k", prep->pca_k);
		ub_jb_kv_float8_array(&b, "mean", prep->pca_mean, prep->n_encoded);
		ub_jb_kv_float8_array(&b, "explained_variance_ratio", prep->pca_explained, prep->pca_k);
		ub_jb_key(&b, "components");
		ub_jb_array_begin(&b);
		for (c = 0; c < prep->pca_k; c++)
		{
			int			j;

			ub_jb_array_begin(&b);
			for (j = 0; j < prep->n_encoded; j++)
				ub_jb_float8(&b, prep->pca_components[(size_t) c * prep->n_encoded + j]);
			ub_jb_array_end(&b);
		}
		ub_jb_array_end(&b);
		ub_jb_object_end(&b);
	}
	ub_jb_object_end(&b);
	return ub_jb_finish(&b);
}

static UbPreprocessing *prep_read(Jsonb *j);

/* Whose preprocessing is being read: the catalog's (damaged data) or an import's (bad input). */
static bool reading_import;

static void
corrupt(const char *what)
{
	if (reading_import)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model to import has invalid preprocessing: %s", what),
				 errhint("Import what ubehav_export returned, unchanged.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored preprocessing is invalid: %s", what),
			 errhint("Retrain the model, or deploy another version of it.")));
}

/* The n numbers of obj's array key, each finite and at most bound in magnitude. */
static double *
read_bounded_doubles(JsonbContainer *obj, const char *key, int n, double bound)
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
		if (!isfinite(out[k]) || fabs(out[k]) > bound)
			corrupt(key);
	}
	return out;
}

static double *
read_doubles(JsonbContainer *obj, const char *key, int n)
{
	return read_bounded_doubles(obj, key, n, DBL_MAX);
}

/*
 * Statistics of values stored as float32 (training reads every number into a float): a centre, an
 * imputed value, a mean, a PCA mean of encoded inputs. Training never stores one beyond FLT_MAX;
 * such a value would encode a row to infinity, and the score to NaN.
 */
static double *
read_float_statistics(JsonbContainer *obj, const char *key, int n)
{
	return read_bounded_doubles(obj, key, n, FLT_MAX);
}

/*
 * Smallest scale training stores: 1 / spread, and no spread of float32 values exceeds 2 * FLT_MAX
 * (the slack covers the division's rounding). Below it every encoded value would round to 0 in
 * float32 and the feature would silently count for nothing.
 */
#define UB_MIN_SCALE (0.5 / FLT_MAX * (1.0 - 1e-9))

/* The optional transforms of a numeric column (0.2.0); absent means none, as before. */
static void
read_transforms(UbFeature *f, JsonbContainer *obj)
{
	JsonbValue *t = ub_jsonb_get(obj, "transform");
	bool		any_yj = false;
	int			k;

	f->transform = NULL;
	f->lambda = NULL;
	if (t != NULL)
	{
		if (ub_jsonb_array_length(t, "transform") != f->raw_width)
			corrupt("transform");
		f->transform = palloc(sizeof(uint8) * Max(f->raw_width, 1));
		for (k = 0; k < f->raw_width; k++)
		{
			double		c = ub_jsonb_number(ub_jsonb_array_element(t, k), "transform");

			if (!(c >= 0 && c <= UB_TF_ALL) || c != floor(c) ||
				(((int) c & UB_TF_LOG1P) && ((int) c & UB_TF_YEO_JOHNSON)))
				corrupt("transform");
			f->transform[k] = (uint8) c;
			any_yj |= ((int) c & UB_TF_YEO_JOHNSON) != 0;
		}
	}
	if (ub_jsonb_get(obj, "lambda") != NULL || any_yj)
	{
		f->lambda = read_doubles(obj, "lambda", f->raw_width);
		for (k = 0; k < f->raw_width; k++)
			if (f->lambda[k] < -2.0 || f->lambda[k] > 2.0)
				corrupt("lambda");
	}
}

/* The optional one-hot codes of a number column (0.2.0); absent means none, as before. */
static void
read_codes(UbFeature *f, JsonbContainer *obj)
{
	JsonbValue *c = ub_jsonb_get(obj, "codes");
	int			n,
				k;

	f->n_codes = 0;
	if (c == NULL)
		return;
	n = ub_jsonb_array_length(c, "codes");
	if (n < 1 || n > 1000 || f->kind != UB_KIND_NUMERIC || f->raw_width != 1)
		corrupt("codes");
	f->codes = read_doubles(obj, "codes", n);
	for (k = 1; k < n; k++)
		if (!(f->codes[k - 1] < f->codes[k]))
			corrupt("codes");
	f->frequencies = read_doubles(obj, "code_frequencies", n + 1);
	f->n_codes = n;
	f->code_offset = f->width;
	f->width += n + 1;
}

static void
read_pca(UbPreprocessing *prep, JsonbValue *pca)
{
	JsonbContainer *obj = ub_jsonb_container(pca);
	JsonbValue *comps;
	double		k;
	int			c,
				j;

	if (pca == NULL)
		return;
	if (obj == NULL)
		corrupt("pca");
	k = ub_jsonb_number(ub_jsonb_get(obj, "k"), "pca k");
	if (k < 1 || k > prep->n_encoded || k != floor(k))
		corrupt("pca k");
	prep->pca_k = (int) k;
	prep->pca_mean = read_float_statistics(obj, "mean", prep->n_encoded);
	prep->pca_explained = read_doubles(obj, "explained_variance_ratio", prep->pca_k);
	comps = ub_jsonb_get(obj, "components");
	if (comps == NULL || ub_jsonb_array_length(comps, "components") != prep->pca_k)
		corrupt("pca components");
	prep->pca_components = palloc(sizeof(float) * prep->pca_k * prep->n_encoded);
	for (c = 0; c < prep->pca_k; c++)
	{
		JsonbValue *row = ub_jsonb_array_element(comps, c);

		if (ub_jsonb_array_length(row, "component") != prep->n_encoded)
			corrupt("pca component length");
		for (j = 0; j < prep->n_encoded; j++)
		{
			double		v = ub_jsonb_number(ub_jsonb_array_element(row, j), "component");

			/* stored as float32: a value beyond it would become infinite (and JSON null when stored again) */
			if (!isfinite(v) || fabs(v) > FLT_MAX)
				corrupt("pca component value");
			prep->pca_components[(size_t) c * prep->n_encoded + j] = (float) v;
		}
	}
}

UbPreprocessing *
ub_prep_from_jsonb(Jsonb *j)
{
	reading_import = false;
	return prep_read(j);
}

UbPreprocessing *
ub_prep_import_from_jsonb(Jsonb *j)
{
	reading_import = true;
	return prep_read(j);
}

static UbPreprocessing *
prep_read(Jsonb *j)
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
		if (f->kind == UB_KIND_TEXT)
		{
			if (f->raw_width != 1)
				corrupt("text column");
			f->text = ub_text_from_json(obj, corrupt);
			for (k = 0; k < i; k++)
				if (strcmp(prep->features[k].name, f->name) == 0)
					corrupt("two columns have the same name");
			continue;			/* laid out after the dense columns */
		}
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
			f->frequencies = read_doubles(obj, "frequencies", f->n_categories + 1);
			/* shares of the training rows (explanations' baseline, cast to float32) */
			for (k = 0; k <= f->n_categories; k++)
				if (f->frequencies[k] < 0.0 || f->frequencies[k] > 1.0 + 1e-6)
					corrupt("frequencies");
			build_sorted_index(f);
			if (prep->first_categorical == NULL)
				prep->first_categorical = f->name;
		}
		else
		{
			JsonbValue *ind = ub_jsonb_get(obj, "indicator");

			f->center = read_float_statistics(obj, "center", f->raw_width);
			f->scale = read_doubles(obj, "scale", f->raw_width);
			for (k = 0; k < f->raw_width; k++)
				if (!(f->scale[k] >= UB_MIN_SCALE))
					corrupt("scale");	/* training stores 1/spread, positive and never this small */
			f->impute = read_float_statistics(obj, "impute", f->raw_width);
			f->mean = read_float_statistics(obj, "mean", f->raw_width);
			if (ind == NULL || ind->type != jbvBool)
				corrupt("indicator");
			f->indicator = ind->val.boolean;
			read_transforms(f, obj);
			f->width = f->indicator ? 2 * f->raw_width : f->raw_width;
			read_codes(f, obj);
			f->array_offset = array_offset;
			array_offset += f->raw_width;
		}
		offset += f->width;
		if (offset > NN_MAX_WIDTH)
			corrupt("too many inputs");
		/* a row binds features by name, so two with one name would be ambiguous */
		for (k = 0; k < i; k++)
			if (strcmp(prep->features[k].name, f->name) == 0)
				corrupt("two columns have the same name");
	}
	prep->n_encoded = offset;
	prep->n_dense = offset;
	prep->n_inputs = offset;
	lay_out_text(prep);
	if ((int) ub_jsonb_number(ub_jsonb_get(&j->root, "n_encoded"), "n_encoded") != prep->n_encoded)
		corrupt("n_encoded does not match the columns");
	read_pca(prep, ub_jsonb_get(&j->root, "pca"));
	if (prep->n_pairs > 0 && prep->pca_k > 0)
		corrupt("PCA with a text column");
	if ((int) ub_jsonb_number(n_inputs, "n_inputs") != (prep->pca_k > 0 ? prep->pca_k : prep->n_inputs))
		corrupt("n_inputs does not match the columns and PCA");
	prep->n_inputs = (int) ub_jsonb_number(n_inputs, "n_inputs");
	prep->target_mean = ub_jsonb_number(ub_jsonb_get(&j->root, "target_mean"), "target_mean");
	prep->target_std = ub_jsonb_number(ub_jsonb_get(&j->root, "target_std"), "target_std");
	if (!isfinite(prep->target_mean) || !isfinite(prep->target_std) || prep->target_std <= 0)
		corrupt("target standardization");
	prep->array_width = prep->first_categorical ? -1 : array_offset;
	return prep;
}

/* Row getter over the training rows of a chunked store, for the core's PCA. */
typedef struct TrainRows
{
	const UbRowChunks *X;
	const uint32 *rows;
} TrainRows;

static const float *
train_row(void *ctx, size_t i)
{
	TrainRows  *t = ctx;

	return ub_chunks_row(t->X, t->rows[i]);
}

/* The same over a spilled store: rows sorted by position, so each pass reads each chunk once. */
typedef struct SpilledTrainRows
{
	UbRowChunks *X;
	uint32	   *rows;
	size_t		loaded;			/* the chunk in memory, or SIZE_MAX */
} SpilledTrainRows;

static const float *
spilled_train_row(void *ctx, size_t i)
{
	SpilledTrainRows *t = ctx;
	size_t		k = t->rows[i] >> UB_CHUNK_SHIFT;

	if (k != t->loaded)
	{
		if (t->loaded != SIZE_MAX)
			ub_chunks_unload(t->X, t->loaded);
		ub_chunks_load(t->X, k);
		t->loaded = k;
		CHECK_FOR_INTERRUPTS();
	}
	return ub_chunks_row(t->X, t->rows[i]);
}

static int
cmp_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* One encoded row replaced in place by its PCA projection (its first pca_k floats). */
static void
project_row(void *ctx, float *x)
{
	const UbPreprocessing *prep = ctx;
	float		z[NN_PCA_MAX_INPUTS];

	nn_pca_project(x, prep->n_encoded, prep->pca_mean, prep->pca_components, prep->pca_k, z);
	memcpy(x, z, sizeof(float) * prep->pca_k);
}

void
ub_prep_pca_project_spilled(const UbPreprocessing *prep, UbRowChunks *X)
{
	if (prep->pca_k > 0)
		ub_chunks_narrow_spilled(X, prep->pca_k, project_row, (void *) prep);
}

void
ub_prep_fit_pca(UbPreprocessing *prep, UbRowChunks *X, size_t n, const uint32 *train_rows,
				size_t n_train, const UbOptions *opts)
{
	int			d = prep->n_encoded;
	size_t		n_doubles,
				n_ints,
				r;
	double	   *work,
			   *eigvals,
			   *components,
			   total = 0.0;
	int		   *iwork;
	int			k,
				c,
				j;
	float	   *z;
	TrainRows	getter = {X, train_rows};

	if (opts->pca_components == 0 && opts->pca_variance == 0.0)
		return;
	if (d > NN_PCA_MAX_INPUTS)
		pca_too_wide(d);
	if (n_train < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"pca\" needs at least 2 training rows")));
	ub_check_nn_status(nn_pca_work_sizes(d, &n_doubles, &n_ints), "sizing PCA");
	/* d <= NN_PCA_MAX_INPUTS keeps these products far from overflow; the d x d work is ~400 MB at the cap */
	ub_check_training_memory_for(X->mcxt, sizeof(double) * (n_doubles + (size_t) d * d + 2 * (size_t) d) +
								 sizeof(int) * n_ints, "option \"pca\"");
	work = palloc_extended(sizeof(double) * n_doubles, MCXT_ALLOC_HUGE);
	iwork = palloc(sizeof(int) * n_ints);
	eigvals = palloc(sizeof(double) * d);
	components = palloc_extended(sizeof(double) * d * d, MCXT_ALLOC_HUGE);
	prep->pca_mean = palloc(sizeof(double) * d);
	if (X->spill != NULL)
	{
		SpilledTrainRows spilled = {X, NULL, SIZE_MAX};

		spilled.rows = palloc_extended(sizeof(uint32) * n_train, MCXT_ALLOC_HUGE);
		memcpy(spilled.rows, train_rows, sizeof(uint32) * n_train);
		qsort(spilled.rows, n_train, sizeof(uint32), cmp_uint32);
		ub_check_nn_status(nn_pca_fit(spilled_train_row, &spilled, n_train, d, prep->pca_mean, eigvals,
									  components, work, iwork),
						   "fitting PCA");
		if (spilled.loaded != SIZE_MAX)
			ub_chunks_unload(X, spilled.loaded);
		pfree(spilled.rows);
	}
	else
		ub_check_nn_status(nn_pca_fit(train_row, &getter, n_train, d, prep->pca_mean, eigvals, components,
									  work, iwork),
						   "fitting PCA");
	k = nn_pca_choose_k(eigvals, d, opts->pca_components, opts->pca_variance);
	for (j = 0; j < d; j++)
		total += eigvals[j];
	prep->pca_k = k;
	prep->pca_explained = palloc(sizeof(double) * k);
	prep->pca_components = palloc(sizeof(float) * k * d);
	for (c = 0; c < k; c++)
	{
		prep->pca_explained[c] = total > 0 ? eigvals[c] / total : 0.0;
		for (j = 0; j < d; j++)
			prep->pca_components[(size_t) c * d + j] = (float) components[(size_t) c * d + j];
	}
	prep->n_inputs = k;
	if (X->spill != NULL)
		ub_prep_pca_project_spilled(prep, X);	/* chunk by chunk: the file then holds k floats a row */
	else
	{
		/* in place: each row's k components overwrite the start of its own d floats */
		z = palloc(sizeof(float) * k);
		for (r = 0; r < n; r++)
		{
			float	   *x = ub_chunks_row(X, r);

			nn_pca_project(x, d, prep->pca_mean, prep->pca_components, k, z);
			memcpy(x, z, sizeof(float) * k);
			if ((r & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		ub_chunks_narrow(X, k);
		pfree(z);
	}
	pfree(work);
	pfree(components);
}

const float *
ub_prep_network_input(const UbPreprocessing *prep, const float *x, float *z)
{
	int			c;

	if (prep->pca_k == 0)
		return x;
	nn_pca_project(x, prep->n_encoded, prep->pca_mean, prep->pca_components, prep->pca_k, z);
	/* a projection beyond float32 is infinite, and the score would be NaN */
	for (c = 0; c < prep->pca_k; c++)
		if (unlikely(!isfinite(z[c])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the row's principal component %d is beyond the range of float32", c + 1),
					 errhint("Clip or filter extreme values in the query.")));
	return z;
}

void
ub_prep_baseline(const UbPreprocessing *prep, float *x)
{
	int			i,
				k;

	/* a text column's baseline is no text: no pairs */
	if (prep->n_pairs > 0)
	{
		x[prep->n_dense] = -1.0f;
		x[prep->n_dense + 1] = 0.0f;
	}
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		if (f->kind == UB_KIND_TEXT)
			continue;
		if (f->kind == UB_KIND_CATEGORICAL)
			for (k = 0; k <= f->n_categories; k++)
				x[f->offset + k] = (float) f->frequencies[k];
		else
			for (k = 0; k < f->raw_width; k++)
			{
				/* the mean row has no NULLs: indicators 0 */
				ub_prep_encode_number(f, k, f->mean[k], false, x);
				/* codes at their training shares, as a text column's inputs */
				if (f->n_codes)
					for (int c = 0; c <= f->n_codes; c++)
						x[f->offset + f->code_offset + c] = (float) f->frequencies[c];
			}
	}
}
