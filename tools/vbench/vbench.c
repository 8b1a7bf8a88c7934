// SPDX-License-Identifier: GPL-2.0
/*
 * vbench - scalability sweeps of spinlock algorithms in over-committed KVM
 * guests, after MOSBENCH and sslab's vbench.
 *
 *   vbench run     one point: a workload in one lock mode, N vCPUs per
 *                  guest, M guests at once, one repetition
 *   vbench sweep   a matrix of points from flags or a config file
 *   vbench report  DIR: table (median, 95% CI, ratio to the baseline mode,
 *                  fairness, per-guest share), CSV, gnuplot PNG plots
 *   vbench compare DIR_A DIR_B: Mann-Whitney U per point; exit 1 if B is
 *                  slower than A anywhere
 *
 * How a sweep runs.  The runs of the matrix are planned in a fixed order
 * (repetition, workload, point, then the modes rotated by repetition, so
 * that drift hits every mode alike) and run inside as few level-2 boots as
 * possible: one boot runs every run still to do.  vbench watches the
 * level-2 console while it runs and appends a JSON Lines record to
 * DIR/results.jsonl as each run ends, so an interrupted sweep loses at most
 * the run in progress.  A run is retried, in a later boot, while its
 * failure is the testbed's (the guest crashed or hung, level 2 died, the
 * console was cut) and it has attempts left; a workload that reports an
 * error is recorded as failed and not retried.  Running "sweep" again on
 * the same DIR skips what is settled (resume).  Every attempt is a record;
 * nothing is dropped.
 *
 * Only ratios between modes measured in the same sweep mean anything on
 * the emulated testbed; the report says which boot each run came from.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../testbed/tb.h"
#include "vbres.h"
#include "vbstat.h"

/*
 * Lock modes.  A new mode is a new line here: its level-3 command line,
 * CPU flags, and the dmesg line that proves it runs.
 */
struct mode {
	const char *name;
	const char *cpu_flags;	/* on top of testbed's level-3 CPU (TB_L3_CPU) */
	const char *append;	/* level-3 kernel command line */
	const char *expect;	/* dmesg proof that the mode is active */
	int host;		/* kvm_oticket loaded in level 2 for the run */
	int dflt;		/* in the default selection */
};

static const struct mode modes[] = {
	{ "pvqspinlock", "", "", "pvlock: using pvqspinlock", 0, 1 },
	{ "qspinlock", "", "nopvspin",
	  "PV spinlocks disabled, forced by \"nopvspin\" parameter", 0, 1 },
	{ "tas", "kvm-pv-unhalt=off", "",
	  "PV spinlocks disabled, no host support", 0, 1 },
	{ "pvticket", "", "pvlock=pvticket", "pvlock: using pvticket", 0, 1 },
	{ "oticket", "", "pvlock=oticket", "pvlock: using oticket (no host hook", 0, 1 },
	{ "oqspin", "", "pvlock=oqspin", "pvlock: using oqspin (no host hook", 0, 1 },
	{ "pvqspinlock+host", "", "", "pvlock: using pvqspinlock", 1 },
	{ "oticket+host", "", "pvlock=oticket", "pvlock: using oticket (host hook", 1 },
	{ "oqspin+host", "", "pvlock=oqspin", "pvlock: using oqspin (host hook", 1 },
};
#define NMODES (int)(sizeof(modes) / sizeof(modes[0]))

/* KVM statistics sampled in level 2 while the guests run (debugfs) */
static const char *const kvm_stats =
	"exits halt_exits halt_wakeup halt_successful_poll halt_attempted_poll "
	"directed_yield_attempted directed_yield_successful pf_taken "
	"preemption_reported preemption_other";

#define MAX_LIST	8
#define MAX_REPS	50
#define MAX_MODES	12

/*
 * A mode of a sweep: a lock mode, possibly with a tag ("pvqspinlock.b"):
 * the same mode run again as if it were another, for A/A checks of the
 * instrument (its ratio to the untagged mode must come out as 1).
 */
struct cmode {
	const struct mode *m;
	char name[32];
	char append[400];	/* level-3 command line: the mode's, the tag's */
};

/* --tag TAG=ARGS: mode "MODE.TAG" boots level 3 with ARGS appended */
struct tag {
	char name[16];
	char args[300];
};

struct cfg {
	struct cmode mode[MAX_MODES];
	int nmode;
	int wl[8], nwl;
	int vcpus[MAX_LIST], nvcpus;
	int vms[MAX_LIST], nvms;
	int size[8];		/* per workload, 0: default */
	int reps, rep0, l2_vcpus, retries;
	int intervals, warmup;	/* measured and warm-up intervals per run, -1: default */
	double precision;	/* 0, or keep adding repetitions until every
				 * ratio's CI half-width is <= this */
	int max_reps;		/* ... but not beyond this many */
	int max_minutes;	/* ... nor start one after this long; 0: no limit */
	int shard, nshards;	/* run slice shard of nshards (1-based); 0/0: all */
	int pin;		/* pin level 2's vCPU threads to CPUs of level 1 */
	int nice;		/* level 2's nice value on level 1 (-20..19) */
	double l1_quiet;	/* pair only runs with level 1 at most this busy */
	char baseline[32];
	/* testbed = sim: otsim runs the points (tools/sim/, sim.rst) */
	int sim, jobs;
	char profile[16];
	char sim_set[32][64];
	int nsim_set;
	struct tag tag[8];
	int ntag;
};

/* "pvqspinlock.b" is pvqspinlock */
static const struct mode *find_mode(const char *name)
{
	size_t len = strcspn(name, ".");

	if (name[len] && (!name[len + 1] ||
			  strspn(name + len + 1, "abcdefghijklmnopqrstuvwxyz0123456789") !=
			  strlen(name + len + 1)))
		return NULL;
	for (int m = 0; m < NMODES; m++)
		if (strlen(modes[m].name) == len && !strncmp(modes[m].name, name, len))
			return &modes[m];
	return NULL;
}

static const char *baseline_of(const struct cfg *c)
{
	return c->baseline[0] ? c->baseline : "pvqspinlock";
}

static void usage(void)
{
	fprintf(stderr,
"usage: vbench sweep [--modes a,b] [--workloads w,...] [--vcpus 2,4,8]\n"
"                    [--vms 1,2,4] [--reps 3] [--l2-vcpus 2] [--size WL=N]...\n"
"                    [--intervals 5] [--warmup 1] [--precision P]\n"
"                    [--max-reps N] [--max-minutes M] [--pin 0|1]\n"
"                    [--l2-nice N] [--l1-quiet CPUS] [--baseline MODE]\n"
"                    [--retries 2] [--shard K/N] [--tag TAG=ARGS]...\n"
"                    [--config FILE] [--out DIR]\n"
"                    [--testbed sim [--jobs 2] [--profile hw|testbed]\n"
"                     [--sim name=value]...]\n"
"       vbench plan  [the options of sweep]: the runs, one per line\n"
"       vbench run   --mode M [--host] --workload W [--vcpus N] [--vms N]\n"
"                    [--l2-vcpus N] [--size N] [--intervals N] [--warmup N]\n"
"                    [--rep R] [--out DIR]\n"
"                    [--testbed sim [--profile P] [--sim name=value]...]\n"
"       vbench report [--baseline MODE] DIR\n"
"       vbench compare [--alpha 0.05] [--threshold 0.02] [--baseline MODE]\n"
"                    DIR_A DIR_B\n"
"       vbench merge [--force] OUT DIR...\n"
"A sweep given only --out DIR resumes DIR with the configuration it was\n"
"started with (DIR/sweep.conf).  A config file holds the same options as\n"
"\"name = value\" lines (modes = pvqspinlock,oticket).\n"
"--tag TAG=ARGS: mode MODE.TAG boots level 3 with ARGS appended (tunables:\n"
"oticket.oc_spin_ns=200000); without a --tag, MODE.TAG is MODE again.\n"
"modes (\"+host\": kvm_oticket loaded in level 2; \"MODE.tag\": MODE again,\n"
"for A/A checks):");
	for (int i = 0; i < NMODES; i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\nworkloads (size means):");
	for (int i = 0; i < vb_nworkloads; i++)
		fprintf(stderr, " %s (%s, default %d)", vb_workloads[i].name,
			vb_workloads[i].size_means, vb_workloads[i].size);
	fprintf(stderr, "\n");
	exit(2);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s: '%s' is not a number in [%ld, %ld]", opt, s, lo, hi);
	return v;
}

/* a comma list of numbers, each once */
static void num_list(const char *opt, const char *s, int *out, int *n, int lo, int hi)
{
	char *dup = strdup(s), *save, *tok;

	*n = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v = parse_num(opt, tok, lo, hi);

		for (int i = 0; i < *n; i++)
			if (out[i] == v)
				die("%s: %d given twice", opt, v);
		if (*n == MAX_LIST)
			die("%s: at most %d values", opt, MAX_LIST);
		out[(*n)++] = v;
	}
	if (!*n)
		die("%s: empty list", opt);
	free(dup);
}

/* a comma list of names from a table, each once */
static void name_list(const char *opt, const char *s, int *out, int *n, int max,
		      int (*lookup)(const char *))
{
	char *dup = strdup(s), *save, *tok;

	*n = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v = lookup(tok);

		if (v < 0)
			die("%s: unknown name '%s' (vbench --help lists them)", opt, tok);
		for (int i = 0; i < *n; i++)
			if (out[i] == v)
				die("%s: '%s' given twice", opt, tok);
		if (*n == max)
			die("%s: too many names", opt);
		out[(*n)++] = v;
	}
	if (!*n)
		die("%s: empty list", opt);
	free(dup);
}

static int wl_index(const char *name)
{
	const struct vb_workload *w = vb_workload(name);

	return w ? (int)(w - vb_workloads) : -1;
}

/* a comma list of modes, each once */
static void mode_list(struct cfg *c, const char *s)
{
	char *dup = strdup(s), *save, *tok;

	c->nmode = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct mode *m = find_mode(tok);

		if (!m || strlen(tok) >= sizeof(c->mode[0].name))
			die("--modes: unknown mode '%s' (vbench --help lists them)", tok);
		for (int i = 0; i < c->nmode; i++)
			if (!strcmp(c->mode[i].name, tok))
				die("--modes: '%s' given twice", tok);
		if (c->nmode == MAX_MODES)
			die("--modes: at most %d", MAX_MODES);
		c->mode[c->nmode].m = m;
		snprintf(c->mode[c->nmode++].name, sizeof(c->mode[0].name), "%s", tok);
	}
	if (!c->nmode)
		die("--modes: empty list");
	free(dup);
}

static double parse_real(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		die("%s: '%s' is not a number in [%g, %g]", opt, s, lo, hi);
	return v;
}

/* one option of a sweep, from the command line or a config file */
static void cfg_set(struct cfg *c, const char *opt, const char *val)
{
	if (!strcmp(opt, "modes")) {
		mode_list(c, val);
	} else if (!strcmp(opt, "workloads")) {
		name_list("--workloads", val, c->wl, &c->nwl, 8, wl_index);
	} else if (!strcmp(opt, "vcpus")) {
		num_list("--vcpus", val, c->vcpus, &c->nvcpus, 1, 512);
	} else if (!strcmp(opt, "vms")) {
		num_list("--vms", val, c->vms, &c->nvms, 1, VB_MAX_VMS);
	} else if (!strcmp(opt, "reps")) {
		c->reps = parse_num("--reps", val, 1, MAX_REPS);
	} else if (!strcmp(opt, "l2-vcpus")) {
		c->l2_vcpus = parse_num("--l2-vcpus", val, 1, 512);
	} else if (!strcmp(opt, "retries")) {
		c->retries = parse_num("--retries", val, 0, 5);
	} else if (!strcmp(opt, "baseline")) {
		if (!find_mode(val) || strlen(val) >= sizeof(c->baseline))
			die("--baseline: unknown mode '%s'", val);
		snprintf(c->baseline, sizeof(c->baseline), "%s", val);
	} else if (!strcmp(opt, "testbed")) {
		if (strcmp(val, "sim") && strcmp(val, "emulated"))
			die("--testbed: 'sim' or 'emulated' (the default), not '%s'", val);
		c->sim = !strcmp(val, "sim");
	} else if (!strcmp(opt, "jobs")) {
		c->jobs = parse_num("--jobs", val, 1, 64);
	} else if (!strcmp(opt, "profile")) {
		if (strcmp(val, "hw") && strcmp(val, "testbed"))
			die("--profile: 'hw' or 'testbed', not '%s'", val);
		snprintf(c->profile, sizeof(c->profile), "%s", val);
	} else if (!strcmp(opt, "sim")) {
		if (!strchr(val, '=') || strlen(val) >= sizeof(c->sim_set[0]))
			die("--sim: 'name=value' (otsim --params lists them), not '%s'", val);
		if (c->nsim_set == (int)(sizeof(c->sim_set) / sizeof(c->sim_set[0])))
			die("--sim: too many");
		snprintf(c->sim_set[c->nsim_set++], sizeof(c->sim_set[0]), "%s", val);
	} else if (!strcmp(opt, "tag")) {
		const char *eq = strchr(val, '=');
		struct tag *t = &c->tag[c->ntag];
		size_t n = eq ? (size_t)(eq - val) : 0;

		if (!n || n >= sizeof(t->name) || strlen(eq + 1) >= sizeof(t->args) ||
		    !eq[1] || strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789") != n ||
		    strspn(eq + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789._=,:/ -") != strlen(eq + 1))
			die("--tag: 'TAG=ARGS' (TAG of a-z0-9, ARGS level-3 kernel parameters "
			    "without quotes), not '%s'", val);
		for (int i = 0; i < c->ntag; i++)
			if (strlen(c->tag[i].name) == n && !strncmp(c->tag[i].name, val, n))
				die("--tag: '%.*s' given twice", (int)n, val);
		if (c->ntag == (int)(sizeof(c->tag) / sizeof(c->tag[0])))
			die("--tag: too many");
		snprintf(t->name, sizeof(t->name), "%.*s", (int)n, val);
		snprintf(t->args, sizeof(t->args), "%s", eq + 1);
		c->ntag++;
	} else if (!strcmp(opt, "intervals")) {
		c->intervals = parse_num("--intervals", val, 1, VB_MAX_IV);
	} else if (!strcmp(opt, "warmup")) {
		c->warmup = parse_num("--warmup", val, 0, 10);
	} else if (!strcmp(opt, "precision")) {
		c->precision = parse_real("--precision", val, 0.001, 1);
	} else if (!strcmp(opt, "max-reps")) {
		c->max_reps = parse_num("--max-reps", val, 2, MAX_REPS);
	} else if (!strcmp(opt, "max-minutes")) {
		c->max_minutes = parse_num("--max-minutes", val, 1, 100000);
	} else if (!strcmp(opt, "l1-quiet")) {
		c->l1_quiet = parse_real("--l1-quiet", val, 0.01, 1024);
	} else if (!strcmp(opt, "l2-nice")) {
		c->nice = parse_num("--l2-nice", val, -20, 19);
	} else if (!strcmp(opt, "pin")) {
		c->pin = parse_num("--pin", val, 0, 1);
	} else if (!strcmp(opt, "shard")) {
		char *end;

		c->shard = strtol(val, &end, 10);
		c->nshards = *end == '/' ? strtol(end + 1, &end, 10) : 0;
		if (*end || c->nshards < 1 || c->nshards > 1000 || c->shard < 1 ||
		    c->shard > c->nshards)
			die("--shard: '%s' is not K/N with 1 <= K <= N <= 1000", val);
	} else if (!strcmp(opt, "size")) {
		/* WL=N, or N for every workload */
		const char *eq = strchr(val, '=');
		char name[32];
		int w;

		if (!eq) {
			for (w = 0; w < vb_nworkloads; w++)
				c->size[w] = parse_num("--size", val, 1, vb_workloads[w].size_max);
			return;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - val), val);
		w = wl_index(name);
		if (w < 0)
			die("--size: unknown workload '%s'", name);
		c->size[w] = parse_num("--size", eq + 1, 1, vb_workloads[w].size_max);
	} else {
		die("unknown option '%s'", opt);
	}
}

static void cfg_file(struct cfg *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char key[32], val[400];

		n++;
		line[strcspn(line, "#\n")] = 0;
		if (strspn(line, " \t") == strlen(line))
			continue;
		if (sscanf(line, " %31[a-z0-9-] = %399[^\n]", key, val) != 2)
			die("%s:%d: not \"name = value\"", path, n);
		val[strcspn(val, "\t")] = 0;
		for (size_t e = strlen(val); e && val[e - 1] == ' '; e--)
			val[e - 1] = 0;
		cfg_set(c, key, val);
	}
	fclose(f);
}

