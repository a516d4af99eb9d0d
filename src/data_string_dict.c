/* data_string_dict.c: a dynahash over (pointer, length) keys, so strings of any length are exact keys. */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "data_string_dict.h"

typedef struct DictKey
{
	const char *s;
	int			len;
} DictKey;

typedef struct DictEntry
{
	DictKey		key;
	int			code;
} DictEntry;

static uint32
dict_hash(const void *key, Size keysize)
{
	const DictKey *k = key;

	return hash_bytes((const unsigned char *) k->s, k->len);
}

static int
dict_match(const void *a, const void *b, Size keysize)
{
	const DictKey *x = a;
	const DictKey *y = b;

	if (x->len != y->len)
		return 1;
	return memcmp(x->s, y->s, x->len);
}

UbStringDict *
ub_dict_create(MemoryContext mcxt)
{
	UbStringDict *dict = MemoryContextAllocZero(mcxt, sizeof(UbStringDict));
	HASHCTL		ctl;

	dict->mcxt = mcxt;
	ctl.keysize = sizeof(DictKey);
	ctl.entrysize = sizeof(DictEntry);
	ctl.hash = dict_hash;
	ctl.match = dict_match;
	ctl.hcxt = mcxt;
	dict->table = hash_create("ubehav category dictionary", 64, &ctl,
							  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	dict->capacity = 16;
	dict->strings = MemoryContextAlloc(mcxt, sizeof(char *) * dict->capacity);
	return dict;
}

int
ub_dict_code(UbStringDict *dict, const char *s, int len)
{
	DictKey		key = {s, len};
	DictEntry  *entry;
	bool		found;

	entry = hash_search(dict->table, &key, HASH_ENTER, &found);
	if (!found)
	{
		/* the probe key points into a transient datum; the stored key must own its bytes */
		char	   *copy = MemoryContextAlloc(dict->mcxt, len + 1);

		memcpy(copy, s, len);
		copy[len] = '\0';
		entry->key.s = copy;
		entry->key.len = len;
		if (dict->n == dict->capacity)
		{
			dict->capacity *= 2;
			dict->strings = repalloc_huge(dict->strings, sizeof(char *) * dict->capacity);
		}
		dict->strings[dict->n] = copy;
		entry->code = dict->n++;
	}
	return entry->code;
}
