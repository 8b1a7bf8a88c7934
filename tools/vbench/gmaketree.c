// SPDX-License-Identifier: GPL-2.0
/*
 * gmaketree - generate the C source tree of the "gmake" workload.
 *
 *	gmaketree DIR [NFILES]
 *
 * writes into DIR (created if missing):
 *
 *	f000.c .. fNNN.c  NFILES (default 64, 1..1024) translation units of
 *	                  eight small kernels each (loops, structs, a switch-
 *	                  based interpreter, integer arithmetic), chained by
 *	                  the one global function fNNN_run()
 *	wl.h              prototypes of every fNNN_run()
 *	main.c            prints f000_run(WL_SEED)
 *	Makefile          make [N=n] builds f000..f<n-1> into libwl.a and links
 *	                  ./wl from main.o and libwl.a; "make clean"
 *	expected          the line ./wl must print
 *
 * The tree exists to give the guest a compile workload that is fork/exec
 * and page-fault heavy like a real build (make, gcc, cc1, as, collect2, ld),
 * yet fixed: the output depends only on the file index, never on the host,
 * so every guest compiles byte-identical sources.  gcc -O2 -pipe -c takes
 * some 0.1 s of CPU per file natively (about half of it gcc's start-up), so
 * the number of files, make's N, sizes the run.
 *
 * gmaketree evaluates the kernels it emits with the same 32-bit unsigned
 * arithmetic, so "expected" is known without a compiler; a guest whose
 * build went wrong (truncated object, bad toolchain) prints something else.
 * Which kernels a file gets and their constants come from a PRNG seeded by
 * the file's index: f000.c, hence "expected", is the same for any NFILES.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NFILES_DEFAULT	64
#define NFILES_MAX	1024
#define NKERNELS	8		/* kernels per file */
#define VM_MAX		64		/* longest interpreter program */
#define WL_SEED		0x5eed1234u

static const char *prog = "gmaketree";

enum kind { K_MIX, K_VM, K_SORT, K_MAT, K_CRC, K_NR };

struct kernel {
	enum kind kind;
	uint32_t a, b, c;
	uint32_t add;			/* added to the result in fNNN_run() */
	unsigned int n;			/* rounds, bytes, records or matrix size */
	unsigned int r1, r2;		/* shifts, 1..31 */
	unsigned int len;		/* K_VM: program length */
	unsigned char code[VM_MAX];	/* K_VM: program */
};

struct unit {
	uint32_t salt;
	struct kernel k[NKERNELS];
};

/* splitmix64, keeps the tree independent of the host's libc */
static uint32_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static unsigned int rnd_range(uint64_t *s, unsigned int lo, unsigned int hi)
{
	return lo + rnd(s) % (hi - lo + 1);
}

static void make_unit(struct unit *u, unsigned int idx)
{
	uint64_t s = 0x6d616b6574726565ull ^ ((uint64_t)idx << 32);
	unsigned int i, j;

	u->salt = rnd(&s);
	for (i = 0; i < NKERNELS; i++) {
		struct kernel *k = &u->k[i];

		memset(k, 0, sizeof(*k));
		/* every kind once per file, the rest at random */
		k->kind = i < K_NR ? (enum kind)i : (enum kind)(rnd(&s) % K_NR);
		k->a = rnd(&s);
		k->b = rnd(&s);
		k->c = rnd(&s);
		k->add = rnd(&s);
		k->r1 = rnd_range(&s, 1, 31);
		k->r2 = rnd_range(&s, 1, 31);
		switch (k->kind) {
		case K_MIX:
			k->b |= 1;
			k->n = rnd_range(&s, 16, 64);
			break;
		case K_VM:
			k->n = rnd_range(&s, 1, 4);
			k->len = rnd_range(&s, VM_MAX / 2, VM_MAX);
			for (j = 0; j < k->len; j++)
				k->code[j] = rnd(&s) & 0xff;
			break;
		case K_SORT:
			k->n = rnd_range(&s, 8, 32);
			break;
		case K_MAT:
			k->n = rnd_range(&s, 3, 6);
			break;
		case K_CRC:
			k->b |= 0x80000000u;
			k->n = rnd_range(&s, 8, 48);
			break;
		default:
			abort();
		}
	}
}

