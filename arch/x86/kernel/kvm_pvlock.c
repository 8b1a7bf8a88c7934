// SPDX-License-Identifier: GPL-2.0
/*
 * KVM guest side of pvlock=: installs the chosen slow path and gives it
 * wait and kick primitives.  When the host answers KVM_HC_OTICKET_PROBE,
 * waits and kicks go to the host as KVM_HC_OTICKET_WAIT/KICK with their
 * hints; otherwise, or as soon as the host stops answering (its module was
 * unloaded), they are the plain halt and KVM_HC_KICK_CPU of pvqspinlock.
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <linux/init.h>
#include <linux/kvm_para.h>
#include <linux/oticket.h>
#include <linux/smp.h>
#include <uapi/linux/kvm_oticket.h>
#include <asm/apic.h>
#include <asm/paravirt.h>
#include <asm/qspinlock.h>

static bool kvm_pvlock_hook __read_mostly;

/*
 * KVM_HC_OTICKET_WAIT that an interrupt may end, as safe_halt() is to HLT:
 * STI's one-instruction shadow covers the hypercall, so no interrupt slips
 * in between, and one that is pending ends the wait.  Returns with
 * interrupts enabled.
 */
static inline long kvm_pvlock_wait_irq(unsigned long flags, unsigned long hint,
				       unsigned long pos, unsigned long spun)
{
	long ret;

	asm volatile("sti\n\t" KVM_HYPERCALL
		     : "=a"(ret)
		     : "a"(KVM_HC_OTICKET_WAIT), "b"(flags), "c"(hint), "d"(pos),
		       "S"(spun)
		     : "memory");
	return ret;
}

static unsigned long kvm_pvlock_apicid(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids ?
		per_cpu(x86_cpu_to_apicid, cpu) : KVM_OTICKET_NO_VCPU;
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

PV_CALLEE_SAVE_REGS_THUNK(__otk_queued_spin_unlock);
PV_CALLEE_SAVE_REGS_THUNK(__pvt_queued_spin_unlock);

/*
 * Put @mode in place over the pvqspinlock setup kvm_spinlock_init() made.
 * pvqspinlock stays if @mode cannot run here; the reason is printed.
 */
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
