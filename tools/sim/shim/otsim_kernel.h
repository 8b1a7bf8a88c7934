/* SPDX-License-Identifier: GPL-2.0 */
/*
 * otsim_kernel.h - the kernel API the simulated guest code uses, on top of
 * the simulator's engine (tools/sim/otsim_guest.h).  Every shim header
 * under tools/sim/shim/ includes this file and nothing else.
 *
 * What is modelled, and how:
 *  - READ_ONCE/WRITE_ONCE, the atomics, xchg/cmpxchg, bit operations on
 *    cpumasks and smp_cond_load_*() go to the engine: each is a scheduling
 *    point in simulated time, charged from the cache-line model.  x86 is
 *    TSO and every locked instruction is a full barrier, so the _acquire,
 *    _release and _relaxed variants are the same operation.
 *  - Plain C loads and stores stay plain: the kernel only uses them on
 *    data no other CPU touches at that moment (own queue node before it
 *    is published, per-CPU statistics).
 *  - cpu_relax() is PAUSE: it costs time and lets the engine recognise a
 *    spin loop and fast-forward it (tools/sim/engine.c).
 *  - Per-CPU data: DEFINE_PER_CPU() puts the template into the section
 *    "otsim_percpu"; each vCPU gets a copy, and per_cpu_ptr() adds the
 *    vCPU's offset, as the kernel does with __per_cpu_offset[].
 *  - pv_ops.lock, virt_spin_lock_key and vcpu_is_preempted() as in
 *    arch/x86 with CONFIG_PARAVIRT_SPINLOCKS (asm/paravirt.h shim).
 */
#ifndef OTSIM_KERNEL_H
#define OTSIM_KERNEL_H

/* The configuration the guest kernel is built with. */
#define __KERNEL__			1
#define CONFIG_SMP			1
#define CONFIG_64BIT			1
#define CONFIG_X86_64			1
#define CONFIG_PARAVIRT			1
#define CONFIG_PARAVIRT_SPINLOCKS	1
#define CONFIG_QUEUED_SPINLOCKS		1
#define CONFIG_LOCK_EVENT_COUNTS	1
#define CONFIG_PARAVIRT_OTICKET		1
#define CONFIG_NR_CPUS			512
#define __LITTLE_ENDIAN			1234

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "../otsim_guest.h"

/* ---- types -------------------------------------------------------------- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
#define U64_MAX		((u64)~0ULL)
typedef s32 __s32;
typedef s64 __s64;
typedef s64 ktime_t;

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
#define ATOMIC_INIT(i)		{ (i) }

/* ---- compiler ----------------------------------------------------------- */
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __pure			__attribute__((__pure__))
#define __maybe_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __visible
#define __lockfunc
#define notrace
#define __init
#define __initdata
#define __ro_after_init
#define __read_mostly
#define __percpu
#define __user
#define __iomem
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define fallthrough		__attribute__((__fallthrough__))
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define ____cacheline_aligned	__aligned(SMP_CACHE_BYTES)
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

#define SMP_CACHE_BYTES		64
#define L1_CACHE_BYTES		64
#define PAGE_SIZE		4096UL
#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define min(a, b)		({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b)		({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b)		({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b)		({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define DIV_ROUND_CLOSEST_ULL(x, d) (((x) + (d) / 2) / (d))
#define do_div(n, base)		({ u32 _r = (n) % (base); (n) /= (base); _r; })
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)

#define BUG()			sim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(c)		do { if (unlikely(c)) sim_bug(__FILE__, __LINE__, #c); } while (0)
#define WARN(c, fmt...)		({ bool _c = !!(c); if (unlikely(_c)) sim_warn(__FILE__, __LINE__, #c); unlikely(_c); })
#define WARN_ON(c)		WARN(c, "")
#define WARN_ON_ONCE(c)		WARN(c, "")
#define WARN_ONCE(c, fmt...)	WARN(c, "")
#define SCHED_WARN_ON(c)	WARN(c, "")

#ifndef pr_fmt
#define pr_fmt(fmt)		fmt
#endif
#define printk(fmt, ...)	sim_printk(fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	sim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	sim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	sim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	sim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { } while (0)
#define pr_warn_ratelimited(fmt, ...) sim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_once(fmt, ...)	sim_printk(pr_fmt(fmt), ##__VA_ARGS__)

/* ---- memory accesses through the engine ---------------------------------- */
#define __scalar_type_to_expr_cases(type)				\
		unsigned type: (unsigned type)0,			\
		signed type: (signed type)0

