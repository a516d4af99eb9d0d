/* score_row_binding.h: where each of a model's features sits in a row type, and encoding such rows. */
#ifndef UBEHAV_ROW_BINDING_H
#define UBEHAV_ROW_BINDING_H

#include "postgres.h"

#include "access/tupdesc.h"

#include "model.h"

typedef struct UbRowBinding
{
	int			n_features;
	int		   *attno;			/* per feature: 0-based attribute index in the row */
	Oid		   *typid;			/* per feature: the row column's type */
	int			target_attno;	/* 0-based, or -1 when the row has no target column */
	Oid			target_typid;
	bool		target_ambiguous;	/* more than one column has the target's name */
} UbRowBinding;

/*
 * Match the model's features to desc's columns by name. ERROR naming the model and column when
 * one is missing, of an incompatible type or appears twice. Extra columns are ignored.
 */
UbRowBinding *ub_binding_create(const UbModel *model, TupleDesc desc);

/* ERROR unless the row has exactly one column named after the model's target. */
void		ub_binding_require_target(const UbRowBinding *b, const UbModel *model, const char *purpose);

/* Encode one deformed row into model->x with the stored preprocessing. */
void		ub_binding_encode(const UbRowBinding *b, UbModel *model, const Datum *values, const bool *nulls);

/*
 * A features array read where it lies. The elements of an array stored with a 1-byte header (any
 * short one in a table) are not aligned; they are read with memcpy, so such arrays need no copy.
 */
typedef struct UbFeatureArray
{
	int			ndim;
	int			n;				/* elements */
	bool		has_null;
	Oid			elemtype;		/* scoring takes FLOAT8OID or FLOAT4OID */
	const char *data;			/* the first element, maybe unaligned */
} UbFeatureArray;

/* The view of an array with a 4-byte header (detoasted). */
void		ub_feature_array_of(ArrayType *arr, UbFeatureArray *view);

/*
 * Encode a float8[] or real[] of raw values in training column order into model->x.
 * ERROR when the model has categorical features, or on wrong length, NULL, NaN or infinity.
 */
void		ub_encode_features(UbModel *model, const UbFeatureArray *arr);
void		ub_encode_array(UbModel *model, ArrayType *arr);

#endif
