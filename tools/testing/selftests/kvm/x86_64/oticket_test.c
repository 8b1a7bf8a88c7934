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
#include <unistd.h>

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
#define TEST_TIMEOUT_S	300	/* whole test, emulated nested included */

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

/* A vCPU's run ended in ucall @cmd (a guest assertion is reported). */
static void expect_ucall(struct kvm_vcpu *vcpu, uint64_t cmd)
{
	struct ucall uc;

	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT_EQ(uc.cmd, cmd);
}

/*
 * One statistic of a vCPU, through the binary stats interface.  Opened
 * before the vCPU runs: KVM_GET_STATS_FD is a vCPU ioctl and waits for the
 * vCPU's mutex, which KVM_RUN holds while the vCPU is halted; reading the
 * file descriptor does not.
 */
struct vstat {
	int fd;
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *d;
};

static void vstat_open(struct vstat *s, struct kvm_vcpu *vcpu, const char *name)
{
	int i;

	s->fd = vcpu_get_stats_fd(vcpu);
	read_stats_header(s->fd, &s->header);
	s->descs = read_stats_descriptors(s->fd, &s->header);
	for (i = 0; i < s->header.num_desc; i++) {
		s->d = get_stats_descriptor(s->descs, i, &s->header);
		if (!strcmp(s->d->name, name))
			return;
	}
	TEST_FAIL("no vCPU statistic %s", name);
}

static uint64_t vstat_read(struct vstat *s)
{
	uint64_t v = 0;

	read_stat_data(s->fd, &s->header, s->d, &v, 1);
	return v;
}

static void vstat_close(struct vstat *s)
{
	free(s->descs);
	close(s->fd);
}

/* Wait up to @secs for the vCPU to block (halted, for WAIT: in kvm_vcpu_halt()). */
static bool vcpu_blocked_within(struct vstat *blocking, int secs)
{
	for (int i = 0; i < secs * 10; i++) {
		if (vstat_read(blocking))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static bool waiter_done;

static void *run_waiter(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	vcpu_run(vcpu);
	expect_ucall(vcpu, UCALL_DONE);
	WRITE_ONCE(waiter_done, true);
	return NULL;
}

static void test_wait_kick(void)
{
	struct kvm_vcpu *vcpus[2];
	struct timespec deadline;
	struct vstat blocking;
	struct kvm_vm *vm;
	pthread_t t;

	vm = vm_create_with_vcpus(2, guest_waiter, vcpus);
	vcpu_arch_set_entry_point(vcpus[1], guest_kicker);
	vstat_open(&blocking, vcpus[0], "blocking");

	pthread_create(&t, NULL, run_waiter, vcpus[0]);
	TEST_ASSERT(vcpu_blocked_within(&blocking, 60), "vCPU 0 did not block in WAIT in 60 s");
	TEST_ASSERT(!READ_ONCE(waiter_done), "WAIT returned without a kick");

	vcpu_run(vcpus[1]);
	expect_ucall(vcpus[1], UCALL_DONE);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	TEST_ASSERT(!pthread_timedjoin_np(t, NULL, &deadline),
		    "the waiting vCPU did not wake up within 20s of the kick");
	TEST_ASSERT(READ_ONCE(waiter_done), "waiter thread ended without finishing");
	pr_info("ok wait/kick: vCPU 0 halted in WAIT until vCPU 1 kicked it\n");
	vstat_close(&blocking);
	kvm_vm_free(vm);
}

/* ---- a VM kept from PV unhalt is not served ------------------------------ */

static void guest_unserved(void)
{
	x2apic_enable();
	GUEST_ASSERT_EQ(kvm_hypercall(PROBE, KVM_OTICKET_VERSION, 0, 0, 0), ENOSYS_);
	GUEST_ASSERT_EQ(kvm_hypercall(KICK, K_NEXT, 0, 0, 0), ENOSYS_);
	GUEST_ASSERT_EQ(kvm_hypercall(WAIT, 0, NOV, 0, 0), ENOSYS_);
	GUEST_DONE();
}

/* As KVM_HC_KICK_CPU: refused where the VMM enforces the PV CPUID bits. */
static void test_no_pv_unhalt(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID));
	vm = vm_create_with_one_vcpu(&vcpu, guest_unserved);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_KVM_PV_UNHALT);
	vcpu_enable_cap(vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	vcpu_run(vcpu);
	expect_ucall(vcpu, UCALL_DONE);
	pr_info("ok no PV unhalt: probe, kick and wait answer -KVM_ENOSYS\n");
	kvm_vm_free(vm);
}

/* ---- boost=1: the kicked next holder's thread, and its deadline --------- */

#define PARAMS		"/sys/module/kvm_oticket/parameters/"
#define STATS		"/sys/kernel/debug/kvm_oticket/stats"
#define BOOST_NICE	(-5)
#define BOOST_US	1000000

static const char *const boost_params[] = { "boost", "boost_us", "boost_nice" };
static char boost_saved[ARRAY_SIZE(boost_params)][32];
static bool boost_touched;

static FILE *param_fopen(const char *name, const char *mode)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	return fopen(path, mode);
}

