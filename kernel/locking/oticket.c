// SPDX-License-Identifier: GPL-2.0
/*
 * pvlock=: one kernel image, the spinlock slow path chosen at boot; and the
 * kernel binding of the pvticket and o-ticket slow paths (oticket.h) and of
 * oqspin's policy (oqspin.h, used by qspinlock_paravirt.h).
 *
 * debugfs: /sys/kernel/debug/oticket/{mode,pcpu,hist}; the lock events are
 * with the others in /sys/kernel/debug/lock_event_counts/; the tunables are
 * parameters (oticket.bypass_max=... on the command line, or
 * /sys/module/oticket/parameters/).
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/moduleparam.h>
#include <linux/oticket.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>
#include <asm/paravirt.h>
#include <asm/qspinlock.h>

#include "lock_events.h"
#include "oticket.h"
#include "oqspin.h"

/* The record's state byte is the low byte of its word (pvlock_wait()). */
#ifndef __LITTLE_ENDIAN
#error "oticket: the record word layout assumes a little-endian CPU"
#endif

static const char * const pvlock_names[PVLOCK_NR_MODES] = {
	[PVLOCK_PVQSPINLOCK]	= "pvqspinlock",
	[PVLOCK_QSPINLOCK]	= "qspinlock",
	[PVLOCK_TAS]		= "tas",
	[PVLOCK_PVTICKET]	= "pvticket",
	[PVLOCK_OTICKET]	= "oticket",
	[PVLOCK_OQSPIN]		= "oqspin",
};

static enum pvlock_mode pvlock_req __initdata = PVLOCK_UNSET;
static enum pvlock_mode pvlock_active_mode __ro_after_init = PVLOCK_UNSET;

const char *pvlock_name(enum pvlock_mode mode)
{
	return mode < PVLOCK_NR_MODES ? pvlock_names[mode] : "unset";
}
EXPORT_SYMBOL_GPL(pvlock_name);

static int __init parse_pvlock(char *arg)
{
	int i;

	if (!arg) {
		pr_err("pvlock= needs a mode; using the default\n");
		return 0;
	}
	i = match_string(pvlock_names, PVLOCK_NR_MODES, arg);
	if (i < 0) {
		pr_err("unknown mode \"%s\", using the default; valid: pvqspinlock qspinlock tas pvticket oticket oqspin\n",
		       arg);
		return 0;
	}
	pvlock_req = i;
	return 0;
}
early_param("pvlock", parse_pvlock);

enum pvlock_mode __init pvlock_requested(void)
{
	return pvlock_req;
}

/* Called once by the hypervisor glue with the mode it put in place. */
void __init pvlock_set_active(enum pvlock_mode mode, const char *how)
{
	pvlock_active_mode = mode;
	if (pvlock_req != PVLOCK_UNSET && pvlock_req != mode)
		pr_warn("using %s, not the requested %s (%s)\n",
			pvlock_name(mode), pvlock_name(pvlock_req), how);
	else
		pr_info("using %s (%s)\n", pvlock_name(mode), how);
}

enum pvlock_mode pvlock_active(void)
{
	return pvlock_active_mode;
}
EXPORT_SYMBOL_GPL(pvlock_active);

int oticket_max_cpus(void)
{
	return OTK_MAX_CPUS;
}

/* ---- the machine oticket.h runs on ------------------------------------ */

/* one cache line each: remote CPUs claim records, their owners spin on them */
struct otk_rec_line {
	struct otk_rec r;
} ____cacheline_aligned_in_smp;
static DEFINE_PER_CPU_ALIGNED(struct otk_rec_line, otk_recs[OTK_LEVELS]);
static DEFINE_PER_CPU(int, otk_nest);
static DEFINE_PER_CPU(struct otk_pcpu, otk_pcpu) = {
	.wake_ns = OTK_WAKE_INIT_NS,
};

