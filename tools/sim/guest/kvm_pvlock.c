// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kvm_pvlock.c - arch/x86/kernel/kvm_pvlock.c of the staged tree, the
 * KVM glue of our slow paths (pvlock_ops, the WAIT/KICK/PROBE hypercalls,
 * kvm_pvlock_init()), compiled as it is.
 *
 * Its WAIT with interrupts on is inline assembly, "sti; " KVM_HYPERCALL:
 * KVM_HYPERCALL is a call to the simulated host (asm/kvm_para.h shim), and
 * the assembler macro below makes that file's "sti" a call to otsim_sti,
 * which sets the vCPU's interrupt flag and preserves every register.
 */
__asm__(".macro sti\n\tcall otsim_sti\n.endm\n");

#include <arch/x86/kernel/kvm_pvlock.c>
