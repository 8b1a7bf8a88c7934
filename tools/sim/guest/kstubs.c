// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kstubs.c - debugfs, seq_file and file-operation stubs for the
 * guest files' statistics code.  The simulator reads the counters directly
 * (otsim_guest.events), so these are compiled but never reached.
 */
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
