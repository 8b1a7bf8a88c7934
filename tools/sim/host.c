// SPDX-License-Identifier: GPL-2.0
/*
 * host.c - otsim's model of a KVM host.  Each part names the kernel code it
 * follows (Linux 6.12); Documentation/virt/oticket/sim.rst lists what is
 * simplified.
 *
 *  - Scheduler: one run queue per pCPU with EEVDF's rules
 *    (kernel/sched/fair.c): weighted average vruntime, eligibility,
 *    earliest virtual deadline first, RUN_TO_PARITY slice protection, lag
 *    kept across sleep (PLACE_LAG, clamped as update_entity_lag()), wake-up
 *    preemption when the woken task becomes the pick
 *    (check_preempt_wakeup_fair), yield (yield_task_fair) and yield_to()
 *    with the next buddy (PICK_BUDDY).  The tick (HZ) ends slices.  Wake-up
 *    placement: the previous pCPU if idle, else an idle pCPU of its socket,
 *    else the previous one.  Load balance: an idle pCPU pulls, and every
 *    tick a pCPU pulls from the busiest of its socket (across sockets
 *    every lb_ticks) when it has two tasks fewer.  No cgroups.
 *  - KVM: HLT and halt-polling with KVM's grow/shrink (kvm_vcpu_halt()),
 *    pv_unhalted latching, KVM_HC_KICK_CPU (kvm_pv_kick_cpu_op() and
 *    kvm_sched_yield()), KVM_HC_SCHED_YIELD, vcpu->ready/preempted
 *    (kvm_sched_out/in), the steal-time "preempted" byte, pause-loop
 *    exiting with window growth and reset at sched-in (vmx/svm
 *    grow_ple_window, shrink_ple_window) and kvm_vcpu_on_spin()'s
 *    round-robin directed yield.
 *  - kvm_oticket: kot_wait() and kot_kick() of virt/kvm/oticket/kvm_oticket.c.
 *  - Guest timer interrupts at the guest's HZ: a cost while running, a
 *    wake-up while halted with interrupts on.
 */
#include <errno.h>
#include <uapi/linux/kvm_para.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/kvm_oticket.h>

#include "sim.h"


/* ---- EEVDF ------------------------------------------------------------------- */

/* kernel/sched/core.c: sched_prio_to_weight[], nice -20..19 */
static const int prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

static int64_t vslice(const struct task *t)
{
	return t->slice * 1024 / t->weight;
}

/* the weighted average vruntime of @p's queued entities (avg_vruntime()) */
static int64_t avg_vruntime(const struct pcpu *p)
{
	__int128 sum = 0;
	int64_t w = 0, base;

	if (!p->ntasks)
		return 0;
	base = p->tasks[0]->vruntime;
	for (int i = 0; i < p->ntasks; i++) {
		sum += (__int128)(p->tasks[i]->vruntime - base) * p->tasks[i]->weight;
		w += p->tasks[i]->weight;
	}
	return base + (int64_t)(sum / w);
}

/* vruntime_eligible(): lag >= 0 */
static bool eligible(const struct pcpu *p, const struct task *t)
{
	__int128 sum = 0;
	int64_t w = 0;

	for (int i = 0; i < p->ntasks; i++) {
		sum += (__int128)(p->tasks[i]->vruntime - t->vruntime) * p->tasks[i]->weight;
		w += p->tasks[i]->weight;
	}
	return sum >= 0 || !w;
}

static void update_curr(struct pcpu *p)
{
	struct task *c = p->curr;
	simtime_t d;

	if (!c)
		return;
	d = S.now - c->exec_start;
	if (d <= 0)
		return;
	c->exec_start = S.now;
	c->sum_exec += d;
	c->vruntime += d * 1024 / c->weight;
	if (c->vruntime >= c->deadline) {		/* update_deadline() */
		c->deadline = c->vruntime + vslice(c);
		c->protect = false;
		if (p->ntasks > 1)
			p->need_resched = true;
	}
}

/* pick_eevdf() */
static struct task *pick_eevdf(struct pcpu *p)
{
	struct task *curr = p->curr, *best = NULL;

	if (p->ntasks == 1)
		return p->tasks[0];
	if (curr && (!curr->on_rq || !eligible(p, curr)))
		curr = NULL;
	if (curr && curr->protect)			/* RUN_TO_PARITY */
		return curr;
	for (int i = 0; i < p->ntasks; i++) {
		struct task *t = p->tasks[i];

		if (eligible(p, t) && (!best || t->deadline < best->deadline))
			best = t;
	}
	if (!best)
		best = p->tasks[0];
	return best;
}

/* pick_next_entity(): the next buddy if eligible (PICK_BUDDY), else EEVDF */
static struct task *pick_next(struct pcpu *p)
{
	struct task *b = p->next_buddy;

	p->next_buddy = NULL;
	if (b && b->on_rq && b->rq == p && eligible(p, b))
		return b;
	return pick_eevdf(p);
}

