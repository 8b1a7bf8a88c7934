// SPDX-License-Identifier: GPL-2.0
/*
 * vbres.c - vbench results: console blocks to records, records to JSON
 * Lines and back, resume state.  See vbres.h.
 *
 * The console is not trusted: a line may be cut by a kernel message, a
 * guest may die half-way, a number may be garbage.  Every field is checked
 * before it becomes a number; what cannot be read makes the record a
 * failure with the reason in "why", never a value.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vbres.h"

/* sizes are of one interval: a run is (warm-up + intervals) of them */
const struct vb_workload vb_workloads[] = {
	{ "locktorture", "acq/s", 2, 3600, 0, "seconds per interval; sim: ms", 200 },
	{ "gmake", "builds/h", 4, 64, 1, "source files per build", 8 },
	{ "perf-futex", "ops/s", 2, 600, 1, "seconds per interval" },
	{ "perf-messaging", "msgs/s", 5, 10000, 1, "loops per interval" },
	{ "lockmix", "ops/s", 0, 3600, 0, "ms, sim only", 100, 1 },
	{ "uncontended", "pairs/us", 1, 100, 0, "million lock+unlock pairs per round" },
};
const int vb_nworkloads = sizeof(vb_workloads) / sizeof(vb_workloads[0]);

const struct vb_workload *vb_workload(const char *name)
{
	for (int i = 0; i < vb_nworkloads; i++)
		if (!strcmp(vb_workloads[i].name, name))
			return &vb_workloads[i];
	return NULL;
}

void vb_run_key(const struct vb_runid *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/v%d/m%d/l2-%d/s%d/i%dw%d/r%d", id->workload, id->mode,
		 id->vcpus, id->vms, id->l2_vcpus, id->size, id->intervals, id->warmup,
		 id->rep);
}

int vb_same_point(const struct vb_runid *a, const struct vb_runid *b)
{
	return !strcmp(a->workload, b->workload) && a->vcpus == b->vcpus &&
	       a->vms == b->vms && a->l2_vcpus == b->l2_vcpus && a->size == b->size &&
	       a->intervals == b->intervals && a->warmup == b->warmup;
}

int vb_same_run(const struct vb_runid *a, const struct vb_runid *b)
{
	return vb_same_point(a, b) && !strcmp(a->mode, b->mode) && a->rep == b->rep;
}

int vb_retryable(const char *status)
{
	return strcmp(status, "ok") && strcmp(status, "failed");
}

int vb_attempt_settles(const char *status, int attempt, int max_attempts)
{
	return !vb_retryable(status) || attempt >= max_attempts;
}

double vb_metric_get(const struct vb_rec *r, const char *name)
{
	for (int i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->m[i].name, name))
			return r->m[i].v;
	return NAN;
}

/* add @v to metric @name (summed over guests) */
void vb_metric_add(struct vb_rec *r, const char *name, double v)
{
	int i;

	for (i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->m[i].name, name))
			break;
	if (i == r->nmetrics) {
		if (r->nmetrics == VB_MAX_METRICS)
			return;
		snprintf(r->m[i].name, sizeof(r->m[i].name), "%s", name);
		r->m[i].v = 0;
		r->nmetrics++;
	}
	r->m[i].v += v;
}

/* ------------------------------------------------------------------------
 * Console parsing
 */

/* a whole decimal number (optionally with a fraction), nothing else */
static int num(const char *s, size_t len, double *v)
{
	char buf[40], *end;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!isdigit((unsigned char)buf[0]))
		return -1;
	errno = 0;
	*v = strtod(buf, &end);
	return errno || *end || !isfinite(*v) ? -1 : 0;
}

#define MAX_KV 16
/* a value of the result line: one number, or a comma list (one per interval) */
struct kv {
	char key[24];
	double v[VB_MAX_IV];
	int n;
};

/*
 * "otb: vb: wl=NAME k=v ... end" up to the end of its line: 0 and the
 * pairs if intact (every value a number or a comma list of numbers, "end"
 * last), else -1.
 */
