// SPDX-License-Identifier: GPL-2.0
/*
 * vbfake - a fake testbed for vbench's own tests: the sweep machinery
 * (plans, in-boot retries, pairing, --precision, shards, merge, resume)
 * runs against it in seconds, without QEMU.
 *
 *   VBENCH_L2="vbfake run" vbench sweep ...
 *
 * "vbfake run ... --log L --script S" plays level 2: it writes the BEGIN
 * marker to L and runs S with sh, output to L, with itself as "testbed"
 * on PATH.  S's "testbed guest --vm NAME ... --vm ..." plays the level-3
 * guests: one console frame each, in the format of tools/testbed/testbed.c,
 * holding l3-vbench.sh's result line with made-up numbers:
 *
 *   value = 100000 x boot drift x mode factor x run noise, and each
 *   interval's value that x interval noise (all log-normal)
 *
 * Environment (all optional):
 *   VBFAKE_DRIFT      sd of the log boot drift, shared by a boot (0.10)
 *   VBFAKE_RUN        sd of the log run noise (0.02)
 *   VBFAKE_IV         sd of the log interval noise (0.05)
 *   VBFAKE_<MODE>     mode factor, e.g. VBFAKE_OTICKET=0.8 (pvqspinlock 1,
 *                     tas 1.25, oticket 0.9, oqspin 1.05, qspinlock 0.2,
 *                     pvticket 0.5)
 *   VBFAKE_NOISE_<MODE>  that mode's run noise instead of VBFAKE_RUN
 *   VBFAKE_FAIL       probability that a guest hangs (0)
 *   VBFAKE_DELAY      seconds a guest takes (0)
 *   VBFAKE_CRASH      B:K[,B:K...]: level 2 dies at the K-th guest start of
 *                     its boot B (l2-bootB.log), a run in progress (needs
 *                     VBFAKE_SEED)
 *   VBFAKE_SEED       seed: the same seed, plan and order give the same numbers
 *                     (default: time and pid)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

static double env_num(const char *name, double dflt)
{
	const char *v = getenv(name);

	return v && *v ? atof(v) : dflt;
}

static double uniform(void)
{
	return (random() + 1.0) / (RAND_MAX + 2.0);
}

/* a standard normal deviate (Box-Muller) */
static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/*
 * With VBFAKE_SEED, every guest start of a boot draws from its own
 * sequence: the seed, the name of the boot's log (not its directory) and
 * a count of the guest starts in it (VBFAKE_STATE, a file).  Returns that
 * count, from 1.
 */