static void rq_add(struct pcpu *p, struct task *t)
{
	p->tasks = realloc(p->tasks, (p->ntasks + 1) * sizeof(*p->tasks));
	t->rq_pos = p->ntasks;
	p->tasks[p->ntasks++] = t;
	t->on_rq = true;
	t->rq = p;
}

static void rq_del(struct pcpu *p, struct task *t)
{
	int i = t->rq_pos;

	/* keep the others in order: the picks depend on it on ties */
	memmove(&p->tasks[i], &p->tasks[i + 1], (p->ntasks - i - 1) * sizeof(*p->tasks));
	p->ntasks--;
	for (int k = i; k < p->ntasks; k++)
		p->tasks[k]->rq_pos = k;
	t->on_rq = false;
	if (p->next_buddy == t)
		p->next_buddy = NULL;
}

/* place_entity() with PLACE_LAG; @rel: migration, keep the relative deadline */
static void enqueue(struct pcpu *p, struct task *t, bool rel)
{
	int64_t rel_deadline = t->deadline - t->vruntime;

	update_curr(p);
	if (p->ntasks) {
		int64_t w = 0, lag = t->vlag;

		for (int i = 0; i < p->ntasks; i++)
			w += p->tasks[i]->weight;
		lag = (int64_t)((__int128)lag * (w + t->weight) / w);
		t->vruntime = avg_vruntime(p) - lag;
	} else {
		t->vruntime -= t->vlag;
	}
	t->deadline = t->vruntime + (rel ? rel_deadline : vslice(t));
	t->protect = false;
	rq_add(p, t);
}

/* dequeue_entity() with update_entity_lag() */
static void dequeue(struct pcpu *p, struct task *t)
{
	int64_t lag, limit, tick = NS_PER_SEC / PRM(host_hz);

	update_curr(p);
	lag = avg_vruntime(p) - t->vruntime;
	limit = 2 * vslice(t) > tick ? 2 * vslice(t) : tick;
	t->vlag = lag < -limit ? -limit : lag > limit ? limit : lag;
	rq_del(p, t);
}

static void set_weight(struct task *t, int64_t w)
{
	struct pcpu *p = t->rq;

	if (p && p->curr == t)
		update_curr(p);
	/* reweight_entity(): keep the lag and the remaining slice in real time */
	t->deadline = t->vruntime + (t->deadline - t->vruntime) * t->weight / w;
	t->vlag = t->vlag * t->weight / w;
	t->weight = w;
}

/* ---- vCPU threads on and off a pCPU ------------------------------------------- */

static inline struct vcpu *task_vcpu(struct task *t)
{
	return t && t->is_vcpu ? (struct vcpu *)t : NULL;
}

/* vcpu->ready, and the VM's mask of ready vCPUs (for kvm_vcpu_on_spin's scan) */
static void set_ready(struct vcpu *v, bool ready)
{
	uint64_t bit = 1ULL << (v->cpu % 64);

	v->ready = ready;
	if (ready)
		v->vm->ready_mask[v->cpu / 64] |= bit;
	else
		v->vm->ready_mask[v->cpu / 64] &= ~bit;
}

/* the next ready vCPU of @vm after guest CPU @i, or nvcpus */
static int next_ready(struct vm *vm, int i)
{
	for (i++; i < vm->nvcpus; ) {
		uint64_t w = vm->ready_mask[i / 64] >> (i % 64);

		if (w)
			return i + __builtin_ctzll(w);
		i = (i / 64 + 1) * 64;
	}
	return vm->nvcpus;
}

static void steal_flag(struct vcpu *v, uint8_t val, int pcpu)
{
	host_write(&v->vm->steal[v->cpu].preempted, &val, 1, pcpu);
}

/* kvm_sched_out() and vcpu_put(): @v leaves its pCPU */
static void vcpu_sched_out(struct vcpu *v, bool still_runnable)
{
	if (ev_queued(&v->run)) {
		if (v->parked) {
			/* it may not have run yet since its last sched-in */
			if (S.now > v->park_seg)
				v->park_run += S.now - v->park_seg;
			v->remaining = 0;
		} else {
			v->remaining = v->run.t - S.now;
		}
		ev_cancel(&v->run);
	} else if (v == cur && !v->in_dispatch && v->mode == VM_GUEST) {
		v->remaining = v->t > S.now ? v->t - S.now : 0;
	} else {
		v->remaining = 0;
	}
	v->mode = VM_OUT;
	if (still_runnable) {
		v->preempted = true;
		set_ready(v, true);
		steal_flag(v, 1, v->pcpu->id);
		v->steal_since = S.now;
		S.st_preempt++;
	}
}

