/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot-time choice of the paravirtual spinlock slow path ("pvlock=") and the
 * interface between the oticket slow paths (kernel/locking/oticket.c) and the
 * hypervisor glue that waits and kicks for them (arch/x86/kernel/kvm_pvlock.c).
 *
 * The part above __KERNEL__ is plain C so that the userspace bindings of
 * the slow paths (tools/) compile the same definitions.
 */
#ifndef _LINUX_OTICKET_H
#define _LINUX_OTICKET_H

enum pvlock_mode {
	PVLOCK_PVQSPINLOCK,	/* upstream PV qspinlock (default) */
	PVLOCK_QSPINLOCK,	/* native queued lock, as nopvspin */
	PVLOCK_TAS,		/* virt_spin_lock() test-and-set */
	PVLOCK_PVTICKET,	/* spin, halt, unlock kicks next (Linux <= 4.1) */
	PVLOCK_OTICKET,		/* opportunistic ticket lock */
	PVLOCK_OQSPIN,		/* opportunistic PV qspinlock */
	PVLOCK_NR_MODES,
	PVLOCK_UNSET = PVLOCK_NR_MODES,
};

/* What a waiter tells the hypervisor when it stops spinning. */
struct pvlock_wait_hint {
	unsigned int	pos;	/* queue position, 0 = next in line */
	int		cpu;	/* holder or predecessor, -1 if unknown */
	unsigned int	spun;	/* loops spun before this wait */
	unsigned int	flags;	/* PVLOCK_HINT_* */
};

#define PVLOCK_HINT_HOLDER	0x1	/* @cpu holds the lock */
#define PVLOCK_HINT_PRED	0x2	/* @cpu waits just ahead of us */

/* Why a waiter is kicked (passed to pvlock_kick()). */
#define PVLOCK_KICK_NEXT	0x1	/* the target takes the lock next */

#ifdef __KERNEL__
#include <linux/types.h>

struct qspinlock;

#ifdef CONFIG_PARAVIRT_OTICKET
enum pvlock_mode pvlock_requested(void);
const char *pvlock_name(enum pvlock_mode mode);
enum pvlock_mode pvlock_active(void);
void pvlock_set_active(enum pvlock_mode mode, const char *how);
int oticket_max_cpus(void);
void oticket_init(enum pvlock_mode mode);
#ifdef CONFIG_LOCK_EVENT_COUNTS
void oticket_count_hypercall(bool wait, bool ok);
#else
static inline void oticket_count_hypercall(bool wait, bool ok)
{
}
#endif

/*
 * The hypervisor glue (arch/x86/kernel/kvm_pvlock.c).  pvlock_wait()
 * returns at once unless *@ptr == @val (checked with interrupts off), and
 * may return spuriously; pvlock_kick() wakes @cpu out of pvlock_wait(), or
 * makes its next pvlock_wait() return; pvlock_yield_to() gives this vCPU's
 * time to @cpu if that can help: false if the host cannot yield, in NMI,
 * or if @cpu is no CPU or not preempted.
 */
void pvlock_wait(u8 *ptr, u8 val, const struct pvlock_wait_hint *hint);
void pvlock_kick(int cpu, unsigned int why);
bool pvlock_yield_to(int cpu);

void __otk_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val);
void __otk_queued_spin_unlock_slowpath(struct qspinlock *lock, u8 locked);
void __pvt_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val);
void __pvt_queued_spin_unlock_slowpath(struct qspinlock *lock, u8 locked);

/* for the KUnit suite */
/* oticket_test_lock(): the turn taken, or how the lock was had without one */
#define OTICKET_TEST_FAST	(-1)	/* the fast path: the word was 0 */
#define OTICKET_TEST_STEAL	(-2)	/* an arrival steal (o-ticket only) */
int oticket_test_lock(struct qspinlock *lock, bool opp);
bool oticket_test_steal(struct qspinlock *lock);
void oticket_test_unlock(struct qspinlock *lock, bool opp);
void oticket_test_hint_set(struct qspinlock *lock, u32 v);
int oticket_test_holder(struct qspinlock *lock, u32 v);
u32 oticket_test_passes(void);
u32 oticket_test_bypass_max(void);
int oticket_test_param_set(const char *name, const char *val, u32 *old);
#else
static inline enum pvlock_mode pvlock_requested(void)
{
	return PVLOCK_UNSET;
}

static inline void pvlock_set_active(enum pvlock_mode mode, const char *how)
{
}
#endif /* CONFIG_PARAVIRT_OTICKET */
#endif /* __KERNEL__ */
#endif /* _LINUX_OTICKET_H */
