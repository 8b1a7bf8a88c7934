/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim.h - otsim, the deterministic simulator of paravirtual spinlocks on an
 * over-committed KVM host.  Shared definitions of the engine (engine.c),
 * the host model (host.c), the workloads (workload.c) and the driver
 * (otsim.c).  Documentation/virt/oticket/sim.rst describes the model and
 * where each of its parts comes from.
 *
 * Time is simulated, in nanoseconds, and only advances through the engine.
 * Everything runs on one OS thread: each vCPU is a coroutine executing the
 * guest kernel's lock code (tools/sim/guest/) and the workload; host events
 * (scheduler ticks, wake-ups, halt-polling ends, the end of the run) are
 * plain functions called by whichever context dispatches them.
 */
#ifndef OTSIM_SIM_H
#define OTSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "otsim_guest.h"

#define SIM_MAX_IV 32	/* measured intervals per run: vbench's VB_MAX_IV */

typedef int64_t simtime_t;		/* ns */

#define MAX_PCPUS	512
#define MAX_VCPUS	4096
#define SHARE_WORDS	(MAX_PCPUS / 64)
#define NS_PER_MS	1000000LL
#define NS_PER_SEC	1000000000LL

/* ---- events ---------------------------------------------------------------- */

struct ev;
typedef void (*ev_fn)(struct ev *e);

struct ev {
	simtime_t t;
	uint64_t seq;		/* FIFO among equal times: determinism */
	int hidx;		/* position in the heap, -1 when not queued */
	ev_fn fn;		/* NULL: resume vCPU @obj's coroutine */
	void *obj;
};

void ev_init(struct ev *e, ev_fn fn, void *obj);
void ev_at(struct ev *e, simtime_t t);	/* (re)queue at @t */
void ev_cancel(struct ev *e);
static inline bool ev_queued(const struct ev *e)
{
	return e->hidx >= 0;
}

/* ---- parameters ------------------------------------------------------------ */

/*
 * Every parameter is a named 64-bit integer (ns, counts, per-mille, 0/1),
 * so that a run's record carries all of them and a sweep can set any.
 * The table with defaults, units and sources is in params.c.
 */
enum {
#define P(name, dflt, unit, doc) PRM_##name,
#include "params.h"
#undef P
	NR_PARAMS
};
extern int64_t prm[NR_PARAMS];
#define PRM(name)	prm[PRM_##name]
int param_set(const char *name, const char *val);	/* 0, or -1 if unknown/bad */
const char *param_name(int i);
const char *param_unit(int i);
const char *param_doc(int i);
int64_t param_default(int i);

/* ---- cache lines -------------------------------------------------------------- */

struct watch {
	struct watch *next, **pprev;
	struct vcpu *v;
};

struct line {
	uintptr_t tag;		/* address >> 6; 0: free slot */
	int owner;		/* pCPU holding it modified, -1 if none */
	int nshare;
	uint64_t share[SHARE_WORDS];
	simtime_t busy;		/* a transfer in flight until then */
	struct watch *watchers;	/* parked spinners */
	uint64_t misses;	/* OTSIM_MISSES: misses on it, their cost */
	simtime_t miss_ns;
};

/* ---- host scheduling entities ------------------------------------------------- */

enum task_state {
	TS_RUNNING,		/* current on its pCPU */
	TS_RUNNABLE,		/* on a run queue, not running */
	TS_BLOCKED,		/* asleep: a halted vCPU */
	TS_DEAD,		/* a finished vCPU */
};

struct pcpu;

struct task {
	int id;
	bool is_vcpu;
	enum task_state state;
	struct pcpu *rq;	/* run queue it is on, or last ran on */
	/* EEVDF-like */
	int64_t vruntime, deadline, vlag, weight, slice;
	bool protect;		/* RUN_TO_PARITY slice protection */
	bool on_rq;
	simtime_t exec_start;	/* when it last started running */
	simtime_t sum_exec;
	int rq_pos;		/* index in rq->tasks */
};