/* kvm_sched_in() and vcpu_load(): @v runs on @p from @t */
static void vcpu_sched_in(struct vcpu *v, struct pcpu *p, simtime_t t)
{
	if (v->preempted) {
		v->steal += S.now - v->steal_since;
		v->preempted = false;
	}
	set_ready(v, false);
	steal_flag(v, 0, p->id);
	v->pcpu = p;
	v->mode = VM_GUEST;		/* a woken vCPU finishes its halt */
	/* shrink_ple_window() with the default shrink of 0: back to the start */
	v->ple_window = PRM(ple) == 1 ? PRM(ple_window) * 1000 / PRM(cpu_mhz) : PRM(ple_window);
	v->ple_count = 0;
	v->ple_first = t;
	v->sp_last = t;
	if (v->parked) {
		v->park_seg = t;
		ev_at(&v->run, t);
	} else {
		v->t = t + v->remaining;
		v->remaining = 0;
		if (v != cur || v->in_dispatch)
			ev_at(&v->run, v->t);
	}
}

static void resched_at(struct pcpu *p, simtime_t t)
{
	if (!ev_queued(&p->resched) || p->resched.t > t)
		ev_at(&p->resched, t);
}

static void schedule(struct pcpu *p);

/* __schedule() on @p at S.now */
static void schedule(struct pcpu *p)
{
	struct task *prev = p->curr, *next;
	struct vcpu *pv = task_vcpu(prev), *nv;

	update_curr(p);
	p->need_resched = false;
	ev_cancel(&p->resched);
	next = p->ntasks ? pick_next(p) : NULL;
	if (!next) {
		/* newidle balance: pull a waiting task from the busiest pCPU */
		extern bool balance_pull(struct pcpu *p, bool any_socket);

		if (balance_pull(p, false) || balance_pull(p, true))
			next = pick_next(p);
	}
	if (next == prev) {
		if (next)
			next->protect = true;
		return;
	}
	S.st_ctxsw++;
	if (prev) {
		if (pv && pv->mode != VM_OUT)
			vcpu_sched_out(pv, prev->on_rq);
		if (prev->on_rq)
			prev->state = TS_RUNNABLE;
	}
	TRACE("p%d: %s%d -> %s%d", p->id, task_vcpu(prev) ? "v" : "t", prev ? prev->id : -1,
	      task_vcpu(next) ? "v" : "t", next ? next->id : -1);
	p->curr = next;
	if (!next)
		return;
	next->state = TS_RUNNING;
	next->exec_start = S.now;
	next->protect = true;			/* set_protect_slice() */
	nv = task_vcpu(next);
	if (nv)
		vcpu_sched_in(nv, p, S.now + PRM(ctxsw_ns));
}

static void resched_fn(struct ev *e)
{
	schedule(e->obj);
}

/* a task became runnable on @p: preempt if it is now the pick */
static void poll_stop(struct vcpu *v);

static void check_preempt(struct pcpu *p, struct task *t, simtime_t delay)
{
	struct vcpu *cv = task_vcpu(p->curr);

	if (cv && cv->mode == VM_POLL) {
		/* kvm_vcpu_can_poll(): single_task_running() is false now */
		ev_cancel(&cv->hev);
		poll_stop(cv);
		return;
	}
	if (!p->curr) {
		resched_at(p, S.now + delay + PRM(idle_exit_ns));
		return;
	}
	update_curr(p);
	if (p->need_resched || pick_eevdf(p) == t)
		resched_at(p, S.now + delay);
}

bool balance_pull(struct pcpu *p, bool any_socket);
bool balance_pull(struct pcpu *p, bool any_socket)
{
	struct pcpu *busiest = NULL;
	struct task *t = NULL;

	for (int i = 1; i < S.npcpus; i++) {
		struct pcpu *q = &S.pcpu[(p->id + i) % S.npcpus];

		if (!any_socket && q->socket != p->socket)
			continue;
		if (!busiest || q->ntasks > busiest->ntasks)
			busiest = q;
	}
	if (!busiest || busiest->ntasks < p->ntasks + 2)
		return false;
	/* the queued task that ran least recently (detach_tasks() from the tail) */
	for (int i = 0; i < busiest->ntasks; i++) {
		struct task *c = busiest->tasks[i];

		if (c != busiest->curr && (!t || c->exec_start < t->exec_start))
			t = c;
	}
	if (!t)
		return false;
	dequeue(busiest, t);
	enqueue(p, t, true);
	S.st_migrations++;
	return true;
}

static void tick_fn(struct ev *e)
{
	struct pcpu *p = e->obj;
	simtime_t period = NS_PER_SEC / PRM(host_hz);
	static uint64_t nticks;

	ev_at(&p->tick, S.now + period);
	nticks++;
	update_curr(p);
	if (balance_pull(p, false) ||
	    ((nticks / S.npcpus) % PRM(lb_ticks) == 0 && balance_pull(p, true)))
		check_preempt(p, p->tasks[p->ntasks - 1], 0);
	if (p->need_resched)
		schedule(p);
}

/* ---- waking, halting --------------------------------------------------------- */

