// SPDX-License-Identifier: GPL-2.0
/*
 * guest/qspinlock.c - upstream's queued spinlock, compiled from the staged
 * tree: kernel/locking/qspinlock.c generates native_queued_spin_lock_slowpath()
 * (with virt_spin_lock(), the test-and-set of arch/x86/include/asm/qspinlock.h,
 * in front when virt_spin_lock_key is on) and, including itself with
 * qspinlock_paravirt.h, __pv_queued_spin_lock_slowpath() and
 * __pv_queued_spin_unlock().  Modes: qspinlock (nopvspin), tas (no
 * PV_UNHALT), pvqspinlock (the default).
 *
 * Also the lock event counters (kernel/locking/lock_events.c's per-CPU
 * array, read as its debugfs files would sum them).
 */
#include <otsim_kernel.h>
#include <kernel/locking/qspinlock.c>

DEFINE_PER_CPU(unsigned long, lockevents[lockevent_num]);

static const char *const lockevent_names[lockevent_num] = {
#undef LOCK_EVENT
#define LOCK_EVENT(name)	[LOCKEVENT_ ## name] = #name,
#include <kernel/locking/lock_events_list.h>
};

/* the counters of guest CPU @cpu, or (@cpu < 0) their sums over all CPUs */
void otsim_lockevents(int cpu, sim_event_fn fn, void *ctx)
{
	int i, c;

	for (i = 0; i < lockevent_num; i++) {
		unsigned long sum = 0;

		if (!lockevent_names[i] || !strncmp(lockevent_names[i], "rwsem_", 6))
			continue;
		if (cpu >= 0)
			sum = per_cpu(lockevents[i], cpu);
		else
			for_each_possible_cpu(c)
				sum += per_cpu(lockevents[i], c);
		fn(ctx, lockevent_names[i], sum);
	}
}

void *alloc_large_system_hash(const char *name, unsigned long bucketsize,
			      unsigned long numentries, int scale, int flags,
			      unsigned int *hash_shift, unsigned int *hash_mask,
			      unsigned long low_limit, unsigned long high_limit)
{
	unsigned int shift = ilog2(numentries);

	if ((1UL << shift) < numentries)
		shift++;
	*hash_shift = shift;
	if (hash_mask)
		*hash_mask = (1U << shift) - 1;
	return sim_alloc(bucketsize << shift);
}
