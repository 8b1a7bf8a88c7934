// SPDX-License-Identifier: GPL-2.0
/*
 * vbstat_test - unit test of tools/vbench/vbstat.c.
 *
 * The expected values come from outside vbstat: printed Student t tables,
 * sums done by hand, R's documented wilcox.test() example, the Gaussian
 * binomial counts of U for tiny samples, and independent code paths in
 * this file (brute-force enumeration of every split of the pooled sample
 * for the exact test; pair counting, per-element tie counting and a
 * Simpson integral of the normal density for the normal approximation).
 * The t distribution's p-values were integrated numerically from its
 * density (200000-point midpoint rule on a mapped infinite range);
 * 2 pt(-2, 10) = 0.0733880 and 2 pt(-1, 3) = 0.3910022 are also R's.
 *
 * Each check prints "ok   <name>" or "FAIL <name>: got X want Y"; the last
 * line is "vbstat: N passed, N failed" and the exit status is 1 if anything
 * failed.
 *
 * Build from this directory with
 *
 *	gcc -O2 -g -Wall -Wextra -static -o vbstat_test \
 *		vbstat_test.c ../../vbench/vbstat.c -lm
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../vbench/vbstat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXV 64

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int passed, failed;

/* @got within @tol of @want; a NAN @want asks for a NAN */
static void check(const char *name, double got, double want, double tol)
{
	int ok = isnan(want) ? isnan(got) : fabs(got - want) <= tol;

	if (ok) {
		passed++;
		printf("ok   %s\n", name);
	} else {
		failed++;
		printf("FAIL %s: got %.10g want %.10g\n", name, got, want);
	}
}

/* the same with a tolerance relative to @want, for p-values far below 1 */
static void check_rel(const char *name, double got, double want, double rel)
{
	check(name, got, want, fabs(want) * rel);
}

/* deterministic 64-bit LCG (Knuth's MMIX constants), so runs are repeatable */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static unsigned int rnd(unsigned int n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(rng_state >> 33) % n;
}

/* @n distinct values in random order: a shuffled 1..n, scaled */
static void distinct(double *x, int n)
{
	int i, j;
	double t;

	for (i = 0; i < n; i++)
		x[i] = 0.25 + 1.5 * (i + 1);
	for (i = n - 1; i > 0; i--) {
		j = rnd(i + 1);
		t = x[i];
		x[i] = x[j];
		x[j] = t;
	}
}

/* --- median ------------------------------------------------------------ */

static const struct {
	const char *name;
	int n;
	double x[8];
	double want;
} median_cases[] = {
	{ "median {3,1,2}", 3, { 3, 1, 2 }, 2 },
	{ "median {4,1,3,2}", 4, { 4, 1, 3, 2 }, 2.5 },
	{ "median {}", 0, { 0 }, NAN },
	{ "median {7}", 1, { 7 }, 7 },
	{ "median {5,5,1,9,5}", 5, { 5, 5, 1, 9, 5 }, 5 },
	{ "median {-1,-3}", 2, { -1, -3 }, -2 },
	{ "median {2,4,4,4,5,5,7,9}", 8, { 2, 4, 4, 4, 5, 5, 7, 9 }, 4.5 },
};

static void test_median(void)
{
	char name[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(median_cases); i++) {
		double x[8];

		memcpy(x, median_cases[i].x, sizeof(x));
		check(median_cases[i].name, vb_median(x, median_cases[i].n),
		      median_cases[i].want, 1e-12);
		snprintf(name, sizeof(name), "%s leaves input unchanged",
			 median_cases[i].name);
		check(name, memcmp(x, median_cases[i].x, sizeof(x)), 0, 0);
	}
}

/* --- t quantiles --------------------------------------------------------- */

/*
 * qt(0.975, df): df <= 30 and 40/60/120 from printed tables (3 digits),
 * the others to 4-5 digits from the same tables' finer editions; the
 * interpolation must stay within 0.001 of them.
 */
