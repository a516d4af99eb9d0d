/* data_row_chunks.c: the chunked row store; sizes are checked before every allocation. */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "data_row_chunks.h"

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
#ifdef USE_ASSERT_CHECKING
	size_t		k;

	/* only chunks spilled while the width was 0 may exist: they hold no floats */
	for (k = 0; k < c->n_chunks; k++)
		Assert(c->chunks[k] == NULL && ub_chunks_on_disk(c, k) && c->places[k].floats == 0);
#endif
	c->width = width;
	c->stride = width;
}

/* Slots for at least need chunk pointers (and spill places once something is spilled). */
static void
grow_slots(UbRowChunks *c, size_t need)
{
	size_t		old = c->max_chunks;

	if (need <= c->max_chunks)
		return;
	while (c->max_chunks < need)
		c->max_chunks = c->max_chunks ? c->max_chunks * 2 : 16;
	c->chunks = c->chunks ?
		repalloc_huge(c->chunks, sizeof(float *) * c->max_chunks) :
		MemoryContextAllocHuge(c->mcxt, sizeof(float *) * c->max_chunks);
	if (c->places)
	{
		c->places = repalloc_huge(c->places, sizeof(UbSpillPlace) * c->max_chunks);
		memset(c->places + old, 0, sizeof(UbSpillPlace) * (c->max_chunks - old));
	}
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
		grow_slots(c, c->n_chunks + 1);
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

size_t
ub_chunks_chunk_bytes(const UbRowChunks *c, size_t k)
{
	size_t		rows = ub_chunks_on_disk(c, k) ? c->places[k].rows : UB_CHUNK_ROWS;

	return sizeof(float) * rows * (size_t) Max(c->stride, 0);
}

void
ub_chunks_spill(UbRowChunks *c, size_t k, size_t rows, UbSpill *s)
{
	UbSpillPlace *place;

	Assert(rows > 0 && rows <= UB_CHUNK_ROWS);
	if (c->places == NULL)
	{
		grow_slots(c, Max(k + 1, 16));
		c->places = MemoryContextAllocHuge(c->mcxt, sizeof(UbSpillPlace) * c->max_chunks);
		memset(c->places, 0, sizeof(UbSpillPlace) * c->max_chunks);
	}
	grow_slots(c, k + 1);
	while (c->n_chunks <= k)
		c->chunks[c->n_chunks++] = NULL;	/* a width-0 store has no memory to write */
	c->spill = s;
	place = &c->places[k];
	if (place->rows > 0)
	{
		/* already on disk: the file is append-only, so only the memory goes */
		ub_chunks_unload(c, k);
		return;
	}
	if (c->chunks[k] != NULL)
		ub_spill_write(s, c->chunks[k], sizeof(float) * rows * c->stride, place);
	else
		ub_spill_write(s, NULL, 0, place);
	place->rows = rows;
	place->floats = c->chunks[k] != NULL ? rows * c->stride : 0;
	if (c->chunks[k] != NULL)
	{
		pfree(c->chunks[k]);
		c->chunks[k] = NULL;
	}
}

void
ub_chunks_load(UbRowChunks *c, size_t k)
{
	UbSpillPlace *place;
	float	   *chunk;
	size_t		i,
				n;

	if (!ub_chunks_on_disk(c, k) || c->chunks[k] != NULL || c->stride <= 0)
		return;
	place = &c->places[k];
	n = place->rows * (size_t) c->stride;
	chunk = MemoryContextAllocHuge(c->mcxt, sizeof(float) * n);
	if (place->floats == 0)
	{
		/* spilled before the column had a width: every row was NULL */
		for (i = 0; i < n; i++)
			chunk[i] = get_float4_nan();
	}
	else
	{
		Assert(place->floats == n);
		ub_spill_read(c->spill, place, chunk, sizeof(float) * n);
	}
	c->chunks[k] = chunk;
}

void
ub_chunks_unload(UbRowChunks *c, size_t k)
{
	if (ub_chunks_on_disk(c, k) && c->chunks[k] != NULL)
	{
		pfree(c->chunks[k]);
		c->chunks[k] = NULL;
	}
}

void
ub_chunks_narrow_spilled(UbRowChunks *c, int width, void (*edit) (void *ctx, float *row), void *ctx)
{
	size_t		k,
				r;

	Assert(width <= c->stride);
	for (k = 0; k < c->n_chunks; k++)
	{
		UbSpillPlace *place = &c->places[k];
		size_t		rows = place->rows;
		float	   *chunk;

		Assert(ub_chunks_on_disk(c, k) && place->floats > 0);
		ub_chunks_load(c, k);
		chunk = c->chunks[k];
		/* row r's first width floats move to r * width: never past a row not yet moved */
		for (r = 0; r < rows; r++)
		{
			edit(ctx, chunk + r * c->stride);
			memmove(chunk + r * width, chunk + r * c->stride, sizeof(float) * width);
		}
		/* the file is append-only: the narrowed chunk is a new place */
		ub_spill_write(c->spill, chunk, sizeof(float) * rows * width, place);
		place->rows = rows;
		place->floats = rows * width;
		pfree(chunk);
		c->chunks[k] = NULL;
		CHECK_FOR_INTERRUPTS();
	}
	c->stride = width;
	c->width = width;
}
