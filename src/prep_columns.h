/* prep_columns.h: what training learned about the raw columns, applied identically when scoring. */
#ifndef UBEHAV_PREPROCESS_H
#define UBEHAV_PREPROCESS_H

#include "postgres.h"

#include <float.h>
#include <math.h>

#include "utils/jsonb.h"

#include "data_column_types.h"
#include "data_query.h"
#include "options.h"
#include "nn/mlp.h"
#include "nn/transform.h"
#include "prep_text.h"

typedef struct UbFeature
{
	char	   *name;
	char	   *type_name;		/* SQL type at training */
	UbColumnKind kind;
	int			width;			/* encoded inputs of the network */
	int			offset;			/* first encoded input */
	int			raw_width;		/* numeric and boolean 1, array its length, categorical 1 */
	int			array_offset;	/* first position in ubehav_predict's float8[] input; -1 for categorical */
	double	   *center;			/* raw_width: subtracted (mean, min, median or 0) */
	double	   *scale;			/* raw_width: then multiplied (1 / sd, 1 / range, 1 / IQR or 1) */
	double	   *impute;			/* raw_width: the raw value a NULL stands for */
	double	   *mean;			/* raw_width: training mean, the baseline of explanations */
	uint8	   *transform;		/* raw_width UB_TF_* flags, or NULL: none (every model before 0.2.0) */
	double	   *lambda;			/* raw_width Yeo-Johnson exponents, or NULL when no slot uses one */
	/*
	 * A number column of few whole values (0.2.0, option integer_categories) also gets one input per
	 * value seen in training and one for any other value, after the value (and its indicator).
	 */
	int			n_codes;		/* 0: none */
	double	   *codes;			/* n_codes, ascending */
	int			code_offset;	/* first of these inputs, relative to offset */
	bool		indicator;		/* raw_width more inputs after the values: 1 where the value was NULL */
	int			n_categories;	/* categorical: learned vocabulary; one more input for rare and unseen */
	char	  **categories;
	int		   *sorted;			/* categories indices in strcmp order, for binary search */
	int			impute_category;	/* index used for NULL: the most frequent value */
	double	   *frequencies;	/* categorical, n_categories + 1: share of training rows per input */
	int64		null_count;		/* NULLs seen in training */
	/*
	 * A text column (0.2.0): its inputs are text->n_slots sparse ones, offset..offset+width in the
	 * network's inputs after every dense one; an encoded row carries them as pairs (prep->n_pairs).
	 */
	UbTextFeature *text;
} UbFeature;

typedef struct UbPreprocessing
{
	int			n_features;
	UbFeature  *features;
	int			n_encoded;		/* width of the encoded row, before PCA */
	int			n_inputs;		/* inputs of the network: n_encoded, or the PCA components kept */
	int			pca_k;			/* 0 without PCA */
	double	   *pca_mean;		/* n_encoded */
	float	   *pca_components;	/* (pca_k, n_encoded) */
	double	   *pca_explained;	/* pca_k: fraction of the variance each component explains */
	int			array_width;	/* length of the float8[] input; -1 when a categorical column exists */
	const char *first_categorical;	/* name of one, for the message when array input is impossible */
	/*
	 * With text columns an encoded row is n_dense dense inputs then n_pairs (input, weight) pairs
	 * (n_encoded = n_dense + 2 n_pairs) and the network has n_dense + the slots inputs; n_pairs 0
	 * without text (n_dense = n_encoded).
	 */
	int			n_dense;
	int			n_pairs;
	double		target_mean;	/* regression: the network predicts (y - target_mean) / target_std */
	double		target_std;
} UbPreprocessing;

/*
 * Learn the preprocessing from the rows train_rows[0..n_train) of ds: means and deviations
 * over non-NULL values, and for each categorical column the max_categories most frequent values.
 */
UbPreprocessing *ub_prep_fit(const UbDataset *ds, const uint32 *train_rows, size_t n_train,
							 const UbOptions *opts);

/*
 * Fit PCA on the rows train_rows[0..n_train) of X (n, n_encoded) when the options ask for it, and
 * project all n rows in place, so X becomes (n, n_inputs).
 */
void		ub_prep_fit_pca(UbPreprocessing *prep, UbRowChunks *X, size_t n, const uint32 *train_rows,
							size_t n_train, const UbOptions *opts);

/* Replace every row of a spilled X (all chunks on disk) by its PCA projection; nothing without PCA. */
void		ub_prep_pca_project_spilled(const UbPreprocessing *prep, UbRowChunks *X);

/* The network's input for one encoded row: x itself, or its PCA projection into z (pca_k). */
const float *ub_prep_network_input(const UbPreprocessing *prep, const float *x, float *z);

