// SPDX-License-Identifier: GPL-2.0
/*
 * vbres_test - unit test of vbench's result handling (tools/vbench/vbres.c):
 * console blocks of one run, good and broken, must become the right record
 * (a broken one never carries a number); records must survive JSON Lines
 * and malformed lines must be refused; resume must settle the right runs.
 *
 * Ends with "vbres: N passed, N failed"; exit 1 on any failure.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../vbench/vbres.h"

static int passed, failed;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(int ok, const char *name, const char *fmt, ...)
{
	if (ok) {
		printf("ok   %s\n", name);
		passed++;
		return;
	}
	printf("FAIL %s: ", name);
	{
		va_list ap;

		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	failed++;
}

#define PV	"g| otb: dmesg: pvlock: using oticket (no host hook)\n"
#define STAT0	"g| otb: vb: stat0 cpu  100 0 50 800 0 0 0 50 0 0\n"
#define STAT1	"g| otb: vb: stat1 cpu  300 0 150 1000 0 0 0 150 0 0\n"
#define HDR(st, rc) "@@OTB-GUEST vb0-oticket-g0 status=" st " rc=" rc \
	" attempts=1 boot=9.0 run=20.0 warnings=0@@\n"
#define END	"@@OTB-GUEST-END vb0-oticket-g0@@\n"
#define GMAKE	"g| otb: vb: wl=gmake builds=1 files=16 jobs=8 cs=3600 end\n"
#define LT	"g| otb: vb: wl=locktorture max=900 min=300 fail=0 secs=10 ivn=5000 ivt=10.0 end\n"
/* three measured intervals */
#define LT3	"g| otb: vb: wl=locktorture max=900 min=300 fail=0 secs=1 ivn=1000,2200,2800 " \
		"ivt=1.0,2.0,3.0 end\n"
#define GM2	"g| otb: vb: wl=gmake builds=2 files=4 jobs=8 cs=3600,7200 end\n"

static const char *const expect = "pvlock: using oticket (no host hook";

struct parse_case {
	const char *name;
	const char *wl;
	int vms, host, intervals;	/* intervals 0: 1 */
	const char *block;
	const char *status;	/* expected */
	double value;		/* expected when ok */
	const char *why;	/* substring of why when not ok */
	double fair;		/* when ok: fairness; 0 unchecked, -1 none */
};

