// SPDX-License-Identifier: GPL-2.0
/*
 * otest - everything "make test" runs, in order, as one table:
 *
 *   1. userspace: the testbed runner's classification, retries and
 *      process hygiene against fake guests; the initramfs writer; the
 *      build's error paths on fixture trees and series
 *   2. build: stage + patch + build the kernel, pack the guests, export
 *      the series through checkpatch
 *   3. boot: one level-2 boot (our kernel as KVM host under TCG) that runs
 *      tools/testbed/guest/l2-tests.sh; each of its sections is graded as
 *      its own test: KVM host, upstream kvm_pv_test, a level-3 boot per
 *      lock mode, locktorture in a 4-vCPU level-3 guest
 *
 * A test whose prerequisite failed fails too (it is never skipped into a
 * pass).  The last line is "N passed, N failed"; the exit status is 1 if
 * anything failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "../testbed/tb.h"

static char top[1024], build[1024], tmp[1024];
static char reason[1024];
static char *l2log;		/* console of the level-2 test boot */
static int l2_status = -1;	/* testbed run exit status */

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return 1;
}

/* Run a shell command with output to @log; return its exit status. */
static int sh(const char *log, const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	/* log "-": output stays on our stdout */
	if ((log && !strcmp(log, "-") ? asprintf(&full, "%s", cmd) :
	     asprintf(&full, "( %s ) >%s 2>&1", cmd, log ? log : "/dev/null")) < 0)
		exit(2);
	st = tb_system(full);
	free(cmd);
	free(full);
	return st;
}

/* Does @path hold exactly @want? */
static int file_is(const char *path, const char *want)
{
	char *got = tb_read_file(path, NULL);
	int same = got && !strcmp(got, want);

	free(got);
	return same;
}

static char *tail_of(const char *path, int lines)
{
	static char out[900];
	char cmd[1200];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "tail -n %d '%s' 2>/dev/null | cut -c1-160", lines, path);
	p = popen(cmd, "r");
	if (!p)
		return "";
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	return out;
}

/* ------------------------------------------------------------------------
 * 1. userspace: the runner against fake guests.
 */
struct fake_case {
	const char *name;
	const char *script;	/* sh -c; $STATE is a per-case scratch file */
	double boot_to, run_to;
	int retries;
	enum tb_status want;
	int want_rc, want_attempts;
	double max_secs;	/* deadlines must be honoured promptly */
	double silence;		/* console silence limit, 0 = none */
	const char *how;	/* silent exit: how the child ended */
};

static const struct fake_case fake_cases[] = {
	{ "runner: clean run is a result",
	  "echo noise; echo '@@OTB-BEGIN x level=3@@'; echo hi; echo '@@OTB-EXIT 0@@'",
	  5, 5, 0, TB_OK, 0, 1, 4 },
	{ "runner: script status is passed through",
	  "echo '@@OTB-BEGIN x level=3@@'; echo '@@OTB-EXIT 7@@'",
	  5, 5, 0, TB_OK, 7, 1, 4 },
	{ "runner: markers found inside interleaved kernel lines",
	  "printf '[ 1.0] rcu: x@@OTB-BEGIN x level=3@@\\n'; printf 'abc@@OTB-EXIT 0@@def\\n'",
	  5, 5, 0, TB_OK, 0, 1, 4 },
	{ "runner: no BEGIN before boot deadline is boot-hang",
	  "echo booting; sleep 30",
	  1, 5, 0, TB_BOOT_HANG, -1, 1, 4 },
	{ "runner: no EXIT before run deadline is hang",
	  "echo '@@OTB-BEGIN x level=3@@'; sleep 30",
	  5, 1, 0, TB_HANG, -1, 1, 4 },
	{ "runner: exit without EXIT marker is silent-exit",
	  "echo '@@OTB-BEGIN x level=3@@'; echo 'half a li'",
	  5, 5, 0, TB_SILENT_EXIT, -1, 1, 4, 0, "exit 0" },
	{ "runner: a silent exit says how QEMU ended: an error",
	  "echo '@@OTB-BEGIN x level=3@@'; exit 3",
	  5, 5, 0, TB_SILENT_EXIT, -1, 1, 4, 0, "exit 3" },
	{ "runner: a silent exit says how QEMU ended: a signal",
	  "echo '@@OTB-BEGIN x level=3@@'; kill -9 $$",
	  5, 5, 0, TB_SILENT_EXIT, -1, 1, 4, 0, "signal 9" },
	{ "runner: oops voids a finished run",
	  "echo '@@OTB-BEGIN x level=3@@'; echo '[    1.000000] Oops: int3 [#1] SMP'; "
	  "echo 'g| [    2.000000] BUG: of an inner guest'; echo '@@OTB-EXIT 0@@'",
	  5, 5, 0, TB_OOPS, 0, 1, 4 },
	{ "runner: failed attempt is retried, success counts",
	  "if [ -e \"$STATE\" ]; then echo '@@OTB-BEGIN x level=3@@'; echo '@@OTB-EXIT 0@@'; "
	  "else : > \"$STATE\"; sleep 30; fi",
	  1, 5, 2, TB_OK, 0, 2, 6 },
	{ "runner: retries are bounded and failure stays failure",
	  "echo '@@OTB-BEGIN x level=3@@'; exit 0",
	  5, 5, 2, TB_SILENT_EXIT, -1, 3, 6 },
	{ "runner: a heartbeat keeps a quiet job alive",
	  "echo '@@OTB-BEGIN x level=3@@'; for i in 1 2 3 4; do sleep 0.5; echo hb; done; "
	  "echo '@@OTB-EXIT 0@@'",
	  5, 10, 0, TB_OK, 0, 1, 5, 1.5 },
	{ "runner: a silent (frozen) guest is a stall",
	  "echo '@@OTB-BEGIN x level=3@@'; echo hb; sleep 30",
	  5, 20, 0, TB_STALL, -1, 1, 4, 1 },
	{ "runner: kernel messages alone do not keep a frozen guest alive",
	  "echo '@@OTB-BEGIN x level=2@@'; echo hb; while :; do sleep 0.2; "
	  "echo '[  388.801234] rcu: INFO: rcu_preempt self-detected stall on CPU'; done",
	  5, 20, 0, TB_STALL, -1, 1, 4, 1 },
	{ "runner: a stuck inner guest degrades its host at once",
	  "echo '@@OTB-BEGIN x level=2@@'; echo '@@OTB-DEGRADED l3@@'; sleep 30",
	  5, 20, 0, TB_DEGRADED, -1, 1, 4 },
	{ "runner: an escaped inner marker is only text",
	  "echo '@@OTB-BEGIN x level=2@@'; echo 'g| @@otb-EXIT 0@@'; echo 'g| @@otb-DEGRADED@@'; "
	  "echo '@@OTB-EXIT 0@@'",
	  5, 5, 0, TB_OK, 0, 1, 4 },
};

static int pid_gone(pid_t pid)
{
	char path[64], st = 0, *buf;

	if (kill(pid, 0) && errno == ESRCH)
		return 1;
	/* a zombie awaiting its reaper is dead too */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = tb_read_file(path, NULL);
	if (buf) {
		char *p = strrchr(buf, ')');

		if (p && p[1])
			st = p[2];
		free(buf);
	}
	return st == 'Z' || st == 'X';
}

static int run_fake(const struct fake_case *c)
{
	struct tb_vm vm;
	char state[1100], log[1100], stale[1200], want[1200], *last;
	double t0;
	int attempts, same;

	snprintf(state, sizeof(state), "%s/fake-state", tmp);
	unlink(state);
	setenv("STATE", state, 1);
	tb_vm_init(&vm, "fake");
	snprintf(log, sizeof(log), "%s/fake.log", tmp);
	snprintf(vm.log_path, sizeof(vm.log_path), "%s", log);
	/* a retry log left by an earlier run must not pass for this one's */
	snprintf(stale, sizeof(stale), "%s.%d", log, TB_MAX_ATTEMPTS);
	tb_write_file(stale, "stale\n", 6);
	vm.boot_timeout = c->boot_to;
	vm.run_timeout = c->run_to;
	vm.silence_timeout = c->silence;
	tb_vm_arg(&vm, "sh");
	tb_vm_arg(&vm, "-c");
	tb_vm_arg(&vm, "%s", c->script);
	t0 = tb_now();
	attempts = tb_run_retry(&vm, 1, c->retries, NULL);
	if (vm.status != c->want)
		return fail("status %s, want %s", tb_status_name(vm.status),
			    tb_status_name(c->want));
	if (c->want_rc >= 0 && vm.rc != c->want_rc)
		return fail("rc %d, want %d", vm.rc, c->want_rc);
	if (c->how && strcmp(vm.exit_how, c->how))
		return fail("ended by '%s', want '%s'", vm.exit_how, c->how);
	if (c->how) {
		char field[64], *text = tb_read_file(log, NULL);
		int found;

		snprintf(field, sizeof(field), " qemu=%s@@", c->how);
		found = text && strstr(text, field);
		free(text);
		if (!found)
			return fail("no '%s' in the result line of %s", field, log);
	}
	if (attempts != c->want_attempts)
		return fail("%d attempts, want %d", attempts, c->want_attempts);
	if (attempts > 1)
		snprintf(want, sizeof(want), "%s.%d", log, attempts);
	else
		snprintf(want, sizeof(want), "%s", log);
	last = tb_last_attempt_log(log);
	same = !strcmp(last, want);
	free(last);
	if (!same || access(want, R_OK))
		return fail("last attempt's log is not %s", want);
	if (tb_now() - t0 > c->max_secs)
		return fail("took %.1fs, deadline not honoured (max %.0fs)",
			    tb_now() - t0, c->max_secs);
	return 0;
}

static int t_no_orphans_after_deadline(void)
{
	struct tb_vm vm;
	char pidf[1100], *s;
	pid_t pid;

	snprintf(pidf, sizeof(pidf), "%s/orphan.pid", tmp);
	unlink(pidf);
	tb_vm_init(&vm, "orphan");
	snprintf(vm.log_path, sizeof(vm.log_path), "%s/orphan.log", tmp);
	vm.boot_timeout = 1;
	tb_vm_arg(&vm, "sh");
	tb_vm_arg(&vm, "-c");
	tb_vm_arg(&vm, "sleep 300 & echo $! > %s; wait", pidf);
	tb_run(&vm, 1);
	s = tb_read_file(pidf, NULL);
	if (!s)
		return fail("fake guest never started");
	pid = atoi(s);
	free(s);
	if (vm.status != TB_BOOT_HANG)
		return fail("status %s, want boot-hang", tb_status_name(vm.status));
	for (int i = 0; i < 50 && !pid_gone(pid); i++)
		usleep(100000);
	if (!pid_gone(pid))
		return fail("child %d of the killed guest is still alive", pid);
	return 0;
}