static int parse_result_line(const char *p, const char *wl, struct kv *kv, int *n)
{
	const char *eol = strchr(p, '\n'), *q;
	size_t wlen = strlen(wl);

	if (!eol)
		eol = p + strlen(p);
	while (eol > p && (eol[-1] == '\r' || eol[-1] == ' '))
		eol--;
	p += strlen("otb: vb: wl=");
	if ((size_t)(eol - p) < wlen || strncmp(p, wl, wlen) || p[wlen] != ' ')
		return -1;
	p += wlen + 1;
	*n = 0;
	while (p < eol) {
		const char *sp = memchr(p, ' ', eol - p);

		if (!sp)
			sp = eol;
		if (sp - p == 3 && !strncmp(p, "end", 3))
			return sp == eol ? 0 : -1;
		q = memchr(p, '=', sp - p);
		if (!q || q == p || q - p >= (int)sizeof(kv->key) || *n == MAX_KV)
			return -1;
		memcpy(kv[*n].key, p, q - p);
		kv[*n].key[q - p] = 0;
		kv[*n].n = 0;
		for (q++; q <= sp; q++) {
			const char *c = memchr(q, ',', sp - q);

			if (!c)
				c = sp;
			if (kv[*n].n == VB_MAX_IV || num(q, c - q, &kv[*n].v[kv[*n].n++]))
				return -1;
			q = c;
		}
		++*n;
		p = sp + 1;
	}
	return -1;	/* no "end": cut */
}

/* the first field named @key, or NULL */
static const struct kv *kv_find(const struct kv *kv, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return &kv[i];
	return NULL;
}

/* a single number */
static int kv_get(const struct kv *kv, int n, const char *key, double *v)
{
	const struct kv *k = kv_find(kv, n, key);

	if (!k || k->n != 1)
		return -1;
	*v = k->v[0];
	return 0;
}

/* a list of @want numbers */
static const double *kv_list(const struct kv *kv, int n, const char *key, int want)
{
	const struct kv *k = kv_find(kv, n, key);

	return k && k->n == want ? k->v : NULL;
}

/* max/min: infinite if the least served did nothing, none if nobody did */
static double maxmin(double hi, double lo)
{
	return lo > 0 ? hi / lo : hi > 0 ? INFINITY : NAN;
}

/*
 * The workload's metric from its raw numbers: the value of the run, over
 * all its measured intervals, and each interval's (@iv[0..@niv)); 0 if
 * they make sense.  Every workload prints one number per measured
 * interval: locktorture the acquisitions (ivn) and seconds (ivt) between
 * two stat_interval prints, gmake the centiseconds of each build (cs) -
 * or, from the simulator, the builds (bld, fractions) in each interval of
 * ivt seconds -
 * perf-futex each run's operations per second (ops), uncontended the
 * lock+unlock pairs per microsecond of the best round (ops), perf-messaging each
 * run's seconds (time).
 */