static const struct {
	int df;
	double want, tol;
} t95_cases[] = {
	{ -1, NAN, 0 }, { 0, NAN, 0 },
	{ 1, 12.706, 1e-3 }, { 2, 4.303, 1e-3 }, { 3, 3.182, 1e-3 },
	{ 5, 2.571, 1e-3 }, { 10, 2.228, 1e-3 }, { 15, 2.131, 1e-3 },
	{ 20, 2.086, 1e-3 }, { 25, 2.060, 1e-3 }, { 30, 2.042, 1e-3 },
	{ 35, 2.0301, 1e-3 }, { 40, 2.021, 1e-3 }, { 50, 2.0086, 1e-3 },
	{ 60, 2.000, 1e-3 }, { 100, 1.9840, 1e-3 }, { 120, 1.980, 1e-3 },
	{ 1000, 1.9623, 1e-3 }, { 1000000, 1.96, 1e-3 },
};

/* qt(0.975, df) for df 1..30, as printed in statistics tables */
static const double t95_table[] = {
	NAN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
	2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098,
	2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
	2.0518, 2.0484, 2.0452, 2.0423,
};

static void test_t95(void)
{
	char name[64];
	unsigned int i;
	int df;
	double prev = INFINITY, t;

	for (i = 0; i < ARRAY_SIZE(t95_cases); i++) {
		snprintf(name, sizeof(name), "t95(%d)", t95_cases[i].df);
		check(name, vb_t95(t95_cases[i].df), t95_cases[i].want,
		      t95_cases[i].tol);
	}
	/* a t quantile falls with df and never below the normal quantile */
	for (df = 1; df <= 2000; df++) {
		t = vb_t95(df);
		if (!(t < prev && t >= 1.96))
			break;
		prev = t;
	}
	check("t95 decreasing towards 1.96 over df 1..2000", df, 2001, 0);
}

/* --- summary --------------------------------------------------------------- */

static const struct {
	const char *name;
	int n;
	double x[8];
	struct vb_summary want;
	double tol_ci;
} sum_cases[] = {
	/* sd = sqrt((4 + 0 + 4) / 2) = 2; ci95 = 4.303 * 2 / sqrt(3) */
	{ "{10,12,14}", 3, { 10, 12, 14 },
	  { 3, 12, 12, 2, 4.303 * 2 / 1.7320508, 10, 14 }, 1e-3 },
	/* sd = sqrt(32 / 7); ci95 = 2.365 * sd / sqrt(8) */
	{ "{2,4,4,4,5,5,7,9}", 8, { 2, 4, 4, 4, 5, 5, 7, 9 },
	  { 8, 4.5, 5, 2.1380899, 2.365 * 2.1380899 / 2.8284271, 2, 9 }, 1e-3 },
	{ "{5}", 1, { 5 }, { 1, 5, 5, NAN, NAN, 5, 5 }, 0 },
	{ "{}", 0, { 0 }, { 0, NAN, NAN, NAN, NAN, NAN, NAN }, 0 },
	/* large offset, small spread: a one-pass variance would lose it */
	{ "{1e9+1,1e9+2,1e9+3}", 3, { 1e9 + 1, 1e9 + 2, 1e9 + 3 },
	  { 3, 1e9 + 2, 1e9 + 2, 1, 4.303 / 1.7320508, 1e9 + 1, 1e9 + 3 }, 1e-3 },
};

static void test_summary(void)
{
	char name[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sum_cases); i++) {
		struct vb_summary s = vb_summarize(sum_cases[i].x, sum_cases[i].n);
		const struct vb_summary *w = &sum_cases[i].want;
		const char *c = sum_cases[i].name;

		snprintf(name, sizeof(name), "summary %s n", c);
		check(name, s.n, w->n, 0);
		snprintf(name, sizeof(name), "summary %s median", c);
		check(name, s.median, w->median, 1e-9);
		snprintf(name, sizeof(name), "summary %s mean", c);
		check(name, s.mean, w->mean, 1e-9);
		snprintf(name, sizeof(name), "summary %s sd", c);
		check(name, s.sd, w->sd, 1e-6);
		snprintf(name, sizeof(name), "summary %s ci95", c);
		check(name, s.ci95, w->ci95, sum_cases[i].tol_ci);
		snprintf(name, sizeof(name), "summary %s min", c);
		check(name, s.min, w->min, 0);
		snprintf(name, sizeof(name), "summary %s max", c);
		check(name, s.max, w->max, 0);
	}
}

/* --- Mann-Whitney: known values ------------------------------------------ */

