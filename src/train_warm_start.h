/* train_warm_start.h: "warm_start": a new version trained from the deployed version's weights (train_warm_start.c). */
#ifndef UBEHAV_TRAIN_WARM_START_H
#define UBEHAV_TRAIN_WARM_START_H

#include "postgres.h"

#include "data_query.h"
#include "data_row_chunks.h"
#include "model.h"
#include "prep_target.h"

/* The deployed version of model to warm start from, loaded into mcxt; ERROR when there is none. SPI connected. */
UbModel    *ub_warm_start_load(const char *model, MemoryContext mcxt);

/*
 * Permute ds's columns into the order of init's features; ERROR saying exactly what differs when
 * the query's columns are not the ones init was trained on (names, kinds, array widths).
 */
void		ub_warm_start_bind(const UbModel *init, UbDataset *ds);

/* Project every encoded row of X (n rows) with init's stored PCA, if it has one. */
void		ub_warm_start_project(const UbPreprocessing *prep, UbRowChunks *X, size_t n);

/* ERROR saying what differs when spec or the target's classes do not match init's. */
void		ub_warm_start_check(const UbModel *init, const NnSpec *spec, const UbTarget *tgt);

#endif
