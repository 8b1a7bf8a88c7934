/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <trace/events/lock.h>: everything the simulated guest code needs is in
 * otsim_kernel.h.
 */
#include <otsim_kernel.h>

#define LCB_F_SPIN	(1U << 0)
#define trace_contention_begin(lock, flags)	do { } while (0)
#define trace_contention_end(lock, ret)		do { } while (0)
