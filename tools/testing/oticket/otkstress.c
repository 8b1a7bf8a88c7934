// SPDX-License-Identifier: GPL-2.0
/*
 * otkstress - the pvticket and o-ticket slow paths of kernel/locking/oticket.h
 * compiled in userspace and hammered by more threads than cores.
 *
 * Threads play CPUs.  The hypervisor is modelled after KVM: a halt blocks
 * until a kick, and a kick that comes first is latched (pv_unhalted), so a
 * lost wake-up shows as a thread that never wakes: the watchdog reports it
 * and the run fails.  Holders are "preempted" inside the critical section
 * (sched_yield) and otk_preempted() answers at random, to drive the early
 * halt and the preempted-next-holder kick.
 *
 * Checked in every critical section: mutual exclusion, FIFO order (the
 * ticket that takes the lock is the head the previous holder left), and at
 * the end the count of critical sections and a free, unqueued word (0).
 *
 * Build with -fsanitize=address,undefined (make test does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- the kernel API oticket.h uses --------------------------------- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#define U64_MAX		((u64)~0ULL)
#define min(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
typedef int64_t s64;
typedef struct { int counter; } atomic_t;
struct qspinlock {
	union {
		atomic_t	val;
		u8		locked;		/* little-endian, as on x86 */
	};
};

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier()		__atomic_signal_fence(__ATOMIC_SEQ_CST)
#define smp_mb__after_atomic()	smp_mb()
#define cpu_relax()		__builtin_ia32_pause()
#define xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define try_cmpxchg(p, old, new)					\
	__atomic_compare_exchange_n((p), (old), (new), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
/* this CPU's own word: the same atomic here */
#define try_cmpxchg_local(p, old, new)	try_cmpxchg(p, old, new)
#define try_cmpxchg_release(p, old, new)				\
	__atomic_compare_exchange_n((p), (old), (new), false,		\
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define atomic_read(v)		((u32)__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED))
#define atomic_fetch_or(i, v)	((u32)__atomic_fetch_or(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_or(i, v)		((void)atomic_fetch_or(i, v))
#define atomic_fetch_add(i, v)	((u32)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_try_cmpxchg_acquire(v, old, new)				\
	__atomic_compare_exchange_n(&(v)->counter, (int *)(old), (int)(new), \
				    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define WARN_ONCE(c, ...)	({ if (c) { fprintf(stderr, __VA_ARGS__); abort(); } })
#define WARN_ON_ONCE(c)		({ bool _c = (c); if (_c) { fprintf(stderr, "WARN %s:%d\n", __FILE__, __LINE__); abort(); } _c; })
#define fallthrough		__attribute__((__fallthrough__))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static inline unsigned long hash_long(unsigned long val, unsigned int bits)
{
	return (val * 0x61c8864680b583ebUL) >> (64 - bits);
}

#include "../../../include/linux/oticket.h"
#include "../../../kernel/locking/oticket.h"

/* ---- the machine --------------------------------------------------- */
#define MAX_THREADS	64
#define ROUNDS		4	/* runs of a variant to see the events it names */

enum otk_event {
#define OTK_EVENT(name)	OTK_EV_ ## name,
#include "../../../kernel/locking/oticket_events.h"
#undef OTK_EVENT
	OTK_NR_EVENTS
};
static const char *const ev_names[] = {
#define OTK_EVENT(name)	#name,
#include "../../../kernel/locking/oticket_events.h"
#undef OTK_EVENT
};

static struct otk_rec recs[MAX_THREADS][OTK_LEVELS];
static struct otk_pcpu pcpus[MAX_THREADS];
static struct otk_hent hash[OTK_HASH_MIN];
static struct otk_rec *parked[OTK_HASH_MIN];	/* by the end check */
static struct otk_hint hint;
static struct otk_params params = OTK_PARAMS_DEFAULT;
static int unhalted[MAX_THREADS];	/* KVM's latched kick */
static int halted_now[MAX_THREADS];	/* for the watchdog's report */
static unsigned long events[OTK_NR_EVENTS];
static __thread int me, nest;
static __thread unsigned int seed;
static unsigned int round_no;	/* a run again draws other choices */

#define otk_cpu()		me
#define otk_rec(cpu, lvl)	(&recs[cpu][lvl])
#define otk_pcpu_this()		(&pcpus[me])
#define otk_hash_ent(i)		(&hash[i])
#define otk_hash_mask		(OTK_HASH_MIN - 1)
#define otk_hash_bits		8
#define otk_in_nmi()		false
#define otk_hint_slot(lock)	(&hint)
#define otk_tunables		(&params)
#define otk_ev(name)		__atomic_fetch_add(&events[OTK_EV_ ## name], 1, __ATOMIC_RELAXED)
#define otk_hist(kind, v)	((void)(v))
#define otk_steal_ns()		0ULL

static int otk_nest_enter(void)
{
	return nest < OTK_LEVELS ? nest++ : -1;
}

static void otk_nest_exit(void)
{
	nest--;
}

static u64 otk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define otk_gnow()		otk_now()

static bool otk_preempted(int cpu)
{
	(void)cpu;
	return rand_r(&seed) % 8 == 0;
}

static void futex(int *addr, int op, int val)
{
	syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/* KVM halt: wait for a kick unless one is latched; the caller checked *ptr. */
static void otk_arch_wait(u8 *ptr, u8 val, const struct pvlock_wait_hint *h)
{
	(void)h;
	if (READ_ONCE(*ptr) != val)
		return;
	if (rand_r(&seed) % 16 == 0)	/* an interrupt: spurious return */
		return;
	__atomic_store_n(&halted_now[me], 1, __ATOMIC_SEQ_CST);
	while (!xchg(&unhalted[me], 0))
		futex(&unhalted[me], FUTEX_WAIT_PRIVATE, 0);
	__atomic_store_n(&halted_now[me], 0, __ATOMIC_SEQ_CST);
}

static void otk_arch_kick(int cpu)
{
	__atomic_store_n(&unhalted[cpu], 1, __ATOMIC_SEQ_CST);
	futex(&unhalted[cpu], FUTEX_WAKE_PRIVATE, 1);
}

static bool otk_arch_yield(int cpu)
{
	(void)cpu;
	sched_yield();
	return true;
}

#define OTK_MACHINE
#include "../../../kernel/locking/oticket.h"

/* ---- the test ------------------------------------------------------- */
static struct qspinlock lock;
static int opp, iters, inside;
static unsigned long count, turn_errors, overlaps, tickets, progress, bound_errors, steals;
static unsigned long run_len, free_errors;	/* steals in a row; beyond steal_max */
static u32 expect;
static unsigned int nthr;

static void unlock(void)
{
	u8 l = OTK_LOCKED;

	if (!__atomic_compare_exchange_n((u8 *)&lock.val.counter, &l, 0, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		otk_unlock_slowpath(&lock, l, opp);
}

static void *worker(void *arg)
{
	me = (int)(long)arg;
	seed = 0x9e3779b9u * (me + 1) + 0x85ebca6bu * round_no;
	/* oc_steal_pm 0: over-committed from the start (no steal decays to 3) */
	pcpus[me] = (struct otk_pcpu){ .wake_ns = OTK_WAKE_INIT_NS,
				       .steal_pm = params.oc_steal_pm ? 0 : 1000 };
	for (int i = 0; i < iters; i++) {
		int v = 0;
		u32 c;
		long t = -1;

		if (!__atomic_compare_exchange_n(&lock.val.counter, &v, OTK_LOCKED, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			t = otk_lock_slowpath(&lock, opp);
		}
		if (__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) != 1)
			overlaps++;
		/* turns are served in order, whoever takes them; a steal takes none */
		if (t == OTK_NO_TURN) {
			steals++;
			if (otk_head(atomic_read(&lock.val)) != expect)
				turn_errors++;
			/* only free steals (bypass_max 0): steal_max per turn */
			if (++run_len > params.steal_max && !params.bypass_max &&
			    free_errors++ < 3)
				printf("bound: %lu steals in a row\n", run_len);
			/* any steal: C within steal_max (passes clear it) */
			c = otk_steals(atomic_read(&lock.val));
			if (c > params.steal_max && free_errors++ < 3)
				printf("bound: C = %u\n", c);
		} else if ((t < 0 && expect != 0) || (t >= 0 && (u32)t != expect)) {
			turn_errors++;
		}
		if (t >= 0 && t != OTK_NO_TURN) {
			/* The bypass bound (the SPIN model proves what follows) */
			if (otk_tk_nbyp(recs[me][0].tk) > params.bypass_max) {
				if (bound_errors++ < 3)
					printf("bound: thread %d passed over %u times\n",
					       me, otk_tk_nbyp(recs[me][0].tk));
			}
		}
		tickets += t >= 0 && t != OTK_NO_TURN;
		if (t != OTK_NO_TURN)
			run_len = 0;
		expect = otk_head(atomic_read(&lock.val));
		count++;
		if (rand_r(&seed) % 64 == 0)
			sched_yield();	/* the holder is preempted */
		__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		unlock();
		__atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

struct variant {
	const char	*name;
	int		opp;
	struct otk_params p;
	const char	*must;		/* events that must have happened */
	const char	*never;		/* an event that must not happen */
};

/*
 * The hand-written variants: short spins so that waiters halt, the regime
 * threshold @pm and the publish delay @pub, hand-offs at any queue length,
 * then what the variant is about.
 */
#define STRESS(pm, pub, ...)						\
	{ .oc_steal_pm = pm, .oc_spin_ns = 1000, .spin_min_ns = 200,	\
	  .spin_max_ns = 2000, .idle_ns = 0, .publish_ns = pub,		\
	  .handoff_waiters = OTK_MAX_CPUS - 1, .early = true, __VA_ARGS__ }

/* ... with steals, passes and one hand-off: the waiting-out variants */
#define STEAL_STRESS(pm, ...)						\
	STRESS(pm, 0, .bypass_max = 2, .handoff_max = 1, .steal = true,	\
	       __VA_ARGS__)

static const struct variant variants[] = {
	{ "pvticket", 0, OTK_PARAMS_DEFAULT, "otk_wait otk_kick", NULL },
	{ "oticket", 1, OTK_PARAMS_DEFAULT, "otk_wait", NULL },
	{ "oticket-fifo", 1, STRESS(50, 0, .bypass_max = 0, .steal = false),
	  "otk_wait otk_kick", NULL },
	{ "oticket-bypass", 1,
	  STRESS(50, 0, .bypass_max = 2, .handoff_max = 1, .steal = false),
	  "otk_wait otk_kick otk_bypass otk_handoff otk_local", NULL },
	/* idle (no steal time here), idle_wait_steals 0: nobody waits out a sleeper */
	{ "oticket-steal", 1,
	  STRESS(50, 0, .bypass_max = 2, .handoff_max = 2, .steal_max = 2,
		 .steal = true),
	  "otk_wait otk_kick otk_steal", "otk_steal_waited" },
	/* free steals only: at most steal_max between two turns */
	{ "oticket-free", 1, STRESS(50, 0, .bypass_max = 0, .steal_max = 2, .steal = true),
	  "otk_wait otk_kick otk_steal_free", NULL },
	/*
	 * Over-committed: only oc_publish_ns makes a waiter near the head
	 * findable.  No steals: they would take the lock past an absent
	 * owner before a waiter passes it, and passes are what need it found.
	 */
	{ "oticket-oc", 1,
	  STRESS(0, 1000000000, .bypass_max = 2, .handoff_max = 1,
		 .steal = false, .oc_publish_ns = 0),
	  "otk_wait otk_kick otk_publish otk_bypass", NULL },
	/*
	 * Over-committed with steals: arrivals wait out a halted owner of
	 * the turn (otk_steal_wait()), under the same bound as every steal.
	 */
	{ "oticket-oc-steal", 1,
	  STEAL_STRESS(0, .steal_max = 2, .oc_publish_ns = 0),
	  "otk_wait otk_kick otk_steal otk_steal_waited", NULL },
	/*
	 * Idle, arrivals wait out a halted owner while C is below
	 * idle_wait_steals: the same steps, gated by C, which must close.
	 */
	{ "oticket-idle-steal", 1,
	  STEAL_STRESS(50, .steal_max = 2, .idle_wait_steals = 1),
	  "otk_wait otk_kick otk_steal otk_steal_waited otk_steal_wait_busy", NULL },
	/* a gate above steal_max closes at steal_max, where C stops */
	{ "oticket-idle-clamp", 1,
	  STEAL_STRESS(50, .steal_max = 1, .idle_wait_steals = 31),
	  "otk_wait otk_kick otk_steal_wait_busy", NULL },
};

/* Has event @name been counted?  A name that is no event is a bug here. */
static bool happened(const char *name)
{
	for (int e = 0; e < OTK_NR_EVENTS; e++)
		if (!strcmp(ev_names[e], name))
			return events[e] > 0;
	fprintf(stderr, "otkstress: no event %s\n", name);
	exit(2);
}

/*
 * One run of variant @va: 1 if every check held and every event the
 * variant names has happened in this run or an earlier @round of it
 * (events add up over rounds), 0 if only an event is missing yet, -1 on
 * a failed check.
 */
static int run(const struct variant *va, int nthreads, int n, int round)
{
	pthread_t th[MAX_THREADS];
	unsigned long last = 0;
	int stalled = 0, ok = 1;
	time_t t0 = time(NULL);
	unsigned long waits0;
	u64 start_ns, end_ns, halted_ns = 0;
	char must[128], *tok, *save;

	opp = va->opp;
	params = va->p;
	iters = n;
	nthr = nthreads;
	count = turn_errors = overlaps = tickets = progress = bound_errors = steals = 0;
	run_len = 0;
	free_errors = 0;
	expect = 0;
	round_no = round;
	if (!round)
		memset(events, 0, sizeof(events));
	memset(hash, 0, sizeof(hash));
	for (int i = 0; i < MAX_THREADS; i++)	/* entries they left are gone */
		for (int l = 0; l < OTK_LEVELS; l++)
			recs[i][l].stale = -1;
	memset(&hint, 0, sizeof(hint));
	waits0 = events[OTK_EV_otk_wait];
	start_ns = otk_now();
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	/* Watchdog: 10 s without one acquisition is a lost wake-up. */
	while (__atomic_load_n(&progress, __ATOMIC_RELAXED) < (unsigned long)nthreads * n) {
		usleep(100000);
		unsigned long p = __atomic_load_n(&progress, __ATOMIC_RELAXED);

		stalled = p == last ? stalled + 1 : 0;
		last = p;
		if (stalled == 100) {
			printf("FAIL %s: no progress for 10 s at %lu/%lu; word %#x; halted:",
			       va->name, p, (unsigned long)nthreads * n,
			       atomic_read(&lock.val));
			for (int i = 0; i < nthreads; i++)
				if (halted_now[i])
					printf(" %d", i);
			printf("\n");
			return -1;	/* the threads stay blocked: exit ends them */
		}
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	end_ns = otk_now();
	/* the regime's halt accounting: balanced, within the run, not empty */
	for (int i = 0; i < nthreads; i++) {
		if (pcpus[i].halt_depth)
			printf("FAIL %s: thread %d halt depth %u at the end\n",
			       va->name, i, pcpus[i].halt_depth), ok = 0;
		if (pcpus[i].halt_ns > end_ns - start_ns)
			printf("FAIL %s: thread %d halted %llu ns of %llu ns\n",
			       va->name, i, (unsigned long long)pcpus[i].halt_ns,
			       (unsigned long long)(end_ns - start_ns)), ok = 0;
		halted_ns += pcpus[i].halt_ns;
	}
	if (events[OTK_EV_otk_wait] > waits0 && !halted_ns)
		printf("FAIL %s: %lu halts, none accounted\n", va->name,
		       events[OTK_EV_otk_wait] - waits0), ok = 0;

	printf("%s: %d threads on %ld CPUs, %lu acquisitions (%lu by ticket, %lu stolen) in %lds:",
	       va->name, nthreads, sysconf(_SC_NPROCESSORS_ONLN), count, tickets,
	       steals, (long)(time(NULL) - t0));
	if (round)
		printf(" events of runs 1-%d:", round + 1);
	for (int e = 0; e < OTK_NR_EVENTS; e++)
		if (events[e])
			printf(" %s=%lu", ev_names[e], events[e]);
	printf("\n");
	if (overlaps)
		printf("FAIL %s: %lu critical sections overlapped\n", va->name, overlaps), ok = 0;
	if (turn_errors)
		printf("FAIL %s: %lu turns taken out of order\n", va->name, turn_errors), ok = 0;
	if (bound_errors)
		printf("FAIL %s: %lu waiters passed over beyond the bound\n", va->name,
		       bound_errors), ok = 0;
	if (free_errors)
		printf("FAIL %s: %lu free steals beyond steal_max\n", va->name,
		       free_errors), ok = 0;
	if (count != (unsigned long)nthreads * n)
		printf("FAIL %s: %lu acquisitions, want %lu\n", va->name, count,
		       (unsigned long)nthreads * n), ok = 0;
	if (atomic_read(&lock.val))
		printf("FAIL %s: word %#x at the end, want 0\n", va->name,
		       atomic_read(&lock.val)), ok = 0;
	/*
	 * Only entries parked for a record's next start (its last wait's, or
	 * that of the waiter it passed over), each by one idle record.
	 */
	memset(parked, 0, sizeof(parked));
	for (int i = 0; i < MAX_THREADS; i++)
		for (int l = 0; l < OTK_LEVELS; l++) {
			struct otk_rec *r = &recs[i][l];

			if (r->stale < 0)
				continue;
			/* parked means in use: only its parker frees it */
			if (r->stale >= OTK_HASH_MIN || parked[r->stale] ||
			    !hash[r->stale].lock || !hash[r->stale].who ||
			    r->lock || r->slot >= 0) {
				printf("FAIL %s: record %d/%d parks entry %d badly\n",
				       va->name, i, l, r->stale);
				ok = 0;
				continue;
			}
			parked[r->stale] = r;
		}
	for (int i = 0; i < OTK_HASH_MIN; i++) {
		if (hash[i].lock && !parked[i]) {
			printf("FAIL %s: hash entry %d still in use at the end\n",
			       va->name, i);
			ok = 0;
			break;
		}
	}
	if (!ok)
		return -1;
	if (va->never && happened(va->never)) {
		printf("FAIL %s: %s happened\n", va->name, va->never);
		return -1;
	}
	snprintf(must, sizeof(must), "%s", va->must);
	for (tok = strtok_r(must, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!happened(tok)) {
			printf("%s %s: the slow path was not exercised: no %s%s\n",
			       round + 1 < ROUNDS ? "round" : "FAIL", va->name, tok,
			       round + 1 < ROUNDS ? " yet: again" : "");
			ok = 0;
		}
	return ok;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: otkstress [threads 2..%d] [iterations] [variant]\n",
		MAX_THREADS);
	exit(2);
}

/* argument @what, @s, as a number from @lo to @hi; exits 2 if it is not one */
static int number(const char *what, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "otkstress: %s '%s': not a number from %ld to %ld\n",
			what, s, lo, hi);
		usage();
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int nthreads, n, passed = 0, failed = 0, ok, round;
	const char *only = argc > 3 ? argv[3] : NULL;
	size_t i;

	if (argc > 4)
		usage();
	nthreads = argc > 1 ? number("threads", argv[1], 2, MAX_THREADS) : 8;
	n = argc > 2 ? number("iterations", argv[2], 1, INT_MAX) : 3000;
	for (i = 0; only && i < ARRAY_SIZE(variants); i++)
		if (!strcmp(variants[i].name, only))
			break;
	if (only && i == ARRAY_SIZE(variants)) {
		fprintf(stderr, "otkstress: no variant '%s'\n", only);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		if (only && strcmp(variants[i].name, only))
			continue;
		/* the odd run that misses a rare path runs again, events added up */
		for (ok = 0, round = 0; round < ROUNDS && !ok; round++)
			ok = run(&variants[i], nthreads, n, round);
		if (ok > 0) {
			if (round > 1)
				printf("otkstress: %s: its events took %d runs\n",
				       variants[i].name, round);
			passed++;
			continue;
		}
		failed++;
		break;		/* blocked threads may remain: stop here */
	}
	printf("%d passed, %d failed\n", passed, failed);
	_exit(failed ? 1 : 0);
}
