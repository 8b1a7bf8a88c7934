/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <asm/qspinlock_paravirt.h>: everything the simulated guest code needs is in
 * otsim_kernel.h.
 * x86's asm thunk for __pv_queued_spin_unlock() is replaced by the generic C
 * one of kernel/locking/qspinlock_paravirt.h (the same cmpxchg 1 -> 0, else
 * the slow path), so this header stays empty.
 */
#include <otsim_kernel.h>
