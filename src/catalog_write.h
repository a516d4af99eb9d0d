/* catalog_write.h: storing a trained version in ubehav_models. */
#ifndef UBEHAV_CATALOG_WRITE_H
#define UBEHAV_CATALOG_WRITE_H

#include "postgres.h"

#include "utils/jsonb.h"

typedef struct UbNewVersion
{
	const char *name;
	const char *task;
	const char *target;
	Jsonb	   *options;
	Jsonb	   *preprocessing;
	Datum		feature_names;	/* text[] */
	Datum		feature_types;	/* text[] */
	Datum		class_labels;	/* text[], or 0 for regression */
	Jsonb	   *metrics;
	Jsonb	   *training_log;
	bytea	   *weights;
	const char *training_query;
	int64		rows_used;
	int64		rows_skipped;
	double		training_ms;
	bool		deploy;			/* make it the deployed version (and record the deployment) */
} UbNewVersion;

/*
 * Insert v as the next version of its model, deployed if v->deploy, serialized against concurrent
 * trainings of the same name. Returns the new version number. SPI must be connected.
 */
int32		ub_catalog_store(const UbNewVersion *v);

/* One group's network of a version trained with group_by (SPI connected, after ub_catalog_store). */
typedef struct UbNewGroup
{
	const char *group_value;
	Jsonb	   *preprocessing;
	Datum		class_labels;	/* text[], or 0 for regression */
	Jsonb	   *metrics;
	Jsonb	   *training_log;
	bytea	   *weights;
	int64		rows_used;
} UbNewGroup;

void		ub_catalog_store_group(const char *name, int32 version, const UbNewGroup *g);

/* A text[] datum from C strings. */
Datum		ub_text_array(char **items, int n);

#endif
