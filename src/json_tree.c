/* json_tree.c: lookups in the PostgreSQL-free JSON tree. */
#include <string.h>

#include "json_tree.h"

const UbJson *
ub_json_member(const UbJson *obj, const char *key)
{
	int			i;

	if (obj == NULL || obj->kind != UB_JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *
ub_json_kind_name(const UbJson *v)
{
	static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};

	if (v == NULL)
		return "missing";
	return names[v->kind];
}
