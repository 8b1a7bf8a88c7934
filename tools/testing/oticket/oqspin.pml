/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPIN model of the oqspin wait/kick handshake: PV qspinlock's MCS queue
 * (kernel/locking/qspinlock.c, pv_enabled() path) with the waits of
 * qspinlock_paravirt.h and oqspin's kick-ahead in pv_kick_node().
 *
 * NCPU processes take the lock ITER times each (CPU 0: ITER0).  Each
 * numbered access below is one atomic access of the kernel code; SPIN may
 * preempt a CPU between any two.  When a waiter stops spinning is left to
 * SPIN, which covers every spin budget.  The pending bit is left out: lock
 * stealing is allowed whenever the locked byte is clear, a superset of
 * what pv_hybrid_queued_unfair_trylock() allows.
 *
 * The hypervisor is KVM's: halt blocks until a kick, and a kick that comes
 * first is latched.  Checked: mutual exclusion (assert) and no lost wake-up
 * (a halted CPU that nobody will kick is an invalid end state).
 *
 * Without KICK_AHEAD=0 the new lock holder kicks a halted successor at once
 * (oqspin with the host hook); with it, the successor is hashed and kicked
 * at unlock (pvqspinlock, and oqspin without the hook).
 * MUTANT_FORGET_KICK marks the successor running but does not kick it:
 * SPIN must then find a lost wake-up.
 */
#ifndef NCPU
#define NCPU	3
#endif
#ifndef ITER
#define ITER	1
#endif
#ifndef ITER0
#define ITER0	2
#endif
#ifndef KICK_AHEAD
#define KICK_AHEAD 1
#endif

#define LOCKED	1
#define SLOW	3

#define RUNNING	0
#define HALTED	1
#define HASHED	2

byte locked;			/* locked byte: 0, LOCKED or SLOW */
byte tail;			/* queue tail: 0 or CPU + 1 */
bool mlocked[NCPU];		/* MCS node->locked */
byte nextn[NCPU];		/* MCS node->next: 0 or CPU + 1 */
byte nstate[NCPU];		/* pv_node->state */
bool hashed;			/* pv_hash() entry for the lock */
byte hnode;			/* ... and its node */
bool unhalted[NCPU];		/* KVM's latched kick */
byte inside;

/* kvm_wait(&var, val): halt unless var moved on; a latched kick ends it */
inline kvm_wait(cond)
{
	if
	:: cond -> atomic { unhalted[me] -> unhalted[me] = false }
	:: else -> skip
	fi
}

proctype cpu(byte me)
{
	byte i, prev, n, old;
	bool got, lp, kick;
	byte iter = (me == 0 -> ITER0 : ITER);

	for (i : 1 .. iter) {
		got = false;
		atomic {					/* fast path */
			if
			:: locked == 0 && tail == 0 -> locked = LOCKED; got = true
			:: else -> skip
			fi
		}
		if
		:: got -> goto cs
		:: else -> skip
		fi;

		mlocked[me] = false;				/* node init */
		nextn[me] = 0;
		nstate[me] = RUNNING;
		atomic {					/* trylock (steal) */
			if
			:: locked == 0 -> locked = LOCKED; got = true
			:: else -> skip
			fi
		}
		if
		:: got -> goto cs
		:: else -> skip
		fi;

		atomic { prev = tail; tail = me + 1 };		/* xchg_tail */
		if
		:: prev != 0 ->
			nextn[prev - 1] = me + 1;
			/* pv_wait_node() */
			do
			:: mlocked[me] -> break
			:: else ->
				nstate[me] = HALTED;		/* smp_store_mb */
				if
				:: !mlocked[me] -> kvm_wait(nstate[me] == HALTED)
				:: else -> skip
				fi;
				atomic {			/* cmpxchg */
					if
					:: nstate[me] == HALTED -> nstate[me] = RUNNING
					:: else -> skip
					fi
				}
			od
		:: else -> skip
		fi;

		/* pv_wait_head_or_lock() */
		lp = (nstate[me] == HASHED);
		do
		:: nstate[me] = RUNNING;
		   if
		   :: atomic { locked == 0 -> locked = LOCKED }; break
		   :: /* budget ran out */
			if
			:: !lp ->
				hashed = true; hnode = me;	/* pv_hash() */
				atomic { old = locked; locked = SLOW };
				if
				:: old == 0 ->
					locked = LOCKED;
					hashed = false;
					break
				:: else -> skip
				fi;
				lp = true
			:: else -> skip
			fi;
			nstate[me] = HASHED;
			kvm_wait(locked == SLOW)
		   fi
		od;

		/* we own the lock: leave the queue, hand the MCS lock on */
		atomic {
			if
			:: tail == me + 1 -> tail = 0; got = true
			:: else -> got = false
			fi
		}
		if
		:: !got ->
			nextn[me] != 0;				/* wait for next */
			n = nextn[me] - 1;
			mlocked[n] = true;
			/* pv_kick_node() */
			atomic {
				if
				:: nstate[n] == HALTED ->
#if KICK_AHEAD
					nstate[n] = RUNNING;
#else
					nstate[n] = HASHED;
#endif
					kick = true
				:: else -> kick = false
				fi
			}
			if
			:: kick ->
#if KICK_AHEAD
#ifndef MUTANT_FORGET_KICK
				unhalted[n] = true
#else
				skip
#endif
#else
				locked = SLOW;
				hashed = true; hnode = n
#endif
			:: else -> skip
			fi
		:: else -> skip
		fi;
cs:
		inside++;
		assert(inside == 1);
		inside--;

		/* __pv_queued_spin_unlock() */
		atomic {
			old = locked;
			if
			:: old == LOCKED -> locked = 0
			:: else -> skip
			fi
		}
		if
		:: old == SLOW ->
			assert(hashed);
			n = hnode; hashed = false;		/* pv_unhash() */
			locked = 0;
			unhalted[n] = true			/* pv_kick() */
		:: else -> skip
		fi
	}
}

init {
	byte c;

	atomic {
		for (c : 0 .. NCPU - 1) {
			run cpu(c)
		}
	}
}