/* (lock, ticket) -> waiter, allocated at boot like pvqspinlock's hash */
static struct otk_hent *otk_hash_table __ro_after_init;
static unsigned int otk_hash_bits __ro_after_init;

/* holder hints: one cache line per slot, so hints of two locks never share */
#define OTK_HINT_BITS	8
struct otk_hint_line {
	struct otk_hint h;
} ____cacheline_aligned_in_smp;
static struct otk_hint_line otk_hints[1 << OTK_HINT_BITS];

static struct otk_params otk_tunables_v __read_mostly = OTK_PARAMS_DEFAULT;

#define otk_cpu()		smp_processor_id()
#define otk_rec(cpu, lvl)	(&per_cpu_ptr(&otk_recs[lvl], cpu)->r)
#define otk_pcpu_this()		this_cpu_ptr(&otk_pcpu)
#define otk_hash_ent(i)		(&otk_hash_table[i])
#define otk_hash_mask		((1U << otk_hash_bits) - 1)
#define otk_in_nmi()		in_nmi()
#define otk_hint_slot(lock)	(&otk_hints[hash_ptr(lock, OTK_HINT_BITS)].h)
#define otk_tunables		(&otk_tunables_v)
#define otk_preempted(cpu)	vcpu_is_preempted(cpu)
#define otk_now()		local_clock()
#define otk_gnow()		ktime_get_mono_fast_ns()
#define otk_steal_ns()		paravirt_steal_clock(smp_processor_id())
#define otk_ev(name)		lockevent_inc(name)
#define otk_arch_wait(ptr, val, hint)	pvlock_wait(ptr, val, hint)
#define otk_arch_kick(cpu)	pvlock_kick(cpu, PVLOCK_KICK_NEXT)
#define otk_arch_yield(cpu)	pvlock_yield_to(cpu)

#ifdef CONFIG_PARAVIRT_OTICKET_HIST
/* log2 histograms: spin time before a halt, kick-to-run latency (ns) */
#define OTK_HIST_BUCKETS	32
struct otk_hist {
	unsigned long	spin[OTK_HIST_BUCKETS];
	unsigned long	wake[OTK_HIST_BUCKETS];
};

static DEFINE_PER_CPU(struct otk_hist, otk_hist);
#define otk_hist(kind, v)						\
	raw_cpu_inc(otk_hist.kind[(v) ? min_t(u64, ilog2(v), OTK_HIST_BUCKETS - 1) : 0])
#else
#define otk_hist(kind, v)	do { } while (0)	/* @v not even evaluated */
#endif

static inline int otk_nest_enter(void)
{
	int lvl = this_cpu_inc_return(otk_nest) - 1;

	if (lvl < OTK_LEVELS)
		return lvl;
	this_cpu_dec(otk_nest);
	return -1;
}

static inline void otk_nest_exit(void)
{
	this_cpu_dec(otk_nest);
}

#define OTK_MACHINE
#include "oticket.h"

/* ---- entry points ----------------------------------------------------- */

__visible void __lockfunc
__otk_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	otk_lock_slowpath(lock, true);
}

__visible void __lockfunc
__otk_queued_spin_unlock_slowpath(struct qspinlock *lock, u8 locked)
{
	otk_unlock_slowpath(lock, locked, true);
}

__visible void __lockfunc
__pvt_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	otk_lock_slowpath(lock, false);
}

__visible void __lockfunc
__pvt_queued_spin_unlock_slowpath(struct qspinlock *lock, u8 locked)
{
	otk_unlock_slowpath(lock, locked, false);
}

/* Called from kvm_spinlock_init(), early, like __pv_init_lock_hash(). */
void __init oticket_init(enum pvlock_mode mode)
{
	unsigned int n = max_t(unsigned int, OTK_HASH_MIN,
			       roundup_pow_of_two(8 * num_possible_cpus()));

	if (mode == PVLOCK_OQSPIN) {
		static_branch_enable(&pv_oqspin_key);
		return;
	}
	otk_hash_table = alloc_large_system_hash("oticket", sizeof(struct otk_hent),
						 n, 0, HASH_EARLY | HASH_ZERO,
						 &otk_hash_bits, NULL, n, n);
}

