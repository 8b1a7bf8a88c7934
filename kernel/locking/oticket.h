/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ticket slow paths inside the qspinlock word: pvticket and o-ticket.
 *
 * This file holds the algorithm only.  The includer supplies the machine:
 * kernel/locking/oticket.c binds it to per-CPU data and the hypervisor,
 * tools/testing/oticket/otkstress.c to threads and futexes, and the
 * simulator in tools/sim/ to simulated vCPUs.  The encoding, the states and
 * the rules come first; the slow paths follow when the includer defined
 * OTK_MACHINE (see "THE MACHINE" at the end of this comment).
 *
 * ENCODING
 *
 * The 32-bit qspinlock word is reused as is by the inline fast path
 * (cmpxchg 0 -> _Q_LOCKED_VAL), trylock, spin_is_locked() and lockref, so
 * "0 <=> free and nobody waiting" must hold.  The ticket pair lives above
 * the locked byte:
 *
 *   31          20 19           8 7       3   2   1   0
 *  +--------------+--------------+---------+---+---+---+
 *  |  tail (12)   |  head (12)   |  C (5)  | K | S | L |
 *  +--------------+--------------+---------+---+---+---+
 *
 *  L     held (by the fast path or by a ticket)
 *  S     a waiter of this queue may be halted: whoever takes a turn looks
 *        at the owner of the next one
 *  K     the owner of turn H may be halted: unlock must look for it
 *  C     o-ticket: free steals since a turn was taken or an absent owner
 *        was stolen past (see TURNS AND BYPASS)
 *  tail  next ticket to hand out; waiting W = tail - head (mod 4096)
 *  head  the ticket whose turn it is once L == 0 ("turn H")
 *
 * With nobody waiting, head == tail == 0 and S == K == C == 0: the waiter
 * that takes the last turn rewrites the word to plain L.  So the fast path
 * only wins when nobody queues.  A CPU waits for a lock in at most one
 * context, so at most nr_cpu_ids - 1 tickets are out: 12 bits serve
 * OTK_MAX_CPUS.
 *
 * The unlock fast path is upstream's x86-64 PV unlock, instruction for
 * instruction: cmpxchg the locked byte from L to 0.  It fails when S, K
 * or C is set, and then calls otk_unlock_slowpath(), which looks for a
 * waiter to kick only if K is set: only when the owner of the turn it
 * hands on may be halted.  A queue with a halted waiter somewhere keeps S
 * for as long as it lasts, and under over-commit that is for ever; the
 * lookup is paid once per turn, by its taker, not by every release after
 * a steal.  Nobody halted, nothing to look up: the cost of a contended
 * unlock is what happened, no more - but the release after a steal, or
 * while S is set, is always that out-of-line call and a cmpxchg.
 *
 * WAIT RECORDS
 *
 * A waiter keeps its ticket in a per-CPU, per-nesting-level record whose
 * first 64 bits are one word, changed only by cmpxchg:
 *
 *   63          32 31        20 19         8 7       0
 *  +--------------+------------+-----------+---------+
 *  |   seq (32)   | ticket(12) | nbyp (12) | state(8)|
 *  +--------------+------------+-----------+---------+
 *
 *  seq     bumped at every slow-path entry, so a stale reader's cmpxchg
 *          cannot hit the record's next use (no ABA)
 *  ticket  the turn this waiter waits for; a bypass changes it
 *  nbyp    how often this waiter was passed over in this wait (bypass_max,
 *          at most 4095, bounds it)
 *  state   RUNNING   spinning (or about to)
 *          HALTED    halted, or committed to halt: it sets S, and K
 *                    if it owns turn H
 *          KICKED    an unlock kicked it out of HALTED
 *          TAKING    it is taking its turn: nobody may pass it over now
 *          BYPASSED  another CPU is moving it to a later ticket
 *          LOCAL     spinning on its own record, far from the head
 *
 * The state is the low byte, so it is the u8 that pvlock_wait() watches.
 * A waiter that waited long enough to matter (publish_ns; under
 * over-commit oc_publish_ns, at once: it may be preempted any moment),
 * or that starts OTK_LOCAL_POS or more turns from the head, "publishes"
 * its record in a hash table keyed by (lock, ticket)
 * (otk_publish()); only published records can be found, kicked or passed
 * over.  Short waits near the head of the queue never touch the table.
 * The entry outlives the wait: the record stops matching it when the wait
 * ends, and the next wait of the record frees it, so that a turn's
 * hand-over does not store to a line that other waiters probe.  A waiter
 * that passes another (otk_bypass()) parks the entry of the one it passed
 * in the same way, its own entry having gone to that one.  So each record
 * holds at most one entry, live or parked: at most 3 per CPU in use, as
 * deep as task, softirq and hardirq nest (an NMI, at any level, gets no
 * record), against the 8 entries per possible CPU it is sized for.
 *
 * TURNS AND BYPASS (preemption-tolerant handoff)
 *
 * Strict FIFO hands the lock to the next ticket even when that vCPU is
 * halted or preempted, and the lock then idles for a whole kick-to-run
 * latency: the classic lock-waiter preemption collapse.  An unfair lock
 * never does that, and starves.  o-ticket keeps FIFO with a bounded
 * bypass (Ouyang and Lange's ticket locks for preemption, VEE'13): when
 * the owner of turn H is not running, a running waiter takes turn H and
 * gives its own, later ticket to the one it passed, whose nbyp goes up.
 * Tickets and waiters stay a bijection; nobody is passed over more than
 * bypass_max times per wait, so each waiter is served within
 * (bypass_max + 1) * W turns - a loose bound at the default 4095: passes
 * only happen while a waiter is not running.
 *
 * Three places pass a waiter over:
 *
 *  - the unlocker, still holding the lock, when the owner of turn H is
 *    HALTED and a recent arrival (ticket T - 1, else H + 1) is RUNNING on
 *    a vCPU that is not preempted: it swaps their tickets
 *    (otk_handoff()), releases, and kicks nobody - the halted waiter
 *    sleeps on, the lock goes to a CPU that is there.  Only while the
 *    halted waiter was passed over (by a steal, pass or hand-off: nbyp)
 *    fewer than handoff_max (1) times in this wait; then it is kicked - a
 *    waiter handed back at every turn would make every unlock a slow one.
 *    handoff_max 0 turns hand-offs off, at or above bypass_max it adds
 *    nothing.  And only while at most handoff_waiters (8, at least 2)
 *    wait: in the simulator, hand-offs in longer queues cost one large
 *    guest a fifth to a quarter of its throughput, and the limit loses at
 *    four guests of 30 vCPUs.  In a long queue the next in line is almost
 *    never running, so those hand-offs go to the back of the queue; why
 *    they cost is not known (sim.rst);
 *
 *  - a running waiter that sees the lock free with no progress, when the
 *    owner of turn H is HALTED, KICKED (woken, not yet running) or RUNNING
 *    on a preempted vCPU (otk_bypass());
 *
 *  - an arrival, before it takes a ticket, when the lock is free and
 *    steal is on (otk_steal_from()).  It sets L without moving the head, so the turn stays
 *    its owner's, who finds the lock held and waits on.  This is
 *    pvqspinlock's lock stealing with a bound: the releaser that comes
 *    straight back, the commonest arrival on a hot lock, takes the lock
 *    at once instead of queueing behind vCPUs that are not there.  The
 *    first steal_max steals after a take are free: one cmpxchg of the
 *    word, which counts them in C ({L=0,C} -> {L=1,C+1}) and which the
 *    take of a turn clears, with no look at the owner - a running owner
 *    spins on the word and is usually there first.  After that, an
 *    arrival steals only if the owner of turn H is absent in the sense
 *    above, counts a pass in its record first (nbyp + 1, same rule) and
 *    clears C ({L=0,C} -> {L=1,0}): a pass buys steal_max more free
 *    steals, so that an owner preempted for long is looked up once per
 *    steal_max + 1 steals, not at every one.  So a waiter is still served
 *    within (bypass_max + 1) * W turns (W the longest queue in its wait),
 *    and a turn whose owners were passed P times comes after at most
 *    (P + 1) * steal_max + P steals - at the defaults, up to 17 times the
 *    steals per turn of counting every pass, but only while its owners
 *    are absent: after the last pass counted against it, an owner sees at
 *    most steal_max before it gets in.  An arrival that finds the lock
 *    held while the owner of turn H sleeps (HALTED or KICKED), and nobody
 *    at H + 1 runs, spins for it, up to its regime's budget, and steals
 *    it when it comes free (otk_steal_wait()), by the same rules - on a
 *    host that is not over-committed only while C is below
 *    idle_wait_steals: otherwise a hot lock convoys, every turn waiting
 *    for a halted owner's wake-up while the vCPUs that run queue behind
 *    it and halt too.  steal=N
 *    turns every kind of steal off: with bypass_max 0 the lock is strict
 *    FIFO.
 *
 * A pass is claim, take, move:
 *
 *   claim  cmpxchg(victim, {S,n,H,seq} -> {BYPASSED,n,H,seq})
 *          S in HALTED/KICKED/RUNNING, n < bypass_max; a waiter that
 *          passes claims its own record (RUNNING -> TAKING) first, so
 *          that nobody moves it meanwhile
 *   take   the holder (unlock side) or the word (waiter side):
 *          cmpxchg(word, {L=0,H} -> {L=1,H+1})
 *   move   victim := {HALTED or RUNNING, n+1, t, seq}; hash: (lock,t)->victim
 *
 * and the owner of a turn takes it as
 *
 *   cmpxchg(self, {RUNNING,n,H,seq} -> {TAKING,n,H,seq}); cmpxchg(word)
 *
 * so exactly one of owner and passer wins the claim on the record; a steal
 * may hold L across it, so the take checks L and the winner backs out of
 * its claims if the lock is held (a halted owner put back gets the kick an
 * unlock skipped while it was claimed, otk_unclaim()).  A waiter that finds
 * itself BYPASSED does not wait for the mover: it looks again later
 * (otk_sync()), and lends the mover its pCPU if that takes long.
 *
 * HOME: a waiter OTK_LOCAL_POS or more turns from the head spins on its own
 * record (LOCAL) rather than on the lock word, and the owner of the next
 * turn, while it waits for it, calls the waiter behind it back to the word
 * (otk_call_near()): a release then moves the word's line to two waiters,
 * not to all of them, which is what stopped ticket locks from scaling; the
 * holder calls only when the next owner may be at home or absent.  Such a
 * waiter publishes its record at once - it will wait - so that it can go
 * home at once.
 *
 * HALTING: the lost-wake-up handshake, in the style of pv_wait_node():
 *
 *   waiter (owner of turn H)              unlock
 *   [RmW] rec: RUNNING -> HALTED          [RmW] locked: C|S|L -> C|S (fails: K)
 *   [RmW] word |= S (if not yet set)      [RmW] locked: C|K|S|L -> C|S (cmpxchg)
 *   MB                                    MB
 *   [L]   word: my turn? then take it     [L]   rec of turn H
 *   [RmW] v = fetch_or(word, K) (if not   if HALTED: -> KICKED, kick
 *         yet set): my turn in v? take it
 *   else  wait(&rec.state, HALTED)
 *
 * Both sides store, then load what the other stored.  If the unlock's
 * cmpxchg saw no K, the waiter's later load of the word sees L == 0; if it
 * saw K, the waiter's HALTED is visible to its load of the record.  A
 * waiter that halts further back sets S only, and whoever moves the head
 * to its ticket finds it and sets K (otk_next_turn()); so does a passer
 * that leaves a halted waiter the owner of the next turn, or puts it back
 * as the owner of this one (otk_unclaim()).  wait() re-reads the state
 * with interrupts off, and the hypervisor latches a kick that comes before
 * the halt.  S stays set until the queue drains (the last waiter's
 * acquisition writes plain L); K until a turn is taken, or until the
 * release that looked for the owner.  K is never set without S.  The
 * SPIN models in tools/testing/oticket/ check mutual exclusion, the
 * absence of lost wake-ups and the bypass bound with every interleaving
 * of three CPUs.
 *
 * POLICY (o-ticket; pvticket spins SPIN_THRESHOLD loops, halts, is kicked)
 *
 * One function, otk_budget_ns(), decides how long to spin before halting,
 * from signals that mean what they say:
 *
 *  - regime, from steal time (per CPU, EWMA over >= 1 ms windows, as a
 *    share of the window less the vCPU's halts in the lock slow paths:
 *    waiters that halt must not make the host look idle, otk_window()):
 *    idle host     spin one measured wake-up latency (at least
 *                  spin_min_ns), at every queue position (ski rental:
 *                  halting earlier only buys a wake-up that an idle pCPU
 *                  did not need); an arrival waits out a sleeping owner
 *                  of the turn while few free steals went by
 *                  (idle_wait_steals, otk_steal_wait()): the halts of a
 *                  busy lock's waiters would otherwise make every turn
 *                  wait for a wake-up;
 *    over-commit   spin oc_spin_ns, then halt (an arrival may have spun
 *                  as long before it queued, otk_steal_wait()): the pCPU is worth more to
 *                  another vCPU, and bypass keeps the lock moving without
 *                  the halted waiter.  But while the lock moves - held by
 *                  a vCPU that is not preempted, or changing hands - the
 *                  budget starts again (spin_on_holder), up to
 *                  oc_spin_max_ns in all: each halt costs a kick, and
 *                  KVM's KICK_CPU also yields the kicker's pCPU to the
 *                  kicked vCPU, so a halt behind a running holder takes
 *                  the pCPU from the next releaser.  Off by default: on
 *                  the emulated testbed it did not cut the halts, whose
 *                  bulk are re-halts after spurious wake-ups.  Waiters far from the
 *                  head keep spinning at home; with the rule on they read
 *                  the word now and then.  A holder that is halted in another lock's
 *                  slow path looks running: its waiters spin to the cap;
 *  - budgets are run time (spin_runtime): steal time does not count, so
 *    a waiter preempted mid-spin spins its budget when it runs again
 *    instead of halting at once, giving back the pCPU it just got;
 *  - the holder: a waiter whose holder (a per-lock hint, validated against
 *    the word; it names the taker of a turn, not a free stealer, so
 *    holders that stole for free are not known, otk_holder()) is
 *    preempted lends it its pCPU once (a directed yield), and
 *    halts if that did not help, handing the host the hint - except the
 *    next in line, whose halt the holder's release would have to wait
 *    for; a waiter that finds the next owner preempted and passed over as
 *    often as allowed lends its pCPU to that owner;
 *  - wake-ups: the kick-to-run latency is measured on one clock
 *    (otk_gnow(), global) and only learnt on an idle host, where it is the
 *    cost of a halt rather than the host's run-queue latency; a wake-up
 *    without a kick (an interrupt, or a pass while halted) halts again
 *    after a short re-check instead of re-spinning the whole budget.
 *
 * It looks at the holder only, never at the waiters ahead, so one
 * voluntary halt does not make the next waiter halt (the cascade that had
 * pv_wait_early()'s preempted-predecessor trigger reverted).
 *
 * THE MACHINE: before #include with OTK_MACHINE defined, the includer
 * provides
 *
 *   otk_cpu()                 the current CPU
 *   otk_rec(cpu, level)       that CPU's record for nesting @level
 *   otk_nest_enter/exit()     claim/release a nesting level (-1: none free)
 *   otk_pcpu_this()           this CPU's struct otk_pcpu
 *   otk_hash_ent(i), otk_hash_mask, otk_hash_bits   the (lock, ticket) table
 *   otk_hint_slot(lock)       the holder-hint slot of @lock
 *   otk_arch_wait(ptr, val, hint)  halt unless *ptr != val; may return early
 *   otk_arch_kick(cpu)        wake @cpu out of otk_arch_wait(), or latch
 *   otk_arch_yield(cpu)       give this vCPU's time to @cpu; false if that
 *                             cannot help (no yield, NMI, @cpu running)
 *   otk_preempted(cpu)        vcpu_is_preempted()
 *   otk_in_nmi()              in_nmi(): an NMI waiter spins only
 *   otk_now()                 this CPU's clock, ns
 *   otk_gnow()                a clock that is the same on every CPU, ns
 *   otk_steal_ns()            this CPU's total steal time, ns
 *   otk_ev(name), otk_hist(kind, value)   statistics
 *   otk_tunables              a struct otk_params *: the tunables
 */
#ifndef __LOCKING_OTICKET_H
#define __LOCKING_OTICKET_H

#define OTK_LOCKED		0x01U
#define OTK_SLOW		0x02U
#define OTK_KICK		0x04U
#define OTK_LOCKED_MASK		0xffU
#define OTK_STEALS_SHIFT	3
#define OTK_STEAL_ONE		(OTK_KICK << 1)	/* the bit above K */
/* C: free steals since the last take or absent-owner steal; above K */
#define OTK_STEALS_MASK		(OTK_LOCKED_MASK & ~(OTK_STEAL_ONE - 1))
#define OTK_STEALS_MAX		(OTK_STEALS_MASK >> OTK_STEALS_SHIFT)
#define OTK_TICKET_BITS		12
#define OTK_TICKET_MASK		((1U << OTK_TICKET_BITS) - 1)
#define OTK_HEAD_OFFSET		8
#define OTK_TAIL_OFFSET		(OTK_HEAD_OFFSET + OTK_TICKET_BITS)
#define OTK_TAIL_MASK		(OTK_TICKET_MASK << OTK_TAIL_OFFSET)
#define OTK_TAIL_ONE		(1U << OTK_TAIL_OFFSET)
#define OTK_MAX_CPUS		(1U << OTK_TICKET_BITS)

#define OTK_LEVELS		4	/* task, softirq, hardirq, NMI */

#define OTK_PVT_SPIN		(1U << 15)	/* pvticket: SPIN_THRESHOLD */
#define OTK_CHECK_MASK		0x3f	/* look at clock and holder this often */
#define OTK_LOCAL_POS		2	/* this far from the head, spin at home */
#define OTK_HASH_PROBES		8	/* two cache lines of entries */
#define OTK_HASH_MIN		256
#define OTK_HINT_NONE		0xffffU	/* no holder hint: not a head value */
#define OTK_WAKE_INIT_NS	50000	/* until a wake-up is measured */
#define OTK_STEAL_WINDOW_NS	1000000	/* sample steal time this often */
/* a steal sample needs this much run time in its window (otk_window()) */
#define OTK_STEAL_RUN_NS	(OTK_STEAL_WINDOW_NS / 8)
/* ... unless the window grew this long: then it starts again, unsampled */
#define OTK_STEAL_SPAN_MAX_NS	(64 * OTK_STEAL_WINDOW_NS)

enum otk_state {
	OTK_RUNNING = 0,
	OTK_HALTED,
	OTK_KICKED,
	OTK_TAKING,
	OTK_BYPASSED,
	OTK_LOCAL,
};

/* The record word: see WAIT RECORDS above. */
#define OTK_TK(st, nbyp, ticket, seq)					\
	((u64)(st) | (u64)(nbyp) << 8 | (u64)(ticket) << 20 | (u64)(seq) << 32)
#define OTK_NBYP_ONE		(1ULL << 8)
#define OTK_NBYP_MAX		0xfffU
#define OTK_NO_TURN		0x80000000U	/* a steal: no turn taken */

static inline u8 otk_tk_state(u64 tk)
{
	return tk & 0xff;
}

static inline u32 otk_tk_nbyp(u64 tk)
{
	return (tk >> 8) & OTK_NBYP_MAX;
}

static inline u32 otk_tk_ticket(u64 tk)
{
	return (tk >> 20) & OTK_TICKET_MASK;
}

static inline u32 otk_tk_seq(u64 tk)
{
	return tk >> 32;
}

static inline u64 otk_tk_set_state(u64 tk, u8 st)
{
	return (tk & ~0xffULL) | st;
}

struct otk_rec {
	u64			tk;	/* state | nbyp | ticket | seq */
	void			*lock;	/* NULL when the level is idle */
	int			slot;	/* hash entry published in, -1: none */
	int			cpu;	/* whose record this is */
	u32			who;	/* cpu * OTK_LEVELS + level + 1 */
	int			claimer; /* CPU of the last passer: a hint */
	u64			kick_ns; /* otk_gnow() of the last kick */
	int			stale;	/* entry left to free at the next start */
};

/* A (lock, ticket) -> record entry; @who is cpu * OTK_LEVELS + level + 1. */
struct otk_hent {
	void			*lock;
	u32			ticket;
	u32			who;
};

/*
 * Who holds the lock: a hint, written whole by the acquirer and checked
 * against the word by readers.  One word, so that it is never torn:
 * tag (32, from the lock's address) | head after the acquisition (16) |
 * CPU (16).
 */
struct otk_hint {
	u64			word;
};

#define OTK_HINT_CPU		0xffffULL	/* the CPU's bits of a hint */
#define OTK_HINT(lock, head, cpu)					\
	((u64)(u32)((unsigned long)(lock) >> 2) << 32 |			\
	 (u64)((head) & 0xffff) << 16 | (u64)((cpu) & OTK_HINT_CPU))

/* Per-CPU policy state. */
struct otk_pcpu {
	u32			wake_ns;	/* kick-to-run, idle host, EWMA 1/8 */
	u32			steal_pm;	/* steal time, per mille, EWMA 1/4 */
	u64			steal_last;	/* otk_steal_ns() at the last sample */
	u64			clock_last;	/* otk_now() at the last sample */
	u64			halt_ns;	/* halted in our slow paths, not stolen */
	u64			halt_last;	/* halt_ns at the last sample */
	u32			halt_depth;	/* halts in progress, nested */
};

/* Tunables: parameters of the built-in oticket (kernel), options (tools). */
struct otk_params {
	u32			bypass_max;	/* passes per wait */
	u32			head_pass_max;	/* oqspin: passes of one queue head */
	u32			steal_max;	/* free steals per take or pass (C) */
	u32			oc_steal_pm;	/* over-commit above this steal */
	u32			oc_spin_ns;	/* spin budget under over-commit */
	u32			spin_min_ns;	/* bounds of the idle-host budget */
	u32			spin_max_ns;
	u32			oc_spin_max_ns;	/* spin_on_holder: spin at most */
	u32			idle_ns;	/* lock idle this long: look at turn H */
	u32			publish_ns;	/* publish the record after this */
	u32			oc_publish_ns;	/* ... under over-commit */
	u32			handoff_max;	/* hand-offs while passed fewer times */
	u32			handoff_waiters; /* ... and at most this many wait */
	u32			idle_wait_steals; /* idle host: wait out a sleeper below this C */
	bool			early;		/* halt at once if the holder is preempted */
	bool			spin_on_holder;	/* over-commit: spin while it moves */
	bool			spin_runtime;	/* budgets: steal time does not count */
	bool			steal;		/* arrivals may steal: free, absent owner */
};

#define OTK_PARAMS_DEFAULT {						\
	.bypass_max	= OTK_NBYP_MAX,					\
	.head_pass_max	= 8,						\
	.steal_max	= 16,						\
	.oc_steal_pm	= 50,						\
	.oc_spin_ns	= 10000,					\
	.spin_min_ns	= 2000,						\
	.spin_max_ns	= 1000000,					\
	.oc_spin_max_ns	= 100000,					\
	.idle_ns	= 1000,						\
	.publish_ns	= 2000,						\
	.oc_publish_ns	= 0,						\
	.handoff_max	= 1,						\
	.handoff_waiters = 8,						\
	.idle_wait_steals = 6,						\
	.early		= true,						\
	.spin_on_holder	= false,					\
	.spin_runtime	= true,						\
	.steal		= true,						\
}