static int workload_value(const char *wl, int niv, const struct kv *kv, int n,
			  double *value, double *fair, double *iv, char *why, size_t len)
{
	const double *a, *b;
	double t = 0, u = 0, sa = 0, sb = 0, scale = 1;

	*fair = NAN;
	if (!strcmp(wl, "locktorture")) {
		if (kv_get(kv, n, "max", &t) || kv_get(kv, n, "min", &u) ||
		    kv_get(kv, n, "fail", value))
			goto missing;
		if (*value != 0) {
			snprintf(why, len, "locktorture reported %.0f failures", *value);
			return -1;
		}
		a = kv_list(kv, n, "ivn", niv);
		b = kv_list(kv, n, "ivt", niv);
		if (!a || !b)
			goto missing;
		if (t < u)
			goto insane;
		*fair = maxmin(t, u);
	} else if (!strcmp(wl, "gmake") && kv_list(kv, n, "bld", niv)) {
		/* the simulator: builds (fractions) done in equal intervals */
		a = kv_list(kv, n, "bld", niv);
		if (!(b = kv_list(kv, n, "ivt", niv)))
			goto missing;
		scale = 3600;
	} else if (!strcmp(wl, "gmake")) {
		if (!(b = kv_list(kv, n, "cs", niv)))
			goto missing;
		a = NULL;
		t = 3600 * 100.0;	/* one build per interval, time in cs */
	} else if (!strcmp(wl, "perf-futex") || !strcmp(wl, "lockmix") ||
		   !strcmp(wl, "uncontended")) {
		if (!(a = kv_list(kv, n, "ops", niv)))
			goto missing;
		b = NULL;
		/* the simulator's lockmix: the most / fewest of one vCPU */
		if (!strcmp(wl, "lockmix") &&
		    (kv_find(kv, n, "max") || kv_find(kv, n, "min"))) {
			if (kv_get(kv, n, "max", &t) || kv_get(kv, n, "min", &u))
				goto missing;
			if (t < u)
				goto insane;
			*fair = maxmin(t, u);
		}
	} else if (!strcmp(wl, "perf-messaging")) {
		if (kv_get(kv, n, "msgs", &t))
			goto missing;
		if (!(b = kv_list(kv, n, "time", niv)))
			goto missing;
		a = NULL;
	} else {
		snprintf(why, len, "unknown workload %s", wl);
		return -1;
	}
	/*
	 * Interval k did a[k] work (t per interval if no list) in b[k]
	 * seconds (1 if no list); the run's value is all the work over all
	 * the time, its intervals' the same per interval.
	 */
	for (int k = 0; k < niv; k++) {
		double w = a ? a[k] * scale : t, s = b ? b[k] : 1;

		if (w < 0 || s <= 0)
			goto insane;
		iv[k] = w / s;
		sa += w;
		sb += s;
	}
	*value = sa / sb;
	return 0;
missing:
	snprintf(why, len, "%s result line lacks a field", wl);
	return -1;
insane:
	snprintf(why, len, "%s result numbers make no sense", wl);
	return -1;
}

/* user..steal of a "otb: vb: statN cpu ..." line; 0 if 8 numbers */
static int stat_line(const char *frame, const char *tag, double *v)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "otb: vb: %s cpu ", tag);
	p = strstr(frame, key);
	if (!p)
		return -1;
	p += strlen(key);
	for (int i = 0; i < 8; i++) {
		char *end;

		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		v[i] = strtod(p, &end);
		p = end;
	}
	return 0;
}

