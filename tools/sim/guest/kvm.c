// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kvm.c - the simulated guest kernel's boot and hypervisor glue.
 *
 * The lock slow paths are compiled from the staged tree (guest/qspinlock.c,
 * guest/oticket.c).  What glues them to KVM in a real guest is not lock
 * code but a few lines of arch/x86, mirrored here function by function:
 *
 *   native_pv_lock_init()   arch/x86/kernel/paravirt.c
 *   kvm_kick_cpu()          arch/x86/kernel/kvm.c
 *   kvm_wait()              arch/x86/kernel/kvm.c
 *   kvm_spinlock_init()     arch/x86/kernel/kvm.c, with patch 0005 (pvlock=)
 *
 * plus the per-VM kernel globals they use (pv_ops, nr_cpu_ids,
 * virt_spin_lock_key, x86_cpu_to_apicid: the identity) and the struct
 * otsim_guest the engine calls.  arch/x86/kernel/kvm_pvlock.c is compiled
 * as it is (guest/kvm_pvlock.c).
 */
#define pr_fmt(fmt) "kvm-guest: " fmt

#include <otsim_kernel.h>
#include <linux/kvm_para.h>
#include <linux/oticket.h>
#include <asm/kvm_pvlock.h>
#include <asm/apic.h>
#include <asm/qspinlock.h>

unsigned int nr_cpu_ids;
DEFINE_PER_CPU(u32, x86_cpu_to_apicid);
struct paravirt_patch_template pv_ops;
DEFINE_STATIC_KEY_FALSE(virt_spin_lock_key);
int debug_locks_silent;

/* what PV_CALLEE_SAVE_REGS_THUNK() wraps in a real kernel */
void __pv_queued_spin_unlock(struct qspinlock *lock);

/* arch/x86/kernel/paravirt.c */
static void native_pv_lock_init(void)
{
	if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
		static_branch_enable(&virt_spin_lock_key);
}

static void paravirt_nop_wait(u8 *ptr, u8 val)
{
}

static void paravirt_nop_kick(int cpu)
{
}

/* arch/x86/kernel/kvm.c */
static void kvm_kick_cpu(int cpu)
{
	unsigned long flags = 0;
	u32 apicid;

	apicid = per_cpu(x86_cpu_to_apicid, cpu);
	kvm_hypercall2(KVM_HC_KICK_CPU, flags, apicid);
}

/* arch/x86/kernel/kvm.c */
static void kvm_wait(u8 *ptr, u8 val)
{
	if (in_nmi())
		return;

	/*
	 * halt until it's our turn and kicked. Note that we do safe halt
	 * for irq enabled case to avoid hang when lock info is overwritten
	 * in irq spinlock slowpath and no spurious interrupt occur to save us.
	 */
	if (irqs_disabled()) {
		if (READ_ONCE(*ptr) == val)
			halt();
	} else {
		local_irq_disable();

		/* safe_halt() will enable IRQ */
		if (READ_ONCE(*ptr) == val)
			safe_halt();
		else
			local_irq_enable();
	}
}

/* arch/x86/kernel/kvm.c */
static bool pv_sched_yield_supported(void)
{
	return (kvm_para_has_feature(KVM_FEATURE_PV_SCHED_YIELD) &&
		!kvm_para_has_hint(KVM_HINTS_REALTIME) &&
	    kvm_para_has_feature(KVM_FEATURE_STEAL_TIME) &&
	    !boot_cpu_has(X86_FEATURE_MWAIT) &&
	    (num_possible_cpus() != 1));
}