#ifdef CONFIG_LOCK_EVENT_COUNTS
void oticket_count_hypercall(bool wait, bool ok)
{
	if (!ok)
		otk_ev(otk_hc_fail);
	else if (wait)
		otk_ev(otk_hc_wait);
	else
		otk_ev(otk_hc_kick);
}
#endif

/* ---- oqspin: the same policy on the PV qspinlock queue ---------------- */

DEFINE_STATIC_KEY_FALSE(pv_oqspin_key);

/* When each CPU was last kicked (otk_gnow()), to learn the wake latency. */
static DEFINE_PER_CPU(u64, oqs_kick_ns);

/*
 * The spin before the next halt of wait @s: after a halt of this same wait
 * that changed nothing (a spurious wake-up), only re-check briefly.
 */
void oqs_spin_start(struct oqs_spin *s)
{
	const struct otk_pcpu *p = otk_pcpu_this();

	otk_regime_update();
	s->runtime = otk_param(spin_runtime);
	/* steal before now, as in otk_clock_now() */
	s->steal = s->runtime ? otk_steal_ns() : 0;
	s->t0 = otk_now();
	s->budget = otk_budget_ns(p, otk_tunables,
				  otk_overcommitted(p, otk_param(oc_steal_pm)),
				  s->rehalt);
}

/* Has this wait spun its budget?  Of run time, with spin_runtime. */
bool oqs_spin_over(struct oqs_spin *s)
{
	u64 now = otk_now_unstolen(s->runtime, &s->steal, &s->t0, NULL);

	return now - s->t0 >= s->budget;
}

void oqs_wait(struct oqs_spin *s, u8 *ptr, u8 val, unsigned int pos, int cpu,
	      u32 spun)
{
	struct pvlock_wait_hint hint = {
		.pos = pos, .cpu = cpu, .spun = spun,
		.flags = cpu >= 0 ? PVLOCK_HINT_PRED : 0,
	};
	struct otk_halt_clock hc;
	u64 t0, kick, now;

	t0 = otk_gnow();
	otk_halt_begin(&hc);
	pvlock_wait(ptr, val, &hint);
	otk_halt_end(&hc);
	kick = this_cpu_read(oqs_kick_ns);
	now = otk_gnow();
	/*
	 * A kick for this wait comes after its byte changed (the unlocker
	 * releases, or pv_kick_node() marks the node hashed, first), and the
	 * byte never returns to @val within one wait.  So: unchanged - a
	 * spurious wake-up, re-check briefly (not in NMI, which does not
	 * halt); changed - learn from a kick that came during the halt.  The
	 * byte also keeps a nested wait's kick (the stamp is per CPU) from
	 * being learnt by the wait it interrupted.
	 */
	if (READ_ONCE(*ptr) == val) {
		s->rehalt = !otk_in_nmi();
		return;
	}
	s->rehalt = false;
	if (kick > t0)
		otk_learn_wake(otk_pcpu_this(), kick, now);
}

void oqs_kick(int cpu)
{
	WRITE_ONCE(per_cpu(oqs_kick_ns, cpu), otk_gnow());
	pvlock_kick(cpu, PVLOCK_KICK_NEXT);
}

#define OQS_HEAD_WATCH	64	/* loops a free lock must wait for its head */

/* The queue head of each lock, as far as a hint can tell: its CPU and passes. */
struct oqs_head_line {
	struct oqs_head {
		struct qspinlock	*lock;
		u32			*passes;	/* in the head's pv_node */
		int			cpu;
	} h;
} ____cacheline_aligned_in_smp;
static struct oqs_head_line oqs_heads[1 << OTK_HINT_BITS];

