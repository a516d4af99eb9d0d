/*
 * prep_text_defaults.h: the defaults of a model with a text column, in one place. A text column
 * brings text_slots inputs (32,768 by default) against a few thousand rows, so the defaults of
 * tabular models do not suit it: see prep_text_defaults.c for what changes and why.
 */
#ifndef UBEHAV_PREP_TEXT_DEFAULTS_H
#define UBEHAV_PREP_TEXT_DEFAULTS_H

#include "data_query.h"
#include "options_core.h"

/* share of the rows held out for early stopping and the threshold when the model has a text column */
#define UB_TEXT_DEFAULT_VALIDATION_SPLIT 0.1

/* Whether the dataset read has a text column (declared in "text_columns", or a tsvector). */
bool		ub_dataset_has_text(const UbDataset *ds);

/*
 * When ds has a text column, replace the defaults the user did not override by the text model's:
 * no hidden layer and UB_TEXT_DEFAULT_VALIDATION_SPLIT. Without a text column, o is unchanged.
 * Called once the training rows are read and before they are split.
 */
void		ub_text_defaults_apply(UbOptions *o, const UbDataset *ds);

#endif