static const struct {
	const char *name;
	int na, nb;
	double a[16], b[16];
	double want_u, want_p, tol;
} mw_cases[] = {
	/* exact, no ties: P(U = 0) = 1 / C(6, 3), doubled */
	{ "mw {1,2,3} < {4,5,6}", 3, 3, { 1, 2, 3 }, { 4, 5, 6 }, 0, 0.1, 1e-12 },
	{ "mw {4,5,6} > {1,2,3}", 3, 3, { 4, 5, 6 }, { 1, 2, 3 }, 9, 0.1, 1e-12 },
	{ "mw {1,2,3,4} < {5,6,7,8}", 4, 4, { 1, 2, 3, 4 }, { 5, 6, 7, 8 },
	  0, 2.0 / 70, 1e-12 },
	/* U of 3+3 has counts 1,1,2,3,3,3,3,2,1,1: P(U <= 3) = 7/20 */
	{ "mw {1,3,5} vs {2,4,6}", 3, 3, { 1, 3, 5 }, { 2, 4, 6 }, 3, 0.7, 1e-12 },
	{ "mw {2,4,6} vs {1,3,5}", 3, 3, { 2, 4, 6 }, { 1, 3, 5 }, 6, 0.7, 1e-12 },
	/* U = na nb / 2: p capped at 1 */
	{ "mw {1,4,5,8} vs {2,3,6,7}", 4, 4, { 1, 4, 5, 8 }, { 2, 3, 6, 7 },
	  8, 1, 1e-12 },
	/* U of 4+4 has counts 1,1,2,3,5,5,7,7,8,...: P(U <= 4) = 12/70 */
	{ "mw {1,2,5,6} vs {3,4,7,8}", 4, 4, { 1, 2, 5, 6 }, { 3, 4, 7, 8 },
	  4, 24.0 / 70, 1e-12 },
	{ "mw {1} vs {2}", 1, 1, { 1 }, { 2 }, 0, 1, 1e-12 },
	/*
	 * R's ?wilcox.test (Hollander & Wolfe 1973, p. 69):
	 * wilcox.test(x, y, alternative = "g") gives W = 35, p-value = 0.1272
	 */
	{ "mw Hollander-Wolfe x vs y", 10, 5,
	  { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 },
	  { 1.15, 0.88, 0.90, 0.74, 1.21 }, 35, 2 * 0.1272, 1e-4 },
	{ "mw Hollander-Wolfe y vs x", 5, 10,
	  { 1.15, 0.88, 0.90, 0.74, 1.21 },
	  { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 },
	  15, 2 * 0.1272, 1e-4 },
	/*
	 * Ties, so the normal approximation.  By hand: U = 0 + .5 + .5 + 1.5
	 * = 2.5, mu = 8, tie groups of 3 and 2 give sum t^3 - t = 30,
	 * var = 16/12 * (9 - 30/56) = 11.2857, z = (5.5 - .5) / sqrt(var)
	 * = 1.48835, p = 2 (1 - Phi(z)) = 0.136658 (R: 0.1367).
	 */
	{ "mw ties {1,2,2,3} vs {2,3,4,5}", 4, 4, { 1, 2, 2, 3 }, { 2, 3, 4, 5 },
	  2.5, 0.1366582, 1e-6 },
	/* all tied: no variance, no evidence */
	{ "mw all tied", 2, 3, { 3, 3 }, { 3, 3, 3 }, 3, 1, 0 },
	{ "mw empty a", 0, 3, { 0 }, { 1, 2, 3 }, NAN, NAN, 0 },
	{ "mw empty b", 2, 0, { 1, 2 }, { 0 }, NAN, NAN, 0 },
};

static void test_mw_known(void)
{
	char name[160];
	unsigned int i;
	double u, p;

	for (i = 0; i < ARRAY_SIZE(mw_cases); i++) {
		p = vb_mann_whitney(mw_cases[i].a, mw_cases[i].na,
				    mw_cases[i].b, mw_cases[i].nb, &u);
		snprintf(name, sizeof(name), "%s U", mw_cases[i].name);
		check(name, u, mw_cases[i].want_u, 0);
		snprintf(name, sizeof(name), "%s p", mw_cases[i].name);
		check(name, p, mw_cases[i].want_p, mw_cases[i].tol);
	}
	/* the one-sided p R prints for the documented example */
	p = vb_mann_whitney(mw_cases[8].a, 10, mw_cases[8].b, 5, NULL);
	check("mw Hollander-Wolfe one-sided p = 0.1272 (u NULL)", p / 2, 0.1272, 5e-5);
}

