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
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

struct cfg {
	int mode[NMODES], nmode;
	int wl[8], nwl;
	int vcpus[MAX_LIST], nvcpus;
	int vms[MAX_LIST], nvms;
	int size[8];		/* per workload, 0: default */
	int reps, rep0, l2_vcpus, retries;
	char baseline[32];
	/* testbed = sim: otsim runs the points (tools/sim/, sim.rst) */
	int sim, jobs;
	char profile[16];
	char sim_set[32][64];
	int nsim_set;
};

static const struct mode *find_mode(const char *name)
{
	for (int m = 0; m < NMODES; m++)
		if (!strcmp(modes[m].name, name))
			return &modes[m];
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
"usage: vbench sweep [--modes a,b] [--workloads w,...] [--vcpus 2,4,8]\n"
"                    [--vms 1,2,4] [--reps 3] [--l2-vcpus 2] [--size WL=N]...\n"
"                    [--retries 2] [--config FILE] [--out DIR]\n"
"                    [--testbed sim [--jobs 2] [--profile hw|testbed]\n"
"                     [--sim name=value]...]\n"
"       vbench run   --mode M [--host] --workload W [--vcpus N] [--vms N]\n"
"                    [--l2-vcpus N] [--size N] [--rep R] [--out DIR]\n"
"                    [--testbed sim [--profile P] [--sim name=value]...]\n"
"       vbench report [--baseline MODE] DIR\n"
"       vbench compare [--alpha 0.05] [--threshold 0.02] DIR_A DIR_B\n"
"A sweep given only --out DIR resumes DIR with the configuration it was\n"
"started with (DIR/sweep.conf).  A config file holds the same options as\n"
"\"name = value\" lines (modes = pvqspinlock,oticket).\n"
"modes (\"+host\": kvm_oticket loaded in level 2):");
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

static int mode_index(const char *name)
{
	const struct mode *m = find_mode(name);

	return m ? (int)(m - modes) : -1;
}

static int wl_index(const char *name)
{
	const struct vb_workload *w = vb_workload(name);

	return w ? (int)(w - vb_workloads) : -1;
}

/* one option of a sweep, from the command line or a config file */
static void cfg_set(struct cfg *c, const char *opt, const char *val)
{
	if (!strcmp(opt, "modes")) {
		name_list("--modes", val, c->mode, &c->nmode, NMODES, mode_index);
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
		if (!find_mode(val))
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
		if (sscanf(line, " %31[a-z0-9-] = %399s", key, val) != 2)
			die("%s:%d: not \"name = value\"", path, n);
		cfg_set(c, key, val);
	}
	fclose(f);
}

static void cfg_defaults(struct cfg *c)
{
	if (!c->nmode)
		for (int m = 0; m < NMODES; m++)
			if (modes[m].dflt)
				c->mode[c->nmode++] = m;
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
}

static void cfg_save(const struct cfg *c, const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# vbench sweep configuration; \"vbench sweep --out DIR\" resumes it\nmodes = ");
	for (i = 0; i < c->nmode; i++)
		fprintf(f, "%s%s", i ? "," : "", modes[c->mode[i]].name);
	fprintf(f, "\nworkloads = ");
	for (i = 0; i < c->nwl; i++)
		fprintf(f, "%s%s", i ? "," : "", vb_workloads[c->wl[i]].name);
	fprintf(f, "\nvcpus = ");
	for (i = 0; i < c->nvcpus; i++)
		fprintf(f, "%s%d", i ? "," : "", c->vcpus[i]);
	fprintf(f, "\nvms = ");
	for (i = 0; i < c->nvms; i++)
		fprintf(f, "%s%d", i ? "," : "", c->vms[i]);
	fprintf(f, "\nreps = %d\nl2-vcpus = %d\nretries = %d\n", c->reps, c->l2_vcpus,
		c->retries);
	for (i = 0; i < c->nwl; i++)
		fprintf(f, "size = %s=%d\n", vb_workloads[c->wl[i]].name, c->size[c->wl[i]]);
	if (c->baseline[0])
		fprintf(f, "baseline = %s\n", c->baseline);
	if (c->sim)
		fprintf(f, "testbed = sim\njobs = %d\nprofile = %s\n", c->jobs, c->profile);
	for (i = 0; i < c->nsim_set; i++)
		fprintf(f, "sim = %s\n", c->sim_set[i]);
	if (fclose(f))
		die("cannot write %s", path);
}