static inline u32 otk_head(u32 v)
{
	return (v >> OTK_HEAD_OFFSET) & OTK_TICKET_MASK;
}

static inline u32 otk_tail(u32 v)
{
	return v >> OTK_TAIL_OFFSET;
}

static inline u32 otk_steals(u32 v)
{
	return (v & OTK_STEALS_MASK) >> OTK_STEALS_SHIFT;
}

static inline u32 otk_waiters(u32 v)
{
	return (otk_tail(v) - otk_head(v)) & OTK_TICKET_MASK;
}

static inline u32 otk_pos(u32 v, u32 ticket)
{
	return (ticket - otk_head(v)) & OTK_TICKET_MASK;
}

/* Is it @ticket's turn in word @v? */
static inline bool otk_turn(u32 v, u32 ticket)
{
	return otk_head(v) == ticket && !(v & OTK_LOCKED);
}

/*
 * The word once turn @ticket was taken out of handover word @v: L set, the
 * head moved on, S kept, K and C cleared (the taker looks at the next
 * owner, otk_next_turn()); plain L when that was the last waiter.
 */
static inline u32 otk_acquired(u32 v, u32 ticket)
{
	u32 next = (ticket + 1) & OTK_TICKET_MASK;

	if (next == otk_tail(v))
		return OTK_LOCKED;
	return (v & (OTK_TAIL_MASK | OTK_SLOW)) | (next << OTK_HEAD_OFFSET) |
	       OTK_LOCKED;
}

