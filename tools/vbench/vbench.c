// SPDX-License-Identifier: GPL-2.0
/*
 * vbench - compare spinlock algorithms in over-committed KVM guests.
 *
 * First version: locktorture (spin_lock, one writer per vCPU) in level-3
 * guests of 2, 4 and 8 vCPUs on a 2-vCPU level-2 host, for every lock mode,
 * repeated; optionally with several guests at once (--vms) and with the
 * host module kvm_oticket loaded for the "+host" modes.  All runs happen
 * inside ONE level-2 boot, modes interleaved and their order rotated per
 * repetition, so drift hits every mode alike; only ratios between modes of
 * the same run are reported.
 *
 * A run counts only if its guest booted, ran and exited cleanly (see
 * tools/testbed/tb.h), locktorture reported SUCCESS, and the guest's dmesg
 * shows the lock mode the run asked for.  Everything else is listed as a
 * failed run and left out of the statistics.
 *
 * Output: a table on stdout; every run in <out>/runs.csv and the summary
 * in <out>/summary.csv.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>

#include "../testbed/tb.h"

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

/* kvm_oticket counters (total line of its debugfs stats) kept per run. */
static const char *const hostc[] = {
	"hc_wait", "hc_kick", "hc_einval", "halt", "poll_skipped", "yield_hint",
	"yield_rr", "coyield", "yield_failed", "kick_boost", "lhp", "lwp",
};
#define NHOSTC (int)(sizeof(hostc) / sizeof(hostc[0]))

/* Guest lock events (/sys/kernel/debug/oticket/events) kept per run. */
static const char *const events[] = {
	"wait", "wait_early", "spurious_wakeup", "kick", "kick_ahead",
	"yield_preempted", "oqs_wait_node", "oqs_wait_head", "oqs_kick_ahead",
	"hc_wait", "hc_kick", "hc_fail",
};
#define NEVENTS (int)(sizeof(events) / sizeof(events[0]))
#define NMODES (int)(sizeof(modes) / sizeof(modes[0]))
#define MAX_VCPUS_SET 8
#define MAX_VMS_SET 3
#define MAX_VMS 4
#define MAX_POINTS (MAX_VCPUS_SET * MAX_VMS_SET)
#define MAX_REPS 20

struct run {
	int ok;
	long long total, max, min;	/* over all guests of the run */
	long long vm_total[MAX_VMS];	/* per guest */
	long long ev[NEVENTS];		/* summed over guests */
	long long host[NHOSTC];
	char why[120];
};

/* a point: vCPUs per guest x guests at once */
struct point {
	int vcpus, vms;
};

static struct run runs[NMODES][MAX_POINTS][MAX_REPS];
static struct point points[MAX_POINTS];
static int npoints;
static int vcpus[MAX_VCPUS_SET], nvcpus, reps = 3, secs = 10, l2_vcpus = 2, no_run;
static int vmsl[MAX_VMS_SET], nvms;
static int sel[NMODES], nsel;
static const char *torture_type = "spin_lock";

static void usage(void)
{
	fprintf(stderr,
"usage: vbench [--vcpus 2,4,8] [--vms 1,2,4] [--reps 3] [--secs 10]\n"
"              [--modes a,b,...] [--type spin_lock] [--l2-vcpus 2]\n"
"              [--out DIR [--no-run]]\n"
"--vms: guests of --vcpus each running at once (at most 4)\n"
"--no-run: report the runs already in DIR (same options as the run)\n"
"modes (\"+host\": with kvm_oticket loaded in level 2):");
	for (int i = 0; i < NMODES; i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

static long parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "vbench: %s: '%s' is not a number in [%ld, %ld]\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_list(const char *opt, char *s, int is_mode)
{
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (is_mode == 2) {
			if (nvms == MAX_VMS_SET)
				usage();
			vmsl[nvms++] = parse_num(opt, tok, 1, MAX_VMS);
			continue;
		}
		if (!is_mode) {
			if (nvcpus == MAX_VCPUS_SET)
				usage();
			vcpus[nvcpus++] = parse_num(opt, tok, 1, 64);
			continue;
		}
		int m;

		for (m = 0; m < NMODES && strcmp(modes[m].name, tok); m++)
			;
		if (m == NMODES) {
			fprintf(stderr, "vbench: unknown lock mode '%s'\n", tok);
			usage();
		}
		for (int k = 0; k < nsel; k++)
			if (sel[k] == m) {
				fprintf(stderr, "vbench: mode '%s' given twice\n", tok);
				exit(2);
			}
		sel[nsel++] = m;
	}
}

/* Two-sided 95% Student t quantiles, df = 1..30. */
static double t95(int df)
{
	static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447,
		2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
		2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
		2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };

	return df < 1 ? NAN : df <= 30 ? t[df] : 1.96;
}

