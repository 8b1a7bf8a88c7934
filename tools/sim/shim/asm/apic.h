/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <asm/apic.h>: APIC IDs.  In the simulator a vCPU's APIC ID is
 * its CPU number (guest/kvm.c fills x86_cpu_to_apicid at boot).
 */
#include <otsim_kernel.h>

DECLARE_PER_CPU(u32, x86_cpu_to_apicid);