#define __unqual_scalar_typeof(x) __typeof__(				\
		_Generic((x),						\
			 char: (char)0,					\
			 __scalar_type_to_expr_cases(char),		\
			 __scalar_type_to_expr_cases(short),		\
			 __scalar_type_to_expr_cases(int),		\
			 __scalar_type_to_expr_cases(long),		\
			 __scalar_type_to_expr_cases(long long),	\
			 _Bool: (_Bool)0,				\
			 default: (x)))

#define READ_ONCE(x) ({							\
	__unqual_scalar_typeof(x) __ro_v;				\
	sim_load(&(x), &__ro_v, sizeof(x));				\
	(__typeof__(x))__ro_v;						\
})

#define WRITE_ONCE(x, val) do {						\
	__unqual_scalar_typeof(x) __wo_v = (val);			\
	sim_store((void *)&(x), &__wo_v, sizeof(x));			\
} while (0)

#define smp_mb()		sim_mb()
#define mb()			sim_mb()
#define smp_rmb()		barrier()
#define smp_wmb()		barrier()
#define smp_mb__before_atomic()	barrier()
#define smp_mb__after_atomic()	barrier()
#define smp_acquire__after_ctrl_dep() barrier()
#define smp_store_release(p, v)	WRITE_ONCE(*(p), v)
#define smp_load_acquire(p)	READ_ONCE(*(p))
#define smp_store_mb(x, v)	do { (void)xchg(&(x), v); } while (0)
#define cpu_relax()		sim_relax()
#define prefetch(x)		((void)(x))
#define prefetchw(x)		((void)(x))

#define smp_cond_load_relaxed(ptr, cond_expr) ({			\
	__unqual_scalar_typeof(*(ptr)) VAL;				\
	for (;;) {							\
		VAL = READ_ONCE(*(ptr));				\
		if (cond_expr)						\
			break;						\
		sim_relax_cond();					\
	}								\
	(__typeof__(*(ptr)))VAL;					\
})
#define smp_cond_load_acquire(ptr, cond_expr) smp_cond_load_relaxed(ptr, cond_expr)

/* RMW of @ptr's object with engine op @op and argument @a; the old value */
#define __otsim_rmw(ptr, op, a) ({					\
	__unqual_scalar_typeof(*(ptr)) __rmw_o, __rmw_a = (a);	\
	sim_rmw((void *)(ptr), sizeof(*(ptr)), op, &__rmw_o, &__rmw_a); \
	__rmw_o;							\
})

#define xchg(ptr, v)		__otsim_rmw(ptr, SIM_XCHG, v)
#define xchg_relaxed(ptr, v)	xchg(ptr, v)
#define xchg_acquire(ptr, v)	xchg(ptr, v)
#define xchg_release(ptr, v)	xchg(ptr, v)

#define cmpxchg(ptr, o, n) ({						\
	__unqual_scalar_typeof(*(ptr)) __cx_o = (o), __cx_n = (n);	\
	sim_rmw((void *)(ptr), sizeof(*(ptr)), SIM_CMPXCHG, &__cx_o, &__cx_n); \
	__cx_o;								\
})
#define cmpxchg_relaxed(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg_acquire(ptr, o, n)	cmpxchg(ptr, o, n)
#define cmpxchg_release(ptr, o, n)	cmpxchg(ptr, o, n)

#define try_cmpxchg(ptr, po, n) ({					\
	__unqual_scalar_typeof(*(ptr)) __tc_n = (n);			\
	_Static_assert(sizeof(*(ptr)) == sizeof(*(po)), "try_cmpxchg size"); \
	sim_rmw((void *)(ptr), sizeof(*(ptr)), SIM_CMPXCHG, (void *)(po), &__tc_n); \
})
#define try_cmpxchg_relaxed(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg_local(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg_acquire(ptr, po, n)	try_cmpxchg(ptr, po, n)
#define try_cmpxchg_release(ptr, po, n)	try_cmpxchg(ptr, po, n)

