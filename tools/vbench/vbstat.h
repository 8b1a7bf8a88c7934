/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbstat - the little statistics vbench needs: median, mean with a Student-t
 * 95% confidence interval, and the two-sided Mann-Whitney U test.
 *
 * Benchmark runs in over-committed guests are few (a handful per mode) and
 * far from normally distributed, so vbench reports medians and compares
 * modes with a rank test; the mean and its t interval are kept for the
 * familiar "mean +- ci95" column.  No global state; all functions are
 * reentrant.  Callers pass only valid (non-NAN) values.
 */
#ifndef VBSTAT_H
#define VBSTAT_H

/*
 * Up to this many values in both samples together, vb_mann_whitney() uses
 * the exact distribution of U (when there are no ties).  C(30, 15) is
 * about 1.6e8, far below the 2^53 up to which doubles count exactly.
 */
#define VB_MW_EXACT_MAX 30

/* Summary of a sample; fields NAN where undefined (n == 0, or n < 2 for sd/ci95). */
struct vb_summary {
	int n;
	double median, mean, sd, ci95;	/* ci95: half-width of the Student-t 95% CI of the mean */
	double min, max;
};

/* Paired ratio: geometric mean of n ratios with a 95% t interval on their logs. */
struct vb_ratio {
	int n;
	double gmean, lo, hi;	/* NAN where undefined (n == 0; lo, hi: n < 2) */
	double hw;		/* relative half-width, exp(t sd / sqrt(n)) - 1 */
	double sdlog;		/* sd of the log ratios (n - 1) */
};

/*
 * Within- and between-run variation of runs of K intervals each, as
 * coefficients of variation (fractions of the grand mean).
 */
struct vb_variation {
	int runs, k;
	double within;		/* pooled sd of intervals inside a run / mean */
	double between;		/* sd of the run means / mean */
	double expected;	/* between if only within-run noise: within / sqrt(k) */
	double boot;		/* run-to-run part beyond that: sqrt(between^2 -
				 * expected^2), 0 if none (one-way ANOVA) */
};

/*
 * vb_t_p() - two-sided p-value of Student's t statistic @t with @df
 * (real, > 0) degrees of freedom: P(|T| >= |t|).  NAN for df <= 0.
 */
double vb_t_p(double t, double df);

/*
 * vb_t_quantile() - the t with vb_t_p(t, df) = @alpha (two-sided), for
 * real @df > 0 and 0 < @alpha < 1.
 */
double vb_t_quantile(double alpha, double df);

/*
 * vb_paired_ratio() - geometric mean of the ratios @r[0..@n-1] (each > 0)
 * and the 95% Student-t interval of the mean of their logs, mapped back.
 */
struct vb_ratio vb_paired_ratio(const double *r, int n);

/*
 * vb_holm() - Holm's step-down adjustment of the @n p-values @p into @adj
 * (which may be @p): the family-wise error stays at alpha when every
 * adj[i] <= alpha is called a difference.  NAN entries are left out of the
 * family and stay NAN.  Returns the family size, -1 without memory.
 */
int vb_holm(const double *p, int n, double *adj);

/*
 * vb_welch() - Welch's t test of the means of @a and @b (each n >= 2):
 * returns the two-sided p-value, the difference of the means b - a in
 * *@diff and the (1 - @alpha) interval of it in *@lo, *@hi.  NAN if a
 * sample has fewer than 2 values; p 1 if both have no spread and the
 * same mean.
 */
double vb_welch(const double *a, int na, const double *b, int nb, double alpha,
		double *diff, double *lo, double *hi);

/*
 * vb_variation_of() - @x holds @runs runs of @k intervals each, run after
 * run.  Fields NAN where undefined (within: k < 2; between: runs < 2).
 */
struct vb_variation vb_variation_of(const double *x, int runs, int k);

/*
 * vb_t95() - two-sided 95% Student t quantile for @df degrees of freedom,
 * vb_t_quantile(0.05, @df).  NAN for df < 1.
 */
double vb_t95(int df);

/*
 * vb_median() - median of @x[0..@n-1], the mean of the middle two for even @n;
 * NAN if @n < 1.  @x is not modified.
 */
double vb_median(const double *x, int n);

/* vb_summarize() - n, median, mean, sd (n - 1), ci95, min and max of @x[0..@n-1]. */
struct vb_summary vb_summarize(const double *x, int n);

/*
 * vb_mann_whitney() - two-sided Mann-Whitney U test of samples @a and @b.
 *
 * Returns the p-value and stores U of @a (number of pairs (i, j) with
 * a[i] > b[j], plus 0.5 per tie) in *@u (@u may be NULL).  The exact
 * permutation distribution of U is used when there are no ties and
 * na + nb <= VB_MW_EXACT_MAX; otherwise the normal approximation with tie
 * and continuity correction (as R's wilcox.test(exact = FALSE, correct =
 * TRUE)).  If all values are equal, p is 1.  Returns NAN if na < 1 or
 * nb < 1, or if memory runs out.  p is capped at 1.
 */
double vb_mann_whitney(const double *a, int na, const double *b, int nb, double *u);

/*
 * vb_mw_min_p() - the smallest two-sided p-value the exact test can reach
 * with these sizes, 2 / C(na + nb, na), capped at 1; NAN if na < 1 or nb < 1.
 */
double vb_mw_min_p(int na, int nb);

#endif /* VBSTAT_H */
