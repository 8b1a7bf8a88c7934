// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the oticket slow paths: the ticket encoding in the
 * qspinlock word and the record word, the spin policy and its signals, the
 * host hook refusals, and turn order, mutual exclusion and the bypass bound
 * under more kthreads than CPUs.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/kvm_para.h>
#include <linux/oticket.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/kvm_pvlock.h>
#include <asm/qspinlock.h>

#include "oticket.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define word(locked, head, tail)					\
	((locked) | (head) << OTK_HEAD_OFFSET | (u32)(tail) << OTK_TAIL_OFFSET)

struct enc_case {
	const char	*name;
	u32		v;		/* a handover word: L == 0 */
	u32		ticket;		/* the ticket at head */
	u32		after;		/* word once @ticket took the lock */
	u32		waiters;
};

static const struct enc_case enc_cases[] = {
	{ "last waiter resets to the fast-path word",
	  word(0U, 0U, 1U), 0, OTK_LOCKED, 1 },
	{ "head moves on while others wait",
	  word(0, 0, 3), 0, word(1, 1, 3), 3 },
	{ "head wraps at 4096",
	  word(0, 4095, 2), 4095, word(1, 0, 2), 3 },
	{ "last waiter across the wrap resets",
	  word(0, 4095, 0), 4095, OTK_LOCKED, 1 },
	{ "full queue of 4095 waiters",
	  word(0, 1, 0), 1, word(1, 2, 0), 4095 },
	{ "a halted waiter keeps S set",
	  word(OTK_SLOW, 0, 3), 0, word(OTK_SLOW | 1, 1, 3), 3 },
	{ "S goes when the queue drains",
	  word(OTK_SLOW, 2, 3), 2, OTK_LOCKED, 1 },
	{ "a turn taken clears the free steals",
	  word(OTK_SLOW | 5 * OTK_STEAL_ONE, 0, 3), 0, word(OTK_SLOW | 1, 1, 3), 3 },
	{ "free steals go when the queue drains",
	  word(OTK_STEALS_MASK, 2, 3), 2, OTK_LOCKED, 1 },
	{ "a turn taken clears K: its taker looks at the next owner",
	  word(OTK_SLOW | OTK_KICK, 0, 3), 0, word(OTK_SLOW | 1, 1, 3), 3 },
	{ "K and S go when the queue drains",
	  word(OTK_SLOW | OTK_KICK, 2, 3), 2, OTK_LOCKED, 1 },
};

static void enc_case_desc(const struct enc_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(enc, enc_cases, enc_case_desc);

static void otk_test_encoding(struct kunit *test)
{
	const struct enc_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, otk_waiters(c->v), c->waiters);
	KUNIT_EXPECT_EQ(test, otk_pos(c->v, c->ticket), 0U);
	KUNIT_EXPECT_EQ(test, otk_acquired(c->v, c->ticket), c->after);
	/* the locked byte: L, and S while anybody is left behind */
	KUNIT_EXPECT_EQ(test, otk_acquired(c->v, c->ticket) & OTK_LOCKED_MASK,
			(c->waiters > 1 ? c->v & OTK_SLOW : 0) | OTK_LOCKED);
}

struct steal_case {
	const char	*name;
	u32		v;		/* a free word with waiters */
	bool		free;		/* a free steal, or past an absent owner */
	u32		after;
};

static const struct steal_case steal_cases[] = {
	{ "a free steal counts itself in C",
	  word(0U, 0U, 1U), true, word(OTK_STEAL_ONE | 1, 0, 1) },
	{ "a free steal keeps S, K, head and tail",
	  word(OTK_SLOW | OTK_KICK | 2 * OTK_STEAL_ONE, 4095, 2), true,
	  word(OTK_SLOW | OTK_KICK | 3 * OTK_STEAL_ONE | 1, 4095, 2) },
	{ "the last free steal fills C",
	  word((OTK_STEALS_MAX - 1) * OTK_STEAL_ONE, 1, 3), true,
	  word(OTK_STEALS_MASK | 1, 1, 3) },
	{ "a steal past an absent owner clears C",
	  word(OTK_SLOW | OTK_STEALS_MASK, 7, 9), false,
	  word(OTK_SLOW | 1, 7, 9) },
	{ "a steal past an absent owner with C clear",
	  word(0U, 0U, 1U), false, word(1U, 0U, 1U) },
	{ "a steal past an absent owner keeps S and K",
	  word(OTK_SLOW | OTK_KICK | OTK_STEALS_MASK, 7, 9), false,
	  word(OTK_SLOW | OTK_KICK | 1, 7, 9) },
};

