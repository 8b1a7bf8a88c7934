/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/mutex.h> (qspinlock.c includes it for the spinlock, as
 * the kernel's does transitively): the simulated guest's spinlock is the real
 * x86 one of the staged tree (asm/spinlock.h: SPIN_THRESHOLD and
 * asm/qspinlock.h, which includes asm-generic/qspinlock.h).
 */
#include <otsim_kernel.h>
#include <asm/spinlock.h>
