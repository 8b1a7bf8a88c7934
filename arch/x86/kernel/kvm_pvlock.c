// SPDX-License-Identifier: GPL-2.0
/*
 * KVM guest side of pvlock=: installs the chosen slow path and gives it
 * wait and kick primitives.  When the host answers KVM_HC_OTICKET_PROBE,
 * waits and kicks go to the host as KVM_HC_OTICKET_WAIT/KICK with their
 * hints; otherwise, or as soon as the host stops answering (its module was
 * unloaded), they are the plain halt and KVM_HC_KICK_CPU of pvqspinlock.
 *
 * The ticket modes unlock through the same hand-written x86-64 code as
 * pvqspinlock (PV_UNLOCK_ASM_CALLING(), asm/qspinlock_paravirt.h): cmpxchg
 * the locked byte 1 -> 0, and call the mode's slow path only when that fails.
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <linux/cc_platform.h>
#include <linux/init.h>
#include <linux/irq_work.h>
#include <linux/kvm_para.h>
#include <linux/oticket.h>
#include <linux/smp.h>
#include <kunit/visibility.h>
#include <uapi/linux/kvm_oticket.h>
#include <asm/apic.h>
#include <asm/kvm_pvlock.h>
#include <asm/paravirt.h>
#include <asm/qspinlock.h>

static bool kvm_pvlock_hook __read_mostly;
static bool kvm_pvlock_can_yield __ro_after_init;
static long kvm_pvlock_lost_ret;

/*
 * KVM_HC_OTICKET_WAIT that an interrupt may end, as safe_halt() is to HLT:
 * STI's one-instruction shadow covers the hypercall, so no interrupt slips
 * in between, and one that is pending ends the wait.  Returns with
 * interrupts enabled; lockdep is told first, as safe_halt() tells it.
 */
