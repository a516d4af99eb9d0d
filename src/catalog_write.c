/* catalog_write.c: the insert of a new version, as the calling user, so table privileges and the
 * catalog's row security apply. */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "catalog_schema.h"
#include "catalog_spi.h"
#include "catalog_write.h"
#include "model.h"

Datum
ub_text_array(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

int32
ub_catalog_store(const UbNewVersion *v)
{
	const char *table = ub_catalog_table();
	Oid			lock_types[1] = {TEXTOID};
	Datum		lock_args[1] = {CStringGetTextDatum(v->name)};
	Oid			types[17] = {TEXTOID, INT4OID, TEXTOID, TEXTOID, JSONBOID, JSONBOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, JSONBOID, JSONBOID, BYTEAOID, TEXTOID, INT8OID, INT8OID, FLOAT8OID, TEXTOID};
	Datum		args[17];
	char		nulls[17];
	bool		has_path_column = ub_catalog_has_owners();
	bool		isnull;
	int32		version;
	char	   *sql;

	/* one trainer at a time per name, so version numbers never collide */
	if (ub_catalog_spi("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 7572))",
							  1, lock_types, lock_args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock model name");
	sql = psprintf("SELECT COALESCE(pg_catalog.max(version), 0) OPERATOR(pg_catalog.+) 1 FROM %s WHERE name = $1", table);
	if (ub_catalog_spi(sql, 1, lock_types, lock_args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the ubehav_models catalog");
	version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	ub_catalog_claim_model(v->name);

	if (v->deploy)
	{
		sql = psprintf("UPDATE %s SET deployed = false WHERE name = $1 AND deployed", table);
		if (ub_catalog_spi(sql, 1, lock_types, lock_args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update the ubehav_models catalog");
	}

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(v->name);
	args[1] = Int32GetDatum(version);
	args[2] = CStringGetTextDatum(v->task);
	args[3] = CStringGetTextDatum(v->target);
	args[4] = JsonbPGetDatum(v->options);
	args[5] = JsonbPGetDatum(v->preprocessing);
	args[6] = v->feature_names;
	args[7] = v->feature_types;
	args[8] = v->class_labels;
	if (v->class_labels == (Datum) 0)
		nulls[8] = 'n';
	args[9] = JsonbPGetDatum(v->metrics);
	args[10] = JsonbPGetDatum(v->training_log);
	args[11] = PointerGetDatum(v->weights);
	args[12] = CStringGetTextDatum(v->training_query);
	args[13] = Int64GetDatum(v->rows_used);
	args[14] = Int64GetDatum(v->rows_skipped);
	args[15] = Float8GetDatum(v->training_ms);
	/* the caller's path, so a retraining resolves the query's names as this training did */
	args[16] = CStringGetTextDatum(GetConfigOption("search_path", false, false));
	sql = psprintf("INSERT INTO %s (name, version, task, target, options, preprocessing, feature_names, "
				   "feature_types, class_labels, metrics, training_log, weights, training_query, "
				   "rows_used, rows_skipped, training_ms, deployed%s) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, %s%s)",
				   table, has_path_column ? ", training_search_path" : "", v->deploy ? "true" : "false",
				   has_path_column ? ", $17" : "");
	if (ub_catalog_spi(sql, has_path_column ? 17 : 16, types, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert into the ubehav_models catalog");
	if (v->deploy)
	{
		Oid			dtypes[2] = {TEXTOID, INT4OID};
		Datum		dargs[2] = {args[0], args[1]};
		if (ub_catalog_spi(psprintf("INSERT INTO %s (name, version) VALUES ($1, $2)", ub_catalog_relation("ubehav_deployments")),
								  2, dtypes, dargs, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the deployment");
	}
	return version;
}

void
ub_catalog_store_group(const char *name, int32 version, const UbNewGroup *g)
{
	Oid			types[9] = {TEXTOID, INT4OID, TEXTOID, JSONBOID, TEXTARRAYOID, JSONBOID, JSONBOID, BYTEAOID, INT8OID};
	Datum		args[9];
	char		nulls[9];
	char	   *sql;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(name);
	args[1] = Int32GetDatum(version);
	args[2] = CStringGetTextDatum(g->group_value);
	args[3] = JsonbPGetDatum(g->preprocessing);
	args[4] = g->class_labels;
	if (g->class_labels == (Datum) 0)
		nulls[4] = 'n';
	args[5] = JsonbPGetDatum(g->metrics);
	args[6] = JsonbPGetDatum(g->training_log);
	args[7] = PointerGetDatum(g->weights);
	args[8] = Int64GetDatum(g->rows_used);
	sql = psprintf("INSERT INTO %s (name, version, group_value, preprocessing, class_labels, metrics, "
				   "training_log, weights, rows_used) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
				   ub_catalog_relation("ubehav_model_groups"));
	if (ub_catalog_spi(sql, 9, types, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert into the ubehav_model_groups catalog");
}