/*
 * A fake QEMU monitor on @path: answers each command line with
 * "<command> answered" and a prompt cut in two writes, as a slow HMP may
 * send it; or, @silent, accepts and never says a word (a monitor whose
 * QEMU is stuck).
 */
static pid_t fake_monitor(const char *path, bool silent)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		close(fd);
		unlink(path);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		char buf[256], line[256];
		int c = accept(fd, NULL, NULL), n;
		FILE *in;

		if (c < 0)
			_exit(1);
		if (silent) {
			pause();
			_exit(0);
		}
		if (write(c, "QEMU monitor\n(qemu) ", 20) < 0)
			_exit(1);
		in = fdopen(c, "r");
		while (in && fgets(line, sizeof(line), in)) {
			line[strcspn(line, "\n")] = 0;
			n = snprintf(buf, sizeof(buf), "%s answered\r\n(qe", line);
			if (write(c, buf, n) < 0)
				break;
			usleep(20000);
			if (write(c, "mu) ", 4) < 0)
				break;
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

/*
 * A stall of a guest with a monitor: its answers in <log>.cpus, each under
 * its own command; a monitor that does not answer costs a bounded wait.
 */
static int stall_with_monitor(bool silent)
{
	char log[1100], cpus[1200], named[1300], *text;
	struct tb_vm vm;
	double t0;
	pid_t mon;
	int st, ok;

	tb_vm_init(&vm, "fake");
	snprintf(log, sizeof(log), "%s/mon.log", tmp);
	snprintf(cpus, sizeof(cpus), "%s.cpus", log);
	unlink(cpus);
	snprintf(vm.log_path, sizeof(vm.log_path), "%s", log);
	snprintf(vm.monitor, sizeof(vm.monitor), "/tmp/otest-mon.%d", (int)getpid());
	vm.monitor_cpus = 2;
	mon = fake_monitor(vm.monitor, silent);
	if (mon < 0)
		return fail("cannot serve a fake monitor on %s", vm.monitor);
	vm.boot_timeout = 5;
	vm.run_timeout = 30;
	vm.silence_timeout = 1;
	tb_vm_arg(&vm, "sh");
	tb_vm_arg(&vm, "-c");
	tb_vm_arg(&vm, "echo '@@OTB-BEGIN x level=2@@'; sleep 30");
	t0 = tb_now();
	tb_run(&vm, 1);
	kill(mon, SIGKILL);
	waitpid(mon, &st, 0);
	unlink(vm.monitor);
	if (vm.status != TB_STALL)
		return fail("status %s, want stall", tb_status_name(vm.status));
	/* 1 s of silence, at most 5 s of monitor, the kill */
	if (tb_now() - t0 > 8)
		return fail("took %.1fs: the monitor's wait is not bounded", tb_now() - t0);
	text = tb_read_file(cpus, NULL);
	if (silent)
		ok = text && strstr(text, "no prompt") && strstr(text, "testbed: thread ");
	else	/* each answer under its own command, not the one before */
		ok = text && strstr(text, "monitor: info cpus\ninfo cpus answered") &&
		     strstr(text, "monitor: info registers -a\ninfo registers -a answered") &&
		     strstr(text, "monitor: info lapic 1\ninfo lapic 1 answered") &&
		     !strstr(text, "info lapic 2") && strstr(text, "testbed: thread ");
	free(text);
	if (!ok)
		return fail("%s lacks the monitor's answers or QEMU's threads", cpus);
	snprintf(named, sizeof(named), "vCPU state at the stall: %s\n", cpus);
	text = tb_read_file(log, NULL);
	ok = text && strstr(text, named);
	free(text);
	if (!ok)
		return fail("%s does not name %s", log, cpus);
	return 0;
}

static int t_stall_reads_monitor(void)
{
	return stall_with_monitor(false);
}

static int t_stall_silent_monitor(void)
{
	return stall_with_monitor(true);
}

static int t_sigint_kills_qemu(void)
{
	char dir[1100], path[1200], pidf[1200], *s;
	pid_t tb, qpid = 0;
	int st, i;

	snprintf(dir, sizeof(dir), "%s/fakeqemu", tmp);
	tb_mkdir_p(dir);
	snprintf(pidf, sizeof(pidf), "%s/qemu.pid", dir);
	unlink(pidf);
	snprintf(path, sizeof(path), "%s/qemu-system-x86_64", dir);
	{
		char body[1400];

		snprintf(body, sizeof(body),
			 "#!/bin/sh\nsleep 300 &\necho $! > %s\nwait\n", pidf);
		if (tb_write_file(path, body, strlen(body)) || chmod(path, 0755))
			return fail("cannot write %s", path);
		snprintf(path, sizeof(path), "%s/script.sh", dir);
		tb_write_file(path, "true\n", 5);
	}
	tb = fork();
	if (tb == 0) {
		char p[2400], bin[1100], kern[1200];

		snprintf(p, sizeof(p), "%s:%s", dir, getenv("PATH"));
		setenv("PATH", p, 1);
		snprintf(bin, sizeof(bin), "%s/bin/testbed", build);
		snprintf(kern, sizeof(kern), "%s", path);	/* any readable file */
		freopen("/dev/null", "w", stdout);
		execl(bin, "testbed", "guest", "--kernel", kern, "--initrd", kern,
		      "--outdir", dir, "--vm", "x", "--script", path, NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !(s = tb_read_file(pidf, NULL)); i++)
		usleep(100000);
	if (!s) {
		kill(tb, SIGKILL);
		waitpid(tb, &st, 0);
		return fail("fake QEMU never started under testbed guest");
	}
	qpid = atoi(s);
	free(s);
	kill(tb, SIGINT);
	for (i = 0; i < 50; i++) {
		if (waitpid(tb, &st, WNOHANG) == tb)
			break;
		usleep(100000);
	}
	if (i == 50) {
		kill(tb, SIGKILL);
		waitpid(tb, &st, 0);
		return fail("testbed did not exit within 5s of SIGINT");
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 130)
		return fail("testbed exit status %d, want 130", WEXITSTATUS(st));
	for (i = 0; i < 50 && !pid_gone(qpid); i++)
		usleep(100000);
	if (!pid_gone(qpid))
		return fail("QEMU child %d survived SIGINT", qpid);
	return 0;
}

/*
 * --env values reach the guest's /init through a sourced file: a value with
 * spaces must arrive whole (it once split "nested=0 npt=0" in two), and a
 * quote must be refused.  Direct mode runs the job here, so it shows.
 */
static int t_env_values_arrive_whole(void)
{
	static const char job[] = "echo \"got[$P] npt[${npt-unset}]\"\n";
	char dir[1100], script[1200], log[1200], *out;
	int rc;

	snprintf(dir, sizeof(dir), "%s/envtest", tmp);
	snprintf(script, sizeof(script), "%s/job.sh", dir);
	snprintf(log, sizeof(log), "%s/job.log", dir);
	if (tb_mkdir_p(dir) ||
	    tb_write_file(script, job, strlen(job)))
		return fail("cannot write %s", script);
	rc = sh(NULL, "%s/bin/testbed run --mode direct --kernel %s --l3-initrd %s --lib %s "
		"--env 'P=nested=0 npt=0' --log %s --script %s",
		build, script, script, dir, log, script);
	out = tb_read_file(log, NULL);
	if (rc || !out || !strstr(out, "got[nested=0 npt=0] npt[unset]")) {
		free(out);
		return fail("value split or lost (rc %d): %s", rc, tail_of(log, 2));
	}
	free(out);
	rc = sh(NULL, "%s/bin/testbed run --mode direct --kernel %s --l3-initrd %s --lib %s "
		"--env \"P=it's\" --log %s --script %s", build, script, script, dir, log, script);
	if (rc != 2)
		return fail("a quoted value was accepted (rc %d)", rc);
	return 0;
}

/*
 * A level 2 that failed for a testbed reason is booted again and resumes
 * after the sections that ended (tb_resume_list(), as testbed.c's
 * l2_before_retry() uses it): the fake suite below fails in section b on
 * its first attempt - frozen, degraded, gone, or oopsed; the retry must
 * skip a and run b and c, except after the oops, when it runs them all; a
 * section that froze twice is given up, not rerun.
 */
static char resume_state[1100];

static int fake_before_retry(struct tb_vm *vm, const char *base, int attempt)
{
	char done[256];

	/* the list testbed.c's l2_before_retry() passes as OTB_DONE */
	tb_resume_list(vm, base, attempt, done, sizeof(done));
	return tb_write_file(resume_state, done, strlen(done));
}

static int t_resume_after_stall(void)
{
	static const char suite[] =
		"echo '@@OTB-BEGIN x level=2@@'; for s in a b c; do "
		"case \" $(cat \"$STATE\" 2>/dev/null) \" in *\" $s \"*) continue;; esac; "
		"echo \"@@SEC $s\"; "
		"if [ $s = b ] && [ ! -e \"$STATE.froze\" ]; then : > \"$STATE.froze\"; "
		"eval \"$FAILURE\"; fi; "
		"echo \"@@RC 0@@\"; done; echo '@@OTB-EXIT 0@@'";
	/* how attempt 1 fails in section b, and whether attempt 2 resumes */
	static const struct {
		const char *failure;
		enum tb_status st;
		int resumes;
	} kinds[] = {
		{ "sleep 30", TB_STALL, 1 },
		{ "echo '@@OTB-DEGRADED g@@'; sleep 30", TB_DEGRADED, 1 },
		{ "exit 0", TB_SILENT_EXIT, 1 },
		{ "echo '[    1.000000] Oops: 0000 [#1]'; sleep 30", TB_OOPS, 0 },
	};
	char log[1100], log2[1200], done[256];
	const char *a2c;
	char *a2;
	struct tb_vm vm;
	int attempts, n;

	snprintf(resume_state, sizeof(resume_state), "%s/resume-state", tmp);
	snprintf(log, sizeof(log), "%s/resume.log", tmp);
	snprintf(log2, sizeof(log2), "%s.2", log);
	setenv("STATE", resume_state, 1);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		unlink(resume_state);
		snprintf(done, sizeof(done), "%s.froze", resume_state);
		unlink(done);
		setenv("FAILURE", kinds[k].failure, 1);
		tb_vm_init(&vm, "fake-l2");
		snprintf(vm.log_path, sizeof(vm.log_path), "%s", log);
		vm.boot_timeout = 5;
		vm.run_timeout = 20;
		vm.silence_timeout = 3;
		vm.before_retry = fake_before_retry;
		tb_vm_arg(&vm, "sh");
		tb_vm_arg(&vm, "-c");
		tb_vm_arg(&vm, "%s", suite);
		attempts = tb_run_retry(&vm, 1, 2, NULL);
		a2 = tb_read_file(log, NULL);
		n = !a2 || !strstr(a2, tb_status_name(kinds[k].st));
		free(a2);
		if (n || vm.status != TB_OK || attempts != 2)
			return fail("%s: status %s after %d attempts, want ok after 2, the first %s",
				    kinds[k].failure, tb_status_name(vm.status), attempts,
				    tb_status_name(kinds[k].st));
		a2 = tb_read_file(log2, NULL);
		n = !a2 || !strstr(a2, "@@SEC b") || !strstr(a2, "@@SEC c") ||
		    (strstr(a2, "@@SEC a") == NULL) != kinds[k].resumes;
		free(a2);
		if (n)
			return fail("%s: attempt 2 %s at b: %s", kinds[k].failure,
				    kinds[k].resumes ? "did not resume" : "resumed", tail_of(log2, 4));
	}
	n = tb_sections_done(log, 2, done, sizeof(done));
	if (n != 3 || strcmp(done, "a b c"))
		return fail("sections done after 2 attempts: %d '%s', want 3 'a b c'", n, done);
	/*
	 * b froze in attempts 1 and 2 of another run: given up, c still runs;
	 * d's status line was cut by the freeze: d did not end.
	 */
	a2c = "@@SEC a\n@@RC 0@@\n@@SEC b\n@@OTB-RESULT stall@@\n";
	tb_write_file(log, a2c, strlen(a2c));
	a2c = "@@SEC b\n@@OTB-RESULT stall@@\n@@SEC d\n@@RC \n";
	tb_write_file(log2, a2c, strlen(a2c));
	n = tb_sections_done(log, 2, done, sizeof(done));
	if (n != 2 || strcmp(done, "a b"))
		return fail("after two freezes in b: %d '%s', want 2 'a b'", n, done);
	if (tb_sections_done(log, 2, done, 3) != -1)
		return fail("a list longer than its buffer was not refused");
	return 0;
}

static int t_cpio_roundtrip(void)
{
	char a[1100], b[1100], f[1100], x[1100];
	struct tb_cpio *c;
	struct stat st;

	snprintf(a, sizeof(a), "%s/a.cpio", tmp);
	snprintf(b, sizeof(b), "%s/b.cpio", tmp);
	snprintf(f, sizeof(f), "%s/payload", tmp);
	snprintf(x, sizeof(x), "%s/x", tmp);
	tb_write_file(f, "payload-bytes\n", 14);
	c = tb_cpio_open(a, NULL);
	if (!c || tb_cpio_add_data(c, "otb/env", "K=V\n", 4, 0644) ||
	    tb_cpio_add_file(c, "deep/er/file", f) || tb_cpio_close(c))
		return fail("writing %s failed", a);
	c = tb_cpio_open(b, a);		/* appended archive, as per run */
	if (!c || tb_cpio_add_data(c, "otb/run.sh", "true\n", 5, 0755) || tb_cpio_close(c))
		return fail("appending to %s failed", a);
	if (stat(a, &st) || st.st_size % 4)
		return fail("first archive is not 4-byte aligned");
	/* GNU cpio reads one archive at a time: the base, then what follows */
	if (sh(NULL, "rm -rf %s && mkdir -p %s && cd %s && cpio -id --quiet < %s && "
	       "tail -c +%ld %s | cpio -id --quiet && test -x otb/run.sh",
	       x, x, x, b, (long)st.st_size + 1, b) != 0)
		return fail("GNU cpio cannot read both archives");
	if (!file_is(strcat(x, "/deep/er/file"), "payload-bytes\n"))
		return fail("file content differs after round trip");
	snprintf(x, sizeof(x), "%s/x/otb/env", tmp);
	if (!file_is(x, "K=V\n"))
		return fail("otb/env differs after round trip");
	return 0;
}

/* Fixture trees for the build's error paths. */
static int make_fixture_tree(const char *dir, const char *ver)
{
	return sh(NULL,
		  "rm -rf %s && mkdir -p %s/kernel/locking && cd %s && "
		  "printf 'VERSION = %c\\nPATCHLEVEL = %s\\nSUBLEVEL = 9\\nEXTRAVERSION =\\n' "
		  "'%c' > Makefile && printf 'a\\nb\\nc\\n' > kernel/locking/x.c",
		  dir, dir, dir, ver[0], ver + 2, ver[0]);
}

static int t_stage_rejects_other_version(void)
{
	char tree[1100], log[1100], *out;
	int rc;

	snprintf(tree, sizeof(tree), "%s/tree61", tmp);
	snprintf(log, sizeof(log), "%s/stage61.log", tmp);
	if (make_fixture_tree(tree, "6.1"))
		return fail("cannot make fixture");
	rc = sh(log, "KSRC=%s BUILD=%s/b61 %s/tools/build/stage", tree, tmp, top);
	out = tb_read_file(log, NULL);
	if (rc == 0)
		return fail("stage accepted a 6.1 tree");
	if (!out || !strstr(out, "is Linux 6.1.9") || !strstr(out, "needs a 6.12.y"))
		return fail("error does not name the version: %s", tail_of(log, 3));
	free(out);
	return 0;
}

static int t_stage_names_bad_patch(void)
{
	char tree[1100], pd[1100], log[1100], *out;
	int rc;

	snprintf(tree, sizeof(tree), "%s/tree612", tmp);
	snprintf(pd, sizeof(pd), "%s/badseries", tmp);
	snprintf(log, sizeof(log), "%s/stagebad.log", tmp);
	if (make_fixture_tree(tree, "6.12") ||
	    sh(NULL, "mkdir -p %s && cd %s && printf '0001-good.patch\\n0002-bad.patch\\n' > series && "
	       "printf 'diff --git a/kernel/locking/x.c b/kernel/locking/x.c\\n--- a/kernel/locking/x.c\\n"
	       "+++ b/kernel/locking/x.c\\n@@ -1,3 +1,3 @@\\n a\\n-b\\n+B\\n c\\n' > 0001-good.patch && "
	       "printf 'diff --git a/kernel/locking/x.c b/kernel/locking/x.c\\n--- a/kernel/locking/x.c\\n"
	       "+++ b/kernel/locking/x.c\\n@@ -1,3 +1,3 @@\\n a\\n-zzz\\n+y\\n c\\n' > 0002-bad.patch",
	       pd, pd))
		return fail("cannot make fixture");
	rc = sh(log, "KSRC=%s PATCHDIR=%s BUILD=%s/bbad %s/tools/build/stage", tree, pd, tmp, top);
	out = tb_read_file(log, NULL);
	if (rc == 0)
		return fail("stage accepted a series that does not apply");
	if (!out || !strstr(out, "0002-bad.patch") || !strstr(out, "kernel/locking/x.c"))
		return fail("error names neither patch nor file: %s", tail_of(log, 3));
	if (strstr(out, "0001-good.patch does not apply"))
		return fail("blamed the good patch");
	free(out);
	return 0;
}

static int t_stage_applies_and_keeps_base(void)
{
	char tree[1100], pd[1100], log[1100], f[1300];

	snprintf(tree, sizeof(tree), "%s/tree612", tmp);
	snprintf(pd, sizeof(pd), "%s/badseries", tmp);
	snprintf(log, sizeof(log), "%s/stagegood.log", tmp);
	if (make_fixture_tree(tree, "6.12") ||
	    sh(NULL, "cd %s && printf '0001-good.patch\\n' > series", pd))
		return fail("cannot make fixture");
	if (sh(log, "KSRC=%s PATCHDIR=%s BUILD=%s/bgood %s/tools/build/stage", tree, pd, tmp, top))
		return fail("good series did not stage: %s", tail_of(log, 3));
	snprintf(f, sizeof(f), "%s/bgood/src/kernel/locking/x.c", tmp);
	if (!file_is(f, "a\nB\nc\n"))
		return fail("patch not applied in the staged copy");
	snprintf(f, sizeof(f), "%s/kernel/locking/x.c", tree);
	if (!file_is(f, "a\nb\nc\n"))
		return fail("the base tree was modified");
	snprintf(f, sizeof(f), "%s/bgood/src/kernel/configs/oticket.config", tmp);
	if (access(f, R_OK))
		return fail("our own files were not overlaid");
	return 0;
}

/* ------------------------------------------------------------------------
 * 2. build
 */
static int built;

static int t_build_kernel(void)
{
	char log[1100], f[1100], *base;

	snprintf(log, sizeof(log), "%s/test/build-kernel.log", build);
	if (sh(log, "make -C %s kernel", top))
		return fail("make kernel failed: %s", tail_of(log, 4));
	snprintf(f, sizeof(f), "%s/obj/oticket-base.txt", build);
	base = tb_read_file(f, NULL);
	if (!base || strncmp(base, "Linux 6.12.", 11))
		return fail("build does not record a 6.12 base (%s)", base ? base : "none");
	free(base);
	built = 1;
	return 0;
}

static int t_build_initramfs(void)
{
	char log[1100];

	if (!built)
		return fail("no kernel");
	snprintf(log, sizeof(log), "%s/test/build-initramfs.log", build);
	if (sh(log, "make -C %s initramfs", top)) {
		built = 0;
		return fail("make initramfs failed: %s", tail_of(log, 4));
	}
	return 0;
}

/*
 * The instructions of the x86-64 unlock @sym of the built vmlinux, one per
 * line, with addresses gone: a jump inside the function becomes its offset,
 * a call names only "<call>".  Returns a malloc'ed string or NULL.
 */
static char *unlock_insns(const char *sym)
{
	char log[1200], *out, *res, *line, *save;
	size_t len = 0, cap = 4096;

	snprintf(log, sizeof(log), "%s/test/objdump-%s.txt", build, sym);
	if (sh(log, "objdump -d --no-show-raw-insn --disassemble=%s %s/obj/vmlinux",
	       sym, build))
		return NULL;
	out = tb_read_file(log, NULL);
	res = out ? calloc(1, cap) : NULL;
	if (!res) {
		free(out);
		return NULL;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), insn[200], *lt, *sp;

		if (!tab || !strchr(line, ':') || strchr(line, ':') > tab)
			continue;
		snprintf(insn, sizeof(insn), "%s", tab + 1);
		/*
		 * A branch "jne ADDR <sym+0x18>" becomes "jne <+0x18>", any
		 * call "call <call>", other targets "jmp <target>": the
		 * addresses differ between the copies, the code must not.
		 */
		lt = strchr(insn, '<');
		sp = lt ? memrchr(insn, ' ', lt - insn - 1) : NULL;
		if (!strncmp(insn, "call", 4) && sp)
			snprintf(sp + 1, sizeof(insn) - (sp + 1 - insn), "<call>");
		else if (lt && sp && strstr(lt, sym) && strchr(lt, '+'))
			snprintf(sp + 1, sizeof(insn) - (sp + 1 - insn), "<%s", strchr(lt, '+'));
		else if (lt && sp)
			memmove(sp + 1, lt, strlen(lt) + 1);
		if (len + strlen(insn) + 2 >= cap) {
			char *n = realloc(res, cap *= 2);

			if (!n)
				break;
			res = n;
		}
		len += sprintf(res + len, "%s\n", insn);
	}
	free(out);
	return res;
}

