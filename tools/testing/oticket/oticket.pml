/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPIN model of the pvticket / o-ticket slow paths (kernel/locking/oticket.h):
 * tickets in the lock word with the "someone halted" bit S and the "owner
 * of turn H may be halted" bit K (KI here: K is bypass_max), wait records
 * {state, nbyp, ticket, seq} changed only by compare-and-swap, the halt
 * handshake, and - with OPP - what o-ticket adds: a running waiter taking
 * the turn of an absent owner (otk_bypass()), the unlocker giving the turn
 * of a halted owner to a running waiter (otk_handoff()), an arrival taking
 * the lock past an absent owner without a ticket (otk_steal()) - with FREE
 * also the first CK steals after each take, past any owner, counted in the
 * word's C, which a steal past an absent owner clears - and waiters
 * far from the head spinning on their own record until the owner of the
 * next turn calls them back ahead of its turn, or the taker of a turn not
 * called ahead for calls the owner of the next one (otk_spin_home(),
 * otk_call_near()).
 *
 * NCPU processes take the lock ITER times each (CPU 0: ITER0, so a record
 * is reused).  Every numbered step is one atomic access of the kernel code,
 * so SPIN interleaves - "preempts" - the CPUs between any two.  When a
 * waiter publishes, halts, goes home or tries a pass, and what
 * vcpu_is_preempted() answers, are left to SPIN: every spin budget and
 * every policy is covered.  A lookup in the hash table is one atomic read
 * of the record it finds; the kernel's lookup is weaker, but everything it
 * finds is only used through a compare-and-swap of the whole record word,
 * as here.  A record that a pass has claimed (BYPASSED) is waited out by
 * looking again later, never by blocking (otk_sync()).  "Home" is two
 * turns from the head (LOCALPOS), as in the kernel: three CPUs reach it
 * when a holder releases and queues again behind two waiters.
 *
 * The hypervisor is KVM's: halt blocks until a kick, and a kick that comes
 * first is latched (pv_unhalted).  With SPURIOUS, halts may also return for
 * no reason (interrupts); leave it off to check for lost wake-ups, since a
 * spurious return would hide them.  Likewise a waiter at home waits for its
 * record to change: the spin budget that ends it in the kernel would hide a
 * missing call-back.
 *
 * Checked: mutual exclusion; turns served in order, whoever takes them,
 * and a steal takes none; the bypass bound (nobody passed over more than K
 * times); at most CK free steals between two turns taken or steals past
 * an absent owner (a ghost count, not C); no lost wake-up and no waiter
 * left at home (a CPU blocked for ever is an invalid end state).  The
 * model is sequentially consistent: the code's full barriers give the
 * store-load orders it relies on.
 *
 * The state space of everything at once does not fit in memory: OPP
 * checks the passes (NO_STEAL leaves the steal out), HOME the home
 * spinning, each with the rest of the protocol.
 *
 * Mutants, each of which SPIN must catch:
 *   MUTANT_NO_RECHECK  no look at the word after publishing HALTED
 *   MUTANT_NO_SLOW     halting without setting S: unlock takes the fast path
 *   MUTANT_NO_TAKING   the owner takes its turn without claiming its record
 *   MUTANT_NO_BOUND    passes ignore nbyp
 *   MUTANT_NO_SELF_CLAIM  a passer does not claim its own record first, so
 *                      it can be moved meanwhile and hand out a stale ticket
 *   MUTANT_TAKE_IGNORES_STEAL  taking a claimed turn does not look for a
 *                      steal holding the lock
 *   MUTANT_NO_UNCLAIM_KICK  a passer that could not pass puts a halted owner
 *                      back without the kick an unlock skipped meanwhile
 *   MUTANT_NO_CALL     a taker that did not call ahead for its turn does
 *                      not call the owner of the next one back from home
 *   MUTANT_NO_PRECALL  the owner of the next turn says it called the one
 *                      behind it ahead, but does not
 *   MUTANT_NO_FREE_BOUND  free steals ignore C
 *   MUTANT_IGNORES_K   an unlock that S or free steals sent to the slow
 *                      path releases without looking at K: no kick
 *   MUTANT_NO_MARK     the taker of a turn does not look at the owner of
 *                      the next one: nobody sets K for a waiter that halted
 *                      further back
 *   MUTANT_HEAD_NO_K   the owner of turn H halts without setting K
 *   MUTANT_UNCLAIM_NO_K  a passer puts a halted owner of turn H back
 *                      without setting K
 *   MUTANT_BYPASS_NO_MARK  a passer leaves the halted waiter it moved the
 *                      owner of the next turn without setting K
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
#ifndef K
#define K	1		/* bypass_max */
#endif
#ifndef HK
#define HK	K		/* handoff_max */
#endif
#ifndef CK
#define CK	1		/* steal_max: free steals per take or pass, with FREE */
#endif
#define LOCALPOS 2		/* this far from the head, a waiter may go home */
#define TMASK	3		/* tickets mod 4: more than NCPU - 1 waiters */
#define NONE	NCPU
#define NOPC	255		/* called ahead for no ticket */

