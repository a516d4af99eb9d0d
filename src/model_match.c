/* model_match.c: whether new data fits a stored version (its columns, its classes), for "if_better" and warm starts. */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog_schema.h"
#include "catalog_spi.h"
#include "model_match.h"

/* The deployed version of model, or 0 when it has none (or does not exist). */
int32
ub_deployed_version_or_zero(const char *model)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(model)};
	bool		isnull;

	if (ub_catalog_spi(psprintf("SELECT version FROM %s WHERE name = $1 AND deployed", ub_catalog_table()),
							  1, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		return 0;
	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * For each of prep's features, the index of ds's column of that name, kind and width; NULL and
 * *why set when one is missing or differs. With exact, ds may not have columns prep lacks.
 */
int *
ub_match_columns(const UbPreprocessing *prep, const UbDataset *ds, bool exact, char **why)
{
	int		   *map = palloc(sizeof(int) * Max(prep->n_features, 1));
	int			i,
				c;

	*why = NULL;
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		for (c = 0; c < ds->n_columns; c++)
			if (strcmp(ds->columns[c].name, f->name) == 0)
				break;
		if (c == ds->n_columns)
		{
			*why = psprintf("the query has no column \"%s\", a feature of the deployed version", f->name);
			return NULL;
		}
		if (ds->columns[c].kind != f->kind)
		{
			*why = psprintf("column \"%s\" is %s (%s) now but was %s (%s) for the deployed version", f->name,
							ub_kind_name(ds->columns[c].kind), ds->columns[c].type_name, ub_kind_name(f->kind), f->type_name);
			return NULL;
		}
		if (f->kind == UB_KIND_ARRAY && ds->columns[c].width != f->raw_width)
		{
			*why = psprintf("array column \"%s\" has %d elements now but had %d for the deployed version", f->name,
							ds->columns[c].width, f->raw_width);
			return NULL;
		}
		map[i] = c;
	}
	if (exact && ds->n_columns != prep->n_features)
	{
		for (c = 0; c < ds->n_columns; c++)
		{
			for (i = 0; i < prep->n_features; i++)
				if (map[i] == c)
					break;
			if (i == prep->n_features)
			{
				*why = psprintf("the query has column \"%s\", which is not a feature of the deployed version", ds->columns[c].name);
				return NULL;
			}
		}
	}
	return map;
}

/* Why old and tgt's classes differ, or NULL when they are the same labels in the same order. */
char *
ub_classes_differ(const UbModel *old, const UbTarget *tgt)
{
	int			k;

	if (old->task != tgt->task)
		return psprintf("the deployed version is a %s model, the new one %s", ub_task_name(old->task), ub_task_name(tgt->task));
	if (tgt->task == UB_TASK_REGRESSION)
		return NULL;
	if (old->n_classes != tgt->n_classes)
		return psprintf("the deployed version has %d classes, the new data %d", old->n_classes, tgt->n_classes);
	for (k = 0; k < tgt->n_classes; k++)
		if (strcmp(old->labels[k], tgt->labels[k]) != 0)
			return psprintf("class %d is \"%s\" in the deployed version but \"%s\" in the new data", k + 1,
							old->labels[k], tgt->labels[k]);
	return NULL;
}
