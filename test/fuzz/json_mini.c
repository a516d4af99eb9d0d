/* json_mini.c: recursive-descent JSON, depth-limited, every allocation tracked so one call frees them all. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_mini.h"

#define MAX_DEPTH 64

static void **allocations;
static size_t n_allocations,
			cap_allocations;

static void *
arena(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (n_allocations == cap_allocations)
	{
		cap_allocations = cap_allocations ? cap_allocations * 2 : 64;
		allocations = realloc(allocations, sizeof(void *) * cap_allocations);
	}
	allocations[n_allocations++] = p;
	return p;
}

void
json_mini_free(void)
{
	size_t		i;

	for (i = 0; i < n_allocations; i++)
		free(allocations[i]);
	n_allocations = 0;
}

typedef struct Parser
{
	const char *s;
	size_t		len;
	size_t		pos;
} Parser;

static void
skip(Parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool value(Parser *p, UbJson *out, int depth);

static bool
string(Parser *p, const char **out)
{
	size_t		start;
	char	   *s;

	if (p->pos >= p->len || p->s[p->pos] != '"')
		return false;
	start = ++p->pos;
	while (p->pos < p->len && p->s[p->pos] != '"')
	{
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len)
		return false;
	s = arena(p->pos - start + 1);
	memcpy(s, p->s + start, p->pos - start);
	p->pos++;
	*out = s;
	return true;
}

static bool
items(Parser *p, UbJson *out, int depth, bool object)
{
	char		close = object ? '}' : ']';
	size_t		cap = 0;

	p->pos++;
	skip(p);
	if (p->pos < p->len && p->s[p->pos] == close)
	{
		p->pos++;
		return true;
	}
	for (;;)
	{
		if ((size_t) out->n == cap)
		{
			UbJson	   *items_new;
			const char **keys_new;

			cap = cap ? cap * 2 : 4;
			items_new = arena(sizeof(UbJson) * cap);
			keys_new = arena(sizeof(char *) * cap);
			if (out->n)
			{
				memcpy(items_new, out->items, sizeof(UbJson) * out->n);
				if (object)
					memcpy(keys_new, out->keys, sizeof(char *) * out->n);
			}
			out->items = items_new;
			if (object)
				out->keys = keys_new;
		}
		skip(p);
		if (object)
		{
			if (!string(p, &out->keys[out->n]))
				return false;
			skip(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return false;
			p->pos++;
		}
		if (!value(p, &out->items[out->n], depth + 1))
			return false;
		out->n++;
		skip(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
		{
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close)
		{
			p->pos++;
			return true;
		}
		return false;
	}
}

static bool
value(Parser *p, UbJson *out, int depth)
{
	char	   *end;
	char		buf[64];
	size_t		n;

	if (depth > MAX_DEPTH)
		return false;
	skip(p);
	if (p->pos >= p->len)
		return false;
	memset(out, 0, sizeof(*out));
	switch (p->s[p->pos])
	{
		case '{':
			out->kind = UB_JSON_OBJECT;
			return items(p, out, depth, true);
		case '[':
			out->kind = UB_JSON_ARRAY;
			return items(p, out, depth, false);
		case '"':
			out->kind = UB_JSON_STRING;
			return string(p, &out->string);
		case 't':
		case 'f':
		case 'n':
			if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0)
			{
				out->kind = UB_JSON_BOOL;
				out->boolean = true;
				p->pos += 4;
				return true;
			}
			if (p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0)
			{
				out->kind = UB_JSON_BOOL;
				p->pos += 5;
				return true;
			}
			if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0)
			{
				out->kind = UB_JSON_NULL;
				p->pos += 4;
				return true;
			}
			return false;
		default:
			n = p->len - p->pos < sizeof(buf) - 1 ? p->len - p->pos : sizeof(buf) - 1;
			memcpy(buf, p->s + p->pos, n);
			buf[n] = '\0';
			out->kind = UB_JSON_NUMBER;
			out->number = strtod(buf, &end);
			if (end == buf)
				return false;
			p->pos += end - buf;
			return true;
	}
}

UbJson *
json_mini_parse(const char *text, size_t len)
{
	Parser		p = {text, len, 0};
	UbJson	   *root = arena(sizeof(UbJson));

	if (!value(&p, root, 0))
		return NULL;
	return root;
}
