// SPDX-License-Identifier: GPL-2.0
/*
 * testbed - boot oticket kernels in the emulated nested testbed or under
 * hardware KVM, run a script inside, collect its output and exit status.
 *
 *   testbed run   [opts] --script FILE	host side: boot the level-2 host
 *					(TCG, -cpu max) with FILE as its job,
 *					or run FILE on this host directly when
 *					/dev/kvm works at hardware speed
 *   testbed guest [opts] --vm NAME [vm opts]...
 *					start level-3 guests under KVM (inside
 *					level 2, or on a real KVM host), each
 *					with its own vCPUs, command line, CPU
 *   testbed probe-kvm			is /dev/kvm usable at hardware speed?
 *   testbed kvm-check			does /dev/kvm run a test guest at all?
 *   testbed cpio OUT [--base F] DEST=SRC...
 *					write (or extend) a newc initramfs
 *
 * Every guest is watched against a boot and a run deadline (see tb.h); a
 * crashed, hung or silent guest is reported with its status, retried a
 * bounded number of times, and never reported as a result.  Killing this
 * program kills its QEMUs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tb.h"

#define MAX_VMS		16

static void usage(void)
{
	fprintf(stderr,
"usage: testbed run [--mode auto|nested|direct] [--kernel F] [--initrd F]\n"
"                   [--l3-initrd F] [--lib DIR]   (direct mode)\n"
"                   [--vcpus N] [--mem MB] [--append S] [--env K=V]...\n"
"                   [--boot-timeout S] [--timeout S] [--silence S]\n"
"                   [--retries N] [--log F] [--echo | --progress]\n"
"                   [--disk F]   (read-only disk, its path in $OTB_DISK)\n"
"                   --script F\n"
"       testbed guest [--kernel F] [--initrd F] [--outdir D] [--retries N]\n"
"                   [--boot-timeout S] [--timeout S] [--echo]\n"
"                   --vm NAME [--vcpus N] [--mem MB] [--cpu MODEL]\n"
"                   [--cpu-flags F]   (appended to MODEL, default " TB_L3_CPU ")\n"
"                   [--append S] [--env K=V]... [--script F]\n"
"                   [--qemu-arg A]... [--vm ...]\n"
"       testbed probe-kvm | kvm-check\n"
"       testbed cpio OUT [--base F] DEST=SRC...\n");
	exit(2);
}

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "testbed: %s needs a value\n", argv[*i]);
		exit(2);
	}
	return argv[++*i];
}

static long num_arg(int argc, char **argv, int *i, long lo, long hi)
{
	const char *opt = argv[*i], *s = need_arg(argc, argv, i);
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "testbed: %s: '%s' is not a number in [%ld, %ld]\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static void need_file(const char *what, const char *path)
{
	if (!path || access(path, R_OK)) {
		fprintf(stderr, "testbed: %s %s: %s\n", what, path ? path : "(none)",
			path ? strerror(errno) : "not given");
		exit(2);
	}
}

/*
 * Append NAME=VALUE from an --env option to @buf as a line the guest's
 * /init sources with "set -a": NAME='VALUE'.  The value may hold spaces
 * (e.g. "nested=0 npt=0") but no quote or newline; the name must be a
 * shell variable name.
 */
