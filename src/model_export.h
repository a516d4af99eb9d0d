/* model_export.h: the portable jsonb form of a model, written and read. */
#ifndef UBEHAV_EXPORT_H
#define UBEHAV_EXPORT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "model.h"

/* The export of m, with its catalog's target, options, metrics and preprocessing. */
Jsonb	   *ub_export_jsonb(const UbModel *m, const char *name, int32 version, const char *target,
							Jsonb *options, Jsonb *metrics, Jsonb *preprocessing);
/* The same export as JSON text appended to buf, from the catalog's texts (for callers that hold text). */
void		ub_export_text(StringInfo buf, const UbModel *m, const char *name, int32 version, const char *target,
						   const char *options, const char *metrics, const char *preprocessing);

/* Validate an export and decode it for scoring, in a new child of parent; ERROR naming what is wrong. */
UbModel    *ub_model_from_export(Jsonb *j, MemoryContext parent);

#endif