/* --- Mann-Whitney: smallest reachable p ---------------------------------- */

static const struct {
	int na, nb;
	double want;
} min_p_cases[] = {
	{ 3, 3, 0.1 }, { 4, 4, 2.0 / 70 }, { 5, 5, 2.0 / 252 },
	{ 3, 4, 2.0 / 35 }, { 4, 3, 2.0 / 35 }, { 1, 1, 1 }, { 1, 2, 2.0 / 3 },
	{ 2, 2, 2.0 / 6 }, { 15, 15, 2.0 / 155117520 },
	{ 0, 3, NAN }, { 3, 0, NAN },
};

static void test_mw_min_p(void)
{
	double a[15], b[15], u, p;
	char name[64];
	unsigned int i;
	int k;

	for (i = 0; i < ARRAY_SIZE(min_p_cases); i++) {
		snprintf(name, sizeof(name), "mw min_p(%d,%d)",
			 min_p_cases[i].na, min_p_cases[i].nb);
		check_rel(name, vb_mw_min_p(min_p_cases[i].na, min_p_cases[i].nb),
			  min_p_cases[i].want, 1e-12);
	}
	/* complete separation reaches it, up to the largest exact size */
	for (k = 0; k < 15; k++) {
		a[k] = k;
		b[k] = 15 + k;
	}
	check_rel("mw exact 3+3 separated reaches min_p",
		  vb_mann_whitney(a, 3, b, 3, NULL), vb_mw_min_p(3, 3), 1e-12);
	check_rel("mw exact 5+7 separated reaches min_p",
		  vb_mann_whitney(b, 5, a, 7, NULL), vb_mw_min_p(5, 7), 1e-12);
	p = vb_mann_whitney(a, 15, b, 15, &u);
	check("mw exact 15+15 separated U", u, 0, 0);
	check_rel("mw exact 15+15 separated p = 2/C(30,15)", p, 2.0 / 155117520, 1e-12);
}

/* --- Mann-Whitney: exact DP against brute force --------------------------- */

/* U of a against b by its definition */
static double pair_u(const double *a, int na, const double *b, int nb)
{
	double u = 0;
	int i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	return u;
}

/*
 * Two-sided exact p by enumerating all C(na + nb, na) ways to call na of
 * the pooled values "a": 2 * min(#(U' <= U), #(U' >= U)) / C, capped at 1.
 */
static double brute_p(const double *a, int na, const double *b, int nb)
{
	double pool[2 * MAXV], x[MAXV], y[MAXV], u, uu;
	long le = 0, ge = 0, total = 0;
	int n = na + nb, i, nx, ny;
	unsigned long mask;
	double p;

	memcpy(pool, a, na * sizeof(*a));
	memcpy(pool + na, b, nb * sizeof(*b));
	u = pair_u(a, na, b, nb);
	for (mask = 0; mask < 1UL << n; mask++) {
		if (__builtin_popcountl(mask) != na)
			continue;
		for (i = nx = ny = 0; i < n; i++)
			if (mask & 1UL << i)
				x[nx++] = pool[i];
			else
				y[ny++] = pool[i];
		uu = pair_u(x, nx, y, ny);
		total++;
		le += uu <= u;
		ge += uu >= u;
	}
	p = 2.0 * (le < ge ? le : ge) / total;
	return p < 1 ? p : 1;
}

/* the exact test against brute force for @trials samples of na x nb */
static void mw_brute_check(int na, int nb, int trials)
{
	double pool[2 * MAXV], u, p, want, worst = 0;
	char name[96];

	for (int trial = 0; trial < trials; trial++) {
		distinct(pool, na + nb);
		p = vb_mann_whitney(pool, na, pool + na, nb, &u);
		want = brute_p(pool, na, pool + na, nb);
		if (fabs(p - want) > worst)
			worst = fabs(p - want);
		if (u != pair_u(pool, na, pool + na, nb))
			worst = INFINITY;
	}
	snprintf(name, sizeof(name), "mw exact = brute force %dx%d (%d samples, max |dp|)",
		 na, nb, trials);
	check(name, worst, 0, 1e-12);
}

