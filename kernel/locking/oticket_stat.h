/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU lock event counters and histograms of the oticket slow paths,
 * summed over CPUs when read.  Like lock_events.c, reads and resets race
 * with updates; the numbers are statistics, not accounts.
 *
 *   events   "name value" per OTK_EVENT() in oticket_events.h
 *   hist     "thresh 2^k count" - spin budgets at each wait, log2 buckets
 *            "wake 2^k count"   - kick-to-run latency in ns, log2 buckets
 *   reset    write anything to zero all of the above
 */
#ifndef __LOCKING_OTICKET_STAT_H
#define __LOCKING_OTICKET_STAT_H

enum otk_event {
#include "oticket_events.h"
	OTK_NR_EVENTS
};

#undef OTK_EVENT
#define OTK_EVENT(name)	__stringify(name),
static const char * const otk_event_names[OTK_NR_EVENTS] = {
#include "oticket_events.h"
};

#undef OTK_EVENT

#define OTK_HIST_BUCKETS	32

struct otk_stat {
	unsigned long	ev[OTK_NR_EVENTS];
	unsigned long	thresh[OTK_HIST_BUCKETS];
	unsigned long	wake[OTK_HIST_BUCKETS];
};

static DEFINE_PER_CPU(struct otk_stat, otk_stat);

static __always_inline unsigned int otk_bucket(u64 v)
{
	return v ? min_t(u64, ilog2(v), OTK_HIST_BUCKETS - 1) : 0;
}

#define otk_ev(name)		this_cpu_inc(otk_stat.ev[OTK_EV_ ## name])
#define otk_hist(kind, v)	this_cpu_inc(otk_stat.kind[otk_bucket(v)])

static int otk_events_show(struct seq_file *m, void *v)
{
	int i, cpu;

	for (i = 0; i < OTK_NR_EVENTS; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu(otk_stat.ev[i], cpu);
		seq_printf(m, "%s %lu\n", otk_event_names[i], sum);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(otk_events);

static void otk_hist_show_one(struct seq_file *m, const char *name,
			      size_t off)
{
	int i, cpu;

	for (i = 0; i < OTK_HIST_BUCKETS; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu) {
			struct otk_stat *s = per_cpu_ptr(&otk_stat, cpu);

			sum += ((unsigned long *)((char *)s + off))[i];
		}
		if (sum)
			seq_printf(m, "%s %llu %lu\n", name, 1ULL << i, sum);
	}
}

static int otk_hist_show(struct seq_file *m, void *v)
{
	otk_hist_show_one(m, "thresh", offsetof(struct otk_stat, thresh));
	otk_hist_show_one(m, "wake", offsetof(struct otk_stat, wake));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(otk_hist);

static ssize_t otk_reset_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&otk_stat, cpu), 0, sizeof(struct otk_stat));
	return count;
}

static const struct file_operations otk_reset_fops = {
	.write	= otk_reset_write,
	.llseek	= default_llseek,
};

static void __init otk_stat_debugfs(struct dentry *d)
{
	debugfs_create_file("events", 0444, d, NULL, &otk_events_fops);
	debugfs_create_file("hist", 0444, d, NULL, &otk_hist_fops);
	debugfs_create_file("reset", 0200, d, NULL, &otk_reset_fops);
}

#endif /* __LOCKING_OTICKET_STAT_H */
