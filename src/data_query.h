/* data_query.h: the rows of a training query, read through a cursor into one compact float matrix. */
#ifndef UBEHAV_DATASET_H
#define UBEHAV_DATASET_H

#include "postgres.h"

#include "executor/spi.h"

#include "data_column_types.h"
#include "data_row_chunks.h"
#include "data_string_dict.h"

typedef struct UbRawColumn
{
	char	   *name;
	Oid			typid;
	char	   *type_name;		/* format_type_be, for messages and the catalog */
	UbColumnKind kind;
	int			attno;			/* 1-based position in the query's result */
	int			width;			/* raw slots per row: 1, or the array length (0 until the first non-NULL array) */
	UbRowChunks values;			/* (n_rows, width); NaN marks NULL, categorical slots hold dictionary codes */
	UbStringDict *dict;			/* categorical: value -> code */
	int64		null_count;		/* NULL values (array elements count one each) */
	struct hyperLogLogState *distinct;	/* integer features: distinct values seen, as float32 cannot tell large ids apart */
} UbRawColumn;

typedef struct UbDataset
{
	int			n_columns;		/* feature columns */
	UbRawColumn *columns;
	UbRawColumn target;
	bool		has_weight;		/* a sample_weight column was named */
	UbRawColumn weight;
	double	   *weight_values;	/* finite and non-negative */
	int64		n_skipped_weight;	/* rows with a NULL weight */
	double	   *target_values;	/* numeric and boolean targets */
	int32	   *target_codes;	/* categorical targets */
	size_t		n_rows;
	size_t		capacity;
	int64		n_skipped;		/* rows with a NULL target */
	bool		may_spill;		/* feature rows beyond ubehav.max_training_memory go to a temporary file */
	UbSpill    *spill;			/* that file once used (raw and encoded chunks share it), else NULL */
	size_t		spilled_chunks; /* raw row chunks [0, spilled_chunks) of every column are on disk */
	size_t		peak_bytes;		/* the largest size of the dataset's context seen while reading */
} UbDataset;

/*
 * Run query as the calling user through a read-only cursor and read every row into a dataset.
 * Every column but target (and weight_column, when not NULL) is a feature, except those whose
 * names match one of the LIKE patterns in exclude. Validates types and names first; ERROR with
 * the offending column otherwise. With may_spill, feature rows past ubehav.max_training_memory
 * are written to a temporary file a chunk at a time (a NOTICE says so) instead of being an ERROR;
 * targets and weights stay in memory.
 */
UbDataset  *ub_dataset_read_excluding(const char *query, const char *target, const char *weight_column,
									  const char *const *exclude, int n_exclude, bool may_spill,
									  MemoryContext mcxt);

/* The columns the next ub_dataset_read_excluding reads as free text (option "text_columns"). */
void		ub_dataset_set_text_columns(const char *const *names, int n);

/* Feature column i's raw values all in memory (ERROR when they alone would pass the bound), and back out. */
void		ub_dataset_load_column(const UbDataset *ds, int i);
void		ub_dataset_unload_column(const UbDataset *ds, int i);
/* Whether column i is in memory or can be loaded whole within the bound. */
bool		ub_dataset_column_fits(const UbDataset *ds, int i);
/* How many of column i's slots fit in memory at once (at least 1; ERROR when not even one does). */
int			ub_dataset_slots_per_load(const UbDataset *ds, int i);
/* Into slice: a copy of column i holding only its slots [k0, k0 + m), read a chunk at a time; free with ub_dataset_free_slice. */
void		ub_dataset_load_slice(const UbDataset *ds, int i, int k0, int m, UbRawColumn *slice);
void		ub_dataset_free_slice(UbRawColumn *slice);

/*
 * After encoding chunk k of X (rows [0, rows) done): with ds->may_spill and memory past the bound,
 * X's encoded chunks go to the spill file from now on; without, the ERROR of ub_check_training_memory.
 */
void		ub_dataset_encoded_chunk(UbDataset *ds, UbRowChunks *X, size_t k, size_t rows);

/* Close the spill file, if any (a failed training's is closed by the resource owner). */
void		ub_dataset_close_spill(UbDataset *ds);

/* An empty dataset of desc's columns (target named target) in mcxt, for rows added one by one (aggregates). */
UbDataset  *ub_dataset_begin(TupleDesc desc, const char *target, MemoryContext mcxt);

/* Add one row deformed as that desc; a NULL target skips it (counted in n_skipped). */
void		ub_dataset_add_row(UbDataset *ds, Datum *values, bool *nulls);

/* ERROR when cxt (with its children) holds more than ubehav.max_training_memory; rows is for the message. */
void		ub_check_training_memory(MemoryContext cxt, size_t rows);

/* ERROR, naming what and the setting, when bytes more in cxt would pass ubehav.max_training_memory. */
void		ub_check_training_memory_for(MemoryContext cxt, size_t bytes, const char *what);

/* ERROR unless plan is one SELECT (data-modifying statements would run with the caller's rights). */
void		ub_check_select_plan(SPIPlanPtr plan, const char *purpose);

#endif
