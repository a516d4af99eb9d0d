/* catalog_schema.h: the extension's schema and its relations, found one way (catalog_schema.c). */
#ifndef UBEHAV_CATALOG_SCHEMA_H
#define UBEHAV_CATALOG_SCHEMA_H

#include "postgres.h"

/* The schema the extension is installed in. */
Oid			ub_catalog_schema(void);
/* Schema-qualified, quoted name of the catalog table of the installed extension. */
const char *ub_catalog_table(void);
/* The same for another relation of the extension, such as "ubehav_model_groups". */
const char *ub_catalog_relation(const char *relname);

#endif