static int env_add(char *buf, size_t size, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t nlen = eq ? (size_t)(eq - kv) : 0;

	if (!eq || !nlen || strspn(kv, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789") != nlen ||
	    (kv[0] >= '0' && kv[0] <= '9') || strpbrk(eq + 1, "'\n") ||
	    strlen(buf) + strlen(kv) + 4 > size) {
		fprintf(stderr, "testbed: bad --env '%s': need NAME=VALUE, VALUE without quotes\n", kv);
		return -1;
	}
	snprintf(buf + strlen(buf), size - strlen(buf), "%.*s='%s'\n", (int)nlen, kv, eq + 1);
	return 0;
}

/* "OTB_DISK=<absolute path of @disk>" for env_add() */
static const char *disk_env(const char *disk)
{
	static char buf[600], cwd[512];

	if (disk[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		snprintf(buf, sizeof(buf), "OTB_DISK=%s", disk);
	else
		snprintf(buf, sizeof(buf), "OTB_DISK=%s/%s", cwd, disk);
	return buf;
}

/*
 * Write the per-run initramfs: the base archive plus /otb/run.sh and
 * /otb/env.  The kernel unpacks concatenated cpio archives in order.
 */
static void make_run_initrd(const char *out, const char *base,
			    const char *script, const char *env)
{
	struct tb_cpio *c = tb_cpio_open(out, base);

	if (!c || tb_cpio_add_file(c, "otb/run.sh", script) ||
	    tb_cpio_add_data(c, "otb/env", env, strlen(env), 0644) ||
	    tb_cpio_close(c)) {
		fprintf(stderr, "testbed: cannot write %s: %s\n", out, strerror(errno));
		exit(2);
	}
}


/*
 * The QEMU command line every testbed guest shares: serial console on
 * stdio (the runner reads it), nothing else attached, no reboot so a triple
 * fault or panic ends QEMU instead of looping.
 */
static void qemu_args(struct tb_vm *vm, const char *accel, const char *cpu,
		      long vcpus, long mem, const char *kernel, const char *initrd,
		      const char *append)
{
	char smp[24], mb[24], cmdline[1024];
	const char *const args[] = {
		"qemu-system-x86_64", "-accel", accel, "-cpu", cpu, "-smp", smp,
		"-m", mb, "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
		"-nodefaults", "-no-user-config", "-display", "none",
		"-serial", "stdio", "-no-reboot",
	};

	snprintf(smp, sizeof(smp), "%ld", vcpus);
	snprintf(mb, sizeof(mb), "%ld", mem);
	snprintf(cmdline, sizeof(cmdline), "console=ttyS0 loglevel=5 panic=-1 %s", append);
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		tb_vm_arg(vm, "%s", args[i]);
}

/* Print one guest's console between frames: the parseable part of output. */
static void print_frame(struct tb_vm *vm, int attempts)
{
	char *log = tb_read_file(vm->log_path, NULL), *line, *save;

	printf("@@OTB-GUEST %s status=%s rc=%d attempts=%d boot=%.1f run=%.1f warnings=%d@@\n",
	       vm->name, tb_status_name(vm->status), vm->rc, attempts,
	       vm->boot_secs, vm->run_secs, vm->warnings);
	if (vm->oops[0])
		printf("%s| %s\n", vm->name, vm->oops);
	for (line = log ? strtok_r(log, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *m;

		if (strstr(line, "@@OTB-RESULT"))
			continue;
		/* the guest's own markers must not end the run around us */
		while ((m = strstr(line, "@@OTB-")))
			memcpy(m, "@@otb-", 6);
		/* nor open or end a section of the level-2 suite */
		while ((m = strstr(line, "@@SEC ")))
			memcpy(m, "@@sec ", 6);
		while ((m = strstr(line, "@@RC ")))
			memcpy(m, "@@rc ", 5);
		printf("%s| %s\n", vm->name, line);
	}
	printf("@@OTB-GUEST-END %s@@\n", vm->name);
	free(log);
}

static int cmd_guest(int argc, char **argv)
{
	static struct tb_vm vms[MAX_VMS];
	const char *kernel = getenv("OTB_KERNEL"), *initrd = getenv("OTB_L3_INITRD");
	const char *outdir = "/tmp/otb", *name;
	struct {
		long vcpus, mem;
		const char *cpu, *cpu_flags, *append, *script;
		const char *extra[16];
		int nextra;
		char env[1024];
	} spec[MAX_VMS];
	long retries = 2, boot_to = 90, run_to = 600;
	int n = -1, echo = 0, i, attempts, failed = 0, script_failed = 0, stuck = 0;

	if (!kernel)
		kernel = "/boot/bzImage";
	if (!initrd)
		initrd = "/boot/l3.cpio";
	memset(spec, 0, sizeof(spec));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--vm")) {
			if (++n >= MAX_VMS) {
				fprintf(stderr, "testbed: at most %d guests\n", MAX_VMS);
				return 2;
			}
			name = need_arg(argc, argv, &i);
			/* it names files and frames: keep it plain and unique */
			if (!*name || *name == '.' || strlen(name) >= sizeof(vms[0].name) ||
			    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
			    strlen(name)) {
				fprintf(stderr, "testbed: --vm '%s': use up to %zu of [A-Za-z0-9_.-]\n",
					name, sizeof(vms[0].name) - 1);
				return 2;
			}
			for (int k = 0; k < n; k++) {
				if (!strcmp(vms[k].name, name)) {
					fprintf(stderr, "testbed: --vm '%s' given twice\n", name);
					return 2;
				}
			}
			tb_vm_init(&vms[n], name);
			spec[n].vcpus = 2;
			spec[n].mem = 256;
			spec[n].cpu = TB_L3_CPU;
			spec[n].append = "";
			continue;
		}
		if (!strcmp(a, "--kernel")) {
			kernel = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--initrd")) {
			initrd = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--outdir")) {
			outdir = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--retries")) {
			retries = num_arg(argc, argv, &i, 0, TB_MAX_RETRIES);
		} else if (!strcmp(a, "--boot-timeout")) {
			boot_to = num_arg(argc, argv, &i, 1, 3600);
		} else if (!strcmp(a, "--timeout")) {
			run_to = num_arg(argc, argv, &i, 1, 86400);
		} else if (!strcmp(a, "--echo")) {
			echo = 1;
		} else if (n < 0) {
			fprintf(stderr, "testbed: guest: %s before the first --vm\n", a);
			return 2;
		} else if (!strcmp(a, "--vcpus")) {
			spec[n].vcpus = num_arg(argc, argv, &i, 1, 255);
		} else if (!strcmp(a, "--mem")) {
			spec[n].mem = num_arg(argc, argv, &i, 64, 65536);
		} else if (!strcmp(a, "--cpu")) {
			spec[n].cpu = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--append")) {
			spec[n].append = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--script")) {
			spec[n].script = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--env")) {
			if (env_add(spec[n].env, sizeof(spec[n].env), need_arg(argc, argv, &i)))
				return 2;
		} else if (!strcmp(a, "--cpu-flags")) {
			spec[n].cpu_flags = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--qemu-arg")) {
			if (spec[n].nextra >= 16)
				usage();
			spec[n].extra[spec[n].nextra++] = need_arg(argc, argv, &i);
		} else {
			fprintf(stderr, "testbed: guest: unknown option %s\n", a);
			usage();
		}
	}
	if (n < 0)
		usage();
	need_file("kernel", kernel);
	need_file("initrd", initrd);
	if (tb_mkdir_p(outdir)) {
		fprintf(stderr, "testbed: cannot create %s\n", outdir);
		return 2;
	}
	n++;
	for (i = 0; i < n; i++) {
		struct tb_vm *vm = &vms[i];
		char rd[600], env[1400], cpu[512];

		need_file("script", spec[i].script);
		snprintf(rd, sizeof(rd), "%s/%s.cpio", outdir, vm->name);
		snprintf(env, sizeof(env), "OTB_LEVEL=3\nOTB_NAME='%s'\n%s", vm->name,
			 spec[i].env);
		make_run_initrd(rd, initrd, spec[i].script, env);
		snprintf(vm->log_path, sizeof(vm->log_path), "%s/%s.log", outdir, vm->name);
		vm->boot_timeout = boot_to;
		vm->run_timeout = run_to;
		vm->echo = echo;
		snprintf(cpu, sizeof(cpu), "%s%s%s", spec[i].cpu,
			 spec[i].cpu_flags ? "," : "", spec[i].cpu_flags ? spec[i].cpu_flags : "");
		qemu_args(vm, "kvm", cpu, spec[i].vcpus, spec[i].mem,
			  kernel, rd, spec[i].append);
		for (int k = 0; k < spec[i].nextra; k++)
			tb_vm_arg(vm, "%s", spec[i].extra[k]);
	}
	attempts = tb_run_retry(vms, n, retries, stdout);
	for (i = 0; i < n; i++) {
		print_frame(&vms[i], attempts);
		if (vms[i].status == TB_STUCK) {
			/* tells the runner one level up that this host is unfit */
			printf("@@OTB-DEGRADED %s@@\n", vms[i].name);
			stuck++;
		}
		if (vms[i].status != TB_OK)
			failed++;
		else if (vms[i].rc)
			script_failed++;
	}
	fflush(stdout);
	if (tb_interrupted())
		return 130;
	if (stuck)
		return 4;
	return failed ? 3 : script_failed ? 1 : 0;
}

/* What a level-2 retry is built from (cmd_run, nested). */
static struct {
	const char *rd, *initrd, *script;
	char env[4096];
} l2_retry;

/*
 * A level 2 that failed for a testbed reason (tb_status_resumable(): it
 * froze, an inner QEMU got stuck, QEMU exited) is booted again and
 * resumes: sections an earlier attempt ended are not run twice (the
 * grader reads each section from the attempt that ended it), so one
 * failure costs one section, not the suite.  After an oops or a hang the
 * whole suite runs again.
 */
static int l2_before_retry(struct tb_vm *vm, const char *base, int attempt)
{
	char env[sizeof(l2_retry.env) + 1200], done[1100];
	int n = tb_resume_list(vm, base, attempt, done, sizeof(done));

	/* the names are [A-Za-z0-9_.-] (tb_sec_line()): no quoting needed */
	snprintf(env, sizeof(env), "%sOTB_DONE='%s'\n", l2_retry.env, done);
	make_run_initrd(l2_retry.rd, l2_retry.initrd, l2_retry.script, env);
	if (tb_status_resumable(vm->status))
		fprintf(stderr, "testbed: l2 attempt %d resumes after %d section%s\n",
			attempt, n, n == 1 ? "" : "s");
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	const char *kernel = NULL, *initrd = NULL, *script = NULL, *log = NULL;
	const char *l3_initrd = NULL, *lib = NULL, *disk = NULL;
	const char *mode = getenv("TESTBED_MODE"), *append = "";
	long vcpus = 2, mem = 2048, retries = 2, boot_to = 180, run_to = 1800;
	long silence = 90;
	const char *match = NULL;
	/* OTB_DONE: no section is skipped unless a retry says so */
	char env[4096] = "OTB_LEVEL=2\nOTB_HEARTBEAT=10\nOTB_DONE=''\n", why[256], rd[600];
	static struct tb_vm vm;
	char mon_dir[] = "/tmp/otb-XXXXXX";
	int i, echo = 0, direct, attempts;

	if (!mode)
		mode = "auto";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--mode")) {
			mode = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--kernel")) {
			kernel = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--initrd")) {
			initrd = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--script")) {
			script = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--l3-initrd")) {
			l3_initrd = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--lib")) {
			lib = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--log")) {
			log = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--disk")) {
			disk = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--append")) {
			append = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--env")) {
			if (env_add(env, sizeof(env), need_arg(argc, argv, &i)))
				return 2;
		} else if (!strcmp(a, "--vcpus")) {
			vcpus = num_arg(argc, argv, &i, 1, 64);
		} else if (!strcmp(a, "--mem")) {
			mem = num_arg(argc, argv, &i, 256, 65536);
		} else if (!strcmp(a, "--retries")) {
			retries = num_arg(argc, argv, &i, 0, TB_MAX_RETRIES);
		} else if (!strcmp(a, "--boot-timeout")) {
			boot_to = num_arg(argc, argv, &i, 1, 3600);
		} else if (!strcmp(a, "--timeout")) {
			run_to = num_arg(argc, argv, &i, 1, 86400);
		} else if (!strcmp(a, "--progress")) {
			/* echo only the level-3 guests' result lines */
			echo = 1;
			match = "@@OTB-GUEST ";
		} else if (!strcmp(a, "--silence")) {
			silence = num_arg(argc, argv, &i, 0, 86400);
		} else if (!strcmp(a, "--echo")) {
			echo = 1;
		} else {
			fprintf(stderr, "testbed: run: unknown option %s\n", a);
			usage();
		}
	}
	need_file("script", script);
	if (!log)
		log = "/tmp/otb-run.log";
	if (disk) {
		need_file("disk", disk);
		if (strchr(disk, '\'') || strchr(disk, ',')) {
			fprintf(stderr, "testbed: --disk: no quotes or commas in '%s'\n", disk);
			return 2;
		}
	}

	if (!strcmp(mode, "auto")) {
		direct = tb_kvm_usable(why, sizeof(why));
		fprintf(stderr, "testbed: %s: %s\n",
			direct ? "direct (hardware KVM)" : "nested (TCG level 2)", why);
	} else if (!strcmp(mode, "direct")) {
		direct = 1;
	} else if (!strcmp(mode, "nested")) {
		direct = 0;
	} else {
		fprintf(stderr, "testbed: --mode must be auto, nested or direct, not '%s'\n", mode);
		return 2;
	}

	tb_vm_init(&vm, direct ? "host" : "l2");
	vm.echo_match = match;
	snprintf(vm.log_path, sizeof(vm.log_path), "%s", log);
	vm.boot_timeout = boot_to;
	vm.run_timeout = run_to;
	vm.echo = echo;
	/* level 2 prints a heartbeat; a frozen level 2 falls silent */
	vm.silence_timeout = direct ? 0 : silence;
	if (direct) {
		/*
		 * The script runs here, as level 2 would run it, and starts
		 * its guests with "testbed guest" under hardware KVM.
		 */
		static char cmd[8192], self[512];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		need_file("kernel", kernel);
		need_file("level-3 initrd (--l3-initrd)", l3_initrd);
		need_file("guest script directory (--lib)", lib);
		/* the script sees the disk where it is */
		if (disk && env_add(env, sizeof(env), disk_env(disk)))
			return 2;
		self[n > 0 ? n : 0] = 0;
		if (strrchr(self, '/'))
			*strrchr(self, '/') = 0;
		snprintf(cmd, sizeof(cmd),
			 "set -a; %s\nOTB_KERNEL='%s'; OTB_L3_INITRD='%s'; OTB_LIB='%s'; "
			 "PATH='%s':$PATH; set +a\n"
			 "echo \"@@OTB-BEGIN $(uname -r) level=host@@\"; "
			 "sh '%s'; echo \"@@OTB-EXIT $?@@\"",
			 env, kernel, l3_initrd, lib, self, script);
		tb_vm_arg(&vm, "sh");
		tb_vm_arg(&vm, "-c");
		tb_vm_arg(&vm, "%s", cmd);
	} else {
		need_file("kernel", kernel);
		need_file("initrd", initrd);
		snprintf(rd, sizeof(rd), "%s.cpio", log);
		/* level 2 sees the disk as its first virtio disk */
		if (disk && env_add(env, sizeof(env), "OTB_DISK=/dev/vda"))
			return 2;
		make_run_initrd(rd, initrd, script, env);
		l2_retry.rd = rd;
		l2_retry.initrd = initrd;
		l2_retry.script = script;
		snprintf(l2_retry.env, sizeof(l2_retry.env), "%s", env);
		vm.before_retry = l2_before_retry;
		qemu_args(&vm, "tcg,thread=multi", "max", vcpus, mem, kernel, rd, append);
		/*
		 * A frozen level 2 says nothing: its vCPUs are read from the
		 * monitor on a stall.  The socket is in a directory of our
		 * own, mode 0700: the monitor runs commands on this host.
		 */
		if (!mkdtemp(mon_dir)) {
			fprintf(stderr, "testbed: cannot make %s: %s\n", mon_dir,
				strerror(errno));
			return 2;
		}
		snprintf(vm.monitor, sizeof(vm.monitor), "%s/monitor", mon_dir);
		vm.monitor_cpus = vcpus;
		tb_vm_arg(&vm, "-monitor");
		tb_vm_arg(&vm, "unix:%s,server=on,wait=off", vm.monitor);
		if (disk) {
			tb_vm_arg(&vm, "-drive");
			tb_vm_arg(&vm, "file=%s,if=virtio,format=raw,readonly=on", disk);
		}
	}
	attempts = tb_run_retry(&vm, 1, retries, stderr);
	if (vm.monitor[0]) {
		unlink(vm.monitor);
		rmdir(mon_dir);
	}
	fprintf(stderr, "testbed: %s: %s rc=%d boot=%.1fs run=%.1fs attempts=%d warnings=%d log=%s\n",
		vm.name, tb_status_name(vm.status), vm.rc, vm.boot_secs,
		vm.run_secs, attempts, vm.warnings, vm.log_path);
	if (tb_interrupted())
		return 130;
	if (vm.status != TB_OK)
		return 3;
	return vm.rc ? 1 : 0;
}