struct stat_ {
	int n;
	double mean, ci, fair;
};

static struct stat_ stats(int m, int v)
{
	struct stat_ s = { 0 };
	double sum = 0, sq = 0, fair = 0;

	for (int r = 0; r < reps; r++) {
		struct run *x = &runs[m][v][r];

		if (!x->ok)
			continue;
		s.n++;
		sum += x->total;
		fair += x->min > 0 ? (double)x->max / x->min : INFINITY;
	}
	if (!s.n)
		return s;
	s.mean = sum / s.n;
	s.fair = fair / s.n;
	for (int r = 0; r < reps; r++) {
		struct run *x = &runs[m][v][r];

		if (x->ok)
			sq += (x->total - s.mean) * (x->total - s.mean);
	}
	s.ci = s.n > 1 ? t95(s.n - 1) * sqrt(sq / (s.n - 1)) / sqrt(s.n) : NAN;
	return s;
}

/* @mode as a guest name: "+" is not among testbed's name characters */
static const char *vm_name(const char *mode)
{
	static char buf[32];
	char *p;

	snprintf(buf, sizeof(buf), "%s", mode);
	for (p = buf; *p; p++)
		if (*p == '+')
			*p = '_';
	return buf;
}

static char *write_script(const char *dir)
{
	static char path[1100];
	FILE *f;

	snprintf(path, sizeof(path), "%s/l2-vbench.sh", dir);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "# generated by vbench\n"
		"kot=/sys/kernel/debug/kvm_oticket\n");
	for (int r = 0; r < reps; r++) {
		for (int v = 0; v < npoints; v++) {
			for (int k = 0; k < nsel; k++) {
				/* rotate the mode order every repetition */
				int m = sel[(k + r) % nsel];
				const struct point *pt = &points[v];

				fprintf(f, "echo '@@RUN %s %d %d %d'\n", modes[m].name,
					pt->vcpus, pt->vms, r);
				if (modes[m].host)
					fprintf(f, "modprobe kvm_oticket && echo 1 > $kot/reset || "
						"echo 'otb: modprobe kvm_oticket failed'\n");
				fprintf(f, "testbed guest --retries 2");
				for (int g = 0; g < pt->vms; g++)
					fprintf(f, " --vm %s-v%d-m%d-r%d-g%d --vcpus %d --mem %d %s%s "
						"--append '%s' --env LT_SECS=%d --env LT_TYPE=%s "
						"--script \"$OTB_LIB\"/l3-locktorture.sh",
						vm_name(modes[m].name), pt->vcpus, pt->vms, r, g,
						pt->vcpus,
						256 + 32 * pt->vcpus,
						*modes[m].cpu_flags ? "--cpu-flags " : "",
						modes[m].cpu_flags, modes[m].append, secs,
						torture_type);
				fprintf(f, "\necho \"@@RUNRC $?\"\n");
				if (modes[m].host)
					fprintf(f, "sed -n 's/^total /otb: kot: /p' $kot/stats\n"
						"rmmod kvm_oticket || echo 'otb: rmmod kvm_oticket failed'\n");
			}
		}
	}
	fclose(f);
	return path;
}

