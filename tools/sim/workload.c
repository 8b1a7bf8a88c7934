// SPDX-License-Identifier: GPL-2.0
/*
 * workload.c - what the simulated vCPUs run around the guest's spin_lock()
 * and spin_unlock(), and the checks made on every critical section.
 *
 *  locktorture  kernel/locking/locktorture.c, spin_lock type, one writer per
 *               vCPU: lock_torture_writer() with
 *               torture_spin_lock_write_delay() (udelay(2) once in
 *               nwriters x 400 sections, mdelay(long_hold) once in
 *               nwriters x 2000 x long_hold) and torture_stutter() (all
 *               writers sleep stutter jiffies every 2 x stutter - 1).
 *               Metric: acquisitions per second; fairness max/min writer.
 *  lockmix      a kernel-like mix: mix_locks locks of Zipf popularity,
 *               exponential sections and work between them.  Ops/s.
 *  gmake        make -j: user-mode compile work (exponential chunks) with
 *               bursts of short kernel sections (system calls, page
 *               faults) on a few hot locks.  Builds per hour, a build
 *               being size files of gm_file_ms CPU time each.
 *
 * Checks, in simulated time: no two vCPUs inside one lock's critical
 * section; every release by the holder; at the end (after every vCPU has
 * finished its last operation) every lock free with as many releases as
 * acquisitions - a vCPU that never finishes, halted with the lock free, is
 * a lost wake-up and fails the run.
 *
 * OTSIM_HANDOFFS=1 (debugging, like OTSIM_MISSES): where each lock's time
 * goes - held; free in a handoff gap, from a release that left a vCPU
 * inside spin_lock() to the next acquisition; free otherwise (nobody
 * waiting, or an arrival's own way to a free lock) - a log2 histogram of
 * the gaps, how each acquisition was made (take_kinds[]) and how many went
 * to the vCPU that released the lock last, over the whole run, warm-up
 * included.  The times are the
 * vCPUs' clocks at the lock and unlock calls, which the engine keeps
 * within one shared-memory access of each other; a clock behind the
 * lock's last change counts as that change's time, and such clamps are
 * counted.  After stdout, to stderr, for every lock with 1% or more of
 * its VM's acquisitions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum wl_kind { WL_LOCKTORTURE, WL_LOCKMIX, WL_GMAKE };

#define GAP_BUCKETS 24		/* gaps of at most 2^0 .. 2^22 ns, then longer */

/*
 * OTSIM_HANDOFFS: how an acquisition was made - the first of these lock
 * events that the acquirer's own counters (guest CPU's, not the VM's)
 * moved by during its spin_lock(), else none: the fast path, or
 * test-and-set (virt_spin_lock() counts nothing).
 */
static const struct {
	const char *ev, *how;
} take_kinds[] = {
	{ "otk_steal_waited",	"a steal after waiting out an owner" },
	{ "otk_steal_free",	"a free steal at entry" },
	{ "otk_steal",		"a steal past an absent owner at entry" },
	{ "otk_bypass",		"a pass of an absent owner" },
	{ "otk_wait",		"its own turn, after a halt" },
	{ "otk_slowpath",	"its own turn" },
	{ "pv_lock_stealing",	"pvqspinlock's unfair trylock" },
	{ "oqs_steal_preempted", "oqspin's pass of a preempted queue head" },
	{ "pv_wait_head",	"the queue head, after a halt there" },
	{ "pv_wait_node",	"the queue, after a halt" },
	{ "lock_pending",	"the pending bit" },
	{ "lock_slowpath",	"the queue" },
};

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define TAKE_KINDS	ARRAY_SIZE(take_kinds)
#define TAKE_NONE	TAKE_KINDS	/* no event: fast path, test-and-set */