static void test_mw_brute(void)
{
	static const int big[][2] = { { 7, 9 }, { 8, 8 }, { 10, 10 }, { 3, 14 } };

	for (int na = 1; na <= 6; na++)
		for (int nb = 1; nb <= 6; nb++)
			mw_brute_check(na, nb, 8);
	for (int k = 0; k < (int)ARRAY_SIZE(big); k++)
		mw_brute_check(big[k][0], big[k][1], 2);
}

/* --- Mann-Whitney: normal approximation against a second implementation --- */

static double phi(double x)
{
	return exp(-x * x / 2) / sqrt(2 * M_PI);
}

/* 2 (1 - Phi(z)) for z >= 0 as 1 - 2 * integral_0^z phi, composite Simpson */
static double two_tail(double z)
{
	int i, steps = 20000;
	double h = z / steps, s = phi(0) + phi(z);

	for (i = 1; i < steps; i++)
		s += phi(i * h) * (i % 2 ? 4 : 2);
	return 1 - 2 * s * h / 3;
}

/*
 * The normal approximation written out a second way: U by pair counting;
 * sum over tie groups of t^3 - t as the sum over elements of t^2 - 1, with
 * t counted per element; the tail by numeric integration.
 */
static double normal_p(const double *a, int na, const double *b, int nb)
{
	double pool[2 * MAXV], u = pair_u(a, na, b, nb), ties = 0, var, z;
	int n = na + nb, i, j, t;

	memcpy(pool, a, na * sizeof(*a));
	memcpy(pool + na, b, nb * sizeof(*b));
	for (i = 0; i < n; i++) {
		for (j = t = 0; j < n; j++)
			t += pool[j] == pool[i];
		ties += (double)t * t - 1;
	}
	var = na * nb / 12.0 * (n + 1 - ties / (n * (n - 1.0)));
	z = (fabs(u - na * nb / 2.0) - 0.5) / sqrt(var);
	return z > 0 ? two_tail(z) : 1;
}

static void test_mw_normal(void)
{
	static const int sizes[][3] = {
		/* na, nb, distinct values (0: none repeat) */
		{ 4, 5, 3 }, { 8, 9, 4 }, { 12, 15, 6 }, { 20, 25, 10 },
		{ 40, 35, 12 }, { 30, 1, 5 }, { 16, 16, 0 }, { 25, 30, 0 },
	};
	double pool[2 * MAXV], u, p, want;
	int k, i, trial, na, nb, m;
	char name[96];

	for (k = 0; k < (int)ARRAY_SIZE(sizes); k++) {
		na = sizes[k][0];
		nb = sizes[k][1];
		m = sizes[k][2];
		for (trial = 0; trial < 3; trial++) {
			if (m)
				for (i = 0; i < na + nb; i++)
					/* b shifted up by one step now and then */
					pool[i] = rnd(m) + (i >= na && trial == 1 ? 1 : 0);
			else
				distinct(pool, na + nb);
			p = vb_mann_whitney(pool, na, pool + na, nb, &u);
			want = normal_p(pool, na, pool + na, nb);
			snprintf(name, sizeof(name), "mw normal %s %dx%d #%d p",
				 m ? "ties" : "no ties", na, nb, trial);
			check(name, p, want, 1e-7);
			snprintf(name, sizeof(name), "mw normal %s %dx%d #%d U",
				 m ? "ties" : "no ties", na, nb, trial);
			check(name, u, pair_u(pool, na, pool + na, nb), 0);
		}
	}
	/*
	 * 1..16 against 17..32 (no ties, above the exact limit): U = 0,
	 * var = 16 * 16 * 33 / 12 = 704, z = 127.5 / sqrt(704) = 4.80534,
	 * p = 1.54491e-06
	 */
	for (i = 0; i < 32; i++)
		pool[i] = i + 1;
	p = vb_mann_whitney(pool, 16, pool + 16, 16, &u);
	check("mw normal 1..16 vs 17..32 U", u, 0, 0);
	check_rel("mw normal 1..16 vs 17..32 p", p, 1.5449102e-06, 1e-6);
}

/* --- Mann-Whitney: symmetry ---------------------------------------------- */