/* atomic_t */
#define atomic_read(v)			READ_ONCE((v)->counter)
#define atomic_set(v, i)		WRITE_ONCE((v)->counter, i)
#define atomic_set_release(v, i)	atomic_set(v, i)
#define atomic_read_acquire(v)		atomic_read(v)
#define atomic_xchg(v, i)		xchg(&(v)->counter, i)
#define atomic_cmpxchg(v, o, n)		cmpxchg(&(v)->counter, o, n)
#define atomic_try_cmpxchg(v, po, n)	try_cmpxchg(&(v)->counter, (int *)(po), n)
#define atomic_fetch_add(i, v)		__otsim_rmw(&(v)->counter, SIM_ADD, i)
#define atomic_fetch_sub(i, v)		__otsim_rmw(&(v)->counter, SIM_ADD, -(i))
#define atomic_fetch_or(i, v)		__otsim_rmw(&(v)->counter, SIM_OR, i)
#define atomic_fetch_and(i, v)		__otsim_rmw(&(v)->counter, SIM_AND, i)
#define atomic_fetch_andnot(i, v)	__otsim_rmw(&(v)->counter, SIM_AND, ~(i))
#define atomic_add_return(i, v)		(atomic_fetch_add(i, v) + (i))
#define atomic_sub_return(i, v)		(atomic_fetch_sub(i, v) - (i))
#define atomic_inc_return(v)		atomic_add_return(1, v)
#define atomic_dec_return(v)		atomic_sub_return(1, v)
#define atomic_add(i, v)		((void)atomic_fetch_add(i, v))
#define atomic_sub(i, v)		((void)atomic_fetch_sub(i, v))
#define atomic_or(i, v)			((void)atomic_fetch_or(i, v))
#define atomic_and(i, v)		((void)atomic_fetch_and(i, v))
#define atomic_andnot(i, v)		((void)atomic_fetch_andnot(i, v))
#define atomic_inc(v)			atomic_add(1, v)
#define atomic_dec(v)			atomic_sub(1, v)
#define atomic_cond_read_relaxed(v, c)	smp_cond_load_relaxed(&(v)->counter, (c))
#define atomic_cond_read_acquire(v, c)	smp_cond_load_acquire(&(v)->counter, (c))
#define atomic_try_cmpxchg_acquire(v, po, n)	atomic_try_cmpxchg(v, po, n)
#define atomic_try_cmpxchg_relaxed(v, po, n)	atomic_try_cmpxchg(v, po, n)
#define atomic_try_cmpxchg_release(v, po, n)	atomic_try_cmpxchg(v, po, n)
#define atomic_cmpxchg_acquire(v, o, n)		atomic_cmpxchg(v, o, n)
#define atomic_cmpxchg_relaxed(v, o, n)		atomic_cmpxchg(v, o, n)
#define atomic_cmpxchg_release(v, o, n)		atomic_cmpxchg(v, o, n)
#define atomic_fetch_add_acquire(i, v)		atomic_fetch_add(i, v)
#define atomic_fetch_add_release(i, v)		atomic_fetch_add(i, v)
#define atomic_fetch_add_relaxed(i, v)		atomic_fetch_add(i, v)
#define atomic_fetch_sub_acquire(i, v)		atomic_fetch_sub(i, v)
#define atomic_fetch_sub_release(i, v)		atomic_fetch_sub(i, v)
#define atomic_fetch_sub_relaxed(i, v)		atomic_fetch_sub(i, v)
#define atomic_fetch_or_acquire(i, v)		atomic_fetch_or(i, v)
#define atomic_fetch_or_release(i, v)		atomic_fetch_or(i, v)
#define atomic_fetch_or_relaxed(i, v)		atomic_fetch_or(i, v)
#define atomic_fetch_andnot_acquire(i, v)	atomic_fetch_andnot(i, v)
#define atomic_fetch_andnot_release(i, v)	atomic_fetch_andnot(i, v)
#define atomic_fetch_andnot_relaxed(i, v)	atomic_fetch_andnot(i, v)
#define atomic_xchg_acquire(v, i)		atomic_xchg(v, i)
#define atomic_xchg_release(v, i)		atomic_xchg(v, i)
#define atomic_xchg_relaxed(v, i)		atomic_xchg(v, i)

/* atomic bit operations (LOCK BTS/BTR on x86) */
static inline void set_bit(long nr, volatile unsigned long *addr)
{
	(void)__otsim_rmw(&addr[nr / BITS_PER_LONG], SIM_OR, 1UL << (nr % BITS_PER_LONG));
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	(void)__otsim_rmw(&addr[nr / BITS_PER_LONG], SIM_AND, ~(1UL << (nr % BITS_PER_LONG)));
}

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (READ_ONCE(addr[nr / BITS_PER_LONG]) >> (nr % BITS_PER_LONG)) & 1;
}

