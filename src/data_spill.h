/* data_spill.h: an append-only temporary file for chunks of rows that do not fit in ubehav.max_training_memory. */
#ifndef UBEHAV_SPILL_H
#define UBEHAV_SPILL_H

#include "postgres.h"

#include "storage/buffile.h"

/* Where one chunk's floats were written. */
typedef struct UbSpillPlace
{
	int			fileno;			/* BufFile segment */
	off_t		offset;
	size_t		rows;			/* rows the chunk holds */
	size_t		floats;			/* floats written (0 for a column that had no width yet) */
} UbSpillPlace;

typedef struct UbSpill
{
	BufFile    *file;			/* in temp_tablespaces; deleted at close or on error, counted in temp_file_limit */
	int			end_fileno;		/* where the next write goes */
	off_t		end_offset;
	uint64		bytes;			/* written so far */
	uint64		chunks;			/* chunk writes so far */
} UbSpill;

/* A new empty spill file whose bookkeeping lives in mcxt. */
UbSpill    *ub_spill_create(MemoryContext mcxt);

/* Append bytes from data and say where they went. */
void		ub_spill_write(UbSpill *s, const void *data, size_t bytes, UbSpillPlace *place);

/* Read the bytes written at place back into data. */
void		ub_spill_read(UbSpill *s, const UbSpillPlace *place, void *data, size_t bytes);

/* Close and delete the file (also done by the resource owner on error). */
void		ub_spill_close(UbSpill *s);

#endif