static const struct parse_case parse_cases[] = {
	{ "gmake ok: builds/h from centiseconds", "gmake", 1, 0, 0,
	  "@@RUN 0 1 5.0\n" HDR("ok", "0") PV STAT0 GMAKE "g| otb: ev: wait 12\n"
	  GMAKE END, "ok", 100, NULL },
	{ "locktorture ok: acquisitions per second", "locktorture", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV STAT0 STAT1 LT END, "ok", 500, NULL, 3 },
	{ "first copy cut by a kernel message, second intact", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=1 fi[   12.3] random: crng init done\n"
	  GMAKE END, "ok", 100, NULL },
	{ "both copies cut: no number", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=1 files=16 jobs=8 cs=36\n"
	  "g| otb: vb: wl=gmake builds=1 files=16 jo\n" END,
	  "bad-output", 0, "no intact result line" },
	{ "garbage value refused", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=1 files=16 jobs=8 cs=3x00 end\n" END,
	  "bad-output", 0, "no intact result line" },
	{ "negative/zero time refused", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=1 files=16 jobs=8 cs=0 end\n" END,
	  "failed", 0, "make no sense" },
	{ "result of another workload refused", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV LT END,
	  "bad-output", 0, "no intact result line" },
	{ "console truncated inside the frame", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV GMAKE,
	  "bad-output", 0, "truncated" },
	{ "no frame at all: testbed's reason", "gmake", 1, 0, 0,
	  "@@RUN 0 1\ntestbed: cannot run qemu-system-x86_64\n",
	  "crashed", 0, "cannot run qemu" },
	{ "pure garbage", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n\x01\x02@@OTB-GUEST %%%% garbage\n@@OTB-GUEST-END x@@\n",
	  "bad-output", 0, "unreadable guest header" },
	{ "guest hung: timeout", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("hang", "0") PV END, "timeout", 0, "hang" },
	{ "guest oops: crashed, with the oops line", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("oops", "0") "vb0| BUG: unable to handle page fault\n" END,
	  "crashed", 0, "BUG: unable" },
	{ "workload error: failed with its message", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "1") PV "g| otb: vb: error: the build failed\n" END,
	  "failed", 0, "the build failed" },
	{ "locktorture failures: failed", "locktorture", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=locktorture max=900 min=300 fail=3 secs=10 ivn=5000 ivt=10.0 end\n"
	  END, "failed", 0, "3 failures" },
	{ "locktorture 3 intervals: all acquisitions over all the time", "locktorture", 1,
	  0, 3, "@@RUN 0 1\n" HDR("ok", "0") PV LT3 END, "ok", 1000, NULL, 3 },
	{ "gmake 2 builds: builds over their time", "gmake", 1, 0, 2,
	  "@@RUN 0 1\n" HDR("ok", "0") PV GM2 END, "ok", 2 * 360000.0 / 10800, NULL },
	{ "fewer interval values than intervals: failed", "locktorture", 1, 0, 4,
	  "@@RUN 0 1\n" HDR("ok", "0") PV LT3 END, "failed", 0, "lacks a field" },
	{ "a garbage interval value: no number", "gmake", 1, 0, 2,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=2 files=4 jobs=8 cs=3600,7x00 end\n" END,
	  "bad-output", 0, "no intact result line" },
	{ "an empty interval value: no number", "gmake", 1, 0, 3,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=3 files=4 jobs=8 cs=3600,,7200 end\n" END,
	  "bad-output", 0, "no intact result line" },
	{ "a trailing comma: no number", "gmake", 1, 0, 2,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=2 files=4 jobs=8 cs=3600,7200, end\n" END,
	  "bad-output", 0, "no intact result line" },
	{ "a list where one number belongs: failed", "locktorture", 1, 0, 1,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=locktorture max=900,1 min=300 fail=0 secs=10 ivn=5000 ivt=10.0 end\n"
	  END, "failed", 0, "lacks a field" },
	{ "wrong lock mode: failed", "gmake", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") "g| otb: dmesg: pvlock: using pvqspinlock\n"
	  GMAKE END, "failed", 0, "dmesg does not show" },
	{ "two guests: values add up", "gmake", 2, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV GMAKE END HDR("ok", "0") PV
	  "g| otb: vb: wl=gmake builds=1 files=16 jobs=8 cs=7200 end\n" END,
	  "ok", 150, NULL },
	{ "two guests, second missing", "gmake", 2, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV GMAKE END, "crashed", 0, "guest 2 of 2" },
	{ "host mode without module counters", "gmake", 1, 1, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV GMAKE END, "bad-output", 0, "kvm_oticket" },
	{ "simulator lockmix: ops/s, and the fairness of its vCPUs", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=900 min=300 ops=5000.000 end\n" END,
	  "ok", 5000, NULL, 3 },
	{ "lockmix without per-vCPU counts: no fairness", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV "g| otb: vb: wl=lockmix ops=5000.000 end\n" END,
	  "ok", 5000, NULL, -1 },
	{ "lockmix max without min: failed", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV "g| otb: vb: wl=lockmix max=900 ops=5000.000 end\n"
	  END, "failed", 0, "lacks a field" },
	{ "lockmix min without max: failed", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV "g| otb: vb: wl=lockmix min=300 ops=5000.000 end\n"
	  END, "failed", 0, "lacks a field" },
	{ "lockmix max a list: failed", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=900,1 min=300 ops=5000.000 end\n" END,
	  "failed", 0, "lacks a field" },
	{ "lockmix max equal to min: fair", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=300 min=300 ops=5000.000 end\n" END,
	  "ok", 5000, NULL, 1 },
	{ "lockmix a vCPU with nothing: infinitely unfair", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=300 min=0 ops=5000.000 end\n" END,
	  "ok", 5000, NULL, INFINITY },
	{ "lockmix no vCPU with anything: no ratio", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=0 min=0 ops=5000.000 end\n" END,
	  "ok", 5000, NULL, -1 },
	{ "lockmix max below min: failed", "lockmix", 1, 0, 0,
	  "@@RUN 0 1\n" HDR("ok", "0") PV
	  "g| otb: vb: wl=lockmix max=200 min=300 ops=5000.000 end\n" END,
	  "failed", 0, "make no sense" },
	{ "modprobe of the host module failed", "gmake", 1, 1, 0,
	  "@@RUN 0 1\notb: modprobe kvm_oticket failed\n" HDR("ok", "0") PV GMAKE END,
	  "failed", 0, "modprobe" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct vb_rec r;

		memset(&r, 0, sizeof(r));
		snprintf(r.id.workload, sizeof(r.id.workload), "%s", c->wl);
		snprintf(r.id.mode, sizeof(r.id.mode), "oticket");
		r.id.vms = c->vms;
		r.id.vcpus = 4;
		r.id.l2_vcpus = 2;
		r.id.intervals = c->intervals ? c->intervals : 1;
		r.host = c->host;
		vb_parse_block(c->block, expect, &r);
		if (strcmp(r.status, c->status)) {
			check(0, c->name, "status %s (%s), want %s", r.status, r.why, c->status);
			continue;
		}
		if (!strcmp(c->status, "ok"))
			check(fabs(r.value - c->value) < 1e-9 && r.nvm == c->vms &&
			      r.niv == r.id.intervals &&
			      (c->fair == 0 || (c->fair < 0 ? isnan(r.fairness) :
				isinf(c->fair) ? isinf(r.fairness) :
						fabs(r.fairness - c->fair) < 1e-9)), c->name,
			      "value %g nvm %d niv %d fairness %g, want %g", r.value, r.nvm,
			      r.niv, r.fairness, c->value);
		else
			check(isnan(r.value) && r.nvm == 0 && r.niv == 0 && strstr(r.why, c->why),
			      c->name, "value %g nvm %d niv %d why '%s', want NAN and '%s'",
			      r.value, r.nvm, r.niv, r.why, c->why);
	}
}

