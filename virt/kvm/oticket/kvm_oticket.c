// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_oticket: the host half of oticket paravirtual spinlocks.
 *
 * A guest whose spinlock slow path is oticket or oqspin halts a waiting vCPU
 * with KVM_HC_OTICKET_WAIT instead of HLT, and says what it waits for: its
 * queue position, and the vCPU that holds the lock or waits just ahead of
 * it.  Its unlock wakes the next holder with KVM_HC_OTICKET_KICK.  This
 * module serves those hypercalls through KVM's hypercall hook
 * (asm/kvm_hypercall_hook.h); the ABI is in include/uapi/linux/kvm_oticket.h
 * and Documentation/virt/kvm/x86/oticket-hypercalls.rst.
 *
 * WAIT is a software pause-loop exit that knows whom to help:
 *
 *  1. the vCPU is marked halted-for-lock;
 *  2. if the hinted holder (or predecessor) is preempted, yield to it: it
 *     is the one whose progress the caller waits for (LHP estimate);
 *  3. else, with rr_yield=1, do what a pause-loop exit does:
 *     kvm_vcpu_on_spin() yields round-robin to a preempted vCPU of the VM
 *     that is not halted (off by default: the runnable vCPUs of a VM whose
 *     vCPUs wait for a lock are mostly spinning waiters, and yielding to
 *     them cost o-ticket a third of its throughput at 4x over-commit);
 *  4. else, with coyield=1, the same for vCPUs of the other VMs that use
 *     the hook;
 *  5. halt the vCPU as HLT would (kvm_emulate_halt_noskip()): a kick,
 *     KVM_HC_KICK_CPU or an interrupt the guest can take (it sets IF right
 *     before the call when KVM_OTICKET_WAIT_IRQ) ends the halt.  Halt-polling
 *     is KVM's: it already stops polling as soon as another task wants the
 *     pCPU (kvm_vcpu_can_poll()); poll_ns only raises the poll time when
 *     the pCPU would idle.
 *
 * KICK wakes the target as KVM_HC_KICK_CPU does (pv_unhalted: latched if
 * the target is not halted yet), then, for the next holder of a lock the
 * caller no longer holds, yields to the target if it is preempted so that
 * the lock does not sit idle (LWP estimate: the target was runnable but not
 * running).  With boost=1 the next holder's thread also runs at nice
 * boost_nice until its next oticket hypercall (see the documentation for
 * why that is off by default).
 *
 * Nothing the guest passes is trusted: unknown flags, a hint flag whose
 * vCPU does not exist, a position out of range, an interrupt flag that does
 * not match RFLAGS.IF all answer -KVM_EINVAL and do nothing asked for.  Every
 * loop is bounded by the number of vCPUs of a VM and by yield_tries, and
 * coyield looks at KOT_COYIELD_VMS other VMs per try.  No
 * KVM lock is held here; the hook's SRCU makes module unload wait for
 * every vCPU inside a handler, after which guests get -KVM_ENOSYS and fall
 * back to HLT and KVM_HC_KICK_CPU.
 *
 * Who is served is the VMM's choice, as for KVM_HC_KICK_CPU: WAIT and KICK
 * are PV unhalt's halt and kick with hints, so the hook (.pv_features)
 * does not call us for a VM that KVM_CAP_ENFORCE_PV_FEATURE_CPUID keeps
 * from PV unhalt; it gets -KVM_ENOSYS, as without this module.
 *
 * State: a struct kot_vm per VM that issued one of our hypercalls (found by
 * its struct kvm, freed by the hook's vm_destroy or at unload) holding a
 * struct kot_vcpu per vCPU with its counters.  Counters are written by the
 * vCPU's own thread only (boost_expired: by its boost's deadline work)
 * and summed when read from debugfs
 * (/sys/kernel/debug/kvm_oticket/stats; write to reset to zero them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/capability.h>
#include <linux/user_namespace.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/kvm_oticket.h>
#include <asm/kvm_hypercall_hook.h>

/* ---- parameters ---------------------------------------------------------- */

static bool rr_yield;
module_param(rr_yield, bool, 0644);
MODULE_PARM_DESC(rr_yield, "WAIT may run the PLE directed yield, kvm_vcpu_on_spin() (default 0)");

static bool coyield;
module_param(coyield, bool, 0644);
MODULE_PARM_DESC(coyield, "WAIT may yield to a preempted vCPU of another VM (default 0)");

static bool boost;
module_param(boost, bool, 0644);
MODULE_PARM_DESC(boost, "KICK raises the next holder's priority until its next hypercall (default 0)");

/* An int parameter with bounds, checked at load and at every write. */
struct kot_range {
	int *val;
	int min, max;
};

static int kot_range_set(const char *val, const struct kernel_param *kp)
{
	const struct kot_range *r = kp->arg;
	int v, err = kstrtoint(val, 0, &v);

	if (err)
		return err;
	if (v < r->min || v > r->max)
		return -ERANGE;
	WRITE_ONCE(*r->val, v);
	return 0;
}

static int kot_range_get(char *buf, const struct kernel_param *kp)
{
	const struct kot_range *r = kp->arg;

	return sysfs_emit(buf, "%d\n", READ_ONCE(*r->val));
}

static const struct kernel_param_ops kot_range_ops = {
	.set = kot_range_set,
	.get = kot_range_get,
};

static int boost_nice = -5;
static struct kot_range boost_nice_range = { &boost_nice, -20, 0 };
module_param_cb(boost_nice, &kot_range_ops, &boost_nice_range, 0644);
MODULE_PARM_DESC(boost_nice, "nice value of a boosted next holder [-20..0, default -5]");

static int boost_us = 1000;
static struct kot_range boost_us_range = { &boost_us, 10, 1000000 };
module_param_cb(boost_us, &kot_range_ops, &boost_us_range, 0644);
MODULE_PARM_DESC(boost_us, "boost of a next holder in us, plus up to two ticks [10..1000000, default 1000]");

static int yield_tries = 3;
static struct kot_range yield_tries_range = { &yield_tries, 0, 16 };
module_param_cb(yield_tries, &kot_range_ops, &yield_tries_range, 0644);
MODULE_PARM_DESC(yield_tries, "failed directed yields before WAIT halts [0..16, default 3]");

static int poll_ns;
static struct kot_range poll_ns_range = { &poll_ns, 0, 1000000 };
module_param_cb(poll_ns, &kot_range_ops, &poll_ns_range, 0644);
MODULE_PARM_DESC(poll_ns, "halt-polling of a WAIT on an idle pCPU in ns, 0: KVM's own [0..1000000, default 0]");

/* ---- counters ------------------------------------------------------------- */

enum kot_stat {
#define KOT_STAT(name, ...) KOT_##name,
#include "kvm_oticket_stats.h"
#undef KOT_STAT
	KOT_NR_STATS
};

static const struct {
	const char *name, *desc;
} kot_stat_info[KOT_NR_STATS] = {
#define KOT_STAT(name, desc) { #name, desc },
#include "kvm_oticket_stats.h"
#undef KOT_STAT
};

enum { KOT_BOOST_NONE, KOT_BOOST_CLAIMED, KOT_BOOST_ON };

struct kot_vcpu {
	unsigned long stat[KOT_NR_STATS];
	bool waiting;		/* halted for a lock, not kicked since */
	int boost_state;	/* KOT_BOOST_* */
	int saved_nice;		/* ... of the boosted thread */
	int boost_nice;		/* ... the value the boost gave it */
	unsigned long boost_until;	/* ... in jiffies: unboost_work's due */
	struct pid *boost_pid;	/* ... which is this one, while boosted */
	struct delayed_work unboost_work;	/* ends a boost at boost_us */
	unsigned long co_cursor;	/* coyield's last VM id (own thread only) */
};

struct kot_vm {
	struct hlist_node node;	/* kot_vms, RCU */
	struct kvm *kvm;
	u32 id;			/* in kot_ids */
	struct xarray vcpus;	/* vcpu_idx -> struct kot_vcpu */
	/* after a vCPU's state could not be allocated, none before (jiffies) */
	unsigned long nomem_until;
};

/*
 * The VMs: by struct kvm for the hypercalls (kot_vms), by id in creation
 * order for coyield's round robin and debugfs (kot_ids).  Both are read
 * under RCU and changed under kot_lock.
 */
static DEFINE_HASHTABLE(kot_vms, 4);
static DEFINE_XARRAY_ALLOC1(kot_ids);
static DEFINE_MUTEX(kot_lock);
/* the counters of VMs that are gone, for the total (under kot_lock) */
static unsigned long kot_gone[KOT_NR_STATS];

static inline void kot_inc(struct kot_vcpu *kv, enum kot_stat s)
{
	if (kv)
		WRITE_ONCE(kv->stat[s], kv->stat[s] + 1);
}

/* Under rcu_read_lock() or kot_lock. */
static struct kot_vm *kot_vm_find(struct kvm *kvm)
{
	struct kot_vm *vm;

	hash_for_each_possible_rcu(kot_vms, vm, node, (unsigned long)kvm,
				   lockdep_is_held(&kot_lock))
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/*
 * Memory for this module's state is charged to the calling VM (its memory
 * cgroup): a VM at its limit gets none, fails fast, and is served without
 * it (no counters, no coyield, no boost), as other VMs are not affected.
 */
#define KOT_GFP		(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN)

/* The state of @kvm, created at its first hypercall; NULL without memory. */
static struct kot_vm *kot_vm_get(struct kvm *kvm)
{
	struct kot_vm *vm, *new;

	rcu_read_lock();
	vm = kot_vm_find(kvm);
	rcu_read_unlock();
	if (vm)
		return vm;

	/* allocated outside kot_lock: reclaim holds up no other VM */
	new = kzalloc(sizeof(*new), KOT_GFP);
	if (!new)
		return NULL;
	new->kvm = kvm;
	new->nomem_until = jiffies;
	xa_init(&new->vcpus);
	mutex_lock(&kot_lock);
	vm = kot_vm_find(kvm);
	if (!vm && !xa_alloc(&kot_ids, &new->id, new, xa_limit_32b, KOT_GFP)) {
		hash_add_rcu(kot_vms, &new->node, (unsigned long)kvm);
		vm = new;
		new = NULL;
	}
	mutex_unlock(&kot_lock);
	kfree(new);
	return vm;
}

static void kot_unboost_work(struct work_struct *work);

/* The state of @vcpu; created only from @vcpu's own thread (@create). */
static struct kot_vcpu *kot_vcpu_get(struct kot_vm *vm, struct kvm_vcpu *vcpu,
				     bool create)
{
	struct kot_vcpu *kv = xa_load(&vm->vcpus, vcpu->vcpu_idx);

	/* a VM at its memory limit does not try again in every slow path */
	if (kv || !create || time_before(jiffies, READ_ONCE(vm->nomem_until)))
		return kv;
	kv = kzalloc(sizeof(*kv), KOT_GFP);
	if (kv) {
		INIT_DELAYED_WORK(&kv->unboost_work, kot_unboost_work);
		if (!xa_insert(&vm->vcpus, vcpu->vcpu_idx, kv, KOT_GFP))
			return kv;
		kfree(kv);
	}
	WRITE_ONCE(vm->nomem_until, jiffies + HZ);
	return xa_load(&vm->vcpus, vcpu->vcpu_idx);
}

/* Add the counters of @vm's vCPUs to @sum; returns how many vCPUs. */
static int kot_vm_sum(struct kot_vm *vm, unsigned long *sum)
{
	struct kot_vcpu *kv;
	unsigned long i;
	int s, n = 0;

	xa_for_each(&vm->vcpus, i, kv) {
		for (s = 0; s < KOT_NR_STATS; s++)
			sum[s] += READ_ONCE(kv->stat[s]);
		n++;
	}
	return n;
}

static bool kot_unboost(struct kot_vcpu *kv);

/*
 * No boost deadline of @vm's vCPUs runs or is pending after this; call
 * when nothing can boost them any more (their VM is gone or the hook is).
 */
static void kot_vm_cancel(struct kot_vm *vm)
{
	struct kot_vcpu *kv;
	unsigned long i;

	xa_for_each(&vm->vcpus, i, kv)
		cancel_delayed_work_sync(&kv->unboost_work);
}

/* After kot_vm_cancel(). */
static void kot_vm_free(struct kot_vm *vm)
{
	struct kot_vcpu *kv;
	unsigned long i;

	xa_for_each(&vm->vcpus, i, kv) {
		kot_unboost(kv);
		kfree(kv);
	}
	xa_destroy(&vm->vcpus);
	kfree(vm);
}

/* ---- priority boost ------------------------------------------------------- */

/*
 * boost=1: the next holder's thread runs at nice boost_nice until its own
 * next oticket hypercall (it took the lock; its unlock kicks or it waits
 * again) or for boost_us at most (kot_unboost_work()), whichever comes
 * first; then the nice value it had is restored, unless someone else
 * changed it meanwhile.  Only a boost the thread's RLIMIT_NICE or the
 * kicking VMM thread's CAP_SYS_NICE allows is made: can_nice() without its
 * audit record per kick (the LSM hook of setpriority() is not exported to
 * modules and is not asked).  A claim (CLAIMED) keeps two kickers from
 * saving each other's boost as the value to restore.
 */
static bool kot_may_nice(struct task_struct *task, int nice)
{
	return nice_to_rlimit(nice) <= task_rlimit(task, RLIMIT_NICE) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_NICE);
}

/*
 * The task of vCPU @v, pinned, or NULL; under rcu_read_lock(), as
 * kvm_vcpu_yield_to() finds it (which cannot serve here: coyield's vCPUs
 * belong to other VMs, and @v is valid only inside the RCU section).
 */
static struct task_struct *kot_vcpu_task(struct kvm_vcpu *v)
{
	struct pid *pid = rcu_dereference(v->pid);

	return pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
}

static bool kot_boost(struct kot_vcpu *kt, struct kvm_vcpu *target)
{
	struct task_struct *task;
	unsigned long delay;
	int nice;

	if (!kt || cmpxchg(&kt->boost_state, KOT_BOOST_NONE,
			   KOT_BOOST_CLAIMED) != KOT_BOOST_NONE)
		return false;
	rcu_read_lock();
	task = kot_vcpu_task(target);
	rcu_read_unlock();
	nice = READ_ONCE(boost_nice);
	if (!task || nice >= task_nice(task) || !kot_may_nice(task, nice)) {
		if (task)
			put_task_struct(task);
		WRITE_ONCE(kt->boost_state, KOT_BOOST_NONE);
		return false;
	}
	/* a jiffy timer fires up to a tick early: one more */
	delay = usecs_to_jiffies(READ_ONCE(boost_us)) + 1;
	kt->saved_nice = task_nice(task);
	kt->boost_nice = nice;
	kt->boost_pid = get_task_pid(task, PIDTYPE_PID);
	WRITE_ONCE(kt->boost_until, jiffies + delay);
	set_user_nice(task, nice);
	put_task_struct(task);
	/*
	 * The deadline is armed before the boost is published: a deadline
	 * run that comes first finds it CLAIMED and waits (kot_unboost_work()),
	 * and no kicker can arm the work after a later boost did.
	 */
	mod_delayed_work(system_highpri_wq, &kt->unboost_work, delay);
	/* all of the above before ON; pairs with kot_unboost() */
	smp_store_release(&kt->boost_state, KOT_BOOST_ON);
	return true;
}

/* Undo a boost of @kv's vCPU thread, if it has one; true if it had. */
static bool kot_unboost(struct kot_vcpu *kv)
{
	struct task_struct *task;

	if (READ_ONCE(kv->boost_state) != KOT_BOOST_ON ||
	    cmpxchg_acquire(&kv->boost_state, KOT_BOOST_ON,
			    KOT_BOOST_CLAIMED) != KOT_BOOST_ON)
		return false;
	task = get_pid_task(kv->boost_pid, PIDTYPE_PID);
	if (task) {
		/* a nice value set by someone else since the boost stays */
		if (task_nice(task) == kv->boost_nice)
			set_user_nice(task, kv->saved_nice);
		put_task_struct(task);
	}
	put_pid(kv->boost_pid);
	kv->boost_pid = NULL;
	/* done with boost_pid before a new kot_boost() may claim it */
	smp_store_release(&kv->boost_state, KOT_BOOST_NONE);
	return true;
}

/*
 * The boost's deadline: the thread did not make another oticket hypercall
 * within boost_us.  The only writer of this vCPU's boost_expired counter.
 */
static void kot_unboost_work(struct work_struct *work)
{
	struct kot_vcpu *kv = container_of(to_delayed_work(work), struct kot_vcpu,
					   unboost_work);
	/* pairs with kot_boost()'s release: boost_until is this boost's */
	int st = smp_load_acquire(&kv->boost_state);
	unsigned long until = READ_ONCE(kv->boost_until);

	if (st == KOT_BOOST_NONE)
		return;		/* the vCPU's own call ended the boost */
	/*
	 * Early: a boost being set up or taken down (CLAIMED), or a run
	 * queued for an earlier boost that must not end this one.  Come back
	 * at this boost's deadline, so that it always has one.
	 */
	if (st == KOT_BOOST_CLAIMED || time_before(jiffies, until)) {
		mod_delayed_work(system_highpri_wq, &kv->unboost_work,
				 max_t(long, (long)(until - jiffies), 1));
		return;
	}
	if (kot_unboost(kv))
		kot_inc(kv, KOT_boost_expired);
}

/* ---- directed yield -------------------------------------------------------- */

static bool kot_yield_candidate(struct kot_vm *vm, struct kvm_vcpu *v)
{
	struct kot_vcpu *kv;

	if (!READ_ONCE(v->ready) || kvm_vcpu_is_blocking(v))
		return false;
	kv = xa_load(&vm->vcpus, v->vcpu_idx);
	return !kv || !READ_ONCE(kv->waiting);
}

/* A vCPU of @vm worth yielding to, or NULL; under rcu_read_lock(). */
static struct kvm_vcpu *kot_vm_candidate(struct kot_vm *vm)
{
	struct kvm_vcpu *v;
	unsigned long i;

	kvm_for_each_vcpu(i, v, vm->kvm)
		if (kot_yield_candidate(vm, v))
			return v;
	return NULL;
}

/* VMs coyield looks at per attempt: the scan costs this VM's time */
#define KOT_COYIELD_VMS	8

/*
 * The task of a preempted, runnable vCPU of one of the next
 * KOT_COYIELD_VMS VMs by id after *@cursor (round robin), or NULL; the
 * cursor is left on the last VM looked at, so that this vCPU's next
 * search goes on from there.  Under rcu_read_lock().
 */
static struct task_struct *kot_coyield_target(struct kot_vm *self,
					      unsigned long *cursor)
{
	unsigned long id = *cursor;
	struct task_struct *task = NULL;
	struct kvm_vcpu *v;
	struct kot_vm *vm;
	int n;

	/* self included in the count: the loop ends however few VMs there are */
	for (n = 0; n <= KOT_COYIELD_VMS && !task; n++) {
		vm = xa_find_after(&kot_ids, &id, ULONG_MAX, XA_PRESENT);
		if (!vm) {
			id = 0;
			vm = xa_find(&kot_ids, &id, ULONG_MAX, XA_PRESENT);
			if (!vm)
				break;
		}
		if (vm == self)
			continue;
		v = kot_vm_candidate(vm);
		task = v ? kot_vcpu_task(v) : NULL;
	}
	*cursor = id;
	return task;
}

/*
 * coyield=1: yield to a preempted, runnable vCPU of another VM that uses
 * the hook, *@tries failed attempts at most.  Only the vCPU's task is
 * pinned, found under RCU (kot_vm_destroy() waits for RCU before the other
 * VM's struct kvm goes): no reference to another VM is taken, so its last
 * put - and its teardown - can never run inside this VM's hypercall.
 */
static bool kot_coyield(struct kot_vm *self, struct kot_vcpu *kv, int *tries)
{
	unsigned long cursor = kv ? kv->co_cursor : 0;
	struct task_struct *task;
	bool done = false;

	while (*tries > 0) {
		rcu_read_lock();
		task = kot_coyield_target(self, &cursor);
		rcu_read_unlock();
		if (!task)
			break;
		done = yield_to(task, 1) > 0;
		put_task_struct(task);
		if (done)
			break;
		kot_inc(kv, KOT_yield_failed);
		--*tries;
	}
	if (kv)
		kv->co_cursor = cursor;
	return done;
}

/* ---- hypercalls ------------------------------------------------------------- */

static unsigned long kot_wait(struct kot_vm *vm, struct kvm_vcpu *vcpu,
			      struct kot_vcpu *kv, unsigned long flags,
			      unsigned long hint, unsigned long pos)
{
	const unsigned long hint_flags = KVM_OTICKET_WAIT_HOLDER | KVM_OTICKET_WAIT_PRED;
	struct kvm_vcpu *hinted = NULL;
	bool yielded = false;
	int tries = READ_ONCE(yield_tries);
	unsigned int pns = READ_ONCE(poll_ns);

	if ((flags & ~KVM_OTICKET_WAIT_FLAGS) || (flags & hint_flags) == hint_flags ||
	    pos > KVM_OTICKET_MAX_POS)
		return -KVM_EINVAL;
	if (flags & hint_flags) {
		hinted = kvm_vcpu_by_apic_id(vcpu->kvm, hint);
		if (!hinted)
			return -KVM_EINVAL;
	}
	/* IRQ must say what RFLAGS.IF says: the guest sets IF before the call */
	if (!vcpu->arch.guest_state_protected &&
	    !(flags & KVM_OTICKET_WAIT_IRQ) != !(kvm_get_rflags(vcpu) & X86_EFLAGS_IF))
		return -KVM_EINVAL;

	kot_inc(kv, KOT_hc_wait);
	if (kv)
		WRITE_ONCE(kv->waiting, true);

	if (hinted && hinted != vcpu && READ_ONCE(hinted->preempted)) {
		if (flags & KVM_OTICKET_WAIT_HOLDER)
			kot_inc(kv, KOT_lhp);
		if (READ_ONCE(hinted->ready)) {
			yielded = kvm_vcpu_yield_to(hinted) > 0;
			kot_inc(kv, yielded ? KOT_yield_hint : KOT_yield_failed);
			tries -= !yielded;
		}
	}
	if (!yielded && READ_ONCE(rr_yield) && !single_task_running()) {
		kvm_vcpu_on_spin(vcpu, true);
		kot_inc(kv, KOT_yield_rr);
	}
	if (!yielded && tries > 0 && vm && READ_ONCE(coyield)) {
		if (kot_coyield(vm, kv, &tries))
			kot_inc(kv, KOT_coyield);
	}

	/* without an in-kernel local APIC, userspace would have to halt it */
	if (!vcpu->arch.apic) {
		kot_inc(kv, KOT_halt_latched);
		return 0;
	}
	/*
	 * KVM's halt-polling gives up by itself when another task wants this
	 * pCPU; clearing halt_poll_ns here would only throw away its adaptive
	 * state for the next halt on an idle pCPU.
	 */
	if (single_task_running()) {
		kot_inc(kv, KOT_poll_allowed);
		if (pns > vcpu->halt_poll_ns)
			vcpu->halt_poll_ns = pns;
	} else {
		kot_inc(kv, KOT_poll_skipped);
	}
	kvm_emulate_halt_noskip(vcpu);
	kot_inc(kv, vcpu->arch.mp_state == KVM_MP_STATE_HALTED ?
		KOT_halt : KOT_halt_latched);
	return 0;
}

static unsigned long kot_kick(struct kot_vm *vm, struct kvm_vcpu *vcpu,
			      struct kot_vcpu *kv, unsigned long flags,
			      unsigned long apic_id)
{
	struct kvm_vcpu *target;
	struct kot_vcpu *kt;
	bool halted;

	if (flags & ~KVM_OTICKET_KICK_FLAGS)
		return -KVM_EINVAL;
	target = kvm_vcpu_by_apic_id(vcpu->kvm, apic_id);
	if (!target)
		return -KVM_EINVAL;

	kot_inc(kv, KOT_hc_kick);
	kt = vm ? kot_vcpu_get(vm, target, false) : NULL;
	if (kt)
		WRITE_ONCE(kt->waiting, false);
	halted = kvm_vcpu_is_blocking(target);
	if (!halted && READ_ONCE(target->preempted) && (flags & KVM_OTICKET_KICK_NEXT))
		kot_inc(kv, KOT_lwp);

	/* as KVM_HC_KICK_CPU: ends a halt, or latches for the next one */
	kvm_vcpu_pv_unhalt(target);
	kot_inc(kv, KOT_kick);

	if (!(flags & KVM_OTICKET_KICK_NEXT) || target == vcpu)
		return 0;
	if (READ_ONCE(boost) && kot_boost(kt, target))
		kot_inc(kv, KOT_boosted);
	if ((flags & (KVM_OTICKET_KICK_AHEAD | KVM_OTICKET_KICK_HOLDING)) ||
	    single_task_running() || !READ_ONCE(target->ready))
		return 0;
	if (kvm_vcpu_yield_to(target) > 0)
		kot_inc(kv, KOT_kick_boost);
	else
		kot_inc(kv, KOT_yield_failed);
	return 0;
}

static unsigned long kot_hypercall(struct kvm_vcpu *vcpu, unsigned long nr,
				   unsigned long a0, unsigned long a1,
				   unsigned long a2, unsigned long a3)
{
	struct kot_vm *vm;
	struct kot_vcpu *kv;
	unsigned long ret;

	vm = kot_vm_get(vcpu->kvm);
	kv = vm ? kot_vcpu_get(vm, vcpu, true) : NULL;

	/*
	 * Without memory for the state (@vm or @kv NULL) the calls are still
	 * served, uncounted: -KVM_ENOSYS would tell the guest that the hook
	 * is gone for good.
	 */
	if (kv) {
		WRITE_ONCE(kv->waiting, false);
		kot_unboost(kv);
	}

	switch (nr) {
	case KVM_HC_OTICKET_PROBE:
		kot_inc(kv, KOT_hc_probe);
		ret = a0 ? min_t(unsigned long, a0, KVM_OTICKET_VERSION) : -KVM_EINVAL;
		break;
	case KVM_HC_OTICKET_WAIT:
		ret = kot_wait(vm, vcpu, kv, a0, a1, a2);
		break;
	case KVM_HC_OTICKET_KICK:
		ret = kot_kick(vm, vcpu, kv, a0, a1);
		break;
	default:
		return -KVM_ENOSYS;
	}
	if (ret == -KVM_EINVAL)
		kot_inc(kv, KOT_hc_einval);
	return ret;
}

static void kot_vm_destroy(struct kvm *kvm)
{
	struct kot_vm *vm;

	mutex_lock(&kot_lock);
	vm = kot_vm_find(kvm);
	if (vm) {
		hash_del_rcu(&vm->node);
		xa_erase(&kot_ids, vm->id);
	}
	mutex_unlock(&kot_lock);
	if (!vm)
		return;
	/* its vCPUs are done: after their deadlines, the counters are final */
	kot_vm_cancel(vm);
	mutex_lock(&kot_lock);
	kot_vm_sum(vm, kot_gone);
	mutex_unlock(&kot_lock);
	/* kot_coyield() may still look at @kvm under RCU: it is freed next */
	synchronize_rcu();
	kot_vm_free(vm);
}

static const struct kvm_hypercall_hook kot_hook = {
	.first		= KVM_HC_OTICKET_BASE,
	.last		= KVM_HC_OTICKET_BASE + 0xffff,
	.pv_features	= BIT(KVM_FEATURE_PV_UNHALT),
	.hypercall	= kot_hypercall,
	.vm_destroy	= kot_vm_destroy,
};

/* ---- debugfs ------------------------------------------------------------------ */

static struct dentry *kot_dir;

static void kot_print(struct seq_file *m, const unsigned long *st)
{
	int i;

	for (i = 0; i < KOT_NR_STATS; i++)
		seq_printf(m, " %s=%lu", kot_stat_info[i].name, READ_ONCE(st[i]));
	seq_putc(m, '\n');
}

/*
 * A "total" line first (every VM since the last reset, also those that are
 * gone), then one line per live VM ("vm <id> pid <pid> vcpus <n>
 * name=value...") and one per vCPU ("vcpu <id>.<idx> name=value...").
 */
static int kot_stats_show(struct seq_file *m, void *unused)
{
	unsigned long total[KOT_NR_STATS], sum[KOT_NR_STATS];
	struct kot_vcpu *kv;
	struct kot_vm *vm;
	unsigned long i;
	int bkt, n;

	mutex_lock(&kot_lock);
	memcpy(total, kot_gone, sizeof(total));
	hash_for_each(kot_vms, bkt, vm, node)
		kot_vm_sum(vm, total);
	seq_puts(m, "total");
	kot_print(m, total);
	/* a VM leaves the table before its struct kvm goes: vm->kvm is live */
	hash_for_each(kot_vms, bkt, vm, node) {
		memset(sum, 0, sizeof(sum));
		n = kot_vm_sum(vm, sum);
		seq_printf(m, "vm %u pid %d vcpus %d", vm->id, vm->kvm->userspace_pid, n);
		kot_print(m, sum);
		xa_for_each(&vm->vcpus, i, kv) {
			seq_printf(m, "vcpu %u.%lu", vm->id, i);
			kot_print(m, kv->stat);
		}
	}
	mutex_unlock(&kot_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kot_stats);

static ssize_t kot_reset_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct kot_vcpu *kv;
	struct kot_vm *vm;
	unsigned long i;
	int bkt, s;

	mutex_lock(&kot_lock);
	memset(kot_gone, 0, sizeof(kot_gone));
	hash_for_each(kot_vms, bkt, vm, node)
		xa_for_each(&vm->vcpus, i, kv)
			for (s = 0; s < KOT_NR_STATS; s++)
				WRITE_ONCE(kv->stat[s], 0);
	mutex_unlock(&kot_lock);
	return count;
}

static const struct file_operations kot_reset_fops = {
	.owner	= THIS_MODULE,
	.write	= kot_reset_write,
	.llseek	= noop_llseek,
};

/* The counters and what they mean, for readers of "stats". */
static int kot_legend_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < KOT_NR_STATS; i++)
		seq_printf(m, "%-14s %s\n", kot_stat_info[i].name, kot_stat_info[i].desc);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kot_legend);

