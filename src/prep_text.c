/* prep_text.c: free text as hashed TF-IDF terms, tokenised by PostgreSQL's text search parser. */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "tsearch/ts_type.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"

#include "data_query.h"
#include "jsonb_build.h"
#include "jsonb_util.h"
#include "mb/pg_wchar.h"
#include "prep_text.h"

/* positions read for word pairs: a tsvector holds at most 256 per lexeme, this bounds a huge one */
#define UB_TEXT_MAX_POSITIONS 200000

UbTextFeature *
ub_text_create(const char *config, int n_slots, int ngrams, bool from_tsvector)
{
	UbTextFeature *t = palloc0(sizeof(UbTextFeature));

	t->config = pstrdup(config);
	t->n_slots = n_slots;
	t->ngrams = ngrams;
	t->max_terms = UB_TEXT_MAX_TERMS;
	t->from_tsvector = from_tsvector;
	t->fingerprint = palloc0(sizeof(uint32) * n_slots);
	t->idf = palloc0(sizeof(float) * n_slots);
	t->word = palloc0(sizeof(char *) * n_slots);
	return t;
}

static Oid
config_oid(UbTextFeature *t)
{
	if (!OidIsValid(t->config_oid))
	{
		List	   *names = stringToQualifiedNameList(t->config);

		t->config_oid = get_ts_config_oid(names, true);
		if (!OidIsValid(t->config_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("text search configuration \"%s\" does not exist", t->config),
					 errhint("Set the option \"text_config\" to one of \\dF's configurations, such as \"english\" or \"simple\".")));
	}
	return t->config_oid;
}

TSVector
ub_text_tsvector_of_cstring(UbTextFeature *t, const char *s)
{
	if (t->from_tsvector)
		return DatumGetTSVector(DirectFunctionCall1(tsvectorin, CStringGetDatum(s)));
	return DatumGetTSVector(DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(config_oid(t)),
												PointerGetDatum(cstring_to_text(s))));
}

TSVector
ub_text_tsvector_of_datum(UbTextFeature *t, Datum d, Oid typid)
{
	if (typid == TSVECTOROID)
		return DatumGetTSVector(d);
	return DatumGetTSVector(DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(config_oid(t)), d));
}

/* One term of a document: its hash and how often it occurs. */
typedef struct Term
{
	uint64		hash;
	int32		tf;
	int32		lexeme;			/* unigram: its entry; pair: the first word's entry */
	int32		second;			/* pair: the second word's entry, else -1 */
} Term;

typedef struct Position
{
	uint16		pos;
	int32		lexeme;
} Position;

static int
cmp_position(const void *a, const void *b)
{
	const Position *x = a,
			   *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->lexeme - y->lexeme;
}

