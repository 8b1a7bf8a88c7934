// SPDX-License-Identifier: GPL-2.0
/*
 * tb.c - the oticket testbed library; see tb.h for the contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#include "tb.h"

static const char *const status_names[] = {
	[TB_OK]			= "ok",
	[TB_NOSTART]		= "nostart",
	[TB_BOOT_HANG]		= "boot-hang",
	[TB_HANG]		= "hang",
	[TB_SILENT_EXIT]	= "silent-exit",
	[TB_OOPS]		= "oops",
	[TB_STALL]		= "stall",
	[TB_STUCK]		= "stuck",
	[TB_DEGRADED]		= "degraded",
	[TB_INTERRUPTED]	= "interrupted",
};

const char *tb_status_name(enum tb_status s)
{
	return s < sizeof(status_names) / sizeof(status_names[0]) ?
		status_names[s] : "?";
}

double tb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int tb_mkdir_p(const char *path)
{
	char tmp[1024], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

char *tb_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

int tb_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len)
		ret = -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

int tb_system(const char *cmd)
{
	int st = system(cmd);

	if ((st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGINT) ||
	    (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 130))
		raise(SIGINT);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

char *tb_l2_command(const char *build, const char *top)
{
	char *cmd;

	if (asprintf(&cmd, "%s/bin/testbed run --kernel %s/obj/arch/x86/boot/bzImage "
		     "--initrd %s/testbed/l2.cpio --l3-initrd %s/testbed/l3.cpio "
		     "--lib %s/tools/testbed/guest", build, build, build, build, top) < 0)
		exit(2);
	return cmd;
}

/* ------------------------------------------------------------------------
 * Child processes: every QEMU we start is recorded here, dies with us
 * (PR_SET_PDEATHSIG) and is killed by our signal handler.
 */
#define TB_MAX_CHILDREN 64
static volatile pid_t children[TB_MAX_CHILDREN];
static volatile sig_atomic_t interrupted;

static void child_add(pid_t pid)
{
	for (int i = 0; i < TB_MAX_CHILDREN; i++) {
		if (!children[i]) {
			children[i] = pid;
			return;
		}
	}
}

static void child_del(pid_t pid)
{
	for (int i = 0; i < TB_MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

static void kill_children(void)
{
	for (int i = 0; i < TB_MAX_CHILDREN; i++)
		if (children[i] > 0)
			kill(-children[i], SIGKILL);	/* its process group */
}

static void on_signal(int sig)
{
	interrupted = sig;
	kill_children();
}

void tb_install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(kill_children);
}

int tb_interrupted(void)
{
	return interrupted;
}

/*
 * Fork @argv with stdin from /dev/null and stdout and stderr to @fd, in a
 * process group of its own that dies with us; recorded for the signal
 * handler.  Returns the pid or -1.
 */
static pid_t spawn(const char *const argv[], int fd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char **)argv);
		fprintf(stderr, "testbed: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	child_add(pid);
	return pid;
}

pid_t tb_spawn(const char *const argv[], const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = spawn(argv, fd);
	close(fd);
	return pid;
}

void tb_forget(pid_t pid)
{
	child_del(pid);
}

/* ------------------------------------------------------------------------
 * Running guests.
 */
void tb_vm_init(struct tb_vm *vm, const char *name)
{
	memset(vm, 0, sizeof(*vm));
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->boot_timeout = 120;
	vm->run_timeout = 600;
	vm->fd = -1;
}