/* Parse one guest's frame of a run. */
static void parse_guest(char *block, int m, struct run *x)
{
	char *p;

	x->ok = 0;
	if (!strstr(block, "status=ok rc=0")) {
		p = strstr(block, "@@OTB-GUEST ");
		snprintf(x->why, sizeof(x->why), "%.100s",
			 p ? p + 12 : "no guest result");
		if ((p = strchr(x->why, '\n')))
			*p = 0;
		return;
	}
	if (!strstr(block, modes[m].expect)) {
		snprintf(x->why, sizeof(x->why), "dmesg does not show %s", modes[m].name);
		return;
	}
	if (!strstr(block, "End of test: SUCCESS")) {
		snprintf(x->why, sizeof(x->why), "locktorture did not report SUCCESS");
		return;
	}
	p = strstr(block, "Writes:  Total: ");
	if (!p || sscanf(p, "Writes:  Total: %lld  Max/Min: %lld/%lld",
			 &x->total, &x->max, &x->min) != 3) {
		snprintf(x->why, sizeof(x->why), "no locktorture statistics");
		return;
	}
	p = strstr(p, "Fail: ");
	if (!p || strncmp(p, "Fail: 0 ", 8)) {
		snprintf(x->why, sizeof(x->why), "locktorture reported failures");
		return;
	}
	for (int e = 0; e < NEVENTS; e++) {
		char key[64];

		snprintf(key, sizeof(key), ": %s ", events[e]);
		for (p = strstr(block, "otb: ev "); p; p = strstr(p + 1, "otb: ev ")) {
			char *k = strstr(p, key), *eol = strchr(p, '\n');

			if (k && (!eol || k < eol)) {
				x->ev[e] = atoll(k + strlen(key));
				break;
			}
		}
	}
	x->ok = 1;
}

/*
 * Parse one run's block of the level-2 console: a frame per guest
 * ("@@OTB-GUEST <name> ..." to "@@OTB-GUEST-END <name>@@"), and with the
 * host module its counters ("otb: kot: name=value ...").  The run counts
 * only if every guest does.
 */
static void parse_run(char *block, int m, int vms, struct run *x)
{
	char *p = block, *end, save;
	int g;

	memset(x, 0, sizeof(*x));
	for (g = 0; g < vms; g++) {
		struct run one;

		p = strstr(p, "@@OTB-GUEST ");
		if (!p) {
			/* testbed refused to start it: say why */
			char *t = strstr(block, "testbed: ");

			snprintf(x->why, sizeof(x->why), "guest %d of %d: no result%s%.80s",
				 g + 1, vms, t ? ": " : "", t ? t : "");
			if ((t = strchr(x->why, '\n')))
				*t = 0;
			return;
		}
		end = strstr(p, "@@OTB-GUEST-END ");
		if (!end) {
			snprintf(x->why, sizeof(x->why), "guest %d of %d: truncated", g + 1, vms);
			return;
		}
		save = *end;
		*end = 0;
		memset(&one, 0, sizeof(one));
		parse_guest(p, m, &one);
		*end = save;
		if (!one.ok) {
			snprintf(x->why, sizeof(x->why), "%s%.100s", vms > 1 ? "a guest: " : "",
				 one.why);
			return;
		}
		x->vm_total[g] = one.total;
		x->total += one.total;
		if (!g || one.max > x->max)
			x->max = one.max;
		if (!g || one.min < x->min)
			x->min = one.min;
		for (int e = 0; e < NEVENTS; e++)
			x->ev[e] += one.ev[e];
		p = end + 1;
	}
	if (modes[m].host) {
		char *k = strstr(block, "otb: kot: ");

		if (!k) {
			snprintf(x->why, sizeof(x->why), "no kvm_oticket counters");
			return;
		}
		for (int c = 0; c < NHOSTC; c++) {
			char key[64], *eol = strchr(k, '\n'), *v;

			snprintf(key, sizeof(key), " %s=", hostc[c]);
			v = strstr(k, key);
			if (v && (!eol || v < eol))
				x->host[c] = atoll(v + strlen(key));
		}
	}
	x->ok = 1;
}

static int max_guest_vcpus(void)
{
	int n = 0;

	for (int v = 0; v < npoints; v++)
		if (points[v].vcpus * points[v].vms > n)
			n = points[v].vcpus * points[v].vms;
	return n;
}

