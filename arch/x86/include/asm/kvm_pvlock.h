/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM guest glue of pvlock= (arch/x86/kernel/kvm_pvlock.c), for
 * kvm_spinlock_init() and the oticket KUnit suite.
 */
#ifndef _ASM_X86_KVM_PVLOCK_H
#define _ASM_X86_KVM_PVLOCK_H

#include <linux/oticket.h>

struct qspinlock;

#ifdef CONFIG_PARAVIRT_OTICKET
/* @can_yield: kvm.c's pv_sched_yield_supported() */
void kvm_pvlock_init(enum pvlock_mode mode, bool can_yield);
const char *kvm_pvlock_hook_refusal(enum pvlock_mode mode, long ver, bool tdx,
				    bool sev_es);

/* the ticket modes' unlock: pvqspinlock's asm calling their slow paths */
void __raw_callee_save___otk_queued_spin_unlock(struct qspinlock *lock);
void __raw_callee_save___pvt_queued_spin_unlock(struct qspinlock *lock);
#else
static inline void kvm_pvlock_init(enum pvlock_mode mode, bool can_yield)
{
}
#endif

#endif /* _ASM_X86_KVM_PVLOCK_H */
