// SPDX-License-Identifier: GPL-2.0
/*
 * guest/oticket.c - our slow paths, compiled from the staged tree:
 * kernel/locking/oticket.c (pvlock=, the pvticket and o-ticket slow paths of
 * kernel/locking/oticket.h, oqspin's helpers for qspinlock_paravirt.h) with
 * its own per-CPU binding.  Modes: pvticket, oticket, oqspin (pvlock=...).
 *
 * This file only adds the ticket modes' unlock; their counters are lock
 * events, read with the others (guest/qspinlock.c).
 */
#define KBUILD_MODNAME "oticket"
#include <kernel/locking/oticket.c>

/*
 * The ticket modes' unlock: asm/qspinlock_paravirt.h's PV_UNLOCK_ASM_CALLING()
 * in C, as the simulator runs pvqspinlock's (cmpxchg the locked byte 1 -> 0,
 * else the mode's slow path with the byte seen).
 */
#define OTSIM_UNLOCK(mode)						\
void __##mode##_queued_spin_unlock(struct qspinlock *lock)		\
{									\
	u8 locked = _Q_LOCKED_VAL;					\
									\
	if (!try_cmpxchg(&lock->locked, &locked, 0))			\
		__##mode##_queued_spin_unlock_slowpath(lock, locked);	\
}
OTSIM_UNLOCK(otk)
OTSIM_UNLOCK(pvt)