static void test_metrics(void)
{
	struct vb_rec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id.workload, sizeof(r.id.workload), "gmake");
	r.id.vms = 2;
	r.id.vcpus = 2;
	r.id.intervals = 1;
	r.host = 1;
	vb_parse_block("@@RUN 0 1\n" HDR("ok", "0") PV STAT0 STAT1 "g| otb: ev: wait 12\n"
		       GMAKE END HDR("ok", "0") PV "g| otb: ev: wait 30\n" GMAKE END
		       "otb: kvm: exits=100 halt_exits=7\notb: kvm: exits=50 halt_exits=3\n"
		       "otb: kot: hc_wait=9 hc_kick=4\n", expect, &r);
	check(!strcmp(r.status, "ok"), "metrics: two guests with host counters ok",
	      "status %s (%s)", r.status, r.why);
	check(vb_metric_get(&r, "ev.wait") == 42, "metrics: guest events summed",
	      "ev.wait %g", vb_metric_get(&r, "ev.wait"));
	check(vb_metric_get(&r, "kvm.exits") == 150 && vb_metric_get(&r, "kvm.halt_exits") == 10,
	      "metrics: KVM counters of both VMs summed", "kvm.exits %g",
	      vb_metric_get(&r, "kvm.exits"));
	check(vb_metric_get(&r, "host.hc_wait") == 9, "metrics: host module counters",
	      "host.hc_wait %g", vb_metric_get(&r, "host.hc_wait"));
	/* guest 1: steal 100 of 600 ticks; guest 2 printed no stat lines */
	check(vb_metric_get(&r, "wl.cs") == 300,
	      "metrics: workload wall time, 600 ticks of 2 CPUs = 3 s", "wl.cs %g",
	      vb_metric_get(&r, "wl.cs"));
	check(fabs(r.steal_pct - 100.0 / 6) < 1e-9, "metrics: steal time from /proc/stat",
	      "steal %g", r.steal_pct);
	check(fabs(r.fairness - 1) < 1e-9, "metrics: fairness between guests",
	      "fairness %g", r.fairness);

	/* two guests of three intervals: interval values add up per interval */
	memset(&r, 0, sizeof(r));
	snprintf(r.id.workload, sizeof(r.id.workload), "locktorture");
	r.id.vms = 2;
	r.id.intervals = 3;
	vb_parse_block("@@RUN 0 1\n" HDR("ok", "0") PV LT3 END HDR("ok", "0") PV
		       "g| otb: vb: wl=locktorture max=9 min=3 fail=0 secs=1 ivn=10,20,30 "
		       "ivt=1.0,1.0,1.0 end\n" END, expect, &r);
	check(!strcmp(r.status, "ok") && r.niv == 3 && fabs(r.iv[0] - 1010) < 1e-9 &&
	      fabs(r.iv[1] - 1120) < 1e-9 && fabs(r.iv[2] - 963.333333333) < 1e-6 &&
	      fabs(r.value - 1020) < 1e-9,
	      "intervals: two guests' interval values summed per interval",
	      "status %s niv %d iv %g %g %g value %g", r.status, r.niv, r.iv[0], r.iv[1],
	      r.iv[2], r.value);
	check(fabs(r.fairness - 3) < 1e-9, "intervals: fairness of the worst guest",
	      "fairness %g", r.fairness);
}