#define RUNNING		0
#define HALTED		1
#define KICKED		2
#define TAKING		3
#define BYPASSED	4
#define LOCAL		5

byte L, S, KI, C, H, T;	/* lock word (KI: the kernel's K) */
byte st[NCPU], nb[NCPU], tk[NCPU], sq[NCPU];	/* record word */
bool valid[NCPU];		/* record: lock != NULL */
bool pub[NCPU];			/* record: published in the hash table */
bool unhalted[NCPU];		/* KVM's latched kick */
byte inside;			/* CPUs in the critical section */
byte expect;			/* head the last holder left */
byte fsince;			/* ghost: free steals since a turn, a steal past an
				 * absent owner or a fast-path acquisition */

/* otk_lookup(): the published record of ticket @t and its word, or NONE. */
inline lookup(t, c, ws, wn, wt, wq)
{
	atomic {
		c = 0;
		do
		:: c < NCPU && !(valid[c] && pub[c] && tk[c] == t) -> c++
		:: else -> break
		od;
		if
		:: c < NCPU -> ws = st[c]; wn = nb[c]; wt = tk[c]; wq = sq[c]
		:: else -> skip
		fi
	}
}

/* try_cmpxchg() of record @c from (ws, wn, wt, wq) to state @ns */
inline claim(c, ws, wn, wt, wq, ns, ok)
{
	atomic {
		if
		:: st[c] == ws && nb[c] == wn && tk[c] == wt && sq[c] == wq ->
			st[c] = ns; ok = true
		:: else -> ok = false
		fi
	}
}

/*
 * otk_sync(): our record word, said RUNNING if a halt or a pass left it
 * HALTED or KICKED; not synced while a pass of ours is in progress.
 */
inline sync()
{
	atomic {
		if
		:: st[me] == BYPASSED -> synced = false
		:: else ->
			if
			:: st[me] == HALTED || st[me] == KICKED -> st[me] = RUNNING
			:: else -> skip
			fi;
			pc = (tk[me] != mt -> NOPC : pc);	/* moved: a new turn */
			ms = st[me]; mn = nb[me]; mt = tk[me]; mq = sq[me];
			synced = true
		fi
	}
}

/*
 * otk_kick_rec(): kick record @c of incarnation @q if it still waits
 * HALTED for turn @h; a pass counted meanwhile is no reason to give up.
 */
inline kick_rec(c, h, q)
{
	do
	:: atomic {
		if
		:: sq[c] == q && tk[c] == h && st[c] == HALTED ->
			st[c] = KICKED; ok = true
		:: else -> ok = false
		fi
	   };
	   if
	   :: ok -> unhalted[c] = true
	   :: else -> skip
	   fi;
	   break
	od
}

inline kick_turn(h)
{
	lookup(h, c, vs, vn, vt, vq);
	if
	:: c != NONE -> kick_rec(c, h, vq)
	:: else -> skip
	fi
}

/* otk_call_near(): call the owner of ticket @t back from home */
inline call(t)
{
	lookup(t, r, rs, rn, rt, rq);
	if
	:: r != NONE && rs == LOCAL -> claim(r, rs, rn, rt, rq, RUNNING, turn)
	:: else -> skip
	fi
}

/*
 * otk_take(): take turn @h, claimed by us, unless a steal holds the lock;
 * then ok is false and the caller backs out of its claims.  Then, unless
 * we called ahead for this turn (pc, our own turn), otk_call_near(): call
 * the owner of the next turn back from home.
 */