static void steal_case_desc(const struct steal_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(steal, steal_cases, steal_case_desc);

static void otk_test_steal_word(struct kunit *test)
{
	const struct steal_case *c = test->param_value;
	u32 nv = otk_stolen(c->v, c->free);

	KUNIT_EXPECT_EQ(test, nv, c->after);
	/* a steal takes no turn and hands out no ticket */
	KUNIT_EXPECT_EQ(test, otk_head(nv), otk_head(c->v));
	KUNIT_EXPECT_EQ(test, otk_tail(nv), otk_tail(c->v));
	KUNIT_EXPECT_EQ(test, otk_waiters(nv), otk_waiters(c->v));
}

/* Replay the state table: the word is 0 exactly when free and unqueued. */
static void otk_test_zero_iff_free(struct kunit *test)
{
	u32 v = OTK_LOCKED;		/* fast-path holder */

	v += OTK_TAIL_ONE;		/* ticket 0 */
	v += OTK_TAIL_ONE;		/* ticket 1 */
	v |= OTK_SLOW;			/* ticket 1 halted */
	KUNIT_EXPECT_EQ(test, otk_waiters(v), 2U);
	KUNIT_EXPECT_EQ(test, otk_pos(v, 1), 1U);
	v &= ~OTK_LOCKED;		/* unlock: handover, not free */
	KUNIT_EXPECT_NE(test, v, 0U);
	KUNIT_EXPECT_TRUE(test, otk_turn(v, 0));
	KUNIT_EXPECT_FALSE(test, otk_turn(v, 1));
	v = otk_acquired(v, 0);
	KUNIT_EXPECT_EQ(test, otk_pos(v, 1), 0U);
	KUNIT_EXPECT_EQ(test, v & OTK_SLOW, OTK_SLOW);	/* still halted */
	v &= ~OTK_LOCKED;
	KUNIT_EXPECT_NE(test, v, 0U);
	v = otk_acquired(v, 1);
	KUNIT_EXPECT_EQ(test, v, OTK_LOCKED);		/* S goes with the queue */
	v &= ~OTK_LOCKED;
	KUNIT_EXPECT_EQ(test, v, 0U);
}

/* The record word: every field round-trips, the state is the low byte. */
static void otk_test_record_word(struct kunit *test)
{
	u64 tk = OTK_TK(OTK_KICKED, 7, 4095, 0xdeadbeef);

	KUNIT_EXPECT_EQ(test, otk_tk_state(tk), (u8)OTK_KICKED);
	KUNIT_EXPECT_EQ(test, otk_tk_nbyp(tk), 7U);
	KUNIT_EXPECT_EQ(test, otk_tk_ticket(tk), 4095U);
	KUNIT_EXPECT_EQ(test, otk_tk_seq(tk), 0xdeadbeefU);
	KUNIT_EXPECT_EQ(test, *(u8 *)&tk, (u8)OTK_KICKED);
	tk = otk_tk_set_state(tk, OTK_BYPASSED);
	KUNIT_EXPECT_EQ(test, otk_tk_state(tk), (u8)OTK_BYPASSED);
	KUNIT_EXPECT_EQ(test, otk_tk_ticket(tk), 4095U);
	KUNIT_EXPECT_EQ(test, otk_tk_seq(tk), 0xdeadbeefU);
}

struct budget_case {
	const char	*name;
	u32		steal_pm;
	u32		wake_ns;
	bool		rehalt;
	u64		expect;
	u32		spin_min_ns, spin_max_ns;	/* 0: the default */
};

/* with the defaults: oc_steal_pm 50, oc_spin 10 us, bounds 2 us .. 1 ms */
static const struct budget_case budget_cases[] = {
	{ "idle host: one wake-up latency", 0, 40000, false, 40000 },
	{ "idle host: at least spin_min", 10, 500, false, 2000 },
	{ "idle host: at most spin_max", 50, 5000000, false, 1000000 },
	{ "over-committed: oc_spin", 51, 40000, false, 10000 },
	{ "over-committed, whatever the wake-up", 900, 5000000, false, 10000 },
	{ "re-halt after a spurious wake-up: 1/8", 0, 40000, true, 5000 },
	{ "re-halt under over-commit: 1/8", 300, 40000, true, 1250 },
	{ "idle host, bounds crossed: spin_max wins", 0, 40000, false, 1000000,
	  3000000, 1000000 },
	{ "idle host, bounds crossed, short wake: spin_max", 0, 500, false, 1000000,
	  3000000, 1000000 },
	{ "over-commit: oc_spin_ns, not the idle bounds", 300, 40000, false, 10000,
	  20000, 30000 },
};

static void budget_case_desc(const struct budget_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(budget, budget_cases, budget_case_desc);

static void otk_test_budget(struct kunit *test)
{
	const struct budget_case *c = test->param_value;
	struct otk_params pp = OTK_PARAMS_DEFAULT;
	struct otk_pcpu p = { .steal_pm = c->steal_pm, .wake_ns = c->wake_ns };

	if (c->spin_min_ns)
		pp.spin_min_ns = c->spin_min_ns;
	if (c->spin_max_ns)
		pp.spin_max_ns = c->spin_max_ns;
	KUNIT_EXPECT_EQ(test, otk_budget_ns(&p, &pp, otk_overcommitted(&p, pp.oc_steal_pm),
					    c->rehalt), c->expect);
}

/* Set tunable @name to @v through the parameter setter. */
static int otk_set(const char *name, u32 v, u32 *old)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", v);
	return oticket_test_param_set(name, s, old);
}

/*
 * The parameter setter: a value out of range or not a number is refused,
 * and the idle-host bounds are taken in either order (the command line
 * applies them in the order given), also crossed.
 */
static void otk_test_param_set(struct kunit *test)
{
	u32 min0, max0, hm0, hw0, iw0, old;

	KUNIT_ASSERT_EQ(test, otk_set("spin_min_ns", 2000, &min0), 0);
	KUNIT_ASSERT_EQ(test, otk_set("spin_max_ns", 1000000, &max0), 0);
	KUNIT_EXPECT_EQ(test, otk_set("spin_min_ns", 3000000, &old), 0);
	KUNIT_EXPECT_EQ(test, otk_set("spin_max_ns", 4000000, &old), 0);
	KUNIT_EXPECT_EQ(test, otk_set("spin_max_ns", 1000000, &old), 0);
	KUNIT_EXPECT_EQ(test, old, 4000000U);
	/* spins are bounded to 10 ms */
	KUNIT_EXPECT_EQ(test, otk_set("spin_max_ns", 10000001, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("oc_spin_max_ns", 10000001, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("oc_spin_ns", 10000001, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("bypass_max", 4096, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_max", 4096, &old), -ERANGE);
	KUNIT_ASSERT_EQ(test, otk_set("handoff_max", 4095, &hm0), 0);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_max", 0, &old), 0);
	KUNIT_EXPECT_EQ(test, old, 4095U);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_max", hm0, &old), 0);
	/*
	 * At most OTK_MAX_CPUS - 1 tickets are out; a hand-off needs two
	 * waiters (handoff_max=0 turns hand-offs off, not this).  A refused
	 * value leaves the parameter as it was.
	 */
	KUNIT_ASSERT_EQ(test, otk_set("handoff_waiters", 2, &hw0), 0);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_waiters", 0, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_waiters", 1, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_waiters", OTK_MAX_CPUS, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_waiters", OTK_MAX_CPUS - 1, &old), 0);
	KUNIT_EXPECT_EQ(test, old, 2U);
	KUNIT_EXPECT_EQ(test, otk_set("handoff_waiters", hw0, &old), 0);
	KUNIT_EXPECT_EQ(test, old, OTK_MAX_CPUS - 1);
	/* C has five bits */
	KUNIT_EXPECT_EQ(test, otk_set("steal_max", OTK_STEALS_MAX + 1, &old), -ERANGE);
	KUNIT_ASSERT_EQ(test, otk_set("steal_max", OTK_STEALS_MAX, &hm0), 0);
	KUNIT_EXPECT_EQ(test, otk_set("steal_max", hm0, &old), 0);
	KUNIT_EXPECT_EQ(test, old, OTK_STEALS_MAX);
	/* compared with C: 0 (never) up to C's largest value */
	KUNIT_EXPECT_EQ(test, otk_set("idle_wait_steals", OTK_STEALS_MAX + 1, &old),
			-ERANGE);
	KUNIT_ASSERT_EQ(test, otk_set("idle_wait_steals", 0, &iw0), 0);
	KUNIT_EXPECT_EQ(test, otk_set("idle_wait_steals", OTK_STEALS_MAX, &old), 0);
	KUNIT_EXPECT_EQ(test, old, 0U);
	KUNIT_EXPECT_EQ(test, otk_set("idle_wait_steals", iw0, &old), 0);
	KUNIT_EXPECT_EQ(test, old, OTK_STEALS_MAX);
	KUNIT_EXPECT_EQ(test, otk_set("oc_publish_ns", 1000000001, &old), -ERANGE);
	KUNIT_EXPECT_EQ(test, oticket_test_param_set("bypass_max", "x", &old), -EINVAL);
	KUNIT_EXPECT_EQ(test, otk_set("no_such", 1, &old), -ENOENT);
	KUNIT_EXPECT_EQ(test, otk_set("spin_min_ns", 2000, &old), 0);
	KUNIT_EXPECT_EQ(test, old, 3000000U);
	/* put back what the guest had */
	KUNIT_EXPECT_EQ(test, otk_set("spin_min_ns", min0, &old), 0);
	KUNIT_EXPECT_EQ(test, otk_set("spin_max_ns", max0, &old), 0);
}

#define MS	1000000ULL

struct window_case {
	const char	*name;
	u64		clock_last, halt_last;	/* the window's start */
	u64		now, halt;
	enum otk_window	expect;
	u64		run;			/* on OTK_WIN_SAMPLE */
	u32		halt_depth;
};

static const struct window_case window_cases[] = {
	{ "first call: start", 0, 0, 5 * MS, 0, OTK_WIN_RESTART },
	{ "under a window: wait", 10 * MS, 0, 10 * MS + MS - 1, 0, OTK_WIN_WAIT },
	{ "clock behind the start: wait", 10 * MS, 0, 9 * MS, 0, OTK_WIN_WAIT },
	{ "never halted: the whole window", 10 * MS, 7 * MS, 11 * MS, 7 * MS,
	  OTK_WIN_SAMPLE, MS },
	{ "halted half: the other half", 10 * MS, 0, 12 * MS, MS,
	  OTK_WIN_SAMPLE, MS },
	{ "run just enough", 10 * MS, 0, 11 * MS, MS - OTK_STEAL_RUN_NS,
	  OTK_WIN_SAMPLE, OTK_STEAL_RUN_NS },
	{ "run too short: the window grows", 10 * MS, 0, 11 * MS,
	  MS - OTK_STEAL_RUN_NS + 1, OTK_WIN_WAIT },
	{ "halted all the window: grows", 10 * MS, 0, 20 * MS, 10 * MS,
	  OTK_WIN_WAIT },
	{ "grown too long: start again", 10 * MS, 0,
	  10 * MS + OTK_STEAL_SPAN_MAX_NS, OTK_STEAL_SPAN_MAX_NS, OTK_WIN_RESTART },
	{ "long, with run enough: one sample", 10 * MS, 0,
	  10 * MS + OTK_STEAL_SPAN_MAX_NS, OTK_STEAL_SPAN_MAX_NS - MS,
	  OTK_WIN_SAMPLE, MS },
	{ "a halt in progress: not over", 10 * MS, 0, 12 * MS, 0, OTK_WIN_WAIT,
	  0, 1 },
	{ "halt_ns behind halt_last (an interrupt sampled): wait", 10 * MS,
	  3 * MS, 12 * MS, 2 * MS, OTK_WIN_WAIT },
	{ "claimed by a sampler this interrupt cut short: wait",
	  OTK_WIN_CLAIMED, 0, 100 * MS, 0, OTK_WIN_WAIT },
};

static void window_case_desc(const struct window_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(window, window_cases, window_case_desc);

/* When a steal window is over, and on how much run time it is judged. */
static void otk_test_window(struct kunit *test)
{
	const struct window_case *c = test->param_value;
	struct otk_pcpu p = { .clock_last = c->clock_last,
			      .halt_last = c->halt_last,
			      .halt_depth = c->halt_depth };
	u64 run = 0;

	KUNIT_EXPECT_EQ(test, (int)otk_window(&p, c->now, c->halt, &run),
			(int)c->expect);
	if (c->expect == OTK_WIN_SAMPLE)
		KUNIT_EXPECT_EQ(test, run, c->run);
}

/*
 * A vCPU halted 80% of each 10 ms window with 4% of the wall clock stolen
 * got a pCPU for 80% of the time it wanted one: over-committed.  Judged per
 * window of wall time, the rule before otk_window(), 4% is under the 5%
 * threshold, and the host would pass for idle.
 */
static void otk_test_regime_halted(struct kunit *test)
{
	struct otk_params pp = OTK_PARAMS_DEFAULT;
	struct otk_pcpu p = { .wake_ns = OTK_WAKE_INIT_NS };
	u64 run = 0;
	int i;

	p.clock_last = 10 * MS;
	KUNIT_ASSERT_EQ(test, (int)otk_window(&p, 20 * MS, 8 * MS, &run),
			(int)OTK_WIN_SAMPLE);
	KUNIT_ASSERT_EQ(test, run, 2 * MS);
	for (i = 0; i < 32; i++)
		otk_steal_sample(&p, 400000, run);
	KUNIT_EXPECT_GE(test, p.steal_pm, 190U);
	KUNIT_EXPECT_TRUE(test, otk_overcommitted(&p, pp.oc_steal_pm));
	/* the same steal per window of wall time would have read idle */
	for (i = 0; i < 32; i++)
		otk_steal_sample(&p, 400000, 10 * MS);
	KUNIT_EXPECT_FALSE(test, otk_overcommitted(&p, pp.oc_steal_pm));
}

/* The regime follows steal time, and the wake-up mean its samples. */
static void otk_test_signals_converge(struct kunit *test)
{
	struct otk_params pp = OTK_PARAMS_DEFAULT;
	struct otk_pcpu p = { .wake_ns = OTK_WAKE_INIT_NS };
	int i;

	for (i = 0; i < 32; i++)
		otk_steal_sample(&p, 600000, 1000000);	/* 60% stolen */
	KUNIT_EXPECT_GE(test, p.steal_pm, 590U);
	KUNIT_EXPECT_TRUE(test, otk_overcommitted(&p, pp.oc_steal_pm));
	for (i = 0; i < 32; i++)
		otk_steal_sample(&p, 0, 1000000);
	KUNIT_EXPECT_LE(test, p.steal_pm, 5U);
	KUNIT_EXPECT_FALSE(test, otk_overcommitted(&p, pp.oc_steal_pm));
	for (i = 0; i < 32; i++)
		otk_steal_sample(&p, 5000000, 1000000);	/* clamped at 100% */
	KUNIT_EXPECT_GE(test, p.steal_pm, 990U);
	KUNIT_EXPECT_LE(test, p.steal_pm, 1000U);

	for (i = 0; i < 64; i++)
		otk_wake_sample(&p, 20000);
	KUNIT_EXPECT_GT(test, p.wake_ns, 19000U);
	KUNIT_EXPECT_LE(test, p.wake_ns, 20100U);
}

struct refusal_case {
	const char		*name;
	enum pvlock_mode	mode;
	long			ver;
	bool			tdx, sev_es;
	bool			refused;
};

static const struct refusal_case refusal_cases[] = {
	{ "oticket, host with the hook", PVLOCK_OTICKET, 1, false, false, false },
	{ "oqspin, host with the hook", PVLOCK_OQSPIN, 1, false, false, false },
	{ "pvticket never uses it", PVLOCK_PVTICKET, 1, false, false, true },
	{ "host without the hook", PVLOCK_OTICKET, -KVM_ENOSYS, false, false, true },
	{ "unknown newer version", PVLOCK_OTICKET, 2, false, false, true },
	{ "version 0", PVLOCK_OTICKET, 0, false, false, true },
	{ "TDX guest", PVLOCK_OTICKET, 1, true, false, true },
	{ "SEV-ES/SNP guest", PVLOCK_OTICKET, 1, false, true, true },
	{ "SEV-ES/SNP guest, oqspin", PVLOCK_OQSPIN, 1, false, true, true },
};

static void refusal_case_desc(const struct refusal_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusal_cases, refusal_case_desc);

static void otk_test_hook_refusal(struct kunit *test)
{
	const struct refusal_case *c = test->param_value;
	const char *why = kvm_pvlock_hook_refusal(c->mode, c->ver, c->tdx,
						  c->sev_es);

	KUNIT_EXPECT_EQ_MSG(test, !!why, c->refused, "%s", why ?: "used");
}

/*
 * Free steals, one CPU: a lock that is free with a waiter (turn 0, owner
 * nowhere to be found) is stolen steal_max times, each counted in C and
 * kept by the release, S too; K goes with the release that looked for the
 * owner of the turn; then the lock is refused.  The lock is static, so
 * that the holder hint and the lock events it leaves behind name a lock
 * nobody else uses.  Words are checked after preempt_enable().
 */
static struct qspinlock otk_steal_lock;

static void otk_test_free_steals(struct kunit *test)
{
	u32 held[3] = {}, after[3] = {}, last, old, i;
	bool took[3] = {}, again;

	/* the slow paths need the hash table */
	if (pvlock_active() != PVLOCK_PVTICKET && pvlock_active() != PVLOCK_OTICKET)
		kunit_skip(test, "the guest runs %s, not a ticket mode",
			   pvlock_name(pvlock_active()));
	atomic_set(&otk_steal_lock.val, OTK_TAIL_ONE);
	KUNIT_ASSERT_EQ(test, otk_set("steal_max", 3, &old), 0);
	preempt_disable();
	for (i = 0; i < 3; i++) {
		took[i] = oticket_test_steal(&otk_steal_lock);
		if (!took[i])
			break;		/* not ours to unlock */
		held[i] = atomic_read(&otk_steal_lock.val);
		if (i == 1)	/* a waiter halted further back */
			atomic_or(OTK_SLOW, &otk_steal_lock.val);
		if (i == 2)	/* the owner of turn 0 halted */
			atomic_or(OTK_KICK, &otk_steal_lock.val);
		oticket_test_unlock(&otk_steal_lock, true);
		after[i] = atomic_read(&otk_steal_lock.val);
	}
	/* C is full and the owner of turn 0 cannot be found */
	again = i == 3 && oticket_test_steal(&otk_steal_lock);
	last = atomic_read(&otk_steal_lock.val);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, otk_set("steal_max", old, &old), 0);

	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, took[i]);
		KUNIT_EXPECT_EQ(test, held[i],
				OTK_TAIL_ONE | (i + 1) * OTK_STEAL_ONE |
				(i == 2 ? OTK_SLOW : 0) | OTK_LOCKED);
		KUNIT_EXPECT_EQ(test, after[i],
				OTK_TAIL_ONE | (i + 1) * OTK_STEAL_ONE |
				(i >= 1 ? OTK_SLOW : 0));
	}
	KUNIT_EXPECT_FALSE(test, again);
	KUNIT_EXPECT_EQ(test, last, OTK_TAIL_ONE | 3 * OTK_STEAL_ONE | OTK_SLOW);
}

/*
 * Who a waiter takes for the holder (otk_holder()): the taker of turn 0 of
 * a lock nobody else uses wrote the hint, with S set.  The hint is believed
 * for a held word with that head and no free steal counted in C, and for
 * nothing else.
 */
static struct qspinlock otk_holder_lock;

struct holder_case {
	const char *name;
	u32 v;		/* the word the waiter reads */
	bool ours;	/* the hint's CPU, or not known */
};

static const struct holder_case holder_cases[] = {
	{ "held after the take", word(OTK_SLOW | OTK_LOCKED, 1, 3), true },
	{ "held after the take, K set",
	  word(OTK_SLOW | OTK_KICK | OTK_LOCKED, 1, 3), true },
	{ "held by a free stealer",
	  word(OTK_SLOW | OTK_STEAL_ONE | OTK_LOCKED, 1, 3), false },
	{ "held by a free stealer, C full",
	  word(OTK_SLOW | OTK_STEALS_MASK | OTK_LOCKED, 1, 3), false },
	{ "a later turn", word(OTK_SLOW | OTK_LOCKED, 2, 3), false },
	{ "free", word(OTK_SLOW, 1, 3), false },
	{ "head 0 of a later queue", word(OTK_LOCKED, 0, 2), false },
};

static void holder_case_desc(const struct holder_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(holder, holder_cases, holder_case_desc);

static void otk_test_holder(struct kunit *test)
{
	const struct holder_case *c = test->param_value;
	int cpu, got, i;

	/* the slot is shared with other locks: a write may come in between */
	for (i = 0; i < 10; i++) {
		preempt_disable();
		cpu = smp_processor_id();
		oticket_test_hint_set(&otk_holder_lock,
				      word(OTK_SLOW | OTK_LOCKED, 1, 3));
		got = oticket_test_holder(&otk_holder_lock, c->v);
		preempt_enable();
		if (!c->ours || got == cpu)
			break;
	}
	KUNIT_EXPECT_EQ(test, got, c->ours ? cpu : -1);
}

/*
 * The taker of the last turn of a queue clears a hint that names a holder
 * of the lock, even on a host that does not look over-committed (where a
 * take that leaves waiters behind writes nothing): the next queue starts
 * again at head 0 and must not find a holder named there by this one.
 * One CPU, in the real slow path: a free word with head = tail = 5 (a
 * synthetic word: a drained lock reads 0) sends it there, its ticket 5 is
 * served at once, and the take drains the queue.
 * oc_steal_pm 1000 makes the host never over-committed: steal_pm is at
 * most 1000, and otk_overcommitted() wants more than oc_steal_pm.
 */
static struct qspinlock otk_drain_lock;

static void otk_test_drain_hint(struct kunit *test)
{
	u32 held0 = word(OTK_LOCKED, 0, 2), old, after = 0;
	int cpu = -1, before = -1, got = -1, turn = -1, i;

	if (pvlock_active() != PVLOCK_OTICKET)
		kunit_skip(test, "the guest runs %s, not oticket",
			   pvlock_name(pvlock_active()));
	/* never over-committed: only the drain rule can write the hint */
	KUNIT_ASSERT_EQ(test, otk_set("oc_steal_pm", 1000, &old), 0);
	/* the slot is shared with other locks: a write may come in between */
	for (i = 0; i < 10; i++) {
		preempt_disable();
		cpu = smp_processor_id();
		oticket_test_hint_set(&otk_drain_lock, held0);
		before = oticket_test_holder(&otk_drain_lock, held0);
		atomic_set(&otk_drain_lock.val, word(0, 5, 5));
		turn = oticket_test_lock(&otk_drain_lock, true);
		after = atomic_read(&otk_drain_lock.val);
		got = oticket_test_holder(&otk_drain_lock, held0);
		oticket_test_unlock(&otk_drain_lock, true);
		preempt_enable();
		if (before == cpu && got == -1)
			break;
	}
	KUNIT_EXPECT_EQ(test, otk_set("oc_steal_pm", old, &old), 0);
	KUNIT_EXPECT_EQ(test, before, cpu);
	KUNIT_EXPECT_EQ(test, turn, 5);
	KUNIT_EXPECT_EQ(test, after, (u32)OTK_LOCKED);
	KUNIT_EXPECT_EQ(test, got, -1);
	KUNIT_EXPECT_EQ(test, atomic_read(&otk_drain_lock.val), 0);
}

/* ---- turn order, exclusion and the bypass bound, concurrent kthreads -- */

struct fifo_run {
	struct qspinlock	lock;
	bool			opp;
	unsigned long		deadline;
	atomic_t		inside;
	atomic_t		running;
	struct completion	done;
	/* written only under @lock */
	unsigned long		count;
	u32			expect;		/* head left by the last holder */
	u32			queued;		/* waiters the last holder saw */
	unsigned long		fifo_errors;
	unsigned long		bound_errors;
	unsigned long		tickets;
	unsigned long		steals;
	unsigned long		run, run_max;	/* steals in a row */
	/* written once per thread */
	atomic_long_t		acquired;
	atomic_t		overlap;
};

static int fifo_thread(void *arg)
{
	struct fifo_run *r = arg;
	unsigned long mine = 0;

	while (time_before(jiffies, r->deadline)) {
		int t;

		preempt_disable();
		t = oticket_test_lock(&r->lock, r->opp);
		if (atomic_inc_return(&r->inside) != 1)
			atomic_inc(&r->overlap);
		/*
		 * Turns are served in order, whoever takes them.  Without a
		 * turn: pvticket only through the fast path, on a free and
		 * unqueued word; o-ticket also by stealing a free lock from
		 * the queue (arrival steal), which leaves the turns alone.
		 */
		if (t == OTICKET_TEST_FAST) {
			/* the word was 0: nobody may have been queued */
			if (r->queued)
				r->fifo_errors++;
		} else if (t == OTICKET_TEST_STEAL) {
			if (r->opp)
				r->steals++;
			else
				r->fifo_errors++;
		} else if (t < 0 || (u32)t != r->expect) {
			r->fifo_errors++;
		}
		r->run = t == OTICKET_TEST_STEAL ? r->run + 1 : 0;
		r->run_max = max(r->run, r->run_max);
		if (t >= 0) {
			r->tickets++;
			if (r->opp &&
			    oticket_test_passes() > oticket_test_bypass_max())
				r->bound_errors++;
		}
		r->expect = otk_head(atomic_read(&r->lock.val));
		r->queued = otk_waiters(atomic_read(&r->lock.val));
		r->count++;
		atomic_dec(&r->inside);
		oticket_test_unlock(&r->lock, r->opp);
		preempt_enable();
		mine++;
		if (!(mine & 63))
			cond_resched();
	}
	atomic_long_add(mine, &r->acquired);
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

/*
 * @bypass_max, @steal_max: set for the run, -1 leaves them.  With
 * bypass_max 0 the only steals are free ones: at most steal_max in a row.
 */
static void otk_test_fifo(struct kunit *test, bool opp, int bypass_max,
			  int steal_max)
{
	int n = max(4U, 2 * num_online_cpus()), i;
	struct fifo_run *r;
	u32 old = 0, old_steal = 0;

	/* the slow paths need the hash table and a KVM host to halt on */
	if (pvlock_active() != PVLOCK_PVTICKET && pvlock_active() != PVLOCK_OTICKET)
		kunit_skip(test, "the guest runs %s, not a ticket mode",
			   pvlock_name(pvlock_active()));

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->opp = opp;
	r->deadline = jiffies + 3 * HZ;
	/* a bound the run can reach: the default, 4095, it cannot */
	if (bypass_max >= 0)
		KUNIT_ASSERT_EQ(test, otk_set("bypass_max", bypass_max, &old), 0);
	if (steal_max >= 0)
		KUNIT_ASSERT_EQ(test, otk_set("steal_max", steal_max, &old_steal), 0);
	atomic_set(&r->running, n);
	init_completion(&r->done);

	for (i = 0; i < n; i++) {
		struct task_struct *k;

		k = kthread_run(fifo_thread, r, "otk_fifo/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	}
	wait_for_completion(&r->done);
	if (bypass_max >= 0)
		KUNIT_EXPECT_EQ(test, otk_set("bypass_max", old, &old), 0);
	if (steal_max >= 0)
		KUNIT_EXPECT_EQ(test, otk_set("steal_max", old_steal, &old), 0);

	kunit_info(test, "%d kthreads on %u CPUs: %lu taken, %lu by ticket, %lu stolen, %lu in a row\n",
		   n, num_online_cpus(), r->count, r->tickets, r->steals, r->run_max);
	if (bypass_max == 0 && steal_max >= 0)
		KUNIT_EXPECT_LE(test, r->run_max, (unsigned long)steal_max);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->overlap), 0);
	KUNIT_EXPECT_EQ(test, r->fifo_errors, 0UL);
	KUNIT_EXPECT_EQ(test, r->bound_errors, 0UL);
	KUNIT_EXPECT_EQ(test, (unsigned long)atomic_long_read(&r->acquired),
			r->count);
	KUNIT_EXPECT_GT(test, r->tickets, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->lock.val), 0);
}

static void otk_test_fifo_pvticket(struct kunit *test)
{
	otk_test_fifo(test, false, -1, -1);
}

static void otk_test_fifo_oticket(struct kunit *test)
{
	otk_test_fifo(test, true, -1, -1);
}

static void otk_test_fifo_oticket_bound2(struct kunit *test)
{
	otk_test_fifo(test, true, 2, -1);
}

static void otk_test_fifo_oticket_free2(struct kunit *test)
{
	otk_test_fifo(test, true, 0, 2);
}

static struct kunit_case oticket_cases[] = {
	KUNIT_CASE_PARAM(otk_test_encoding, enc_gen_params),
	KUNIT_CASE_PARAM(otk_test_steal_word, steal_gen_params),
	KUNIT_CASE(otk_test_zero_iff_free),
	KUNIT_CASE(otk_test_record_word),
	KUNIT_CASE_PARAM(otk_test_budget, budget_gen_params),
	KUNIT_CASE(otk_test_param_set),
	KUNIT_CASE(otk_test_signals_converge),
	KUNIT_CASE_PARAM(otk_test_window, window_gen_params),
	KUNIT_CASE(otk_test_regime_halted),
	KUNIT_CASE_PARAM(otk_test_hook_refusal, refusal_gen_params),
	KUNIT_CASE(otk_test_free_steals),
	KUNIT_CASE_PARAM(otk_test_holder, holder_gen_params),
	KUNIT_CASE(otk_test_drain_hint),
	KUNIT_CASE_SLOW(otk_test_fifo_pvticket),
	KUNIT_CASE_SLOW(otk_test_fifo_oticket),
	KUNIT_CASE_SLOW(otk_test_fifo_oticket_bound2),
	KUNIT_CASE_SLOW(otk_test_fifo_oticket_free2),
	{}
};

static struct kunit_suite oticket_suite = {
	.name = "oticket",
	.test_cases = oticket_cases,
};

kunit_test_suite(oticket_suite);

MODULE_DESCRIPTION("KUnit tests for the oticket slow paths");
MODULE_LICENSE("GPL");
