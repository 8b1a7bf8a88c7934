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

/* Two-sided 95% Student t quantile: the exact one, vb_t_quantile(). */
double vb_t95(int df)
{
	return df < 1 ? NAN : vb_t_quantile(0.05, df);
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

/*
 * The regularized incomplete beta function I_x(a, b) by its continued
 * fraction (modified Lentz), used on the side where it converges fast.
 */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	double lbt;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double vb_t_p(double t, double df)
{
	if (!(df > 0) || isnan(t))
		return NAN;
	if (isinf(t))
		return 0;
	/* P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2) */
	return ibeta(df / 2, 0.5, df / (df + t * t));
}

double vb_t_quantile(double alpha, double df)
{
	double lo = 0, hi = 1;

	if (!(df > 0) || !(alpha > 0 && alpha < 1))
		return NAN;
	while (vb_t_p(hi, df) > alpha)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (vb_t_p(mid, df) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

struct holm_item {
	double p;
	int i;
};

static int cmp_holm(const void *x, const void *y)
{
	double a = ((const struct holm_item *)x)->p, b = ((const struct holm_item *)y)->p;

	return a < b ? -1 : a > b;
}

int vb_holm(const double *p, int n, double *adj)
{
	struct holm_item *it = malloc(sizeof(*it) * (n > 0 ? n : 1));
	double run = 0;
	int m = 0, k;

	if (!it)
		return -1;
	for (k = 0; k < n; k++)
		if (!isnan(p[k]))
			it[m++] = (struct holm_item){ p[k], k };
	qsort(it, m, sizeof(*it), cmp_holm);
	/* adj of the k-th smallest: max over j <= k of min(1, (m - j) p_j) */
	for (k = 0; k < m; k++) {
		double v = fmin(1, (m - k) * it[k].p);

		if (v > run)
			run = v;
		adj[it[k].i] = run;
	}
	for (k = 0; k < n; k++)
		if (isnan(p[k]))
			adj[k] = NAN;
	free(it);
	return m;
}

/* mean and sample variance of @x[0..@n-1] */
static void mean_var(const double *x, int n, double *mean, double *var)
{
	double sum = 0, sq = 0;

	for (int i = 0; i < n; i++)
		sum += x[i];
	*mean = n > 0 ? sum / n : NAN;
	for (int i = 0; i < n; i++)
		sq += (x[i] - *mean) * (x[i] - *mean);
	*var = n > 1 ? sq / (n - 1) : NAN;
}

struct vb_ratio vb_paired_ratio(const double *r, int n)
{
	struct vb_ratio q = { .n = n > 0 ? n : 0, .gmean = NAN, .lo = NAN, .hi = NAN,
			      .hw = NAN, .sdlog = NAN };
	double *l, m, v, h;

	if (n < 1)
		return q;
	l = malloc(n * sizeof(*l));
	if (!l)
		return q;
	for (int i = 0; i < n; i++)
		l[i] = log(r[i]);
	mean_var(l, n, &m, &v);
	free(l);
	q.gmean = exp(m);
	if (n < 2)
		return q;
	q.sdlog = sqrt(v);
	h = vb_t95(n - 1) * q.sdlog / sqrt(n);
	q.lo = exp(m - h);
	q.hi = exp(m + h);
	q.hw = expm1(h);
	return q;
}

double vb_welch(const double *a, int na, const double *b, int nb, double alpha,
		double *diff, double *lo, double *hi)
{
	double ma, va, mb, vb, se2, df, t;

	*diff = *lo = *hi = NAN;
	if (na < 2 || nb < 2)
		return NAN;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	*diff = mb - ma;
	se2 = va / na + vb / nb;
	if (se2 <= 0) {
		*lo = *hi = *diff;
		return *diff == 0 ? 1 : 0;
	}
	/* Welch-Satterthwaite degrees of freedom */
	df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1));
	t = vb_t_quantile(alpha, df) * sqrt(se2);
	*lo = *diff - t;
	*hi = *diff + t;
	return vb_t_p(*diff / sqrt(se2), df);
}

struct vb_variation vb_variation_of(const double *x, int runs, int k)
{
	struct vb_variation v = { .runs = runs, .k = k, .within = NAN, .between = NAN,
				  .expected = NAN, .boot = NAN };
	double grand, var, pooled = 0, *means;

	if (runs < 1 || k < 1)
		return v;
	means = malloc(runs * sizeof(*means));
	if (!means)
		return v;
	for (int r = 0; r < runs; r++) {
		double m, w;

		mean_var(x + r * k, k, &m, &w);
		means[r] = m;
		if (k > 1)
			pooled += w;
	}
	mean_var(means, runs, &grand, &var);
	free(means);
	if (k > 1)
		v.within = sqrt(pooled / runs) / grand;
	if (runs > 1)
		v.between = sqrt(var) / grand;
	if (k > 1 && runs > 1) {
		double b2;

		v.expected = v.within / sqrt(k);
		b2 = v.between * v.between - v.expected * v.expected;
		v.boot = b2 > 0 ? sqrt(b2) : 0;
	}
	return v;
}