/* ---- CPUs ----------------------------------------------------------------- */
extern unsigned int nr_cpu_ids;		/* guest/kvm.c, per VM */
#define NR_CPUS			CONFIG_NR_CPUS
#define smp_processor_id()	sim_cpu()
#define raw_smp_processor_id()	sim_cpu()
#define num_possible_cpus()	nr_cpu_ids
#define num_online_cpus()	nr_cpu_ids
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu)   for_each_possible_cpu(cpu)

struct cpumask {
	unsigned long bits[BITS_TO_LONGS(NR_CPUS)];
};
typedef struct cpumask cpumask_t;
#define cpumask_bits(m)		((m)->bits)
#define cpumask_set_cpu(cpu, m)	set_bit(cpu, (m)->bits)
#define cpumask_clear_cpu(cpu, m) clear_bit(cpu, (m)->bits)
#define cpumask_test_cpu(cpu, m) test_bit(cpu, (m)->bits)

/* The next set bit after @n, reading the mask word by word as shared memory. */
static inline int otsim_cpumask_next(int n, const struct cpumask *m)
{
	for (n++; n < (int)nr_cpu_ids; ) {
		unsigned long w = READ_ONCE(m->bits[n / BITS_PER_LONG]) >> (n % BITS_PER_LONG);

		if (w)
			return n + __builtin_ctzl(w);
		n = (n / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return (int)nr_cpu_ids;
}
#define for_each_cpu(cpu, m)						\
	for ((cpu) = otsim_cpumask_next(-1, (m)); (cpu) < (int)nr_cpu_ids; \
	     (cpu) = otsim_cpumask_next((cpu), (m)))

static inline bool in_nmi(void)
{
	return sim_in_nmi();
}

#define irqs_disabled()			sim_irqs_disabled()
#define arch_irqs_disabled_flags(f)	((f) != 0)
#define local_irq_save(f)	do { (f) = sim_irqs_disabled(); sim_irq_set(true); } while (0)
#define local_irq_restore(f)	sim_irq_set((f) != 0)
#define local_irq_disable()	sim_irq_set(true)
#define local_irq_enable()	sim_irq_set(false)
#define halt()			sim_halt(false)		/* HLT */
#define safe_halt()		sim_halt(true)		/* STI; HLT */
#define preempt_disable()	barrier()
#define preempt_enable()	barrier()

/* ---- per-CPU data ---------------------------------------------------------- */
#define __OTSIM_PERCPU		__attribute__((__section__("otsim_percpu")))
#define DEFINE_PER_CPU(type, name)	__OTSIM_PERCPU __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name) \
	__OTSIM_PERCPU __aligned(SMP_CACHE_BYTES) __typeof__(type) name
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU_ALIGNED(type, name)
#define DECLARE_PER_CPU(type, name)	extern __typeof__(type) name

#define per_cpu_ptr(ptr, cpu)	((__typeof__(ptr))((char *)(ptr) + sim_pcpu_off(cpu)))
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, sim_cpu())
#define raw_cpu_ptr(ptr)	this_cpu_ptr(ptr)
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))
#define this_cpu_read(var)	(*this_cpu_ptr(&(var)))
#define this_cpu_write(var, v)	(*this_cpu_ptr(&(var)) = (v))
#define this_cpu_add(var, v)	(*this_cpu_ptr(&(var)) += (v))
#define this_cpu_sub(var, v)	(*this_cpu_ptr(&(var)) -= (v))
#define this_cpu_inc(var)	this_cpu_add(var, 1)
#define this_cpu_dec(var)	this_cpu_sub(var, 1)
#define this_cpu_inc_return(var) (++*this_cpu_ptr(&(var)))
#define this_cpu_dec_return(var) (--*this_cpu_ptr(&(var)))
#define __this_cpu_read(var)	this_cpu_read(var)
#define __this_cpu_write(var, v) this_cpu_write(var, v)
#define __this_cpu_inc(var)	this_cpu_inc(var)
#define __this_cpu_dec(var)	this_cpu_dec(var)
#define __this_cpu_add(var, v)	this_cpu_add(var, v)
#define raw_cpu_inc(var)	this_cpu_inc(var)
#define raw_cpu_add(var, v)	this_cpu_add(var, v)
#define raw_cpu_read(var)	this_cpu_read(var)