static inline long kvm_pvlock_wait_irq(unsigned long flags, unsigned long hint,
				       unsigned long pos, unsigned long spun)
{
	long ret;

	trace_hardirqs_on();
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

/* Printing from a lock slow path could take the lock we wait for. */
static void kvm_pvlock_lost_print(struct irq_work *work)
{
	pr_warn("host hook answered %ld; back to halt and kick\n",
		READ_ONCE(kvm_pvlock_lost_ret));
}

static DEFINE_IRQ_WORK(kvm_pvlock_lost_work, kvm_pvlock_lost_print);

static long kvm_pvlock_refused_ret;

static void kvm_pvlock_refused_print(struct irq_work *work)
{
	pr_warn("host refused a call (%ld); refused calls halt or kick without the hook (counter otk_hc_fail)\n",
		READ_ONCE(kvm_pvlock_refused_ret));
}

static DEFINE_IRQ_WORK(kvm_pvlock_refused_work, kvm_pvlock_refused_print);

/* Say once, from irq_work, what the host answered (@ret is never 0). */
static void kvm_pvlock_report(long *slot, struct irq_work *work, long ret)
{
	if (!READ_ONCE(*slot) && !cmpxchg(slot, 0, ret))
		irq_work_queue(work);
}

/*
 * The host refused a call.  Only -KVM_ENOSYS means that its hook went away
 * (the first CPU to see it turns the hook off); anything else (an APIC ID
 * the host could not map) fails this one call, which the caller survives:
 * a wait is a spurious wake-up, a kick is sent again with KVM_HC_KICK_CPU.
 */
static void kvm_pvlock_lost_hook(long ret)
{
	oticket_count_hypercall(false, false);
	if (ret != -KVM_ENOSYS)
		kvm_pvlock_report(&kvm_pvlock_refused_ret, &kvm_pvlock_refused_work, ret);
	else if (READ_ONCE(kvm_pvlock_hook) && cmpxchg(&kvm_pvlock_hook, true, false))
		kvm_pvlock_report(&kvm_pvlock_lost_ret, &kvm_pvlock_lost_work, ret);
}

void pvlock_wait(u8 *ptr, u8 val, const struct pvlock_wait_hint *h)
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

		/* no hint flag without a vCPU */
		if (hint != KVM_OTICKET_NO_VCPU && (h->flags & PVLOCK_HINT_HOLDER))
			hc_flags |= KVM_OTICKET_WAIT_HOLDER;
		else if (hint != KVM_OTICKET_NO_VCPU && (h->flags & PVLOCK_HINT_PRED))
			hc_flags |= KVM_OTICKET_WAIT_PRED;
		if (irqs_on) {
			/* returns with interrupts on; a failure is a spurious wake-up */
			ret = kvm_pvlock_wait_irq(hc_flags | KVM_OTICKET_WAIT_IRQ,
						  hint, pos, h->spun);
		} else {
			ret = kvm_hypercall4(KVM_HC_OTICKET_WAIT, hc_flags, hint,
					     pos, h->spun);
		}
		if (!ret) {
			oticket_count_hypercall(true, true);
			goto out;
		}
		/*
		 * Refused (an APIC ID the host could not map, or the hook is
		 * gone): wait as without the hook rather than return to a
		 * spin that would ask again at once.
		 */
		kvm_pvlock_lost_hook(ret);
		local_irq_disable();
		if (READ_ONCE(*ptr) != val)
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

void pvlock_kick(int cpu, unsigned int why)
{
	unsigned long apicid = kvm_pvlock_apicid(cpu);
	unsigned long f = 0;
	long ret;

	if (READ_ONCE(kvm_pvlock_hook)) {
		if (why & PVLOCK_KICK_NEXT)
			f |= KVM_OTICKET_KICK_NEXT;
		ret = kvm_hypercall2(KVM_HC_OTICKET_KICK, f, apicid);
		if (!ret) {
			oticket_count_hypercall(false, true);
			return;
		}
		kvm_pvlock_lost_hook(ret);
	}
	kvm_hypercall2(KVM_HC_KICK_CPU, 0, apicid);
}

/*
 * Lend this pCPU to @cpu's vCPU.  Only a preempted one gains from it (as
 * kvm_smp_send_call_func_ipi() asks); never from NMI, whose waiters spin.
 */
bool pvlock_yield_to(int cpu)
{
	if (!kvm_pvlock_can_yield || cpu < 0 || cpu >= nr_cpu_ids ||
	    in_nmi() || !vcpu_is_preempted(cpu))
		return false;
	kvm_hypercall1(KVM_HC_SCHED_YIELD, kvm_pvlock_apicid(cpu));
	return true;
}

/*
 * Why the host hook cannot be used, or NULL.  @ver is the probe's answer.
 * Hypercalls of TDX and SEV-ES/SNP guests are not a plain VMCALL/VMMCALL
 * the host sees with our registers and RFLAGS.IF (TDX goes through the TDX
 * module; SEV-ES raises #VC first, with interrupts off), so the STI-shadow
 * wait cannot work there.
 */
const char *kvm_pvlock_hook_refusal(enum pvlock_mode mode, long ver, bool tdx,
				    bool sev_es)
{
	if (mode == PVLOCK_PVTICKET)
		return "pvticket never uses it";
	if (ver == -KVM_ENOSYS)
		return "the host has no hook";
	if (ver < 1 || ver > KVM_OTICKET_VERSION)
		return "the host answered the probe with an unknown version";
	if (tdx)
		return "TDX guest";
	if (sev_es)
		return "SEV-ES/SNP guest";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kvm_pvlock_hook_refusal);

/* the mode whose host hook kvm_pvlock_probe() asks for, or PVLOCK_UNSET */
static enum pvlock_mode kvm_pvlock_probe_mode __initdata = PVLOCK_UNSET;

/*
 * Ask the host for its hook.  An early initcall, not kvm_spinlock_init():
 * that runs from smp_prepare_boot_cpu(), before alternatives are applied,
 * when KVM_HYPERCALL is still VMCALL even on AMD.  Until then - one CPU,
 * before SMP bring-up - the mode halts and kicks without the hook.
 */
static int __init kvm_pvlock_probe(void)
{
	enum pvlock_mode mode = kvm_pvlock_probe_mode;
	const char *refusal;
	long ver;

	if (mode == PVLOCK_UNSET)
		return 0;
	ver = kvm_hypercall1(KVM_HC_OTICKET_PROBE, KVM_OTICKET_VERSION);
	refusal = kvm_pvlock_hook_refusal(mode, ver, false, false);
	WRITE_ONCE(kvm_pvlock_hook, !refusal);
	if (refusal && ver != -KVM_ENOSYS)
		pr_warn("not using the host hook (probe answered %ld): %s\n",
			ver, refusal);
	/* the only version there is; the refusal checked the answer */
	BUILD_BUG_ON(KVM_OTICKET_VERSION != 1);
	pvlock_set_active(mode, !refusal ? "host hook, ABI version 1" :
			  "no host hook, halt and kick");
	return 0;
}
early_initcall(kvm_pvlock_probe);

/*
 * Put @mode in place over the pvqspinlock setup kvm_spinlock_init() made.
 * pvqspinlock stays if @mode cannot run here; the reason is printed.
 * @can_yield: kvm.c's pv_sched_yield_supported(), whether lending the pCPU
 * to a preempted vCPU (pvlock_yield_to()) is worth a hypercall here.
 */
void __init kvm_pvlock_init(enum pvlock_mode mode, bool can_yield)
{
	const char *refusal;

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

	/*
	 * What refuses the hook whatever the host answers is decided here,
	 * without a hypercall: a TDX or SEV-ES guest must not even probe.
	 */
	refusal = kvm_pvlock_hook_refusal(mode, KVM_OTICKET_VERSION,
					  cpu_feature_enabled(X86_FEATURE_TDX_GUEST),
					  cc_platform_has(CC_ATTR_GUEST_STATE_ENCRYPT));
	if (refusal && mode != PVLOCK_PVTICKET)
		pr_warn("not using the host hook: %s\n", refusal);
	if (!refusal)
		kvm_pvlock_probe_mode = mode;

	kvm_pvlock_can_yield = can_yield;
	oticket_init(mode);
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
	if (refusal)
		pvlock_set_active(mode, mode == PVLOCK_PVTICKET ?
				  "halt and kick, as Linux 4.1" :
				  "no host hook, halt and kick");
}
