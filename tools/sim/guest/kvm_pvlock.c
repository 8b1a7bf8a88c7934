// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kvm_pvlock.c - the KVM glue of our slow paths, mirrored function by
 * function from arch/x86/kernel/kvm_pvlock.c (it is hypercall glue, not lock
 * code: the WAIT hypercall there is inline assembly, "sti; vmcall", which
 * only a model can turn into a call to the simulated host).
 *
 *   kvm_pvlock_wait_irq()   STI then KVM_HC_OTICKET_WAIT: IF is on in the call
 *   kvm_pvlock_apicid()     APIC IDs are CPU numbers in the simulator
 *   kvm_pvlock_lost_hook()  as is
 *   kvm_pvlock_wait()       as is
 *   kvm_pvlock_kick()       as is
 *   kvm_pvlock_yield()      as is
 *   kvm_pvlock_init()       as is
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <otsim_kernel.h>
#include <linux/kvm_para.h>
#include <linux/oticket.h>
#include <uapi/linux/kvm_oticket.h>
#include <asm/qspinlock.h>

#define kvm_hypercall1(nr, a0)		sim_hypercall(nr, a0, 0, 0, 0)
#define kvm_hypercall2(nr, a0, a1)	sim_hypercall(nr, a0, a1, 0, 0)
#define kvm_hypercall4(nr, a0, a1, a2, a3) sim_hypercall(nr, a0, a1, a2, a3)
#define kvm_para_has_feature(f)		sim_kvm_feature(f)

static bool kvm_pvlock_hook __read_mostly;

static inline long kvm_pvlock_wait_irq(unsigned long flags, unsigned long hint,
				       unsigned long pos, unsigned long spun)
{
	local_irq_enable();		/* sti */
	return kvm_hypercall4(KVM_HC_OTICKET_WAIT, flags, hint, pos, spun);
}

static unsigned long kvm_pvlock_apicid(int cpu)
{
	return cpu >= 0 && cpu < (int)nr_cpu_ids ? (unsigned long)cpu : KVM_OTICKET_NO_VCPU;
}

/* The host refused a call it had accepted: its hook went away. */
static void kvm_pvlock_lost_hook(long ret)
{
	oticket_count_hypercall(false, false);
	if (READ_ONCE(kvm_pvlock_hook)) {
		WRITE_ONCE(kvm_pvlock_hook, false);
		pr_warn_ratelimited("host hook answered %ld; back to halt and kick\n",
				    ret);
	}
}

static void kvm_pvlock_wait(u8 *ptr, u8 val, const struct pvlock_wait_hint *h)
{
	unsigned long flags, hc_flags = 0;
	bool irqs_on;
	long ret;

	if (in_nmi())
		return;

	local_irq_save(flags);
	irqs_on = !arch_irqs_disabled_flags(flags);
	if (READ_ONCE(*ptr) != val)
		goto out;

	if (READ_ONCE(kvm_pvlock_hook)) {
		unsigned long hint = kvm_pvlock_apicid(h->cpu);
		unsigned long pos = min_t(unsigned long, h->pos, KVM_OTICKET_MAX_POS);

		if (hint == KVM_OTICKET_NO_VCPU)
			;	/* no hint flag without a vCPU */
		else if (h->flags & PVLOCK_HINT_HOLDER)
			hc_flags |= KVM_OTICKET_WAIT_HOLDER;
		else if (h->flags & PVLOCK_HINT_PRED)
			hc_flags |= KVM_OTICKET_WAIT_PRED;
		if (irqs_on) {
			/* returns with interrupts on; a failure is a spurious wake-up */
			ret = kvm_pvlock_wait_irq(hc_flags | KVM_OTICKET_WAIT_IRQ,
						  hint, pos, h->spun);
		} else {
			ret = kvm_hypercall4(KVM_HC_OTICKET_WAIT, hc_flags, hint,
					     pos, h->spun);
		}
		if (ret)
			kvm_pvlock_lost_hook(ret);
		else
			oticket_count_hypercall(true, true);
		goto out;
	}

	/*
	 * As kvm_wait(): a kick that came after the check above is latched by
	 * KVM (pv_unhalted) and ends the halt at once.
	 */
	if (irqs_on) {
		safe_halt();
		return;
	}
	halt();
out:
	local_irq_restore(flags);
}

