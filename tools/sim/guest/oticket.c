// SPDX-License-Identifier: GPL-2.0
/*
 * guest/oticket.c - our slow paths, compiled from the staged tree:
 * kernel/locking/oticket.c (pvlock=, the pvticket and o-ticket slow paths of
 * kernel/locking/oticket.h, oqspin's helpers for qspinlock_paravirt.h) with
 * its own per-CPU binding.  Modes: pvticket, oticket, oqspin (pvlock=...).
 *
 * This file only adds what the simulator reads: the event counters, when
 * they are oticket_stat.h's own (counters kept as lock events are read
 * with the others, guest/qspinlock.c).
 */
#include <kernel/locking/oticket.c>

#ifdef __LOCKING_OTICKET_STAT_H
void otsim_otk_events(sim_event_fn fn, void *ctx)
{
	int i, cpu;

	for (i = 0; i < OTK_NR_EVENTS; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu(otk_stat.ev[i], cpu);
		fn(ctx, otk_event_names[i], sum);
	}
}
#endif
