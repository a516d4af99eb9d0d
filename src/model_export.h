/* model_export.h: the portable jsonb form of a model, written and read. */
#ifndef UBEHAV_EXPORT_H
#define UBEHAV_EXPORT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "model.h"

/* Append the export of m (with its catalog's target, options, metrics and preprocessing as JSON text) to buf. */
void		ub_export_text(StringInfo buf, const UbModel *m, const char *name, int32 version, const char *target,
						   const char *options, const char *metrics, const char *preprocessing);

/* Validate an export and decode it for scoring, in a new child of parent; ERROR naming what is wrong. */
UbModel    *ub_model_from_export(Jsonb *j, MemoryContext parent);

#endif