/* seconds a run of every point may take, for the level-2 deadline */
static int run_budget(void)
{
	int t = 0;

	for (int v = 0; v < npoints; v++)
		t += secs + 180 + 60 * points[v].vms;
	return t;
}

/*
 * With M guests at once: mean over counted runs of (the least-served
 * guest's acquisitions x M), over the mean of one guest alone at the same
 * vCPUs and mode.  NAN without both.
 */
static double vm_share(int m, int v)
{
	int one, n = 0;
	double sum = 0;
	struct stat_ alone;

	if (points[v].vms < 2)
		return NAN;
	for (one = 0; one < npoints; one++)
		if (points[one].vcpus == points[v].vcpus && points[one].vms == 1)
			break;
	if (one == npoints)
		return NAN;
	alone = stats(m, one);
	if (!alone.n || alone.mean <= 0)
		return NAN;
	for (int r = 0; r < reps; r++) {
		struct run *x = &runs[m][v][r];
		long long least;

		if (!x->ok)
			continue;
		least = x->vm_total[0];
		for (int g = 1; g < points[v].vms; g++)
			if (x->vm_total[g] < least)
				least = x->vm_total[g];
		sum += (double)least * points[v].vms;
		n++;
	}
	return n ? sum / n / alone.mean : NAN;
}

/* Mean per counted run of @names (guest events or host counters). */
static void print_counters(const char *title, const char *const *names, int nnames,
			   int host)
{
	int w = 8, header = 0;

	for (int v = 0; v < npoints; v++) {
		for (int k = 0; k < nsel; k++) {
			double sum[NEVENTS > NHOSTC ? NEVENTS : NHOSTC] = { 0 }, any = 0;
			int n = 0;

			if (host && !modes[sel[k]].host)
				continue;
			for (int r = 0; r < reps; r++) {
				struct run *x = &runs[sel[k]][v][r];

				if (!x->ok)
					continue;
				n++;
				for (int e = 0; e < nnames; e++) {
					sum[e] += host ? x->host[e] : x->ev[e];
					any += host ? x->host[e] : x->ev[e];
				}
			}
			if (!n || !any)
				continue;
			if (!header++) {
				printf("\n%s:\n%-16s %5s %3s", title, "mode", "vCPUs", "VMs");
				for (int e = 0; e < nnames; e++)
					printf(" %*s", (int)strlen(names[e]) > w ?
					       (int)strlen(names[e]) : w, names[e]);
				printf("\n");
			}
			printf("%-16s %5d %3d", modes[sel[k]].name, points[v].vcpus,
			       points[v].vms);
			for (int e = 0; e < nnames; e++)
				printf(" %*.0f", (int)strlen(names[e]) > w ?
				       (int)strlen(names[e]) : w, sum[e] / n);
			printf("\n");
		}
	}
}