/* ---- time ------------------------------------------------------------------- */
#define local_clock()		sim_clock()
#define sched_clock()		sim_clock()
#define running_clock()		sim_clock()
#define ktime_get()		((ktime_t)sim_clock())
#define paravirt_steal_clock(cpu) sim_steal_clock(cpu)
#define ktime_get_mono_fast_ns() sim_clock()	/* one clock for all vCPUs */

/* ---- static keys ------------------------------------------------------------ */
struct static_key_false {
	bool enabled;
};
struct static_key_true {
	bool enabled;
};
#define DEFINE_STATIC_KEY_FALSE(name)	struct static_key_false name = { false }
#define DEFINE_STATIC_KEY_TRUE(name)	struct static_key_true name = { true }
#define DECLARE_STATIC_KEY_FALSE(name)	extern struct static_key_false name
#define DECLARE_STATIC_KEY_TRUE(name)	extern struct static_key_true name
#define static_branch_likely(k)		((k)->enabled)
#define static_branch_unlikely(k)	((k)->enabled)
#define static_branch_enable(k)		((k)->enabled = true)
#define static_branch_disable(k)	((k)->enabled = false)

/* ---- CPU features (none of the X86_FEATURE_* bits the code asks about) ---- */
#define X86_FEATURE_TDX_GUEST		1
#define X86_FEATURE_HYPERVISOR		2
#define X86_FEATURE_MWAIT		3	/* not offered: guests of a shared host */
#define cpu_feature_enabled(f)		((f) == X86_FEATURE_HYPERVISOR)
#define boot_cpu_has(f)			cpu_feature_enabled(f)
#define LOCK_PREFIX			"lock; "

/* asm/rmwcc.h: the one user is queued_fetch_set_pending_acquire() (btsl) */
static inline bool otsim_bts(volatile int *p, int bit)
{
	int old, arg = 1 << bit;

	sim_rmw(p, sizeof(*p), SIM_OR, &old, &arg);
	return (old >> bit) & 1;
}
#define GEN_BINARY_RMWcc(op, var, cc, vcon, val) otsim_bts(&(var), (val))

/* ---- paravirt (asm/paravirt.h, CONFIG_PARAVIRT_SPINLOCKS) ------------------ */
struct qspinlock;
struct paravirt_callee_save {
	void *func;
};
struct pv_lock_ops {
	void (*queued_spin_lock_slowpath)(struct qspinlock *lock, u32 val);
	struct paravirt_callee_save queued_spin_unlock;
	void (*wait)(u8 *ptr, u8 val);
	void (*kick)(int cpu);
	struct paravirt_callee_save vcpu_is_preempted;
};
struct paravirt_patch_template {
	struct pv_lock_ops lock;
};
extern struct paravirt_patch_template pv_ops;	/* guest/kvm.c, per VM */

#define PV_CALLEE_SAVE(func)	((struct paravirt_callee_save){ (void *)(func) })
#define PV_CALLEE_SAVE_REGS_THUNK(func)

static __always_inline void pv_queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	pv_ops.lock.queued_spin_lock_slowpath(lock, val);
}

static __always_inline void pv_queued_spin_unlock(struct qspinlock *lock)
{
	((void (*)(struct qspinlock *))pv_ops.lock.queued_spin_unlock.func)(lock);
}

static __always_inline void pv_wait(u8 *ptr, u8 val)
{
	pv_ops.lock.wait(ptr, val);
}

static __always_inline void pv_kick(int cpu)
{
	pv_ops.lock.kick(cpu);
}

/* __kvm_vcpu_is_preempted(): the steal-time area's "preempted" byte */
static __always_inline bool pv_vcpu_is_preempted(long cpu)
{
	return sim_vcpu_preempted((int)cpu);
}

#define kcsan_release()		do { } while (0)

/* the ticket modes' unlock (asm/qspinlock_paravirt.h), in C: guest/oticket.c */
void __otk_queued_spin_unlock(struct qspinlock *lock);
void __pvt_queued_spin_unlock(struct qspinlock *lock);

/* ---- memory, hashing helpers ------------------------------------------------- */
#define HASH_EARLY		0x1
#define HASH_ZERO		0x4
void *alloc_large_system_hash(const char *name, unsigned long bucketsize,
			      unsigned long numentries, int scale, int flags,
			      unsigned int *hash_shift, unsigned int *hash_mask,
			      unsigned long low_limit, unsigned long high_limit);

static inline int ilog2(unsigned long long n)
{
	return 63 - __builtin_clzll(n | 1);
}