void tb_vm_arg(struct tb_vm *vm, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (vm->argc >= TB_MAX_ARGS - 1) {
		fprintf(stderr, "testbed: too many QEMU arguments for %s\n", vm->name);
		exit(2);
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	vm->argv[vm->argc++] = s;
	vm->argv[vm->argc] = NULL;
}

static int vm_start(struct tb_vm *vm)
{
	int pfd[2];
	pid_t pid;

	vm->log = fopen(vm->log_path, "w");
	if (!vm->log) {
		fprintf(stderr, "testbed: %s: cannot write %s: %s\n", vm->name,
			vm->log_path, strerror(errno));
		return -1;
	}
	setvbuf(vm->log, NULL, _IOLBF, 0);	/* a hung guest's log is readable */
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = spawn(vm->argv, pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[1]);
	vm->pid = pid;
	vm->fd = pfd[0];
	vm->t0 = vm->t_last = tb_now();
	return 0;
}

static const char *const oops_patterns[] = {
	"Oops:", "Kernel panic", "BUG:", "general protection fault",
	"Unable to handle kernel", "kernel BUG at", "invalid opcode:",
	"double fault:", "Watchdog detected hard LOCKUP",
};

/* The kernel's time stamp, "[  864.804795]", begins @line (and nothing looser). */
static int printk_line(const char *line)
{
	const char *p = line;
	int n;

	if (*p++ != '[')
		return 0;
	while (*p == ' ')
		p++;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		n++;
	if (!n || *p++ != '.')
		return 0;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		n++;
	return n == 6 && *p == ']';
}

static const char *oops_in(const char *line)
{
	size_t i;

	for (i = 0; i < sizeof(oops_patterns) / sizeof(oops_patterns[0]); i++) {
		if (strstr(line, oops_patterns[i]))
			return oops_patterns[i];
	}
	return NULL;
}

const char *tb_oops_line(const char *line)
{
	return printk_line(line) ? oops_in(line) : NULL;
}

int tb_status_resumable(enum tb_status s)
{
	return s == TB_STALL || s == TB_DEGRADED || s == TB_SILENT_EXIT;
}

static void vm_line(struct tb_vm *vm, char *line)
{
	int kernel = printk_line(line);
	char *m;

	fprintf(vm->log, "%s\n", line);
	/*
	 * Alive is what userspace prints (the heartbeat, the job): a level 2
	 * whose CPUs are stuck still fills the console with soft-lockup
	 * reports from its timer interrupts.
	 */
	if (!kernel)
		vm->t_last = tb_now();
	if (vm->echo && (!vm->echo_match || strstr(line, vm->echo_match)))
		printf("[%s] %s\n", vm->name, line);
	/*
	 * Oopses and warnings are this guest's own kernel lines only: a level
	 * 2 also prints its guests' consoles ("name| [...] BUG: ...") and the
	 * runner's reports of their failed attempts.
	 */
	if (kernel && !vm->oops[0] && oops_in(line))
		snprintf(vm->oops, sizeof(vm->oops), "%s", line);
	if (kernel && (strstr(line, "WARNING:") || strstr(line, "rcu: INFO:") ||
		       strstr(line, "self-detected stall")))
		vm->warnings++;
	if (!vm->begun && strstr(line, "@@OTB-BEGIN")) {
		vm->begun = 1;
		vm->t_begin = tb_now();
		vm->boot_secs = vm->t_begin - vm->t0;
	}
	if (strstr(line, "@@OTB-DEGRADED"))
		vm->degraded = 1;
	m = strstr(line, "@@OTB-EXIT ");
	if (vm->begun && !vm->done && m && sscanf(m, "@@OTB-EXIT %d@@", &vm->rc) == 1) {
		vm->done = 1;
		vm->run_secs = tb_now() - vm->t_begin;
	}
}

/*
 * Where a kernel message starts inside @line, or NULL: a printk time stamp
 * after other text, except a guest frame's "name| " (print_frame() of
 * testbed.c relays an inner guest's console so).  Scripts strip the time
 * stamps of what they copy from dmesg.
 */
static char *cut_in_printk(char *line)
{
	char *p;

	for (p = *line ? strchr(line + 1, '[') : NULL; p; p = strchr(p + 1, '[')) {
		if (printk_line(p) && !(p - line >= 2 && p[-2] == '|' && p[-1] == ' '))
			return p;
	}
	return NULL;
}

/*
 * A console line, put back together: the kernel prints to the serial port
 * whenever it likes, so a message can cut into a line the job was writing
 * ("otb: lt spin_loc[ 13.2] hrtimer: ...", then "k: Writes: ...").  The
 * message becomes a line of its own; the text before it is carried to the
 * front of the next line, which holds the rest.
 */
static void vm_console_line(struct tb_vm *vm, char *line)
{
	char full[sizeof(vm->carry) + sizeof(vm->buf)], *k;

	snprintf(full, sizeof(full), "%s%s", vm->carry, line);
	vm->carry[0] = 0;
	k = cut_in_printk(full);
	if (k) {
		snprintf(vm->carry, sizeof(vm->carry), "%.*s", (int)(k - full), full);
		vm_line(vm, k);
		return;
	}
	vm_line(vm, full);
}

static void vm_input(struct tb_vm *vm, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];

		if (c == '\r' || c == 0)
			continue;
		if (c == '\n' || vm->len == sizeof(vm->buf) - 1) {
			vm->buf[vm->len] = 0;
			vm_console_line(vm, vm->buf);
			vm->len = 0;
			if (c == '\n')
				continue;
		}
		vm->buf[vm->len++] = c;
	}
}

