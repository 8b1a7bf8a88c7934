/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loadable module may serve a range of KVM hypercall numbers that KVM
 * itself does not know, e.g. kvm_oticket.ko the oticket spinlock calls of
 * include/uapi/linux/kvm_oticket.h.
 *
 * Only one hook is registered at a time.  Without one, and for numbers
 * outside its range, KVM answers -KVM_ENOSYS exactly as before; the check
 * sits in the dispatcher's default case, so KVM's own hypercalls do not pay
 * for it.  Handlers run under SRCU: kvm_hypercall_hook_unregister() waits
 * for every vCPU that is inside one, after which the module may go.
 */
#ifndef _ASM_X86_KVM_HYPERCALL_HOOK_H
#define _ASM_X86_KVM_HYPERCALL_HOOK_H

#include <linux/types.h>

struct kvm;
struct kvm_vcpu;

/* KVM's own numbers grow from 1; a hook may not start below this. */
#define KVM_HC_HOOK_MIN		0x10000UL

struct kvm_hypercall_hook {
	unsigned long first, last;	/* numbers served, inclusive */
	/*
	 * BIT(KVM_FEATURE_*): the PV features a VM must have for the hook
	 * to be called; where the VMM enforces the PV CPUID bits
	 * (KVM_CAP_ENFORCE_PV_FEATURE_CPUID) a VM without one gets
	 * -KVM_ENOSYS, as KVM's own PV hypercalls are refused there.
	 */
	u32 pv_features;
	/*
	 * @vcpu issued hypercall @nr from CPL 0 with arguments @a0..@a3
	 * (already truncated to 32 bits for a 32-bit caller); returns the
	 * guest's RAX.  Runs in the vCPU's thread, preemptible, with
	 * kvm->srcu held; may sleep, e.g. in kvm_vcpu_yield_to(), and may
	 * halt the vCPU with kvm_emulate_halt_noskip().
	 */
	unsigned long (*hypercall)(struct kvm_vcpu *vcpu, unsigned long nr,
				   unsigned long a0, unsigned long a1,
				   unsigned long a2, unsigned long a3);
	/* @kvm is going away: drop what the hook keeps for it (optional) */
	void (*vm_destroy)(struct kvm *kvm);
};

int kvm_hypercall_hook_register(const struct kvm_hypercall_hook *hook);
void kvm_hypercall_hook_unregister(const struct kvm_hypercall_hook *hook);

/* The vCPU of @kvm whose local APIC has physical ID @apic_id, or NULL. */
struct kvm_vcpu *kvm_vcpu_by_apic_id(struct kvm *kvm, unsigned long apic_id);

/* End @vcpu's halt as KVM_HC_KICK_CPU does, or make its next one return. */
void kvm_vcpu_pv_unhalt(struct kvm_vcpu *vcpu);

#endif /* _ASM_X86_KVM_HYPERCALL_HOOK_H */
