/* model_cache.h: decoded versions kept per backend, and when they must be looked up again (model_cache.c). */
#ifndef UBEHAV_MODEL_CACHE_H
#define UBEHAV_MODEL_CACHE_H

#include "model.h"

/* Model name@ref from the per-backend cache, loading it when missing (connects SPI itself). */
UbModel    *ub_model_cache_get(const char *name, UbVersionRef ref);
/*
 * The command id whose writes the current query sees (its snapshot's curcid), InvalidCommandId
 * without a snapshot. Queries in a row that write nothing share one; a write of this transaction
 * between two queries gives the second a new one.
 */
CommandId	ub_snapshot_cid(void);
/* Changes whenever the cache frees a model, so holders of pointers know to look again. */
uint64		ub_model_cache_epoch(void);

#endif