/* Reap a killed child within @secs; 0 if it is gone. */
static int reap(pid_t pid, double secs)
{
	double end = tb_now() + secs;
	int wst;

	do {
		pid_t r = waitpid(pid, &wst, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return 0;
		usleep(50000);
	} while (tb_now() < end);
	return -1;
}

/*
 * How child @pid ended, into @how, if it ends within @secs.  WNOWAIT
 * leaves it a zombie: its process group stays ours to kill.
 */
static void ended_how(pid_t pid, double secs, char *how, size_t len)
{
	double end = tb_now() + secs;
	siginfo_t si;

	do {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT))
			return;		/* not ours to wait for */
		if (si.si_pid == pid) {
			if (si.si_code == CLD_EXITED)
				snprintf(how, len, "exit %d", si.si_status);
			else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
				snprintf(how, len, "signal %d", si.si_status);
			return;
		}
		usleep(50000);
	} while (tb_now() < end);
}

/*
 * Where are the threads of QEMU: one that SIGKILL does not end, or whose
 * guest stalled; into @out.
 */
static void log_threads(struct tb_vm *vm, FILE *out)
{
	char path[128], *st, *wchan;

	for (int tid = vm->pid; tid < vm->pid + 64; tid++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", vm->pid, tid);
		st = tb_read_file(path, NULL);
		if (!st)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", vm->pid, tid);
		wchan = tb_read_file(path, NULL);
		fprintf(out, "testbed: thread %d: state %c wchan %s\n", tid,
			strrchr(st, ')') ? strrchr(st, ')')[2] : '?', wchan ? wchan : "?");
		free(st);
		free(wchan);
	}
}

#define TB_MON_WAIT	5.0	/* seconds for all of a stall's monitor dump */

/*
 * Copy what the monitor on @fd says to @out (if not NULL) until its prompt
 * or @end; true if the prompt came.  The prompt may be cut between reads:
 * the last bytes of each read are kept in front of the next.
 */
static bool monitor_read(int fd, FILE *out, double end)
{
	static const char prompt[] = "(qemu) ";
	char buf[4096 + sizeof(prompt)];
	size_t keep = 0;

	while (tb_now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = end - tb_now();
		ssize_t n;

		if (poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0) <= 0)
			continue;
		n = read(fd, buf + keep, sizeof(buf) - 1 - keep);
		if (n <= 0)
			return false;
		if (out)
			fwrite(buf + keep, 1, n, out);
		n += keep;
		buf[n] = 0;
		if (strstr(buf, prompt))
			return true;
		keep = n < (ssize_t)sizeof(prompt) - 1 ? (size_t)n : sizeof(prompt) - 1;
		memmove(buf, buf + n - keep, keep);
	}
	return false;
}

/*
 * Send @cmd to the monitor on @fd and copy its answer to @out; false if no
 * answer came by @end (the monitor's own loop may be the thing stuck).
 */
static bool monitor_cmd(int fd, const char *cmd, FILE *out, double end)
{
	char line[64];
	int len = snprintf(line, sizeof(line), "%s\n", cmd);

	fprintf(out, "testbed: monitor: %s\n", cmd);
	if (send(fd, line, len, MSG_NOSIGNAL) != len)
		return false;
	if (!monitor_read(fd, out, end)) {
		fprintf(out, "\ntestbed: monitor: no answer to '%s'\n", cmd);
		return false;
	}
	fputc('\n', out);
	return true;
}

/*
 * A stalled guest: what its vCPUs are doing (halted or running, where,
 * with which local APIC state) as QEMU's monitor tells it (raw, with its
 * line editing), and where QEMU's threads are, into <log>.cpus, before
 * it is killed; at most TB_MON_WAIT seconds.  A frozen level 2 says
 * nothing on its console; this is the only record.
 */
