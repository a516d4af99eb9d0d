/* tap.h: a tiny TAP producer for the standalone core tests ("ok N - name" / "not ok N - name"). */
#ifndef UBEHAV_TEST_TAP_H
#define UBEHAV_TEST_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int	tap_count = 0;
static int	tap_failures = 0;

/* Record one assertion; on failure print where it was and, if given, a diagnostic line. */
static inline bool
tap_result(bool pass, const char *file, int line, const char *diagnostic, const char *fmt, ...)
{
	va_list		args;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
	if (!pass)
	{
		tap_failures++;
		printf("#   failed at %s:%d\n", file, line);
		if (diagnostic && diagnostic[0])
			printf("#   %s\n", diagnostic);
	}
	fflush(stdout);
	return pass;
}

/* ok(cond, "name %d", ...) */
#define ok(cond, ...) tap_result((cond) ? true : false, __FILE__, __LINE__, NULL, __VA_ARGS__)

/* |got - expected| <= tol (absolute), NaN never close; prints both values on failure. */
static inline bool
tap_is_close(double got, double expected, double tol, const char *file, int line,
			 const char *name)
{
	char		diagnostic[160];
	bool		pass = fabs(got - expected) <= tol;

	snprintf(diagnostic, sizeof(diagnostic), "got %.10g, expected %.10g (tolerance %.3g)",
			 got, expected, tol);
	return tap_result(pass, file, line, diagnostic, "%s", name);
}

#define is_close(got, expected, tol, name) \
	tap_is_close((got), (expected), (tol), __FILE__, __LINE__, (name))

/* got == expected as integers, both printed on failure. */
static inline bool
tap_is_int(long long got, long long expected, const char *file, int line, const char *name)
{
	char		diagnostic[120];

	snprintf(diagnostic, sizeof(diagnostic), "got %lld, expected %lld", got, expected);
	return tap_result(got == expected, file, line, diagnostic, "%s", name);
}

#define is_int(got, expected, name) \
	tap_is_int((long long) (got), (long long) (expected), __FILE__, __LINE__, (name))

/* A comment line in the TAP stream. */
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* Print the plan after the tests ("1..N") and give main its exit status. */
static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failures)
		printf("# %d of %d failed\n", tap_failures, tap_count);
	return tap_failures ? 1 : 0;
}

#endif
