// SPDX-License-Identifier: GPL-2.0
/*
 * otsim - run the guest kernel's spinlock slow paths (compiled from the
 * staged tree) on M simulated VMs of V vCPUs over P simulated pCPUs of a
 * KVM host, deterministically, in simulated time.
 *
 *   otsim --mode oticket --workload locktorture --vcpus 160 --vms 2 \
 *         --pcpus 80 [--size MS] [--seed N] [--profile hw|testbed]
 *         [--set name=value]...
 *   otsim --params            every parameter, default, unit and source
 *
 * The output is what vbench reads from a level-2 console: per VM one
 * "@@OTB-GUEST ... @@" frame with the guest's messages (the lock mode in
 * use), the workload's result line, CPU times (steal) and lock events;
 * then KVM's and kvm_oticket's counters and every parameter ("otb: simp:").
 * The same arguments give byte-identical output.  Exit status: 0 ok,
 * 1 an invariant failed (mutual exclusion, balance, lost wake-up),
 * 2 usage, 3 engine error or guest BUG(), 4 the guest could not boot.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "sim.h"

/* the guest object, once per VM (Makefile: objcopy --redefine-syms) */
extern const struct otsim_guest otsim_guest__vm0, otsim_guest__vm1, otsim_guest__vm2,
	otsim_guest__vm3, otsim_guest__vm4, otsim_guest__vm5, otsim_guest__vm6,
	otsim_guest__vm7;
static const struct otsim_guest *const guests[OTSIM_MAX_VMS] = {
	&otsim_guest__vm0, &otsim_guest__vm1, &otsim_guest__vm2, &otsim_guest__vm3,
	&otsim_guest__vm4, &otsim_guest__vm5, &otsim_guest__vm6, &otsim_guest__vm7,
};

void engine_percpu(struct vm *vm);
void engine_boot_vm(struct vm *vm);
void (*workload_fn(void))(struct vcpu *v);

/*
 * Lock modes as vbench names them, and how a guest boots into each: its
 * kernel command line and what the host offers (tools/vbench/vbench.c's
 * table says the same for the testbed).
 */
static const struct {
	const char *name, *cmdline;
	int pv_unhalt;
} modes[] = {
	{ "pvqspinlock", "", 1 },
	{ "qspinlock", "nopvspin", 1 },
	{ "tas", "", 0 },
	{ "pvticket", "pvlock=pvticket", 1 },
	{ "oticket", "pvlock=oticket", 1 },
	{ "oqspin", "pvlock=oqspin", 1 },
};

/*
 * --profile testbed: the emulated nested testbed of Documentation/virt/
 * oticket/testbed.rst (QEMU TCG level 2 running KVM, level-3 guests), as
 * measured there; sim.rst says how each value was obtained.
 */
static const char *const profile_testbed[] = {
	"sockets=1", "host_hz=1000", "guest_hz=1000", "ple=0", "pv_sched_yield=1",
	"base_slice_ns=1500000",
	/* TCG emulates memory: a shared line costs what a private one does */
	"llc_ns=1", "xfer_ns=1", "xfer_remote_ns=1", "mem_ns=1",
	NULL
};

/* ... and its slowness: TCG runs level 2 and level 3 slower than hardware */
static const char *const tb_guest_costs[] = {
	"hit_ns", "llc_ns", "xfer_ns", "xfer_remote_ns", "mem_ns", "rmw_ns", "fence_ns",
	"pause_ns", "lt_cs_ns", "lt_loop_ns", "mix_cs_ns", "mix_think_ns", "gm_cs_ns",
	"gm_work_ns", NULL
};
static const char *const tb_host_costs[] = {
	"exit_ns", "hc_ns", "ipi_ns", "idle_exit_ns", "yield_ns", "irq_ns", "ctxsw_ns", NULL
};

static void scale(const char *const *names, int64_t x)
{
	for (int i = 0; names[i]; i++)
		for (int p = 0; p < NR_PARAMS; p++)
			if (!strcmp(param_name(p), names[i]))
				prm[p] *= x;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: otsim --mode M[+host] --workload locktorture|lockmix|gmake\n"
		"             [--vcpus N] [--vms M] [--pcpus P] [--size S] [--seed N]\n"
		"             [--profile hw|testbed] [--set name=value]...\n"
		"             [--append \"guest kernel parameters\"] [--intervals N]\n"
		"       otsim --params\n"
		"size: locktorture, lockmix: measured milliseconds; gmake: source files\n"
		"intervals: the measured time cut into N, one result number each\n"
		"modes:");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fprintf(stderr, " (+host: kvm_oticket loaded)\n");
	exit(2);
}

static void set_or_die(const char *kv)
{
	char name[64];
	const char *eq = strchr(kv, '=');

	if (!eq || eq - kv >= (int)sizeof(name))
		goto bad;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - kv), kv);
	if (!param_set(name, eq + 1))
		return;