static void cfg_defaults(struct cfg *c)
{
	if (!c->nmode)
		for (int m = 0; m < NMODES; m++)
			if (modes[m].dflt) {
				c->mode[c->nmode].m = &modes[m];
				snprintf(c->mode[c->nmode++].name, sizeof(c->mode[0].name),
					 "%s", modes[m].name);
			}
	if (!c->nwl)
		c->wl[c->nwl++] = wl_index("locktorture");
	if (!c->nvcpus) {
		c->vcpus[0] = 2, c->vcpus[1] = 4, c->vcpus[2] = 8;
		c->nvcpus = 3;
	}
	if (!c->nvms)
		c->vms[c->nvms++] = 1;
	if (!c->reps)
		c->reps = 3;
	if (!c->l2_vcpus)
		c->l2_vcpus = 2;
	if (c->retries < 0)
		c->retries = 2;
	if (c->intervals < 0)
		c->intervals = 5;
	if (c->warmup < 0)
		c->warmup = 1;
	if (c->precision <= 0 && c->max_reps)
		die("--max-reps bounds --precision's repetitions: give --precision too");
	if (c->precision <= 0)
		c->max_reps = c->reps;
	else if (!c->max_reps)
		c->max_reps = 3 * c->reps < MAX_REPS ? 3 * c->reps : MAX_REPS;
	else if (c->max_reps < c->reps)
		die("--max-reps %d is below --reps %d", c->max_reps, c->reps);
	if (c->precision > 0 && c->max_reps < 3)
		die("--precision needs 3 pairs per point: --max-reps 3 at least");
	for (int w = 0; w < vb_nworkloads; w++)
		if (!c->size[w])
			c->size[w] = c->sim ? vb_workloads[w].sim_size : vb_workloads[w].size;
	if (!c->jobs)
		c->jobs = 2;
	if (!c->profile[0])
		snprintf(c->profile, sizeof(c->profile), "hw");
	for (int i = 0; i < c->nwl; i++)
		if (c->sim ? !vb_workloads[c->wl[i]].sim_size : vb_workloads[c->wl[i]].sim_only)
			die("workload %s does not run on the %s testbed",
			    vb_workloads[c->wl[i]].name, c->sim ? "sim" : "emulated");
	for (int i = 0; !c->sim && i < c->nvcpus; i++)
		if (c->vcpus[i] > 64 || c->l2_vcpus > 256)
			die("at most 64 vCPUs per guest and 256 level-2 vCPUs, except with testbed = sim");
	if (!c->sim && c->nsim_set)
		die("sim = ... needs testbed = sim");
	for (int t = 0; t < c->ntag; t++) {
		int used = 0;

		for (int m = 0; m < c->nmode; m++) {
			const char *dot = strchr(c->mode[m].name, '.');

			used |= dot && !strcmp(dot + 1, c->tag[t].name);
		}
		if (!used)
			die("--tag %s: no mode MODE.%s in --modes", c->tag[t].name,
			    c->tag[t].name);
	}
	for (int m = 0; m < c->nmode; m++) {
		struct cmode *cm = &c->mode[m];
		const char *dot = strchr(cm->name, '.'), *args = "";

		for (int t = 0; dot && t < c->ntag; t++)
			if (!strcmp(dot + 1, c->tag[t].name))
				args = c->tag[t].args;
		snprintf(cm->append, sizeof(cm->append), "%s%s%s", cm->m->append,
			 *cm->m->append && *args ? " " : "", args);
	}
	if (c->precision > 0) {
		int b = -1;

		for (int m = 0; m < c->nmode; m++)
			if (!strcmp(c->mode[m].name, baseline_of(c)))
				b = m;
		if (b < 0 || c->nmode < 2)
			die("--precision: the ratios are to %s: give it and another mode in "
			    "--modes", baseline_of(c));
	}
}

static void cfg_save(const struct cfg *c, const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# vbench sweep configuration; \"vbench sweep --out DIR\" resumes it\nmodes = ");
	for (i = 0; i < c->nmode; i++)
		fprintf(f, "%s%s", i ? "," : "", c->mode[i].name);
	fprintf(f, "\nworkloads = ");
	for (i = 0; i < c->nwl; i++)
		fprintf(f, "%s%s", i ? "," : "", vb_workloads[c->wl[i]].name);
	fprintf(f, "\nvcpus = ");
	for (i = 0; i < c->nvcpus; i++)
		fprintf(f, "%s%d", i ? "," : "", c->vcpus[i]);
	fprintf(f, "\nvms = ");
	for (i = 0; i < c->nvms; i++)
		fprintf(f, "%s%d", i ? "," : "", c->vms[i]);
	fprintf(f, "\nreps = %d\nl2-vcpus = %d\nretries = %d\nintervals = %d\nwarmup = %d\n"
		"pin = %d\nl2-nice = %d\n", c->reps, c->l2_vcpus, c->retries, c->intervals,
		c->warmup, c->pin, c->nice);
	if (c->precision > 0)
		fprintf(f, "precision = %g\nmax-reps = %d\n", c->precision, c->max_reps);
	if (c->max_minutes)
		fprintf(f, "max-minutes = %d\n", c->max_minutes);
	if (c->l1_quiet > 0)
		fprintf(f, "l1-quiet = %g\n", c->l1_quiet);
	if (c->nshards)
		fprintf(f, "shard = %d/%d\n", c->shard, c->nshards);
	for (i = 0; i < c->nwl; i++)
		fprintf(f, "size = %s=%d\n", vb_workloads[c->wl[i]].name, c->size[c->wl[i]]);
	if (c->baseline[0])
		fprintf(f, "baseline = %s\n", c->baseline);
	if (c->sim)
		fprintf(f, "testbed = sim\njobs = %d\nprofile = %s\n", c->jobs, c->profile);
	for (i = 0; i < c->nsim_set; i++)
		fprintf(f, "sim = %s\n", c->sim_set[i]);
	for (i = 0; i < c->ntag; i++)
		fprintf(f, "tag = %s=%s\n", c->tag[i].name, c->tag[i].args);
	if (fclose(f))
		die("cannot write %s", path);
}

/* ------------------------------------------------------------------------
 * The plan and the level-2 script
 */
struct plan {
	struct vb_runid id;
	const struct mode *mode;
	const char *append;	/* its level-3 command line */
	int group;		/* runs of one repetition of one point: paired */
	int optional;		/* a repetition beyond reps: run while --precision
				 * is not reached at its point */
	int attempts;		/* recorded so far */
	int settled;
	int limit;		/* attempts it may have recorded in all */
	int rejoined;		/* the boot it runs again in (rejoin_groups) */
	int reruns;		/* times it ran again so */
};

static struct plan *plan;
static int nplan;

/*
 * Every run of the sweep, in the order they run: repetition, workload,
 * point, then the modes rotated by one per repetition.  With --precision,
 * repetitions up to max-reps are planned, those beyond reps optional.
 * A shard keeps every nshards-th group (one repetition of one point, all
 * its modes: the runs that are paired stay on one host).
 */
static void make_plan(const struct cfg *c)
{
	int g = 0;

	nplan = 0;
	plan = calloc((size_t)c->max_reps * c->nwl * c->nvcpus * c->nvms * c->nmode,
		      sizeof(*plan));
	if (!plan)
		die("out of memory");
	for (int r = c->rep0; r < c->rep0 + c->max_reps; r++)
		for (int w = 0; w < c->nwl; w++)
			for (int v = 0; v < c->nvcpus; v++)
				for (int vm = 0; vm < c->nvms; vm++, g++) {
					if (c->nshards && g % c->nshards != c->shard - 1)
						continue;
					for (int k = 0; k < c->nmode; k++) {
						const struct cmode *m =
							&c->mode[(k + r) % c->nmode];
						struct plan *p = &plan[nplan++];

						snprintf(p->id.workload, sizeof(p->id.workload),
							 "%s", vb_workloads[c->wl[w]].name);
						snprintf(p->id.mode, sizeof(p->id.mode), "%s",
							 m->name);
						p->id.vcpus = c->vcpus[v];
						p->id.vms = c->vms[vm];
						p->id.l2_vcpus = c->l2_vcpus;
						p->id.size = c->size[c->wl[w]];
						p->id.intervals = c->intervals;
						p->id.warmup = c->warmup;
						p->id.rep = r;
						p->mode = m->m;
						p->append = m->append;
						p->group = g;
						p->optional = r >= c->rep0 + c->reps;
					}
				}
}

static int guest_mem(const struct vb_runid *id)
{
	if (!strcmp(id->workload, "gmake"))
		return 384 + 48 * 2 * id->vcpus;	/* make -j(2 x vCPUs) */
	if (vb_workload(id->workload)->disk)
		return 384 + 32 * id->vcpus;
	return 256 + 32 * id->vcpus;
}

/*
 * Seconds one attempt may take, generous: the testbed's own deadlines and
 * its silence watchdog catch a guest that hangs.
 */
static int run_budget(const struct vb_runid *id)
{
	int work = !strcmp(id->workload, "gmake") ? 20 * id->size :
		   !strcmp(id->workload, "perf-messaging") ? 2 * id->size : id->size;

	work *= id->intervals + id->warmup;
	return 240 + 90 * id->vms + 2 * work * id->vcpus * id->vms / id->l2_vcpus;
}

static const char *vm_name(const char *mode, int idx, int g)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "vb%d-%.12s-g%d", idx, mode, g);
	for (char *p = buf; *p; p++)
		if (*p == '+')
			*p = '_';
	return buf;
}

