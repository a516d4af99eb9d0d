/*
 * train_retrain.c: ubehav_retrain re-runs a stored training query with its owner's rights.
 *
 * A stored query is code its owner wrote. Run with the caller's rights, it would let the owner act
 * as whoever retrains (a superuser, a scheduler's job): so it runs as the owning role, inside a
 * security-restricted operation (no SET ROLE, as REFRESH MATERIALIZED VIEW does), with the
 * search_path stored at training time, and only for a caller who is a member of the owner.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "catalog_schema.h"
#include "catalog_spi.h"
#include "fn_args.h"
#include "model.h"

/* 0.1.0 stored no search_path: such a query is replayed with PostgreSQL's default. */
#define UB_DEFAULT_SEARCH_PATH "\"$user\", public"

extern Datum ubehav_train(PG_FUNCTION_ARGS);
extern Datum ubehav_train_recommender(PG_FUNCTION_ARGS);

typedef struct StoredTraining
{
	text	   *query;
	text	   *target;
	Jsonb	   *options;
	char	   *search_path;
	Oid			owner;
	bool		recommender;	/* trained by ubehav_train_recommender, which takes no target */
} StoredTraining;

static StoredTraining
read_stored_training(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	char	   *owner_name = NULL;
	StoredTraining st;
	bool		has_path = ub_catalog_has_owners();
	MemoryContext cxt = CurrentMemoryContext;

	SPI_connect();
	if (ub_catalog_spi(psprintf("SELECT options, task = 'recommender' FROM %s WHERE name = $1 AND deployed", ub_catalog_table()),
					   1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no deployed version to retrain", name),
				 errhint("Train it with ubehav_train, or deploy a version with ubehav_deploy.")));
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		st.options = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		st.recommender = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		MemoryContextSwitchTo(old);
	}
	if (has_path)
		st.owner = ub_catalog_model_owner(name, &owner_name);
	else
	{
		/* 0.1.0 catalog: the owner is the role of the first version */
		if (ub_catalog_spi(psprintf("SELECT trained_by::text FROM %s WHERE name = $1 ORDER BY version LIMIT 1",
									ub_catalog_table()), 1, types, args, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read the ubehav_models catalog");
		owner_name = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		st.owner = get_role_oid(owner_name, true);
	}
	if (!OidIsValid(st.owner))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" cannot be retrained: its owning role \"%s\" no longer exists", name,
						owner_name ? owner_name : "?"),
				 errhint("A superuser can give the name to another role: UPDATE ubehav_model_owners SET owner = ... WHERE name = ...")));
	if (!is_member_of_role(GetUserId(), st.owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("model \"%s\" belongs to role \"%s\"", name, GetUserNameFromId(st.owner, false)),
				 errhint("Only members of the owning role, or a superuser, may retrain it.")));
	/* 0.2.0: from the view that shows a query to its owners only; 0.1.0: from the table */
	if (ub_catalog_spi(has_path ?
					   psprintf("SELECT training_query, target, training_search_path FROM %s WHERE name = $1 AND deployed",
								ub_catalog_relation("ubehav_training_queries")) :
					   psprintf("SELECT training_query, target, NULL::text FROM %s WHERE name = $1 AND deployed",
								ub_catalog_table()),
					   1, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the training query of model \"%s\"", name);
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		Datum		path;

		st.query = (text *) PG_DETOAST_DATUM_COPY(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		st.target = (text *) PG_DETOAST_DATUM_COPY(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		path = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);

		st.search_path = isnull ? pstrdup(UB_DEFAULT_SEARCH_PATH) : TextDatumGetCString(path);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return st;
}

PG_FUNCTION_INFO_V1(ubehav_retrain);
Datum
ubehav_retrain(PG_FUNCTION_ARGS)
{
	text	   *name;
	Jsonb	   *overrides;
	StoredTraining st;
	Datum		options;
	Datum		result;
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;

	ub_require_args(fcinfo, 0);
	name = PG_GETARG_TEXT_PP(0);
	overrides = PG_GETARG_JSONB_P(1);
	st = read_stored_training(text_to_cstring(name));
	/* the stored options name every setting; the overrides replace some of them */
	options = DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(st.options), JsonbPGetDatum(overrides));

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(st.owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", st.search_path, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (st.recommender)
		result = DirectFunctionCall3(ubehav_train_recommender, PointerGetDatum(name), PointerGetDatum(st.query), options);
	else
		result = DirectFunctionCall4(ubehav_train, PointerGetDatum(name), PointerGetDatum(st.query),
									 PointerGetDatum(st.target), options);
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	PG_RETURN_DATUM(result);
}
