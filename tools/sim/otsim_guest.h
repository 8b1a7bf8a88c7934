/* SPDX-License-Identifier: GPL-2.0 */
/*
 * otsim_guest.h - the contract between the guest kernel code the simulator
 * runs (tools/sim/guest/: kernel/locking/ files of the staged tree compiled
 * against tools/sim/shim/) and the engine that runs it (tools/sim/).
 *
 * Plain C with fixed-size types only: both sides include it.  The guest
 * side reaches the engine through the sim_*() calls below, which the shim
 * headers put behind READ_ONCE(), the atomics, cpu_relax(), per-CPU data,
 * pv_wait()/pv_kick() and the hypercalls.  The engine reaches the guest
 * through struct otsim_guest, one per simulated VM: the guest object is
 * linked once per VM with its global symbols renamed (Makefile), because
 * every VM is its own kernel with its own statics, hash tables and per-CPU
 * areas.
 */
#ifndef OTSIM_GUEST_H
#define OTSIM_GUEST_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- shared lock memory: every access is a scheduling point ---------- */

enum sim_rmw_op {
	SIM_XCHG,	/* *old = mem; mem = arg */
	SIM_CMPXCHG,	/* mem == *old ? mem = arg, true : (*old = mem, false) */
	SIM_ADD,	/* *old = mem; mem += arg */
	SIM_OR,		/* *old = mem; mem |= arg */
	SIM_AND,	/* *old = mem; mem &= arg */
};

void sim_load(const volatile void *p, void *out, int size);
void sim_store(volatile void *p, const void *in, int size);
bool sim_rmw(volatile void *p, int size, int op, void *old, const void *arg);
void sim_relax(void);		/* cpu_relax(): PAUSE */
void sim_relax_cond(void);	/* PAUSE inside smp_cond_load_*(): no budget */
void sim_mb(void);		/* smp_mb(): a fence */

/* ---- the current vCPU, its VM, time ------------------------------------ */

int sim_cpu(void);			/* smp_processor_id() */
int sim_nr_cpus(void);			/* vCPUs of this VM */
long sim_pcpu_off(int cpu);		/* per-CPU area of @cpu, this VM */
uint64_t sim_clock(void);		/* local_clock(), ns */
bool sim_vcpu_preempted(int cpu);	/* steal-time "preempted" flag */
uint64_t sim_steal_clock(int cpu);	/* paravirt_steal_clock() */
bool sim_in_nmi(void);
bool sim_irqs_disabled(void);
void sim_irq_set(bool disabled);
void *sim_alloc(size_t size);		/* zeroed, cache-line aligned, per VM */
void sim_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_bug(const char *file, int line, const char *what) __attribute__((noreturn));
void sim_warn(const char *file, int line, const char *what);

/* ---- the hypervisor interface the guest glue uses ---------------------- */

/* HLT; @irqs_on: STI;HLT (an interrupt ends it too) */
void sim_halt(bool irqs_on);
/* VMCALL: nr and up to four arguments, as kvm_hypercall4() */
long sim_hypercall(unsigned int nr, unsigned long a0, unsigned long a1,
		   unsigned long a2, unsigned long a3);
/* CPUID-style feature bits the simulated host offers (KVM_FEATURE_*) */
bool sim_kvm_feature(unsigned int bit);

/* ---- what a guest kernel offers the engine ------------------------------- */

struct sim_qspinlock;			/* struct qspinlock, 4 bytes */

typedef void (*sim_event_fn)(void *ctx, const char *name, uint64_t value);

struct otsim_guest {
	/*
	 * Boot: @nr_cpus vCPUs, kernel command line @cmdline (early_param()s
	 * of the compiled files: "nopvspin", "pvlock=...").  0, or -1 with
	 * the reason printed if a parameter is unknown.
	 */
	int (*boot)(int nr_cpus, const char *cmdline);
	void (*lock)(struct sim_qspinlock *lock);	/* spin_lock() */
	void (*unlock)(struct sim_qspinlock *lock);	/* spin_unlock() */
	/* the VM's lock event counters, summed over its CPUs */
	void (*events)(sim_event_fn fn, void *ctx);
	/* ... of guest CPU @cpu alone (OTSIM_HANDOFFS: how a lock was taken) */
	void (*cpu_events)(int cpu, sim_event_fn fn, void *ctx);
};

struct kernel_param;

/*
 * An early_param() (@fn) or a module parameter of a built-in (@kp,
 * "oticket.bypass_max=64") of a guest file, and the VM copy it belongs to.
 */
struct otsim_param {
	const char *str;
	int (*fn)(char *arg);
	const struct kernel_param *kp;
	const struct otsim_guest *guest;
};

#define OTSIM_MAX_VMS		8

#endif /* OTSIM_GUEST_H */