struct pcpu {
	int id, socket;
	struct task *curr;	/* NULL: idle */
	struct task **tasks;	/* on_rq entities incl. curr */
	int ntasks;
	struct task *next_buddy;
	bool need_resched;
	struct ev tick;		/* scheduler tick */
	struct ev resched;	/* deferred reschedule (IPI, switch) */
};

/* ---- vCPUs and VMs --------------------------------------------------------------- */

enum vcpu_mode {
	VM_GUEST,		/* executing guest code on its pCPU */
	VM_POLL,		/* halted, KVM halt-polling on its pCPU */
	VM_OUT,			/* not on a pCPU (runnable or blocked) */
};

#define SP_MAX	8

struct spin_ent {
	const volatile void *addr;
	uint64_t val;
	int size;
	struct line *line;
	struct watch w;
};

struct vm;

struct vcpu {
	struct task task;	/* first: container_of by cast */
	int id;			/* global */
	int cpu;		/* guest CPU number in its VM */
	struct vm *vm;
	struct pcpu *pcpu;	/* where it runs (VM_GUEST/VM_POLL) */
	enum vcpu_mode mode;

	/* coroutine */
	void *ctx_sp;		/* saved stack pointer */
	void *stack;
	size_t stack_size;
	bool finished;
	bool in_dispatch;	/* waiting in dispatch(), not running its code */

	/* time */
	simtime_t t;		/* its clock while in guest mode */
	struct ev run;		/* resume the coroutine */
	struct ev hev;		/* halt-poll end */
	struct ev tev;		/* guest timer interrupt while halted */
	bool tick_stopped;	/* NO_HZ idle: only the sleep's timer */
	simtime_t remaining;	/* CPU time owed when it was preempted */
	simtime_t next_gtick;	/* guest timer interrupt */

	/* KVM state */
	bool pv_unhalted;	/* a kick latched */
	bool halted;		/* inside HLT (blocked or polling) */
	bool halt_irqs;		/* ... with interrupts on (STI;HLT) */
	bool irq_pending;	/* guest tick arrived while halted */
	bool ready, preempted;	/* kvm_vcpu->ready / ->preempted */
	bool irqs_off;		/* guest IF == 0 */
	bool in_kernel;		/* guest in kernel mode (for PLE yield) */
	uint32_t halt_poll_ns;	/* KVM's adaptive poll time */
	simtime_t ple_window;	/* current PLE window, ns */
	simtime_t ple_first;	/* start of the PAUSE sequence */
	int64_t ple_count;
	simtime_t steal, steal_since;

	/* spin fast-forward */
	int sp_n, sp_reads;
	bool sp_changed, sp_overflow;
	int sp_quiet;
	simtime_t sp_last;	/* time of the previous PAUSE */
	struct spin_ent sp[SP_MAX];
	bool parked;
	simtime_t park_seg, park_run, park_iter;
	void *park_site;
	int64_t ff_left;	/* iterations to replay */
	int64_t ff_streak;	/* replayed in this loop so far */
	void *ff_site;

	/* workload */
	uint64_t rng;
	uint64_t acquired;	/* critical sections entered */
	double work_done;
	uint64_t acq_iv[SIM_MAX_IV];	/* the same per measured interval */
	double work_iv[SIM_MAX_IV];

	/* host module (kvm_oticket model) */
	bool kot_waiting;
	int kot_boost;
	int64_t kot_saved_weight;
};

struct vm {
	int id;
	int nvcpus;
	struct vcpu **vcpu;	/* by guest CPU */
	const struct otsim_guest *g;
	long *pcpu_off;		/* per-CPU area offsets, by guest CPU */
	struct sim_steal *steal;	/* steal-time areas, by guest CPU */
	int last_boosted;	/* kvm->last_boosted_vcpu */
	uint64_t ready_mask[MAX_VCPUS / 64];
	char console[8192];	/* what the guest printed */
	size_t conlen;
	bool host_hook;		/* kvm_oticket serves this VM */
	void *wl;
};