/* The queue head of @lock, about to set pending, publishes itself. */
void oqs_head_set(struct qspinlock *lock, u32 *passes, int cpu)
{
	struct oqs_head *h = &oqs_heads[hash_ptr(lock, OTK_HINT_BITS)].h;

	WRITE_ONCE(h->passes, passes);
	WRITE_ONCE(h->cpu, cpu);
	smp_wmb();	/* before pending, which readers see first */
	WRITE_ONCE(h->lock, lock);
}

/*
 * An arrival found @lock free with a head spinning (pending set): may it
 * pass the head?  A running head takes a free lock within a cache-line
 * transfer, so first watch the lock for a little while (the hint's line
 * stays cold when heads are there, which is nearly always).  Then pass
 * only if the head is preempted and has been passed fewer than
 * head_pass_max times; the pass is counted before it is made, so a count
 * that was not used only protects the head.  A hint of another lock (two locks in one
 * slot) or of an earlier head only costs a pass: the counter it hits
 * belongs to a node that is, or was, a queue head.
 */
bool oqs_head_absent(struct qspinlock *lock)
{
	struct oqs_head *h = &oqs_heads[hash_ptr(lock, OTK_HINT_BITS)].h;
	u32 *passes, n;
	int loop;

	for (loop = 0; loop < OQS_HEAD_WATCH; loop++) {
		if ((atomic_read(&lock->val) & (_Q_LOCKED_MASK | _Q_PENDING_MASK)) !=
		    _Q_PENDING_VAL)
			return false;	/* the head took it, or gave up */
		cpu_relax();
	}
	if (READ_ONCE(h->lock) != lock)
		return false;
	smp_rmb();	/* lock before passes and cpu: pairs with oqs_head_set() */
	passes = READ_ONCE(h->passes);
	if (!vcpu_is_preempted(READ_ONCE(h->cpu)))
		return false;
	n = READ_ONCE(*passes);
	do {
		if (n >= otk_param(head_pass_max))
			return false;
	} while (!try_cmpxchg(passes, &n, n + 1));
	return true;
}

/* ---- for the KUnit suite ---------------------------------------------- */

/*
 * Take @lock as a caller of spin_lock() would, with the pvticket (!@opp)
 * or o-ticket slow path.  Returns the turn taken, OTICKET_TEST_FAST for
 * the fast path or OTICKET_TEST_STEAL for an arrival steal.
 */
int oticket_test_lock(struct qspinlock *lock, bool opp)
{
	int val = 0;
	u32 turn;

	if (atomic_try_cmpxchg_acquire(&lock->val, &val, _Q_LOCKED_VAL))
		return OTICKET_TEST_FAST;
	turn = otk_lock_slowpath(lock, opp);
	return turn == OTK_NO_TURN ? OTICKET_TEST_STEAL : (int)turn;
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_lock);

/* An o-ticket arrival's steal attempt alone: true if it took @lock. */
bool oticket_test_steal(struct qspinlock *lock)
{
	return otk_steal_from(lock, atomic_read(&lock->val));
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_steal);

void oticket_test_unlock(struct qspinlock *lock, bool opp)
{
	u8 locked = OTK_LOCKED;

	if (!try_cmpxchg_release(&lock->locked, &locked, 0))
		otk_unlock_slowpath(lock, locked, opp);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_unlock);

/* Write @lock's holder hint as the taker of a turn that left word @v. */
void oticket_test_hint_set(struct qspinlock *lock, u32 v)
{
	otk_hint_set(lock, v, false);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_hint_set);

/* The CPU a waiter takes for @lock's holder when it reads word @v. */
int oticket_test_holder(struct qspinlock *lock, u32 v)
{
	return otk_holder(lock, v);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_holder);

/* The passes this CPU's task-level record saw in its last wait. */
u32 oticket_test_passes(void)
{
	return otk_tk_nbyp(READ_ONCE(this_cpu_ptr(&otk_recs[0])->r.tk));
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_passes);

u32 oticket_test_bypass_max(void)
{
	return otk_param(bypass_max);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_bypass_max);

/* ---- debugfs ------------------------------------------------------------ */

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", pvlock_name(pvlock_active_mode));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mode);