/*
 * Fast-path parity: the unlock every PV mode installs is pvqspinlock's
 * hand-written asm, instruction for instruction, but for the slow path it
 * calls (the inline lock fast path is the same source in every mode).
 */
static int t_unlock_parity(void)
{
	static const char *const syms[] = {
		"__raw_callee_save___otk_queued_spin_unlock",
		"__raw_callee_save___pvt_queued_spin_unlock",
	};
	char *ref, *got;
	size_t i;

	if (!built)
		return fail("no kernel");
	ref = unlock_insns("__raw_callee_save___pv_queued_spin_unlock");
	if (!ref || !strstr(ref, "cmpxchg") || !strstr(ref, "<call>")) {
		free(ref);
		return fail("no pvqspinlock unlock in vmlinux (see %s/test/objdump-*)", build);
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		got = unlock_insns(syms[i]);
		if (!got || strcmp(got, ref)) {
			fail("%s differs from pvqspinlock's unlock:\n%s\nvs\n%s", syms[i],
			     got ? got : "(missing)", ref);
			free(got);
			free(ref);
			return 1;
		}
		free(got);
	}
	free(ref);
	return 0;
}

static int t_export(void)
{
	char log[1100], *out;

	if (!built)
		return fail("no kernel");
	snprintf(log, sizeof(log), "%s/test/export.log", build);
	if (sh(log, "make -C %s export", top))
		return fail("make export failed: %s", tail_of(log, 4));
	out = tb_read_file(log, NULL);
	if (!out || !strstr(out, "0000-cover-letter.patch") ||
	    !strstr(out, "checkpatch: 0 errors"))
		return fail("no cover letter or checkpatch errors: %s", tail_of(log, 4));
	free(out);
	return 0;
}