bad:
	fprintf(stderr, "otsim: bad parameter \"%s\" (otsim --params lists them)\n", kv);
	exit(2);
}

/* guest memory: a fixed arena, so that addresses (and hashes of them) repeat */
#define ARENA_BASE	((void *)0x100000000000ULL)
#define ARENA_SIZE	(64ULL << 30)
static char *arena, *arena_next;

void *sim_alloc(size_t size)
{
	void *p;

	if (!arena) {
		arena = mmap(ARENA_BASE, ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
			     -1, 0);
		if (arena != ARENA_BASE) {
			fprintf(stderr, "otsim: cannot map the guest memory arena at %p\n",
				ARENA_BASE);
			exit(3);
		}
		arena_next = arena;
	}
	size = (size + 63) & ~(size_t)63;
	if (arena_next + size > arena + ARENA_SIZE) {
		fprintf(stderr, "otsim: guest memory arena full\n");
		exit(3);
	}
	p = arena_next;
	arena_next += size;
	return p;		/* fresh anonymous memory: zeroed */
}

static void stop_fn(struct ev *e)
{
	S.stopping = true;
	engine_end_at(S.end + PRM(drain_ms) * NS_PER_MS);
}

static void print_event(void *ctx, const char *name, uint64_t value)
{
	fprintf(ctx, "otb: ev: %s %llu\n", name, (unsigned long long)value);
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *wl = NULL, *profile = "hw", *append = NULL;
	int vcpus = 8, vms = 1, size = -1, pcpus = -1, mi = -1, host = 0, intervals = 1;
	static struct ev stop_ev;
	struct timespec w0, w1;
	char name[40], cmdline[320];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--params")) {
			printf("%-22s %12s %-14s %s\n", "name", "default", "unit", "meaning, source");
			for (int p = 0; p < NR_PARAMS; p++)
				printf("%-22s %12lld %-14s %s\n", param_name(p),
				       (long long)param_default(p), param_unit(p), param_doc(p));
			return 0;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "--mode"))
			mode = argv[++i];
		else if (!strcmp(a, "--workload"))
			wl = argv[++i];
		else if (!strcmp(a, "--vcpus"))
			vcpus = atoi(argv[++i]);
		else if (!strcmp(a, "--vms"))
			vms = atoi(argv[++i]);
		else if (!strcmp(a, "--pcpus"))
			pcpus = atoi(argv[++i]);
		else if (!strcmp(a, "--size"))
			size = atoi(argv[++i]);
		else if (!strcmp(a, "--seed"))
			set_or_die((snprintf(name, sizeof(name), "seed=%s", argv[++i]), name));
		else if (!strcmp(a, "--profile"))
			profile = argv[++i];
		else if (!strcmp(a, "--set"))
			set_or_die(argv[++i]);
		else if (!strcmp(a, "--append"))
			append = argv[++i];
		else if (!strcmp(a, "--intervals"))
			intervals = atoi(argv[++i]);
		else
			usage();
	}
	if (!mode || !wl)
		usage();
	snprintf(name, sizeof(name), "%s", mode);
	if (strlen(name) > 5 && !strcmp(name + strlen(name) - 5, "+host")) {
		name[strlen(name) - 5] = 0;
		host = 1;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, name))
			mi = i;
	if (mi < 0 || (strcmp(wl, "locktorture") && strcmp(wl, "lockmix") && strcmp(wl, "gmake")))
		usage();
	if (vcpus < 1 || vms < 1 || vms > OTSIM_MAX_VMS || vcpus * vms > MAX_VCPUS) {
		fprintf(stderr, "otsim: 1..%d VMs of at least one vCPU, %d vCPUs in all at most\n",
			OTSIM_MAX_VMS, MAX_VCPUS);
		return 2;
	}
	if (intervals < 1 || intervals > SIM_MAX_IV) {
		fprintf(stderr, "otsim: --intervals: 1..%d\n", SIM_MAX_IV);
		return 2;
	}
	if (!strcmp(profile, "testbed")) {
		/*
		 * profile first, so that --set overrides it: re-apply the
		 * --set's (a --set of a scaled cost is taken as is)
		 */
		for (int i = 0; profile_testbed[i]; i++)
			set_or_die(profile_testbed[i]);
		scale(tb_guest_costs, PRM(tb_guest_x));
		scale(tb_host_costs, PRM(tb_host_x));
		for (int i = 1; i < argc - 1; i++)
			if (!strcmp(argv[i], "--set"))
				set_or_die(argv[i + 1]);
	} else if (strcmp(profile, "hw")) {
		usage();
	}
	if (pcpus > 0)
		PRM(pcpus) = pcpus;
	if (PRM(pcpus) < 1 || PRM(pcpus) > MAX_PCPUS || PRM(sockets) < 1) {
		fprintf(stderr, "otsim: 1..%d pCPUs\n", MAX_PCPUS);
		return 2;
	}
	PRM(pv_unhalt) = modes[mi].pv_unhalt;
	PRM(kot) = host;
	if (size > 0) {
		if (!strcmp(wl, "gmake"))
			PRM(time_ms) = PRM(time_ms);	/* gmake: size is files per build */
		else
			PRM(time_ms) = size;
	}
	if (size <= 0)
		size = !strcmp(wl, "gmake") ? 8 : PRM(time_ms);

	clock_gettime(CLOCK_MONOTONIC, &w0);
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	engine_init();
	S.npcpus = PRM(pcpus);
	S.nvms = vms;
	S.nvcpus = vms * vcpus;
	S.vm = calloc(vms, sizeof(*S.vm));
	S.vcpus = calloc(S.nvcpus, sizeof(*S.vcpus));
	S.warmup = PRM(warmup_ms) * NS_PER_MS;
	S.end = S.warmup + PRM(time_ms) * NS_PER_MS;
	S.intervals = intervals;
	host_init();
	for (int m = 0; m < vms; m++) {
		struct vm *vm = &S.vm[m];

		vm->id = m;
		vm->nvcpus = vcpus;
		vm->g = guests[m];
		vm->host_hook = host;
		vm->last_boosted = -1;
		vm->vcpu = calloc(vcpus, sizeof(*vm->vcpu));
		for (int c = 0; c < vcpus; c++) {
			struct vcpu *v = calloc(1, sizeof(*v));

			v->id = m * vcpus + c;
			v->cpu = c;
			v->vm = vm;
			v->rng = (uint64_t)PRM(seed) * 0x100000001b3ULL + 1 + v->id;
			vm->vcpu[c] = v;
			S.vcpus[v->id] = v;
		}
		engine_percpu(vm);
		engine_boot_vm(vm);
		snprintf(cmdline, sizeof(cmdline), "%s%s%s", modes[mi].cmdline,
			 *modes[mi].cmdline && append ? " " : "", append ? append : "");
		if (vm->g->boot(vcpus, cmdline)) {
			printf("@@OTB-GUEST sim-g%d status=ok rc=1 @@\n%s\n"
			       "otb: vb: error: the guest did not boot with \"%s\"\n"
			       "@@OTB-GUEST-END sim-g%d@@\n", m, vm->console, cmdline, m);
			return 4;
		}
		engine_boot_vm(NULL);
	}
	workload_setup(wl, size);
	for (int i = 0; i < S.nvcpus; i++)
		vcpu_start(S.vcpus[i], workload_fn());
	host_place_vcpus();
	ev_init(&stop_ev, stop_fn, NULL);
	ev_at(&stop_ev, S.end);
	engine_run();
	host_account_end();
	workload_check_end();
	clock_gettime(CLOCK_MONOTONIC, &w1);

	for (int m = 0; m < vms; m++) {
		struct vm *vm = &S.vm[m];
		double run = 0, steal = 0, all = (double)S.now * vm->nvcpus / 1000;

		printf("@@OTB-GUEST sim-g%d status=ok rc=%d @@\n", m, S.nerrors ? 1 : 0);
		fputs(vm->console, stdout);
		if (S.nerrors)
			printf("otb: vb: error: %.*s\n", (int)strcspn(S.errors, "\n"), S.errors);
		workload_report(stdout, vm);
		for (int c = 0; c < vm->nvcpus; c++) {
			run += vm->vcpu[c]->task.sum_exec / 1000.0;
			steal += vm->vcpu[c]->steal / 1000.0;
		}
		printf("otb: vb: stat0 cpu 0 0 0 0 0 0 0 0\n"
		       "otb: vb: stat1 cpu %.0f 0 0 %.0f 0 0 0 %.0f\n", run,
		       all > run + steal ? all - run - steal : 0, steal);
		engine_boot_vm(vm);
		vm->g->events(print_event, stdout);
		engine_boot_vm(NULL);
		printf("@@OTB-GUEST-END sim-g%d@@\n", m);
	}
	host_print_stats(stdout);
	printf("otb: simp:");
	for (int p = 0; p < NR_PARAMS; p++)
		printf(" %s=%lld", param_name(p), (long long)prm[p]);
	printf("\notb: sim: sim_ns=%lld accesses=%llu parks=%llu replayed=%llu switches=%llu\n",
	       (long long)S.now, (unsigned long long)S.st_accesses,
	       (unsigned long long)S.st_parks, (unsigned long long)S.st_ff_iters,
	       (unsigned long long)S.st_switches);
	/* stdout first, whole: vbench may read both from one file */
	fflush(stdout);
	miss_profile_print();
	workload_profile_print();
	if (S.nerrors)
		fprintf(stderr, "otsim: %d invariant violations:\n%s", S.nerrors, S.errors);
	fprintf(stderr, "otsim: %s %s %dx%d on %lld pCPUs: %.2f s wall for %.3f s simulated\n",
		mode, wl, vms, vcpus, (long long)PRM(pcpus),
		(w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) / 1e9, S.now / 1e9);
	return S.nerrors ? 1 : 0;
}
