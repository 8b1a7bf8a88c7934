// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for the oticket hypercalls (include/uapi/linux/kvm_oticket.h) as
 * served by kvm_oticket.ko through KVM's hypercall hook: return codes for
 * valid and invalid arguments, a wait that a kick from another vCPU ends,
 * a bounded random-argument loop checked against a model of the ABI, a VM
 * without PV unhalt that is not served, and the priority boost of a kicked
 * vCPU, made and taken back at its deadline.
 *
 * Needs the module loaded; without it the probe answers -KVM_ENOSYS and
 * the test is skipped.
 */
#include <linux/kvm_oticket.h>
#include <linux/kvm_para.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "apic.h"
#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define BASE		KVM_HC_OTICKET_BASE
#define PROBE		KVM_HC_OTICKET_PROBE
#define WAIT		KVM_HC_OTICKET_WAIT
#define KICK		KVM_HC_OTICKET_KICK
#define NOV		KVM_OTICKET_NO_VCPU
#define W_IRQ		KVM_OTICKET_WAIT_IRQ
#define W_HOLDER	KVM_OTICKET_WAIT_HOLDER
#define W_PRED		KVM_OTICKET_WAIT_PRED
#define K_NEXT		KVM_OTICKET_KICK_NEXT
#define EINVAL_		((uint64_t)-KVM_EINVAL)
#define ENOSYS_		((uint64_t)-KVM_ENOSYS)

#define UCALL_PR_CASE	0x07c0ffee
#define FUZZ_CALLS	3000

struct hc_case {
	const char *name;
	bool kick_self_first;	/* latch a kick so that a valid WAIT returns */
	bool sti;		/* issue it with RFLAGS.IF set (STI; VMCALL) */
	uint64_t nr, a0, a1, a2, a3;
	uint64_t want;
};

/*
 * Single vCPU, x2APIC ID 0 (the guest enables its local APIC first: KVM
 * finds vCPUs by the ID of an enabled APIC).  RFLAGS.IF is clear.
 */
static const struct hc_case cases[] = {
	{ "probe v1", 0, 0, PROBE, 1, 0, 0, 0, KVM_OTICKET_VERSION },
	{ "probe newer guest", 0, 0, PROBE, 99, 0, 0, 0, KVM_OTICKET_VERSION },
	{ "probe version 0", 0, 0, PROBE, 0, 0, 0, 0, EINVAL_ },
	{ "unknown number in range", 0, 0, BASE + 3, 0, 0, 0, 0, ENOSYS_ },
	{ "last number of range", 0, 0, BASE + 0xffff, 0, 0, 0, 0, ENOSYS_ },
	{ "just past the range", 0, 0, BASE + 0x10000, 0, 0, 0, 0, ENOSYS_ },
	{ "kick self", 0, 0, KICK, K_NEXT, 0, 0, 0, 0 },
	{ "kick no flags", 0, 0, KICK, 0, 0, 0, 0, 0 },
	{ "kick unknown flag", 0, 0, KICK, 1 << 7, 0, 0, 0, EINVAL_ },
	{ "kick no vCPU", 0, 0, KICK, K_NEXT, NOV, 0, 0, EINVAL_ },
	{ "kick APIC ID 1 (absent)", 0, 0, KICK, K_NEXT, 1, 0, 0, EINVAL_ },
	{ "kick huge APIC ID", 0, 0, KICK, K_NEXT, ~0ull, 0, 0, EINVAL_ },
	{ "wait after kick", 1, 0, WAIT, 0, NOV, 0, 0, 0 },
	{ "wait, holder hint self", 1, 0, WAIT, W_HOLDER, 0, 3, 100, 0 },
	{ "wait, pred hint self", 1, 0, WAIT, W_PRED, 0, 0xffff, ~0ull, 0 },
	{ "wait, a1 ignored w/o hint", 1, 0, WAIT, 0, 12345, 0, 0, 0 },
	{ "wait IRQ with IF set", 1, 1, WAIT, W_IRQ, NOV, 0, 0, 0 },
	{ "wait unknown flag", 0, 0, WAIT, 1 << 9, NOV, 0, 0, EINVAL_ },
	{ "wait holder and pred", 0, 0, WAIT, W_HOLDER | W_PRED, 0, 0, 0, EINVAL_ },
	{ "wait holder, no vCPU", 0, 0, WAIT, W_HOLDER, NOV, 0, 0, EINVAL_ },
	{ "wait holder, absent vCPU", 0, 0, WAIT, W_HOLDER, 7, 0, 0, EINVAL_ },
	{ "wait position too far", 0, 0, WAIT, 0, NOV, 0x10000, 0, EINVAL_ },
	{ "wait IRQ with IF clear", 0, 0, WAIT, W_IRQ, NOV, 0, 0, EINVAL_ },
	{ "wait no IRQ with IF set", 0, 1, WAIT, 0, NOV, 0, 0, EINVAL_ },
};

