/* data_row_chunks.h: rows of floats in fixed-size chunks, so large data grows without doubling and can be freed piecewise. */
#ifndef UBEHAV_ROW_CHUNKS_H
#define UBEHAV_ROW_CHUNKS_H

#include "postgres.h"

#include "data_spill.h"

#define UB_CHUNK_SHIFT 14
#define UB_CHUNK_ROWS ((size_t) 1 << UB_CHUNK_SHIFT)	/* 16,384 rows */
#define UB_CHUNK_MASK (UB_CHUNK_ROWS - 1)

typedef struct UbRowChunks
{
	int			width;			/* floats per row */
	int			stride;			/* floats per row as allocated (>= width after an in-place narrowing) */
	size_t		n_chunks;		/* chunks allocated */
	size_t		max_chunks;		/* slots in chunks */
	float	  **chunks;			/* each UB_CHUNK_ROWS * stride floats, or NULL once released or spilled */
	MemoryContext mcxt;
	UbSpill    *spill;			/* where spilled chunks live, or NULL while every chunk is in memory */
	UbSpillPlace *places;		/* max_chunks slots once something is spilled; rows 0 = never spilled */
} UbRowChunks;

/* An empty store of rows of width floats in mcxt (width may be 0 until set with ub_chunks_set_width). */
void		ub_chunks_init(UbRowChunks *c, int width, MemoryContext mcxt);
/* Set the width of a store that has no chunks yet. */
void		ub_chunks_set_width(UbRowChunks *c, int width);
/* Make rows [0, rows) addressable. */
void		ub_chunks_reserve(UbRowChunks *c, size_t rows);
/* The same for a store that will never grow past rows: the last chunk is allocated to fit. */
void		ub_chunks_reserve_exact(UbRowChunks *c, size_t rows);
/* Free chunk k (its rows may not be read again). */
void		ub_chunks_release(UbRowChunks *c, size_t k);
/* Rows now hold only their first width floats (for in-place projections to fewer columns). */
void		ub_chunks_narrow(UbRowChunks *c, int width);

/*
 * Write the first rows rows of chunk k to s and free its memory; a store of width 0 (an array
 * column before its first array) only records the rows, which read back as NULLs.
 */
void		ub_chunks_spill(UbRowChunks *c, size_t k, size_t rows, UbSpill *s);
/* Make chunk k's rows addressable again, reading it back when it was spilled and is not loaded. */
void		ub_chunks_load(UbRowChunks *c, size_t k);
/* Free a loaded chunk that also lives in the spill file (in-memory chunks stay). */
void		ub_chunks_unload(UbRowChunks *c, size_t k);
/*
 * For a store whose every chunk is spilled: read each chunk back, call edit on each of its rows
 * (an in-place projection such as PCA's), keep only the first width floats of each row and
 * write the chunk anew, so the store becomes (rows, width) on disk.
 */
void		ub_chunks_narrow_spilled(UbRowChunks *c, int width, void (*edit) (void *ctx, float *row), void *ctx);
/* Bytes chunk k takes when loaded. */
size_t		ub_chunks_chunk_bytes(const UbRowChunks *c, size_t k);
/* Rows chunk k holds, given n rows in the store. */
static inline size_t
ub_chunks_rows_in(size_t k, size_t n)
{
	size_t		first = k << UB_CHUNK_SHIFT;

	return first >= n ? 0 : Min(UB_CHUNK_ROWS, n - first);
}

/* Whether chunk k lives in the spill file. */
static inline bool
ub_chunks_on_disk(const UbRowChunks *c, size_t k)
{
	return c->places != NULL && k < c->n_chunks && c->places[k].rows > 0;
}

static inline float *
ub_chunks_row(const UbRowChunks *c, size_t row)
{
	return c->chunks[row >> UB_CHUNK_SHIFT] + (row & UB_CHUNK_MASK) * (size_t) c->stride;
}

#endif