/* arch/x86/kernel/kvm.c, as patch 0005 leaves it */
static void kvm_spinlock_init(void)
{
	enum pvlock_mode mode = pvlock_requested();

	if (num_possible_cpus() == 1) {
		pr_info("PV spinlocks disabled, single CPU\n");
		goto out;
	}

	if (nopvspin) {
		pr_info("PV spinlocks disabled, forced by \"nopvspin\" parameter\n");
		goto out;
	}

	if (mode == PVLOCK_QSPINLOCK) {
		pr_info("PV spinlocks disabled, forced by \"pvlock=qspinlock\"\n");
		goto out;
	}

	if (mode == PVLOCK_TAS) {
		pr_info("PV spinlocks disabled, test-and-set forced by \"pvlock=tas\"\n");
		pvlock_set_active(PVLOCK_TAS, "virt_spin_lock");
		return;
	}

	if (!kvm_para_has_feature(KVM_FEATURE_PV_UNHALT)) {
		pr_info("PV spinlocks disabled, no host support\n");
		pvlock_set_active(PVLOCK_TAS, "no PV_UNHALT");
		return;
	}

	pr_info("PV spinlocks enabled\n");

	__pv_init_lock_hash();
	pv_ops.lock.queued_spin_lock_slowpath = __pv_queued_spin_lock_slowpath;
	pv_ops.lock.queued_spin_unlock =
		PV_CALLEE_SAVE(__pv_queued_spin_unlock);
	pv_ops.lock.wait = kvm_wait;
	pv_ops.lock.kick = kvm_kick_cpu;
	kvm_pvlock_init(mode, pv_sched_yield_supported());
	/* after alternatives, before SMP bring-up: as the kernel runs it */
	otsim_early_initcall();

	/*
	 * When PV spinlock is enabled which is preferred over
	 * virt_spin_lock(), virt_spin_lock_key's value is meaningless.
	 * Just disable it anyway.
	 */
out:
	static_branch_disable(&virt_spin_lock_key);
}

/* ---- what the engine calls ---------------------------------------------- */

extern const struct otsim_param __start_otsim_params[], __stop_otsim_params[];

/* The early_param()s of this VM's copy that match @cmdline's words. */
static int parse_cmdline(const char *cmdline)
{
	char buf[256], *save, *w;

	snprintf(buf, sizeof(buf), "%s", cmdline);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const struct otsim_param *p;
		char *eq = strchr(w, '=');
		bool found = false;

		if (eq)
			*eq = 0;
		for (p = __start_otsim_params; p < __stop_otsim_params; p++) {
			if (p->guest != &otsim_guest || strcmp(p->str, w))
				continue;
			found = true;
			if (!p->kp) {
				p->fn(eq ? eq + 1 : NULL);
				continue;
			}
			/* a built-in's parameter: the kernel refuses a bad value */
			if (p->kp->ops->set(eq ? eq + 1 : "", p->kp)) {
				pr_err("bad value for kernel parameter \"%s\"\n", w);
				return -1;
			}
		}
		if (!found) {
			pr_err("unknown kernel parameter \"%s\": this guest has no such code\n", w);
			return -1;
		}
	}
	return 0;
}

static int guest_boot(int nr_cpus, const char *cmdline)
{
	int cpu;

	nr_cpu_ids = nr_cpus;
	for_each_possible_cpu(cpu)
		per_cpu(x86_cpu_to_apicid, cpu) = cpu;
	pv_ops.lock.queued_spin_lock_slowpath = native_queued_spin_lock_slowpath;
	pv_ops.lock.queued_spin_unlock = PV_CALLEE_SAVE(native_queued_spin_unlock);
	pv_ops.lock.wait = paravirt_nop_wait;
	pv_ops.lock.kick = paravirt_nop_kick;
	if (parse_cmdline(cmdline))
		return -1;
	native_pv_lock_init();
	kvm_spinlock_init();
	return 0;
}

static void guest_lock(struct sim_qspinlock *lock)
{
	queued_spin_lock((struct qspinlock *)lock);
}

static void guest_unlock(struct sim_qspinlock *lock)
{
	queued_spin_unlock((struct qspinlock *)lock);
}

/* guest/qspinlock.c: every mode's counters are lock events */
void otsim_lockevents(int cpu, sim_event_fn fn, void *ctx);

static void guest_events(sim_event_fn fn, void *ctx)
{
	otsim_lockevents(-1, fn, ctx);
}

static void guest_cpu_events(int cpu, sim_event_fn fn, void *ctx)
{
	otsim_lockevents(cpu, fn, ctx);
}

const struct otsim_guest otsim_guest = {
	.boot	= guest_boot,
	.lock	= guest_lock,
	.unlock	= guest_unlock,
	.events	= guest_events,
	.cpu_events = guest_cpu_events,
};