static void test_mw_symmetry(void)
{
	static const int sizes[][3] = {
		{ 1, 1, 0 }, { 3, 5, 0 }, { 6, 6, 0 }, { 7, 2, 3 }, { 10, 12, 5 },
		{ 15, 15, 0 }, { 20, 11, 0 }, { 33, 40, 7 },
	};
	double pool[2 * MAXV], uab, uba, pab, pba;
	int k, i, na, nb, m;
	char name[96];

	for (k = 0; k < (int)ARRAY_SIZE(sizes); k++) {
		na = sizes[k][0];
		nb = sizes[k][1];
		m = sizes[k][2];
		if (m)
			for (i = 0; i < na + nb; i++)
				pool[i] = rnd(m);
		else
			distinct(pool, na + nb);
		pab = vb_mann_whitney(pool, na, pool + na, nb, &uab);
		pba = vb_mann_whitney(pool + na, nb, pool, na, &uba);
		snprintf(name, sizeof(name), "mw symmetry %dx%d%s p(a,b) = p(b,a)",
			 na, nb, m ? " ties" : "");
		check(name, pab, pba, 1e-12);
		snprintf(name, sizeof(name), "mw symmetry %dx%d%s U(a,b) + U(b,a) = na nb",
			 na, nb, m ? " ties" : "");
		check(name, uab + uba, na * nb, 0);
	}
}

static void test_t_dist(void)
{
	static const struct {
		double t, df, p;
	} cases[] = {
		{ 2, 10, 0.0733880 }, { 1, 3, 0.3910022 }, { 2.5, 2.5, 0.1045700 },
		{ 3.2, 7.5, 0.0137352 }, { 0.5, 40, 0.6198147 }, { 12.7062, 1, 0.0500000 },
		{ 1.96, 1000, 0.0502732 },
	};
	char name[96];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "t p-value t=%g df=%g", cases[i].t, cases[i].df);
		check(name, vb_t_p(cases[i].t, cases[i].df), cases[i].p, 2e-7);
		snprintf(name, sizeof(name), "t p-value symmetric t=-%g df=%g", cases[i].t,
			 cases[i].df);
		check(name, vb_t_p(-cases[i].t, cases[i].df), cases[i].p, 2e-7);
	}
	check("t p-value t=0 is 1", vb_t_p(0, 5), 1, 1e-12);
	check("t p-value df 0 is NAN", vb_t_p(1, 0), NAN, 0);
	/* the quantile inverts the p-value, and agrees with the printed table */
	for (int df = 1; df <= 30; df++) {
		snprintf(name, sizeof(name), "t quantile 0.05 df=%d = table", df);
		check(name, vb_t_quantile(0.05, df), t95_table[df], 6e-5);
	}
	check("t quantile inverts p (alpha 0.01, df 7.5)",
	      vb_t_p(vb_t_quantile(0.01, 7.5), 7.5), 0.01, 1e-9);
	check("t quantile of alpha 1 is NAN", vb_t_quantile(1, 5), NAN, 0);
}

static void test_paired_ratio(void)
{
	const double r[] = { 1.1, 1.2, 1.0 }, same[] = { 1.05, 1.05, 1.05, 1.05 };
	struct vb_ratio q = vb_paired_ratio(r, 3);

	/* by hand: logs 0.09531, 0.18232, 0; t(2) = 4.302653 */
	check("paired ratio n", q.n, 3, 0);
	check("paired ratio geometric mean", q.gmean, 1.096961, 1e-6);
	check("paired ratio CI low", q.lo, 0.874599, 1e-6);
	check("paired ratio CI high", q.hi, 1.375859, 1e-6);
	check("paired ratio half-width", q.hw, 0.254245, 1e-6);
	check("paired ratio sd of logs", q.sdlog, 0.091192, 1e-6);
	q = vb_paired_ratio(r, 1);
	check("paired ratio of one pair: its ratio", q.gmean, 1.1, 1e-12);
	check("paired ratio of one pair: no CI", q.hw, NAN, 0);
	q = vb_paired_ratio(r, 0);
	check("paired ratio of no pairs: NAN", q.gmean, NAN, 0);
	q = vb_paired_ratio(same, 4);
	check("paired ratio without spread: zero width", q.hw, 0, 1e-12);
	check("paired ratio without spread: CI is the ratio", q.lo, 1.05, 1e-12);
	/* 1/r gives 1/gmean and the mirrored interval */
	{
		const double inv[] = { 1 / 1.1, 1 / 1.2, 1 / 1.0 };
		struct vb_ratio a = vb_paired_ratio(r, 3), b = vb_paired_ratio(inv, 3);

		check("paired ratio of inverses: 1/gmean", b.gmean * a.gmean, 1, 1e-12);
		check("paired ratio of inverses: mirrored CI", b.lo * a.hi, 1, 1e-12);
		check("paired ratio of inverses: same half-width", b.hw, a.hw, 1e-12);
	}
}