static inline int match_string(const char * const *array, size_t n, const char *string)
{
	for (size_t i = 0; i < n; i++)
		if (array[i] && !strcmp(array[i], string))
			return (int)i;
	return -EINVAL;
}

#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
#define roundup_pow_of_two(n)	(1UL << (ilog2((n) - 1) + 1))
#define NSEC_PER_SEC		1000000000L
#define NSEC_PER_MSEC		1000000L

extern int debug_locks_silent;

/* ---- debugfs, seq_file, files: statistics the simulator reads directly ------ */
struct dentry;
struct inode {
	void *i_private;
};
struct file {
	struct inode *f_inode;
};
struct seq_file;
struct file_operations {
	const void *owner;
	int (*show)(struct seq_file *m, void *v);
	ssize_t (*write)(struct file *f, const char *buf, size_t n, loff_t *pos);
	loff_t (*llseek)(struct file *f, loff_t off, int whence);
};
#define THIS_MODULE		NULL
#define file_inode(f)		((f)->f_inode)
loff_t default_llseek(struct file *f, loff_t off, int whence);
loff_t noop_llseek(struct file *f, loff_t off, int whence);
ssize_t simple_read_from_buffer(void *to, size_t count, loff_t *ppos,
				const void *from, size_t available);
int seq_printf(struct seq_file *m, const char *fmt, ...);
int seq_puts(struct seq_file *m, const char *s);
int seq_putc(struct seq_file *m, char c);
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, unsigned int mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_create_bool(const char *name, unsigned int mode,
			 struct dentry *parent, bool *value);
#define DEFINE_SHOW_ATTRIBUTE(name)					\
static const struct file_operations name##_fops = { .show = name##_show }

/* ---- init, modules, kunit ------------------------------------------------------ */
extern const struct otsim_guest otsim_guest;	/* guest/kvm.c, per VM */
#define early_param(s, f)						\
	static const struct otsim_param __otsim_param_##f		\
	__attribute__((__section__("otsim_params"), __used__, __aligned__(8))) = \
		{ .str = s, .fn = f, .guest = &otsim_guest }
#define __setup(str, fn)	early_param(str, fn)
#define fs_initcall(fn)							\
	static int (*const __otsim_initcall_##fn)(void) __maybe_unused = fn
#define late_initcall(fn)	fs_initcall(fn)
/* the guest's one early initcall (kvm_pvlock.c's probe), run at boot by kvm.c */
#define early_initcall(fn)						\
	int otsim_early_initcall(void) { return fn(); }
int otsim_early_initcall(void);
#define EXPORT_SYMBOL_IF_KUNIT(s)
#define VISIBLE_IF_KUNIT	static

/* module parameters of a built-in: "<KBUILD_MODNAME>.<name>=<value>" */
struct kernel_param;
struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
};
struct kernel_param {
	const char *name;
	const struct kernel_param_ops *ops;
	void *arg;
};
int param_get_uint(char *buffer, const struct kernel_param *kp);
extern const struct kernel_param_ops param_ops_bool;
int kstrtou32(const char *s, unsigned int base, u32 *res);
#define __otsim_mparam(name, ops, argp)					\
	static const struct kernel_param __param_##name =		\
		{ KBUILD_MODNAME "." #name, ops, argp };		\
	static const struct otsim_param __otsim_mparam_##name		\
	__attribute__((__section__("otsim_params"), __used__, __aligned__(8))) = \
		{ .str = KBUILD_MODNAME "." #name, .kp = &__param_##name, \
		  .guest = &otsim_guest }
#define module_param_cb(name, ops, arg, perm)	__otsim_mparam(name, ops, arg)
#define module_param_named(name, var, type, perm) \
	__otsim_mparam(name, &param_ops_##type, &(var))
#define MODULE_PARM_DESC(name, desc)

/* irq_work: run at once (it only prints, from a context that may) */
struct irq_work {
	void (*func)(struct irq_work *work);
};
#define DEFINE_IRQ_WORK(name, f)	struct irq_work name = { .func = (f) }
static inline bool irq_work_queue(struct irq_work *w)
{
	w->func(w);
	return true;
}

/* no confidential computing, no lockdep */
#define CC_ATTR_GUEST_STATE_ENCRYPT	1
#define cc_platform_has(attr)		false
#define trace_hardirqs_on()		do { } while (0)

#endif /* OTSIM_KERNEL_H */
