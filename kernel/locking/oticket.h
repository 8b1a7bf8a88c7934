/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ticket slow paths inside the qspinlock word: pvticket and o-ticket.
 *
 * This file holds the algorithm only.  The includer supplies the machine:
 * kernel/locking/oticket.c binds it to per-CPU data and the hypervisor, and
 * tools/testing/oticket/ binds it to threads and futexes to stress it in
 * userspace.  The encoding and the adaptation rules come first; the slow
 * paths follow when the includer defines OTK_MACHINE and, before that:
 *
 *   otk_cpu()                   the current CPU
 *   otk_rec(cpu, level)         that CPU's wait record for nesting @level
 *   otk_nest_enter/exit()       claim/release a nesting level (-1: none free)
 *   otk_waiting_set/clear(cpu)  mark the CPU as having a published record
 *   otk_for_each_waiting(cpu)   iterate over marked CPUs
 *   otk_adapt_this()            this CPU's struct otk_adapt
 *   otk_owner_slot(lock)        the holder-hint slot for @lock
 *   otk_arch_wait/kick/yield()  pvlock_ops.wait/kick/yield_to
 *   otk_preempted(cpu)          vcpu_is_preempted()
 *   otk_now()                   a nanosecond clock
 *   otk_ev(name), otk_hist(kind, value)   statistics
 *   otk_tune(name)              o-ticket switches: kick_ahead, yield, early
 *
 * ENCODING
 *
 * The 32-bit qspinlock word is reused as is by the inline fast path
 * (cmpxchg 0 -> _Q_LOCKED_VAL), trylock, spin_is_locked() and lockref, so
 * "0 <=> free and nobody waiting" must hold.  The ticket pair lives above
 * the locked byte:
 *
 *   31          20 19           8 7           0
 *  +--------------+--------------+-------------+
 *  |  tail (12)   |  head (12)   | locked (8)  |
 *  +--------------+--------------+-------------+
 *
 *  locked  1 while held (by the fast path or a ticket holder), 0 otherwise
 *  tail    next ticket to hand out; waiting = tail - head (mod 4096)
 *  head    the ticket allowed to take the lock once locked == 0
 *
 * With nobody waiting, head == tail == 0: the last waiter to take the lock
 * rewrites the word to plain _Q_LOCKED_VAL.  So the fast path can only win
 * when nobody queues, and FIFO order holds from the first ticket on.  A CPU
 * waits for a given lock in at most one context (a second would deadlock
 * against the first, as with qspinlock), so at most nr_cpu_ids - 1 tickets
 * are out at once: 12 bits serve up to OTK_MAX_CPUS CPUs, and the modes are
 * refused at boot above that.
 *
 * STATES of the word (L = locked, H = head, T = tail, W = T - H):
 *
 *  state        word            event                 next state
 *  free         L=0 H=T=0       fast path cmpxchg     held
 *                               ticket (T+1)          handover (W=1, H=0)
 *  held         L=1 H=T=0       ticket (T+1)          queued (W=1)
 *                               unlock (L-1)          free
 *  queued       L=1 W>0         ticket (T+1)          queued (W+1)
 *                               unlock (L-1)          handover, kick H
 *  handover     L=0 W>0         ticket H: cmpxchg     held (W=1) / queued
 *                               ticket (T+1)          handover (W+1)
 *
 * The cmpxchg that takes a handover sets L and moves H on; if H + 1 == T it
 * writes _Q_LOCKED_VAL instead (H = T = 0).  It fails only when T moved, and
 * is then retried: nothing but the ticket at H may set L while W > 0, since
 * the fast path and trylock need the word to be 0.
 *
 * WAITING
 *
 * A waiter publishes {lock, ticket} in a per-CPU, per-nesting-level record
 * and marks its CPU before it spins, so unlock can find the next holder's
 * CPU.  It spins up to a budget, then halts with the lost-wake-up handshake
 * of pvqspinlock's pv_wait_node():
 *
 *   waiter: rec.state = HALTED; smp_mb(); if (not my turn) wait(&state);
 *   unlock: L -= 1 (full barrier); find rec with ticket H;
 *           if (cmpxchg(rec.state, HALTED, KICKED) == HALTED) kick(cpu);
 *
 * Either the waiter sees its turn, or unlock sees HALTED; wait() re-reads
 * the state with interrupts off and the hypervisor latches a kick that
 * arrives before the halt.  The SPIN model in tools/testing/oticket/ checks
 * this with three CPUs and preemption between any two steps.
 *
 * pvticket spins SPIN_THRESHOLD loops, halts, and unlock kicks ticket H.
 *
 * o-ticket adds, none of which can break the above (they only choose when
 * to halt and whom else to kick, and kicks may always be spurious):
 *  - adaptive budget: per CPU, grown when a spin nearly ran out or a halt
 *    ended as soon as it began, shrunk when a halt was long; bounded by
 *    [OTK_SPIN_MIN, OTK_SPIN_MAX]; scaled by queue position: the next in
 *    line spins the full budget, the one behind it half, the rest the
 *    minimum (they will be kicked ahead in time);
 *  - selective wake-up with kick-ahead: unlock kicks ticket H and, when it
 *    is halted and the host has the hook, ticket H + 1 - never more, never
 *    a herd (without the hook a kick is also a yield to the kicked vCPU);
 *  - holder awareness: a waiter whose lock holder (hinted by the last
 *    ticket holder, validated against the word) is preempted halts early.
 *    It looks at the holder only, never at the waiters ahead, so one
 *    voluntary halt does not make the next waiter halt (the cascade that
 *    had pv_wait_early() reverted);
 *  - waiter awareness: when the next holder is preempted (not halted), unlock
 *    yields to it (KVM_HC_SCHED_YIELD) rather than leave the lock idle until
 *    the host happens to run it; a kick would be latched and end its next
 *    halt spuriously, a yield leaves no trace;
 *  - the hypervisor gets hints (position, holder, loops spun) through
 *    pvlock_ops.wait, which turns them into KVM_HC_OTICKET_WAIT when the
 *    host has the hook and into a plain halt when it has not.
 */
