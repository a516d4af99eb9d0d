/* prep_target.h: the task a target column implies, its class labels and the float targets the core trains on. */
#ifndef UBEHAV_TARGET_H
#define UBEHAV_TARGET_H

#include "postgres.h"

#include "data_query.h"
#include "options.h"

typedef struct UbTarget
{
	UbTask		task;
	int			n_classes;		/* 0 for regression */
	char	  **labels;			/* class labels as text, in model order; binary: negative then positive */
	float	   *y;				/* n_rows: class index (0/1 for binary) or value */
} UbTarget;

/*
 * Infer (or check the forced) task from the target column and encode it.
 * ERROR when classification has one class only or more than max_classes.
 */
UbTarget   *ub_target_build(const UbDataset *ds, UbTask forced, int max_classes);

/* The class label text of a numeric or boolean target value, as training writes it. */
char	   *ub_label_of_number(double v, bool is_boolean);
/* The class label text of any supported target datum. */
char	   *ub_label_of_datum(Datum d, Oid typid);

#endif
