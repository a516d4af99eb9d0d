/* model_export_recommender.h: a recommender's portable jsonb form, written by ubehav_export and read by ubehav_import. */
#ifndef UBEHAV_REC_EXPORT_H
#define UBEHAV_REC_EXPORT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* Whether version of name is a recommender (SPI connected; false when the row is missing). */
bool		ub_rec_is_recommender(const char *name, int32 version);
/* Its export (SPI connected), working in cxt; the result is allocated in the caller's context. */
Jsonb	   *ub_rec_export_jsonb(const char *name, int32 version, MemoryContext cxt);
/* Validate an export whose format is "ubehav-recommender" and store it as a new, deployed version. */
int32		ub_rec_import(const char *name, Jsonb *j);

#endif
