/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Hypercall ABI between oticket paravirtual spinlocks (guest) and a KVM host
 * that implements the oticket hook (kvm_oticket.ko).
 *
 * The numbers live far above KVM's own KVM_HC_* range (1..12 in 6.12, grown
 * one at a time since 2008), so neither a future upstream hypercall nor the
 * research code's reuse of 9 (KVM_HC_CLOCK_PAIRING) can collide with them.
 * A host without the hook answers every one of them with -KVM_ENOSYS, which
 * is what the probe relies on.
 *
 * See Documentation/virt/kvm/x86/oticket-hypercalls.rst.
 */
#ifndef _UAPI_LINUX_KVM_OTICKET_H
#define _UAPI_LINUX_KVM_OTICKET_H

/* "OT" in the upper half: 0x4f54xxxx.  The low half numbers the calls. */
#define KVM_HC_OTICKET_BASE		0x4f540000
#define KVM_HC_OTICKET_PROBE		(KVM_HC_OTICKET_BASE + 0)
#define KVM_HC_OTICKET_WAIT		(KVM_HC_OTICKET_BASE + 1)
#define KVM_HC_OTICKET_KICK		(KVM_HC_OTICKET_BASE + 2)
#define KVM_HC_OTICKET_LAST		KVM_HC_OTICKET_KICK

/* PROBE(a0 = highest ABI version the guest speaks) -> version in use */
#define KVM_OTICKET_VERSION		1

/* "no vCPU" in a hint field */
#define KVM_OTICKET_NO_VCPU		0xffffffffUL

/*
 * WAIT(a0 = flags, a1 = hinted vCPU (APIC ID) or KVM_OTICKET_NO_VCPU,
 *      a2 = queue position (0: next in line), a3 = loops spun before waiting)
 */
#define KVM_OTICKET_WAIT_IRQ		(1UL << 0) /* caller had IRQs enabled */
#define KVM_OTICKET_WAIT_HOLDER		(1UL << 1) /* a1 holds the lock */
#define KVM_OTICKET_WAIT_PRED		(1UL << 2) /* a1 waits just ahead */
#define KVM_OTICKET_WAIT_FLAGS		(KVM_OTICKET_WAIT_IRQ |		\
					 KVM_OTICKET_WAIT_HOLDER |	\
					 KVM_OTICKET_WAIT_PRED)
#define KVM_OTICKET_MAX_POS		0xffffUL

/* KICK(a0 = flags, a1 = target vCPU (APIC ID)) */
#define KVM_OTICKET_KICK_NEXT		(1UL << 0) /* target takes the lock next */
#define KVM_OTICKET_KICK_AHEAD		(1UL << 1) /* target is one behind that */
#define KVM_OTICKET_KICK_HOLDING	(1UL << 2) /* caller still holds a lock */
#define KVM_OTICKET_KICK_FLAGS		(KVM_OTICKET_KICK_NEXT |	\
					 KVM_OTICKET_KICK_AHEAD |	\
					 KVM_OTICKET_KICK_HOLDING)

#endif /* _UAPI_LINUX_KVM_OTICKET_H */