/* ------------------------------------------------------------------------
 * Models of the slow paths: the SPIN model of the wait/kick handshake and the
 * userspace build of kernel/locking/oticket.h under ASan/UBSan.
 */
static const struct spin_case {
	const char *name, *defs;
	int expect_error;	/* a mutant: SPIN must find the bug */
} spin_cases[] = {
	{ "model: SPIN pvticket, 3 CPUs: exclusion, turn order, no lost wake-up",
	  "", 0 },
	{ "model: SPIN oticket passes and steals, bound 2, hand-back bound 1: same, the bound",
	  "-DOPP -DK=2 -DHK=1", 0 },
	{ "model: SPIN oticket spinning at home: same, no waiter left at home",
	  "-DOPP -DNO_STEAL -DHOME", 0 },
	{ "model: SPIN oticket free steals (1 per turn), steals, passes: same, both bounds",
	  "-DOPP -DFREE", 0 },
	{ "model: SPIN finds the lost wake-up of a halt without re-check",
	  "-DOPP -DMUTANT_NO_RECHECK", 1 },
	{ "model: SPIN finds the lost wake-up of a halt that does not set S",
	  "-DOPP -DMUTANT_NO_SLOW", 1 },
	{ "model: SPIN finds a turn taken twice without the TAKING claim",
	  "-DOPP -DMUTANT_NO_TAKING", 1 },
	{ "model: SPIN finds passes beyond bypass_max",
	  "-DOPP -DMUTANT_NO_BOUND", 1 },
	{ "model: SPIN finds a passer handing on a ticket it no longer holds",
	  "-DOPP -DMUTANT_NO_SELF_CLAIM", 1 },
	{ "model: SPIN finds a take that ignores a steal holding the lock",
	  "-DOPP -DMUTANT_TAKE_IGNORES_STEAL", 1 },
	{ "model: SPIN finds a halted owner put back without its kick",
	  "-DOPP -DK=2 -DMUTANT_NO_UNCLAIM_KICK", 1 },
	{ "model: SPIN finds a waiter left at home without a call-back",
	  "-DOPP -DNO_STEAL -DHOME -DMUTANT_NO_CALL", 1 },
	{ "model: SPIN finds a waiter left at home by a call ahead that never came",
	  "-DOPP -DNO_STEAL -DHOME -DMUTANT_NO_PRECALL", 1 },
	{ "model: SPIN finds free steals beyond steal_max",
	  "-DOPP -DFREE -DNO_STEAL -DMUTANT_NO_FREE_BOUND", 1 },
	{ "model: SPIN finds the lost wake-up of an unlock that ignores K",
	  "-DOPP -DFREE -DNO_STEAL -DMUTANT_IGNORES_K", 1 },
	{ "model: SPIN finds the lost wake-up of a taker that does not mark the next turn",
	  "-DMUTANT_NO_MARK", 1 },
	{ "model: SPIN finds the lost wake-up of an owner of turn H that does not set K",
	  "-DMUTANT_HEAD_NO_K", 1 },
	{ "model: SPIN finds a halted owner put back without K",
	  "-DOPP -DFREE -DNO_STEAL -DMUTANT_UNCLAIM_NO_K", 1 },
	{ "model: SPIN finds a passer that leaves a halted next owner without K",
	  "-DOPP -DMUTANT_BYPASS_NO_MARK", 1 },
	{ "model: SPIN oqspin / pvqspinlock, 3 CPUs: exclusion, no lost wake-up",
	  "-DOQSPIN", 0 },
	{ "model: SPIN finds a hashed successor without _Q_SLOW_VAL (mutant)",
	  "-DOQSPIN -DMUTANT_FORGET_SLOW", 1 },
};

static int run_spin(const struct spin_case *c)
{
	char dir[1200], out[1300], *o, *e;
	int idx = (int)(c - spin_cases), errors = -1;
	const char *pml = strstr(c->defs, "OQSPIN") ? "oqspin.pml" : "oticket.pml";

	snprintf(dir, sizeof(dir), "%s/spin-%d", tmp, idx);
	snprintf(out, sizeof(out), "%s/pan.out", dir);
	if (sh("-", "rm -rf %s && mkdir -p %s && cd %s && "
	       "spin %s -a %s/tools/testing/oticket/%s >spin.out 2>&1 && "
	       "gcc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=14000 -o pan pan.c 2>gcc.out && "
	       "./pan -m500000 >pan.out 2>&1; "
	       "true", dir, dir, dir, c->defs, top, pml))
		return fail("could not run spin");
	o = tb_read_file(out, NULL);
	if (!o)
		return fail("no pan output (spin or gcc failed, see %s)", dir);
	if ((e = strstr(o, "errors: ")))
		errors = atoi(e + 8);
	if (errors < 0 || !strstr(o, "states, stored")) {
		free(o);
		return fail("pan did not finish: %s", out);
	}
	if (strstr(o, "max search depth too small")) {
		free(o);
		return fail("search depth too small: %s", out);
	}
	if (!c->expect_error && strstr(o, "reached -DMEMLIM bound")) {
		free(o);
		return fail("out of memory before the search ended: %s", out);
	}
	if (c->expect_error && errors == 0) {
		free(o);
		return fail("the mutant went unnoticed: %s", out);
	}
	if (!c->expect_error && errors) {
		fail("%d error(s), trail in %s: %s", errors, dir,
		     strstr(o, "pan:1:") ? strstr(o, "pan:1:") : "");
		free(o);
		return 1;
	}
	free(o);
	return 0;
}

static int t_otkstress(void)
{
	char log[1200];

	snprintf(log, sizeof(log), "%s/otkstress.log", tmp);
	if (sh(log, "%s/bin/otkstress 8 3000", build))
		return fail("otkstress failed: %s", tail_of(log, 3));
	/*
	 * Information, not a check: a variant that needed more than one run
	 * to see its events says so, and the line goes into CI's output.
	 */
	sh("-", "grep '^otkstress: ' %s | sed 's/^/     /'", log);
	return 0;
}

/* ------------------------------------------------------------------------
 * 3. boot: one level-2 run, graded per section
 */
static const char *l2_script = "l2-tests.sh";
static int l2_timeout = 2100;
/* a retry after a freeze resumes after the sections that ended */
static int l2_retries = 4;
static char l2_env[256];

/*
 * What a level 2 that was retried was doing when it stopped: its last
 * lines that are not the heartbeat (printed, so that CI's output shows it).
 */
static void print_attempt_end(const char *path, int attempt)
{
	char cmd[1300], line[200];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "grep -v -e 'otb: heartbeat' -e '^$' '%s' 2>/dev/null | "
		 "tail -n 6 | cut -c1-160", path);
	p = popen(cmd, "r");
	if (!p)
		return;
	printf("     (level 2 attempt %d ended:)\n", attempt);
	while (fgets(line, sizeof(line), p))
		printf("     | %s%s", line, strchr(line, '\n') ? "" : "\n");
	pclose(p);
}

