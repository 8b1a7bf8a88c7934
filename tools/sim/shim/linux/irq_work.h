/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/irq_work.h>: everything the simulated guest code needs is in
 * otsim_kernel.h.
 */
#include <otsim_kernel.h>