/*
 * The evaluators below and the emitters after them must stay in step:
 * each emitter prints, with the constants filled in, the code of its
 * evaluator.
 */
static uint32_t ev_mix(const struct kernel *k, uint32_t x)
{
	uint32_t h = x ^ k->a;
	unsigned int i;

	for (i = 0; i < k->n; i++) {
		h ^= h >> k->r1;
		h *= k->b;
		h += i * k->c;
		h = (h << k->r2) | (h >> (32 - k->r2));
	}
	return h;
}

static uint32_t ev_vm(const struct kernel *k, uint32_t x)
{
	uint32_t acc = x, r = k->a;
	unsigned int round, pc;

	for (round = 0; round < k->n; round++) {
		for (pc = 0; pc < k->len; pc++) {
			switch (k->code[pc] & 7) {
			case 0:
				acc += r;
				break;
			case 1:
				acc ^= acc << 7;
				break;
			case 2:
				acc ^= acc >> 9;
				break;
			case 3:
				r = r * k->b + pc;
				break;
			case 4:
				acc = acc * 33u + k->c;
				break;
			case 5:
				if (acc & 1)
					r ^= acc;
				else
					r += 0x9e3779b9u;
				break;
			case 6:
				acc -= r >> (k->code[pc] >> 3 & 15);
				break;
			default:
				r = (r << 5) | (r >> 27);
				break;
			}
		}
	}
	return acc ^ r;
}

struct rec {
	uint32_t key;
	uint32_t val;
	unsigned short tag;
};

static uint32_t ev_sort(const struct kernel *k, uint32_t x)
{
	struct rec rv[32], t;
	uint32_t s = x | 1, sum = 0;
	int i, j, m = (int)k->n;

	for (i = 0; i < m; i++) {
		s = s * 1103515245u + k->a;
		rv[i].key = s >> 8;
		rv[i].val = s ^ k->b;
		rv[i].tag = (unsigned short)(s >> 16);
	}
	for (i = 1; i < m; i++) {
		t = rv[i];
		for (j = i - 1; j >= 0 && rv[j].key > t.key; j--)
			rv[j + 1] = rv[j];
		rv[j + 1] = t;
	}
	for (i = 0; i < m; i++)
		sum = sum * 31u + (rv[i].val ^ rv[i].tag) + (uint32_t)i;
	return sum;
}

static uint32_t ev_mat(const struct kernel *k, uint32_t x)
{
	uint32_t ma[6][6], mb[6][6], mc[6][6], h = 0;
	unsigned int i, j, l, d = k->n;

	for (i = 0; i < d; i++) {
		for (j = 0; j < d; j++) {
			ma[i][j] = x + i * k->a + j;
			mb[i][j] = (x ^ k->b) + i + j * k->c;
		}
	}
	for (i = 0; i < d; i++) {
		for (j = 0; j < d; j++) {
			mc[i][j] = 0;
			for (l = 0; l < d; l++)
				mc[i][j] += ma[i][l] * mb[l][j];
		}
	}
	for (i = 0; i < d; i++)
		for (j = 0; j < d; j++)
			h = h * 131u + mc[i][j];
	return h;
}

static uint32_t ev_crc(const struct kernel *k, uint32_t x)
{
	uint32_t crc = ~x;
	unsigned int i, b;

	for (i = 0; i < k->n; i++) {
		crc ^= (x + i * k->a) & 0xffu;
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (k->b & (0u - (crc & 1u)));
	}
	return ~crc;
}

static uint32_t ev_kernel(const struct kernel *k, uint32_t x)
{
	switch (k->kind) {
	case K_MIX:
		return ev_mix(k, x);
	case K_VM:
		return ev_vm(k, x);
	case K_SORT:
		return ev_sort(k, x);
	case K_MAT:
		return ev_mat(k, x);
	case K_CRC:
		return ev_crc(k, x);
	default:
		abort();
	}
}

static uint32_t ev_unit(const struct unit *u, uint32_t seed)
{
	uint32_t h = seed ^ u->salt;
	unsigned int i;

	for (i = 0; i < NKERNELS; i++)
		h = ev_kernel(&u->k[i], h) + u->k[i].add;
	return h;
}

