// SPDX-License-Identifier: GPL-2.0
/*
 * engine.c - otsim's discrete-event engine: coroutines in simulated time,
 * the cache-line model, and spin fast-forward.
 *
 * Ordering.  All events (a vCPU's coroutine resuming, host timers) sit in
 * one heap keyed by (time, sequence number).  A vCPU's coroutine runs only
 * while its clock is the earliest time in the simulation; every engine call
 * that advances its clock ends in sync_vcpu(), which hands over to whatever
 * is earlier.  So every access to shared memory happens in global time
 * order, and the same seed gives the same interleaving.  The context switch
 * is six pushes, a stack swap and six pops (no signal masks).
 *
 * Cache lines.  Each 64-byte line of guest memory the lock code touches has
 * an owner (a pCPU holding it modified) or a set of sharers, and a time
 * until which a transfer is in flight.  A read that misses costs a transfer
 * from the owner (same socket or not), from the LLC, or from memory; a
 * write or atomic invalidates the others and costs the farthest transfer.
 * Misses on a line are serialised: a CPU waits for the transfer in flight.
 *
 * Spin fast-forward.  A vCPU that re-reads the same values with only
 * cpu_relax() in between (two quiet iterations; one inside
 * smp_cond_load_*()) is parked: it watches the lines it read and sleeps
 * until one of them is written, a host event deschedules it, or a quantum
 * passes.  On waking it replays the iterations it skipped - the C loop
 * really runs them, its reads answered at no cost with the values it had
 * seen, which is what it would have seen since nothing wrote them - so
 * loop budgets (SPIN_THRESHOLD, o-ticket's adaptive ones) expire at the
 * right count.  If the replay takes another path before its end (a budget
 * ran out, a periodic check reads a new address), the action happens at
 * the wake-up time instead of the iteration's own time: the error is at
 * most the quantum.  Loops never seen to end that way (test-and-set,
 * smp_cond_load) use a long quantum.  sim.rst states the bound.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim.h"

struct sim S;
struct vcpu *cur;
simtime_t trace_from = INT64_MAX, trace_to;
bool sim_handoffs;
static struct vm *boot_vm;

/* ---- context switch (x86-64 SysV: callee-saved registers) --------------- */

void otsim_switch(void **save_sp, void *new_sp);
__asm__(
	".text\n"
	".globl otsim_switch\n"
	".type otsim_switch,@function\n"
	"otsim_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size otsim_switch, .-otsim_switch\n");

static void *main_sp;

/*
 * VMCALL and STI for guest code that issues them in inline assembly (see
 * shim/asm/kvm_para.h): every register but %rax (VMCALL's result) is kept,
 * the flags are not (GCC assumes x86 asm clobbers them).
 */
void otsim_sti_c(void);
void otsim_sti_c(void)
{
	sim_irq_set(false);
}

#define OTSIM_SAVE							\
	"	pushq %rdi\n	pushq %rsi\n	pushq %rdx\n	pushq %rcx\n"	\
	"	pushq %r8\n	pushq %r9\n	pushq %r10\n	pushq %r11\n"	\
	"	pushq %rbp\n	movq %rsp, %rbp\n	andq $-16, %rsp\n"
#define OTSIM_RESTORE							\
	"	movq %rbp, %rsp\n	popq %rbp\n"				\
	"	popq %r11\n	popq %r10\n	popq %r9\n	popq %r8\n"	\
	"	popq %rcx\n	popq %rdx\n	popq %rsi\n	popq %rdi\n"

__asm__(
	".text\n"
	".globl otsim_vmcall\n"
	".type otsim_vmcall,@function\n"
	"otsim_vmcall:\n"
	OTSIM_SAVE
	"	movq %rsi, %r8\n"	/* a3 */
	"	movq %rbx, %rsi\n"	/* a0 */
	"	xchgq %rcx, %rdx\n"	/* a1, a2 */
	"	movq %rax, %rdi\n"	/* nr */
	"	call sim_hypercall\n"
	OTSIM_RESTORE
	"	ret\n"
	".size otsim_vmcall, .-otsim_vmcall\n"
	".globl otsim_sti\n"
	".type otsim_sti,@function\n"
	"otsim_sti:\n"
	"	pushq %rax\n"
	OTSIM_SAVE
	"	call otsim_sti_c\n"
	OTSIM_RESTORE
	"	popq %rax\n"
	"	ret\n"
	".size otsim_sti, .-otsim_sti\n");