inline take(h, ok)
{
	atomic {
		if
#ifndef MUTANT_TAKE_IGNORES_STEAL
		:: L == 1 -> ok = false
#endif
		:: else ->
			assert(L == 0 && H == h);
			L = 1; ok = true; C = 0; KI = 0;
			if
			:: ((h + 1) & TMASK) == T -> H = 0; T = 0; S = 0
			:: else -> H = (h + 1) & TMASK
			fi;
			sk = S
		fi
	}
#if defined(HOME) && !defined(MUTANT_NO_CALL)
	pcd = (pc == h && h == mt);
#else
	pcd = true;
#endif
	/*
	 * otk_next_turn(): with S or without a call ahead, look at the owner
	 * of the next turn.  Halted with S: set K.  At home, not called:
	 * call it.  Absent: call the one behind it.
	 */
	if
	:: ok && (sk || (!pcd && T != H)) ->
		lookup(H, r, rs, rn, rt, rq);
		if
#ifndef MUTANT_NO_MARK
		:: r != NONE && rs == HALTED && sk -> KI = 1
#endif
		:: else -> skip
		fi;
#ifdef HOME
		if
		:: r != NONE && rs == LOCAL && !pcd ->
			claim(r, rs, rn, rt, rq, RUNNING, turn)
		:: r != NONE && rs == RUNNING -> skip	/* not preempted */
		:: r != NONE && (rs == HALTED || rs == KICKED || rs == RUNNING) &&
		   ((T - H) & TMASK) >= LOCALPOS ->
			call((H + LOCALPOS - 1) & TMASK)
		:: else -> skip
		fi
#endif
	:: else -> skip
	fi
}

