// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the oticket slow paths: the ticket encoding in the
 * qspinlock word, spin budget adaptation, and FIFO order with mutual
 * exclusion under more kthreads than CPUs.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/oticket.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/qspinlock.h>

#include "oticket.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define word(locked, head, tail)					\
	((locked) | (head) << OTK_HEAD_OFFSET | (u32)(tail) << OTK_TAIL_OFFSET)

struct enc_case {
	const char	*name;
	u32		v;		/* a handover word: locked == 0 */
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
	KUNIT_EXPECT_EQ(test, otk_acquired(c->v, c->ticket) & OTK_LOCKED_MASK,
			OTK_LOCKED);
}

/* Replay the state table: the word is 0 exactly when free and unqueued. */
static void otk_test_zero_iff_free(struct kunit *test)
{
	u32 v = OTK_LOCKED;		/* fast-path holder */

	v += OTK_TAIL_ONE;		/* ticket 0 */
	v += OTK_TAIL_ONE;		/* ticket 1 */
	KUNIT_EXPECT_EQ(test, otk_waiters(v), 2U);
	KUNIT_EXPECT_EQ(test, otk_pos(v, 1), 1U);
	v -= OTK_LOCKED;		/* unlock: handover, not free */
	KUNIT_EXPECT_NE(test, v, 0U);
	v = otk_acquired(v, 0);
	KUNIT_EXPECT_EQ(test, otk_pos(v, 1), 0U);
	v -= OTK_LOCKED;
	KUNIT_EXPECT_NE(test, v, 0U);
	v = otk_acquired(v, 1);
	KUNIT_EXPECT_EQ(test, v, OTK_LOCKED);
	v -= OTK_LOCKED;
	KUNIT_EXPECT_EQ(test, v, 0U);
}

static void otk_test_budget(struct kunit *test)
{
	struct otk_adapt a = { .thresh = 4096 };

	KUNIT_EXPECT_EQ(test, otk_budget(&a, 0), 4096U);
	KUNIT_EXPECT_EQ(test, otk_budget(&a, 1), 2048U);
	KUNIT_EXPECT_EQ(test, otk_budget(&a, 2), OTK_SPIN_MIN);
	KUNIT_EXPECT_EQ(test, otk_budget(&a, 4000), OTK_SPIN_MIN);
	a.thresh = OTK_SPIN_MIN;
	KUNIT_EXPECT_EQ(test, otk_budget(&a, 1), OTK_SPIN_MIN);
}

struct adapt_case {
	const char		*name;
	u32			thresh;
	enum otk_outcome	o;
	u32			spun;
	u32			expect;
};

static const struct adapt_case adapt_cases[] = {
	{ "quick spin leaves it", 4096, OTK_SPUN, 100, 4096 },
	{ "near miss grows 1/8", 4096, OTK_SPUN, 3000, 4608 },
	{ "short halt grows 1/4", 4096, OTK_HALTED_SHORT, 0, 5120 },
	{ "long halt shrinks 1/8", 4096, OTK_HALTED_LONG, 0, 3584 },
	{ "bounded above", OTK_SPIN_MAX, OTK_HALTED_SHORT, 0, OTK_SPIN_MAX },
	{ "bounded below", OTK_SPIN_MIN, OTK_HALTED_LONG, 0, OTK_SPIN_MIN },
};

static void adapt_case_desc(const struct adapt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(adapt, adapt_cases, adapt_case_desc);

static void otk_test_adapt(struct kunit *test)
{
	const struct adapt_case *c = test->param_value;
	struct otk_adapt a = { .thresh = c->thresh, .wake_ns = 10000 };

	KUNIT_EXPECT_EQ(test, otk_adapt_update(&a, c->o, c->spun),
			c->expect);
	KUNIT_EXPECT_EQ(test, a.thresh, c->expect);
}

static void otk_test_adapt_converges(struct kunit *test)
{
	struct otk_adapt a = { .thresh = OTK_SPIN_INIT, .wake_ns = 0 };
	int i;

	for (i = 0; i < 64; i++)
		otk_adapt_wake(&a, 20000);
	KUNIT_EXPECT_GT(test, a.wake_ns, 19000U);
	KUNIT_EXPECT_LE(test, a.wake_ns, 20000U);
	KUNIT_EXPECT_EQ(test, otk_halt_outcome(&a, 30000), OTK_HALTED_SHORT);
	KUNIT_EXPECT_EQ(test, otk_halt_outcome(&a, 400000), OTK_HALTED_LONG);
	for (i = 0; i < 200; i++)
		otk_adapt_update(&a, OTK_HALTED_LONG, 0);
	KUNIT_EXPECT_EQ(test, a.thresh, OTK_SPIN_MIN);
	for (i = 0; i < 200; i++)
		otk_adapt_update(&a, OTK_HALTED_SHORT, 0);
	KUNIT_EXPECT_EQ(test, a.thresh, OTK_SPIN_MAX);
}

/* ---- FIFO and mutual exclusion under concurrent kthreads ------------- */

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
	unsigned long		fifo_errors;
	unsigned long		tickets;
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
		if ((t < 0 && r->expect != 0) ||
		    (t >= 0 && (u32)t != r->expect))
			r->fifo_errors++;
		if (t >= 0)
			r->tickets++;
		r->expect = otk_head(atomic_read(&r->lock.val));
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

static void otk_test_fifo(struct kunit *test, bool opp)
{
	int n = max(4U, 2 * num_online_cpus()), i;
	struct fifo_run *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->opp = opp;
	r->deadline = jiffies + 3 * HZ;
	atomic_set(&r->running, n);
	init_completion(&r->done);

	for (i = 0; i < n; i++) {
		struct task_struct *k;

		k = kthread_run(fifo_thread, r, "otk_fifo/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	}
	wait_for_completion(&r->done);

	kunit_info(test, "%d kthreads on %u CPUs: %lu acquisitions, %lu by ticket\n",
		   n, num_online_cpus(), r->count, r->tickets);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->overlap), 0);
	KUNIT_EXPECT_EQ(test, r->fifo_errors, 0UL);
	KUNIT_EXPECT_EQ(test, (unsigned long)atomic_long_read(&r->acquired),
			r->count);
	KUNIT_EXPECT_GT(test, r->tickets, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->lock.val), 0);
}

static void otk_test_fifo_pvticket(struct kunit *test)
{
	otk_test_fifo(test, false);
}

static void otk_test_fifo_oticket(struct kunit *test)
{
	otk_test_fifo(test, true);
}

static struct kunit_case oticket_cases[] = {
	KUNIT_CASE_PARAM(otk_test_encoding, enc_gen_params),
	KUNIT_CASE(otk_test_zero_iff_free),
	KUNIT_CASE(otk_test_budget),
	KUNIT_CASE_PARAM(otk_test_adapt, adapt_gen_params),
	KUNIT_CASE(otk_test_adapt_converges),
	KUNIT_CASE_SLOW(otk_test_fifo_pvticket),
	KUNIT_CASE_SLOW(otk_test_fifo_oticket),
	{}
};

static struct kunit_suite oticket_suite = {
	.name = "oticket",
	.test_cases = oticket_cases,
};

kunit_test_suite(oticket_suite);

MODULE_DESCRIPTION("KUnit tests for the oticket slow paths");
MODULE_LICENSE("GPL");