/* select_task_rq_fair(), much reduced */
static struct pcpu *select_rq(struct task *t)
{
	struct pcpu *prev = t->rq;

	if (!prev->curr && !prev->ntasks)
		return prev;
	for (int i = 1; i < S.npcpus; i++) {
		struct pcpu *q = &S.pcpu[(prev->id + i) % S.npcpus];

		if (q->socket == prev->socket && !q->curr && !q->ntasks)
			return q;
	}
	return prev;
}

/* try_to_wake_up() of a blocked task, from pCPU @from (-1: a timer) */
static void wake_task(struct task *t, int from)
{
	struct pcpu *p = select_rq(t);
	simtime_t delay = from >= 0 && from != p->id ? PRM(ipi_ns) : 0;

	t->state = TS_RUNNABLE;
	enqueue(p, t, false);
	check_preempt(p, t, delay);
}

static void poll_end_fn(struct ev *e);
static void halted_tick_fn(struct ev *e);

/*
 * kvm_vcpu_kick() and the wake-up half of kvm_vcpu_halt(): end @v's halt.
 * @kick: a PV kick (pv_unhalted), else an interrupt.
 */
static void vcpu_wake(struct vcpu *v, bool kick, int from)
{
	if (v->finished)
		return;
	if (kick)
		v->pv_unhalted = true;
	if (!v->halted) {
		/* kvm_vcpu_kick() of a vCPU in guest mode: an IPI, a VM exit */
		if (kick && v->mode == VM_GUEST && ev_queued(&v->run) && !v->parked) {
			S.st_exits++;
			ev_at(&v->run, v->run.t + PRM(exit_ns));
		}
		return;
	}
	if (!kick) {
		if (!v->halt_irqs)
			return;
		v->irq_pending = true;
	}
	if (v->mode == VM_POLL) {
		/* the poll loop sees the event: no schedule, no wake-up IPI */
		ev_cancel(&v->hev);
		S.st_halt_poll_ok++;
		v->mode = VM_GUEST;
		v->t = S.now + 50;
		ev_at(&v->run, v->t);
		return;
	}
	if (v->task.state != TS_BLOCKED)
		return;
	S.st_halt_wakeup++;
	set_ready(v, true);				/* kvm_vcpu_wake_up() */
	wake_task(&v->task, from);
}

/*
 * A guest timer: the tick while halted in a lock wait (armed only then), or
 * the hrtimer that ends an idle sleep, which may fire before the vCPU got
 * to its HLT: then the interrupt is pending and the HLT returns at once.
 */
static void halted_tick_fn(struct ev *e)
{
	struct vcpu *v = e->obj;

	if (!v->halted) {
		v->irq_pending = true;
		return;
	}
	vcpu_wake(v, false, -1);
}

/* kvm_vcpu_block(): @v sleeps until a kick or an interrupt */
static void vcpu_block(struct vcpu *v)
{
	struct pcpu *p = v->pcpu;

	v->mode = VM_OUT;
	v->remaining = 0;
	v->task.state = TS_BLOCKED;
	dequeue(p, &v->task);
	schedule(p);
}

/* the halt-poll ends without a wake-up event: block */
static void poll_stop(struct vcpu *v)
{
	vcpu_block(v);
}

static void poll_end_fn(struct ev *e)
{
	poll_stop(e->obj);
}

static void grow_halt_poll(struct vcpu *v)
{
	uint64_t val = (uint64_t)v->halt_poll_ns * PRM(halt_poll_grow);

	if (val < (uint64_t)PRM(halt_poll_grow_start))
		val = PRM(halt_poll_grow_start);
	v->halt_poll_ns = val;
}

static void shrink_halt_poll(struct vcpu *v)
{
	uint64_t val = PRM(halt_poll_shrink) ? v->halt_poll_ns / PRM(halt_poll_shrink) : 0;

	if (val < (uint64_t)PRM(halt_poll_grow_start))
		val = 0;
	v->halt_poll_ns = val;
}