static int cmd_cpio(int argc, char **argv)
{
	const char *base = NULL;
	struct tb_cpio *c;
	int i = 2;

	if (argc < 3)
		usage();
	if (argc > 4 && !strcmp(argv[3], "--base")) {
		base = argv[4];
		i = 5;
	}
	c = tb_cpio_open(argv[2], base);
	if (!c) {
		fprintf(stderr, "testbed: cannot write %s\n", argv[2]);
		return 2;
	}
	for (i = i ? i : 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (i == 2)
			continue;
		if (!eq) {
			fprintf(stderr, "testbed: cpio: '%s' is not DEST=SRC\n", argv[i]);
			return 2;
		}
		*eq = 0;
		if (tb_cpio_add_file(c, argv[i], eq + 1)) {
			fprintf(stderr, "testbed: cpio: cannot add %s: %s\n", eq + 1,
				strerror(errno));
			return 2;
		}
	}
	return tb_cpio_close(c) ? 2 : 0;
}

int main(int argc, char **argv)
{
	char why[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	tb_install_signal_handlers();
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "guest"))
		return cmd_guest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cpio"))
		return cmd_cpio(argc, argv);
	if (!strcmp(argv[1], "kvm-check")) {
		double secs = 600;
		int ret = tb_kvm_probe(&secs, why, sizeof(why));

		printf("kvm-check: %s: %s\n", ret ? "FAIL" : "ok", why);
		return ret ? 1 : 0;
	}
	if (!strcmp(argv[1], "probe-kvm")) {
		int ok = tb_kvm_usable(why, sizeof(why));

		printf("%s\n", why);
		return ok ? 0 : 1;
	}
	usage();
	return 2;
}
