/* catalog_spi.c: catalog statements under a pinned search_path, and who owns a model. */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "catalog_schema.h"
#include "catalog_spi.h"
#include "model.h"

int
ub_catalog_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
			   const char *nulls, bool read_only, long count)
{
	int			nest_level = NewGUCNestLevel();
	int			rc;

	(void) set_config_option("search_path", UB_PINNED_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, read_only, count);
	AtEOXact_GUC(true, nest_level);
	return rc;
}

bool
ub_catalog_has_owners(void)
{
	return OidIsValid(get_relname_relid("ubehav_model_owners", ub_catalog_schema()));
}

Oid
ub_catalog_model_owner(const char *name, char **owner_name)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	char	   *owner;

	if (ub_catalog_spi(psprintf("SELECT owner FROM %s WHERE name = $1", ub_catalog_relation("ubehav_model_owners")),
					   1, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_model_owners catalog");
	if (SPI_processed == 0)
		return InvalidOid;
	owner = pstrdup(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull))));
	if (owner_name != NULL)
		*owner_name = owner;
	return get_role_oid(owner, true);
}

/* 0.1.0's rule, for a catalog not yet updated: the role of the first version, or a superuser. */
static void
check_first_trainer(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	char	   *owner;

	if (ub_catalog_spi(psprintf("SELECT trained_by FROM %s WHERE name = $1 ORDER BY version LIMIT 1", ub_catalog_table()),
					   1, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0 || superuser())
		return;
	owner = NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
	if (strcmp(owner, GetUserNameFromId(GetUserId(), false)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("model \"%s\" belongs to role \"%s\"", name, owner),
				 errhint("Only members of the owning role, or a superuser, may add versions; train under another name.")));
}

void
ub_catalog_claim_model(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	char	   *owner_name = NULL;
	Oid			owner;

	if (!ub_catalog_has_owners())
	{
		check_first_trainer(name);
		return;
	}
	if (ub_catalog_spi(psprintf("INSERT INTO %s (name, owner) VALUES ($1, CURRENT_USER) ON CONFLICT (name) DO NOTHING",
								ub_catalog_relation("ubehav_model_owners")),
					   1, types, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not claim the model name");
	owner = ub_catalog_model_owner(name, &owner_name);
	if (!OidIsValid(owner) || !is_member_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("model \"%s\" belongs to role \"%s\"", name, owner_name ? owner_name : "?"),
				 errhint("Only members of the owning role, or a superuser, may add versions; train under another name.")));
}