static void fill(struct vb_rec *r, const char *mode, int rep, int attempt, const char *st)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id.workload, sizeof(r->id.workload), "gmake");
	snprintf(r->id.mode, sizeof(r->id.mode), "%s", mode);
	r->id.vcpus = 4;
	r->id.vms = 1;
	r->id.l2_vcpus = 2;
	r->id.size = 16;
	r->id.intervals = 1;
	r->id.rep = rep;
	r->attempt = attempt;
	snprintf(r->status, sizeof(r->status), "%s", st);
	snprintf(r->unit, sizeof(r->unit), "builds/h");
	r->value = r->fairness = r->steal_pct = NAN;
	if (!strcmp(st, "ok")) {
		r->value = 123.25;
		r->nvm = 1;
		r->vm_value[0] = 123.25;
		r->niv = 1;
		r->iv[0] = 123.25;
		r->steal_pct = 12.5;
	}
	snprintf(r->why, sizeof(r->why), "a \"quoted\" why\\ with\ttab");
	snprintf(r->git, sizeof(r->git), "abc123-dirty");
	r->secs = 41.5;
	r->boot = 2;
}

static void test_json(void)
{
	char *buf = NULL, err[160];
	size_t len = 0;
	struct vb_rec a, b;
	FILE *f = open_memstream(&buf, &len);

	fill(&a, "oticket+host", 1, 2, "ok");
	a.host = 1;
	a.id.intervals = 3;
	a.id.warmup = 1;
	a.niv = 3;
	a.iv[0] = 120.5;
	a.iv[1] = 0.25;
	a.iv[2] = 1e6;
	a.pinned = 1;
	a.l1_load = 0.125;
	snprintf(a.l1_host, sizeof(a.l1_host), "kvm-host-17");
	vb_metric_add(&a, "kvm.exits", 12345);
	vb_metric_add(&a, "ev.wait", 0.5);
	vb_rec_write(f, &a);
	fclose(f);
	check(vb_rec_parse(buf, &b, err, sizeof(err)) == 0, "json: a record reads back",
	      "%s in %s", err, buf);
	check(vb_same_run(&a.id, &b.id) && a.attempt == b.attempt && b.host == 1 &&
	      b.value == a.value && b.nvm == 1 && b.vm_value[0] == a.vm_value[0] &&
	      !strcmp(a.why, b.why) && !strcmp(a.git, b.git) && b.nmetrics == 2 &&
	      vb_metric_get(&b, "kvm.exits") == 12345 && b.steal_pct == 12.5 &&
	      isnan(b.fairness) && b.secs == 41.5 && b.boot == 2 && b.id.intervals == 3 &&
	      b.id.warmup == 1 && b.niv == 3 && b.iv[0] == 120.5 && b.iv[1] == 0.25 &&
	      b.iv[2] == 1e6 && b.pinned == 1 && b.l1_load == 0.125 &&
	      !strcmp(b.l1_host, "kvm-host-17"),
	      "json: every field survives", "got %s", buf);
	free(buf);

	/* a writer that did nothing: an infinite max/min stays infinite */
	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);
	fill(&a, "oticket", 1, 1, "ok");
	a.fairness = INFINITY;
	vb_rec_write(f, &a);
	fclose(f);
	check(vb_rec_parse(buf, &b, err, sizeof(err)) == 0 && isinf(b.fairness) &&
	      b.fairness > 0 && strstr(buf, "\"fairness\":1e999"),
	      "json: an infinite fairness reads back infinite", "%s in %s", err, buf);
	free(buf);
	check(vb_rec_parse("{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,"
			   "\"vms\":1,\"l2_vcpus\":1,\"size\":4,\"rep\":0,\"attempt\":1,"
			   "\"status\":\"ok\",\"value\":1e-999}", &b, err, sizeof(err)) != 0 &&
	      strstr(err, "number expected"),
	      "json: a number that underflows is refused", "read %g: %s", b.value, err);

	/* an infinity anywhere else is written as unknown, and refused when read */
	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);
	fill(&a, "oticket", 1, 1, "ok");
	a.steal_pct = INFINITY;
	vb_metric_add(&a, "wl.cs", INFINITY);
	vb_rec_write(f, &a);
	fclose(f);
	check(vb_rec_parse(buf, &b, err, sizeof(err)) == 0 && isnan(b.steal_pct) &&
	      isnan(vb_metric_get(&b, "wl.cs")) && !strstr(buf, "1e999"),
	      "json: an infinite steal time or metric is written as null", "%s in %s", err, buf);
	free(buf);
	{
		static const char *const nums[] = { "1e999", "-1e999", "0x10", "-inf", "inf",
						    "nan", "1e-999" };

		for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
			char rec[400];

			snprintf(rec, sizeof(rec),
				 "{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,"
				 "\"vms\":1,\"l2_vcpus\":1,\"size\":4,\"rep\":0,\"attempt\":1,"
				 "\"status\":\"failed\",\"steal_pct\":%s}", nums[i]);
			check(vb_rec_parse(rec, &b, err, sizeof(err)) != 0 &&
			      strstr(err, "number expected"),
			      "json: a number that is no finite JSON number is refused",
			      "%s read as %g: %s", nums[i], b.steal_pct, err);
		}
	}
	check(vb_rec_parse("{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1e12,"
			   "\"vms\":1,\"l2_vcpus\":1,\"size\":4,\"rep\":0,\"attempt\":1,"
			   "\"status\":\"failed\"}", &b, err, sizeof(err)) != 0 &&
	      strstr(err, "integer expected"),
	      "json: an integer out of range is refused", "%s", err);

	/* a record of schema 1 (before intervals): one interval, no warm-up */
	check(vb_rec_parse("{\"schema\":1,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,"
			   "\"vms\":1,\"l2_vcpus\":1,\"size\":4,\"rep\":0,\"attempt\":1,"
			   "\"status\":\"ok\",\"value\":12.5,\"vm_values\":[12.5],"
			   "\"boot\":1}", &b, err, sizeof(err)) == 0 &&
	      b.id.intervals == 1 && b.id.warmup == 0 && b.niv == 0 && b.value == 12.5 &&
	      isnan(b.l1_load),
	      "json: a schema 1 record reads as one interval without warm-up", "%s", err);

	static const struct {
		const char *name, *line;
	} bad[] = {
		{ "json: truncated record refused",
		  "{\"schema\":1,\"workload\":\"gmake\",\"mode\":\"oti" },
		{ "json: garbage refused", "\x7f\x01 not json at all" },
		{ "json: unknown key refused",
		  "{\"schema\":1,\"workload\":\"gmake\",\"colour\":\"red\"}" },
		{ "json: other schema refused",
		  "{\"schema\":7,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"rep\":0,\"attempt\":1,\"status\":\"ok\"}" },
		{ "json: schema 2 ok without its interval values refused",
		  "{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"intervals\":2,\"rep\":0,\"attempt\":1,\"status\":\"ok\","
		  "\"value\":1,\"vm_values\":[1],\"interval_values\":[1]}" },
		{ "json: 0 intervals refused",
		  "{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"intervals\":0,\"rep\":0,\"attempt\":1,\"status\":\"failed\"}" },
		{ "json: too many interval values refused",
		  "{\"schema\":2,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"rep\":0,\"attempt\":1,\"status\":\"failed\",\"interval_values\":"
		  "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
		  "31,32,33]}" },
		{ "json: ok without a value refused",
		  "{\"schema\":1,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"rep\":0,\"attempt\":1,\"status\":\"ok\",\"value\":null}" },
		{ "json: text after the record refused",
		  "{\"schema\":1,\"workload\":\"gmake\",\"mode\":\"x\",\"vcpus\":1,\"vms\":1,"
		  "\"l2_vcpus\":1,\"rep\":0,\"attempt\":1,\"status\":\"failed\"} x" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = vb_rec_parse(bad[i].line, &b, err, sizeof(err));

		check(rc == -1 && err[0], bad[i].name, "rc %d err '%s'", rc, err);
	}
}

