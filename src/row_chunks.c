/* row_chunks.c: the chunked row store; sizes are checked before every allocation. */
#include "postgres.h"

#include "utils/memutils.h"

#include "row_chunks.h"

void
ub_chunks_init(UbRowChunks *c, int width, MemoryContext mcxt)
{
	memset(c, 0, sizeof(*c));
	c->width = width;
	c->stride = width;
	c->mcxt = mcxt;
}

void
ub_chunks_set_width(UbRowChunks *c, int width)
{
	Assert(c->n_chunks == 0);
	c->width = width;
	c->stride = width;
}

static void
reserve(UbRowChunks *c, size_t rows, bool exact)
{
	size_t		need = (rows + UB_CHUNK_ROWS - 1) >> UB_CHUNK_SHIFT;

	if (c->stride <= 0)
		return;
	if ((size_t) c->stride > MaxAllocHugeSize / sizeof(float) / UB_CHUNK_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rows of %d values are too wide to store", c->stride)));
	while (c->n_chunks < need)
	{
		if (c->n_chunks == c->max_chunks)
		{
			c->max_chunks = c->max_chunks ? c->max_chunks * 2 : 16;
			c->chunks = c->chunks ?
				repalloc_huge(c->chunks, sizeof(float *) * c->max_chunks) :
				MemoryContextAllocHuge(c->mcxt, sizeof(float *) * c->max_chunks);
		}
		{
			size_t		first = c->n_chunks << UB_CHUNK_SHIFT;
			size_t		chunk_rows = exact ? Min(UB_CHUNK_ROWS, rows - first) : UB_CHUNK_ROWS;

			c->chunks[c->n_chunks++] = MemoryContextAllocHuge(c->mcxt, sizeof(float) * chunk_rows * c->stride);
		}
	}
}

void
ub_chunks_reserve(UbRowChunks *c, size_t rows)
{
	reserve(c, rows, false);
}

void
ub_chunks_reserve_exact(UbRowChunks *c, size_t rows)
{
	reserve(c, rows, true);
}

void
ub_chunks_release(UbRowChunks *c, size_t k)
{
	if (k < c->n_chunks && c->chunks[k] != NULL)
	{
		pfree(c->chunks[k]);
		c->chunks[k] = NULL;
	}
}

void
ub_chunks_narrow(UbRowChunks *c, int width)
{
	Assert(width <= c->stride);
	c->width = width;
}
