/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of kvm_oticket, one KOT_STAT(name, description) each, in
 * the order /sys/kernel/debug/kvm_oticket/stats prints them.  Included by
 * kvm_oticket.c with KOT_STAT defined; no include guard on purpose.
 */
KOT_STAT(hc_probe,	"PROBE hypercalls")
KOT_STAT(hc_wait,	"WAIT hypercalls")
KOT_STAT(hc_kick,	"KICK hypercalls")
KOT_STAT(hc_einval,	"hypercalls refused with -KVM_EINVAL")
KOT_STAT(halt,		"WAITs that halted the vCPU")
KOT_STAT(halt_latched,	"WAITs that returned at once: kick or event pending")
KOT_STAT(poll_skipped,	"halts on a busy pCPU: KVM does not poll")
KOT_STAT(poll_allowed,	"halts on an idle pCPU: KVM may poll")
KOT_STAT(yield_hint,	"yields to the hinted holder or predecessor")
KOT_STAT(yield_rr,	"WAITs that ran the PLE directed yield (rr_yield=1)")
KOT_STAT(coyield,	"yields to a preempted vCPU of another VM")
KOT_STAT(yield_failed,	"directed yields that failed")
KOT_STAT(kick,		"vCPUs kicked")
KOT_STAT(kick_boost,	"kicks that yielded to the preempted next holder")
KOT_STAT(boosted,	"next holders boosted (boost=1)")
KOT_STAT(boost_expired,	"boosts ended by boost_us, not by the vCPU's next call")
KOT_STAT(lhp,		"WAITs whose hinted holder was preempted")
KOT_STAT(lwp,		"kicks whose target was preempted, not halted")
