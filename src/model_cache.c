/* model_cache.c: decoded models kept per backend, keyed by (name, version), least recently used out first. */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "model.h"
#include "ubehav.h"

typedef struct CacheEntry
{
	UbModel    *model;
	uint64		last_used;
} CacheEntry;

static MemoryContext cache_cxt = NULL;
static CacheEntry *entries = NULL;
static int	n_entries = 0;
static int	capacity = 0;
static uint64 clock_tick = 0;
static uint64 epoch = 0;

uint64
ub_model_cache_epoch(void)
{
	return epoch;
}

static void
remove_entry(int i)
{
	MemoryContextDelete(entries[i].model->mcxt);
	entries[i] = entries[--n_entries];
	epoch++;
}

static void
evict_one(void)
{
	int			victim = 0;
	int			i;

	for (i = 1; i < n_entries; i++)
		if (entries[i].last_used < entries[victim].last_used)
			victim = i;
	remove_entry(victim);
}

UbModel *
ub_model_cache_get(const char *name, UbVersionRef ref)
{
	int			i;
	UbModel    *model;

	for (i = 0; i < n_entries; i++)
	{
		UbModel    *m = entries[i].model;

		/* another role (SET ROLE) decodes for itself, so its own catalog privileges apply */
		if (m->version == ref.version && m->loaded_by == GetUserId() && strcmp(m->name, name) == 0)
		{
			if (m->row_xmin == ref.row_xmin)
			{
				entries[i].last_used = ++clock_tick;
				return m;
			}
			/* the row was changed in place since it was decoded */
			remove_entry(i);
			break;
		}
	}

	if (cache_cxt == NULL)
	{
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "ubehav model cache", ALLOCSET_SMALL_SIZES);
		capacity = 8;
		entries = MemoryContextAlloc(cache_cxt, sizeof(CacheEntry) * capacity);
	}

	/* decode under the transient SPI context, adopted only on success so an error leaks nothing */
	SPI_connect();
	model = ub_catalog_load(name, ref.version, CurrentMemoryContext);
	model->loaded_by = GetUserId();
	MemoryContextSetParent(model->mcxt, cache_cxt);
	SPI_finish();

	while (n_entries > 0 && n_entries >= ub_model_cache_size)
		evict_one();
	if (n_entries == capacity)
	{
		capacity *= 2;
		entries = repalloc(entries, sizeof(CacheEntry) * capacity);
	}
	entries[n_entries].model = model;
	entries[n_entries].last_used = ++clock_tick;
	n_entries++;
	return model;
}
