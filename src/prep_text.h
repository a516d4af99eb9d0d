/*
 * prep_text.h: free-text features. A text column (declared in "text_columns", or any tsvector
 * column) is tokenised by PostgreSQL's text search parser, to_tsvector(text_config, value); its
 * lexemes, and pairs of adjacent lexemes, become terms. Training keeps a vocabulary of the most
 * frequent terms seen in at least UB_TEXT_MIN_DF training rows, at most UB_TEXT_LOAD of
 * text_slots, one term per slot: a term hashes to a slot and takes the next free one (open
 * addressing), so no two terms share an input and each input names one word. Each slot stores its
 * term's 32-bit fingerprint, IDF and text. A row's weights are (1 + ln tf) * idf, L2-normalised,
 * the UB_TEXT_MAX_TERMS largest kept; terms outside the vocabulary are ignored. They reach the
 * network as (input index, weight) pairs (nn/kernel_sparse.h), so cost follows the words present.
 */
#ifndef UBEHAV_PREP_TEXT_H
#define UBEHAV_PREP_TEXT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "tsearch/ts_type.h"
#include "utils/jsonb.h"

#include "jsonb_build.h"

#define UB_TEXT_MIN_DF 2			/* a term in fewer training rows is noise, and an identifier */
#define UB_TEXT_MAX_TERMS 256		/* pairs per row and text column: the terms of largest weight */
#define UB_TEXT_WORD_BYTES 64		/* terms kept for explanations are cut to this */
#define UB_TEXT_LOAD 0.75			/* share of the slots filled: lookups of unseen terms stay short */

typedef struct UbTextFeature
{
	char	   *config;			/* text search configuration, by name */
	Oid			config_oid;		/* resolved on first use */
	bool		from_tsvector;	/* the column was a tsvector: used as is */
	int			n_slots;
	int			ngrams;			/* 1 or 2 */
	int			max_terms;
	int64		n_docs;			/* training rows with text */
	int			n_terms;		/* slots holding a term */
	uint32	   *fingerprint;	/* n_slots: the term's, never 0; 0 for a free slot */
	float	   *idf;			/* n_slots */
	char	  **word;			/* n_slots: the term (cut to UB_TEXT_WORD_BYTES), or NULL */
} UbTextFeature;

/* A text column's new feature with the options' settings (fitted by ub_text_fit). */
UbTextFeature *ub_text_create(const char *config, int n_slots, int ngrams, bool from_tsvector);

/* Learn the kept term, fingerprint and IDF of each slot from n training documents (NULL: no text). */
typedef const char *(*UbTextDocFn) (void *ctx, size_t i);
void		ub_text_fit(UbTextFeature *t, UbTextDocFn doc, void *ctx, size_t n);

/* The tsvector of a stored value: the column's text through to_tsvector, or a tsvector's text form read back. */
TSVector	ub_text_tsvector_of_cstring(UbTextFeature *t, const char *s);
TSVector	ub_text_tsvector_of_datum(UbTextFeature *t, Datum d, Oid typid);

/*
 * Append the row's pairs (slot_base + slot, weight) for tsv (NULL: no text) at pairs + 2 * *cursor,
 * at most max_terms, advancing *cursor. Terms not kept at training are ignored.
 */
void		ub_text_encode(const UbTextFeature *t, TSVector tsv, int slot_base, float *pairs, int *cursor);

/* The kept term of slot s, or NULL. */
const char *ub_text_word(const UbTextFeature *t, int slot);

/* The members describing t, added to the open column object of b; and t read back from one. */
void		ub_text_to_jsonb(const UbTextFeature *t, UbJsonbBuilder *b);
UbTextFeature *ub_text_from_json(JsonbContainer *obj, void (*corrupt) (const char *what));

#endif