static uint64_t hypercall_sti(uint64_t nr, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3)
{
	uint64_t r;

	/* as the guest kernel does: STI's shadow covers the hypercall */
	if (host_cpu_is_amd)
		asm volatile("sti; vmmcall" : "=a"(r)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	else
		asm volatile("sti; vmcall" : "=a"(r)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	asm volatile("cli" ::: "memory");
	return r;
}

static uint64_t run_case(const struct hc_case *c)
{
	if (c->kick_self_first)
		GUEST_ASSERT_EQ(kvm_hypercall(KICK, 0, 0, 0, 0), 0);
	if (c->sti)
		return hypercall_sti(c->nr, c->a0, c->a1, c->a2, c->a3);
	return kvm_hypercall(c->nr, c->a0, c->a1, c->a2, c->a3);
}

/* What the ABI says a call from a 1-vCPU VM (APIC ID 0), IF clear, returns. */
static uint64_t model(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t hints = W_HOLDER | W_PRED;

	switch (nr) {
	case PROBE:
		return a0 ? (a0 < KVM_OTICKET_VERSION ? a0 : KVM_OTICKET_VERSION) : EINVAL_;
	case WAIT:
		if ((a0 & ~KVM_OTICKET_WAIT_FLAGS) || (a0 & hints) == hints ||
		    a2 > KVM_OTICKET_MAX_POS || (a0 & W_IRQ))
			return EINVAL_;
		if ((a0 & hints) && a1 != 0)
			return EINVAL_;
		return 0;
	case KICK:
		if ((a0 & ~KVM_OTICKET_KICK_FLAGS) || a1 != 0)
			return EINVAL_;
		return 0;
	default:
		return ENOSYS_;
	}
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return rnd_state >> 11;
}

/* Mostly edge values, sometimes anything. */
static uint64_t rnd_arg(void)
{
	static const uint64_t edges[] = { 0, 1, 2, 3, 4, 7, 8, 0xffff, 0x10000,
					  0xffffffff, 0x100000000ull, ~0ull };
	uint64_t r = rnd();

	if (r % 4)
		return edges[(r >> 8) % ARRAY_SIZE(edges)];
	return rnd();
}

static void guest_main(uint64_t seed)
{
	uint64_t i, nr, a0, a1, a2, a3, want, got;

	x2apic_enable();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ucall(UCALL_PR_CASE, 1, i);
		got = run_case(&cases[i]);
		__GUEST_ASSERT(got == cases[i].want, "case %lu: got %#lx, want %#lx",
			       i, got, cases[i].want);
	}

	rnd_state = seed;
	for (i = 0; i < FUZZ_CALLS; i++) {
		nr = BASE + rnd() % 5;
		a0 = rnd() % 3 ? rnd() % 16 : rnd_arg();
		a1 = rnd_arg();
		a2 = rnd_arg();
		a3 = rnd();
		want = model(nr, a0, a1, a2);
		/* a valid WAIT halts: latch a kick so that it returns */
		if (nr == WAIT && !want)
			GUEST_ASSERT_EQ(kvm_hypercall(KICK, 0, 0, 0, 0), 0);
		got = kvm_hypercall(nr, a0, a1, a2, a3);
		__GUEST_ASSERT(got == want,
			       "fuzz %lu: nr %#lx a0 %#lx a1 %#lx a2 %#lx: got %#lx, want %#lx",
			       i, nr, a0, a1, a2, got, want);
	}
	GUEST_DONE();
}

static bool probe_ok;

static void guest_probe(void)
{
	GUEST_SYNC(kvm_hypercall(PROBE, KVM_OTICKET_VERSION, 0, 0, 0));
	GUEST_DONE();
}

static void test_probe(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_probe);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
	probe_ok = uc.args[1] == KVM_OTICKET_VERSION;
	if (uc.args[1] == ENOSYS_)
		pr_info("probe: -KVM_ENOSYS (kvm_oticket not loaded)\n");
	kvm_vm_free(vm);
}

static void test_cases_and_fuzz(uint64_t seed)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	vcpu_args_set(vcpu, 1, seed);
	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_PR_CASE:
			pr_info("ok %s\n", cases[uc.args[0]].name);
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		case UCALL_DONE:
			pr_info("ok fuzz: %d random calls (seed %#lx) match the model\n",
				FUZZ_CALLS, seed);
			kvm_vm_free(vm);
			return;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}