#ifndef __LOCKING_OTICKET_H
#define __LOCKING_OTICKET_H

#define OTK_LOCKED		1U
#define OTK_LOCKED_MASK		0xffU
#define OTK_TICKET_BITS		12
#define OTK_TICKET_MASK		((1U << OTK_TICKET_BITS) - 1)
#define OTK_HEAD_OFFSET		8
#define OTK_TAIL_OFFSET		(OTK_HEAD_OFFSET + OTK_TICKET_BITS)
#define OTK_TAIL_MASK		(OTK_TICKET_MASK << OTK_TAIL_OFFSET)
#define OTK_TAIL_ONE		BIT(OTK_TAIL_OFFSET)
#define OTK_MAX_CPUS		BIT(OTK_TICKET_BITS)

#define OTK_LEVELS		4	/* task, softirq, hardirq, NMI */

#define OTK_SPIN_MIN		BIT(6)
#define OTK_SPIN_INIT		BIT(12)
#define OTK_SPIN_MAX		BIT(15)		/* pvqspinlock's SPIN_THRESHOLD */
#define OTK_CHECK_MASK		0xff		/* look at the holder this often */
#define OTK_WAKE_INIT_NS	50000		/* until a wake-up is measured */

enum otk_state {
	OTK_RUNNING = 0,
	OTK_HALTED,
	OTK_KICKED,
};

struct otk_rec {
	void		*lock;		/* NULL when the level is idle */
	u32		ticket;
	u8		state;		/* enum otk_state */
	u64		kick_ns;	/* when the last kick was sent */
};

/* Per-CPU state of the adaptive spin budget. */
struct otk_adapt {
	u32		thresh;		/* loops, in [OTK_SPIN_MIN, OTK_SPIN_MAX] */
	u32		wake_ns;	/* mean kick-to-run latency (EWMA 1/8) */
};

/* Who took the lock through the slow path last: a hint, never trusted. */
struct otk_owner {
	void		*lock;
	int		cpu;
	u32		head;		/* head right after that acquisition */
};

enum otk_outcome {
	OTK_SPUN,		/* acquired while spinning */
	OTK_HALTED_SHORT,	/* halted, the turn came right after */
	OTK_HALTED_LONG,	/* halted for long: spinning was waste */
};

static inline u32 otk_head(u32 v)
{
	return (v >> OTK_HEAD_OFFSET) & OTK_TICKET_MASK;
}

static inline u32 otk_tail(u32 v)
{
	return v >> OTK_TAIL_OFFSET;
}

static inline u32 otk_waiters(u32 v)
{
	return (otk_tail(v) - otk_head(v)) & OTK_TICKET_MASK;
}

static inline u32 otk_pos(u32 v, u32 ticket)
{
	return (ticket - otk_head(v)) & OTK_TICKET_MASK;
}

/* The word after @ticket takes the lock out of handover state @v. */
static inline u32 otk_acquired(u32 v, u32 ticket)
{
	u32 next = (ticket + 1) & OTK_TICKET_MASK;

	if (next == otk_tail(v))
		return OTK_LOCKED;
	return (v & OTK_TAIL_MASK) | (next << OTK_HEAD_OFFSET) | OTK_LOCKED;
}