/*
 * The word once a steal took free word @v (L == 0): a free steal counts
 * itself in C, a steal past an absent owner (@free false) clears C.  The
 * head, the tail, S and K stay.
 */
static inline u32 otk_stolen(u32 v, bool free)
{
	return (free ? v + OTK_STEAL_ONE : v & ~OTK_STEALS_MASK) | OTK_LOCKED;
}

/* Over-committed host? @p->steal_pm is the EWMA of the steal fraction. */
static inline bool otk_overcommitted(const struct otk_pcpu *p, u32 oc_steal_pm)
{
	return p->steal_pm > oc_steal_pm;
}

/* clock_last while a sampler writes the window's start: no window is over */
#define OTK_WIN_CLAIMED		U64_MAX

enum otk_window {
	OTK_WIN_WAIT,		/* not over yet */
	OTK_WIN_SAMPLE,		/* over: sample it */
	OTK_WIN_RESTART,	/* start a new window without a sample */
};

/*
 * The steal-time window of @p at @now, when this CPU's halts add up to
 * @halt (its halt_ns).  A window lasts OTK_STEAL_WINDOW_NS at least, and
 * until it holds OTK_STEAL_RUN_NS of run time - the time the vCPU was not
 * halted in our slow paths, *@run on OTK_WIN_SAMPLE - so that a vCPU that
 * halts nearly all the time is not judged on a few microseconds.  It is
 * not over while a halt is in progress (an interrupt's slow path inside
 * a halt): that halt is not in halt_ns yet.  The first window, and one
 * that grew past OTK_STEAL_SPAN_MAX_NS without that much run time (a CPU
 * halted nearly all the time keeps its regime), start again unsampled.
 * halt_ns behind halt_last means an interrupt sampled between our reads:
 * then this is not a sample.
 */
static inline enum otk_window otk_window(const struct otk_pcpu *p, u64 now,
					 u64 halt, u64 *run)
{
	u64 last = READ_ONCE(p->clock_last), hlast = READ_ONCE(p->halt_last);
	u64 span, halted;

	if (now < last || now - last < OTK_STEAL_WINDOW_NS ||
	    READ_ONCE(p->halt_depth))
		return OTK_WIN_WAIT;
	if (!last)
		return OTK_WIN_RESTART;
	if (halt < hlast)
		return OTK_WIN_WAIT;
	span = now - last;
	halted = halt - hlast;
	if (halted < span && span - halted >= OTK_STEAL_RUN_NS) {
		*run = span - halted;
		return OTK_WIN_SAMPLE;
	}
	return span >= OTK_STEAL_SPAN_MAX_NS ? OTK_WIN_RESTART : OTK_WIN_WAIT;
}

/* Fold one steal sample (@steal ns stolen in @span ns) into the EWMA. */
static inline void otk_steal_sample(struct otk_pcpu *p, u64 steal, u64 span)
{
	u64 pm = span ? steal * 1000 / span : 0;

	if (pm > 1000)
		pm = 1000;
	p->steal_pm = (u32)((s64)p->steal_pm + ((s64)pm - (s64)p->steal_pm) / 4);
}

/* Fold a measured kick-to-run latency into the mean. */
static inline void otk_wake_sample(struct otk_pcpu *p, u64 lat_ns)
{
	s64 d;

	if (lat_ns > 0xffffffffULL)
		lat_ns = 0xffffffffULL;
	d = (s64)lat_ns - (s64)p->wake_ns;
	p->wake_ns = (u32)((s64)p->wake_ns + d / 8);
}

/*
 * The policy: how long to spin, in ns, before halting.  @oc: the regime,
 * otk_overcommitted() read once by the caller, which may act on it too.
 * @rehalt: the last wait ended without a kick, so only re-check briefly.
 * On an idle host the learnt wake-up latency, kept within spin_min_ns and
 * then spin_max_ns (crossed bounds: spin_max_ns wins); under over-commit
 * oc_spin_ns as set.
 */
static inline u64 otk_budget_ns(const struct otk_pcpu *p,
				const struct otk_params *pp, bool oc, bool rehalt)
{
	u64 b;

	if (oc) {
		b = READ_ONCE(pp->oc_spin_ns);
	} else {
		u64 lo = READ_ONCE(pp->spin_min_ns), hi = READ_ONCE(pp->spin_max_ns);

		b = READ_ONCE(p->wake_ns);
		if (b < lo)
			b = lo;
		if (b > hi)
			b = hi;
	}
	return rehalt ? b / 8 : b;
}

#endif /* __LOCKING_OTICKET_H */

/* The slow paths proper, for includers that defined the machine. */
#if defined(OTK_MACHINE) && !defined(__LOCKING_OTICKET_MACHINE_H)
#define __LOCKING_OTICKET_MACHINE_H

#define otk_param(name)		READ_ONCE(otk_tunables->name)

/*
 * The clock of one spin (otk_spin(), otk_spin_home()).  The budget counts
 * from tc: the start, or with on_holder (spin_on_holder, over-commit) the
 * last time the lock was seen moving; then the whole spin stays within
 * cap.  With runtime (spin_runtime), only time this vCPU ran counts: steal
 * time moves t0 and tc on, so a waiter preempted mid-spin spins its budget
 * when it runs again, rather than halting at once and giving back the pCPU
 * it just got.
 */
struct otk_clock {
	u64	t0, tc;
	u64	steal;		/* otk_steal_ns() at the last check */
	u64	budget, cap;
	bool	oc;		/* over-committed when the spin started */
	bool	runtime, on_holder;
	bool	extended;	/* outlived budget: the lock kept moving */
};

static __always_inline void otk_clock_start(struct otk_clock *c, bool rehalt)
{
	const struct otk_pcpu *p = otk_pcpu_this();

	c->runtime = otk_param(spin_runtime);
	c->steal = c->runtime ? otk_steal_ns() : 0;
	c->t0 = otk_now();
	c->tc = c->t0;
	c->extended = false;
	/* one reading of the regime for the budget and the publish rule */
	c->oc = otk_overcommitted(p, otk_param(oc_steal_pm));
	c->budget = otk_budget_ns(p, otk_tunables, c->oc, rehalt);
	/* a re-check after a spurious wake-up stays short */
	c->on_holder = !rehalt && otk_param(spin_on_holder) && c->oc;
	c->cap = otk_param(oc_spin_max_ns);
	if (c->cap < c->budget)
		c->cap = c->budget;
}

/* Move spin origin @t on by @d stolen ns, never past @now. */
static __always_inline void otk_unsteal(u64 *t, u64 d, u64 now)
{
	*t += d;
	if (*t > now)
		*t = now;
}