/* ---- two vCPUs: vCPU 0 waits, vCPU 1 kicks it ----------------------------- */

static void guest_waiter(void)
{
	x2apic_enable();
	GUEST_ASSERT_EQ(kvm_hypercall(WAIT, 0, NOV, 1, 0), 0);
	GUEST_DONE();
}

static void guest_kicker(void)
{
	x2apic_enable();
	GUEST_ASSERT_EQ(kvm_hypercall(KICK, K_NEXT, 0, 0, 0), 0);
	GUEST_DONE();
}

static bool waiter_done;

static void *run_waiter(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	WRITE_ONCE(waiter_done, true);
	return NULL;
}

static void test_wait_kick(void)
{
	struct kvm_vcpu *vcpus[2];
	struct timespec deadline;
	struct kvm_vm *vm;
	struct ucall uc;
	pthread_t t;

	vm = vm_create_with_vcpus(2, guest_waiter, vcpus);
	vcpu_arch_set_entry_point(vcpus[1], guest_kicker);

	pthread_create(&t, NULL, run_waiter, vcpus[0]);
	usleep(500 * 1000);
	TEST_ASSERT(!READ_ONCE(waiter_done), "WAIT returned without a kick");

	vcpu_run(vcpus[1]);
	TEST_ASSERT_KVM_EXIT_REASON(vcpus[1], KVM_EXIT_IO);
	if (get_ucall(vcpus[1], &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	TEST_ASSERT(!pthread_timedjoin_np(t, NULL, &deadline),
		    "the waiting vCPU did not wake up within 20s of the kick");
	TEST_ASSERT(READ_ONCE(waiter_done), "waiter thread ended without finishing");
	pr_info("ok wait/kick: vCPU 0 halted in WAIT until vCPU 1 kicked it\n");
	kvm_vm_free(vm);
}

/* ---- a VM without PV unhalt is not served ------------------------------- */

static void guest_unserved(void)
{
	x2apic_enable();
	GUEST_ASSERT_EQ(kvm_hypercall(PROBE, KVM_OTICKET_VERSION, 0, 0, 0), ENOSYS_);
	GUEST_ASSERT_EQ(kvm_hypercall(KICK, K_NEXT, 0, 0, 0), ENOSYS_);
	GUEST_ASSERT_EQ(kvm_hypercall(WAIT, 0, NOV, 0, 0), ENOSYS_);
	GUEST_DONE();
}

static void test_no_pv_unhalt(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_unserved);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_KVM_PV_UNHALT);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
	pr_info("ok no PV unhalt: probe, kick and wait answer -KVM_ENOSYS\n");
	kvm_vm_free(vm);
}

/* ---- boost=1: the kicked next holder's thread, and its deadline --------- */

#define PARAMS		"/sys/module/kvm_oticket/parameters/"
#define STATS		"/sys/kernel/debug/kvm_oticket/stats"

static const char *const boost_params[] = { "boost", "boost_us", "boost_nice" };
static char boost_saved[3][32];
static bool boost_touched;

static int param_read(const char *name, char *val, size_t len)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = !!fgets(val, len, f);
	fclose(f);
	val[strcspn(val, "\n")] = 0;
	return ok ? 0 : -1;
}

static int param_write(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) || !ok ? -1 : 0;
}

/* a failed assertion must not leave the host boosting */
static void boost_restore(void)
{
	for (int i = 0; boost_touched && i < 3; i++)
		param_write(boost_params[i], boost_saved[i]);
}

/* "name=<n>" of the total line of the module's counters, -1 if absent */
static long kot_total(const char *name)
{
	char line[4096], key[64], *v;
	long n = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	snprintf(key, sizeof(key), " %s=", name);
	if (fgets(line, sizeof(line), f) && !strncmp(line, "total", 5)) {
		v = strstr(line, key);
		if (v)
			n = atol(v + strlen(key));
	}
	fclose(f);
	return n;
}

/* the scheduler state letter of thread @tid of this process */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

static void guest_boosted(void)
{
	x2apic_enable();
	GUEST_ASSERT_EQ(kvm_hypercall(WAIT, 0, NOV, 0, 0), 0);
	/* woken and boosted; no oticket call until the deadline passed */
	GUEST_SYNC(0);
	GUEST_DONE();
}

static pid_t boosted_tid;
static int boosted_state;	/* 1: woken, 2: may finish */

static void expect_ucall(struct kvm_vcpu *vcpu, uint64_t cmd)
{
	struct ucall uc;

	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT_EQ(uc.cmd, cmd);
}