/* kvm_vcpu_halt() from guest HLT (or the WAIT hypercall), in @v's context */
static void kvm_vcpu_halt(struct vcpu *v, bool irqs_on, simtime_t poll_min)
{
	struct pcpu *p = v->pcpu;
	simtime_t start = v->t, halt_ns;

	v->halted = true;
	v->halt_irqs = irqs_on && !PRM(fault_lost_kick);
	TRACE("v%d.%d halt irqs %d unhalted %d", v->vm->id, v->cpu, irqs_on, v->pv_unhalted);
	if (v->pv_unhalted || (irqs_on && v->irq_pending))
		goto out;		/* kvm_arch_vcpu_runnable(): no block */
	if (irqs_on && !v->tick_stopped) {
		/* the guest tick keeps running: it ends the halt */
		while (v->next_gtick <= S.now)
			v->next_gtick += NS_PER_SEC / PRM(guest_hz);
		ev_at(&v->tev, v->next_gtick);
	}
	if (v->halt_poll_ns > PRM(halt_poll_ns))
		v->halt_poll_ns = PRM(halt_poll_ns);
	if (poll_min > v->halt_poll_ns && p->ntasks == 1)
		v->halt_poll_ns = poll_min;
	if (v->halt_poll_ns && p->ntasks == 1) {
		/* poll while single_task_running() and nothing woke us */
		S.st_halt_poll_try++;
		v->mode = VM_POLL;
		ev_at(&v->hev, S.now + v->halt_poll_ns);
	} else {
		vcpu_block(v);
	}
	sync_vcpu(v);		/* until woken (and scheduled, if it blocked) */
	/* kvm_vcpu_halt()'s adaptive polling (every wake-up is valid on x86) */
	halt_ns = v->t - start;
	if (halt_ns <= v->halt_poll_ns)
		;
	else if (v->halt_poll_ns && halt_ns > PRM(halt_poll_ns))
		shrink_halt_poll(v);
	else if (v->halt_poll_ns < PRM(halt_poll_ns) && halt_ns < PRM(halt_poll_ns))
		grow_halt_poll(v);
out:
	ev_cancel(&v->tev);
	v->halted = false;
	v->pv_unhalted = false;
	if (irqs_on && v->irq_pending) {
		v->irq_pending = false;
		v->t += PRM(irq_ns);		/* the interrupt that woke it */
	}
	while (v->next_gtick <= v->t)
		v->next_gtick += NS_PER_SEC / PRM(guest_hz);
}

/* HLT from the guest */
void vcpu_halt(struct vcpu *v, bool irqs_on)
{
	S.st_exits++;
	S.st_halt_exits++;
	advance(v, PRM(exit_ns) / 2);
	kvm_vcpu_halt(v, irqs_on, 0);
	if (irqs_on)
		v->irqs_off = false;
	advance(v, PRM(exit_ns) - PRM(exit_ns) / 2);
}

/* the guest idles until @t (an hrtimer), tick stopped: NO_HZ idle HLT */
void vcpu_guest_idle_until(struct vcpu *v, simtime_t t)
{
	v->tick_stopped = true;
	while (v->t < t && !v->finished) {
		ev_at(&v->tev, t);		/* the hrtimer that ends the sleep */
		vcpu_halt(v, true);
	}
	v->tick_stopped = false;
}

void vcpu_finish(struct vcpu *v)
{
	struct pcpu *p = v->pcpu;

	v->finished = true;
	S.nfinished++;
	ev_cancel(&v->hev);
	ev_cancel(&v->tev);
	v->mode = VM_OUT;
	v->task.state = TS_DEAD;
	dequeue(p, &v->task);
	schedule(p);
	if (S.nfinished == S.nvcpus)
		engine_end_at(S.now);
}

/* ---- directed yield ---------------------------------------------------------- */

/* yield_task_fair() */
static void yield_task_fair(struct pcpu *p)
{
	struct task *c = p->curr;

	if (p->ntasks == 1 || !c)
		return;
	update_curr(p);
	if (eligible(p, c)) {
		c->vruntime = c->deadline;
		c->deadline = c->vruntime + vslice(c);
	}
	c->protect = false;
}

/* kvm_vcpu_yield_to() -> yield_to(task, true), from @v's context */
static int yield_to_vcpu(struct vcpu *v, struct vcpu *target)
{
	struct pcpu *rq = v->pcpu, *p_rq = target->task.rq;

	v->t += PRM(yield_ns);
	sync_vcpu(v);
	if (v->mode != VM_GUEST)
		return 0;		/* preempted meanwhile */
	rq = v->pcpu;
	p_rq = target->task.rq;
	if (rq->ntasks == 1 && p_rq->ntasks == 1)
		return -ESRCH;
	if (target->task.state != TS_RUNNABLE)
		return 0;		/* task_on_cpu() or !task_is_running() */
	/* yield_to_task_fair() */
	p_rq->next_buddy = &target->task;
	yield_task_fair(rq);
	if (rq != p_rq)
		resched_at(p_rq, S.now + PRM(ipi_ns));
	schedule(rq);
	return 1;
}

/* kvm_sched_yield() of x86.c: KVM_HC_SCHED_YIELD and after KVM_HC_KICK_CPU */
static void kvm_sched_yield(struct vcpu *v, unsigned long dest)
{
	struct vcpu *target;

	S.st_dy_try++;
	if (v->pcpu->ntasks == 1)
		return;			/* single_task_running() */
	if (dest >= (unsigned long)v->vm->nvcpus)
		return;
	target = v->vm->vcpu[dest];
	if (!target->ready || target == v)
		return;
	if (yield_to_vcpu(v, target) <= 0)
		return;
	S.st_dy_ok++;
}