/*
 * Now; with @runtime, the steal time since *@steal (which moves on) taken
 * out of the spin: origins *@t0 and, if given, *@tc move on by it.  Shared
 * by o-ticket's clock and oqspin's budget (oqs_spin_over()).
 */
static __always_inline u64 otk_now_unstolen(bool runtime, u64 *steal, u64 *t0,
					    u64 *tc)
{
	u64 st = runtime ? otk_steal_ns() : 0, now = otk_now();

	/* steal before now: a preemption in between is then not spin time */
	if (st > *steal) {
		otk_unsteal(t0, st - *steal, now);
		if (tc)
			otk_unsteal(tc, st - *steal, now);
		*steal = st;
	}
	return now;
}

/* Now, with the steal time since the last check taken out of the spin. */
static __always_inline u64 otk_clock_now(struct otk_clock *c)
{
	return otk_now_unstolen(c->runtime, &c->steal, &c->t0, &c->tc);
}

/* The lock moves at @now: its holder runs, or it changed hands. */
static __always_inline void otk_clock_moved(struct otk_clock *c, u64 now)
{
	if (c->on_holder)
		c->tc = now;
}

/* Has the spin run out at @now? */
static __always_inline bool otk_clock_out(struct otk_clock *c, u64 now)
{
	if (now - c->tc >= c->budget)
		return true;
	if (!c->on_holder)
		return false;
	if (now - c->t0 >= c->cap)
		return true;
	if (!c->extended && now - c->t0 >= c->budget) {
		c->extended = true;	/* counted once per spin */
		otk_ev(otk_spin_on_holder);
	}
	return false;
}

/* A kick at @kick (otk_gnow()) ended a halt at @now: learn its latency. */
static inline void otk_learn_wake(struct otk_pcpu *p, u64 kick, u64 now)
{
	if (now <= kick)
		return;
	otk_hist(wake, now - kick);
	if (!otk_overcommitted(p, otk_param(oc_steal_pm)))
		otk_wake_sample(p, now - kick);
}

static inline struct otk_rec *otk_who_rec(u32 who)
{
	return otk_rec((who - 1) / OTK_LEVELS, (who - 1) % OTK_LEVELS);
}

static inline unsigned long otk_hash(void *lock, u32 ticket)
{
	return hash_long((unsigned long)lock ^ ticket, otk_hash_bits);
}

static inline void otk_hent_free(int s)
{
	WRITE_ONCE(otk_hash_ent(s)->who, 0);
	/* who cleared before the slot reads free: pairs with the lookups */
	smp_store_release(&otk_hash_ent(s)->lock, NULL);
}

/*
 * Start a new incarnation of @r for @ticket of @lock, and free the hash
 * entry that its last wait left behind.
 */
static inline void otk_rec_start(struct otk_rec *r, void *lock, u32 ticket,
				 int cpu, u32 who)
{
	u32 seq = otk_tk_seq(READ_ONCE(r->tk)) + 1;

	if (unlikely(!r->who)) {	/* first use: whose record it is */
		r->cpu = cpu;
		r->who = who;
		r->stale = -1;
	}
	/* unfindable since that wait ended: r->lock and r->slot say so */
	if (r->stale >= 0) {
		otk_hent_free(r->stale);
		r->stale = -1;
	}
	WRITE_ONCE(r->tk, OTK_TK(OTK_RUNNING, 0, ticket, seq));
	WRITE_ONCE(r->slot, -1);
	smp_wmb();	/* seq before lock: pairs with otk_lookup() */
	WRITE_ONCE(r->lock, lock);
}

/*
 * Make @r, waiting on @lock, findable by (lock, ticket).  Only its owner
 * publishes an unpublished record, and nobody can pass over or move an
 * unpublished one, so its ticket is stable here.  Returns false if the
 * probe window is full: the waiter then spins only.
 */
static inline bool otk_publish(void *lock, struct otk_rec *r)
{
	u32 ticket = otk_tk_ticket(READ_ONCE(r->tk));
	unsigned long h = otk_hash(lock, ticket);
	int i;

	for (i = 0; i < OTK_HASH_PROBES; i++) {
		int s = (h + i) & otk_hash_mask;
		struct otk_hent *he = otk_hash_ent(s);
		void *old = NULL;

		if (READ_ONCE(he->lock) || !try_cmpxchg(&he->lock, &old, lock))
			continue;
		WRITE_ONCE(he->ticket, ticket);
		WRITE_ONCE(r->slot, s);
		smp_wmb();	/* slot before who: who != 0 makes it findable */
		WRITE_ONCE(he->who, r->who);
		otk_ev(otk_publish);
		return true;
	}
	otk_ev(otk_publish_full);
	return false;
}

/*
 * The published record waiting for turn @ticket of @lock, with its word in
 * *@tkp; NULL if there is none.  Entries are only pointers: the record
 * itself must say (lock, ticket), within one incarnation (seq), published
 * in this very entry, so a stale or half-written entry is skipped, never
 * believed.
 */
static inline struct otk_rec *otk_lookup(void *lock, u32 ticket, u64 *tkp)
{
	unsigned long h = otk_hash(lock, ticket);
	int i;

	for (i = 0; i < OTK_HASH_PROBES; i++) {
		int s = (h + i) & otk_hash_mask;
		struct otk_hent *he = otk_hash_ent(s);
		struct otk_rec *r;
		u32 who;
		u64 tk;

		if (READ_ONCE(he->lock) != lock ||
		    READ_ONCE(he->ticket) != ticket)
			continue;
		who = READ_ONCE(he->who);
		if (!who)
			continue;
		r = otk_who_rec(who);
		smp_rmb();	/* who, then the record: pairs with otk_publish() */
		tk = READ_ONCE(r->tk);
		smp_rmb();	/* tk, then lock: pairs with otk_rec_start() */
		if (READ_ONCE(r->lock) != lock || otk_tk_ticket(tk) != ticket ||
		    READ_ONCE(r->slot) != s)
			continue;
		smp_rmb();	/* lock and slot, then tk again: same incarnation */
		if (otk_tk_seq(READ_ONCE(r->tk)) != otk_tk_seq(tk))
			continue;
		*tkp = tk;
		return r;
	}
	return NULL;
}

/*
 * The CPU holding @lock, whose word is @v, if the hint names it; -1 if that
 * is not known.  The hint is written only where it will be read, because
 * the write is a cache miss inside the hand-over of a hot lock (sim.rst,
 * "The holder hint, written where it is read"):
 *
 *  - by a stealer past an absent owner, which leaves C at 0; a free steal
 *    counts itself in C and writes nothing, so while C != 0 the holder is
 *    not known;
 *  - by the taker of a turn, if a waiter of the queue may halt (S) or this
 *    host looks over-committed (otk_hint_wanted()): the readers are
 *    waiters deciding to halt or lend their pCPU, and arrivals that wait
 *    out a sleeping owner, which they only do with S set.  Otherwise
 *    the hint keeps what it had, keyed by an older head, and no longer
 *    matches;
 *  - cleared by the taker of the last turn of a queue, if it names a
 *    holder of this lock (otk_hint_clear()): the next queue starts again
 *    at head 0, and a hint left by this one - a steal past an absent
 *    owner at head 0, say - must not name a holder there.
 *
 * A hint can still be wrong if the head wraps (OTK_TICKET_MASK + 1 turns)
 * within one queue while no turn writes it, or for an arrival of the next
 * queue that reads it between the draining take and its clear; a waiter
 * then takes another CPU for the holder, which costs it a yield or an
 * early halt at most.
 *
 * A waiter whose holder is not known neither lends it its pCPU nor halts
 * early for it, and with spin_on_holder does not count it as moving
 * (otk_spin()): a lock held by a free stealer looks like one whose holder
 * stands still.  A waiter that sets S after the turn was taken finds no
 * hint for that turn; the next take writes one.
 */
static inline int otk_holder(void *lock, u32 v)
{
	u64 word;

	if (!(v & OTK_LOCKED) || otk_steals(v))
		return -1;
	word = READ_ONCE(otk_hint_slot(lock)->word);
	if ((word & ~OTK_HINT_CPU) != OTK_HINT(lock, otk_head(v), 0))
		return -1;
	return word & OTK_HINT_CPU;
}

/*
 * Should the taker of a turn that leaves waiters behind write the holder
 * hint?  @v is the word before the take (the take keeps S).
 */
static inline bool otk_hint_wanted(u32 v)
{
	return (v & OTK_SLOW) ||
	       otk_overcommitted(otk_pcpu_this(), otk_param(oc_steal_pm));
}

/*
 * This CPU holds @lock, whose word is now @nv (waiters left).  With
 * @same_likely (a steal: the head did not move, and the stealer is often
 * the last holder) the slot is written only if it changes, so that its
 * waiters keep their copy.
 */
static inline void otk_hint_set(void *lock, u32 nv, bool same_likely)
{
	struct otk_hint *s = otk_hint_slot(lock);
	u64 word = OTK_HINT(lock, otk_head(nv), otk_cpu());

	if (!same_likely || READ_ONCE(s->word) != word)
		WRITE_ONCE(s->word, word);
}

/*
 * The queue of @lock drained: a hint that names a holder of it goes.  The
 * slot is shared with other locks, whose hints stay, and one that already
 * says nothing of @lock is not written: a lock that drains at every
 * hand-over (queues of one) does not move the line.
 */
static inline void otk_hint_clear(void *lock)
{
	struct otk_hint *s = otk_hint_slot(lock);
	u64 word = READ_ONCE(s->word), none = OTK_HINT(lock, OTK_HINT_NONE, 0);

	/* a cmpxchg: another lock of the slot may write it meanwhile */
	if ((word >> 32) == (none >> 32) && (word & ~OTK_HINT_CPU) != none)
		try_cmpxchg(&s->word, &word, none);
}

/*
 * Finish a pass: claimed @v (BYPASSED, its word was @vtk) waits on for
 * ticket @to, found through hash entry @slot, in state @st.
 */
static inline void otk_move(struct otk_rec *v, u64 vtk, u32 to, int slot,
			    u8 st)
{
	WRITE_ONCE(otk_hash_ent(slot)->who, v->who);
	WRITE_ONCE(v->slot, slot);
	/* slot before tk: the owner reads its slot after seeing tk change */
	smp_store_release(&v->tk, OTK_TK(st, otk_tk_nbyp(vtk) + 1, to,
					 otk_tk_seq(vtk)));
}

/* Is the waiter whose word is @tk asleep: halted, or kicked and not yet back? */
static inline bool otk_asleep(u64 tk)
{
	return otk_tk_state(tk) == OTK_HALTED || otk_tk_state(tk) == OTK_KICKED;
}

