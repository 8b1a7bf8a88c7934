// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kstubs.c - debugfs, seq_file and file-operation stubs for the
 * guest files' statistics code.  The simulator reads the counters directly
 * (otsim_guest.events), so these are compiled but never reached.
 */
#include <stdlib.h>
#include <otsim_kernel.h>

loff_t default_llseek(struct file *f, loff_t off, int whence)
{
	return off;
}

loff_t noop_llseek(struct file *f, loff_t off, int whence)
{
	return off;
}

ssize_t simple_read_from_buffer(void *to, size_t count, loff_t *ppos,
				const void *from, size_t available)
{
	return 0;
}

int seq_printf(struct seq_file *m, const char *fmt, ...)
{
	return 0;
}

int seq_puts(struct seq_file *m, const char *s)
{
	return 0;
}

int seq_putc(struct seq_file *m, char c)
{
	return 0;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return NULL;
}

struct dentry *debugfs_create_file(const char *name, unsigned int mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	return NULL;
}

void debugfs_create_bool(const char *name, unsigned int mode,
			 struct dentry *parent, bool *value)
{
}

/* ---- module parameters (include/linux/moduleparam.h) ------------------ */

int kstrtou32(const char *s, unsigned int base, u32 *res)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	v = strtoull(s, &end, base);
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	if (v > 0xffffffffULL)
		return -ERANGE;
	*res = (u32)v;
	return 0;
}

int param_get_uint(char *buffer, const struct kernel_param *kp)
{
	return sprintf(buffer, "%u\n", *(unsigned int *)kp->arg);
}

static int param_set_bool(const char *val, const struct kernel_param *kp)
{
	if (!strcmp(val, "") || !strcmp(val, "1") || !strcmp(val, "y") ||
	    !strcmp(val, "Y") || !strcmp(val, "true"))
		*(bool *)kp->arg = true;
	else if (!strcmp(val, "0") || !strcmp(val, "n") || !strcmp(val, "N") ||
		 !strcmp(val, "false"))
		*(bool *)kp->arg = false;
	else
		return -EINVAL;
	return 0;
}

static int param_get_bool(char *buffer, const struct kernel_param *kp)
{
	return sprintf(buffer, "%c\n", *(bool *)kp->arg ? 'Y' : 'N');
}

const struct kernel_param_ops param_ops_bool = {
	.set = param_set_bool,
	.get = param_get_bool,
};
