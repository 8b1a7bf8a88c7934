/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tb.h - the oticket testbed library: start QEMU guests, watch their serial
 * consoles against deadlines, classify what happened, never leave a QEMU
 * behind.
 *
 * A guest boots our bzImage with an initramfs whose /init (init.sh) prints
 *
 *	@@OTB-BEGIN <release> level=<n>@@	before the test script runs
 *	@@OTB-EXIT <rc>@@			after it, with its exit status
 *
 * on the serial console and powers off.  Everything else the console shows
 * is the script's output interleaved with kernel messages.  A run is a
 * result only if both markers arrived in time and no kernel oops, panic or
 * BUG was printed; everything else is a testbed failure, reported as such,
 * retried a bounded number of times, and never counted.
 */
#ifndef OTB_TB_H
#define OTB_TB_H

#include <stdio.h>
#include <stddef.h>
#include <sys/types.h>

enum tb_status {
	TB_OK,		/* script ran to the end; see ->rc */
	TB_NOSTART,	/* QEMU could not be started */
	TB_BOOT_HANG,	/* no BEGIN marker before the boot deadline */
	TB_HANG,	/* BEGIN but no EXIT before the run deadline */
	TB_SILENT_EXIT,	/* QEMU exited without EXIT marker (triple fault...) */
	TB_OOPS,	/* kernel oops/panic/BUG on the console */
	TB_STALL,	/* console silent longer than ->silence_timeout */
	TB_STUCK,	/* QEMU survived SIGKILL: stuck in its host kernel */
	TB_DEGRADED,	/* a guest of this guest got stuck: host unusable */
	TB_INTERRUPTED,	/* SIGINT/SIGTERM reached us */
};

const char *tb_status_name(enum tb_status s);

#define TB_MAX_ARGS	96
#define TB_MAX_RETRIES	10	/* testbed --retries */
#define TB_MAX_ATTEMPTS	(TB_MAX_RETRIES + 1)

/*
 * Level-3 CPU: no XSAVE (level 2's KVM under TCG reports XSAVE sizes for
 * the wrong XCR0); PV unhalt, steal time and PV sched yield on, as a real
 * host offers them with -cpu host.  Properties, not +/- flags,
 * so that a later "kvm-pv-unhalt=off" overrides (testbed guest --cpu-flags).
 */
#define TB_L3_CPU	"kvm64,vme=off,kvm-pv-unhalt=on,kvm-steal-time=on,kvm-pv-sched-yield=on"

struct tb_vm {
	/* set by the caller */
	char name[32];
	const char *argv[TB_MAX_ARGS];	/* QEMU command, NULL terminated */
	int argc;
	char log_path[512];		/* full console log of this attempt */
	double boot_timeout;		/* seconds to the BEGIN marker */
	double run_timeout;		/* seconds from BEGIN to EXIT */
	double silence_timeout;		/* 0, or longest quiet console (the
					 * guest prints a heartbeat) */
	char monitor[108];		/* "", or the unix socket of QEMU's
					 * monitor (sun_path's size): read
					 * on a stall */
	int monitor_cpus;		/* vCPUs: "info lapic" 0..N-1 */
	int echo;			/* copy console lines to stdout */
	const char *echo_match;		/* ... only those containing this */
	/*
	 * Called before attempt @attempt (>= 2) of tb_run_retry(), with
	 * ->status that of the attempt before; @base is the first attempt's
	 * log.  Non-zero ends the retries.
	 */
	int (*before_retry)(struct tb_vm *vm, const char *base, int attempt);

	/* results */
	enum tb_status status;
	int rc;				/* script exit status when TB_OK */
	double boot_secs, run_secs;
	char oops[160];			/* first oops line seen */
	int warnings;			/* WARNING:/RCU stall lines */
	char exit_how[32];		/* silent exit: "exit N" or "signal N" */

	/* private */
	int pid, fd, begun, done, degraded;
	double t0, t_begin, t_last;
	FILE *log;
	char buf[4096];
	size_t len;
	char carry[4096];	/* a line a kernel message cut into */
};