/* Is the waiter of record @r, whose word is @tk, absent: asleep or preempted? */
static inline bool otk_absent(struct otk_rec *r, u64 tk)
{
	return otk_asleep(tk) ||
	       (otk_tk_state(tk) == OTK_RUNNING && otk_preempted(r->cpu));
}

/* Can the waiter of record @r, whose word is @tk, be passed over now? */
static inline bool otk_passable(struct otk_rec *r, u64 tk)
{
	return otk_tk_nbyp(tk) < otk_param(bypass_max) && otk_absent(r, tk);
}

/*
 * Kick the owner of turn @h, record @r in incarnation @seq whose word is
 * @tk, if it is halted.  A steal may count a pass in its word meanwhile,
 * which is no reason to give up: the kick is what no waiter can do
 * without.
 */
static inline void otk_kick_rec(struct otk_rec *r, u64 tk, u32 h, u32 seq)
{
	do {
		if (otk_tk_state(tk) != OTK_HALTED || otk_tk_ticket(tk) != h ||
		    otk_tk_seq(tk) != seq)
			return;
	} while (!try_cmpxchg(&r->tk, &tk, otk_tk_set_state(tk, OTK_KICKED)));
	WRITE_ONCE(r->kick_ns, otk_gnow());
	otk_ev(otk_kick);
	otk_arch_kick(r->cpu);
}

static inline void otk_kick_turn(void *lock, u32 h)
{
	struct otk_rec *r;
	u64 tk;

	r = otk_lookup(lock, h, &tk);
	if (r)
		otk_kick_rec(r, tk, h, otk_tk_seq(tk));
}

/*
 * A halted waiter owns turn H, or will once the head moves to it: the
 * unlock that hands the turn on must look for it (K).  S with it - the
 * waiter may not have set S yet, and K never goes without S.
 */
static inline void otk_want_kick(atomic_t *word)
{
	atomic_or(OTK_SLOW | OTK_KICK, word);
}

/*
 * Put back a halted owner of turn @h that we claimed (its word was @vtk)
 * and could not pass.  An unlock that ran meanwhile saw it BYPASSED and
 * kicked nobody; if the lock is free now, that unlock is over, and the
 * kick is ours to send (Dekker against otk_unlock_slowpath()'s release).
 */
static inline void otk_unclaim(void *lock, atomic_t *word, struct otk_rec *v,
			       u64 vtk, u32 h)
{
	/* the claim undone after our loads of the word: pairs with otk_sync() */
	smp_store_release(&v->tk, vtk);
	if (otk_tk_state(vtk) != OTK_HALTED)
		return;
	/* the owner of turn H is halted again: the holder's unlock must look */
	otk_want_kick(word);
	smp_mb__after_atomic();	/* HALTED and K before the load of L */
	if (!(atomic_read(word) & OTK_LOCKED))
		otk_kick_turn(lock, h);
}

/* ---- unlock ------------------------------------------------------------ */

/*
 * The unlocker, still holding @lock (word @v), gives turn H, whose owner
 * @hv (word @vtk) is halted, to a running waiter.  Returns true if it did.
 * Nobody else moves tickets while the lock is held; the two owners can
 * only change their own state, and each cmpxchg below fails if they did.
 */
static inline bool otk_handoff(void *lock, u32 v, struct otk_rec *hv, u64 vtk)
{
	u32 h = otk_head(v), w = otk_waiters(v), cand[2], i;
	struct otk_rec *rr;
	u64 rtk;

	/*
	 * A halted owner passed over handoff_max times already has slept
	 * through turns enough: wake it.  Handing it back again and again
	 * puts a lookup and a swap into every turn for as long as it sleeps.
	 * In a queue longer than handoff_waiters, wake it too (see TURNS AND
	 * BYPASS above).
	 */
	if (w < 2 || w > otk_param(handoff_waiters) ||
	    otk_tk_state(vtk) != OTK_HALTED ||
	    otk_tk_nbyp(vtk) >= otk_param(bypass_max) ||
	    otk_tk_nbyp(vtk) >= otk_param(handoff_max))
		return false;

	/* the latest arrival is the likeliest to be running; then the next */
	cand[0] = (otk_tail(v) - 1) & OTK_TICKET_MASK;
	cand[1] = (h + 1) & OTK_TICKET_MASK;
	for (i = 0; i < 2; i++) {
		int rslot, vslot;

		if (i && cand[1] == cand[0])
			break;
		rr = otk_lookup(lock, cand[i], &rtk);
		if (!rr || (otk_tk_state(rtk) != OTK_RUNNING &&
			    otk_tk_state(rtk) != OTK_LOCAL) ||
		    otk_preempted(rr->cpu))
			continue;
		/* claim the halted owner of turn H ... */
		if (!try_cmpxchg(&hv->tk, &vtk,
				 otk_tk_set_state(vtk, OTK_BYPASSED)))
			return false;
		WRITE_ONCE(hv->claimer, otk_cpu());
		/* ... give the runner turn H, unless it just halted ... */
		if (!try_cmpxchg(&rr->tk, &rtk,
				 OTK_TK(OTK_RUNNING, otk_tk_nbyp(rtk), h,
					otk_tk_seq(rtk)))) {
			/* we kick after the release if it is still halted */
			smp_store_release(&hv->tk, vtk);
			continue;
		}
		/* ... and the halted one the runner's ticket and entry. */
		rslot = READ_ONCE(rr->slot);
		vslot = READ_ONCE(hv->slot);
		WRITE_ONCE(otk_hash_ent(vslot)->who, rr->who);
		WRITE_ONCE(rr->slot, vslot);
		otk_move(hv, vtk, cand[i], rslot, OTK_HALTED);
		otk_ev(otk_handoff);
		return true;
	}
	return false;
}

/*
 * Unlock when the fast path's cmpxchg failed: @locked is the byte it saw.
 * With K clear, S or free steals (C) made it fail: release, keep them.
 * With K set, the owner of turn H may be halted and need a kick - or, for
 * o-ticket, a running waiter may take the turn instead - and the release
 * clears K: a kicked owner that halts again sets it again.  While we hold
 * the lock only S and K can change in the byte, and only from 0 to 1; K
 * is never set without S.
 */
static __always_inline void otk_unlock_slowpath(struct qspinlock *lock,
						u8 locked, bool opp)
{
	atomic_t *word = &lock->val;
	struct otk_rec *r;
	u32 v, h;
	u8 orig;
	u64 tk;

	if (unlikely(!(locked & OTK_LOCKED) ||
		     (locked & (OTK_KICK | OTK_SLOW)) == OTK_KICK ||
		     (!opp && (locked & OTK_STEALS_MASK)))) {
		WARN_ONCE(1, "oticket: lock %p has corrupted value %#x\n",
			  lock, atomic_read(word));
		return;
	}
	/*
	 * K clear: release, keeping S and C.  A halt at turn H sets K with an
	 * RmW of the same byte, so the two RmWs are ordered one way or the
	 * other; release order is enough.
	 */
	while (!(locked & OTK_KICK)) {
		if (try_cmpxchg_release(&lock->locked, &locked,
					locked & ~OTK_LOCKED))
			return;
	}
	v = atomic_read(word);	/* the head is ours to move: stable */
	h = otk_head(v);
	r = otk_lookup(lock, h, &tk);
	if (opp && r && otk_handoff(lock, v, r, tk))
		r = otk_lookup(lock, h, &tk);	/* turn H has a new owner */
	/*
	 * Release, then look at turn H's owner again (Dekker with
	 * otk_halt(); xchg() is fully ordered): it may have halted since - the runner of a handoff
	 * too.  An owner that was not findable before may be now.  K is never
	 * set without S, and C needs the lock free: nothing in the byte can
	 * change while we hold it.
	 */
	orig = xchg(&lock->locked, locked & ~(OTK_LOCKED | OTK_KICK));
	/* the lock is released: what we knew, not what is there now */
	WARN_ONCE(orig != locked,
		  "oticket: lock %p changed while held: %#x, not %#x\n",
		  lock, orig, locked);
	if (r)
		otk_kick_rec(r, READ_ONCE(r->tk), h, otk_tk_seq(tk));
	else
		otk_kick_turn(lock, h);
}

/* ---- waiting ----------------------------------------------------------- */

struct otk_wait {
	struct qspinlock *lock;
	atomic_t	*word;		/* &lock->val */
	struct otk_rec	*r;		/* NULL: spin only (nesting, NMI) */
	u64		tk;		/* our record word, as last seen */
	u64		start;		/* otk_now() at entry */
	u32		turn;		/* the turn we took */
	u32		called;		/* the ticket we called ahead for */
	bool		opp;
	bool		rehalt;		/* the last wait ended without a kick */
};

static __always_inline bool otk_published(struct otk_wait *w)
{
	return w->r && READ_ONCE(w->r->slot) >= 0;
}

/*
 * Bring w->tk up to date with our record, and say that we run: a halt we
 * woke from, or a pass that moved us while we slept, leaves HALTED or
 * KICKED there.  Returns false while a pass of ours is in progress
 * (BYPASSED): w->tk is then left alone, so that no claim of ours can
 * succeed on it, and the caller simply looks again later.
 */
static __always_inline bool otk_sync(struct otk_wait *w)
{
	/* a passer's slot and ticket before its tk: pairs with otk_move() */
	u64 tk = smp_load_acquire(&w->r->tk);

	for (;;) {
		switch (otk_tk_state(tk)) {
		case OTK_BYPASSED:
			return false;
		case OTK_HALTED:
		case OTK_KICKED:
			if (!try_cmpxchg(&w->r->tk, &tk,
					 otk_tk_set_state(tk, OTK_RUNNING)))
				continue;
			tk = otk_tk_set_state(tk, OTK_RUNNING);
			fallthrough;
		default:
			if (otk_tk_ticket(tk) != otk_tk_ticket(w->tk))
				w->called = ~0U;	/* moved: a new turn */
			w->tk = tk;
			return true;
		}
	}
}