static void first_line(char *dst, size_t len, const char *src)
{
	const char *eol = strchr(src, '\n');
	size_t n = eol ? (size_t)(eol - src) : strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* guest name and status of "@@OTB-GUEST <name> status=<s> rc=<n> ...@@" */
static int frame_header(const char *frame, char *name, char *status, int *rc)
{
	return sscanf(frame, "@@OTB-GUEST %31s status=%15s rc=%d", name, status, rc) == 3 ?
		0 : -1;
}

static int vb_parse_guest(const char *frame, const char *expect, const char *wl,
		   double *value, double *fair, double *steal, double *iv, struct vb_rec *r,
		   char *why, size_t whylen)
{
	char name[32], st[16], *p;
	struct kv kv[MAX_KV];
	double s0[8], s1[8];
	int rc, n;

	*value = *fair = *steal = NAN;
	if (frame_header(frame, name, st, &rc)) {
		snprintf(why, whylen, "unreadable guest header");
		return -1;
	}
	if (strcmp(st, "ok")) {
		p = strstr(frame, "| ");
		snprintf(why, whylen, "guest %s: %s", name, st);
		if (!strcmp(st, "oops") && p) {
			size_t l = strlen(why);

			first_line(why + l, whylen - l, p);	/* "name| <oops line>" */
		}
		return -1;
	}
	if (rc) {
		p = strstr(frame, "otb: vb: error: ");
		if (p)
			first_line(why, whylen, p + strlen("otb: vb: "));
		else
			snprintf(why, whylen, "guest %s: script exited %d", name, rc);
		return 1;
	}
	if (!strstr(frame, expect)) {
		snprintf(why, whylen, "dmesg does not show \"%s\"", expect);
		return 1;
	}
	/* the first intact copy of the result line */
	for (p = strstr(frame, "otb: vb: wl="); p; p = strstr(p + 1, "otb: vb: wl="))
		if (!parse_result_line(p, wl, kv, &n))
			break;
	if (!p) {
		snprintf(why, whylen, "guest %s: no intact result line", name);
		return -1;
	}
	if (workload_value(wl, r->id.intervals, kv, n, value, fair, iv, why, whylen)) {
		*value = NAN;
		return 1;
	}
	if (!stat_line(frame, "stat0", s0) && !stat_line(frame, "stat1", s1)) {
		double tot = 0, st_ = s1[7] - s0[7];

		for (int i = 0; i < 8; i++)
			tot += s1[i] - s0[i];
		*steal = tot > 0 ? 100 * st_ / tot : NAN;
		/* the workload's wall time: CPU time over CPUs, in 1/100 s */
		if (tot > 0 && r->id.vcpus > 0)
			vb_metric_add(r, "wl.cs", round(tot / r->id.vcpus));
	}
	/* guest lock events, "otb: ev: <name> <count>" */
	for (p = strstr(frame, "otb: ev: "); p; p = strstr(p + 1, "otb: ev: ")) {
		char ev[40], key[48];
		long long v;

		if (sscanf(p, "otb: ev: %39[a-z0-9_] %lld", ev, &v) == 2) {
			snprintf(key, sizeof(key), "ev.%s", ev);
			vb_metric_add(r, key, v);
		}
	}
	return 0;
}

/* "otb: <tag>: a=1 b=2" lines of @block into metrics "<prefix>.a", summed */
static void kv_metrics(const char *block, const char *tag, const char *prefix,
		       struct vb_rec *r)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "otb: %s: ", tag);
	for (p = strstr(block, key); p; p = strstr(p + 1, key)) {
		const char *q = p + strlen(key), *eol = strchr(q, '\n');

		if (!eol)
			eol = q + strlen(q);
		while (q < eol) {
			char name[40], m[48];
			long long v;
			int used = 0;

			while (*q == ' ')
				q++;
			if (sscanf(q, "%39[a-z0-9_]=%lld%n", name, &v, &used) == 2 && used &&
			    q + used <= eol) {
				snprintf(m, sizeof(m), "%s.%s", prefix, name);
				vb_metric_add(r, m, v);
			} else {
				used = strcspn(q, " \n");
				if (!used)
					break;
			}
			q += used;
		}
	}
}

