// SPDX-License-Identifier: GPL-2.0
/*
 * vbstat - statistics for vbench; see vbstat.h.
 *
 * Kept free of global state and of vbench's data structures so that
 * tools/testing/vbench/vbstat_test.c can check it against known values.
 */
#include <math.h>
#include <stdlib.h>

#include "vbstat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Two-sided 95% Student t quantiles (qt(0.975, df)) for df 1..30, then at
 * the usual table knots 40, 60 and 120.  Between knots, and from 120 to the
 * normal quantile 1.96 at df = infinity, t is interpolated linearly in
 * 1 / df, which is nearly exact for t quantiles: the error is below 0.001
 * everywhere (e.g. 1.9624 for df 1000 against the true 1.9623).
 */
static const double t95_small[] = {
	NAN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
	2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098,
	2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
	2.0518, 2.0484, 2.0452, 2.0423,
};

static const struct {
	int df;
	double t;
} t95_knots[] = {
	{ 30, 2.0423 }, { 40, 2.0211 }, { 60, 2.0003 }, { 120, 1.9799 },
};

#define T95_INF 1.9600

double vb_t95(int df)
{
	int k, last = ARRAY_SIZE(t95_knots) - 1;
	double x0, x1, x;

	if (df < 1)
		return NAN;
	if (df <= 30)
		return t95_small[df];
	x = 1.0 / df;
	if (df >= t95_knots[last].df)
		return T95_INF + (t95_knots[last].t - T95_INF) * x * t95_knots[last].df;
	for (k = 0; t95_knots[k + 1].df < df; k++)
		;
	x0 = 1.0 / t95_knots[k].df;
	x1 = 1.0 / t95_knots[k + 1].df;
	return t95_knots[k].t +
	       (t95_knots[k + 1].t - t95_knots[k].t) * (x - x0) / (x1 - x0);
}

static int cmp_double(const void *p, const void *q)
{
	double a = *(const double *)p, b = *(const double *)q;

	return (a > b) - (a < b);
}

double vb_median(const double *x, int n)
{
	double *s, m;
	int i;

	if (n < 1)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	for (i = 0; i < n; i++)
		s[i] = x[i];
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

struct vb_summary vb_summarize(const double *x, int n)
{
	struct vb_summary s = {
		.n = n > 0 ? n : 0,
		.median = NAN, .mean = NAN, .sd = NAN, .ci95 = NAN,
		.min = NAN, .max = NAN,
	};
	double sum = 0, sq = 0;
	int i;

	if (n < 1)
		return s;
	s.min = x[0];
	s.max = x[0];
	for (i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] < s.min)
			s.min = x[i];
		if (x[i] > s.max)
			s.max = x[i];
	}
	s.mean = sum / n;
	s.median = vb_median(x, n);
	if (n < 2)
		return s;
	/* second pass: no cancellation when the spread is small against the mean */
	for (i = 0; i < n; i++)
		sq += (x[i] - s.mean) * (x[i] - s.mean);
	s.sd = sqrt(sq / (n - 1));
	s.ci95 = vb_t95(n - 1) * s.sd / sqrt(n);
	return s;
}

/* C(n, k) in double; exact while it stays below 2^53 */
static double choose(int n, int k)
{
	double c = 1;
	int i;

	if (k > n - k)
		k = n - k;
	for (i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

double vb_mw_min_p(int na, int nb)
{
	double p;

	if (na < 1 || nb < 1)
		return NAN;
	p = 2 / choose(na + nb, na);
	return p < 1 ? p : 1;
}

/*
 * Exact two-sided p of U = @u (an integer) for sizes @na, @nb without ties:
 * 2 * min(P(U <= u), P(U >= u)), capped at 1.
 *
 * f[i][k] counts the orderings of i values of a and j values of b (j the
 * outer loop) in which U = k.  The largest value is either an a, which
 * beats all j b's, or a b, which adds nothing:
 *
 *	f_j(i, k) = f_j(i - 1, k - j) + f_(j-1)(i, k)
 *
 * Updating rows i in increasing order in place gives exactly that, since
 * row i - 1 already holds f_j and row i still holds f_(j-1).  The sizes are
 * bounded by VB_MW_EXACT_MAX, so the VLA is at most 30 * 226 doubles.
 */
static double mw_exact_p(int na, int nb, int u)
{
	int umax = na * nb, i, j, k;
	double f[na + 1][umax + 1];
	double lo = 0, hi = 0, p;

	for (i = 0; i <= na; i++)
		for (k = 0; k <= umax; k++)
			f[i][k] = k == 0;
	for (j = 1; j <= nb; j++)
		for (i = 1; i <= na; i++)
			for (k = j; k <= umax; k++)
				f[i][k] += f[i - 1][k - j];
	for (k = 0; k <= umax; k++) {
		if (k <= u)
			lo += f[na][k];
		if (k >= u)
			hi += f[na][k];
	}
	p = 2 * (lo < hi ? lo : hi) / choose(na + nb, na);
	return p < 1 ? p : 1;
}

struct mw_val {
	double v;
	int from_a;
};

static int cmp_mw_val(const void *p, const void *q)
{
	return cmp_double(&((const struct mw_val *)p)->v, &((const struct mw_val *)q)->v);
}

/*
 * U comes from the rank sum of a in the pooled sample (tied values get the
 * mean of their ranks): U = R_a - na (na + 1) / 2, which equals the pair
 * count of the definition, ties counting 1/2, in O(N log N) instead of
 * O(na nb).  The same pass sums t^3 - t over the groups of t tied values
 * for the variance's tie correction.
 */
double vb_mann_whitney(const double *a, int na, const double *b, int nb, double *u)
{
	double ra = 0, tie = 0, U, mu, var, z, p;
	int n = na + nb, i, j, k;
	struct mw_val *s;

	if (u)
		*u = NAN;
	if (na < 1 || nb < 1)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	for (i = 0; i < na; i++)
		s[i] = (struct mw_val){ a[i], 1 };
	for (i = 0; i < nb; i++)
		s[na + i] = (struct mw_val){ b[i], 0 };
	qsort(s, n, sizeof(*s), cmp_mw_val);
	for (i = 0; i < n; i = j) {
		double t, rank;

		for (j = i + 1; j < n && s[j].v == s[i].v; j++)
			;
		t = j - i;
		rank = (i + 1 + j) / 2.0;	/* mean of ranks i + 1 .. j */
		for (k = i; k < j; k++)
			if (s[k].from_a)
				ra += rank;
		tie += t * t * t - t;
	}
	free(s);
	U = ra - na * (na + 1.0) / 2;
	if (u)
		*u = U;

	if (tie == 0 && n <= VB_MW_EXACT_MAX)
		return mw_exact_p(na, nb, (int)U);

	mu = (double)na * nb / 2;
	var = (double)na * nb / 12 * ((n + 1) - tie / ((double)n * (n - 1)));
	if (var <= 0)		/* all values equal: no evidence either way */
		return 1;
	/*
	 * Continuity correction towards mu.  U - mu is a multiple of 1/2, so
	 * the correction never overshoots: |U - mu| = 1/2 gives z = 0.
	 */
	z = fabs(U - mu) - 0.5;
	if (z < 0)
		z = 0;
	z /= sqrt(var);
	p = erfc(z / sqrt(2));	/* 2 * (1 - Phi(z)) */
	return p < 1 ? p : 1;
}