proctype cpu(byte me)
{
	byte i, c, r, h, t, cand, took;
	byte ms, mn, mt, mq;		/* our record word, as last seen */
	byte pc;			/* the ticket we called ahead for */
	byte vs, vn, vt, vq, rs, rn, rt, rq;
	bool fast, ok, turn, stolen, fstolen, synced, sk, hd, pcd;
	byte cv;			/* C as a steal or the unlock saw it */
	byte iter = (me == 0 -> ITER0 : ITER);

	for (i : 1 .. iter) {
		stolen = false;
		fstolen = false;
		atomic {					/* 1: fast path */
			if
			:: L == 0 && S == 0 && KI == 0 && C == 0 && H == 0 && T == 0 -> L = 1; fast = true
			:: else -> fast = false
			fi
		}
#ifdef FREE
		atomic {			/* otk_steal(): a free steal */
			if
			:: !fast && L == 0 && H != T &&
#ifndef MUTANT_NO_FREE_BOUND
			   C < CK &&
#endif
			   true -> L = 1; C++; stolen = true; fstolen = true
			:: else -> skip
			fi
		}
#endif
#if defined(OPP) && !defined(NO_STEAL)
		if						/* otk_steal() */
		:: !fast && !stolen ->
			atomic { h = H; t = T; ok = S; cv = C; turn = (L == 0 && H != T) };
			if
			:: turn ->
				lookup(h, c, vs, vn, vt, vq);
				if
				:: c != NONE &&
#ifndef MUTANT_NO_BOUND
				   vn < K &&
#endif
				   (vs == HALTED || vs == KICKED || vs == RUNNING) ->
					atomic {	/* count the pass */
						if
						:: st[c] == vs && nb[c] == vn && tk[c] == vt && sq[c] == vq ->
							nb[c] = vn + 1; turn = true
						:: else -> turn = false
						fi
					}
					atomic {	/* cmpxchg(word, v, (v & ~C) | L) */
						if
						:: turn && L == 0 && H == h && T == t && S == ok && C == cv ->
							L = 1; C = 0; stolen = true
						:: else -> skip
						fi
					}
				:: else -> skip
				fi
			:: else -> skip
			fi
		:: else -> skip
		fi;
#endif
		if
		:: fast || stolen -> skip
		:: else ->
			atomic { mt = T; T = (T + 1) & TMASK };	/* 2: ticket */
			atomic {				/* 3: otk_rec_start() */
				sq[me]++; st[me] = RUNNING; nb[me] = 0; tk[me] = mt;
				pub[me] = false; valid[me] = true; pc = NOPC;
				ms = RUNNING; mn = 0; mq = sq[me]
			}
			do
			:: if					/* 4: otk_sync() */
			   :: pub[me] -> sync()
			   :: else -> synced = true
			   fi;
			   atomic { turn = synced && (H == mt && L == 0) };	/* 5 */
			   if
			   :: turn ->
#ifdef MUTANT_NO_TAKING
				ok = true;
#else
				if			/* 6: otk_take_turn() */
				:: pub[me] -> claim(me, ms, mn, mt, mq, TAKING, ok)
				:: else -> ok = true
				fi;
#endif
				if
				:: ok ->
					take(mt, ok);			/* 7 */
					if
					:: ok -> took = mt; break
					:: else ->	/* stolen: back out */
						if
						:: pub[me] -> st[me] = RUNNING
						:: else -> skip
						fi
					fi
				:: else -> skip	/* passed over: look again */
				fi
			   :: !turn && !pub[me] -> pub[me] = true	/* otk_publish() */
#ifdef HOME
			   :: !turn && synced && pub[me] &&		/* otk_spin_home() */
			      ((mt - H) & TMASK) >= LOCALPOS ->
				claim(me, ms, mn, mt, mq, LOCAL, ok);
				if
				:: !ok -> goto spun	/* moved meanwhile */
				:: else -> skip
				fi;
				atomic { turn = (((mt - H) & TMASK) >= LOCALPOS) };
				if
				:: turn ->	/* far: spin on the record till it changes */
					atomic {
						!(st[me] == LOCAL && nb[me] == mn &&
						  tk[me] == mt && sq[me] == mq)
					}
				:: else -> skip
				fi;
				/* back, unless called back or moved */
				claim(me, LOCAL, mn, mt, mq, RUNNING, ok)
			   :: !turn && synced && pc != mt ->	/* otk_spin(): call ahead */
				atomic { ok = (H == mt); t = (T - mt) & TMASK };
				if
				:: ok ->	/* next: call the one behind us near */
					pc = mt;
#ifndef MUTANT_NO_PRECALL
					if
					:: t >= LOCALPOS -> call((mt + LOCALPOS - 1) & TMASK)
					:: else -> skip
					fi
#else
					skip
#endif
				:: else -> skip
				fi
#endif
#ifdef OPP
			   :: !turn && synced && pub[me] ->	/* otk_bypass() */
				atomic { h = H; turn = (L == 0) };
				if
				:: turn -> skip
				:: else -> goto spun
				fi;
				lookup(h, c, vs, vn, vt, vq);
				if
				:: c != NONE && c != me &&
#ifndef MUTANT_NO_BOUND
				   vn < K &&
#endif
				   (vs == HALTED || vs == KICKED || vs == RUNNING) ->
					/* RUNNING: SPIN answers vcpu_is_preempted() yes */
#ifndef MUTANT_NO_SELF_CLAIM
					/* nobody may move us while we pass */
					claim(me, ms, mn, mt, mq, TAKING, ok);
					if
					:: !ok -> goto spun
					:: else -> skip
					fi;
#endif
					claim(c, vs, vn, vt, vq, BYPASSED, ok);
					if
					:: !ok -> st[me] = RUNNING; goto spun	/* undo */
					:: else -> skip
					fi;
					take(h, ok);
					if
					:: !ok ->	/* stolen meanwhile: otk_unclaim() */
						atomic { st[c] = vs; nb[c] = vn; tk[c] = vt };
#ifndef MUTANT_NO_UNCLAIM_KICK
						if
						:: vs == HALTED ->
#ifndef MUTANT_UNCLAIM_NO_K
							/* the holder's unlock looks; S: K never without */
							atomic { S = 1; KI = 1 };
#endif
							atomic { turn = (L == 0) };
							if
							:: turn -> kick_turn(h)
							:: else -> skip
							fi
						:: else -> skip
						fi;
#endif
						st[me] = RUNNING;
						goto spun
					:: else -> skip
					fi;
					took = h;
					atomic {	/* otk_move(): our ticket */
						tk[c] = mt; nb[c] = vn + 1;
						pub[me] = false;
						st[c] = (vs == HALTED -> HALTED : RUNNING)
					}
#ifndef MUTANT_BYPASS_NO_MARK
					atomic {	/* it owns the next turn: K */
						if
						:: vs == HALTED && H == mt -> S = 1; KI = 1
						:: else -> skip
						fi
					}
#endif
#ifdef HOME
					/* ... absent: call the one behind it */
					atomic { turn = (H == mt) };
					if
					:: turn -> call((mt + LOCALPOS - 1) & TMASK)
					:: else -> skip
					fi;
#endif
					break
				:: else -> skip
				fi
#endif
			   :: !turn && synced && pub[me] ->	/* otk_halt() */
				claim(me, ms, mn, mt, mq, HALTED, ok);	/* 8 */
				if
				:: !ok -> goto spun	/* passed over: look again */
				:: else -> ms = HALTED
				fi;
#ifndef MUTANT_NO_SLOW
				S = 1;					/* 9 */
#endif
#ifdef MUTANT_NO_RECHECK
				turn = false;
#else
				/* 10: a pass may have moved us meanwhile */
				atomic { ms = st[me]; mt = tk[me] };
				atomic {				/* 11 */
					turn = (H == mt && L == 0);
					hd = (H == mt && KI == 0)
				};
#ifndef MUTANT_HEAD_NO_K
				if		/* the owner of turn H: K, look again */
				:: !turn && ms == HALTED && hd ->
					atomic { KI = 1; turn = (H == mt && L == 0) }
				:: else -> skip
				fi;
#endif
#endif
				if
				:: turn || ms != HALTED -> skip
				:: else ->
					/* pvlock_wait(): state checked with irqs off, then halt */
					if
					:: st[me] != HALTED -> skip		/* 12 */
					:: else ->
						if
						:: atomic { unhalted[me] -> unhalted[me] = false }
#ifdef SPURIOUS
						:: skip
#endif
						fi
					fi
				fi;
				sync()					/* 13 */
			   :: !turn -> skip			/* keep spinning */
			   fi;
spun:			   skip;
			   d_step { c = 0; r = 0; h = 0; t = 0; cand = 0; ok = false; turn = false;
				    sk = false; hd = false; vs = 0; vn = 0; vt = 0; vq = 0; rs = 0; rn = 0; rt = 0; rq = 0 }
			od;
			atomic { pub[me] = false; valid[me] = false }	/* 14: exit */
		fi;

		/* critical section */
		inside++;
		assert(inside == 1);
		assert(fast && expect == 0 || stolen && H == expect ||
		       !fast && !stolen && took == expect);
		assert(fast || stolen || nb[me] <= K);
		if
		:: fstolen -> fsince++
		:: else -> fsince = 0		/* a turn, a pass or the fast path */
		fi;
		assert(fsince <= CK);
		expect = H;
		inside--;

		/* unlock: the fast path cmpxchg, else otk_unlock_slowpath() */
		atomic {						/* 15 */
			if
			:: L == 1 && S == 0 && KI == 0 && C == 0 -> L = 0; fast = true
			:: else -> fast = false
			fi;
			cv = C
		}
		if
		:: !fast ->	/* S or free steals, turn H not halted: release */
			atomic {
				if
#ifdef MUTANT_IGNORES_K
				:: true -> L = 0; fast = true
#else
				:: KI == 0 -> L = 0; fast = true
#endif
				:: else -> skip
				fi
			}
		:: else -> skip
		fi;
		if
		:: fast -> skip
		:: else ->
			atomic { h = H; t = T };			/* 16 */
			lookup(h, c, vs, vn, vt, vq);			/* 17 */
#ifdef OPP
			if					/* otk_handoff() */
			:: c != NONE && ((t - h) & TMASK) >= 2 && vs == HALTED &&
#ifndef MUTANT_NO_BOUND
			   vn < K && vn < HK &&
#endif
			   true ->
				if
				:: cand = (t - 1) & TMASK
				:: cand = (h + 1) & TMASK
				fi;
				lookup(cand, r, rs, rn, rt, rq);
				/* SPIN answers vcpu_is_preempted() no */
				if
				:: r != NONE && r != c && (rs == RUNNING || rs == LOCAL) ->
					claim(c, vs, vn, vt, vq, BYPASSED, ok);
					if
					:: ok ->
						atomic {
							if
							:: st[r] == rs && nb[r] == rn && tk[r] == rt && sq[r] == rq ->
								tk[r] = h; st[r] = RUNNING; ok = true
							:: else -> ok = false
							fi
						}
						if
						:: ok ->
							atomic {
								tk[c] = cand; nb[c] = vn + 1;
								st[c] = HALTED
							}
							/* turn H has a new owner */
							lookup(h, c, vs, vn, vt, vq)
						:: else -> st[c] = vs	/* undo: kicked below */
						fi
					:: else -> skip
					fi
				:: else -> skip
				fi
			:: else -> skip
			fi;
#endif
			atomic {				/* 18: release */
				/* the kernel writes back the byte it saw, less L and K:
				 * K never goes without S, nothing changes while held */
				assert(S == 1 && KI == 1 && C == cv);
				L = 0; KI = 0
			}
			/* the owner of turn H again: it may have halted since */
			if
			:: c != NONE -> kick_rec(c, h, vq)		/* 19 */
			:: else -> kick_turn(h)
			fi
		fi;
		skip;
		d_step { c = 0; r = 0; h = 0; t = 0; cand = 0; ok = false; turn = false; took = 0;
			 stolen = false; fstolen = false; synced = false; cv = 0;
			 sk = false; hd = false;
			 vs = 0; vn = 0; vt = 0; vq = 0; rs = 0; rn = 0; rt = 0; rq = 0 }
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