/* kvm_vcpu_on_spin(me, yield_to_kernel_mode = true) */
static void kvm_vcpu_on_spin(struct vcpu *me)
{
	struct vm *vm = me->vm;
	int last = vm->last_boosted, tries = 3, yielded = 0;

	/* the same order as kvm_for_each_vcpu(), over the ready vCPUs only */
	for (int pass = 0; pass < 2 && !yielded && tries; pass++) {
		for (int i = next_ready(vm, pass ? -1 : last); i < vm->nvcpus;
		     i = next_ready(vm, i)) {
			struct vcpu *u = vm->vcpu[i];
			int r;

			if (pass && i > last)
				break;
			if (u == me)
				continue;
			if (u->task.state == TS_BLOCKED)
				continue;
			if (u->preempted && !u->in_kernel)
				continue;
			r = yield_to_vcpu(me, u);
			if (r > 0) {
				vm->last_boosted = i;
				yielded = 1;
				break;
			} else if (r < 0) {
				if (!--tries)
					break;
			}
			if (me->mode != VM_GUEST)
				break;
		}
	}
}

void vcpu_ple_exit(struct vcpu *v)
{
	int64_t max = PRM(ple) == 1 ? PRM(ple_max) * 1000 / PRM(cpu_mhz) : PRM(ple_max);

	S.st_exits++;
	S.st_ple_exits++;
	advance(v, PRM(exit_ns) / 2);
	/* grow_ple_window() */
	v->ple_window *= PRM(ple_grow);
	if (v->ple_window > max)
		v->ple_window = max;
	if (v->mode == VM_GUEST)
		kvm_vcpu_on_spin(v);
	advance(v, PRM(exit_ns) - PRM(exit_ns) / 2);
	v->ple_count = 0;
	v->ple_first = v->t;
	v->sp_last = v->t;
}

/* ---- kvm_oticket (virt/kvm/oticket/kvm_oticket.c) -------------------------------- */

enum kot_stat {
#define KOT_STAT(name, desc) KOT_##name,
#include <virt/kvm/oticket/kvm_oticket_stats.h>
#undef KOT_STAT
	KOT_NR_STATS
};

static const char *const kot_names[] = {
#define KOT_STAT(name, desc) #name,
#include <virt/kvm/oticket/kvm_oticket_stats.h>
#undef KOT_STAT
};

#define kot_inc(s)	(S.kot[KOT_##s]++)

static void kot_unboost(struct vcpu *v)
{
	if (!v->kot_boost)
		return;
	set_weight(&v->task, v->kot_saved_weight);
	v->kot_boost = 0;
}

/* kot_boost(): nice boost_nice for the next holder until its next call */
static void kot_boost(struct vcpu *t)
{
	int64_t w = prio_to_weight[20 + PRM(kot_boost_nice)];

	if (t->kot_boost)
		return;
	t->kot_saved_weight = t->task.weight;
	t->kot_boost = 1;
	if (w > t->task.weight)
		set_weight(&t->task, w);
}

/* kot_wait() */
static long kot_wait(struct vcpu *v, unsigned long flags, unsigned long hint,
		     unsigned long pos)
{
	const unsigned long hint_flags = KVM_OTICKET_WAIT_HOLDER | KVM_OTICKET_WAIT_PRED;
	struct vcpu *hinted = NULL;
	bool yielded = false;
	int tries = PRM(kot_yield_tries);

	if ((flags & ~KVM_OTICKET_WAIT_FLAGS) || (flags & hint_flags) == hint_flags ||
	    pos > KVM_OTICKET_MAX_POS)
		return -KVM_EINVAL;
	if (flags & hint_flags) {
		if (hint >= (unsigned long)v->vm->nvcpus)
			return -KVM_EINVAL;
		hinted = v->vm->vcpu[hint];
	}
	if (!(flags & KVM_OTICKET_WAIT_IRQ) != v->irqs_off)
		return -KVM_EINVAL;
	kot_inc(hc_wait);
	v->kot_waiting = true;
	if (hinted && hinted != v && hinted->preempted) {
		if (flags & KVM_OTICKET_WAIT_HOLDER)
			kot_inc(lhp);
		if (hinted->ready) {
			yielded = yield_to_vcpu(v, hinted) > 0;
			if (yielded)
				kot_inc(yield_hint);
			else
				kot_inc(yield_failed);
			tries -= !yielded;
		}
	}
	if (!yielded && PRM(kot_rr_yield) && v->mode == VM_GUEST && v->pcpu->ntasks > 1) {
		kvm_vcpu_on_spin(v);
		kot_inc(yield_rr);
	}
	if (!yielded && tries > 0 && PRM(kot_coyield) && v->mode == VM_GUEST) {
		/* kot_coyield(): a preempted, runnable, not waiting vCPU of another VM */
		for (int m = 0; m < S.nvms && tries > 0 && !yielded; m++) {
			struct vm *o = &S.vm[m];

			if (o == v->vm || !o->host_hook)
				continue;
			for (int i = 0; i < o->nvcpus; i++) {
				struct vcpu *u = o->vcpu[i];

				if (!u->ready || u->task.state == TS_BLOCKED || u->kot_waiting)
					continue;
				if (yield_to_vcpu(v, u) > 0) {
					kot_inc(coyield);
					yielded = true;
				} else {
					kot_inc(yield_failed);
					tries--;
				}
				break;
			}
		}
	}
	if (v->mode == VM_GUEST && v->pcpu->ntasks == 1)
		kot_inc(poll_allowed);
	else
		kot_inc(poll_skipped);
	/* kvm_emulate_halt_noskip(): the vCPU halts once the hypercall returns */
	if (v->pv_unhalted || ((flags & KVM_OTICKET_WAIT_IRQ) && v->irq_pending)) {
		kot_inc(halt_latched);
	} else {
		kot_inc(halt);
	}
	if (v->mode != VM_GUEST)
		sync_vcpu(v);		/* yielded away: run again first */
	kvm_vcpu_halt(v, flags & KVM_OTICKET_WAIT_IRQ, PRM(kot_poll_ns));
	return 0;
}