/* the level-2 job for the runs @todo[0..n) */
static int write_script(const char *path, int *todo, int n, int *mem, int *budget)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	*mem = 0;
	*budget = 60;
	fprintf(f, "# generated by vbench\n"
		"kot=/sys/kernel/debug/kvm_oticket\n"
		"kvmst_pid=\n"
		"# the KVM counters of every VM, sampled each second: a VM's go\n"
		"# away with it\n"
		"kvmst_start() {\n"
		"\trm -f /tmp/kvmst.*\n"
		"\t(while :; do\n"
		"\t\tfor d in /sys/kernel/debug/kvm/*-*; do\n"
		"\t\t\t[ -d \"$d\" ] || continue\n"
		"\t\t\ts=\n"
		"\t\t\tfor k in %s; do\n"
		"\t\t\t\tread -r v <\"$d/$k\" 2>/dev/null && s=\"$s $k=$v\"\n"
		"\t\t\tdone\n"
		"\t\t\techo \"$s\" >\"/tmp/kvmst.${d##*/}\"\n"
		"\t\tdone\n"
		"\t\tsleep 1\n"
		"\tdone) &\n"
		"\tkvmst_pid=$!\n"
		"}\n"
		"kvmst_stop() {\n"
		"\tkill $kvmst_pid; wait $kvmst_pid 2>/dev/null\n"
		"\tfor f in /tmp/kvmst.*; do [ -f \"$f\" ] && echo \"otb: kvm:$(cat \"$f\")\"; done\n"
		"}\n"
		"up() { cut -d' ' -f1 /proc/uptime; }\n", kvm_stats);
	for (int i = 0; i < n; i++) {
		const struct plan *p = &plan[todo[i]];
		const struct vb_workload *w = vb_workload(p->id.workload);
		int m = guest_mem(&p->id) * p->id.vms;

		if (m > *mem)
			*mem = m;
		/* a failed guest is tried again at once, so pairs stay in one boot */
		*budget += run_budget(&p->id) * (p->limit - p->attempts);
		fprintf(f, "a=%d\nwhile :; do\necho \"@@RUN %d $a $(up)\"\n", p->attempts + 1,
			todo[i]);
		if (p->mode->host)
			fprintf(f, "modprobe kvm_oticket && echo 1 > $kot/reset || "
				"echo 'otb: modprobe kvm_oticket failed'\n");
		fprintf(f, "kvmst_start\ntestbed guest --retries 0 --timeout %d",
			run_budget(&p->id));
		for (int g = 0; g < p->id.vms; g++) {
			fprintf(f, " \\\n  --vm %s --vcpus %d --mem %d %s%s --append '%s'"
				" --env VB_WL=%s --env VB_SIZE=%d --env VB_IV=%d --env VB_WARM=%d",
				vm_name(p->mode->name, todo[i], g), p->id.vcpus,
				guest_mem(&p->id), *p->mode->cpu_flags ? "--cpu-flags " : "",
				p->mode->cpu_flags, p->append, w->name, p->id.size,
				p->id.intervals, p->id.warmup);
			if (w->disk)
				fprintf(f, " --qemu-arg -drive --qemu-arg "
					"file=$OTB_DISK,if=virtio,format=raw,readonly=on,"
					"file.locking=off");
			fprintf(f, " --script \"$OTB_LIB\"/l3-vbench.sh");
		}
		fprintf(f, "\nrc=$?\nkvmst_stop\n");
		if (p->mode->host)
			fprintf(f, "sed -n 's/^total /otb: kot: /p' $kot/stats\n"
				"rmmod kvm_oticket || echo 'otb: rmmod kvm_oticket failed'\n");
		fprintf(f, "echo \"@@RUNRC $rc $(up)\"\n"
			"# a stuck guest leaves this level 2 unfit: end the boot\n"
			"[ $rc = 4 ] && exit 4\n"
			"# 3: a guest failed (the testbed's failure, not the workload's)\n"
			"[ $rc = 3 ] && [ $a -lt %d ] || break\n"
			"a=$((a + 1))\ndone\n", p->limit);
	}
	fprintf(f, "exit 0\n");
	return fclose(f) ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * Provenance
 */
static char git_rev[48], base_tree[128];

static void provenance(const char *top, const char *build)
{
	char cmd[1200], *s;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --short=12 HEAD 2>/dev/null && "
		 "git -C '%s' status --porcelain --untracked-files=no 2>/dev/null | "
		 "grep -q . && echo dirty", top, top);
	p = popen(cmd, "r");
	snprintf(git_rev, sizeof(git_rev), "unknown");
	if (p) {
		char line[64];

		if (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(git_rev, sizeof(git_rev), "%s", line);
			if (fgets(line, sizeof(line), p))
				strncat(git_rev, "-dirty", sizeof(git_rev) - strlen(git_rev) - 1);
		}
		pclose(p);
	}
	snprintf(cmd, sizeof(cmd), "%s/obj/oticket-base.txt", build);
	s = tb_read_file(cmd, NULL);
	snprintf(base_tree, sizeof(base_tree), "%s", s ? s : "unknown");
	base_tree[strcspn(base_tree, "\n")] = 0;
	free(s);
}

static void now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------------------
 * Pairs
 *
 * A mode's run and the baseline's run of the same repetition of the same
 * point, both ok and recorded in the same level-2 boot (so on one host,
 * minutes apart), are a pair; the mode's value over the baseline's is its
 * paired ratio.  Drift between boots and hosts cancels in it.  A run whose
 * baseline partner failed, or ran in another boot, is unpaired.
 */

/* the first ok record of every run of @r[0..@n): what the report counts */
static const struct vb_rec **first_oks(const struct vb_rec *r, int n, int *nok)
{
	const struct vb_rec **ok = calloc(n + 1, sizeof(*ok));

	if (!ok)
		die("out of memory");
	*nok = 0;
	for (int i = 0; i < n; i++) {
		int k;

		if (strcmp(r[i].status, "ok"))
			continue;
		for (k = 0; k < *nok && !vb_same_run(&ok[k]->id, &r[i].id); k++)
			;
		if (k == *nok)
			ok[(*nok)++] = &r[i];
	}
	return ok;
}

struct pairs {
	int n, unpaired;
	int busy;		/* pairs dropped: level 1 was busy in one of the runs */
	double r[MAX_REPS * 4];
};

/*
 * The pairs of @mode with @base at point @pt, one per repetition that has
 * ok runs of both in one boot: of the records @r[0..@n), those of the
 * latest such boot (a run that ran again to rejoin its group, see
 * rejoin_groups(), has more than one ok record).  @ok[0..@nok) are the
 * first ok records, one per run.  With @quiet > 0, a pair counts only if
 * level 1 ran at most @quiet CPUs besides level 2 during both runs (a run
 * without the figure counts as quiet).
 */
static void pair_up(const struct vb_rec *r, int n, const struct vb_rec **ok, int nok,
		    const struct vb_runid *pt, const char *mode, const char *base,
		    double quiet, struct pairs *p)
{
	p->n = p->unpaired = p->busy = 0;
	for (int i = 0; i < nok; i++) {
		const struct vb_rec *x = NULL, *y = NULL;
		int any = 0;

		if (strcmp(ok[i]->id.mode, mode) || !vb_same_point(&ok[i]->id, pt))
			continue;
		/* the latest quiet pair; a busy one only says there was a pair */
		for (int a = 0; a < n; a++) {
			if (strcmp(r[a].status, "ok") || !(r[a].value > 0) ||
			    !vb_same_run(&r[a].id, &ok[i]->id) || (x && r[a].boot <= x->boot))
				continue;
			for (int j = 0; j < n; j++) {
				if (strcmp(r[j].status, "ok") || !(r[j].value > 0) ||
				    strcmp(r[j].id.mode, base) || r[j].id.rep != r[a].id.rep ||
				    r[j].boot != r[a].boot || !vb_same_point(&r[j].id, pt))
					continue;
				any = 1;
				if (quiet > 0 && (r[a].l1_load > quiet || r[j].l1_load > quiet))
					continue;
				x = &r[a];
				y = &r[j];
			}
		}
		if (!any)
			p->unpaired++;
		else if (!y)
			p->busy++;
		else if (p->n < (int)(sizeof(p->r) / sizeof(p->r[0])))
			p->r[p->n++] = x->value / y->value;
	}
}

/*
 * Has point @pt reached the precision: every mode's paired ratio to the
 * baseline from at least 3 pairs, with a CI half-width <= c->precision?
 */
