/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <asm/kvm_para.h>: the uapi constants of the staged tree, and the
 * hypercall helpers as calls to the simulated host.  KVM_HYPERCALL, which
 * code puts into its own inline assembly, is a call to otsim_vmcall (in
 * tools/sim/engine.c): it takes the number in %rax and the arguments in
 * %rbx, %rcx, %rdx, %rsi, returns in %rax and preserves every other
 * register, as VMCALL does.  Guest code is built with -mno-red-zone and
 * -mgeneral-regs-only, as the kernel is, so the call is safe there.
 */
#ifndef OTSIM_ASM_KVM_PARA_H
#define OTSIM_ASM_KVM_PARA_H

#include <otsim_kernel.h>
#include <uapi/asm/kvm_para.h>

#define KVM_HYPERCALL	"call otsim_vmcall"

static inline long kvm_hypercall0(unsigned int nr)
{
	return sim_hypercall(nr, 0, 0, 0, 0);
}

static inline long kvm_hypercall1(unsigned int nr, unsigned long p1)
{
	return sim_hypercall(nr, p1, 0, 0, 0);
}

static inline long kvm_hypercall2(unsigned int nr, unsigned long p1, unsigned long p2)
{
	return sim_hypercall(nr, p1, p2, 0, 0);
}

static inline long kvm_hypercall3(unsigned int nr, unsigned long p1, unsigned long p2,
				  unsigned long p3)
{
	return sim_hypercall(nr, p1, p2, p3, 0);
}

static inline long kvm_hypercall4(unsigned int nr, unsigned long p1, unsigned long p2,
				  unsigned long p3, unsigned long p4)
{
	return sim_hypercall(nr, p1, p2, p3, p4);
}

static inline bool kvm_para_has_feature(unsigned int feature)
{
	return sim_kvm_feature(feature);
}

/* no hints: not a dedicated-pCPU (KVM_HINTS_REALTIME) guest */
static inline bool kvm_para_has_hint(unsigned int feature)
{
	return false;
}

#endif
