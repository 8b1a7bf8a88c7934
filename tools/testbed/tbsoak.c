// SPDX-License-Identifier: GPL-2.0
/*
 * tbsoak - measure the testbed's own reliability: B level-2 boots, each
 * starting and stopping S level-3 guests one after another with no retries,
 * and count every failure by kind.  Used to find and verify the testbed
 * settings (Documentation/virt/oticket/testbed.rst); not part of make test.
 *
 *   tbsoak [--boots B] [--starts S] [--kvm-amd PARAMS] [--l3-cpu MODEL]
 *          [--build DIR]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

int main(int argc, char **argv)
{
	const char *build = "build", *kvm_amd = "nested=0 npt=0";
	const char *l3cpu = "";		/* testbed's default */
	char top[1024];
	int boots = 4, starts = 4, l2_fail = 0, l3_total = 0, l3_fail = 0;
	char kinds[8][32] = { { 0 } };
	int kind_n[8] = { 0 }, nk = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tb_install_signal_handlers();
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--boots"))
			boots = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--starts"))
			starts = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--kvm-amd"))
			kvm_amd = argv[i + 1];
		else if (!strcmp(argv[i], "--l3-cpu"))
			l3cpu = argv[i + 1];
		else if (!strcmp(argv[i], "--build"))
			build = argv[i + 1];
		else {
			fprintf(stderr, "tbsoak: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	/* both go into a shell command line inside single quotes */
	if (strchr(kvm_amd, '\'') || strchr(l3cpu, '\'')) {
		fprintf(stderr, "tbsoak: --kvm-amd and --l3-cpu take no quotes\n");
		return 2;
	}
	if (!getcwd(top, sizeof(top)))
		return 2;
	if (boots < 1 || starts < 1 || boots > 1000 || starts > 1000) {
		fprintf(stderr, "tbsoak: --boots and --starts must be 1..1000\n");
		return 2;
	}
	for (int b = 0; b < boots && !tb_interrupted(); b++) {
		char cmd[4096], log[1100], *con, *p, *l2;
		int st, ok = 0, bad = 0;

		snprintf(log, sizeof(log), "%s/soak/boot%d.log", build, b);
		l2 = tb_l2_command(build, top);
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/soak && %s --mode nested --retries 0 "
			 "--timeout %d --env 'OTB_KVM_AMD_PARAMS=%s' --env 'SOAK_STARTS=%d' "
			 "--env 'SOAK_CPU=%s' --log %s --script tools/testbed/guest/l2-soak.sh "
			 "2>%s.runner", build, l2, starts * 150, kvm_amd, starts, l3cpu, log, log);
		free(l2);
		st = tb_system(cmd);
		con = tb_read_file(log, NULL);
		for (p = con ? strstr(con, "@@OTB-GUEST ") : NULL; p;
		     p = strstr(p + 1, "@@OTB-GUEST ")) {
			char status[32] = "";
			int k;

			if (sscanf(p, "@@OTB-GUEST %*s status=%31[^ ]", status) != 1)
				continue;
			l3_total++;
			if (!strcmp(status, "ok")) {
				ok++;
				continue;
			}
			bad++;
			l3_fail++;
			for (k = 0; k < nk && strcmp(kinds[k], status); k++)
				;
			if (k == nk && nk < 8)
				snprintf(kinds[nk++], sizeof(kinds[0]), "%s", status);
			if (k < 8)
				kind_n[k]++;
		}
		if (st != 0) {
			l2_fail++;
			printf("boot %d: level 2 FAILED (%s): ", b, log);
			fflush(stdout);
			snprintf(cmd, sizeof(cmd), "tail -n 1 %s.runner", log);
			if (system(cmd))
				printf("\n");
		}
		printf("boot %d: level-3 starts ok %d, failed %d%s\n", b, ok, bad,
		       con && strstr(con, "Oops") ? " (oops in log)" : "");
		free(con);
	}
	printf("tbsoak: kvm_amd \"%s\", level-3 CPU %s\n", kvm_amd, *l3cpu ? l3cpu : TB_L3_CPU);
	printf("tbsoak: level-2 boots %d, failed %d; level-3 starts %d, failed %d",
	       boots, l2_fail, l3_total, l3_fail);
	for (int k = 0; k < nk; k++)
		printf("%s%s %d", k ? ", " : " (", kinds[k], kind_n[k]);
	printf("%s\n", nk ? ")" : "");
	return l2_fail || l3_fail;
}
