/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/cc_platform.h>: everything the simulated guest code needs is in
 * otsim_kernel.h.
 */
#include <otsim_kernel.h>
