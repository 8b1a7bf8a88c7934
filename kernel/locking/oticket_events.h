/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock events of the pvticket, o-ticket and oqspin slow paths, as one list.
 * Shown in /sys/kernel/debug/oticket/events as "name value" lines; writing
 * anything to /sys/kernel/debug/oticket/reset zeroes them.
 */
#ifndef OTK_EVENT
#define OTK_EVENT(name)	OTK_EV_ ## name,
#endif

OTK_EVENT(slowpath)		/* slow path entries                       */
OTK_EVENT(wait)			/* waits (halts or wait hypercalls)         */
OTK_EVENT(wait_early)		/* waits before the budget ran out, holder preempted */
OTK_EVENT(spurious_wakeup)	/* waits that ended without a kick          */
OTK_EVENT(kick)			/* kicks of a halted waiter                 */
OTK_EVENT(kick_ahead)		/* ... of those, to the one behind the next */
OTK_EVENT(yield_preempted)	/* directed yields to a preempted next holder */
OTK_EVENT(hc_wait)		/* KVM_HC_OTICKET_WAIT issued               */
OTK_EVENT(hc_kick)		/* KVM_HC_OTICKET_KICK issued               */
OTK_EVENT(hc_fail)		/* oticket hypercalls the host refused      */
OTK_EVENT(oqs_wait_node)	/* oqspin: queued node waits                */
OTK_EVENT(oqs_wait_head)	/* oqspin: queue head waits                 */
OTK_EVENT(oqs_kick_ahead)	/* oqspin: successor kicked on becoming head */