static void kvm_pvlock_kick(int cpu, unsigned int why)
{
	unsigned long apicid = kvm_pvlock_apicid(cpu);
	unsigned long f = 0;
	long ret;

	if (READ_ONCE(kvm_pvlock_hook)) {
		if (why & PVLOCK_KICK_NEXT)
			f |= KVM_OTICKET_KICK_NEXT;
		if (why & PVLOCK_KICK_AHEAD)
			f |= KVM_OTICKET_KICK_AHEAD;
		if (why & PVLOCK_KICK_HOLDING)
			f |= KVM_OTICKET_KICK_HOLDING;
		ret = kvm_hypercall2(KVM_HC_OTICKET_KICK, f, apicid);
		if (!ret) {
			oticket_count_hypercall(false, true);
			return;
		}
		kvm_pvlock_lost_hook(ret);
	}
	kvm_hypercall2(KVM_HC_KICK_CPU, 0, apicid);
}

static void kvm_pvlock_yield(int cpu)
{
	kvm_hypercall1(KVM_HC_SCHED_YIELD, kvm_pvlock_apicid(cpu));
}

static struct pvlock_ops kvm_pvlock_ops __ro_after_init = {
	.wait	= kvm_pvlock_wait,
	.kick	= kvm_pvlock_kick,
};

void __init kvm_pvlock_init(enum pvlock_mode mode)
{
	const char *how;
	long ver;

	if (mode == PVLOCK_UNSET || mode == PVLOCK_PVQSPINLOCK) {
		pvlock_set_active(PVLOCK_PVQSPINLOCK, "PV qspinlock");
		return;
	}
	if ((mode == PVLOCK_PVTICKET || mode == PVLOCK_OTICKET) &&
	    nr_cpu_ids > oticket_max_cpus()) {
		pr_err("%s supports at most %d CPUs, this guest has %u\n",
		       pvlock_name(mode), oticket_max_cpus(), nr_cpu_ids);
		pvlock_set_active(PVLOCK_PVQSPINLOCK, "too many CPUs");
		return;
	}

	ver = kvm_hypercall1(KVM_HC_OTICKET_PROBE, KVM_OTICKET_VERSION);
	/* a TDX guest's hypercalls go through the TDX module: no STI shadow */
	kvm_pvlock_hook = mode != PVLOCK_PVTICKET && ver >= 1 &&
			  ver <= KVM_OTICKET_VERSION &&
			  !cpu_feature_enabled(X86_FEATURE_TDX_GUEST);
	if (mode == PVLOCK_PVTICKET)
		how = "halt and kick, as Linux 4.1";
	else if (kvm_pvlock_hook)
		how = "host hook, ABI version 1";
	else
		how = "no host hook, halt and kick";
	if (mode != PVLOCK_PVTICKET && !kvm_pvlock_hook && ver != -KVM_ENOSYS)
		pr_warn("host answered probe with %ld; not using the hook\n",
			ver);

	if (kvm_para_has_feature(KVM_FEATURE_PV_SCHED_YIELD))
		kvm_pvlock_ops.yield_to = kvm_pvlock_yield;
	oticket_init(mode, &kvm_pvlock_ops, kvm_pvlock_hook);
	/* oqspin runs on the pvqspinlock entry points */
	if (mode == PVLOCK_OTICKET) {
		pv_ops.lock.queued_spin_lock_slowpath =
			__otk_queued_spin_lock_slowpath;
		pv_ops.lock.queued_spin_unlock =
			PV_CALLEE_SAVE(__otk_queued_spin_unlock);
	} else if (mode == PVLOCK_PVTICKET) {
		pv_ops.lock.queued_spin_lock_slowpath =
			__pvt_queued_spin_lock_slowpath;
		pv_ops.lock.queued_spin_unlock =
			PV_CALLEE_SAVE(__pvt_queued_spin_unlock);
	}
	pvlock_set_active(mode, how);
}
