/* SPDX-License-Identifier: GPL-2.0 */
/*
 * params.h - every parameter of otsim: P(name, default, unit, source/meaning).
 * Included with P() defined (sim.h makes the enum, params.c the table).
 * Defaults describe a current two-socket x86 host (the 80-pCPU case);
 * "otsim --profile testbed" replaces the ones measured in the emulated
 * testbed (otsim.c, Documentation/virt/oticket/sim.rst).  Units: ns unless
 * named otherwise; flags are 0/1.
 */

/* topology */
P(pcpus, 80, "pCPUs", "host CPUs the guests run on")
P(sockets, 2, "", "sockets (LLC domains); transfers across them cost xfer_remote_ns")

/* cache-line model: David, Guerraoui, Trigonakis, SOSP'13, Xeon E7 figures */
P(hit_ns, 1, "ns", "access to a line this CPU holds")
P(llc_ns, 20, "ns", "read of a clean line from the shared LLC")
P(xfer_ns, 45, "ns", "line transfer between CPUs of one socket")
P(xfer_remote_ns, 130, "ns", "line transfer between sockets")
P(mem_ns, 90, "ns", "line no CPU holds")
P(rmw_ns, 8, "ns", "extra for a LOCK-prefixed instruction")
P(fence_ns, 10, "ns", "MFENCE (smp_mb)")
P(pause_ns, 40, "ns", "PAUSE (cpu_relax); 140 cycles on Skylake-SP and later")
P(cpu_mhz, 2500, "MHz", "clock, to turn cycle counts (PLE) into time")

/* host scheduler: kernel/sched/fair.c (EEVDF) of 6.12 */
P(host_hz, 250, "Hz", "host scheduler tick (Debian: CONFIG_HZ_250)")
P(base_slice_ns, 3000000, "ns", "sysctl_sched_base_slice: 0.75 ms x (1 + ilog2(min(ncpus, 8)))")
P(ctxsw_ns, 2000, "ns", "host switch between vCPU threads incl. vcpu_put/vcpu_load and VM entry")
P(lb_ticks, 4, "ticks", "periodic load balance across sockets every this many ticks (within: every tick)")
P(bg_tasks, 0, "tasks", "CPU-bound background tasks (other tenants), spread over the pCPUs")

/* KVM */
P(exit_ns, 700, "ns", "VM exit + entry round trip of a hypercall or HLT, without the handler")
P(hc_ns, 300, "ns", "KVM's work in a hypercall handler (lookup, flags)")
P(ipi_ns, 1000, "ns", "IPI from one pCPU to another (kvm_vcpu_kick, resched)")
P(idle_exit_ns, 2000, "ns", "an idle pCPU starts running a woken task (C1 exit, schedule)")
P(yield_ns, 1500, "ns", "a directed yield attempt (kvm_vcpu_yield_to, yield_to)")
P(irq_ns, 2500, "ns", "a guest timer interrupt: the exits and the handler")
P(guest_hz, 250, "Hz", "guest tick; it runs while a vCPU spins or halts inside a lock")
P(halt_poll_ns, 200000, "ns", "KVM_HALT_POLL_NS_DEFAULT (x86) = halt_poll_ns")
P(halt_poll_grow, 2, "x", "halt_poll_ns_grow")
P(halt_poll_grow_start, 10000, "ns", "halt_poll_ns_grow_start")
P(halt_poll_shrink, 2, "/", "halt_poll_ns_shrink")
P(pv_unhalt, 1, "", "KVM_FEATURE_PV_UNHALT offered (off: the tas mode)")
P(pv_sched_yield, 1, "", "KVM_FEATURE_PV_SCHED_YIELD offered")
P(kick_yield, 1, "", "KVM_HC_KICK_CPU yields to the kicked vCPU (kvm_sched_yield, since 5.2)")
P(ple, 1, "", "pause-loop exiting: 0 off, 1 VMX (window in cycles), 2 SVM (pause filter count)")
P(ple_window, 4096, "cycles|PAUSEs", "ple_window (VMX 4096 cycles) / pause_filter_count (SVM 3000)")
P(ple_gap, 128, "cycles", "ple_gap / pause_filter_thresh: a longer gap starts a new loop")
P(ple_grow, 2, "x", "ple_window_grow / pause_filter_count_grow")
P(ple_max, 1000000000, "cycles|PAUSEs", "ple_window_max (VMX: UINT_MAX) / pause_filter_count_max (SVM 65535)")

/* kvm_oticket (virt/kvm/oticket/kvm_oticket.c): module parameters */
P(kot, 0, "", "kvm_oticket loaded: the +host modes")
P(kot_rr_yield, 0, "", "rr_yield")
P(kot_coyield, 0, "", "coyield")
P(kot_boost, 0, "", "boost")
P(kot_boost_nice, -5, "nice", "boost_nice")
P(kot_yield_tries, 3, "", "yield_tries")
P(kot_poll_ns, 0, "ns", "poll_ns")

/* the testbed profile: costs of the emulated testbed, hw costs x these */
P(tb_guest_x, 11, "x", "--profile testbed: guest-side costs (PAUSE, cache, sections) x this")
P(tb_host_x, 20, "x", "--profile testbed: host-side costs (exits, switches, IPIs, wake-ups) x this")

/* engine */
P(quantum_ns, 10000, "ns", "a spinner in a loop with a budget replays at least this often (error bound)")
P(quantum_long_ns, 1000000, "ns", "... in a loop never seen to end by its budget")
P(stack_kb, 64, "KiB", "coroutine stack per vCPU")

/* test only: broken machines the checks must catch (make test) */
P(fault_excl, 0, "", "a failed cmpxchg of a 32-bit word reports success: exclusion breaks")
P(fault_lost_kick, 0, "", "KVM_HC_KICK_CPU is dropped and halts ignore interrupts: wake-ups are lost")

/* run */
P(seed, 1, "", "seed of every random stream")
P(time_ms, 200, "ms", "measured simulated time")
P(warmup_ms, 20, "ms", "simulated time before measuring")
P(drain_ms, 2000, "ms", "after the run, time allowed for every vCPU to finish (lost wake-up check)")

/* locktorture (kernel/locking/locktorture.c, spin_lock, writers = vCPUs) */
P(lt_cs_ns, 60, "ns", "critical section without delays (flags, counters, jiffies)")
P(lt_loop_ns, 150, "ns", "writer loop outside the critical section")
P(lt_short_us, 2, "us", "shortdelay_us: udelay once in nwriters x 200 x shortdelay_us")
P(lt_long_ms, 100, "ms", "long_hold: mdelay once in nwriters x 2000 x long_hold (0: off)")
P(lt_stutter, 5, "jiffies", "stutter: all writers pause this long every 2 x stutter - 1 jiffies (0: off)")

/* kernel-like mix: many locks, Zipf popularity, short sections */
P(mix_locks, 64, "locks", "locks")
P(mix_zipf, 1000, "1/1000", "Zipf exponent of lock popularity")
P(mix_cs_ns, 200, "ns", "mean critical section (exponential)")
P(mix_think_ns, 1500, "ns", "mean work between acquisitions (exponential)")

/* gmake-like profile: parallel compile work, short lock bursts */
P(gm_work_ns, 100000, "ns", "mean user-mode work between lock bursts (exponential)")
P(gm_burst, 4, "locks", "acquisitions per burst (system calls, page faults)")
P(gm_locks, 64, "locks", "locks the bursts use (Zipf 1.0)")
P(gm_cs_ns, 300, "ns", "mean critical section (exponential)")
P(gm_file_ms, 50, "ms", "CPU time of one source file; a build is size files")