static int param_read(const char *name, char *val, size_t len)
{
	FILE *f = param_fopen(name, "r");
	int ok = f && fgets(val, len, f);

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	val[strcspn(val, "\n")] = 0;
	return 0;
}

static int param_write(const char *name, const char *val)
{
	FILE *f = param_fopen(name, "w");
	int ok = f && fputs(val, f) >= 0;

	return !f || fclose(f) || !ok ? -1 : 0;
}

/* a failed assertion must not leave the host boosting */
static void boost_restore(void)
{
	for (size_t i = 0; boost_touched && i < ARRAY_SIZE(boost_params); i++)
		param_write(boost_params[i], boost_saved[i]);
}

/*
 * Counter @name of this process's VM in the module's statistics (its line
 * "vm <id> pid <pid> vcpus <n> name=value ..."; one VM is live), -1 if
 * there is none.
 */
static long kot_vm_stat(const char *name)
{
	char line[4096], who[32], key[64], *v;
	long n = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	snprintf(who, sizeof(who), " pid %d ", getpid());
	snprintf(key, sizeof(key), " %s=", name);
	while (n < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vm ", 3) || !strstr(line, who))
			continue;
		v = strstr(line, key);
		n = v ? atol(v + strlen(key)) : -1;
	}
	fclose(f);
	return n;
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * vCPU 0 halts in WAIT; vCPU 1 kicks it as the next holder.  The kick
 * boosts vCPU 0's thread to BOOST_NICE at once; vCPU 0 then makes no
 * oticket call, so only the deadline can end the boost, not before
 * BOOST_US: the nice value comes back and boost_expired counts it.
 */
static void test_boost_deadline(void)
{
	struct kvm_vcpu *vcpus[2];
	int nice0, nice, i;
	double t_kick, t_back;
	struct vstat blocking;
	struct kvm_vm *vm;
	char us[16];
	pthread_t t;
	pid_t tid;

	for (i = 0; i < ARRAY_SIZE(boost_params); i++)
		TEST_ASSERT(!param_read(boost_params[i], boost_saved[i],
					sizeof(boost_saved[i])),
			    "cannot read " PARAMS "%s", boost_params[i]);
	TEST_REQUIRE(!access(STATS, R_OK));
	boost_touched = true;
	atexit(boost_restore);
	snprintf(us, sizeof(us), "%d", BOOST_US);
	TEST_ASSERT(!param_write("boost", "1") && !param_write("boost_us", us) &&
		    !param_write("boost_nice", "-5"), "cannot set the boost parameters");

	vm = vm_create_with_vcpus(2, guest_boosted, vcpus);
	vcpu_arch_set_entry_point(vcpus[1], guest_kicker);
	vstat_open(&blocking, vcpus[0], "blocking");
	pthread_create(&t, NULL, run_boosted, vcpus[0]);
	TEST_ASSERT(vcpu_blocked_within(&blocking, 60) && !READ_ONCE(boosted_state),
		    "vCPU 0 did not block in WAIT within 60 s");
	TEST_ASSERT_EQ(kot_vm_stat("hc_wait"), 1);
	tid = READ_ONCE(boosted_tid);
	nice0 = getpriority(PRIO_PROCESS, tid);
	TEST_REQUIRE(tid && nice0 > BOOST_NICE);

	vcpu_run(vcpus[1]);
	expect_ucall(vcpus[1], UCALL_DONE);
	t_kick = now_s();
	/* the boost is made inside the kick: it is there now */
	nice = getpriority(PRIO_PROCESS, tid);
	TEST_ASSERT(nice == BOOST_NICE, "kicked next holder at nice %d, want %d",
		    nice, BOOST_NICE);
	for (i = 0; i < 20000 && !READ_ONCE(boosted_state); i++)
		usleep(1000);
	TEST_ASSERT(READ_ONCE(boosted_state) == 1, "vCPU 0 not woken 20 s after the kick");
	/* it makes no oticket call: the deadline ends the boost */
	for (i = 0; i < 3000 && getpriority(PRIO_PROCESS, tid) != nice0; i++)
		usleep(10 * 1000);
	t_back = now_s();
	nice = getpriority(PRIO_PROCESS, tid);
	TEST_ASSERT(nice == nice0, "nice %d 30 s after the kick, want %d", nice, nice0);
	/* the kick's return took some of it: 10% leeway, still far from a tick */
	TEST_ASSERT(t_back - t_kick >= BOOST_US / 1e6 * 0.9,
		    "boost ended %.3f s after the kick, before boost_us", t_back - t_kick);
	TEST_ASSERT_EQ(kot_vm_stat("boost_expired"), 1);
	pr_info("ok boost: kicked next holder ran at nice %d, back at %d after boost_us (%.2f s)\n",
		BOOST_NICE, nice0, t_back - t_kick);
	WRITE_ONCE(boosted_state, 2);
	pthread_join(t, NULL);
	vstat_close(&blocking);
	kvm_vm_free(vm);
	boost_restore();
	boost_touched = false;
}

int main(int argc, char *argv[])
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);

	/* a vCPU that never wakes must fail the test, not hang its caller */
	alarm(TEST_TIMEOUT_S);
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