static void test_resume(void)
{
	char path[] = "/tmp/vbres_test.XXXXXX";
	struct vb_rec recs[8], *got;
	struct vb_runid id;
	int fd = mkstemp(path), n, bad, att, settled;
	FILE *f = fdopen(fd, "w");

	fill(&recs[0], "pvqspinlock", 0, 1, "ok");
	fill(&recs[1], "oticket", 0, 1, "crashed");
	fill(&recs[2], "oticket", 0, 2, "timeout");
	fill(&recs[3], "oqspin", 0, 1, "failed");
	fill(&recs[4], "tas", 0, 1, "l2-crashed");
	fill(&recs[5], "tas", 0, 2, "bad-output");
	fill(&recs[6], "tas", 0, 3, "crashed");
	for (int i = 0; i < 7; i++) {
		vb_rec_write(f, &recs[i]);
		if (i == 3)
			fputs("{\"schema\":1,\"workload\":\"gm\n", f);	/* cut line */
	}
	fclose(f);
	got = vb_load(path, &n, &bad);
	check(got && n == 7 && bad == 1, "resume: load keeps 7 records, skips the cut line",
	      "n %d bad %d", n, bad);

	static const struct {
		const char *name, *mode;
		int rep, settled, attempts;
	} cases[] = {
		{ "resume: ok run settled", "pvqspinlock", 0, 1, 1 },
		{ "resume: crashed twice, 3 attempts allowed: to do", "oticket", 0, 0, 2 },
		{ "resume: workload failure settled, not retried", "oqspin", 0, 1, 1 },
		{ "resume: three testbed failures: settled", "tas", 0, 1, 3 },
		{ "resume: same mode, other repetition: to do", "pvqspinlock", 1, 0, 0 },
		{ "resume: never run: to do", "pvticket", 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		id = recs[0].id;
		snprintf(id.mode, sizeof(id.mode), "%s", cases[i].mode);
		id.rep = cases[i].rep;
		settled = got ? vb_run_settled(got, n, &id, 3, &att) : -1;
		check(settled == cases[i].settled && att == cases[i].attempts, cases[i].name,
		      "settled %d attempts %d", settled, att);
	}
	id = recs[0].id;
	id.size = 32;
	settled = got ? vb_run_settled(got, n, &id, 3, &att) : -1;
	check(!settled && !att, "resume: another size is another run", "settled %d", settled);
	id = recs[0].id;
	id.intervals = 5;
	settled = got ? vb_run_settled(got, n, &id, 3, &att) : -1;
	check(!settled && !att, "resume: other intervals are another run", "settled %d", settled);
	id = recs[0].id;
	id.warmup = 1;
	settled = got ? vb_run_settled(got, n, &id, 3, &att) : -1;
	check(!settled && !att, "resume: another warm-up is another run", "settled %d", settled);
	free(got);
	unlink(path);
	got = vb_load(path, &n, &bad);
	check(got && n == 0, "resume: no results file is no records", "n %d", n);
	free(got);
}

int main(void)
{
	test_parse();
	test_metrics();
	test_json();
	test_resume();
	printf("vbres: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
