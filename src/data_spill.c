/*
 * data_spill.c: training data beyond ubehav.max_training_memory goes to a BufFile, which lives in
 * temp_tablespaces, counts toward temp_file_limit and is removed by the resource owner when the
 * transaction aborts, so a cancelled or failed training leaves no file behind.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "data_spill.h"

UbSpill *
ub_spill_create(MemoryContext mcxt)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	UbSpill    *s = palloc0(sizeof(UbSpill));

	s->file = BufFileCreateTemp(false);
	MemoryContextSwitchTo(old);
	return s;
}

void
ub_spill_write(UbSpill *s, const void *data, size_t bytes, UbSpillPlace *place)
{
	place->fileno = s->end_fileno;
	place->offset = s->end_offset;
	if (bytes == 0)
		return;
	/* reads move the position: every write appends at the end recorded by the last one */
	if (BufFileSeek(s->file, s->end_fileno, s->end_offset, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not seek to the end of the training data's temporary file")));
	BufFileWrite(s->file, (void *) data, bytes);
	BufFileTell(s->file, &s->end_fileno, &s->end_offset);
	s->bytes += bytes;
	s->chunks++;
}

void
ub_spill_read(UbSpill *s, const UbSpillPlace *place, void *data, size_t bytes)
{
	size_t		got;

	if (bytes == 0)
		return;
	if (BufFileSeek(s->file, place->fileno, place->offset, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not seek in the training data's temporary file")));
	got = BufFileRead(s->file, data, bytes);
	if (got != bytes)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read the training data's temporary file: read only %zu of %zu bytes",
						got, bytes)));
}

void
ub_spill_close(UbSpill *s)
{
	if (s != NULL && s->file != NULL)
	{
		BufFileClose(s->file);
		s->file = NULL;
	}
}