static void emit_mix(FILE *f, const char *fn, const struct kernel *k)
{
	fprintf(f,
		"static uint32_t %s(uint32_t x)\n"
		"{\n"
		"\tuint32_t h = x ^ 0x%08xu;\n"
		"\tunsigned int i;\n"
		"\n"
		"\tfor (i = 0; i < %uu; i++) {\n"
		"\t\th ^= h >> %u;\n"
		"\t\th *= 0x%08xu;\n"
		"\t\th += i * 0x%08xu;\n"
		"\t\th = (h << %u) | (h >> %u);\n"
		"\t}\n"
		"\treturn h;\n"
		"}\n\n",
		fn, k->a, k->n, k->r1, k->b, k->c, k->r2, 32 - k->r2);
}

static void emit_vm(FILE *f, const char *fn, const struct kernel *k)
{
	unsigned int i;

	fprintf(f, "static const unsigned char %s_code[%u] = {", fn, k->len);
	for (i = 0; i < k->len; i++)
		fprintf(f, "%s0x%02x,", i % 12 ? " " : "\n\t", k->code[i]);
	fprintf(f, "\n};\n\n");
	fprintf(f,
		"static uint32_t %s(uint32_t x)\n"
		"{\n"
		"\tuint32_t acc = x, r = 0x%08xu;\n"
		"\tunsigned int round, pc;\n"
		"\n"
		"\tfor (round = 0; round < %uu; round++) {\n"
		"\t\tfor (pc = 0; pc < %uu; pc++) {\n"
		"\t\t\tswitch (%s_code[pc] & 7) {\n"
		"\t\t\tcase 0:\n"
		"\t\t\t\tacc += r;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 1:\n"
		"\t\t\t\tacc ^= acc << 7;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 2:\n"
		"\t\t\t\tacc ^= acc >> 9;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 3:\n"
		"\t\t\t\tr = r * 0x%08xu + pc;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 4:\n"
		"\t\t\t\tacc = acc * 33u + 0x%08xu;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 5:\n"
		"\t\t\t\tif (acc & 1)\n"
		"\t\t\t\t\tr ^= acc;\n"
		"\t\t\t\telse\n"
		"\t\t\t\t\tr += 0x9e3779b9u;\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tcase 6:\n"
		"\t\t\t\tacc -= r >> (%s_code[pc] >> 3 & 15);\n"
		"\t\t\t\tbreak;\n"
		"\t\t\tdefault:\n"
		"\t\t\t\tr = (r << 5) | (r >> 27);\n"
		"\t\t\t\tbreak;\n"
		"\t\t\t}\n"
		"\t\t}\n"
		"\t}\n"
		"\treturn acc ^ r;\n"
		"}\n\n",
		fn, k->a, k->n, k->len, fn, k->b, k->c, fn);
}

static void emit_sort(FILE *f, const char *fn, const struct kernel *k)
{
	fprintf(f,
		"static uint32_t %s(uint32_t x)\n"
		"{\n"
		"\tstruct rec rv[%u], t;\n"
		"\tuint32_t s = x | 1, sum = 0;\n"
		"\tint i, j;\n"
		"\n"
		"\tfor (i = 0; i < %u; i++) {\n"
		"\t\ts = s * 1103515245u + 0x%08xu;\n"
		"\t\trv[i].key = s >> 8;\n"
		"\t\trv[i].val = s ^ 0x%08xu;\n"
		"\t\trv[i].tag = (unsigned short)(s >> 16);\n"
		"\t}\n"
		"\tfor (i = 1; i < %u; i++) {\n"
		"\t\tt = rv[i];\n"
		"\t\tfor (j = i - 1; j >= 0 && rv[j].key > t.key; j--)\n"
		"\t\t\trv[j + 1] = rv[j];\n"
		"\t\trv[j + 1] = t;\n"
		"\t}\n"
		"\tfor (i = 0; i < %u; i++)\n"
		"\t\tsum = sum * 31u + (rv[i].val ^ rv[i].tag) + (uint32_t)i;\n"
		"\treturn sum;\n"
		"}\n\n",
		fn, k->n, k->n, k->a, k->b, k->n, k->n);
}

