// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fail-nth sweeps, as iommufd_fail_nth does for iommufd: a case makes the
 * Nth slab allocation of its task fail through current->fail_nth, which is
 * what /proc/self/fail-nth sets (Documentation/fault-injection). failslab
 * skips sleeping allocations unless its debugfs knob ignore-gfp-wait is
 * cleared, and prints a stack for each failure unless verbose is 0. KUnit
 * runs before user space could set them, so the case sets them itself,
 * through the variables that the debugfs files show (a debugfs file keeps
 * its variable's address in the inode's i_private), and restores them
 * after.
 */
#include <kunit/resource.h>
#include <linux/debugfs.h>
#include <linux/fs.h>

#include "failslab.h"

struct failslab_knobs {
	bool *ignore_gfp_wait, saved_ignore_gfp_wait;
	unsigned long *verbose, saved_verbose;
};

static void *failslab_knob(struct kunit *test, const char *name)
{
	struct dentry *dir, *file;
	void *knob;

	dir = debugfs_lookup("failslab", NULL);
	if (IS_ERR_OR_NULL(dir))
		kunit_skip(test, "failslab is not in debugfs (%s)",
			   "needs FAILSLAB and FAULT_INJECTION_DEBUG_FS");
	file = debugfs_lookup(name, dir);
	dput(dir);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, file, "no failslab/%s", name);
	knob = d_inode(file)->i_private;
	dput(file);
	return knob;
}

static void failslab_restore(void *data)
{
	struct failslab_knobs *k = data;

	*k->ignore_gfp_wait = k->saved_ignore_gfp_wait;
	*k->verbose = k->saved_verbose;
}

void kunit_failslab_for_fail_nth(struct kunit *test)
{
	struct failslab_knobs *k;

	k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	k->ignore_gfp_wait = failslab_knob(test, "ignore-gfp-wait");
	k->verbose = failslab_knob(test, "verbose");
	k->saved_ignore_gfp_wait = *k->ignore_gfp_wait;
	k->saved_verbose = *k->verbose;
	*k->ignore_gfp_wait = false;
	*k->verbose = 0;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, failslab_restore,
							k), 0);
}