static int point_decided(const struct cfg *c, const struct vb_rec *r, int n,
			 const struct vb_rec **ok, int nok, const struct vb_runid *pt)
{
	struct pairs p;

	for (int m = 0; m < c->nmode; m++) {
		struct vb_ratio q;

		if (!strcmp(c->mode[m].name, baseline_of(c)))
			continue;
		pair_up(r, n, ok, nok, pt, c->mode[m].name, baseline_of(c), c->l1_quiet, &p);
		/* two pairs that happen to agree are not a precise ratio */
		if (p.n < 3)
			return 0;
		q = vb_paired_ratio(p.r, p.n);
		if (!(q.hw <= c->precision))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------------
 * Level 1: pinning level 2's vCPU threads, and what else level 1 runs
 */

/* the level-2 QEMU (TCG), a child of @parent (testbed run); 0 if none */
static pid_t find_l2_qemu(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], *st, *cl, *q;
		long ppid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		st = tb_read_file(path, NULL);
		q = st ? strrchr(st, ')') : NULL;
		/* ") S ppid" */
		if (q && sscanf(q + 1, " %*c %ld", &ppid) == 1 && ppid == parent &&
		    strstr(st, "(qemu-system")) {
			size_t len;

			snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
			cl = tb_read_file(path, &len);
			/* arguments are NUL-separated: look for "tcg" in any */
			for (size_t k = 0; cl && k < len; k += strlen(cl + k) + 1)
				if (!strncmp(cl + k, "tcg", 3))
					found = atoi(e->d_name);
			free(cl);
		}
		free(st);
	}
	if (d)
		closedir(d);
	return found;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Pin vCPU k of the level-2 QEMU @qemu to CPU k of level 1 (modulo the
 * CPUs there).  Its vCPU threads are named "CPU k/TCG" with debug-threads;
 * otherwise they are the third and later threads in creation order (after
 * the main and RCU threads; QEMU 7.2 starts its I/O workers later).  1 when
 * pinned, 0 if the threads are not all there yet.
 */
static int pin_l2(pid_t qemu, int vcpus)
{
	int tids[256], n = 0, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char path[300];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", qemu);
	d = opendir(path);
	while (d && n < 256 && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			tids[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	qsort(tids, n, sizeof(int), cmp_int);
	if (n < 2 + vcpus)
		return 0;
	for (int i = 0; i < n; i++) {
		char *comm;
		int k;
		cpu_set_t set;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", qemu, tids[i]);
		comm = tb_read_file(path, NULL);
		if (!comm || sscanf(comm, "CPU %d/", &k) != 1) {
			if (i < 2 || i >= 2 + vcpus) {
				free(comm);
				continue;
			}
			k = i - 2;
		}
		free(comm);
		CPU_ZERO(&set);
		CPU_SET(k % (ncpu > 0 ? ncpu : 1), &set);
		if (sched_setaffinity(tids[i], sizeof(set), &set))
			fprintf(stderr, "vbench: cannot pin thread %d: %s\n", tids[i],
				strerror(errno));
	}
	return 1;
}

/* busy CPU ticks of level 1 in all, and of process @pid (0: none) */
static void l1_ticks(pid_t pid, double *all, double *own)
{
	char *st = tb_read_file("/proc/stat", NULL), path[64], *q;
	double v[8] = { 0 };

	*all = *own = NAN;
	if (st && sscanf(st, "cpu %lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
		*all = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	free(st);
	if (!pid)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	st = tb_read_file(path, NULL);
	q = st ? strrchr(st, ')') : NULL;
	/* utime and stime: fields 14 and 15, the 12th and 13th after ')' */
	if (q && sscanf(q + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lf %lf",
			&v[0], &v[1]) == 2)
		*own = v[0] + v[1];
	free(st);
}

/* ------------------------------------------------------------------------
 * Running a sweep
 */
static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

struct boot {
	int no, done;		/* complete blocks recorded */
	char kernel[64], testbed[24], host[64];
	FILE *jsonl;
	const struct cfg *c;
	struct vb_rec *recs;	/* every record of DIR, this invocation's too */
	int nrec, caprec;
	int finished;		/* runs settled */
	int max_attempts;
	int finished0;		/* settled before this invocation */
	double t0;
	int ok, bad;
	pid_t qemu;		/* level 2's QEMU, once found */
	int pinned;
	double l1_all, l1_own;	/* level 1 ticks at the last record */
	double l1_t;
	int last_group;		/* of the run recorded last in this boot */
	int stopping;		/* this boot is ended on purpose */
};

/* past max-minutes: no more optional repetitions */
static int out_of_time(struct boot *b)
{
	return b->c->max_minutes && tb_now() - b->t0 > 60.0 * b->c->max_minutes;
}

/*
 * Is the planned run @i still wanted: unsettled, and not an optional
 * repetition of a point that reached the precision (or out of time)?
 */
static int wanted(struct boot *b, int i, const struct vb_rec **ok, int nok)
{
	return !plan[i].settled && (!plan[i].optional ||
				    (!out_of_time(b) &&
				     !point_decided(b->c, b->recs, b->nrec, ok, nok,
						    &plan[i].id)));
}

static int runs_left(struct boot *b)
{
	int nok, left = 0;
	const struct vb_rec **ok = first_oks(b->recs, b->nrec, &nok);

	for (int i = 0; i < nplan; i++)
		left += wanted(b, i, ok, nok);
	free(ok);
	return left;
}

/* has run @id an ok record? */
static int has_ok(const struct boot *b, const struct vb_runid *id)
{
	for (int k = 0; k < b->nrec; k++)
		if (vb_same_run(&b->recs[k].id, id) && !strcmp(b->recs[k].status, "ok"))
			return 1;
	return 0;
}

/* have runs @x and @y ok records in one boot? */
static int paired_runs(const struct boot *b, const struct vb_runid *x,
		       const struct vb_runid *y)
{
	for (int k = 0; k < b->nrec; k++) {
		if (!vb_same_run(&b->recs[k].id, x) || strcmp(b->recs[k].status, "ok"))
			continue;
		for (int l = 0; l < b->nrec; l++)
			if (vb_same_run(&b->recs[l].id, y) && !strcmp(b->recs[l].status, "ok") &&
			    b->recs[l].boot == b->recs[k].boot)
				return 1;
	}
	return 0;
}

/* settled run @p runs again in the coming boot, for @why's pair */
static void rerun(struct boot *b, struct plan *p, const struct plan *why)
{
	char key[160];

	p->settled = 0;
	p->rejoined = b->no + 1;
	p->reruns++;
	p->limit = p->attempts + b->max_attempts;
	b->finished--;
	vb_run_key(&p->id, key, sizeof(key));
	printf("vbench: %s runs again, to pair with %s in the coming boot\n", key,
	       why->id.mode);
}

/* may settled run @p run again in the coming boot? */
static int may_rerun(const struct boot *b, const struct plan *p)
{
	return p->settled && p->rejoined != b->no + 1 && p->reruns < b->max_attempts &&
	       has_ok(b, &p->id);
}

/*
 * Pairs form only within a level-2 boot.  A run that is to be tried again
 * after its level 2 died (or its console was garbled) lands in another boot
 * than the runs of its group that are done, and would lose its pair.  So
 * the group's baseline run runs in the coming boot too (again, if it was
 * done), and so does every other mode's ok run of the group that has no
 * pair yet.  Each such rerun has attempts of its own; a run is rerun at
 * most once per boot and max-attempts times in all.  A group whose
 * baseline run failed for good is left alone: no pair can form.
 * pair_up() takes a pair from the latest boot that has one, so a rerun adds
 * pairs and never loses one.
 */
static void rejoin_groups(struct boot *b, const struct vb_rec **ok, int nok)
{
	const char *base = baseline_of(b->c);

	for (int i = 0; i < nplan; i++) {
		struct plan *bp = NULL;

		if (!plan[i].attempts || !wanted(b, i, ok, nok))
			continue;
		for (int j = 0; j < nplan && !bp; j++)
			if (plan[j].group == plan[i].group && !strcmp(plan[j].id.mode, base))
				bp = &plan[j];
		if (!bp || (bp->settled && !may_rerun(b, bp)))
			continue;	/* no baseline run in this boot */
		if (bp->settled)
			rerun(b, bp, &plan[i]);
		for (int j = 0; j < nplan; j++) {
			struct plan *p = &plan[j];

			if (p->group == plan[i].group && p != bp && may_rerun(b, p) &&
			    !paired_runs(b, &p->id, &bp->id))
				rerun(b, p, bp);
		}
	}
}

static void progress(struct boot *b, const struct vb_rec *r)
{
	char key[160];
	double el = tb_now() - b->t0;
	int left = runs_left(b);

	vb_run_key(&r->id, key, sizeof(key));
	printf("vbench: [%d/%d] %s #%d: %s", b->finished, b->finished + left, key,
	       r->attempt, r->status);
	if (!strcmp(r->status, "ok"))
		printf(" %.4g %s", r->value, r->unit);
	else
		printf(" (%s)", r->why);
	printf(", %.0f s", r->secs);
	if (b->finished > b->finished0 && left > 0)
		printf("; ETA %.0f min", el / (b->finished - b->finished0) * left / 60);
	printf("\n");
}

static void append_rec(struct boot *b, struct vb_rec *r, int idx)
{
	struct plan *p = &plan[idx];
	double all, own, now = tb_now();

	snprintf(r->kernel, sizeof(r->kernel), "%s", b->kernel);
	snprintf(r->testbed, sizeof(r->testbed), "%s", b->testbed);
	snprintf(r->git, sizeof(r->git), "%s", git_rev);
	snprintf(r->base, sizeof(r->base), "%s", base_tree);
	snprintf(r->l1_host, sizeof(r->l1_host), "%s", b->host);
	now_iso(r->time, sizeof(r->time));
	r->boot = b->no;
	r->pinned = b->pinned;
	/* CPUs of level 1 busy with anything but level 2, since the last record */
	l1_ticks(b->qemu, &all, &own);
	r->l1_load = NAN;
	if (b->qemu && !isnan(b->l1_own) && !isnan(own) && now > b->l1_t)
		r->l1_load = (all - b->l1_all - (own - b->l1_own)) /
			     sysconf(_SC_CLK_TCK) / (now - b->l1_t);
	b->l1_all = all;
	b->l1_own = own;
	b->l1_t = now;
	if (vb_rec_write(b->jsonl, r) || fflush(b->jsonl) || fsync(fileno(b->jsonl)))
		die("cannot append to results.jsonl: %s", strerror(errno));
	if (b->nrec == b->caprec) {
		b->caprec = b->caprec ? 2 * b->caprec : 64;
		b->recs = realloc(b->recs, b->caprec * sizeof(*b->recs));
		if (!b->recs)
			die("out of memory");
	}
	b->recs[b->nrec++] = *r;
	p->attempts = r->attempt;
	if (!p->settled && vb_attempt_settles(r->status, r->attempt, p->limit)) {
		p->settled = 1;
		b->finished++;
	}
	if (!strcmp(r->status, "ok"))
		b->ok++;
	else
		b->bad++;
}

/* a record of attempt @att at planned run @idx, no result yet */
static void rec_init(struct vb_rec *r, int idx, int att)
{
	memset(r, 0, sizeof(*r));
	r->id = plan[idx].id;
	r->host = plan[idx].mode->host;
	r->attempt = att;
	r->value = r->fairness = r->steal_pct = r->secs = r->l1_load = NAN;
	snprintf(r->unit, sizeof(r->unit), "%s", vb_workload(r->id.workload)->unit);
}

/*
 * Record the complete run blocks of @con not recorded yet.  Returns the
 * plan index of a run started but not finished (-1 if none), and its
 * attempt in *attempt.
 */
static int scan_console(struct boot *b, char *con, int *attempt)
{
	char *p = strstr(con, "@@OTB-BEGIN "), *next;
	int seen = 0;

	if (p && !b->kernel[0]) {
		char lvl[16] = "";

		sscanf(p, "@@OTB-BEGIN %63s level=%15[a-z0-9]", b->kernel, lvl);
		snprintf(b->testbed, sizeof(b->testbed), "%s",
			 !strcmp(lvl, "host") ? "hardware-kvm" : "emulated-nested");
	}
	for (p = strstr(con, "@@RUN "); p; p = next) {
		int idx, att;
		double t0 = NAN, t1 = NAN;
		char *rc;

		next = strstr(p + 1, "@@RUN ");
		if (sscanf(p, "@@RUN %d %d %lf", &idx, &att, &t0) < 2 || idx < 0 ||
		    idx >= nplan)
			continue;
		rc = strstr(p, "@@RUNRC ");
		if (!rc || (next && rc > next)) {
			*attempt = att;
			return idx;	/* in progress (or level 2 died in it) */
		}
		if (seen++ < b->done)
			continue;
		{
			struct vb_rec r;
			char save = *rc;
			int code;

			rec_init(&r, idx, att);
			*rc = 0;
			vb_parse_block(p, plan[idx].mode->expect, &r);
			*rc = save;
			if (sscanf(rc, "@@RUNRC %d %lf", &code, &t1) == 2 &&
			    !isnan(t0) && !isnan(t1))
				r.secs = t1 - t0;
			b->done++;
			b->last_group = plan[idx].group;
			append_rec(b, &r, idx);
			progress(b, &r);
		}
	}
	return -1;
}

/*
 * testbed = sim: each run not settled yet is one otsim process (c->jobs at
 * once) whose output is a level-2 console block: the same parser makes the
 * same records.  The simulator is deterministic; a run's seed is its
 * repetition number + 1, so repetitions differ and a rerun repeats.
 */
static int sim_sweep(const struct cfg *c, struct boot *b, const char *out, const char *build)
{
	struct {
		pid_t pid;
		int idx;
		double t0;
		char path[1300];
	} run[64];
	char dir[1100], bin[1100], *s;
	int nrun = 0, *running = calloc(nplan, sizeof(int));

	snprintf(dir, sizeof(dir), "%s/sim", out);
	snprintf(bin, sizeof(bin), "%s/bin/otsim", build);
	if (tb_mkdir_p(dir) || !running)
		die("cannot create %s", dir);
	if (access(bin, X_OK))
		die("%s is missing: make sim", bin);
	snprintf(dir, sizeof(dir), "%s/src/.oticket-base", build);
	s = tb_read_file(dir, NULL);
	snprintf(base_tree, sizeof(base_tree), "%s", s ? s : "unknown");
	base_tree[strcspn(base_tree, "\n")] = 0;
	free(s);
	snprintf(b->kernel, sizeof(b->kernel), "otsim");
	snprintf(b->testbed, sizeof(b->testbed), "sim");
	b->no = 0;
	for (;;) {
		int st, k, i;
		pid_t pid;
		struct vb_rec r;
		char *con;

		/* start runs while there are slots; --precision as in a boot */
		int nok;
		const struct vb_rec **ok = first_oks(b->recs, b->nrec, &nok);

		for (i = 0; nrun < c->jobs && !stop_sig && i < nplan; i++) {
			const struct plan *p = &plan[i];
			char key[160], sz[16], vc[16], vm[16], pc[16], seed[16], iv[16];
			const char *argv[24 + 2 * 32];
			int a = 0;

			if (running[i] || !wanted(b, i, ok, nok))
				continue;
			vb_run_key(&p->id, key, sizeof(key));
			for (char *q = key; *q; q++)
				*q = *q == '/' || *q == '+' ? '_' : *q;
			snprintf(run[nrun].path, sizeof(run[nrun].path), "%s/sim/%s.out", out, key);
			snprintf(vc, sizeof(vc), "%d", p->id.vcpus);
			snprintf(vm, sizeof(vm), "%d", p->id.vms);
			snprintf(pc, sizeof(pc), "%d", p->id.l2_vcpus);
			snprintf(sz, sizeof(sz), "%d", p->id.size);
			snprintf(seed, sizeof(seed), "%d", p->id.rep + 1);
			snprintf(iv, sizeof(iv), "%d", p->id.intervals);
			argv[a++] = bin;
			argv[a++] = "--mode";
			argv[a++] = p->mode->name;	/* "oticket.aa" runs oticket */
			argv[a++] = "--workload";
			argv[a++] = p->id.workload;
			argv[a++] = "--vcpus";
			argv[a++] = vc;
			argv[a++] = "--vms";
			argv[a++] = vm;
			argv[a++] = "--pcpus";
			argv[a++] = pc;
			argv[a++] = "--size";
			argv[a++] = sz;
			argv[a++] = "--seed";
			argv[a++] = seed;
			argv[a++] = "--profile";
			argv[a++] = c->profile;
			argv[a++] = "--intervals";
			argv[a++] = iv;
			/* the tag's parameters; otsim boots the mode itself */
			if (strlen(p->append) > strlen(p->mode->append)) {
				argv[a++] = "--append";
				argv[a++] = p->append + strlen(p->mode->append) +
					    !!*p->mode->append;
			}
			for (k = 0; k < c->nsim_set; k++) {
				argv[a++] = "--set";
				argv[a++] = c->sim_set[k];
			}
			argv[a] = NULL;
			run[nrun].pid = tb_spawn(argv, run[nrun].path);
			if (run[nrun].pid < 0)
				die("cannot run %s: %s", bin, strerror(errno));
			run[nrun].idx = i;
			run[nrun].t0 = tb_now();
			running[i] = 1;
			nrun++;
		}
		free(ok);
		if (!nrun)
			break;
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			die("waitpid: %s", strerror(errno));
		}
		for (k = 0; k < nrun && run[k].pid != pid; k++)
			;
		if (k == nrun)
			continue;
		tb_forget(pid);
		i = run[k].idx;
		running[i] = 0;
		if (stop_sig) {
			run[k] = run[--nrun];
			continue;
		}
		con = tb_read_file(run[k].path, NULL);
		rec_init(&r, i, plan[i].attempts + 1);
		vb_parse_block(con ? con : "", plan[i].mode->expect, &r);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3 && con && strstr(con, "otsim: ")) {
			/* the engine stopped: a guest BUG() or no event left */
			const char *e = strstr(con, "otsim: ");

			snprintf(r.status, sizeof(r.status), "failed");
			snprintf(r.why, sizeof(r.why), "%.*s", (int)strcspn(e, "\n"), e);
			r.value = NAN;
			r.nvm = 0;
			r.nmetrics = 0;
		}
		free(con);
		r.secs = tb_now() - run[k].t0;
		append_rec(b, &r, i);
		progress(b, &r);
		run[k] = run[--nrun];
	}
	free(running);
	if (stop_sig) {
		printf("vbench: interrupted; the finished runs are in %s/results.jsonl, "
		       "\"vbench sweep --out %s\" goes on\n", out, out);
		return 130;
	}
	printf("vbench: sweep done in %.0f s\n", tb_now() - b->t0);
	return 0;
}

/*
 * With --precision: end this boot when the run just started opens an
 * optional repetition of a point that has reached the precision; the next
 * boot runs only what is still wanted.
 */
static int boot_should_stop(struct boot *b, int cur)
{
	const struct vb_rec **ok;
	int nok, stop;

	if (cur < 0 || !plan[cur].optional || plan[cur].group == b->last_group)
		return 0;
	if (out_of_time(b))
		return 1;
	ok = first_oks(b->recs, b->nrec, &nok);
	stop = point_decided(b->c, b->recs, b->nrec, ok, nok, &plan[cur].id);
	free(ok);
	return stop;
}

/*
 * A record names its mode (oqspin.long), not the tag's parameters: a sweep
 * into a directory swept with other parameters under the same tags would
 * mix them.  Refuse it.
 */
static void check_tags(const struct cfg *c, const char *conf)
{
	char *old = tb_read_file(conf, NULL), want[sizeof(c->tag) + 64] = "", *l, *save;
	char have[sizeof(want)] = "";

	if (!old)
		return;
	for (int i = 0; i < c->ntag; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "tag = %s=%s\n",
			 c->tag[i].name, c->tag[i].args);
	for (l = strtok_r(old, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "tag = ", 6))
			snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s\n", l);
	free(old);
	if (strcmp(want, have))
		die("%s was swept with other tags:\n%s(now:\n%s): give another --out",
		    conf, *have ? have : "none\n", *want ? want : "none\n");
}

static int sweep(struct cfg *c, const char *out, const char *top, const char *build)
{
	char path[1200], script[1200], log[1200], outp[1200], disk[1200];
	int max_attempts = c->retries + 1, nbad, idle_boots = 0, left;
	struct boot b = { .c = c };
	struct sigaction sa = { .sa_handler = on_stop };
	const char *l2_override = getenv("VBENCH_L2");
	int *todo;

	b.t0 = tb_now();
	if (tb_mkdir_p(out))
		die("cannot create %s", out);
	snprintf(path, sizeof(path), "%s/sweep.conf", out);
	check_tags(c, path);
	cfg_save(c, path);
	make_plan(c);
	snprintf(path, sizeof(path), "%s/results.jsonl", out);
	b.recs = vb_load(path, &b.nrec, &nbad);
	if (!b.recs)
		die("cannot read %s: %s", path, strerror(errno));
	b.caprec = b.nrec;
	b.max_attempts = max_attempts;
	for (int i = 0; i < nplan; i++) {
		plan[i].settled = vb_run_settled(b.recs, b.nrec, &plan[i].id, max_attempts,
						 &plan[i].attempts);
		plan[i].limit = max_attempts;
		b.finished += plan[i].settled;
	}
	/* boot numbers go on from the records' */
	for (int i = 0; i < b.nrec; i++)
		if (b.recs[i].boot > b.no)
			b.no = b.recs[i].boot;
	b.finished0 = b.finished;
	left = runs_left(&b);
	printf("vbench: %d runs planned%s, %d settled in %s, %d to do\n", nplan,
	       c->precision > 0 ? " (up to max-reps)" : "", b.finished, out, left);
	if (!left)
		return 0;
	provenance(top, build);
	if (gethostname(b.host, sizeof(b.host)))
		snprintf(b.host, sizeof(b.host), "unknown");
	b.host[sizeof(b.host) - 1] = 0;
	b.jsonl = fopen(path, "a");
	if (!b.jsonl)
		die("cannot append to %s: %s", path, strerror(errno));
	todo = calloc(nplan, sizeof(*todo));
	if (!todo)
		die("out of memory");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	b.t0 = tb_now();
	if (c->sim) {
		int rc = sim_sweep(c, &b, out, build);

		fclose(b.jsonl);
		free(todo);
		return rc;
	}
	snprintf(disk, sizeof(disk), "%s/testbed/wl.img", build);
	while (!stop_sig) {
		int n = 0, mem, budget, need_disk = 0, st = 0, cur, att = 0, nok;
		const struct vb_rec **ok = first_oks(b.recs, b.nrec, &nok);
		const char *argv[4];
		char *l2, *cmd, *con;
		pid_t pid;

		rejoin_groups(&b, ok, nok);
		for (int i = 0; i < nplan; i++)
			if (wanted(&b, i, ok, nok)) {
				todo[n++] = i;
				need_disk |= vb_workload(plan[i].id.workload)->disk;
			}
		free(ok);
		if (!n)
			break;
		b.no++;
		snprintf(script, sizeof(script), "%s/l2-boot%d.sh", out, b.no);
		snprintf(log, sizeof(log), "%s/l2-boot%d.log", out, b.no);
		snprintf(outp, sizeof(outp), "%s/l2-boot%d.out", out, b.no);
		if (write_script(script, todo, n, &mem, &budget))
			die("cannot write %s", script);
		if (need_disk && access(disk, R_OK) && !l2_override)
			die("%s missing: the gmake and perf workloads need it (make wlimage)",
			    disk);
		/* VBENCH_L2: another "testbed run" (the tests' fake testbed) */
		l2 = l2_override ? strdup(l2_override) : tb_l2_command(build, top);
		if (asprintf(&cmd, "exec %s --retries 0 --vcpus %d --mem %d --timeout %d "
			     "--log %s%s%s --script %s", l2, c->l2_vcpus, 1024 + mem, budget,
			     log, need_disk ? " --disk " : "", need_disk ? disk : "",
			     script) < 0)
			die("out of memory");
		free(l2);
		printf("vbench: level-2 boot %d: %d runs (log %s)\n", b.no, n, log);
		argv[0] = "sh";
		argv[1] = "-c";
		argv[2] = cmd;
		argv[3] = NULL;
		b.done = 0;
		b.kernel[0] = 0;
		b.qemu = 0;
		b.pinned = 0;
		b.stopping = 0;
		b.last_group = -1;
		b.l1_own = NAN;
		{
			int before = b.ok + b.bad, nice0;

			/* level 2's QEMU inherits the nice value of its fork */
			errno = 0;
			nice0 = getpriority(PRIO_PROCESS, 0);
			if (c->nice && setpriority(PRIO_PROCESS, 0, c->nice))
				die("--l2-nice %d: %s", c->nice, strerror(errno));
			pid = tb_spawn(argv, outp);
			if (c->nice)
				setpriority(PRIO_PROCESS, 0, nice0);
			if (pid < 0)
				die("cannot start level 2: %s", strerror(errno));
			for (;;) {
				pid_t w = waitpid(pid, &st, WNOHANG);

				if (!b.qemu) {
					b.qemu = find_l2_qemu(pid);
					l1_ticks(b.qemu, &b.l1_all, &b.l1_own);
					b.l1_t = tb_now();
				}
				if (c->pin && b.qemu && !b.pinned)
					b.pinned = pin_l2(b.qemu, c->l2_vcpus);
				con = tb_read_file(log, NULL);
				cur = -1;
				if (con) {
					cur = scan_console(&b, con, &att);
					free(con);
				}
				if (w == pid)
					break;
				if (stop_sig || boot_should_stop(&b, cur)) {
					if (!stop_sig) {
						printf("vbench: level-2 boot %d: %s; ending it\n",
						       b.no, out_of_time(&b) ?
						       "max-minutes is up" : "the precision is "
						       "reached where it goes on");
						b.stopping = 1;
					}
					kill(-pid, SIGTERM);
					waitpid(pid, &st, 0);
					break;
				}
				sleep(1);
			}
			tb_forget(pid);
			free(cmd);
			con = tb_read_file(log, NULL);
			cur = con ? scan_console(&b, con, &att) : -1;
			free(con);
			if (cur >= 0 && !stop_sig && !b.stopping) {
				/* level 2 ended inside this run: its attempt failed */
				struct vb_rec r;

				rec_init(&r, cur, att);
				snprintf(r.status, sizeof(r.status), "l2-crashed");
				snprintf(r.why, sizeof(r.why),
					 "level 2 ended during the run (testbed exit %d; %s)",
					 WIFEXITED(st) ? WEXITSTATUS(st) : -1, outp);
				append_rec(&b, &r, cur);
				progress(&b, &r);
			}
			if (b.ok + b.bad == before) {
				char *o = tb_read_file(outp, NULL);

				fprintf(stderr, "vbench: level-2 boot %d recorded nothing; its "
					"output (%s):\n%s\n", b.no, outp, o ? o : "(none)");
				free(o);
				if (++idle_boots >= 2)
					break;
			} else {
				idle_boots = 0;
			}
		}
	}
	fclose(b.jsonl);
	free(todo);
	if (stop_sig) {
		printf("vbench: interrupted; the finished runs are in %s/results.jsonl, "
		       "\"vbench sweep --out %s\" goes on\n", out, out);
		free(b.recs);
		return 130;
	}
	left = runs_left(&b);
	free(b.recs);
	if (left) {
		fprintf(stderr, "vbench: %d runs could not be started: level 2 failed "
			"to boot twice in a row (see %s/l2-boot*.out)\n", left, out);
		return 1;
	}
	printf("vbench: sweep done in %.0f s\n", tb_now() - b.t0);
	return 0;
}

/* ------------------------------------------------------------------------
 * Report
 */
struct cell {
	struct vb_runid pt;	/* rep unused */
	int mode;		/* index into names[] of the report */
	int n, cap, failed;
	double *v, *fair, *steal, *least;	/* per ok run; least: worst guest x M */
	struct vb_ratio pr;	/* paired ratio to the baseline */
	int unpaired;		/* ok runs without a baseline partner */
	int busy;		/* pairs dropped for a busy level 1 */
	struct vb_variation var;	/* of the intervals of its runs */
	double rate[4];		/* median lock and KVM events per guest-second */
};

/*
 * Events per guest-second in the report: lock slow paths and the halts in
 * them, level 2's halt exits and exits.  The lock events are o-ticket's
 * for the ticket modes and qspinlock's for the others (pvqspinlock and
 * oqspin count them); each is the sum of its '+'-separated metrics.
 */
static const char *const rate_names[4][2] = {
	{ "ev.otk_slowpath", "ev.lock_slowpath" },
	{ "ev.otk_wait", "ev.pv_wait_node+ev.pv_wait_head" },
	{ "kvm.halt_exits" }, { "kvm.exits" },
};

/*
 * rate_names[@k] of record @r.  The guest prints only the lock events
 * that happened: a record with any event of the mode's family counts a
 * missing one as 0; a record with none (no lock-event counts, or tas,
 * whose spinning no event counts) has NAN.
 */
static double rate_metric(const struct vb_rec *r, int k)
{
	int q = !strstr(r->id.mode, "ticket");
	const char *p = rate_names[k][k < 2 && q];
	double sum = 0;
	int ev = 0;

	for (int i = 0; i < r->nmetrics; i++)
		ev |= q ? !strncmp(r->m[i].name, "ev.lock_", 8) ||
			  !strncmp(r->m[i].name, "ev.pv_", 6) :
			  !strncmp(r->m[i].name, "ev.otk_", 7);
	while (*p) {
		char name[64];
		size_t n = strcspn(p, "+");
		double v;

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		v = vb_metric_get(r, name);
		if (isnan(v) && !(ev && !strncmp(name, "ev.", 3)))
			return NAN;
		sum += isnan(v) ? 0 : v;
		p += n + (p[n] == '+');
	}
	return sum;
}

struct table {
	struct cell *c;
	int n, cap;
	char names[MAX_MODES * 4][32];	/* modes in order of appearance */
	int nnames;
	int base;			/* baseline's index, -1 if absent */
	int sim;			/* its records come from the simulator */
	const char *dir;
	struct vb_rec *r;		/* the records */
	int nr, nok;
	const struct vb_rec **ok;	/* the first ok record of each run */
	double precision;		/* the sweep's --precision, 0 if none */
	double l1_quiet;		/* the sweep's --l1-quiet, 0 if none */
};

static double *grow(double *arr, int cap)
{
	double *t = realloc(arr, cap * sizeof(double));

	if (!t)
		die("out of memory");
	return t;
}

static void cell_add(struct cell *c, double v, double fair, double steal, double least)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = grow(c->v, c->cap);
		c->fair = grow(c->fair, c->cap);
		c->steal = grow(c->steal, c->cap);
		c->least = grow(c->least, c->cap);
	}
	c->v[c->n] = v;
	c->fair[c->n] = fair;
	c->steal[c->n] = steal;
	c->least[c->n] = least;
	c->n++;
}

static struct cell *cell_get(struct table *t, const struct vb_runid *id)
{
	int m;

	for (m = 0; m < t->nnames && strcmp(t->names[m], id->mode); m++)
		;
	if (m == t->nnames) {
		if (t->nnames == (int)(sizeof(t->names) / sizeof(t->names[0])))
			die("too many modes in the results");
		snprintf(t->names[t->nnames++], sizeof(t->names[0]), "%s", id->mode);
	}
	for (int i = 0; i < t->n; i++)
		if (t->c[i].mode == m && vb_same_point(&t->c[i].pt, id))
			return &t->c[i];
	if (t->n == t->cap) {
		struct cell *nc = realloc(t->c, (t->cap = t->cap ? 2 * t->cap : 32) *
					  sizeof(*nc));

		if (!nc)
			die("out of memory");
		t->c = nc;
	}
	memset(&t->c[t->n], 0, sizeof(t->c[0]));
	t->c[t->n].pt = *id;
	t->c[t->n].mode = m;
	return &t->c[t->n++];
}

static int cmp_cell(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;
	const int kx[] = { x->pt.vms, x->pt.vcpus, x->pt.l2_vcpus, x->pt.size,
			   x->pt.intervals, x->pt.warmup, x->mode };
	const int ky[] = { y->pt.vms, y->pt.vcpus, y->pt.l2_vcpus, y->pt.size,
			   y->pt.intervals, y->pt.warmup, y->mode };
	int d = strcmp(x->pt.workload, y->pt.workload);

	for (size_t i = 0; !d && i < sizeof(kx) / sizeof(kx[0]); i++)
		d = kx[i] - ky[i];
	return d;
}

/* the sweep's configuration in @dir (sweep.conf), if any: 0 if read */
static int dir_cfg(const char *dir, struct cfg *c)
{
	char path[1200];

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/sweep.conf", dir);
	if (access(path, R_OK))
		return -1;
	cfg_file(c, path);
	return 0;
}

/* within- and between-run variation of the intervals of @c's runs */
static void cell_variation(struct table *t, struct cell *c)
{
	int k = c->pt.intervals, runs = 0;
	double *x = malloc((size_t)(t->nok + 1) * k * sizeof(*x));

	if (!x)
		die("out of memory");
	for (int i = 0; i < t->nok; i++) {
		const struct vb_rec *r = t->ok[i];

		if (strcmp(r->id.mode, t->names[c->mode]) || !vb_same_point(&r->id, &c->pt) ||
		    r->niv != k)
			continue;
		memcpy(x + runs++ * k, r->iv, k * sizeof(*x));
	}
	c->var = vb_variation_of(x, runs, k);
	free(x);
}

/* median over @c's runs of each rate_names[] event per guest-second */
static void cell_rates(struct table *t, struct cell *c)
{
	double *x = malloc((t->nok + 1) * sizeof(*x));

	if (!x)
		die("out of memory");
	for (int k = 0; k < 4; k++) {
		int n = 0;

		for (int i = 0; i < t->nok; i++) {
			const struct vb_rec *r = t->ok[i];
			double ev = rate_metric(r, k), cs = vb_metric_get(r, "wl.cs");

			if (!strcmp(r->id.mode, t->names[c->mode]) &&
			    vb_same_point(&r->id, &c->pt) && !isnan(ev) && cs > 0)
				x[n++] = ev / (cs / 100);
		}
		c->rate[k] = vb_median(x, n);
	}
	free(x);
}

/* the table of @dir's results; runs without an ok record count as failed */
static int load_table(const char *dir, struct table *t, const char *baseline)
{
	char path[1200];
	struct vb_rec *r;
	struct cfg dc;
	int n, bad;

	memset(t, 0, sizeof(*t));
	t->dir = dir;
	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	if (access(path, R_OK)) {
		fprintf(stderr, "vbench: %s: no results.jsonl (%s)\n", dir, strerror(errno));
		return -1;
	}
	if (!dir_cfg(dir, &dc)) {
		t->precision = dc.precision;
		t->l1_quiet = dc.l1_quiet;
		if ((!baseline || !*baseline) && dc.baseline[0])
			baseline = strdup(dc.baseline);
	}
	r = vb_load(path, &n, &bad);
	if (!r)
		die("cannot read %s", path);
	t->r = r;
	t->nr = n;
	t->ok = first_oks(r, n, &t->nok);
	for (int i = 0; i < n; i++) {
		/* simulated and measured results never mix */
		if (i && !strcmp(r[i].testbed, "sim") != !strcmp(r[0].testbed, "sim")) {
			fprintf(stderr, "vbench: %s mixes records of the sim testbed and of a "
				"real one (%s, %s); refusing it\n", dir, r[0].testbed, r[i].testbed);
			free(r);
			return -1;
		}
		t->sim = !strcmp(r[i].testbed, "sim");
	}
	for (int i = 0; i < n; i++) {
		struct cell *c = cell_get(t, &r[i].id);
		int has_ok = 0, first = 1;

		/* a run once: at its first record */
		for (int j = 0; j < i && first; j++)
			if (vb_same_run(&r[j].id, &r[i].id))
				first = 0;
		if (!first)
			continue;
		for (int j = i; j < n; j++) {
			const struct vb_rec *x = &r[j];
			double least;

			if (!vb_same_run(&x->id, &r[i].id) || strcmp(x->status, "ok"))
				continue;
			has_ok = 1;
			least = x->vm_value[0];
			for (int g = 1; g < x->nvm; g++)
				least = x->vm_value[g] < least ? x->vm_value[g] : least;
			cell_add(c, x->value, x->fairness, x->steal_pct, least * x->nvm);
			break;
		}
		c->failed += !has_ok;
	}
	if (bad)
		fprintf(stderr, "vbench: %d malformed lines in %s skipped\n", bad, path);
	qsort(t->c, t->n, sizeof(t->c[0]), cmp_cell);
	t->base = -1;
	for (int m = 0; m < t->nnames; m++)
		if (!strcmp(t->names[m], baseline && *baseline ? baseline : "pvqspinlock"))
			t->base = m;
	if (t->base < 0 && baseline && *baseline) {
		fprintf(stderr, "vbench: baseline %s has no runs in %s\n", baseline, dir);
		return -1;
	}
	if (t->base < 0 && t->nnames)
		t->base = 0;
	for (int i = 0; i < t->n; i++) {
		struct cell *c = &t->c[i];
		struct pairs p;

		c->pr = vb_paired_ratio(NULL, 0);
		if (t->base >= 0 && c->mode != t->base) {
			pair_up(t->r, t->nr, t->ok, t->nok, &c->pt, t->names[c->mode],
				t->names[t->base], t->l1_quiet, &p);
			c->pr = vb_paired_ratio(p.r, p.n);
			c->unpaired = p.unpaired;
			c->busy = p.busy;
		}
		cell_variation(t, c);
		cell_rates(t, c);
	}
	return 0;
}

static void free_table(struct table *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->c[i].v), free(t->c[i].fair), free(t->c[i].steal), free(t->c[i].least);
	free(t->c);
	free(t->ok);
	free(t->r);
}

