/* catalog_spi.h: the extension's own SQL on its catalog, safe from the caller's search_path. */
#ifndef UBEHAV_CATALOG_SPI_H
#define UBEHAV_CATALOG_SPI_H

#include "postgres.h"

/*
 * SPI_execute_with_args with search_path pinned to "pg_catalog, pg_temp" for this one statement:
 * no function, operator or type another role created can be picked by the catalog's own queries.
 * Only for SQL written here; a user's query runs with the caller's search_path.
 */
int			ub_catalog_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
						   const char *nulls, bool read_only, long count);

/* True when the catalog has 0.2.0's ownership table (false between a new library and ALTER EXTENSION UPDATE). */
bool		ub_catalog_has_owners(void);

/*
 * Claim name for the calling role if nobody owns it yet, then ERROR 42501 unless the caller is a
 * member of its owner (README, Privileges). SPI must be connected; take the model's lock first.
 */
void		ub_catalog_claim_model(const char *name);

/* The role that owns model name, or InvalidOid when nobody does; *owner_name is set when found. */
Oid			ub_catalog_model_owner(const char *name, char **owner_name);

/* The GUC value to store with a training query and to replay it with. */
#define UB_PINNED_SEARCH_PATH "pg_catalog, pg_temp"

#endif
