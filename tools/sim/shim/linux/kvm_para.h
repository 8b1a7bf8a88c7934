/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/kvm_para.h>: the uapi hypercall numbers of the staged
 * tree and the hypercall helpers of the asm/kvm_para.h shim.
 */
#include <otsim_kernel.h>
#include <uapi/linux/kvm_para.h>
#include <asm/kvm_para.h>