static double median_of(const double *x, int n)
{
	double *y = malloc((n ? n : 1) * sizeof(double));
	int k = 0;
	double m;

	if (!y)
		die("out of memory");
	for (int i = 0; i < n; i++)
		if (!isnan(x[i]))
			y[k++] = x[i];
	m = vb_median(y, k);
	free(y);
	return m;
}

/* the cell of mode @mode at @pt's point, but with @vms guests */
static struct cell *find_cell(struct table *t, const struct vb_runid *pt, int mode, int vms)
{
	struct vb_runid want = *pt;

	want.vms = vms;
	for (int i = 0; i < t->n; i++)
		if (t->c[i].mode == mode && vb_same_point(&t->c[i].pt, &want))
			return &t->c[i];
	return NULL;
}

/* unpaired: median over the baseline's median */
static double ratio(struct table *t, struct cell *c)
{
	struct cell *b = t->base >= 0 ? find_cell(t, &c->pt, t->base, c->pt.vms) : NULL;

	return b && b->n && c->n ? vb_median(c->v, c->n) / vb_median(b->v, b->n) : NAN;
}

/*
 * M guests: median over runs of (least-served guest x M), over the median
 * of one guest alone at the same vCPUs and mode.
 */
static double share(struct table *t, struct cell *c)
{
	struct cell *a = c->pt.vms > 1 ? find_cell(t, &c->pt, c->mode, 1) : NULL;

	return a && a->n && c->n ? vb_median(c->least, c->n) / vb_median(a->v, a->n) : NAN;
}