static void emit_mat(FILE *f, const char *fn, const struct kernel *k)
{
	unsigned int d = k->n;

	fprintf(f,
		"static uint32_t %s(uint32_t x)\n"
		"{\n"
		"\tuint32_t ma[%u][%u], mb[%u][%u], mc[%u][%u], h = 0;\n"
		"\tunsigned int i, j, l;\n"
		"\n"
		"\tfor (i = 0; i < %uu; i++) {\n"
		"\t\tfor (j = 0; j < %uu; j++) {\n"
		"\t\t\tma[i][j] = x + i * 0x%08xu + j;\n"
		"\t\t\tmb[i][j] = (x ^ 0x%08xu) + i + j * 0x%08xu;\n"
		"\t\t}\n"
		"\t}\n"
		"\tfor (i = 0; i < %uu; i++) {\n"
		"\t\tfor (j = 0; j < %uu; j++) {\n"
		"\t\t\tmc[i][j] = 0;\n"
		"\t\t\tfor (l = 0; l < %uu; l++)\n"
		"\t\t\t\tmc[i][j] += ma[i][l] * mb[l][j];\n"
		"\t\t}\n"
		"\t}\n"
		"\tfor (i = 0; i < %uu; i++)\n"
		"\t\tfor (j = 0; j < %uu; j++)\n"
		"\t\t\th = h * 131u + mc[i][j];\n"
		"\treturn h;\n"
		"}\n\n",
		fn, d, d, d, d, d, d, d, d, k->a, k->b, k->c, d, d, d, d, d);
}

static void emit_crc(FILE *f, const char *fn, const struct kernel *k)
{
	fprintf(f,
		"static uint32_t %s(uint32_t x)\n"
		"{\n"
		"\tuint32_t crc = ~x;\n"
		"\tunsigned int i, b;\n"
		"\n"
		"\tfor (i = 0; i < %uu; i++) {\n"
		"\t\tcrc ^= (x + i * 0x%08xu) & 0xffu;\n"
		"\t\tfor (b = 0; b < 8; b++)\n"
		"\t\t\tcrc = (crc >> 1) ^ (0x%08xu & (0u - (crc & 1u)));\n"
		"\t}\n"
		"\treturn ~crc;\n"
		"}\n\n",
		fn, k->n, k->a, k->b);
}

static void emit_unit(FILE *f, const struct unit *u, unsigned int idx)
{
	char fn[32];
	unsigned int i;

	fprintf(f,
		"/* generated by tools/vbench/gmaketree, do not edit */\n"
		"#include <stdint.h>\n"
		"#include \"wl.h\"\n"
		"\n"
		"struct rec {\n"
		"\tuint32_t key;\n"
		"\tuint32_t val;\n"
		"\tunsigned short tag;\n"
		"};\n\n");
	for (i = 0; i < NKERNELS; i++) {
		const struct kernel *k = &u->k[i];

		snprintf(fn, sizeof(fn), "f%03u_k%02u", idx, i);
		switch (k->kind) {
		case K_MIX:
			emit_mix(f, fn, k);
			break;
		case K_VM:
			emit_vm(f, fn, k);
			break;
		case K_SORT:
			emit_sort(f, fn, k);
			break;
		case K_MAT:
			emit_mat(f, fn, k);
			break;
		case K_CRC:
			emit_crc(f, fn, k);
			break;
		default:
			abort();
		}
	}
	fprintf(f,
		"uint32_t f%03u_run(uint32_t seed)\n"
		"{\n"
		"\tuint32_t h = seed ^ 0x%08xu;\n"
		"\n", idx, u->salt);
	for (i = 0; i < NKERNELS; i++)
		fprintf(f, "\th = f%03u_k%02u(h) + 0x%08xu;\n",
			idx, i, u->k[i].add);
	fprintf(f, "\treturn h;\n}\n");
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s\n", prog, what, path, strerror(errno));
	exit(1);
}

static FILE *open_out(const char *dir, const char *name, char *path,
		      size_t size)
{
	FILE *f;

	if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size) {
		fprintf(stderr, "%s: path too long: %s/%s\n", prog, dir, name);
		exit(1);
	}
	f = fopen(path, "w");
	if (!f)
		die("cannot create", path);
	return f;
}

