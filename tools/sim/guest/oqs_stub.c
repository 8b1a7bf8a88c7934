// SPDX-License-Identifier: GPL-2.0
/*
 * guest/oqs_stub.c - for a guest built without our slow paths: the symbols
 * the staged qspinlock_paravirt.h (patch 0004) and kvm.c (patch 0005) need
 * from kernel/locking/oticket.c and arch/x86/kernel/kvm_pvlock.c, with
 * oqspin off.  Only pvqspinlock, qspinlock and tas boot.
 */
#define pr_fmt(fmt) "pvlock: " fmt

#include <otsim_kernel.h>
#include <linux/oticket.h>

bool pv_oqspin;

bool oqs_kick_ahead(void)
{
	return false;
}

u32 oqs_budget(unsigned int pos)
{
	return 0;
}

void oqs_learn(bool halted, u32 spun, u64 halt_ns)
{
}

void oqs_wait(u8 *ptr, u8 val, unsigned int pos, int cpu, u32 spun)
{
}

void oqs_kick(int cpu, unsigned int why)
{
}

enum pvlock_mode pvlock_requested(void)
{
	return PVLOCK_UNSET;
}

void pvlock_set_active(enum pvlock_mode mode, const char *how)
{
	static const char *const names[] = { "pvqspinlock", "qspinlock", "tas" };

	pr_info("using %s (%s)\n", mode < 3 ? names[mode] : "?", how);
}

void kvm_pvlock_init(enum pvlock_mode mode, bool can_yield)
{
	pvlock_set_active(PVLOCK_PVQSPINLOCK, "PV qspinlock");
}