static unsigned int seed(void)
{
	const char *s = getenv("VBFAKE_SEED"), *state = getenv("VBFAKE_STATE");
	unsigned int h = 2166136261u, count = 0;
	FILE *f;

	if (!s) {
		srandom((unsigned int)time(NULL) ^ getpid());
		return 0;
	}
	if (state && (f = fopen(state, "r+"))) {
		if (fscanf(f, "%u", &count) != 1)
			count = 0;
		rewind(f);
		fprintf(f, "%u\n", count + 1);
		fclose(f);
	}
	for (const char *p = state ? (strrchr(state, '/') ? strrchr(state, '/') + 1 : state) : "";
	     *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	srandom((unsigned int)atol(s) * 1000003u ^ h ^ count * 7919u);
	for (int i = 0; i < 8; i++)
		random();
	return count + 1;
}

static pid_t script_pg;

/* stopped (vbench ends a boot): the script's group goes with us */
static void on_term(int sig)
{
	if (script_pg > 0)
		kill(-script_pg, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run(int argc, char **argv)
{
	const char *log = NULL, *script = NULL;
	char dir[PATH_MAX], self[PATH_MAX], bin[PATH_MAX + 16], link[PATH_MAX + 32];
	char cmd[3 * PATH_MAX + 200], drift[32];
	ssize_t n;
	FILE *f;
	pid_t pid;
	int st;

	for (int i = 2; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--log"))
			log = argv[++i];
		else if (!strcmp(argv[i], "--script"))
			script = argv[++i];
	}
	if (!log || !script) {
		fprintf(stderr, "vbfake run: --log and --script are required\n");
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 2;
	self[n] = 0;
	snprintf(dir, sizeof(dir), "%s", log);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(bin, sizeof(bin), "%s/fakebin", dir);
	snprintf(link, sizeof(link), "%s/testbed", bin);
	mkdir(bin, 0755);
	unlink(link);
	if (symlink(self, link)) {
		perror("vbfake: symlink");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "%s/count.%s", bin, strrchr(log, '/') ? strrchr(log, '/') + 1 : log);
	setenv("VBFAKE_STATE", cmd, 1);
	f = fopen(cmd, "w");
	if (f) {
		fprintf(f, "0\n");
		fclose(f);
	}
	seed();
	snprintf(drift, sizeof(drift), "%.6f", exp(env_num("VBFAKE_DRIFT", 0.10) * normal()));
	setenv("VBFAKE_BOOT_FACTOR", drift, 1);
	setenv("OTB_LIB", "/nonexistent", 1);
	f = fopen(log, "w");
	if (!f)
		return 2;
	fprintf(f, "@@OTB-BEGIN 6.12.0-fake level=2@@\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "PATH='%s':\"$PATH\" sh '%s' >>'%s' 2>&1", bin, script, log);
	/* in a process group of its own, all of which ends with it, as level 2 */
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_term);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		setpgid(pid, pid);	/* no race with the child's own call */
		script_pg = pid;
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = 1 << 8;
	if (pid > 0)
		kill(-pid, SIGKILL);
	f = fopen(log, "a");
	if (f) {
		fprintf(f, "@@OTB-EXIT %d@@\n", WIFEXITED(st) ? WEXITSTATUS(st) : 1);
		fclose(f);
	}
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
}

struct vm {
	const char *name, *append, *flags;
	char wl[32];
	int vcpus, size, iv, warm;
};

/* the mode a guest runs, from its command line and CPU flags */
static const char *mode_of(const struct vm *v)
{
	const char *p = strstr(v->append, "pvlock=");
	static char m[32];

	if (v->flags && strstr(v->flags, "kvm-pv-unhalt=off"))
		return "tas";
	if (strstr(v->append, "nopvspin"))
		return "qspinlock";
	if (!p)
		return "pvqspinlock";
	snprintf(m, sizeof(m), "%.*s", (int)strcspn(p + 7, " '"), p + 7);
	return m;
}

static double factor(const char *mode)
{
	static const struct {
		const char *mode;
		double f;
	} dflt[] = {
		{ "pvqspinlock", 1 }, { "tas", 1.25 }, { "oticket", 0.9 }, { "oqspin", 1.05 },
		{ "qspinlock", 0.2 }, { "pvticket", 0.5 },
	};
	char name[64];
	double f = 1;

	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
		if (!strcmp(dflt[i].mode, mode))
			f = dflt[i].f;
	snprintf(name, sizeof(name), "VBFAKE_%s", mode);
	for (char *q = name; *q; q++)
		*q = toupper((unsigned char)*q);
	return env_num(name, f);
}

/* print guest @v's frame; 1 if it "hung" */
static int frame(const struct vm *v)
{
	const char *mode = mode_of(v);
	char name[64];
	double noise, val, x[64];
	int k = v->iv > 0 ? v->iv : 1;

	snprintf(name, sizeof(name), "VBFAKE_NOISE_%s", mode);
	for (char *q = name; *q; q++)
		*q = toupper((unsigned char)*q);
	noise = env_num(name, env_num("VBFAKE_RUN", 0.02));
	if (uniform() < env_num("VBFAKE_FAIL", 0)) {
		printf("@@OTB-GUEST %s status=hang rc=0 attempts=1 boot=1.0 run=9.0 "
		       "warnings=0@@\n%s| otb: heartbeat\n@@OTB-GUEST-END %s@@\n", v->name,
		       v->name, v->name);
		return 1;
	}
	val = 1e5 * env_num("VBFAKE_BOOT_FACTOR", 1) * factor(mode) * exp(noise * normal());
	for (int i = 0; i < k && i < 64; i++)
		x[i] = val * exp(env_num("VBFAKE_IV", 0.05) * normal());
	printf("@@OTB-GUEST %s status=ok rc=0 attempts=1 boot=1.0 run=9.0 warnings=0@@\n",
	       v->name);
	if (!strcmp(mode, "tas"))
		printf("%s| otb: dmesg: kvm-guest: PV spinlocks disabled, no host support\n",
		       v->name);
	else if (!strcmp(mode, "qspinlock"))
		printf("%s| otb: dmesg: kvm-guest: PV spinlocks disabled, forced by "
		       "\"nopvspin\" parameter\n", v->name);
	else
		printf("%s| otb: dmesg: pvlock: using %s%s\n", v->name, mode,
		       strcmp(mode, "pvqspinlock") ? " (no host hook)" : "");
	printf("%s| otb: vb: stat0 cpu  100 0 50 800 0 0 0 50 0 0\n"
	       "%s| otb: vb: stat1 cpu  300 0 150 1000 0 0 0 150 0 0\n", v->name, v->name);
	printf("%s| otb: vb: wl=%s ", v->name, v->wl);
	if (!strcmp(v->wl, "locktorture")) {
		printf("max=%d min=%d fail=0 secs=%d ivn=", 1000, 900, v->size);
		for (int i = 0; i < k; i++)
			printf("%s%.0f", i ? "," : "", x[i] * v->size);
		printf(" ivt=");
		for (int i = 0; i < k; i++)
			printf("%s%d.000000", i ? "," : "", v->size);
	} else if (!strcmp(v->wl, "gmake")) {
		printf("builds=%d files=%d jobs=%d cs=", k, v->size, 2 * v->vcpus);
		for (int i = 0; i < k; i++)
			printf("%s%.0f", i ? "," : "", 3600 * 100 * 1e3 / x[i]);
	} else if (!strcmp(v->wl, "perf-futex")) {
		printf("threads=%d secs=%d ops=", v->vcpus, v->size);
		for (int i = 0; i < k; i++)
			printf("%s%.0f", i ? "," : "", x[i]);
	} else {
		printf("msgs=%d time=", 400 * v->vcpus * v->size);
		for (int i = 0; i < k; i++)
			printf("%s%.3f", i ? "," : "", 400.0 * v->vcpus * v->size / x[i]);
	}
	printf(" end\n");
	/* lock events: o-ticket's, or qspinlock's (pvqspinlock, oqspin) */
	if (!strcmp(mode, "tas"))	/* other locks' events only */
		printf("%s| otb: ev: rwsem_opt_lock 2\n", v->name);
	else if (strstr(mode, "ticket"))
		printf("%s| otb: ev: otk_slowpath 40\n%s| otb: ev: otk_wait 12\n", v->name,
		       v->name);
	else if (strstr(mode, "q"))	/* the simulator prints zeros too */
		printf("%s| otb: ev: lock_slowpath 40\n%s| otb: ev: pv_wait_node 9\n"
		       "%s| otb: ev: pv_wait_head 3\n%s| otb: ev: otk_slowpath 0\n",
		       v->name, v->name, v->name, v->name);
	printf("@@OTB-GUEST-END %s@@\n", v->name);
	return 0;
}

/* does VBFAKE_CRASH name guest start @k of the boot of @state? */
static int crash_here(const char *state, unsigned int k)
{
	const char *c = getenv("VBFAKE_CRASH"), *b = state ? strrchr(state, '/') : NULL;
	unsigned int boot, cb, ck;
	int len;

	if (!c || !b || sscanf(b, "/count.l2-boot%u", &boot) != 1)
		return 0;
	while (sscanf(c, "%u:%u%n", &cb, &ck, &len) == 2) {
		if (cb == boot && ck == k)
			return 1;
		c += len;
		if (*c != ',')
			break;
		c++;
	}
	return 0;
}

static int guest(int argc, char **argv)
{
	struct vm vms[16];
	int n = -1, failed = 0;
	unsigned int start;
	const char *state;

	memset(vms, 0, sizeof(vms));
	for (int i = 2; i + 1 < argc; i++) {
		const char *a = argv[i], *val = argv[i + 1];

		if (!strcmp(a, "--vm") && n < 15) {
			vms[++n].name = val;
			vms[n].append = "";
			vms[n].vcpus = 2;
		} else if (n < 0) {
			continue;
		} else if (!strcmp(a, "--append")) {
			vms[n].append = val;
		} else if (!strcmp(a, "--cpu-flags")) {
			vms[n].flags = val;
		} else if (!strcmp(a, "--vcpus")) {
			vms[n].vcpus = atoi(val);
		} else if (!strcmp(a, "--env")) {
			if (!strncmp(val, "VB_WL=", 6))
				snprintf(vms[n].wl, sizeof(vms[n].wl), "%s", val + 6);
			else if (!strncmp(val, "VB_SIZE=", 8))
				vms[n].size = atoi(val + 8);
			else if (!strncmp(val, "VB_IV=", 6))
				vms[n].iv = atoi(val + 6);
			else if (!strncmp(val, "VB_WARM=", 8))
				vms[n].warm = atoi(val + 8);
		} else {
			continue;
		}
		i++;
	}
	start = seed();		/* run() drew the boot's drift as start 1 */
	state = getenv("VBFAKE_STATE");
	if (start > 1 && crash_here(state, start - 1)) {
		/* level 2 froze: it is gone, its console ends mid-run */
		fflush(stdout);
		kill(getppid(), SIGKILL);
		return 4;
	}
	usleep(env_num("VBFAKE_DELAY", 0) * 1e6);
	for (int g = 0; g <= n; g++)
		failed += frame(&vms[g]);
	fflush(stdout);
	/* as testbed guest: 3 when a guest failed */
	return failed ? 3 : 0;
}

int main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	if (argc > 1 && !strcmp(argv[1], "run"))
		return run(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "guest"))
		return guest(argc, argv);
	fprintf(stderr, "usage: vbfake run ... --log L --script S | %s guest --vm ...\n", me);
	return 2;
}