/*
 * Spinning at home (LOCAL): a waiter OTK_LOCAL_POS or more turns from the
 * head spins on its own record instead of the lock word, so that a release
 * moves the word's line to two waiters, not to all of them (the reason
 * ticket locks stopped scaling).  The waiter whose turn is next - it saw
 * head == its ticket t0 - calls the one OTK_LOCAL_POS - 1 behind it,
 * t = t0 + OTK_LOCAL_POS - 1, back to the word while it waits for its
 * predecessor anyway (otk_spin()): the call costs the holder nothing.
 * Whoever takes a turn looks at the owner of the next one when it did not
 * call ahead for the turn (it took at first sight, or took a turn not its
 * own: the next owner may be at home) or when a waiter may be halted (S):
 * it calls that owner if it is at home, and the one behind it if it is
 * absent - only a waiter on the word can pass an absent owner
 * (otk_next_turn()); so does a passer that leaves the owner it passed the
 * owner of the next turn (otk_bypass()):
 *
 *   waiter (ticket t)                    caller (owner of turn t0)
 *   [RmW] rec: RUNNING -> LOCAL          [L]   word: head == t0
 *   MB (the cmpxchg)                     MB
 *   [L]   word: head < t0? spin on rec,  [L]   rec of ticket t
 *         else back to the word                if LOCAL: -> RUNNING
 *
 * The head moved to t0 by an RmW that the caller's load saw; so either
 * the waiter's load comes after it and sees the waiter near, or the
 * caller's load of the record sees LOCAL.  A call that is missed all the
 * same costs time, not progress: the waiter's spin clock runs out at home
 * and it halts, to be kicked at its turn.  One case is missed: with S
 * clear, nobody looks at a next owner that was called ahead, so if its
 * vCPU is preempted before it sees its turn, the waiter behind it stays
 * at home until its clock runs out, then halts, and cannot pass it.
 *
 * otk_call_rec(): call the waiter of record @r, seen as @tk, back if it is
 * at home.
 */
static inline void otk_call_rec(struct otk_rec *r, u64 tk)
{
	if (otk_tk_state(tk) == OTK_LOCAL &&
	    try_cmpxchg(&r->tk, &tk, otk_tk_set_state(tk, OTK_RUNNING)))
		otk_ev(otk_local_call);
}

/* Call the waiter OTK_LOCAL_POS - 1 behind the owner of turn H of @v. */
static inline void otk_call_near(void *lock, u32 v)
{
	u32 t = (otk_head(v) + OTK_LOCAL_POS - 1) & OTK_TICKET_MASK;
	struct otk_rec *r;
	u64 tk;

	if (otk_waiters(v) < OTK_LOCAL_POS)
		return;		/* nobody that far behind */
	r = otk_lookup(lock, t, &tk);
	if (r)
		otk_call_rec(r, tk);
}

/*
 * Go home (LOCAL) if we are far from the head of word @v, until called
 * back, moved, or the spin clock @c runs out.  With on_holder (over-commit
 * only), a look at the word, the holder hint and the holder's preempted
 * flag every OTK_CHECK_MASK + 1 loops - reads, no write - tells whether the
 * lock moves.  Returns false if we stayed on the word.
 */
static __always_inline bool otk_spin_home(struct otk_wait *w, u32 v,
					  struct otk_clock *c)
{
	u64 run = w->tk, home = otk_tk_set_state(run, OTK_LOCAL), tk = run;
	u32 loop, head, nv;
	u64 now;
	int h;

	if (otk_pos(v, otk_tk_ticket(run)) < OTK_LOCAL_POS)
		return false;
	if (!try_cmpxchg(&w->r->tk, &tk, home))
		return true;		/* moved meanwhile: look again */
	/* the cmpxchg ordered LOCAL before this load */
	v = atomic_read(w->word);
	head = otk_head(v);
	if (otk_pos(v, otk_tk_ticket(home)) >= OTK_LOCAL_POS) {
		otk_ev(otk_local);
		for (loop = 1; READ_ONCE(w->r->tk) == home; loop++) {
			if (loop & OTK_CHECK_MASK) {
				cpu_relax();
				continue;
			}
			now = otk_clock_now(c);
			if (c->on_holder) {
				nv = atomic_read(w->word);
				if (otk_pos(nv, otk_tk_ticket(home)) < OTK_LOCAL_POS)
					break;	/* near: a call-back was missed */
				if (otk_head(nv) != head) {
					otk_clock_moved(c, now);
				} else {
					h = otk_holder(w->lock, nv);
					if (h >= 0 && !otk_preempted(h))
						otk_clock_moved(c, now);
				}
				head = otk_head(nv);
			}
			if (otk_clock_out(c, now))
				break;
			cpu_relax();
		}
	}
	tk = home;
	try_cmpxchg(&w->r->tk, &tk, run);	/* unless called back, or moved */
	return true;
}

/*
 * We took a turn and hold the lock, whose word is now @nv; @called: we
 * called the owner of the next turn near ahead of time (o-ticket).  Look at
 * that owner if a waiter of the queue may be halted (S), or, o-ticket, if
 * we did not call ahead.  Halted and S: set K, so that our unlock looks for
 * it.  At home and not called: call it.  Absent (halted, kicked, or on a
 * preempted vCPU): call the one behind it, which can pass it only from the
 * word (see "Spinning at home" above).  A waiter that halts once it owns
 * turn H sets K itself (otk_halt()); one that halted before is ours to
 * find:
 *
 *   waiter (ticket t)                    taker (of turn t - 1)
 *   [RmW] rec: RUNNING -> HALTED         [RmW] word: head t - 1 -> t
 *   [RmW] word |= S; MB                  MB
 *   [L]   word: head == t?               [L]   rec of ticket t: HALTED?
 *         then word |= K itself                then word |= K
 */
static __always_inline void otk_next_turn(struct otk_wait *w, u32 nv,
					  bool called)
{
	struct otk_rec *r;
	u64 tk;
	u8 st;

	if (!(nv & OTK_SLOW) && (called || !w->opp || !otk_waiters(nv)))
		return;
	r = otk_lookup(w->lock, otk_head(nv), &tk);
	if (!r)
		return;
	st = otk_tk_state(tk);
	if (st == OTK_HALTED && (nv & OTK_SLOW)) {
		otk_want_kick(w->word);
		otk_ev(otk_mark);
	}
	if (!w->opp)
		return;
	if (st == OTK_LOCAL) {
		if (!called)
			otk_call_rec(r, tk);
		return;
	}
	/* absent: the one behind it must be on the word to pass it */
	if (otk_absent(r, tk))
		otk_call_near(w->lock, nv);
}

/*
 * Take turn @h of word @v, claimed by us - our own, or one we pass over:
 * nobody else can take it, but a steal may hold the lock across it for a
 * while.  Returns false if the lock is held (stolen); the caller backs out
 * of its claim.
 */
static __always_inline bool otk_take(struct otk_wait *w, u32 v, u32 h)
{
	u32 nv;

	do {
		if (v & OTK_LOCKED)
			return false;
		nv = otk_acquired(v, h);
	} while (!atomic_try_cmpxchg_acquire(w->word, &v, nv));
	if (w->opp || (nv & OTK_SLOW))
		smp_mb__after_atomic();	/* take, then look: call-back, next owner */
	w->turn = h;
	if (w->opp) {
		if (nv == OTK_LOCKED)
			otk_hint_clear(w->lock);	/* drained */
		else if (otk_hint_wanted(v))
			otk_hint_set(w->lock, nv, false);
	}
	/* called ahead: only ever for our own ticket (otk_sync() resets it) */
	otk_next_turn(w, nv, w->called == h);
	return true;
}

/*
 * Our turn came (word @v): take it.  Returns false if we were passed over
 * first or the lock was stolen meanwhile.
 */
static __always_inline bool otk_take_turn(struct otk_wait *w, u32 v)
{
	u64 tk = w->tk;

	if (!w->opp || !otk_published(w))
		return otk_take(w, v, otk_tk_ticket(tk));
	/* findable: a passer may race us for the turn */
	if (!try_cmpxchg(&w->r->tk, &tk, otk_tk_set_state(tk, OTK_TAKING)))
		return false;
	if (otk_take(w, v, otk_tk_ticket(tk)))
		return true;
	WRITE_ONCE(w->r->tk, w->tk);	/* nobody claims a TAKING record */
	return false;
}

/*
 * Pass over the owner of turn H of word @v, which is not running, and
 * take the lock.  Returns false if it could not be passed over; then
 * *@stuck is the owner's CPU if it is preempted and was passed over as
 * often as allowed (a directed yield to it is all that helps), else -1.
 */
static __always_inline bool otk_bypass(struct otk_wait *w, u32 v, int *stuck)
{
	u32 h = otk_head(v);
	u64 mine = w->tk, vtk;
	struct otk_rec *hv;
	int vslot, slot;

	if (!otk_published(w))
		return false;
	hv = otk_lookup(w->lock, h, &vtk);
	if (!hv || hv == w->r)
		return false;
	if (!otk_passable(hv, vtk)) {
		if (otk_tk_state(vtk) == OTK_RUNNING &&
		    otk_tk_nbyp(vtk) >= otk_param(bypass_max) &&
		    otk_preempted(hv->cpu))
			*stuck = hv->cpu;
		return false;
	}
	/*
	 * Claim ourselves first: we may be the one another passer thinks is
	 * preempted, and the ticket we hand on must be the one we hold.
	 */
	if (!try_cmpxchg(&w->r->tk, &mine, otk_tk_set_state(mine, OTK_TAKING)))
		return false;
	if (!try_cmpxchg(&hv->tk, &vtk, otk_tk_set_state(vtk, OTK_BYPASSED))) {
		WRITE_ONCE(w->r->tk, mine);	/* nobody claims a TAKING record */
		return false;
	}
	WRITE_ONCE(hv->claimer, otk_cpu());
	/* Turn H is ours: its owner cannot take it, nor can another passer. */
	vslot = READ_ONCE(hv->slot);	/* claimed: it cannot leave */
	if (vslot < 0 || !otk_take(w, atomic_read(w->word), h)) {
		/* not findable after all, or stolen meanwhile: undo */
		otk_unclaim(w->lock, w->word, hv, vtk, h);
		WRITE_ONCE(w->r->tk, mine);
		return false;
	}
	/*
	 * It takes our ticket and our entry; its own entry is unfindable
	 * once it moves (otk_lookup() checks the record's slot), and is
	 * freed at our next start, off the hand-over.  Our stale is free:
	 * otk_rec_start() emptied it, and this wait ends here with our slot
	 * at -1, so its end parks nothing.
	 */
	slot = READ_ONCE(w->r->slot);
	w->r->stale = vslot;	/* only this CPU touches stale */
	WRITE_ONCE(w->r->slot, -1);
	otk_move(hv, vtk, otk_tk_ticket(mine), slot,
		 otk_tk_state(vtk) == OTK_HALTED ? OTK_HALTED : OTK_RUNNING);
	/*
	 * The owner we passed owns the next turn now: if halted, our unlock
	 * must look (K, S); halted or not, it is absent, and the one behind
	 * it can pass it only from the word.
	 */
	v = atomic_read(w->word);
	if (otk_head(v) == otk_tk_ticket(mine)) {
		if (otk_tk_state(vtk) == OTK_HALTED)
			otk_want_kick(w->word);
		otk_call_near(w->lock, v);
	}
	otk_ev(otk_bypass);
	return true;
}

