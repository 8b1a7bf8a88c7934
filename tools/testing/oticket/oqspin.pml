/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPIN model of the oqspin / PV qspinlock wait-kick handshake: the MCS queue
 * (kernel/locking/qspinlock.c, pv_enabled() path) with the waits and kicks
 * of qspinlock_paravirt.h.  oqspin changes only how long a node or the
 * queue head spins before it waits (kernel/locking/oqspin.h), and when a
 * waiter stops spinning is left to SPIN here, so this one model covers
 * pvqspinlock and oqspin with every spin budget, the early wait behind a
 * halted predecessor included.
 *
 * NCPU processes take the lock ITER times each (CPU 0: ITER0).  Each
 * numbered access below is one atomic access of the kernel code; SPIN may
 * preempt a CPU between any two.  The pending bit is left out: lock
 * stealing is allowed whenever the locked byte is clear, a superset of
 * what pv_hybrid_queued_unfair_trylock() allows.
 *
 * The hypervisor is KVM's: halt blocks until a kick, and a kick that comes
 * first is latched.  Checked: mutual exclusion (assert) and no lost wake-up
 * (a halted CPU that nobody will kick is an invalid end state).
 *
 * MUTANT_FORGET_SLOW: pv_kick_node() hashes a halted successor for the
 * unlocker to kick but does not set _Q_SLOW_VAL, so the unlock takes the
 * fast path: SPIN must find the lost wake-up.
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
					nstate[n] = HASHED;
					kick = true
				:: else -> kick = false
				fi
			}
			if
			:: kick ->
#ifndef MUTANT_FORGET_SLOW
				locked = SLOW;
#endif
				hashed = true; hnode = n
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