/* ------------------------------------------------------------------------
 * The plan and the level-2 script
 */
struct plan {
	struct vb_runid id;
	const struct mode *mode;
	int attempts;		/* recorded so far */
	int settled;
};

static struct plan *plan;
static int nplan;

static void make_plan(const struct cfg *c)
{
	nplan = 0;
	plan = calloc((size_t)c->reps * c->nwl * c->nvcpus * c->nvms * c->nmode,
		      sizeof(*plan));
	if (!plan)
		die("out of memory");
	for (int r = c->rep0; r < c->rep0 + c->reps; r++)
		for (int w = 0; w < c->nwl; w++)
			for (int v = 0; v < c->nvcpus; v++)
				for (int g = 0; g < c->nvms; g++)
					for (int k = 0; k < c->nmode; k++) {
						const struct mode *m =
							&modes[c->mode[(k + r) % c->nmode]];
						struct plan *p = &plan[nplan++];

						snprintf(p->id.workload, sizeof(p->id.workload),
							 "%s", vb_workloads[c->wl[w]].name);
						snprintf(p->id.mode, sizeof(p->id.mode), "%s",
							 m->name);
						p->id.vcpus = c->vcpus[v];
						p->id.vms = c->vms[g];
						p->id.l2_vcpus = c->l2_vcpus;
						p->id.size = c->size[c->wl[w]];
						p->id.rep = r;
						p->mode = m;
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
		*budget += run_budget(&p->id);
		fprintf(f, "echo \"@@RUN %d %d $(up)\"\n", todo[i], p->attempts + 1);
		if (p->mode->host)
			fprintf(f, "modprobe kvm_oticket && echo 1 > $kot/reset || "
				"echo 'otb: modprobe kvm_oticket failed'\n");
		fprintf(f, "kvmst_start\ntestbed guest --retries 0 --timeout %d",
			run_budget(&p->id));
		for (int g = 0; g < p->id.vms; g++) {
			fprintf(f, " \\\n  --vm %s --vcpus %d --mem %d %s%s --append '%s %s'"
				" --env VB_WL=%s --env VB_SIZE=%d",
				vm_name(p->mode->name, todo[i], g), p->id.vcpus,
				guest_mem(&p->id), *p->mode->cpu_flags ? "--cpu-flags " : "",
				p->mode->cpu_flags, p->mode->append,
				getenv("VB_L3_APPEND") ? getenv("VB_L3_APPEND") : "",
				w->name, p->id.size);
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
			"[ $rc = 4 ] && exit 4\n");
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
 * Running a sweep
 */
static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

struct boot {
	int no, done;		/* complete blocks recorded */
	char kernel[64], testbed[24];
	FILE *jsonl;
	int total, finished;	/* progress over the sweep: runs settled */
	int max_attempts;
	int finished0;		/* settled before this invocation */
	double t0;
	int ok, bad;
};

static void progress(struct boot *b, const struct vb_rec *r)
{
	char key[160];
	double el = tb_now() - b->t0;
	int left = b->total - b->finished;

	vb_run_key(&r->id, key, sizeof(key));
	printf("vbench: [%d/%d] %s #%d: %s", b->finished, b->total, key, r->attempt,
	       r->status);
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

	snprintf(r->kernel, sizeof(r->kernel), "%s", b->kernel);
	snprintf(r->testbed, sizeof(r->testbed), "%s", b->testbed);
	snprintf(r->git, sizeof(r->git), "%s", git_rev);
	snprintf(r->base, sizeof(r->base), "%s", base_tree);
	now_iso(r->time, sizeof(r->time));
	r->boot = b->no;
	if (vb_rec_write(b->jsonl, r) || fflush(b->jsonl) || fsync(fileno(b->jsonl)))
		die("cannot append to results.jsonl: %s", strerror(errno));
	p->attempts = r->attempt;
	if (!p->settled && vb_attempt_settles(r->status, r->attempt, b->max_attempts)) {
		p->settled = 1;
		b->finished++;
	}
	if (!strcmp(r->status, "ok"))
		b->ok++;
	else
		b->bad++;
}

/*
 * Record the complete run blocks of @con not recorded yet.  Returns the
 * plan index of a run started but not finished (-1 if none), and its
 * attempt in *attempt.
 */
/* a record of attempt @att at planned run @idx, no result yet */
static void rec_init(struct vb_rec *r, int idx, int att)
{
	memset(r, 0, sizeof(*r));
	r->id = plan[idx].id;
	r->host = plan[idx].mode->host;
	r->attempt = att;
	r->value = r->fairness = r->steal_pct = r->secs = NAN;
	snprintf(r->unit, sizeof(r->unit), "%s", vb_workload(r->id.workload)->unit);
}

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

		/* start runs while there are slots */
		for (i = 0; nrun < c->jobs && !stop_sig && i < nplan; i++) {
			const struct plan *p = &plan[i];
			char key[160], sz[16], vc[16], vm[16], pc[16], seed[16];
			const char *argv[16 + 2 * 32];
			int a = 0;

			if (p->settled || running[i])
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
			argv[a++] = bin;
			argv[a++] = "--mode";
			argv[a++] = p->id.mode;
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

static int sweep(struct cfg *c, const char *out, const char *top, const char *build)
{
	char path[1200], script[1200], log[1200], outp[1200], disk[1200];
	int max_attempts = c->retries + 1, nbad, nrec, idle_boots = 0;
	struct vb_rec *recs;
	struct boot b = { 0 };
	struct sigaction sa = { .sa_handler = on_stop };
	int *todo;

	if (tb_mkdir_p(out))
		die("cannot create %s", out);
	snprintf(path, sizeof(path), "%s/sweep.conf", out);
	cfg_save(c, path);
	make_plan(c);
	snprintf(path, sizeof(path), "%s/results.jsonl", out);
	recs = vb_load(path, &nrec, &nbad);
	if (!recs)
		die("cannot read %s: %s", path, strerror(errno));
	b.total = nplan;
	b.max_attempts = max_attempts;
	for (int i = 0; i < nplan; i++) {
		plan[i].settled = vb_run_settled(recs, nrec, &plan[i].id, max_attempts,
						 &plan[i].attempts);
		b.finished += plan[i].settled;
	}
	/* boot numbers go on from the records' */
	for (int i = 0; i < nrec; i++)
		if (recs[i].boot > b.no)
			b.no = recs[i].boot;
	free(recs);
	b.finished0 = b.finished;
	printf("vbench: %d runs planned, %d settled in %s, %d to do\n", nplan, b.finished,
	       out, nplan - b.finished);
	if (b.finished == nplan)
		return 0;
	provenance(top, build);
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
		int n = 0, mem, budget, need_disk = 0, st = 0, cur, att = 0;
		const char *argv[4];
		char *l2, *cmd, *con;
		pid_t pid;

		for (int i = 0; i < nplan; i++)
			if (!plan[i].settled) {
				todo[n++] = i;
				need_disk |= vb_workload(plan[i].id.workload)->disk;
			}
		if (!n)
			break;
		b.no++;
		snprintf(script, sizeof(script), "%s/l2-boot%d.sh", out, b.no);
		snprintf(log, sizeof(log), "%s/l2-boot%d.log", out, b.no);
		snprintf(outp, sizeof(outp), "%s/l2-boot%d.out", out, b.no);
		if (write_script(script, todo, n, &mem, &budget))
			die("cannot write %s", script);
		if (need_disk && access(disk, R_OK))
			die("%s missing: the gmake and perf workloads need it (make wlimage)",
			    disk);
		l2 = tb_l2_command(build, top);
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
		{
			int before = b.ok + b.bad;

			pid = tb_spawn(argv, outp);
			if (pid < 0)
				die("cannot start level 2: %s", strerror(errno));
			for (;;) {
				pid_t w = waitpid(pid, &st, WNOHANG);

				con = tb_read_file(log, NULL);
				if (con) {
					scan_console(&b, con, &att);
					free(con);
				}
				if (w == pid)
					break;
				if (stop_sig) {
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
			if (cur >= 0 && !stop_sig) {
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
		return 130;
	}
	{
		int left = 0;

		for (int i = 0; i < nplan; i++)
			left += !plan[i].settled;
		if (left) {
			fprintf(stderr, "vbench: %d runs could not be started: level 2 failed "
				"to boot twice in a row (see %s/l2-boot*.out)\n", left, out);
			return 1;
		}
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
};

struct table {
	struct cell *c;
	int n, cap;
	char names[NMODES * 2][32];	/* modes in order of appearance */
	int nnames;
	int base;			/* baseline's index, -1 if absent */
	int sim;			/* its records come from the simulator */
	const char *dir;
};

static int same_point(const struct vb_runid *a, const struct vb_runid *b)
{
	return !strcmp(a->workload, b->workload) && a->vcpus == b->vcpus &&
	       a->vms == b->vms && a->l2_vcpus == b->l2_vcpus && a->size == b->size;
}

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
		if (t->c[i].mode == m && same_point(&t->c[i].pt, id))
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
	int d = strcmp(x->pt.workload, y->pt.workload);

	if (d)
		return d;
	if (x->pt.vms != y->pt.vms)
		return x->pt.vms - y->pt.vms;
	if (x->pt.vcpus != y->pt.vcpus)
		return x->pt.vcpus - y->pt.vcpus;
	if (x->pt.l2_vcpus != y->pt.l2_vcpus)
		return x->pt.l2_vcpus - y->pt.l2_vcpus;
	if (x->pt.size != y->pt.size)
		return x->pt.size - y->pt.size;
	return x->mode - y->mode;
}

/* the table of @dir's results; runs without an ok record count as failed */
static int load_table(const char *dir, struct table *t, const char *baseline)
{
	char path[1200];
	struct vb_rec *r;
	int n, bad;

	memset(t, 0, sizeof(*t));
	t->dir = dir;
	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	if (access(path, R_OK)) {
		fprintf(stderr, "vbench: %s: no results.jsonl (%s)\n", dir, strerror(errno));
		return -1;
	}
	r = vb_load(path, &n, &bad);
	if (!r)
		die("cannot read %s", path);
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
	free(r);
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
	return 0;
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
		if (t->c[i].mode == mode && same_point(&t->c[i].pt, &want))
			return &t->c[i];
	return NULL;
}

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

static const char *unit_of(const char *wl)
{
	const struct vb_workload *w = vb_workload(wl);

	return w ? w->unit : "?";
}

static int plot(struct table *t, const char *wl, int kind, char *png, size_t len);
/* every record of @dir as CSV, the metrics as columns (union over records) */
static void results_csv(const char *dir)
{
	char path[1200], (*names)[48] = NULL;
	int n, bad, nn = 0;
	struct vb_rec *r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	r = vb_load(path, &n, &bad);
	if (!r)
		die("cannot read %s", path);
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
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	fprintf(f, "workload,mode,host_module,vcpus,vms,l2_vcpus,size,rep,attempt,status,"
		"why,unit,value,vm_values,fairness,steal_pct,kernel,git,testbed,time,boot,"
		"secs");
	for (int j = 0; j < nn; j++)
		fprintf(f, ",%s", names[j]);
	fputc('\n', f);
	for (int i = 0; i < n; i++) {
		struct vb_rec *x = &r[i];

		for (char *q = x->why; *q; q++)
			if (*q == '"')
				*q = '\'';
		fprintf(f, "%s,%s,%d,%d,%d,%d,%d,%d,%d,%s,\"%s\",%s,%.6g,\"", x->id.workload,
			x->id.mode, x->host, x->id.vcpus, x->id.vms, x->id.l2_vcpus,
			x->id.size, x->id.rep, x->attempt, x->status, x->why, x->unit,
			x->value);
		for (int g = 0; g < x->nvm; g++)
			fprintf(f, "%s%.6g", g ? " " : "", x->vm_value[g]);
		fprintf(f, "\",%.6g,%.4g,%s,%s,%s,%s,%d,%.1f", x->fairness, x->steal_pct,
			x->kernel, x->git, x->testbed, x->time, x->boot, x->secs);
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
	free(r);
}


static int report(const char *dir, const char *baseline)
{
	struct table t;
	char path[1200];
	FILE *csv;
	int failed = 0, plots = 0;
	char pngs[1600] = "";

	if (load_table(dir, &t, baseline))
		return 2;
	if (!t.n) {
		fprintf(stderr, "vbench: %s: no runs recorded\n", dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	csv = fopen(path, "w");
	if (!csv)
		die("cannot write %s", path);
	fprintf(csv, "workload,unit,vcpus,vms,l2_vcpus,size,overcommit,mode,n,failed,median,"
		"mean,ci95,min,max,ratio,fairness,share,steal_pct\n");
	printf("\n%-14s %5s %3s %5s %-17s %2s %12s %11s %6s %7s %6s %6s %4s\n",
	       "workload", "vCPUs", "VMs", "o/c", "mode", "n", "median", "+-95%CI",
	       "ratio", "max/min", "share", "steal%", "fail");
	for (int i = 0; i < t.n; i++) {
		struct cell *c = &t.c[i];
		struct vb_summary s = vb_summarize(c->v, c->n);
		double oc = (double)c->pt.vcpus * c->pt.vms / c->pt.l2_vcpus;
		double fair = median_of(c->fair, c->n), sh = share(&t, c);
		double steal = median_of(c->steal, c->n), rt = ratio(&t, c);

		if (i && !same_point(&c->pt, &t.c[i - 1].pt))
			printf("\n");
		printf("%-14s %5d %3d %4.1fx %-17s %2d %12.4g %11.3g %6.2f %7.2f %6.2f %6.1f %4d\n",
		       c->pt.workload, c->pt.vcpus, c->pt.vms, oc, t.names[c->mode], s.n,
		       s.median, s.ci95, rt, fair, sh, steal, c->failed);
		fprintf(csv, "%s,%s,%d,%d,%d,%d,%.2f,%s,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.4f,"
			"%.4f,%.4f,%.2f\n", c->pt.workload, unit_of(c->pt.workload),
			c->pt.vcpus, c->pt.vms, c->pt.l2_vcpus, c->pt.size, oc,
			t.names[c->mode], s.n, c->failed, s.median, s.mean, s.ci95, s.min,
			s.max, rt, fair, sh, steal);
		failed += c->failed;
	}
	fclose(csv);
	results_csv(dir);
	printf("\nmedian: of the counted runs, in the workload's unit (");
	for (int i = 0; i < t.n; i++)
		if (!i || strcmp(t.c[i].pt.workload, t.c[i - 1].pt.workload))
			printf("%s%s %s", i ? ", " : "", t.c[i].pt.workload,
			       unit_of(t.c[i].pt.workload));
	printf(")\n+-95%%CI: half-width of the Student-t interval of the mean\n"
	       "ratio: median / %s's median at the same point\n"
	       "max/min: most / fewest acquisitions of one locktorture writer, or of one\n"
	       "         guest when several run at once; median over runs\n"
	       "share: M guests at once: the least-served guest's result x M / one guest\n"
	       "       alone (same mode and vCPUs); 1 = fair\n"
	       "fail: runs without a result (results.jsonl says why)\n",
	       t.base >= 0 ? t.names[t.base] : "?");
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
	for (int i = 0; i < t.n; i++)
		free(t.c[i].v), free(t.c[i].fair), free(t.c[i].steal), free(t.c[i].least);
	free(t.c);
	return failed ? 1 : 0;
}

/*
 * One PNG of workload @wl: kind 0 throughput vs vCPUs (one guest), 1 ratio
 * to the baseline vs vCPUs, 2 per-guest share vs guests at once.  1 if
 * written, 0 if there is nothing to plot, -1 if gnuplot failed.
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
		"set key outside right\nset grid\nset logscale x 2\nset yrange [0:*]\n", png);
	if (kind == 0)
		fprintf(g, "set title '%s: median %s, one guest (bars: min..max)'\n"
			"set xlabel 'vCPUs per guest'\nset ylabel '%s'\n", wl, unit_of(wl),
			unit_of(wl));
	else if (kind == 1)
		fprintf(g, "set title '%s: ratio to %s, one guest'\nset xlabel 'vCPUs per "
			"guest'\nset ylabel 'median / baseline median'\n", wl,
			t->base >= 0 ? t->names[t->base] : "?");
	else
		fprintf(g, "set title '%s: per-guest share, M guests at once (1 = fair)'\n"
			"set xlabel 'guests at once'\nset ylabel 'least-served x M / alone'\n",
			wl);
	fprintf(g, "plot");
	for (int m = 0; m < t->nnames; m++) {
		/* kind 2: one series per mode and vCPUs */
		int vlist[64], nv = 0;

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
				double y;

				if (c->mode != m || strcmp(c->pt.workload, wl) || !c->n)
					continue;
				if (kind < 2 && c->pt.vms != 1)
					continue;
				if (kind == 2 && (c->pt.vcpus != vlist[k] || c->pt.vms < 2))
					continue;
				s = vb_summarize(c->v, c->n);
				y = kind == 0 ? s.median : kind == 1 ? ratio(t, c) : share(t, c);
				if (isnan(y))
					continue;
				if (kind == 0)
					fprintf(d, "%d %g %g %g\n", c->pt.vcpus, y, s.min, s.max);
				else
					fprintf(d, "%d %g\n",
						kind == 1 ? c->pt.vcpus : c->pt.vms, y);
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
				fprintf(g, "%s '%s' index %d using 1:2%s with %s title '%s'",
					series ? "," : "", dat, series, kind == 0 ? ":3:4" : "",
					kind == 0 ? "yerrorlines" : "linespoints", t->names[m]);
			series++;
		}
	}
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
 */
static int compare(const char *a, const char *b, double alpha, double threshold)
{
	struct table ta, tb;
	int faster = 0, slower = 0, same = 0, undecided = 0, common = 0;

	if (load_table(a, &ta, NULL) || load_table(b, &tb, NULL))
		return 2;
	if (ta.sim != tb.sim) {
		fprintf(stderr, "vbench: %s is from the %s testbed and %s from %s: a simulated "
			"result is not evidence about a measured one, nor the reverse\n", a,
			ta.sim ? "sim" : "a real", b, tb.sim ? "the sim testbed" : "a real one");
		return 2;
	}
	printf("%-14s %5s %3s %-17s %3s %3s %12s %12s %8s %8s  %s\n", "workload", "vCPUs",
	       "VMs", "mode", "nA", "nB", "median A", "median B", "change", "p", "verdict");
	for (int i = 0; i < ta.n; i++) {
		struct cell *x = &ta.c[i], *y = NULL;
		const char *verdict;
		double p, chg;

		for (int j = 0; j < tb.n; j++)
			if (same_point(&tb.c[j].pt, &x->pt) &&
			    !strcmp(tb.names[tb.c[j].mode], ta.names[x->mode]))
				y = &tb.c[j];
		if (!y || !x->n || !y->n)
			continue;
		common++;
		p = vb_mann_whitney(x->v, x->n, y->v, y->n, NULL);
		chg = vb_median(y->v, y->n) / vb_median(x->v, x->n) - 1;
		if (vb_mw_min_p(x->n, y->n) > alpha && p > alpha) {
			verdict = "too few runs to tell";
			undecided++;
		} else if (p <= alpha && fabs(chg) >= threshold) {
			verdict = chg > 0 ? "FASTER" : "SLOWER";
			if (chg > 0)
				faster++;
			else
				slower++;
		} else {
			verdict = "within noise";
			same++;
		}
		printf("%-14s %5d %3d %-17s %3d %3d %12.4g %12.4g %+7.1f%% %8.3g  %s\n",
		       x->pt.workload, x->pt.vcpus, x->pt.vms, ta.names[x->mode], x->n, y->n,
		       vb_median(x->v, x->n), vb_median(y->v, y->n), 100 * chg, p, verdict);
	}
	if (!common) {
		fprintf(stderr, "vbench: %s and %s have no point and mode in common\n", a, b);
		return 2;
	}
	printf("\ncompare: %d faster, %d slower, %d within noise, %d too few runs "
	       "(two-sided Mann-Whitney U, alpha %.3g, change >= %.0f%%)\n",
	       faster, slower, same, undecided, alpha, 100 * threshold);
	return slower ? 1 : 0;
}

/* ------------------------------------------------------------------------ */

static void default_out(char *out, size_t len, const char *build)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, len, "%s/vbench/%04d%02d%02d-%02d%02d%02d", build, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
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
	struct cfg c = { .retries = -1 };
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

		for (i = 2; i < argc - 2; i++) {
			if (!strcmp(argv[i], "--alpha") && i + 1 < argc - 2)
				alpha = parse_real("--alpha", argv[++i], 1e-6, 0.5);
			else if (!strcmp(argv[i], "--threshold") && i + 1 < argc - 2)
				thr = parse_real("--threshold", argv[++i], 0, 10);
			else
				usage();
		}
		if (argc < 4 || i != argc - 2)
			usage();
		return compare(argv[argc - 2], argv[argc - 1], alpha, thr);
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
				 !strcmp(a, "--sim") || !strcmp(a, "--profile"))
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
	if (strcmp(verb, "sweep"))
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
			cfg_file(&c, conf);
		}
	}
	return sweep_and_report(&c, out, sizeof(out), top, build);
}
