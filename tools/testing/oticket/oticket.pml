/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPIN model of the pvticket / o-ticket wait-kick handshake
 * (kernel/locking/oticket.h, otk_wait_turn() and otk_unlock()).
 *
 * NCPU processes take the lock ITER times each (CPU 0: ITER0), through the fast path when
 * the word is 0 and through a ticket otherwise.  Every numbered step below
 * is one atomic access of the kernel code, so SPIN interleaves - "preempts"
 * - the CPUs between any two of them.  When a waiter stops spinning is left
 * to SPIN (any budget, any early halt), so the model covers both modes;
 * OPP adds what o-ticket adds at unlock: the kick-ahead of ticket H + 1.
 * (Its directed yield to a preempted next holder changes no guest state.)
 *
 * The hypervisor is KVM's: halt blocks until a kick, a kick that comes
 * first is latched (pv_unhalted).  With SPURIOUS, halts may also return
 * for no reason (interrupts); leave it off to check for lost wake-ups,
 * since a spurious return would hide them.
 *
 * Checked: mutual exclusion and FIFO order (asserts), no lost wake-up
 * (a halted CPU nobody kicks is an invalid end state).  The model is
 * sequentially consistent: the code's smp_store_mb() and fully ordered
 * atomics give exactly the store-load orders it relies on.
 *
 * MUTANT_NO_RECHECK drops the waiter's check of the word after it
 * published HALTED; SPIN must then find a lost wake-up.
 */
#ifndef NCPU
#define NCPU	3
#endif
#ifndef ITER
#define ITER	1		/* lock acquisitions per CPU ... */
#endif
#ifndef ITER0
#define ITER0	2		/* ... but CPU 0, which reuses its record */
#endif
#define TMASK	3		/* tickets mod 4: more than NCPU - 1 waiters */

#define RUNNING	0
#define HALTED	1
#define KICKED	2

byte L;				/* locked byte */
byte H, T;			/* head, tail */
byte state[NCPU];		/* wait record: state */
byte rticket[NCPU];		/* wait record: ticket */
bool rvalid[NCPU];		/* wait record: lock != NULL */
bool unhalted[NCPU];		/* KVM's latched kick */
byte inside;			/* CPUs in the critical section */
byte expect;			/* head the last holder left */

/* otk_kick_ticket(): find the record with @tk, kick it if halted. */
inline kick_ticket(tk, next)
{
	c = 0;
	do
	:: c < NCPU ->
		if
		:: rvalid[c] && rticket[c] == tk ->			/* 1 */
			atomic {					/* 2 */
				if
				:: state[c] == HALTED -> state[c] = KICKED; kick = true
				:: else -> kick = false
				fi
			}
			if
			:: kick -> unhalted[c] = true			/* 3 */
			:: else -> skip		/* o-ticket may yield: no state */
			fi;
			break
		:: else -> c++
		fi
	:: else -> break
	od
}

proctype cpu(byte me)
{
	byte i, my, oh, ow, c;
	bool fast, kick, turn;
	byte iter = (me == 0 -> ITER0 : ITER);

	for (i : 1 .. iter) {
		/* fast path: cmpxchg 0 -> locked */
		atomic {
			if
			:: L == 0 && H == 0 && T == 0 -> L = 1; fast = true
			:: else -> fast = false; my = T; T = (T + 1) & TMASK
			fi
		}
		if
		:: fast -> skip
		:: else ->
			rticket[me] = my;				/* publish */
			rvalid[me] = true;
			do
			:: atomic {					/* spin: acquire */
				H == my && L == 0 ->
				L = 1;
				if
				:: ((my + 1) & TMASK) == T -> H = 0; T = 0
				:: else -> H = (my + 1) & TMASK
				fi
			   };
			   break
			:: /* budget ran out, or the holder looked preempted */
			   state[me] = HALTED;				/* smp_store_mb */
#ifdef MUTANT_NO_RECHECK
			   turn = false;
#else
			   atomic { turn = (H == my && L == 0) };	/* re-check */
#endif
			   if
			   :: !turn ->
				/* kvm_wait(): state checked with irqs off, then halt */
				if
				:: state[me] == HALTED ->
					if
					:: atomic { unhalted[me] -> unhalted[me] = false }
#ifdef SPURIOUS
					:: skip
#endif
					fi
				:: else -> skip
				fi
			   :: else -> skip
			   fi;
			   state[me] = RUNNING				/* xchg */
			od;
			rvalid[me] = false
		fi;

		/* critical section */
		inside++;
		assert(inside == 1);
		assert(fast && expect == 0 || !fast && my == expect);
		expect = H;
		inside--;

		/* unlock: fetch_sub, then kick H (and, for o-ticket, H + 1) */
		atomic { L = 0; oh = H; ow = (T - H) & TMASK };
		if
		:: ow > 0 ->
			kick_ticket(oh, true);
#ifdef OPP
			if
			:: ow > 1 -> kick_ticket((oh + 1) & TMASK, false)
			:: else -> skip
			fi
#endif
		:: else -> skip
		fi
	}
}

init {
	byte n;

	atomic {
		for (n : 0 .. NCPU - 1) {
			run cpu(n)
		}
	}
}
