// SPDX-License-Identifier: GPL-2.0
/*
 * vbench_test - vbench's sweep machinery end to end against the fake
 * testbed (vbfake.c): intervals in the records, paired ratios and their
 * verdicts, an A/A check, in-boot retries, --precision (stopping a boot,
 * not reaching it), paired compare, and two shards run by GNU parallel
 * whose merge must hold exactly the runs of the unsharded plan; merge must
 * refuse what does not belong together.
 *
 *   vbench_test BINDIR TMPDIR	(BINDIR holds vbench and vbfake)
 *
 * The fake testbed's numbers are seeded (VBFAKE_SEED), so a run of this
 * test always sees the same values.  Ends with "vbench_test: N passed, N
 * failed"; exit 1 on any failure.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../../vbench/vbres.h"

static int passed, failed;
static const char *bin, *tmp;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok   %s\n", name);
		passed++;
		return;
	}
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

/* run a shell command, output to @log; its exit status */
static int sh(const char *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int sh(const char *log, const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	if (asprintf(&full, "( export VBENCH_L2='%s/vbfake run' VBFAKE_SEED=11; %s ) >'%s' 2>&1",
		     bin, cmd, log) < 0)
		exit(2);
	st = system(full);
	free(cmd);
	free(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;

	if (!f)
		return strdup("");
	n = getdelim(&buf, &len, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

/* the line of @text that contains all of @a and @b; "" if none */
static const char *line_with(const char *text, const char *a, const char *b)
{
	static char line[512];

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		if (strstr(line, a) && strstr(line, b))
			return line;
		p += n + (p[n] == '\n');
	}
	return "";
}

static struct vb_rec *records(const char *dir, int *n)
{
	char path[600];
	int bad;

	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	return vb_load(path, n, &bad);
}

static void test_sweep(void)
{
	char dir[512], log[600], *out;
	struct vb_rec *r;
	int n, rc, ivs = 1, aa_ok;
	const char *l;

	snprintf(dir, sizeof(dir), "%s/vbt-sweep", tmp);
	snprintf(log, sizeof(log), "%s.log", dir);
	rc = sh(log, "rm -rf %s && %s/vbench sweep --modes pvqspinlock,tas,pvqspinlock.aa "
		"--vcpus 8 --reps 4 --intervals 4 --warmup 1 --size locktorture=1 --out %s",
		dir, bin, dir);
	out = slurp(log);
	r = records(dir, &n);
	check(rc == 0 && r && n == 12, "fake sweep: 3 modes x 4 repetitions recorded",
	      "exit %d, %d records (%s)", rc, n, log);
	for (int i = 0; r && i < n; i++)
		ivs &= n > 0 && r[i].niv == 4 && r[i].id.intervals == 4 && r[i].id.warmup == 1 &&
		       !strcmp(r[i].status, "ok");
	check(r && n > 0 && ivs, "fake sweep: every record holds its 4 interval values", "%s", log);
	l = line_with(out, " tas ", "FASTER");
	check(*l && strstr(l, "    4 "), "paired: tas 1.25x is FASTER with 4 pairs", "'%s'", l);
	/* A/A: the same mode under another name must come out as 1 */
	l = line_with(out, "4.0x pvqspinlock.aa", "[");
	{
		double g, lo, hi;

		aa_ok = sscanf(l, "%*s %*d %*d %*s %*s %*d %lf [%lf, %lf]", &g, &lo, &hi) == 3 &&
			lo <= 1 && hi >= 1 && fabs(g - 1) < 0.05;
		check(aa_ok, "paired: A/A ratio (pvqspinlock.aa) near 1, its CI covers 1",
		      "'%s'", l);
	}
	/*
	 * 40 slow paths and 9 + 3 waits in 75 guest-seconds, qspinlock's
	 * events although an o-ticket one is there (as 0); no row for tas,
	 * which has only another lock's event (and, in the fake, no KVM
	 * counters)
	 */
	{
		const char *ev = strstr(out, "Events per guest-second");
		const char *end = ev ? strstr(strstr(ev, "workload") ?
					      strstr(ev, "workload") : ev, "\n\n") : NULL;

		check(ev && end && *line_with(ev, "8   1 pvqspinlock ", "53.33         16") &&
		      !memmem(ev, end - ev, " tas ", 5),
		      "report: lock events per guest-second by lock family, none for tas",
		      "%s", log);
	}
	check(strstr(out, "Variation") && *line_with(out, "pvqspinlock ", "within runs") +
	      *line_with(out, "pvqspinlock ", "between runs"),
	      "report: within- and between-run variation table", "%s", log);
	free(out);
	free(r);
	/* the first run (pvqspinlock, repetition 0) had a busy level 1 */
	rc = sh(log, "rm -rf %s-busy && cp -r %s %s-busy && cd %s-busy && "
		"sed -i '1s/\"l1_load\":null/\"l1_load\":1.5/' results.jsonl && "
		"echo 'l1-quiet = 0.5' >>sweep.conf && %s/vbench report .", dir, dir, dir, dir,
		bin);
	out = slurp(log);
	l = line_with(out, "4.0x tas ", "FASTER");
	check(*l && strstr(l, "    3 ") && strstr(l, "   1  FASTER"),
	      "l1-quiet: a pair with a busy level 1 is not counted", "'%s' (%s)", l, log);
	free(out);
	/* the paired columns in summary.csv */
	snprintf(log, sizeof(log), "%s/summary.csv", dir);
	out = slurp(log);
	check(strstr(out, "paired_ratio,paired_lo,paired_hi") && strstr(out, ",FASTER,"),
	      "report: summary.csv has the paired ratio and verdict", "%s", log);
	free(out);
}

static void test_retry_in_boot(void)
{
	char dir[512], log[600];
	struct vb_rec *r;
	int n, retried = 0, boots = 0, rc;

	snprintf(dir, sizeof(dir), "%s/vbt-retry", tmp);
	snprintf(log, sizeof(log), "%s.log", dir);
	rc = sh(log, "rm -rf %s && VBFAKE_FAIL=0.3 %s/vbench sweep --modes pvqspinlock,tas "
		"--vcpus 2 --reps 4 --intervals 2 --retries 3 --size locktorture=1 --out %s",
		dir, bin, dir);
	r = records(dir, &n);
	for (int i = 0; r && i < n; i++) {
		retried += r[i].attempt > 1 && r[i].boot == 1;
		boots = r[i].boot > boots ? r[i].boot : boots;
	}
	check(r && retried > 0 && boots == 1 && n > 8,
	      "retries: a failed guest is tried again in the same level-2 boot",
	      "exit %d, %d records, %d retried in boot 1, %d boots (%s)", rc, n, retried,
	      boots, log);
	free(r);
}

/* the pairs column of @mode's paired row in report @out; -1 if none */
static int pairs_of(const char *out, const char *mode)
{
	char pat[64];
	const char *l;
	int n;

	snprintf(pat, sizeof(pat), " %s ", mode);
	l = line_with(out, pat, "[");
	if (sscanf(l, "%*s %*d %*d %*s %*s %d", &n) != 1)
		return -1;
	return n;
}

/*
 * Sweep pvqspinlock, tas and oticket, 3 repetitions, into @dir with level
 * 2 dying at the guest starts @crash (VBFAKE_CRASH) and @retries.  Modes
 * rotate: repetition 0 runs pvqspinlock, tas, oticket (starts 1-3),
 * repetition 1 tas, oticket, pvqspinlock (4-6).  Checks the exit status,
 * the pairs of tas and oticket, and that nothing of level 2 outlives it.
 */
static void rejoin_case(const char *name, const char *crash, int retries, int rc_want,
			int tas_want, int ot_want)
{
	char dir[512], log[600], what[200], *out;
	int rc, tas, ot, left;

	snprintf(dir, sizeof(dir), "%s/vbt-rejoin-%s", tmp, name);
	snprintf(log, sizeof(log), "%s.log", dir);
	rc = sh(log, "rm -rf %s && VBFAKE_CRASH=%s %s/vbench sweep --modes pvqspinlock,tas,"
		"oticket --vcpus 2 --reps 3 --intervals 2 --retries %d --size "
		"locktorture=1 --out %s", dir, crash, bin, retries, dir);
	out = slurp(log);
	tas = out ? pairs_of(out, "tas") : -1;
	ot = out ? pairs_of(out, "oticket") : -1;
	free(out);
	snprintf(what, sizeof(what), "pgrep -f '%s/l2-boo[t]' >/dev/null", dir);
	left = !system(what);
	snprintf(what, sizeof(what), "rejoin: level 2 dies at %s (retries %d): %d and %d pairs",
		 crash, retries, tas_want, ot_want);
	check(rc == rc_want && tas == tas_want && ot == ot_want && !left, what,
	      "exit %d, tas %d pairs, oticket %d pairs, %s (%s)", rc, tas, ot,
	      left ? "level-2 processes left" : "nothing left", log);
}

/*
 * Level 2 dies during a run: that run goes to the next boot, and the
 * partners it needs for a pair run again there.
 */
static void test_rejoin(void)
{
	char dir[512], log[600];
	struct vb_rec *r;
	int n, crashed = 0, boots = 0, again = 0;

	/* tas of repetition 0: pvqspinlock runs again with it */
	rejoin_case("a", "1:2", 1, 0, 3, 3);
	snprintf(dir, sizeof(dir), "%s/vbt-rejoin-a", tmp);
	snprintf(log, sizeof(log), "%s.log", dir);
	r = records(dir, &n);
	for (int i = 0; r && i < n; i++) {
		crashed += !strcmp(r[i].status, "l2-crashed") && r[i].boot == 1;
		boots = r[i].boot > boots ? r[i].boot : boots;
		again += !strcmp(r[i].status, "ok") && r[i].boot == 2 && r[i].id.rep == 0 &&
			 !strcmp(r[i].id.mode, "pvqspinlock");
	}
	check(crashed == 1 && boots == 2 && again == 1 && n == 11,
	      "rejoin: the cut run's done baseline runs again, once, in the next boot",
	      "%d records, %d crashed, %d boots, %d pvqspinlock reruns (%s)", n, crashed,
	      boots, again, log);
	free(r);
	/* oticket of repetition 1, after tas and before pvqspinlock: tas again */
	rejoin_case("b", "1:5", 1, 0, 3, 3);
	/* the baseline of repetition 1, after both others: both again */
	rejoin_case("c", "1:6", 1, 0, 3, 3);
	/* oticket of repetition 0 twice: pvqspinlock again in boots 2 and 3 */
	rejoin_case("d", "1:3,2:2", 2, 0, 3, 3);
	/* ... and with no attempt left, it fails (exit 1); tas keeps its pair */
	rejoin_case("e", "1:3,2:2", 1, 1, 3, 2);
}

/* a precision sweep of pvqspinlock and tas into @name with @env; its records */
static struct vb_rec *prec_sweep(const char *name, const char *env, const char *opts,
				 char *log, size_t len, int *rc, int *n)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	snprintf(log, len, "%s.log", dir);
	*rc = sh(log, "rm -rf %s && %s %s/vbench sweep --modes pvqspinlock,tas --vcpus 2 "
		 "--reps 2 --intervals 2 --precision 0.05 %s --size locktorture=1 --out %s",
		 dir, env, bin, opts, dir);
	return records(dir, n);
}

static void test_precision(void)
{
	char log[600], *out;
	struct vb_rec *r;
	int n, rc;

	r = prec_sweep("vbt-prec", "VBFAKE_DELAY=1.2", "--max-reps 12", log, sizeof(log), &rc,
		       &n);
	out = slurp(log);
	check(rc == 0 && r && n >= 6 && n < 24 && strstr(out, "reached at 1 of 1 points") &&
	      strstr(out, "ending it"),
	      "precision: repetitions stop once the CI is within +-5%",
	      "exit %d, %d records of at most 24 (%s)", rc, n, log);
	free(out);
	free(r);
	rc = sh(log, "%s/vbench sweep --out %s/vbt-prec", bin, tmp);
	out = slurp(log);
	check(rc == 0 && strstr(out, " 0 to do"), "precision: resume finds nothing to do",
	      "exit %d (%s)", rc, log);
	free(out);

	r = prec_sweep("vbt-noprec", "VBFAKE_NOISE_TAS=0.4", "--max-reps 5", log, sizeof(log),
		       &rc, &n);
	out = slurp(log);
	check(r && n == 10 && strstr(out, "reached at 0 of 1 points; not at: locktorture/v2/m1"),
	      "precision: a noisy mode stops at --max-reps, reported as not reached",
	      "exit %d, %d records, want 10 (%s)", rc, n, log);
	free(out);
	free(r);
}

static void test_compare(void)
{
	char a[512], b[512], log[600], *out;
	const char *l;
	int rc;

	snprintf(a, sizeof(a), "%s/vbt-cmp-a", tmp);
	snprintf(b, sizeof(b), "%s/vbt-cmp-b", tmp);
	snprintf(log, sizeof(log), "%s/vbt-cmp.log", tmp);
	/* little drift: the baseline's own unpaired row must not decide */
	sh(log, "rm -rf %s %s && export VBFAKE_DRIFT=0.01 && %s/vbench sweep --modes "
	   "pvqspinlock,tas --vcpus 2 --reps 5 --intervals 4 --size locktorture=1 --out %s && "
	   "VBFAKE_TAS=1.10 %s/vbench sweep --modes pvqspinlock,tas --vcpus 2 --reps 5 "
	   "--intervals 4 --size locktorture=1 --out %s", a, b, bin, a, bin, b);
	rc = sh(log, "%s/vbench compare %s %s", bin, a, b);
	out = slurp(log);
	l = line_with(out, " tas ", "t-pair");
	check(rc == 1 && strstr(l, "SLOWER"),
	      "compare: tas 1.25x -> 1.10x is SLOWER by the paired test, exit 1",
	      "exit %d, '%s' (%s)", rc, l, log);
	l = line_with(out, " pvqspinlock ", " U ");
	check(*l, "compare: the baseline itself by Mann-Whitney U", "(%s)", log);
	free(out);
}

/* the run keys of @dir's records, sorted, one per line */
static char *keys_of(const char *dir)
{
	struct vb_rec *r;
	char *buf = NULL, key[200], log[600];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n;

	r = records(dir, &n);
	for (int i = 0; r && i < n; i++) {
		vb_run_key(&r[i].id, key, sizeof(key));
		fprintf(f, "%s\n", key);
	}
	fclose(f);
	free(r);
	snprintf(log, sizeof(log), "%s.keys", dir);
	f = fopen(log, "w");
	if (f) {
		fputs(buf, f);
		fclose(f);
	}
	free(buf);
	snprintf(key, sizeof(key), "sort -o '%s' '%s'", log, log);
	if (system(key))
		return strdup("");
	return slurp(log);
}

/* --tag: MODE.TAG boots with the tag's parameters; other ones are refused */
static void test_tags(void)
{
	char d[512], log[600], path[600], *out;
	int rc;

	snprintf(d, sizeof(d), "%s/vbt-tag", tmp);
	snprintf(log, sizeof(log), "%s.log", d);
	rc = sh(log, "rm -rf %s && %s/vbench sweep --modes pvqspinlock,pvqspinlock.t "
		"--tag t=oticket.oc_spin_ns=7 --vcpus 2 --reps 1 --intervals 2 "
		"--size locktorture=1 --out %s", d, bin, d);
	snprintf(path, sizeof(path), "%s/l2-boot1.sh", d);
	out = slurp(path);
	check(rc == 0 && strstr(out, "--append 'oticket.oc_spin_ns=7'") &&
	      strstr(out, "--append ''"),
	      "tag: MODE.TAG boots with the tag's parameters, MODE without", "exit %d (%s)",
	      rc, log);
	free(out);
	rc = sh(log, "%s/vbench sweep --modes pvqspinlock,pvqspinlock.t "
		"--tag t=oticket.oc_spin_ns=8 --vcpus 2 --reps 2 --intervals 2 "
		"--size locktorture=1 --out %s", bin, d);
	out = slurp(log);
	check(rc != 0 && strstr(out, "other tags"),
	      "tag: a directory swept with other tag parameters is refused", "exit %d (%s)",
	      rc, log);
	free(out);
	rc = sh(log, "%s/vbench plan --modes pvqspinlock,oqspin --tag t=x=1", bin);
	out = slurp(log);
	check(rc != 0 && strstr(out, "no mode MODE.t"), "tag: a tag no mode uses is refused",
	      "exit %d (%s)", rc, log);
	free(out);
	rc = sh(log, "%s/vbench plan --modes pvqspinlock,oqspin.t --tag 't=a;b'", bin);
	out = slurp(log);
	check(rc != 0 && strstr(out, "--tag:"), "tag: shell characters are refused",
	      "exit %d (%s)", rc, log);
	free(out);
}

static void test_shards(void)
{
	char d[512], log[600], plan[600], *want, *got, *out;
	const char *opts = "--modes pvqspinlock,tas,oqspin --vcpus 2,4,8 --reps 2 "
			   "--intervals 2 --size locktorture=1";
	int rc;

	snprintf(d, sizeof(d), "%s/vbt-shard", tmp);
	snprintf(log, sizeof(log), "%s.log", d);
	snprintf(plan, sizeof(plan), "%s.plan", d);
	/* what the unsharded sweep would run */
	rc = sh(plan, "%s/vbench plan %s | sort", bin, opts);
	want = slurp(plan);
	rc |= sh(log, "rm -rf %s && mkdir -p %s && parallel --will-cite -j 2 --halt now,fail=1 "
		 "%s/vbench sweep %s --shard {}/2 --out %s/{} ::: 1 2", d, d, bin, opts, d);
	check(rc == 0, "shards: GNU parallel runs shards 1/2 and 2/2", "exit %d (%s)", rc, log);
	rc = sh(log, "%s/vbench merge %s/merged %s/1 %s/2 && %s/vbench report %s/merged", bin,
		d, d, d, bin, d);
	snprintf(plan, sizeof(plan), "%s/merged", d);
	got = keys_of(plan);
	check(rc == 0 && *want && !strcmp(want, got) && strstr(want, "oqspin/v8/m1"),
	      "shards: the merge holds exactly the unsharded plan's runs, and reports",
	      "exit %d; want %zu bytes of keys, got %zu (%s)", rc, strlen(want), strlen(got),
	      log);
	free(want);
	free(got);
	out = slurp(log);
	check(strstr(out, "Paired ratios") != NULL, "shards: the merged directory pairs",
	      "(%s)", log);
	free(out);

	rc = sh(log, "%s/vbench merge %s/m2 %s/1 %s/1", bin, d, d, d);
	out = slurp(log);
	check(rc != 0 && strstr(out, "given twice"), "merge: refuses a shard given twice",
	      "exit %d (%s)", rc, log);
	free(out);
	rc = sh(log, "%s/vbench merge %s/m3 %s/1", bin, d, d);
	out = slurp(log);
	check(rc != 0 && strstr(out, "shard 2/2 is missing"), "merge: refuses a missing shard",
	      "exit %d (%s)", rc, log);
	free(out);
	/* another kernel in shard 2, another configuration in a third directory */
	rc = sh(log, "cp -r %s/2 %s/2k && sed -i 's/6.12.0-fake/6.12.9-other/' "
		"%s/2k/results.jsonl && %s/vbench merge %s/m4 %s/1 %s/2k", d, d, d, bin, d,
		d, d);
	out = slurp(log);
	check(rc != 0 && strstr(out, "kernel differs"), "merge: refuses mixed kernels",
	      "exit %d (%s)", rc, log);
	free(out);
	rc = sh(log, "%s/vbench merge --force %s/m5 %s/1 %s/2k", bin, d, d, d);
	check(rc == 0, "merge: --force merges mixed kernels", "exit %d (%s)", rc, log);
	rc = sh(log, "cp -r %s/2 %s/2c && sed -i 's/^reps = 2/reps = 3/' %s/2c/sweep.conf && "
		"%s/vbench merge %s/m6 %s/1 %s/2c", d, d, d, bin, d, d, d);
	out = slurp(log);
	check(rc != 0 && strstr(out, "sweep.conf differs"), "merge: refuses mixed configurations",
	      "exit %d (%s)", rc, log);
	free(out);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: vbench_test BINDIR TMPDIR\n");
		return 2;
	}
	bin = argv[1];
	tmp = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_sweep();
	test_retry_in_boot();
	test_rejoin();
	test_precision();
	test_compare();
	test_shards();
	test_tags();
	printf("vbench_test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