static int pcpu_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_puts(m, "cpu wake_ns steal_pm regime halt_ns\n");
	for_each_online_cpu(cpu) {
		struct otk_pcpu *p = per_cpu_ptr(&otk_pcpu, cpu);

		seq_printf(m, "%d %u %u %s %llu\n", cpu, READ_ONCE(p->wake_ns),
			   READ_ONCE(p->steal_pm),
			   otk_overcommitted(p, otk_param(oc_steal_pm)) ?
			   "overcommit" : "idle", READ_ONCE(p->halt_ns));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcpu);

#ifdef CONFIG_PARAVIRT_OTICKET_HIST
static void otk_hist_show_one(struct seq_file *m, const char *name, size_t off)
{
	int i, cpu;

	for (i = 0; i < OTK_HIST_BUCKETS; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += ((unsigned long *)((char *)per_cpu_ptr(&otk_hist, cpu) + off))[i];
		if (sum)
			seq_printf(m, "%s %llu %lu\n", name, 1ULL << i, sum);
	}
}

static int hist_show(struct seq_file *m, void *v)
{
	otk_hist_show_one(m, "spin", offsetof(struct otk_hist, spin));
	otk_hist_show_one(m, "wake", offsetof(struct otk_hist, wake));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hist);

static ssize_t hist_reset_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&otk_hist, cpu), 0, sizeof(struct otk_hist));
	return count;
}

static const struct file_operations hist_reset_fops = {
	.write	= hist_reset_write,
	.llseek	= default_llseek,
};
#endif

/* spins happen with preemption, maybe interrupts, off: at most 10 ms */
#define OTK_SPIN_NS_MAX		(10 * NSEC_PER_MSEC)

/*
 * Tunables: parameters of the built-in "oticket", so they can be given on
 * the kernel command line (oticket.bypass_max=64) and changed at run time
 * in /sys/module/oticket/parameters/.  A value out of range is refused.
 */
static const struct otk_range {
	const char	*name;
	const u32	*var;
	u32		min, max;
} otk_ranges[] = {
#define OTK_RANGE(f, lo, hi)	{ #f, &otk_tunables_v.f, lo, hi }
	OTK_RANGE(bypass_max, 0, OTK_NBYP_MAX),
	OTK_RANGE(head_pass_max, 0, OTK_NBYP_MAX),
	OTK_RANGE(steal_max, 0, OTK_STEALS_MAX),
	OTK_RANGE(oc_steal_pm, 0, 1000),
	OTK_RANGE(oc_spin_ns, 0, OTK_SPIN_NS_MAX),
	/* in any order, also on the command line: spin_max_ns wins a cross */
	OTK_RANGE(spin_min_ns, 0, OTK_SPIN_NS_MAX),
	OTK_RANGE(spin_max_ns, 0, OTK_SPIN_NS_MAX),
	OTK_RANGE(oc_spin_max_ns, 0, OTK_SPIN_NS_MAX),
	OTK_RANGE(idle_ns, 0, NSEC_PER_SEC),
	OTK_RANGE(publish_ns, 0, NSEC_PER_SEC),
	OTK_RANGE(oc_publish_ns, 0, NSEC_PER_SEC),
	OTK_RANGE(handoff_max, 0, OTK_NBYP_MAX),
	OTK_RANGE(idle_wait_steals, 0, OTK_STEALS_MAX),
	OTK_RANGE(handoff_waiters, 2, OTK_MAX_CPUS - 1),
#undef OTK_RANGE
};

static int otk_param_set(const char *val, const struct kernel_param *kp)
{
	u32 v;
	int i, ret;

	ret = kstrtou32(val, 0, &v);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(otk_ranges); i++) {
		if (otk_ranges[i].var != kp->arg)
			continue;
		if (v < otk_ranges[i].min || v > otk_ranges[i].max)
			return -ERANGE;
		WRITE_ONCE(*(u32 *)kp->arg, v);
		return 0;
	}
	return -EINVAL;
}