int main(int argc, char **argv)
{
	char out[1024] = "", cmd[4096], log[1200], top[1024], *con, *p, *l2, *alog;
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int st, failed = 0;
	double t0 = tb_now();
	FILE *csv;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tb_install_signal_handlers();
	if (!getcwd(top, sizeof(top)))
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--no-run")) {
			no_run = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "--vcpus"))
			parse_list(a, argv[++i], 0);
		else if (!strcmp(a, "--modes"))
			parse_list(a, argv[++i], 1);
		else if (!strcmp(a, "--vms"))
			parse_list(a, argv[++i], 2);
		else if (!strcmp(a, "--reps"))
			reps = parse_num(a, argv[++i], 1, MAX_REPS);
		else if (!strcmp(a, "--secs"))
			secs = parse_num(a, argv[++i], 1, 3600);
		else if (!strcmp(a, "--l2-vcpus"))
			l2_vcpus = parse_num(a, argv[++i], 1, 64);
		else if (!strcmp(a, "--type")) {
			torture_type = argv[++i];
			/* it goes into a guest script and a module parameter */
			if (!*torture_type ||
			    strspn(torture_type, "abcdefghijklmnopqrstuvwxyz_") != strlen(torture_type)) {
				fprintf(stderr, "vbench: --type: '%s' is not a locktorture type name\n",
					torture_type);
				return 2;
			}
		}
		else if (!strcmp(a, "--out"))
			snprintf(out, sizeof(out), "%s", argv[++i]);
		else
			usage();
	}
	if (!nvcpus) {
		vcpus[0] = 2, vcpus[1] = 4, vcpus[2] = 8;
		nvcpus = 3;
	}
	if (!nvms)
		vmsl[nvms++] = 1;
	for (int v = 0; v < nvcpus; v++)
		for (int g = 0; g < nvms; g++)
			points[npoints++] = (struct point){ vcpus[v], vmsl[g] };
	if (!nsel)
		for (int m = 0; m < NMODES; m++)
			if (modes[m].dflt)
				sel[nsel++] = m;
	if (sel[0] != 0) {
		fprintf(stderr, "vbench: pvqspinlock must be the first mode: ratios are to it\n");
		return 2;
	}
	if (!out[0]) {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		snprintf(out, sizeof(out), "%s/vbench/%04d%02d%02d-%02d%02d%02d", build,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
	}
	if (no_run && !out[0]) {
		fprintf(stderr, "vbench: --no-run needs --out DIR\n");
		return 2;
	}
	if (!no_run && (tb_mkdir_p(out) || !write_script(out))) {
		fprintf(stderr, "vbench: cannot write to %s\n", out);
		return 2;
	}
	snprintf(log, sizeof(log), "%s/l2-console.log", out);
	printf("vbench: locktorture %s, %ds per run, level-3 vCPUs", torture_type, secs);
	for (int v = 0; v < nvcpus; v++)
		printf(" %d", vcpus[v]);
	printf(", guests at once");
	for (int g = 0; g < nvms; g++)
		printf(" %d", vmsl[g]);
	printf(" on %d level-2 vCPUs, %d repetitions, %d modes (%d runs); results in %s\n",
	       l2_vcpus, reps, nsel, reps * npoints * nsel, out);
	l2 = tb_l2_command(build, top);
	snprintf(cmd, sizeof(cmd),
		 "%s --vcpus %d --mem %d --timeout %d --progress --log %s --script %s/l2-vbench.sh",
		 l2, l2_vcpus, 1024 + 64 * max_guest_vcpus(),
		 reps * nsel * run_budget(), log, out);
	free(l2);
	if (!no_run) {
		st = tb_system(cmd);
		if (tb_interrupted() || st == 130)
			return 130;
	}
	/* A retried level 2 writes attempt N's console to log.N: use the last. */
	alog = tb_last_attempt_log(log);
	con = tb_read_file(alog, NULL);
	if (!con) {
		fprintf(stderr, "vbench: no level-2 console log %s\n", alog);
		free(alog);
		return 1;
	}
	free(alog);

	/* split the console into runs */
	for (p = strstr(con, "@@RUN "); p; ) {
		char name[32], *next = strstr(p + 1, "@@RUN "), save = 0;
		int v, g, r, m, vi;

		if (sscanf(p, "@@RUN %31s %d %d %d", name, &v, &g, &r) != 4)
			break;
		if (next) {
			save = *next;
			*next = 0;
		}
		for (m = 0; m < NMODES && strcmp(modes[m].name, name); m++)
			;
		for (vi = 0; vi < npoints && (points[vi].vcpus != v || points[vi].vms != g); vi++)
			;
		if (m < NMODES && vi < npoints && r >= 0 && r < reps)
			parse_run(p, m, g, &runs[m][vi][r]);
		if (next)
			*next = save;
		p = next;
	}
	free(con);

	snprintf(log, sizeof(log), "%s/runs.csv", out);
	csv = fopen(log, "w");
	if (csv)
		fprintf(csv, "mode,vcpus,vms,rep,ok,total,max,min,vm_totals,why");
	for (int e = 0; csv && e < NEVENTS; e++)
		fprintf(csv, ",%s", events[e]);
	for (int c = 0; csv && c < NHOSTC; c++)
		fprintf(csv, ",host_%s", hostc[c]);
	if (csv)
		fprintf(csv, "\n");
	for (int v = 0; v < npoints; v++) {
		for (int k = 0; k < nsel; k++) {
			for (int r = 0; r < reps; r++) {
				int m = sel[k];
				struct run *x = &runs[m][v][r];

				if (!x->ok) {
					failed++;
					if (!x->why[0])
						snprintf(x->why, sizeof(x->why), "did not run");
				}
				if (csv) {
					fprintf(csv, "%s,%d,%d,%d,%d,%lld,%lld,%lld,\"",
						modes[m].name, points[v].vcpus, points[v].vms, r,
						x->ok, x->total, x->max, x->min);
					for (int g = 0; g < points[v].vms; g++)
						fprintf(csv, "%s%lld", g ? " " : "", x->vm_total[g]);
					fprintf(csv, "\",\"%s\"", x->why);
					for (int e = 0; e < NEVENTS; e++)
						fprintf(csv, ",%lld", x->ev[e]);
					for (int c = 0; c < NHOSTC; c++)
						fprintf(csv, ",%lld", x->host[c]);
					fprintf(csv, "\n");
				}
			}
		}
	}
	if (csv)
		fclose(csv);

	snprintf(log, sizeof(log), "%s/summary.csv", out);
	csv = fopen(log, "w");
	if (csv)
		fprintf(csv, "mode,vcpus,vms,overcommit,n,mean,ci95,ratio,fairness,vm_share\n");
	printf("\n%-16s %5s %3s %6s %3s %14s %12s %8s %8s %6s\n", "mode", "vCPUs", "VMs",
	       "o/c", "n", "acquisitions", "+-95%CI", "ratio", "max/min", "share");
	for (int v = 0; v < npoints; v++) {
		struct stat_ base = stats(sel[0], v);
		double oc = (double)points[v].vcpus * points[v].vms / l2_vcpus;

		for (int k = 0; k < nsel; k++) {
			struct stat_ s = stats(sel[k], v);
			double ratio = s.n && base.n ? s.mean / base.mean : NAN;
			double share = vm_share(sel[k], v);

			printf("%-16s %5d %3d %5.1fx %3d %14.0f %12.0f %8.2f %8.2f %6.2f\n",
			       modes[sel[k]].name, points[v].vcpus, points[v].vms, oc,
			       s.n, s.mean, s.ci, ratio, s.fair, share);
			if (csv)
				fprintf(csv, "%s,%d,%d,%.2f,%d,%.0f,%.0f,%.3f,%.3f,%.3f\n",
					modes[sel[k]].name, points[v].vcpus, points[v].vms,
					oc, s.n, s.mean, s.ci, ratio, s.fair, share);
		}
	}
	if (csv)
		fclose(csv);
	printf("\nratio: mean acquisitions / %s's at the same point, same level-2 boot\n"
	       "max/min: most / fewest acquisitions of one writer, mean over repetitions\n"
	       "share: with M guests, the least-served guest's acquisitions x M / the mean\n"
	       "       of one guest alone (same mode and vCPUs); 1 = fair, >= 0.8 wanted\n",
	       modes[sel[0]].name);

	/* Guest lock events, mean per counted run, for the modes that have them */
	print_counters("guest lock events per run (mean)", events, NEVENTS, 0);
	print_counters("kvm_oticket host counters per run (mean)", hostc, NHOSTC, 1);
	if (failed) {
		printf("\n%d run(s) failed and are not counted:\n", failed);
		for (int v = 0; v < npoints; v++)
			for (int k = 0; k < nsel; k++)
				for (int r = 0; r < reps; r++)
					if (!runs[sel[k]][v][r].ok)
						printf("  %s vcpus=%d vms=%d rep=%d: %s\n",
						       modes[sel[k]].name, points[v].vcpus,
						       points[v].vms, r, runs[sel[k]][v][r].why);
	}
	printf("\nvbench: %.0f s wall time; runs.csv and summary.csv in %s\n",
	       tb_now() - t0, out);
	return failed ? 1 : 0;
}