/* kot_kick() */
static long kot_kick(struct vcpu *v, unsigned long flags, unsigned long apic)
{
	struct vcpu *t;
	bool halted;

	if (flags & ~KVM_OTICKET_KICK_FLAGS)
		return -KVM_EINVAL;
	if (apic >= (unsigned long)v->vm->nvcpus)
		return -KVM_EINVAL;
	t = v->vm->vcpu[apic];
	kot_inc(hc_kick);
	t->kot_waiting = false;
	halted = t->task.state == TS_BLOCKED;
	if (!halted && t->preempted && (flags & KVM_OTICKET_KICK_NEXT))
		kot_inc(lwp);
	vcpu_wake(t, true, v->pcpu->id);		/* kvm_vcpu_pv_unhalt() */
	kot_inc(kick);
	if (!(flags & KVM_OTICKET_KICK_NEXT) || t == v)
		return 0;
	if (PRM(kot_boost)) {
		kot_boost(t);
		kot_inc(boosted);
	}
	if ((flags & (KVM_OTICKET_KICK_AHEAD | KVM_OTICKET_KICK_HOLDING)) ||
	    v->pcpu->ntasks == 1 || !t->ready)
		return 0;
	if (yield_to_vcpu(v, t) > 0)
		kot_inc(kick_boost);
	else
		kot_inc(yield_failed);
	return 0;
}

/* kot_hypercall() */
static long kot_hypercall(struct vcpu *v, unsigned int nr, unsigned long a0,
			  unsigned long a1, unsigned long a2)
{
	long ret;

	v->kot_waiting = false;
	kot_unboost(v);
	switch (nr) {
	case KVM_HC_OTICKET_PROBE:
		kot_inc(hc_probe);
		ret = a0 ? (long)(a0 < KVM_OTICKET_VERSION ? a0 : KVM_OTICKET_VERSION) : -KVM_EINVAL;
		break;
	case KVM_HC_OTICKET_WAIT:
		ret = kot_wait(v, a0, a1, a2);
		break;
	case KVM_HC_OTICKET_KICK:
		ret = kot_kick(v, a0, a1);
		break;
	default:
		return -KVM_ENOSYS;
	}
	if (ret == -KVM_EINVAL)
		kot_inc(hc_einval);
	return ret;
}

/* ---- hypercalls ---------------------------------------------------------------- */

long vcpu_hypercall(struct vcpu *v, unsigned int nr, unsigned long a0,
		    unsigned long a1, unsigned long a2, unsigned long a3)
{
	bool kot = nr >= KVM_HC_OTICKET_BASE && nr <= KVM_HC_OTICKET_BASE + 0xffff;
	long ret = -KVM_ENOSYS;

	if (!v) {
		/* at boot, before the vCPUs run: only the probe matters */
		if (nr == KVM_HC_OTICKET_PROBE && PRM(kot)) {
			S.kot[KOT_hc_probe]++;
			return a0 ? (long)(a0 < KVM_OTICKET_VERSION ? a0 : KVM_OTICKET_VERSION) :
				    -KVM_EINVAL;
		}
		return -KVM_ENOSYS;
	}
	S.st_exits++;
	S.st_hypercalls++;
	advance(v, PRM(exit_ns) / 2 + PRM(hc_ns));
	if (kot && PRM(kot)) {
		ret = kot_hypercall(v, nr, a0, a1, a2);
	} else if (nr == KVM_HC_KICK_CPU && PRM(pv_unhalt) && PRM(fault_lost_kick)) {
		ret = 0;		/* the injected fault: the kick is lost */
	} else if (nr == KVM_HC_KICK_CPU && PRM(pv_unhalt)) {
		/* kvm_pv_kick_cpu_op(), then kvm_sched_yield() */
		S.st_kicks++;
		if (a1 < (unsigned long)v->vm->nvcpus) {
			struct vcpu *t = v->vm->vcpu[a1];

			vcpu_wake(t, true, v->pcpu->id);
			if (PRM(kick_yield))
				kvm_sched_yield(v, a1);
		}
		ret = 0;
	} else if (nr == KVM_HC_SCHED_YIELD && PRM(pv_sched_yield)) {
		kvm_sched_yield(v, a0);
		ret = 0;
	}
	(void)a3;
	advance(v, PRM(exit_ns) - PRM(exit_ns) / 2);
	return ret;
}