static void test_welch(void)
{
	const double a[] = { 1.0, 1.2, 0.9, 1.1 }, b[] = { 1.5, 1.3, 1.6, 1.4, 1.45 };
	const double c[] = { 2, 2, 2 }, d[] = { 2, 2 };
	double diff, lo, hi, p;

	/* by hand: diff 0.4, Welch df 6.047244, t 4.898979 */
	p = vb_welch(a, 4, b, 5, 0.05, &diff, &lo, &hi);
	check("welch p", p, 0.0026548, 2e-7);
	check("welch difference b - a", diff, 0.4, 1e-12);
	check("welch CI symmetric", (lo + hi) / 2, 0.4, 1e-12);
	check("welch CI half-width = t(0.05, df) se", (hi - lo) / 2,
	      vb_t_quantile(0.05, 6.047244) * 0.4 / 4.898979, 1e-6);
	p = vb_welch(b, 5, a, 4, 0.05, &diff, &lo, &hi);
	check("welch swapped: same p", p, 0.0026548, 2e-7);
	check("welch swapped: negative difference", diff, -0.4, 1e-12);
	p = vb_welch(a, 1, b, 5, 0.05, &diff, &lo, &hi);
	check("welch with one value: NAN", p, NAN, 0);
	p = vb_welch(c, 3, d, 2, 0.05, &diff, &lo, &hi);
	check("welch without spread, same means: p 1", p, 1, 0);
}

static void test_variation(void)
{
	/* run means 10, 12, 14; within-run sd 1 in every run (k = 3) */
	const double x[] = { 9, 10, 11, 11, 12, 13, 13, 14, 15 };
	const double flat[] = { 5, 5, 5, 5 };
	struct vb_variation v = vb_variation_of(x, 3, 3);

	check("variation runs", v.runs, 3, 0);
	check("variation within (pooled sd / mean)", v.within, 1.0 / 12, 1e-12);
	check("variation between (sd of run means / mean)", v.between, 2.0 / 12, 1e-12);
	check("variation expected from within", v.expected, 1.0 / 12 / sqrt(3), 1e-12);
	check("variation run-to-run part", v.boot,
	      sqrt(4.0 / 144 - 1.0 / 144 / 3), 1e-12);
	v = vb_variation_of(flat, 2, 2);
	check("variation of constant runs: within 0", v.within, 0, 0);
	check("variation of constant runs: run-to-run 0", v.boot, 0, 0);
	v = vb_variation_of(x, 1, 3);
	check("variation of one run: no between", v.between, NAN, 0);
	v = vb_variation_of(x, 9, 1);
	check("variation of one interval per run: no within", v.within, NAN, 0);
}

/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02 */
static void test_holm(void)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, want[] = { 0.03, 0.06, 0.06, 0.02 };
	double q[] = { 0.01, NAN, 0.04 }, big[] = { 0.5, 0.6 }, adj[4];
	char name[64];

	check("holm: family of 4", vb_holm(p, 4, adj), 4, 0);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "holm: p %g -> %g", p[i], want[i]);
		check(name, adj[i], want[i], 1e-12);
	}
	check("holm: NAN is outside the family", vb_holm(q, 3, q), 2, 0);
	check("holm: in place, first of 2", q[0], 0.02, 1e-12);
	check("holm: NAN stays NAN", q[1], NAN, 0);
	check("holm: in place, second of 2", q[2], 0.04, 1e-12);
	vb_holm(big, 2, big);
	check("holm: capped at 1 and monotone", big[0] + big[1], 2, 1e-12);
}

int main(void)
{
	test_median();
	test_t95();
	test_summary();
	test_mw_known();
	test_mw_min_p();
	test_mw_brute();
	test_mw_normal();
	test_mw_symmetry();
	test_t_dist();
	test_paired_ratio();
	test_welch();
	test_holm();
	test_variation();
	printf("vbstat: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