struct wlock {
	struct sim_qspinlock *q;	/* guest memory, a line of its own */
	int holder;			/* guest CPU, -1 */
	uint64_t acq, rel;
	/* OTSIM_HANDOFFS */
	int nin;			/* vCPUs inside spin_lock() */
	bool gap_open;			/* released with a waiter: timing the gap */
	simtime_t last, rel_t;		/* last change; last release */
	simtime_t held, free_gap, free_idle;
	uint64_t clamps;		/* clocks behind the last change */
	uint64_t gaps[GAP_BUCKETS];
	simtime_t gap_ns[GAP_BUCKETS];
	/* by take_kinds[] (and TAKE_NONE): acquisitions, those ending a gap */
	uint64_t taken[TAKE_KINDS + 1], taken_gaps[TAKE_KINDS + 1];
	simtime_t taken_gap_ns[TAKE_KINDS + 1];
	/* by the vCPU that released it last, and of those, ending a gap */
	int releaser;			/* guest CPU of the last release, -1 */
	uint64_t again, again_gaps;
};

/*
 * OTSIM_HANDOFFS: charge the time since the last change of @l to its
 * state; returns the time of this change, @now or the last one's.
 */
static simtime_t handoff_acct(struct wlock *l, simtime_t now)
{
	if (now < l->last) {
		now = l->last;
		l->clamps++;
	}
	if (l->holder >= 0)
		l->held += now - l->last;
	else if (l->gap_open)
		l->free_gap += now - l->last;
	else
		l->free_idle += now - l->last;
	l->last = now;
	return now;
}

/* ... and the gap that ends with an acquisition of kind @k at @now */
static void handoff_gap(struct wlock *l, simtime_t now, unsigned int k)
{
	simtime_t g = now - l->rel_t;
	int b = 0;

	while (b < GAP_BUCKETS - 1 && ((simtime_t)1 << b) < g)
		b++;
	l->gaps[b]++;
	l->gap_ns[b] += g;
	l->taken_gaps[k]++;
	l->taken_gap_ns[k] += g;
	l->gap_open = false;
}

/*
 * A guest CPU's take_kinds[] counters.  The guest reports its events in
 * one order, the same for every VM copy of it: where each of take_kinds[]
 * comes in that order is looked up by name once.
 */
struct take_snap {
	uint64_t v[TAKE_KINDS];
	int pos;
};

#define TAKE_MAX_EVENTS	256
static unsigned char take_at[TAKE_MAX_EVENTS];	/* event position -> kind + 1 */
static bool take_mapped;

static void take_count(void *ctx, const char *name, uint64_t value)
{
	struct take_snap *s = ctx;
	int pos = s->pos++;

	if (pos >= TAKE_MAX_EVENTS) {
		fprintf(stderr, "otsim: OTSIM_HANDOFFS: more than %d lock events\n",
			TAKE_MAX_EVENTS);
		exit(2);
	}
	if (!take_mapped)
		for (unsigned int k = 0; k < TAKE_KINDS; k++)
			if (!strcmp(name, take_kinds[k].ev))
				take_at[pos] = (unsigned char)(k + 1);
	if (take_at[pos])
		s->v[take_at[pos] - 1] = value;
}

static void take_snap(struct vcpu *v, struct take_snap *s)
{
	memset(s, 0, sizeof(*s));
	v->vm->g->cpu_events(v->cpu, take_count, s);
	if (take_mapped)
		return;
	/* a kind whose event the guest does not count would never show */
	for (unsigned int k = 0; k < TAKE_KINDS; k++) {
		int pos = 0;

		while (pos < s->pos && take_at[pos] != k + 1)
			pos++;
		if (pos == s->pos) {
			fprintf(stderr, "otsim: OTSIM_HANDOFFS: the guest counts no %s\n",
				take_kinds[k].ev);
			exit(2);
		}
	}
	take_mapped = true;
}

/* the first of take_kinds[] that moved from @a to @b, else TAKE_NONE */
static unsigned int take_kind(const struct take_snap *a, const struct take_snap *b)
{
	unsigned int k;

	for (k = 0; k < TAKE_KINDS; k++)
		if (b->v[k] != a->v[k])
			break;
	return k;
}