static const struct kernel_param_ops otk_param_ops = {
	.set	= otk_param_set,
	.get	= param_get_uint,
};

#define OTK_PARAM(f, desc)						\
	module_param_cb(f, &otk_param_ops, &otk_tunables_v.f, 0644);	\
	MODULE_PARM_DESC(f, desc)
OTK_PARAM(bypass_max, "passes of one waiter per wait (0..4095; 0 with steal=N: strict FIFO)");
OTK_PARAM(head_pass_max, "oqspin: times arrivals may pass one preempted queue head (0..4095)");
OTK_PARAM(steal_max, "free steals per turn or absent-owner steal (0..31)");
OTK_PARAM(oc_steal_pm, "steal time, per mille, above which the host counts as over-committed");
OTK_PARAM(oc_spin_ns, "spin before halting on an over-committed host, ns");
OTK_PARAM(spin_min_ns, "shortest spin before halting on an idle host, ns");
OTK_PARAM(spin_max_ns, "longest spin before halting on an idle host, ns (wins over spin_min_ns)");
OTK_PARAM(oc_spin_max_ns, "over-commit: longest spin while the lock moves, ns");
OTK_PARAM(idle_ns, "a free lock standing still this long: look at the next owner, ns");
OTK_PARAM(publish_ns, "make a waiter findable after this long, ns");
OTK_PARAM(oc_publish_ns, "over-commit: make a waiter findable after this long, ns");
OTK_PARAM(handoff_max, "passes of a halted waiter before an unlock wakes it (0..4095)");
OTK_PARAM(idle_wait_steals,
	  "idle host: wait out a sleeping owner while C is below this and steal_max (0..31; 0: never)");
OTK_PARAM(handoff_waiters, "hand-offs only while at most this many wait (2..4095)");
module_param_named(early, otk_tunables_v.early, bool, 0644);
MODULE_PARM_DESC(early, "halt at once when the lock holder is preempted");
module_param_named(steal, otk_tunables_v.steal, bool, 0644);
MODULE_PARM_DESC(steal, "arrivals may steal: steal_max free, then one from an absent owner, again");
module_param_named(spin_on_holder, otk_tunables_v.spin_on_holder, bool, 0644);
MODULE_PARM_DESC(spin_on_holder, "over-commit: spin on while the lock moves (default N)");
module_param_named(spin_runtime, otk_tunables_v.spin_runtime, bool, 0644);
MODULE_PARM_DESC(spin_runtime, "spin budgets count run time: steal time does not");

/*
 * Set tunable @name from @val as a write to its parameter file would
 * (range checked): 0 or the error; *@old gets the value it had.
 */
int oticket_test_param_set(const char *name, const char *val, u32 *old)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(otk_ranges); i++) {
		struct kernel_param kp = { .arg = (void *)otk_ranges[i].var };

		if (strcmp(otk_ranges[i].name, name))
			continue;
		*old = READ_ONCE(*otk_ranges[i].var);
		return otk_param_set(val, &kp);
	}
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_param_set);

static int __init oticket_debugfs_init(void)
{
	struct dentry *d;

	if (pvlock_req != PVLOCK_UNSET && pvlock_active_mode == PVLOCK_UNSET)
		pr_warn("pvlock=%s ignored: this kernel did not boot as a KVM guest\n",
			pvlock_name(pvlock_req));

	d = debugfs_create_dir("oticket", NULL);
	debugfs_create_file("mode", 0444, d, NULL, &mode_fops);
	debugfs_create_file("pcpu", 0444, d, NULL, &pcpu_fops);
#ifdef CONFIG_PARAVIRT_OTICKET_HIST
	debugfs_create_file("hist", 0444, d, NULL, &hist_fops);
	debugfs_create_file("hist_reset", 0200, d, NULL, &hist_reset_fops);
#endif
	return 0;
}
fs_initcall(oticket_debugfs_init);