void vb_parse_block(const char *block, const char *expect, struct vb_rec *r)
{
	const char *p = block, *end;
	double fmax = NAN;
	double steal_sum = 0;
	int g, nsteal = 0;

	r->value = NAN;
	r->fairness = NAN;
	r->steal_pct = NAN;
	r->nvm = 0;
	r->niv = 0;
	r->nmetrics = 0;
	r->why[0] = 0;
	snprintf(r->unit, sizeof(r->unit), "%s",
		 vb_workload(r->id.workload) ? vb_workload(r->id.workload)->unit : "?");
	if (strstr(block, "otb: modprobe kvm_oticket failed")) {
		snprintf(r->status, sizeof(r->status), "failed");
		snprintf(r->why, sizeof(r->why), "modprobe kvm_oticket failed in level 2");
		return;
	}
	if (r->id.intervals < 1 || r->id.intervals > VB_MAX_IV) {
		snprintf(r->status, sizeof(r->status), "failed");
		snprintf(r->why, sizeof(r->why), "%d intervals: want 1..%d", r->id.intervals,
			 VB_MAX_IV);
		return;
	}
	r->niv = r->id.intervals;
	for (g = 0; g < r->niv; g++)
		r->iv[g] = 0;
	for (g = 0; g < r->id.vms; g++) {
		double v, f, s, iv[VB_MAX_IV];
		char *frame;
		int bad;

		p = strstr(p, "@@OTB-GUEST ");
		end = p ? strstr(p, "@@OTB-GUEST-END ") : NULL;
		if (!end) {
			/* no number of a run that did not finish */
			r->nvm = 0;
			r->niv = 0;
			r->nmetrics = 0;
		}
		if (!p) {
			const char *t = strstr(block, "testbed: ");

			snprintf(r->status, sizeof(r->status), "crashed");
			snprintf(r->why, sizeof(r->why), "guest %d of %d: no result%s", g + 1,
				 r->id.vms, t ? ": " : "");
			if (t)
				first_line(r->why + strlen(r->why),
					   sizeof(r->why) - strlen(r->why), t);
			return;
		}
		if (!end) {
			snprintf(r->status, sizeof(r->status), "bad-output");
			snprintf(r->why, sizeof(r->why), "guest %d of %d: console truncated",
				 g + 1, r->id.vms);
			return;
		}
		frame = strndup(p, end - p);
		if (!frame)
			exit(2);
		bad = vb_parse_guest(frame, expect, r->id.workload, &v, &f, &s, iv, r,
				     r->why, sizeof(r->why));
		if (bad) {
			char st[16] = "", name[32];
			int rc;

			frame_header(frame, name, st, &rc);
			snprintf(r->status, sizeof(r->status), "%s",
				 bad > 0 ? "failed" :
				 !strcmp(st, "hang") || !strcmp(st, "boot-hang") ||
				 !strcmp(st, "stall") ? "timeout" :
				 !strcmp(st, "ok") || !st[0] ? "bad-output" : "crashed");
			free(frame);
			r->nvm = 0;
			r->niv = 0;
			r->nmetrics = 0;
			return;
		}
		free(frame);
		r->vm_value[r->nvm++] = v;
		for (int k = 0; k < r->niv; k++)
			r->iv[k] += iv[k];
		if (!isnan(f) && (isnan(fmax) || f > fmax))
			fmax = f;
		if (!isnan(s)) {
			steal_sum += s;
			nsteal++;
		}
		p = end + 1;
	}
	/*
	 * The run's value: all guests together; fairness: the worst guest's,
	 * or between guests when the workload has no writers of its own.
	 */
	r->value = 0;
	for (g = 0; g < r->nvm; g++)
		r->value += r->vm_value[g];
	if (!isnan(fmax)) {
		r->fairness = fmax;
	} else if (r->nvm > 1) {
		double lo = r->vm_value[0], hi = lo;

		for (g = 1; g < r->nvm; g++) {
			lo = r->vm_value[g] < lo ? r->vm_value[g] : lo;
			hi = r->vm_value[g] > hi ? r->vm_value[g] : hi;
		}
		r->fairness = maxmin(hi, lo);
	}
	r->steal_pct = nsteal ? steal_sum / nsteal : NAN;
	kv_metrics(block, "kot", "host", r);
	kv_metrics(block, "kvm", "kvm", r);
	kv_metrics(block, "simhost", "simhost", r);	/* testbed sim only */
	kv_metrics(block, "simp", "sim", r);
	if (r->host && isnan(vb_metric_get(r, "host.hc_wait"))) {
		snprintf(r->status, sizeof(r->status), "bad-output");
		snprintf(r->why, sizeof(r->why), "no kvm_oticket counters");
		r->value = NAN;
		r->nvm = 0;
		r->niv = 0;
		return;
	}
	snprintf(r->status, sizeof(r->status), "ok");
}