static void close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("error writing", path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s DIR [NFILES]\n"
		"  writes a C source tree of NFILES (1..%d, default %d) units,\n"
		"  main.c, wl.h, a Makefile (make [N=n]) and DIR/expected\n",
		prog, NFILES_MAX, NFILES_DEFAULT);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int nfiles = NFILES_DEFAULT, i;
	const char *dir;
	char path[4096], name[32];
	struct unit u;
	uint32_t result;
	FILE *f;

	if (argc < 2 || argc > 3 || !argv[1][0])
		usage();
	dir = argv[1];
	if (argc == 3) {
		char *end;
		long v;

		errno = 0;
		v = strtol(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || v < 1 || v > NFILES_MAX) {
			fprintf(stderr, "%s: bad NFILES '%s': want 1..%d\n",
				prog, argv[2], NFILES_MAX);
			exit(2);
		}
		nfiles = (unsigned int)v;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("cannot create directory", dir);

	for (i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "f%03u.c", i);
		f = open_out(dir, name, path, sizeof(path));
		make_unit(&u, i);
		emit_unit(f, &u, i);
		close_out(f, path);
	}

	f = open_out(dir, "wl.h", path, sizeof(path));
	fprintf(f, "/* generated by tools/vbench/gmaketree, do not edit */\n"
		"#ifndef WL_H\n#define WL_H\n#include <stdint.h>\n\n"
		"#define WL_SEED 0x%08xu\n\n", WL_SEED);
	for (i = 0; i < nfiles; i++)
		fprintf(f, "uint32_t f%03u_run(uint32_t seed);\n", i);
	fprintf(f, "\n#endif\n");
	close_out(f, path);

	f = open_out(dir, "main.c", path, sizeof(path));
	fprintf(f, "/* generated by tools/vbench/gmaketree, do not edit */\n"
		"#include <stdio.h>\n"
		"#include \"wl.h\"\n"
		"\n"
		"int main(void)\n"
		"{\n"
		"\tprintf(\"wl: f000_run(0x%%08x) = 0x%%08x\\n\",\n"
		"\t       (unsigned int)WL_SEED, (unsigned int)f000_run(WL_SEED));\n"
		"\treturn 0;\n"
		"}\n");
	close_out(f, path);

	f = open_out(dir, "Makefile", path, sizeof(path));
	fprintf(f,
		"# generated by tools/vbench/gmaketree, do not edit\n"
		"#\n"
		"# make [N=n]: compile f000.c .. f<n-1>.c (default all %u) into\n"
		"# libwl.a and link ./wl, which must print the line in ./expected.\n"
		"# make's built-in CC is \"cc\", which ?= would keep: use gcc unless\n"
		"# CC came from the environment or the command line.\n"
		"ifeq ($(origin CC),default)\n"
		"CC = gcc\n"
		"endif\n"
		"CC ?= gcc\n"
		"AR ?= ar\n"
		"CFLAGS = -O2 -pipe\n"
		"N ?= %u\n"
		"\n"
		"ALL_SRCS :=", nfiles, nfiles);
	for (i = 0; i < nfiles; i++)
		fprintf(f, "%sf%03u.c", i % 8 ? " " : " \\\n\t", i);
	fprintf(f,
		"\n"
		"SRCS := $(wordlist 1,$(N),$(ALL_SRCS))\n"
		"OBJS := $(SRCS:.c=.o)\n"
		"ifeq ($(strip $(SRCS)),)\n"
		"$(error N=$(N): want 1..%u)\n"
		"endif\n"
		"\n"
		"all: wl\n"
		"\n"
		"wl: main.o libwl.a\n"
		"\t$(CC) $(CFLAGS) -o $@ main.o libwl.a\n"
		"\n"
		"libwl.a: $(OBJS)\n"
		"\trm -f $@\n"
		"\t$(AR) rcs $@ $(OBJS)\n"
		"\n"
		"%%.o: %%.c wl.h\n"
		"\t$(CC) $(CFLAGS) -c -o $@ $<\n"
		"\n"
		"clean:\n"
		"\trm -f *.o libwl.a wl\n"
		"\n"
		".PHONY: all clean\n", nfiles);
	close_out(f, path);

	make_unit(&u, 0);
	result = ev_unit(&u, WL_SEED);
	f = open_out(dir, "expected", path, sizeof(path));
	fprintf(f, "wl: f000_run(0x%08x) = 0x%08x\n", WL_SEED, result);
	close_out(f, path);
	return 0;
}
