/* json_mini.h: a small JSON parser into the UbJson tree, for fuzzing the options without a server. */
#ifndef UBEHAV_JSON_MINI_H
#define UBEHAV_JSON_MINI_H

#include <stddef.h>

#include "json_tree.h"

/* Parse len bytes of JSON; NULL on any syntax error. Everything is allocated in an arena freed by json_mini_free. */
UbJson	   *json_mini_parse(const char *text, size_t len);
void		json_mini_free(void);

#endif