/* one VM's workload */
struct wvm {
	struct wlock *locks;
	int nlocks;
	double *zipf_cdf;
	uint8_t *shared;		/* guest data the sections write */
};

static enum wl_kind kind;
static int wl_size;
static struct wvm *wvms;

static simtime_t lt_pause, lt_period;	/* stutter */

static bool measuring(simtime_t t)
{
	return t >= S.warmup && t < S.end;
}

/* the measured interval @t falls in */
static int iv_of(simtime_t t)
{
	int k = (int)((t - S.warmup) * S.intervals / (S.end - S.warmup));

	return k < 0 ? 0 : k >= S.intervals ? S.intervals - 1 : k;
}

static int zipf_pick(struct wvm *w, uint64_t *rng)
{
	double u = rng_unit(rng);
	int lo = 0, hi = w->nlocks - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (w->zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int lock_index(struct vcpu *v, struct wlock *l)
{
	return (int)(l - ((struct wvm *)v->vm->wl)->locks);
}

static void acquire(struct vcpu *v, struct wlock *l)
{
	struct take_snap before, after;

	v->in_kernel = true;
	if (sim_handoffs) {
		handoff_acct(l, v->t);
		l->nin++;
		take_snap(v, &before);
	}
	v->vm->g->lock(l->q);
	if (sim_handoffs) {
		simtime_t now = handoff_acct(l, v->t);
		unsigned int k;

		take_snap(v, &after);
		k = take_kind(&before, &after);
		l->taken[k]++;
		l->nin--;
		if (v->cpu == l->releaser) {
			l->again++;
			l->again_gaps += l->gap_open;
		}
		if (l->gap_open)
			handoff_gap(l, now, k);
	}
	if (l->holder >= 0)
		sim_error("mutual exclusion: vCPU %d of VM %d entered lock %d held by vCPU %d at %lld ns",
			  v->cpu, v->vm->id, lock_index(v, l), l->holder, (long long)S.now);
	l->holder = v->cpu;
	l->acq++;
	TRACE("v%d.%d acquires lock %d", v->vm->id, v->cpu, lock_index(v, l));
	if (measuring(v->t)) {
		v->acquired++;
		v->acq_iv[iv_of(v->t)]++;
	}
}

static void release(struct vcpu *v, struct wlock *l)
{
	if (l->holder != v->cpu)
		sim_error("release of lock %d by vCPU %d of VM %d, holder %d, at %lld ns",
			  lock_index(v, l), v->cpu, v->vm->id, l->holder, (long long)S.now);
	if (sim_handoffs) {
		l->rel_t = handoff_acct(l, v->t);
		l->gap_open = l->nin > 0;
		l->releaser = v->cpu;
	}
	l->holder = -1;
	l->rel++;
	v->vm->g->unlock(l->q);
}

/* the section's own memory traffic: a store to the protected data */
static void touch(struct vcpu *v, int i)
{
	struct wvm *w = v->vm->wl;
	uint8_t one = 1;

	sim_store(&w->shared[64 * i], &one, 1);
}

static void locktorture(struct vcpu *v)
{
	struct wvm *w = v->vm->wl;
	struct wlock *l = &w->locks[0];
	uint64_t n = v->vm->nvcpus;
	uint64_t long_every = n * 2000 * PRM(lt_long_ms);
	uint64_t short_every = n * 200 * PRM(lt_short_us);

	while (!S.stopping) {
		if (lt_period) {
			/* stutter_wait() */
			simtime_t phase = v->t % lt_period;

			if (phase < lt_pause)
				vcpu_guest_idle_until(v, v->t - phase + lt_pause);
			if (S.stopping)
				break;
		}
		acquire(v, l);
		touch(v, 0);		/* lock_is_write_held = true */
		advance(v, PRM(lt_cs_ns));
		if (PRM(lt_long_ms) && rng_next(&v->rng) % long_every == 0)
			advance(v, PRM(lt_long_ms) * NS_PER_MS);	/* mdelay() */
		if (short_every && rng_next(&v->rng) % short_every == 0)
			advance(v, PRM(lt_short_us) * 1000);		/* udelay() */
		touch(v, 0);		/* lock_is_write_held = false, last_lock_release */
		release(v, l);
		v->in_kernel = true;
		advance(v, PRM(lt_loop_ns));
	}
}

static void lockmix(struct vcpu *v)
{
	struct wvm *w = v->vm->wl;

	while (!S.stopping) {
		int i = zipf_pick(w, &v->rng);

		advance(v, (simtime_t)rng_exp(&v->rng, PRM(mix_think_ns)) + 1);
		acquire(v, &w->locks[i]);
		touch(v, i);
		advance(v, (simtime_t)rng_exp(&v->rng, PRM(mix_cs_ns)) + 1);
		release(v, &w->locks[i]);
	}
}

static void gmake(struct vcpu *v)
{
	struct wvm *w = v->vm->wl;

	while (!S.stopping) {
		simtime_t work = (simtime_t)rng_exp(&v->rng, PRM(gm_work_ns)) + 1;
		simtime_t t0;

		v->in_kernel = false;
		t0 = v->t;
		advance(v, work);
		/* CPU time the guest got for the compile, within the window */
		if (t0 < S.end && v->t > S.warmup) {
			simtime_t a = t0 > S.warmup ? t0 : S.warmup;
			simtime_t b = v->t < S.end ? v->t : S.end;

			if (b > a) {
				double w = (double)work * (b - a) / (v->t - t0);

				v->work_done += w;
				v->work_iv[iv_of(a + (b - a) / 2)] += w;
			}
		}
		for (int k = 0; k < PRM(gm_burst) && !S.stopping; k++) {
			int i = zipf_pick(w, &v->rng);

			acquire(v, &w->locks[i]);
			touch(v, i);
			advance(v, (simtime_t)rng_exp(&v->rng, PRM(gm_cs_ns)) + 1);
			release(v, &w->locks[i]);
			advance(v, 100);
		}
	}
}

static void wl_main(struct vcpu *v)
{
	switch (kind) {
	case WL_LOCKTORTURE:
		locktorture(v);
		break;
	case WL_LOCKMIX:
		lockmix(v);
		break;
	case WL_GMAKE:
		gmake(v);
		break;
	}
}

void (*workload_fn(void))(struct vcpu *v);
void (*workload_fn(void))(struct vcpu *v)
{
	return wl_main;
}

static void zipf_init(struct wvm *w, double s)
{
	double sum = 0, acc = 0;

	w->zipf_cdf = calloc(w->nlocks, sizeof(double));
	for (int i = 0; i < w->nlocks; i++)
		sum += 1.0 / pow(i + 1, s);
	for (int i = 0; i < w->nlocks; i++) {
		acc += 1.0 / pow(i + 1, s) / sum;
		w->zipf_cdf[i] = acc;
	}
	w->zipf_cdf[w->nlocks - 1] = 1.0;
}

void workload_setup(const char *name, int size)
{
	wl_size = size;
	if (!strcmp(name, "locktorture"))
		kind = WL_LOCKTORTURE;
	else if (!strcmp(name, "lockmix"))
		kind = WL_LOCKMIX;
	else
		kind = WL_GMAKE;
	if (kind == WL_LOCKTORTURE && PRM(lt_stutter)) {
		simtime_t jiffy = NS_PER_SEC / PRM(guest_hz);

		lt_pause = PRM(lt_stutter) * jiffy;
		lt_period = (2 * PRM(lt_stutter) - 1) * jiffy;
	}
	wvms = calloc(S.nvms, sizeof(*wvms));
	for (int m = 0; m < S.nvms; m++) {
		struct wvm *w = &wvms[m];

		w->nlocks = kind == WL_LOCKTORTURE ? 1 :
			    kind == WL_LOCKMIX ? PRM(mix_locks) : PRM(gm_locks);
		w->locks = calloc(w->nlocks, sizeof(*w->locks));
		for (int i = 0; i < w->nlocks; i++) {
			w->locks[i].q = sim_alloc(64);
			w->locks[i].holder = -1;
			w->locks[i].releaser = -1;
		}
		w->shared = sim_alloc(64 * w->nlocks);
		zipf_init(w, kind == WL_LOCKMIX ? PRM(mix_zipf) / 1000.0 : 1.0);
		S.vm[m].wl = w;
	}
}

const char *workload_unit(void)
{
	return kind == WL_LOCKTORTURE ? "acq/s" : kind == WL_LOCKMIX ? "ops/s" : "builds/h";
}

/* OTSIM_HANDOFFS: lock @i of VM @m, taken by kind @k */
static void take_print(int m, int i, const struct wlock *l, unsigned int k)
{
	uint64_t n = l->taken_gaps[k];

	fprintf(stderr,
		"otsim: VM %d lock %d: taken by %s: %llu, %llu ending a gap, %.3f ms of gaps, mean %.0f ns\n",
		m, i, k < TAKE_KINDS ? take_kinds[k].how : "the fast path (or test-and-set)",
		(unsigned long long)l->taken[k], (unsigned long long)n,
		l->taken_gap_ns[k] / 1e6, n ? (double)l->taken_gap_ns[k] / n : 0.0);
}

/*
 * OTSIM_HANDOFFS: the profile of every lock with 1% or more of its VM's
 * acquisitions, to stderr; the time from each lock's last change to the end
 * of the run is charged first.  A gap still open at the end is in "gaps"
 * but not in the histogram.  That charge moves each lock's accounts to
 * the end: call this once, after the run and its checks, as the last
 * reader of them.
 */
void workload_profile_print(void)
{
	if (!sim_handoffs)
		return;
	for (int m = 0; m < S.nvms; m++) {
		struct wvm *w = &wvms[m];
		uint64_t all = 0;

		for (int i = 0; i < w->nlocks; i++)
			all += w->locks[i].acq;
		for (int i = 0; i < w->nlocks; i++) {
			struct wlock *l = &w->locks[i];

			handoff_acct(l, S.now);
			if (!l->acq || l->acq * 100 < all)
				continue;
			fprintf(stderr, "otsim: VM %d lock %d: %llu acquisitions in %.3f ms: held %.3f ms, ",
				m, i, (unsigned long long)l->acq, l->last / 1e6, l->held / 1e6);
			fprintf(stderr, "in gaps %.3f ms (%.3f ms open at the end), free %.3f ms, %llu clamps\n",
				l->free_gap / 1e6, l->gap_open ? (l->last - l->rel_t) / 1e6 : 0.0,
				l->free_idle / 1e6, (unsigned long long)l->clamps);
			for (int b = 0; b < GAP_BUCKETS; b++)
				if (l->gaps[b])
					fprintf(stderr, "otsim: VM %d lock %d: handoff gap %s %8lld ns: %9llu, %.3f ms\n",
						m, i, b < GAP_BUCKETS - 1 ? "<=" : "> ",
						1LL << (b < GAP_BUCKETS - 1 ? b : b - 1),
						(unsigned long long)l->gaps[b], l->gap_ns[b] / 1e6);
			for (unsigned int k = 0; k <= TAKE_KINDS; k++)
				if (l->taken[k])
					take_print(m, i, l, k);
			fprintf(stderr,
				"otsim: VM %d lock %d: taken again by its last releaser: %llu, %llu ending a gap\n",
				m, i, (unsigned long long)l->again,
				(unsigned long long)l->again_gaps);
		}
	}
}

/* the end: every lock free, balanced, no vCPU left behind */
void workload_check_end(void)
{
	for (int m = 0; m < S.nvms; m++) {
		struct wvm *w = &wvms[m];

		for (int i = 0; i < w->nlocks; i++) {
			struct wlock *l = &w->locks[i];
			uint32_t word;

			memcpy(&word, l->q, 4);
			if (l->holder >= 0 || l->acq != l->rel)
				sim_error("VM %d lock %d: %llu acquisitions, %llu releases, holder %d at the end",
					  m, i, (unsigned long long)l->acq,
					  (unsigned long long)l->rel, l->holder);
			if (word && S.nfinished == S.nvcpus)
				sim_error("VM %d lock %d: word %#x after every vCPU finished", m, i, word);
		}
	}
	if (S.nfinished != S.nvcpus) {
		char buf[512];
		size_t n = 0;

		buf[0] = 0;
		for (int i = 0; i < S.nvcpus && n + 40 < sizeof(buf); i++) {
			struct vcpu *v = S.vcpus[i];

			if (!v->finished)
				n += snprintf(buf + n, sizeof(buf) - n, " %d.%d%s", v->vm->id, v->cpu,
					      v->halted ? "(halted)" : "");
		}
		sim_error("lost wake-up or livelock: %d of %d vCPUs did not finish within drain_ms:%s",
			  S.nvcpus - S.nfinished, S.nvcpus, buf);
	}
}

/* " key=v1,v2,..." of S.intervals values @v[k] * @scale, or @scale each */
static void print_list(FILE *f, const char *key, const double *v, double scale,
		       const char *fmt)
{
	fprintf(f, " %s=", key);
	for (int k = 0; k < S.intervals; k++) {
		if (k)
			fputc(',', f);
		fprintf(f, fmt, (v ? v[k] : 1) * scale);
	}
}

/* the guest frame's result line, "otb: vb: wl=..." as l3-vbench.sh prints it */
void workload_report(FILE *f, struct vm *vm)
{
	double secs = (double)(S.end - S.warmup) / NS_PER_SEC;
	double ivs = secs / S.intervals, ivn[SIM_MAX_IV], bld[SIM_MAX_IV];
	uint64_t total = 0, mx = 0, mn = UINT64_MAX;

	for (int c = 0; c < vm->nvcpus; c++) {
		struct vcpu *v = vm->vcpu[c];

		total += v->acquired;
		mx = v->acquired > mx ? v->acquired : mx;
		mn = v->acquired < mn ? v->acquired : mn;
	}
	/* one number per measured interval, as the guest script prints them */
	for (int k = 0; k < S.intervals; k++) {
		double n = 0, w = 0, build;

		for (int c = 0; c < vm->nvcpus; c++) {
			n += vm->vcpu[c]->acq_iv[k];
			w += vm->vcpu[c]->work_iv[k];
		}
		/* builds of wl_size files done in the interval */
		build = w / ((double)wl_size * PRM(gm_file_ms) * NS_PER_MS);
		ivn[k] = n;
		bld[k] = build;
	}
	switch (kind) {
	case WL_LOCKTORTURE:
		fprintf(f, "otb: vb: wl=locktorture total=%llu max=%llu min=%llu fail=0 secs=%.6f",
			(unsigned long long)total, (unsigned long long)mx,
			(unsigned long long)mn, secs);
		print_list(f, "ivn", ivn, 1, "%.0f");
		print_list(f, "ivt", NULL, ivs, "%.6f");
		break;
	case WL_LOCKMIX:
		/*
		 * fairness, as locktorture's writers: per vCPU, in the
		 * measured time; it includes the pCPU time the host gave each
		 */
		fprintf(f, "otb: vb: wl=lockmix max=%llu min=%llu",
			(unsigned long long)mx, (unsigned long long)mn);
		print_list(f, "ops", ivn, 1 / ivs, "%.3f");
		break;
	case WL_GMAKE:
		/* builds done per interval: a starved interval is 0, not 1e12 cs */
		fprintf(f, "otb: vb: wl=gmake builds=%d files=%d jobs=%d", S.intervals, wl_size,
			2 * vm->nvcpus);
		print_list(f, "bld", bld, 1, "%.6f");
		print_list(f, "ivt", NULL, ivs, "%.6f");
		break;
	}
	fprintf(f, " end\n");
}
