/*
 * sort_template.h: introsort and quickselect over one element type, included once per type by
 * sort.c so the comparison inlines (qsort's call per comparison dominated the metrics' time).
 * Define before including:
 *   ST_TYPE          the element type
 *   ST_LESS(a, b)    strict weak order on pointers a, b (a total order: it bounds the scans)
 *   ST_PREFIX        prefix of the generated functions (ST_PREFIX##_sort, ...)
 *   ST_SELECT        (optional) also generate ST_PREFIX##_select
 *   ST_KEY(a)        (optional) the unsigned integer key of *a that ST_LESS compares:
 *                    generates ST_PREFIX##_radix(a, n, shift of the key's top byte)
 */
#define ST_CAT_(a, b) a##_##b
#define ST_CAT(a, b) ST_CAT_(a, b)
#define ST_FN(x) ST_CAT(ST_PREFIX, x)

static inline void
ST_FN(swap) (ST_TYPE *a, ST_TYPE *b)
{
	ST_TYPE		t = *a;

	*a = *b;
	*b = t;
}

static void
ST_FN(insertion) (ST_TYPE *a, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		ST_TYPE		x = a[i];

		for (j = i; j > 0 && ST_LESS(&x, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static void
ST_FN(sift_down) (ST_TYPE *a, size_t root, size_t n)
{
	for (;;)
	{
		size_t		child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && ST_LESS(&a[child], &a[child + 1]))
			child++;
		if (!ST_LESS(&a[root], &a[child]))
			return;
		ST_FN(swap) (&a[root], &a[child]);
		root = child;
	}
}

/* The fallback that keeps the worst case at n log n. */
static void
ST_FN(heapsort) (ST_TYPE *a, size_t n)
{
	size_t		i;

	for (i = n / 2; i-- > 0;)
		ST_FN(sift_down) (a, i, n);
	for (i = n; i-- > 1;)
	{
		ST_FN(swap) (&a[0], &a[i]);
		ST_FN(sift_down) (a, 0, i);
	}
}

/*
 * Hoare partition around the median of the first, middle and last elements, n >= 3. Returns p,
 * 1 <= p < n: a[0..p) has nothing above the pivot and a[p..n) nothing below it.
 */
static size_t
ST_FN(partition) (ST_TYPE *a, size_t n)
{
	size_t		m = n / 2;
	ST_TYPE		pivot;
	size_t		i = 0,
				j = n - 1;

	if (ST_LESS(&a[m], &a[0]))
		ST_FN(swap) (&a[m], &a[0]);
	if (ST_LESS(&a[n - 1], &a[m]))
	{
		ST_FN(swap) (&a[n - 1], &a[m]);
		if (ST_LESS(&a[m], &a[0]))
			ST_FN(swap) (&a[m], &a[0]);
	}
	pivot = a[m];
	/* a[0] <= pivot <= a[n - 1] stop the first scans; each swap leaves a stopper for the next */
	for (;;)
	{
		while (ST_LESS(&a[i], &pivot))
			i++;
		while (ST_LESS(&pivot, &a[j]))
			j--;
		if (i >= j)
			return j + 1;
		ST_FN(swap) (&a[i], &a[j]);
		i++;
		j--;
	}
}

/* Bad pivots allowed before the heapsort takes over: twice the depth of a balanced split. */
static inline int
ST_FN(depth_limit) (size_t n)
{
	int			depth = 0;

	for (; n > 1; n >>= 1)
		depth += 2;
	return depth;
}

static void
ST_FN(sort_within) (ST_TYPE *a, size_t n, int depth)
{
	while (n > 16)
	{
		size_t		p;

		if (depth-- == 0)
		{
			ST_FN(heapsort) (a, n);
			return;
		}
		p = ST_FN(partition) (a, n);
		/* recurse into the smaller side, loop on the larger: the stack stays O(log n) */
		if (p < n - p)
		{
			ST_FN(sort_within) (a, p, depth);
			a += p;
			n -= p;
		}
		else
		{
			ST_FN(sort_within) (a + p, n - p, depth);
			n = p;
		}
	}
	ST_FN(insertion) (a, n);
}

static void
ST_FN(sort) (ST_TYPE *a, size_t n)
{
	ST_FN(sort_within) (a, n, ST_FN(depth_limit) (n));
}

#ifdef ST_KEY
/*
 * In-place MSD radix sort on the key's bytes from bit shift down (American flag sort): a count
 * and a cycle of swaps per byte, no comparisons, so no mispredicted branch per element as in a
 * quicksort of random scores; buckets of 64 or fewer finish in the introsort.
 */
static void
ST_FN(radix) (ST_TYPE *a, size_t n, int shift)
{
	size_t		count[256],
				next[256];
	size_t		b,
				i,
				pos;

	while (n > 64)
	{
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(ST_KEY(&a[i]) >> shift) & 255]++;
		if (count[(ST_KEY(&a[0]) >> shift) & 255] == n)
		{
			/* every key has this byte: the next one decides */
			if (shift == 0)
				return;			/* equal keys: already in order */
			shift -= 8;
			continue;
		}
		for (b = 0, pos = 0; b < 256; b++)
		{
			next[b] = pos;
			pos += count[b];
		}
		for (b = 0, pos = 0; b < 256; b++)
		{
			size_t		end = pos + count[b];

			/* swap each misplaced element into its bucket until this bucket holds only its own */
			while (next[b] < end)
			{
				ST_TYPE		v = a[next[b]];
				size_t		d = (ST_KEY(&v) >> shift) & 255;

				while (d != b)
				{
					ST_TYPE		t = a[next[d]];

					a[next[d]++] = v;
					v = t;
					d = (ST_KEY(&v) >> shift) & 255;
				}
				a[next[b]++] = v;
			}
			pos = end;
		}
		if (shift == 0)
			return;
		for (b = 0, pos = 0; b < 256; pos += count[b], b++)
			if (count[b] > 1)
				ST_FN(radix) (a + pos, count[b], shift - 8);
		return;
	}
	if (n > 1)
		ST_FN(sort) (a, n);
}
#endif

#ifdef ST_SELECT
static void
ST_FN(select) (ST_TYPE *a, size_t n, size_t k)
{
	int			depth = ST_FN(depth_limit) (n);

	while (n > 16)
	{
		size_t		p;

		if (depth-- == 0)
			break;				/* too many bad pivots: sort what is left */
		p = ST_FN(partition) (a, n);
		if (k < p)
			n = p;
		else
		{
			a += p;
			n -= p;
			k -= p;
		}
	}
	ST_FN(sort) (a, n);
}
#endif

#undef ST_FN
#undef ST_CAT
#undef ST_CAT_
#undef ST_TYPE
#undef ST_LESS
#undef ST_PREFIX
#undef ST_SELECT
#undef ST_KEY