/*
 * The verdict on a paired ratio: FASTER or SLOWER when its CI excludes 1,
 * "same" when the CI lies within +-@eq of the ratio, else undecided.
 */
static const char *verdict(const struct vb_ratio *q, double eq)
{
	static char buf[40];

	if (q->n < 2)
		return "too few pairs";
	if (q->lo > 1)
		return "FASTER";
	if (q->hi < 1)
		return "SLOWER";
	/* equivalence: the whole CI inside [1/(1+eq), 1+eq], not just narrow */
	if (q->lo >= 1 / (1 + eq) && q->hi <= 1 + eq) {
		snprintf(buf, sizeof(buf), "same within %.0f%%", 100 * eq);
		return buf;
	}
	return "undecided";
}

static const char *unit_of(const char *wl)
{
	const struct vb_workload *w = vb_workload(wl);

	return w ? w->unit : "?";
}

static int plot(struct table *t, const char *wl, int kind, char *png, size_t len);
/* every record of @t as CSV, the metrics as columns (union over records) */
static void results_csv(struct table *t)
{
	char path[1200], (*names)[48] = NULL;
	int n = t->nr, nn = 0;
	struct vb_rec *r = t->r;
	FILE *f;

	names = calloc((size_t)n * VB_MAX_METRICS + 1, sizeof(*names));
	if (!names)
		die("out of memory");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < r[i].nmetrics; k++) {
			int j;

			for (j = 0; j < nn && strcmp(names[j], r[i].m[k].name); j++)
				;
			if (j == nn)
				snprintf(names[nn++], sizeof(names[0]), "%s", r[i].m[k].name);
		}
	snprintf(path, sizeof(path), "%s/results.csv", t->dir);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	fprintf(f, "workload,mode,host_module,vcpus,vms,l2_vcpus,size,intervals,warmup,rep,"
		"attempt,status,why,unit,value,vm_values,interval_values,fairness,steal_pct,"
		"kernel,git,testbed,l1_host,l1_load,pinned,time,boot,secs");
	for (int j = 0; j < nn; j++)
		fprintf(f, ",%s", names[j]);
	fputc('\n', f);
	for (int i = 0; i < n; i++) {
		struct vb_rec *x = &r[i];
		char why[sizeof(x->why)];

		snprintf(why, sizeof(why), "%s", x->why);
		for (char *q = why; *q; q++)
			if (*q == '"')
				*q = '\'';
		fprintf(f, "%s,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,\"%s\",%s,%.6g,\"",
			x->id.workload, x->id.mode, x->host, x->id.vcpus, x->id.vms,
			x->id.l2_vcpus, x->id.size, x->id.intervals, x->id.warmup, x->id.rep,
			x->attempt, x->status, why, x->unit, x->value);
		for (int g = 0; g < x->nvm; g++)
			fprintf(f, "%s%.6g", g ? " " : "", x->vm_value[g]);
		fprintf(f, "\",\"");
		for (int k = 0; k < x->niv; k++)
			fprintf(f, "%s%.6g", k ? " " : "", x->iv[k]);
		fprintf(f, "\",%.6g,%.4g,%s,%s,%s,%s,%.2f,%d,%s,%d,%.1f", x->fairness,
			x->steal_pct, x->kernel, x->git, x->testbed, x->l1_host, x->l1_load,
			x->pinned, x->time, x->boot, x->secs);
		for (int j = 0; j < nn; j++) {
			double v = vb_metric_get(x, names[j]);

			if (isnan(v))
				fputc(',', f);
			else
				fprintf(f, ",%.0f", v);
		}
		fputc('\n', f);
	}
	fclose(f);
	free(names);
}

static double overcommit(const struct vb_runid *pt)
{
	return (double)pt->vcpus * pt->vms / pt->l2_vcpus;
}

/* the paired table: every mode but the baseline, with its verdict */
static void report_paired(struct table *t, double eq)
{
	int reached = 0, points = 0, unpaired = 0, busy = 0;
	char missed[600] = "";

	printf("\nPaired ratios to %s: each repetition's run over the %s run of the same\n"
	       "repetition and point in the same level-2 boot; geometric mean, 95%% CI\n"
	       "(Student t on the log ratios)\n\n", t->names[t->base], t->names[t->base]);
	printf("%-14s %5s %3s %5s %-17s %5s %6s %15s %7s %4s %4s  %s\n", "workload", "vCPUs",
	       "VMs", "o/c", "mode", "pairs", "ratio", "95% CI", "+-CI", "unpr", "busy",
	       "verdict");
	for (int i = 0; i < t->n; i++) {
		struct cell *c = &t->c[i];
		char ci[40] = "-";
		int first = 1;

		for (int j = 0; j < i && first; j++)
			if (vb_same_point(&t->c[j].pt, &c->pt))
				first = 0;
		if (first && t->precision > 0) {
			int ok = 1;

			points++;
			for (int j = i; j < t->n; j++)
				if (vb_same_point(&t->c[j].pt, &c->pt) && t->c[j].mode != t->base &&
				    !(t->c[j].pr.hw <= t->precision))
					ok = 0;
			if (ok) {
				reached++;
			} else {
				snprintf(missed + strlen(missed), sizeof(missed) - strlen(missed),
					 "%s%s/v%d/m%d", missed[0] ? ", " : "", c->pt.workload,
					 c->pt.vcpus, c->pt.vms);
			}
		}
		if (c->mode == t->base)
			continue;
		if (c->pr.n >= 2)
			snprintf(ci, sizeof(ci), "[%.3f, %.3f]", c->pr.lo, c->pr.hi);
		printf("%-14s %5d %3d %4.1fx %-17s %5d %6.3f %15s %6.1f%% %4d %4d  %s\n",
		       c->pt.workload, c->pt.vcpus, c->pt.vms, overcommit(&c->pt),
		       t->names[c->mode], c->pr.n, c->pr.gmean, ci, 100 * c->pr.hw,
		       c->unpaired, c->busy, verdict(&c->pr, eq));
		unpaired += c->unpaired;
		busy += c->busy;
	}
	printf("\nverdict: FASTER/SLOWER: the CI excludes 1; same within X%%: the CI covers 1\n"
	       "         and is at most +-X%% wide; undecided: neither\n");
	if (unpaired)
		printf("unpr: %d ok runs could not be paired: their %s run of the same\n"
		       "      repetition failed or ran in another level-2 boot\n", unpaired,
		       t->names[t->base]);
	if (busy)
		printf("busy: %d pairs not counted: level 1 ran more than %g CPUs besides\n"
		       "      level 2 during one of their runs (l1-quiet)\n", busy, t->l1_quiet);
	if (t->precision > 0)
		printf("precision +-%.0f%%: reached at %d of %d points%s%s\n",
		       100 * t->precision, reached, points, missed[0] ? "; not at: " : "",
		       missed);
}

/* within-run against between-run variation, where runs had intervals */
static void report_variation(struct table *t)
{
	int any = 0;

	for (int i = 0; i < t->n; i++) {
		struct cell *c = &t->c[i];
		const struct vb_variation *v = &c->var;

		if (isnan(v->within) || isnan(v->between))
			continue;
		if (!any++)
			printf("\nVariation (coefficients of variation, %% of the mean): within a\n"
			       "run between its intervals; between runs of their means; what\n"
			       "between would be from within-run noise alone (within/sqrt(k)),\n"
			       "and the run-to-run part beyond it\n\n"
			       "%-14s %5s %3s %-17s %4s %3s %7s %8s %9s %8s  %s\n",
			       "workload", "vCPUs", "VMs", "mode", "runs", "k", "within",
			       "between", "expected", "run2run", "dominates");
		printf("%-14s %5d %3d %-17s %4d %3d %6.1f%% %7.1f%% %8.1f%% %7.1f%%  %s\n",
		       c->pt.workload, c->pt.vcpus, c->pt.vms, t->names[c->mode], v->runs,
		       v->k, 100 * v->within, 100 * v->between, 100 * v->expected,
		       100 * v->boot, v->boot > v->expected ? "between runs" : "within runs");
	}
}

/* lock events and KVM exits per guest-second, where counted */
static void report_rates(struct table *t)
{
	int any = 0;

	for (int i = 0; i < t->n; i++) {
		struct cell *c = &t->c[i];

		if (isnan(c->rate[0]) && isnan(c->rate[2]))
			continue;
		if (!any++)
			printf("\nEvents per guest-second (medians; lock events: slow paths\n"
			       "and halts in them, o-ticket's or qspinlock's, with\n"
			       "CONFIG_LOCK_EVENT_COUNTS; KVM: level 2's counters, guest boot\n"
			       "included)\n\n%-14s %5s %3s %-17s %10s %10s %10s %10s\n",
			       "workload", "vCPUs", "VMs", "mode", "slowpath", "wait",
			       "halt_exits", "exits");
		printf("%-14s %5d %3d %-17s %10.4g %10.4g %10.4g %10.4g\n", c->pt.workload,
		       c->pt.vcpus, c->pt.vms, t->names[c->mode], c->rate[0], c->rate[1],
		       c->rate[2], c->rate[3]);
	}
}

