/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock events of the pvticket, o-ticket and oqspin slow paths, as one list.
 * The kernel counts them with the other lock events (lock_events_list.h
 * includes this list under CONFIG_PARAVIRT_OTICKET): they show in
 * /sys/kernel/debug/lock_event_counts/ with CONFIG_LOCK_EVENT_COUNTS=y.
 * The userspace bindings of the slow paths (tools/) count them too.
 */
#ifndef OTK_EVENT
#define OTK_EVENT(name)	OTK_EV_ ## name,
#endif

OTK_EVENT(otk_slowpath)		/* ticket slow path entries			*/
OTK_EVENT(otk_wait)		/* halts (waits or wait hypercalls)		*/
OTK_EVENT(otk_wait_early)	/* ... before the budget ran out: holder preempted */
OTK_EVENT(otk_spurious_wakeup)	/* halts that ended without a kick		*/
OTK_EVENT(otk_wakeup_passed)	/* halts kicked, then passed over before running */
OTK_EVENT(otk_kick)		/* kicks of a halted owner of the next turn	*/
OTK_EVENT(otk_mark)		/* turns taken whose next owner was halted: K	*/
OTK_EVENT(otk_handoff)		/* unlocks that gave the turn to a runner	*/
OTK_EVENT(otk_bypass)		/* waiters that took the turn of an absent owner */
OTK_EVENT(otk_steal)		/* arrivals that took the lock, the turn left to its absent owner */
OTK_EVENT(otk_steal_free)	/* ... to its owner, within steal_max of a take or pass */
OTK_EVENT(otk_steal_waited)	/* ... either kind, after waiting out a sleeping owner */
OTK_EVENT(otk_steal_wait_busy)	/* idle host: arrivals that queued, free steals enough */
OTK_EVENT(otk_yield_holder)	/* directed yields to a preempted lock holder	*/
OTK_EVENT(otk_yield_owner)	/* ... to a preempted next owner passed over enough */
OTK_EVENT(otk_spin_on_holder)	/* spins that outlived their budget: the lock kept moving */
OTK_EVENT(otk_local)		/* waiters that spun on their own record, far from the head */
OTK_EVENT(otk_local_call)	/* ... called back to the lock word near their turn */
OTK_EVENT(otk_publish)		/* records made findable		*/
OTK_EVENT(otk_publish_full)	/* ... refused: hash probe window full	*/
OTK_EVENT(otk_hc_wait)		/* KVM_HC_OTICKET_WAIT issued			*/
OTK_EVENT(otk_hc_kick)		/* KVM_HC_OTICKET_KICK issued			*/
OTK_EVENT(otk_hc_fail)		/* oticket hypercalls the host refused		*/
OTK_EVENT(oqs_steal_preempted)	/* oqspin: arrivals that passed a preempted head */