static void dump_cpus(struct tb_vm *vm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = tb_now() + TB_MON_WAIT;
	char path[600], cmd[32];
	bool ok = false;
	FILE *out;
	int fd;

	if (!vm->monitor[0])
		return;
	snprintf(path, sizeof(path), "%s.cpus", vm->log_path);
	out = fopen(path, "w");
	if (!out)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vm->monitor);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		fprintf(out, "testbed: monitor %s: %s\n", vm->monitor, strerror(errno));
	else if (!monitor_read(fd, NULL, end))	/* the banner, up to the first prompt */
		fprintf(out, "testbed: monitor %s: no prompt\n", vm->monitor);
	else
		ok = monitor_cmd(fd, "info cpus", out, end) &&
		     monitor_cmd(fd, "info registers -a", out, end);
	for (int i = 0; ok && i < vm->monitor_cpus; i++) {
		snprintf(cmd, sizeof(cmd), "info lapic %d", i);
		ok = monitor_cmd(fd, cmd, out, end);
	}
	if (fd >= 0)
		close(fd);
	log_threads(vm, out);
	fclose(out);
	if (vm->log)
		fprintf(vm->log, "testbed: vCPU state at the stall: %s\n", path);
}

static void vm_finish(struct tb_vm *vm, enum tb_status st)
{
	/*
	 * QEMU closed its console without the EXIT marker: it is exiting on
	 * its own, and how it ended (an error exit, a signal - the OOM
	 * killer's is 9) is all that says why.
	 */
	vm->exit_how[0] = 0;
	if (st == TB_STALL && vm->pid > 0)
		dump_cpus(vm);
	if (st == TB_SILENT_EXIT && vm->pid > 0)
		ended_how(vm->pid, 2, vm->exit_how, sizeof(vm->exit_how));
	if (vm->pid > 0) {
		kill(-vm->pid, SIGKILL);
		if (reap(vm->pid, 10)) {
			/* it stays in children[]: we try again at exit */
			if (vm->log)
				log_threads(vm, vm->log);
			st = TB_STUCK;
		} else {
			child_del(vm->pid);
		}
		vm->pid = 0;
	}
	if (vm->fd >= 0) {
		char rest[4096];
		ssize_t n;

		/* drain what is left in the pipe */
		fcntl(vm->fd, F_SETFL, O_NONBLOCK);
		while ((n = read(vm->fd, rest, sizeof(rest))) > 0)
			vm_input(vm, rest, n);
		close(vm->fd);
		vm->fd = -1;
	}
	if (vm->len) {
		vm->buf[vm->len] = 0;
		vm_console_line(vm, vm->buf);
		vm->len = 0;
	}
	if (vm->carry[0]) {
		vm_line(vm, vm->carry);
		vm->carry[0] = 0;
	}
	/* the EXIT marker may have been in what was left in the pipe */
	if (st == TB_SILENT_EXIT && vm->done)
		st = TB_OK;
	/* an oops is the cause of whatever followed it */
	if (vm->oops[0] && st != TB_INTERRUPTED && st != TB_NOSTART && st != TB_STUCK)
		st = TB_OOPS;
	vm->status = st;
	if (vm->log) {
		fprintf(vm->log, "@@OTB-RESULT %s rc=%d boot=%.1fs run=%.1fs%s%s%s%s@@\n",
			tb_status_name(st), vm->rc, vm->boot_secs, vm->run_secs,
			vm->exit_how[0] ? " qemu=" : "", vm->exit_how,
			vm->oops[0] ? " oops=" : "", vm->oops);
		fclose(vm->log);
		vm->log = NULL;
	}
}

