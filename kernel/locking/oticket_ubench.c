// SPDX-License-Identifier: GPL-2.0
/*
 * Uncontended spin_lock()/spin_unlock() cost, for comparing pvlock= modes:
 * the fast paths are meant to be the same code in every mode, and this is
 * the benchmark that says whether they cost the same.  vbench loads it
 * (workload "uncontended") and reads the result line.
 *
 *   modprobe oticket_ubench loops=N rounds=R
 *
 * Each round takes and releases one lock N times on one CPU with
 * preemption and interrupts off, and the module prints, on loading,
 *
 *   oticket_ubench: mode=<pvlock> loops=N rounds=R best_ps=P median_ps=M
 *
 * in picoseconds per lock+unlock pair (the best and the median round).
 * Loading fails with -EINVAL for out-of-range parameters.  The module does
 * nothing after loading; rmmod it before the next run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/oticket.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>

static unsigned int loops = 1000000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "lock+unlock pairs per round (1000..100000000)");

static unsigned int rounds = 9;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds; the best and the median are printed (1..101)");

static DEFINE_SPINLOCK(ubench_lock);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 ubench_round(void)
{
	unsigned long flags;
	unsigned int i;
	u64 t0, t1;

	local_irq_save(flags);
	t0 = local_clock();
	for (i = 0; i < loops; i++) {
		spin_lock(&ubench_lock);
		spin_unlock(&ubench_lock);
	}
	t1 = local_clock();
	local_irq_restore(flags);
	return t1 - t0;
}

static int __init ubench_init(void)
{
	u64 *ns;
	unsigned int r;

	if (loops < 1000 || loops > 100000000 || rounds < 1 || rounds > 101) {
		pr_err("loops must be 1000..100000000 and rounds 1..101\n");
		return -EINVAL;
	}
	ns = kmalloc_array(rounds, sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;

	for (r = 0; r < rounds; r++)
		ns[r] = ubench_round();
	sort(ns, rounds, sizeof(*ns), cmp_u64, NULL);
	pr_info("mode=%s loops=%u rounds=%u best_ps=%llu median_ps=%llu\n",
		pvlock_name(pvlock_active()), loops, rounds, div_u64(ns[0] * 1000, loops),
		div_u64(ns[rounds / 2] * 1000, loops));
	kfree(ns);
	return 0;
}
module_init(ubench_init);

static void __exit ubench_exit(void)
{
}
module_exit(ubench_exit);

MODULE_DESCRIPTION("Uncontended spinlock cost of the pvlock= modes");
MODULE_LICENSE("GPL");
