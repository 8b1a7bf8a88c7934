/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbres.h - vbench results: what one run is, how its level-2 console block
 * becomes a record, how records are stored (JSON Lines) and read back, and
 * which planned runs a results file already settles (resume).
 *
 * A run is one workload in one lock mode at one point (vCPUs per guest,
 * guests at once, level-2 vCPUs, workload size) and one repetition.  Its
 * identity is struct vb_runid; every attempt at it is one record.  A run is
 * settled when a record says "ok" or "failed" (the workload itself failed:
 * a lock bug is not retried away), or when it has used all its attempts on
 * testbed failures ("crashed", "timeout", "l2-crashed", "bad-output").
 *
 * The schema of a record is Documentation/virt/oticket/vbench.rst.
 */
#ifndef VB_RES_H
#define VB_RES_H

#include <stdio.h>

#define VB_SCHEMA	2	/* schema 1 records (no intervals) are read too */
#define VB_MAX_VMS	8
#define VB_MAX_METRICS	192	/* sim records carry every parameter */
#define VB_MAX_IV	32	/* measured intervals of one run */

/*
 * intervals: measured intervals per guest boot (locktorture stat_interval
 * periods, builds, perf runs), after @warmup dropped ones.  Records of
 * schema 1 measured one interval without warm-up: intervals 1, warmup 0.
 */
struct vb_runid {
	char workload[24];
	char mode[32];
	int vcpus, vms, l2_vcpus, size, intervals, warmup, rep;
};

struct vb_metric {
	char name[48];
	double v;
};

struct vb_rec {
	struct vb_runid id;
	int host;			/* kvm_oticket loaded for the run */
	int attempt;			/* 1, 2, ... */
	char status[16];		/* ok failed crashed timeout l2-crashed bad-output */
	char why[200];
	char unit[16];
	double value;			/* sum over guests; NAN unless ok */
	int nvm;
	double vm_value[VB_MAX_VMS];	/* per guest */
	/* max/min per writer or guest; NAN if none, +inf if one did nothing */
	double fairness;
	double steal_pct;		/* guest steal time, % of guest CPU time */
	int niv;
	double iv[VB_MAX_IV];		/* value of each measured interval, summed
					 * over guests; none in schema 1 */
	int nmetrics;
	struct vb_metric m[VB_MAX_METRICS];
	/* provenance */
	char kernel[64], base[128], git[48], testbed[24], time[24];
	char l1_host[64];		/* the machine that ran level 2 */
	int boot;
	int pinned;			/* level 2's vCPU threads were pinned */
	double l1_load;			/* level 1's 1-minute load average at the end */
	double secs;			/* wall time of the attempt */
};

struct vb_workload {
	const char *name;
	const char *unit;
	int size;		/* default VB_SIZE */
	int size_max;
	int disk;		/* needs the workload disk */
	const char *size_means;
	int sim_size;		/* default size on the sim testbed, 0: not there */
	int sim_only;
};

extern const struct vb_workload vb_workloads[];
extern const int vb_nworkloads;
const struct vb_workload *vb_workload(const char *name);

/* "gmake/oticket+host/v4/m1/l2-2/s16/i5w1/r0" */
void vb_run_key(const struct vb_runid *id, char *buf, size_t len);
int vb_same_run(const struct vb_runid *a, const struct vb_runid *b);
/* the same point: a and b differ at most in mode and repetition */
int vb_same_point(const struct vb_runid *a, const struct vb_runid *b);
/* a status that allows another attempt */
int vb_retryable(const char *status);
/* does an attempt (the @attempt-th) with @status settle its run? */
int vb_attempt_settles(const char *status, int attempt, int max_attempts);

/*
 * Fill @r (identity and provenance already set) from the console block of
 * one attempt: from "@@RUN ..." up to, not including, "@@RUNRC".  @expect is
 * the dmesg line that proves the lock mode.  Never leaves a number in a
 * record whose status is not "ok".
 */
void vb_parse_block(const char *block, const char *expect, struct vb_rec *r);

double vb_metric_get(const struct vb_rec *r, const char *name);
void vb_metric_add(struct vb_rec *r, const char *name, double v);

/* JSON Lines */
int vb_rec_write(FILE *f, const struct vb_rec *r);
/* 0 on success; -1 with @err filled for a malformed line */
int vb_rec_parse(const char *line, struct vb_rec *r, char *err, size_t errlen);
/*
 * Read every record of @path into a malloc'd array (*n of them).  Malformed
 * lines are reported on stderr with their line number and skipped; *bad
 * counts them.  A missing file is no records.  NULL with *n = -1 on error.
 */
struct vb_rec *vb_load(const char *path, int *n, int *bad);

/*
 * Resume: the state of planned run @id in @recs.  Returns 1 if settled;
 * *attempts gets the number of attempts recorded.
 */
int vb_run_settled(const struct vb_rec *recs, int n, const struct vb_runid *id,
		   int max_attempts, int *attempts);

#endif