static int
cmp_term_hash(const void *a, const void *b)
{
	uint64		x = ((const Term *) a)->hash,
				y = ((const Term *) b)->hash;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static uint64
lexeme_hash(TSVector tsv, WordEntry *e)
{
	return hash_bytes_extended((const unsigned char *) STRPTR(tsv) + e->pos, e->len, 0);
}

static uint64
pair_hash(uint64 a, uint64 b)
{
	uint64		both[2] = {a, b};

	return hash_bytes_extended((const unsigned char *) both, sizeof(both), 0x7e57);
}

/*
 * The terms of a document, distinct, with their counts: each lexeme (tf: its positions, 1 when
 * stripped), and with ngrams 2 each pair of lexemes at consecutive positions in word order.
 */
static Term *
document_terms(const UbTextFeature *t, TSVector tsv, int *n_terms)
{
	WordEntry  *entries = ARRPTR(tsv);
	int			n = tsv->size,
				n_pos = 0,
				k,
				i,
				j;
	Term	   *terms;
	Position   *pos = NULL;

	for (k = 0; k < n && t->ngrams > 1; k++)
		n_pos += Max(POSDATALEN(tsv, &entries[k]), 0);
	n_pos = Min(n_pos, UB_TEXT_MAX_POSITIONS);
	terms = palloc(sizeof(Term) * (n + Max(n_pos, 1)));
	for (k = 0; k < n; k++)
	{
		terms[k].hash = lexeme_hash(tsv, &entries[k]);
		terms[k].tf = Max(entries[k].haspos ? POSDATALEN(tsv, &entries[k]) : 1, 1);
		terms[k].lexeme = k;
		terms[k].second = -1;
	}
	*n_terms = n;
	if (n_pos < 2)
		return terms;
	pos = palloc(sizeof(Position) * n_pos);
	for (k = 0, i = 0; k < n && i < n_pos; k++)
	{
		WordEntryPos *p = POSDATAPTR(tsv, &entries[k]);
		int			np = entries[k].haspos ? POSDATALEN(tsv, &entries[k]) : 0;

		for (j = 0; j < np && i < n_pos; j++)
		{
			pos[i].pos = WEP_GETPOS(p[j]);
			pos[i].lexeme = k;
			i++;
		}
	}
	n_pos = i;
	qsort(pos, n_pos, sizeof(Position), cmp_position);
	{
		int			first_pair = n,
					m = n;

		for (i = 0; i + 1 < n_pos; i++)
		{
			terms[m].hash = pair_hash(terms[pos[i].lexeme].hash, terms[pos[i + 1].lexeme].hash);
			terms[m].tf = 1;
			terms[m].lexeme = pos[i].lexeme;
			terms[m].second = pos[i + 1].lexeme;
			m++;
		}
		/* a pair repeated in the document is one term with its count */
		qsort(terms + first_pair, m - first_pair, sizeof(Term), cmp_term_hash);
		j = first_pair;
		for (i = first_pair; i < m; i++)
		{
			if (j > first_pair && terms[j - 1].hash == terms[i].hash)
				terms[j - 1].tf++;
			else
				terms[j++] = terms[i];
		}
		*n_terms = j;
	}
	pfree(pos);
	return terms;
}

static int
slot_of(const UbTextFeature *t, uint64 hash)
{
	return (int) (hash % (uint64) t->n_slots);
}

static uint32
fingerprint_of(uint64 hash)
{
	return (uint32) (hash >> 32) | 1;	/* never 0, which marks a free slot */
}

/* The slot of a vocabulary term, or -1: linear probing from its home slot to a free one. */
static int
find_term(const UbTextFeature *t, uint64 hash)
{
	uint32		fp = fingerprint_of(hash);
	int			s = slot_of(t, hash),
				probes;

	for (probes = 0; probes < t->n_slots && t->fingerprint[s] != 0; probes++)
	{
		if (t->fingerprint[s] == fp)
			return s;
		s = s + 1 == t->n_slots ? 0 : s + 1;
	}
	return -1;
}

/* Document frequency of one term while fitting. */
typedef struct TermCount
{
	uint64		hash;			/* the key */
	int64		df;
	int64		last_doc;
	char		word[UB_TEXT_WORD_BYTES];
} TermCount;

static void
term_text(TSVector tsv, const Term *term, char *out)
{
	WordEntry  *e = ARRPTR(tsv);
	StringInfoData s;

	initStringInfo(&s);
	appendBinaryStringInfo(&s, STRPTR(tsv) + e[term->lexeme].pos, e[term->lexeme].len);
	if (term->second >= 0)
	{
		appendStringInfoChar(&s, ' ');
		appendBinaryStringInfo(&s, STRPTR(tsv) + e[term->second].pos, e[term->second].len);
	}
	/* cut on a character boundary */
	strlcpy(out, s.data, pg_mbcliplen(s.data, s.len, UB_TEXT_WORD_BYTES - 1) + 1);
	pfree(s.data);
}

/* Most frequent first, ties by hash: the vocabulary is deterministic. */
static int
cmp_count_desc(const void *a, const void *b)
{
	const TermCount *x = *(TermCount *const *) a,
			   *y = *(TermCount *const *) b;

	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return x->hash < y->hash ? -1 : (x->hash > y->hash ? 1 : 0);
}

void
ub_text_fit(UbTextFeature *t, UbTextDocFn doc, void *ctx, size_t n)
{
	HASHCTL		hctl;
	HTAB	   *counts;
	HASH_SEQ_STATUS seq;
	TermCount  *tc;
	MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "ubehav text fit", ALLOCSET_DEFAULT_SIZES),
				per_doc = AllocSetContextCreate(CurrentMemoryContext, "ubehav text document", ALLOCSET_DEFAULT_SIZES),
				old;
	size_t		i;

	memset(&hctl, 0, sizeof(hctl));
	hctl.keysize = sizeof(uint64);
	hctl.entrysize = sizeof(TermCount);
	hctl.hcxt = work;
	counts = hash_create("ubehav text terms", 4096, &hctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	t->n_docs = 0;
	for (i = 0; i < n; i++)
	{
		const char *s_doc = doc(ctx, i);
		TSVector	tsv;
		Term	   *terms;
		int			n_terms,
					k;

		if (s_doc == NULL)
			continue;
		old = MemoryContextSwitchTo(per_doc);
		tsv = ub_text_tsvector_of_cstring(t, s_doc);
		terms = document_terms(t, tsv, &n_terms);
		MemoryContextSwitchTo(old);
		t->n_docs++;
		for (k = 0; k < n_terms; k++)
		{
			bool		found;

			tc = hash_search(counts, &terms[k].hash, HASH_ENTER, &found);
			if (!found)
			{
				tc->df = 0;
				tc->last_doc = -1;
				term_text(tsv, &terms[k], tc->word);
			}
			if (tc->last_doc != (int64) i)
			{
				tc->df++;
				tc->last_doc = (int64) i;
			}
		}
		MemoryContextReset(per_doc);
		if ((i & 255) == 0)
		{
			ub_check_training_memory(work, i);
			CHECK_FOR_INTERRUPTS();
		}
	}
	/* the vocabulary: terms in at least UB_TEXT_MIN_DF rows, the most frequent first, bounded */
	{
		long		n_counted = hash_get_num_entries(counts),
					n_frequent = 0,
					k;
		TermCount **frequent = palloc_extended(sizeof(TermCount *) * Max(n_counted, 1), MCXT_ALLOC_HUGE);
		int64		cap = (int64) (UB_TEXT_LOAD * t->n_slots);

		hash_seq_init(&seq, counts);
		while ((tc = hash_seq_search(&seq)) != NULL)
			if (tc->df >= UB_TEXT_MIN_DF)
				frequent[n_frequent++] = tc;
		qsort(frequent, n_frequent, sizeof(TermCount *), cmp_count_desc);
		/* most frequent first, each to its home slot or the next free one */
		t->n_terms = (int) Min((int64) n_frequent, cap);
		for (k = 0; k < t->n_terms; k++)
		{
			int			sl = slot_of(t, frequent[k]->hash);

			while (t->fingerprint[sl] != 0)
				sl = sl + 1 == t->n_slots ? 0 : sl + 1;
			t->fingerprint[sl] = fingerprint_of(frequent[k]->hash);
			/* scikit-learn's smooth IDF */
			t->idf[sl] = (float) (log((1.0 + t->n_docs) / (1.0 + frequent[k]->df)) + 1.0);
			t->word[sl] = pstrdup(frequent[k]->word);
		}
		pfree(frequent);
	}
	MemoryContextDelete(per_doc);
	MemoryContextDelete(work);
}

/* A kept term of a row: its slot and weight. */
typedef struct Weighted
{
	int			slot;
	float		weight;
} Weighted;

static int
cmp_weight_desc(const void *a, const void *b)
{
	const Weighted *x = a,
			   *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->slot - y->slot;
}

void
ub_text_encode(const UbTextFeature *t, TSVector tsv, int slot_base, float *pairs, int *cursor)
{
	Term	   *terms;
	Weighted   *kept;
	int			n_terms,
				n_kept = 0,
				k;
	double		norm = 0.0;

	if (tsv == NULL)
		return;
	terms = document_terms(t, tsv, &n_terms);
	kept = palloc(sizeof(Weighted) * Max(n_terms, 1));
	for (k = 0; k < n_terms; k++)
	{
		int			v = find_term(t, terms[k].hash);

		/* a term outside the vocabulary (unseen, or too rare at training) is ignored */
		if (v < 0)
			continue;
		kept[n_kept].slot = v;
		kept[n_kept].weight = (float) ((1.0 + log((double) terms[k].tf)) * t->idf[v]);
		n_kept++;
	}
	for (k = 0; k < n_kept; k++)
		norm += (double) kept[k].weight * kept[k].weight;
	if (n_kept > t->max_terms)
		qsort(kept, n_kept, sizeof(Weighted), cmp_weight_desc);
	norm = norm > 0.0 ? 1.0 / sqrt(norm) : 0.0;
	for (k = 0; k < Min(n_kept, t->max_terms); k++)
	{
		pairs[2 * *cursor] = (float) (slot_base + kept[k].slot);
		pairs[2 * *cursor + 1] = (float) (kept[k].weight * norm);
		(*cursor)++;
	}
	pfree(kept);
	pfree(terms);
}

const char *
ub_text_word(const UbTextFeature *t, int slot)
{
	return slot >= 0 && slot < t->n_slots ? t->word[slot] : NULL;
}

void
ub_text_to_jsonb(const UbTextFeature *t, UbJsonbBuilder *b)
{
	int			s;

	ub_jb_kv_string(b, "text_config", t->config);
	ub_jb_kv_bool(b, "tsvector", t->from_tsvector);
	ub_jb_kv_int64(b, "slots", t->n_slots);
	ub_jb_kv_int64(b, "ngrams", t->ngrams);
	ub_jb_kv_int64(b, "max_terms", t->max_terms);
	ub_jb_kv_int64(b, "documents", t->n_docs);
	/* the slots holding a term: slot, fingerprint, IDF and term, in slot order */
	ub_jb_key(b, "term_slots");
	ub_jb_array_begin(b);
	for (s = 0; s < t->n_slots; s++)
		if (t->fingerprint[s])
			ub_jb_int64(b, s);
	ub_jb_array_end(b);
	ub_jb_key(b, "fingerprints");
	ub_jb_array_begin(b);
	for (s = 0; s < t->n_slots; s++)
		if (t->fingerprint[s])
			ub_jb_int64(b, t->fingerprint[s]);
	ub_jb_array_end(b);
	ub_jb_key(b, "idf");
	ub_jb_array_begin(b);
	for (s = 0; s < t->n_slots; s++)
		if (t->fingerprint[s])
			ub_jb_float8(b, t->idf[s]);
	ub_jb_array_end(b);
	ub_jb_key(b, "terms");
	ub_jb_array_begin(b);
	for (s = 0; s < t->n_slots; s++)
		if (t->fingerprint[s])
			ub_jb_string(b, t->word[s]);
	ub_jb_array_end(b);
}

UbTextFeature *
ub_text_from_json(JsonbContainer *obj, void (*corrupt) (const char *what))
{
	JsonbValue *slots = ub_jsonb_get(obj, "slots"),
			   *ngrams = ub_jsonb_get(obj, "ngrams"),
			   *max_terms = ub_jsonb_get(obj, "max_terms"),
			   *tsv = ub_jsonb_get(obj, "tsvector"),
			   *tslots = ub_jsonb_get(obj, "term_slots"),
			   *fps = ub_jsonb_get(obj, "fingerprints"),
			   *idf = ub_jsonb_get(obj, "idf"),
			   *terms = ub_jsonb_get(obj, "terms");
	UbTextFeature *t;
	double		n_slots,
				ng,
				mt;
	int			n,
				k,
				prev = -1;

	if (slots == NULL || ngrams == NULL || max_terms == NULL || tsv == NULL || tsv->type != jbvBool ||
		tslots == NULL || fps == NULL || idf == NULL || terms == NULL)
		corrupt("text column");
	n_slots = ub_jsonb_number(slots, "slots");
	ng = ub_jsonb_number(ngrams, "ngrams");
	mt = ub_jsonb_number(max_terms, "max_terms");
	if (!(n_slots >= 16 && n_slots <= 65536) || n_slots != floor(n_slots) || (ng != 1 && ng != 2) ||
		!(mt >= 1 && mt <= 4096) || mt != floor(mt))
		corrupt("text column settings");
	t = ub_text_create(ub_jsonb_string(ub_jsonb_get(obj, "text_config"), "text_config"), (int) n_slots,
					   (int) ng, tsv->val.boolean);
	t->max_terms = (int) mt;
	t->n_docs = (int64) ub_jsonb_number(ub_jsonb_get(obj, "documents"), "documents");
	n = ub_jsonb_array_length(tslots, "term_slots");
	/* at least one slot stays free, so every lookup ends */
	if (ub_jsonb_array_length(fps, "fingerprints") != n || ub_jsonb_array_length(idf, "idf") != n ||
		ub_jsonb_array_length(terms, "terms") != n || n >= (int) n_slots)
		corrupt("text vocabulary");
	for (k = 0; k < n; k++)
	{
		double		s = ub_jsonb_number(ub_jsonb_array_element(tslots, k), "term_slots"),
					fp = ub_jsonb_number(ub_jsonb_array_element(fps, k), "fingerprints"),
					w = ub_jsonb_number(ub_jsonb_array_element(idf, k), "idf");

		if (!(s > prev && s < n_slots) || s != floor(s) || !(fp >= 1 && fp <= (double) PG_UINT32_MAX) ||
			fp != floor(fp) || !(w > 0 && w < 1e6))
			corrupt("text vocabulary term");
		prev = (int) s;
		t->fingerprint[prev] = (uint32) fp;
		t->idf[prev] = (float) w;
		t->word[prev] = ub_jsonb_string(ub_jsonb_array_element(terms, k), "terms");
	}
	t->n_terms = n;
	return t;
}