void tb_vm_init(struct tb_vm *vm, const char *name);
void tb_vm_arg(struct tb_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run the VMs concurrently until each has finished or failed. */
void tb_run(struct tb_vm *vms, int n);

/*
 * Run the VMs concurrently; if any of them failed for a testbed reason
 * (anything but TB_OK), run the whole set again, at most @retries more
 * times.  Returns the number of attempts made.  Log paths get ".<attempt>"
 * appended for retries.  A TB_STUCK guest ends the retries: the host it
 * runs on is no longer fit for measurements.
 */
int tb_run_retry(struct tb_vm *vms, int n, int retries, FILE *report);

/*
 * The console log of the last attempt of a guest whose first attempt
 * logged to @base (tb_run_retry removes older runs' retry logs).  Malloc'd.
 */
char *tb_last_attempt_log(const char *base);
/* Into @path, the log of attempt @attempt (1, 2, ...) of a guest logging to @base. */
void tb_attempt_log(const char *base, int attempt, char *path, size_t len);

/*
 * A level-2 suite (tools/testbed/guest/l2-lib.sh) marks its sections with
 * the lines "@@SEC <name>" ... "@@RC <status>@@".  Into @out (space
 * separated), the sections a retry need not run again: those that ended in
 * one of the attempts logged to @base, @base.2 ... @base.@upto, and those
 * that started in two of them without ending (the level 2 froze in it
 * twice: the rest of the suite still runs; the grader reports that
 * section).  Returns the number of names, -1 if @out is too small, a
 * there are more than 128 sections.
 */
int tb_sections_done(const char *base, int upto, char *out, size_t len);
/* Is @line a whole "@@RC <n>@@" line?  Its status in *@rc. */
int tb_rc_line(const char *line, int *rc);
/* Is @line a whole "@@SEC <name>" line (name: [A-Za-z0-9_.-], < @len)? */
int tb_sec_line(const char *line, char *name, size_t len);
/*
 * What a retry of @vm, attempt @attempt, may skip: after a failure
 * tb_status_resumable() allows, tb_sections_done(); else, or when the list
 * cannot be made (said on stderr), nothing.  Returns the number of names.
 */
int tb_resume_list(const struct tb_vm *vm, const char *base, int attempt,
		   char *out, size_t len);
/*
 * The oops, panic or BUG pattern @line shows, or NULL.  Only a console's
 * own kernel lines count (a printk time stamp first): a level 2 also
 * prints its guests' consoles ("name| [...] BUG: ...") and the runner's
 * reports of their failed attempts, which are the guests' failures.
 */
const char *tb_oops_line(const char *line);
/*
 * May a retry after a failure of this kind resume a job made of sections
 * (tb_sections_done())?  Yes for the testbed's own failures - a frozen
 * guest (stall), a stuck inner QEMU (degraded), QEMU gone without a word
 * (silent exit): the sections that ended are results.  No after an oops
 * (graded as a failure anyway) or a hang (the deadline is per attempt: a
 * resumed job would get more time).
 */
int tb_status_resumable(enum tb_status s);

/* Signals: kill every child QEMU, then exit.  Call once at start. */
void tb_install_signal_handlers(void);
int tb_interrupted(void);

/* newc cpio writer (initramfs) */
struct tb_cpio;
struct tb_cpio *tb_cpio_open(const char *path, const char *append_from);
int tb_cpio_add_file(struct tb_cpio *c, const char *dest, const char *src);
int tb_cpio_add_data(struct tb_cpio *c, const char *dest, const void *data,
		     size_t len, unsigned int mode);
int tb_cpio_close(struct tb_cpio *c);

/*
 * Is /dev/kvm fit to run guests at hardware speed?  Runs a tiny real-mode
 * guest: a 1M-iteration loop and 20000 port-I/O exits, and compares the
 * times with bounds no emulated or paravirtual backend meets.  Fills @why.
 */
int tb_kvm_usable(char *why, size_t len);
/*
 * The same test guest without the speed judgement: 0 if it ran correctly
 * (*secs: how long it took), 1 if it was still running after *secs on
 * entry, -1 if /dev/kvm failed.
 */
int tb_kvm_probe(double *secs, char *why, size_t len);

/*
 * system(), but a Ctrl-C that ended the command ends us too: system()
 * ignores SIGINT in the caller while the command runs.  Returns the exit
 * status, or -1 if the command did not exit normally.
 */
int tb_system(const char *cmd);

/*
 * "testbed run" with the kernel, initramfs archives and guest scripts of
 * build directory @build and source tree @top; the caller appends options.
 * Returns a malloc'd string.
 */
char *tb_l2_command(const char *build, const char *top);

/*
 * Start @argv in a process group of its own with stdout and stderr to file
 * @out; it is killed with us (signal, exit, or our death).  Returns its pid
 * or -1.  tb_forget() once it has been reaped.
 */
pid_t tb_spawn(const char *const argv[], const char *out);
void tb_forget(pid_t pid);

double tb_now(void);
int tb_mkdir_p(const char *path);
char *tb_read_file(const char *path, size_t *len);
int tb_write_file(const char *path, const char *data, size_t len);

#endif