enum otk_spun {
	OTK_GOT,		/* took the lock */
	OTK_TIMEOUT,		/* the budget ran out */
	OTK_HOLDER_PREEMPTED,	/* the holder's vCPU is not running */
};

/*
 * Spin for the lock until the spin clock (struct otk_clock) runs out.
 * Returns how it ended; *@holder is the holder's CPU if known, *@loops the
 * loops spun.
 */
static __always_inline enum otk_spun otk_spin(struct otk_wait *w, int *holder,
					      u32 *loops)
{
	struct otk_clock c = {};
	u64 now, idle_since = 0;
	u32 loop, v, idle_head = 0, moving = 0, head_seen;
	bool yielded = false, home_done = false, synced = true, pre;
	bool held_seen = false;
	int stuck;

	if (w->opp)
		otk_clock_start(&c, w->rehalt);
	v = atomic_read(w->word);
	head_seen = otk_head(v);
	/*
	 * Far from the head: findable at once, so that we wait at home from
	 * the first loop, before the checks below read the holder's lines.
	 */
	if (w->opp && w->r && !otk_published(w) &&
	    otk_pos(v, otk_tk_ticket(w->tk)) >= OTK_LOCAL_POS)
		otk_publish(w->lock, w->r);
	*holder = -1;
	for (loop = 0;; loop++) {
		/* an unlocker may have given us turn H (otk_handoff()) */
		if (w->opp && otk_published(w))
			synced = otk_sync(w);
		v = atomic_read(w->word);
		if (synced && otk_turn(v, otk_tk_ticket(w->tk)) &&
		    otk_take_turn(w, v))
			break;
		/* our turn is next (and not free, or lost): call ahead */
		if (w->opp && synced && otk_head(v) == otk_tk_ticket(w->tk) &&
		    w->called != otk_head(v)) {
			w->called = otk_head(v);
			if (otk_waiters(v) >= OTK_LOCAL_POS) {
				smp_mb();	/* head, then record: see above */
				otk_call_near(w->lock, v);
			}
		}
		if (!w->opp) {
			if (loop >= OTK_PVT_SPIN)
				goto timeout;
			cpu_relax();
			continue;
		}
		if (synced && !home_done && otk_published(w) &&
		    otk_spin_home(w, v, &c)) {
			if (otk_clock_out(&c, otk_clock_now(&c))) {
				/* out at home: one check on the word, no more */
				home_done = true;
				c.on_holder = false;
				loop |= OTK_CHECK_MASK;
			}
			continue;
		}
		if (loop & OTK_CHECK_MASK) {
			cpu_relax();
			continue;
		}
		now = otk_clock_now(&c);
		if (otk_head(v) != head_seen) {
			head_seen = otk_head(v);
			otk_clock_moved(&c, now);	/* turns go by */
		}
		/*
		 * Over-committed, a waiter may lose its pCPU at any moment -
		 * pause-loop exiting takes it after a microsecond or two of
		 * spinning - and one that cannot be found cannot be passed
		 * over: its turn would stand still until it runs again.
		 */
		if (w->r && !otk_published(w) &&
		    now - w->start >= (c.oc ? otk_param(oc_publish_ns) :
				       otk_param(publish_ns)))
			otk_publish(w->lock, w->r);
		if (!synced) {
			/* a pass of ours stalls: its passer may be preempted */
			if (++moving > 1 && !yielded) {
				yielded = otk_arch_yield(READ_ONCE(w->r->claimer));
				if (yielded)
					otk_ev(otk_yield_owner);
			}
		} else if (!(v & OTK_LOCKED)) {
			/* free with no progress: is turn H's owner there? */
			if (held_seen)
				otk_clock_moved(&c, now);	/* released */
			held_seen = false;
			if (!idle_since || otk_head(v) != idle_head) {
				idle_since = now;
				idle_head = otk_head(v);
			} else if (now - idle_since >= otk_param(idle_ns)) {
				stuck = -1;
				if (otk_bypass(w, v, &stuck))
					break;
				if (stuck >= 0 && !yielded) {
					/* it alone may take the lock: lend it our pCPU */
					yielded = otk_arch_yield(stuck);
					if (yielded)
						otk_ev(otk_yield_owner);
				}
			}
		} else {
			idle_since = 0;
			held_seen = true;
			*holder = otk_holder(w->lock, v);
			pre = *holder >= 0 && otk_preempted(*holder);
			if (*holder >= 0 && !pre)
				otk_clock_moved(&c, now);	/* held, running */
			if (pre && otk_param(early)) {
				/*
				 * Lend the holder our pCPU once; then halt,
				 * unless we are next: the holder's release
				 * would then wait for our wake-up.
				 */
				if (!yielded && otk_arch_yield(*holder)) {
					yielded = true;
					otk_ev(otk_yield_holder);
				} else if (otk_pos(v, otk_tk_ticket(w->tk))) {
					*loops = loop;
					return OTK_HOLDER_PREEMPTED;
				}
			}
		}
		if (synced && otk_clock_out(&c, now))
			goto timeout;
		cpu_relax();
	}
	*loops = loop;
	return OTK_GOT;
timeout:
	*loops = loop;
	return OTK_TIMEOUT;
}

/* Learn from a wake-up; @st is the state we found on waking. */
static __always_inline void otk_woke(struct otk_wait *w, u8 st)
{
	struct otk_pcpu *p = otk_pcpu_this();
	u64 kick, now;

	w->rehalt = st != OTK_KICKED;
	if (st == OTK_HALTED) {
		otk_ev(otk_spurious_wakeup);
		return;
	}
	if (st != OTK_KICKED) {	/* kicked, then passed over; or moving */
		otk_ev(otk_wakeup_passed);
		return;
	}
	if (!w->opp)
		return;
	kick = READ_ONCE(w->r->kick_ns);
	now = otk_gnow();
	otk_learn_wake(p, kick, now);
}

/*
 * Halt accounting for the regime (otk_window()): the outermost halt in
 * progress, from otk_halt_begin() to otk_halt_end(), less the steal time
 * in between - a kicked vCPU that waits for a pCPU wanted to run, and that
 * wait is the host's doing - goes into halt_ns.  Interrupt handlers and
 * softirqs that run inside the halt (it waits with interrupts on) count as
 * halted: telling them apart would cost clock reads in every handler, and
 * a halt the handlers lengthen is still time the waiter did not spin.  A
 * halt nested in it (an interrupt's slow path) only moves the depth.  The
 * depth goes up before the clocks are read and down after halt_ns is
 * written, so an interrupt in between sees a halt in progress: at worst
 * its own halt is not counted, never counted twice.  An interrupt leaves
 * the depth as it found it, so the plain increments lose no update.  Not
 * in NMI (which does not halt).
 */
struct otk_halt_clock {
	u64	t0, steal;
	bool	outer;		/* the outermost halt: it counts */
};

static __always_inline void otk_halt_begin(struct otk_halt_clock *hc)
{
	struct otk_pcpu *p = otk_pcpu_this();
	u32 depth;

	hc->outer = false;
	if (otk_in_nmi())
		return;
	depth = READ_ONCE(p->halt_depth);
	WRITE_ONCE(p->halt_depth, depth + 1);
	if (depth)
		return;
	hc->outer = true;
	/* steal before now, as in otk_now_unstolen() */
	hc->steal = otk_steal_ns();
	hc->t0 = otk_now();
}

static __always_inline void otk_halt_end(struct otk_halt_clock *hc)
{
	struct otk_pcpu *p = otk_pcpu_this();

	if (otk_in_nmi())
		return;
	if (hc->outer) {
		/* t0 moves on by the steal time of the halt */
		u64 now = otk_now_unstolen(true, &hc->steal, &hc->t0, NULL);

		WRITE_ONCE(p->halt_ns, READ_ONCE(p->halt_ns) + (now - hc->t0));
	}
	WRITE_ONCE(p->halt_depth, READ_ONCE(p->halt_depth) - 1);
}

/*
 * Halt until kicked, or woken for another reason; the spin loop then
 * carries on.  @holder and @loops are hints for the hypervisor; @early:
 * the holder was seen preempted.
 */
static __always_inline void otk_halt(struct otk_wait *w, int holder, u32 loops,
				     bool early)
{
	struct pvlock_wait_hint hint;
	struct otk_halt_clock hc;
	u64 tk = w->tk;
	u32 v;

	if (!otk_published(w) && !otk_publish(w->lock, w->r))
		return;		/* cannot be found: keep spinning */
	if (!try_cmpxchg(&w->r->tk, &tk, otk_tk_set_state(tk, OTK_HALTED)))
		return;		/* passed over, or moved, meanwhile */
	if (!(atomic_read(w->word) & OTK_SLOW))
		atomic_or(OTK_SLOW, w->word);
	smp_mb();	/* HALTED and S before the loads below */
	/*
	 * A pass may have moved us to another ticket meanwhile: the passer
	 * wrote our new ticket before its release, so it is visible now.
	 */
	tk = smp_load_acquire(&w->r->tk);
	v = atomic_read(w->word);
	if (otk_tk_state(tk) != OTK_HALTED || otk_turn(v, otk_tk_ticket(tk))) {
		otk_sync(w);	/* the spin loop takes it from here */
		return;
	}
	/*
	 * The owner of turn H, the lock held: its unlock must look for us.
	 * A K set already is the holder's to act on (otk_next_turn()).
	 */
	if (otk_head(v) == otk_tk_ticket(tk) && !(v & OTK_KICK)) {
		v = atomic_fetch_or(OTK_KICK, w->word);
		if (otk_turn(v, otk_tk_ticket(tk))) {
			otk_sync(w);
			return;
		}
	}
	hint.pos = otk_pos(v, otk_tk_ticket(tk));
	hint.cpu = holder;
	hint.flags = holder >= 0 ? PVLOCK_HINT_HOLDER : 0;
	hint.spun = loops;
	otk_ev(otk_wait);
	if (early)
		otk_ev(otk_wait_early);
	otk_halt_begin(&hc);
	otk_arch_wait((u8 *)&w->r->tk, OTK_HALTED, &hint);
	otk_halt_end(&hc);
	/* what a kicker or passer wrote before it changed our state */
	otk_woke(w, otk_tk_state(smp_load_acquire(&w->r->tk)));
	otk_sync(w);
}

/*
 * At slow-path entry, on word @v just read: if the lock is free, take it
 * without a ticket (a word that moved meanwhile fails the cmpxchg) and
 * leave the turn to its owner, who finds the lock held and waits on.  The
 * first steal_max steals after a take only count themselves in C; after that,
 * only if the owner of the turn is not there, which counts it as a pass
 * and clears C: each pass of an absent owner buys steal_max free steals,
 * so that a lock whose owner of the turn is preempted for long looks the
 * owner up once per steal_max + 1 steals, not at every one.
 * Returns true if we hold the lock.
 */