/* Spin budget for a waiter @pos places from the head. */
static inline u32 otk_budget(const struct otk_adapt *a, u32 pos)
{
	if (pos == 0)
		return a->thresh;
	if (pos == 1)
		return a->thresh / 2 > OTK_SPIN_MIN ? a->thresh / 2 : OTK_SPIN_MIN;
	return OTK_SPIN_MIN;
}

/*
 * Learn from one wait: @o says how it ended, @spun how many loops the last
 * spin phase took.  Returns the new threshold.
 */
static inline u32 otk_adapt_update(struct otk_adapt *a, enum otk_outcome o,
				   u32 spun)
{
	u32 t = a->thresh;

	switch (o) {
	case OTK_SPUN:
		if (spun > t / 2)
			t += t / 8;
		break;
	case OTK_HALTED_SHORT:
		t += t / 4;
		break;
	case OTK_HALTED_LONG:
		t -= t / 8;
		break;
	}
	if (t < OTK_SPIN_MIN)
		t = OTK_SPIN_MIN;
	if (t > OTK_SPIN_MAX)
		t = OTK_SPIN_MAX;
	a->thresh = t;
	return t;
}

/* Fold a measured kick-to-run latency into the mean. */
static inline void otk_adapt_wake(struct otk_adapt *a, u64 lat_ns)
{
	s64 d;

	if (lat_ns > 0xffffffffULL)
		lat_ns = 0xffffffffULL;
	d = (s64)lat_ns - (s64)a->wake_ns;
	a->wake_ns = (u32)((s64)a->wake_ns + d / 8);
}

/* A halt counts as short if it lasted under twice the wake-up latency. */
static inline enum otk_outcome otk_halt_outcome(const struct otk_adapt *a,
						u64 halt_ns)
{
	u64 lim = 2ULL * (a->wake_ns ? a->wake_ns : 1);

	return halt_ns < lim ? OTK_HALTED_SHORT : OTK_HALTED_LONG;
}

#endif /* __LOCKING_OTICKET_H */

/* The slow paths proper, for includers that defined the machine. */
#if defined(OTK_MACHINE) && !defined(__LOCKING_OTICKET_MACHINE_H)
#define __LOCKING_OTICKET_MACHINE_H

/* The CPU holding @lock, if the hint is current; -1 otherwise. */
static inline int otk_holder(struct qspinlock *lock, u32 v)
{
	struct otk_owner *o = otk_owner_slot(lock);

	if (!(v & OTK_LOCKED_MASK) || READ_ONCE(o->lock) != (void *)lock ||
	    READ_ONCE(o->head) != otk_head(v))
		return -1;
	return READ_ONCE(o->cpu);
}

/*
 * Kick the waiter holding @ticket, if it is halted; with @opp yield to it if
 * it is the next holder and preempted.  Returns true if it was found.
 */
static inline bool otk_kick_ticket(struct qspinlock *lock, u32 ticket,
				   unsigned int why, bool opp)
{
	int cpu, lvl;

	otk_for_each_waiting(cpu) {
		for (lvl = 0; lvl < OTK_LEVELS; lvl++) {
			struct otk_rec *r = otk_rec(cpu, lvl);
			u8 old = OTK_HALTED;

			if (READ_ONCE(r->lock) != (void *)lock ||
			    READ_ONCE(r->ticket) != ticket)
				continue;
			WRITE_ONCE(r->kick_ns, otk_now());
			if (try_cmpxchg(&r->state, &old, OTK_KICKED)) {
				otk_ev(kick);
				if (why & PVLOCK_KICK_AHEAD)
					otk_ev(kick_ahead);
				otk_arch_kick(cpu, why);
			} else if (opp && otk_tune(yield) &&
				   (why & PVLOCK_KICK_NEXT) &&
				   old == OTK_RUNNING && otk_preempted(cpu)) {
				otk_ev(yield_preempted);
				otk_arch_yield(cpu);
			}
			return true;
		}
	}
	return false;
}

static __always_inline void otk_unlock(struct qspinlock *lock, bool opp)
{
	u32 v = atomic_fetch_sub_release(OTK_LOCKED, &lock->val);

	if (likely(!(v & ~OTK_LOCKED_MASK)))
		return;
	/* Order the release before reading the wait records (Dekker). */
	smp_mb__after_atomic();
	otk_kick_ticket(lock, otk_head(v), PVLOCK_KICK_NEXT, opp);
	if (opp && otk_tune(kick_ahead) && otk_waiters(v) > 1)
		otk_kick_ticket(lock, (otk_head(v) + 1) & OTK_TICKET_MASK,
				PVLOCK_KICK_AHEAD, false);
}

