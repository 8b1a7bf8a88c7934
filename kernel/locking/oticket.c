// SPDX-License-Identifier: GPL-2.0
/*
 * pvlock=: one kernel image, the spinlock slow path chosen at boot; and the
 * kernel binding of the pvticket and o-ticket slow paths (oticket.h) and of
 * the opportunistic additions to PV qspinlock (oqspin, in
 * qspinlock_paravirt.h).
 *
 * Statistics: /sys/kernel/debug/oticket/{mode,events,hist,adapt,reset};
 * o-ticket switches for experiments: .../{kick_ahead,yield,early_halt};
 * oqspin's: .../oqs_kick_ahead.
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/oticket.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/stringify.h>
#include <kunit/visibility.h>
#include <asm/paravirt.h>
#include <asm/qspinlock.h>

#include "oticket.h"
#include "oticket_stat.h"

static const char * const pvlock_names[PVLOCK_NR_MODES] = {
	[PVLOCK_PVQSPINLOCK]	= "pvqspinlock",
	[PVLOCK_QSPINLOCK]	= "qspinlock",
	[PVLOCK_TAS]		= "tas",
	[PVLOCK_PVTICKET]	= "pvticket",
	[PVLOCK_OTICKET]	= "oticket",
	[PVLOCK_OQSPIN]		= "oqspin",
};

static enum pvlock_mode pvlock_req __initdata = PVLOCK_UNSET;
static enum pvlock_mode pvlock_active __ro_after_init = PVLOCK_UNSET;
static const char *pvlock_how __ro_after_init = "";

const char *pvlock_name(enum pvlock_mode mode)
{
	return mode < PVLOCK_NR_MODES ? pvlock_names[mode] : "unset";
}

static int __init parse_pvlock(char *arg)
{
	int i;

	if (!arg) {
		pr_err("pvlock= needs a mode; using the default\n");
		return 0;
	}
	for (i = 0; i < PVLOCK_NR_MODES; i++) {
		if (!strcmp(arg, pvlock_names[i])) {
			pvlock_req = i;
			return 0;
		}
	}
	pr_err("unknown mode \"%s\", using the default; valid: pvqspinlock qspinlock tas pvticket oticket oqspin\n",
	       arg);
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
	pvlock_active = mode;
	pvlock_how = how;
	if (pvlock_req != PVLOCK_UNSET && pvlock_req != mode)
		pr_warn("using %s, not the requested %s (%s)\n",
			pvlock_name(mode), pvlock_name(pvlock_req), how);
	else
		pr_info("using %s (%s)\n", pvlock_name(mode), how);
}

int oticket_max_cpus(void)
{
	return OTK_MAX_CPUS;
}

/* ---- the machine oticket.h runs on ------------------------------------ */

static DEFINE_PER_CPU_ALIGNED(struct otk_rec, otk_recs[OTK_LEVELS]);
static DEFINE_PER_CPU(int, otk_nest);
static DEFINE_PER_CPU(struct otk_adapt, otk_adapt) = {
	.thresh = OTK_SPIN_INIT,
	.wake_ns = OTK_WAKE_INIT_NS,
};

static struct cpumask otk_waiting;

#define OTK_OWNER_BITS	8
static struct otk_owner otk_owners[1 << OTK_OWNER_BITS];

static const struct pvlock_ops *otk_ops __ro_after_init;

/*
 * o-ticket switches, in debugfs for experiments.  Kick-ahead is on only with
 * the host hook: KVM_HC_KICK_CPU also yields to the kicked vCPU, so without
 * the hook a kick ahead would hand our pCPU to the waiter behind the next
 * holder (measured: fewer acquisitions at 4x over-commit).
 */
/*
 * o-ticket's kick-ahead is off by default: under 4x over-commit it cost
 * throughput without the host hook (KVM_HC_KICK_CPU yields to the kicked
 * vCPU) and with it (one more woken vCPU competing for the pCPUs: 0.5x of
 * the run without it, 2 of 2 runs).  oqspin's is on with the host hook.
 */
static bool otk_tune_kick_ahead __read_mostly;
static bool oqs_tune_kick_ahead __read_mostly;
static bool otk_tune_yield __read_mostly = true;
static bool otk_tune_early __read_mostly = true;
#define otk_tune(name)		READ_ONCE(otk_tune_ ## name)

#define otk_cpu()		smp_processor_id()
#define otk_rec(cpu, lvl)	per_cpu_ptr(&otk_recs[lvl], cpu)
#define otk_adapt_this()	this_cpu_ptr(&otk_adapt)
#define otk_waiting_set(cpu)	cpumask_set_cpu(cpu, &otk_waiting)
#define otk_waiting_clear(cpu)	cpumask_clear_cpu(cpu, &otk_waiting)
#define otk_for_each_waiting(cpu) for_each_cpu(cpu, &otk_waiting)
#define otk_preempted(cpu)	vcpu_is_preempted(cpu)
#define otk_now()		local_clock()

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

static inline struct otk_owner *otk_owner_slot(struct qspinlock *lock)
{
	return &otk_owners[hash_ptr(lock, OTK_OWNER_BITS)];
}

static inline void otk_arch_wait(u8 *ptr, u8 val,
				 const struct pvlock_wait_hint *hint)
{
	if (otk_ops)
		otk_ops->wait(ptr, val, hint);
	else
		pv_wait(ptr, val);
}