void tb_run(struct tb_vm *vms, int n)
{
	struct pollfd pfd[TB_MAX_CHILDREN];
	int live = 0, i;

	for (i = 0; i < n; i++) {
		struct tb_vm *vm = &vms[i];

		vm->status = TB_NOSTART;
		vm->begun = vm->done = vm->degraded = 0;
		vm->rc = -1;
		vm->boot_secs = vm->run_secs = 0;
		vm->oops[0] = 0;
		vm->exit_how[0] = 0;
		vm->warnings = 0;
		vm->len = 0;
		vm->carry[0] = 0;
		if (vm_start(vm)) {
			vm_finish(vm, TB_NOSTART);
			continue;
		}
		live++;
	}

	while (live > 0) {
		double now = tb_now(), wait = 1.0;
		int map[TB_MAX_CHILDREN], np = 0;

		for (i = 0; i < n; i++) {
			struct tb_vm *vm = &vms[i];
			double left;

			if (vm->fd < 0)
				continue;
			if (interrupted || vm->degraded) {
				vm_finish(vm, interrupted ? TB_INTERRUPTED : TB_DEGRADED);
				live--;
				continue;
			}
			if (vm->done) {
				/* give init a moment to power off, then reap */
				left = vm->t_begin + vm->run_secs + 10 - now;
			} else if (!vm->begun) {
				left = vm->t0 + vm->boot_timeout - now;
				if (left <= 0) {
					vm_finish(vm, TB_BOOT_HANG);
					live--;
					continue;
				}
			} else {
				left = vm->t_begin + vm->run_timeout - now;
				if (left <= 0) {
					vm_finish(vm, TB_HANG);
					live--;
					continue;
				}
			}
			if (!vm->done && vm->silence_timeout > 0) {
				double quiet = vm->t_last + vm->silence_timeout - now;

				if (quiet <= 0) {
					vm_finish(vm, TB_STALL);
					live--;
					continue;
				}
				if (quiet < left)
					left = quiet;
			}
			if (vm->done && left <= 0) {
				vm_finish(vm, TB_OK);
				live--;
				continue;
			}
			if (left < wait)
				wait = left;
			pfd[np].fd = vm->fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
		if (!np)
			break;
		if (poll(pfd, np, (int)(wait * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			struct tb_vm *vm = &vms[map[k]];
			char data[8192];
			ssize_t r;

			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(vm->fd, data, sizeof(data));
			if (r > 0) {
				vm_input(vm, data, r);
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			/* QEMU closed its console: it exited */
			vm_finish(vm, vm->done ? TB_OK : TB_SILENT_EXIT);
			live--;
		}
	}
	fflush(stdout);
}

int tb_run_retry(struct tb_vm *vms, int n, int retries, FILE *report)
{
	char base[TB_MAX_CHILDREN][512];
	int attempt, i, bad;

	for (i = 0; i < n; i++) {
		snprintf(base[i], sizeof(base[i]), "%s", vms[i].log_path);
		/* an earlier run's retries must not pass for this run's */
		{
			char old[530];

			snprintf(old, sizeof(old), "%s.cpus", base[i]);
			unlink(old);
		}
		for (attempt = 2; attempt <= TB_MAX_ATTEMPTS; attempt++) {
			char old[530];

			snprintf(old, sizeof(old), "%s.%d", base[i], attempt);
			unlink(old);
			snprintf(old, sizeof(old), "%s.%d.cpus", base[i], attempt);
			unlink(old);
		}
	}
	for (attempt = 1; ; attempt++) {
		for (i = 0; attempt > 1 && i < n; i++) {
			if (vms[i].before_retry &&
			    vms[i].before_retry(&vms[i], base[i], attempt))
				return attempt - 1;
		}
		for (i = 0; i < n; i++)
			tb_attempt_log(base[i], attempt, vms[i].log_path,
				       sizeof(vms[i].log_path));
		tb_run(vms, n);
		bad = 0;
		for (i = 0; i < n; i++) {
			struct tb_vm *vm = &vms[i];

			if (vm->status == TB_OK)
				continue;
			bad++;
			if (report)
				fprintf(report,
					"testbed: %s attempt %d/%d: %s after %.1fs%s%s%s%s (log %s)\n",
					vm->name, attempt, retries + 1,
					tb_status_name(vm->status),
					tb_now() - vm->t0,
					vm->exit_how[0] ? ", QEMU " : "", vm->exit_how,
					vm->oops[0] ? ": " : "", vm->oops, vm->log_path);
		}
		for (i = 0; i < n; i++)
			if (vms[i].status == TB_STUCK)
				return attempt;
		if (!bad || attempt > retries || interrupted)
			return attempt;
	}
}

void tb_attempt_log(const char *base, int attempt, char *path, size_t len)
{
	if (attempt > 1)
		snprintf(path, len, "%s.%d", base, attempt);
	else
		snprintf(path, len, "%s", base);
}

char *tb_last_attempt_log(const char *base)
{
	char path[1100];
	int a;

	for (a = TB_MAX_ATTEMPTS; a > 1; a--) {
		tb_attempt_log(base, a, path, sizeof(path));
		if (!access(path, R_OK))
			return strdup(path);
	}
	return strdup(base);
}

#define TB_MAX_SECTIONS	128
#define TB_SECTION_NAME	48

struct tb_section {
	char name[TB_SECTION_NAME];
	int ended, started;
};

static struct tb_section *section_get(struct tb_section *sec, int *n, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(sec[i].name, name))
			return &sec[i];
	if (*n == TB_MAX_SECTIONS)
		return NULL;
	snprintf(sec[*n].name, sizeof(sec[*n].name), "%s", name);
	sec[*n].ended = sec[*n].started = 0;
	return &sec[(*n)++];
}

int tb_rc_line(const char *line, int *rc)
{
	int end = 0;

	return !strncmp(line, "@@RC ", 5) &&
	       sscanf(line + 5, "%d@@%n", rc, &end) == 1 && end && !line[5 + end];
}

int tb_sec_line(const char *line, char *name, size_t len)
{
	size_t n;

	if (strncmp(line, "@@SEC ", 6))
		return 0;
	line += 6;
	n = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
	if (!n || line[n] || n >= len)
		return 0;
	memcpy(name, line, n + 1);
	return 1;
}

int tb_sections_done(const char *base, int upto, char *out, size_t len)
{
	static struct tb_section sec[TB_MAX_SECTIONS];
	int n = 0, names = 0, a, i;
	size_t used = 0;

	for (a = 1; a <= upto && a <= TB_MAX_ATTEMPTS; a++) {
		char path[1100], *log, *line, *save, name[TB_SECTION_NAME];
		struct tb_section *cur = NULL;

		tb_attempt_log(base, a, path, sizeof(path));
		log = tb_read_file(path, NULL);
		for (line = log ? strtok_r(log, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			int st;

			/* whole marker lines, as otest's section_of() reads them */
			if (tb_sec_line(line, name, sizeof(name))) {
				cur = section_get(sec, &n, name);
				if (!cur)
					goto bad;
				cur->started++;
			} else if (cur && tb_rc_line(line, &st)) {
				cur->ended = 1;
				cur = NULL;
			}
		}
		free(log);
		continue;
bad:
		free(log);
		return -1;
	}
	if (len)
		out[0] = 0;
	for (i = 0; i < n; i++) {
		size_t l = strlen(sec[i].name);

		if (!sec[i].ended && sec[i].started < 2)
			continue;
		if (used + l + 2 > len)
			return -1;
		used += snprintf(out + used, len - used, "%s%s", used ? " " : "", sec[i].name);
		names++;
	}
	return names;
}

int tb_resume_list(const struct tb_vm *vm, const char *base, int attempt,
		   char *out, size_t len)
{
	int n;

	if (len)
		out[0] = 0;
	if (!tb_status_resumable(vm->status))
		return 0;
	n = tb_sections_done(base, attempt - 1, out, len);
	if (n < 0) {
		fprintf(stderr, "testbed: %s: cannot list the sections that ended; "
			"attempt %d runs them all\n", vm->name, attempt);
		if (len)
			out[0] = 0;
		return 0;
	}
	return n;
}

/* ------------------------------------------------------------------------
 * newc cpio writer.
 */
struct tb_cpio {
	FILE *f;
	unsigned long ino;
	size_t off;
	char dirs[64][128];
	int ndirs;
};

static int cpio_put(struct tb_cpio *c, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, c->f) != n)
		return -1;
	c->off += n;
	return 0;
}

static int cpio_pad(struct tb_cpio *c)
{
	static const char zero[4];

	return cpio_put(c, zero, (4 - c->off % 4) % 4);
}

static int cpio_entry(struct tb_cpio *c, const char *name, unsigned int mode,
		      const void *data, size_t len)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr),
		 "070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
		 ++c->ino, mode, 0, 0, 1, 0, (unsigned long)len, 0, 0, 0, 0,
		 (unsigned long)strlen(name) + 1, 0);
	if (cpio_put(c, hdr, 110) || cpio_put(c, name, strlen(name) + 1) ||
	    cpio_pad(c) || cpio_put(c, data, len) || cpio_pad(c))
		return -1;
	return 0;
}

