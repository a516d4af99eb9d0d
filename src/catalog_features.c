/*
 * catalog_features.c: a catalog row's feature_names and feature_types against its preprocessing.
 *
 * Scoring binds by the preprocessing's columns, but analysts order a features array by
 * ubehav_models.feature_names, and read the types from feature_types: columns that no longer say
 * what the network takes would mislead them silently. Training and import write both from the
 * preprocessing, so any difference is damage. A role may score with only the columns scoring reads
 * (README, Privileges), which do not include these two: then there is nothing it could be misled by,
 * and nothing is checked.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

#include "catalog_features.h"
#include "catalog_schema.h"
#include "catalog_spi.h"
#include "model.h"

static bool
may_read_column(Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);

	return attnum != InvalidAttrNumber &&
		pg_attribute_aclcheck(relid, attnum, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

static void
features_corrupted(const UbModel *m, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("%s: feature_names and feature_types do not match the stored preprocessing", what),
			 errdetail("%s", detail),
			 errhint("Retrain the model, or deploy another version of it.")));
}

/* The text[] d as n_out strings; a NULL element is NULL. */
static char **
text_elements(Datum d, int *n_out)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n_out);
	out = palloc(sizeof(char *) * Max(*n_out, 1));
	for (i = 0; i < *n_out; i++)
		out[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	return out;
}

static void
check_network(const UbModel *m, const UbPreprocessing *prep, char **names, int n_names, char **types,
			  int n_types, const char *what)
{
	int			i;

	if (n_names != prep->n_features || n_types != prep->n_features)
		features_corrupted(m, what, psprintf("The row names %d features and %d types; the preprocessing has %d columns.",
											 n_names, n_types, prep->n_features));
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];

		if (names[i] == NULL || strcmp(names[i], f->name) != 0)
			features_corrupted(m, what, psprintf("feature_names[%d] is %s; the preprocessing's column %d is \"%s\".",
												 i + 1, names[i] ? quote_identifier(names[i]) : "NULL", i + 1, f->name));
		if (types[i] == NULL || strcmp(types[i], f->type_name) != 0)
			features_corrupted(m, what, psprintf("feature_types[%d] is %s; the preprocessing's column \"%s\" has type %s.",
												 i + 1, types[i] ? quote_literal_cstr(types[i]) : "NULL", f->name,
												 f->type_name));
	}
}

void
ub_catalog_check_features(const UbModel *m, const char *what)
{
	const char *table = ub_catalog_table();
	Oid			relid = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(table)));
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	bool		names_null,
				types_null;
	Datum		names_d,
				types_d;
	char	  **names,
			  **types;
	int			n_names,
				n_types,
				g;

	/* a role that may read neither column cannot be misled by them (table-wide SELECT covers both) */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
		!(may_read_column(relid, "feature_names") && may_read_column(relid, "feature_types")))
		return;
	work = AllocSetContextCreate(caller, "ubehav feature check", ALLOCSET_SMALL_SIZES);
	MemoryContextSwitchTo(work);
	args[0] = CStringGetTextDatum(m->name);
	args[1] = Int32GetDatum(m->version);
	if (ub_catalog_spi(psprintf("SELECT feature_names, feature_types FROM %s WHERE name = $1 AND version = $2",
									   table),
							  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	MemoryContextSwitchTo(work);
	/* the row decoded a moment ago, under the same snapshot */
	if (SPI_processed == 1)
	{
		names_d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &names_null);
		types_d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &types_null);
		/* both columns are NOT NULL */
		if (names_null || types_null)
			features_corrupted(m, what, "feature_names or feature_types is NULL.");
		names = text_elements(names_d, &n_names);
		types = text_elements(types_d, &n_types);
		/* a group_by version: every group's network was trained on the same columns */
		if (m->n_groups > 0)
			for (g = 0; g < m->n_groups; g++)
				check_network(m, m->groups[g]->prep, names, n_names, types, n_types,
							  psprintf("%s, group \"%s\"", what, m->group_values[g]));
		else
			check_network(m, m->prep, names, n_names, types, n_types, what);
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
}
