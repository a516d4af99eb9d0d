/* options.h: training options from jsonb; the validation itself is in options_core.c. */
#ifndef UBEHAV_OPTIONS_H
#define UBEHAV_OPTIONS_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "options_core.h"

/* Defaults, then every key of opts validated and applied; ERROR on unknown keys, wrong types or ranges. */
void		ub_options_parse(Jsonb *opts, UbOptions *out);
/* ERROR for the option group_by in a function that trains or stores one network (function names it). */
void		ub_options_refuse_group_by(const UbOptions *o, const char *function);
/* The effective options as jsonb, defaults included, for the catalog. */
Jsonb	   *ub_options_to_jsonb(const UbOptions *o);
/* A jsonb container as a PostgreSQL-free tree, palloc'd in the current context. */
UbJson	   *ub_jsonb_to_tree(JsonbContainer *c);

#endif