/*
 * Encode every row of ds, in the order read, into X (n_rows, n_encoded) with a fitted
 * preprocessing. With release_raw, ds's raw chunks are freed as they are encoded (so raw and
 * encoded data never coexist whole) and ds's feature values are gone afterwards. A dataset that
 * may spill writes X's chunks to its spill file once memory passes ubehav.max_training_memory.
 */
void		ub_prep_encode_dataset(const UbPreprocessing *prep, UbDataset *ds, UbRowChunks *X,
								   bool release_raw);

/*
 * ERROR (program limit): the feature columns encode to n_inputs inputs, beyond NN_MAX_WIDTH, passed at
 * column; at_least when columns after it were not counted.
 */
pg_attribute_noreturn() void ub_prep_too_many_inputs(int n_inputs, bool at_least, const char *column);

/* ERROR: feature f's value v encodes beyond float32 (out of line, so the encoder below inlines). */
pg_attribute_noreturn() void ub_prep_number_out_of_range(const UbFeature *f, double v);

/*
 * Per-slot transforms of numbers (0.2.0). A slot without flags is (v - center) * scale, as in 0.1.0;
 * LOG1P or YEO_JOHNSON map v before centring, CLIP maps the scaled value after it.
 */
#define UB_TF_LOG1P			1	/* sign(v) ln(1 + |v|) */
#define UB_TF_YEO_JOHNSON	2	/* Yeo and Johnson (2000) with exponent lambda, as scikit-learn's PowerTransformer */
#define UB_TF_CLIP			4	/* smooth clipping e / sqrt(1 + (e / 3)^2), as RealMLP (Holzmueller et al. 2024) */
#define UB_TF_ALL			7

/* The encoded value of raw v in slot k of a feature with transforms. */
static inline double
ub_prep_transform(const UbFeature *f, int k, double v)
{
	uint8		t = f->transform[k];
	double		e;

	if (t & UB_TF_LOG1P)
		v = v >= 0 ? log1p(v) : -log1p(-v);
	else if (t & UB_TF_YEO_JOHNSON)
		v = nn_yeo_johnson(v, f->lambda[k]);
	e = (v - f->center[k]) * f->scale[k];
	if (t & UB_TF_CLIP)
		e = e / sqrt(1.0 + e * e * (1.0 / 9.0));
	return e;
}

/* The one-hot inputs of a number column with codes: the input of r's code, or the last for another value. */
static inline void
ub_prep_encode_code(const UbFeature *f, double r, float *x)
{
	float	   *o = x + f->offset + f->code_offset;
	int			lo = 0,
				hi = f->n_codes;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (f->codes[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(o, 0, sizeof(float) * (f->n_codes + 1));
	o[lo < f->n_codes && f->codes[lo] == r ? lo : f->n_codes] = 1.0f;
}

/*
 * Single-value encoders shared by every path, so training and scoring transform alike. The
 * number encoder is inline: scoring calls it for every value of every row.
 */
static inline void
ub_prep_encode_number(const UbFeature *f, int k, double v, bool isnull, float *x)
{
	double		r = isnull ? f->impute[k] : v;
	double		e = f->transform ? ub_prep_transform(f, k, r) : (r - f->center[k]) * f->scale[k];

	/* a value far outside the training range would overflow float32 and turn the score into NaN */
	if (unlikely(fabs(e) > FLT_MAX))
		ub_prep_number_out_of_range(f, v);
	x[f->offset + k] = (float) e;
	if (f->indicator)
		x[f->offset + f->raw_width + k] = isnull ? 1.0f : 0.0f;
	if (f->n_codes)
		ub_prep_encode_code(f, r, x);
}
void		ub_prep_encode_category(const UbFeature *f, const char *s, int len, bool isnull, float *x);

/* The encoded row of the training means (one-hot inputs at their training frequencies), for explanations. */
void		ub_prep_baseline(const UbPreprocessing *prep, float *x);

/* Index of s in the vocabulary, or -1. */
int			ub_prep_category_index(const UbFeature *f, const char *s, int len);

/* The sparse layout of the network's inputs (nn/kernel_sparse.h) a preprocessing with text needs. */
void		ub_prep_sparse_spec(const UbPreprocessing *prep, NnSpec *spec);

/* Write the text features' pairs of one row into x (the row's pairs area), tsv[i] per feature i (NULL: no text). */
void		ub_prep_encode_text_row(const UbPreprocessing *prep, TSVector *tsv, float *x);

Jsonb	   *ub_prep_to_jsonb(const UbPreprocessing *prep);
/* Rebuild from the catalog; ERROR (data corrupted) when the jsonb does not describe a valid one. */
UbPreprocessing *ub_prep_from_jsonb(Jsonb *j);
UbPreprocessing *ub_prep_import_from_jsonb(Jsonb *j);

#endif