/* ------------------------------------------------------------------------
 * JSON Lines
 */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * A number; NaN (unknown) and infinities as null, except where @inf allows
 * +infinity - the max/min of a run whose least-served writer did nothing:
 * there as 1e999, a JSON number that overflows to infinity when read
 * (strtod(), Python's json), so that it stays the worst fairness there is
 * instead of dropping out.
 */
static void json_num_inf(FILE *f, double v, bool inf)
{
	if (isnan(v) || (isinf(v) && (!inf || v < 0)))
		fputs("null", f);
	else if (isinf(v))
		fputs("1e999", f);
	else if (v == (long long)v && fabs(v) < 1e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.6g", v);
}

static void json_num(FILE *f, double v)
{
	json_num_inf(f, v, false);
}

/*
 * The record's keys in the order they are written; the reader takes them
 * in any order.  One table, so the two cannot disagree.
 */
/* F_NUM_INF: a number that may be +infinity (json_num_inf()) */
enum ftype { F_STR, F_INT, F_NUM, F_NUM_INF, F_BOOL, F_ARRAY, F_METRICS };

struct field {
	const char *key;
	enum ftype type;
	size_t off, len;
	size_t count;		/* F_ARRAY: offset of its int count */
};

#define FLD(k, t, m) { k, t, offsetof(struct vb_rec, m), sizeof(((struct vb_rec *)0)->m), 0 }
#define ARR(k, m, n) { k, F_ARRAY, offsetof(struct vb_rec, m), \
		       sizeof(((struct vb_rec *)0)->m), offsetof(struct vb_rec, n) }

static const struct field fields[] = {
	FLD("workload", F_STR, id.workload),
	FLD("mode", F_STR, id.mode),
	FLD("host_module", F_BOOL, host),
	FLD("vcpus", F_INT, id.vcpus),
	FLD("vms", F_INT, id.vms),
	FLD("l2_vcpus", F_INT, id.l2_vcpus),
	FLD("size", F_INT, id.size),
	FLD("intervals", F_INT, id.intervals),
	FLD("warmup", F_INT, id.warmup),
	FLD("rep", F_INT, id.rep),
	FLD("attempt", F_INT, attempt),
	FLD("status", F_STR, status),
	FLD("why", F_STR, why),
	FLD("unit", F_STR, unit),
	FLD("value", F_NUM, value),
	ARR("vm_values", vm_value, nvm),
	FLD("fairness", F_NUM_INF, fairness),
	FLD("steal_pct", F_NUM, steal_pct),
	ARR("interval_values", iv, niv),
	FLD("metrics", F_METRICS, m),
	FLD("kernel", F_STR, kernel),
	FLD("base", F_STR, base),
	FLD("git", F_STR, git),
	FLD("testbed", F_STR, testbed),
	FLD("l1_host", F_STR, l1_host),
	FLD("l1_load", F_NUM, l1_load),
	FLD("pinned", F_BOOL, pinned),
	FLD("time", F_STR, time),
	FLD("boot", F_INT, boot),
	FLD("secs", F_NUM, secs),
};

int vb_rec_write(FILE *f, const struct vb_rec *r)
{
	fprintf(f, "{\"schema\":%d", VB_SCHEMA);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *fd = &fields[i];
		const void *v = (const char *)r + fd->off;

		fprintf(f, ",\"%s\":", fd->key);
		switch (fd->type) {
		case F_STR:
			json_str(f, v);
			break;
		case F_INT:
			fprintf(f, "%d", *(const int *)v);
			break;
		case F_NUM:
		case F_NUM_INF:
			json_num_inf(f, *(const double *)v, fd->type == F_NUM_INF);
			break;
		case F_BOOL:
			fputs(*(const int *)v ? "true" : "false", f);
			break;
		case F_ARRAY:
			fputc('[', f);
			for (int k = 0; k < *(const int *)((const char *)r + fd->count); k++) {
				if (k)
					fputc(',', f);
				json_num(f, ((const double *)v)[k]);
			}
			fputc(']', f);
			break;
		case F_METRICS:
			fputc('{', f);
			for (int k = 0; k < r->nmetrics; k++) {
				if (k)
					fputc(',', f);
				json_str(f, r->m[k].name);
				fputc(':', f);
				json_num(f, r->m[k].v);
			}
			fputc('}', f);
			break;
		}
	}
	fputs("}\n", f);
	return ferror(f) ? -1 : 0;
}

/*
 * A small reader for exactly the records above: flat values, one array of
 * numbers, one object of numbers.
 */
