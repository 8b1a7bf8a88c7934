// SPDX-License-Identifier: GPL-2.0
/*
 * simtest - the checks of the simulator (tools/sim/otsim) that "make test"
 * runs through otest:
 *
 *  - the build names the missing staged tree instead of guessing;
 *  - every lock mode, with and without the host module, one and two VMs,
 *    locktorture, lockmix and gmake: no invariant violation (mutual
 *    exclusion, releases by the holder, every acquisition released, no
 *    vCPU left halted at the end: no lost wake-up);
 *  - two broken machines (a cmpxchg that lies, kicks that are lost) are
 *    caught by those checks;
 *  - the same seed gives byte-identical output, another seed another one;
 *  - the published orderings sim.rst reproduces: Waiman Long's 2015 make -j
 *    on 32 pCPUs (pvticket slowest, the unfair lock fastest, pvqspinlock
 *    between at 48 and 60 vCPUs) and "boost queue head" (KICK_CPU's yield
 *    changes nothing with one VM; with today's guest, two and three VMs
 *    stay near the published post-revert +10%, within 25%, not +70%);
 *  - vbench --testbed sim: records, report, plots; compare refuses to set
 *    simulated results against measured ones;
 *  - on an idle host arrivals wait out a sleeping owner only as far as
 *    idle_wait_steals lets them;
 *  - OTSIM_HANDOFFS=1 leaves stdout alone; per busy lock, held, gap and
 *    free time fill the run and the gap histogram adds up to the gap time,
 *    as do the ways it was taken, which add up to its acquisitions and
 *    include the steals each mode makes; the 1% rule leaves rare locks
 *    out; any other value is refused.
 *
 * Run from the top of the tree with BUILD set as make sets it.  Ends with
 * "N passed, N failed"; exit status 1 if anything failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char build[1024], tmp[1100], reason[1024];

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return 1;
}

/* Run a shell command; its output (stdout and stderr) in *out. Exit status. */
static int run(char **out, const char *fmt, ...)
{
	char *cmd, *full, path[1200];
	va_list ap;
	int st;
	FILE *f;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/out.txt", tmp);
	if (asprintf(&full, "( %s ) >%s 2>&1", cmd, path) < 0)
		exit(2);
	st = system(full);
	free(cmd);
	free(full);
	if (out) {
		size_t cap = 1 << 16, n = 0;

		*out = malloc(cap + 1);
		f = fopen(path, "r");
		while (f && *out) {
			size_t r = fread(*out + n, 1, cap - n, f);

			n += r;
			if (n < cap)
				break;
			cap *= 2;
			*out = realloc(*out, cap + 1);
		}
		if (f)
			fclose(f);
		if (!*out)
			exit(2);
		(*out)[n] = 0;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int otsim(char **out, const char *args)
{
	return run(out, "%s/bin/otsim %s", build, args);
}

/* the sum over the VMs of "key=<number>" in the result lines of @out */
static double sum_of(const char *out, const char *key)
{
	char k[64];
	double s = 0;
	int n = 0;

	snprintf(k, sizeof(k), " %s=", key);
	for (const char *p = strstr(out, "otb: vb: wl="); p; p = strstr(p + 1, "otb: vb: wl=")) {
		const char *q = strstr(p, k), *eol = strchr(p, '\n');

		if (q && (!eol || q < eol)) {
			s += atof(q + strlen(k));
			n++;
		}
	}
	return n ? s : NAN;
}

/* a gmake run's build time: centiseconds per build, over all the VMs */
static double build_cs(const char *args)
{
	char *out;
	double secs, n;

	if (otsim(&out, args)) {
		free(out);
		return NAN;
	}
	secs = sum_of(out, "ivt");	/* one interval: its seconds per VM */
	n = sum_of(out, "bld");
	free(out);
	return n > 0 ? 100 * secs / n : NAN;
}

static int t_build_needs_tree(void)
{
	char *out;
	int rc;

	rc = run(&out, "make -s BUILD=%s/nobuild %s/nobuild/bin/otsim", tmp, tmp);
	if (!rc || !strstr(out, "no staged tree"))
		rc = fail("exit %d, want failure naming the staged tree: %.200s", rc, out);
	else
		rc = 0;
	free(out);
	return rc;
}

static const char *const modes[] = {
	"pvqspinlock", "qspinlock", "tas", "pvticket", "oticket", "oqspin",
	"pvqspinlock+host", "oticket+host", "oqspin+host",
};

static int t_invariants(void)
{
	static const char *const cases[] = {
		"--workload locktorture --vcpus 8 --vms 2 --pcpus 4 --size 40 --profile testbed",
		"--workload locktorture --vcpus 24 --vms 1 --pcpus 8 --size 30",
		"--workload lockmix --vcpus 12 --vms 2 --pcpus 6 --size 20",
		"--workload gmake --vcpus 12 --vms 2 --pcpus 6 --size 2 --set time_ms=30",
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			char *out, args[300];
			int rc;

			snprintf(args, sizeof(args), "--mode %s %s", modes[m], cases[c]);
			rc = otsim(&out, args);
			if (rc || strstr(out, "rc=1") || !strstr(out, "otb: vb: wl=")) {
				const char *e = strstr(out, "otsim: ");

				fail("%s: exit %d: %.200s", args, rc, e ? e : out);
				free(out);
				return 1;
			}
			free(out);
		}
	}
	return 0;
}

static int t_mutants(void)
{
	static const struct {
		const char *set, *want;
	} cases[] = {
		{ "fault_excl=1", "mutual exclusion" },
		{ "fault_lost_kick=1", "lost wake-up" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out, args[200];
		int rc;

		snprintf(args, sizeof(args), "--mode pvqspinlock --workload locktorture "
			 "--vcpus 8 --pcpus 2 --size 30 --profile testbed --set %s", cases[i].set);
		rc = otsim(&out, args);
		if (rc != 1 || !strstr(out, cases[i].want)) {
			fail("%s: exit %d, want 1 and \"%s\"", cases[i].set, rc, cases[i].want);
			free(out);
			return 1;
		}
		free(out);
	}
	return 0;
}

static int t_determinism(void)
{
	const char *args = "--mode oticket+host --workload locktorture --vcpus 12 --vms 2 "
			   "--pcpus 8 --size 40";
	char *a, *b, *c, more[300];
	int bad;

	/* stdout only: stderr has the wall time */
	run(&a, "%s/bin/otsim %s --seed 3 2>/dev/null", build, args);
	run(&b, "%s/bin/otsim %s --seed 3 2>/dev/null", build, args);
	snprintf(more, sizeof(more), "%s --seed 4", args);
	run(&c, "%s/bin/otsim %s 2>/dev/null", build, more);
	bad = strcmp(a, b) ? fail("seed 3 twice: different output") :
	      !strcmp(a, c) ? fail("seeds 3 and 4: the same output") :
	      !strstr(a, "otb: vb: wl=") ? fail("no result: %.200s", a) : 0;
	free(a);
	free(b);
	free(c);
	return bad;
}

/*
 * Waiman Long, 2015: make -j, 32 pCPUs, one guest of 32/48/60 vCPUs;
 * pvticket 5m02/13m28/15m50, unfair queued lock 3m03/3m30/4m15 and, in
 * 6.12 with lock stealing (4.5), pvqspinlock between them.
 */
static int t_waiman_order(void)
{
	for (int v = 48; v <= 60; v += 12) {
		double cs[3];
		static const char *const m[] = { "pvticket", "pvqspinlock", "tas" };

		for (int i = 0; i < 3; i++) {
			char args[300];

			snprintf(args, sizeof(args), "--mode %s --workload gmake --vcpus %d "
				 "--pcpus 32 --size 8 --set time_ms=80 --seed 2", m[i], v);
			cs[i] = build_cs(args);
			if (isnan(cs[i]))
				return fail("%s at %d vCPUs: no result", m[i], v);
		}
		if (!(cs[0] > 1.5 * cs[1] && cs[1] >= cs[2]))
			return fail("%d vCPUs: build times pvticket %.3g, pvqspinlock %.3g, unfair "
				    "%.3g cs: want pvticket > 1.5 x pvqspinlock >= unfair",
				    v, cs[0], cs[1], cs[2]);
	}
	return 0;
}

/*
 * Boost queue head (2019): KICK_CPU yields to the kicked vCPU.  With one
 * VM there is nothing to yield to (single_task_running()): identical runs.
 * Published +70%/+74% with two and three 80-vCPU VMs came from guests with
 * the wait-early cascade reverted later that year; after the revert the
 * same authors measured about +10% (13000-14000 to 14000-15500 records/s).
 */
static int t_boost_order(void)
{
	for (int g = 1; g <= 3; g++) {
		double ops[2];

		for (int y = 0; y < 2; y++) {
			char *out, args[400];

			snprintf(args, sizeof(args), "--mode pvqspinlock --workload lockmix "
				 "--vcpus 80 --vms %d --pcpus 80 --size 60 --seed 1 --set kick_yield=%d "
				 "--set mix_locks=1 --set mix_cs_ns=2000 --set mix_think_ns=100000",
				 g, y);
			if (otsim(&out, args)) {
				free(out);
				return fail("%d VMs, kick_yield=%d: failed", g, y);
			}
			ops[y] = sum_of(out, "ops");
			free(out);
		}
		if (g == 1 && ops[0] != ops[1])
			return fail("one VM: %.0f ops/s without the yield, %.0f with: want equal",
				    ops[0], ops[1]);
		if (g > 1 && fabs(ops[1] / ops[0] - 1) > 0.25)
			return fail("%d VMs: the yield changes throughput by %+.0f%%, want within "
				    "25%%", g, 100 * (ops[1] / ops[0] - 1));
	}
	return 0;
}

/* lock event @name of @out ("otb: ev: name N" lines, summed over the VMs) */
static double ev_of(const char *out, const char *name)
{
	char k[80];
	double s = 0;
	int n = 0;

	snprintf(k, sizeof(k), "otb: ev: %s ", name);
	for (const char *p = strstr(out, k); p; p = strstr(p + 1, k)) {
		s += atof(p + strlen(k));
		n++;
	}
	return n ? s : NAN;
}

/*
 * Events @ev[0..n) of o-ticket on @shape with @append, summed over seeds
 * 1..@seeds into @sum; every run must print every one of them.
 */
static int ev_sums(const char *shape, const char *append, int seeds,
		   const char *const *ev, double *sum, int n)
{
	for (int i = 0; i < n; i++)
		sum[i] = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		char *out, args[500];

		snprintf(args, sizeof(args), "--mode oticket %s --seed %d --append \"%s\"",
			 shape, seed, append);
		if (otsim(&out, args)) {
			free(out);
			return fail("%s: failed", args);
		}
		for (int i = 0; i < n; i++) {
			double x = ev_of(out, ev[i]);

			if (isnan(x)) {
				free(out);
				return fail("%s: no %s count", args, ev[i]);
			}
			sum[i] += x;
		}
		free(out);
	}
	return 0;
}

/*
 * Halts per slow-path entry of oticket with guest parameters @append, and
 * the otk_spin_on_holder count, over seeds 1-4: a change elsewhere in the
 * slow path moves single runs by 10-20%.
 */
static int halts_per_entry(const char *shape, const char *append, double *per,
			   double *extended)
{
	static const char *const ev[] = { "otk_wait", "otk_slowpath", "otk_spin_on_holder" };
	double sum[3];

	if (ev_sums(shape, append, 4, ev, sum, 3))
		return 1;
	if (!sum[1])
		return fail("%s: no slow path entries", append);
	*per = sum[0] / sum[1];
	*extended = sum[2];
	return 0;
}

/*
 * The over-commit spin rules, against the same runs without them:
 * spin_on_holder - critical sections (20 us) twice oc_spin_ns, 2x
 * over-commit: behind a running holder a waiter spins on, so it halts per
 * acquisition less often (0.81x measured over seeds 1-4 with
 * handoff_waiters, 0.68x before; the test wants at most 0.9x), and the
 * event says the rule acted; spin_runtime - 4x over-commit, waiters
 * preempted mid-spin spin their budget when they run again rather than
 * halting at once.  Stealing is off in that case: with it, free steals
 * take nearly every acquisition before any budget runs out (1.4% of slow
 * path entries halt at 16 vCPUs on 4 pCPUs), so the rule cannot show; on
 * 8 vCPUs on 2 pCPUs without steals it measured 0.32x (0.26x at 3d6e7ce),
 * and the test wants at most 0.6x.
 */
static int t_spin_rules(void)
{
	static const struct {
		const char *shape, *off, *on;
		double most;	/* on / off halts per entry at most */
		bool event;	/* otk_spin_on_holder: 0 off, > 0 on */
	} cases[] = {
		{ "--workload lockmix --vcpus 8 --pcpus 4 --size 200 --set mix_locks=1 "
		  "--set mix_cs_ns=20000 --set mix_think_ns=20000",
		  "oticket.spin_on_holder=0", "oticket.spin_on_holder=1", 0.9, true },
		{ "--workload locktorture --vcpus 8 --pcpus 2 --size 200",
		  "oticket.steal=0 oticket.spin_on_holder=0 oticket.spin_runtime=0",
		  "oticket.steal=0 oticket.spin_on_holder=0 oticket.spin_runtime=1", 0.6, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double off, on, xoff, xon;

		if (halts_per_entry(cases[i].shape, cases[i].off, &off, &xoff) ||
		    halts_per_entry(cases[i].shape, cases[i].on, &on, &xon))
			return 1;
		if (!(off > 0))
			return fail("%s: no halts without it: nothing to compare", cases[i].off);
		if (!(on <= cases[i].most * off))
			return fail("%s: %.4f halts per entry with it, %.4f without: want "
				    "at most %.2fx", cases[i].on, on, off, cases[i].most);
		if (cases[i].event && !(xoff == 0 && xon > 0))
			return fail("%s: otk_spin_on_holder %.0f without, %.0f with: want 0 "
				    "and more", cases[i].on, xoff, xon);
	}
	return 0;
}

/*
 * Waiting out a sleeper on a host that never counts as over-committed
 * (oc_steal_pm 1000), lockmix 16 vCPUs on 8 pCPUs, seeds 1-2: with
 * idle_wait_steals 0 no arrival waits for the lock nor is turned away;
 * with the default some wait and some are turned away by C
 * (otk_steal_wait_busy); with the gate at steal_max (16) more wait, and
 * 31 is clamped to 16: the same runs, count for count.  C, not the
 * regime, decides.
 */
static int t_idle_wait(void)
{
	static const char shape[] = "--workload lockmix --vcpus 16 --pcpus 8 --size 30";
	static const char *const gate[] = {
		"oticket.oc_steal_pm=1000 oticket.idle_wait_steals=0",
		"oticket.oc_steal_pm=1000",
		"oticket.oc_steal_pm=1000 oticket.idle_wait_steals=31",
		"oticket.oc_steal_pm=1000 oticket.idle_wait_steals=16" };
	static const char *const ev[] = { "otk_steal_waited", "otk_steal_wait_busy" };
	double waited[4], busy[4];

	for (int i = 0; i < 4; i++) {
		double sum[2];

		if (ev_sums(shape, gate[i], 2, ev, sum, 2))
			return 1;
		waited[i] = sum[0];
		busy[i] = sum[1];
	}
	if (waited[0] != 0 || busy[0] != 0)
		return fail("idle_wait_steals=0: %.0f waited, %.0f turned away: want 0, 0",
			    waited[0], busy[0]);
	if (!(waited[1] > 0 && busy[1] > 0))
		return fail("default: %.0f waited, %.0f turned away: want both > 0",
			    waited[1], busy[1]);
	if (!(waited[2] > waited[1]))
		return fail("%.0f waited by default, %.0f with the gate at steal_max: want more",
			    waited[1], waited[2]);
	if (waited[2] != waited[3] || busy[2] != busy[3])
		return fail("gate 31: %.0f/%.0f waited/turned away, gate 16: %.0f/%.0f: want equal",
			    waited[2], busy[2], waited[3], busy[3]);
	return 0;
}

static int t_vbench_sim(void)
{
	char *out, dir[1300], real[1300];
	int rc;

	snprintf(dir, sizeof(dir), "%s/vb", tmp);
	rc = run(&out, "%s/bin/vbench sweep --testbed sim --modes pvqspinlock,oticket "
		 "--workloads locktorture,gmake --vcpus 4,8 --l2-vcpus 2 --reps 2 "
		 "--profile testbed --size locktorture=30 --size gmake=2 --sim time_ms=30 "
		 "--out %s", build, dir);
	if (rc || !strstr(out, "locktorture") || access(strcat(strcpy(real, dir),
							      "/plots/locktorture-ratio.png"), R_OK)) {
		fail("sweep: exit %d: %.300s", rc, out);
		free(out);
		return 1;
	}
	free(out);
	rc = run(&out, "grep -c '\"sim.pcpus\":2,.*\"testbed\":\"sim\"' %s/results.jsonl", dir);
	if (rc || atoi(out) != 16) {
		fail("want 16 records of testbed sim carrying the parameters, got %s", out);
		free(out);
		return 1;
	}
	free(out);
	/* a measured-looking directory: the same records, testbed renamed */
	snprintf(real, sizeof(real), "%s/vbreal", tmp);
	run(NULL, "mkdir -p %s && sed 's/\"testbed\":\"sim\"/\"testbed\":\"emulated-nested\"/' "
	    "%s/results.jsonl > %s/results.jsonl", real, dir, real);
	rc = run(&out, "%s/bin/vbench compare %s %s", build, dir, real);
	if (rc != 2 || !strstr(out, "sim")) {
		fail("compare sim vs measured: exit %d, want 2 and a refusal: %.200s", rc, out);
		free(out);
		return 1;
	}
	free(out);
	rc = run(&out, "cat %s/results.jsonl >> %s/results.jsonl && %s/bin/vbench report %s",
		 dir, real, build, real);
	if (rc != 2 || !strstr(out, "mixes")) {
		fail("report of mixed records: exit %d, want 2 and a refusal", rc);
		free(out);
		return 1;
	}
	free(out);
	return 0;
}

/*
 * The histogram of one lock: @n gaps, @hist ms in @rows rows, against its
 * line.  Each figure is printed to 0.001 ms, so the sums may differ by
 * half of that per row, and per figure of the line.
 */
static int handoff_hist(unsigned long long n, int rows, double hist, double gap,
			double open, unsigned long long acq)
{
	if (fabs(hist + open - gap) > 0.0005 * (rows + 2) + 1e-9)
		return fail("gaps %.3f ms, histogram %.3f in %d rows + %.3f open", gap,
			    hist, rows, open);
	if (!n || n > acq)
		return fail("%llu gaps, %llu acquisitions", n, acq);
	return 0;
}

/*
 * How one lock was taken: @k kinds that add up to @t acquisitions, @tg of
 * them ending a gap, with @tms ms of gaps, against the lock's @acq and its
 * histogram's @n gaps and @hist ms.
 */
static int handoff_kinds(int k, unsigned long long t, unsigned long long tg, double tms,
			 unsigned long long acq, unsigned long long n, double hist, int rows)
{
	if (!k)
		return fail("no \"taken by\" lines");
	if (t != acq || tg != n)
		return fail("taken by: %llu and %llu gaps, lock %llu, histogram %llu",
			    t, tg, acq, n);
	if (fabs(tms - hist) > 0.0005 * (rows + k) + 1e-9)
		return fail("taken by: %.3f ms of gaps, histogram %.3f", tms, hist);
	return 0;
}

/*
 * One OTSIM_HANDOFFS profile in @path (stderr of a run whose stdout is @out):
 * checks each lock's accounts, puts in @share the part of the gaps that
 * acquisitions "taken by @how" ended, and returns how many locks it shows,
 * -1 on a failed check.
 */
static int handoff_check(const char *path, const char *out, const char *how,
			 double *share, double *again_share)
{
	double total, held, gap, open, idle, hist = 0, ms, sim_ms, tms = 0, mean;
	unsigned long long acq = 0, gaps = 0, n, clamps, t = 0, tg = 0, tn, tgn;
	unsigned long long all_gaps = 0, how_gaps = 0, all_acq = 0, all_again = 0;
	const char *p = strstr(out, "sim_ns=");
	char line[512];
	int locks = 0, bad = 0, rows = 0, kinds = 0;
	FILE *f;

	if (!p || sscanf(p, "sim_ns=%lf", &sim_ms) != 1)
		return fail("no sim_ns on stdout"), -1;
	sim_ms /= 1e6;
	f = fopen(path, "r");
	if (!f)
		return fail("%s: %s", path, strerror(errno)), -1;
	/* a lock's line, then its histogram; a line of the next ends the last */
	while (!bad && fgets(line, sizeof(line), f)) {
		const char *g = strstr(line, ": handoff gap ");
		static const char by[] = ": taken by ";
		static const char again[] = ": taken again by its last releaser: ";
		const char *k = strstr(line, by);
		const char *ag = strstr(line, again);
		const char *l = strstr(line, " lock ");

		p = g ? strrchr(line, ':') : NULL;
		if (p && sscanf(p + 1, "%llu, %lf ms", &n, &ms) == 2) {
			gaps += n;
			hist += ms;
			rows++;
			continue;
		}
		if (ag) {
			/* after the lock's histogram and kinds */
			ag += sizeof(again) - 1;
			if (sscanf(ag, "%llu, %llu ending a gap", &tn, &tgn) != 2 ||
			    !locks || tn > acq || tgn > tn || tgn > gaps) {
				bad = fail("taken again: %.200s", line);
				break;
			}
			all_acq += acq;
			all_again += tn;
			continue;
		}
		if (k) {
			k += sizeof(by) - 1;
			p = strrchr(k, ':');
			if (!p ||
			    sscanf(p + 1, "%llu, %llu ending a gap, %lf ms of gaps, mean %lf ns",
				   &tn, &tgn, &ms, &mean) != 4 || tgn > tn ||
			    (tgn && fabs(ms * 1e6 / tgn - mean) > 0.5 + 500.0 / tgn + 1e-6)) {
				bad = fail("taken by: %.200s", line);
				break;
			}
			t += tn;
			tg += tgn;
			tms += ms;
			kinds++;
			all_gaps += tgn;
			/* the kind's whole label, not a prefix of another */
			if ((size_t)(p - k) == strlen(how) && !strncmp(k, how, p - k))
				how_gaps += tgn;
			continue;
		}
		p = l ? strchr(l + 6, ':') : NULL;
		if (!p)
			continue;
		/* the previous lock's histogram and kinds are complete */
		if (locks && (handoff_hist(gaps, rows, hist, gap, open, acq) ||
			      handoff_kinds(kinds, t, tg, tms, acq, gaps, hist, rows))) {
			bad = 1;
			break;
		}
		t = 0;
		tg = 0;
		tms = 0;
		kinds = 0;
		if (sscanf(p + 1, "%llu acquisitions in %lf ms: held %lf ms, in gaps %lf ms "
			   "(%lf ms open at the end), free %lf ms, %llu clamps",
			   &acq, &total, &held, &gap, &open, &idle, &clamps) != 7) {
			bad = fail("unparsed: %.200s", line);
			break;
		}
		locks++;
		gaps = 0;
		rows = 0;
		hist = 0;
		/* the three accounts fill the run; the clocks end near sim_ns */
		bad = fabs(held + gap + idle - total) > 0.002 ?
		      fail("held %.3f + gaps %.3f + free %.3f != %.3f ms", held, gap, idle, total) :
		      total < sim_ms - 0.001 || total > sim_ms + 0.1 ?
		      fail("lock accounts end at %.3f ms, the run at %.3f", total, sim_ms) :
		      held <= 0 || !acq ? fail("%.200s", line) : 0;
	}
	fclose(f);
	if (!bad && locks)
		bad = handoff_hist(gaps, rows, hist, gap, open, acq) ||
		      handoff_kinds(kinds, t, tg, tms, acq, gaps, hist, rows);
	*share = all_gaps ? (double)how_gaps / all_gaps : 0;
	*again_share = all_acq ? (double)all_again / all_acq : 0;
	if (!bad && locks && !all_acq)
		bad = fail("no \"taken again\" lines");
	return bad ? -1 : locks;
}

/*
 * OTSIM_HANDOFFS=1: stdout as without it; on stderr, per busy lock, held,
 * gap and free time that fill the run, a gap histogram that adds up to
 * the gap time and, over-committed, has gaps, and how the lock was taken,
 * adding up to its acquisitions and its gaps, with the mode's own steals
 * ending their share of the gaps: pvqspinlock's unfair trylock,
 * o-ticket's free steals, oqspin's passes; a bad value is refused.
 */
static int t_handoffs(void)
{
	/* the mode's own steals end a good part of its gaps */
	static const char *const mix =
		"lockmix --vcpus 24 --pcpus 16 --size 30 --profile hw --seed 2";
	static const struct {
		const char *mode, *shape, *how;
		int min_locks, max_locks;
		double min_share, min_again;
	} runs[] = {
		{ "pvqspinlock", "locktorture --vcpus 8 --pcpus 2 --size 30 --profile testbed --seed 5",
		  "the queue", 1, 1, 0, 0 },
		/*
		 * o-ticket's free steals go to the releaser coming back (85%
		 * measured at 2x on 16 pCPUs), up to steal_max per turn
		 */
		{ "oticket", "locktorture --vcpus 32 --pcpus 16 --size 30 --profile hw --seed 1",
		  "a free steal at entry", 1, 1, 0.5, 0.5 },
		/*
		 * 64 locks of Zipf popularity: about a third take 1% or more.
		 * At 1.5x, over the profiled locks, 82% of pvqspinlock's gaps
		 * end by its unfair trylock, 35% of o-ticket's by free steals;
		 * oqspin passes a preempted queue head now and then (60 of
		 * 87 k gaps).
		 */
		{ "pvqspinlock", NULL, "pvqspinlock's unfair trylock", 2, 63, 0.5, 0 },
		{ "oticket", NULL, "a free steal at entry", 2, 63, 0.2, 0 },
		{ "oqspin", NULL, "oqspin's pass of a preempted queue head", 2, 63, 1e-9, 0 },
	};
	char *a, *b, *err, path[1300];
	int rc, base, bad = 0, locks;
	double share, again;

	rc = run(&a, "OTSIM_HANDOFFS=yes %s/bin/otsim --mode pvqspinlock --workload %s", build,
		 mix);
	if (rc != 3 || !strstr(a, "OTSIM_HANDOFFS=yes"))
		bad = fail("OTSIM_HANDOFFS=yes: exit %d, want 3 and a message: %.200s", rc, a);
	free(a);
	if (bad)
		return 1;
	snprintf(path, sizeof(path), "%s/handoffs.err", tmp);
	for (int i = 0; !bad && i < (int)(sizeof(runs) / sizeof(*runs)); i++) {
		char args[200];

		snprintf(args, sizeof(args), "--mode %s --workload %s", runs[i].mode,
			 runs[i].shape ? runs[i].shape : mix);
		base = run(&a, "%s/bin/otsim %s 2>/dev/null", build, args);
		rc = run(&b, "OTSIM_HANDOFFS=1 %s/bin/otsim %s 2>%s", build, args, path);
		run(&err, "cat %s", path);
		bad = base ? fail("%s: without OTSIM_HANDOFFS: exit %d", args, base) :
		      rc ? fail("%s: exit %d: %.200s", args, rc, err) :
		      strcmp(a, b) ? fail("%s: OTSIM_HANDOFFS=1 changed stdout", args) :
		      (locks = handoff_check(path, b, runs[i].how, &share, &again)) < 0 ? 1 :
		      locks < runs[i].min_locks || locks > runs[i].max_locks ?
		      fail("%s: %d locks in the profile: %.200s", args, locks, err) :
		      share < runs[i].min_share ?
		      fail("%s: taken by %s ended %.4f of the gaps, want at least %g",
			   args, runs[i].how, share, runs[i].min_share) :
		      again < runs[i].min_again ?
		      fail("%s: %.3f taken again by the last releaser, want at least %g",
			   args, again, runs[i].min_again) : 0;
		free(a);
		free(b);
		free(err);
	}
	return bad;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "sim: the build refuses a missing staged tree", t_build_needs_tree },
	{ "sim: every mode, 1-2 VMs, 3 workloads: exclusion, releases, no lost wake-up",
	  t_invariants },
	{ "sim: a lying cmpxchg and lost kicks are caught", t_mutants },
	{ "sim: same seed, byte-identical output", t_determinism },
	{ "sim: Waiman 2015 order at 32 pCPUs: pvticket > pvqspinlock >= unfair",
	  t_waiman_order },
	{ "sim: boost queue head: no change with 1 VM, post-revert size with 2-3",
	  t_boost_order },
	{ "sim: over-commit spin rules: fewer halts behind a running holder, after "
	  "a preemption", t_spin_rules },
	{ "sim: idle host: arrivals wait out a sleeper while C < idle_wait_steals",
	  t_idle_wait },
	{ "sim: vbench --testbed sim: records, report, plots; no mixing", t_vbench_sim },
	{ "sim: OTSIM_HANDOFFS profile: stdout unchanged, accounts fill the run",
	  t_handoffs },
};

int main(void)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(build, sizeof(build), "%s", getenv("BUILD") ? getenv("BUILD") : "build");
	snprintf(tmp, sizeof(tmp), "%s/test/simtest", build);
	{
		char cmd[2400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", tmp, tmp);
		if (system(cmd))
			return 2;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		reason[0] = 0;
		if (tests[i].fn()) {
			failed++;
			printf("FAIL %s: %s\n", tests[i].name, reason);
		} else {
			passed++;
			printf("ok   %s\n", tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