static int t_l2_boot(void)
{
	char log[1100], cmd[4096], rlog[1100], path[1200], oops_res[64], *l2, *a;
	size_t len = 0;
	int n, oops = 0;

	if (!built)
		return fail("no kernel or initramfs");
	snprintf(log, sizeof(log), "%s/test/l2-tests.log", build);
	snprintf(rlog, sizeof(rlog), "%s/test/l2-tests.runner", build);
	l2 = tb_l2_command(build, top);
	snprintf(cmd, sizeof(cmd), "%s --vcpus 2 --mem 2048 --timeout %d --retries %d --progress "
		 "%s--log %s --script %s/tools/testbed/guest/%s", l2, l2_timeout, l2_retries,
		 l2_env, log, top, l2_script);
	free(l2);
	printf("     (level 2: %s)\n", log);
	fflush(stdout);
	l2_status = sh("-", "%s 2>%s", cmd, rlog);
	free(l2log);
	l2log = NULL;
	/*
	 * Every attempt's console, in order: a section is graded from the
	 * attempt that ended it (section()).
	 */
	snprintf(oops_res, sizeof(oops_res), "@@OTB-RESULT %s ", tb_status_name(TB_OOPS));
	for (n = 1; n <= TB_MAX_ATTEMPTS; n++) {
		size_t alen;

		tb_attempt_log(log, n, path, sizeof(path));
		a = tb_read_file(path, &alen);
		if (!a)
			break;
		/* an oops of level 2 - our KVM host - fails, whatever came after */
		if (!oops && strstr(a, oops_res))
			oops = n;
		l2log = realloc(l2log, len + alen + 1);
		if (!l2log)
			exit(2);
		memcpy(l2log + len, a, alen);
		len += alen;
		l2log[len] = 0;
		free(a);
	}
	/* all but the last attempt failed: show how each ended */
	for (int k = 1; k < n - 1; k++) {
		tb_attempt_log(log, k, path, sizeof(path));
		print_attempt_end(path, k);
	}
	if (n > 2)
		printf("     (level 2 was retried %d times: %s)\n", n - 2, tail_of(rlog, 1));
	if (oops)
		return fail("level 2 oopsed in attempt %d: %s", oops, tail_of(rlog, 3));
	/* 0 or 1: level 2 ran to its end (1: the script's last status) */
	if ((l2_status != 0 && l2_status != 1) || !l2log)
		return fail("level 2 did not complete (exit %d): %s", l2_status,
			    tail_of(rlog, 3));
	return 0;
}

/*
 * The text of section @name of the level-2 log, and its status: the first
 * attempt that ended it (a section runs again only when a retry does not
 * resume, and a failure must not be washed out by a later pass).  The
 * markers are whole lines, read as the runner reads them (tb_sec_line(),
 * tb_rc_line()): an "@@RC" line cut by a freeze ends nothing.  *@started:
 * in how many attempts it began without ending; @how: how those attempts
 * ended (their @@OTB-RESULT).
 */
static char *section_of(const char *name, int *rc, int *started, char *how, size_t hlen)
{
	const char *l, *text = NULL;
	char line[256], sec[64];
	size_t len;
	int st;

	*rc = -1;
	*started = 0;
	if (hlen)
		how[0] = 0;
	for (l = l2log; l && *l; l += len + (l[len] == '\n')) {
		len = strcspn(l, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) - 1 ?
							   len : sizeof(line) - 1), l);
		if (tb_sec_line(line, sec, sizeof(sec))) {
			if (text)
				++*started;	/* the one before never ended */
			text = strcmp(sec, name) ? NULL : l + len + 1;
		} else if (text && tb_rc_line(line, &st)) {
			*rc = st;
			return strndup(text, l - text);
		} else if (!strncmp(line, "@@OTB-RESULT ", 13) && text) {
			++*started;
			if (hlen && strlen(how) + 24 < hlen)
				snprintf(how + strlen(how), hlen - strlen(how), "%s%.*s",
					 how[0] ? ", " : "", (int)strcspn(line + 13, " @"),
					 line + 13);
			text = NULL;
		}
	}
	if (text)
		++*started;
	return NULL;
}

static char *section(const char *name, int *rc)
{
	int started;

	return section_of(name, rc, &started, NULL, 0);
}

static int section_missing(const char *name)
{
	int rc, started;
	char how[128], *s = section_of(name, &rc, &started, how, sizeof(how));

	free(s);
	if (started)
		return fail("section %s began in %d level-2 attempt%s and never ended "
			    "(level 2: %s)", name, started, started == 1 ? "" : "s",
			    how[0] ? how : "no result");
	return fail("section %s missing from the level-2 log", name);
}

static int check_section(const char *name, const char *const *need,
			 const char *const *forbid)
{
	int rc;
	char *s = section(name, &rc), *l;
	const char *o;
	size_t len;

	if (!s)
		return section_missing(name);
	/*
	 * An oops of level 2 itself (its kernel's lines) fails the section.
	 * A level-3 guest's failed attempt was retried by testbed guest, as
	 * every testbed failure is; it is shown, not counted.
	 */
	for (l = s; *l; l += len + (l[len] == '\n')) {
		char line[512];

		len = strcspn(l, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)(len < 511 ? len : 511), l);
		if (!strncmp(line, "testbed: ", 9) && strstr(line, ": oops after "))
			printf("     (%s: a level-3 attempt oopsed and was retried: %.150s)\n",
			       name, line);
		o = tb_oops_line(line);
		if (o) {
			free(s);
			return fail("%s: \"%s\" from level 2's kernel", name, o);
		}
	}
	for (; need && *need; need++) {
		if (!strstr(s, *need)) {
			free(s);
			return fail("%s: no \"%s\" (rc %d)", name, *need, rc);
		}
	}
	for (; forbid && *forbid; forbid++) {
		if (strstr(s, *forbid)) {
			free(s);
			return fail("%s: found \"%s\"", name, *forbid);
		}
	}
	free(s);
	if (rc)
		return fail("%s: exit status %d", name, rc);
	return 0;
}

/*
 * A kernel message that cuts into a line of the job becomes its own line
 * and the job's line is put back together, also after a marker's blank;
 * a frame's "name| [time]" line of an inner guest, whose BUG is not this
 * guest's oops, empty lines and brackets that are no time stamp are left
 * alone.
 */
static int t_console_cut_in(void)
{
	static const char job[] =
		"echo '@@OTB-BEGIN x level=3@@'; echo; "
		"printf 'otb: lt spin_loc[   13.275015] hrtimer: interrupt took 4081050 ns\\n"
		"k: Writes:  Total: 5   Fail: 0 \\n'; "
		"printf '@@SEC [   14.000000] cut after the blank\\nsec1\\n'; "
		"echo 'g| [    1.500000] BUG: a relayed frame line'; "
		"echo 'arr[1] and [12.5] are no time stamps'; echo '@@OTB-EXIT 0@@'";
	static const char *const want[] = {
		"\notb: lt spin_lock: Writes:  Total: 5   Fail: 0 \n",
		"\n[   13.275015] hrtimer: interrupt took 4081050 ns\n",
		"\n@@SEC sec1\n", "\n[   14.000000] cut after the blank\n",
		"\ng| [    1.500000] BUG: a relayed frame line\n",
		"\narr[1] and [12.5] are no time stamps\n",
	};
	char log[1100], *out;
	struct tb_vm vm;
	size_t i;
	int bad;

	snprintf(log, sizeof(log), "%s/cutin.log", tmp);
	tb_vm_init(&vm, "fake");
	snprintf(vm.log_path, sizeof(vm.log_path), "%s", log);
	vm.boot_timeout = vm.run_timeout = 5;
	tb_vm_arg(&vm, "sh");
	tb_vm_arg(&vm, "-c");
	tb_vm_arg(&vm, "%s", job);
	tb_run(&vm, 1);
	out = tb_read_file(log, NULL);
	/* ok: a relayed guest's BUG line is not this console's oops */
	bad = vm.status != TB_OK || !out;
	for (i = 0; !bad && i < sizeof(want) / sizeof(want[0]); i++)
		bad = !strstr(out, want[i]);
	free(out);
	return bad ? fail("status %s, or no \"%s\": %s", tb_status_name(vm.status),
			  i ? want[i - 1] + 1 : "", tail_of(log, 8)) : 0;
}

/*
 * Grading across attempts, on made-up consoles: a section is graded from
 * the first attempt that ended it, a cut status line ends nothing, an
 * oops inside a section fails it, and a section that only began is
 * reported as such.
 */
static int t_grading_across_attempts(void)
{
	static const char logs[] =
		"@@SEC a\nx\n@@RC 1@@\n@@SEC b\n@@RC \n@@OTB-RESULT stall@@\n"
		"otb: section a: done in an earlier attempt\n@@SEC b\ny\n@@RC 0@@\n"
		"@@SEC c\ntestbed: g attempt 1/3: oops after 1.0s: [ 1.0] BUG: x\n"
		"g| [    1.000000] BUG: a guest's, retried\n"
		"[   12.000000] BUG: unable to handle page fault\n@@RC 0@@\n@@SEC d\n"
		"@@OTB-RESULT oops@@\n"
		"@@SEC a\nx\n@@RC 0@@\n@@SEC d\n@@OTB-RESULT stall@@\n";
	char *saved = l2log, *t;
	int rc, bad = 0;

	l2log = (char *)logs;
	t = section("a", &rc);
	bad |= !t || rc != 1 ? 1 : 0;			/* the first end counts */
	free(t);
	t = section("b", &rc);
	bad |= !t || rc != 0 || !strstr(t, "y") ? 2 : 0;	/* cut line: no end */
	free(t);
	bad |= !check_section("c", NULL, NULL) ||
	       !strstr(reason, "\"BUG:\" from level 2's kernel") ? 4 : 0;
	bad |= !check_section("d", NULL, NULL) ||
	       !strstr(reason, "began in 2 level-2 attempts and never ended "
		       "(level 2: oops, stall)") ? 8 : 0;
	bad |= !check_section("e", NULL, NULL) || !strstr(reason, "missing") ? 16 : 0;
	l2log = saved;
	return bad ? fail("grading went wrong (mask %#x)", bad) : 0;
}