/* the guest-visible steal-time area (struct kvm_steal_time, the parts used) */
struct sim_steal {
	uint8_t preempted;
	uint8_t pad[63];
} __attribute__((aligned(64)));

/* ---- global state ------------------------------------------------------------------ */

struct sim {
	simtime_t now;
	int npcpus, nvms, nvcpus;
	struct pcpu *pcpu;
	struct vm *vm;
	struct vcpu **vcpus;	/* all, by global id */
	struct task *bg;	/* background load tasks */
	int nbg;
	simtime_t end;		/* measurement ends; then drain */
	simtime_t warmup;
	int intervals;		/* the window cut into this many, as vbench's */
	bool stopping;		/* workloads finish their current operation */
	int nfinished;
	uint64_t seq;
	/* statistics (KVM's debugfs names where there is one) */
	uint64_t st_exits, st_halt_exits, st_halt_wakeup, st_halt_poll_ok,
		 st_halt_poll_try, st_dy_try, st_dy_ok, st_preempt, st_kicks,
		 st_ple_exits, st_ctxsw, st_hypercalls, st_migrations;
	uint64_t st_ff_iters, st_parks, st_switches, st_accesses;
	uint64_t kot[32];	/* host module counters */
	char errors[4096];	/* invariant violations */
	int nerrors;
};

extern struct sim S;
extern struct vcpu *cur;		/* the vCPU whose coroutine runs, or NULL */

/* OTSIM_TRACE=from_ns,to_ns: what happened then, on stderr (debugging) */
extern simtime_t trace_from, trace_to;
/* OTSIM_HANDOFFS=1: each busy lock's time, on stderr (workload.c) */
extern bool sim_handoffs;
#define TRACE(fmt, ...) do {						\
	if (S.now >= trace_from && S.now < trace_to)			\
		fprintf(stderr, "%11lld " fmt "\n", (long long)S.now, ##__VA_ARGS__); \
} while (0)

/* engine.c */
void engine_init(void);
void miss_profile_print(void);		/* OTSIM_MISSES=n */
void engine_run(void);			/* until the END event */
void engine_end_at(simtime_t t);
void vcpu_start(struct vcpu *v, void (*fn)(struct vcpu *v));
void sync_vcpu(struct vcpu *v);		/* yield until @v is earliest and running */
void advance(struct vcpu *v, simtime_t ns);	/* CPU time, preemptible */
void spin_reset(struct vcpu *v);
void ff_stop(struct vcpu *v);		/* a non-spin action: leave replay */
void unpark_on_write(struct line *l, struct vcpu *writer);
struct line *line_of(const volatile void *p);
void host_write(const volatile void *p, const void *val, int size, int pcpu);
void sim_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t rng_next(uint64_t *s);
double rng_unit(uint64_t *s);		/* [0, 1) */
double rng_exp(uint64_t *s, double mean);

/* host.c */
void host_init(void);
void host_place_vcpus(void);
void vcpu_halt(struct vcpu *v, bool irqs_on);
long vcpu_hypercall(struct vcpu *v, unsigned int nr, unsigned long a0,
		    unsigned long a1, unsigned long a2, unsigned long a3);
void vcpu_ple_exit(struct vcpu *v);
void vcpu_guest_idle_until(struct vcpu *v, simtime_t t);
void vcpu_finish(struct vcpu *v);
bool host_feature(unsigned int bit);
void host_print_stats(FILE *f);
void host_account_end(void);

/* workload.c */
void workload_setup(const char *name, int size);
void workload_report(FILE *f, struct vm *vm);
const char *workload_unit(void);
void workload_check_end(void);
void workload_profile_print(void);

#endif /* OTSIM_SIM_H */