/* how busy level 1 was besides level 2: a noise source of its own */
static void report_l1(struct table *t)
{
	double *x = malloc((t->nok + 1) * sizeof(*x)), hi = 0;
	int n = 0, pinned = 0;

	if (!x)
		die("out of memory");
	for (int i = 0; i < t->nok; i++) {
		if (!isnan(t->ok[i]->l1_load)) {
			x[n++] = t->ok[i]->l1_load;
			hi = t->ok[i]->l1_load > hi ? t->ok[i]->l1_load : hi;
		}
		pinned += t->ok[i]->pinned;
	}
	if (n)
		printf("\nlevel 1 besides level 2: %.2f CPUs busy (median of %d runs, most "
		       "%.2f)%s\n", vb_median(x, n), n, hi,
		       pinned ? "; level 2's vCPU threads pinned" : "");
	free(x);
}

static int report(const char *dir, const char *baseline)
{
	struct table t;
	char path[1200];
	FILE *csv;
	int failed = 0, plots = 0;
	char pngs[1600] = "";
	double eq;

	if (load_table(dir, &t, baseline))
		return 2;
	if (!t.n) {
		fprintf(stderr, "vbench: %s: no runs recorded\n", dir);
		return 1;
	}
	eq = t.precision > 0 ? t.precision : 0.05;
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	csv = fopen(path, "w");
	if (!csv)
		die("cannot write %s", path);
	fprintf(csv, "workload,unit,vcpus,vms,l2_vcpus,size,intervals,warmup,overcommit,mode,"
		"n,failed,median,mean,ci95,min,max,ratio,fairness,share,steal_pct,pairs,"
		"paired_ratio,paired_lo,paired_hi,paired_hw,unpaired,verdict,within_cv,"
		"between_cv\n");
	printf("\n%-14s %5s %3s %5s %-17s %2s %12s %11s %6s %7s %6s %6s %4s\n",
	       "workload", "vCPUs", "VMs", "o/c", "mode", "n", "median", "+-95%CI",
	       "ratio", "max/min", "share", "steal%", "fail");
	for (int i = 0; i < t.n; i++) {
		struct cell *c = &t.c[i];
		struct vb_summary s = vb_summarize(c->v, c->n);
		double oc = overcommit(&c->pt);
		double fair = median_of(c->fair, c->n), sh = share(&t, c);
		double steal = median_of(c->steal, c->n), rt = ratio(&t, c);

		if (i && !vb_same_point(&c->pt, &t.c[i - 1].pt))
			printf("\n");
		printf("%-14s %5d %3d %4.1fx %-17s %2d %12.4g %11.3g %6.2f %7.2f %6.2f %6.1f %4d\n",
		       c->pt.workload, c->pt.vcpus, c->pt.vms, oc, t.names[c->mode], s.n,
		       s.median, s.ci95, rt, fair, sh, steal, c->failed);
		fprintf(csv, "%s,%s,%d,%d,%d,%d,%d,%d,%.2f,%s,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,"
			"%.4f,%.4f,%.4f,%.2f,%d,%.4f,%.4f,%.4f,%.4f,%d,%s,%.4f,%.4f\n",
			c->pt.workload, unit_of(c->pt.workload), c->pt.vcpus, c->pt.vms,
			c->pt.l2_vcpus, c->pt.size, c->pt.intervals, c->pt.warmup, oc,
			t.names[c->mode], s.n, c->failed, s.median, s.mean, s.ci95, s.min,
			s.max, rt, fair, sh, steal, c->pr.n, c->pr.gmean, c->pr.lo, c->pr.hi,
			c->pr.hw, c->unpaired, c->mode == t.base ? "baseline" :
			verdict(&c->pr, eq), c->var.within, c->var.between);
		failed += c->failed;
	}
	fclose(csv);
	results_csv(&t);
	printf("\nmedian: of the counted runs, in the workload's unit (");
	for (int i = 0; i < t.n; i++)
		if (!i || strcmp(t.c[i].pt.workload, t.c[i - 1].pt.workload))
			printf("%s%s %s", i ? ", " : "", t.c[i].pt.workload,
			       unit_of(t.c[i].pt.workload));
	printf(")\n+-95%%CI: half-width of the Student-t interval of the mean\n"
	       "ratio: median / %s's median at the same point (unpaired)\n"
	       "max/min: most / fewest acquisitions of one locktorture writer or lockmix\n"
	       "         vCPU (sim), or of one guest when several run at once; median\n"
	       "         over runs; inf: the least served did nothing\n"
	       "share: M guests at once: the least-served guest's result x M / one guest\n"
	       "       alone (same mode and vCPUs); 1 = fair\n"
	       "fail: runs without a result (results.jsonl says why)\n",
	       t.base >= 0 ? t.names[t.base] : "?");
	if (t.nnames > 1)
		report_paired(&t, eq);
	report_variation(&t);
	report_rates(&t);
	report_l1(&t);
	/* plots */
	for (int i = 0; i < t.n; i++) {
		if (i && !strcmp(t.c[i].pt.workload, t.c[i - 1].pt.workload))
			continue;
		for (int kind = 0; kind < 3; kind++) {
			char png[1300];
			int rc = plot(&t, t.c[i].pt.workload, kind, png, sizeof(png));

			if (rc < 0)
				return 2;
			if (rc > 0) {
				plots++;
				snprintf(pngs + strlen(pngs), sizeof(pngs) - strlen(pngs), " %s",
					 strrchr(png, '/') + 1);
			}
		}
	}
	printf("\nvbench: %s/summary.csv, results.csv; plots in %s/plots:%s\n", dir, dir,
	       pngs);
	free_table(&t);
	return failed ? 1 : 0;
}

/*
 * One PNG of workload @wl: kind 0 throughput vs vCPUs (one guest), 1 ratio
 * to the baseline vs vCPUs, 2 per-guest share vs guests at once.  1 if
 * written, 0 if there is nothing to plot, -1 if gnuplot failed.  Bars:
 * the 95% CI of the mean throughput, of the paired ratio.
 */
static int plot(struct table *t, const char *wl, int kind, char *png, size_t len)
{
	static const char *const what[] = { "throughput", "ratio", "share" };
	char dat[1300], gp[1300], cmd[2800];
	FILE *d, *g;
	int series = 0, any;

	snprintf(cmd, sizeof(cmd), "%s/plots", t->dir);
	if (tb_mkdir_p(cmd))
		die("cannot create %s", cmd);
	snprintf(dat, sizeof(dat), "%s/plots/%s-%s.dat", t->dir, wl, what[kind]);
	snprintf(gp, sizeof(gp), "%s/plots/%s-%s.gp", t->dir, wl, what[kind]);
	snprintf(png, len, "%s/plots/%s-%s.png", t->dir, wl, what[kind]);
	d = fopen(dat, "w");
	g = fopen(gp, "w");
	if (!d || !g)
		die("cannot write %s", dat);
	fprintf(g, "set terminal pngcairo size 900,560 noenhanced\nset output '%s'\n"
		"set key outside right\nset grid\nset logscale x 2\nset yrange [0:*]\n"
		"# keep the end points' error bars off the border\n"
		"set offsets graph 0.06, graph 0.06, 0, 0\n", png);
	if (kind == 0)
		fprintf(g, "set title '%s: mean %s, one guest (bars: 95%% CI of the mean)'\n"
			"set xlabel 'vCPUs per guest'\nset ylabel '%s'\n", wl, unit_of(wl),
			unit_of(wl));
	else if (kind == 1)
		fprintf(g, "set title '%s: paired ratio to %s, one guest (bars: 95%% CI)'\n"
			"set xlabel 'vCPUs per guest'\nset ylabel 'geometric mean of the "
			"per-repetition ratios'\n", wl, t->base >= 0 ? t->names[t->base] : "?");
	else
		fprintf(g, "set title '%s: per-guest share, M guests at once (1 = fair)'\n"
			"set xlabel 'guests at once'\nset ylabel 'least-served x M / alone'\n",
			wl);
	fprintf(g, "plot");
	for (int m = 0; m < t->nnames; m++) {
		/* kind 2: one series per mode and vCPUs */
		int vlist[64], nv = 0;

		if (kind == 1 && m == t->base)
			continue;
		for (int i = 0; i < t->n; i++) {
			struct cell *c = &t->c[i];
			int k;

			if (c->mode != m || strcmp(c->pt.workload, wl))
				continue;
			for (k = 0; k < nv && vlist[k] != c->pt.vcpus; k++)
				;
			if (k == nv && nv < 64)
				vlist[nv++] = c->pt.vcpus;
		}
		for (int k = 0; k < (kind == 2 ? nv : 1); k++) {
			any = 0;
			for (int i = 0; i < t->n; i++) {
				struct cell *c = &t->c[i];
				struct vb_summary s;
				double y, lo, hi;

				if (c->mode != m || strcmp(c->pt.workload, wl) || !c->n)
					continue;
				if (kind < 2 && c->pt.vms != 1)
					continue;
				if (kind == 2 && (c->pt.vcpus != vlist[k] || c->pt.vms < 2))
					continue;
				s = vb_summarize(c->v, c->n);
				if (kind == 0) {
					y = s.mean;
					lo = s.mean - s.ci95;
					hi = s.mean + s.ci95;
				} else if (kind == 1) {
					y = c->pr.gmean;
					lo = c->pr.lo;
					hi = c->pr.hi;
				} else {
					y = lo = hi = share(t, c);
				}
				if (isnan(y))
					continue;
				/* one run or one pair: no interval */
				if (isnan(lo) || isnan(hi))
					lo = hi = y;
				fprintf(d, "%d %g %g %g\n", kind == 2 ? c->pt.vms : c->pt.vcpus, y,
					lo, hi);
				any++;
			}
			if (!any)
				continue;
			fprintf(d, "\n\n");
			if (kind == 2)
				fprintf(g, "%s '%s' index %d using 1:2 with linespoints title "
					"'%s %d vCPUs'", series ? "," : "", dat, series,
					t->names[m], vlist[k]);
			else
				fprintf(g, "%s '%s' index %d using 1:2:3:4 with yerrorlines "
					"title '%s'", series ? "," : "", dat, series, t->names[m]);
			series++;
		}
	}
	if (kind == 1 && series)
		fprintf(g, ", 1 with lines dashtype 2 linecolor 'gray' notitle");
	fprintf(g, "\n");
	fclose(d);
	fclose(g);
	if (!series) {
		unlink(dat);
		unlink(gp);
		return 0;
	}
	/* gnuplot warns about one-point ranges: keep its chatter in a log */
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' >'%s.log' 2>&1", gp, gp);
	if (tb_system(cmd)) {
		fprintf(stderr, "vbench: gnuplot failed on %s, see %s.log (is gnuplot "
			"installed? make deps)\n", gp, gp);
		return -1;
	}
	return 1;
}

/* ------------------------------------------------------------------------
 * Compare
 *
 * Per point and mode of both directories.  A mode with pairs on both
 * sides: Welch's t test of B's log paired ratios against A's (the ratio
 * to the baseline moved); drift of the testbed between the two sweeps
 * cancels.  The baseline itself, and modes without pairs: a two-sided
 * Mann-Whitney U test of the values.
 */
static double log_pairs(const struct table *t, const struct cell *c, double *l)
{
	struct pairs p;

	pair_up(t->r, t->nr, t->ok, t->nok, &c->pt, t->names[c->mode], t->names[t->base],
		t->l1_quiet, &p);
	for (int i = 0; i < p.n; i++)
		l[i] = log(p.r[i]);
	return p.n;
}

/* One point and mode of compare(), before Holm's adjustment. */
struct cmp_row {
	const struct cell *x;
	const char *test;
	int na, nb, few;
	double va, vb, chg, p, ci;
	double pmin;		/* the smallest p its test can give */
};

