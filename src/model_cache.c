/*
 * model_cache.c: decoded models kept per backend, keyed by (name, version), least recently used out first.
 *
 * An entry is valid while the catalog row it was decoded from is the visible one. A row's xmin tells
 * rows of different transactions apart, but not two rows one transaction wrote (train, drop, train
 * again; or two UPDATEs): they have the same xmin. Such a row is this backend's own until its
 * transaction ends, and it can change only by a command of that transaction, so its entry is kept
 * only for queries under the same command id (the snapshot's curcid: a run of read-only queries
 * shares one), and decoded again once the transaction has ended. Neither needs more of the row than
 * its xmin, so the per-query resolution stays one index probe and the columns scorers may read stay
 * the documented ones.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "catalog_read.h"
#include "model.h"
#include "model_cache.h"
#include "ubehav.h"

typedef struct CacheEntry
{
	UbModel    *model;
	uint64		last_used;
	/* decoded from a row this backend's open transaction wrote: valid under own_cid only */
	bool		own_row;
	CommandId	own_cid;
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

CommandId
ub_snapshot_cid(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot()->curcid : InvalidCommandId;
}

/* Whether entry e, already matching the row's xmin, still holds the row the current query sees. */
static bool
entry_current(const CacheEntry *e, TransactionId row_xmin)
{
	if (!e->own_row)
		return true;
	/* own rows: the same transaction and no command since the decoding, else decode again */
	return TransactionIdIsCurrentTransactionId(row_xmin) && e->own_cid != InvalidCommandId &&
		e->own_cid == ub_snapshot_cid();
}

UbModel *
ub_model_cache_get(const char *name, UbVersionRef ref)
{
	int			i;
	UbModel    *model;
	bool		own_row;

	for (i = 0; i < n_entries; i++)
	{
		UbModel    *m = entries[i].model;

		/* another role (SET ROLE) decodes for itself, so its own catalog privileges apply */
		if (m->version == ref.version && m->loaded_by == GetUserId() && strcmp(m->name, name) == 0)
		{
			if (m->row_xmin == ref.row_xmin && entry_current(&entries[i], ref.row_xmin))
			{
				entries[i].last_used = ++clock_tick;
				return m;
			}
			/* the row was changed in place, or may have been, since it was decoded */
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
	/* the row decoded, not the one resolved: the two differ when a command between them wrote it */
	own_row = TransactionIdIsCurrentTransactionId(model->row_xmin);

	while (n_entries > 0 && n_entries >= ub_model_cache_size)
		evict_one();
	if (n_entries == capacity)
	{
		capacity *= 2;
		entries = repalloc(entries, sizeof(CacheEntry) * capacity);
	}
	entries[n_entries].model = model;
	entries[n_entries].last_used = ++clock_tick;
	entries[n_entries].own_row = own_row;
	entries[n_entries].own_cid = own_row ? ub_snapshot_cid() : InvalidCommandId;
	n_entries++;
	return model;
}
