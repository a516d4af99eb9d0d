/* catalog_read.h: a model version read from ubehav_models and decoded (catalog_read.c). */
#ifndef UBEHAV_CATALOG_READ_H
#define UBEHAV_CATALOG_READ_H

#include "model.h"

/* Deployed version of a model; ERROR when the model does not exist or none is deployed. SPI must be connected. */
UbVersionRef ub_catalog_deployed_version(const char *name);

/* Decode one catalog version (SPI must be connected) into a model owned by a new child of parent. */
UbModel    *ub_catalog_load(const char *name, int32 version, MemoryContext parent);

#endif
