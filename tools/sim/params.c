// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - otsim's parameter table (params.h): values, defaults, units,
 * sources; "name=value" setting with range checks by the caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const struct {
	const char *name, *unit, *doc;
	int64_t dflt;
} params[NR_PARAMS] = {
#define P(n, d, u, doc_) [PRM_##n] = { #n, u, doc_, d },
#include "params.h"
#undef P
};

int64_t prm[NR_PARAMS] = {
#define P(n, d, u, doc_) [PRM_##n] = d,
#include "params.h"
#undef P
};

const char *param_name(int i)
{
	return params[i].name;
}

const char *param_unit(int i)
{
	return params[i].unit;
}

const char *param_doc(int i)
{
	return params[i].doc;
}

int64_t param_default(int i)
{
	return params[i].dflt;
}

int param_set(const char *name, const char *val)
{
	char *end;
	long long v;

	for (int i = 0; i < NR_PARAMS; i++) {
		if (strcmp(params[i].name, name))
			continue;
		errno = 0;
		v = strtoll(val, &end, 0);
		if (errno || end == val || *end)
			return -1;
		prm[i] = v;
		return 0;
	}
	return -1;
}