/* ---- module ------------------------------------------------------------------- */

static int __init kot_init(void)
{
	int r = kvm_hypercall_hook_register(&kot_hook);

	if (r) {
		pr_err("cannot register the hypercall hook: %d%s\n", r,
		       r == -EBUSY ? " (another module holds it)" : "");
		return r;
	}
	kot_dir = debugfs_create_dir("kvm_oticket", NULL);
	debugfs_create_file("stats", 0444, kot_dir, NULL, &kot_stats_fops);
	debugfs_create_file("legend", 0444, kot_dir, NULL, &kot_legend_fops);
	debugfs_create_file("reset", 0200, kot_dir, NULL, &kot_reset_fops);
	pr_info("serving hypercalls %#lx-%#lx, ABI version %d\n",
		kot_hook.first, kot_hook.last, KVM_OTICKET_VERSION);
	return 0;
}

static void __exit kot_exit(void)
{
	struct hlist_node *tmp;
	struct kot_vm *vm;
	int bkt;

	/*
	 * From here on no vCPU is inside kot_hypercall() and no VM inside
	 * kot_vm_destroy(), and no reader is left in debugfs: what is in the
	 * table is ours alone.  Its struct kvm pointers may dangle (a VM can
	 * go away now without telling us); they are not looked at.
	 */
	kvm_hypercall_hook_unregister(&kot_hook);
	debugfs_remove_recursive(kot_dir);
	hash_for_each_safe(kot_vms, bkt, tmp, vm, node) {
		hash_del(&vm->node);
		kot_vm_cancel(vm);
		kot_vm_free(vm);
	}
	xa_destroy(&kot_ids);
	pr_info("unloaded; guests fall back to halt and kick\n");
}

module_init(kot_init);
module_exit(kot_exit);
MODULE_DESCRIPTION("KVM host hook for oticket paravirtual spinlocks");
MODULE_LICENSE("GPL");
