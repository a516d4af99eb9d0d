/* json_tree.h: a small PostgreSQL-free JSON value tree, so option validation can be tested and fuzzed outside a server. */
#ifndef UBEHAV_JSON_TREE_H
#define UBEHAV_JSON_TREE_H

#include <stdbool.h>

typedef enum UbJsonKind
{
	UB_JSON_NULL = 0,
	UB_JSON_BOOL,
	UB_JSON_NUMBER,
	UB_JSON_STRING,
	UB_JSON_ARRAY,
	UB_JSON_OBJECT
} UbJsonKind;

typedef struct UbJson
{
	UbJsonKind	kind;
	bool		boolean;
	double		number;
	const char *string;			/* NUL-terminated */
	int			n;				/* ARRAY and OBJECT: number of items */
	struct UbJson *items;		/* ARRAY and OBJECT: the values */
	const char **keys;			/* OBJECT: the keys, parallel to items */
} UbJson;

/* Member of an object by key, or NULL. */
const UbJson *ub_json_member(const UbJson *obj, const char *key);
/* "null", "boolean", "number", "string", "array" or "object". */
const char *ub_json_kind_name(const UbJson *v);

#endif