static int t_l2_kvm(void)
{
	static const char *const need[] = { "kvm-check: ok", "/dev/kvm", NULL };

	return check_section("l2-host", need, NULL);
}

static int t_hook_absent(void)
{
	int rc;
	char *s = section("hook-absent", &rc);
	int bad;

	if (!s)
		return section_missing("hook-absent");
	bad = rc != 4 || !strstr(s, "probe: -KVM_ENOSYS");
	free(s);
	/* 4 is KSFT_SKIP: the probe got -KVM_ENOSYS and nothing else ran */
	return bad ? fail("hook-absent: exit %d, want 4 after a -KVM_ENOSYS probe", rc) : 0;
}

static int t_hook_selftest(void)
{
	static const char *const need[] = { "kvm_oticket: serving hypercalls",
		"ok probe: ABI version 1", "ok wait after kick", "ok wait IRQ with IF set",
		"ok kick huge APIC ID", "ok fuzz: 3000 random calls",
		"ok wait/kick: vCPU 0 halted", "ok no PV unhalt: probe, kick and wait",
		"ok boost: kicked next holder ran at nice -5, back at",
		"oticket_test: all passed", NULL };
	static const char *const forbid[] = { "Test Assertion Failure", NULL };

	return check_section("hook-selftest", need, forbid);
}

static int t_hook_params(void)
{
	static const char *const need[] = { "param yield_tries=17 refused",
		"param poll_ns=2000000 refused", "param boost_nice=1 refused",
		"param coyield=maybe refused", "param boost_us=5 refused",
		"param boost_us=2000000 refused", "param yield_tries=5 taken",
		"load with yield_tries=99 refused", NULL };
	static const char *const forbid[] = { "accepted", NULL };

	return check_section("hook-params", need, forbid);
}

static int t_kvm_pv_test(void)
{
	/* 6.12's kvm_pv_test is not TAP: every MSR and hypercall, then PV_UNHALT */
	static const char *const need[] = { "testing msr: MSR_KVM_POLL_CONTROL",
		"testing hcall: KVM_HC_SCHED_YIELD", "testing KVM_FEATURE_PV_UNHALT", NULL };
	static const char *const forbid[] = { "Test Assertion Failure", NULL };

	return check_section("kvm_pv_test", need, forbid);
}

/*
 * Level-3 checks, one row per guest of l2-tests.sh: the guest booted and
 * exited cleanly, its log holds every @need line, and locktorture ran
 * @runs times, each with acquisitions, SUCCESS, "Fail: 0" and no starvation
 * flag ("???"); with @hotplug, CPUs went offline and came back.
 */
static const struct l3check {
	const char *section;
	const char *need[4];
	int runs;
	int hotplug;
	int starve_ok;		/* "???" is the known behaviour of this lock */
	const char *kot;	/* host counters "otb: kot <kot>:" show hypercalls */
	int hook;		/* the guest's hypercalls never failed */
	const char *kot_pos;	/* and this host counter is not 0 */
} l3checks[] = {
	{ "smoke-default", { "pvlock: using pvqspinlock", "mode=pvqspinlock",
	  "kvm-guest: PV spinlocks enabled" } },
	{ "smoke-nopvspin", { "PV spinlocks disabled, forced by \"nopvspin\" parameter",
	  "pvlock: using qspinlock", "mode=qspinlock" } },
	{ "smoke-nounhalt", { "PV spinlocks disabled, no host support",
	  "pvlock: using tas", "mode=tas" } },
	{ "smoke-badmode", { "pvlock: unknown mode \"bogus\", using the default",
	  "pvlock: using pvqspinlock", "mode=pvqspinlock" } },
	{ "kunit", { "ok 1 oticket", "# Totals: pass:", " fail:0 skip:0" } },
#define TORTURE(m, starve) { "torture-" #m, { "pvlock: using " #m, "mode=" #m }, 3, 0, starve }
	TORTURE(pvqspinlock, 0), TORTURE(qspinlock, 1), TORTURE(tas, 0),
	TORTURE(pvticket, 1), TORTURE(oticket, 0), TORTURE(oqspin, 0),
	{ "torture4x-oticket", { "cpus=8", "mode=oticket" }, 1, 0, 1 },
	{ "hotplug-oticket", { "mode=oticket" }, 1, 1 },
	{ "torture4x-oqspin", { "cpus=8", "mode=oqspin" }, 1, 0, 1 },
	{ "hotplug-oqspin", { "mode=oqspin" }, 1, 1 },
	/* 15.. with kvm_oticket loaded in level 2 */
	{ "hook-oticket", { "pvlock: using oticket (host hook, ABI version 1)" },
	  2, 0, 0, "oticket", 1 },
	{ "hook-oqspin", { "pvlock: using oqspin (host hook, ABI version 1)" },
	  2, 0, 0, "oqspin", 1 },
	{ "hook-reload", { "pvlock: using oticket (host hook, ABI version 1)",
	  "otb: unloaded", "otb: reloaded", "pvlock: host hook answered -1000" },
	  1, 0, 0, "reload-before" },
	{ "hook-coyield", { "hk-co-a status=ok rc=0", "hk-co-b status=ok rc=0",
	  "pvlock: using oqspin (host hook, ABI version 1)" }, 2, 0, 0, "coyield", 1,
	  "boosted" },
};

/* The value of " @name=" in the first line of @s that starts with @line. */
static long kv_value(const char *s, const char *line, const char *name)
{
	char key[64];
	const char *l = strstr(s, line), *eol, *v;

	if (!l)
		return -1;
	eol = strchr(l, '\n');
	snprintf(key, sizeof(key), " %s=", name);
	v = strstr(l, key);
	if (!v || (eol && v > eol))
		return -1;
	return atol(v + strlen(key));
}

/*
 * The host's kvm_oticket counters for a run: WAITs and KICKs handled, no
 * guest argument refused; and in the guest, no hypercall failed and some
 * went to the host.
 */
static int check_hook(const struct l3check *c, const char *s)
{
	char line[80];
	long wait, kick, einval;
	const char *p;

	snprintf(line, sizeof(line), "otb: kot %s:", c->kot);
	wait = kv_value(s, line, "hc_wait");
	kick = kv_value(s, line, "hc_kick");
	einval = kv_value(s, line, "hc_einval");
	if (wait <= 0 || einval != 0)
		return fail("%s: host counters hc_wait=%ld hc_kick=%ld hc_einval=%ld",
			    c->section, wait, kick, einval);
	if (c->kot_pos && kv_value(s, line, c->kot_pos) <= 0)
		return fail("%s: host counter %s is %ld", c->section, c->kot_pos,
			    kv_value(s, line, c->kot_pos));
	if (!c->hook)
		return 0;
	if (kick <= 0)
		return fail("%s: host handled no KICK", c->section);
	for (p = s; (p = strstr(p, "otb: ev ")); p++) {
		const char *f = strstr(p, ": otk_hc_fail ");
		const char *eol = strchr(p, '\n');

		if (f && (!eol || f < eol) && atol(f + strlen(": otk_hc_fail ")))
			return fail("%s: a guest hypercall failed", c->section);
	}
	return 0;
}

/* Lines of @s that start with @prefix and contain @what. */
static int count_lines(const char *s, const char *prefix, const char *what)
{
	int n = 0;

	while (*s) {
		const char *eol = strchr(s, '\n'), *p = strstr(s, prefix), *w;
		size_t len = eol ? (size_t)(eol - s) : strlen(s);

		if (p && p < s + len) {
			w = strstr(p, what);
			n += w && w < s + len;
		}
		s += len + (eol != NULL);
	}
	return n;
}

static int check_l3(const struct l3check *c)
{
	static const char *const forbid[] = { "!!!", "not ok", NULL };
	const char *need[6] = { "status=ok rc=0" };
	char *s, *w;
	int rc, i, n = 1, r = 1;

	for (i = 0; i < 4 && c->need[i]; i++)
		need[n++] = c->need[i];
	if (check_section(c->section, need, forbid))
		return 1;
	s = section(c->section, &rc);
	if (!s)
		return fail("%s: section vanished", c->section);
	/* count the script's "otb: lt" lines, not the guest console's copies */
	if (count_lines(s, "otb: lt ", "End of test: SUCCESS") != c->runs ||
	    count_lines(s, "otb: lt ", "Fail: 0 ") != c->runs) {
		fail("%s: %d locktorture runs with SUCCESS and Fail: 0, want %d",
		     c->section, count_lines(s, "otb: lt ", "End of test: SUCCESS"),
		     c->runs);
		goto out;
	}
	if (!c->starve_ok && count_lines(s, "otb: lt ", "???")) {
		fail("%s: locktorture flagged starvation (max/2 > min)", c->section);
		goto out;
	}
	for (w = s; (w = strstr(w, "Writes:  Total: ")); w++) {
		if (atoll(w + strlen("Writes:  Total: ")) <= 0) {
			fail("%s: a locktorture run counted no acquisitions", c->section);
			goto out;
		}
	}
	if (c->kot && check_hook(c, s))
		goto out;
	if (c->hotplug) {
		int off = 0, on = 0;

		w = strstr(s, "hotplug offlined=");
		if (!w || sscanf(w, "hotplug offlined=%d onlined=%d", &off, &on) != 2 ||
		    off < 1 || on < 1) {
			fail("%s: no CPU went offline and back (%d/%d)", c->section, off, on);
			goto out;
		}
	}
	r = 0;
out:
	free(s);
	return r;
}

/* ------------------------------------------------------------------------
 * vbench: its unit tests, a short real sweep, resume, compare
 */
/* a unit test program @bin of build/bin with @args: "N passed, 0 failed" */
static int t_unit(const char *bin, const char *args)
{
	char log[1200], *out;

	snprintf(log, sizeof(log), "%s/%s.log", tmp, bin);
	if (sh(log, "%s/bin/%s %s", build, bin, args))
		return fail("%s", tail_of(log, 3));
	out = tb_read_file(log, NULL);
	if (!out || !strstr(out, " passed, 0 failed"))
		return fail("no \"N passed, 0 failed\" line: %s", tail_of(log, 2));
	free(out);
	return 0;
}

static int t_vbstat(void)
{
	return t_unit("vbstat_test", "");
}

