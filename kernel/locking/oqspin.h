/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oqspin: PV qspinlock with o-ticket's spin policy (kernel/locking/
 * oticket.h, "POLICY"), used by qspinlock_paravirt.h when pvlock=oqspin.
 *
 * The queue, its handshakes and lock stealing stay upstream's.  What
 * changes is how long a queued node and the queue head spin before they
 * halt: a budget from the regime (a measured wake-up latency on an idle
 * host, a short spin under over-commit) instead of SPIN_THRESHOLD loops,
 * which stays the upper bound.  The budget is run time: steal time does
 * not count (oticket.h, "POLICY").  Upstream's early wait behind a halted
 * predecessor stays as it is.  Waits carry hints for a host that has the
 * oticket hook; the wake-up latency is learnt from the kicks.
 *
 * Preemption tolerance: upstream lets a new arrival take the lock while the
 * queue head is not spinning (pending clear) and never while it is.  A
 * head that set pending and was then preempted therefore leaves the lock
 * idle until the host runs it again.  oqspin lets an arrival pass such a
 * head: the head publishes itself per lock (oqs_head_set()), and an
 * arrival that finds it preempted counts a pass in the head's queue node
 * first (oqs_head_absent()), at most head_pass_max passes per head, then
 * takes the locked byte with the same cmpxchg every acquirer uses.  The
 * default, 8, measured better at 4x over-commit than 4095 (0.87x): the
 * queue behind a head passed without end waits on.
 */
#ifndef __LOCKING_OQSPIN_H
#define __LOCKING_OQSPIN_H

#include <linux/jump_label.h>
#include <linux/types.h>

struct qspinlock;

/* One wait of a queue node or head; zeroed when the wait starts. */
struct oqs_spin {
	u64	t0;
	u64	budget;
	u64	steal;		/* steal time at the last check */
	bool	runtime;	/* spin_runtime, as the wait began */
	bool	rehalt;		/* this wait's last halt changed nothing */
};

#ifdef CONFIG_PARAVIRT_OTICKET
DECLARE_STATIC_KEY_FALSE(pv_oqspin_key);
#define oqs_enabled()	static_branch_unlikely(&pv_oqspin_key)

void oqs_spin_start(struct oqs_spin *s);
bool oqs_spin_over(struct oqs_spin *s);

/* Has the budget run out?  The clock is read once per 64 loops. */
static __always_inline bool oqs_spin_expired(struct oqs_spin *s, int loop)
{
	return !(loop & 0x3f) && oqs_spin_over(s);
}

void oqs_wait(struct oqs_spin *s, u8 *ptr, u8 val, unsigned int pos, int cpu,
	      u32 spun);
void oqs_kick(int cpu);
void oqs_head_set(struct qspinlock *lock, u32 *passes, int cpu);
bool oqs_head_absent(struct qspinlock *lock);
#else
#define oqs_enabled()	false

static inline void oqs_spin_start(struct oqs_spin *s)
{
}

static inline bool oqs_spin_expired(struct oqs_spin *s, int loop)
{
	return false;
}

static inline void oqs_wait(struct oqs_spin *s, u8 *ptr, u8 val, unsigned int pos,
			    int cpu, u32 spun)
{
}

static inline void oqs_kick(int cpu)
{
}

static inline void oqs_head_set(struct qspinlock *lock, u32 *passes, int cpu)
{
}

static inline bool oqs_head_absent(struct qspinlock *lock)
{
	return false;
}
#endif
#endif /* __LOCKING_OQSPIN_H */
