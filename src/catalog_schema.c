/* catalog_schema.c: the one way the glue finds the extension's schema and its relations. */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "catalog_schema.h"

/* get_extension_schema is not exported before PostgreSQL 16; this is its body. */
static Oid
extension_schema(Oid ext_oid)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;
	ScanKeyData key[1];
	Oid			result = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext_oid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		result = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

Oid
ub_catalog_schema(void)
{
	return extension_schema(get_extension_oid("ubehav", false));
}

const char *
ub_catalog_relation(const char *relname)
{
	char	   *schema = get_namespace_name(ub_catalog_schema());

	return quote_qualified_identifier(schema, relname);
}

const char *
ub_catalog_table(void)
{
	return ub_catalog_relation("ubehav_models");
}