static __always_inline bool otk_steal_from(struct qspinlock *lock, u32 v)
{
	struct otk_rec *r;
	u32 nv;
	bool free_steal;
	u64 tk;

	if ((v & OTK_LOCKED) || !otk_waiters(v) || !otk_param(steal))
		return false;
	free_steal = otk_steals(v) < otk_param(steal_max);
	if (!free_steal) {
		r = otk_lookup(lock, otk_head(v), &tk);
		if (!r || !otk_passable(r, tk))
			return false;
		/* count the pass first: a count without the steal only protects it */
		if (!try_cmpxchg(&r->tk, &tk, tk + OTK_NBYP_ONE))
			return false;
	}
	nv = otk_stolen(v, free_steal);
	if (!atomic_try_cmpxchg_acquire(&lock->val, &v, nv))
		return false;
	if (free_steal) {
		otk_ev(otk_steal_free);
	} else {
		/* C is 0 again: the hint must name us (often the last holder) */
		otk_hint_set(lock, nv, true);
		otk_ev(otk_steal);
	}
	return true;
}

/*
 * An arrival that found the lock held while the owner of turn H sleeps
 * (halted, or kicked and not yet running) and nobody else near the head
 * is there to take the turn: spin for the lock - at most the budget a
 * queued waiter spins in this regime, otk_budget_ns() - and take it with
 * otk_steal_from(), on the word just read, when it comes free, instead of
 * queueing behind the sleeper.
 * Returns true if we hold the lock.
 *
 * Without it, a hot lock convoys: its waiters halt, each turn goes to a
 * halted owner, and the lock stands free for a kick-to-run latency at
 * every turn while the vCPUs that run queue up behind and halt in turn.
 * Under over-commit that is the rule.  On an idle host it happens too:
 * the halts of a busy lock's waiters leave pCPUs idle - the regime reads
 * them right - and every turn still waits for a wake-up (sim.rst,
 * "Waiting out a sleeper on an idle host").  There an arrival waits out
 * the sleeper only while C, the free steals since the last take or
 * counted pass, is below idle_wait_steals (at most steal_max, where C
 * stops): many free steals mean that arrivals - often the CPU that just
 * released the lock, its lines still in its cache - keep it busy without
 * the owner, and a spinner would only compete with them for the word; few
 * mean that the lock stands free between arrivals.  So on an idle host
 * the wait takes free steals only: the gate and the steal see one word,
 * and a word that moved fails the cmpxchg.  Its spinners are not counted:
 * a busy lock may have several on its word for up to the idle budget
 * each.
 *
 * pvqspinlock's arrivals spin for the lock for as long as the queue head
 * does not (pv_hybrid_queued_unfair_trylock()).  Here the
 * steals are otk_steal_from()'s, so the bound is the one of TURNS AND BYPASS:
 * steal_max free steals per take or counted pass, and a pass counted in
 * the sleeping owner's record for each steal beyond them.  A spinner that
 * loses the race for the word under over-commit may leave a pass counted
 * without a steal;
 * that only makes the owner's bound tighter.  The SPIN models let an
 * arrival steal once; a spinner's later tries are the same steps again,
 * as another arrival's would be.
 *
 * It does not wait out a lock whose queue has nobody halted (S clear),
 * whose holder is known to be preempted (the queued waiter lends it the
 * pCPU instead, see "the holder" under POLICY; a free stealer is not
 * known, otk_holder()), or whose next owner but one runs: the
 * waiter at H + 1 passes an absent owner itself (otk_bypass()), and an
 * arrival would jump it.  Nor an owner that is only preempted, or
 * spinning: that lock is moving, and an arrival spinning for it takes it
 * from the CPU that just released it and comes straight back, the
 * cheapest next holder there is.  These are looked at every
 * OTK_CHECK_MASK + 1 loops; free steals may still go to an arrival
 * in between, as at entry.
 */
static inline bool otk_steal_wait(struct qspinlock *lock, u32 v)
{
	const struct otk_pcpu *p = otk_pcpu_this();
	u64 t0 = 0, budget = 0, tk;
	u32 loop, idle_max = 0;
	struct otk_rec *r;
	bool oc;
	int h;

	if (!otk_param(steal))
		return false;
	oc = otk_overcommitted(p, otk_param(oc_steal_pm));
	if (!oc) {
		/* C stops at steal_max: a gate above it would never close */
		idle_max = min(otk_param(idle_wait_steals), otk_param(steal_max));
		if (!idle_max)
			return false;
	}
	for (loop = 0;; loop++) {
		/* loop 0 looks at the word the entry's steal saw: no miss */
		if (loop)
			v = atomic_read(&lock->val);
		/* nobody queued or nobody halted: queue (next, or behind runners) */
		if (!otk_waiters(v) || !(v & OTK_SLOW))
			return false;
		/* arrivals keep it busy: a spinner would only compete for it */
		if (idle_max && otk_steals(v) >= idle_max) {
			otk_ev(otk_steal_wait_busy);
			return false;
		}
		if (!loop) {
			budget = otk_budget_ns(p, otk_tunables, oc, false);
			if (!budget)
				return false;
			t0 = otk_now();
		} else if (!(v & OTK_LOCKED) && otk_steal_from(lock, v)) {
			otk_ev(otk_steal_waited);
			return true;
		}
		if (!(loop & OTK_CHECK_MASK)) {
			if (loop && otk_now() - t0 >= budget)
				return false;
			h = otk_holder(lock, v);
			if (h >= 0 && otk_preempted(h))
				return false;
			r = otk_lookup(lock, otk_head(v), &tk);
			if (!r || !otk_asleep(tk) || !otk_passable(r, tk))
				return false;
			if (otk_waiters(v) >= 2) {
				r = otk_lookup(lock, (otk_head(v) + 1) & OTK_TICKET_MASK, &tk);
				if (r && !otk_asleep(tk) && !otk_preempted(r->cpu))
					return false;
			}
		}
		cpu_relax();
	}
}

/*
 * Sample the steal time once a window is over (otk_window()), as a share of
 * the time this vCPU wanted to run: the window less its halts in our slow
 * paths.  Per window of wall time the regime would fool itself - waiters
 * that halt leave the host's run queues short, steal time falls, and the
 * idle-host budget makes them halt the more (sim.rst, "The regime
 * selector, judged on run time").  Halts in the guest's idle loop still
 * count as run time, as before.  Not in NMI; an interrupt may sample in
 * between (the slow path runs in any context): whoever claims clock_last
 * first samples, the other does not.
 */
static __always_inline void otk_regime_update(void)
{
	struct otk_pcpu *p = otk_pcpu_this();
	u64 now, last, halt, slast, steal, run = 0;
	enum otk_window win;

	if (otk_in_nmi())
		return;
	now = otk_now();
	last = READ_ONCE(p->clock_last);
	halt = READ_ONCE(p->halt_ns);
	win = otk_window(p, now, halt, &run);
	if (win == OTK_WIN_WAIT)
		return;
	/*
	 * Claim the window: an interrupt that sampled since we looked moved
	 * clock_last, and our claim fails.  While we hold it, clock_last is
	 * OTK_WIN_CLAIMED, which otk_window() reads as not over (now is
	 * below it): an interrupt in between, however late, leaves the
	 * window alone, and the new one starts only once its start is all
	 * written.  Only this CPU contends: no LOCK prefix.
	 */
	if (!try_cmpxchg_local(&p->clock_last, &last, OTK_WIN_CLAIMED))
		return;
	slast = READ_ONCE(p->steal_last);
	steal = otk_steal_ns();
	WRITE_ONCE(p->steal_last, steal);
	WRITE_ONCE(p->halt_last, halt);
	if (win == OTK_WIN_SAMPLE && steal >= slast)
		otk_steal_sample(p, steal - slast, run);
	barrier();	/* the window's start, then the window open again */
	WRITE_ONCE(p->clock_last, now);
}

/*
 * The slow path proper: take a ticket, wait for a turn, take the lock.
 * @opp selects o-ticket over pvticket.  Returns the turn taken - turns are
 * served in order, whoever takes them (the tests' FIFO check) - or
 * OTK_NO_TURN for a steal.
 */
static __always_inline u32 otk_lock_slowpath(struct qspinlock *lock, bool opp)
{
	struct otk_wait w = { .lock = lock, .word = &lock->val, .opp = opp,
			      .called = ~0U };
	int cpu = otk_cpu();
	u32 ticket;
	int holder, lvl;
	u32 loops;

	otk_ev(otk_slowpath);
	if (opp) {
		/*
		 * A steal, at once or after waiting out a sleeping owner,
		 * takes no ticket and needs no record.
		 */
		u32 v = atomic_read(&lock->val);

		if (otk_steal_from(lock, v))
			return OTK_NO_TURN;
		otk_regime_update();
		if (otk_steal_wait(lock, v))
			return OTK_NO_TURN;
	}
	lvl = otk_nest_enter();
	w.start = otk_now();
	ticket = otk_tail(atomic_fetch_add(OTK_TAIL_ONE, w.word));
	/* an NMI cannot halt (pvlock_wait() returns at once): spin only */
	if (lvl >= 0 && !otk_in_nmi()) {
		w.r = otk_rec(cpu, lvl);
		otk_rec_start(w.r, lock, ticket, cpu,
			      cpu * OTK_LEVELS + lvl + 1);
		w.tk = READ_ONCE(w.r->tk);
	} else {
		w.tk = OTK_TK(OTK_RUNNING, 0, ticket, 0);
	}

	for (;;) {
		enum otk_spun why = otk_spin(&w, &holder, &loops);

		if (why == OTK_GOT)
			break;
		if (!w.r)	/* spin only */
			continue;
		otk_hist(spin, otk_now() - w.start);
		otk_halt(&w, holder, loops, why == OTK_HOLDER_PREEMPTED);
	}

	if (w.r) {
		int s = READ_ONCE(w.r->slot);

		/*
		 * Unfindable from here on (otk_lookup() checks slot and
		 * lock); the entry itself is freed at our next start: a
		 * store to a line that others probe, kept out of the
		 * hand-over (sim.rst, "The holder hint, written where it is
		 * read").
		 */
		if (s >= 0) {
			w.r->stale = s;
			WRITE_ONCE(w.r->slot, -1);
		}
		WRITE_ONCE(w.r->lock, NULL);
	}
	/* an interrupt on this level's record starts after these stores */
	barrier();
	if (lvl >= 0)
		otk_nest_exit();
	return w.turn;
}

#endif /* OTK_MACHINE */