static void switch_to(struct vcpu *to)
{
	void **save = cur ? &cur->ctx_sp : &main_sp;

	S.st_switches++;
	cur = to;
	otsim_switch(save, to ? to->ctx_sp : main_sp);
}

/* ---- random numbers: one splitmix64 stream per user --------------------- */

uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double rng_unit(uint64_t *s)
{
	return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_exp(uint64_t *s, double mean)
{
	return -mean * log(1.0 - rng_unit(s));
}

/* ---- errors ---------------------------------------------------------------- */

void sim_error(const char *fmt, ...)
{
	size_t n = strlen(S.errors);
	va_list ap;

	S.nerrors++;
	if (n + 2 >= sizeof(S.errors))
		return;
	va_start(ap, fmt);
	vsnprintf(S.errors + n, sizeof(S.errors) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(S.errors);
	if (n + 1 < sizeof(S.errors))
		strcat(S.errors, "\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("otsim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(3);
}

/* ---- the event heap ---------------------------------------------------------- */

static struct ev **heap;
static int nheap, capheap;

static inline bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_place(int i, struct ev *e)
{
	heap[i] = e;
	e->hidx = i;
}

static void sift_up(int i)
{
	struct ev *e = heap[i];

	while (i > 0) {
		int p = (i - 1) / 2;

		if (!ev_before(e, heap[p]))
			break;
		heap_place(i, heap[p]);
		i = p;
	}
	heap_place(i, e);
}

static void sift_down(int i)
{
	struct ev *e = heap[i];

	for (;;) {
		int c = 2 * i + 1;

		if (c >= nheap)
			break;
		if (c + 1 < nheap && ev_before(heap[c + 1], heap[c]))
			c++;
		if (!ev_before(heap[c], e))
			break;
		heap_place(i, heap[c]);
		i = c;
	}
	heap_place(i, e);
}

void ev_init(struct ev *e, ev_fn fn, void *obj)
{
	e->t = 0;
	e->seq = 0;
	e->hidx = -1;
	e->fn = fn;
	e->obj = obj;
}

void ev_cancel(struct ev *e)
{
	int i = e->hidx;

	if (i < 0)
		return;
	e->hidx = -1;
	if (--nheap == i)
		return;
	{
		struct ev *m = heap[nheap];

		heap_place(i, m);
		sift_down(i);
		sift_up(m->hidx);
	}
}

void ev_at(struct ev *e, simtime_t t)
{
	if (t < S.now)
		t = S.now;
	ev_cancel(e);
	if (nheap == capheap) {
		capheap = capheap ? 2 * capheap : 1024;
		heap = realloc(heap, capheap * sizeof(*heap));
		if (!heap)
			fatal("out of memory");
	}
	e->t = t;
	e->seq = ++S.seq;
	heap_place(nheap++, e);
	sift_up(nheap - 1);
}

static struct ev *heap_pop(void)
{
	struct ev *e;

	if (!nheap)
		return NULL;
	e = heap[0];
	e->hidx = -1;
	if (--nheap) {
		heap_place(0, heap[nheap]);
		sift_down(0);
	}
	return e;
}

/* ---- dispatching -------------------------------------------------------------- */

static bool done;
static struct ev end_ev;

/*
 * Run events until the calling context (a vCPU coroutine, or the main
 * context when cur is NULL) is due again.
 */
static void dispatch(void)
{
	struct vcpu *me = cur;

	if (me)
		me->in_dispatch = true;
	for (;;) {
		struct ev *e = heap_pop();
		struct vcpu *v;

		if (!e)
			fatal("no event left at %lld ns: every vCPU is blocked for good",
			      (long long)S.now);
		S.now = e->t;
		if (e->fn) {
			e->fn(e);
			if (done && !me)
				return;
			continue;
		}
		v = e->obj;
		v->t = e->t;
		if (v != me)
			switch_to(v);
		if (me)
			me->in_dispatch = false;
		return;
	}
}

static void end_fn(struct ev *e)
{
	done = true;
	if (cur)
		switch_to(NULL);
}

void engine_end_at(simtime_t t)
{
	ev_at(&end_ev, t);
}

void engine_run(void)
{
	while (!done)
		dispatch();
}

/* the guest tick, charged when the vCPU's clock passes it */
static void guest_ticks(struct vcpu *v)
{
	simtime_t period = NS_PER_SEC / PRM(guest_hz);

	while (v->t >= v->next_gtick) {
		v->next_gtick += period;
		v->t += PRM(irq_ns);
		S.st_exits++;		/* KVM counts the timer's exits */
		v->ple_count = 0;	/* the exits end a PAUSE loop */
		v->ple_first = v->t;
	}
}

void sync_vcpu(struct vcpu *v)
{
	if (v->mode == VM_GUEST)
		guest_ticks(v);
	if (v->mode != VM_GUEST) {
		dispatch();
	} else if (nheap && heap[0]->t <= v->t) {
		ev_at(&v->run, v->t);
		dispatch();
	}
	S.now = v->t;
}

void advance(struct vcpu *v, simtime_t ns)
{
	v->t += ns;
	sync_vcpu(v);
}

/* ---- coroutines ------------------------------------------------------------------ */

static void (*start_fn)(struct vcpu *v);

static void coro_entry(void)
{
	struct vcpu *v = cur;

	start_fn(v);
	vcpu_finish(v);
	for (;;)
		dispatch();	/* never due again */
}

void vcpu_start(struct vcpu *v, void (*fn)(struct vcpu *v))
{
	size_t sz = PRM(stack_kb) * 1024, guard = 4096;
	char *base = mmap(NULL, sz + guard, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t top;
	void **sp;

	if (base == MAP_FAILED)
		fatal("cannot allocate a %zu KiB stack", sz / 1024);
	mprotect(base, guard, PROT_NONE);
	start_fn = fn;
	v->stack = base;
	v->stack_size = sz + guard;
	top = ((uintptr_t)base + sz + guard) & ~(uintptr_t)15;
	sp = (void **)(top - 16);
	sp[0] = (void *)coro_entry;	/* "returned to" by otsim_switch */
	sp -= 6;			/* r15 r14 r13 r12 rbx rbp */
	memset(sp, 0, 6 * sizeof(*sp));
	v->ctx_sp = sp;
	ev_init(&v->run, NULL, v);
}

/* ---- cache lines ---------------------------------------------------------------------- */

static struct line **ltab;
static size_t lcap, lcount;
static struct line *lpool;
static size_t lpool_left;

static inline size_t lhash(uintptr_t tag)
{
	return (tag * 0x9e3779b97f4a7c15ULL) >> 20;
}

static struct line *line_new(uintptr_t tag)
{
	struct line *l;

	if (!lpool_left) {
		lpool = calloc(4096, sizeof(*lpool));
		if (!lpool)
			fatal("out of memory");
		lpool_left = 4096;
	}
	l = lpool++;
	lpool_left--;
	l->tag = tag;
	l->owner = -1;
	return l;
}

static void ltab_grow(void)
{
	size_t ncap = lcap ? 2 * lcap : 4096;
	struct line **n = calloc(ncap, sizeof(*n));

	if (!n)
		fatal("out of memory");
	for (size_t i = 0; i < lcap; i++) {
		struct line *l = ltab[i];
		size_t j;

		if (!l)
			continue;
		for (j = lhash(l->tag) & (ncap - 1); n[j]; j = (j + 1) & (ncap - 1))
			;
		n[j] = l;
	}
	free(ltab);
	ltab = n;
	lcap = ncap;
}

struct line *line_of(const volatile void *p)
{
	uintptr_t tag = (uintptr_t)p >> 6;
	size_t i;

	if (2 * (lcount + 1) > lcap)
		ltab_grow();
	for (i = lhash(tag) & (lcap - 1); ltab[i]; i = (i + 1) & (lcap - 1))
		if (ltab[i]->tag == tag)
			return ltab[i];
	lcount++;
	return ltab[i] = line_new(tag);
}

static inline bool shares(const struct line *l, int p)
{
	return (l->share[p / 64] >> (p % 64)) & 1;
}

static inline void share_add(struct line *l, int p)
{
	if (!shares(l, p)) {
		l->share[p / 64] |= 1ULL << (p % 64);
		l->nshare++;
	}
}

static inline int socket_of(int p)
{
	return S.pcpu[p].socket;
}

static simtime_t xfer(int from, int to)
{
	return socket_of(from) == socket_of(to) ? PRM(xfer_ns) : PRM(xfer_remote_ns);
}

/* cost of the farthest copy of @l from pCPU @p (its sharers and owner) */
static simtime_t farthest(const struct line *l, int p)
{
	simtime_t c = 0;

	if (l->owner >= 0 && l->owner != p)
		c = xfer(l->owner, p);
	for (int w = 0; w < SHARE_WORDS && l->nshare; w++) {
		uint64_t m = l->share[w];

		while (m) {
			int q = w * 64 + __builtin_ctzll(m);

			m &= m - 1;
			if (q != p && xfer(q, p) > c)
				c = xfer(q, p);
		}
	}
	return c;
}

enum { ACC_READ, ACC_WRITE };

static bool line_hit(const struct line *l, int p, int kind)
{
	if (kind == ACC_READ)
		return l->owner == p || shares(l, p);
	return l->owner == p || (l->owner < 0 && l->nshare == 1 && shares(l, p));
}

/*
 * OTSIM_MISSES=n (debugging, like OTSIM_TRACE): where the cache misses go.
 * Each miss is charged to its line and to the guest instruction after the
 * access (the return address of sim_load() and friends: inlined guest code,
 * so "addr2line -f -i -e build/bin/otsim ADDR" names the source line).  The
 * cost is the transfer's, without the wait for one in flight (line_wait())
 * or rmw_ns.  At the end the n costliest lines and call sites go to stderr.
 * Off, it costs one test per miss.
 */
#define MISS_SITES 4096		/* filled to half at most, as ltab */
static int miss_top;		/* n; 0: off */
static struct miss_site {
	void *ra;
	uint64_t n;
	simtime_t ns;
} miss_sites[MISS_SITES];
static int miss_nsites;
static uint64_t miss_dropped;	/* misses of sites that found no room */

static void miss_note(struct line *l, void *ra, simtime_t c)
{
	size_t i = ((uintptr_t)ra >> 2) % MISS_SITES;

	l->misses++;
	l->miss_ns += c;
	while (miss_sites[i].ra && miss_sites[i].ra != ra)
		i = (i + 1) % MISS_SITES;
	if (!miss_sites[i].ra) {
		if (2 * (miss_nsites + 1) > MISS_SITES) {
			miss_dropped++;
			return;
		}
		miss_nsites++;
		miss_sites[i].ra = ra;
	}
	miss_sites[i].n++;
	miss_sites[i].ns += c;
}

/* state change and cost of an access of @kind by pCPU @p, from code @ra */
static simtime_t line_access(struct line *l, int p, int kind, void *ra)
{
	simtime_t c;

	if (line_hit(l, p, kind)) {
		if (kind == ACC_WRITE && l->owner != p) {
			memset(l->share, 0, sizeof(l->share));
			l->nshare = 0;
			l->owner = p;
		}
		return PRM(hit_ns);
	}
	if (kind == ACC_READ) {
		if (l->owner >= 0) {
			c = xfer(l->owner, p);
			share_add(l, l->owner);
			l->owner = -1;
		} else if (l->nshare) {
			c = farthest(l, p) > PRM(xfer_ns) ? PRM(xfer_remote_ns) : PRM(llc_ns);
		} else {
			c = PRM(mem_ns);
		}
		share_add(l, p);
	} else {
		c = l->owner < 0 && !l->nshare ? PRM(mem_ns) : farthest(l, p);
		if (c < PRM(llc_ns))
			c = PRM(llc_ns);
		memset(l->share, 0, sizeof(l->share));
		l->nshare = 0;
		l->owner = p;
	}
	if (l->busy < S.now + c)
		l->busy = S.now + c;
	if (miss_top)
		miss_note(l, ra, c);
	return c;
}

static int line_cost_cmp(const void *a, const void *b)
{
	const struct line *x = *(struct line *const *)a, *y = *(struct line *const *)b;

	return (x->miss_ns < y->miss_ns) - (x->miss_ns > y->miss_ns);
}

static int site_cost_cmp(const void *a, const void *b)
{
	const struct miss_site *x = a, *y = b;

	return (x->ns < y->ns) - (x->ns > y->ns);
}

void miss_profile_print(void)
{
	struct line **v;
	size_t i, k = 0, n = 0;

	if (!miss_top)
		return;
	v = calloc(lcount + 1, sizeof(*v));
	if (!v)
		fatal("out of memory");
	for (i = 0; i < lcap; i++)
		if (ltab[i] && ltab[i]->misses)
			v[k++] = ltab[i];
	qsort(v, k, sizeof(*v), line_cost_cmp);
	for (i = 0; i < k && i < (size_t)miss_top; i++)
		fprintf(stderr, "otsim: miss line %#lx: %llu misses, %lld ns\n",
			(unsigned long)(v[i]->tag << 6), (unsigned long long)v[i]->misses,
			(long long)v[i]->miss_ns);
	free(v);
	for (i = 0; i < MISS_SITES; i++)	/* the used slots first */
		if (miss_sites[i].ra)
			miss_sites[n++] = miss_sites[i];
	qsort(miss_sites, n, sizeof(miss_sites[0]), site_cost_cmp);
	for (i = 0; i < n && i < (size_t)miss_top; i++)
		fprintf(stderr, "otsim: miss site %p: %llu misses, %lld ns\n",
			miss_sites[i].ra, (unsigned long long)miss_sites[i].n,
			(long long)miss_sites[i].ns);
	if (miss_dropped)
		fprintf(stderr, "otsim: miss sites: %llu misses of sites beyond %d not counted\n",
			(unsigned long long)miss_dropped, MISS_SITES / 2);
}

/* a write by the host (steal time) from pCPU @pcpu, at S.now, no cost */
void host_write(const volatile void *p, const void *val, int size, int pcpu)
{
	struct line *l = line_of(p);

	if (!memcmp((const void *)p, val, size))
		return;
	memcpy((void *)p, val, size);
	memset(l->share, 0, sizeof(l->share));
	l->nshare = 0;
	l->owner = pcpu;
	unpark_on_write(l, NULL);
}

/* ---- spin detection and fast-forward --------------------------------------------- */

void spin_reset(struct vcpu *v)
{
	v->ff_streak = 0;
	v->sp_n = 0;
	v->sp_reads = 0;
	v->sp_quiet = 0;
	v->sp_changed = false;
	v->sp_overflow = false;
}

/*
 * What is known of each spin site (cpu_relax() return address): seen to
 * leave its loop on its own during a replay (a budget or a periodic check:
 * "bounded"), or seen to replay OTSIM_LONG_STREAK iterations in one go
 * without ever doing so ("unbounded": its replays are skipped, they could
 * only re-read the same values).  A loop with a budget can never have a
 * streak longer than its budget, so a site is declared unbounded only on
 * evidence that its budget, if any, exceeds the streak.
 */
#define NSITES			1024
#define OTSIM_LONG_STREAK	(1LL << 20)
enum { SITE_UNKNOWN, SITE_BOUNDED, SITE_UNBOUNDED };
static struct {
	void *site;
	int kind;
} sites[NSITES];

static int *site_kind(void *site)
{
	size_t i;

	for (i = ((uintptr_t)site >> 2) % NSITES; sites[i].site; i = (i + 1) % NSITES)
		if (sites[i].site == site)
			return &sites[i].kind;
	sites[i].site = site;
	return &sites[i].kind;
}

static bool site_bounded(void *site)
{
	return *site_kind(site) == SITE_BOUNDED;
}

static void site_mark_bounded(void *site)
{
	*site_kind(site) = SITE_BOUNDED;
}

void ff_stop(struct vcpu *v)
{
	v->ff_streak = 0;
	if (!v->ff_left)
		return;
	TRACE("v%d.%d replay stops early, %lld left", v->vm->id, v->cpu, (long long)v->ff_left);
	v->ff_left = 0;
	site_mark_bounded(v->ff_site);
}

/* a replayed read: the value the vCPU last saw there, if it read there */
static bool ff_read(struct vcpu *v, const volatile void *p, void *out, int size)
{
	for (int i = 0; i < v->sp_n; i++) {
		if (v->sp[i].addr == p && v->sp[i].size == size) {
			memcpy(out, &v->sp[i].val, size);
			return true;
		}
	}
	return false;
}

static void spin_note(struct vcpu *v, const volatile void *p, const void *val,
		      int size, struct line *l)
{
	uint64_t x = 0;
	int i;

	memcpy(&x, val, size);
	v->sp_reads++;
	for (i = 0; i < v->sp_n; i++) {
		if (v->sp[i].addr == p && v->sp[i].size == size) {
			if (v->sp[i].val != x) {
				v->sp[i].val = x;
				v->sp_changed = true;
			}
			return;
		}
	}
	v->sp_changed = true;
	if (v->sp_n == SP_MAX) {
		v->sp_overflow = true;
		return;
	}
	v->sp[i].addr = p;
	v->sp[i].size = size;
	v->sp[i].val = x;
	v->sp[i].line = l;
	v->sp[i].w.v = NULL;
	v->sp_n++;
}

static void watch_add(struct vcpu *v)
{
	for (int i = 0; i < v->sp_n; i++) {
		struct spin_ent *e = &v->sp[i];
		int j;

		for (j = 0; j < i && v->sp[j].line != e->line; j++)
			;
		e->w.v = NULL;
		if (j < i)
			continue;	/* that line is watched already */
		e->w.v = v;
		e->w.next = e->line->watchers;
		e->w.pprev = &e->line->watchers;
		if (e->w.next)
			e->w.next->pprev = &e->w.next;
		e->line->watchers = &e->w;
	}
}

static void watch_del(struct vcpu *v)
{
	for (int i = 0; i < v->sp_n; i++) {
		struct watch *w = &v->sp[i].w;

		if (!w->v)
			continue;
		*w->pprev = w->next;
		if (w->next)
			w->next->pprev = w->pprev;
		w->v = NULL;
	}
}

/* @l was written at S.now: its parked watchers re-read it */
void unpark_on_write(struct line *l, struct vcpu *writer)
{
	for (struct watch *w = l->watchers; w; w = w->next) {
		struct vcpu *v = w->v;
		simtime_t t = S.now > v->park_seg ? S.now : v->park_seg;

		if (v == writer || !v->parked || !ev_queued(&v->run) || v->run.t <= t)
			continue;
		ev_at(&v->run, t);
	}
}

/* when the PAUSE loop of @v reaches the PLE window, from its clock */
static simtime_t ple_due(struct vcpu *v, simtime_t iter)
{
	if (PRM(ple) == 1)
		return v->ple_first + v->ple_window;
	if (PRM(ple) == 2)
		return v->t + (v->ple_window - v->ple_count) * iter;
	return INT64_MAX;
}

static bool ple_reached(struct vcpu *v)
{
	if (PRM(ple) == 1)
		return v->t - v->ple_first >= v->ple_window;
	if (PRM(ple) == 2)
		return v->ple_count >= v->ple_window;
	return false;
}

static void park(struct vcpu *v, void *site, simtime_t iter, bool unbounded)
{
	simtime_t q, seg;

	/* a line written since it was read: the next iteration sees it */
	for (int i = 0; i < v->sp_n; i++) {
		uint64_t x = 0;

		memcpy(&x, (const void *)v->sp[i].addr, v->sp[i].size);
		if (x != v->sp[i].val) {
			sync_vcpu(v);
			return;
		}
	}
	q = site_bounded(site) && !unbounded ? PRM(quantum_ns) : PRM(quantum_long_ns);
	if (PRM(ple)) {
		simtime_t due = ple_due(v, iter);

		if (due - v->t < q)
			q = due - v->t > iter ? due - v->t : iter;
	}
	v->parked = true;
	v->park_seg = v->t;
	v->park_run = 0;
	v->park_iter = iter;
	watch_add(v);
	S.st_parks++;
	TRACE("v%d.%d park site %p iter %lld q %lld", v->vm->id, v->cpu, site, (long long)iter, (long long)q);
	ev_at(&v->run, v->t + q);
	dispatch();
	/* due again: a write, the quantum, or the host resumed it */
	seg = v->t > v->park_seg ? v->t - v->park_seg : 0;
	v->park_run += seg;
	watch_del(v);
	v->parked = false;
	v->ple_count += seg / iter;
	v->ff_left = v->park_run / iter;
	if (site != v->ff_site)
		v->ff_streak = 0;
	v->ff_site = site;
	v->ff_streak += v->ff_left;
	v->sp_last = v->t;
	{
		int *k = site_kind(site);

		if (*k == SITE_UNKNOWN && v->ff_streak > OTSIM_LONG_STREAK)
			*k = SITE_UNBOUNDED;
		if (*k == SITE_UNBOUNDED)
			v->ff_left = 0;		/* nothing to replay */
	}
	TRACE("v%d.%d unpark: replay %lld", v->vm->id, v->cpu, (long long)v->ff_left);
	S.st_ff_iters += v->ff_left;
	S.now = v->t;
}

static void relax(struct vcpu *v, void *site, bool unbounded)
{
	simtime_t iter;
	bool quiet;

	if (v->ff_left) {
		if (site == v->ff_site) {
			v->ff_left--;
			return;
		}
		ff_stop(v);
	}
	if (PRM(ple) && v->t - v->sp_last > PRM(ple_gap) * 1000 / PRM(cpu_mhz) + PRM(pause_ns)) {
		v->ple_first = v->t;	/* a new PAUSE loop for PLE */
		v->ple_count = 0;
	}
	v->t += PRM(pause_ns);
	v->ple_count++;
	iter = v->t - v->sp_last;
	v->sp_last = v->t;
	quiet = v->sp_reads && !v->sp_changed && !v->sp_overflow;
	v->sp_quiet = quiet ? v->sp_quiet + 1 : 0;
	v->sp_reads = 0;
	v->sp_changed = false;
	if (ple_reached(v)) {
		vcpu_ple_exit(v);	/* ends with sync_vcpu() */
		return;
	}
	if (v->sp_quiet >= (unbounded ? 1 : 2) && iter > 0 && iter < 100000) {
		park(v, site, iter, unbounded);
		return;
	}
	sync_vcpu(v);
}

/* ---- the guest's memory operations --------------------------------------------------- */

/*
 * A miss while a transfer is in flight on @l queues behind it: the line is
 * served in order of request, each request reserving its turn, so a herd of
 * spinners costs one wait each.
 */
static void line_wait(struct vcpu *v, struct line *l, int kind)
{
	simtime_t start;

	if (line_hit(l, v->pcpu->id, kind) || l->busy <= v->t)
		return;
	start = l->busy;
	l->busy = start + (kind == ACC_READ ? PRM(llc_ns) : PRM(xfer_ns));
	v->t = start;
	sync_vcpu(v);
}

void sim_load(const volatile void *p, void *out, int size)
{
	struct vcpu *v = cur;
	struct line *l;
	simtime_t c;

	if (!v) {
		memcpy(out, (const void *)p, size);
		return;
	}
	if (v->ff_left) {
		if (ff_read(v, p, out, size))
			return;
		ff_stop(v);
	}
	l = line_of(p);
	line_wait(v, l, ACC_READ);
	c = line_access(l, v->pcpu->id, ACC_READ, __builtin_return_address(0));
	memcpy(out, (const void *)p, size);
	spin_note(v, p, out, size, l);
	S.st_accesses++;
	advance(v, c);
}

void sim_store(volatile void *p, const void *in, int size)
{
	struct vcpu *v = cur;
	struct line *l;
	simtime_t c;
	bool changed;

	if (!v) {
		memcpy((void *)p, in, size);
		return;
	}
	ff_stop(v);
	spin_reset(v);
	l = line_of(p);
	line_wait(v, l, ACC_WRITE);
	c = line_access(l, v->pcpu->id, ACC_WRITE, __builtin_return_address(0));
	changed = memcmp((const void *)p, in, size) != 0;
	memcpy((void *)p, in, size);
	if (changed && l->watchers)
		unpark_on_write(l, v);
	S.st_accesses++;
	advance(v, c);
}

static uint64_t get_sized(const volatile void *p, int size)
{
	uint64_t x = 0;

	memcpy(&x, (const void *)p, size);
	return x;
}

bool sim_rmw(volatile void *p, int size, int op, void *old, const void *arg)
{
	struct vcpu *v = cur;
	uint64_t m, a = 0, o = 0, n;
	struct line *l = NULL;
	bool ok = true;
	simtime_t c = 0;

	if (v) {
		ff_stop(v);
		spin_reset(v);
		l = line_of(p);
		line_wait(v, l, ACC_WRITE);
		c = line_access(l, v->pcpu->id, ACC_WRITE, __builtin_return_address(0)) +
		    PRM(rmw_ns);
	}
	m = get_sized(p, size);
	memcpy(&a, arg, size);
	switch (op) {
	case SIM_XCHG:
		n = a;
		break;
	case SIM_CMPXCHG:
		memcpy(&o, old, size);
		ok = m == o;
		n = ok ? a : m;
		if (!ok && size == 4 && PRM(fault_excl)) {
			ok = true;	/* the injected fault: "won" without writing */
			m = o;
		}
		break;
	case SIM_ADD:
		n = m + a;
		break;
	case SIM_OR:
		n = m | a;
		break;
	case SIM_AND:
		n = m & a;
		break;
	default:
		sim_bug(__FILE__, __LINE__, "bad RMW op");
	}
	memcpy(old, &m, size);
	if (n != m) {
		memcpy((void *)p, &n, size);
		if (l && l->watchers)
			unpark_on_write(l, v);
	}
	if (v) {
		S.st_accesses++;
		advance(v, c);
	}
	return ok;
}

void sim_relax(void)
{
	if (cur)
		relax(cur, __builtin_return_address(0), false);
}

void sim_relax_cond(void)
{
	if (cur)
		relax(cur, __builtin_return_address(0), true);
}

void sim_mb(void)
{
	if (cur)
		advance(cur, PRM(fence_ns));
}

/* ---- the rest of the guest's view of the machine ------------------------------------- */

static struct vm *cur_vm(void)
{
	return cur ? cur->vm : boot_vm;
}

void engine_boot_vm(struct vm *vm);
void engine_boot_vm(struct vm *vm)
{
	boot_vm = vm;
}

int sim_cpu(void)
{
	return cur ? cur->cpu : 0;
}

int sim_nr_cpus(void)
{
	return cur_vm()->nvcpus;
}

long sim_pcpu_off(int cpu)
{
	struct vm *vm = cur_vm();

	if (cpu < 0 || cpu >= vm->nvcpus)
		sim_bug(__FILE__, __LINE__, "per_cpu_ptr() of a CPU that does not exist");
	return vm->pcpu_off[cpu];
}

uint64_t sim_clock(void)
{
	return cur ? (uint64_t)cur->t : (uint64_t)S.now;
}

bool sim_vcpu_preempted(int cpu)
{
	struct vm *vm = cur_vm();
	uint8_t x;

	if (cpu < 0 || cpu >= vm->nvcpus)
		return false;
	sim_load(&vm->steal[cpu].preempted, &x, 1);
	return x != 0;
}

uint64_t sim_steal_clock(int cpu)
{
	struct vcpu *v = cur_vm()->vcpu[cpu];

	return v->steal + (v->task.state == TS_RUNNABLE ? S.now - v->steal_since : 0);
}

bool sim_in_nmi(void)
{
	return false;
}

bool sim_irqs_disabled(void)
{
	return cur && cur->irqs_off;
}

void sim_irq_set(bool disabled)
{
	if (cur)
		cur->irqs_off = disabled;
}

void sim_printk(const char *fmt, ...)
{
	struct vm *vm = cur_vm();
	va_list ap;

	if (!vm || vm->conlen + 2 >= sizeof(vm->console))
		return;
	va_start(ap, fmt);
	vsnprintf(vm->console + vm->conlen, sizeof(vm->console) - vm->conlen, fmt, ap);
	va_end(ap);
	vm->conlen += strlen(vm->console + vm->conlen);
}

void sim_bug(const char *file, int line, const char *what)
{
	fatal("guest BUG at %s:%d: %s (vCPU %d of VM %d, %lld ns)", file, line, what,
	      cur ? cur->cpu : -1, cur ? cur->vm->id : -1, (long long)S.now);
}

void sim_warn(const char *file, int line, const char *what)
{
	sim_error("guest WARN at %s:%d: %s (vCPU %d of VM %d, %lld ns)", file, line, what,
		  cur ? cur->cpu : -1, cur ? cur->vm->id : -1, (long long)S.now);
}

void sim_halt(bool irqs_on)
{
	struct vcpu *v = cur;

	if (!v)
		sim_bug(__FILE__, __LINE__, "halt at boot");
	ff_stop(v);
	spin_reset(v);
	vcpu_halt(v, irqs_on);
}

long sim_hypercall(unsigned int nr, unsigned long a0, unsigned long a1,
		   unsigned long a2, unsigned long a3)
{
	struct vcpu *v = cur;

	if (v) {
		ff_stop(v);
		spin_reset(v);
	}
	return vcpu_hypercall(v, nr, a0, a1, a2, a3);
}

bool sim_kvm_feature(unsigned int bit)
{
	return host_feature(bit);
}

/* ---- setup ------------------------------------------------------------------------------- */

extern char __start_otsim_percpu[], __stop_otsim_percpu[];

/* per-CPU areas of @vm: a copy of the template section per vCPU */
void engine_percpu(struct vm *vm);
void engine_percpu(struct vm *vm)
{
	size_t sz = __stop_otsim_percpu - __start_otsim_percpu;

	vm->pcpu_off = calloc(vm->nvcpus, sizeof(long));
	vm->steal = sim_alloc(vm->nvcpus * sizeof(struct sim_steal));
	for (int c = 0; c < vm->nvcpus; c++) {
		char *a = sim_alloc(sz ? sz : 64);

		memcpy(a, __start_otsim_percpu, sz);
		vm->pcpu_off[c] = a - __start_otsim_percpu;
	}
}

void engine_init(void)
{
	const char *t = getenv("OTSIM_TRACE"), *m = getenv("OTSIM_MISSES");
	const char *h = getenv("OTSIM_HANDOFFS");
	char *end;
	long n;

	if (t && sscanf(t, "%lld,%lld", (long long *)&trace_from, (long long *)&trace_to) != 2)
		trace_from = INT64_MAX;
	if (m) {
		errno = 0;
		n = strtol(m, &end, 10);
		if (errno || end == m || *end || n <= 0 || n > 100000)
			fatal("OTSIM_MISSES=%s: not a count from 1 to 100000", m);
		miss_top = n;
	}
	if (h && strcmp(h, "1"))
		fatal("OTSIM_HANDOFFS=%s: set it to 1 or leave it unset", h);
	sim_handoffs = h;
	ev_init(&end_ev, end_fn, NULL);
}
