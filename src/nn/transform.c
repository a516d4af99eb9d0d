/* transform.c: fitting the numeric transforms of preprocessing (Yeo-Johnson, skewness). */
#include "transform.h"

#include <math.h>

double
nn_yeo_johnson(double v, double lambda)
{
	if (v >= 0)
		return fabs(lambda) < 1e-12 ? log1p(v) : (pow(v + 1.0, lambda) - 1.0) / lambda;
	return fabs(lambda - 2.0) < 1e-12 ? -log1p(-v) : -(pow(1.0 - v, 2.0 - lambda) - 1.0) / (2.0 - lambda);
}

/* Log-likelihood of lambda up to a constant: -n/2 ln var(y) + (lambda - 1) sum sign(x) ln(1 + |x|). */
static double
yj_loglik(const float *x, size_t n, size_t stride, size_t m, double lambda)
{
	double		mean = 0.0,
				var = 0.0,
				jac = 0.0;
	size_t		i;

	for (i = 0; i < m; i++)
		mean += nn_yeo_johnson(x[i * stride], lambda);
	mean /= (double) m;
	for (i = 0; i < m; i++)
	{
		double		v = x[i * stride],
					d = nn_yeo_johnson(v, lambda) - mean;

		var += d * d;
		jac += v >= 0 ? log1p(v) : -log1p(-v);
	}
	var /= (double) m;
	(void) n;
	if (!(var > 0) || !isfinite(var))
		return -INFINITY;
	return -0.5 * (double) m * log(var) + (lambda - 1.0) * jac;
}

double
nn_yeo_johnson_fit(const float *x, size_t n, size_t max_sample)
{
	const double phi = 0.6180339887498949;
	size_t		stride = 1,
				m = n;
	double		a = -2.0,
				b = 2.0,
				c,
				d,
				fc,
				fd;
	int			it;

	if (n < 2 || max_sample < 2)
		return 1.0;
	if (n > max_sample)
	{
		stride = n / max_sample;
		m = max_sample;
	}
	if (!isfinite(yj_loglik(x, n, stride, m, 1.0)))
		return 1.0;				/* constant column */
	c = b - phi * (b - a);
	d = a + phi * (b - a);
	fc = yj_loglik(x, n, stride, m, c);
	fd = yj_loglik(x, n, stride, m, d);
	/* 4 / 0.618^40 < 1e-7 */
	for (it = 0; it < 40; it++)
	{
		if (fc >= fd)
		{
			b = d;
			d = c;
			fd = fc;
			c = b - phi * (b - a);
			fc = yj_loglik(x, n, stride, m, c);
		}
		else
		{
			a = c;
			c = d;
			fc = fd;
			d = a + phi * (b - a);
			fd = yj_loglik(x, n, stride, m, d);
		}
	}
	return 0.5 * (a + b);
}

double
nn_skewness(const float *x, size_t n)
{
	double		mean = 0.0,
				m2 = 0.0,
				m3 = 0.0;
	size_t		i;

	if (n < 2)
		return 0.0;
	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= (double) n;
	for (i = 0; i < n; i++)
	{
		double		d = x[i] - mean;

		m2 += d * d;
		m3 += d * d * d;
	}
	m2 /= (double) n;
	m3 /= (double) n;
	if (!(m2 > 1e-24))
		return 0.0;
	return m3 / (m2 * sqrt(m2));
}