static void *run_boosted(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	WRITE_ONCE(boosted_tid, gettid());
	vcpu_run(vcpu);
	expect_ucall(vcpu, UCALL_SYNC);
	WRITE_ONCE(boosted_state, 1);
	while (READ_ONCE(boosted_state) != 2)
		usleep(1000);
	vcpu_run(vcpu);
	expect_ucall(vcpu, UCALL_DONE);
	return NULL;
}

/*
 * vCPU 0 halts in WAIT; vCPU 1 kicks it as the next holder.  The kick
 * boosts vCPU 0's thread to nice -5 at once; vCPU 0 then makes no oticket
 * call, so only the 1 s deadline can end the boost: the nice value comes
 * back and boost_expired counts it.
 */
static void test_boost_deadline(void)
{
	long waits, expired;
	struct kvm_vcpu *vcpus[2];
	struct kvm_vm *vm;
	int nice0, nice, i, asleep;
	pthread_t t;
	pid_t tid;

	for (i = 0; i < 3; i++)
		TEST_ASSERT(!param_read(boost_params[i], boost_saved[i],
					sizeof(boost_saved[i])),
			    "cannot read " PARAMS "%s", boost_params[i]);
	TEST_ASSERT(kot_total("boost_expired") >= 0 && kot_total("hc_wait") >= 0,
		    "no boost_expired and hc_wait in " STATS);
	boost_touched = true;
	atexit(boost_restore);
	TEST_ASSERT(!param_write("boost", "1") && !param_write("boost_us", "1000000") &&
		    !param_write("boost_nice", "-5"), "cannot set the boost parameters");
	waits = kot_total("hc_wait");
	expired = kot_total("boost_expired");

	vm = vm_create_with_vcpus(2, guest_boosted, vcpus);
	vcpu_arch_set_entry_point(vcpus[1], guest_kicker);
	pthread_create(&t, NULL, run_boosted, vcpus[0]);
	/* halted in WAIT: counted, and its thread asleep for a while */
	for (i = 0, asleep = 0; i < 600 && asleep < 5; i++) {
		usleep(100 * 1000);
		tid = READ_ONCE(boosted_tid);
		asleep = tid && kot_total("hc_wait") > waits &&
			 thread_state(tid) == 'S' ? asleep + 1 : 0;
	}
	TEST_ASSERT(asleep == 5 && !READ_ONCE(boosted_state),
		    "vCPU 0 not halted in WAIT within 60 s (tid %d, state %c, woken %d)",
		    boosted_tid, boosted_tid ? thread_state(boosted_tid) : '?', boosted_state);
	nice0 = getpriority(PRIO_PROCESS, boosted_tid);
	TEST_ASSERT(nice0 > -5, "vCPU 0's thread already at nice %d", nice0);

	vcpu_run(vcpus[1]);
	expect_ucall(vcpus[1], UCALL_DONE);
	/* the boost is made inside the kick: it is there now */
	nice = getpriority(PRIO_PROCESS, boosted_tid);
	TEST_ASSERT(nice == -5, "kicked next holder at nice %d, want -5", nice);
	for (i = 0; i < 20000 && !READ_ONCE(boosted_state); i++)
		usleep(1000);
	TEST_ASSERT(READ_ONCE(boosted_state) == 1, "vCPU 0 not woken 20 s after the kick");
	/* it makes no oticket call: the deadline ends the boost */
	for (i = 0; i < 300 && getpriority(PRIO_PROCESS, boosted_tid) != nice0; i++)
		usleep(100 * 1000);
	nice = getpriority(PRIO_PROCESS, boosted_tid);
	TEST_ASSERT(nice == nice0, "nice %d 30 s after a 1 s boost, want %d", nice, nice0);
	TEST_ASSERT(kot_total("boost_expired") == expired + 1,
		    "boost_expired went from %ld to %ld, want +1", expired,
		    kot_total("boost_expired"));
	pr_info("ok boost: kicked next holder ran at nice -5, back at %d after boost_us\n",
		nice0);
	WRITE_ONCE(boosted_state, 2);
	pthread_join(t, NULL);
	kvm_vm_free(vm);
	boost_restore();
	boost_touched = false;
}

int main(int argc, char *argv[])
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);

	test_probe();
	TEST_REQUIRE(probe_ok);
	pr_info("ok probe: ABI version %d\n", KVM_OTICKET_VERSION);
	test_cases_and_fuzz(seed);
	test_wait_kick();
	test_no_pv_unhalt();
	test_boost_deadline();
	pr_info("oticket_test: all passed\n");
	return 0;
}