static int cpio_parents(struct tb_cpio *c, const char *dest)
{
	char dir[128];
	const char *p;

	for (p = strchr(dest, '/'); p; p = strchr(p + 1, '/')) {
		int i, seen = 0;

		if ((size_t)(p - dest) >= sizeof(dir))
			return -1;
		memcpy(dir, dest, p - dest);
		dir[p - dest] = 0;
		for (i = 0; i < c->ndirs; i++)
			seen |= !strcmp(c->dirs[i], dir);
		if (seen)
			continue;
		if (c->ndirs < 64)
			strcpy(c->dirs[c->ndirs++], dir);
		if (cpio_entry(c, dir, 040755, NULL, 0))
			return -1;
	}
	return 0;
}

struct tb_cpio *tb_cpio_open(const char *path, const char *append_from)
{
	struct tb_cpio *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->f = fopen(path, "wb");
	if (!c->f) {
		free(c);
		return NULL;
	}
	c->ino = 0x7000000;	/* away from the base archive's inodes */
	if (append_from) {
		size_t len;
		char *base = tb_read_file(append_from, &len);

		if (!base || cpio_put(c, base, len) || cpio_pad(c)) {
			free(base);
			fclose(c->f);
			free(c);
			return NULL;
		}
		free(base);
	}
	return c;
}

