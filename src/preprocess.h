/* preprocess.h: what training learned about the raw columns, applied identically when scoring. */
#ifndef UBEHAV_PREPROCESS_H
#define UBEHAV_PREPROCESS_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "column_types.h"
#include "dataset.h"

typedef struct UbFeature
{
	char	   *name;
	char	   *type_name;		/* SQL type at training */
	UbColumnKind kind;
	int			width;			/* encoded inputs of the network */
	int			offset;			/* first encoded input */
	int			raw_width;		/* numeric and boolean 1, array its length, categorical 1 */
	int			array_offset;	/* first position in ubehav_predict's float8[] input; -1 for categorical */
	double	   *mean;			/* raw_width: centre, and the value a NULL is imputed with */
	double	   *scale;			/* raw_width: 1 / standard deviation (1 when constant) */
	int			n_categories;	/* categorical: learned vocabulary; one more input for rare and unseen */
	char	  **categories;
	int		   *sorted;			/* categories indices in strcmp order, for binary search */
	int			impute_category;	/* index used for NULL: the most frequent value */
	int64		null_count;		/* NULLs seen in training */
} UbFeature;

typedef struct UbPreprocessing
{
	int			n_features;
	UbFeature  *features;
	int			n_inputs;		/* encoded width */
	int			array_width;	/* length of the float8[] input; -1 when a categorical column exists */
	const char *first_categorical;	/* name of one, for the message when array input is impossible */
	double		target_mean;	/* regression: the network predicts (y - target_mean) / target_std */
	double		target_std;
} UbPreprocessing;

/*
 * Learn the preprocessing from the rows train_rows[0..n_train) of ds: means and deviations
 * over non-NULL values, and for each categorical column the max_categories most frequent values.
 */
UbPreprocessing *ub_prep_fit(const UbDataset *ds, const uint32 *train_rows, size_t n_train,
							 int max_categories);

/* Encode rows[0..n) of ds into X (n, n_inputs) with a fitted preprocessing. */
void		ub_prep_encode_dataset(const UbPreprocessing *prep, const UbDataset *ds,
								   const uint32 *rows, size_t n, float *X);

/* Single-value encoders shared by every path, so training and scoring transform alike. */
void		ub_prep_encode_number(const UbFeature *f, int k, double v, bool isnull, float *x);
void		ub_prep_encode_category(const UbFeature *f, const char *s, int len, bool isnull, float *x);

/* Index of s in the vocabulary, or -1. */
int			ub_prep_category_index(const UbFeature *f, const char *s, int len);

Jsonb	   *ub_prep_to_jsonb(const UbPreprocessing *prep);
/* Rebuild from the catalog; ERROR (data corrupted) when the jsonb does not describe a valid one. */
UbPreprocessing *ub_prep_from_jsonb(Jsonb *j);

#endif