struct jp {
	const char *p;
	char *err;
	size_t errlen;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static int jerr(struct jp *j, const char *what)
{
	if (!j->err[0])
		snprintf(j->err, j->errlen, "%s at \"%.12s\"", what, j->p);
	return -1;
}

static int jstr(struct jp *j, char *out, size_t len)
{
	size_t n = 0;

	ws(j);
	if (*j->p != '"')
		return jerr(j, "string expected");
	j->p++;
	while (*j->p && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			c = *j->p++;
			if (c == 'u') {
				unsigned int u;

				if (sscanf(j->p, "%4x", &u) != 1)
					return jerr(j, "bad \\u escape");
				j->p += 4;
				c = u < 0x80 ? (char)u : '?';
			} else if (c == 'n') {
				c = '\n';
			} else if (c != '"' && c != '\\' && c != '/') {
				return jerr(j, "bad escape");
			}
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	if (*j->p != '"')
		return jerr(j, "unterminated string");
	j->p++;
	if (len)
		out[n] = 0;
	return 0;
}

/*
 * A JSON number or null (NaN).  An overflow is +infinity (json_num_inf())
 * where @inf allows it and an error elsewhere, as is underflow; strtod()'s
 * other forms (inf, nan, hex) are refused.
 */
static int jnum_inf(struct jp *j, double *v, bool inf)
{
	const char *q;
	char *end;

	ws(j);
	if (!strncmp(j->p, "null", 4)) {
		j->p += 4;
		*v = NAN;
		return 0;
	}
	q = j->p + (*j->p == '-');
	if (!isdigit((unsigned char)*q) || q[1] == 'x' || q[1] == 'X')
		return jerr(j, "number expected");
	errno = 0;
	*v = strtod(j->p, &end);
	if (end == j->p || (errno && !(inf && isinf(*v) && *v > 0)))
		return jerr(j, "number expected");
	j->p = end;
	return 0;
}

static int jnum(struct jp *j, double *v)
{
	return jnum_inf(j, v, false);
}

static int jint(struct jp *j, int *v)
{
	double d;

	if (jnum(j, &d))
		return -1;
	/* in range first: converting a double out of range is undefined */
	if (!(d >= INT_MIN && d <= INT_MAX) || d != (int)d)
		return jerr(j, "integer expected");
	*v = (int)d;
	return 0;
}

static int jbool(struct jp *j, int *v)
{
	ws(j);
	*v = !strncmp(j->p, "true", 4);
	if (!*v && strncmp(j->p, "false", 5))
		return jerr(j, "true or false expected");
	j->p += *v ? 4 : 5;
	return 0;
}

static int jchar(struct jp *j, char c)
{
	ws(j);
	if (*j->p != c) {
		char what[24];

		snprintf(what, sizeof(what), "'%c' expected", c);
		return jerr(j, what);
	}
	j->p++;
	return 0;
}

/*
 * "[1, 2]" into the array of field @fd (@close ']') or "{"name": 1}" into
 * r->m (@close '}').
 */
static int jlist(struct jp *j, char close, struct vb_rec *r, const struct field *fd)
{
	if (jchar(j, close == ']' ? '[' : '{'))
		return -1;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		char name[48];
		double v;

		if (close == '}' && (jstr(j, name, sizeof(name)) || jchar(j, ':')))
			return -1;
		if (jnum(j, &v))
			return -1;
		if (close == ']') {
			int *n = (int *)((char *)r + fd->count);

			if (*n == (int)(fd->len / sizeof(double)))
				return jerr(j, "array too long");
			((double *)((char *)r + fd->off))[(*n)++] = v;
		} else {
			if (r->nmetrics == VB_MAX_METRICS)
				return jerr(j, "too many metrics");
			snprintf(r->m[r->nmetrics].name, sizeof(r->m[0].name), "%s", name);
			r->m[r->nmetrics++].v = v;
		}
		ws(j);
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (jchar(j, ','))
			return -1;
	}
}

int vb_rec_parse(const char *line, struct vb_rec *r, char *err, size_t errlen)
{
	struct jp j = { line, err, errlen };
	const struct field *fd;
	int schema = -1;
	char key[48];
	void *v;

	err[0] = 0;
	memset(r, 0, sizeof(*r));
	r->value = r->fairness = r->steal_pct = r->secs = r->l1_load = NAN;
	/* schema 1: one interval, no warm-up */
	r->id.intervals = 1;
	if (jchar(&j, '{'))
		return -1;
	ws(&j);
	if (*j.p == '}')
		return jerr(&j, "empty record");
	do {
		int bad = 0;

		if (jstr(&j, key, sizeof(key)) || jchar(&j, ':'))
			return -1;
		ws(&j);
		fd = NULL;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(key, fields[i].key))
				fd = &fields[i];
		v = fd ? (char *)r + fd->off : NULL;
		if (!strcmp(key, "schema"))
			bad = jint(&j, &schema);
		else if (!fd)
			return jerr(&j, "unknown key");
		else if (fd->type == F_STR)
			bad = jstr(&j, v, fd->len);
		else if (fd->type == F_INT)
			bad = jint(&j, v);
		else if (fd->type == F_NUM || fd->type == F_NUM_INF)
			bad = jnum_inf(&j, v, fd->type == F_NUM_INF);
		else if (fd->type == F_ARRAY)
			bad = jlist(&j, ']', r, fd);
		else if (fd->type == F_METRICS)
			bad = jlist(&j, '}', r, fd);
		else
			bad = jbool(&j, v);
		if (bad)
			return -1;
		ws(&j);
		if (*j.p == ',') {
			j.p++;
			continue;
		}
		break;
	} while (1);
	if (jchar(&j, '}'))
		return -1;
	ws(&j);
	if (*j.p && *j.p != '\n')
		return jerr(&j, "text after the record");
	if (schema != 1 && schema != VB_SCHEMA) {
		snprintf(err, errlen, "schema %d, not 1 or %d", schema, VB_SCHEMA);
		return -1;
	}
	if (!r->id.workload[0] || !r->id.mode[0] || !r->status[0] || r->id.vcpus < 1 ||
	    r->id.vms < 1 || r->id.l2_vcpus < 1 || r->id.rep < 0 || r->attempt < 1 ||
	    r->id.intervals < 1 || r->id.intervals > VB_MAX_IV || r->id.warmup < 0) {
		snprintf(err, errlen, "a field of the run's identity is missing");
		return -1;
	}
	if (!strcmp(r->status, "ok") && (isnan(r->value) || r->nvm != r->id.vms ||
					  (schema > 1 && r->niv != r->id.intervals))) {
		snprintf(err, errlen, "an ok record without its values");
		return -1;
	}
	return 0;
}