static inline void otk_arch_kick(int cpu, unsigned int why)
{
	if (otk_ops)
		otk_ops->kick(cpu, why);
	else
		pv_kick(cpu);
}

#define OTK_MACHINE
static inline void otk_arch_yield(int cpu)
{
	if (otk_ops && otk_ops->yield_to)
		otk_ops->yield_to(cpu);
}

#include "oticket.h"

/* ---- entry points ----------------------------------------------------- */

__visible void __lockfunc
__otk_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	otk_lock_slowpath(lock, true);
}

__visible void __lockfunc __otk_queued_spin_unlock(struct qspinlock *lock)
{
	otk_unlock(lock, true);
}

__visible void __lockfunc
__pvt_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	otk_lock_slowpath(lock, false);
}

__visible void __lockfunc __pvt_queued_spin_unlock(struct qspinlock *lock)
{
	otk_unlock(lock, false);
}

void __init oticket_init(enum pvlock_mode mode, const struct pvlock_ops *ops,
			 bool host_hook)
{
	otk_ops = ops;
	oqs_tune_kick_ahead = host_hook;
	if (mode == PVLOCK_OQSPIN)
		pv_oqspin = true;
}

void oticket_count_hypercall(bool wait, bool ok)
{
	if (!ok)
		otk_ev(hc_fail);
	else if (wait)
		otk_ev(hc_wait);
	else
		otk_ev(hc_kick);
}

/* ---- oqspin: the same ideas on the PV qspinlock queue ----------------- */

bool pv_oqspin __ro_after_init;

/* When each CPU was last kicked, to measure oqspin's wake-up latency. */
static DEFINE_PER_CPU(u64, oqs_kick_ns);

bool oqs_kick_ahead(void)
{
	return READ_ONCE(oqs_tune_kick_ahead);
}

u32 oqs_budget(unsigned int pos)
{
	return otk_budget(otk_adapt_this(), pos);
}

void oqs_learn(bool halted, u32 spun, u64 halt_ns)
{
	struct otk_adapt *a = otk_adapt_this();

	if (!halted)
		otk_adapt_update(a, OTK_SPUN, spun);
	else
		otk_adapt_update(a, otk_halt_outcome(a, halt_ns), spun);
}

void oqs_wait(u8 *ptr, u8 val, unsigned int pos, int cpu, u32 spun)
{
	struct pvlock_wait_hint hint = {
		.pos = pos, .cpu = cpu, .spun = spun,
		.flags = cpu >= 0 ? PVLOCK_HINT_PRED : 0,
	};
	u64 t0, kick, now;

	if (pos)
		otk_ev(oqs_wait_node);
	else
		otk_ev(oqs_wait_head);
	otk_hist(thresh, oqs_budget(pos));
	t0 = local_clock();
	otk_arch_wait(ptr, val, &hint);
	kick = this_cpu_read(oqs_kick_ns);
	now = local_clock();
	if (kick > t0 && now > kick) {
		otk_hist(wake, now - kick);
		otk_adapt_wake(otk_adapt_this(), now - kick);
	}
}

void oqs_kick(int cpu, unsigned int why)
{
	if (why & PVLOCK_KICK_AHEAD)
		otk_ev(oqs_kick_ahead);
	WRITE_ONCE(per_cpu(oqs_kick_ns, cpu), local_clock());
	otk_arch_kick(cpu, why);
}

/* ---- for the KUnit suite ---------------------------------------------- */

/*
 * Take @lock as a caller of spin_lock() would, with the pvticket (!@opp)
 * or o-ticket slow path.  Returns the ticket, or -1 for the fast path.
 */
int oticket_test_lock(struct qspinlock *lock, bool opp)
{
	int val = 0;

	if (atomic_try_cmpxchg_acquire(&lock->val, &val, _Q_LOCKED_VAL))
		return -1;
	return otk_lock_slowpath(lock, opp);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_lock);

void oticket_test_unlock(struct qspinlock *lock, bool opp)
{
	otk_unlock(lock, opp);
}
EXPORT_SYMBOL_IF_KUNIT(oticket_test_unlock);

/* ---- debugfs ------------------------------------------------------------ */

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", pvlock_name(pvlock_active));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mode);

static int adapt_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_puts(m, "cpu thresh wake_ns\n");
	for_each_online_cpu(cpu) {
		struct otk_adapt *a = per_cpu_ptr(&otk_adapt, cpu);

		seq_printf(m, "%d %u %u\n", cpu, READ_ONCE(a->thresh),
			   READ_ONCE(a->wake_ns));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(adapt);

static int __init oticket_debugfs_init(void)
{
	struct dentry *d;

	if (pvlock_req != PVLOCK_UNSET && pvlock_active == PVLOCK_UNSET)
		pr_warn("pvlock=%s ignored: this kernel did not boot as a KVM guest\n",
			pvlock_name(pvlock_req));

	d = debugfs_create_dir("oticket", NULL);
	debugfs_create_file("mode", 0444, d, NULL, &mode_fops);
	debugfs_create_file("adapt", 0444, d, NULL, &adapt_fops);
	debugfs_create_bool("kick_ahead", 0644, d, &otk_tune_kick_ahead);
	debugfs_create_bool("oqs_kick_ahead", 0644, d, &oqs_tune_kick_ahead);
	debugfs_create_bool("yield", 0644, d, &otk_tune_yield);
	debugfs_create_bool("early_halt", 0644, d, &otk_tune_early);
	otk_stat_debugfs(d);
	return 0;
}
fs_initcall(oticket_debugfs_init);
