/* model_match.h: whether new data fits a stored version: its columns and its classes (model_match.c). */
#ifndef UBEHAV_MODEL_MATCH_H
#define UBEHAV_MODEL_MATCH_H

#include "postgres.h"

#include "data_query.h"
#include "model.h"
#include "prep_target.h"

/* The deployed version of model, or 0 when it has none (or does not exist). SPI connected. */
int32		ub_deployed_version_or_zero(const char *model);

/*
 * For each of prep's features, the index of ds's column of that name, kind and width; NULL and
 * *why set when one is missing or differs. With exact, ds may not have columns prep lacks.
 */
int		   *ub_match_columns(const UbPreprocessing *prep, const UbDataset *ds, bool exact, char **why);

/* Why old and tgt's classes differ, or NULL when they are the same labels in the same order. */
char	   *ub_classes_differ(const UbModel *old, const UbTarget *tgt);

#endif
