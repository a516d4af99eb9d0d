/* row_chunks.h: rows of floats in fixed-size chunks, so large data grows without doubling and can be freed piecewise. */
#ifndef UBEHAV_ROW_CHUNKS_H
#define UBEHAV_ROW_CHUNKS_H

#include "postgres.h"

#define UB_CHUNK_SHIFT 14
#define UB_CHUNK_ROWS ((size_t) 1 << UB_CHUNK_SHIFT)	/* 16,384 rows */
#define UB_CHUNK_MASK (UB_CHUNK_ROWS - 1)

typedef struct UbRowChunks
{
	int			width;			/* floats per row */
	int			stride;			/* floats per row as allocated (>= width after an in-place narrowing) */
	size_t		n_chunks;		/* chunks allocated */
	size_t		max_chunks;		/* slots in chunks */
	float	  **chunks;			/* each UB_CHUNK_ROWS * stride floats, or NULL once released */
	MemoryContext mcxt;
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

static inline float *
ub_chunks_row(const UbRowChunks *c, size_t row)
{
	return c->chunks[row >> UB_CHUNK_SHIFT] + (row & UB_CHUNK_MASK) * (size_t) c->stride;
}

#endif