/*
 * Wait for @ticket's turn and take the lock.  Returns the number of halts.
 * @opp selects o-ticket over pvticket.
 */
static __always_inline u32 otk_wait_turn(struct qspinlock *lock, u32 ticket,
					 struct otk_rec *r, bool opp)
{
	struct otk_adapt *a = otk_adapt_this();
	struct pvlock_wait_hint hint;
	u32 v, pos, budget, loop, halts = 0;
	bool early;
	u64 t0;

	for (;;) {
		v = atomic_read(&lock->val);
		pos = otk_pos(v, ticket);
		budget = opp ? otk_budget(a, pos) : OTK_SPIN_MAX;
		early = false;
		for (loop = 0; loop < budget; loop++) {
			if (otk_head(v) == ticket && !(v & OTK_LOCKED_MASK)) {
				u32 next = otk_acquired(v, ticket);

				if (atomic_try_cmpxchg_acquire(&lock->val, &v,
							       next))
					goto got;
				continue;	/* the tail moved: retry */
			}
			if (opp && otk_pos(v, ticket) < pos) {
				/* Moved up: spin for the new position. */
				pos = otk_pos(v, ticket);
				budget = otk_budget(a, pos);
			}
			if (opp && !(loop & OTK_CHECK_MASK) && loop &&
			    otk_tune(early)) {
				int h = otk_holder(lock, v);

				if (h >= 0 && otk_preempted(h)) {
					early = true;
					break;
				}
			}
			cpu_relax();
			v = atomic_read(&lock->val);
		}

		if (!r) {		/* nesting too deep: spin only */
			cpu_relax();
			continue;
		}

		/* Halt, unless our turn came while we published the state. */
		smp_store_mb(r->state, OTK_HALTED);
		v = atomic_read(&lock->val);
		if (otk_head(v) != ticket || (v & OTK_LOCKED_MASK)) {
			int h = opp ? otk_holder(lock, v) : -1;

			hint.pos = otk_pos(v, ticket);
			hint.cpu = h;
			hint.flags = h >= 0 ? PVLOCK_HINT_HOLDER : 0;
			hint.spun = loop;
			otk_ev(wait);
			if (early)
				otk_ev(wait_early);
			if (opp)
				otk_hist(thresh, budget);
			t0 = otk_now();
			otk_arch_wait(&r->state, OTK_HALTED, &hint);
			halts++;
			if (xchg(&r->state, OTK_RUNNING) == OTK_KICKED) {
				u64 now = otk_now();
				u64 kick = READ_ONCE(r->kick_ns);

				if (kick && now > kick) {
					otk_hist(wake, now - kick);
					if (opp)
						otk_adapt_wake(a, now - kick);
				}
				if (opp)
					otk_adapt_update(a, otk_halt_outcome(a, now - t0), 0);
			} else {
				otk_ev(spurious_wakeup);
			}
		} else {
			WRITE_ONCE(r->state, OTK_RUNNING);
		}
	}
got:
	if (opp) {
		struct otk_owner *o = otk_owner_slot(lock);

		if (!halts)
			otk_adapt_update(a, OTK_SPUN, loop);
		WRITE_ONCE(o->lock, (void *)lock);
		WRITE_ONCE(o->cpu, otk_cpu());
		WRITE_ONCE(o->head, otk_head(otk_acquired(v, ticket)));
	}
	return halts;
}

/*
 * The slow path proper: take a ticket, publish it, wait for the turn.
 * Returns the ticket taken (for the tests' FIFO checks).
 */
static __always_inline u32 otk_lock_slowpath(struct qspinlock *lock, bool opp)
{
	struct otk_rec *r = NULL;
	int cpu = otk_cpu();
	int lvl = otk_nest_enter();
	u32 v, ticket;

	otk_ev(slowpath);
	v = atomic_fetch_add(OTK_TAIL_ONE, &lock->val);
	ticket = otk_tail(v);
	if (lvl >= 0) {
		r = otk_rec(cpu, lvl);
		WRITE_ONCE(r->state, OTK_RUNNING);
		WRITE_ONCE(r->ticket, ticket);
		WRITE_ONCE(r->lock, (void *)lock);
		otk_waiting_set(cpu);
	}
	otk_wait_turn(lock, ticket, r, opp);
	if (r)
		WRITE_ONCE(r->lock, NULL);
	if (lvl >= 0) {
		otk_nest_exit();
		if (lvl == 0)
			otk_waiting_clear(cpu);
	}
	return ticket;
}

#endif /* OTK_MACHINE */