bool host_feature(unsigned int bit)
{
	switch (bit) {
	case KVM_FEATURE_PV_UNHALT:
		return PRM(pv_unhalt);
	case KVM_FEATURE_PV_SCHED_YIELD:
		return PRM(pv_sched_yield);
	case KVM_FEATURE_STEAL_TIME:
		return true;
	}
	return false;
}

/* ---- setup --------------------------------------------------------------------- */

static struct task *bg_tasks;

void host_init(void)
{
	simtime_t period = NS_PER_SEC / PRM(host_hz);
	int per_socket = (S.npcpus + PRM(sockets) - 1) / PRM(sockets);

	S.pcpu = calloc(S.npcpus, sizeof(*S.pcpu));
	for (int i = 0; i < S.npcpus; i++) {
		struct pcpu *p = &S.pcpu[i];

		p->id = i;
		p->socket = i / per_socket;
		ev_init(&p->tick, tick_fn, p);
		ev_init(&p->resched, resched_fn, p);
		/* ticks spread over the period, as with per-CPU tick skew */
		ev_at(&p->tick, period * (i + 1) / S.npcpus);
	}
}

static void task_init(struct task *t, int id, bool is_vcpu, struct pcpu *p)
{
	t->id = id;
	t->is_vcpu = is_vcpu;
	t->weight = 1024;
	t->slice = PRM(base_slice_ns);
	t->vruntime = 0;
	t->rq = p;
	t->state = TS_RUNNABLE;
	enqueue(p, t, false);
}

/* vCPU threads start spread over the pCPUs, as after a while of balancing */
void host_place_vcpus(void)
{
	int n = 0;

	for (int m = 0; m < S.nvms; m++) {
		for (int c = 0; c < S.vm[m].nvcpus; c++, n++) {
			struct vcpu *v = S.vm[m].vcpu[c];
			struct pcpu *p = &S.pcpu[n % S.npcpus];

			task_init(&v->task, n, true, p);
			v->pcpu = p;
			v->mode = VM_OUT;
			ev_init(&v->hev, poll_end_fn, v);
			ev_init(&v->tev, halted_tick_fn, v);
			v->halt_poll_ns = 0;
			v->next_gtick = (NS_PER_SEC / PRM(guest_hz)) * (n + 1) / (S.nvcpus + 1);
		}
	}
	S.nbg = PRM(bg_tasks);
	bg_tasks = calloc(S.nbg ? S.nbg : 1, sizeof(*bg_tasks));
	for (int i = 0; i < S.nbg; i++)
		task_init(&bg_tasks[i], n + i, false, &S.pcpu[(S.npcpus - 1 - i % S.npcpus)]);
	for (int i = 0; i < S.npcpus; i++)
		schedule(&S.pcpu[i]);
}

/* bring the running tasks' CPU time (sum_exec) up to the end */
void host_account_end(void)
{
	for (int i = 0; i < S.npcpus; i++)
		update_curr(&S.pcpu[i]);
}

void host_print_stats(FILE *f)
{
	fprintf(f, "otb: kvm: exits=%llu halt_exits=%llu halt_wakeup=%llu "
		"halt_successful_poll=%llu halt_attempted_poll=%llu "
		"directed_yield_attempted=%llu directed_yield_successful=%llu "
		"preemption_reported=%llu\n",
		(unsigned long long)S.st_exits, (unsigned long long)S.st_halt_exits,
		(unsigned long long)S.st_halt_wakeup, (unsigned long long)S.st_halt_poll_ok,
		(unsigned long long)S.st_halt_poll_try, (unsigned long long)S.st_dy_try,
		(unsigned long long)S.st_dy_ok, (unsigned long long)S.st_preempt);
	fprintf(f, "otb: simhost: ple_exits=%llu ctxsw=%llu kicks=%llu migrations=%llu "
		"hypercalls=%llu\n",
		(unsigned long long)S.st_ple_exits, (unsigned long long)S.st_ctxsw,
		(unsigned long long)S.st_kicks, (unsigned long long)S.st_migrations,
		(unsigned long long)S.st_hypercalls);
	if (PRM(kot)) {
		fprintf(f, "otb: kot:");
		for (int i = 0; i < KOT_NR_STATS; i++)
			fprintf(f, " %s=%llu", kot_names[i], (unsigned long long)S.kot[i]);
		fprintf(f, "\n");
	}
}