static int t_vbres(void)
{
	return t_unit("vbres_test", "");
}

/* the sweep machinery on the fake testbed, shards through GNU parallel */
static int t_vbench_fake(void)
{
	char args[2200];

	snprintf(args, sizeof(args), "%s/bin %s", build, tmp);
	return t_unit("vbench_test", args);
}

static char vbdir[1100];

static int count_str(const char *s, const char *needle)
{
	int n = 0;

	for (s = s ? strstr(s, needle) : NULL; s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* lines of @log that say run @wl/@mode/... runs again to pair (vbench.c rerun()) */
static int reruns_of(const char *log, const char *wl, const char *mode)
{
	char key[200];
	const char *l, *e;
	int n = 0;

	snprintf(key, sizeof(key), "vbench: %s/%s/", wl, mode);
	for (l = log; l && *l; l = e ? e + 1 : NULL) {
		e = strchr(l, '\n');
		if (!strncmp(l, key, strlen(key))) {
			const char *a = strstr(l, " runs again, to pair with ");

			n += a && (!e || a < e);
		}
	}
	return n;
}

static int t_vbench_sweep(void)
{
	static const char *const pngs[] = { "locktorture-throughput.png",
		"locktorture-ratio.png", "gmake-throughput.png", "gmake-ratio.png" };
	struct { char wl[32], mode[64]; int ok; } runs[4];
	char log[1200], f[1300], *res, *out, *line, *save;
	int nrun = 0, k;

	if (!built)
		return fail("no kernel or initramfs");
	snprintf(vbdir, sizeof(vbdir), "%s/test/vbench", build);
	snprintf(log, sizeof(log), "%s/test/vbench-sweep.log", build);
	printf("     (vbench: %s)\n", log);
	fflush(stdout);
	if (sh(log, "rm -rf %s && BUILD=%s %s/bin/vbench sweep --modes pvqspinlock,oticket "
	       "--workloads locktorture,gmake --vcpus 2 --reps 1 --intervals 2 --warmup 1 "
	       "--size locktorture=1 --size gmake=2 --out %s", vbdir, build, build, vbdir))
		return fail("vbench sweep failed: %s", tail_of(log, 4));
	out = tb_read_file(log, NULL);
	if (!out)
		return fail("no %s", log);
	snprintf(f, sizeof(f), "%s/results.jsonl", vbdir);
	res = tb_read_file(f, NULL);
	if (!res)
		return fail("no %s", f);
	for (line = strtok_r(res, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *id = strstr(line, "\"workload\":");
		char wl[32], mode[64];

		if (!strstr(line, "\"status\":\"ok\""))
			continue;
		/* the run: its workload and mode, the fields that vary here */
		if (!id || sscanf(id, "\"workload\":\"%31[^\"]\",\"mode\":\"%63[^\"]\"",
				  wl, mode) != 2)
			return fail("a record without its run: %.200s", line);
		for (k = 0; k < nrun; k++)
			if (!strcmp(runs[k].wl, wl) && !strcmp(runs[k].mode, mode))
				break;
		if (k == nrun) {
			if (nrun == 4)
				return fail("an ok record of a fifth run: %.200s", line);
			strcpy(runs[k].wl, wl);
			strcpy(runs[k].mode, mode);
			runs[k].ok = 0;
			nrun++;
		}
		runs[k].ok++;
		/* the metrics of every point: KVM's counters, steal time */
		if (!strstr(line, "\"kvm.exits\":") || strstr(line, "\"steal_pct\":null") ||
		    strstr(line, "\"value\":0,") ||
		    !strstr(line, "\"interval_values\":[") ||
		    strstr(line, "\"interval_values\":[]"))
			return fail("an ok record lacks KVM counters, steal time, a value or "
				    "its intervals: %.200s", line);
	}
	free(res);
	if (nrun != 4)
		return fail("%d runs ok, want 4 (%s)", nrun, f);
	/*
	 * Each run ok once.  A run whose level 2 died is tried in another
	 * boot, and the ok runs of its group run there again to pair with
	 * it (rejoin_groups() in vbench.c): one more ok record for each line
	 * of the log that says so.
	 */
	for (k = 0; k < nrun; k++) {
		int again = reruns_of(out, runs[k].wl, runs[k].mode);

		if (runs[k].ok > 1 + again)
			return fail("%s/%s: %d ok records, ran again to pair %d times (%s)",
				    runs[k].wl, runs[k].mode, runs[k].ok, again, f);
	}
	if (!strstr(out, "+-95%CI") || count_str(out, "gmake          ") < 2)
		return fail("no report table: %s", tail_of(log, 4));
	free(out);
	for (size_t i = 0; i < sizeof(pngs) / sizeof(pngs[0]); i++) {
		snprintf(f, sizeof(f), "%s/plots/%s", vbdir, pngs[i]);
		res = tb_read_file(f, NULL);
		if (!res || memcmp(res, "\x89PNG", 4))
			return fail("plot %s missing or not a PNG", f);
		free(res);
	}
	return 0;
}

static int t_vbench_resume(void)
{
	char log[1200], f[1300], *before, *after, *out;
	int same;

	if (!vbdir[0])
		return fail("no sweep to resume");
	snprintf(f, sizeof(f), "%s/results.jsonl", vbdir);
	snprintf(log, sizeof(log), "%s/test/vbench-resume.log", build);
	before = tb_read_file(f, NULL);
	if (sh(log, "BUILD=%s %s/bin/vbench sweep --out %s", build, build, vbdir))
		return fail("resumed sweep failed: %s", tail_of(log, 3));
	after = tb_read_file(f, NULL);
	out = tb_read_file(log, NULL);
	same = before && after && !strcmp(before, after);
	if (!same || !out || !strstr(out, "4 settled") || !strstr(out, "0 to do"))
		return fail("resume ran again or changed the records: %s", tail_of(log, 3));
	free(before);
	free(after);
	free(out);
	return 0;
}

/*
 * results.jsonl of @n gmake runs of pvqspinlock at each of @npts points
 * (2, 4, ... vCPUs): around @v0 at 2 vCPUs, around 100 at the others.
 */
static int fake_points(const char *dir, int n, double v0, int npts)
{
	char path[1300], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	for (int pt = 0; pt < npts; pt++) {
		for (int r = 0; r < n; r++) {
			double v = (pt ? 100 : v0) + (r % 2 ? r : -r);

			fprintf(f, "{\"schema\":1,\"workload\":\"gmake\",\"mode\":\"pvqspinlock\","
				"\"host_module\":false,\"vcpus\":%d,\"vms\":1,\"l2_vcpus\":2,"
				"\"size\":4,\"rep\":%d,\"attempt\":1,\"status\":\"ok\",\"why\":\"\","
				"\"unit\":\"builds/h\",\"value\":%g,\"vm_values\":[%g]}\n",
				2 * (pt + 1), r, v, v);
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "mkdir -p %s", dir);
	if (sh(NULL, "%s", path))
		return -1;
	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	rc = tb_write_file(path, buf, len);
	free(buf);
	return rc;
}

static int t_vbench_compare(void)
{
	static const struct {
		const char *b;
		int n;
		double v;
		int rc;
		const char *verdict;
	} cases[] = {
		{ "slower", 5, 80, 1, "SLOWER" },
		{ "faster", 5, 120, 0, "FASTER" },
		{ "same", 5, 100.5, 0, "within noise" },
		{ "few", 2, 50, 0, "too few runs" },
	};
	char a[1200], b[1200], log[1300], *out;

	snprintf(a, sizeof(a), "%s/cmp-a", tmp);
	if (fake_points(a, 5, 100, 1))
		return fail("cannot write %s", a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(b, sizeof(b), "%s/cmp-%s", tmp, cases[i].b);
		snprintf(log, sizeof(log), "%s/cmp-%s.log", tmp, cases[i].b);
		if (fake_points(b, cases[i].n, cases[i].v, 1))
			return fail("cannot write %s", b);
		rc = sh(log, "%s/bin/vbench compare %s %s", build, a, b);
		out = tb_read_file(log, NULL);
		if (rc != cases[i].rc || !out || !strstr(out, cases[i].verdict))
			return fail("compare against %s: exit %d, want %d and \"%s\": %s",
				    cases[i].b, rc, cases[i].rc, cases[i].verdict,
				    tail_of(log, 3));
		free(out);
	}
	/*
	 * 6% slower at one point: p 0.016 (Mann-Whitney, 5 and 5 runs) calls
	 * it alone; among 5 points Holm's adjustment (x5) does not.
	 */
	for (int npts = 1; npts <= 5; npts += 4) {
		const char *want = npts == 1 ? "SLOWER" : "within noise";
		char *l;
		int rc;

		snprintf(a, sizeof(a), "%s/cmp-fam%d-a", tmp, npts);
		snprintf(b, sizeof(b), "%s/cmp-fam%d-b", tmp, npts);
		snprintf(log, sizeof(log), "%s/cmp-fam%d.log", tmp, npts);
		if (fake_points(a, 5, 100, npts) || fake_points(b, 5, 94, npts))
			return fail("cannot write %s", b);
		rc = sh(log, "%s/bin/vbench compare %s %s", build, a, b);
		out = tb_read_file(log, NULL);
		/* the row of 2 vCPUs, alone */
		l = out ? strstr(out, "\ngmake              2 ") : NULL;
		if (l && strchr(l + 1, '\n'))
			*strchr(l + 1, '\n') = 0;
		if (rc != (npts == 1) || !l || !strstr(l, " 0.0159 ") || !strstr(l, want)) {
			free(out);
			return fail("compare with %d points: exit %d, want %d and \"%s\" at 2 vCPUs: %s",
				    npts, rc, npts == 1, want, tail_of(log, npts + 6));
		}
		free(out);
	}
	return 0;
}

/* The simulator: the staged tree (no kernel build), otsim, simtest. */
static int t_sim(void)
{
	char log[1200];

	snprintf(log, sizeof(log), "%s/make-sim.log", tmp);
	if (sh(log, "make -s -C %s sim BUILD=%s", top, build))
		return fail("make sim: %s", tail_of(log, 3));
	return t_unit("simtest", "");
}

/* ------------------------------------------------------------------------ */
struct test {
	const char *name;
	int (*fn)(void);
	const struct fake_case *fake;	/* or a fake-guest runner case */
	const struct l3check *l3;	/* or a level-3 guest check */
	const struct spin_case *spin;	/* or a SPIN model run */
};

#define FAKE(i) { .fake = &fake_cases[i] }
/* a case added to fake_cases[] must be added to tests[] too */
_Static_assert(sizeof(fake_cases) / sizeof(fake_cases[0]) == 16,
	       "tests[] lists fake_cases[0..15]");
#define SPIN(i) { .spin = &spin_cases[i] }
/* a case added to spin_cases[] must be added to tests[] too */
_Static_assert(sizeof(spin_cases) / sizeof(spin_cases[0]) == 21,
	       "tests[] lists spin_cases[0..20]");

static const struct test tests[] = {
	/* 1. userspace */
	{ "cpio: writer round-trips through GNU cpio, appends", t_cpio_roundtrip },
	FAKE(0), FAKE(1), FAKE(2), FAKE(3), FAKE(4), FAKE(5), FAKE(6), FAKE(7), FAKE(8),
	FAKE(9), FAKE(10), FAKE(11), FAKE(12), FAKE(13), FAKE(14), FAKE(15),
	{ "runner: deadline kill leaves no orphan", t_no_orphans_after_deadline },
	{ "runner: SIGINT kills QEMU, exits 130", t_sigint_kills_qemu },
	{ "runner: a stall reads the vCPUs from QEMU's monitor", t_stall_reads_monitor },
	{ "runner: a silent monitor costs a stall 5 s at most", t_stall_silent_monitor },
	{ "runner: --env values arrive whole, quotes refused", t_env_values_arrive_whole },
	{ "runner: a level 2 retried after a testbed failure resumes, after an oops not",
	  t_resume_after_stall },
	{ "runner: level-2 sections graded across attempts", t_grading_across_attempts },
	{ "runner: a kernel message cutting into a line is put aside", t_console_cut_in },
	{ "stage: rejects a non-6.12 base", t_stage_rejects_other_version },
	{ "stage: names the patch and file that fail", t_stage_names_bad_patch },
	{ "stage: applies series, overlays, base untouched", t_stage_applies_and_keeps_base },
	SPIN(0), SPIN(1), SPIN(2), SPIN(3), SPIN(4), SPIN(5), SPIN(6), SPIN(7), SPIN(8),
	SPIN(9), SPIN(10), SPIN(11), SPIN(12), SPIN(13), SPIN(14), SPIN(15),
	SPIN(16), SPIN(17), SPIN(18), SPIN(19), SPIN(20),
	{ "model: slow paths, 8 threads on 2 CPUs, ASan+UBSan: exclusion, order, bound",
	  t_otkstress },
	{ "vbench: statistics against known vectors (median, CI, U)", t_vbstat },
	{ "vbench: console parsing, broken output, JSONL, resume", t_vbres },
	{ "vbench: compare verdicts and exit status", t_vbench_compare },
	{ "vbench: fake testbed: pairs, precision, 2 shards via GNU parallel + merge",
	  t_vbench_fake },
	{ "sim: otsim from the staged tree, its checks (tools/testing/sim)", t_sim },
	/* 2. build */
	{ "build: series applies, kernel builds", t_build_kernel },
	{ "build: guest initramfs + static kvm_pv_test", t_build_initramfs },
	{ "build: every PV mode unlocks with pvqspinlock's instructions", t_unlock_parity },
	{ "export: format-patch series, checkpatch --strict", t_export },
	/* 3. boot */
	{ "boot: level-2 host boots and runs the suite", t_l2_boot },
	{ "boot: level 2 is a KVM host, /dev/kvm runs a guest", t_l2_kvm },
	{ "kvm_pv_test (upstream selftest) passes in level 2", t_kvm_pv_test },
	{ "boot: default is pvqspinlock", .l3 = &l3checks[0] },
	{ "boot: nopvspin gives qspinlock", .l3 = &l3checks[1] },
	{ "boot: no PV_UNHALT gives test-and-set", .l3 = &l3checks[2] },
	{ "boot: pvlock=bogus is reported, default used", .l3 = &l3checks[3] },
	{ "kunit: oticket suite passes in level 3", .l3 = &l3checks[4] },
	{ "locktorture 2x: pvqspinlock, 3 lock types", .l3 = &l3checks[5] },
	{ "locktorture 2x: qspinlock, 3 lock types (may starve)", .l3 = &l3checks[6] },
	{ "locktorture 2x: tas, 3 lock types", .l3 = &l3checks[7] },
	{ "locktorture 2x: pvticket, 3 lock types (may starve)", .l3 = &l3checks[8] },
	{ "locktorture 2x: oticket, 3 lock types", .l3 = &l3checks[9] },
	{ "locktorture 2x: oqspin, 3 lock types", .l3 = &l3checks[10] },
	{ "locktorture 4x: oticket, 8 vCPUs (fairness: vbench)", .l3 = &l3checks[11] },
	{ "locktorture + CPU hotplug: oticket", .l3 = &l3checks[12] },
	{ "locktorture 4x: oqspin, 8 vCPUs (fairness: vbench)", .l3 = &l3checks[13] },
	{ "locktorture + CPU hotplug: oqspin", .l3 = &l3checks[14] },
	{ "hook: oticket_test skips without kvm_oticket", t_hook_absent },
	{ "hook: oticket_test (probe, args, wait/kick, fuzz)", t_hook_selftest },
	{ "hook: module parameters validated on write", t_hook_params },
	{ "hook: oticket guest uses it, locktorture passes", .l3 = &l3checks[15] },
	{ "hook: oqspin guest uses it, locktorture passes", .l3 = &l3checks[16] },
	{ "hook: unload + reload under load, guest falls back", .l3 = &l3checks[17] },
	{ "hook: two guests, coyield=1 boost=1, locktorture passes", .l3 = &l3checks[18] },
	/* 4. vbench, for real */
	{ "vbench: sweep, 2 modes x locktorture+gmake, report, plots", t_vbench_sweep },
	{ "vbench: sweep again on its DIR resumes: nothing re-run", t_vbench_resume },
};

/*
 * make lock-soak: the release check of the slow paths, one level-2 boot of
 * l2-locksoak.sh, graded with the level-3 checks of make test.
 */
static const char *const soak_modes[] = { "pvqspinlock", "qspinlock", "tas",
	"pvticket", "oticket", "oqspin" };

static int lock_soak(void)
{
	struct l3check c[6 * 4];
	char names[6 * 4][48], needs[6][32];
	const char *secs = getenv("SOAK_SECS");
	int n = 0, passed = 0, failed = 0;

	/* at most 1000: level 2's deadline, 24 x (3 x SOAK_SECS + 320) s, within testbed's day */
	if (secs && (atoi(secs) < 1 || atoi(secs) > 1000 || strspn(secs, "0123456789") != strlen(secs))) {
		fprintf(stderr, "otest: SOAK_SECS=%s: want 1..1000 seconds\n", secs);
		return 2;
	}
	snprintf(l2_env, sizeof(l2_env), "--env SOAK_SECS=%s ", secs ? secs : "70");
	l2_script = "l2-locksoak.sh";
	l2_retries = 2;
	l2_timeout = 6 * (4 * (3 * (secs ? atoi(secs) : 70) + 320));
	built = 1;
	memset(c, 0, sizeof(c));
	for (int m = 0; m < 6; m++) {
		snprintf(needs[m], sizeof(needs[m]), "mode=%s", soak_modes[m]);
		for (int v = 2; v <= 8; v *= 2, n++) {
			snprintf(names[n], sizeof(names[n]), "soak-%s-%d", soak_modes[m], v);
			c[n] = (struct l3check){ names[n], { needs[m] }, 3, 0,
				/* starvation at 4x is measured by vbench */
				v == 8 || (v == 4 && (m == 1 || m == 3)) };
		}
		if (m >= 4) {
			snprintf(names[n], sizeof(names[n]), "soak-%s-hotplug", soak_modes[m]);
			c[n] = (struct l3check){ names[n], { needs[m] }, 1, 1 };
			n++;
		}
	}
	if (t_l2_boot()) {
		printf("FAIL %-52s %s\n", "lock-soak: level-2 boot", reason);
		failed++;
	}
	for (int i = 0; i < n && !tb_interrupted(); i++) {
		reason[0] = 0;
		if (check_l3(&c[i])) {
			failed++;
			printf("FAIL %-52s %s\n", c[i].section, reason);
		} else {
			passed++;
			printf("ok   %s\n", c[i].section);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed || tb_interrupted() ? 1 : 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, only_fast = argc > 1 && !strcmp(argv[1], "--fast");
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tb_install_signal_handlers();
	if (!getcwd(top, sizeof(top)))
		return 2;
	snprintf(build, sizeof(build), "%s", getenv("BUILD") ? getenv("BUILD") : "build");
	if (build[0] != '/') {
		char b[1100];

		snprintf(b, sizeof(b), "%s/%s", top, build);
		snprintf(build, sizeof(build), "%s", b);
	}
	snprintf(tmp, sizeof(tmp), "%s/test/tmp", build);
	if (sh(NULL, "rm -rf %s && mkdir -p %s", tmp, tmp))
		return 2;
	if (argc > 1 && !strcmp(argv[1], "--lock-soak"))
		return lock_soak();
	if (argc > 1 && !only_fast) {
		fprintf(stderr, "usage: otest [--fast | --lock-soak]\n");
		return 2;
	}

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const struct test *t = &tests[i];
		const char *name = t->fake ? t->fake->name : t->spin ? t->spin->name : t->name;
		double t0 = tb_now();
		int r;

		if (only_fast && !t->fake && t->fn == t_build_kernel)
			break;
		reason[0] = 0;
		if (t->fake)
			r = run_fake(t->fake);
		else if (t->l3)
			r = check_l3(t->l3);
		else if (t->spin)
			r = run_spin(t->spin);
		else
			r = t->fn();
		if (tb_interrupted()) {
			printf("interrupted\n");
			break;
		}
		if (r) {
			failed++;
			printf("FAIL %-52s %6.1fs  %s\n", name, tb_now() - t0, reason);
		} else {
			passed++;
			printf("ok   %-52s %6.1fs\n", name, tb_now() - t0);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed || tb_interrupted() ? 1 : 0;
}
