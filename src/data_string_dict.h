/* data_string_dict.h: strings to dense codes 0..n-1 in first-seen order, with counts. */
#ifndef UBEHAV_STRING_DICT_H
#define UBEHAV_STRING_DICT_H

#include "postgres.h"

#include "utils/hsearch.h"

typedef struct UbStringDict
{
	HTAB	   *table;
	MemoryContext mcxt;
	int			n;				/* codes handed out */
	int			capacity;
	char	  **strings;		/* code -> NUL-terminated string */
} UbStringDict;

UbStringDict *ub_dict_create(MemoryContext mcxt);
/* Code of s (len bytes), adding it when new. */
int			ub_dict_code(UbStringDict *dict, const char *s, int len);

#endif