struct vb_rec *vb_load(const char *path, int *n, int *bad)
{
	FILE *f = fopen(path, "r");
	struct vb_rec *recs = NULL;
	char *line = NULL, err[160];
	size_t cap = 0;
	int lineno = 0, size = 0;

	*n = 0;
	*bad = 0;
	if (!f)
		return errno == ENOENT ? calloc(1, sizeof(*recs)) : (*n = -1, NULL);
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '\n')
			continue;
		if (*n == size) {
			struct vb_rec *t = realloc(recs, (size = size ? 2 * size : 64) *
						   sizeof(*recs));

			if (!t) {
				free(recs);
				*n = -1;
				recs = NULL;
				break;
			}
			recs = t;
		}
		if (vb_rec_parse(line, &recs[*n], err, sizeof(err))) {
			fprintf(stderr, "vbench: %s:%d: skipped, not a record: %s\n",
				path, lineno, err);
			++*bad;
			continue;
		}
		++*n;
	}
	free(line);
	fclose(f);
	if (recs == NULL && *n == 0)
		recs = calloc(1, sizeof(*recs));
	return recs;
}

int vb_run_settled(const struct vb_rec *recs, int n, const struct vb_runid *id,
		   int max_attempts, int *attempts)
{
	int done = 0;

	*attempts = 0;
	for (int i = 0; i < n; i++)
		if (vb_same_run(&recs[i].id, id))
			done |= vb_attempt_settles(recs[i].status, ++*attempts, max_attempts);
	return done;
}