int tb_cpio_add_data(struct tb_cpio *c, const char *dest, const void *data,
		     size_t len, unsigned int mode)
{
	while (*dest == '/')
		dest++;
	if (cpio_parents(c, dest))
		return -1;
	return cpio_entry(c, dest, 0100000 | (mode & 07777), data, len);
}

int tb_cpio_add_file(struct tb_cpio *c, const char *dest, const char *src)
{
	struct stat st;
	size_t len;
	char *data;
	int ret;

	if (stat(src, &st))
		return -1;
	data = tb_read_file(src, &len);
	if (!data)
		return -1;
	ret = tb_cpio_add_data(c, dest, data, len, st.st_mode);
	free(data);
	return ret;
}

int tb_cpio_close(struct tb_cpio *c)
{
	int ret = cpio_entry(c, "TRAILER!!!", 0, NULL, 0);

	if (fclose(c->f))
		ret = -1;
	free(c);
	return ret;
}

/* ------------------------------------------------------------------------
 * Is /dev/kvm usable at hardware speed?
 */
int tb_kvm_probe(double *secs, char *why, size_t len)
{
	/*
	 * Real-mode guest at 0x1000:
	 *	mov ecx, 1000000
	 * 1:	dec ecx
	 *	jnz 1b
	 *	mov ecx, 20000
	 * 2:	out 0x80, al
	 *	dec ecx
	 *	jnz 2b
	 *	hlt
	 */
	static const uint8_t code[] = {
		0x66, 0xb9, 0x40, 0x42, 0x0f, 0x00,
		0x66, 0x49, 0x75, 0xfc,
		0x66, 0xb9, 0x20, 0x4e, 0x00, 0x00,
		0xe6, 0x80, 0x66, 0x49, 0x75, 0xfa,
		0xf4,
	};
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm = -1, vcpu = -1, ret = -1, exits = 0, mmap_size;
	double t0, spent, limit = *secs;
	uint8_t *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm: unexpected API version");
		goto out;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto out;
	}
	memcpy(mem + 0x1000, code, sizeof(code));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		snprintf(why, len, "KVM vCPU setup: %s", strerror(errno));
		goto out;
	}
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(why, len, "KVM vCPU mmap: %s", strerror(errno));
		goto out;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	ioctl(vcpu, KVM_SET_REGS, &regs);

	t0 = tb_now();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			snprintf(why, len, "KVM_RUN: %s", strerror(errno));
			goto out;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (tb_now() - t0 > limit) {
			snprintf(why, len, "test guest still running after %.1f s and %d exits",
				 tb_now() - t0, exits);
			*secs = tb_now() - t0;
			ret = 1;
			goto out;
		}
		if (run->exit_reason != KVM_EXIT_IO || ++exits > 20000) {
			snprintf(why, len, "test guest misbehaved (exit %u after %d exits)",
				 run->exit_reason, exits);
			goto out;
		}
	}
	spent = tb_now() - t0;
	if (exits != 20000) {
		snprintf(why, len, "test guest halted after %d of 20000 I/O exits", exits);
		goto out;
	}
	*secs = spent;
	ret = 0;
	snprintf(why, len, "test guest: 1M-iteration loop + %d I/O exits took %.3f s",
		 exits, spent);
out:
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return ret;
}

int tb_kvm_usable(char *why, size_t len)
{
	double secs = 2;
	char probe[200];
	int ret = tb_kvm_probe(&secs, probe, sizeof(probe));

	/* Hardware KVM: ~1 ms of loop + ~40 ms of exits; emulation is far slower. */
	if (ret >= 0 && secs < 0.5) {
		snprintf(why, len, "%s: hardware speed", probe);
		return 1;
	}
	snprintf(why, len, "%s: %s", probe,
		 ret < 0 ? "not usable" : "too slow, emulated or paravirtual");
	return 0;
}