static int compare(const char *a, const char *b, const char *base, double alpha,
		   double threshold)
{
	struct table ta, tb;
	int faster = 0, slower = 0, same = 0, undecided = 0, common = 0, fam, tk;
	struct cmp_row *rows;
	double *p;

	if (load_table(a, &ta, base))
		return 2;
	if (ta.base < 0) {
		fprintf(stderr, "vbench: %s: no runs recorded\n", a);
		return 2;
	}
	if (load_table(b, &tb, base ? base : ta.names[ta.base]))
		return 2;
	if (ta.sim != tb.sim) {
		fprintf(stderr, "vbench: %s is from the %s testbed and %s from %s: a simulated "
			"result is not evidence about a measured one, nor the reverse\n", a,
			ta.sim ? "sim" : "a real", b, tb.sim ? "the sim testbed" : "a real one");
		return 2;
	}
	rows = calloc(ta.n + 1, sizeof(*rows));
	p = calloc(ta.n + 1, sizeof(*p));
	if (!rows || !p)
		exit(2);
	for (int i = 0; i < ta.n; i++) {
		struct cell *x = &ta.c[i], *y = NULL;
		struct cmp_row *r = &rows[common];
		double la[sizeof(((struct pairs *)0)->r) / sizeof(double)];
		double lb[sizeof(la) / sizeof(la[0])], d, lo, hi;

		for (int j = 0; j < tb.n; j++)
			if (vb_same_point(&tb.c[j].pt, &x->pt) &&
			    !strcmp(tb.names[tb.c[j].mode], ta.names[x->mode]))
				y = &tb.c[j];
		if (!y || !x->n || !y->n)
			continue;
		r->x = x;
		r->ci = NAN;
		if (x->mode != ta.base && y->pr.n > 0 && x->pr.n > 0) {
			r->na = log_pairs(&ta, x, la);
			r->nb = log_pairs(&tb, y, lb);
			r->p = vb_welch(la, r->na, lb, r->nb, alpha, &d, &lo, &hi);
			r->va = x->pr.gmean;
			r->vb = y->pr.gmean;
			r->chg = expm1(d);
			r->ci = expm1((hi - lo) / 2);
			r->few = r->na < 2 || r->nb < 2;
			r->pmin = 0;
			r->test = "t-pair";
		} else {
			r->na = x->n;
			r->nb = y->n;
			r->p = vb_mann_whitney(x->v, x->n, y->v, y->n, NULL);
			r->va = vb_median(x->v, x->n);
			r->vb = vb_median(y->v, y->n);
			r->chg = r->vb / r->va - 1;
			r->pmin = vb_mw_min_p(x->n, y->n);
			r->few = r->pmin > alpha;
			r->test = "U";
		}
		common++;
	}
	if (!common) {
		fprintf(stderr, "vbench: %s and %s have no point and mode in common\n", a, b);
		free(rows);
		free(p);
		free_table(&ta);
		free_table(&tb);
		return 2;
	}
	/*
	 * The family (Tarone): the smallest K such that at most K rows have
	 * a test that can reach alpha / K at all; those rows.  A Mann-Whitney
	 * row of few runs cannot, and would only dilute the others.
	 */
	for (tk = 1; tk <= common; tk++) {
		int m = 0;

		for (int i = 0; i < common; i++)
			m += !rows[i].few && rows[i].pmin <= alpha / tk;
		if (m > tk)
			continue;
		for (int i = 0; i < common; i++)
			rows[i].few |= rows[i].pmin > alpha / tk;
		break;
	}
	for (int i = 0; i < common; i++)
		p[i] = rows[i].few ? NAN : rows[i].p;
	/* many points and modes at once: Holm keeps the family's error at alpha */
	fam = vb_holm(p, common, p);
	if (fam < 0)
		exit(2);
	printf("%-14s %5s %3s %-17s %3s %3s %12s %12s %8s %8s %8s %6s %6s  %s\n", "workload",
	       "vCPUs", "VMs", "mode", "nA", "nB", "A", "B", "change", "p", "p-Holm", "test",
	       "CI", "verdict");
	for (int i = 0; i < common; i++) {
		struct cmp_row *r = &rows[i];
		const char *verdict;
		char cis[16] = "-";

		if (r->few) {
			verdict = "too few runs to tell";
			undecided++;
		} else if (p[i] <= alpha && fabs(r->chg) >= threshold) {
			verdict = r->chg > 0 ? "FASTER" : "SLOWER";
			if (r->chg > 0)
				faster++;
			else
				slower++;
		} else {
			verdict = "within noise";
			same++;
		}
		if (!isnan(r->ci))
			snprintf(cis, sizeof(cis), "%.1f%%", 100 * r->ci);
		printf("%-14s %5d %3d %-17s %3d %3d %12.4g %12.4g %+7.1f%% %8.3g %8.3g %6s "
		       "%6s  %s\n", r->x->pt.workload, r->x->pt.vcpus, r->x->pt.vms,
		       ta.names[r->x->mode], r->na, r->nb, r->va, r->vb, 100 * r->chg, r->p,
		       p[i], r->test, cis, verdict);
	}
	printf("\nA, B: paired ratio to %s (geometric mean; test t-pair: Welch's t on the\n"
	       "log ratios, CI: +-half-width of the change's 95%% CI), or the median value\n"
	       "(test U: two-sided Mann-Whitney; the baseline and unpaired modes); nA, nB:\n"
	       "pairs or runs; p-Holm: p adjusted for the %d rows that can decide (Holm),\n"
	       "which the verdict uses; a row whose smallest possible p exceeds alpha/%d\n"
	       "(Tarone's family: the smallest K with at most K rows able to reach\n"
	       "alpha/K) is \"too few runs\"; CI: unadjusted 95%%\n",
	       ta.names[ta.base], fam, tk);
	printf("compare: %d faster, %d slower, %d within noise, %d too few runs "
	       "(alpha %.3g, change >= %.0f%%)\n", faster, slower, same, undecided, alpha,
	       100 * threshold);
	free(rows);
	free(p);
	free_table(&ta);
	free_table(&tb);
	return slower ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Merge: shard directories, from one host or many, into one
 */
static char *conf_without_shard(const char *dir)
{
	char path[1200], *s, *p;

	snprintf(path, sizeof(path), "%s/sweep.conf", dir);
	s = tb_read_file(path, NULL);
	if (!s)
		die("%s: no sweep.conf (not a vbench sweep directory)", dir);
	p = strstr(s, "\nshard = ");
	if (p) {
		char *eol = strchr(p + 1, '\n');

		memmove(p + 1, eol ? eol + 1 : p + strlen(p), strlen(eol ? eol + 1 : "") + 1);
	}
	return s;
}

/* every record must agree on @what (a string field at offset @off) */
static int same_field(struct vb_rec *r, int n, size_t off, const char *what,
		      const char *const *dirs, const int *from)
{
	const char *first = NULL;
	int fi = 0;

	for (int i = 0; i < n; i++) {
		const char *v = (const char *)&r[i] + off;

		if (!*v || strcmp(r[i].status, "ok"))
			continue;
		if (!first) {
			first = v;
			fi = i;
		} else if (strcmp(first, v)) {
			fprintf(stderr, "vbench: merge: %s differs: \"%s\" in %s, \"%s\" in %s\n",
				what, first, dirs[from[fi]], v, dirs[from[i]]);
			return -1;
		}
	}
	return 0;
}

static int merge(const char *out, const char *const *dirs, int ndirs, int force)
{
	struct vb_rec *all = NULL;
	int nall = 0, *from = NULL, boot0 = 0, bad = 0, nshards = 0, seen[1001] = { 0 };
	char *conf0 = NULL, path[1200];
	FILE *f;

	for (int d = 0; d < ndirs; d++) {
		char *conf = conf_without_shard(dirs[d]);
		struct cfg dc;
		struct vb_rec *r;
		int n, nb, maxboot = 0;

		dir_cfg(dirs[d], &dc);
		if (dc.nshards) {
			if (nshards && dc.nshards != nshards)
				die("merge: %s is a shard of %d, the others of %d", dirs[d],
				    dc.nshards, nshards);
			nshards = dc.nshards;
			if (seen[dc.shard]++)
				die("merge: shard %d/%d given twice (%s)", dc.shard, nshards,
				    dirs[d]);
		}
		if (!conf0) {
			conf0 = conf;
		} else {
			if (strcmp(conf0, conf)) {
				fprintf(stderr, "vbench: merge: %s/sweep.conf differs from %s's\n",
					dirs[d], dirs[0]);
				bad++;
			}
			free(conf);
		}
		snprintf(path, sizeof(path), "%s/results.jsonl", dirs[d]);
		r = vb_load(path, &n, &nb);
		if (!r || nb)
			die("merge: %s unreadable or has malformed lines", path);
		all = realloc(all, (nall + n + 1) * sizeof(*all));
		from = realloc(from, (nall + n + 1) * sizeof(*from));
		if (!all || !from)
			die("out of memory");
		for (int i = 0; i < n; i++) {
			/* pairs are per boot: keep boots of different shards apart */
			if (r[i].boot > maxboot)
				maxboot = r[i].boot;
			r[i].boot += boot0;
			for (int j = 0; j < nall; j++)
				if (from[j] != d && vb_same_run(&all[j].id, &r[i].id))
					die("merge: run %s/r%d of %s is also in %s: the "
					    "directories overlap", r[i].id.mode, r[i].id.rep,
					    dirs[d], dirs[from[j]]);
			from[nall] = d;
			all[nall++] = r[i];
		}
		boot0 += maxboot;
		free(r);
	}
	for (int k = 1; nshards && k <= nshards; k++)
		if (!seen[k]) {
			fprintf(stderr, "vbench: merge: shard %d/%d is missing\n", k, nshards);
			bad++;
		}
	bad -= same_field(all, nall, offsetof(struct vb_rec, kernel), "kernel", dirs, from);
	bad -= same_field(all, nall, offsetof(struct vb_rec, base), "base tree", dirs, from);
	bad -= same_field(all, nall, offsetof(struct vb_rec, git), "git revision", dirs, from);
	bad -= same_field(all, nall, offsetof(struct vb_rec, testbed), "testbed", dirs, from);
	if (bad && !force)
		die("merge: refused (%d differences above); --force merges anyway", bad);
	if (tb_mkdir_p(out))
		die("cannot create %s", out);
	snprintf(path, sizeof(path), "%s/results.jsonl", out);
	if (!access(path, F_OK))
		die("merge: %s exists; merge into a new directory", path);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	for (int i = 0; i < nall; i++)
		vb_rec_write(f, &all[i]);
	if (fclose(f))
		die("cannot write %s", path);
	snprintf(path, sizeof(path), "%s/sweep.conf", out);
	if (tb_write_file(path, conf0, strlen(conf0)))
		die("cannot write %s", path);
	printf("vbench: merged %d records of %d directories into %s%s\n", nall, ndirs, out,
	       bad ? " (forced)" : "");
	free(conf0);
	free(all);
	free(from);
	return 0;
}

static void default_out(char *out, size_t len, const char *build)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, len, "%s/vbench/%04d%02d%02d-%02d%02d%02d", build, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int sweep_and_report(struct cfg *c, char *out, size_t len, const char *top,
			    const char *build)
{
	int rc;

	cfg_defaults(c);
	if (!out[0])
		default_out(out, len, build);
	rc = sweep(c, out, top, build);
	if (rc == 130)
		return rc;
	return report(out, c->baseline) || rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char out[1024] = "", top[1024], conf[1200];
	struct cfg c = { .retries = -1, .intervals = -1, .warmup = -1 };
	const char *verb = argc > 1 ? argv[1] : "";
	int i, given = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!getcwd(top, sizeof(top)))
		return 2;
	if (!strcmp(verb, "report")) {
		const char *base = NULL;

		for (i = 2; i < argc - 1; i++) {
			if (!strcmp(argv[i], "--baseline") && i + 1 < argc - 1)
				base = argv[++i];
			else
				usage();
		}
		if (i != argc - 1)
			usage();
		return report(argv[argc - 1], base);
	}
	if (!strcmp(verb, "compare")) {
		double alpha = 0.05, thr = 0.02;
		const char *base = NULL;

		for (i = 2; i < argc - 2; i++) {
			if (!strcmp(argv[i], "--alpha") && i + 1 < argc - 2)
				alpha = parse_real("--alpha", argv[++i], 1e-6, 0.5);
			else if (!strcmp(argv[i], "--threshold") && i + 1 < argc - 2)
				thr = parse_real("--threshold", argv[++i], 0, 10);
			else if (!strcmp(argv[i], "--baseline") && i + 1 < argc - 2)
				base = argv[++i];
			else
				usage();
		}
		if (argc < 4 || i != argc - 2)
			usage();
		return compare(argv[argc - 2], argv[argc - 1], base, alpha, thr);
	}
	if (!strcmp(verb, "merge")) {
		int force = argc > 2 && !strcmp(argv[2], "--force");

		if (argc < 4 + force)
			usage();
		return merge(argv[2 + force], (const char *const *)argv + 3 + force,
			     argc - 3 - force, force);
	}
	if (!strcmp(verb, "run")) {
		int host = 0, rep = 0;
		const char *mode = NULL, *wl = NULL, *size = NULL;
		char name[40];

		for (i = 2; i < argc; i++) {
			const char *a = argv[i];

			if (!strcmp(a, "--host")) {
				host = 1;
				continue;
			}
			if (i + 1 >= argc)
				usage();
			if (!strcmp(a, "--mode"))
				mode = argv[++i];
			else if (!strcmp(a, "--workload"))
				wl = argv[++i];
			else if (!strcmp(a, "--rep"))
				rep = parse_num(a, argv[++i], 0, 1000);
			else if (!strcmp(a, "--out"))
				snprintf(out, sizeof(out), "%s", argv[++i]);
			else if (!strcmp(a, "--vcpus") || !strcmp(a, "--vms") ||
				 !strcmp(a, "--l2-vcpus") || !strcmp(a, "--testbed") ||
				 !strcmp(a, "--sim") || !strcmp(a, "--profile") ||
				 !strcmp(a, "--intervals") || !strcmp(a, "--warmup"))
				cfg_set(&c, a + 2, argv[++i]);
			else if (!strcmp(a, "--size"))
				size = argv[++i];
			else
				usage();
		}
		if (!mode || !wl)
			die("run: --mode and --workload are required");
		snprintf(name, sizeof(name), "%s%s", mode, host && !strstr(mode, "+host") ?
			 "+host" : "");
		cfg_set(&c, "modes", name);
		cfg_set(&c, "workloads", wl);
		if (c.nvcpus > 1 || c.nvms > 1)
			die("run: one point; use sweep for lists");
		if (size) {
			char s[64];

			snprintf(s, sizeof(s), "%s=%s", wl, size);
			cfg_set(&c, "size", s);
		}
		c.reps = 1;
		c.rep0 = rep;
		return sweep_and_report(&c, out, sizeof(out), top, build);
	}
	if (strcmp(verb, "sweep") && strcmp(verb, "plan"))
		usage();
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--", 2) || i + 1 >= argc)
			usage();
		if (!strcmp(a, "--out")) {
			snprintf(out, sizeof(out), "%s", argv[++i]);
			continue;
		}
		given++;
		if (!strcmp(a, "--config"))
			cfg_file(&c, argv[++i]);
		else
			cfg_set(&c, a + 2, argv[++i]);
	}
	if (!given && out[0]) {
		snprintf(conf, sizeof(conf), "%s/sweep.conf", out);
		if (!access(conf, R_OK)) {
			printf("vbench: resuming %s with its %s\n", out, conf);
			/* a sweep of schema 1: one interval, no warm-up */
			c.intervals = 1;
			c.warmup = 0;
			cfg_file(&c, conf);
		}
	}
	if (!strcmp(verb, "plan")) {
		char key[160];

		cfg_defaults(&c);
		make_plan(&c);
		for (i = 0; i < nplan; i++) {
			vb_run_key(&plan[i].id, key, sizeof(key));
			printf("%s%s\n", key, plan[i].optional ? " (while the CI is wider than "
			       "the precision)" : "");
		}
		return 0;
	}
	return sweep_and_report(&c, out, sizeof(out), top, build);
}
